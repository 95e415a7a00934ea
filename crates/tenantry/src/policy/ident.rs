//! Quoting of identifiers and literals, and schema-qualified names.

use std::fmt;

use crate::error::{Error, Result};

/// Quotes an identifier for PostgreSQL: always double-quoted, inner `"` doubled.
///
/// ```
/// assert_eq!(tenantry::policy::quote_ident("orders"), r#""orders""#);
/// assert_eq!(tenantry::policy::quote_ident(r#"we"ird"#), r#""we""ird""#);
/// ```
pub fn quote_ident(ident: &str) -> String {
    let mut out = String::with_capacity(ident.len() + 2);
    out.push('"');
    for c in ident.chars() {
        if c == '"' {
            out.push('"');
        }
        out.push(c);
    }
    out.push('"');
    out
}

/// Quotes a string literal for PostgreSQL (`'it''s'`; `E'…'` when it holds a backslash).
///
/// ```
/// assert_eq!(tenantry::policy::quote_literal("it's"), "'it''s'");
/// ```
pub fn quote_literal(value: &str) -> String {
    let escaped = value.replace('\'', "''");
    if escaped.contains('\\') {
        format!("E'{}'", escaped.replace('\\', "\\\\"))
    } else {
        format!("'{escaped}'")
    }
}

/// A table (or view, sequence, index) name, optionally schema-qualified, as stored in the
/// catalogue (case and all). Renders quoted: `"public"."orders"`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub struct QualifiedName {
    schema: Option<String>,
    name: String,
}

impl QualifiedName {
    /// A name in the connection's default schema (`search_path`).
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            schema: None,
            name: name.into(),
        }
    }

    /// A schema-qualified name.
    pub fn qualified(schema: impl Into<String>, name: impl Into<String>) -> Self {
        Self {
            schema: Some(schema.into()),
            name: name.into(),
        }
    }

    /// The schema, if qualified.
    pub fn schema(&self) -> Option<&str> {
        self.schema.as_deref()
    }

    /// The unqualified name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The quoted SQL form: `"schema"."name"` or `"name"`.
    pub fn to_sql(&self) -> String {
        match &self.schema {
            Some(s) => format!("{}.{}", quote_ident(s), quote_ident(&self.name)),
            None => quote_ident(&self.name),
        }
    }
}

impl fmt::Display for QualifiedName {
    /// The readable (unquoted) form used in reports: `public.orders`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.schema {
            Some(s) => write!(f, "{s}.{}", self.name),
            None => f.write_str(&self.name),
        }
    }
}

impl From<&crate::ScopedTable> for QualifiedName {
    fn from(t: &crate::ScopedTable) -> Self {
        Self {
            schema: t.schema().map(str::to_owned),
            name: t.name().to_owned(),
        }
    }
}

/// The PostgreSQL type the tenant setting is cast to in a policy (`uuid`, `bigint`,
/// `character varying`…): the tenant column's type.
///
/// Built from a [`TenantIdType`](crate::TenantIdType) or from a type name as printed by
/// PostgreSQL's `format_type` (letters, digits, `_`, spaces, `.`, `"`, `(`, `)` and `,`
/// only; anything else is refused, so a type name can never smuggle SQL in).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ColumnType(String);

impl ColumnType {
    /// A type name as printed by `format_type(atttypid, NULL)`.
    pub fn from_catalog(name: impl Into<String>) -> Result<Self> {
        let name = name.into();
        let ok = !name.trim().is_empty()
            && name.chars().all(|c| {
                c.is_alphanumeric() || matches!(c, '_' | ' ' | '.' | '"' | '(' | ')' | ',')
            });
        if ok {
            Ok(Self(name))
        } else {
            Err(Error::InvalidDdl {
                what: "tenant column type".into(),
                value: name,
            })
        }
    }

    /// The type name as written in SQL.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl From<crate::TenantIdType> for ColumnType {
    fn from(t: crate::TenantIdType) -> Self {
        Self(t.postgres_type().to_owned())
    }
}

impl Default for ColumnType {
    /// `uuid`.
    fn default() -> Self {
        Self("uuid".to_owned())
    }
}

impl fmt::Display for ColumnType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes() {
        assert_eq!(quote_ident(""), "\"\"");
        assert_eq!(quote_literal("a\\b"), "E'a\\\\b'");
        assert_eq!(
            QualifiedName::qualified("Sales", "or\"ders").to_sql(),
            "\"Sales\".\"or\"\"ders\""
        );
    }

    #[test]
    fn column_type_refuses_sql() {
        assert!(ColumnType::from_catalog("character varying").is_ok());
        assert!(ColumnType::from_catalog("numeric(10,0)").is_ok());
        assert!(ColumnType::from_catalog("uuid; DROP TABLE x").is_err());
        assert!(ColumnType::from_catalog("text--").is_err());
        assert!(ColumnType::from_catalog("").is_err());
    }
}
