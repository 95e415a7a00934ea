//! The migration runner's throughput: the reference app's tenant migrations (create the scoped
//! tables, then Row-Level Security and the tenant indexes) applied to empty tenant schemas of a
//! fleet of 1,000 schema-placed tenants (20 in test mode), in batches of 100 targets (10 in
//! test mode) per measured run, each batch reset (its schemas emptied) before its run.
//!
//! Compared in the same run:
//! - `hand_loop`: what an app writes with plain sea-orm-migration — for each schema in turn, a
//!   transaction with `SET LOCAL search_path`, then `TenantMigrator::up` in it — on one
//!   connection kept for the whole benchmark (warm catalogue caches; the runner opens its
//!   connections for each run);
//! - `runner_jobs_N`: [`Runner`] with `N` targets at once (its ledger row per target, the
//!   advisory lock, the version reads included);
//! - `runner_jobs_1_async_commit`: `--jobs 1` with `synchronous_commit = off` on the database,
//!   to tell how much of a target's time is the commit's fsync.
//!
//! Notes: the whole fleet migrated in one run (full runs only), and the machine's CPU
//! utilisation during one run of each configuration.
#![allow(clippy::unwrap_used, reason = "benchmark: a failure must stop the run")]
#![allow(
    missing_docs,
    reason = "criterion's macros generate undocumented items"
)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{
    BenchmarkId, Criterion, SamplingMode, Throughput, criterion_group, criterion_main,
};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend, Statement,
    TransactionTrait,
};
use sea_orm_migration::MigratorTrait;
use tenantry::placement::{
    Directory, MemoryDirectory, Placement, Servers, TenantRecord, TenantState,
};
use tenantry_benches::{exec, full_run, note, runtime};
use tenantry_migration::{RunOptions, Runner};
use tenantry_tests::TestDb;
use uuid::Uuid;

async fn pool(url: &str, size: u32) -> DatabaseConnection {
    let mut options = ConnectOptions::new(url.to_owned());
    options.max_connections(size).sqlx_logging(false);
    Database::connect(options).await.unwrap()
}

/// The fleet: `n` tenants with empty schemas, in `batch`-sized directories.
struct Fleet {
    db: TestDb,
    schemas: Vec<String>,
    batches: Vec<Arc<MemoryDirectory>>,
}

impl Fleet {
    async fn new(n: usize, batch: usize) -> Self {
        let db = TestDb::postgres().await;
        db.migrate().await;
        let mut schemas = Vec::new();
        let mut records = Vec::new();
        for i in 0..n {
            let schema = format!("{}_s{i:04}", db.name);
            exec(&db.owner, &format!("CREATE SCHEMA \"{schema}\"")).await;
            records.push(TenantRecord::new(
                Uuid::new_v4(),
                Placement::schema(&schema).unwrap(),
                TenantState::Active,
            ));
            schemas.push(schema);
        }
        let batches = records
            .chunks(batch)
            .map(|c| Arc::new(MemoryDirectory::with(c.iter().cloned())))
            .collect();
        Fleet {
            db,
            schemas,
            batches,
        }
    }

    /// Empties the schemas of `directory`'s tenants again (untimed).
    async fn reset(&self, directory: &MemoryDirectory) {
        let mut sql = Vec::new();
        for record in directory.list().await.unwrap() {
            if let Placement::Schema { schema } = record.placement {
                sql.push(format!(
                    "DROP SCHEMA \"{schema}\" CASCADE; CREATE SCHEMA \"{schema}\";"
                ));
            }
        }
        exec(&self.db.owner, &sql.concat()).await;
    }

    async fn runner(&self, jobs: usize, directory: Arc<MemoryDirectory>) -> Runner {
        Runner::connect::<
            migration::Migrator,
            migration::TenantMigrator,
            migration::TenantDatabaseMigrator,
        >(&self.db.owner_url, Servers::new(), jobs)
        .await
        .unwrap()
        .with_directory(directory)
    }
}

