//! tenantry's error type.

use std::sync::Arc;

use sea_orm::DbErr;

use crate::tenant::{TenantId, TenantIdType};

/// Everything tenantry can refuse or fail with.
///
/// SeaORM's traits return [`DbErr`]; a tenantry error travels inside one (see
/// [`Error::from_db_err`] to get it back).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The SQL could not be parsed, so it cannot be proven scoped.
    #[error(
        "refused to run SQL that could not be parsed ({message}); tenantry only runs statements it can scope: {sql}"
    )]
    Parse {
        /// The parser's message.
        message: String,
        /// The statement, as received.
        sql: String,
    },
    /// The statement kind is never allowed through a tenant connection.
    #[error("refused {what}: {reason}")]
    Forbidden {
        /// What was refused (e.g. `SET`, `DDL (CREATE TABLE)`).
        what: String,
        /// Why.
        reason: String,
    },
    /// A scoped table is used in a way tenantry cannot prove scoped.
    #[error("refused statement on scoped table `{table}`: {reason}")]
    Unprovable {
        /// The table.
        table: String,
        /// Why it cannot be scoped.
        reason: String,
    },
    /// A write names a tenant other than the current one.
    #[error(
        "cross-tenant write refused: `{table}.{column}` set to {found} while the current tenant is {tenant}; drop the column from the write (tenantry fills it) or use the current tenant"
    )]
    CrossTenantWrite {
        /// The table written.
        table: String,
        /// Its tenant column.
        column: String,
        /// The current tenant.
        tenant: TenantId,
        /// What the statement tried to write (rendered).
        found: String,
    },
    /// The tenant id's type differs from the tenant column's type.
    #[error(
        "tenant {tenant} is a {found} but `{table}.{column}` holds {expected} ids; pass a TenantId of type {expected}"
    )]
    TenantTypeMismatch {
        /// The table.
        table: String,
        /// Its tenant column.
        column: String,
        /// The column's id type.
        expected: TenantIdType,
        /// The given id's type.
        found: TenantIdType,
        /// The given tenant.
        tenant: TenantId,
    },
    /// A tenant id is not acceptable (empty string, nil UUID…).
    #[error("invalid tenant id `{tenant}`: {reason}")]
    InvalidTenant {
        /// The id.
        tenant: String,
        /// Why it is refused.
        reason: String,
    },
    /// A tenant setting name that PostgreSQL would not accept as a custom setting.
    #[error(
        "invalid tenant setting name `{name}`: use `prefix.name` with letters, digits and `_`, the name the RLS policies read"
    )]
    InvalidSetting {
        /// The name given.
        name: String,
    },
    /// `unscoped` was called without a reason.
    #[error("unscoped access needs a non-empty reason; it is written to the `tenantry::audit` log")]
    MissingReason,
    /// `unscoped` was called on a `TenantDatabase` built without `with_admin`.
    #[error(
        "unscoped access is not configured; build the TenantDatabase with `.with_admin(admin_connection)` (a separate role)"
    )]
    AdminNotConfigured,
    /// The statement's placeholders do not match its values.
    #[error("statement has {placeholders} placeholders but {values} values")]
    ValueCount {
        /// Placeholders in the SQL.
        placeholders: usize,
        /// Values bound.
        values: usize,
    },
    /// A name or type given for generated DDL is not acceptable.
    #[error(
        "refused to generate DDL with {what} `{value}`; use a plain type name such as `uuid` or `bigint`"
    )]
    InvalidDdl {
        /// What was given (e.g. `tenant column type`).
        what: String,
        /// The value.
        value: String,
    },
    /// The operation needs a database backend it does not support.
    #[error(
        "{what} is not supported on {backend}; tenantry knows PostgreSQL, MySQL/MariaDB and SQLite"
    )]
    UnsupportedBackend {
        /// What was asked for.
        what: String,
        /// The backend.
        backend: String,
    },
    /// A placement written as text does not read as one.
    #[error("invalid placement `{placement}`: {reason}")]
    InvalidPlacement {
        /// The text.
        placement: String,
        /// Why.
        reason: String,
    },
    /// A schema, database or server name a placement cannot use.
    #[error("invalid {what} name `{name}`: {reason}")]
    InvalidName {
        /// `schema`, `database` or `server`.
        what: &'static str,
        /// The name.
        name: String,
        /// Why.
        reason: String,
    },
    /// Work that needs a tenant ran in a task that has none ([`crate::task`]).
    #[error(
        "no tenant in this task: run it with `tenantry::task::scope` or `spawn_for` (a spawned task never inherits one)"
    )]
    NoTenantContext,
    /// The directory does not know the tenant.
    #[error(
        "unknown tenant `{tenant}`: the directory has no entry for it; create it first (`tenants create`)"
    )]
    UnknownTenant {
        /// The tenant.
        tenant: String,
    },
    /// The directory already has the tenant.
    #[error("tenant `{tenant}` already exists in the directory")]
    TenantExists {
        /// The tenant.
        tenant: String,
    },
    /// The tenant's state does not let it be served.
    #[error("tenant `{tenant}` is {state}: {hint}")]
    TenantUnavailable {
        /// The tenant.
        tenant: String,
        /// Its state (`provisioning`, `suspended`, `deleted`).
        state: String,
        /// What to do.
        hint: String,
    },
    /// The tenant's placement changed since it was read.
    #[error(
        "the placement of tenant `{tenant}` changed meanwhile (version {found}, expected {expected}); read it again"
    )]
    StalePlacement {
        /// The tenant.
        tenant: String,
        /// The version the change expected.
        expected: i64,
        /// The version found.
        found: i64,
    },
    /// A placement names a server that is not configured.
    #[error("unknown server `{server}` (configured: {}); add it in code or to TENANTRY_SERVERS", if known.is_empty() { "none".to_owned() } else { known.join(", ") })]
    UnknownServer {
        /// The server.
        server: String,
        /// The servers configured.
        known: Vec<String>,
    },
    /// A server's configuration is not usable.
    #[error("server `{server}` is misconfigured: {reason}")]
    InvalidServer {
        /// The server.
        server: String,
        /// Why.
        reason: String,
    },
    /// A tenant database could not be reached.
    #[error(
        "server `{server}` is unavailable for database `{database}`: {message}; only tenants placed there are affected, retry when it is back"
    )]
    ServerUnavailable {
        /// The server.
        server: String,
        /// The tenant database.
        database: String,
        /// The driver's error.
        message: String,
    },
    /// The directory places the tenant in a schema or database that does not exist.
    #[error(
        "tenant {tenant} is placed in {placement}, which does not exist ({message}); provision it, or fix its directory entry"
    )]
    PlacementMissing {
        /// The tenant.
        tenant: String,
        /// Its placement.
        placement: String,
        /// The database's error.
        message: String,
    },
    /// The tenant is being moved: its transactions on the old placement are fenced for the
    /// moment the move copies its last writes and flips the directory. Retry.
    #[error(
        "tenant `{tenant}` is being moved and its writes are fenced for a moment; retry the transaction"
    )]
    TenantMoving {
        /// The tenant.
        tenant: String,
    },
    /// The tenant no longer lives in the placement this process had cached: it was moved.
    /// The cached entry is dropped; retry, and the transaction follows the directory.
    #[error(
        "tenant `{tenant}` no longer lives in {placement} (it was moved); retry the transaction"
    )]
    PlacementChanged {
        /// The tenant.
        tenant: String,
        /// The placement it left.
        placement: String,
    },
    /// The database of a placement has no fence function: it was created without tenantry's
    /// directory migration or provisioning.
    #[error(
        "the database of {placement} has no fence function ({message}); run the directory migration on the control database, or provision tenant databases with tenantry_migration::Provisioner (or disable fences with TenantDatabase::without_fences)"
    )]
    FenceMissing {
        /// The placement.
        placement: String,
        /// The database's error.
        message: String,
    },
    /// The role of the connection has no `USAGE` on the schema the tenant is placed in.
    /// PostgreSQL would leave the schema out of the search path and resolve the tenant's
    /// tables in the shared schema; tenantry refuses instead.
    #[error(
        "tenant `{tenant}` is placed in {placement}, but the connection's role has no USAGE on that schema; grant it (provisioning with an app role does), or the tenant's statements would reach the shared tables"
    )]
    PlacementNotUsable {
        /// The tenant.
        tenant: String,
        /// Its placement.
        placement: String,
    },
    /// No room for one more tenant database pool: every open pool is in use.
    #[error(
        "no room for another tenant database pool: {pools} of {max_pools} pools open, {connections} of {budget} connections budgeted, none idle; retry, or raise the limits"
    )]
    ConnectionBudget {
        /// Open pools.
        pools: usize,
        /// The cap on pools.
        max_pools: usize,
        /// Connections the open pools may hold.
        connections: u32,
        /// The connection budget.
        budget: u32,
    },
    /// The directory holds something tenantry cannot read, or failed.
    #[error("tenant directory: {message}")]
    Directory {
        /// What went wrong.
        message: String,
    },
    /// A placement this backend does not support.
    #[error("{placement} placements are not supported on {backend}")]
    PlacementUnsupported {
        /// The placement kind.
        placement: String,
        /// The backend.
        backend: String,
    },
    /// A database error.
    #[error(transparent)]
    Db(#[from] DbErr),
}

