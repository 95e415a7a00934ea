//! Moving a tenant between placements while the app keeps serving it (PostgreSQL).
//!
//! A move is a state machine recorded in `tenantry_moves` (one row per tenant) in the control
//! database, with the tenant `moving` in the directory meanwhile. Every step can run again:
//! [`Provisioner::move_tenant`] resumes a move that stopped, [`Provisioner::abort_move`] undoes
//! one that has not flipped (the tenant stays where it was, serving throughout).
//!
//! 1. **prepare**: the target is provisioned (schema or database with the tenant migrations,
//!    reference data, fences; the shared tables are there already) and must have the source's
//!    tables and columns; change capture is installed on the source tables (triggers logging
//!    the keys of the tenant's rows written from now on);
//! 2. **copy**: the tenant's rows, table by table parents first, from one `REPEATABLE READ`
//!    snapshot of the source, streamed with binary `COPY` (bounded memory);
//! 3. **catch up**: the logged changes applied from the source's current rows, round after
//!    round while the app writes;
//! 4. **fence** (the tenant's fence lock on the source, exclusively: in-flight transactions
//!    finish, new ones wait — see [`tenantry::placement::fence`]), the last changes caught up;
//! 5. **verify**: per table, row count and checksum on both sides; any difference refuses
//!    the flip;
//! 6. **sequences** on the target set at or above the source's;
//! 7. **flip**: the source fenced for good (`tenantry_fences`), the directory placement
//!    changed (version bumped), the fence released after [`FLIP_GRACE`];
//! 8. **cleanup** ([`Provisioner::cleanup_move`]): the source rows, schema or database
//!    removed, on command, never before the flip.
//!
//! The same machinery exports a tenant to files and imports it again ([`export`]), and
//! erases it ([`erase`]).

mod data;
pub mod erase;
pub mod export;

use std::time::{Duration, Instant};

use sea_orm_migration::sea_orm::sqlx;
use sea_orm_migration::sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};
use tenantry::TenantId;
use tenantry::placement::fence::{self, FLIP_GRACE};
use tenantry::placement::{Placement, TenantState};
use tenantry::sql::{QualifiedName, quote_literal};

use crate::connect::{DATABASE_EXISTS, SCHEMA_EXISTS, connect_with, exists};
use crate::error::{Error, Result};
use crate::tenants::{Made, Provisioner, connect, exec};

/// Connections of each side's pool during a move.
const SIDE_POOL: u32 = 4;

pub use data::LOG_TABLE;

/// The moves table in the control database.
pub const MOVES_TABLE: &str = "tenantry_moves";

/// Where a move is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum MovePhase {
    /// Provisioning the target, installing change capture.
    Prepare,
    /// Copying the rows from one snapshot.
    Copy,
    /// Applying the changes made since.
    CatchUp,
    /// The directory points at the target; the source awaits cleanup.
    Flipped,
    /// The source was removed.
    Cleaned,
    /// Undone before the flip: the tenant stayed where it was.
    Aborted,
}

impl MovePhase {
    /// The name stored in the moves table.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Prepare => "prepare",
            Self::Copy => "copy",
            Self::CatchUp => "catch_up",
            Self::Flipped => "flipped",
            Self::Cleaned => "cleaned",
            Self::Aborted => "aborted",
        }
    }

    fn parse(s: &str) -> Self {
        match s {
            "copy" => Self::Copy,
            "catch_up" => Self::CatchUp,
            "flipped" => Self::Flipped,
            "cleaned" => Self::Cleaned,
            "aborted" => Self::Aborted,
            _ => Self::Prepare,
        }
    }

    /// Whether the move is over (flipped, cleaned or aborted).
    pub fn finished(self) -> bool {
        matches!(self, Self::Flipped | Self::Cleaned | Self::Aborted)
    }
}

