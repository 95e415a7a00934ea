//! Cancellation at every await point, on PostgreSQL through a pool of 2 connections: tenant
//! transactions — begin, inserts, a select, a stream, a savepoint committed or rolled back,
//! the closure form, commit or rollback — each dropped after a random short time (by
//! `tokio::time::timeout`, or by a cancel signal from another task raced with `select!`),
//! 3,000 times (`TENANTRY_CANCEL_ROUNDS` for more). Afterwards no connection of the pool is inside
//! a transaction or carries a tenant setting, every transaction whose commit returned `Ok`
//! is there in full, and every other one is there in full or not at all.
#![allow(clippy::unwrap_used)]

use std::time::Duration;

use futures_util::StreamExt;
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DbBackend, Statement, StreamTrait, TransactionTrait,
};
use tenantry::{Registry, TenantDatabase};
use tenantry_tests::{TestDb, faults};
use uuid::Uuid;

fn rounds() -> usize {
    std::env::var("TENANTRY_CANCEL_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3_000)
}

/// A small deterministic generator (no dependency, reproducible by seed).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

fn pg(sql: impl Into<String>) -> Statement {
    Statement::from_string(DbBackend::Postgres, sql.into())
}

/// One transaction of `tenant` writing two rows marked `marker`; which steps it takes depends
/// on `shape`. Returns `true` when its commit returned `Ok`.
async fn transaction(tdb: &TenantDatabase, tenant: Uuid, marker: i64, shape: u64) -> bool {
    if shape % 7 == 6 {
        // The closure form.
        return tdb
            .transaction(tenant, |txn| {
                Box::pin(async move {
                    for half in 0..2 {
                        txn.execute_raw(pg(format!(
                            "INSERT INTO marks (marker, half) VALUES ({marker}, {half})"
                        )))
                        .await?;
                    }
                    Ok::<_, sea_orm::DbErr>(())
                })
            })
            .await
            .is_ok();
    }
    let Ok(txn) = tdb.begin(tenant).await else {
        return false;
    };
    if txn
        .execute_raw(pg(format!(
            "INSERT INTO marks (marker, half) VALUES ({marker}, 0)"
        )))
        .await
        .is_err()
    {
        return false;
    }
    match shape % 4 {
        0 => {
            let _ = txn.query_all_raw(pg("SELECT marker FROM marks")).await;
        }
        1 => {
            if let Ok(mut rows) = txn.stream_raw(pg("SELECT marker FROM marks")).await {
                while let Some(row) = rows.next().await {
                    if row.is_err() {
                        break;
                    }
                }
            }
        }
        2 => {
            // A savepoint whose write is rolled back: it must never count.
            if let Ok(sp) = txn.begin().await {
                let _ = sp
                    .execute_raw(pg(format!(
                        "INSERT INTO marks (marker, half) VALUES ({marker}, 9)"
                    )))
                    .await;
                let _ = sp.rollback().await;
            }
        }
        _ => {
            if let Ok(sp) = txn.begin().await {
                let _ = sp.query_all_raw(pg("SELECT 1")).await;
                let _ = sp.commit().await;
            }
        }
    }
    if txn
        .execute_raw(pg(format!(
            "INSERT INTO marks (marker, half) VALUES ({marker}, 1)"
        )))
        .await
        .is_err()
    {
        return false;
    }
    if shape % 5 == 4 {
        let _ = txn.rollback().await;
        return false;
    }
    txn.commit().await.is_ok()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancelled_transactions_leave_nothing_behind_and_lose_nothing_acknowledged() {
    let db = TestDb::postgres().await;
    faults::marks_table(&db).await;
    let mut options = ConnectOptions::new(db.app_url.clone());
    options
        .max_connections(2)
        .acquire_timeout(Duration::from_secs(10))
        .sqlx_logging(false);
    let pool = Database::connect(options).await.unwrap();
    let tdb = TenantDatabase::new(pool.clone())
        .with_registry(Registry::new().table("marks", "tenant_id"));
    let tenants = [Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4()];
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut acknowledged = Vec::new();
    let mut attempted = 0_i64;
    for round in 0..rounds() {
        let marker = round as i64;
        attempted += 1;
        let tenant = tenants[(rng.next() % 3) as usize];
        let shape = rng.next();
        // From cancelled at once to long enough to finish.
        let budget = Duration::from_micros(rng.next() % 6_000);
        let work = transaction(&tdb, tenant, marker, shape);
        let committed = if round % 2 == 0 {
            tokio::time::timeout(budget, work).await.unwrap_or(false)
        } else {
            // A cancel signal from another task, raced with `select!`.
            let (cancel, cancelled) = tokio::sync::oneshot::channel::<()>();
            tokio::spawn(async move {
                tokio::time::sleep(budget).await;
                let _ = cancel.send(());
            });
            tokio::select! {
                done = work => done,
                _ = cancelled => false,
            }
        };
        if committed {
            acknowledged.push((marker, tenant));
        }
    }

    // Every connection of the pool, held at once: none inside a transaction, none carrying
    // a tenant.
    tenantry_tests::assert_pool_clean(&pool, 2, "tenantry.tenant_id").await;
    assert_eq!(faults::app_sessions(&db, "idle in transaction%").await, 0);

    // All or nothing per transaction; every acknowledged one in full, under its tenant; a
    // rolled-back savepoint's row never.
    let stored = faults::stored_marks(&db, 2).await;
    faults::assert_acknowledged(&stored, &acknowledged);
    assert!(
        acknowledged.len() > 50 && (acknowledged.len() as i64) < attempted,
        "the budgets must both cancel and let finish: {} of {attempted} acknowledged",
        acknowledged.len()
    );
    // The pool still serves.
    let txn = pool.begin().await.unwrap();
    txn.query_all_raw(pg("SELECT 1")).await.unwrap();
    txn.commit().await.unwrap();
}
