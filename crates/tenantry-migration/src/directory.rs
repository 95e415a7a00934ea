//! The migration that creates tenantry's tenant directory (`tenantry_tenants`) and, on
//! PostgreSQL, the fence of moves (`tenantry_fences`, `tenantry_fence(…)`).

use async_trait::async_trait;
use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend, Statement};
use tenantry::placement::{DIRECTORY_TABLE, directory_table, fence};

/// The schema unqualified names are created in.
async fn current_schema(db: &impl ConnectionTrait) -> Result<String, DbErr> {
    db.query_one_raw(Statement::from_string(
        DbBackend::Postgres,
        "SELECT pg_catalog.current_schema() AS s",
    ))
    .await?
    .ok_or_else(|| DbErr::Migration("no current schema".into()))?
    .try_get::<String>("", "s")
}

/// Creates the `tenantry_tenants` table ([`tenantry::placement::TableDirectory`]) on
/// PostgreSQL, MySQL/MariaDB or SQLite and, on PostgreSQL, the fence table and function in
/// the same schema ([`tenantry::placement::fence`]), which every tenant transaction of a
/// `TenantDatabase` with a directory checks; its `down` drops them. Add it to the control database's
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
        manager.create_table(directory_table()).await?;
        if manager.get_database_backend() == DbBackend::Postgres {
            let db = manager.get_connection();
            for sql in fence::install_sql(&current_schema(db).await?) {
                db.execute_unprepared(&sql).await?;
            }
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() == DbBackend::Postgres {
            let db = manager.get_connection();
            for sql in fence::uninstall_sql(&current_schema(db).await?) {
                db.execute_unprepared(&sql).await?;
            }
        }
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
