//! The benchmark database: a fresh, uniquely named PostgreSQL database (tenantry's
//! `TestDb`: an owner role, a `NOSUPERUSER NOBYPASSRLS` app role, dropped at the end of the
//! run), the reference migrations, and `generate_series` data loaded as the owner before Row-Level
//! Security is switched on.

use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend, Statement,
};
use sea_orm_migration::MigratorTrait;
use tenantry_tests::TestDb;
use uuid::Uuid;

use crate::request::Workload;

/// A loaded benchmark database.
pub struct BenchDb {
    /// The database and its roles; dropping it drops them.
    pub db: TestDb,
    /// URL connecting as the PostgreSQL superuser to this database (RLS does not apply).
    pub superuser_url: String,
    /// Tenant ids, in load order.
    pub tenants: Vec<Uuid>,
    /// Orders per tenant.
    pub orders_per_tenant: i32,
    /// Customers per tenant.
    pub customers_per_tenant: i32,
}

/// Which pool to open.
#[derive(Clone, Copy, Debug)]
pub struct PoolSpec {
    /// Connections (min = max, so none is opened during a measurement).
    pub size: u32,
    /// SeaORM's `test_before_acquire` (default `true`: a ping per acquire).
    pub test_before_acquire: bool,
}

impl BenchDb {
    /// Creates the database, loads `tenants × orders_per_tenant` orders (and
    /// `customers_per_tenant` customers per tenant), then enables isolation.
    pub async fn load(tenants: usize, customers_per_tenant: i32, orders_per_tenant: i32) -> Self {
        let db = TestDb::postgres().await;
        // The directory and the tables only; the data goes in before RLS (FORCE binds the
        // owner too).
        migration::Migrator::up(&db.owner, Some(2)).await.unwrap();
        let (t, c, o) = (tenants, customers_per_tenant, orders_per_tenant);
        for sql in [
            format!(
                "INSERT INTO tenants (id, name, slug) SELECT md5('t' || g)::uuid, 'Tenant ' || g, \
                 't' || g FROM generate_series(1, {t}) g"
            ),
            format!(
                "INSERT INTO customers (id, tenant_id, name, email) SELECT (g - 1) * {c} + i, \
                 md5('t' || g)::uuid, 'Customer ' || i, 'c' || i || '@example.com' \
                 FROM generate_series(1, {t}) g, generate_series(1, {c}) i"
            ),
            format!(
                "INSERT INTO orders (id, tenant_id, customer_id, status, total) \
                 SELECT (g - 1) * {o} + i, md5('t' || g)::uuid, (g - 1) * {c} + 1 + i % {c}, \
                 (ARRAY['open', 'paid', 'shipped'])[1 + i % 3], (i % 1000) / 10.0 \
                 FROM generate_series(1, {t}) g, generate_series(1, {o}) i"
            ),
        ] {
            db.owner_exec(&sql).await;
        }
        db.migrate().await;
        db.owner_exec("ANALYZE").await;
        let rows = db
            .owner
            .query_all_raw(Statement::from_string(
                DbBackend::Postgres,
                format!("SELECT md5('t' || g)::uuid FROM generate_series(1, {t}) g ORDER BY g"),
            ))
            .await
            .unwrap();
        let tenants = rows
            .iter()
            .map(|r| r.try_get_by_index::<Uuid>(0).unwrap())
            .collect();
        let superuser_url = replace_db(&tenantry_tests::pg_admin_url(), &db.name);
        BenchDb {
            db,
            superuser_url,
            tenants,
            orders_per_tenant: o,
            customers_per_tenant: c,
        }
    }

    /// What the request generator needs to know about the data.
    pub fn workload(&self) -> Workload {
        Workload {
            tenants: self.tenants.clone().into(),
            orders_per_tenant: self.orders_per_tenant,
            customers_per_tenant: self.customers_per_tenant,
        }
    }

    /// A pool connecting as the superuser (RLS not applicable).
    pub async fn superuser_pool(&self, spec: PoolSpec) -> DatabaseConnection {
        pool(&self.superuser_url, spec).await
    }

    /// A pool connecting as the app role (RLS applies).
    pub async fn app_pool(&self, spec: PoolSpec) -> DatabaseConnection {
        pool(&self.db.app_url, spec).await
    }
}

/// Opens a pool of `spec.size` connections.
pub async fn pool(url: &str, spec: PoolSpec) -> DatabaseConnection {
    let mut opts = ConnectOptions::new(url.to_owned());
    opts.max_connections(spec.size)
        .min_connections(spec.size)
        .sqlx_logging(false)
        .test_before_acquire(spec.test_before_acquire);
    Database::connect(opts).await.unwrap()
}

/// `url` with its database replaced by `db`.
fn replace_db(url: &str, db: &str) -> String {
    let (base, _) = url.rsplit_once('/').unwrap();
    format!("{base}/{db}")
}
