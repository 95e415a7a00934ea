//! The two-tenant world: fixed ids, seeding, resetting and snapshotting the reference tables —
//! in one database (A and B in the shared tables, or the oracle holding A alone), or spread over
//! the places a placement puts each tenant's rows in (the control database's shared tables, a
//! tenant schema, a tenant database on the second server).
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
use tenantry_tests::placed::{Kind, Placed};
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

/// A control database with A and B provisioned into the placements `a` and `b` (Row-Level
/// Security in every place, the app role's grants), and the world over their places.
pub(crate) async fn placed(a: Kind, b: Kind) -> (Placed, World) {
    let placed = Placed::provision(Placed::control().await, &[(A, a), (B, b)]).await;
    let world = World::placed(&placed);
    (placed, world)
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

/// The scoped tables, children first.
const SCOPED: [&str; 3] = ["order_items", "orders", "customers"];
/// The reference tables.
const REFERENCE: [&str; 2] = ["products", "tenants"];

/// One place rows live in.
pub(crate) struct Place {
    /// A connection that sees every row there, on which the unqualified table names reach the
    /// place's tables (for a tenant schema: its scoped tables, and the control database's
    /// reference tables behind them on the search path).
    pub(crate) conn: DatabaseConnection,
    /// Its name in reports.
    pub(crate) name: String,
    /// The tenants whose scoped rows belong here.
    pub(crate) tenants: Vec<Uuid>,
    /// Whether it has reference tables of its own (`tenants`, `products`): a database does, a
    /// tenant schema reads the control database's.
    pub(crate) reference: bool,
}

/// Where A's and B's rows are: one database, or several places. The first place is a
/// database's shared schema with reference tables (the control database); tenant schemas read
/// its reference tables, and emptying those (`TRUNCATE … CASCADE`) empties them too.
pub(crate) struct World {
    places: Vec<Place>,
}

impl World {
    /// One database holding `data`.
    pub(crate) fn single(conn: DatabaseConnection, data: Data) -> World {
        let tenants = match data {
            Data::Both => vec![A, B],
            Data::OnlyA => vec![A],
        };
        World {
            places: vec![Place {
                conn,
                name: "the database".into(),
                tenants,
                reference: true,
            }],
        }
    }

    /// The places of tenants provisioned by `placed`, the control database's shared tables
    /// first.
    pub(crate) fn placed(placed: &Placed) -> World {
        let mut places = vec![Place {
            conn: placed.control.admin.clone(),
            name: "the control database's shared tables".into(),
            tenants: Vec::new(),
            reference: true,
        }];
        for home in &placed.homes {
            if home.kind == Kind::Shared {
                places[0].tenants.push(home.tenant);
            } else {
                places.push(Place {
                    conn: home.admin.clone(),
                    name: format!("{}'s {}", who(home.tenant), home.placement),
                    tenants: vec![home.tenant],
                    reference: home.kind == Kind::Database,
                });
            }
        }
        World { places }
    }

    fn home(&self, tenant: Uuid) -> Option<usize> {
        self.places.iter().position(|p| p.tenants.contains(&tenant))
    }

    /// Empties every table, resets the id counters and seeds: the reference rows in each place
    /// that has reference tables, each tenant's rows in its place.
    pub(crate) async fn reset(&self) {
        for p in self.places.iter().filter(|p| p.reference) {
            truncate(&p.conn, &[&SCOPED[..], &REFERENCE[..]].concat()).await;
            seed_reference(&p.conn).await;
        }
        for p in self.places.iter().filter(|p| !p.reference) {
            truncate(&p.conn, &SCOPED).await;
        }
        for p in &self.places {
            seed_scoped(&p.conn, &p.tenants).await;
        }
    }

    /// Every row of every place, split by owner: A's rows in A's place, the reference rows A
    /// reads (its own database's, or the control database's); B's rows in B's place and
    /// anything else — the reference rows of a place A does not read, and any scoped row
    /// outside its tenant's place or of an unknown tenant, marked with where it is — count as
    /// B's, so that a change there fails.
    pub(crate) async fn snapshot(&self) -> State {
        let mut s = State::default();
        let a_home = self.home(A);
        let a_reference = match a_home {
            Some(i) if self.places[i].reference => i,
            _ => 0,
        };
        for (i, place) in self.places.iter().enumerate() {
            for (tenant, row) in scoped_rows(&place.conn).await {
                if tenant == A && a_home == Some(i) {
                    s.a.push(row);
                } else if tenant == B && place.tenants.contains(&B) {
                    s.b.push(row);
                } else if tenant == A || tenant == B {
                    s.b.push(format!("({} in {}) {row}", who(tenant), place.name));
                } else {
                    s.b.push(format!("(tenant {tenant} in {}) {row}", place.name));
                }
            }
            if place.reference {
                let rows = reference_rows(&place.conn).await;
                if i == a_reference {
                    s.shared.extend(rows);
                } else {
                    s.b.extend(rows.into_iter().map(|r| format!("({}) {r}", place.name)));
                }
            }
        }
        s.a.sort();
        s.b.sort();
        s.shared.sort();
        s
    }
}

fn who(tenant: Uuid) -> &'static str {
    if tenant == A {
        "A"
    } else if tenant == B {
        "B"
    } else {
        "?"
    }
}

