//! `Registry::verify` against the live catalogues of PostgreSQL, MariaDB/MySQL and SQLite.
#![allow(clippy::unwrap_used)]

use sea_orm::DbBackend;
use tenantry::{Missing, Registry, RegistryReport, TenantScoped};
use tenantry_tests::TestDb;

/// A locally derived entity, so the test does not depend on link-time collection.
mod notes {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, tenantry::TenantScoped)]
    #[sea_orm(table_name = "notes")]
    pub(crate) struct Model {
        #[sea_orm(primary_key)]
        pub(crate) id: i32,
        pub(crate) tenant_id: String,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub(crate) enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// The same schema on every backend: two registered tables, one scoped table nobody
/// registered, a view over a scoped table, shared data, and a registered table whose tenant
/// column is missing.
async fn create_tables(db: &TestDb) {
    for sql in [
        "CREATE TABLE orders (id INTEGER PRIMARY KEY, tenant_id VARCHAR(36) NOT NULL)",
        "CREATE TABLE customers (id INTEGER PRIMARY KEY, tenant_id VARCHAR(36) NOT NULL)",
        "CREATE TABLE audit_log (id INTEGER PRIMARY KEY, tenant_id VARCHAR(36) NOT NULL)",
        "CREATE VIEW recent_orders AS SELECT id, tenant_id FROM orders",
        "CREATE TABLE countries (code VARCHAR(2) PRIMARY KEY)",
        "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)",
    ] {
        db.owner_exec(sql).await;
    }
}

fn registry() -> Registry {
    Registry::new()
        .table("orders", "tenant_id")
        .table("customers", "tenant_id")
        .table("ghosts", "tenant_id")
        .entity::<notes::Entity>()
}

/// (schema, table) of each unregistered table; (table, what) of each missing one.
type Names<'r> = (Vec<(&'r str, &'r str)>, Vec<(&'r str, Missing)>);

fn names(report: &RegistryReport) -> Names<'_> {
    (
        report
            .unregistered
            .iter()
            .map(|t| (t.schema.as_str(), t.name.as_str()))
            .collect(),
        report
            .missing
            .iter()
            .map(|m| (m.table.name(), m.missing))
            .collect(),
    )
}

async fn reports_differences(db: TestDb, schema: &str) {
    create_tables(&db).await;
    let report = registry().verify(&db.owner).await.unwrap();
    assert!(!report.is_clean());
    let (unregistered, missing) = names(&report);
    assert_eq!(
        unregistered,
        [(schema, "audit_log"), (schema, "recent_orders")],
        "{report}"
    );
    assert_eq!(
        missing,
        [("ghosts", Missing::Table), ("notes", Missing::Column)],
        "{report}"
    );
    assert_eq!(report.unregistered[0].columns, ["tenant_id"]);
    assert!(report.to_string().contains("audit_log"));

    // Register what is missing, drop what does not exist: clean.
    db.owner_exec("ALTER TABLE notes ADD COLUMN tenant_id VARCHAR(36)")
        .await;
    let fixed = Registry::new()
        .table("orders", "tenant_id")
        .table("customers", "tenant_id")
        .table("audit_log", "tenant_id")
        .table("recent_orders", "tenant_id")
        .entity::<notes::Entity>();
    let report = fixed.verify(&db.owner).await.unwrap();
    assert!(report.is_clean(), "{report}");
}

#[tokio::test]
async fn postgres_reports_differences() {
    let db = TestDb::postgres().await;
    reports_differences(db, "public").await;
}

#[tokio::test]
async fn mysql_reports_differences() {
    let db = TestDb::mysql().await;
    let schema = db.name.clone();
    reports_differences(db, &schema).await;
}

#[tokio::test]
async fn mysql_schema_qualified_names_are_databases() {
    let db = TestDb::mysql().await;
    create_tables(&db).await;
    let registry = Registry::new()
        .table(&format!("{}.orders", db.name), "tenant_id")
        .table("customers", "tenant_id")
        .table("audit_log", "tenant_id")
        .table("recent_orders", "tenant_id")
        .table("no_such_database.ledger", "tenant_id");
    let report = registry.verify(&db.owner).await.unwrap();
    let (unregistered, missing) = names(&report);
    assert!(unregistered.is_empty(), "{report}");
    assert_eq!(missing, [("ledger", Missing::Table)], "{report}");
}

#[tokio::test]
async fn sqlite_reports_differences() {
    let db = TestDb::sqlite().await;
    reports_differences(db, "main").await;
}

#[tokio::test]
async fn postgres_schemas_partitions_and_the_app_role() {
    let db = TestDb::postgres().await;
    for sql in [
        "CREATE SCHEMA billing",
        "CREATE TABLE billing.invoices (id INTEGER PRIMARY KEY, org_id BIGINT NOT NULL)",
        "CREATE SCHEMA archive",
        // Same name as a table registered without a schema: covered, as the rewriter scopes it.
        "CREATE TABLE archive.orders (id INTEGER PRIMARY KEY, tenant_id UUID NOT NULL)",
        "CREATE TABLE archive.payments (id INTEGER PRIMARY KEY, org_id BIGINT NOT NULL)",
        "CREATE TABLE orders (id INTEGER, tenant_id UUID NOT NULL) PARTITION BY HASH (tenant_id)",
        "CREATE TABLE orders_p0 PARTITION OF orders FOR VALUES WITH (MODULUS 2, REMAINDER 0)",
        "CREATE TABLE orders_p1 PARTITION OF orders FOR VALUES WITH (MODULUS 2, REMAINDER 1)",
        // Quoted, mixed-case names are compared exactly.
        "CREATE TABLE \"Mixed\" (id INTEGER PRIMARY KEY, \"tenant_id\" UUID NOT NULL)",
        "CREATE TABLE loud (id INTEGER PRIMARY KEY, \"TENANT_ID\" UUID NOT NULL)",
    ] {
        db.owner_exec(sql).await;
    }
    let registry = Registry::new()
        .table("orders", "tenant_id")
        .table("Mixed", "tenant_id")
        .table("billing.invoices", "org_id");
    // The app role owns nothing and has no privileges on these tables: pg_catalog still
    // shows them.
    let report = registry.verify(&db.app).await.unwrap();
    let (unregistered, missing) = names(&report);
    assert_eq!(unregistered, [("archive", "payments")], "{report}");
    assert!(missing.is_empty(), "{report}");

    let wrong_schema = Registry::new().table("archive.invoices", "org_id");
    let report = wrong_schema.verify(&db.owner).await.unwrap();
    assert_eq!(
        names(&report).1,
        [("invoices", Missing::Table)],
        "`archive.invoices` does not exist: {report}"
    );
}

#[tokio::test]
async fn reference_app_entities_match_its_migrations() {
    // Naming the entities links the crate, so its registrations are collected.
    let expected = Registry::new()
        .entity::<entity::customers::Entity>()
        .entity::<entity::orders::Entity>()
        .entity::<entity::order_items::Entity>();
    let registry = Registry::from_entities();
    for table in expected.tables() {
        assert_eq!(registry.lookup(table.schema(), table.name()), Some(table));
    }
    assert_eq!(
        entity::orders::Entity::TENANT_COLUMN,
        expected.tables()[1].column()
    );
    for db in TestDb::all().await {
        db.migrate().await;
        let report = expected.verify(&db.owner).await.unwrap();
        assert!(
            report.is_clean(),
            "{:?}: {report}",
            db.owner.get_database_backend()
        );
        if db.backend == DbBackend::Postgres {
            assert!(expected.verify(&db.app).await.unwrap().is_clean());
        }
    }
}
