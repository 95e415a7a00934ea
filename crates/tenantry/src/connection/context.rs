//! The database-side tenant context: what a tenant transaction carries on PostgreSQL, and the
//! statements that install it.
//!
//! A [`TenantContext`] is the one value the begin statement is built from: the tenant, the
//! setting that carries it, the schema search path of a schema placement and the
//! transaction's options. Whatever else a tenant transaction must establish before its first
//! statement (a lock that fences moves) belongs here as one more item of
//! [`TenantContext::settings`], so that it still travels in the same round trip as `BEGIN`.

use sea_orm::{
    AccessMode, ConnectionTrait, DatabaseTransaction, DbBackend, DbErr, IsolationLevel, Statement,
    TransactionOptions,
};

use crate::error::Error;
use crate::placement::{NO_USAGE, search_path_sql};
use crate::sql::{SettingName, quote_literal};
use crate::tenant::TenantId;

/// What a tenant transaction establishes on the database before its first statement.
#[derive(Clone, Copy, Debug)]
pub(crate) struct TenantContext<'a> {
    /// The tenant.
    pub(crate) tenant: &'a TenantId,
    /// The setting the RLS policies read.
    pub(crate) setting: &'a SettingName,
    /// The schema search path (a schema placement: its schema, then the shared one).
    pub(crate) search_path: Option<&'a [String]>,
    /// Isolation level for `BEGIN` (SeaORM's own `BEGIN` takes it from the options
    /// without the one-round-trip path).
    #[cfg_attr(not(feature = "sqlx-postgres"), allow(dead_code))]
    pub(crate) isolation_level: Option<IsolationLevel>,
    /// Access mode for `BEGIN`.
    #[cfg_attr(not(feature = "sqlx-postgres"), allow(dead_code))]
    pub(crate) access_mode: Option<AccessMode>,
    /// The fence check of a tenant transaction that follows a directory.
    pub(crate) fence: Option<FenceCheck<'a>>,
}

/// Which fence a tenant transaction checks: the fence function in `schema`, for the tenant in
/// `placement` (see [`crate::placement::fence`]).
#[derive(Clone, Copy, Debug)]
pub(crate) struct FenceCheck<'a> {
    /// The database's shared schema, where the fence function is.
    pub(crate) schema: &'a str,
    /// The placement the transaction believes the tenant is in (`shared`, `schema:NAME`,
    /// `database:SERVER/DB`).
    pub(crate) placement: &'a str,
}

impl<'a> TenantContext<'a> {
    pub(crate) fn new(
        tenant: &'a TenantId,
        setting: &'a SettingName,
        options: &TransactionOptions,
    ) -> Self {
        Self {
            tenant,
            setting,
            search_path: None,
            isolation_level: options.isolation_level,
            access_mode: options.access_mode,
            fence: None,
        }
    }

    #[cfg(any(feature = "sqlx-postgres", test))]
    /// The transaction-local settings, as `SET LOCAL` statements, in the order they run.
    ///
    /// The tenant is rendered from its typed id, never from user text; the setting is a
    /// checked `prefix.name` that needs no quoting.
    pub(crate) fn settings(&self) -> Vec<String> {
        let mut settings = vec![format!(
            "SET LOCAL {} = {}",
            self.setting,
            quote_literal(&self.tenant.to_setting())
        )];
        if let Some(path) = self.search_path {
            settings.push(format!("SET LOCAL search_path = {}", search_path_sql(path)));
        }
        settings
    }

    #[cfg(any(feature = "sqlx-postgres", test))]
    /// Checks run right after `BEGIN`, in the same simple query: a schema placement's schema
    /// must exist (PostgreSQL accepts a search path naming a missing schema and then resolves
    /// names in the next one). After `BEGIN`, since a query takes a snapshot and an isolation
    /// level must come first; if a check fails, the connection (inside the failed
    /// transaction) is closed rather than pooled.
    ///
    /// The fence check comes first: it may wait for a move's fence, and under `REPEATABLE
    /// READ` the first query takes the transaction's snapshot.
    pub(crate) fn checks(&self) -> Vec<String> {
        let mut checks = Vec::new();
        if let Some(fence) = self.fence {
            checks.push(crate::placement::fence::check_sql(
                fence.schema,
                self.tenant,
                fence.placement,
            ));
        }
        if let Some(schema) = self.search_path.and_then(|path| path.first()) {
            checks.push(schema_check(schema));
        }
        checks
    }

