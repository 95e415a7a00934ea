//! [`TenantDatabase`]: the entry point, a SeaORM connection that only hands out scoped handles.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use sea_orm::{DatabaseConnection, DbErr, TransactionError, TransactionOptions, TransactionTrait};

use super::audited::Audited;
use super::closure::run;
use super::context::{TenantContext, validate_tenant};
use super::raw::RawTransaction;
use super::transaction::TenantTransaction;
use crate::error::Error;
use crate::registry::Registry;
use crate::rewrite::Rewriter;
use crate::sql::SettingName;
use crate::tenant::TenantId;

/// A SeaORM connection (pool) that runs statements only inside a tenant's transaction.
///
/// [`begin`](Self::begin) opens a transaction for one tenant; the returned
/// [`TenantTransaction`] implements SeaORM's `ConnectionTrait`, `TransactionTrait` and
/// `StreamTrait`, so every SeaORM API works on it unchanged — and scoped: each statement is
/// rewritten to carry the tenant's predicate and to fill the tenant column on insert, and on
/// PostgreSQL the transaction carries the tenant in `tenantry.tenant_id` for Row-Level
/// Security.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), sea_orm::DbErr> {
/// use sea_orm::{ConnectionTrait, Database, DbBackend, Statement};
/// use tenantry::{Registry, TenantDatabase};
///
/// let db = Database::connect("sqlite::memory:").await?;
/// db.execute_unprepared("CREATE TABLE notes (id integer primary key, tenant_id integer, body text)").await?;
/// let tdb = TenantDatabase::new(db).with_registry(Registry::new().table("notes", "tenant_id"));
///
/// let txn = tdb.begin(7_i64).await?;
/// txn.execute_raw(Statement::from_string(DbBackend::Sqlite,
///     "INSERT INTO notes (id, body) VALUES (1, 'mine')")).await?; // tenant_id filled with 7
/// let rows = txn.query_all_raw(Statement::from_string(DbBackend::Sqlite,
///     "SELECT body FROM notes")).await?;                       // WHERE notes.tenant_id = 7
/// assert_eq!(rows.len(), 1);
/// txn.commit().await?;
///
/// let other = tdb.begin(8_i64).await?;
/// let rows = other.query_all_raw(Statement::from_string(DbBackend::Sqlite,
///     "SELECT body FROM notes")).await?;
/// assert!(rows.is_empty(), "tenant 8 sees nothing of tenant 7");
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct TenantDatabase {
    inner: DatabaseConnection,
    rewriter: Arc<Rewriter>,
    admin: Option<DatabaseConnection>,
    setting: SettingName,
}

impl TenantDatabase {
    /// Wraps a connection; the scoped tables are those marked `#[derive(TenantScoped)]`
    /// ([`Registry::from_entities`]).
    pub fn new(db: DatabaseConnection) -> Self {
        Self {
            inner: db,
            rewriter: Arc::new(Rewriter::new(Registry::from_entities())),
            admin: None,
            setting: SettingName::default(),
        }
    }

    /// Replaces the registry of scoped tables (and starts a fresh plan cache).
    pub fn with_registry(mut self, registry: Registry) -> Self {
        self.rewriter = Arc::new(Rewriter::new(registry));
        self
    }

    /// Configures the connection used by [`unscoped`](Self::unscoped): give it its own role
    /// (e.g. one with `BYPASSRLS`), never the app role.
    pub fn with_admin(mut self, admin: DatabaseConnection) -> Self {
        self.admin = Some(admin);
        self
    }

    /// Sets the PostgreSQL setting that carries the tenant (default `tenantry.tenant_id`); it
    /// must be the one the RLS policies read
    /// ([`PolicyConfig::with_setting`](crate::policy::PolicyConfig::with_setting)).
    pub fn with_setting(mut self, setting: SettingName) -> Self {
        self.setting = setting;
        self
    }

    /// [`with_setting`](Self::with_setting) from a string, checked by [`SettingName::new`]:
    /// [`Error::InvalidSetting`] unless PostgreSQL accepts it as a custom setting.
    pub fn with_setting_name(self, name: &str) -> Result<Self, Error> {
        Ok(self.with_setting(SettingName::new(name)?))
    }

