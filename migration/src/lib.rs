//! The reference SaaS domain's migrations, run with `cargo run -p migration -- up`
//! (`DATABASE_URL` selects the database, as with sea-orm-cli).
//!
//! Three migrators, one per kind of target:
//! - [`Migrator`]: the control database — tenantry's tenant directory, the reference tables
//!   (`tenants`, `products`) and the scoped tables of the tenants placed in the shared tables;
//! - [`TenantMigrator`]: a tenant schema — the scoped tables only (reference data stays in the
//!   shared schema, behind the tenant schema on the search path);
//! - [`TenantDatabaseMigrator`]: a tenant database — the reference tables (their rows are
//!   copied from the control database: foreign keys point at them) and the scoped tables.

pub use sea_orm_migration::prelude::*;

mod m20260101_000001_create_tables;
mod m20260101_000002_tenant_isolation;

/// Which tables a migration handles.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Part {
    /// Reference and scoped tables.
    All,
    /// Scoped tables only.
    Scoped,
}

impl Part {
    pub(crate) fn reference(self) -> bool {
        self == Self::All
    }
}

/// The reference tables a tenant database gets a copy of, in foreign-key order.
pub const REFERENCE_TABLES: [&str; 2] = ["tenants", "products"];

/// The reference app's migration command line: sea-orm-migration's commands over
/// [`Migrator`], and `tenants …` over [`TenantMigrator`] and [`TenantDatabaseMigrator`]
/// (`cargo run -p migration -- --help`). Exits the process when done.
pub async fn cli() {
    let tenants =
        tenantry_migration::Provisioner::builder::<TenantMigrator, TenantDatabaseMigrator>()
            .reference_tables(&REFERENCE_TABLES);
    tenantry_migration::tenants::cli::run_cli(Migrator, tenants).await;
}

/// The control database's migrator.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            tenantry_migration::directory_migration(),
            Box::new(m20260101_000001_create_tables::Migration(Part::All)),
            Box::new(m20260101_000002_tenant_isolation::Migration(Part::All)),
        ]
    }
}

/// The migrator of a tenant schema.
pub struct TenantMigrator;

#[async_trait::async_trait]
impl MigratorTrait for TenantMigrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20260101_000001_create_tables::Migration(Part::Scoped)),
            Box::new(m20260101_000002_tenant_isolation::Migration(Part::Scoped)),
        ]
    }
}

/// The migrator of a tenant database.
pub struct TenantDatabaseMigrator;

#[async_trait::async_trait]
impl MigratorTrait for TenantDatabaseMigrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20260101_000001_create_tables::Migration(Part::All)),
            Box::new(m20260101_000002_tenant_isolation::Migration(Part::All)),
        ]
    }
}
