//! Tenants placed where a test asks: in the control database's shared tables, in a schema of
//! their own, or in a database of their own on the second PostgreSQL server — created by
//! `tenantry_migration::Provisioner` with the reference app's migrators, as the app creates
//! them, and served by a `TenantDatabase` that routes `begin` by the directory, as the app role.
//!
//! Everything made here is dropped: tenant schemas with the control database (a [`TestDb`]),
//! tenant databases and the app role the provisioner creates on the second server when the
//! [`Placed`] is dropped.

use std::sync::Arc;

use sea_orm::{ConnectOptions, Database, DatabaseConnection};
use tenantry::TenantDatabase;
use tenantry::placement::{Placement, Servers, TableDirectory};
use tenantry_migration::Provisioner;
use uuid::Uuid;

use crate::{
    PG2_URL_VAR, TestDb, connect, exec, on_fresh_runtime, pg_admin_url, pg2_admin_url, user_of,
    with_user_and_db,
};

/// Where a tenant's rows live.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// The control database's shared tables.
    Shared,
    /// A schema of its own in the control database.
    Schema,
    /// A database of its own on the second server.
    Database,
}

impl Kind {
    /// `shared`, `schema`, `database`.
    pub fn label(self) -> &'static str {
        match self {
            Kind::Shared => "shared",
            Kind::Schema => "schema",
            Kind::Database => "database",
        }
    }
}

/// The second server's name in the [`Servers`] of the provisioner and of the app.
pub const SECOND_SERVER: &str = "silo";

/// One tenant and where its rows are.
pub struct Home {
    /// The tenant.
    pub tenant: Uuid,
    /// Which placement.
    pub kind: Kind,
    /// Its directory entry's placement.
    pub placement: Placement,
    /// A superuser connection (Row-Level Security does not bind it) on which the unqualified
    /// table names reach the tenant's tables: the control database for a shared tenant; the
    /// control database with the tenant's schema first on the search path (then `public`, as
    /// for the app) for a schema tenant; its own database for a database tenant.
    pub admin: DatabaseConnection,
}

/// Tenants provisioned into their placements, and the app's view of them.
pub struct Placed {
    /// `begin` routed by the control database's directory (read as the app role); tenant
    /// databases reached as the app role, under the same name, on the second server.
    pub tdb: TenantDatabase,
    /// The tenants, in the order given to [`provision`](Self::provision).
    pub homes: Vec<Home>,
    /// Dropped after the app's pools and before the control database.
    _second: SecondServer,
    /// The control database.
    pub control: TestDb,
}

impl Placed {
    /// A control database as the reference app migrates it (`migration::Migrator`, as the
    /// owner: the directory, the reference tables, the shared scoped tables with Row-Level
    /// Security) with the app role's grants. Reference rows written here before
    /// [`provision`](Self::provision) are copied into each new tenant database.
    pub async fn control() -> TestDb {
        let db = TestDb::postgres().await;
        db.migrate().await;
        db
    }

    /// Creates each tenant in its placement with the provisioner (schema and database names
    /// derived from the control database's unique name), and the app's `TenantDatabase`.
    pub async fn provision(control: TestDb, tenants: &[(Uuid, Kind)]) -> Placed {
        // First, so that a failure below still drops what was made on the second server.
        let mut second = SecondServer {
            admin_url: pg2_admin_url(),
            databases: Vec::new(),
            role: control.app_role.clone(),
        };
        let provisioner =
            Provisioner::builder::<migration::TenantMigrator, migration::TenantDatabaseMigrator>()
                .reference_tables(&migration::REFERENCE_TABLES)
                .app_role(control.app_role.clone())
                .connect(
                    &control.owner_url,
                    Servers::new()
                        .with(SECOND_SERVER, &second.admin_url)
                        .unwrap(),
                )
                .await
                .unwrap();
        let mut homes = Vec::new();
        for (i, &(tenant, kind)) in tenants.iter().enumerate() {
            let name = format!("{}_t{i}", control.name);
            let placement = match kind {
                Kind::Shared => Placement::Shared,
                Kind::Schema => Placement::schema(&name).unwrap(),
                Kind::Database => {
                    second.databases.push(name.clone());
                    Placement::database(SECOND_SERVER, &name).unwrap()
                }
            };
            provisioner
                .create(tenant, placement.clone())
                .await
                .unwrap_or_else(|e| panic!("provisioning {tenant} as {placement}: {e}"));
            let admin = match kind {
                Kind::Shared => control.admin.clone(),
                Kind::Schema => superuser(&pg_admin_url(), &control.name, Some(&name)).await,
                Kind::Database => superuser(&second.admin_url, &name, None).await,
            };
            homes.push(Home {
                tenant,
                kind,
                placement,
                admin,
            });
        }
        let app_on_second = with_user_and_db(&second.admin_url, &control.app_role, "postgres");
        let tdb = TenantDatabase::new(control.app.clone()).with_directory(
            Arc::new(TableDirectory::new(control.app.clone())),
            Servers::new().with(SECOND_SERVER, &app_on_second).unwrap(),
        );
        Placed {
            tdb,
            homes,
            _second: second,
            control,
        }
    }

    /// Where `tenant` is.
    pub fn home(&self, tenant: Uuid) -> &Home {
        self.homes
            .iter()
            .find(|h| h.tenant == tenant)
            .unwrap_or_else(|| panic!("{tenant} is not placed here"))
    }
}

/// A small pool as the server's superuser on `database`, with `schema` first on the search path
/// (then `public`).
async fn superuser(admin_url: &str, database: &str, schema: Option<&str>) -> DatabaseConnection {
    let mut options =
        ConnectOptions::new(with_user_and_db(admin_url, &user_of(admin_url), database));
    options
        .max_connections(2)
        .min_connections(0)
        .sqlx_logging(false)
        .connect_timeout(std::time::Duration::from_secs(10));
    if let Some(schema) = schema {
        options.set_schema_search_path(format!("{schema},public"));
    }
    Database::connect(options)
        .await
        .unwrap_or_else(|e| panic!("superuser connection to {database} ({admin_url}): {e}"))
}

/// What the provisioner made on the second server: tenant databases and the app role.
struct SecondServer {
    admin_url: String,
    databases: Vec<String>,
    role: String,
}

impl Drop for SecondServer {
    fn drop(&mut self) {
        let admin_url = self.admin_url.clone();
        let databases = std::mem::take(&mut self.databases);
        let role = self.role.clone();
        // As in `TestDb`'s drop: a fresh thread and runtime; `WITH (FORCE)` ends the sessions
        // of the pools still open.
        on_fresh_runtime(
            "dropping the tenant databases on the second server failed",
            async move {
                let admin = connect(&admin_url, PG2_URL_VAR).await;
                for db in databases {
                    exec(
                        &admin,
                        &format!("DROP DATABASE IF EXISTS \"{db}\" WITH (FORCE)"),
                    )
                    .await;
                }
                // Roles are cluster-wide: the provisioner created the app role on this server.
                exec(&admin, &format!("DROP ROLE IF EXISTS \"{role}\"")).await;
                admin.close().await.ok();
            },
        );
    }
}
