//! Reading the live database's catalogue: the one layer every tenantry component that asks
//! the database about its own structure goes through.
//!
//! [`Registry::verify`](crate::Registry::verify), [`doctor`](crate::doctor) and the migration
//! helpers of `tenantry-migration` all read through here, so they see the same tables, keys
//! and policies and answer the same questions the same way.
//!
//! - [`relations`]: every table and view with the columns named like a tenant column, on
//!   PostgreSQL, MySQL/MariaDB and SQLite (what `Registry::verify` compares the registry with).
//! - [`postgres`]: the PostgreSQL catalogue in detail — tables with a tenant column
//!   ([`postgres::tenant_tables`]), their keys and foreign keys (in dependency order with
//!   [`postgres::dependency_order`]), sequences owned by columns, partitions, policies, roles
//!   and privileges, views and routines.
//!
//! Every reader only reads; any role can run them (the catalogue is readable by all), and they
//! report what exists whatever the role's privileges on the objects.

use std::collections::BTreeMap;

use sea_orm::{ConnectionTrait, DbBackend};

use crate::error::{Error, Result};

mod mysql;
pub mod postgres;
mod sqlite;

/// One column of a [`Relations`] entry: a column named like a tenant column.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Column {
    /// Its name, as in the catalogue.
    pub name: String,
    /// Its type as the database prints it (PostgreSQL's `format_type`); `None` where it is not
    /// read (MySQL/MariaDB, SQLite).
    pub type_name: Option<String>,
}

/// Every table and view where names resolve, with the columns named like one of the tenant
/// columns asked for.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Relations {
    /// The schemas (PostgreSQL), databases (MySQL) or attached databases (SQLite) unqualified
    /// names resolve in, in order.
    pub search_path: Vec<String>,
    /// (schema, name) → its columns among the candidate tenant columns (empty when none).
    pub tables: BTreeMap<(String, String), Vec<Column>>,
}

impl Relations {
    pub(crate) fn add(&mut self, schema: String, table: String, column: Option<Column>) {
        let columns = self.tables.entry((schema, table)).or_default();
        if let Some(c) = column {
            columns.push(c);
        }
    }
}

/// Every table and view with its columns named like one of `columns` (compared
/// case-insensitively; each backend's own rules apply afterwards).
///
/// - PostgreSQL: `pg_catalog`, every non-system schema whatever the role's privileges;
///   partitions are left out (their parent stands for them); column types are read.
/// - MySQL/MariaDB: `information_schema`, the current database plus `schemas`.
/// - SQLite: `sqlite_master` and `pragma_table_info` of every attached database.
///
/// [`Error::UnsupportedBackend`] on any other backend.
pub async fn relations(
    db: &impl ConnectionTrait,
    columns: &[&str],
    schemas: &[&str],
) -> Result<Relations> {
    match db.get_database_backend() {
        DbBackend::Postgres => postgres::relations(db, columns).await,
        DbBackend::MySql => mysql::relations(db, columns, schemas).await,
        DbBackend::Sqlite => sqlite::relations(db, columns).await,
        #[allow(unreachable_patterns)]
        other => Err(Error::UnsupportedBackend {
            what: "reading the catalogue".into(),
            backend: format!("{other:?}"),
        }),
    }
}

/// The lower-cased candidate column names, bound as values.
fn column_values(columns: &[&str]) -> Vec<sea_orm::Value> {
    columns
        .iter()
        .map(|c| sea_orm::Value::String(Some(c.to_lowercase())))
        .collect()
}

/// `$from, …` (PostgreSQL) or `?, …` placeholders.
fn placeholders(backend: DbBackend, from: usize, count: usize) -> String {
    (from..from + count)
        .map(|i| match backend {
            DbBackend::Postgres => format!("${i}"),
            _ => "?".to_owned(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn text(row: &sea_orm::QueryResult, index: usize) -> Result<String> {
    Ok(row.try_get_by_index::<String>(index)?)
}

fn opt_text(row: &sea_orm::QueryResult, index: usize) -> Result<Option<String>> {
    Ok(row.try_get_by_index::<Option<String>>(index)?)
}