impl std::fmt::Display for MovePhase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How a move goes.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct MoveOptions {
    /// How long the fence waits for the tenant's in-flight transactions (default 5 s); the
    /// move fails (and can be resumed) when they take longer.
    pub fence_timeout: Duration,
    /// Catch-up rounds before fencing (default 8): each applies the changes logged meanwhile.
    pub catch_up_rounds: usize,
    /// Fence once a round applies fewer changes than this (default 1,000).
    pub fence_below: u64,
    /// Log entries applied per catch-up transaction (default 10,000).
    pub batch: usize,
}

impl Default for MoveOptions {
    fn default() -> Self {
        Self {
            fence_timeout: Duration::from_secs(5),
            catch_up_rounds: 8,
            fence_below: 1_000,
            batch: 10_000,
        }
    }
}

/// One table's outcome.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub struct TableReport {
    /// The table.
    pub table: String,
    /// Rows of the tenant on the target after the flip (equal on the source).
    pub rows: i64,
    /// The order-independent checksum on both sides.
    pub checksum: String,
}

/// What a move did.
#[derive(Clone, Debug, serde::Serialize)]
#[non_exhaustive]
pub struct MoveReport {
    /// The tenant.
    pub tenant: String,
    /// The move's id.
    pub id: String,
    /// Where it was.
    pub source: String,
    /// Where it is.
    pub target: String,
    /// Per table, parents first.
    pub tables: Vec<TableReport>,
    /// Rows copied from the snapshot.
    pub copied: u64,
    /// How long the copy from the snapshot took, in milliseconds.
    pub copy_ms: u128,
    /// Change-log entries applied while catching up.
    pub caught_up: u64,
    /// Sequences set on the target.
    pub sequences: usize,
    /// How long the tenant's writes were fenced, in milliseconds.
    pub fence_ms: u128,
    /// The whole move, in milliseconds.
    pub duration_ms: u128,
}

/// A move as the moves table records it.
#[derive(Clone, Debug, serde::Serialize)]
#[non_exhaustive]
pub struct MoveStatus {
    /// The tenant.
    pub tenant: String,
    /// The move's id.
    pub id: String,
    /// Where the tenant was.
    pub source: String,
    /// Where it goes.
    pub target: String,
    /// Where the move is.
    pub phase: MovePhase,
    /// The tenant's state before the move, restored after it.
    pub prior_state: String,
    /// The last error, when a step failed.
    pub error: Option<String>,
    /// The report of a flipped move.
    pub report: Option<serde_json::Value>,
}

/// What a move reports while it runs.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct MoveProgress {
    /// The phase.
    pub phase: MovePhase,
    /// What happened (`copied orders`, `caught up 120 changes`…).
    pub message: String,
    /// Rows so far.
    pub rows: u64,
}

/// One side of a move: a database, and the schema of the tenant's tables in it.
struct Side {
    placement: Placement,
    db: DatabaseConnection,
    own: bool,
    schema: String,
}

impl Side {
    async fn close(self) {
        if self.own {
            let _ = self.db.close().await;
        }
    }
}

fn pg(sql: impl Into<String>) -> Statement {
    Statement::from_string(DbBackend::Postgres, sql.into())
}

impl Provisioner {
    async fn moves_table(&self) -> Result<()> {
        exec(
            &self.control,
            &format!(
                "CREATE TABLE IF NOT EXISTS {MOVES_TABLE} (\
                 tenant text PRIMARY KEY, id uuid NOT NULL, source text NOT NULL, \
                 target text NOT NULL, phase text NOT NULL, prior_state text NOT NULL, \
                 started_at timestamptz NOT NULL DEFAULT now(), \
                 updated_at timestamptz NOT NULL DEFAULT now(), report jsonb, error text)"
            ),
        )
        .await
    }

