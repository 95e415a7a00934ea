//! The two-tenant isolation check for applications' own queries.

use std::collections::BTreeMap;
use std::fmt;
use std::future::Future;
use std::pin::Pin;

use sea_orm::{
    ConnectionTrait, DatabaseConnection, DbBackend, DbErr, FromQueryResult, JsonValue, Statement,
};

use crate::connection::{TenantDatabase, TenantTransaction};
use crate::registry::ScopedTable;
use crate::tenant::TenantId;

/// Runs an application's query as two tenants and proves neither sees or touches the other's
/// rows.
///
/// Give it the application's [`TenantDatabase`], a connection that sees **every** row (on
/// PostgreSQL with `FORCE ROW LEVEL SECURITY` that is a superuser or a `BYPASSRLS` role — the
/// tables' owner sees nothing), and two tenants. [`seed`](Self::seed) runs a closure once per
/// tenant in that tenant's transaction (committed); [`check`](Self::check) runs the query
/// closure as the first tenant, then as the second, each committed, and fails with an
/// [`IsolationFailure`] when
///
/// - the closure's result (its `Debug` form) shows a row of the other tenant: the other
///   tenant's id as a tenant column value (`tenant_id: …`), the other tenant's UUID or string
///   id anywhere, or a text value that only the other tenant's rows hold (seed distinct names
///   per tenant to make this sharp);
/// - a row of the other tenant was created, changed or deleted (every scoped table is read
///   through the admin connection before and after);
/// - the closure returned an error.
///
/// Over SQLite (needs sea-orm's `sqlx-sqlite` and a runtime feature, as any application):
///
/// ```no_run
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use sea_orm::{ConnectionTrait, Database, DbBackend, Statement};
/// use tenantry::{Registry, TenantDatabase};
/// use tenantry::testing::IsolationCheck;
///
/// let db = Database::connect("sqlite::memory:").await?;
/// db.execute_unprepared("CREATE TABLE notes (id integer primary key, tenant_id integer not null, body text)").await?;
/// let tdb = TenantDatabase::new(db.clone()).with_registry(Registry::new().table("notes", "tenant_id"));
///
/// let check = IsolationCheck::new(&tdb, &db, 1_i64, 2_i64);
/// check.seed(|txn| Box::pin(async move {
///     let body = format!("note of {}", txn.tenant());
///     txn.execute_raw(Statement::from_sql_and_values(DbBackend::Sqlite,
///         "INSERT INTO notes (body) VALUES (?)", [body.into()])).await?;
///     Ok(())
/// })).await?;
/// let report = check.check(|txn| Box::pin(async move {
///     let rows = txn.query_all_raw(Statement::from_string(DbBackend::Sqlite,
///         "SELECT body FROM notes")).await?;
///     rows.iter().map(|r| r.try_get_by_index::<String>(0)).collect::<Result<Vec<_>, _>>()
/// })).await?;
/// assert_eq!(report.runs, 2);
/// # Ok(()) }
/// ```
pub struct IsolationCheck<'a> {
    tdb: &'a TenantDatabase,
    admin: &'a DatabaseConnection,
    tenants: [TenantId; 2],
}

impl fmt::Debug for IsolationCheck<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IsolationCheck")
            .field("tenants", &self.tenants)
            .finish_non_exhaustive()
    }
}

/// What a passed [`IsolationCheck::check`] saw.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct IsolationReport {
    /// Closure runs (one per tenant).
    pub runs: usize,
    /// Rows of scoped tables read through the admin connection, per table (after the runs).
    pub rows: BTreeMap<String, usize>,
}

/// Why an [`IsolationCheck`] failed; its `Display` is a readable report with a diff.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum IsolationFailure {
    /// The result of a run as `tenant` shows rows of `other`.
    Leak {
        /// The tenant the closure ran as.
        tenant: String,
        /// The tenant whose rows appeared.
        other: String,
        /// What gave it away (each a line).
        evidence: Vec<String>,
        /// The closure's result (`Debug`, pretty).
        result: String,
    },
    /// A run as `tenant` created, changed or deleted rows of `other`.
    Touched {
        /// The tenant the closure ran as.
        tenant: String,
        /// The tenant whose rows changed.
        other: String,
        /// Per table: `-` rows gone or changed, `+` rows new or changed.
        diff: Vec<String>,
    },
    /// The closure (or seeding) failed as `tenant`.
    Failed {
        /// The tenant.
        tenant: String,
        /// The error.
        error: String,
    },
    /// Reading the tables through the admin connection failed.
    Admin {
        /// The error.
        error: String,
    },
}