/// The hand-written loop: each schema in turn, in a transaction of its own.
async fn hand_loop(db: &DatabaseConnection, directory: &MemoryDirectory) {
    for record in directory.list().await.unwrap() {
        let Placement::Schema { schema } = record.placement else {
            continue;
        };
        let txn = db.begin().await.unwrap();
        exec(
            &txn,
            &format!("SET LOCAL search_path = \"{schema}\", public"),
        )
        .await;
        migration::TenantMigrator::up(&txn, None).await.unwrap();
        txn.commit().await.unwrap();
    }
}

/// Runs the runner over `directory`; panics unless every target is done.
async fn run(runner: &Runner, jobs: usize) -> Duration {
    let mut options = RunOptions::default();
    options.jobs = jobs;
    let started = Instant::now();
    let report = runner.run(&options, &|_| {}).await.unwrap();
    let took = started.elapsed();
    assert!(report.succeeded(), "{:?}", report.targets);
    took
}

/// Busy and total jiffies of all CPUs, from /proc/stat.
fn cpu_jiffies() -> Option<(u64, u64)> {
    let stat = std::fs::read_to_string("/proc/stat").ok()?;
    let line = stat.lines().next()?;
    let v: Vec<u64> = line
        .split_whitespace()
        .skip(1)
        .filter_map(|x| x.parse().ok())
        .collect();
    let idle = v.get(3)? + v.get(4).copied().unwrap_or(0);
    let total: u64 = v.iter().take(8).sum();
    Some((total - idle, total))
}

/// Runs `work`, returning its time and the machine's CPU utilisation meanwhile (percent of
/// all cores).
async fn utilisation<F: Future<Output = ()>>(work: F) -> (Duration, Option<f64>) {
    let before = cpu_jiffies();
    let started = Instant::now();
    work.await;
    let took = started.elapsed();
    let after = cpu_jiffies();
    let pct = match (before, after) {
        (Some((b0, t0)), Some((b1, t1))) if t1 > t0 => {
            Some(100.0 * (b1 - b0) as f64 / (t1 - t0) as f64)
        }
        _ => None,
    };
    (took, pct)
}

