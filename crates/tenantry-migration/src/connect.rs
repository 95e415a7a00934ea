//! Opening the short-lived pools provisioning and the migration runner work with.

use sea_orm_migration::sea_orm::{ConnectOptions, Database, DatabaseConnection};

use crate::error::Result;

/// A small pool (`max` connections, none kept open) on `url`, with `search_path` set on
/// each connection when given; provisioning and the migration runner open their connections
/// with it.
pub(crate) async fn connect_with(
    url: &str,
    max: u32,
    search_path: Option<String>,
) -> Result<DatabaseConnection> {
    let mut options = ConnectOptions::new(url.to_owned());
    options
        .max_connections(max)
        .min_connections(0)
        .sqlx_logging(false);
    if let Some(path) = search_path {
        options.set_schema_search_path(path);
    }
    Ok(Database::connect(options).await?)
}
