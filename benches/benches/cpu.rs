//! CPU cost of scoping: SeaORM's statement build alone, build + cached rewrite (the plan is
//! in the cache), build + cold rewrite (a rewriter without cache: lex, parse, rewrite, splice
//! and read back every time), for the common statement shapes on PostgreSQL and a few on
//! MySQL and SQLite.
//!
//! The three variants of a shape are measured interleaved: rounds of 8 builds, 8 builds +
//! cached rewrites and one build + cold rewrite, each timed, so that all three run in the
//! same machine state (on a shared or virtual machine the speed of the same code drifts by
//! tens of percent within seconds). Each benchmark function runs such rounds until its own
//! variant has run the requested count, and takes medians over the rounds, so a round during
//! which the thread was descheduled weighs no more than any other:
//! - `build`: the median build time per iteration;
//! - `cached`, `cold`: the median over the rounds of (build + rewrite) / build in the same
//!   round, times the `build` figure — the variant's time at the speed the build was measured
//!   at, so that `cached / build` and `cold / build` are paired ratios and stay put when the
//!   machine's speed does not.
//!
//! The raw paired ratios over all rounds are also printed (the `cpu_paired` note).
#![allow(clippy::unwrap_used, reason = "benchmark: a failure must stop the run")]
#![allow(
    missing_docs,
    reason = "criterion's macros generate undocumented items"
)]

use std::cell::RefCell;
use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use entity::{customers, orders};
use rust_decimal::Decimal;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, DbBackend, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    QueryTrait, Statement,
};
use tenantry::{Rewriter, TenantId};
use tenantry_benches::registry;

/// A statement shape: a name and how SeaORM builds it for a backend.
type Shape = (&'static str, fn(DbBackend) -> Statement);

fn pk_select(b: DbBackend) -> Statement {
    orders::Entity::find_by_id(42).build(b)
}

fn filtered_list(b: DbBackend) -> Statement {
    orders::Entity::find()
        .filter(orders::Column::Status.eq("open"))
        .filter(orders::Column::Total.gt(Decimal::new(10_000, 2)))
        .order_by_desc(orders::Column::Id)
        .limit(20)
        .offset(40)
        .build(b)
}

fn join(b: DbBackend) -> Statement {
    orders::Entity::find()
        .find_also_related(customers::Entity)
        .filter(orders::Column::Status.eq("open"))
        .filter(customers::Column::Email.like("%@example.com"))
        .order_by_asc(orders::Column::Id)
        .limit(10)
        .build(b)
}

fn insert(b: DbBackend) -> Statement {
    orders::Entity::insert(orders::ActiveModel {
        customer_id: Set(7),
        status: Set("open".to_owned()),
        total: Set(Decimal::new(1_999, 2)),
        ..Default::default()
    })
    .build(b)
}

fn update_many(b: DbBackend) -> Statement {
    orders::Entity::update_many()
        .col_expr(orders::Column::Status, Expr::value("paid"))
        .filter(orders::Column::CustomerId.eq(3))
        .filter(orders::Column::Status.eq("open"))
        .build(b)
}

fn delete(b: DbBackend) -> Statement {
    orders::Entity::delete_many()
        .filter(orders::Column::Id.eq(5))
        .build(b)
}

const SHAPES: &[(DbBackend, Shape)] = &[
    (DbBackend::Postgres, ("pk_select", pk_select)),
    (DbBackend::Postgres, ("filtered_list", filtered_list)),
    (DbBackend::Postgres, ("join", join)),
    (DbBackend::Postgres, ("insert", insert)),
    (DbBackend::Postgres, ("update_many", update_many)),
    (DbBackend::Postgres, ("delete", delete)),
    (DbBackend::MySql, ("pk_select", pk_select)),
    (DbBackend::MySql, ("insert", insert)),
    (DbBackend::Sqlite, ("filtered_list", filtered_list)),
    (DbBackend::Sqlite, ("update_many", update_many)),
];

fn backend_name(b: DbBackend) -> &'static str {
    match b {
        DbBackend::MySql => "mysql",
        DbBackend::Sqlite => "sqlite",
        _ => "postgres",
    }
}

/// Build and cached-rewrite iterations per round (a round also runs one cold rewrite).
const CHUNK: u64 = 8;

/// What one benchmark function reports.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Variant {
    Build,
    Cached,
    Cold,
}

/// One shape on one backend, with both rewriters.
struct Subject<'a> {
    backend: DbBackend,
    build: fn(DbBackend) -> Statement,
    cached: &'a Rewriter,
    cold: &'a Rewriter,
    tenant: &'a TenantId,
}

/// Seconds per iteration of `n` runs of `f`.
fn per_iter<O>(n: u64, mut f: impl FnMut() -> O) -> f64 {
    let start = Instant::now();
    for _ in 0..n {
        black_box(f());
    }
    #[allow(clippy::cast_precision_loss, reason = "n ≤ CHUNK")]
    let n = n as f64;
    start.elapsed().as_secs_f64() / n
}