    /// The tenant's last move, if any.
    pub async fn move_status(&self, tenant: impl Into<TenantId>) -> Result<Option<MoveStatus>> {
        self.moves_table().await?;
        let tenant = tenant.into();
        let row = self
            .control
            .query_one_raw(Statement::from_sql_and_values(
                DbBackend::Postgres,
                format!(
                    "SELECT id::text AS id, source, target, phase, prior_state, error, \
                     report::text AS report FROM {MOVES_TABLE} WHERE tenant = $1"
                ),
                [tenant.to_string().into()],
            ))
            .await?;
        let Some(r) = row else {
            return Ok(None);
        };
        Ok(Some(MoveStatus {
            tenant: tenant.to_string(),
            id: r.try_get("", "id")?,
            source: r.try_get("", "source")?,
            target: r.try_get("", "target")?,
            phase: MovePhase::parse(&r.try_get::<String>("", "phase")?),
            prior_state: r.try_get("", "prior_state")?,
            error: r.try_get("", "error")?,
            report: r
                .try_get::<Option<String>>("", "report")?
                .and_then(|s| serde_json::from_str(&s).ok()),
        }))
    }

    async fn set_phase(&self, tenant: &TenantId, phase: MovePhase) -> Result<()> {
        self.control
            .execute_raw(Statement::from_sql_and_values(
                DbBackend::Postgres,
                format!(
                    "UPDATE {MOVES_TABLE} SET phase = $2, error = NULL, updated_at = now() \
                     WHERE tenant = $1"
                ),
                [tenant.to_string().into(), phase.as_str().into()],
            ))
            .await?;
        tracing::info!(target: "tenantry::move", tenant = %tenant, phase = %phase, "move phase");
        Ok(())
    }

    async fn record_error(&self, tenant: &TenantId, error: &Error) {
        let _ = self
            .control
            .execute_raw(Statement::from_sql_and_values(
                DbBackend::Postgres,
                format!(
                    "UPDATE {MOVES_TABLE} SET error = $2, updated_at = now() WHERE tenant = $1"
                ),
                [tenant.to_string().into(), error.to_string().into()],
            ))
            .await;
        tracing::warn!(target: "tenantry::move", tenant = %tenant, error = %error, "move step failed");
    }

    async fn side(&self, placement: &Placement) -> Result<Side> {
        Ok(match placement {
            // A pool of its own: the fence holds one connection while the catch-up, the
            // checksums and the other side use more.
            Placement::Shared => Side {
                placement: placement.clone(),
                db: connect_with(&self.control_url, SIDE_POOL, None).await?,
                own: true,
                schema: self.config.shared_schema.clone(),
            },
            Placement::Schema { schema } => Side {
                placement: placement.clone(),
                db: connect_with(&self.control_url, SIDE_POOL, None).await?,
                own: true,
                schema: schema.clone(),
            },
            Placement::Database { server, database } => Side {
                placement: placement.clone(),
                db: connect_with(
                    &self.servers.database_url(server, database)?,
                    SIDE_POOL,
                    None,
                )
                .await?,
                own: true,
                schema: self.config.shared_schema.clone(),
            },
            _ => {
                return Err(tenantry::Error::PlacementUnsupported {
                    placement: placement.kind().into(),
                    backend: "moves".into(),
                }
                .into());
            }
        })
    }

