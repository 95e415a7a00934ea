//! No tenant context bleeds between requests: thousands of interleaved transactions for
//! random tenants on a pool of 8 (PostgreSQL, app role, RLS on), some failing or rolled back
//! midway, each seeing exactly its own tenant's rows.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use entity::{customers, tenants};
use sea_orm::{
    ActiveModelTrait, ConnectOptions, ConnectionTrait, Database, DbBackend, EntityTrait,
    PaginatorTrait, Set, Statement,
};
use tenantry::{Error, TenantDatabase};
use tenantry_tests::TestDb;
use uuid::Uuid;

const TENANTS: usize = 12;
const TRANSACTIONS: usize = 2_400;
const WORKERS: usize = 16;

async fn setting(conn: &impl ConnectionTrait) -> Option<String> {
    conn.query_one_raw(Statement::from_string(
        DbBackend::Postgres,
        "SELECT current_setting('tenantry.tenant_id', true) AS s",
    ))
    .await
    .unwrap()
    .unwrap()
    .try_get::<Option<String>>("", "s")
    .unwrap()
    .filter(|s| !s.is_empty())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_context_bleeds_between_pooled_transactions() {
    let db = TestDb::postgres().await;
    db.migrate().await;
    let ids: Vec<Uuid> = (0..TENANTS).map(|_| Uuid::new_v4()).collect();
    for (i, id) in ids.iter().enumerate() {
        tenants::ActiveModel {
            id: Set(*id),
            name: Set(format!("t{i}")),
            slug: Set(format!("t{i}")),
        }
        .insert(&db.owner)
        .await
        .unwrap();
    }
    let mut opts = ConnectOptions::new(db.app_url.clone());
    opts.max_connections(8)
        .min_connections(8)
        .sqlx_logging(false);
    let pool = Database::connect(opts).await.unwrap();
    let tdb = Arc::new(TenantDatabase::new(pool.clone()));
    // Tenant i owns i + 1 customers.
    for (i, id) in ids.iter().enumerate() {
        let txn = tdb.begin(*id).await.unwrap();
        for n in 0..=i {
            customers::ActiveModel {
                name: Set(format!("c{n}")),
                email: Set(format!("c{n}@t{i}.test")),
                ..Default::default()
            }
            .insert(&txn)
            .await
            .unwrap();
        }
        txn.commit().await.unwrap();
    }

    let ids = Arc::new(ids);
    let mut workers = Vec::new();
    for w in 0..WORKERS {
        let (tdb, ids, pool) = (Arc::clone(&tdb), Arc::clone(&ids), pool.clone());
        workers.push(tokio::spawn(async move {
            let mut state = 0x9E37_79B9_7F4A_7C15_u64 ^ (w as u64 + 1);
            let mut next = move || {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                state
            };
            for _ in 0..TRANSACTIONS / WORKERS {
                let i = (next() % TENANTS as u64) as usize;
                let tenant = ids[i];
                let txn = tdb.begin(tenant).await.unwrap();
                assert_eq!(setting(txn.get_ref()).await, Some(tenant.to_string()));
                let rows = customers::Entity::find().all(&txn).await.unwrap();
                assert_eq!(rows.len(), i + 1, "tenant {i} sees exactly its rows");
                assert!(rows.iter().all(|c| c.tenant_id == tenant));
                // RLS alone agrees: a raw count on the untouched inner transaction.
                let raw = customers::Entity::find()
                    .count(txn.get_ref())
                    .await
                    .unwrap();
                assert_eq!(raw, (i + 1) as u64);
                match next() % 4 {
                    0 => txn.commit().await.unwrap(),
                    1 => txn.rollback().await.unwrap(),
                    2 => {
                        // A refused statement midway, then the handle is dropped.
                        let err = txn
                            .execute_unprepared("SET tenantry.tenant_id = 'x'")
                            .await
                            .unwrap_err();
                        assert!(Error::from_db_err(&err).is_some(), "{err}");
                        drop(txn);
                    }
                    _ => {
                        // A failing statement (database error) aborts the transaction.
                        let _ = txn
                            .execute_unprepared(
                                "INSERT INTO customers (id, name, email) VALUES (-1, NULL, NULL)",
                            )
                            .await
                            .unwrap_err();
                        drop(txn);
                    }
                }
                // Between requests, a plain pooled connection carries no tenant.
                if next() % 8 == 0 {
                    assert_eq!(
                        setting(&pool).await,
                        None,
                        "no tenant outside a transaction"
                    );
                    let visible = customers::Entity::find().count(&pool).await.unwrap();
                    assert_eq!(visible, 0, "no context, no rows");
                }
            }
        }));
    }
    for w in workers {
        w.await.unwrap();
    }
    pool.close().await.unwrap();
}
