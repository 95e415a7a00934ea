//! Migrations across every tenant target: the shared schema of the control database, every
//! tenant schema, every tenant database on every server — in parallel, resumable, recorded.
//!
//! A [`Runner`] takes the app's three migrators (the control database's, a tenant schema's, a
//! tenant database's) and brings each target to the latest version (`up`) or back (`down`).
//! Per target, on PostgreSQL:
//!
//! - its own sea-orm ledger (`seaql_migrations` in that schema or database);
//! - all of the target's pending migrations in **one transaction**, with `SET LOCAL
//!   search_path` (a schema target), `SET LOCAL lock_timeout`, and a transaction-level
//!   advisory lock on the target's name, so two runners never migrate the same target at once
//!   (the second waits, then finds nothing pending); when one of the migrations to run
//!   declares `use_transaction() == Some(false)` (`CREATE INDEX CONCURRENTLY`…), the target
//!   runs migration by migration outside a transaction under a session-level lock instead,
//!   reported as such (`transactional: false`) — only such a target can be left between two
//!   versions by a crash;
//! - a row in the central run ledger (`tenantry_migration_runs` in the control database):
//!   `pending` → `running` → `done` / `failed` (with the database's error) / `skipped`,
//!   versions before and after, duration.
//!
//! A run continues past a failed target. [`RunOptions::resume`] continues the last run: only
//! its targets that are not `done` run again. A runner killed mid-run leaves its targets'
//! transactions rolled back by the server: each target is at its old or its new version, never
//! in between.
//!
//! Targets are listed when the run starts, from the directory. Tenants by state:
//! - `active`, `read_only` and `suspended`: migrated (the schema follows the code, whatever
//!   the tenant may do meanwhile);
//! - `provisioning`: skipped (provisioning migrates a new tenant to the latest version of its
//!   own migrator), as is a tenant created after the run started, which the run does not list;
//! - `moving`: skipped and reported — the move prepares its target at the source's version;
//! - `deleted`, or dropped during the run (its schema is gone when its turn comes): skipped
//!   and reported. Dropping a tenant schema takes the target's lock, so a schema is never
//!   dropped while it is being migrated; a search path naming a missing schema never sends a
//!   tenant's migrations to the shared schema.

use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::future::BoxFuture;
use futures_util::stream::{self, StreamExt};
use sea_orm_migration::MigratorTrait;
use sea_orm_migration::prelude::MigrationTrait;
use sea_orm_migration::sea_orm::{
    ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr, Statement,
    TransactionTrait,
};
use tenantry::placement::{Directory, Placement, Servers, TableDirectory, TenantState};
use tenantry::sql::quote_literal;

use crate::connect::connect_with as connect;
use crate::error::{Error, Result};

mod ledger;

pub use ledger::{LedgerRow, RUNS_TABLE, TargetStatus};

type UpFn = for<'a> fn(&'a DatabaseTransaction) -> BoxFuture<'a, std::result::Result<(), DbErr>>;
type UpConnFn = for<'a> fn(&'a DatabaseConnection) -> BoxFuture<'a, std::result::Result<(), DbErr>>;
type DownFn =
    for<'a> fn(&'a DatabaseTransaction, u32) -> BoxFuture<'a, std::result::Result<(), DbErr>>;
type DownConnFn =
    for<'a> fn(&'a DatabaseConnection, u32) -> BoxFuture<'a, std::result::Result<(), DbErr>>;

/// One migrator, as the runner (and provisioning) calls it.
#[derive(Clone, Copy)]
pub(crate) struct Migrations {
    list: fn() -> Vec<Box<dyn MigrationTrait>>,
    up: UpFn,
    pub(crate) up_conn: UpConnFn,
    down: DownFn,
    down_conn: DownConnFn,
}

impl std::fmt::Debug for Migrations {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Migrations").finish_non_exhaustive()
    }
}

