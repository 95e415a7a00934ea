//! Tenant identifiers.

use std::fmt;
use std::sync::Arc;

use sea_orm::Value;
use uuid::Uuid;

/// The Rust type of a tenant column.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TenantIdType {
    /// `uuid` (the default).
    Uuid,
    /// 32-bit integer (`integer` / `int`).
    I32,
    /// 64-bit integer (`bigint`).
    I64,
    /// Text (`text` / `varchar`).
    String,
}

impl TenantIdType {
    /// The name used in messages (`uuid`, `i32`, `i64`, `string`).
    pub fn name(self) -> &'static str {
        match self {
            Self::Uuid => "uuid",
            Self::I32 => "i32",
            Self::I64 => "i64",
            Self::String => "string",
        }
    }

    /// The PostgreSQL type the tenant setting is cast to in policies.
    pub fn postgres_type(self) -> &'static str {
        match self {
            Self::Uuid => "uuid",
            Self::I32 => "integer",
            Self::I64 => "bigint",
            Self::String => "text",
        }
    }
}

impl fmt::Display for TenantIdType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The identifier of one tenant: a UUID (the default), a 32/64-bit integer or a string.
///
/// Built with `From`: `TenantId::from(uuid)`, `TenantId::from(42_i64)`,
/// `TenantId::from("acme")`. Cheap to clone.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TenantId {
    /// A UUID tenant.
    Uuid(Uuid),
    /// A 32-bit integer tenant.
    I32(i32),
    /// A 64-bit integer tenant.
    I64(i64),
    /// A string tenant.
    String(Arc<str>),
}

impl TenantId {
    /// Reads a tenant id as typed by a person or sent by a client: a UUID, else an integer,
    /// else the text itself.
    ///
    /// ```
    /// use tenantry::TenantId;
    /// assert_eq!(TenantId::parse("42"), TenantId::from(42_i64));
    /// assert_eq!(TenantId::parse("acme"), TenantId::from("acme"));
    /// ```
    pub fn parse(text: &str) -> Self {
        if let Ok(u) = Uuid::parse_str(text) {
            return Self::Uuid(u);
        }
        match text.parse::<i64>() {
            Ok(i) => Self::I64(i),
            Err(_) => Self::from(text),
        }
    }

    /// Reads a tenant id of type `id_type`; `Err` says why the text is not one (not of the
    /// type, or never a tenant: [`invalid_reason`](Self::invalid_reason)).
    ///
    /// ```
    /// use tenantry::{TenantId, TenantIdType};
    /// assert!(TenantId::parse_as("not-a-uuid", TenantIdType::Uuid).is_err());
    /// assert_eq!(TenantId::parse_as("7", TenantIdType::I32), Ok(TenantId::from(7_i32)));
    /// ```
    pub fn parse_as(text: &str, id_type: TenantIdType) -> Result<Self, &'static str> {
        let tenant = match id_type {
            TenantIdType::Uuid => Uuid::parse_str(text)
                .map(Self::Uuid)
                .map_err(|_| "not a UUID")?,
            TenantIdType::I32 => text
                .parse::<i32>()
                .map(Self::I32)
                .map_err(|_| "not a 32-bit integer")?,
            TenantIdType::I64 => text
                .parse::<i64>()
                .map(Self::I64)
                .map_err(|_| "not a 64-bit integer")?,
            TenantIdType::String => Self::from(text),
        };
        match tenant.invalid_reason() {
            Some(reason) => Err(reason),
            None => Ok(tenant),
        }
    }

    /// Why this id can never be a tenant (the nil UUID, an empty string, a string with NUL),
    /// or `None` when it can. [`TenantDatabase::begin`](crate::TenantDatabase::begin) refuses
    /// such ids with [`Error::InvalidTenant`](crate::Error::InvalidTenant).
    ///
    /// ```
    /// use tenantry::TenantId;
    /// assert!(TenantId::from(uuid::Uuid::nil()).invalid_reason().is_some());
    /// assert!(TenantId::from(0_i64).invalid_reason().is_none());
    /// ```
    pub fn invalid_reason(&self) -> Option<&'static str> {
        match self {
            Self::Uuid(u) if u.is_nil() => Some("the nil UUID is never a tenant (an unset id?)"),
            Self::String(s) if s.is_empty() => Some("an empty string is never a tenant"),
            Self::String(s) if s.contains('\0') => Some("a tenant id cannot contain NUL"),
            _ => None,
        }
    }

    /// The type of this id.
    pub fn id_type(&self) -> TenantIdType {
        match self {
            Self::Uuid(_) => TenantIdType::Uuid,
            Self::I32(_) => TenantIdType::I32,
            Self::I64(_) => TenantIdType::I64,
            Self::String(_) => TenantIdType::String,
        }
    }

    /// The id as a SeaORM value, ready to bind.
    pub fn to_value(&self) -> Value {
        match self {
            Self::Uuid(u) => Value::Uuid(Some(*u)),
            Self::I32(i) => Value::Int(Some(*i)),
            Self::I64(i) => Value::BigInt(Some(*i)),
            Self::String(s) => Value::String(Some(s.to_string())),
        }
    }

    /// Whether a bound value denotes this tenant (same type, same value).
    ///
    /// Integer widths are compared by value (a `bigint` column may be written with an `i32`),
    /// but a UUID never equals a string or an integer.
    pub fn matches_value(&self, value: &Value) -> bool {
        match (self, value) {
            (Self::Uuid(a), Value::Uuid(Some(b))) => a == b,
            (Self::I32(a), v) => int_of(v) == Some(i64::from(*a)),
            (Self::I64(a), v) => int_of(v) == Some(*a),
            (Self::String(a), Value::String(Some(b))) => a.as_ref() == b.as_str(),
            _ => false,
        }
    }

    /// The id as text, the form stored in the PostgreSQL setting.
    pub fn to_setting(&self) -> String {
        self.to_string()
    }
}

