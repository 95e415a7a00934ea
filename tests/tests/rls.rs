//! Row-Level Security alone: raw SQL as the app role (not superuser, no BYPASSRLS, not the
//! owner), no rewriter, tenant context from `set_config('tenantry.tenant_id', …, true)` in a
//! transaction. Every cross-tenant read and write is stopped by the database.
#![allow(clippy::unwrap_used)]

use sea_orm::{
    ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr, Statement,
    TransactionTrait,
};
use sea_orm_migration::SchemaManager;
use sea_orm_migration::prelude::Alias;
use tenantry_migration::TenantMigrationExt;
use tenantry_tests::TestDb;

const A: &str = "00000000-0000-4000-8000-00000000000a";
const B: &str = "00000000-0000-4000-8000-00000000000b";

/// A transaction with the tenant context set (or none).
async fn begin(conn: &DatabaseConnection, tenant: Option<&str>) -> DatabaseTransaction {
    let txn = conn.begin().await.unwrap();
    if let Some(t) = tenant {
        txn.execute_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT set_config('tenantry.tenant_id', $1, true)",
            [t.into()],
        ))
        .await
        .unwrap();
    }
    txn
}

async fn count<C: ConnectionTrait>(conn: &C, sql: &str) -> i64 {
    conn.query_one_raw(Statement::from_string(DbBackend::Postgres, sql))
        .await
        .unwrap()
        .unwrap()
        .try_get_by_index::<i64>(0)
        .unwrap()
}

async fn affected<C: ConnectionTrait>(conn: &C, sql: &str) -> Result<u64, DbErr> {
    conn.execute_unprepared(sql)
        .await
        .map(|r| r.rows_affected())
}

fn is_rls_violation(err: &DbErr) -> bool {
    err.to_string().contains("row-level security")
}