    #[cfg(any(feature = "sqlx-postgres", test))]
    /// The one simple query that installs the context and opens the transaction.
    ///
    /// The `SET LOCAL`s come first: in one simple query the statements before `BEGIN` run in
    /// an implicit transaction block that `BEGIN` adopts, so each setting lives exactly as
    /// long as the transaction; if one fails, `BEGIN` never runs and the connection stays idle
    /// (`BEGIN; SELECT set_config(…)` would leave an aborted transaction behind). `SET` takes
    /// no snapshot, so an isolation level can still follow.
    pub(crate) fn begin_statement(&self) -> String {
        let mut sql = self.settings().join("; ");
        sql.push_str("; BEGIN");
        if let Some(level) = self.isolation_level {
            sql.push_str(" ISOLATION LEVEL ");
            sql.push_str(&level.to_string());
        }
        if let Some(mode) = self.access_mode {
            sql.push(' ');
            sql.push_str(&mode.to_string());
        }
        for check in self.checks() {
            sql.push_str("; ");
            sql.push_str(&check);
        }
        sql
    }

    /// Installs the context in a transaction SeaORM opened (one more round trip; PostgreSQL
    /// only, a no-op elsewhere, where the app layer is the only layer).
    pub(crate) async fn install(&self, txn: &DatabaseTransaction) -> Result<(), DbErr> {
        if txn.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        let mut values = vec![
            self.setting.as_str().into(),
            self.tenant.to_setting().into(),
        ];
        let sql = match self.search_path {
            None => "SELECT set_config($1, $2, true)".to_owned(),
            Some(path) => {
                values.push(search_path_sql(path).into());
                let check = path.first().map(|s| format!(", {}", schema_usable(s)));
                format!(
                    "SELECT set_config($1, $2, true), set_config('search_path', $3, true){}",
                    check.unwrap_or_default()
                )
            }
        };
        // The fence first: under `REPEATABLE READ` the first query takes the snapshot.
        if let Some(fence) = self.fence {
            let check =
                crate::placement::fence::check_sql(fence.schema, self.tenant, fence.placement);
            txn.execute_unprepared(&check).await?;
        }
        let stmt = Statement::from_sql_and_values(DbBackend::Postgres, sql, values);
        txn.execute_raw(stmt).await.map(|_| ())
    }
}

/// An expression that is `NULL` when the current role may use `schema`. It fails with
/// PostgreSQL's `invalid_schema_name` (`3F000`) when the schema does not exist, and with
/// `undefined_table` (`42P01`) for a relation named `NO_USAGE<schema>` when the role has
/// no `USAGE` on it: PostgreSQL leaves such a schema out of the search path without a word,
/// so the transaction's names would resolve in the shared schema.
///
/// The `ELSE` arm is a cast of text to `regclass`, which is only stable, so the planner never
/// evaluates it ahead of the `WHEN`.
fn schema_usable(schema: &str) -> String {
    format!(
        "CASE WHEN pg_catalog.has_schema_privilege({}::regnamespace, 'USAGE') THEN NULL \
         ELSE {}::text::regclass END",
        quote_literal(&crate::sql::quote_ident(schema)),
        quote_literal(&crate::sql::quote_ident(&format!("{NO_USAGE}{schema}")))
    )
}

#[cfg(any(feature = "sqlx-postgres", test))]
/// A statement that fails unless `schema` exists and the current role may use it (see
/// [`schema_usable`]).
fn schema_check(schema: &str) -> String {
    format!("SELECT {}", schema_usable(schema))
}

