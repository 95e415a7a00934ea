//! SQL capture: the scoped statements a closure sends, without a database.

use std::collections::VecDeque;
use std::fmt::Write as _;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};

use sea_orm::{
    DatabaseConnection, DatabaseConnectionType, DbBackend, DbErr, ExecResult, IntoMockRow,
    MockDatabase, MockDatabaseConnection, MockDatabaseTrait, MockExecResult, MockRow, QueryResult,
    Statement, Transaction, Value,
};

use crate::connection::{TenantDatabase, TenantTransaction};
use crate::registry::Registry;
use crate::tenant::TenantId;

/// A database that records every statement it receives and answers from queued results:
/// the canned rows and exec results given to [`SqlCapture`], then empty results.
#[derive(Debug)]
struct Recorder {
    backend: DbBackend,
    shared: Arc<Mutex<Shared>>,
}

#[derive(Debug, Default)]
struct Shared {
    statements: Vec<Statement>,
    tenants: Vec<TenantId>,
    query_results: VecDeque<Vec<MockRow>>,
    exec_results: VecDeque<MockExecResult>,
}

impl Recorder {
    fn shared(&self) -> std::sync::MutexGuard<'_, Shared> {
        self.shared.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Whether `stmt` is the tenant context tenantry sets when a transaction begins.
fn is_context(stmt: &Statement) -> bool {
    stmt.sql.starts_with("SELECT set_config($1, $2, true)")
}

impl MockDatabaseTrait for Recorder {
    fn execute(&mut self, _counter: usize, stmt: Statement) -> Result<ExecResult, DbErr> {
        let mut shared = self.shared();
        let result = if is_context(&stmt) {
            MockExecResult::default()
        } else {
            shared.exec_results.pop_front().unwrap_or_default()
        };
        shared.statements.push(stmt.clone());
        drop(shared);
        MockDatabase::new(self.backend)
            .append_exec_results([result])
            .execute(0, stmt)
    }

    fn query(&mut self, _counter: usize, stmt: Statement) -> Result<Vec<QueryResult>, DbErr> {
        let mut shared = self.shared();
        let rows = shared.query_results.pop_front().unwrap_or_default();
        shared.statements.push(stmt.clone());
        drop(shared);
        MockDatabase::new(self.backend)
            .append_query_results([rows])
            .query(0, stmt)
    }

    fn begin(&mut self) {}

    fn commit(&mut self) {}

    fn rollback(&mut self) {}

    fn drain_transaction_log(&mut self) -> Vec<Transaction> {
        Vec::new()
    }

    fn get_database_backend(&self) -> DbBackend {
        self.backend
    }

    fn ping(&self) -> Result<(), DbErr> {
        Ok(())
    }
}

/// Captures the SQL and bound values that SeaORM code sends through a
/// [`TenantTransaction`] — after tenantry scoped it — without a database, for snapshot tests
/// (`insta::assert_snapshot!`).
///
/// The statements go through exactly the path of a real [`TenantDatabase`]: `begin` on a
/// SeaORM mock connection with the chosen backend, then the rewriter on every statement. Reads
/// return no rows and writes report 0 rows affected unless results are queued with
/// [`push_query_result`](Self::push_query_result) /
/// [`push_exec_result`](Self::push_exec_result). Statements tenantry refuses never reach the
/// capture: the SeaORM call returns the error, as it would on a database.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), sea_orm::DbErr> {
/// use sea_orm::{ConnectionTrait, DbBackend, Statement};
/// use tenantry::Registry;
/// use tenantry::testing::SqlCapture;
///
/// let capture = SqlCapture::new(DbBackend::Postgres)
///     .with_registry(Registry::new().table("orders", "tenant_id"));
/// let txn = capture.begin(7_i64).await?;
/// txn.query_all_raw(Statement::from_sql_and_values(
///     DbBackend::Postgres,
///     r#"SELECT "id" FROM "orders" WHERE "status" = $1"#,
///     ["open".into()],
/// ))
/// .await?;
/// txn.commit().await?;
/// assert_eq!(
///     capture.take(),
///     "SELECT set_config($1, $2, true)\n  $1 = 'tenantry.tenant_id'\n  $2 = <tenant>\n\n\
///      SELECT \"id\" FROM \"orders\" WHERE \"orders\".tenant_id = $2 AND (\"status\" = $1)\n  \
///      $1 = 'open'\n  $2 = <tenant>\n"
/// );
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct SqlCapture {
    tdb: TenantDatabase,
    shared: Arc<Mutex<Shared>>,
}

impl SqlCapture {
    /// A capture for `backend`, scoping the tables marked `#[derive(TenantScoped)]`.
    pub fn new(backend: DbBackend) -> Self {
        let shared = Arc::new(Mutex::new(Shared::default()));
        let recorder = Recorder {
            backend,
            shared: Arc::clone(&shared),
        };
        let conn: DatabaseConnection = DatabaseConnectionType::MockDatabaseConnection(Arc::new(
            MockDatabaseConnection::new(recorder),
        ))
        .into();
        Self {
            tdb: TenantDatabase::new(conn),
            shared,
        }
    }

