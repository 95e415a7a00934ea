//! `tenantry audit` on a real server with `pg_stat_statements` (the second test server, which
//! `scripts/servers` starts with the library preloaded; the test creates the extension in its
//! own database and fails when the library is not loaded): a realistic mix of tenant
//! transactions and a few raw statements, run as the app role; exactly the raw unscoped ones
//! are findings, the admin role's are audited access, and the process's exit codes and JSON.
#![allow(clippy::unwrap_used, clippy::print_stdout)]

use std::process::Command;

use entity::{customers, order_items, orders, products};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, PaginatorTrait, QueryFilter, QuerySelect,
    Set, Statement,
};
use tenantry::TenantDatabase;
use tenantry::audit::{self, AuditOptions};
use tenantry_tests::TestDb;
use uuid::Uuid;

async fn exec(db: &impl ConnectionTrait, sql: &str) {
    db.execute_raw(Statement::from_string(DbBackend::Postgres, sql.to_owned()))
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
}

/// The app's work for one tenant, through tenantry: many statement shapes.
async fn workload(tdb: &TenantDatabase, tenant: Uuid, product: i32) {
    let txn = tdb.begin(tenant).await.unwrap();
    let (c, o) = tenantry_tests::customer_with_order(&txn, tenant, "ann", product, 2).await;
    customers::Entity::find().all(&txn).await.unwrap();
    orders::Entity::find()
        .filter(orders::Column::Status.eq("open"))
        .limit(10)
        .all(&txn)
        .await
        .unwrap();
    orders::Entity::find()
        .find_also_related(customers::Entity)
        .all(&txn)
        .await
        .unwrap();
    customers::Entity::find()
        .find_with_related(orders::Entity)
        .all(&txn)
        .await
        .unwrap();
    orders::Entity::find().count(&txn).await.unwrap();
    orders::Entity::update_many()
        .col_expr(orders::Column::Status, "paid".into())
        .filter(orders::Column::Id.eq(o.id))
        .exec(&txn)
        .await
        .unwrap();
    customers::Entity::insert(customers::ActiveModel {
        id: Set(c.id),
        name: Set("Ann B.".into()),
        email: Set(c.email.clone()),
        ..Default::default()
    })
    .on_conflict(
        OnConflict::column(customers::Column::Id)
            .update_column(customers::Column::Name)
            .to_owned(),
    )
    .exec(&txn)
    .await
    .unwrap();
    for sql in [
        "WITH open_orders AS (SELECT * FROM orders WHERE status = 'paid') SELECT count(*) FROM open_orders",
        "SELECT c.name FROM customers c WHERE EXISTS (SELECT 1 FROM orders o WHERE o.customer_id = c.id)",
        "SELECT id FROM orders UNION SELECT order_id FROM order_items",
        "SELECT o.id FROM orders o LEFT JOIN order_items i ON i.order_id = o.id",
        "SELECT * FROM orders o FULL JOIN customers c ON c.id = o.customer_id",
    ] {
        txn.query_all_raw(Statement::from_string(DbBackend::Postgres, sql.to_owned()))
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
    }
    order_items::Entity::delete_many()
        .filter(order_items::Column::Quantity.gt(100))
        .exec(&txn)
        .await
        .unwrap();
    products::Entity::find().all(&txn).await.unwrap();
    txn.commit().await.unwrap();
}

/// The raw statements that bypass tenantry, run as the app role, and what each leaves
/// unconstrained (the text as pg_stat_statements normalises it).
const RAW: [(&str, &str, &[&str]); 5] = [
    (
        "SELECT * FROM customers",
        "SELECT * FROM customers",
        &["customers"],
    ),
    (
        "SELECT o.id FROM orders o JOIN customers c ON c.id = o.customer_id WHERE c.tenant_id = '00000000-0000-4000-8000-000000000001'",
        "SELECT o.id FROM orders o JOIN customers c ON c.id = o.customer_id WHERE c.tenant_id = $1",
        &["orders (as o)"],
    ),
    (
        "UPDATE orders SET status = 'x' WHERE id = 1",
        "UPDATE orders SET status = $1 WHERE id = $2",
        &["orders"],
    ),
    (
        "SELECT c.id FROM customers c WHERE c.tenant_id = '00000000-0000-4000-8000-000000000001' AND c.id IN (SELECT customer_id FROM orders)",
        "SELECT c.id FROM customers c WHERE c.tenant_id = $1 AND c.id IN (SELECT customer_id FROM orders)",
        &["orders"],
    ),
    (
        "SELECT name FROM products",
        "SELECT name FROM products",
        &[],
    ),
];