    /// Moves `tenant` to `to` — or resumes its unfinished move there — while the app keeps
    /// serving it; see the [module docs](crate::moves). Returns the report once the directory
    /// points at `to`; the source stays until [`cleanup_move`](Self::cleanup_move).
    pub async fn move_tenant(
        &self,
        tenant: impl Into<TenantId>,
        to: Placement,
        options: &MoveOptions,
        progress: &(dyn Fn(&MoveProgress) + Sync),
    ) -> Result<MoveReport> {
        let tenant = tenant.into();
        to.check()?;
        self.postgres_only("move tenants")?;
        self.moves_table().await?;
        let started = Instant::now();
        let record = self.show(tenant.clone()).await?;
        let existing = self.move_status(tenant.clone()).await?;
        let (id, source, prior) = match existing {
            Some(m) if !m.phase.finished() => {
                if m.target != to.to_string() {
                    return Err(Error::MoveRefused {
                        why: format!(
                            "a move of tenant `{tenant}` to {} is unfinished; resume it with the \
                             same target, or abort it first",
                            m.target
                        ),
                    });
                }
                let id: uuid::Uuid = m.id.parse().map_err(|_| Error::MoveRefused {
                    why: "the moves table holds a malformed id".into(),
                })?;
                let source: Placement = m.source.parse()?;
                (id, source, TenantState::parse(&m.prior_state)?)
            }
            _ => {
                if record.placement == to {
                    return Err(Error::MoveRefused {
                        why: format!("tenant `{tenant}` is already placed in {to}"),
                    });
                }
                if !matches!(
                    record.state,
                    TenantState::Active | TenantState::ReadOnly | TenantState::Suspended
                ) {
                    return Err(Error::MoveRefused {
                        why: format!("tenant `{tenant}` is {}", record.state),
                    });
                }
                let id = uuid::Uuid::new_v4();
                self.control
                    .execute_raw(Statement::from_sql_and_values(
                        DbBackend::Postgres,
                        format!(
                            "INSERT INTO {MOVES_TABLE} (tenant, id, source, target, phase, prior_state) \
                             VALUES ($1, $2::uuid, $3, $4, 'prepare', $5) \
                             ON CONFLICT (tenant) DO UPDATE SET id = EXCLUDED.id, \
                               source = EXCLUDED.source, target = EXCLUDED.target, \
                               phase = 'prepare', prior_state = EXCLUDED.prior_state, \
                               started_at = now(), updated_at = now(), report = NULL, error = NULL"
                        ),
                        [
                            tenant.to_string().into(),
                            id.to_string().into(),
                            record.placement.to_string().into(),
                            to.to_string().into(),
                            record.state.as_str().into(),
                        ],
                    ))
                    .await?;
                self.directory
                    .set_state(&tenant, TenantState::Moving)
                    .await?;
                tracing::info!(target: "tenantry::move", tenant = %tenant, from = %record.placement, to = %to, "move started");
                (id, record.placement.clone(), record.state)
            }
        };
        let result = self
            .run_move(
                &tenant, &id, &source, &to, prior, options, progress, started,
            )
            .await;
        if let Err(e) = &result {
            self.record_error(&tenant, e).await;
        }
        result
    }

