//! Connections killed under load: four workers run tenant transactions (two marked rows each,
//! then commit) on a pool of 4 of the app role while a killer terminates a random backend of
//! the app role every few milliseconds (`pg_terminate_backend`). Every transaction is there in
//! full or not at all, under its own tenant; every acknowledged commit is there; the pool
//! recovers by itself, and none of its connections is left in a transaction or carrying a
//! tenant.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use sea_orm::{ConnectOptions, ConnectionTrait, Database, DbBackend, Statement};
use tenantry::{Registry, TenantDatabase};
use tenantry_tests::{TestDb, assert_pool_clean, faults};
use uuid::Uuid;

const WORKERS: usize = 4;
const PER_WORKER: usize = 150;

fn pg(sql: impl Into<String>) -> Statement {
    Statement::from_string(DbBackend::Postgres, sql.into())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_connections_lose_nothing_acknowledged_and_leave_no_state() {
    let db = TestDb::postgres().await;
    faults::marks_table(&db).await;
    let mut options = ConnectOptions::new(db.app_url.clone());
    options
        .max_connections(WORKERS as u32)
        .acquire_timeout(Duration::from_secs(10))
        .sqlx_logging(false);
    let pool = Database::connect(options).await.unwrap();
    let tdb = Arc::new(
        TenantDatabase::new(pool.clone())
            .with_registry(Registry::new().table("marks", "tenant_id")),
    );

    let stop = Arc::new(AtomicBool::new(false));
    let killer = {
        let stop = stop.clone();
        let admin = db.admin.clone();
        let (name, role) = (db.name.clone(), db.app_role.clone());
        tokio::spawn(async move {
            let mut killed = 0_i64;
            while !stop.load(Ordering::Relaxed) {
                let row = admin
                    .query_one_raw(pg(format!(
                        "SELECT count(pg_terminate_backend(pid)) FROM (SELECT pid FROM \
                         pg_stat_activity WHERE datname = '{name}' AND usename = '{role}' \
                         ORDER BY random() LIMIT 1) victim"
                    )))
                    .await
                    .unwrap()
                    .unwrap();
                killed += row.try_get_by_index::<i64>(0).unwrap();
                tokio::time::sleep(Duration::from_millis(3)).await;
            }
            killed
        })
    };
    let mut workers = Vec::new();
    for w in 0..WORKERS {
        let tdb = tdb.clone();
        let tenant = Uuid::new_v4();
        workers.push(tokio::spawn(async move {
            let mut acknowledged = Vec::new();
            for i in 0..PER_WORKER {
                let marker = (w * PER_WORKER + i) as i64;
                let done = async {
                    let txn = tdb.begin(tenant).await?;
                    for half in 0..2 {
                        txn.execute_raw(pg(format!(
                            "INSERT INTO marks (marker, half) VALUES ({marker}, {half})"
                        )))
                        .await?;
                    }
                    txn.commit().await
                }
                .await;
                if done.is_ok() {
                    acknowledged.push(marker);
                }
            }
            (tenant, acknowledged)
        }));
    }
    let mut results = Vec::new();
    for w in workers {
        results.push(w.await.unwrap());
    }
    stop.store(true, Ordering::Relaxed);
    let killed = killer.await.unwrap();
    assert!(killed > 10, "the killer must have hit backends: {killed}");

    let stored = faults::stored_marks(&db, 2).await;
    let mut acknowledged_total = 0;
    for (tenant, acknowledged) in &results {
        acknowledged_total += acknowledged.len();
        let acknowledged: Vec<(i64, Uuid)> = acknowledged.iter().map(|m| (*m, *tenant)).collect();
        faults::assert_acknowledged(&stored, &acknowledged);
    }
    assert!(
        acknowledged_total < WORKERS * PER_WORKER,
        "some transactions must have been killed ({killed} kills)"
    );
    assert!(acknowledged_total > 0);

    // The pool recovers by itself and holds no state.
    for _ in 0..WORKERS * 2 {
        let txn = tdb.begin(Uuid::new_v4()).await.unwrap();
        txn.query_all_raw(pg("SELECT marker FROM marks"))
            .await
            .unwrap();
        txn.commit().await.unwrap();
    }
    assert_pool_clean(&pool, WORKERS as u32, "tenantry.tenant_id").await;
}