    /// Scopes the tables of `registry` instead.
    pub fn with_registry(mut self, registry: Registry) -> Self {
        self.tdb = self.tdb.with_registry(registry);
        self
    }

    /// The [`TenantDatabase`] over the capturing connection (for code that takes one).
    pub fn database(&self) -> &TenantDatabase {
        &self.tdb
    }

    /// Opens a transaction for `tenant` (as [`TenantDatabase::begin`]).
    pub async fn begin(&self, tenant: impl Into<TenantId>) -> Result<TenantTransaction, DbErr> {
        let tenant = tenant.into();
        let txn = self.tdb.begin(tenant.clone()).await?;
        self.lock().tenants.push(tenant);
        Ok(txn)
    }

    /// Queues the rows the next read returns (models or `BTreeMap<String, Value>`s).
    pub fn push_query_result<T: IntoMockRow>(&self, rows: impl IntoIterator<Item = T>) {
        let rows = rows.into_iter().map(IntoMockRow::into_mock_row).collect();
        self.lock().query_results.push_back(rows);
    }

    /// Queues the result of the next write.
    pub fn push_exec_result(&self, rows_affected: u64, last_insert_id: u64) {
        self.lock().exec_results.push_back(MockExecResult {
            last_insert_id,
            rows_affected,
        });
    }

    /// The statements captured so far, as sent (scoped, with their bound values).
    pub fn statements(&self) -> Vec<Statement> {
        self.lock().statements.clone()
    }

    /// Renders the statements captured so far and forgets them: each statement's SQL, then
    /// one line per bound value (`$n` on PostgreSQL, `?n` elsewhere); a value equal to a tenant
    /// this capture began a transaction for prints as `<tenant>`, so the text does not depend
    /// on the ids a test uses.
    pub fn take(&self) -> String {
        let mut shared = self.lock();
        let statements = std::mem::take(&mut shared.statements);
        render(&statements, &shared.tenants)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Shared> {
        self.shared.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Runs `callback` in a transaction for `tenant` on a capturing connection for `backend`
/// (scoping the tables marked `#[derive(TenantScoped)]`) and returns the statements it sent,
/// rendered as by [`SqlCapture::take`]. The transaction is committed when the callback
/// returns `Ok`.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), sea_orm::DbErr> {
/// use sea_orm::{ConnectionTrait, DbBackend, Statement};
/// let sql = tenantry::testing::capture_sql(DbBackend::Sqlite, "acme", |txn| {
///     Box::pin(async move {
///         txn.execute_unprepared("UPDATE settings SET theme = 'dark'").await?;
///         Ok(())
///     })
/// })
/// .await?;
/// assert_eq!(sql, "UPDATE settings SET theme = 'dark'\n"); // `settings` is not scoped
/// # Ok(()) }
/// ```
pub async fn capture_sql<F>(
    backend: DbBackend,
    tenant: impl Into<TenantId>,
    callback: F,
) -> Result<String, DbErr>
where
    F: for<'c> FnOnce(
            &'c TenantTransaction,
        ) -> Pin<Box<dyn Future<Output = Result<(), DbErr>> + Send + 'c>>
        + Send,
{
    SqlCapture::new(backend).capture(tenant, callback).await
}

impl SqlCapture {
    /// Runs `callback` in a transaction for `tenant` (committed when it returns `Ok`) and
    /// returns what it sent, as [`take`](Self::take) renders it.
    pub async fn capture<F>(
        &self,
        tenant: impl Into<TenantId>,
        callback: F,
    ) -> Result<String, DbErr>
    where
        F: for<'c> FnOnce(
                &'c TenantTransaction,
            )
                -> Pin<Box<dyn Future<Output = Result<(), DbErr>> + Send + 'c>>
            + Send,
    {
        let txn = self.begin(tenant).await?;
        callback(&txn).await?;
        txn.commit().await?;
        Ok(self.take())
    }
}

fn render(statements: &[Statement], tenants: &[TenantId]) -> String {
    let mut out = String::new();
    for (i, stmt) in statements.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&stmt.sql);
        out.push('\n');
        let sigil = if stmt.db_backend == DbBackend::Postgres {
            '$'
        } else {
            '?'
        };
        for (n, value) in stmt.values.iter().flat_map(|v| v.0.iter()).enumerate() {
            let shown = if tenants
                .iter()
                .any(|t| t.matches_value(value) || is_tenant_text(t, value))
            {
                "<tenant>".to_owned()
            } else {
                literal(value)
            };
            let _ = writeln!(out, "  {sigil}{} = {shown}", n + 1);
        }
    }
    out
}