impl Migrations {
    pub(crate) fn of<M: MigratorTrait + 'static>() -> Self {
        Self {
            list: M::migrations,
            up: |txn| Box::pin(M::up(txn, None)),
            up_conn: |db| Box::pin(M::up(db, None)),
            down: |txn, steps| Box::pin(M::down(txn, Some(steps))),
            down_conn: |db, steps| Box::pin(M::down(db, Some(steps))),
        }
    }

    fn names(&self) -> Vec<String> {
        (self.list)().iter().map(|m| m.name().to_owned()).collect()
    }

    /// Whether every one of `names` may run inside the target's transaction.
    fn transactional(&self, names: &[String]) -> bool {
        (self.list)()
            .iter()
            .filter(|m| names.iter().any(|p| p == m.name()))
            .all(|m| m.use_transaction() != Some(false))
    }

    /// The migrations `operation` would run on a target where `applied` are applied: the
    /// pending ones for `up`, the last `n` applied for `down(n)`.
    fn selected(&self, operation: Operation, applied: &[String]) -> Vec<String> {
        match operation {
            Operation::Up => self
                .names()
                .into_iter()
                .filter(|n| !applied.contains(n))
                .collect(),
            Operation::Down(n) => applied
                .iter()
                .rev()
                .take(usize::try_from(n).unwrap_or(usize::MAX))
                .cloned()
                .collect(),
        }
    }
}

/// What a target is.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum TargetKind {
    /// The control database's shared schema.
    Control,
    /// A tenant schema of the control database.
    Schema {
        /// The schema.
        schema: String,
    },
    /// A tenant database.
    Database {
        /// The server.
        server: String,
        /// The database.
        database: String,
    },
}

/// One place migrations run in.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub struct Target {
    /// `control`, `schema:NAME` or `database:SERVER/DB`: the ledger's key.
    pub name: String,
    /// What it is.
    pub kind: TargetKind,
    /// The tenants whose rows it holds (none listed for the control database).
    pub tenants: Vec<String>,
    /// Why it is skipped, when it is (a tenant being moved or provisioned).
    pub skip: Option<String>,
}

/// `up` or `down`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Operation {
    /// Apply every pending migration.
    Up,
    /// Revert the last `n` applied migrations of each target.
    Down(u32),
}

impl Operation {
    fn as_str(self) -> &'static str {
        match self {
            Self::Up => "up",
            Self::Down(_) => "down",
        }
    }
}

/// How a run goes.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct RunOptions {
    /// `up` or `down`.
    pub operation: Operation,
    /// Targets migrated at once (default 4).
    pub jobs: usize,
    /// The first `n` tenant targets run first, one by one; the run stops if one fails.
    pub canary: usize,
    /// These tenants' targets run first, one by one, as canaries.
    pub canary_tenants: Vec<String>,
    /// Continue the last run: only its targets that are not `done`.
    pub resume: bool,
    /// `lock_timeout` inside each target's transaction (default 10 s).
    pub lock_timeout: Duration,
}

impl Default for RunOptions {
    fn default() -> Self {
        Self {
            operation: Operation::Up,
            jobs: 4,
            canary: 0,
            canary_tenants: Vec::new(),
            resume: false,
            lock_timeout: Duration::from_secs(10),
        }
    }
}

/// What a run will do: from [`Runner::plan`], for [`Runner::execute`].
#[derive(Clone, Debug, serde::Serialize)]
#[non_exhaustive]
pub struct Plan {
    /// The run's id: new, or the resumed run's.
    pub run: String,
    /// `up` or `down` (resuming: the resumed run's).
    pub operation: Operation,
    /// Whether it continues an earlier run.
    pub resumed: bool,
    /// The targets to run.
    pub targets: Vec<Target>,
    /// Targets of the resumed run that are no longer in the directory: recorded as skipped.
    pub gone: Vec<String>,
}

impl Plan {
    /// The targets this plan will record: those it runs and those gone.
    pub fn len(&self) -> usize {
        self.targets.len() + self.gone.len()
    }

