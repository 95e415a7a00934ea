//! `cargo run -p migration -- <command>`: sea-orm-migration's CLI over the reference migrations.

use sea_orm_migration::prelude::*;

#[tokio::main]
async fn main() {
    cli::run_cli(migration::Migrator).await;
}
