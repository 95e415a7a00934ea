//! A soak: tenant transactions of a mixed workload over many tenants on PostgreSQL (the
//! reference schema, the app role, Row-Level Security) — inserts, deletes, reads, joins,
//! updates, a raw statement, a stream, savepoints, rollbacks and refused cross-tenant
//! writes — on a pool of 4 from four workers. Inserts and deletes are equally likely, so the
//! tables stay near a steady size and the throughput measures tenantry, not a growing table.
//! Checked: every tenant's rows are its own and as many as its committed inserts less its
//! committed deletes, the plan cache stays within its bound, the process's memory does not
//! grow with the number of transactions (the last quarter against the first), and no
//! connection leaks. The hit rate and throughput per quarter are printed.
//!
//! The test command runs 4,000 transactions over 100 tenants; the long soak of the fault
//! suite is `TENANTRY_SOAK_TXNS=100000 TENANTRY_SOAK_TENANTS=1000 cargo test -p
//! tenantry-tests --test soak -- --nocapture` (about 40 s on two cores).
#![allow(clippy::unwrap_used, clippy::print_stdout)]

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use entity::{customers, order_items, orders};
use futures_util::StreamExt;
use sea_orm::{
    ColumnTrait, ConnectOptions, ConnectionTrait, Database, DbBackend, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, Set, Statement, TransactionTrait,
};
use tenantry::{Registry, TenantDatabase};
use tenantry_tests::{TestDb, customer_with_order, faults, scalar};
use uuid::Uuid;

const WORKERS: u64 = 4;

fn env(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The resident set size of this process, in KiB.
fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap()
}