    /// Whether it records nothing.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// What a run did.
#[derive(Clone, Debug, serde::Serialize)]
#[non_exhaustive]
pub struct RunReport {
    /// The run's id (the ledger's `run`).
    pub run: String,
    /// Whether this call continued an earlier run.
    pub resumed: bool,
    /// The targets this call ran (or skipped), in the order they finished; resuming, the
    /// run's other targets were done before.
    pub ran: Vec<String>,
    /// Every target's row in the run's ledger (resuming, those done before too).
    pub targets: Vec<LedgerRow>,
    /// Wall time.
    pub duration_ms: u128,
}

impl RunReport {
    /// Targets in `status`.
    pub fn count(&self, status: TargetStatus) -> usize {
        self.targets.iter().filter(|t| t.status == status).count()
    }

    /// Whether every target is `done` (or was skipped for a documented reason other than a
    /// failed canary).
    pub fn succeeded(&self) -> bool {
        self.count(TargetStatus::Failed) == 0
            && self.count(TargetStatus::Pending) == 0
            && self.count(TargetStatus::Running) == 0
            && self.targets.iter().all(|t| {
                t.status != TargetStatus::Skipped || t.error.as_deref() != Some(CANARY_FAILED)
            })
    }
}

const CANARY_FAILED: &str = "not run: a canary failed";
const LEFT_DIRECTORY: &str = "not run: its tenants have left the directory since the run began";
const DROPPED_DURING_RUN: &str = "not run: the tenant was dropped or moved during the run";

/// One target's state, for `status`.
#[derive(Clone, Debug, serde::Serialize)]
#[non_exhaustive]
pub struct TargetState {
    /// The target.
    pub target: Target,
    /// Migrations applied, in order.
    pub applied: Vec<String>,
    /// Migrations of the migrator not applied.
    pub pending: Vec<String>,
    /// Applied migrations the migrator does not know (the target is ahead, or drifted).
    pub unknown: Vec<String>,
}

/// Runs the app's migrators across every target; see the [module docs](self).
#[derive(Debug)]
pub struct Runner {
    control_url: String,
    control: DatabaseConnection,
    directory: Arc<dyn Directory>,
    servers: Servers,
    control_m: Migrations,
    schema_m: Migrations,
    database_m: Migrations,
    shared_schema: String,
}

fn pg(sql: impl Into<String>) -> Statement {
    Statement::from_string(DbBackend::Postgres, sql.into())
}

impl Runner {
    /// A runner with `C` for the control database, `S` for tenant schemas, `D` for tenant
    /// databases, on the control database at `control_url` (its directory in
    /// `tenantry_tenants`) and `servers` for tenant databases, connecting with `jobs`
    /// connections to the control database.
    pub async fn connect<C, S, D>(control_url: &str, servers: Servers, jobs: usize) -> Result<Self>
    where
        C: MigratorTrait + 'static,
        S: MigratorTrait + 'static,
        D: MigratorTrait + 'static,
    {
        Self::with_migrations(
            control_url,
            servers,
            jobs,
            [
                Migrations::of::<C>(),
                Migrations::of::<S>(),
                Migrations::of::<D>(),
            ],
        )
        .await
    }

    /// [`connect`](Self::connect) with the migrators already erased.
    pub(crate) async fn with_migrations(
        control_url: &str,
        servers: Servers,
        jobs: usize,
        [control_m, schema_m, database_m]: [Migrations; 3],
    ) -> Result<Self> {
        let servers = if servers.has_control() {
            servers
        } else {
            servers.with_control(control_url)?
        };
        let max = u32::try_from(jobs.max(1) + 1).unwrap_or(u32::MAX);
        let control = connect(control_url, max, None).await?;
        if control.get_database_backend() != DbBackend::Postgres {
            return Err(Error::Unsupported {
                backend: "this backend",
                what: "run migrations across tenant targets".into(),
                hint: "the runner needs a PostgreSQL control database".into(),
            });
        }
        ledger::install(&control).await?;
        Ok(Self {
            control_url: control_url.to_owned(),
            directory: Arc::new(TableDirectory::new(control.clone())),
            control,
            servers,
            control_m,
            schema_m,
            database_m,
            shared_schema: "public".to_owned(),
        })
    }

