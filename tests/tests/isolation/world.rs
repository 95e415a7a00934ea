//! The two-tenant world: fixed ids, seeding, resetting and snapshotting the reference tables.
//!
//! Tenant A's ids sit above tenant B's, so auto-increment counters (which follow the highest
//! id on MySQL and SQLite) hand out the same new ids in a database holding both tenants and in
//! the oracle database holding only A.

use entity::{customers, order_items, orders, products, tenants};
use rust_decimal::Decimal;
use sea_orm::{
    ConnectionTrait, Database, DatabaseConnection, DbBackend, EntityTrait, QueryOrder, Set,
    TransactionTrait,
};
use sea_orm_migration::MigratorTrait;
use tenantry_tests::TestDb;
use uuid::Uuid;

/// Tenant A: every statement runs as A.
pub(crate) const A: Uuid = Uuid::from_u128(0x0000_0000_0000_4000_8000_0000_0000_000a);
/// Tenant B: none of its rows may be read, created, changed or deleted.
pub(crate) const B: Uuid = Uuid::from_u128(0x0000_0000_0000_4000_8000_0000_0000_000b);

/// Which tenants' rows a database holds.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Data {
    /// A and B (the databases under test).
    Both,
    /// A only (the oracle).
    OnlyA,
}

/// Every string value of B's rows starts with this: a result carrying it leaked.
pub(crate) const B_MARK: &str = "B-";

struct Customer(i32, Uuid, &'static str);
struct Order(i32, Uuid, i32, &'static str, i64);
struct Item(i32, Uuid, i32, i32, i32, i64);

const CUSTOMERS: &[Customer] = &[
    Customer(1001, B, "bob"),
    Customer(1002, B, "ben"),
    Customer(2001, A, "ann"),
    Customer(2002, A, "amy"),
    Customer(2003, A, "al"),
];
const ORDERS: &[Order] = &[
    Order(1101, B, 1001, "open", 10),
    Order(1102, B, 1002, "shipped", 50),
    Order(2101, A, 2001, "open", 10),
    Order(2102, A, 2001, "paid", 20),
    Order(2103, A, 2002, "open", 30),
];
// A sells products 1 and 3, B sells product 2: a leak changes which products look sold.
const ITEMS: &[Item] = &[
    Item(1201, B, 1101, 2, 1, 10),
    Item(1202, B, 1102, 2, 5, 10),
    Item(2201, A, 2101, 1, 1, 10),
    Item(2202, A, 2101, 1, 2, 5),
    Item(2203, A, 2103, 3, 1, 30),
];

fn tag(tenant: Uuid) -> &'static str {
    if tenant == B { "B-" } else { "A-" }
}

fn keep(data: Data, tenant: Uuid) -> bool {
    data == Data::Both || tenant == A
}

/// A connection that sees every row: on PostgreSQL the server's superuser connected to the
/// test database (the owner is bound by `FORCE ROW LEVEL SECURITY`); elsewhere the owner.
pub(crate) async fn admin(db: &TestDb) -> DatabaseConnection {
    if db.backend != DbBackend::Postgres {
        return db.owner.clone();
    }
    let url = tenantry_tests::pg_admin_url();
    let base = url.rsplit_once('/').map_or(url.as_str(), |(b, _)| b);
    Database::connect(format!("{base}/{}", db.name))
        .await
        .unwrap_or_else(|e| panic!("superuser connection to {}: {e}", db.name))
}

/// The PostgreSQL databases behind the three columns: the app layer alone (no RLS), RLS (for
/// "RLS only" and "both"), and the oracle (no RLS; seeded with A's rows only by its user).
pub(crate) async fn postgres_columns() -> (TestDb, TestDb, TestDb) {
    let no_rls = TestDb::postgres().await;
    migrate_without_rls(&no_rls).await;
    let rls = TestDb::postgres().await;
    rls.migrate().await;
    let oracle = TestDb::postgres().await;
    migrate_without_rls(&oracle).await;
    (no_rls, rls, oracle)
}

/// The reference tables without Row-Level Security (the control migrations up to and including
/// the one creating the tables), with the app role's grants.
pub(crate) async fn migrate_without_rls(db: &TestDb) {
    let steps = migration::Migrator::migrations()
        .iter()
        .position(|m| m.name() == "m20260101_000001_create_tables")
        .expect("the migration creating the tables")
        + 1;
    migration::Migrator::up(&db.owner, Some(steps as u32))
        .await
        .unwrap();
    if db.backend == DbBackend::Postgres {
        let role = &db.app_role;
        db.owner_exec(&format!(
            "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO \"{role}\"; \
             GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO \"{role}\""
        ))
        .await;
    }
}

/// Empties the reference tables, resets their id counters and seeds `data`.
pub(crate) async fn reset(admin: &DatabaseConnection, data: Data) {
    let backend = admin.get_database_backend();
    let tables = ["order_items", "orders", "customers", "products", "tenants"];
    match backend {
        DbBackend::Postgres => {
            exec(
                admin,
                &format!("TRUNCATE {} RESTART IDENTITY CASCADE", tables.join(", ")),
            )
            .await;
        }
        DbBackend::MySql => {
            // TRUNCATE resets AUTO_INCREMENT; one connection for the session variable.
            let txn = admin.begin().await.unwrap();
            txn.execute_unprepared("SET FOREIGN_KEY_CHECKS = 0")
                .await
                .unwrap();
            for t in tables {
                txn.execute_unprepared(&format!("TRUNCATE TABLE {t}"))
                    .await
                    .unwrap();
            }
            txn.execute_unprepared("SET FOREIGN_KEY_CHECKS = 1")
                .await
                .unwrap();
            txn.commit().await.unwrap();
        }
        _ => {
            for t in tables {
                exec(admin, &format!("DELETE FROM {t}")).await;
            }
            // Only there once an AUTOINCREMENT table has been written.
            let _ = admin
                .execute_unprepared("DELETE FROM sqlite_sequence")
                .await;
        }
    }
    seed(admin, data).await;
}

async fn exec(db: &DatabaseConnection, sql: &str) {
    if let Err(e) = db.execute_unprepared(sql).await {
        panic!("{sql}: {e}");
    }
}

async fn seed(admin: &DatabaseConnection, data: Data) {
    // Both tenants exist in every database: `tenants` is shared reference data.
    tenants::Entity::insert_many([(A, "a"), (B, "b")].map(|(id, slug)| tenants::ActiveModel {
        id: Set(id),
        name: Set(slug.to_uppercase()),
        slug: Set(slug.into()),
    }))
    .exec(admin)
    .await
    .unwrap();
    products::Entity::insert_many([(1, "p1", 950), (2, "p2", 1000), (3, "p3", 2500)].map(
        |(id, sku, cents)| products::ActiveModel {
            id: Set(id),
            sku: Set(sku.into()),
            name: Set(format!("Product {id}")),
            price: Set(Decimal::new(cents, 2)),
        },
    ))
    .exec(admin)
    .await
    .unwrap();
    let cs = CUSTOMERS
        .iter()
        .filter(|c| keep(data, c.1))
        .map(|c| customers::ActiveModel {
            id: Set(c.0),
            tenant_id: Set(c.1),
            name: Set(format!("{}{}", tag(c.1), c.2)),
            // Both tenants have one customer with the same e-mail (unique per tenant).
            email: Set(if c.2 == "bob" || c.2 == "ann" {
                "shared@x.test".into()
            } else {
                format!("{}{}@x.test", tag(c.1), c.2)
            }),
        });
    customers::Entity::insert_many(cs)
        .exec(admin)
        .await
        .unwrap();
    let os = ORDERS
        .iter()
        .filter(|o| keep(data, o.1))
        .map(|o| orders::ActiveModel {
            id: Set(o.0),
            tenant_id: Set(o.1),
            customer_id: Set(o.2),
            status: Set(o.3.into()),
            total: Set(Decimal::from(o.4)),
        });
    orders::Entity::insert_many(os).exec(admin).await.unwrap();
    let is = ITEMS
        .iter()
        .filter(|i| keep(data, i.1))
        .map(|i| order_items::ActiveModel {
            id: Set(i.0),
            tenant_id: Set(i.1),
            order_id: Set(i.2),
            product_id: Set(i.3),
            quantity: Set(i.4),
            unit_price: Set(Decimal::from(i.5)),
        });
    order_items::Entity::insert_many(is)
        .exec(admin)
        .await
        .unwrap();
}

/// Every row of every reference table, as the admin sees it, split by owner.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub(crate) struct State {
    /// Tenant A's rows (rendered, sorted).
    pub(crate) a: Vec<String>,
    /// Tenant B's rows.
    pub(crate) b: Vec<String>,
    /// Rows of the shared tables (`tenants`, `products`).
    pub(crate) shared: Vec<String>,
}