fn int_of(v: &Value) -> Option<i64> {
    match v {
        Value::TinyInt(Some(i)) => Some(i64::from(*i)),
        Value::SmallInt(Some(i)) => Some(i64::from(*i)),
        Value::Int(Some(i)) => Some(i64::from(*i)),
        Value::BigInt(Some(i)) => Some(*i),
        Value::TinyUnsigned(Some(i)) => Some(i64::from(*i)),
        Value::SmallUnsigned(Some(i)) => Some(i64::from(*i)),
        Value::Unsigned(Some(i)) => Some(i64::from(*i)),
        Value::BigUnsigned(Some(i)) => i64::try_from(*i).ok(),
        _ => None,
    }
}

impl fmt::Display for TenantId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Uuid(u) => write!(f, "{u}"),
            Self::I32(i) => write!(f, "{i}"),
            Self::I64(i) => write!(f, "{i}"),
            Self::String(s) => f.write_str(s),
        }
    }
}

impl From<Uuid> for TenantId {
    fn from(v: Uuid) -> Self {
        Self::Uuid(v)
    }
}
impl From<i32> for TenantId {
    fn from(v: i32) -> Self {
        Self::I32(v)
    }
}
impl From<i64> for TenantId {
    fn from(v: i64) -> Self {
        Self::I64(v)
    }
}
impl From<&str> for TenantId {
    fn from(v: &str) -> Self {
        Self::String(Arc::from(v))
    }
}
impl From<String> for TenantId {
    fn from(v: String) -> Self {
        Self::String(Arc::from(v))
    }
}
impl From<&TenantId> for TenantId {
    fn from(v: &TenantId) -> Self {
        v.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_values_of_its_own_kind_only() {
        let u = Uuid::nil();
        assert!(TenantId::from(u).matches_value(&Value::Uuid(Some(u))));
        assert!(!TenantId::from(u).matches_value(&Value::String(Some(u.to_string()))));
        assert!(TenantId::from(7_i64).matches_value(&Value::Int(Some(7))));
        assert!(TenantId::from(7_i32).matches_value(&Value::BigInt(Some(7))));
        assert!(!TenantId::from(7_i32).matches_value(&Value::BigInt(Some(8))));
        assert!(!TenantId::from(7_i32).matches_value(&Value::String(Some("7".into()))));
        assert!(TenantId::from("acme").matches_value(&Value::String(Some("acme".into()))));
        assert!(!TenantId::from("acme").matches_value(&Value::Int(None)));
    }
}
