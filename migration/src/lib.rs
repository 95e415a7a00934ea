//! The reference SaaS domain's migrations, run with `cargo run -p migration -- up`
//! (`DATABASE_URL` selects the database, as with sea-orm-cli).

pub use sea_orm_migration::prelude::*;

mod m20260101_000001_create_tables;
mod m20260101_000002_tenant_isolation;

/// The reference app's migrator.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20260101_000001_create_tables::Migration),
            Box::new(m20260101_000002_tenant_isolation::Migration),
        ]
    }
}
