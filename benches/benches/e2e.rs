//! End to end on the local PostgreSQL: requests of k = 1, 3, 10 reads of one tenant in a
//! transaction, done by (a) plain SeaORM with hand-written filters (superuser, no RLS),
//! (b) tenantry, (c) RLS only with a hand-written `set_config`, (e) tenantry as the superuser
//! (the rewriter without RLS: what the database's policies cost); on one connection, and on a
//! pool of 8 with 8 concurrent workers. Same database, same data, same run. Then both again
//! with `test_before_acquire(false)`. Last, single statements outside an explicit
//! transaction: (p) plain SeaORM, (b) tenantry (which needs a transaction), (s) the
//! one-simple-query prototype.
//!
//! Machines running other work drift: each variant other than (a) is measured in chunks of
//! 16 requests per worker alternating with (a) on the same tenants and rows, and the paired
//! chunk times are written to the `e2e_paired` note; the ratios are their medians.
#![allow(clippy::unwrap_used, reason = "benchmark: a failure must stop the run")]
#![allow(
    missing_docs,
    reason = "criterion's macros generate undocumented items"
)]

use std::sync::Arc;
use std::time::Instant;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use tenantry::{Rewriter, TenantDatabase};
use tenantry_benches::data::{BenchDb, PoolSpec};
use tenantry_benches::paired::{drive, note_paired};
use tenantry_benches::request::{Rng, Target};
use tenantry_benches::{full_run, note, registry};
use tokio::runtime::Runtime;

/// The targets, each on its own pool (so none waits for another's connections).
/// `which` lists the targets by letter; the first is the baseline of the paired ratios.
async fn targets(bench: &BenchDb, spec: PoolSpec, which: &str) -> Vec<(&'static str, Target)> {
    let mut out = Vec::new();
    if which.starts_with('p') {
        let plain = Target::PlainStatement(bench.superuser_pool(spec).await);
        out.push(("p_plain_statement", plain));
    }
    if which.contains('a') {
        out.push(("a_plain", Target::Plain(bench.superuser_pool(spec).await)));
    }
    if which.contains('b') {
        let tdb = TenantDatabase::new(bench.app_pool(spec).await).with_registry(registry());
        out.push(("b_tenantry", Target::Tenantry(tdb)));
    }
    if which.contains('e') {
        let tdb = TenantDatabase::new(bench.superuser_pool(spec).await).with_registry(registry());
        out.push(("e_tenantry_no_rls", Target::Tenantry(tdb)));
    }
    if which.contains('c') {
        out.push(("c_rls_only", Target::RlsOnly(bench.app_pool(spec).await)));
    }
    if which.contains('s') {
        let app = bench.app_pool(spec).await;
        let pool = app.get_postgres_connection_pool().clone();
        let rewriter = Arc::new(Rewriter::new(registry()));
        out.push((
            "s_inline_statement",
            Target::InlineStatement(pool, rewriter),
        ));
    }
    out
}

async fn close(targets: Vec<(&'static str, Target)>) {
    for (_, t) in targets {
        match t {
            Target::Plain(db) | Target::RlsOnly(db) | Target::PlainStatement(db) => {
                db.close().await.unwrap();
            }
            Target::Tenantry(tdb) => tdb.into_inner().close().await.unwrap(),
            Target::InlineStatement(pool, _) => pool.close().await,
        }
    }
}

fn group(
    c: &mut Criterion,
    rt: &Runtime,
    bench: &BenchDb,
    name: &str,
    spec: PoolSpec,
    which: &str,
    ks: &[usize],
) {
    let w = bench.workload();
    let workers = u64::from(spec.size);
    let targets = rt.block_on(targets(bench, spec, which));
    // Every target must read the rows it asks for (RLS context set, filters right).
    for (label, t) in &targets {
        let n = rt.block_on(t.request(&w, ks[0], &mut Rng::new(7))).unwrap();
        assert!(n > 0, "{label} read nothing");
    }
    let mut g = c.benchmark_group(name);
    for &k in ks {
        for (i, (label, t)) in targets.iter().enumerate() {
            let key = format!("{name}/{label}/k{k}");
            let baseline = (i > 0).then_some(&targets[0].1);
            g.bench_with_input(BenchmarkId::new(*label, format!("k{k}")), &k, |b, &k| {
                b.iter_custom(|iters| rt.block_on(drive(t, baseline, &key, &w, k, iters, workers)));
            });
        }
    }
    g.finish();
    rt.block_on(close(targets));
    note_paired("e2e_paired");
}

fn e2e(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let (tenants, customers, orders) = if full_run() {
        (1000, 10, 1000)
    } else {
        (20, 5, 50)
    };
    let started = Instant::now();
    let bench = rt.block_on(BenchDb::load(tenants, customers, orders));
    note(
        "e2e_dataset",
        &format!(
            "{tenants} tenants x {orders} orders ({customers} customers per tenant), \
             loaded in {:.1} s into database {}",
            started.elapsed().as_secs_f64(),
            bench.db.name
        ),
    );
    let ping = |size| PoolSpec {
        size,
        test_before_acquire: true,
    };
    let no_ping = |size| PoolSpec {
        size,
        test_before_acquire: false,
    };
    let ks = [1, 3, 10];
    group(c, &rt, &bench, "e2e_single", ping(1), "abce", &ks);
    group(c, &rt, &bench, "e2e_pool8", ping(8), "abce", &ks);
    group(c, &rt, &bench, "e2e_single_no_ping", no_ping(1), "ab", &ks);
    group(c, &rt, &bench, "e2e_pool8_no_ping", no_ping(8), "ab", &ks);
    group(c, &rt, &bench, "e2e_statement_single", ping(1), "pbs", &[1]);
    group(c, &rt, &bench, "e2e_statement_pool8", ping(8), "pbs", &[1]);
    drop(rt);
    drop(bench);
}

criterion_group! {
    name = benches;
    config = tenantry_benches::criterion_config(3);
    targets = e2e
}
criterion_main!(benches);
