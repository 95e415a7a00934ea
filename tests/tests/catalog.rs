//! `tenantry::catalog` against a live PostgreSQL: the reference schema read back (tables,
//! keys, foreign keys in dependency order, sequences, policies), partitions and key cycles,
//! and the migration helpers' typed errors built on it.
#![allow(clippy::unwrap_used)]

use sea_orm::{ConnectionTrait, DbErr};
use sea_orm_migration::SchemaManager;
use sea_orm_migration::prelude::Alias;
use tenantry::catalog::postgres::{self, KeyKind, TenantTable};
use tenantry::sql::QualifiedName;
use tenantry::{Registry, ScopedTable, TenantIdType};
use tenantry_migration::TenantMigrationExt;
use tenantry_tests::TestDb;

async fn migrated() -> TestDb {
    let db = TestDb::postgres().await;
    db.migrate().await;
    db
}

fn named<'t>(tables: &'t [TenantTable], name: &str) -> &'t TenantTable {
    tables.iter().find(|t| t.name.name() == name).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reads_the_reference_schema() {
    let db = migrated().await;
    let tables = postgres::tenant_tables(&db.owner, &["tenant_id"])
        .await
        .unwrap();
    let names: Vec<String> = tables.iter().map(|t| t.name.to_string()).collect();
    assert_eq!(
        names,
        ["public.customers", "public.order_items", "public.orders"]
    );
    for t in &tables {
        assert_eq!(
            (t.column.as_str(), t.column_type.as_str()),
            ("tenant_id", "uuid")
        );
        assert!(t.rls && t.forced && !t.is_partition, "{t:?}");
    }

    // Foreign keys, shared targets included; copy order puts parents first.
    let fks = postgres::foreign_keys(&db.owner, &tables).await.unwrap();
    let fk = |name: &str| fks.iter().find(|f| f.name == name).unwrap();
    let items_orders = fk("order_items_order_fkey");
    assert_eq!(items_orders.table.to_string(), "public.order_items");
    assert_eq!(items_orders.columns, ["tenant_id", "order_id"]);
    assert_eq!(items_orders.target.to_string(), "public.orders");
    assert_eq!(items_orders.target_columns, ["tenant_id", "id"]);
    assert_eq!(
        fk("order_items_product_fkey").target.to_string(),
        "public.products",
        "a key to shared reference data is reported too"
    );
    let oids: Vec<i64> = tables.iter().map(|t| t.oid).collect();
    let refs: Vec<(i64, i64)> = fks.iter().map(|f| (f.table_oid, f.target_oid)).collect();
    let (order, cyclic) = postgres::dependency_order(&oids, &refs);
    let order: Vec<&str> = order
        .iter()
        .map(|oid| tables.iter().find(|t| t.oid == *oid).unwrap().name.name())
        .collect();
    assert_eq!(order, ["customers", "orders", "order_items"]);
    assert!(cyclic.is_empty());

    // Keys: the serial primary key and the per-tenant unique key.
    let keys = postgres::keys(&db.owner, &tables).await.unwrap();
    let orders = named(&tables, "orders");
    let of_orders: Vec<_> = keys.iter().filter(|k| k.table_oid == orders.oid).collect();
    assert!(
        of_orders
            .iter()
            .any(|k| k.kind == KeyKind::Primary && k.columns == ["id"]),
        "{of_orders:?}"
    );
    assert!(
        of_orders
            .iter()
            .any(|k| k.kind != KeyKind::Primary && k.columns == ["tenant_id", "id"]),
        "{of_orders:?}"
    );
    let leaders = postgres::index_leaders(&db.owner, &tables).await.unwrap();
    assert!(leaders.contains(&(orders.oid, "tenant_id".to_owned())));

    // Sequences owned by columns, names resolved as DDL resolves them, column types.
    let orders_name = QualifiedName::new("orders");
    let sequences = postgres::owned_sequences(&db.owner, &orders_name)
        .await
        .unwrap();
    assert_eq!(
        sequences,
        [QualifiedName::qualified("public", "orders_id_seq")]
    );
    assert_eq!(
        postgres::resolve(&db.owner, &orders_name).await.unwrap(),
        Some(QualifiedName::qualified("public", "orders"))
    );
    assert_eq!(
        postgres::resolve(&db.owner, &QualifiedName::new("Orders"))
            .await
            .unwrap(),
        None,
        "a quoted name keeps its case"
    );
    assert_eq!(
        postgres::column_type(&db.owner, &orders_name, "tenant_id")
            .await
            .unwrap()
            .as_deref(),
        Some("uuid")
    );
    assert_eq!(
        postgres::column_type(&db.owner, &orders_name, "nope")
            .await
            .unwrap(),
        None
    );

    // Both tenantry policies on every table.
    let policies = postgres::policies(&db.owner, &tables).await.unwrap();
    for t in &tables {
        let mut names: Vec<&str> = policies
            .iter()
            .filter(|p| p.table_oid == t.oid)
            .map(|p| p.name.as_str())
            .collect();
        names.sort_unstable();
        assert_eq!(
            names,
            ["tenantry_guard", "tenantry_isolation"],
            "{}",
            t.name
        );
    }
    assert!(
        policies
            .iter()
            .all(|p| p.all_commands && p.to_public && p.using == p.with_check)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn partitions_and_key_cycles() {
    let db = TestDb::postgres().await;
    for sql in [
        "CREATE TABLE events (tenant_id uuid NOT NULL, at date NOT NULL) PARTITION BY RANGE (at)",
        "CREATE TABLE events_2026 PARTITION OF events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01')",
        "CREATE TABLE events_2027 PARTITION OF events \
           FOR VALUES FROM ('2027-01-01') TO ('2028-01-01') PARTITION BY RANGE (at)",
        "CREATE TABLE events_2027_h1 PARTITION OF events_2027 \
           FOR VALUES FROM ('2027-01-01') TO ('2027-07-01')",
        "CREATE TABLE a (tenant_id uuid NOT NULL, id int, b_id int, PRIMARY KEY (tenant_id, id))",
        "CREATE TABLE b (tenant_id uuid NOT NULL, id int, a_id int, PRIMARY KEY (tenant_id, id))",
        "ALTER TABLE a ADD FOREIGN KEY (tenant_id, b_id) REFERENCES b (tenant_id, id) \
           DEFERRABLE INITIALLY DEFERRED",
        "ALTER TABLE b ADD FOREIGN KEY (tenant_id, a_id) REFERENCES a (tenant_id, id)",
        "CREATE TABLE c (tenant_id uuid NOT NULL, a_id int, FOREIGN KEY (tenant_id, a_id) \
           REFERENCES a (tenant_id, id))",
        "CREATE TABLE d (tenant_id uuid NOT NULL, id int PRIMARY KEY, parent int REFERENCES d (id))",
    ] {
        db.owner_exec(sql).await;
    }
    let parts = postgres::partitions(&db.owner, &QualifiedName::new("events"))
        .await
        .unwrap();
    let parts: Vec<String> = parts.iter().map(ToString::to_string).collect();
    assert_eq!(
        parts,
        [
            "public.events_2026",
            "public.events_2027",
            "public.events_2027_h1"
        ],
        "every level down"
    );
    let tables = postgres::tenant_tables(&db.owner, &["tenant_id"])
        .await
        .unwrap();
    assert!(named(&tables, "events_2027_h1").is_partition);
    assert!(!named(&tables, "events").is_partition);

    let fks = postgres::foreign_keys(&db.owner, &tables).await.unwrap();
    let oids: Vec<i64> = tables.iter().map(|t| t.oid).collect();
    let refs: Vec<(i64, i64)> = fks.iter().map(|f| (f.table_oid, f.target_oid)).collect();
    let (order, cyclic) = postgres::dependency_order(&oids, &refs);
    let name = |oid: &i64| tables.iter().find(|t| t.oid == *oid).unwrap().name.name();
    let cyclic: Vec<&str> = cyclic.iter().map(name).collect();
    assert_eq!(cyclic, ["a", "b", "c"], "on the cycle, or behind it");
    assert!(
        order.iter().map(name).any(|n| n == "d"),
        "a self-reference is no cycle"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verify_reports_id_types_the_column_cannot_hold() {
    let db = migrated().await;
    let registry = Registry::new()
        .with_table(ScopedTable::new(None, "orders", "tenant_id").with_id_type(TenantIdType::I64))
        .with_table(
            ScopedTable::new(None, "customers", "tenant_id").with_id_type(TenantIdType::Uuid),
        )
        .table("order_items", "tenant_id");
    let report = registry.verify(&db.owner).await.unwrap();
    assert!(
        report.unregistered.is_empty() && report.missing.is_empty(),
        "{report}"
    );
    assert_eq!(report.mismatched.len(), 1, "{report}");
    assert_eq!(report.mismatched[0].table.name(), "orders");
    assert_eq!(report.mismatched[0].found, "uuid");
    insta::assert_snapshot!(report.to_string(), @r"
    the tenantry registry and the database disagree (0 unregistered, 0 missing, 1 of another type):
      - tenant column tenant_id of registered table `orders` is uuid in the database but the entity declares i64 ids
    ");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn migration_helpers_fail_with_typed_errors() {
    let db = TestDb::postgres().await;
    db.owner_exec("CREATE TABLE notes (id int PRIMARY KEY)")
        .await;
    let manager = SchemaManager::new(&db.owner);
    let err = manager
        .enable_tenant_isolation(Alias::new("ghosts"), "tenant_id")
        .await
        .unwrap_err();
    assert!(
        matches!(&err, tenantry_migration::Error::TableNotFound { table } if table == "ghosts"),
        "{err:?}"
    );
    let err = manager
        .enable_tenant_isolation(Alias::new("notes"), "tenant_id")
        .await
        .unwrap_err();
    assert!(
        matches!(&err, tenantry_migration::Error::ColumnNotFound { column, .. } if column == "tenant_id"),
        "{err:?}"
    );
    // In a migration's `up`, `?` turns it into SeaORM's migration error, message kept.
    match DbErr::from(err) {
        DbErr::Migration(message) => assert_eq!(
            message,
            "tenantry: table `public.notes` has no column `tenant_id`; add the tenant column first"
        ),
        other => panic!("{other:?}"),
    }
    // A database error stays the database error it was.
    let err = manager
        .grant_app_role("no_such_role", [Alias::new("notes")])
        .await
        .unwrap_err();
    assert!(matches!(err, tenantry_migration::Error::Db(_)), "{err:?}");
    assert!(matches!(DbErr::from(err), DbErr::Exec(_)));
    assert!(db.owner.execute_unprepared("SELECT 1").await.is_ok());
}
