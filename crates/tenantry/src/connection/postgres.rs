//! A tenant transaction on PostgreSQL opened in one round trip.
//!
//! SeaORM's `begin()` sends a bare `BEGIN` (and `SET TRANSACTION …` for options), so setting
//! the tenant afterwards costs one more round trip. Here the transaction is opened on a
//! connection of SeaORM's own sqlx pool with a single simple query,
//! `SET LOCAL <setting> = '<tenant>'; BEGIN [ISOLATION LEVEL …] [READ ONLY|READ WRITE]`
//! (`TenantContext::begin_statement`).
//! Statements then run exactly as SeaORM runs them on its own transactions (sqlx prepared
//! statements, values bound by `sea-query-sqlx`, rows handed back as SeaORM's
//! [`QueryResult`]), nested `begin`s are savepoints, and a transaction dropped without
//! `commit` rolls back.

use std::sync::Arc;

use futures_util::TryStreamExt;
use futures_util::lock::Mutex;
use sea_orm::sea_query::Values;
use sea_orm::sqlx::{self, Executor, PgPool, Postgres, pool::PoolConnection};
use sea_orm::{
    AccessMode, ConnAcquireErr, DbErr, ExecResult, IsolationLevel, QueryResult, RuntimeErr,
    Statement,
};
use sea_query_sqlx::SqlxValues;
use sqlx_core::sql_str::{AssertSqlSafe, SqlSafeStr};
use sqlx_core::transaction::TransactionManager;

use super::context::TenantContext;
use super::stream::RowStream;

type Manager = <Postgres as sqlx::Database>::TransactionManager;

/// A transaction (or savepoint) on a pooled PostgreSQL connection.
pub(crate) struct PgTransaction {
    conn: Arc<Mutex<PoolConnection<Postgres>>>,
    open: bool,
}

/// A connection whose `BEGIN` is in flight: if the future opening the transaction is dropped
/// midway, the connection may be inside a transaction carrying the tenant without anybody
/// knowing, so it is closed instead of going back to the pool.
struct Opening(Option<PoolConnection<Postgres>>);

impl Drop for Opening {
    fn drop(&mut self) {
        if let Some(conn) = &mut self.0 {
            conn.close_on_drop();
        }
    }
}

impl PgTransaction {
    /// Acquires a connection and opens the tenant's transaction in one round trip.
    pub(crate) async fn begin(pool: &PgPool, context: &TenantContext<'_>) -> Result<Self, DbErr> {
        let sql = context.begin_statement();
        let conn = pool.acquire().await.map_err(acquire_err)?;
        let mut opening = Opening(Some(conn));
        if let Some(conn) = &mut opening.0 {
            Manager::begin(conn, Some(AssertSqlSafe(sql).into_sql_str()))
                .await
                .map_err(query_err)?;
        }
        let conn = opening.0.take().ok_or_else(|| {
            DbErr::Custom("tenantry: connection lost while opening a transaction".into())
        })?;
        Ok(Self {
            conn: Arc::new(Mutex::new(conn)),
            open: true,
        })
    }

    /// A savepoint in this transaction (with `SET TRANSACTION …` for options, as SeaORM does).
    pub(crate) async fn nested(
        &self,
        isolation_level: Option<IsolationLevel>,
        access_mode: Option<AccessMode>,
    ) -> Result<Self, DbErr> {
        let mut conn = self.conn.lock().await;
        Manager::begin(&mut conn, None).await.map_err(query_err)?;
        let nested = Self {
            conn: Arc::clone(&self.conn),
            open: true,
        };
        let mut settings = Vec::new();
        if let Some(level) = isolation_level {
            settings.push(format!("ISOLATION LEVEL {level}"));
        }
        if let Some(mode) = access_mode {
            settings.push(mode.to_string());
        }
        if !settings.is_empty() {
            let sql = format!("SET TRANSACTION {}", settings.join(" "));
            conn.execute(AssertSqlSafe(sql)).await.map_err(exec_err)?;
        }
        drop(conn);
        Ok(nested)
    }

