//! Names a placement may hold.

use crate::error::{Error, Result};

/// Checks a schema, database or server name for a placement: 1 to 63 bytes of lower-case
/// ASCII letters, digits and `_`, starting with a letter or `_`, and not reserved by the
/// database (`pg_…`, `information_schema`).
///
/// Such a name means the same quoted or not on every backend, so a placement can never be
/// read as two different objects. (Names are still always quoted in SQL.)
///
/// ```
/// assert!(tenantry::placement::check_name("schema", "tenant_acme").is_ok());
/// assert!(tenantry::placement::check_name("schema", "Acme").is_err());
/// assert!(tenantry::placement::check_name("schema", "pg_temp").is_err());
/// ```
pub fn check_name(what: &'static str, name: &str) -> Result<()> {
    let reason = if name.is_empty() {
        Some("it is empty")
    } else if name.len() > 63 {
        Some("it is longer than 63 bytes")
    } else if !name
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
    {
        Some("use lower-case letters, digits and `_` only")
    } else if name.as_bytes()[0].is_ascii_digit() {
        Some("it starts with a digit")
    } else if name.starts_with("pg_") || name == "information_schema" {
        Some("the name is reserved by the database")
    } else {
        None
    };
    match reason {
        None => Ok(()),
        Some(reason) => Err(Error::InvalidName {
            what,
            name: name.to_owned(),
            reason: reason.into(),
        }),
    }
}
