//! Provisioning on live PostgreSQL servers: tenants created in each placement with the
//! reference app's own migrations, served by the same entity code, the doctor clean on the
//! result, suspended and resumed, dropped with their rows, schema or database; a failed
//! creation undone without touching what existed before.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use entity::customers;
use sea_orm::{
    ActiveModelTrait, ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend,
    EntityTrait, Set, Statement,
};
use tenantry::doctor::{self, DoctorOptions};
use tenantry::placement::{Placement, Servers, TableDirectory, TenantState};
use tenantry::{Error, Registry, TenantDatabase, TenantId};
use tenantry_migration::Provisioner;
use tenantry_tests::{TestDb, pg2_admin_url};
use uuid::Uuid;

fn second_server_url(user: &str) -> String {
    let admin = pg2_admin_url();
    let (scheme, rest) = admin.split_once("://").unwrap();
    let host = rest.rsplit_once('@').map_or(rest, |(_, h)| h);
    let host = host.split('/').next().unwrap();
    format!("{scheme}://{user}@{host}/postgres")
}

async fn provisioner(db: &TestDb) -> Provisioner {
    db.provisioner(Servers::new().with("silo", &pg2_admin_url()).unwrap())
        .await
}

async fn count(conn: &DatabaseConnection, sql: &str) -> i64 {
    conn.query_one_raw(Statement::from_string(DbBackend::Postgres, sql))
        .await
        .unwrap()
        .unwrap()
        .try_get_by_index::<i64>(0)
        .unwrap()
}

async fn superuser_on(url: &str) -> DatabaseConnection {
    let mut options = ConnectOptions::new(url.to_owned());
    options.max_connections(1).sqlx_logging(false);
    Database::connect(options).await.unwrap()
}

