//! Opening the short-lived pools provisioning and the migration runner work with.

use sea_orm_migration::sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend, Statement,
};

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

/// Whether `sql` (a PostgreSQL `SELECT EXISTS (…) AS e` with one parameter) holds for `value`.
pub(crate) async fn exists(db: &impl ConnectionTrait, sql: &str, value: &str) -> Result<bool> {
    Ok(db
        .query_one_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            sql,
            [value.into()],
        ))
        .await?
        .map(|r| r.try_get::<bool>("", "e"))
        .transpose()?
        .unwrap_or(false))
}

/// [`exists`] for a schema.
pub(crate) const SCHEMA_EXISTS: &str =
    "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = $1) AS e";

/// [`exists`] for a database of the server.
pub(crate) const DATABASE_EXISTS: &str =
    "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_database WHERE datname = $1) AS e";
