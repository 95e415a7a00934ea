//! `cargo run -p migration -- <command>`: sea-orm-migration's CLI over the reference
//! migrations, and `tenants …` (create, list, show, suspend, resume, drop, migrate) from
//! tenantry.

#[tokio::main]
async fn main() {
    migration::cli().await;
}