    #[allow(clippy::too_many_arguments)]
    async fn run_move(
        &self,
        tenant: &TenantId,
        id: &uuid::Uuid,
        source: &Placement,
        target: &Placement,
        prior: TenantState,
        options: &MoveOptions,
        progress: &(dyn Fn(&MoveProgress) + Sync),
        started: Instant,
    ) -> Result<MoveReport> {
        let say = |phase: MovePhase, message: String, rows: u64| {
            progress(&MoveProgress {
                phase,
                message,
                rows,
            });
        };
        // A move that stopped after the directory flipped: only its bookkeeping is left.
        if self.show(tenant.clone()).await?.placement == *target {
            return self
                .finish_flipped(tenant, id, source, target, prior, started)
                .await;
        }
        // 1. prepare
        self.set_phase(tenant, MovePhase::Prepare).await?;
        say(MovePhase::Prepare, format!("preparing {target}"), 0);
        self.prepare_target(tenant, target).await?;
        let src = self.side(source).await?;
        let tgt = self.side(target).await?;
        let outcome = async {
            let tables = data::tables(
                &src.db,
                &src.schema,
                &tgt.db,
                &tgt.schema,
                &self.config.tenant_column,
            )
            .await?;
            if tables.is_empty() {
                return Err(Error::MoveRefused {
                    why: format!(
                        "no table with the tenant column `{}` in {source}",
                        self.config.tenant_column
                    ),
                });
            }
            for sql in data::capture_install_sql(&src.schema) {
                exec(&src.db, &sql).await?;
            }
            for t in &tables {
                for sql in data::capture_triggers_sql(t, &src.schema, id, tenant) {
                    exec(&src.db, &sql).await?;
                }
            }
            // 2. copy
            self.set_phase(tenant, MovePhase::Copy).await?;
            let copy_started = Instant::now();
            let copied = data::copy(
                &src.db,
                &tgt.db,
                &tables,
                &self.config.setting,
                tenant,
                &|table, rows| say(MovePhase::Copy, format!("copied {table}"), rows),
            )
            .await?
            .iter()
            .sum::<u64>();
            let copy_ms = copy_started.elapsed().as_millis();
            // 3. catch up
            self.set_phase(tenant, MovePhase::CatchUp).await?;
            let mut caught_up = 0;
            let round = || {
                data::catch_up(
                    &src.db,
                    &src.schema,
                    &tgt.db,
                    &tables,
                    &self.config.setting,
                    tenant,
                    id,
                    options.batch,
                )
            };
            for _ in 0..options.catch_up_rounds {
                let n = round().await?;
                caught_up += n;
                say(
                    MovePhase::CatchUp,
                    format!("caught up {n} changes"),
                    caught_up,
                );
                if n < options.fence_below {
                    break;
                }
            }
            // 4. fence, then the last changes
            let fenced_at = Instant::now();
            let fence_conn = self
                .take_fence(&src, tenant, options.fence_timeout)
                .await
                .map_err(|e| Error::MoveRefused {
                    why: format!(
                        "the tenant's transactions did not finish within the fence timeout ({e}); \
                     resume the move to try again"
                    ),
                })?;
            say(MovePhase::CatchUp, "fenced".into(), caught_up);
            let flipped = async {
                loop {
                    let n = round().await?;
                    caught_up += n;
                    if n == 0 {
                        break;
                    }
                }
                // 5. verify
                let mut reports = Vec::new();
                for t in &tables {
                    let (rows, sum) =
                        data::checksum(&src.db, &t.source, t, &self.config.setting, tenant).await?;
                    let (trows, tsum) =
                        data::checksum(&tgt.db, &t.target, t, &self.config.setting, tenant).await?;
                    if rows != trows || sum != tsum {
                        return Err(Error::MoveRefused {
                            why: format!(
                                "`{}` differs: {rows} rows (checksum {sum}) on the source, \
                                 {trows} rows (checksum {tsum}) on the target; not flipped",
                                t.name()
                            ),
                        });
                    }
                    reports.push(TableReport {
                        table: t.name().to_owned(),
                        rows,
                        checksum: sum,
                    });
                }
                // 6. sequences
                let mut sequences = 0;
                for t in &tables {
                    sequences += data::sequences(&src.db, &tgt.db, t).await?;
                }
                // 7. flip
                self.flip(tenant, &src, &tgt, prior).await?;
                for t in &tables {
                    for sql in data::drop_triggers_sql(&t.source, id) {
                        exec(&src.db, &sql).await?;
                    }
                }
                Ok::<_, Error>((reports, sequences))
            }
            .await;
            if flipped.is_ok() {
                tokio::time::sleep(FLIP_GRACE).await;
            }
            self.release_fence(fence_conn, tenant).await;
            let fence_ms = fenced_at.elapsed().as_millis();
            let (tables, sequences) = flipped?;
            exec(
                &src.db,
                &format!(
                    "DELETE FROM {} WHERE move = {}",
                    QualifiedName::qualified(src.schema.as_str(), LOG_TABLE).to_sql(),
                    quote_literal(&id.to_string())
                ),
            )
            .await?;
            Ok(MoveReport {
                tenant: tenant.to_string(),
                id: id.to_string(),
                source: source.to_string(),
                target: target.to_string(),
                tables,
                copied,
                copy_ms,
                caught_up,
                sequences,
                fence_ms,
                duration_ms: started.elapsed().as_millis(),
            })
        }
        .await;
        src.close().await;
        tgt.close().await;
        let report = outcome?;
        self.record_flipped(tenant, &report).await?;
        tracing::info!(
            target: "tenantry::move",
            tenant = %tenant,
            from = %source,
            to = %target,
            copied = report.copied,
            caught_up = report.caught_up,
            fence_ms = report.fence_ms as u64,
            duration_ms = report.duration_ms as u64,
            "move flipped"
        );
        say(
            MovePhase::Flipped,
            format!("now in {target}"),
            report.copied,
        );
        Ok(report)
    }

