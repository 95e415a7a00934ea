//! [`Audited`]: unscoped access that logs every statement with its reason.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use sea_orm::{
    AccessMode, ConnectionTrait, DbBackend, DbErr, ExecResult, IsolationLevel, QueryResult,
    Statement, TransactionError, TransactionOptions, TransactionSession, TransactionTrait,
};

use super::closure::run;

/// A connection that runs statements **without** tenant scoping, for cross-tenant work.
///
/// Obtained from [`TenantDatabase::unscoped`](crate::TenantDatabase::unscoped) (over the
/// separately configured admin connection). Every statement emits a `tracing` event at `INFO`
/// with target `tenantry::audit`, the reason and the SQL. Transactions begun on it are
/// audited the same way.
#[derive(Debug, Clone)]
pub struct Audited<C> {
    inner: C,
    reason: Arc<str>,
}

impl<C> Audited<C> {
    pub(super) fn new(inner: C, reason: Arc<str>) -> Self {
        Self { inner, reason }
    }

    /// The reason given for the unscoped access.
    pub fn reason(&self) -> &str {
        &self.reason
    }

    /// The wrapped connection.
    pub fn get_ref(&self) -> &C {
        &self.inner
    }

    fn audit(&self, sql: &str) {
        tracing::info!(target: "tenantry::audit", reason = %self.reason, sql, "unscoped statement");
    }
}

#[async_trait::async_trait]
impl<C: ConnectionTrait + Send> ConnectionTrait for Audited<C> {
    fn get_database_backend(&self) -> DbBackend {
        self.inner.get_database_backend()
    }

    async fn execute_raw(&self, stmt: Statement) -> Result<ExecResult, DbErr> {
        self.audit(&stmt.sql);
        self.inner.execute_raw(stmt).await
    }

    async fn execute_unprepared(&self, sql: &str) -> Result<ExecResult, DbErr> {
        self.audit(sql);
        self.inner.execute_unprepared(sql).await
    }

    async fn query_one_raw(&self, stmt: Statement) -> Result<Option<QueryResult>, DbErr> {
        self.audit(&stmt.sql);
        self.inner.query_one_raw(stmt).await
    }

    async fn query_all_raw(&self, stmt: Statement) -> Result<Vec<QueryResult>, DbErr> {
        self.audit(&stmt.sql);
        self.inner.query_all_raw(stmt).await
    }

    fn support_returning(&self) -> bool {
        self.inner.support_returning()
    }
}

impl<C: TransactionSession + Send> Audited<C> {
    /// Commits the audited transaction.
    pub async fn commit(self) -> Result<(), DbErr> {
        self.inner.commit().await
    }

    /// Rolls the audited transaction back.
    pub async fn rollback(self) -> Result<(), DbErr> {
        self.inner.rollback().await
    }
}

#[async_trait::async_trait]
impl<C: TransactionSession + Send> TransactionSession for Audited<C> {
    async fn commit(self) -> Result<(), DbErr> {
        self.inner.commit().await
    }

    async fn rollback(self) -> Result<(), DbErr> {
        self.inner.rollback().await
    }
}

#[async_trait::async_trait]
impl<C> TransactionTrait for Audited<C>
where
    C: TransactionTrait + Send,
    C::Transaction: Sync,
{
    type Transaction = Audited<C::Transaction>;

    async fn begin(&self) -> Result<Self::Transaction, DbErr> {
        let txn = self.inner.begin().await?;
        Ok(Audited::new(txn, Arc::clone(&self.reason)))
    }

    async fn begin_with_config(
        &self,
        isolation_level: Option<IsolationLevel>,
        access_mode: Option<AccessMode>,
    ) -> Result<Self::Transaction, DbErr> {
        let txn = self
            .inner
            .begin_with_config(isolation_level, access_mode)
            .await?;
        Ok(Audited::new(txn, Arc::clone(&self.reason)))
    }

    async fn begin_with_options(
        &self,
        options: TransactionOptions,
    ) -> Result<Self::Transaction, DbErr> {
        let txn = self.inner.begin_with_options(options).await?;
        Ok(Audited::new(txn, Arc::clone(&self.reason)))
    }

    async fn transaction<F, T, E>(&self, callback: F) -> Result<T, TransactionError<E>>
    where
        F: for<'c> FnOnce(
                &'c Self::Transaction,
            ) -> Pin<Box<dyn Future<Output = Result<T, E>> + Send + 'c>>
            + Send,
        T: Send,
        E: std::fmt::Display + std::fmt::Debug + Send,
    {
        let txn = self.begin().await.map_err(TransactionError::Connection)?;
        run(txn, callback).await
    }

    async fn transaction_with_config<F, T, E>(
        &self,
        callback: F,
        isolation_level: Option<IsolationLevel>,
        access_mode: Option<AccessMode>,
    ) -> Result<T, TransactionError<E>>
    where
        F: for<'c> FnOnce(
                &'c Self::Transaction,
            ) -> Pin<Box<dyn Future<Output = Result<T, E>> + Send + 'c>>
            + Send,
        T: Send,
        E: std::fmt::Display + std::fmt::Debug + Send,
    {
        let txn = self
            .begin_with_config(isolation_level, access_mode)
            .await
            .map_err(TransactionError::Connection)?;
        run(txn, callback).await
    }
}
