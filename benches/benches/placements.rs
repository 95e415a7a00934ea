//! Placements end to end: the same requests (begin, k reads, commit) for one tenant placed in
//! the shared tables, in a schema of its own and in a database of its own on a second server,
//! against plain SeaORM with hand-written filters, paired as in `e2e`; a primary-key lookup
//! with 10, 100 (and, in a full run, 1,000) tenant schemas; and many tenant databases on two
//! servers touched in one run under a pool cap and a connection budget (memory, connections,
//! first-request latency on a cold pool).
#![allow(clippy::unwrap_used, reason = "benchmark: a failure must stop the run")]
#![allow(
    missing_docs,
    reason = "criterion's macros generate undocumented items"
)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use tenantry::TenantDatabase;
use tenantry::placement::{
    MemoryDirectory, Placement, ServerOptions, Servers, TableDirectory, TenantRecord, TenantState,
};
use tenantry_benches::data::{BenchDb, PoolSpec};
use tenantry_benches::paired::{drive, note_paired};
use tenantry_benches::placed::{connections_of, directory, schema_copy, silo};
use tenantry_benches::request::{Rng, Target, Workload};
use tenantry_benches::{full_run, note, registry, runtime};
use tenantry_migration::Provisioner;
use tokio::runtime::Runtime;

/// `url` with its user replaced by `user` and its database by `db`.
fn as_user(url: &str, user: &str, db: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap();
    let host = rest.rsplit_once('@').map_or(rest, |(_, h)| h);
    let host = host.split('/').next().unwrap();
    format!("{scheme}://{user}@{host}/{db}")
}

fn spec(size: u32) -> PoolSpec {
    PoolSpec {
        size,
        test_before_acquire: true,
    }
}

/// One tenant in each placement, the same requests, paired against plain SeaORM.
fn same_requests(c: &mut Criterion, rt: &Runtime) {
    let (customers, orders) = if full_run() { (10, 1000) } else { (5, 50) };
    let bench = rt.block_on(BenchDb::load(2, customers, orders));
    let t0 = bench.tenants[0];
    rt.block_on(schema_copy(&bench, t0, "bench_t0"));
    let silo = rt.block_on(silo(&bench, 0));
    let w = Workload {
        tenants: Arc::from(vec![t0]),
        orders_per_tenant: bench.orders_per_tenant,
        customers_per_tenant: bench.customers_per_tenant,
    };
    for (name, size) in [("placement_single", 1_u32), ("placement_pool8", 8)] {
        let servers = Servers::new()
            .with_options(
                "silo",
                &silo.app_url,
                ServerOptions::default().max_connections(size),
            )
            .unwrap();
        let bench = &bench;
        let placed = |placement: Placement| {
            let servers = servers.clone();
            async move {
                Target::Tenantry(
                    TenantDatabase::new(bench.app_pool(spec(size)).await)
                        .with_registry(registry())
                        .with_directory(directory(t0, placement), servers),
                )
            }
        };
        let targets = rt.block_on(async {
            vec![
                (
                    "a_plain",
                    Target::Plain(bench.superuser_pool(spec(size)).await),
                ),
                ("b_shared", placed(Placement::Shared).await),
                (
                    "b_schema",
                    placed(Placement::schema("bench_t0").unwrap()).await,
                ),
                (
                    "b_database",
                    placed(Placement::database("silo", &silo.name).unwrap()).await,
                ),
            ]
        });
        for (label, t) in &targets {
            let n = rt.block_on(t.request(&w, 1, &mut Rng::new(7))).unwrap();
            assert!(n > 0, "{label} read nothing");
        }
        let mut g = c.benchmark_group(name);
        for k in [1_usize, 3, 10] {
            for (i, (label, t)) in targets.iter().enumerate() {
                let key = format!("{name}/{label}/k{k}");
                let baseline = (i > 0).then_some(&targets[0].1);
                g.bench_with_input(BenchmarkId::new(*label, format!("k{k}")), &k, |b, &k| {
                    b.iter_custom(|iters| {
                        rt.block_on(drive(t, baseline, &key, &w, k, iters, u64::from(size)))
                    });
                });
            }
        }
        g.finish();
    }
    note_paired("placement_paired");
    drop(silo);
    drop(bench);
}

/// A primary-key lookup (begin, lookup, commit) for a random tenant among `n`, each in its
/// own schema.
fn schema_count(c: &mut Criterion, rt: &Runtime) {
    let levels: &[usize] = if full_run() {
        &[10, 100, 1000]
    } else {
        &[10, 100]
    };
    let max = *levels.last().unwrap();
    let bench = rt.block_on(BenchDb::load(max, 2, 10));
    let mut g = c.benchmark_group("placement_schemas");
    let mut made = 0;
    for &n in levels {
        let started = Instant::now();
        for (i, t) in bench.tenants.iter().enumerate().take(n).skip(made) {
            rt.block_on(schema_copy(&bench, *t, &format!("bench_s{i}")));
        }
        note(
            &format!("placement_schemas_setup_{n}"),
            &format!(
                "{} schemas created in {:.1} s",
                n - made,
                started.elapsed().as_secs_f64()
            ),
        );
        made = n;
        let records = bench.tenants.iter().take(n).enumerate().map(|(i, t)| {
            TenantRecord::new(
                *t,
                Placement::schema(&format!("bench_s{i}")).unwrap(),
                TenantState::Active,
            )
        });
        let tdb = rt.block_on(async {
            TenantDatabase::new(bench.app_pool(spec(1)).await)
                .with_registry(registry())
                .with_directory(Arc::new(MemoryDirectory::with(records)), Servers::new())
        });
        let target = Target::Tenantry(tdb);
        let w = Workload {
            tenants: Arc::from(bench.tenants[..n].to_vec()),
            orders_per_tenant: bench.orders_per_tenant,
            customers_per_tenant: bench.customers_per_tenant,
        };
        assert!(
            rt.block_on(target.request(&w, 1, &mut Rng::new(3)))
                .unwrap()
                > 0
        );
        g.bench_with_input(
            BenchmarkId::new("pk", format!("schemas_{n}")),
            &n,
            |b, _| {
                b.iter_custom(|iters| rt.block_on(drive(&target, None, "", &w, 1, iters, 1)));
            },
        );
    }
    g.finish();
    drop(bench);
}

fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1).map(str::to_owned))
        })
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted.get(i).copied().unwrap_or_default()
}

/// Many tenant databases on two servers, every one touched, under a pool cap and a budget.
fn many_databases(rt: &Runtime) {
    let n = if full_run() { 100 } else { 6 };
    let (max_pools, budget, per_pool) = (16_usize, 32_u32, 2_u32);
    rt.block_on(async {
        let bench = BenchDb::load(n, 1, 1).await;
        let role = bench.db.app_role.clone();
        let (one, two) = (
            tenantry_tests::pg_admin_url(),
            tenantry_tests::pg2_admin_url(),
        );
        let admin_servers = Servers::new()
            .with("one", &one)
            .unwrap()
            .with("two", &two)
            .unwrap();
        let provisioner =
            Provisioner::builder::<migration::TenantMigrator, migration::TenantDatabaseMigrator>()
                .reference_tables(&migration::REFERENCE_TABLES)
                .app_role(role.clone())
                .connect(&bench.db.owner_url, admin_servers)
                .await
                .unwrap();
        let started = Instant::now();
        for (i, t) in bench.tenants.iter().enumerate() {
            let server = if i % 2 == 0 { "one" } else { "two" };
            let db = format!("{}_silo_{i}", bench.db.name);
            provisioner
                .create(*t, Placement::database(server, &db).unwrap())
                .await
                .unwrap();
        }
        let provisioned = started.elapsed();
        let options = ServerOptions::default().max_connections(per_pool);
        let app_servers = Servers::new()
            .with_options("one", &as_user(&one, &role, "postgres"), options)
            .unwrap()
            .with_options("two", &as_user(&two, &role, "postgres"), options)
            .unwrap();
        let app = bench.app_pool(spec(2)).await;
        let tdb = TenantDatabase::new(app.clone())
            .with_registry(registry())
            .with_directory(Arc::new(TableDirectory::new(app)), app_servers)
            .with_pool_limits(max_pools, budget);
        let observers = [
            tenantry_benches::data::pool(&one, spec(1)).await,
            tenantry_benches::data::pool(&two, spec(1)).await,
        ];
        let w = bench.workload();
        let rss_before = rss_kib();
        let (mut cold, mut warm, mut peak) = (Vec::new(), Vec::new(), 0_i64);
        for round in 0..2 {
            for t in &bench.tenants {
                let target = Target::Tenantry(tdb.clone());
                let one_tenant = tenantry_benches::request::Workload {
                    tenants: Arc::from(vec![*t]),
                    ..w.clone()
                };
                let started = Instant::now();
                target
                    .request(&one_tenant, 1, &mut Rng::new(1))
                    .await
                    .unwrap();
                if round == 0 {
                    cold.push(started.elapsed());
                }
                let started = Instant::now();
                target
                    .request(&one_tenant, 1, &mut Rng::new(2))
                    .await
                    .unwrap();
                warm.push(started.elapsed());
                // Tenant databases only: the app's pool of the control database is not budgeted.
                let open = connections_of(&observers[0], &role, &bench.db.name).await
                    + connections_of(&observers[1], &role, &bench.db.name).await;
                peak = peak.max(open);
            }
        }
        let rss_after = rss_kib();
        let stats = tdb.pool_stats().unwrap();
        cold.sort();
        warm.sort();
        note(
            "placement_databases",
            &format!(
                "databases {n}\nservers 2\nprovisioned_s {:.1}\nmax_pools {max_pools}\n\
                 budget {budget}\nper_pool {per_pool}\nopened {}\nevictions {}\n\
                 peak_connections {peak}\nrss_before_kib {rss_before}\nrss_after_kib {rss_after}\n\
                 cold_p50_us {}\ncold_p90_us {}\nwarm_p50_us {}\nwarm_p90_us {}",
                provisioned.as_secs_f64(),
                stats.opened,
                stats.evictions,
                percentile(&cold, 0.5).as_micros(),
                percentile(&cold, 0.9).as_micros(),
                percentile(&warm, 0.5).as_micros(),
                percentile(&warm, 0.9).as_micros(),
            ),
        );
        drop(tdb);
        for t in &bench.tenants {
            provisioner
                .drop_tenant(*t, "benchmark done", true)
                .await
                .unwrap();
        }
        // The app role provisioning created on the second server (roles are cluster-wide).
        let _ = sea_orm::ConnectionTrait::execute_unprepared(
            &observers[1],
            &format!("DROP ROLE IF EXISTS \"{role}\""),
        )
        .await;
        drop(bench);
        assert!(
            peak <= i64::from(budget),
            "{peak} connections over a budget of {budget}"
        );
    });
}

fn placements(c: &mut Criterion) {
    let rt = runtime();
    same_requests(c, &rt);
    schema_count(c, &rt);
    many_databases(&rt);
}

criterion_group! {
    name = benches;
    config = tenantry_benches::criterion_config(3);
    targets = placements
}
criterion_main!(benches);