    /// Finishes a move whose directory flip is done: the source fenced, the capture removed,
    /// the prior state restored, the move recorded as flipped (its report without the copy's
    /// figures, which the stopped run had).
    async fn finish_flipped(
        &self,
        tenant: &TenantId,
        id: &uuid::Uuid,
        source: &Placement,
        target: &Placement,
        prior: TenantState,
        started: Instant,
    ) -> Result<MoveReport> {
        let src = self.side(source).await?;
        let tgt = self.side(target).await?;
        let finished = async {
            self.flip(tenant, &src, &tgt, prior).await?;
            self.drop_capture(&src, id).await
        }
        .await;
        src.close().await;
        tgt.close().await;
        finished?;
        let report = MoveReport {
            tenant: tenant.to_string(),
            id: id.to_string(),
            source: source.to_string(),
            target: target.to_string(),
            tables: Vec::new(),
            copied: 0,
            copy_ms: 0,
            caught_up: 0,
            sequences: 0,
            fence_ms: 0,
            duration_ms: started.elapsed().as_millis(),
        };
        self.record_flipped(tenant, &report).await?;
        Ok(report)
    }

    /// Drops move `id`'s capture triggers from every table with the tenant column in the
    /// side's schema: what a stopped run may have left, whichever tables it reached.
    async fn drop_capture(&self, side: &Side, id: &uuid::Uuid) -> Result<()> {
        let tables = tenantry::catalog::postgres::tenant_tables(
            &side.db,
            &[self.config.tenant_column.as_str()],
        )
        .await?;
        for t in tables
            .iter()
            .filter(|t| t.name.schema() == Some(side.schema.as_str()))
        {
            for sql in data::drop_triggers_sql(&t.name, id) {
                exec(&side.db, &sql).await?;
            }
        }
        Ok(())
    }

    async fn record_flipped(&self, tenant: &TenantId, report: &MoveReport) -> Result<()> {
        self.control
            .execute_raw(Statement::from_sql_and_values(
                DbBackend::Postgres,
                format!(
                    "UPDATE {MOVES_TABLE} SET phase = 'flipped', report = $2::jsonb, error = NULL, \
                     updated_at = now() WHERE tenant = $1"
                ),
                [
                    tenant.to_string().into(),
                    serde_json::to_string(report).unwrap_or_default().into(),
                ],
            ))
            .await?;
        Ok(())
    }

    /// Provisions the target of a move if it is not there yet; a shared target loses any
    /// rows of the tenant an earlier attempt left.
    async fn prepare_target(&self, tenant: &TenantId, target: &Placement) -> Result<()> {
        match target {
            Placement::Shared => self.delete_shared_rows(tenant).await.map(drop),
            Placement::Schema { schema } => {
                if exists(&self.control, SCHEMA_EXISTS, schema).await? {
                    return Ok(());
                }
                let mut made = Made::default();
                let result = self.create_schema(schema, &mut made).await;
                if result.is_err() {
                    self.undo(made).await;
                }
                result
            }
            Placement::Database { server, database } => {
                let admin = connect(&self.servers.url(server)?, None).await?;
                let there = exists(&admin, DATABASE_EXISTS, database).await;
                let _ = admin.close().await;
                if there? {
                    return Ok(());
                }
                let mut made = Made::default();
                let result = self.create_database(server, database, &mut made).await;
                if result.is_err() {
                    self.undo(made).await;
                }
                result
            }
            other => Err(tenantry::Error::PlacementUnsupported {
                placement: other.kind().into(),
                backend: "moves".into(),
            }
            .into()),
        }
    }

