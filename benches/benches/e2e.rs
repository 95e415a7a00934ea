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

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use tenantry::{Rewriter, TenantDatabase};
use tenantry_benches::data::{BenchDb, PoolSpec};
use tenantry_benches::request::{Rng, Target, Workload};
use tenantry_benches::{full_run, note, registry};
use tokio::runtime::Runtime;

static SEED: AtomicU64 = AtomicU64::new(0x9E37_79B9_7F4A_7C15);

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

/// Runs `n` requests with `workers` concurrent workers; returns the wall time.
async fn phase(
    target: &Target,
    w: &Workload,
    k: usize,
    n: u64,
    workers: u64,
    seed: u64,
) -> Duration {
    let start = Instant::now();
    if workers == 1 {
        let mut rng = Rng::new(seed);
        for _ in 0..n {
            target.request(w, k, &mut rng).await.unwrap();
        }
        return start.elapsed();
    }
    let next = Arc::new(AtomicU64::new(0));
    let mut set = tokio::task::JoinSet::new();
    for i in 0..workers {
        let (target, w, next) = (target.clone(), w.clone(), Arc::clone(&next));
        set.spawn(async move {
            let mut rng = Rng::new(seed.wrapping_add(i));
            while next.fetch_add(1, Ordering::Relaxed) < n {
                target.request(&w, k, &mut rng).await.unwrap();
            }
        });
    }
    while let Some(done) = set.join_next().await {
        done.unwrap();
    }
    start.elapsed()
}

/// Baseline and variant time (ns) of each chunk, per `group/variant/k`, measured in
/// alternating chunks so both see the same machine load.
static PAIRED: Mutex<BTreeMap<String, Vec<(u128, u128)>>> = Mutex::new(BTreeMap::new());

/// Requests per chunk when a variant alternates with the baseline.
const CHUNK: u64 = 16;

/// Runs `iters` requests of `target`, returning their wall time; with a `baseline`, runs as
/// many baseline requests in alternating chunks (same tenants, same rows) and records both.
async fn drive(
    target: &Target,
    baseline: Option<&Target>,
    key: &str,
    w: &Workload,
    k: usize,
    iters: u64,
    workers: u64,
) -> Duration {
    let Some(baseline) = baseline else {
        let seed = SEED.fetch_add(0x6A09_E667, Ordering::Relaxed);
        return phase(target, w, k, iters, workers, seed).await;
    };
    let chunk = CHUNK * workers;
    let (mut chunks, mut total, mut done) = (Vec::new(), Duration::ZERO, 0);
    while done < iters {
        let n = chunk.min(iters - done);
        let seed = SEED.fetch_add(0x6A09_E667, Ordering::Relaxed);
        let base = phase(baseline, w, k, n, workers, seed).await;
        let var = phase(target, w, k, n, workers, seed).await;
        total += var;
        done += n;
        // Only full chunks: a short one weighs as much as a full one in the median.
        if n == chunk {
            chunks.push((base.as_nanos(), var.as_nanos()));
        }
    }
    PAIRED
        .lock()
        .unwrap()
        .entry(key.to_owned())
        .or_default()
        .extend(chunks);
    total
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
    // Per key: the median over chunks of (baseline time / variant time), i.e. the variant's
    // throughput relative to plain SeaORM, robust to bursts of load; then the totals.
    let paired: Vec<String> = PAIRED
        .lock()
        .unwrap()
        .iter()
        .map(|(key, chunks)| {
            let mut r: Vec<f64> = chunks
                .iter()
                .map(|&(b, v)| b as f64 / (v as f64).max(1.0))
                .collect();
            r.sort_by(f64::total_cmp);
            let median = r.get(r.len() / 2).copied().unwrap_or(f64::NAN);
            let (b, v): (u128, u128) = chunks.iter().fold((0, 0), |a, c| (a.0 + c.0, a.1 + c.1));
            format!("{key} {median:.4} {b} {v} {}", chunks.len())
        })
        .collect();
    note("e2e_paired", &paired.join("\n"));
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