    /// Uses `directory` instead of the control database's table.
    pub fn with_directory(mut self, directory: Arc<dyn Directory>) -> Self {
        self.directory = directory;
        self
    }

    /// Every target: the control database first, then tenant schemas and tenant databases,
    /// by name.
    pub async fn targets(&self) -> Result<Vec<Target>> {
        let mut targets = vec![Target {
            name: "control".into(),
            kind: TargetKind::Control,
            tenants: Vec::new(),
            skip: None,
        }];
        let mut others: Vec<Target> = Vec::new();
        for record in self.directory.list().await? {
            let Some((name, kind)) = target_of(&record.placement) else {
                continue;
            };
            let skip = match record.state {
                TenantState::Moving => Some("tenant is being moved".to_owned()),
                TenantState::Provisioning => {
                    Some("tenant is being provisioned (provisioning migrates it)".to_owned())
                }
                TenantState::Deleted => Some("tenant is deleted".to_owned()),
                _ => None,
            };
            match others.iter_mut().find(|t| t.name == name) {
                Some(t) => t.tenants.push(record.tenant.to_string()),
                None => others.push(Target {
                    name,
                    kind,
                    tenants: vec![record.tenant.to_string()],
                    skip,
                }),
            }
        }
        others.sort_by(|a, b| a.name.cmp(&b.name));
        targets.extend(others);
        Ok(targets)
    }

    fn migrations(&self, kind: &TargetKind) -> Migrations {
        match kind {
            TargetKind::Control => self.control_m,
            TargetKind::Schema { .. } => self.schema_m,
            TargetKind::Database { .. } => self.database_m,
        }
    }

    fn search_path(&self, kind: &TargetKind) -> Option<String> {
        match kind {
            TargetKind::Schema { schema } => Some(format!("{schema},{}", self.shared_schema)),
            _ => None,
        }
    }

    /// A connection to the target's database: the control pool, or a pool of the tenant
    /// database (closed by the caller).
    async fn open(&self, kind: &TargetKind) -> Result<(DatabaseConnection, bool)> {
        match kind {
            TargetKind::Database { server, database } => Ok((
                connect(&self.servers.database_url(server, database)?, 1, None).await?,
                true,
            )),
            _ => Ok((self.control.clone(), false)),
        }
    }

    /// The migrations applied on a target, read from its ledger (none when it has no ledger).
    async fn applied(&self, db: &impl ConnectionTrait, kind: &TargetKind) -> Result<Vec<String>> {
        let table = match kind {
            TargetKind::Schema { schema } => {
                tenantry::sql::QualifiedName::qualified(schema.as_str(), "seaql_migrations")
            }
            _ => tenantry::sql::QualifiedName::qualified(
                self.shared_schema.as_str(),
                "seaql_migrations",
            ),
        };
        let exists = db
            .query_one_raw(pg(format!(
                "SELECT pg_catalog.to_regclass({}) IS NOT NULL AS e",
                quote_literal(&table.to_sql())
            )))
            .await?
            .map(|r| r.try_get::<bool>("", "e"))
            .transpose()?
            .unwrap_or(false);
        if !exists {
            return Ok(Vec::new());
        }
        db.query_all_raw(pg(format!(
            "SELECT version FROM {} ORDER BY version",
            table.to_sql()
        )))
        .await?
        .iter()
        .map(|r| Ok(r.try_get::<String>("", "version")?))
        .collect()
    }

    /// Every target's applied, pending and unknown migrations (read-only).
    pub async fn status(&self) -> Result<Vec<TargetState>> {
        let mut out = Vec::new();
        for target in self.targets().await? {
            let (db, own) = self.open(&target.kind).await?;
            let applied = self.applied(&db, &target.kind).await;
            if own {
                let _ = db.close().await;
            }
            let applied = applied?;
            let names = self.migrations(&target.kind).names();
            let pending = names
                .iter()
                .filter(|n| !applied.contains(n))
                .cloned()
                .collect();
            let unknown = applied
                .iter()
                .filter(|a| !names.contains(a))
                .cloned()
                .collect();
            out.push(TargetState {
                target,
                applied,
                pending,
                unknown,
            });
        }
        Ok(out)
    }

