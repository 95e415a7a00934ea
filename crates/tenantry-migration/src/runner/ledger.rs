//! The central run ledger: one row per (run, target) in the control database.

use sea_orm_migration::sea_orm::{
    ConnectionTrait, DatabaseConnection, DbBackend, QueryResult, Statement, Value,
};

use crate::error::Result;

/// The run ledger's table.
pub const RUNS_TABLE: &str = "tenantry_migration_runs";

/// What became of one target in a run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum TargetStatus {
    /// Not started yet.
    Pending,
    /// Started (a runner killed meanwhile leaves this; its transaction was rolled back).
    Running,
    /// Brought to the requested version.
    Done,
    /// Failed; the error is recorded.
    Failed,
    /// Not run (a canary failed, or the tenant is being moved or provisioned).
    Skipped,
}

impl TargetStatus {
    /// The name stored in the ledger.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Running => "running",
            Self::Done => "done",
            Self::Failed => "failed",
            Self::Skipped => "skipped",
        }
    }

    fn parse(s: &str) -> Self {
        match s {
            "running" => Self::Running,
            "done" => Self::Done,
            "failed" => Self::Failed,
            "skipped" => Self::Skipped,
            _ => Self::Pending,
        }
    }
}

impl std::fmt::Display for TargetStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One (run, target) row.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub struct LedgerRow {
    /// The run.
    pub run: String,
    /// The target (`control`, `schema:NAME`, `database:SERVER/DB`).
    pub target: String,
    /// `up` or `down`.
    pub operation: String,
    /// Its status.
    pub status: TargetStatus,
    /// The last applied migration before.
    pub version_before: Option<String>,
    /// The last applied migration after.
    pub version_after: Option<String>,
    /// Migrations applied (or reverted).
    pub applied: i64,
    /// Whether the target's migrations ran in one transaction.
    pub transactional: Option<bool>,
    /// How long it took.
    pub duration_ms: Option<i64>,
    /// The error of a failed target, or why it was skipped.
    pub error: Option<String>,
}

impl LedgerRow {
    /// A `done` row with nothing recorded yet.
    pub(crate) fn new(run: &str, target: &str, operation: &str) -> Self {
        Self {
            run: run.to_owned(),
            target: target.to_owned(),
            operation: operation.into(),
            status: TargetStatus::Done,
            version_before: None,
            version_after: None,
            applied: 0,
            transactional: None,
            duration_ms: None,
            error: None,
        }
    }
}

fn stmt(sql: &str, values: Vec<Value>) -> Statement {
    Statement::from_sql_and_values(DbBackend::Postgres, sql, values)
}

pub(crate) async fn install(db: &DatabaseConnection) -> Result<()> {
    db.execute_unprepared(&format!(
        "CREATE TABLE IF NOT EXISTS {RUNS_TABLE} ( \
           run text NOT NULL, target text NOT NULL, operation text NOT NULL, \
           status text NOT NULL, version_before text, version_after text, \
           applied bigint NOT NULL DEFAULT 0, transactional boolean, \
           started_at timestamptz, finished_at timestamptz, duration_ms bigint, error text, \
           created_at timestamptz NOT NULL DEFAULT now(), \
           PRIMARY KEY (run, target))"
    ))
    .await?;
    // `down`'s step count, so that resuming a `down` run reverts as many.
    db.execute_unprepared(&format!(
        "ALTER TABLE {RUNS_TABLE} ADD COLUMN IF NOT EXISTS steps integer"
    ))
    .await?;
    Ok(())
}

/// The ledger is written without waiting for the commit's fsync (`synchronous_commit = off`
/// for that one statement's transaction): a ledger write lost in a server crash leaves an
/// earlier status (`pending` or `running` instead of `done`), and resuming then runs the
/// target again — which finds nothing pending (its migrations committed durably, with its own
/// ledger, in the target). A target's migrations themselves always commit synchronously.
const NO_FSYNC: &str =
    "(SELECT pg_catalog.set_config('synchronous_commit', 'off', true)) AS nofsync";

