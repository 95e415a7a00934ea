//! `tenantry::testing`'s isolation harness over real databases: it passes scoped queries and
//! fails — with a readable report — when a query leaks or writes across tenants.
#![allow(clippy::unwrap_used)]

use entity::{customers, orders};
use rust_decimal::Decimal;
use sea_orm::{ActiveModelTrait, ConnectionTrait, DbBackend, EntityTrait, Set, Statement};
use tenantry::testing::{IsolationCheck, IsolationFailure};
use tenantry::{Registry, TenantDatabase, assert_isolated};
use tenantry_tests::TestDb;
use uuid::Uuid;

#[path = "isolation/world.rs"]
#[allow(dead_code)]
mod world;

/// One customer with one order per tenant, named after the tenant, written through tenantry.
async fn seed(check: &IsolationCheck<'_>) {
    check
        .seed(|txn| {
            Box::pin(async move {
                let name = format!("customer of {}", txn.tenant());
                let c = customers::ActiveModel {
                    email: Set(format!("{name}@x.test")),
                    name: Set(name),
                    ..Default::default()
                }
                .insert(txn)
                .await?;
                orders::ActiveModel {
                    customer_id: Set(c.id),
                    status: Set("open".into()),
                    total: Set(Decimal::TEN),
                    ..Default::default()
                }
                .insert(txn)
                .await?;
                Ok(())
            })
        })
        .await
        .unwrap();
}

async fn tenants(db: &TestDb) -> (Uuid, Uuid) {
    let (a, b) = (Uuid::new_v4(), Uuid::new_v4());
    for (id, slug) in [(a, "a"), (b, "b")] {
        entity::tenants::ActiveModel {
            id: Set(id),
            name: Set(slug.into()),
            slug: Set(slug.into()),
        }
        .insert(&db.owner)
        .await
        .unwrap();
    }
    (a, b)
}

async fn scoped_queries_pass(db: TestDb) {
    db.migrate().await;
    let admin = world::admin(&db).await;
    let (a, b) = tenants(&db).await;
    let tdb = TenantDatabase::new(db.app.clone());
    let check = IsolationCheck::new(&tdb, &admin, a, b);
    seed(&check).await;
    let report = assert_isolated!(
        check
            .check(|txn| Box::pin(async move { customers::Entity::find().all(txn).await }))
            .await
    );
    assert_eq!(report.runs, 2);
    assert_eq!(report.rows.get("customers"), Some(&2));
    // A write of every row the tenant can reach.
    assert_isolated!(
        check
            .check(|txn| Box::pin(async move {
                let backend = txn.get_database_backend();
                txn.execute_raw(Statement::from_string(
                    backend,
                    "UPDATE orders SET status = 'done'",
                ))
                .await
                .map(|r| r.rows_affected())
            }))
            .await
    );
}

#[tokio::test]
async fn scoped_queries_pass_postgres() {
    scoped_queries_pass(TestDb::postgres().await).await;
}

#[tokio::test]
async fn scoped_queries_pass_sqlite() {
    scoped_queries_pass(TestDb::sqlite().await).await;
}

/// A `TenantDatabase` that scopes nothing (an empty registry) on a database without RLS: the
/// harness must catch both the leak and the cross-tenant write.
#[tokio::test]
async fn unscoped_access_is_caught() {
    let db = TestDb::sqlite().await;
    db.migrate().await;
    let (a, b) = tenants(&db).await;
    let scoping = TenantDatabase::new(db.app.clone());
    let check = IsolationCheck::new(&scoping, &db.owner, a, b);
    seed(&check).await;

    // The query runs on a second handle whose registry is empty: nothing is scoped.
    let blind = TenantDatabase::new(db.app.clone()).with_registry(Registry::new());
    let err = check
        .check(|txn| {
            let blind = blind.clone();
            let tenant = txn.tenant().clone();
            Box::pin(async move {
                let other = blind.begin(tenant).await?;
                let rows = customers::Entity::find().all(&other).await?;
                other.commit().await?;
                Ok(rows)
            })
        })
        .await
        .unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, IsolationFailure::Leak { .. }), "{text}");
    assert!(text.contains("tenant isolation broken"), "{text}");
    assert!(text.contains(&format!("tenant_id: {b}")), "{text}");

    let err = check
        .check(|txn| {
            let blind = blind.clone();
            let tenant = txn.tenant().clone();
            Box::pin(async move {
                let other = blind.begin(tenant).await?;
                let n = other
                    .execute_raw(Statement::from_string(
                        DbBackend::Sqlite,
                        "UPDATE orders SET status = 'overwritten'",
                    ))
                    .await?
                    .rows_affected();
                other.commit().await?;
                Ok(n)
            })
        })
        .await
        .unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, IsolationFailure::Touched { .. }), "{text}");
    assert!(text.contains("orders: - "), "{text}");
    assert!(text.contains("\"status\":\"overwritten\""), "{text}");
}

#[tokio::test]
#[should_panic(expected = "tenant isolation broken")]
async fn assert_isolated_panics_with_the_report() {
    let db = TestDb::sqlite().await;
    db.migrate().await;
    let (a, b) = tenants(&db).await;
    let tdb = TenantDatabase::new(db.app.clone());
    let check = IsolationCheck::new(&tdb, &db.owner, a, b);
    seed(&check).await;
    let blind = TenantDatabase::new(db.app.clone()).with_registry(Registry::new());
    assert_isolated!(
        check
            .check(|txn| {
                let blind = blind.clone();
                let tenant = txn.tenant().clone();
                Box::pin(async move {
                    let other = blind.begin(tenant).await?;
                    let names: Vec<String> = customers::Entity::find()
                        .all(&other)
                        .await?
                        .into_iter()
                        .map(|c| c.name)
                        .collect();
                    Ok(names)
                })
            })
            .await
    );
}
