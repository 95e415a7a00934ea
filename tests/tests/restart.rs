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
use tenantry_tests::{TestDb, assert_pool_clean};
use uuid::Uuid;

const WORKERS: usize = 8;

fn pg(sql: impl Into<String>) -> Statement {
    Statement::from_string(DbBackend::Postgres, sql.into())
}

/// The cluster of the second server (`scripts/servers` names it `tenants`).
fn restart_second_server() {
    let version = std::fs::read_dir("/etc/postgresql")
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .max_by_key(|v| v.parse::<u32>().unwrap_or(0))
        .unwrap();
    let status = std::process::Command::new("pg_ctlcluster")
        .args([
            "--skip-systemctl-redirect",
            &version,
            "tenants",
            "restart",
            "-m",
            "fast",
        ])
        .status()
        .unwrap();
    assert!(status.success(), "pg_ctlcluster restart failed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restart_under_load_loses_nothing_acknowledged() {
    let db = TestDb::postgres_second_server().await;
    db.owner_exec(
        "CREATE TABLE marks (id bigserial PRIMARY KEY, tenant_id uuid NOT NULL, \
         marker bigint NOT NULL, half int NOT NULL)",
    )
    .await;
    db.owner_exec(&format!(
        "GRANT SELECT, INSERT ON marks TO \"{0}\"; GRANT USAGE ON SEQUENCE marks_id_seq TO \"{0}\"",
        db.app_role
    ))
    .await;
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
            let (mut acknowledged, mut failed, mut after) = (Vec::new(), 0, 0);
            let mut i = 0_i64;
            loop {
                let marker = w as i64 * 1_000_000 + i;
                i += 1;
                let work = async {
                    let txn = tdb.begin(tenant).await?;
                    for half in 0..2 {
                        txn.execute_raw(pg(format!(
                            "INSERT INTO marks (marker, half) VALUES ({marker}, {half})"
                        )))
                        .await?;
                    }
                    txn.query_all_raw(pg("SELECT count(*) FROM marks")).await?;
                    txn.commit().await
                };
                // Never longer than the pool's and the server's own timeouts allow.
                match tokio::time::timeout(Duration::from_secs(20), work).await {
                    Ok(Ok(())) => {
                        acknowledged.push(marker);
                        if stop.load(Ordering::Relaxed) {
                            after += 1;
                        }
                    }
                    Ok(Err(_)) => failed += 1,
                    Err(_) => panic!("worker {w}: a transaction hung past 20 s"),
                }
                if stop.load(Ordering::Relaxed) && after >= 5 {
                    return (tenant, acknowledged, failed);
                }
            }
        }));
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    tokio::task::spawn_blocking(restart_second_server)
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
    let failed: usize = results.iter().map(|r| r.2).sum();
    assert!(failed > 0, "the restart must have failed some transactions");

    let rows = db
        .admin
        .query_all_raw(pg(
            "SELECT marker, count(*) AS n, min(tenant_id::text) AS t, max(tenant_id::text) AS u \
             FROM marks GROUP BY marker",
        ))
        .await
        .unwrap();
    let mut stored = std::collections::HashMap::new();
    for r in &rows {
        let marker: i64 = r.try_get("", "marker").unwrap();
        let n: i64 = r.try_get("", "n").unwrap();
        let (t, u): (String, String) = (r.try_get("", "t").unwrap(), r.try_get("", "u").unwrap());
        assert_eq!(n, 2, "marker {marker}: half a transaction");
        assert_eq!(t, u, "marker {marker}: rows under two tenants");
        stored.insert(marker, t);
    }
    for (tenant, acknowledged, _) in &results {
        for marker in acknowledged {
            assert_eq!(
                stored.get(marker),
                Some(&tenant.to_string()),
                "marker {marker}: acknowledged, then missing"
            );
        }
    }
    assert_pool_clean(&pool, 4, "tenantry.tenant_id").await;
}
