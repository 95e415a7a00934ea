//! Tenant count: the same primary-key lookup through tenantry (rewriter + RLS) with 10, 1,000
//! and 100,000 tenants in the shared tables (10 orders each), timing the statement alone
//! inside a tenant transaction. Prints each plan once (`EXPLAIN ANALYZE`) and which index
//! it uses.
#![allow(clippy::unwrap_used, reason = "benchmark: a failure must stop the run")]
#![allow(
    missing_docs,
    reason = "criterion's macros generate undocumented items"
)]

use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use entity::orders;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    QueryTrait, Select, Statement,
};
use tenantry::{TenantDatabase, TenantTransaction};
use tenantry_benches::data::{BenchDb, PoolSpec};
use tenantry_benches::request::Rng;
use tenantry_benches::{full_run, note, registry};

const ORDERS: i32 = 10;
const CUSTOMERS: i32 = 2;

/// The plan of `query` as run by tenantry in `txn` (rewritten, RLS on), one line per row.
async fn explain(
    tdb: &TenantDatabase,
    txn: &TenantTransaction,
    query: Select<orders::Entity>,
) -> String {
    let stmt = tdb
        .rewriter()
        .rewrite(query.build(DbBackend::Postgres), txn.tenant())
        .unwrap()
        .statement;
    let explained = Statement {
        sql: format!(
            "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) {}",
            stmt.sql
        ),
        ..stmt.clone()
    };
    let rows = txn.get_ref().query_all_raw(explained).await.unwrap();
    let plan: Vec<String> = rows
        .iter()
        .map(|r| r.try_get_by_index::<String>(0).unwrap())
        .collect();
    format!("{}\n{}", stmt.sql, plan.join("\n"))
}

/// Names of the indexes on `orders` whose first column is `tenant_id`.
async fn tenant_leading_indexes(bench: &BenchDb) -> Vec<String> {
    let rows = bench
        .db
        .owner
        .query_all_raw(Statement::from_string(
            DbBackend::Postgres,
            "SELECT indexname::text FROM pg_indexes WHERE tablename = 'orders' \
             AND indexdef LIKE '%(tenant_id%' ORDER BY 1",
        ))
        .await
        .unwrap();
    rows.iter()
        .map(|r| r.try_get_by_index::<String>(0).unwrap())
        .collect()
}

fn scale(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let sizes: [usize; 3] = if full_run() {
        [10, 1_000, 100_000]
    } else {
        [10, 100, 1_000]
    };
    let mut g = c.benchmark_group("scale");
    for n in sizes {
        let started = Instant::now();
        let bench = rt.block_on(BenchDb::load(n, CUSTOMERS, ORDERS));
        let loaded = started.elapsed();
        let spec = PoolSpec {
            size: 1,
            test_before_acquire: true,
        };
        let tdb = TenantDatabase::new(rt.block_on(bench.app_pool(spec))).with_registry(registry());
        let w = bench.workload();
        rt.block_on(async {
            let leading = tenant_leading_indexes(&bench).await;
            let txn = tdb.begin(w.tenants[n / 2]).await.unwrap();
            let base = i32::try_from(n / 2).unwrap();
            let pk = explain(&tdb, &txn, orders::Entity::find_by_id(base * ORDERS + 3)).await;
            let list = orders::Entity::find()
                .filter(orders::Column::CustomerId.eq(base * CUSTOMERS + 1))
                .order_by_desc(orders::Column::Id)
                .limit(5);
            let list = explain(&tdb, &txn, list).await;
            txn.commit().await.unwrap();
            let uses = |plan: &str| {
                leading
                    .iter()
                    .find(|i| plan.contains(i.as_str()))
                    .map_or("no tenant-leading index".to_owned(), |i| format!("tenant-leading index {i}"))
            };
            note(
                &format!("scale_explain_{n}"),
                &format!(
                    "{n} tenants x {ORDERS} orders, loaded in {:.1} s; tenant-leading indexes on \
                     orders: {leading:?}\n\npk lookup ({}):\n{pk}\n\nlist by customer ({}):\n{list}",
                    loaded.as_secs_f64(),
                    uses(&pk),
                    uses(&list),
                ),
            );
        });
        let mut rng = Rng::new(0x5EED);
        g.bench_with_input(
            BenchmarkId::new("pk_lookup", format!("tenants_{n}")),
            &n,
            |b, &n| {
                b.iter_custom(|iters| {
                    rt.block_on(async {
                        let mut total = Duration::ZERO;
                        for _ in 0..iters {
                            let t = rng.below(n);
                            let txn = tdb.begin(w.tenants[t]).await.unwrap();
                            let j = i32::try_from(rng.below(10)).unwrap();
                            let id = i32::try_from(t).unwrap() * ORDERS + j + 1;
                            let start = Instant::now();
                            let found = orders::Entity::find_by_id(id).one(&txn).await.unwrap();
                            total += start.elapsed();
                            assert!(found.is_some());
                            txn.commit().await.unwrap();
                        }
                        total
                    })
                });
            },
        );
        rt.block_on(tdb.into_inner().close()).unwrap();
        drop(bench);
    }
    g.finish();
}

criterion_group! {
    name = benches;
    config = tenantry_benches::criterion_config(3);
    targets = scale
}
criterion_main!(benches);
