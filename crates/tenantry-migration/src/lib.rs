//! sea-orm-migration helpers for tenantry: Row-Level Security, the application role, tenant
//! indexes and composite keys, one call each.
//!
//! ```no_run
//! use sea_orm_migration::prelude::*;
//! use tenantry_migration::TenantMigrationExt;
//!
//! #[derive(DeriveIden)]
//! enum Orders { Table }
//!
//! # async fn up(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
//! manager.create_tenant_index(Orders::Table, "tenant_id", &[]).await?;
//! manager.enable_tenant_isolation(Orders::Table, "tenant_id").await?;
//! manager.ensure_app_role("tenantry_app").await?;
//! manager.grant_app_role("tenantry_app", [Orders::Table]).await?;
//! # Ok(()) }
//! # async fn down(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
//! manager.disable_tenant_isolation(Orders::Table).await?;
//! # Ok(()) }
//! ```
//!
//! The DDL comes from [`tenantry::policy`] (the same text `tenantry doctor` prints as fixes).
//!
//! | backend | RLS and role helpers | schema helpers (indexes, keys) |
//! |---|---|---|
//! | PostgreSQL | installed | installed |
//! | MySQL / MariaDB | no-op: only the app layer (the rewriter) protects tenants there | installed |
//! | SQLite | no-op, as above | installed |
//!
//! **Partitioned tables.** [`enable_tenant_isolation`](TenantMigrationExt::enable_tenant_isolation)
//! installs the policies on the parent *and* on every existing partition, because a query
//! that names a partition directly is checked against that partition's policies only.
//! Partitions created or attached later need the call again (it is idempotent); use
//! [`enable_partition_isolation`](TenantMigrationExt::enable_partition_isolation) right
//! after creating one. `tenantry doctor` reports any partition left without policies.

mod connect;
mod directory;
mod error;
mod ext;
pub mod moves;
pub mod runner;
pub mod tenants;

pub use directory::{DirectoryMigration, directory_migration};
pub use error::{Error, Result};
pub use ext::TenantMigrationExt;
pub use moves::{MoveOptions, MoveReport};
pub use runner::{RunOptions, RunReport, Runner};
pub use tenantry::policy::{self, PolicyConfig};
pub use tenants::{Provisioner, ProvisionerBuilder};

/// The application role name used by the reference migrations when none is configured.
pub const DEFAULT_APP_ROLE: &str = "tenantry_app";
