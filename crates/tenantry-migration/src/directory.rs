//! The migration that creates tenantry's tenant directory (`tenantry_tenants`).

use async_trait::async_trait;
use sea_orm_migration::prelude::*;
use tenantry::placement::{DIRECTORY_TABLE, directory_table};

/// Creates the `tenantry_tenants` table ([`tenantry::placement::TableDirectory`]) on
/// PostgreSQL, MySQL/MariaDB or SQLite; its `down` drops it. Add it to the control database's
/// migrator, before the app's own migrations:
///
/// ```no_run
/// use sea_orm_migration::prelude::*;
///
/// pub struct Migrator;
///
/// #[async_trait::async_trait]
/// impl MigratorTrait for Migrator {
///     fn migrations() -> Vec<Box<dyn MigrationTrait>> {
///         vec![tenantry_migration::directory_migration() /* , the app's migrations… */]
///     }
/// }
/// ```
pub struct DirectoryMigration;

/// The directory migration, boxed for a `Migrator`'s list.
pub fn directory_migration() -> Box<dyn MigrationTrait> {
    Box::new(DirectoryMigration)
}

impl MigrationName for DirectoryMigration {
    fn name(&self) -> &str {
        "m00000000_000000_tenantry_directory"
    }
}

#[async_trait]
impl MigrationTrait for DirectoryMigration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.create_table(directory_table()).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(
                Table::drop()
                    .table(Alias::new(DIRECTORY_TABLE))
                    .if_exists()
                    .to_owned(),
            )
            .await
    }
}