fn tenantry_cli(url: &str, extra: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_tenantry"))
        .arg("audit")
        .arg("--database-url")
        .arg(url)
        .args(extra)
        .env_remove("DATABASE_URL")
        .output()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exactly_the_raw_unscoped_statements_are_reported() {
    let db = TestDb::postgres_second_server().await;
    db.migrate().await;
    let preloaded = db
        .admin
        .query_one_raw(Statement::from_string(
            DbBackend::Postgres,
            "SELECT current_setting('shared_preload_libraries')",
        ))
        .await
        .unwrap()
        .unwrap()
        .try_get_by_index::<String>(0)
        .unwrap();
    assert!(
        preloaded.contains("pg_stat_statements"),
        "the second server must preload pg_stat_statements (scripts/servers sets it): {preloaded}"
    );
    let url = tenantry_tests::url_on(&tenantry_tests::pg2_admin_url(), &db.name);

    // Without the extension in this database: exit code 2, and the message says how.
    let out = tenantry_cli(&url, &[]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("CREATE EXTENSION pg_stat_statements")
            && stderr.contains("shared_preload_libraries")
            && stderr.contains("pg_stat_statements.max"),
        "{stderr}"
    );

    let doctor = |db: sea_orm::DatabaseConnection| async move {
        tenantry::doctor::run(&db, &tenantry::doctor::DoctorOptions::new())
            .await
            .unwrap()
            .findings
            .iter()
            .any(|f| f.check == tenantry::doctor::Check::AuditAvailable)
    };
    assert!(
        !doctor(db.admin.clone()).await,
        "no audit notice without the extension"
    );
    exec(&db.admin, "CREATE EXTENSION pg_stat_statements").await;
    assert!(
        doctor(db.admin.clone()).await,
        "the doctor points at `tenantry audit`"
    );
    let [a, b] = [Uuid::new_v4(), Uuid::new_v4()];
    for t in [a, b] {
        db.owner_exec(&format!(
            "INSERT INTO tenants (id, name, slug) VALUES ('{t}', 'n', 's-{t}')"
        ))
        .await;
    }
    db.owner_exec("INSERT INTO products (sku, name, price) VALUES ('pen', 'Pen', 1.5)")
        .await;
    let product: i32 = db
        .admin
        .query_one_raw(Statement::from_string(
            DbBackend::Postgres,
            "SELECT id FROM products",
        ))
        .await
        .unwrap()
        .unwrap()
        .try_get_by_index(0)
        .unwrap();
    // From here on: only the workload.
    exec(
        &db.admin,
        "SELECT pg_stat_statements_reset(0, (SELECT oid FROM pg_database WHERE datname = current_database()), 0)",
    )
    .await;

    let tdb = TenantDatabase::new(db.app.clone());
    for t in [a, b] {
        workload(&tdb, t, product).await;
    }
    for (sql, _, _) in RAW {
        db.app
            .query_all_raw(Statement::from_string(DbBackend::Postgres, sql.to_owned()))
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
    }
    // The owner's report query: audited access once its role is named as an admin role.
    db.owner
        .query_all_raw(Statement::from_string(
            DbBackend::Postgres,
            "SELECT count(*) FROM order_items".to_owned(),
        ))
        .await
        .unwrap();

    let mut options = AuditOptions::default();
    options.admin_roles = vec![db.owner_role.clone()];
    let report = audit::run(&db.admin, &options).await.unwrap();
    println!("{}", report.to_text());
    assert!(report.not_analysed.is_empty(), "{:#?}", report.not_analysed);
    let mut found: Vec<(String, Vec<String>, String)> = report
        .findings
        .iter()
        .map(|f| (f.query.clone(), f.unconstrained.clone(), f.role.clone()))
        .collect();
    found.sort();
    let mut expected: Vec<(String, Vec<String>, String)> = RAW
        .iter()
        .filter(|(_, _, refs)| !refs.is_empty())
        .map(|(_, normalised, refs)| {
            (
                (*normalised).to_owned(),
                refs.iter().map(|r| (*r).to_owned()).collect(),
                db.app_role.clone(),
            )
        })
        .collect();
    expected.sort();
    assert_eq!(found, expected);
    let audited: Vec<&str> = report.audited.iter().map(|s| s.query.as_str()).collect();
    assert_eq!(audited, ["SELECT count(*) FROM order_items"]);
    assert!(
        report.clean > 15,
        "the workload's statements are clean: {}",
        report.clean
    );
    assert!(
        report
            .findings
            .iter()
            .all(|f| f.calls == 1 && f.database == db.name)
    );

    // The process: findings → exit code 1, JSON with the same findings.
    let out = tenantry_cli(&url, &["--admin-role", &db.owner_role, "--format", "json"]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        json["findings"].as_array().unwrap().len(),
        expected.len(),
        "{json}"
    );
    // --since-reset: reported, then reset; the next run sees only its own statements.
    let out = tenantry_cli(&url, &["--admin-role", &db.owner_role, "--since-reset"]);
    assert_eq!(out.status.code(), Some(1));
    let out = tenantry_cli(&url, &["--admin-role", &db.owner_role]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("clean"), "{text}");
    // An explicit table list: only `orders` counts as scoped.
    db.app
        .query_all_raw(Statement::from_string(
            DbBackend::Postgres,
            "SELECT * FROM customers WHERE id = 1".to_owned(),
        ))
        .await
        .unwrap();
    let out = tenantry_cli(&url, &["--table", "orders"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}
