//! The database-side tenant context (PostgreSQL's transaction-local setting).

use sea_orm::{ConnectionTrait, DatabaseTransaction, DbBackend, DbErr, Statement};

use crate::error::Error;
use crate::tenant::TenantId;

/// The default name of the PostgreSQL setting that carries the tenant: `tenantry.tenant_id`.
pub const DEFAULT_SETTING: &str = "tenantry.tenant_id";

/// Checks a custom setting name: PostgreSQL custom settings are `prefix.name`, made of
/// identifier characters.
pub(crate) fn validate_setting(name: &str) -> Result<(), Error> {
    let ok = name.split_once('.').is_some_and(|(a, b)| {
        [a, b].iter().all(|part| {
            !part.is_empty()
                && part.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                && !part.starts_with(|c: char| c.is_ascii_digit())
        })
    });
    if ok {
        Ok(())
    } else {
        Err(Error::InvalidSetting {
            name: name.to_owned(),
        })
    }
}

/// Checks that a tenant id can be used at all.
pub(crate) fn validate_tenant(tenant: &TenantId) -> Result<(), Error> {
    let reason = match tenant {
        TenantId::Uuid(u) if u.is_nil() => "the nil UUID is never a tenant (an unset id?)",
        TenantId::String(s) if s.is_empty() => "an empty string is never a tenant",
        TenantId::String(s) if s.contains('\0') => "a tenant id cannot contain NUL",
        _ => return Ok(()),
    };
    Err(Error::InvalidTenant {
        tenant: tenant.to_string(),
        reason: reason.into(),
    })
}

/// Sets the tenant for the rest of the transaction (PostgreSQL; a no-op elsewhere, where the
/// app layer is the only layer).
pub(crate) async fn set_context(
    txn: &DatabaseTransaction,
    setting: &str,
    tenant: &TenantId,
) -> Result<(), DbErr> {
    if txn.get_database_backend() != DbBackend::Postgres {
        return Ok(());
    }
    let stmt = Statement::from_sql_and_values(
        DbBackend::Postgres,
        "SELECT set_config($1, $2, true)",
        [setting.into(), tenant.to_setting().into()],
    );
    txn.execute_raw(stmt).await.map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn setting_names() {
        assert!(validate_setting("tenantry.tenant_id").is_ok());
        assert!(validate_setting("app.org").is_ok());
        for bad in ["tenant_id", "a.", ".b", "a.b;drop", "a b.c", "1a.b", ""] {
            assert!(validate_setting(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn tenants() {
        assert!(validate_tenant(&TenantId::from(uuid::Uuid::nil())).is_err());
        assert!(validate_tenant(&TenantId::from("")).is_err());
        assert!(validate_tenant(&TenantId::from("acme")).is_ok());
        assert!(validate_tenant(&TenantId::from(0_i64)).is_ok());
    }
}