/// Samples, every 10 ms until `stop`, the database's other backends: how many are active, how
/// many wait for a lock, and which relation's lock is waited for most often.
async fn lock_waits(
    db: DatabaseConnection,
    stop: Arc<std::sync::atomic::AtomicBool>,
) -> (f64, f64, String) {
    let (mut samples, mut active, mut waiting) = (0_u32, 0_i64, 0_i64);
    let mut relations: std::collections::HashMap<String, u32> = Default::default();
    while !stop.load(std::sync::atomic::Ordering::Relaxed) {
        let row = db
            .query_one_raw(Statement::from_string(
                DbBackend::Postgres,
                "SELECT count(*) FILTER (WHERE state = 'active')::bigint AS active, \
                   count(*) FILTER (WHERE wait_event_type = 'Lock')::bigint AS waiting, \
                   (SELECT string_agg(DISTINCT coalesce(l.relation::regclass::text, l.locktype), ',') \
                      FROM pg_catalog.pg_locks l WHERE NOT l.granted \
                      AND l.database = (SELECT oid FROM pg_catalog.pg_database \
                                        WHERE datname = current_database())) AS waited \
                 FROM pg_catalog.pg_stat_activity \
                 WHERE datname = current_database() AND pid <> pg_backend_pid()",
            ))
            .await
            .unwrap()
            .unwrap();
        samples += 1;
        active += row.try_get::<i64>("", "active").unwrap();
        waiting += row.try_get::<i64>("", "waiting").unwrap();
        if let Some(waited) = row.try_get::<Option<String>>("", "waited").unwrap() {
            for r in waited.split(',') {
                *relations.entry(r.to_owned()).or_default() += 1;
            }
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let n = f64::from(samples.max(1));
    let top = relations.into_iter().max_by_key(|(_, c)| *c).map_or_else(
        || "none".to_owned(),
        |(r, c)| format!("{r} ({:.0}% of samples)", 100.0 * f64::from(c) / n),
    );
    db.close().await.unwrap();
    (active as f64 / n, waiting as f64 / n, top)
}

/// The server's WAL position, in bytes.
async fn wal(db: &impl ConnectionTrait) -> i64 {
    db.query_one_raw(Statement::from_string(
        DbBackend::Postgres,
        "SELECT pg_catalog.pg_wal_lsn_diff(pg_catalog.pg_current_wal_lsn(), '0/0')::bigint",
    ))
    .await
    .unwrap()
    .unwrap()
    .try_get_by_index::<i64>(0)
    .unwrap()
}

/// What each measured run applies to its batch.
#[derive(Clone, Copy)]
enum Set {
    /// The latest migration only (RLS and the tenant indexes), after `down 1`: an upgrade.
    Upgrade,
    /// Every tenant migration on an empty schema (the scoped tables with their foreign keys
    /// to the shared reference tables, then RLS): what provisioning does.
    Provision,
}

impl Set {
    fn group(self) -> &'static str {
        match self {
            Self::Upgrade => "runner_upgrade",
            Self::Provision => "runner_provision",
        }
    }

    /// Brings `directory`'s schemas back to where a measured run starts (untimed).
    async fn reset(self, fleet: &Fleet, directory: &Arc<MemoryDirectory>) {
        match self {
            Self::Provision => fleet.reset(directory).await,
            Self::Upgrade => {
                for record in directory.list().await.unwrap() {
                    let Placement::Schema { schema } = record.placement else {
                        continue;
                    };
                    let txn = fleet.db.owner.begin().await.unwrap();
                    exec(
                        &txn,
                        &format!("SET LOCAL search_path = \"{schema}\", public"),
                    )
                    .await;
                    migration::TenantMigrator::down(&txn, Some(1))
                        .await
                        .unwrap();
                    txn.commit().await.unwrap();
                }
            }
        }
    }
}

fn throughput(c: &mut Criterion) {
    let rt = runtime();
    let (targets, batch) = if full_run() { (1000, 100) } else { (20, 10) };
    let fleet = rt.block_on(Fleet::new(targets, batch));
    let hand = rt.block_on(pool(&fleet.db.owner_url, 1));
    let mut notes = vec![format!(
        "fleet: {targets} tenant schemas; {batch} targets per measured run; the reference \
         TenantMigrator ({} migrations)",
        migration::TenantMigrator::migrations().len()
    )];

    // The whole fleet, from empty schemas, in one run: the setup of what follows.
    let all = Arc::new(MemoryDirectory::new());
    for directory in &fleet.batches {
        for record in rt.block_on(directory.list()).unwrap() {
            rt.block_on(all.create(&record)).unwrap();
        }
    }
    let jobs = 4;
    let runner = rt.block_on(fleet.runner(jobs, all));
    let (took, cpu) = rt.block_on(utilisation(async {
        run(&runner, jobs).await;
    }));
    notes.push(format!(
        "whole fleet, every migration from empty schemas: {} targets (and the control database) \
         in one run with --jobs {jobs}: {:.1} s, {:.0} targets/s, CPU {:.0}%",
        fleet.schemas.len(),
        took.as_secs_f64(),
        fleet.schemas.len() as f64 / took.as_secs_f64(),
        cpu.unwrap_or(f64::NAN)
    ));
    drop(runner);

    let next = std::cell::Cell::new(0_usize);
    let pick = || {
        let i = next.get();
        next.set(i + 1);
        fleet.batches[i % fleet.batches.len()].clone()
    };
    for set in [Set::Upgrade, Set::Provision] {
        let mut group = c.benchmark_group(set.group());
        group
            .sample_size(10)
            .sampling_mode(SamplingMode::Flat)
            .warm_up_time(Duration::from_millis(1))
            .measurement_time(Duration::from_secs(1))
            .throughput(Throughput::Elements(batch as u64));
        // The loop on one connection kept for the whole benchmark: its catalogue caches are
        // warm, while the runner opens its connections for each run — the stricter baseline.
        group.bench_function(BenchmarkId::new("hand_loop", batch), |b| {
            b.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    let directory = pick();
                    rt.block_on(set.reset(&fleet, &directory));
                    let started = Instant::now();
                    rt.block_on(hand_loop(&hand, &directory));
                    total += started.elapsed();
                }
                total
            })
        });
        let directory = pick();
        rt.block_on(set.reset(&fleet, &directory));
        let w0 = rt.block_on(wal(&fleet.db.admin));
        let (took, cpu) = rt.block_on(utilisation(hand_loop(&hand, &directory)));
        let w1 = rt.block_on(wal(&fleet.db.admin));
        notes.push(format!(
            "{}/hand_loop: {batch} targets in {:.2} s, CPU {:.0}%, {:.0} kB of WAL per target",
            set.group(),
            took.as_secs_f64(),
            cpu.unwrap_or(f64::NAN),
            (w1 - w0) as f64 / batch as f64 / 1024.0
        ));
        let jobs_list: &[usize] = match (full_run(), set) {
            (true, Set::Upgrade) => &[1, 2, 4, 8],
            (true, Set::Provision) => &[1, 4],
            (false, _) => &[1, 4],
        };
        for &jobs in jobs_list {
            group.bench_function(
                BenchmarkId::new(format!("runner_jobs_{jobs}"), batch),
                |b| {
                    b.iter_custom(|iters| {
                        let mut total = Duration::ZERO;
                        for _ in 0..iters {
                            let directory = pick();
                            rt.block_on(set.reset(&fleet, &directory));
                            let runner = rt.block_on(fleet.runner(jobs, directory));
                            total += rt.block_on(run(&runner, jobs));
                        }
                        total
                    })
                },
            );
            let directory = pick();
            rt.block_on(set.reset(&fleet, &directory));
            let runner = rt.block_on(fleet.runner(jobs, directory));
            let w0 = rt.block_on(wal(&fleet.db.admin));
            let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
            let sampler = rt.spawn(lock_waits(
                rt.block_on(pool(&fleet.db.owner_url, 1)),
                stop.clone(),
            ));
            let (took, cpu) = rt.block_on(utilisation(async {
                run(&runner, jobs).await;
            }));
            stop.store(true, std::sync::atomic::Ordering::Relaxed);
            let (active, waiting, top) = rt.block_on(sampler).unwrap();
            let w1 = rt.block_on(wal(&fleet.db.admin));
            notes.push(format!(
                "{}/runner_jobs_{jobs}: {batch} targets in {:.2} s, CPU {:.0}%, {:.0} kB of WAL \
                 per target; backends active {active:.1}, waiting for a lock {waiting:.1} on \
                 average, most waited for: {top}",
                set.group(),
                took.as_secs_f64(),
                cpu.unwrap_or(f64::NAN),
                (w1 - w0) as f64 / batch as f64 / 1024.0
            ));
        }
        if let Set::Upgrade = set {
            // The same with the commit's fsync off, on this database only.
            rt.block_on(exec(
                &fleet.db.admin,
                &format!(
                    "ALTER DATABASE \"{}\" SET synchronous_commit = off",
                    fleet.db.name
                ),
            ));
            group.bench_function(BenchmarkId::new("runner_jobs_1_async_commit", batch), |b| {
                b.iter_custom(|iters| {
                    let mut total = Duration::ZERO;
                    for _ in 0..iters {
                        let directory = pick();
                        rt.block_on(set.reset(&fleet, &directory));
                        let runner = rt.block_on(fleet.runner(1, directory));
                        total += rt.block_on(run(&runner, 1));
                    }
                    total
                })
            });
            rt.block_on(exec(
                &fleet.db.admin,
                &format!(
                    "ALTER DATABASE \"{}\" RESET synchronous_commit",
                    fleet.db.name
                ),
            ));
        }
        group.finish();
    }
    note("runner_throughput", &notes.join("\n"));
    rt.block_on(hand.close()).unwrap();
    drop(fleet);
}

criterion_group!(benches, throughput);
criterion_main!(benches);
