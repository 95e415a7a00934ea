//! [`TenantDatabase`]: the entry point, a SeaORM connection that only hands out scoped handles.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use sea_orm::{
    AccessMode, ConnAcquireErr, DatabaseConnection, DbErr, TransactionError, TransactionOptions,
    TransactionTrait,
};

use super::audited::Audited;
use super::closure::run;
use super::context::{FenceCheck, TenantContext, validate_tenant};
use super::raw::RawTransaction;
use super::transaction::TenantTransaction;
use crate::error::Error;
use crate::placement::{
    Directory, Placement, PoolStats, Route, Router, RouterConfig, Servers, TenantRecord,
    TenantState, fenced, missing_schema, unreachable,
};
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
    router: Option<Arc<Router>>,
    placements: RouterConfig,
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
            router: None,
            placements: RouterConfig::default(),
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

    /// Makes `begin` follow `directory`: each tenant's transaction opens where its
    /// [`Placement`] says its rows are, and only in a state that serves it.
    ///
    /// - `Shared`: on the wrapped connection, as without a directory.
    /// - `Schema { schema }`: on the wrapped connection, with `search_path` set to the schema
    ///   and then the shared schema ([`with_shared_schema`](Self::with_shared_schema)),
    ///   transaction-locally, in the same round trip as the tenant.
    /// - `Database { server, database }`: on a pool of that database on the named server
    ///   (`servers`), opened on first use, closed when idle and room is needed
    ///   ([`with_pool_limits`](Self::with_pool_limits)).
    ///
    /// A tenant the directory does not know is [`Error::UnknownTenant`]; `provisioning`,
    /// `suspended` and `deleted` tenants are [`Error::TenantUnavailable`]; a `read_only`
    /// tenant gets read-only transactions. Lookups are cached
    /// ([`with_directory_cache`](Self::with_directory_cache)); a hit costs no round trip.
    pub fn with_directory(mut self, directory: Arc<dyn Directory>, servers: Servers) -> Self {
        self.router = Some(Arc::new(Router::new(directory, servers, &self.placements)));
        self
    }

    /// Rebuilds the router with changed settings (its cache and pools start empty).
    fn reconfigure(mut self) -> Self {
        if let Some(router) = self.router.take() {
            let servers = router.servers().clone();
            let directory = Arc::clone(router.directory());
            self.router = Some(Arc::new(Router::new(directory, servers, &self.placements)));
        }
        self
    }

    /// How many directory lookups are kept (default 10,000) and for how long (default 30 s):
    /// a placement or state change reaches a process at the latest after `ttl`, or at once
    /// with [`invalidate`](Self::invalidate).
    pub fn with_directory_cache(mut self, capacity: usize, ttl: std::time::Duration) -> Self {
        self.placements.cache_capacity = capacity;
        self.placements.cache_ttl = ttl;
        self.reconfigure()
    }

    /// The cap on open tenant database pools (default 64) and on the connections they may
    /// hold together (default 256): opening one more closes the least recently used idle
    /// pool, and fails with [`Error::ConnectionBudget`] when none is idle.
    pub fn with_pool_limits(mut self, max_pools: usize, connection_budget: u32) -> Self {
        self.placements.max_pools = max_pools;
        self.placements.connection_budget = connection_budget;
        self.reconfigure()
    }

    /// The schema behind a tenant schema on the search path (default `public`): where
    /// reference data and the shared tables are.
    pub fn with_shared_schema(mut self, schema: &str) -> Result<Self, Error> {
        crate::placement::check_name("schema", schema)?;
        self.placements.shared_schema = schema.to_owned();
        Ok(self.reconfigure())
    }

    /// Stops tenant transactions from checking the fence of moves (see
    /// [`placement::fence`](crate::placement::fence)): for databases without tenantry's fence
    /// function. A process built this way can write for a tenant on the placement it left
    /// after a move, until its directory cache expires — never use it while tenants move.
    pub fn without_fences(mut self) -> Self {
        self.placements.fences = false;
        self.reconfigure()
    }

    /// Where `tenant`'s rows live (`Shared` without a directory).
    pub async fn placement(&self, tenant: impl Into<TenantId>) -> Result<Placement, Error> {
        match &self.router {
            None => Ok(Placement::Shared),
            Some(router) => Ok(router.record(&tenant.into()).await?.placement),
        }
    }

    /// The directory entry of `tenant` (through the cache): its placement and state — what a
    /// request layer checks before serving it. Without a directory every tenant is `shared`
    /// and `active`. Fails with [`Error::UnknownTenant`] when the directory has no entry.
    pub async fn tenant_record(&self, tenant: impl Into<TenantId>) -> Result<TenantRecord, Error> {
        let tenant = tenant.into();
        match &self.router {
            None => Ok(TenantRecord::new(
                tenant,
                Placement::Shared,
                TenantState::Active,
            )),
            Some(router) => router.record(&tenant).await,
        }
    }

    /// Forgets the cached directory entry of `tenant` (after changing it).
    pub fn invalidate(&self, tenant: impl Into<TenantId>) {
        if let Some(router) = &self.router {
            router.invalidate(&tenant.into());
        }
    }

    /// Forgets every cached directory entry.
    pub fn invalidate_all(&self) {
        if let Some(router) = &self.router {
            router.invalidate_all();
        }
    }

    /// The tenant database pools: how many, what they may hold, the limits.
    pub fn pool_stats(&self) -> Option<PoolStats> {
        self.router.as_ref().map(|r| r.pool_stats())
    }

    /// Directory lookups served from the cache and from the directory, so far.
    pub fn directory_cache_counts(&self) -> Option<(u64, u64)> {
        self.router.as_ref().map(|r| r.cache_counts())
    }

    /// The directory, if `begin` follows one.
    pub fn directory(&self) -> Option<&Arc<dyn Directory>> {
        self.router.as_ref().map(|r| r.directory())
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
        let Some(router) = &self.router else {
            let context = TenantContext::new(&tenant, &self.setting, &options);
            let txn = self.begin_raw(&self.inner, &context, options).await?;
            return Ok(TenantTransaction::new(
                txn,
                tenant,
                Arc::clone(&self.rewriter),
                None,
            ));
        };
        let mut options = options;
        let record = router.record(&tenant).await?;
        Router::check_state(&record)?;
        if record.state == TenantState::ReadOnly {
            options.access_mode = Some(AccessMode::ReadOnly);
        }
        let placement = Arc::new(record.placement);
        let route = router.route(&placement).await.map_err(|e| match e {
            Error::PlacementMissing {
                placement, message, ..
            } => Error::PlacementMissing {
                tenant: tenant.to_string(),
                placement,
                message,
            },
            other => other,
        })?;
        let key = placement.to_string();
        let fence = self.placements.fences.then_some(FenceCheck {
            schema: &self.placements.shared_schema,
            placement: &key,
        });
        let txn = match route {
            Route::Control { search_path } => {
                let context = TenantContext {
                    search_path: search_path.as_deref(),
                    fence,
                    ..TenantContext::new(&tenant, &self.setting, &options)
                };
                self.begin_raw(&self.inner, &context, options)
                    .await
                    .map_err(|e| fenced(router, &tenant, &placement, e))
                    .map_err(|e| missing_schema(&tenant, &placement, e))?
            }
            Route::Pool {
                conn,
                server,
                database,
            } => {
                let context = TenantContext {
                    fence,
                    ..TenantContext::new(&tenant, &self.setting, &options)
                };
                match self.begin_raw(&conn, &context, options).await {
                    // The pool was closed to make room between the lookup and the acquire:
                    // once more, on a pool opened for it.
                    Err(DbErr::ConnectionAcquire(ConnAcquireErr::ConnectionClosed)) => {
                        let Route::Pool { conn, .. } = router.route(&placement).await? else {
                            unreachable!("a database placement routes to a pool");
                        };
                        self.begin_raw(&conn, &context, options).await
                    }
                    other => other,
                }
                .map_err(|e| fenced(router, &tenant, &placement, e))
                .map_err(|e| unreachable(&server, &database, e))?
            }
        };
        Ok(TenantTransaction::new(
            txn,
            tenant,
            Arc::clone(&self.rewriter),
            Some(placement),
        ))
    }

    /// Opens the transaction under a tenant transaction, with its context installed.
    async fn begin_raw(
        &self,
        conn: &DatabaseConnection,
        context: &TenantContext<'_>,
        options: TransactionOptions,
    ) -> Result<RawTransaction, DbErr> {
        #[cfg(feature = "sqlx-postgres")]
        if let sea_orm::DatabaseConnectionType::SqlxPostgresPoolConnection(_) = &conn.inner {
            let pool = conn.get_postgres_connection_pool();
            return super::postgres::PgTransaction::begin(pool, context)
                .await
                .map(RawTransaction::from);
        }
        if context.search_path.is_some()
            && conn.get_database_backend() != sea_orm::DbBackend::Postgres
        {
            return Err(Error::PlacementUnsupported {
                placement: "schema".into(),
                backend: format!("{:?}", conn.get_database_backend()),
            }
            .into());
        }
        let txn = conn.begin_with_options(options).await?;
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