fn is_tenant_text(tenant: &TenantId, value: &Value) -> bool {
    matches!(value, Value::String(Some(s)) if *s == tenant.to_setting())
}

/// A value as an SQL-ish literal (`'text'`, `42`, `NULL`); other types as their debug form.
fn literal(value: &Value) -> String {
    fn opt<T: ToString>(v: Option<&T>) -> String {
        v.map_or_else(|| "NULL".to_owned(), ToString::to_string)
    }
    match value {
        Value::Bool(v) => opt(v.as_ref()),
        Value::TinyInt(v) => opt(v.as_ref()),
        Value::SmallInt(v) => opt(v.as_ref()),
        Value::Int(v) => opt(v.as_ref()),
        Value::BigInt(v) => opt(v.as_ref()),
        Value::TinyUnsigned(v) => opt(v.as_ref()),
        Value::SmallUnsigned(v) => opt(v.as_ref()),
        Value::Unsigned(v) => opt(v.as_ref()),
        Value::BigUnsigned(v) => opt(v.as_ref()),
        Value::Float(v) => opt(v.as_ref()),
        Value::Double(v) => opt(v.as_ref()),
        Value::String(Some(s)) => format!("'{}'", s.replace('\'', "''")),
        Value::Char(Some(c)) => format!("'{c}'"),
        Value::Uuid(Some(u)) => format!("'{u}'"),
        Value::String(None) | Value::Char(None) | Value::Uuid(None) | Value::Bytes(None) => {
            "NULL".to_owned()
        }
        other => format!("{other:?}"),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use sea_orm::ConnectionTrait;

    fn registry() -> Registry {
        Registry::new().table("orders", "tenant_id")
    }

    #[tokio::test]
    async fn captures_scoped_statements_on_each_backend() {
        for (backend, sql) in [
            (DbBackend::MySql, "SELECT id FROM orders WHERE status = ?"),
            (DbBackend::Sqlite, "SELECT id FROM orders WHERE status = ?"),
        ] {
            let capture = SqlCapture::new(backend).with_registry(registry());
            let txn = capture.begin(7_i64).await.unwrap();
            txn.query_all_raw(Statement::from_sql_and_values(
                backend,
                sql,
                ["open".into()],
            ))
            .await
            .unwrap();
            txn.commit().await.unwrap();
            assert_eq!(
                capture.take(),
                "SELECT id FROM orders WHERE orders.tenant_id = ? AND (status = ?)\n  ?1 = <tenant>\n  ?2 = 'open'\n",
                "{backend:?}"
            );
            assert_eq!(capture.take(), "", "take forgets");
        }
    }

    #[tokio::test]
    async fn refused_statements_are_errors_and_not_captured() {
        let capture = SqlCapture::new(DbBackend::Sqlite).with_registry(registry());
        let txn = capture.begin(7_i64).await.unwrap();
        let err = txn
            .execute_unprepared("DROP TABLE orders")
            .await
            .unwrap_err();
        assert!(crate::Error::from_db_err(&err).is_some(), "{err}");
        assert_eq!(capture.take(), "");
    }

    #[tokio::test]
    async fn queued_results_are_returned_in_order() {
        let capture = SqlCapture::new(DbBackend::Sqlite).with_registry(registry());
        let row: std::collections::BTreeMap<String, Value> =
            [("id".to_owned(), Value::Int(Some(5)))].into();
        capture.push_query_result([row]);
        capture.push_exec_result(3, 0);
        let txn = capture.begin(7_i64).await.unwrap();
        let rows = txn
            .query_all_raw(Statement::from_string(
                DbBackend::Sqlite,
                "SELECT id FROM orders",
            ))
            .await
            .unwrap();
        assert_eq!(rows[0].try_get_by_index::<i32>(0).unwrap(), 5);
        let res = txn
            .execute_unprepared("DELETE FROM orders WHERE id = 5")
            .await
            .unwrap();
        assert_eq!(res.rows_affected(), 3);
        let empty = txn
            .query_all_raw(Statement::from_string(
                DbBackend::Sqlite,
                "SELECT id FROM orders",
            ))
            .await
            .unwrap();
        assert!(empty.is_empty());
        assert_eq!(capture.statements().len(), 3);
    }

    #[test]
    fn literals() {
        assert_eq!(literal(&Value::String(Some("it's".into()))), "'it''s'");
        assert_eq!(literal(&Value::Int(None)), "NULL");
        assert_eq!(literal(&Value::BigInt(Some(-4))), "-4");
    }
}