/// Checks that a tenant id can be used at all.
pub(crate) fn validate_tenant(tenant: &TenantId) -> Result<(), Error> {
    match tenant.invalid_reason() {
        None => Ok(()),
        Some(reason) => Err(Error::InvalidTenant {
            tenant: tenant.to_string(),
            reason: reason.into(),
        }),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn tenants() {
        assert!(validate_tenant(&TenantId::from(uuid::Uuid::nil())).is_err());
        assert!(validate_tenant(&TenantId::from("")).is_err());
        assert!(validate_tenant(&TenantId::from("acme")).is_ok());
        assert!(validate_tenant(&TenantId::from(0_i64)).is_ok());
    }

    fn begin_statement(
        setting: &str,
        tenant: &TenantId,
        isolation_level: Option<IsolationLevel>,
        access_mode: Option<AccessMode>,
    ) -> String {
        let setting = SettingName::new(setting).unwrap();
        TenantContext {
            tenant,
            setting: &setting,
            search_path: None,
            isolation_level,
            access_mode,
            fence: None,
        }
        .begin_statement()
    }

    #[test]
    fn schema_placement_sets_the_search_path_in_the_same_query() {
        let setting = SettingName::default();
        let tenant = TenantId::from(7_i64);
        let path = ["tenant_7".to_owned(), "public".to_owned()];
        let context = TenantContext {
            search_path: Some(&path),
            ..TenantContext::new(&tenant, &setting, &TransactionOptions::default())
        };
        assert_eq!(
            context.begin_statement(),
            "SET LOCAL tenantry.tenant_id = '7'; SET LOCAL search_path = \"tenant_7\", \"public\"; \
             BEGIN; SELECT CASE WHEN pg_catalog.has_schema_privilege('\"tenant_7\"'::regnamespace, 'USAGE') \
             THEN NULL ELSE '\"tenantry: no USAGE on schema tenant_7\"'::text::regclass END"
        );
    }

    #[test]
    fn a_placed_transaction_checks_the_fence_first() {
        let setting = SettingName::default();
        let tenant = TenantId::from(7_i64);
        let path = ["tenant_7".to_owned(), "public".to_owned()];
        let context = TenantContext {
            search_path: Some(&path),
            fence: Some(FenceCheck {
                schema: "public",
                placement: "schema:tenant_7",
            }),
            ..TenantContext::new(&tenant, &setting, &TransactionOptions::default())
        };
        assert_eq!(
            context.begin_statement(),
            "SET LOCAL tenantry.tenant_id = '7'; SET LOCAL search_path = \"tenant_7\", \"public\"; \
             BEGIN; SELECT \"public\".\"tenantry_fence\"('7', 'schema:tenant_7'); \
             SELECT CASE WHEN pg_catalog.has_schema_privilege('\"tenant_7\"'::regnamespace, 'USAGE') \
             THEN NULL ELSE '\"tenantry: no USAGE on schema tenant_7\"'::text::regclass END"
        );
    }

    #[test]
    fn begin_statements() {
        let uuid = TenantId::from(uuid::Uuid::from_u128(1));
        let quoted = TenantId::from("o'k\\");
        insta::assert_snapshot!(
            [
                begin_statement("tenantry.tenant_id", &uuid, None, None),
                begin_statement("tenantry.tenant_id", &TenantId::from(42_i64), None, None),
                begin_statement("app.org", &quoted, None, None),
                begin_statement(
                    "tenantry.tenant_id",
                    &uuid,
                    Some(IsolationLevel::Serializable),
                    Some(AccessMode::ReadOnly)
                ),
                begin_statement(
                    "tenantry.tenant_id",
                    &uuid,
                    Some(IsolationLevel::RepeatableRead),
                    None
                ),
                begin_statement(
                    "tenantry.tenant_id",
                    &uuid,
                    None,
                    Some(AccessMode::ReadWrite)
                ),
            ]
            .join("\n")
        );
    }
}
