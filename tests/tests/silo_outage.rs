//! A silo server going down and coming back while other tenants keep running: a tenant in the
//! shared tables (first server) and a tenant in a database of its own on the second server,
//! two workers each, through one `TenantDatabase` following the directory; the second server
//! is stopped for two seconds, then started. The shared tenant never sees an error; the silo
//! tenant's transactions fail while its server is down (none hangs) and succeed again once it
//! is back, and every acknowledged commit of either is stored.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use sea_orm::{ConnectionTrait, DbBackend, Statement};
use tenantry::TenantDatabase;
use tenantry::placement::{Placement, ServerOptions, Servers, TableDirectory};
use tenantry_tests::{
    TestDb, both_servers, faults, pg_admin_url, pg2_admin_url, pool_on, scalar, url_as, url_on,
};
use uuid::Uuid;

async fn count(url: &str, sql: &str) -> i64 {
    let conn = pool_on(url).await;
    let n = scalar(&conn, sql).await;
    conn.close().await.unwrap();
    n
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_silo_server_outage_touches_only_its_tenants() {
    let db = TestDb::postgres().await;
    db.migrate().await;
    let [shared, silo] = [Uuid::new_v4(), Uuid::new_v4()];
    for t in [shared, silo] {
        db.owner_exec(&format!(
            "INSERT INTO tenants (id, name, slug) VALUES ('{t}', 'n', 's-{t}')"
        ))
        .await;
    }
    let provisioner = db.provisioner(both_servers()).await;
    let silo_db = format!("{}_o", db.name);
    provisioner.create(shared, Placement::Shared).await.unwrap();
    provisioner
        .create(silo, Placement::database("two", &silo_db).unwrap())
        .await
        .unwrap();
    let quick = ServerOptions::default()
        .connect_timeout(Duration::from_secs(1))
        .acquire_timeout(Duration::from_secs(2));
    let servers = Servers::new()
        .with_options(
            "one",
            &url_as(&pg_admin_url(), &db.app_role, "postgres"),
            quick,
        )
        .unwrap()
        .with_options(
            "two",
            &url_as(&pg2_admin_url(), &db.app_role, "postgres"),
            quick,
        )
        .unwrap();
    let tdb = Arc::new(
        TenantDatabase::new(db.app.clone())
            .with_directory(Arc::new(TableDirectory::new(db.app.clone())), servers),
    );

    let (down, back) = (
        Arc::new(AtomicBool::new(false)),
        Arc::new(AtomicBool::new(false)),
    );
    let mut workers = Vec::new();
    for (w, tenant) in [shared, shared, silo, silo].into_iter().enumerate() {
        let (tdb, down, back) = (tdb.clone(), down.clone(), back.clone());
        workers.push(tokio::spawn(async move {
            let pause = Duration::from_millis(5);
            let tally = faults::until_recovered(w, &back, pause, |_| {
                let tdb = tdb.clone();
                async move {
                    let txn = tdb.begin(tenant).await?;
                    // Errors propagate: the server may go away between any two statements.
                    txn.execute_raw(Statement::from_string(
                        DbBackend::Postgres,
                        format!(
                            "INSERT INTO customers (name, email) VALUES ('w{w}', '{}@x.test')",
                            Uuid::new_v4()
                        ),
                    ))
                    .await?;
                    txn.commit().await
                }
            })
            .await;
            (
                tenant,
                tally.acknowledged.len() as i64,
                tally.failed as i64,
                down.load(Ordering::Relaxed),
            )
        }));
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    tokio::task::spawn_blocking(|| faults::second_cluster("stop"))
        .await
        .unwrap();
    down.store(true, Ordering::Relaxed);
    tokio::time::sleep(Duration::from_secs(2)).await;
    tokio::task::spawn_blocking(|| faults::second_cluster("start"))
        .await
        .unwrap();
    back.store(true, Ordering::Relaxed);
    let mut results = Vec::new();
    for w in workers {
        results.push(
            tokio::time::timeout(Duration::from_secs(120), w)
                .await
                .unwrap()
                .unwrap(),
        );
    }
    let (mut shared_ok, mut silo_ok) = (0, 0);
    for (tenant, ok, failed, _) in &results {
        if *tenant == shared {
            assert_eq!(
                *failed, 0,
                "the shared tenant saw errors during the silo's outage"
            );
            shared_ok += ok;
        } else {
            assert!(
                *failed > 0,
                "the silo tenant's server was down: some must fail"
            );
            silo_ok += ok;
        }
    }
    // Every acknowledged commit is stored (each is one customer).
    let stored_shared = count(
        &url_on(&pg_admin_url(), &db.name),
        &format!("SELECT count(*) FROM customers WHERE tenant_id = '{shared}'"),
    )
    .await;
    let stored_silo = count(
        &url_on(&pg2_admin_url(), &silo_db),
        "SELECT count(*) FROM customers",
    )
    .await;
    assert_eq!(stored_shared, shared_ok);
    assert!(
        stored_silo >= silo_ok,
        "{stored_silo} stored, {silo_ok} acknowledged"
    );

    drop(tdb);
    for t in [shared, silo] {
        provisioner.drop_tenant(t, "test done", true).await.unwrap();
    }
    let two = pool_on(&pg2_admin_url()).await;
    two.execute_unprepared(&format!("DROP ROLE IF EXISTS \"{}\"", db.app_role))
        .await
        .unwrap();
}