/// One transaction of the mix; returns how many customers it added (or, negative, removed)
/// for `tenant`.
async fn one(tdb: &TenantDatabase, tenant: Uuid, other: Uuid, product: i32, kind: u64) -> i64 {
    let txn = tdb.begin(tenant).await.unwrap();
    let committed = match kind % 10 {
        0 => {
            customer_with_order(&txn, tenant, "c", product, 1).await;
            1
        }
        1 => {
            // The tenant's oldest customer, with its orders and their items. Another worker
            // may delete it first: then nothing is removed here.
            let oldest = customers::Entity::find()
                .order_by_asc(customers::Column::Id)
                .one(&txn)
                .await
                .unwrap();
            match oldest {
                None => 0,
                Some(c) => {
                    let order_ids: Vec<i32> = orders::Entity::find()
                        .select_only()
                        .column(orders::Column::Id)
                        .filter(orders::Column::CustomerId.eq(c.id))
                        .into_tuple()
                        .all(&txn)
                        .await
                        .unwrap();
                    order_items::Entity::delete_many()
                        .filter(order_items::Column::OrderId.is_in(order_ids))
                        .exec(&txn)
                        .await
                        .unwrap();
                    orders::Entity::delete_many()
                        .filter(orders::Column::CustomerId.eq(c.id))
                        .exec(&txn)
                        .await
                        .unwrap();
                    let removed = customers::Entity::delete_by_id(c.id)
                        .exec(&txn)
                        .await
                        .unwrap();
                    -(removed.rows_affected as i64)
                }
            }
        }
        8 => {
            // A stream, read to its end.
            let mut rows = orders::Entity::find().stream(&txn).await.unwrap();
            while let Some(row) = rows.next().await {
                assert_eq!(row.unwrap().tenant_id, tenant);
            }
            0
        }
        9 => {
            orders::Entity::find()
                .filter(orders::Column::Status.eq("paid"))
                .count(&txn)
                .await
                .unwrap();
            0
        }
        2 => {
            orders::Entity::find()
                .find_also_related(customers::Entity)
                .all(&txn)
                .await
                .unwrap();
            0
        }
        3 => {
            orders::Entity::update_many()
                .col_expr(orders::Column::Status, "paid".into())
                .filter(orders::Column::Status.eq("open"))
                .exec(&txn)
                .await
                .unwrap();
            0
        }
        4 => {
            // A savepoint rolled back: its customer never counts.
            let sp = txn.begin().await.unwrap();
            customer_with_order(&sp, tenant, "sp", product, 1).await;
            sp.rollback().await.unwrap();
            0
        }
        5 => {
            // A refused write for another tenant; the transaction goes on.
            let refused = customers::Entity::insert(customers::ActiveModel {
                tenant_id: Set(other),
                name: Set("x".into()),
                email: Set(format!("x-{}@x.test", Uuid::new_v4())),
                ..Default::default()
            })
            .exec(&txn)
            .await;
            assert!(refused.is_err());
            customers::Entity::find().count(&txn).await.unwrap();
            0
        }
        6 => {
            // Written, then rolled back.
            customer_with_order(&txn, tenant, "rb", product, 1).await;
            txn.rollback().await.unwrap();
            return 0;
        }
        _ => {
            txn.query_all_raw(Statement::from_string(
                DbBackend::Postgres,
                "SELECT o.status, count(*) FROM orders o JOIN order_items i ON i.order_id = o.id \
                 GROUP BY o.status",
            ))
            .await
            .unwrap();
            0
        }
    };
    txn.commit().await.unwrap();
    committed
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mixed_workload_stays_isolated_and_flat() {
    let total = env("TENANTRY_SOAK_TXNS", 4_000);
    let tenant_count = env("TENANTRY_SOAK_TENANTS", 100) as usize;
    let db = TestDb::postgres().await;
    db.migrate().await;
    let tenants = db.add_tenants(tenant_count).await;
    db.owner_exec("INSERT INTO products (sku, name, price) VALUES ('pen', 'Pen', 1.5)")
        .await;
    let product: i32 = scalar(&db.admin, "SELECT id FROM products").await;
    // The test database's own connections of the app role, before the soak's pool.
    let before = faults::app_sessions(&db, "%").await;
    let mut options = ConnectOptions::new(db.app_url.clone());
    options.max_connections(4).sqlx_logging(false);
    let pool = Database::connect(options).await.unwrap();
    let tdb = Arc::new(TenantDatabase::new(pool.clone()).with_registry(Registry::from_entities()));
    let tenants = Arc::new(tenants);
    let expected: Arc<Vec<AtomicI64>> =
        Arc::new((0..tenant_count).map(|_| AtomicI64::new(0)).collect());
    let done = Arc::new(AtomicU64::new(0));

    let quarter = total / 4;
    let mut marks: Vec<(Instant, u64)> = Vec::new();
    let mut workers = Vec::new();
    for w in 0..WORKERS {
        let (tdb, tenants, expected, done) =
            (tdb.clone(), tenants.clone(), expected.clone(), done.clone());
        workers.push(tokio::spawn(async move {
            let mut x = 0x2545_f491_4f6c_dd1d_u64 ^ (w + 1);
            loop {
                let n = done.fetch_add(1, Ordering::Relaxed);
                if n >= total {
                    return;
                }
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                let i = (x % tenants.len() as u64) as usize;
                let other = tenants[(i + 1) % tenants.len()];
                let added = one(&tdb, tenants[i], other, product, x >> 8).await;
                expected[i].fetch_add(added, Ordering::Relaxed);
            }
        }));
    }
    // Memory and throughput per quarter, sampled from here.
    let started = Instant::now();
    loop {
        let n = done.load(Ordering::Relaxed).min(total);
        if marks.len() < 5 && n >= quarter * marks.len() as u64 {
            marks.push((Instant::now(), rss_kib()));
            continue;
        }
        if n >= total {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    for w in workers {
        w.await.unwrap();
    }
    let elapsed = started.elapsed();
    let stats = tdb.rewriter().stats();
    let per_quarter: Vec<String> = marks
        .windows(2)
        .map(|m| format!("{:.0}", quarter as f64 / (m[1].0 - m[0].0).as_secs_f64()))
        .collect();
    println!(
        "soak: {total} transactions over {tenant_count} tenants in {:.1} s; per quarter {} \
         transactions/s; RSS {} KiB → {} KiB → {} KiB; plan cache {} plans, {} hits, {} misses ({:.2}% hits)",
        elapsed.as_secs_f64(),
        per_quarter.join(" / "),
        marks[0].1,
        marks[1].1,
        marks.last().unwrap().1,
        stats.len,
        stats.hits,
        stats.misses,
        100.0 * stats.hits as f64 / (stats.hits + stats.misses).max(1) as f64
    );

    // Every tenant's rows are its own, as many as it committed.
    for (i, t) in tenants.iter().enumerate() {
        let txn = tdb.begin(*t).await.unwrap();
        let mine = customers::Entity::find().all(&txn).await.unwrap();
        txn.commit().await.unwrap();
        assert!(mine.iter().all(|c| c.tenant_id == *t));
        assert_eq!(
            mine.len() as i64,
            expected[i].load(Ordering::Relaxed),
            "tenant {i}"
        );
    }
    let stored: i64 = scalar(
        &db.admin,
        "SELECT count(*) FROM customers WHERE name NOT IN ('c')",
    )
    .await;
    assert_eq!(stored, 0, "a rolled-back customer was stored");
    // The plan cache is bounded by the number of distinct statements, not transactions.
    assert!(stats.len < 200, "{} plans cached", stats.len);
    assert!(
        stats.misses < 200,
        "{} misses: plans are not reused",
        stats.misses
    );
    // Memory: the last quarter does not grow beyond the first's by more than the noise of
    // the allocator (8 MiB).
    let grown = marks.last().unwrap().1.saturating_sub(marks[1].1);
    assert!(
        grown < 8 * 1024,
        "RSS grew {grown} KiB between the first and last quarter"
    );
    // No connection leak: the app role holds at most the pool's connections more.
    let connections = faults::app_sessions(&db, "%").await - before;
    assert!(
        connections <= 4,
        "{connections} connections of the soak's pool"
    );
    tenantry_tests::assert_pool_clean(&pool, 4, "tenantry.tenant_id").await;
}