impl fmt::Display for IsolationFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Leak {
                tenant,
                other,
                evidence,
                result,
            } => {
                writeln!(
                    f,
                    "tenant isolation broken: running as tenant {tenant} returned rows of tenant {other}"
                )?;
                for e in evidence {
                    writeln!(f, "  ! {e}")?;
                }
                write!(f, "result:\n{result}")
            }
            Self::Touched {
                tenant,
                other,
                diff,
            } => {
                writeln!(
                    f,
                    "tenant isolation broken: running as tenant {tenant} changed rows of tenant {other}"
                )?;
                for line in diff {
                    writeln!(f, "  {line}")?;
                }
                Ok(())
            }
            Self::Failed { tenant, error } => {
                write!(f, "the closure failed as tenant {tenant}: {error}")
            }
            Self::Admin { error } => write!(
                f,
                "reading the tables through the admin connection failed: {error} \
                 (it must see every tenant's rows: on PostgreSQL a superuser or BYPASSRLS role)"
            ),
        }
    }
}

impl std::error::Error for IsolationFailure {}

/// Every row of one scoped table, split by tenant.
type TableRows = BTreeMap<String, Vec<String>>;

impl<'a> IsolationCheck<'a> {
    /// A check of `tdb` with tenants `first` and `second`; `admin` must see every row.
    pub fn new(
        tdb: &'a TenantDatabase,
        admin: &'a DatabaseConnection,
        first: impl Into<TenantId>,
        second: impl Into<TenantId>,
    ) -> Self {
        Self {
            tdb,
            admin,
            tenants: [first.into(), second.into()],
        }
    }

    /// Runs `seed` once as each tenant, in that tenant's transaction (committed).
    ///
    /// # Errors
    /// [`IsolationFailure::Failed`] when seeding fails.
    pub async fn seed<F>(&self, seed: F) -> Result<(), IsolationFailure>
    where
        F: for<'c> Fn(
                &'c TenantTransaction,
            ) -> Pin<Box<dyn Future<Output = Result<(), DbErr>> + Send + 'c>>
            + Send
            + Sync,
    {
        for tenant in &self.tenants {
            let failed = |e: DbErr| IsolationFailure::Failed {
                tenant: tenant.to_string(),
                error: e.to_string(),
            };
            let txn = self.tdb.begin(tenant).await.map_err(failed)?;
            seed(&txn).await.map_err(failed)?;
            txn.commit().await.map_err(failed)?;
        }
        Ok(())
    }

    /// Runs `query` as each tenant (committed) and checks the other's rows neither appear in
    /// the result nor change.
    ///
    /// # Errors
    /// An [`IsolationFailure`] describing the first problem found.
    pub async fn check<F, T>(&self, query: F) -> Result<IsolationReport, IsolationFailure>
    where
        F: for<'c> Fn(
                &'c TenantTransaction,
            ) -> Pin<Box<dyn Future<Output = Result<T, DbErr>> + Send + 'c>>
            + Send
            + Sync,
        T: fmt::Debug + Send,
    {
        let mut runs = 0;
        for (me, other) in [(0, 1), (1, 0)] {
            let (me, other) = (&self.tenants[me], &self.tenants[other]);
            let before = self.snapshot().await?;
            let failed = |e: DbErr| IsolationFailure::Failed {
                tenant: me.to_string(),
                error: e.to_string(),
            };
            let txn = self.tdb.begin(me).await.map_err(failed)?;
            let result = query(&txn).await.map_err(failed)?;
            txn.commit().await.map_err(failed)?;
            runs += 1;
            let after = self.snapshot().await?;
            let shown = format!("{result:#?}");
            let evidence = self.evidence(&shown, me, other, &before);
            if !evidence.is_empty() {
                return Err(IsolationFailure::Leak {
                    tenant: me.to_string(),
                    other: other.to_string(),
                    evidence,
                    result: shown,
                });
            }
            let diff = changes(&before, &after, &other.to_string());
            if !diff.is_empty() {
                return Err(IsolationFailure::Touched {
                    tenant: me.to_string(),
                    other: other.to_string(),
                    diff,
                });
            }
        }
        let rows = self
            .snapshot()
            .await?
            .into_iter()
            .map(|(t, rows)| (t, rows.values().map(Vec::len).sum()))
            .collect();
        Ok(IsolationReport { runs, rows })
    }

    /// What in `shown` belongs to `other` only.
    fn evidence(
        &self,
        shown: &str,
        me: &TenantId,
        other: &TenantId,
        state: &BTreeMap<String, TableRows>,
    ) -> Vec<String> {
        let mut evidence = Vec::new();
        let other_text = other.to_string();
        let mut columns: Vec<&str> = self
            .tdb
            .registry()
            .tables()
            .iter()
            .map(ScopedTable::column)
            .collect();
        columns.sort_unstable();
        columns.dedup();
        for column in columns {
            for needle in [
                format!("{column}: {other_text},"),
                format!("{column}: {other_text}\n"),
                format!("{column}: {other_text:?}"),
                format!("\"{column}\": {other_text}"),
                format!("\"{column}\": \"{other_text}\""),
            ] {
                if shown.contains(&needle) {
                    evidence.push(format!(
                        "a `{column}` value is the other tenant's id: `{}`",
                        needle.trim().trim_end_matches(',')
                    ));
                }
            }
        }
        if matches!(other, TenantId::Uuid(_) | TenantId::String(_))
            && other_text.len() >= 8
            && shown.contains(&other_text)
        {
            evidence.push(format!("the other tenant's id {other_text} appears"));
        }
        let mine: Vec<&str> = state
            .values()
            .filter_map(|t| t.get(&me.to_string()))
            .flat_map(|rows| rows.iter().flat_map(|r| texts(r)))
            .collect();
        for (table, rows) in state {
            for row in rows.get(&other_text).into_iter().flatten() {
                for text in texts(row) {
                    if text.chars().count() >= 3
                        && !mine.contains(&text)
                        && shown.contains(&format!("{text:?}"))
                        && !evidence.iter().any(|e| e.contains(row.as_str()))
                    {
                        evidence.push(format!("{text:?} comes from `{table}` row {row}"));
                    }
                }
            }
        }
        evidence
    }

    /// Every row of every scoped table, rendered as JSON, by tenant.
    async fn snapshot(&self) -> Result<BTreeMap<String, TableRows>, IsolationFailure> {
        let admin_err = |e: DbErr| IsolationFailure::Admin {
            error: e.to_string(),
        };
        let backend = self.admin.get_database_backend();
        let mut out = BTreeMap::new();
        for table in self.tdb.registry().tables() {
            let sql = format!("SELECT * FROM {}", quoted(backend, table));
            let rows = self
                .admin
                .query_all_raw(Statement::from_string(backend, sql))
                .await
                .map_err(admin_err)?;
            let mut by_tenant = TableRows::new();
            for row in &rows {
                let json = JsonValue::from_query_result(row, "").map_err(admin_err)?;
                let owner = match json.get(table.column()) {
                    Some(JsonValue::String(s)) => s.clone(),
                    Some(other) => other.to_string(),
                    None => String::new(),
                };
                by_tenant.entry(owner).or_default().push(json.to_string());
            }
            for rows in by_tenant.values_mut() {
                rows.sort();
            }
            out.insert(table.to_string(), by_tenant);
        }
        Ok(out)
    }
}

