//! [`TenantTransaction`]: a SeaORM transaction scoped to one tenant.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use sea_orm::{
    AccessMode, ConnectionTrait, DbBackend, DbErr, ExecResult, IsolationLevel, QueryResult,
    Statement, StreamTrait, TransactionError, TransactionOptions, TransactionSession,
    TransactionTrait,
};
use tracing::Instrument;

use super::closure::run;
use super::raw::{RawTransaction, options};
use super::stream::RowStream;
use crate::placement::Placement;
use crate::rewrite::Rewriter;
use crate::tenant::TenantId;

/// A transaction for one tenant. Every statement run on it is scoped to [`tenant`](Self::tenant).
///
/// Implements SeaORM's `ConnectionTrait` (pass `&txn` wherever SeaORM wants a connection),
/// `TransactionTrait` (a nested `begin` is a savepoint of the same tenant) and `StreamTrait`.
/// Statements tenantry cannot prove scoped fail with a [`DbErr`] carrying a
/// [`tenantry::Error`](crate::Error) ([`Error::from_db_err`](crate::Error::from_db_err)).
/// Dropped without `commit`, it rolls back.
pub struct TenantTransaction {
    txn: RawTransaction,
    tenant: TenantId,
    rewriter: Arc<Rewriter>,
    placement: Option<Arc<Placement>>,
}

impl std::fmt::Debug for TenantTransaction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TenantTransaction")
            .field("tenant", &self.tenant)
            .finish_non_exhaustive()
    }
}

impl TenantTransaction {
    pub(super) fn new(
        txn: RawTransaction,
        tenant: TenantId,
        rewriter: Arc<Rewriter>,
        placement: Option<Arc<Placement>>,
    ) -> Self {
        Self {
            txn,
            tenant,
            rewriter,
            placement,
        }
    }

    /// Where this tenant's rows are (`Shared` when the database follows no directory).
    pub fn placement(&self) -> &Placement {
        self.placement.as_deref().unwrap_or(&Placement::Shared)
    }

    /// The tenant this transaction is scoped to.
    pub fn tenant(&self) -> &TenantId {
        &self.tenant
    }

    /// The transaction underneath. Statements run on it directly are **not** rewritten (on
    /// PostgreSQL the tenant setting is in force, so Row-Level Security still applies).
    pub fn get_ref(&self) -> &RawTransaction {
        &self.txn
    }

    /// Commits.
    pub async fn commit(self) -> Result<(), DbErr> {
        self.txn.commit().await
    }

    /// Rolls back.
    pub async fn rollback(self) -> Result<(), DbErr> {
        self.txn.rollback().await
    }

    /// Rewrites a statement for this tenant, inside a span carrying tenant and cache outcome.
    fn scope(&self, stmt: Statement) -> Result<(Statement, tracing::Span), DbErr> {
        let span = self.span();
        let rewritten = span.in_scope(|| self.rewriter.rewrite(stmt, &self.tenant))?;
        span.record("cache_hit", rewritten.cache_hit);
        Ok((rewritten.statement, span))
    }
}

#[async_trait::async_trait]
impl ConnectionTrait for TenantTransaction {
    fn get_database_backend(&self) -> DbBackend {
        ConnectionTrait::get_database_backend(&self.txn)
    }

    async fn execute_raw(&self, stmt: Statement) -> Result<ExecResult, DbErr> {
        let (stmt, span) = self.scope(stmt)?;
        self.txn.execute_raw(stmt).instrument(span).await
    }

    async fn execute_unprepared(&self, sql: &str) -> Result<ExecResult, DbErr> {
        let stmt = Statement::from_string(ConnectionTrait::get_database_backend(self), sql);
        let span = self.span();
        let script = span.in_scope(|| self.rewriter.rewrite_script(stmt, &self.tenant))?;
        span.record("cache_hit", script.iter().all(|r| r.cache_hit));
        // Each statement on its own: one that binds the tenant must run prepared, and
        // PostgreSQL/MySQL prepare one statement at a time. The last result is returned.
        let mut last = None;
        for rewritten in script {
            let stmt = rewritten.statement;
            let result = if stmt.values.as_ref().is_some_and(|v| !v.0.is_empty()) {
                self.txn.execute_raw(stmt).instrument(span.clone()).await?
            } else {
                self.txn
                    .execute_unprepared(&stmt.sql)
                    .instrument(span.clone())
                    .await?
            };
            last = Some(result);
        }
        match last {
            Some(result) => Ok(result),
            None => Err(crate::Error::Parse {
                message: "no statement".into(),
                sql: sql.to_owned(),
            }
            .into()),
        }
    }

    async fn query_one_raw(&self, stmt: Statement) -> Result<Option<QueryResult>, DbErr> {
        let (stmt, span) = self.scope(stmt)?;
        self.txn.query_one_raw(stmt).instrument(span).await
    }

    async fn query_all_raw(&self, stmt: Statement) -> Result<Vec<QueryResult>, DbErr> {
        let (stmt, span) = self.scope(stmt)?;
        self.txn.query_all_raw(stmt).instrument(span).await
    }

    fn support_returning(&self) -> bool {
        self.txn.support_returning()
    }
}

impl StreamTrait for TenantTransaction {
    type Stream<'a> = RowStream<'a>;

    fn get_database_backend(&self) -> DbBackend {
        ConnectionTrait::get_database_backend(&self.txn)
    }

    fn stream_raw<'a>(
        &'a self,
        stmt: Statement,
    ) -> Pin<Box<dyn Future<Output = Result<Self::Stream<'a>, DbErr>> + 'a + Send>> {
        match self.scope(stmt) {
            Ok((stmt, span)) => Box::pin(self.txn.stream(stmt).instrument(span)),
            Err(e) => Box::pin(async move { Err(e) }),
        }
    }
}

#[async_trait::async_trait]
impl TransactionSession for TenantTransaction {
    async fn commit(self) -> Result<(), DbErr> {
        TenantTransaction::commit(self).await
    }

    async fn rollback(self) -> Result<(), DbErr> {
        TenantTransaction::rollback(self).await
    }
}

#[async_trait::async_trait]
impl TransactionTrait for TenantTransaction {
    type Transaction = TenantTransaction;

    /// A savepoint, scoped to the same tenant.
    async fn begin(&self) -> Result<TenantTransaction, DbErr> {
        self.begin_with_options(TransactionOptions::default()).await
    }

    async fn begin_with_config(
        &self,
        isolation_level: Option<IsolationLevel>,
        access_mode: Option<AccessMode>,
    ) -> Result<TenantTransaction, DbErr> {
        self.begin_with_options(options(isolation_level, access_mode))
            .await
    }

    async fn begin_with_options(
        &self,
        options: TransactionOptions,
    ) -> Result<TenantTransaction, DbErr> {
        let txn = self.txn.nested(options).await?;
        Ok(TenantTransaction::new(
            txn,
            self.tenant.clone(),
            Arc::clone(&self.rewriter),
            self.placement.clone(),
        ))
    }

    async fn transaction<F, T, E>(&self, callback: F) -> Result<T, TransactionError<E>>
    where
        F: for<'c> FnOnce(
                &'c TenantTransaction,
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
                &'c TenantTransaction,
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

impl TenantTransaction {
    fn span(&self) -> tracing::Span {
        tracing::debug_span!(
            "tenantry.statement",
            tenant = %self.tenant,
            placement = %self.placement(),
            cache_hit = tracing::field::Empty,
        )
    }
}