/// Two tenants with one customer, order and item each, written as the owner (bound by
/// FORCE ROW LEVEL SECURITY, so each tenant's rows are written in its own context).
async fn seeded() -> TestDb {
    let db = TestDb::postgres().await;
    db.migrate().await;
    db.owner_exec(&format!(
        "INSERT INTO tenants (id, name, slug) VALUES ('{A}', 'A', 'a'), ('{B}', 'B', 'b'); \
         INSERT INTO products (id, sku, name, price) VALUES (1, 'p1', 'Widget', 9.50)"
    ))
    .await;
    for (tenant, id) in [(A, 101), (B, 102)] {
        let txn = begin(&db.owner, Some(tenant)).await;
        txn.execute_unprepared(&format!(
            "INSERT INTO customers (id, tenant_id, name, email) VALUES ({id}, '{tenant}', 'c{id}', 'c@x'); \
             INSERT INTO orders (id, tenant_id, customer_id, status, total) VALUES ({id}, '{tenant}', {id}, 'new', 10); \
             INSERT INTO order_items (id, tenant_id, order_id, product_id, quantity, unit_price) \
               VALUES ({id}, '{tenant}', {id}, 1, 1, 10)"
        ))
        .await
        .unwrap();
        txn.commit().await.unwrap();
    }
    db
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reads_see_only_the_current_tenant() {
    let db = seeded().await;
    let txn = begin(&db.app, Some(A)).await;
    for table in ["customers", "orders", "order_items"] {
        assert_eq!(
            count(&txn, &format!("SELECT count(*) FROM {table}")).await,
            1
        );
        assert_eq!(
            count(
                &txn,
                &format!("SELECT count(*) FROM {table} WHERE tenant_id = '{B}'")
            )
            .await,
            0
        );
    }
    // Joins, subqueries and id guesses reach nothing of B.
    assert_eq!(
        count(
            &txn,
            "SELECT count(*) FROM orders o JOIN customers c ON c.id = o.customer_id"
        )
        .await,
        1
    );
    assert_eq!(
        count(&txn, "SELECT count(*) FROM customers WHERE id = 102").await,
        0
    );
    assert_eq!(
        count(
            &txn,
            "SELECT count(*) FROM (SELECT * FROM order_items UNION ALL SELECT * FROM order_items) x"
        )
        .await,
        2
    );
    txn.commit().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn missing_or_empty_context_sees_nothing_and_writes_nothing() {
    let db = seeded().await;
    for tenant in [None, Some("")] {
        let txn = begin(&db.app, tenant).await;
        for table in ["customers", "orders", "order_items"] {
            assert_eq!(
                count(&txn, &format!("SELECT count(*) FROM {table}")).await,
                0,
                "{table} with context {tenant:?}"
            );
        }
        assert_eq!(
            affected(&txn, "UPDATE customers SET name = 'x'")
                .await
                .unwrap(),
            0
        );
        assert_eq!(affected(&txn, "DELETE FROM orders").await.unwrap(), 0);
        let err = affected(
            &txn,
            &format!("INSERT INTO customers (tenant_id, name, email) VALUES ('{A}', 'n', 'n@x')"),
        )
        .await
        .unwrap_err();
        assert!(is_rls_violation(&err), "{err}");
        txn.rollback().await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn insert_for_another_tenant_is_refused() {
    let db = seeded().await;
    let txn = begin(&db.app, Some(A)).await;
    let err = affected(
        &txn,
        &format!("INSERT INTO customers (tenant_id, name, email) VALUES ('{B}', 'n', 'n@x')"),
    )
    .await
    .unwrap_err();
    assert!(is_rls_violation(&err), "{err}");
    txn.rollback().await.unwrap();

    // The current tenant's insert works (serial ids: USAGE on the sequence is enough).
    let txn = begin(&db.app, Some(A)).await;
    affected(
        &txn,
        &format!("INSERT INTO customers (tenant_id, name, email) VALUES ('{A}', 'n', 'n@x')"),
    )
    .await
    .unwrap_or_else(|e| panic!("own insert failed: {e}"));
    txn.commit().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn updates_and_deletes_of_the_other_tenant_touch_nothing() {
    let db = seeded().await;
    let txn = begin(&db.app, Some(A)).await;
    assert_eq!(
        affected(
            &txn,
            &format!("UPDATE customers SET name = 'pwned' WHERE tenant_id = '{B}'")
        )
        .await
        .unwrap(),
        0
    );
    assert_eq!(
        affected(&txn, "UPDATE orders SET status = 'pwned' WHERE id = 102")
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        affected(&txn, "DELETE FROM order_items WHERE id = 102")
            .await
            .unwrap(),
        0
    );
    txn.rollback().await.unwrap();

    // Moving an own row to the other tenant is refused (WITH CHECK).
    let txn = begin(&db.app, Some(A)).await;
    let err = affected(
        &txn,
        &format!("UPDATE customers SET tenant_id = '{B}' WHERE id = 101"),
    )
    .await
    .unwrap_err();
    assert!(is_rls_violation(&err), "{err}");
    txn.rollback().await.unwrap();

    // B's rows are intact.
    let txn = begin(&db.owner, Some(B)).await;
    assert_eq!(
        count(&txn, "SELECT count(*) FROM customers WHERE name = 'c102'").await,
        1
    );
    assert_eq!(
        count(&txn, "SELECT count(*) FROM orders WHERE status = 'new'").await,
        1
    );
    assert_eq!(count(&txn, "SELECT count(*) FROM order_items").await, 1);
    txn.commit().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn composite_keys_refuse_pointing_at_another_tenants_row() {
    let db = seeded().await;
    let txn = begin(&db.app, Some(A)).await;
    // Customer 102 belongs to B: (A, 102) does not exist.
    let err = affected(
        &txn,
        &format!(
            "INSERT INTO orders (tenant_id, customer_id, status, total) VALUES ('{A}', 102, 'new', 1)"
        ),
    )
    .await
    .unwrap_err();
    assert!(err.to_string().contains("foreign key"), "{err}");
    txn.rollback().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_app_role_cannot_switch_off_rls_or_truncate() {
    let db = seeded().await;
    let txn = begin(&db.app, Some(A)).await;
    assert!(
        affected(&txn, "ALTER TABLE customers DISABLE ROW LEVEL SECURITY")
            .await
            .is_err()
    );
    txn.rollback().await.unwrap();
    let txn = begin(&db.app, Some(A)).await;
    assert!(affected(&txn, "TRUNCATE orders CASCADE").await.is_err());
    txn.rollback().await.unwrap();
    // With row_security off, a query that policies would filter is an error, not a leak.
    let txn = begin(&db.app, Some(A)).await;
    affected(&txn, "SET LOCAL row_security = off")
        .await
        .unwrap();
    let err = count_err(&txn, "SELECT count(*) FROM customers").await;
    assert!(err.contains("row-level security"), "{err}");
    txn.rollback().await.unwrap();
}

async fn count_err<C: ConnectionTrait>(conn: &C, sql: &str) -> String {
    conn.query_one_raw(Statement::from_string(DbBackend::Postgres, sql))
        .await
        .map(|_| String::new())
        .unwrap_or_else(|e| e.to_string())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn partitions_accessed_directly_are_isolated() {
    let db = seeded().await;
    db.owner_exec(&format!(
        "CREATE TABLE events (tenant_id uuid NOT NULL, id bigint NOT NULL, region text NOT NULL) \
           PARTITION BY LIST (region); \
         CREATE TABLE events_eu PARTITION OF events FOR VALUES IN ('eu'); \
         CREATE TABLE events_us PARTITION OF events FOR VALUES IN ('us'); \
         CREATE INDEX ON events (tenant_id); \
         GRANT SELECT, INSERT, UPDATE, DELETE ON events, events_eu, events_us TO \"{}\"",
        db.app_role
    ))
    .await;
    SchemaManager::new(&db.owner)
        .enable_tenant_isolation(Alias::new("events"), "tenant_id")
        .await
        .unwrap();
    for (tenant, ids) in [(A, [1, 2, 3, 4]), (B, [5, 6, 7, 8])] {
        let txn = begin(&db.owner, Some(tenant)).await;
        for id in ids {
            let region = if id % 2 == 0 { "eu" } else { "us" };
            txn.execute_unprepared(&format!(
                "INSERT INTO events (tenant_id, id, region) VALUES ('{tenant}', {id}, '{region}')"
            ))
            .await
            .unwrap();
        }
        txn.commit().await.unwrap();
    }
    let txn = begin(&db.app, Some(A)).await;
    let through_parent = count(&txn, "SELECT count(*) FROM events").await;
    let direct = count(&txn, "SELECT count(*) FROM events_eu").await
        + count(&txn, "SELECT count(*) FROM events_us").await;
    assert_eq!(through_parent, 4);
    assert_eq!(direct, 4);
    assert_eq!(
        count(
            &txn,
            &format!("SELECT count(*) FROM events_eu WHERE tenant_id = '{B}'")
        )
        .await,
        0
    );
    for partition in ["events_eu", "events_us"] {
        assert_eq!(
            affected(
                &txn,
                &format!("DELETE FROM {partition} WHERE tenant_id = '{B}'")
            )
            .await
            .unwrap(),
            0
        );
    }
    txn.rollback().await.unwrap();
    // Writing another tenant's row straight into a partition is refused.
    for (partition, region) in [("events_eu", "eu"), ("events_us", "us")] {
        let txn = begin(&db.app, Some(A)).await;
        assert_eq!(
            affected(
                &txn,
                &format!("UPDATE {partition} SET id = id + 1 WHERE tenant_id = '{B}'")
            )
            .await
            .unwrap(),
            0
        );
        let err = affected(
            &txn,
            &format!(
                "INSERT INTO {partition} (tenant_id, id, region) VALUES ('{B}', 100, '{region}')"
            ),
        )
        .await
        .unwrap_err();
        assert!(is_rls_violation(&err), "{err}");
        txn.rollback().await.unwrap();
    }
    // And the partitions' own policies are what stops it.
    let txn = begin(&db.app, None).await;
    assert_eq!(count(&txn, "SELECT count(*) FROM events_eu").await, 0);
    txn.rollback().await.unwrap();
}