    pub(crate) async fn commit(mut self) -> Result<(), DbErr> {
        let mut conn = self.conn.lock().await;
        Manager::commit(&mut conn).await.map_err(query_err)?;
        drop(conn);
        self.open = false;
        Ok(())
    }

    pub(crate) async fn rollback(mut self) -> Result<(), DbErr> {
        let mut conn = self.conn.lock().await;
        Manager::rollback(&mut conn).await.map_err(query_err)?;
        drop(conn);
        self.open = false;
        Ok(())
    }

    pub(crate) async fn execute(&self, stmt: Statement) -> Result<ExecResult, DbErr> {
        let mut conn = self.conn.lock().await;
        query(&stmt)
            .execute(&mut **conn)
            .await
            .map(ExecResult::from)
            .map_err(exec_err)
    }

    pub(crate) async fn execute_unprepared(&self, sql: &str) -> Result<ExecResult, DbErr> {
        let mut conn = self.conn.lock().await;
        conn.execute(AssertSqlSafe(sql.to_owned()))
            .await
            .map(ExecResult::from)
            .map_err(exec_err)
    }

    pub(crate) async fn query_one(&self, stmt: Statement) -> Result<Option<QueryResult>, DbErr> {
        let mut conn = self.conn.lock().await;
        match query(&stmt).fetch_one(&mut **conn).await {
            Ok(row) => Ok(Some(row.into())),
            Err(sqlx::Error::RowNotFound) => Ok(None),
            Err(e) => Err(query_err(e)),
        }
    }

    pub(crate) async fn query_all(&self, stmt: Statement) -> Result<Vec<QueryResult>, DbErr> {
        let mut conn = self.conn.lock().await;
        query(&stmt)
            .fetch_all(&mut **conn)
            .await
            .map(|rows| rows.into_iter().map(QueryResult::from).collect())
            .map_err(query_err)
    }

    /// Streams the rows of `stmt`; the connection stays locked until the stream is dropped.
    pub(crate) async fn stream(&self, stmt: Statement) -> Result<RowStream<'_>, DbErr> {
        let mut conn = self.conn.lock().await;
        let rows = async_stream::try_stream! {
            let mut rows = query(&stmt).fetch(&mut **conn);
            while let Some(row) = rows.try_next().await.map_err(query_err)? {
                yield QueryResult::from(row);
            }
        };
        Ok(RowStream::new(rows))
    }
}

impl Drop for PgTransaction {
    fn drop(&mut self) {
        if self.open {
            // Queued; sent before anything else on this connection (or on its way back to
            // the pool), exactly like SeaORM's own transactions.
            if let Some(mut conn) = self.conn.try_lock() {
                Manager::start_rollback(&mut conn);
            }
        }
    }
}

fn query(stmt: &Statement) -> sqlx::query::Query<'_, Postgres, SqlxValues> {
    let values = stmt.values.clone().unwrap_or(Values(Vec::new()));
    sqlx::query_with(sqlx::AssertSqlSafe(stmt.sql.as_str()), SqlxValues(values))
}

// The same `DbErr` variants SeaORM returns for the same failures, so `DbErr::sql_err()` and
// error matching behave as on SeaORM's own transactions.
fn exec_err(e: sqlx::Error) -> DbErr {
    DbErr::Exec(RuntimeErr::SqlxError(Arc::new(e)))
}

fn query_err(e: sqlx::Error) -> DbErr {
    DbErr::Query(RuntimeErr::SqlxError(Arc::new(e)))
}

fn acquire_err(e: sqlx::Error) -> DbErr {
    match e {
        sqlx::Error::PoolTimedOut => DbErr::ConnectionAcquire(ConnAcquireErr::Timeout),
        sqlx::Error::PoolClosed => DbErr::ConnectionAcquire(ConnAcquireErr::ConnectionClosed),
        e => DbErr::Conn(RuntimeErr::SqlxError(Arc::new(e))),
    }
}