/// Records `targets` as `pending` in `run` (kept as they are when resuming).
pub(crate) async fn add(
    db: &DatabaseConnection,
    run: &str,
    targets: &[String],
    operation: &str,
    steps: Option<u32>,
) -> Result<()> {
    db.execute_raw(stmt(
        &format!(
            "INSERT INTO {RUNS_TABLE} (run, target, operation, steps, status) \
             SELECT $1, t, $3, $4, 'pending' FROM pg_catalog.unnest($2::text[]) AS t, {NO_FSYNC} \
             ON CONFLICT (run, target) DO NOTHING"
        ),
        vec![
            run.into(),
            targets.to_vec().into(),
            operation.into(),
            steps.map(i64::from).into(),
        ],
    ))
    .await?;
    Ok(())
}

pub(crate) async fn start(db: &DatabaseConnection, run: &str, target: &str) -> Result<()> {
    db.execute_raw(stmt(
        &format!(
            "UPDATE {RUNS_TABLE} SET status = 'running', started_at = now(), error = NULL \
             FROM {NO_FSYNC} WHERE run = $1 AND target = $2"
        ),
        vec![run.into(), target.into()],
    ))
    .await?;
    Ok(())
}

pub(crate) async fn finish(db: &DatabaseConnection, row: &LedgerRow) -> Result<()> {
    db.execute_raw(stmt(
        &format!(
            "UPDATE {RUNS_TABLE} SET status = $3, version_before = $4, version_after = $5, \
               applied = $6, transactional = $7, duration_ms = $8, error = $9, \
               finished_at = now() FROM {NO_FSYNC} WHERE run = $1 AND target = $2"
        ),
        vec![
            row.run.clone().into(),
            row.target.clone().into(),
            row.status.as_str().into(),
            row.version_before.clone().into(),
            row.version_after.clone().into(),
            row.applied.into(),
            row.transactional.into(),
            row.duration_ms.into(),
            row.error.clone().into(),
        ],
    ))
    .await?;
    Ok(())
}

fn row_of(r: &QueryResult) -> Result<LedgerRow> {
    Ok(LedgerRow {
        run: r.try_get("", "run")?,
        target: r.try_get("", "target")?,
        operation: r.try_get("", "operation")?,
        status: TargetStatus::parse(&r.try_get::<String>("", "status")?),
        version_before: r.try_get("", "version_before")?,
        version_after: r.try_get("", "version_after")?,
        applied: r.try_get("", "applied")?,
        transactional: r.try_get("", "transactional")?,
        duration_ms: r.try_get("", "duration_ms")?,
        error: r.try_get("", "error")?,
    })
}

/// The rows of `run`, by target.
pub(crate) async fn rows(db: &DatabaseConnection, run: &str) -> Result<Vec<LedgerRow>> {
    db.query_all_raw(stmt(
        &format!("SELECT * FROM {RUNS_TABLE} WHERE run = $1 ORDER BY target"),
        vec![run.into()],
    ))
    .await?
    .iter()
    .map(row_of)
    .collect()
}

/// The last run started, if any: its id, operation and (for `down`) step count.
pub(crate) async fn last_run(
    db: &DatabaseConnection,
) -> Result<Option<(String, String, Option<i64>)>> {
    let row = db
        .query_one_raw(stmt(
            &format!(
                "SELECT run, operation, max(steps)::bigint AS steps FROM {RUNS_TABLE} \
                 GROUP BY run, operation ORDER BY min(created_at) DESC LIMIT 1"
            ),
            vec![],
        ))
        .await?;
    match row {
        Some(r) => Ok(Some((
            r.try_get("", "run")?,
            r.try_get("", "operation")?,
            r.try_get("", "steps")?,
        ))),
        None => Ok(None),
    }
}