    /// The flip, each step idempotent: the source fenced for good, the target unfenced (a
    /// tenant moving back), the directory placement changed and the prior state restored.
    async fn flip(
        &self,
        tenant: &TenantId,
        src: &Side,
        tgt: &Side,
        prior: TenantState,
    ) -> Result<()> {
        let fences = |schema: &str| QualifiedName::qualified(schema, fence::FENCES_TABLE).to_sql();
        let target_key = fence::placement_key(&tgt.placement);
        self.fence_row(src, tenant, &target_key).await?;
        tgt.db
            .execute_raw(Statement::from_sql_and_values(
                DbBackend::Postgres,
                format!(
                    "DELETE FROM {} WHERE tenant = $1 AND placement = $2",
                    fences(&self.config.shared_schema)
                ),
                [tenant.to_setting().into(), target_key.into()],
            ))
            .await?;
        let record = self.show(tenant.clone()).await?;
        if record.placement != tgt.placement {
            self.directory
                .set_placement(tenant, &tgt.placement, record.version)
                .await?;
        }
        self.directory.set_state(tenant, prior).await?;
        Ok(())
    }

    /// Records on `side` that `tenant` no longer lives in its placement (`moved_to`: where it
    /// went, or `erased`): from then on every tenant transaction there fails with
    /// [`tenantry::Error::PlacementChanged`].
    async fn fence_row(&self, side: &Side, tenant: &TenantId, moved_to: &str) -> Result<()> {
        side.db
            .execute_raw(Statement::from_sql_and_values(
                DbBackend::Postgres,
                format!(
                    "INSERT INTO {} (tenant, placement, moved_to) VALUES ($1, $2, $3) \
                     ON CONFLICT (tenant, placement) DO UPDATE SET moved_to = EXCLUDED.moved_to, \
                     since = now()",
                    QualifiedName::qualified(
                        self.config.shared_schema.as_str(),
                        fence::FENCES_TABLE
                    )
                    .to_sql()
                ),
                [
                    tenant.to_setting().into(),
                    fence::placement_key(&side.placement).into(),
                    moved_to.into(),
                ],
            ))
            .await?;
        Ok(())
    }

    /// Takes the tenant's fence lock on `side` exclusively, waiting up to `timeout` for its
    /// transactions there to finish (new ones wait behind it). The connection holding it is
    /// closed, not returned to the pool, when dropped.
    async fn take_fence(
        &self,
        side: &Side,
        tenant: &TenantId,
        timeout: Duration,
    ) -> Result<sqlx::pool::PoolConnection<sqlx::Postgres>> {
        let mut conn = data::raw(&side.db).await?;
        conn.close_on_drop();
        data::run(
            &mut conn,
            &format!(
                "SET lock_timeout = '{}ms'; SELECT pg_catalog.pg_advisory_lock({})",
                timeout.as_millis(),
                fence::lock_args(tenant)
            ),
        )
        .await?;
        Ok(conn)
    }

    /// Releases what [`take_fence`](Self::take_fence) took.
    async fn release_fence(
        &self,
        mut conn: sqlx::pool::PoolConnection<sqlx::Postgres>,
        tenant: &TenantId,
    ) {
        let _ = data::run(
            &mut conn,
            &format!(
                "SELECT pg_catalog.pg_advisory_unlock({}); RESET lock_timeout",
                fence::lock_args(tenant)
            ),
        )
        .await;
    }

