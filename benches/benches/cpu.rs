//! CPU cost of scoping: SeaORM's statement build alone, build + cached rewrite (the plan is
//! in the cache), build + cold rewrite (a rewriter without cache: parse, rewrite, print every
//! time), for the common statement shapes on PostgreSQL and a few on MySQL and SQLite.
#![allow(clippy::unwrap_used, reason = "benchmark: a failure must stop the run")]
#![allow(
    missing_docs,
    reason = "criterion's macros generate undocumented items"
)]

use std::hint::black_box;

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

fn cpu(c: &mut Criterion) {
    let tenant = TenantId::from(uuid::Uuid::from_u128(0x1234_5678_9abc_def0));
    let cached = Rewriter::new(registry());
    let cold = Rewriter::with_capacity(registry(), 0);
    for &(backend, (name, build)) in SHAPES {
        // The shape must scope (and warm the cache), or the figures mean nothing.
        let first = cached.rewrite(build(backend), &tenant).unwrap();
        assert!(first.statement.sql.contains("tenant_id"), "{name}");
        let mut g = c.benchmark_group(format!("cpu_{}", backend_name(backend)));
        g.bench_function(BenchmarkId::new(name, "build"), |b| {
            b.iter(|| black_box(build(black_box(backend))));
        });
        g.bench_function(BenchmarkId::new(name, "cached"), |b| {
            b.iter(|| {
                let out = cached.rewrite(build(black_box(backend)), &tenant).unwrap();
                debug_assert!(out.cache_hit);
                black_box(out)
            });
        });
        g.bench_function(BenchmarkId::new(name, "cold"), |b| {
            b.iter(|| {
                let out = cold.rewrite(build(black_box(backend)), &tenant).unwrap();
                debug_assert!(!out.cache_hit);
                black_box(out)
            });
        });
        g.finish();
    }
    assert_eq!(cold.stats().hits, 0, "the cold rewriter never hits");
}

criterion_group! {
    name = benches;
    config = tenantry_benches::criterion_config(2);
    targets = cpu
}
criterion_main!(benches);
