//! The migration helpers' error type.

use sea_orm_migration::sea_orm::DbErr;

/// Everything a [`TenantMigrationExt`](crate::TenantMigrationExt) helper can fail with.
///
/// Inside a migration's `up`/`down` (which return SeaORM's `DbErr`), `?` converts it: a
/// database error stays the `DbErr` it was, anything else becomes `DbErr::Migration` with
/// this error's message.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The table the helper was given does not exist.
    #[error("table `{table}` does not exist")]
    TableNotFound {
        /// The table, as given.
        table: String,
    },
    /// The table has no column of that name.
    #[error("table `{table}` has no column `{column}`; add the tenant column first")]
    ColumnNotFound {
        /// The table.
        table: String,
        /// The column.
        column: String,
    },
    /// A table reference that is not a table name (a subquery, a function call…).
    #[error("expected a table name, not a subquery or function")]
    NotATable,
    /// The backend cannot do what the helper was asked for.
    #[error("{backend} cannot {what}: {hint}")]
    Unsupported {
        /// The backend (`MySQL`, `SQLite`).
        backend: &'static str,
        /// What it cannot do.
        what: String,
        /// What to do instead.
        hint: String,
    },
    /// Dropping or erasing a tenant needs a reason (it is logged to `tenantry::audit`).
    #[error(
        "dropping or erasing a tenant needs a non-empty reason; it is written to the \
         `tenantry::audit` log"
    )]
    MissingReason,
    /// The tenant is in use.
    #[error("tenant `{tenant}` is in use: {why}")]
    TenantInUse {
        /// The tenant.
        tenant: String,
        /// Why it counts as in use, and what to do.
        why: String,
    },
    /// A migration target listed by the directory is gone: its schema does not exist.
    #[error(
        "migration target `{target}` does not exist: its tenant was dropped or moved after the \
         run listed it, or the schema was removed by hand"
    )]
    TargetMissing {
        /// The target (`schema:NAME`).
        target: String,
    },
    /// A move cannot start, go on, or be undone.
    #[error("cannot move: {why}")]
    MoveRefused {
        /// Why, and what to do.
        why: String,
    },
    /// An export cannot be made.
    #[error("cannot export: {why}")]
    ExportRefused {
        /// Why, and what to do.
        why: String,
    },
    /// An export cannot be imported; nothing of it was kept.
    #[error("cannot import: {why}")]
    ImportRefused {
        /// Why, and what to do.
        why: String,
    },
    /// An erase did not leave the tenant without rows.
    #[error("tenant `{tenant}` is not erased: {why}")]
    EraseIncomplete {
        /// The tenant.
        tenant: String,
        /// What remains.
        why: String,
    },
    /// Reading or writing a file failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or directory.
        path: std::path::PathBuf,
        /// The error.
        source: std::io::Error,
    },
    /// tenantry refused to generate the DDL or to read the catalogue.
    #[error(transparent)]
    Tenantry(#[from] tenantry::Error),
    /// A database error.
    #[error(transparent)]
    Db(#[from] DbErr),
}

impl From<Error> for DbErr {
    fn from(err: Error) -> Self {
        match err {
            Error::Db(db) => db,
            Error::Tenantry(tenantry::Error::Db(db)) => db,
            other => DbErr::Migration(format!("tenantry: {other}")),
        }
    }
}

/// `Result` with the migration helpers' [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
