//! The tenant column's type as written in policies.

use std::fmt;

use crate::error::{Error, Result};

/// The PostgreSQL type the tenant setting is cast to in a policy (`uuid`, `bigint`,
/// `character varying`…): the tenant column's type.
///
/// Built from a [`TenantIdType`](crate::tenant::TenantIdType) or from a type name as printed by
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

impl From<crate::tenant::TenantIdType> for ColumnType {
    fn from(t: crate::tenant::TenantIdType) -> Self {
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
    fn column_type_refuses_sql() {
        assert!(ColumnType::from_catalog("character varying").is_ok());
        assert!(ColumnType::from_catalog("numeric(10,0)").is_ok());
        assert!(ColumnType::from_catalog("uuid; DROP TABLE x").is_err());
        assert!(ColumnType::from_catalog("text--").is_err());
        assert!(ColumnType::from_catalog("").is_err());
    }
}
