//! `cargo run -p migration -- <command>`: sea-orm-migration's CLI over the reference
//! migrations, and `tenants …` (create, list, show, suspend, resume, drop) from tenantry.

use tenantry_migration::Provisioner;

#[tokio::main]
async fn main() {
    let tenants =
        Provisioner::builder::<migration::TenantMigrator, migration::TenantDatabaseMigrator>()
            .reference_tables(&migration::REFERENCE_TABLES);
    tenantry_migration::tenants::cli::run_cli(migration::Migrator, tenants).await;
}