async fn add_tenant_row(db: &TestDb, id: Uuid, slug: &str) {
    db.owner_exec(&format!(
        "INSERT INTO tenants (id, name, slug) VALUES ('{id}', '{slug}', '{slug}')"
    ))
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tenants_in_every_placement_from_creation_to_drop() {
    let db = TestDb::postgres().await;
    db.migrate().await;
    let [a, b, c] = [Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4()];
    for (id, slug) in [(a, "a"), (b, "b"), (c, "c")] {
        add_tenant_row(&db, id, slug).await;
    }
    db.owner_exec("INSERT INTO products (sku, name, price) VALUES ('p1', 'Pen', 1.5)")
        .await;
    let provisioner = provisioner(&db).await;
    let silo_db = format!("{}_c", db.name);
    let placements = [
        (a, Placement::Shared),
        (b, Placement::schema(&format!("{}_b", db.name)).unwrap()),
        (c, Placement::database("silo", &silo_db).unwrap()),
    ];
    for (id, placement) in &placements {
        let record = provisioner.create(*id, placement.clone()).await.unwrap();
        assert_eq!(record.state, TenantState::Active);
    }
    assert_eq!(provisioner.list().await.unwrap().len(), 3);

    // The app: the directory as the app role reads it, servers with the app role's name.
    let tdb = TenantDatabase::new(db.app.clone())
        .with_registry(Registry::from_entities())
        .with_directory(
            Arc::new(TableDirectory::new(db.app.clone())),
            Servers::new()
                .with("silo", &second_server_url(&db.app_role))
                .unwrap(),
        );
    for (id, _) in &placements {
        let txn = tdb.begin(*id).await.unwrap();
        customers::ActiveModel {
            name: Set(format!("customer of {id}")),
            email: Set(format!("{id}@example.test")),
            ..Default::default()
        }
        .insert(&txn)
        .await
        .unwrap();
        let mine = customers::Entity::find().all(&txn).await.unwrap();
        assert_eq!(mine.len(), 1);
        assert_eq!(mine[0].tenant_id, *id);
        txn.commit().await.unwrap();
    }
    // Where the rows are.
    let schema_b = format!("{}_b", db.name);
    assert_eq!(
        count(&db.admin, "SELECT count(*) FROM public.customers").await,
        1
    );
    assert_eq!(
        count(
            &db.admin,
            &format!("SELECT count(*) FROM \"{schema_b}\".customers")
        )
        .await,
        1
    );
    let silo_url = {
        let admin = pg2_admin_url();
        let (server, _) = admin.rsplit_once('/').unwrap();
        format!("{server}/{silo_db}")
    };
    let silo = superuser_on(&silo_url).await;
    assert_eq!(count(&silo, "SELECT count(*) FROM customers").await, 1);
    assert_eq!(
        count(&silo, "SELECT count(*) FROM products").await,
        1,
        "reference data copied"
    );
    assert_eq!(count(&silo, "SELECT count(*) FROM tenants").await, 3);

    // The doctor is clean on the control database (tenant schema included) and on the
    // tenant database.
    for conn in [&db.owner, &silo] {
        let report = doctor::run(conn, &DoctorOptions::new().app_role(db.app_role.clone()))
            .await
            .unwrap();
        assert!(report.is_clean(), "{report}");
    }
    silo.close().await.unwrap();

    // Suspend, resume.
    provisioner.suspend(b).await.unwrap();
    tdb.invalidate(b);
    let err = tdb.begin(b).await.unwrap_err();
    assert!(matches!(
        Error::from_db_err(&err),
        Some(Error::TenantUnavailable { .. })
    ));
    provisioner.resume(b).await.unwrap();
    tdb.invalidate(b);
    tdb.begin(b).await.unwrap().commit().await.unwrap();

    // Drop: a reason is needed; an active tenant is in use unless forced.
    let err = provisioner.drop_tenant(a, " ", false).await.unwrap_err();
    assert!(matches!(err, tenantry_migration::Error::MissingReason));
    let err = provisioner
        .drop_tenant(a, "contract ended", false)
        .await
        .unwrap_err();
    assert!(
        matches!(err, tenantry_migration::Error::TenantInUse { .. }),
        "{err}"
    );
    provisioner.suspend(a).await.unwrap();
    provisioner
        .drop_tenant(a, "contract ended", false)
        .await
        .unwrap();
    provisioner
        .drop_tenant(b, "contract ended", true)
        .await
        .unwrap();
    tdb.invalidate_all();
    drop(tdb); // closes tenant C's pool
    provisioner
        .drop_tenant(c, "contract ended", true)
        .await
        .unwrap();
    assert!(provisioner.list().await.unwrap().is_empty());
    assert_eq!(
        count(&db.admin, "SELECT count(*) FROM public.customers").await,
        0
    );
    assert_eq!(
        count(
            &db.admin,
            &format!("SELECT count(*) FROM pg_namespace WHERE nspname = '{schema_b}'")
        )
        .await,
        0
    );
    let server = superuser_on(&pg2_admin_url()).await;
    assert_eq!(
        count(
            &server,
            &format!("SELECT count(*) FROM pg_database WHERE datname = '{silo_db}'")
        )
        .await,
        0
    );
    // The app role provisioning created on the second server (roles are cluster-wide).
    server
        .execute_unprepared(&format!("DROP ROLE IF EXISTS \"{}\"", db.app_role))
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_creation_is_undone_and_touches_nothing_that_existed() {
    let db = TestDb::postgres().await;
    db.migrate().await;
    let provisioner = provisioner(&db).await;
    let taken = format!("{}_taken", db.name);
    db.owner_exec(&format!("CREATE SCHEMA \"{taken}\"")).await;
    db.owner_exec(&format!("CREATE TABLE \"{taken}\".keep (id int)"))
        .await;
    let tenant = Uuid::new_v4();
    add_tenant_row(&db, tenant, "t").await;
    let err = provisioner
        .create(tenant, Placement::schema(&taken).unwrap())
        .await
        .unwrap_err();
    assert!(err.to_string().contains("already exists"), "{err}");
    assert!(
        provisioner.list().await.unwrap().is_empty(),
        "no entry left"
    );
    assert_eq!(
        count(
            &db.admin,
            &format!("SELECT count(*) FROM pg_tables WHERE schemaname = '{taken}'")
        )
        .await,
        1,
        "the schema that existed is untouched"
    );
    // Unknown server, invalid tenant, duplicate tenant.
    let err = provisioner
        .create(tenant, Placement::database("nowhere", "x").unwrap())
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("unknown server `nowhere`"),
        "{err}"
    );
    let err = provisioner
        .create(Uuid::nil(), Placement::Shared)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("nil UUID"), "{err}");
    provisioner.create(tenant, Placement::Shared).await.unwrap();
    let err = provisioner
        .create(tenant, Placement::Shared)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("already exists"), "{err}");
    let err = provisioner.show(TenantId::from("ghost")).await.unwrap_err();
    assert!(err.to_string().contains("unknown tenant `ghost`"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reference_data_syncs_into_tenant_databases_all_or_nothing() {
    let db = TestDb::postgres().await;
    db.migrate().await;
    let tenant = Uuid::new_v4();
    add_tenant_row(&db, tenant, "s").await;
    db.owner_exec(
        "INSERT INTO products (id, sku, name, price) VALUES (1, 'p1', 'Pen', 1.5), \
         (2, 'p2', 'Ink', 3)",
    )
    .await;
    let provisioner = provisioner(&db).await;
    let silo_db = format!("{}_sync", db.name);
    provisioner
        .create(tenant, Placement::database("silo", &silo_db).unwrap())
        .await
        .unwrap();
    let silo_url = {
        let admin = pg2_admin_url();
        let (server, _) = admin.rsplit_once('/').unwrap();
        format!("{server}/{silo_db}")
    };
    let silo = superuser_on(&silo_url).await;
    // The control database changes: a price, a new product, a product gone.
    db.owner_exec("UPDATE products SET price = 2 WHERE id = 1")
        .await;
    db.owner_exec("INSERT INTO products (id, sku, name, price) VALUES (3, 'p3', 'Pad', 4)")
        .await;
    db.owner_exec("DELETE FROM products WHERE id = 2").await;
    let (upserted, deleted) = provisioner.sync_reference(tenant).await.unwrap();
    assert_eq!(deleted, 1);
    assert!(upserted >= 3, "{upserted}"); // every tenants and products row of the control db
    assert_eq!(
        count(
            &silo,
            "SELECT count(*) FROM products WHERE (id, price) IN ((1, 2), (3, 4))"
        )
        .await,
        2
    );
    assert_eq!(count(&silo, "SELECT count(*) FROM products").await, 2);

    // A product still referenced in the tenant database cannot go: nothing changes.
    silo.execute_unprepared(&format!(
        "SET tenantry.tenant_id = '{tenant}'; \
         INSERT INTO customers (id, tenant_id, name, email) VALUES (1, '{tenant}', 'c', 'c@x'); \
         INSERT INTO orders (id, tenant_id, customer_id, status, total) \
           VALUES (1, '{tenant}', 1, 'open', 1); \
         INSERT INTO order_items (id, tenant_id, order_id, product_id, quantity, unit_price) \
           VALUES (1, '{tenant}', 1, 3, 1, 4); RESET tenantry.tenant_id"
    ))
    .await
    .unwrap();
    db.owner_exec("DELETE FROM products WHERE id = 3").await;
    db.owner_exec("UPDATE products SET price = 9 WHERE id = 1")
        .await;
    let err = provisioner.sync_reference(tenant).await.unwrap_err();
    assert!(err.to_string().contains("foreign key"), "{err}");
    assert_eq!(
        count(
            &silo,
            "SELECT count(*) FROM products WHERE (id, price) IN ((1, 2), (3, 4))"
        )
        .await,
        2,
        "the failed sync changed nothing"
    );
    silo.close().await.unwrap();
    provisioner
        .drop_tenant(tenant, "test done", true)
        .await
        .unwrap();
    superuser_on(&pg2_admin_url())
        .await
        .execute_unprepared(&format!("DROP ROLE IF EXISTS \"{}\"", db.app_role))
        .await
        .unwrap();
}
