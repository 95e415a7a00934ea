//! SQL text primitives every other module builds on: quoting of identifiers and literals,
//! schema-qualified names, and the validated name of the PostgreSQL setting that carries the
//! tenant.
//!
//! This module depends on nothing else in tenantry; the runtime ([`TenantDatabase`]), the DDL
//! ([`policy`]), the catalogue readers ([`catalog`]) and the doctor all use it.
//!
//! [`TenantDatabase`]: crate::TenantDatabase
//! [`policy`]: crate::policy
//! [`catalog`]: crate::catalog

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

use crate::error::{Error, Result};

/// The default name of the PostgreSQL setting that carries the tenant: `tenantry.tenant_id`.
pub const DEFAULT_SETTING: &str = "tenantry.tenant_id";

/// Quotes an identifier for PostgreSQL: always double-quoted, inner `"` doubled.
///
/// ```
/// assert_eq!(tenantry::sql::quote_ident("orders"), r#""orders""#);
/// assert_eq!(tenantry::sql::quote_ident(r#"we"ird"#), r#""we""ird""#);
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
/// assert_eq!(tenantry::sql::quote_literal("it's"), "'it''s'");
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

    /// A name qualified when `schema` is given.
    pub fn maybe_qualified(schema: Option<&str>, name: impl Into<String>) -> Self {
        Self {
            schema: schema.map(str::to_owned),
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

/// The name of the PostgreSQL setting that carries the tenant (`tenantry.tenant_id` unless
/// configured otherwise), checked once: PostgreSQL custom settings are `prefix.name`, each
/// part made of letters, digits and `_` and not starting with a digit.
///
/// The same value configures the connection ([`TenantDatabase::with_setting`]), the policies
/// ([`PolicyConfig::with_setting`]) and so the doctor, which compares the policies with it:
/// all three accept exactly the names PostgreSQL accepts. Cheap to clone.
///
/// ```
/// use tenantry::sql::SettingName;
/// assert_eq!(SettingName::default().as_str(), "tenantry.tenant_id");
/// assert_eq!(SettingName::new("app.org")?.as_str(), "app.org");
/// assert!(SettingName::new("tenant_id").is_err());
/// assert!(SettingName::new("a.b; DROP TABLE t").is_err());
/// # Ok::<(), tenantry::Error>(())
/// ```
///
/// [`TenantDatabase::with_setting`]: crate::TenantDatabase::with_setting
/// [`PolicyConfig::with_setting`]: crate::policy::PolicyConfig::with_setting
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SettingName(Arc<str>);

impl SettingName {
    /// Checks `name` and wraps it; [`Error::InvalidSetting`] when PostgreSQL would not accept
    /// it as a custom setting.
    pub fn new(name: &str) -> Result<Self> {
        let ok = name.split_once('.').is_some_and(|(a, b)| {
            [a, b].iter().all(|part| {
                !part.is_empty()
                    && part.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                    && !part.starts_with(|c: char| c.is_ascii_digit())
            })
        });
        if ok {
            Ok(Self(Arc::from(name)))
        } else {
            Err(Error::InvalidSetting {
                name: name.to_owned(),
            })
        }
    }

    /// The name, as SQL spells it (it needs no quoting).
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Default for SettingName {
    /// `tenantry.tenant_id`.
    fn default() -> Self {
        Self(Arc::from(DEFAULT_SETTING))
    }
}

impl fmt::Debug for SettingName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

impl fmt::Display for SettingName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for SettingName {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl FromStr for SettingName {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        Self::new(s)
    }
}

impl TryFrom<&str> for SettingName {
    type Error = Error;

    fn try_from(s: &str) -> Result<Self> {
        Self::new(s)
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
    fn setting_names() {
        assert!(SettingName::new("tenantry.tenant_id").is_ok());
        assert!(SettingName::new("app.org").is_ok());
        for bad in [
            "tenant_id",
            "a.",
            ".b",
            "a.b;drop",
            "a b.c",
            "1a.b",
            "",
            "it's.tenant",
        ] {
            assert!(SettingName::new(bad).is_err(), "{bad}");
        }
        assert_eq!(SettingName::default().as_str(), DEFAULT_SETTING);
    }
}