    /// What a run with `options` would do: a new run over every target, or — resuming — the
    /// last run's targets that are not `done`. Records nothing; [`execute`](Self::execute)
    /// runs it.
    pub async fn plan(&self, options: &RunOptions) -> Result<Plan> {
        let all = self.targets().await?;
        if !options.resume {
            return Ok(Plan {
                run: uuid::Uuid::new_v4().to_string(),
                operation: options.operation,
                resumed: false,
                targets: all,
                gone: Vec::new(),
            });
        }
        let Some((run, operation, steps)) = ledger::last_run(&self.control).await? else {
            return Err(Error::Unsupported {
                backend: "tenants migrate",
                what: "resume".into(),
                hint: "there is no earlier run".into(),
            });
        };
        let open: Vec<String> = ledger::rows(&self.control, &run)
            .await?
            .into_iter()
            .filter(|r| r.status != TargetStatus::Done)
            .map(|r| r.target)
            .collect();
        let gone = open
            .iter()
            .filter(|name| !all.iter().any(|t| t.name == **name))
            .cloned()
            .collect();
        let targets = all.into_iter().filter(|t| open.contains(&t.name)).collect();
        // The run's own operation, whatever this call asked for.
        let operation = if operation == "down" {
            Operation::Down(steps.and_then(|n| u32::try_from(n).ok()).unwrap_or(1))
        } else {
            Operation::Up
        };
        Ok(Plan {
            run,
            operation,
            resumed: true,
            targets,
            gone,
        })
    }

    /// Runs `options.operation` on every target (or, resuming, on the last run's targets
    /// that are not done), recording each in the run ledger: [`plan`](Self::plan), then
    /// [`execute`](Self::execute). `progress` is called after each target.
    pub async fn run(
        &self,
        options: &RunOptions,
        progress: &(dyn Fn(&LedgerRow) + Sync),
    ) -> Result<RunReport> {
        let plan = self.plan(options).await?;
        self.execute(&plan, options, progress).await
    }

    /// Runs `plan` (canaries first, one by one, then the rest `options.jobs` at a time),
    /// recording each target in the run ledger; `progress` is called after each target.
    pub async fn execute(
        &self,
        plan: &Plan,
        options: &RunOptions,
        progress: &(dyn Fn(&LedgerRow) + Sync),
    ) -> Result<RunReport> {
        let started = Instant::now();
        let (run, operation) = (plan.run.clone(), plan.operation);
        let steps = match operation {
            Operation::Down(n) => Some(n),
            Operation::Up => None,
        };
        let names: Vec<String> = plan.targets.iter().map(|t| t.name.clone()).collect();
        ledger::add(&self.control, &run, &names, operation.as_str(), steps).await?;
        let ran = std::sync::Mutex::new(Vec::new());
        let progress = |row: &LedgerRow| {
            if let Ok(mut ran) = ran.lock() {
                ran.push(row.target.clone());
            }
            progress(row);
        };
        // Targets of an earlier run whose tenants have left the directory since.
        for name in &plan.gone {
            let mut row = LedgerRow::new(&run, name, operation.as_str());
            row.status = TargetStatus::Skipped;
            row.error = Some(LEFT_DIRECTORY.into());
            ledger::finish(&self.control, &row).await?;
            progress(&row);
        }
        let targets = plan.targets.clone();
        // Canaries first, one by one.
        let (canaries, rest): (Vec<Target>, Vec<Target>) = {
            let mut canaries = Vec::new();
            let mut rest = Vec::new();
            let mut picked = 0;
            for t in targets {
                let named = t
                    .tenants
                    .iter()
                    .any(|id| options.canary_tenants.contains(id));
                let by_count = t.kind != TargetKind::Control && picked < options.canary;
                if named || by_count {
                    if by_count && !named {
                        picked += 1;
                    }
                    canaries.push(t);
                } else {
                    rest.push(t);
                }
            }
            (canaries, rest)
        };
        let mut canary_failed = false;
        for t in &canaries {
            let row = self.run_target(&run, t, operation, options).await?;
            canary_failed |= row.status == TargetStatus::Failed;
            progress(&row);
        }
        if canary_failed {
            for t in &rest {
                let mut row = LedgerRow::new(&run, &t.name, operation.as_str());
                row.status = TargetStatus::Skipped;
                row.error = Some(CANARY_FAILED.into());
                ledger::finish(&self.control, &row).await?;
                progress(&row);
            }
        } else {
            // The futures are made before they enter the stream (not by a closure inside it),
            // so that the run's future is `Send` and can be spawned.
            let runs: Vec<_> = rest
                .iter()
                .map(|t| self.run_target(&run, t, operation, options))
                .collect();
            let results: Vec<Result<LedgerRow>> = stream::iter(runs)
                .buffer_unordered(options.jobs.max(1))
                .inspect(|r| {
                    if let Ok(row) = r {
                        progress(row);
                    }
                })
                .collect()
                .await;
            for r in results {
                r?;
            }
        }
        Ok(RunReport {
            targets: ledger::rows(&self.control, &run).await?,
            run,
            resumed: plan.resumed,
            ran: ran.into_inner().unwrap_or_default(),
            duration_ms: started.elapsed().as_millis(),
        })
    }