/// The string values of a JSON row.
fn texts(row: &str) -> Vec<&str> {
    // Rows are `{"k":"v",…}` as serde_json prints them; pick the quoted values after `:`.
    row.split("\":\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .collect()
}

fn quoted(backend: DbBackend, table: &ScopedTable) -> String {
    let q = |s: &str| match backend {
        DbBackend::MySql => format!("`{}`", s.replace('`', "``")),
        _ => format!("\"{}\"", s.replace('"', "\"\"")),
    };
    match table.schema() {
        Some(schema) => format!("{}.{}", q(schema), q(table.name())),
        None => q(table.name()),
    }
}

/// `-`/`+` lines for the rows of `tenant` that differ between two snapshots.
fn changes(
    before: &BTreeMap<String, TableRows>,
    after: &BTreeMap<String, TableRows>,
    tenant: &str,
) -> Vec<String> {
    let empty = Vec::new();
    let mut out = Vec::new();
    for (table, rows) in after {
        let old = before
            .get(table)
            .and_then(|t| t.get(tenant))
            .unwrap_or(&empty);
        let new = rows.get(tenant).unwrap_or(&empty);
        for r in old.iter().filter(|r| !new.contains(r)) {
            out.push(format!("{table}: - {r}"));
        }
        for r in new.iter().filter(|r| !old.contains(r)) {
            out.push(format!("{table}: + {r}"));
        }
    }
    out
}

/// Panics with the [`IsolationFailure`]'s report when an [`IsolationCheck`] failed; returns
/// the [`IsolationReport`] otherwise. For tests.
///
/// ```no_run
/// # async fn f(check: tenantry::testing::IsolationCheck<'_>) {
/// use tenantry::assert_isolated;
/// assert_isolated!(check.check(|txn| Box::pin(async move { Ok(()) })).await);
/// # }
/// ```
#[macro_export]
macro_rules! assert_isolated {
    ($result:expr $(,)?) => {
        match $result {
            ::core::result::Result::Ok(report) => report,
            ::core::result::Result::Err(failure) => {
                ::core::panic!("{}", failure)
            }
        }
    };
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn texts_of_a_row() {
        assert_eq!(
            texts(r#"{"body":"hello","id":1,"name":"x y"}"#),
            vec!["hello", "x y"]
        );
    }

    #[test]
    fn failures_read_well() {
        let f = IsolationFailure::Touched {
            tenant: "1".into(),
            other: "2".into(),
            diff: vec!["notes: - {\"id\":1}".into()],
        };
        assert_eq!(
            f.to_string(),
            "tenant isolation broken: running as tenant 1 changed rows of tenant 2\n  notes: - {\"id\":1}\n"
        );
    }
}
