//! Tenant isolation in the database for the scoped tables (`customers`, `orders`,
//! `order_items`): Row-Level Security (ENABLE, FORCE, the base policy and the restrictive
//! guard), indexes led by `tenant_id` for the composite foreign keys, and no temporary tables
//! for `PUBLIC`.
//!
//! The app role: when `TENANTRY_APP_ROLE` is set, this migration also ensures that role
//! exists (`LOGIN NOSUPERUSER NOBYPASSRLS NOINHERIT`, no password; the migration role then
//! needs `CREATEROLE`) and grants it `SELECT, INSERT, UPDATE, DELETE` on the reference tables
//! and `USAGE` on their sequences, nothing more. When unset, roles are left to whoever manages
//! them (roles are cluster-wide; `tenantry doctor --app-role …` checks the result).
//!
//! On SQLite only the indexes are created, and on MySQL/MariaDB nothing (InnoDB already
//! indexes the composite foreign keys): the RLS and role calls are no-ops there.

use sea_orm_migration::prelude::*;
use tenantry_migration::TenantMigrationExt;

use crate::Part;

/// Enables tenant isolation on the scoped tables, and (with [`Part::All`]) the database-wide
/// settings; grants the app role the tables of its part.
#[derive(DeriveMigrationName)]
pub(crate) struct Migration(pub(crate) Part);

/// The environment variable naming the app role this migration ensures and grants.
const APP_ROLE_VAR: &str = "TENANTRY_APP_ROLE";

#[derive(DeriveIden)]
enum Tenants {
    Table,
}

#[derive(DeriveIden)]
enum Products {
    Table,
}

#[derive(DeriveIden)]
enum Customers {
    Table,
}

#[derive(DeriveIden)]
enum Orders {
    Table,
}

#[derive(DeriveIden)]
enum OrderItems {
    Table,
}

const TENANT: &str = "tenant_id";

fn app_role() -> Option<String> {
    std::env::var(APP_ROLE_VAR).ok().filter(|r| !r.is_empty())
}

fn is_mysql(manager: &SchemaManager) -> bool {
    manager.get_database_backend() == sea_orm_migration::sea_orm::DbBackend::MySql
}

fn scoped() -> [DynIden; 3] {
    [
        Customers::Table.into_iden(),
        Orders::Table.into_iden(),
        OrderItems::Table.into_iden(),
    ]
}

fn tables(part: Part) -> Vec<DynIden> {
    let mut tables = Vec::new();
    if part.reference() {
        tables.extend([Tenants::Table.into_iden(), Products::Table.into_iden()]);
    }
    tables.extend(scoped());
    tables
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // Lookups behind the composite foreign keys (InnoDB indexes foreign keys itself).
        if !is_mysql(manager) {
            manager
                .create_tenant_index(Orders::Table, TENANT, &["customer_id"])
                .await?;
            manager
                .create_tenant_index(OrderItems::Table, TENANT, &["order_id"])
                .await?;
        }
        for table in scoped() {
            manager.enable_tenant_isolation(table, TENANT).await?;
        }
        if self.0.reference() {
            manager.revoke_temp_from_public().await?;
        }
        if let Some(role) = app_role() {
            manager.ensure_app_role(&role).await?;
            manager.grant_app_role(&role, tables(self.0)).await?;
            if self.0.reference() {
                // The app follows the directory as this role: read only.
                manager.grant_directory_read(&role).await?;
            }
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if let Some(role) = app_role() {
            if self.0.reference() {
                manager.revoke_directory_read(&role).await?;
            }
            manager.revoke_app_role(&role, tables(self.0)).await?;
        }
        if self.0.reference() {
            manager.grant_temp_to_public().await?;
        }
        for table in scoped() {
            manager.disable_tenant_isolation(table).await?;
        }
        if !is_mysql(manager) {
            manager
                .drop_tenant_index(OrderItems::Table, TENANT, &["order_id"])
                .await?;
            manager
                .drop_tenant_index(Orders::Table, TENANT, &["customer_id"])
                .await?;
        }
        Ok(())
    }
}