fn median(xs: &mut [f64]) -> f64 {
    let mid = xs.len() / 2;
    *xs.select_nth_unstable_by(mid, f64::total_cmp).1
}

impl Subject<'_> {
    /// Runs rounds of [`CHUNK`] builds, [`CHUNK`] builds + cached rewrites and one build +
    /// cold rewrite, each timed, until `own` has run `iters` times. Returns, per iteration,
    /// `own`'s median time over the rounds (build), or its median ratio to the same round's
    /// build times `build_ref` (cached, cold). Every round's three figures are added to
    /// `rounds`.
    fn measure(
        &self,
        own: Variant,
        iters: u64,
        build_ref: f64,
        rounds: &RefCell<Vec<[f64; 3]>>,
    ) -> f64 {
        let b = self.backend;
        let mut mine = Vec::new();
        let mut left = iters;
        while left > 0 {
            let want = |v: Variant, full: u64| if v == own { left.min(full) } else { full };
            let build = per_iter(want(Variant::Build, CHUNK), || (self.build)(black_box(b)));
            let cached = per_iter(want(Variant::Cached, CHUNK), || {
                let out = self.cached.rewrite((self.build)(black_box(b)), self.tenant);
                debug_assert!(out.as_ref().is_ok_and(|o| o.cache_hit));
                out
            });
            let cold = per_iter(want(Variant::Cold, 1), || {
                let out = self.cold.rewrite((self.build)(black_box(b)), self.tenant);
                debug_assert!(out.as_ref().is_ok_and(|o| !o.cache_hit));
                out
            });
            rounds.borrow_mut().push([build, cached, cold]);
            let (t, ran) = match own {
                Variant::Build => (build, want(Variant::Build, CHUNK)),
                Variant::Cached => (cached / build, want(Variant::Cached, CHUNK)),
                Variant::Cold => (cold / build, want(Variant::Cold, 1)),
            };
            mine.push(t);
            left -= ran;
        }
        let m = median(&mut mine);
        if own == Variant::Build {
            m
        } else {
            m * build_ref
        }
    }
}

/// Criterion's samples per benchmark (its mean is the mean of the samples).
const SAMPLES: usize = 10;

fn cpu(c: &mut Criterion) {
    let tenant = TenantId::from(uuid::Uuid::from_u128(0x1234_5678_9abc_def0));
    let cached = Rewriter::new(registry());
    let cold = Rewriter::with_capacity(registry(), 0);
    let mut paired = String::from(
        "backend shape: median over interleaved rounds of (build + cached) / build, (build + cold) / build\n",
    );
    for &(backend, (name, build)) in SHAPES {
        // The shape must scope (and warm the cache), or the figures mean nothing.
        let first = cached.rewrite(build(backend), &tenant).unwrap();
        assert!(first.statement.sql.contains("tenant_id"), "{name}");
        assert!(cold.rewrite(build(backend), &tenant).is_ok(), "{name}");
        let subject = Subject {
            backend,
            build,
            cached: &cached,
            cold: &cold,
            tenant: &tenant,
        };
        let rounds = RefCell::new(Vec::new());
        // The build figure of each call; the last SAMPLES are criterion's samples.
        let builds = RefCell::new(Vec::new());
        let mut build_ref = 0.0;
        let mut g = c.benchmark_group(format!("cpu_{}", backend_name(backend)));
        for (variant, label) in [
            (Variant::Build, "build"),
            (Variant::Cached, "cached"),
            (Variant::Cold, "cold"),
        ] {
            g.bench_function(BenchmarkId::new(name, label), |b| {
                b.iter_custom(|iters| {
                    let t = subject.measure(variant, iters, build_ref, &rounds);
                    if variant == Variant::Build {
                        builds.borrow_mut().push(t);
                    }
                    #[allow(clippy::cast_precision_loss, reason = "counts stay far below 2^52")]
                    Duration::from_secs_f64(t * iters as f64)
                });
            });
            if variant == Variant::Build {
                let builds = builds.borrow();
                let samples = &builds[builds.len().saturating_sub(SAMPLES)..];
                #[allow(clippy::cast_precision_loss, reason = "SAMPLES is small")]
                let n = samples.len().max(1) as f64;
                build_ref = samples.iter().sum::<f64>() / n;
            }
        }
        g.finish();
        let rounds = rounds.into_inner();
        if !rounds.is_empty() {
            let mut c_ratio: Vec<f64> = rounds.iter().map(|r| r[1] / r[0]).collect();
            let mut d_ratio: Vec<f64> = rounds.iter().map(|r| r[2] / r[0]).collect();
            paired.push_str(&format!(
                "{} {name}: {:.2}x, {:.1}x ({} rounds)\n",
                backend_name(backend),
                median(&mut c_ratio),
                median(&mut d_ratio),
                rounds.len()
            ));
        }
    }
    assert_eq!(cold.stats().hits, 0, "the cold rewriter never hits");
    tenantry_benches::note("cpu_paired", paired.trim_end());
}

criterion_group! {
    name = benches;
    config = tenantry_benches::criterion_config(2).sample_size(SAMPLES);
    targets = cpu
}
criterion_main!(benches);