    /// Opens a transaction for `tenant`.
    ///
    /// On PostgreSQL the tenant is set transaction-locally (`SET LOCAL`): it lives exactly as
    /// long as the transaction, so a pooled connection never carries it further. With the
    /// `sqlx-postgres` feature (on by default) and a SeaORM sqlx pool, opening the
    /// transaction and setting the tenant is **one** round trip, like SeaORM's own `begin()`:
    /// `SET LOCAL <setting> = '<tenant>'; BEGIN …` as one simple query, the tenant rendered
    /// from its typed id. Otherwise it is SeaORM's `begin()` followed by
    /// `SELECT set_config(<setting>, <tenant>, true)`.
    ///
    /// On the one-round-trip path statements run on the pool's connection directly, so a
    /// metric callback set on the `DatabaseConnection` does not see them; the
    /// `tenantry.statement` tracing span does.
    pub async fn begin(&self, tenant: impl Into<TenantId>) -> Result<TenantTransaction, DbErr> {
        self.begin_with_options(tenant, TransactionOptions::default())
            .await
    }

    /// [`begin`](Self::begin) with an isolation level / access mode.
    pub async fn begin_with_options(
        &self,
        tenant: impl Into<TenantId>,
        options: TransactionOptions,
    ) -> Result<TenantTransaction, DbErr> {
        let tenant = tenant.into();
        validate_tenant(&tenant)?;
        let txn = self
            .begin_raw(
                &TenantContext::new(&tenant, &self.setting, &options),
                options,
            )
            .await?;
        Ok(TenantTransaction::new(
            txn,
            tenant,
            Arc::clone(&self.rewriter),
        ))
    }

    /// Opens the transaction under a tenant transaction, with its context installed.
    async fn begin_raw(
        &self,
        context: &TenantContext<'_>,
        options: TransactionOptions,
    ) -> Result<RawTransaction, DbErr> {
        #[cfg(feature = "sqlx-postgres")]
        if let sea_orm::DatabaseConnectionType::SqlxPostgresPoolConnection(_) = &self.inner.inner {
            let pool = self.inner.get_postgres_connection_pool();
            return super::postgres::PgTransaction::begin(pool, context)
                .await
                .map(RawTransaction::from);
        }
        let txn = self.inner.begin_with_options(options).await?;
        context.install(&txn).await?;
        Ok(RawTransaction::from(txn))
    }

    /// Runs `callback` in a transaction for `tenant`: committed when it returns `Ok`, rolled
    /// back when it returns `Err`.
    pub async fn transaction<F, T, E>(
        &self,
        tenant: impl Into<TenantId>,
        callback: F,
    ) -> Result<T, TransactionError<E>>
    where
        F: for<'c> FnOnce(
                &'c TenantTransaction,
            ) -> Pin<Box<dyn Future<Output = Result<T, E>> + Send + 'c>>
            + Send,
        T: Send,
        E: std::fmt::Display + std::fmt::Debug + Send,
    {
        let txn = self
            .begin(tenant)
            .await
            .map_err(TransactionError::Connection)?;
        run(txn, callback).await
    }

    /// A connection that does not rewrite, for cross-tenant work (admin, analytics).
    ///
    /// Needs [`with_admin`](Self::with_admin) and a non-empty `reason`; every statement it
    /// runs emits a `tracing` event with target `tenantry::audit` carrying the reason.
    pub fn unscoped(&self, reason: &str) -> Result<Audited<DatabaseConnection>, Error> {
        if reason.trim().is_empty() {
            return Err(Error::MissingReason);
        }
        let admin = self.admin.as_ref().ok_or(Error::AdminNotConfigured)?;
        Ok(Audited::new(admin.clone(), Arc::from(reason)))
    }

    /// The registry of scoped tables.
    pub fn registry(&self) -> &Registry {
        self.rewriter.registry()
    }

    /// The rewriter (and its plan-cache counters).
    pub fn rewriter(&self) -> &Rewriter {
        &self.rewriter
    }

    /// The name of the PostgreSQL tenant setting.
    pub fn setting_name(&self) -> &str {
        self.setting.as_str()
    }

    /// The wrapped connection. Statements run on it directly are **not** scoped.
    pub fn get_ref(&self) -> &DatabaseConnection {
        &self.inner
    }

    /// Unwraps the connection.
    pub fn into_inner(self) -> DatabaseConnection {
        self.inner
    }
}