/// What to do with a statement a tenant handle refuses but an admin may run.
pub(crate) const UNSCOPED_HINT: &str =
    "; run it through `TenantDatabase::unscoped(reason)` or a migration instead";

/// The `from` marker of the [`DbErr::TryIntoErr`] that carries a tenantry error.
const CARRIER: &str = "SQL statement";

impl Error {
    /// Finds the tenantry error inside a [`DbErr`] returned by a SeaORM call on a tenant
    /// connection, if that is what it is.
    ///
    /// ```
    /// # use tenantry::Error;
    /// let db_err: sea_orm::DbErr = Error::MissingReason.into();
    /// assert!(matches!(Error::from_db_err(&db_err), Some(Error::MissingReason)));
    /// ```
    pub fn from_db_err(err: &DbErr) -> Option<&Error> {
        match err {
            DbErr::TryIntoErr { from, source, .. } if *from == CARRIER => {
                source.downcast_ref::<Error>()
            }
            _ => None,
        }
    }
}

impl From<Error> for DbErr {
    fn from(err: Error) -> Self {
        match err {
            Error::Db(db) => db,
            other => DbErr::TryIntoErr {
                from: CARRIER,
                into: "tenant-scoped statement (tenantry)",
                source: Arc::new(other),
            },
        }
    }
}

/// `Result` with tenantry's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The SQLSTATE of a PostgreSQL error, when that is what `err` is.
pub(crate) fn sqlstate(err: &DbErr) -> Option<String> {
    #[cfg(feature = "sqlx-postgres")]
    {
        use sea_orm::RuntimeErr;
        let runtime = match err {
            DbErr::Conn(r) | DbErr::Exec(r) | DbErr::Query(r) => r,
            _ => return None,
        };
        if let RuntimeErr::SqlxError(e) = runtime {
            return e
                .as_database_error()
                .and_then(|d| d.code())
                .map(|c| c.into_owned());
        }
        None
    }
    #[cfg(not(feature = "sqlx-postgres"))]
    {
        let _ = err;
        None
    }
}