    /// Undoes the tenant's unfinished move: the capture removed, the target dropped (its
    /// schema or database; a shared target's rows of the tenant), the source unfenced, the
    /// tenant's state restored. The tenant stays where it was.
    pub async fn abort_move(&self, tenant: impl Into<TenantId>) -> Result<MoveStatus> {
        let tenant = tenant.into();
        let Some(m) = self.move_status(tenant.clone()).await? else {
            return Err(Error::MoveRefused {
                why: format!("tenant `{tenant}` has no move"),
            });
        };
        if m.phase.finished() {
            return Err(Error::MoveRefused {
                why: format!(
                    "the move of tenant `{tenant}` is {}; a flipped move is undone by moving back",
                    m.phase
                ),
            });
        }
        let source: Placement = m.source.parse()?;
        let target: Placement = m.target.parse()?;
        let id: uuid::Uuid = m.id.parse().map_err(|_| Error::MoveRefused {
            why: "the moves table holds a malformed id".into(),
        })?;
        let record = self.show(tenant.clone()).await?;
        if record.placement == target {
            return Err(Error::MoveRefused {
                why: format!(
                    "tenant `{tenant}` is already placed in {target}; finish the move instead"
                ),
            });
        }
        let src = self.side(&source).await?;
        let undone = async {
            let log = QualifiedName::qualified(src.schema.as_str(), LOG_TABLE);
            self.drop_capture(&src, &id).await?;
            if let Some(row) = src
                .db
                .query_one_raw(pg(format!(
                    "SELECT pg_catalog.to_regclass({}) IS NOT NULL AS e",
                    quote_literal(&log.to_sql())
                )))
                .await?
                && row.try_get::<bool>("", "e")?
            {
                exec(
                    &src.db,
                    &format!(
                        "DELETE FROM {} WHERE move = {}",
                        log.to_sql(),
                        quote_literal(&id.to_string())
                    ),
                )
                .await?;
            }
            src.db
                .execute_raw(Statement::from_sql_and_values(
                    DbBackend::Postgres,
                    format!(
                        "DELETE FROM {} WHERE tenant = $1 AND placement = $2",
                        QualifiedName::qualified(
                            self.config.shared_schema.as_str(),
                            fence::FENCES_TABLE
                        )
                        .to_sql()
                    ),
                    [
                        tenant.to_setting().into(),
                        fence::placement_key(&source).into(),
                    ],
                ))
                .await?;
            Ok::<_, Error>(())
        }
        .await;
        src.close().await;
        undone?;
        self.remove_placement(&tenant, &target, true).await?;
        self.directory
            .set_state(&tenant, TenantState::parse(&m.prior_state)?)
            .await?;
        self.set_phase(&tenant, MovePhase::Aborted).await?;
        tracing::info!(target: "tenantry::move", tenant = %tenant, to = %target, "move aborted");
        self.move_status(tenant)
            .await?
            .ok_or_else(|| Error::MoveRefused {
                why: "the move vanished".into(),
            })
    }

    /// Removes the source of the tenant's flipped move: its rows in the shared tables, its
    /// schema or its database. The fence row stays, so a process with a stale cache is still
    /// turned away.
    pub async fn cleanup_move(&self, tenant: impl Into<TenantId>) -> Result<MoveStatus> {
        let tenant = tenant.into();
        let Some(m) = self.move_status(tenant.clone()).await? else {
            return Err(Error::MoveRefused {
                why: format!("tenant `{tenant}` has no move"),
            });
        };
        if m.phase != MovePhase::Flipped {
            return Err(Error::MoveRefused {
                why: format!(
                    "the move of tenant `{tenant}` is {}; only a flipped move's source is removed",
                    m.phase
                ),
            });
        }
        let source: Placement = m.source.parse()?;
        let record = self.show(tenant.clone()).await?;
        if record.placement == source {
            return Err(Error::MoveRefused {
                why: format!("tenant `{tenant}` is placed in {source} again; nothing to remove"),
            });
        }
        self.remove_placement(&tenant, &source, true).await?;
        self.set_phase(&tenant, MovePhase::Cleaned).await?;
        tracing::info!(target: "tenantry::audit", tenant = %tenant, source = %source, "moved tenant's source removed");
        self.move_status(tenant)
            .await?
            .ok_or_else(|| Error::MoveRefused {
                why: "the move vanished".into(),
            })
    }
}
