//! The test-database helper itself: isolation of names, the app role's limits, cleanup.
#![allow(clippy::unwrap_used)]

use sea_orm::{ConnectionTrait, DbBackend, Statement};
use tenantry_tests::TestDb;

async fn scalar(db: &impl ConnectionTrait, sql: &str) -> String {
    let row = db
        .query_one_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .unwrap()
        .unwrap();
    row.try_get_by_index::<String>(0).unwrap()
}

#[tokio::test]
async fn postgres_app_role_is_not_superuser_and_not_owner() {
    let db = TestDb::postgres().await;
    db.migrate().await;
    let flags = scalar(
        &db.app,
        "SELECT (rolsuper::text || ',' || rolbypassrls::text) FROM pg_roles WHERE rolname = current_user",
    )
    .await;
    assert_eq!(flags, "false,false");
    let owner = scalar(
        &db.app,
        "SELECT tableowner::text FROM pg_tables WHERE tablename = 'orders'",
    )
    .await;
    assert_eq!(owner, db.owner_role);
    assert_ne!(owner, db.app_role);
    let name = db.name.clone();
    drop(db);
    let admin = sea_orm::Database::connect(tenantry_tests::pg_admin_url())
        .await
        .unwrap();
    let left = admin
        .query_one_raw(Statement::from_string(
            DbBackend::Postgres,
            format!("SELECT count(*)::bigint FROM pg_database WHERE datname = '{name}'"),
        ))
        .await
        .unwrap()
        .unwrap()
        .try_get_by_index::<i64>(0)
        .unwrap();
    assert_eq!(left, 0, "the test database is dropped with its TestDb");
}

#[tokio::test]
async fn mysql_app_user_cannot_create_tables() {
    let db = TestDb::mysql().await;
    db.migrate().await;
    let err = db
        .app
        .execute_unprepared("CREATE TABLE nope (id int)")
        .await;
    assert!(err.is_err(), "the app user has DML rights only");
    db.app
        .execute_unprepared("SELECT 1 FROM orders")
        .await
        .unwrap();
}

#[tokio::test]
async fn sqlite_migrates() {
    let db = TestDb::sqlite().await;
    db.migrate().await;
    let n = scalar(&db.owner, "SELECT CAST(count(*) AS TEXT) FROM orders").await;
    assert_eq!(n, "0");
}
