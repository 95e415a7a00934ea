//! [`RawTransaction`]: the transaction under a [`TenantTransaction`](super::TenantTransaction),
//! either SeaORM's own or, on PostgreSQL, one opened with the tenant in a single round trip.

use std::future::Future;
use std::pin::Pin;

use sea_orm::{
    AccessMode, ConnectionTrait, DatabaseTransaction, DbBackend, DbErr, ExecResult, IsolationLevel,
    QueryResult, Statement, StreamTrait, TransactionOptions, TransactionTrait,
};

#[cfg(feature = "sqlx-postgres")]
use super::postgres::PgTransaction;
use super::stream::RowStream;

/// The transaction under a [`TenantTransaction`](super::TenantTransaction)
/// ([`get_ref`](super::TenantTransaction::get_ref)): statements run on it directly are
/// **not** rewritten. On PostgreSQL the tenant setting is still in force, so Row-Level
/// Security still applies.
pub struct RawTransaction {
    inner: Inner,
}

enum Inner {
    SeaOrm(DatabaseTransaction),
    #[cfg(feature = "sqlx-postgres")]
    Postgres(PgTransaction),
}

impl std::fmt::Debug for RawTransaction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind = match &self.inner {
            Inner::SeaOrm(_) => "SeaORM",
            #[cfg(feature = "sqlx-postgres")]
            Inner::Postgres(_) => "PostgreSQL (one-round-trip begin)",
        };
        f.debug_tuple("RawTransaction").field(&kind).finish()
    }
}

impl From<DatabaseTransaction> for RawTransaction {
    fn from(txn: DatabaseTransaction) -> Self {
        Self {
            inner: Inner::SeaOrm(txn),
        }
    }
}

#[cfg(feature = "sqlx-postgres")]
impl From<PgTransaction> for RawTransaction {
    fn from(txn: PgTransaction) -> Self {
        Self {
            inner: Inner::Postgres(txn),
        }
    }
}

impl RawTransaction {
    /// Commits (releases the savepoint of a nested transaction).
    pub async fn commit(self) -> Result<(), DbErr> {
        match self.inner {
            Inner::SeaOrm(txn) => txn.commit().await,
            #[cfg(feature = "sqlx-postgres")]
            Inner::Postgres(txn) => txn.commit().await,
        }
    }

    /// Rolls back (to the savepoint, for a nested transaction).
    pub async fn rollback(self) -> Result<(), DbErr> {
        match self.inner {
            Inner::SeaOrm(txn) => txn.rollback().await,
            #[cfg(feature = "sqlx-postgres")]
            Inner::Postgres(txn) => txn.rollback().await,
        }
    }

    /// A nested transaction (a savepoint).
    pub(super) async fn nested(&self, options: TransactionOptions) -> Result<Self, DbErr> {
        match &self.inner {
            Inner::SeaOrm(txn) => txn.begin_with_options(options).await.map(Self::from),
            #[cfg(feature = "sqlx-postgres")]
            Inner::Postgres(txn) => txn
                .nested(options.isolation_level, options.access_mode)
                .await
                .map(Self::from),
        }
    }

    /// The rows of `stmt`, streamed.
    pub(super) async fn stream(&self, stmt: Statement) -> Result<RowStream<'_>, DbErr> {
        match &self.inner {
            Inner::SeaOrm(txn) => txn.stream_raw(stmt).await.map(RowStream::new),
            #[cfg(feature = "sqlx-postgres")]
            Inner::Postgres(txn) => txn.stream(stmt).await,
        }
    }
}

#[async_trait::async_trait]
impl ConnectionTrait for RawTransaction {
    fn get_database_backend(&self) -> DbBackend {
        match &self.inner {
            Inner::SeaOrm(txn) => ConnectionTrait::get_database_backend(txn),
            #[cfg(feature = "sqlx-postgres")]
            Inner::Postgres(_) => DbBackend::Postgres,
        }
    }

    async fn execute_raw(&self, stmt: Statement) -> Result<ExecResult, DbErr> {
        match &self.inner {
            Inner::SeaOrm(txn) => txn.execute_raw(stmt).await,
            #[cfg(feature = "sqlx-postgres")]
            Inner::Postgres(txn) => txn.execute(stmt).await,
        }
    }

    async fn execute_unprepared(&self, sql: &str) -> Result<ExecResult, DbErr> {
        match &self.inner {
            Inner::SeaOrm(txn) => txn.execute_unprepared(sql).await,
            #[cfg(feature = "sqlx-postgres")]
            Inner::Postgres(txn) => txn.execute_unprepared(sql).await,
        }
    }

    async fn query_one_raw(&self, stmt: Statement) -> Result<Option<QueryResult>, DbErr> {
        match &self.inner {
            Inner::SeaOrm(txn) => txn.query_one_raw(stmt).await,
            #[cfg(feature = "sqlx-postgres")]
            Inner::Postgres(txn) => txn.query_one(stmt).await,
        }
    }

    async fn query_all_raw(&self, stmt: Statement) -> Result<Vec<QueryResult>, DbErr> {
        match &self.inner {
            Inner::SeaOrm(txn) => txn.query_all_raw(stmt).await,
            #[cfg(feature = "sqlx-postgres")]
            Inner::Postgres(txn) => txn.query_all(stmt).await,
        }
    }

    fn support_returning(&self) -> bool {
        match &self.inner {
            Inner::SeaOrm(txn) => txn.support_returning(),
            #[cfg(feature = "sqlx-postgres")]
            Inner::Postgres(_) => true,
        }
    }
}

impl StreamTrait for RawTransaction {
    type Stream<'a> = RowStream<'a>;

    fn get_database_backend(&self) -> DbBackend {
        ConnectionTrait::get_database_backend(self)
    }

    fn stream_raw<'a>(
        &'a self,
        stmt: Statement,
    ) -> Pin<Box<dyn Future<Output = Result<RowStream<'a>, DbErr>> + 'a + Send>> {
        Box::pin(self.stream(stmt))
    }
}

/// The options SeaORM's `begin_with_config` takes, as [`TransactionOptions`].
pub(super) fn options(
    isolation_level: Option<IsolationLevel>,
    access_mode: Option<AccessMode>,
) -> TransactionOptions {
    TransactionOptions {
        isolation_level,
        access_mode,
        ..TransactionOptions::default()
    }
}