    /// Runs one target and records it; a failure of the target is recorded, not returned (an
    /// error is returned only when the ledger itself cannot be written).
    async fn run_target(
        &self,
        run: &str,
        target: &Target,
        operation: Operation,
        options: &RunOptions,
    ) -> Result<LedgerRow> {
        let mut row = LedgerRow::new(run, &target.name, operation.as_str());
        if let Some(why) = &target.skip {
            row.status = TargetStatus::Skipped;
            row.error = Some(why.clone());
            ledger::finish(&self.control, &row).await?;
            return Ok(row);
        }
        ledger::start(&self.control, run, &target.name).await?;
        let started = Instant::now();
        let outcome = self.migrate(target, operation, options, &mut row).await;
        row.duration_ms = Some(i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX));
        match outcome {
            Ok(()) => {}
            Err(Error::TargetMissing { .. }) if self.abandoned(target).await? => {
                row.status = TargetStatus::Skipped;
                row.error = Some(DROPPED_DURING_RUN.into());
            }
            Err(e) => {
                row.status = TargetStatus::Failed;
                row.error = Some(e.to_string());
            }
        }
        tracing::info!(
            target: "tenantry::migrate",
            run,
            target = %target.name,
            status = %row.status,
            applied = row.applied,
            before = row.version_before.as_deref().unwrap_or(""),
            after = row.version_after.as_deref().unwrap_or(""),
            duration_ms = row.duration_ms,
            error = row.error.as_deref().unwrap_or(""),
            "target migrated"
        );
        ledger::finish(&self.control, &row).await?;
        Ok(row)
    }