/// Empties the reference tables of one database, resets their id counters and seeds `data`.
pub(crate) async fn reset(admin: &DatabaseConnection, data: Data) {
    World::single(admin.clone(), data).reset().await;
}

/// Empties `tables` (children first) and resets their id counters.
async fn truncate(admin: &DatabaseConnection, tables: &[&str]) {
    match admin.get_database_backend() {
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
}

async fn exec(db: &DatabaseConnection, sql: &str) {
    if let Err(e) = db.execute_unprepared(sql).await {
        panic!("{sql}: {e}");
    }
}

/// The reference rows, the same in every place that has reference tables.
async fn seed_reference(admin: &DatabaseConnection) {
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
}

/// The scoped rows of `tenants`.
async fn seed_scoped(admin: &DatabaseConnection, tenants: &[Uuid]) {
    if tenants.is_empty() {
        return;
    }
    let keep = |tenant: &Uuid| tenants.contains(tenant);
    let cs = CUSTOMERS
        .iter()
        .filter(|c| keep(&c.1))
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
        .filter(|o| keep(&o.1))
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
        .filter(|i| keep(&i.1))
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

/// Reads the whole state of one database through `admin` (rows of a tenant other than A and
/// B count as B's, marked, so that they fail).
pub(crate) async fn snapshot(admin: &DatabaseConnection) -> State {
    World::single(admin.clone(), Data::Both).snapshot().await
}

/// The scoped rows there, rendered, with their tenants.
async fn scoped_rows(admin: &DatabaseConnection) -> Vec<(Uuid, String)> {
    let mut rows = Vec::new();
    for c in customers::Entity::find()
        .order_by_asc(customers::Column::Id)
        .all(admin)
        .await
        .unwrap()
    {
        rows.push((c.tenant_id, format!("{c:?}")));
    }
    for o in orders::Entity::find()
        .order_by_asc(orders::Column::Id)
        .all(admin)
        .await
        .unwrap()
    {
        rows.push((o.tenant_id, format!("{o:?}")));
    }
    for i in order_items::Entity::find()
        .order_by_asc(order_items::Column::Id)
        .all(admin)
        .await
        .unwrap()
    {
        rows.push((i.tenant_id, format!("{i:?}")));
    }
    rows
}

/// The reference rows there, rendered.
async fn reference_rows(admin: &DatabaseConnection) -> Vec<String> {
    let mut rows = Vec::new();
    for p in products::Entity::find()
        .order_by_asc(products::Column::Id)
        .all(admin)
        .await
        .unwrap()
    {
        rows.push(format!("{p:?}"));
    }
    for t in tenants::Entity::find()
        .order_by_asc(tenants::Column::Id)
        .all(admin)
        .await
        .unwrap()
    {
        rows.push(format!("{t:?}"));
    }
    rows
}