/// Reads the whole state through `admin`.
pub(crate) async fn snapshot(admin: &DatabaseConnection) -> State {
    let mut s = State::default();
    let mut put = |tenant: Uuid, row: String| {
        if tenant == A {
            s.a.push(row);
        } else if tenant == B {
            s.b.push(row);
        } else {
            // A row of no known tenant is nobody's: file it under B so that it fails.
            s.b.push(format!("(tenant {tenant}) {row}"));
        }
    };
    for c in customers::Entity::find()
        .order_by_asc(customers::Column::Id)
        .all(admin)
        .await
        .unwrap()
    {
        put(c.tenant_id, format!("{c:?}"));
    }
    for o in orders::Entity::find()
        .order_by_asc(orders::Column::Id)
        .all(admin)
        .await
        .unwrap()
    {
        put(o.tenant_id, format!("{o:?}"));
    }
    for i in order_items::Entity::find()
        .order_by_asc(order_items::Column::Id)
        .all(admin)
        .await
        .unwrap()
    {
        put(i.tenant_id, format!("{i:?}"));
    }
    for p in products::Entity::find()
        .order_by_asc(products::Column::Id)
        .all(admin)
        .await
        .unwrap()
    {
        s.shared.push(format!("{p:?}"));
    }
    for t in tenants::Entity::find()
        .order_by_asc(tenants::Column::Id)
        .all(admin)
        .await
        .unwrap()
    {
        s.shared.push(format!("{t:?}"));
    }
    s.a.sort();
    s.b.sort();
    s.shared.sort();
    s
}
