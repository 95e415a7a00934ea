//! A server restart under load: eight workers run tenant transactions against the second
//! test server (its own cluster, so nothing else of this binary uses it) while the cluster is
//! restarted (`pg_ctlcluster … restart`, fast mode). No transaction hangs past its timeouts,
//! requests in flight fail with an error, the pool recovers by itself, every acknowledged
//! commit is there in full, nothing is half-applied or under another tenant, and no
//! connection is left carrying state.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use sea_orm::{ConnectOptions, ConnectionTrait, Database, DbBackend, Statement};
use tenantry::{Registry, TenantDatabase};
use tenantry_tests::{TestDb, assert_pool_clean, faults};
use uuid::Uuid;

const WORKERS: usize = 8;

/// The marker of worker `w`'s round `round`.
fn marker(w: usize, round: i64) -> i64 {
    w as i64 * 1_000_000 + round
}

fn pg(sql: impl Into<String>) -> Statement {
    Statement::from_string(DbBackend::Postgres, sql.into())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restart_under_load_loses_nothing_acknowledged() {
    let db = TestDb::postgres_second_server().await;
    faults::marks_table(&db).await;
    let mut options = ConnectOptions::new(db.app_url.clone());
    options
        .max_connections(4)
        .connect_timeout(Duration::from_secs(2))
        .acquire_timeout(Duration::from_secs(3))
        .sqlx_logging(false);
    let pool = Database::connect(options).await.unwrap();
    let tdb = Arc::new(
        TenantDatabase::new(pool.clone())
            .with_registry(Registry::new().table("marks", "tenant_id")),
    );
    let stop = Arc::new(AtomicBool::new(false));
    let mut workers = Vec::new();
    for w in 0..WORKERS {
        let (tdb, stop) = (tdb.clone(), stop.clone());
        let tenant = Uuid::new_v4();
        workers.push(tokio::spawn(async move {
            let tally = faults::until_recovered(w, &stop, Duration::ZERO, |round| {
                let tdb = tdb.clone();
                async move {
                    let txn = tdb.begin(tenant).await?;
                    for half in 0..2 {
                        txn.execute_raw(pg(format!(
                            "INSERT INTO marks (marker, half) VALUES ({}, {half})",
                            marker(w, round)
                        )))
                        .await?;
                    }
                    txn.query_all_raw(pg("SELECT count(*) FROM marks")).await?;
                    txn.commit().await
                }
            })
            .await;
            (tenant, tally)
        }));
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    tokio::task::spawn_blocking(|| faults::second_cluster("restart"))
        .await
        .unwrap();
    // Once the server is back, each worker must commit again on its own.
    stop.store(true, Ordering::Relaxed);
    let mut results = Vec::new();
    for w in workers {
        results.push(
            tokio::time::timeout(Duration::from_secs(120), w)
                .await
                .unwrap()
                .unwrap(),
        );
    }
    let failed: usize = results.iter().map(|(_, t)| t.failed).sum();
    assert!(failed > 0, "the restart must have failed some transactions");

    let stored = faults::stored_marks(&db, 2).await;
    for (w, (tenant, tally)) in results.iter().enumerate() {
        let acknowledged: Vec<(i64, Uuid)> = tally
            .acknowledged
            .iter()
            .map(|round| (marker(w, *round), *tenant))
            .collect();
        faults::assert_acknowledged(&stored, &acknowledged);
    }
    assert_pool_clean(&pool, 4, "tenantry.tenant_id").await;
}