    async fn migrate(
        &self,
        target: &Target,
        operation: Operation,
        options: &RunOptions,
        row: &mut LedgerRow,
    ) -> Result<()> {
        let migrations = self.migrations(&target.kind);
        let (db, own) = self.open(&target.kind).await?;
        let result = async {
            // When some migration cannot run in a transaction, the applied ones are read
            // outside the lock to choose the path; they are read again under the lock.
            let transactional = migrations.transactional(&migrations.names()) || {
                let seen = self.applied(&db, &target.kind).await?;
                migrations.transactional(&migrations.selected(operation, &seen))
            };
            row.transactional = Some(transactional);
            if transactional {
                let txn = db.begin().await?;
                // One simple query: the search path, the lock timeout, the target's lock.
                let mut setup = vec![
                    format!(
                        "SET LOCAL lock_timeout = '{}ms'",
                        options.lock_timeout.as_millis()
                    ),
                    lock_target_sql(&target.name, true),
                ];
                if let TargetKind::Schema { schema } = &target.kind {
                    setup.insert(
                        0,
                        format!(
                            "SET LOCAL search_path = {}, {}",
                            tenantry::sql::quote_ident(schema),
                            tenantry::sql::quote_ident(&self.shared_schema)
                        ),
                    );
                }
                txn.execute_unprepared(&setup.join("; ")).await?;
                self.check_exists(&txn, target).await?;
                let before = self.applied(&txn, &target.kind).await?;
                row.version_before = before.last().cloned();
                match operation {
                    Operation::Up => (migrations.up)(&txn).await?,
                    Operation::Down(n) => (migrations.down)(&txn, n).await?,
                }
                let after = self.applied(&txn, &target.kind).await?;
                txn.commit().await?;
                row.version_after = after.last().cloned();
                row.applied = i64::try_from(after.len().abs_diff(before.len())).unwrap_or(0);
            } else {
                // Migration by migration, as sea-orm-migration runs them, on a connection of
                // its own holding a session-level lock for the target.
                let url = match &target.kind {
                    TargetKind::Database { server, database } => {
                        self.servers.database_url(server, database)?
                    }
                    _ => self.control_url.clone(),
                };
                let conn = connect(&url, 1, self.search_path(&target.kind)).await?;
                let locked = async {
                    conn.execute_raw(pg(lock_target_sql(&target.name, false)))
                        .await?;
                    self.check_exists(&conn, target).await?;
                    let before = self.applied(&conn, &target.kind).await?;
                    row.version_before = before.last().cloned();
                    match operation {
                        Operation::Up => (migrations.up_conn)(&conn).await?,
                        Operation::Down(n) => (migrations.down_conn)(&conn, n).await?,
                    }
                    let after = self.applied(&conn, &target.kind).await?;
                    row.version_after = after.last().cloned();
                    row.applied = i64::try_from(after.len().abs_diff(before.len())).unwrap_or(0);
                    Ok::<(), Error>(())
                }
                .await;
                let _ = conn.close().await;
                locked?;
            }
            Ok::<(), Error>(())
        }
        .await;
        if own {
            let _ = db.close().await;
        }
        result
    }

    /// Fails with [`Error::TargetMissing`] when a schema target's schema is gone (its tenant
    /// was dropped or moved after the run listed it): on a search path naming a missing schema,
    /// the migrations would otherwise land in the shared schema. Called under the target's
    /// lock, which dropping a tenant schema takes too.
    async fn check_exists(&self, db: &impl ConnectionTrait, target: &Target) -> Result<()> {
        let TargetKind::Schema { schema } = &target.kind else {
            return Ok(());
        };
        if crate::connect::exists(db, crate::connect::SCHEMA_EXISTS, schema).await? {
            Ok(())
        } else {
            Err(Error::TargetMissing {
                target: target.name.clone(),
            })
        }
    }

    /// Whether none of the target's tenants is placed on it any more (each dropped, deleted,
    /// or placed elsewhere).
    async fn abandoned(&self, target: &Target) -> Result<bool> {
        Ok(!self.directory.list().await?.iter().any(|record| {
            record.state != TenantState::Deleted
                && target.tenants.contains(&record.tenant.to_string())
                && target_of(&record.placement).is_some_and(|(name, _)| name == target.name)
        }))
    }
}

/// The target a placement's rows live in, with its ledger name; none for `Shared` (the
/// control database's target holds those).
fn target_of(placement: &Placement) -> Option<(String, TargetKind)> {
    match placement {
        Placement::Schema { schema } => Some((
            format!("schema:{schema}"),
            TargetKind::Schema {
                schema: schema.clone(),
            },
        )),
        Placement::Database { server, database } => Some((
            format!("database:{server}/{database}"),
            TargetKind::Database {
                server: server.clone(),
                database: database.clone(),
            },
        )),
        _ => None,
    }
}

/// The statement taking the advisory lock of the target named `target` (its ledger name):
/// for the transaction when `xact`, else for the session. Dropping a tenant schema takes it
/// too, so a schema is never dropped while a runner migrates it.
pub(crate) fn lock_target_sql(target: &str, xact: bool) -> String {
    format!(
        "SELECT pg_advisory{}_lock(hashtext({}))",
        if xact { "_xact" } else { "" },
        quote_literal(&format!("tenantry.migrate:{target}"))
    )
}
