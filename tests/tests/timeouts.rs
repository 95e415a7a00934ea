//! Pool exhaustion, `statement_timeout`, `lock_timeout` and deadlocks in tenant transactions
//! on PostgreSQL: each surfaces as an error that names what happened (not as a tenantry
//! refusal, and not as a tenant move), and leaves no connection inside a transaction.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::time::Duration;

use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend, Statement,
};
use tenantry::{Registry, TenantDatabase};
use tenantry_tests::{TestDb, faults};
use uuid::Uuid;

fn pg(sql: impl Into<String>) -> Statement {
    Statement::from_string(DbBackend::Postgres, sql.into())
}

/// The app role's pool of `size`, with `settings` (`-c name=value …`) on every session.
async fn pool(db: &TestDb, size: u32, settings: &str) -> DatabaseConnection {
    let url = if settings.is_empty() {
        db.app_url.clone()
    } else {
        let sep = if db.app_url.contains('?') { '&' } else { '?' };
        format!(
            "{}{sep}options={}",
            db.app_url,
            settings.replace(' ', "%20").replace('=', "%3D")
        )
    };
    let mut options = ConnectOptions::new(url);
    options
        .max_connections(size)
        .acquire_timeout(Duration::from_millis(300))
        .sqlx_logging(false);
    Database::connect(options).await.unwrap()
}

async fn setup() -> (TestDb, Uuid) {
    let db = TestDb::postgres().await;
    let tenant = Uuid::new_v4();
    db.owner_exec(&format!(
        "CREATE TABLE items (id int PRIMARY KEY, tenant_id uuid NOT NULL, v int NOT NULL); \
         INSERT INTO items VALUES (1, '{tenant}', 0), (2, '{tenant}', 0); \
         GRANT SELECT, UPDATE ON items TO \"{}\"",
        db.app_role
    ))
    .await;
    (db, tenant)
}

fn scoped(conn: DatabaseConnection) -> TenantDatabase {
    TenantDatabase::new(conn).with_registry(Registry::new().table("items", "tenant_id"))
}

fn says(e: &sea_orm::DbErr, what: &str) {
    let text = e.to_string();
    assert!(text.contains(what), "expected `{what}` in: {text}");
    assert!(
        tenantry::Error::from_db_err(e).is_none(),
        "reported as a tenantry error: {text}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_exhausted_pool_times_out_and_recovers() {
    let (db, tenant) = setup().await;
    let tdb = scoped(pool(&db, 1, "").await);
    let held = tdb.begin(tenant).await.unwrap();
    let e = tdb.begin(tenant).await.err().unwrap();
    says(&e, "timed out");
    held.rollback().await.unwrap();
    let txn = tdb.begin(tenant).await.unwrap();
    txn.query_all_raw(pg("SELECT id FROM items")).await.unwrap();
    txn.commit().await.unwrap();
    faults::nothing_left_open(&db).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn statement_and_lock_timeouts_name_themselves() {
    let (db, tenant) = setup().await;
    let tdb = scoped(pool(&db, 2, "-c statement_timeout=500 -c lock_timeout=100").await);
    let txn = tdb.begin(tenant).await.unwrap();
    let e = txn
        .query_all_raw(pg("SELECT id, pg_sleep(2) FROM items"))
        .await
        .err()
        .unwrap();
    says(&e, "statement timeout");
    txn.rollback().await.unwrap();

    let holder = tdb.begin(tenant).await.unwrap();
    holder
        .execute_raw(pg("UPDATE items SET v = v + 1 WHERE id = 1"))
        .await
        .unwrap();
    let waiter = tdb.begin(tenant).await.unwrap();
    let e = waiter
        .execute_raw(pg("UPDATE items SET v = v + 1 WHERE id = 1"))
        .await
        .err()
        .unwrap();
    says(&e, "lock timeout");
    waiter.rollback().await.unwrap();
    holder.commit().await.unwrap();
    faults::nothing_left_open(&db).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deadlock_fails_one_side_with_its_name() {
    let (db, tenant) = setup().await;
    let tdb = Arc::new(scoped(pool(&db, 2, "").await));
    let barrier = Arc::new(tokio::sync::Barrier::new(2));
    let side = |first: i32, second: i32| {
        let tdb = tdb.clone();
        let barrier = barrier.clone();
        tokio::spawn(async move {
            let txn = tdb.begin(tenant).await.unwrap();
            txn.execute_raw(pg(format!("UPDATE items SET v = v + 1 WHERE id = {first}")))
                .await
                .unwrap();
            barrier.wait().await;
            match txn
                .execute_raw(pg(format!(
                    "UPDATE items SET v = v + 1 WHERE id = {second}"
                )))
                .await
            {
                Ok(_) => txn.commit().await.map_err(|e| e.to_string()),
                Err(e) => {
                    let text = e.to_string();
                    assert!(tenantry::Error::from_db_err(&e).is_none(), "{text}");
                    txn.rollback().await.unwrap();
                    Err(text)
                }
            }
        })
    };
    let (a, b) = (side(1, 2), side(2, 1));
    let results = [a.await.unwrap(), b.await.unwrap()];
    let failed: Vec<&String> = results.iter().filter_map(|r| r.as_ref().err()).collect();
    assert_eq!(failed.len(), 1, "{results:?}");
    assert!(failed[0].contains("deadlock detected"), "{}", failed[0]);
    faults::nothing_left_open(&db).await;
    let v: i64 = db
        .admin
        .query_one_raw(pg("SELECT sum(v)::bigint FROM items"))
        .await
        .unwrap()
        .unwrap()
        .try_get_by_index(0)
        .unwrap();
    assert_eq!(v, 2, "only the surviving side's two updates");
}
