//! Reading the catalogue: the tables and views of each backend, with their columns named like
//! a tenant column.

use std::collections::BTreeMap;

use sea_orm::{ConnectionTrait, DbBackend, QueryResult, Statement, Value};

use crate::error::Result;

/// What the catalogue says.
#[derive(Debug, Default)]
pub(super) struct Catalogue {
    /// The schemas unqualified names resolve in, in order.
    pub(super) search_path: Vec<String>,
    /// (schema, table) → its columns among the candidate tenant columns.
    pub(super) tables: BTreeMap<(String, String), Vec<String>>,
}

impl Catalogue {
    pub(super) fn add(&mut self, schema: String, table: String, column: Option<String>) {
        let columns = self.tables.entry((schema, table)).or_default();
        if let Some(c) = column {
            columns.push(c);
        }
    }
}

/// The lower-cased candidate column names, bound as values.
fn column_values(columns: &[&str]) -> Vec<Value> {
    columns
        .iter()
        .map(|c| Value::String(Some(c.to_lowercase())))
        .collect()
}

fn placeholders(backend: DbBackend, from: usize, count: usize) -> String {
    (from..from + count)
        .map(|i| match backend {
            DbBackend::Postgres => format!("${i}"),
            _ => "?".to_owned(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn text(row: &QueryResult, index: usize) -> Result<String> {
    Ok(row.try_get_by_index::<String>(index)?)
}

fn opt_text(row: &QueryResult, index: usize) -> Result<Option<String>> {
    Ok(row.try_get_by_index::<Option<String>>(index)?)
}

pub(super) async fn postgres(db: &impl ConnectionTrait, columns: &[&str]) -> Result<Catalogue> {
    let backend = DbBackend::Postgres;
    let mut catalogue = Catalogue::default();
    let path = db
        .query_all_raw(Statement::from_string(
            backend,
            "SELECT s.name::text FROM unnest(current_schemas(false)) WITH ORDINALITY AS s(name, n) \
             ORDER BY s.n",
        ))
        .await?;
    for row in &path {
        catalogue.search_path.push(text(row, 0)?);
    }
    let sql = format!(
        "SELECT n.nspname::text, c.relname::text, a.attname::text \
         FROM pg_catalog.pg_class c \
         JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
         LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 \
           AND NOT a.attisdropped AND lower(a.attname::text) IN ({}) \
         WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') AND NOT c.relispartition \
           AND n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\\_%'",
        placeholders(backend, 1, columns.len())
    );
    let rows = db
        .query_all_raw(Statement::from_sql_and_values(
            backend,
            sql,
            column_values(columns),
        ))
        .await?;
    for row in &rows {
        catalogue.add(text(row, 0)?, text(row, 1)?, opt_text(row, 2)?);
    }
    Ok(catalogue)
}

pub(super) async fn mysql(
    db: &impl ConnectionTrait,
    columns: &[&str],
    schemas: &[&str],
) -> Result<Catalogue> {
    let backend = DbBackend::MySql;
    let mut catalogue = Catalogue::default();
    let current = db
        .query_one_raw(Statement::from_string(
            backend,
            "SELECT CAST(DATABASE() AS CHAR)",
        ))
        .await?;
    if let Some(row) = current
        && let Some(name) = opt_text(&row, 0)?
    {
        catalogue.search_path.push(name);
    }
    let extra = if schemas.is_empty() {
        String::new()
    } else {
        format!(
            " OR t.TABLE_SCHEMA IN ({})",
            placeholders(backend, 0, schemas.len())
        )
    };
    let sql = format!(
        "SELECT CAST(t.TABLE_SCHEMA AS CHAR), CAST(t.TABLE_NAME AS CHAR), \
           CAST(c.COLUMN_NAME AS CHAR) \
         FROM information_schema.TABLES t \
         LEFT JOIN information_schema.COLUMNS c ON c.TABLE_SCHEMA = t.TABLE_SCHEMA \
           AND c.TABLE_NAME = t.TABLE_NAME AND LOWER(c.COLUMN_NAME) IN ({}) \
         WHERE t.TABLE_SCHEMA = DATABASE(){extra}",
        placeholders(backend, 0, columns.len())
    );
    let mut values = column_values(columns);
    values.extend(schemas.iter().map(|s| Value::String(Some((*s).to_owned()))));
    let rows = db
        .query_all_raw(Statement::from_sql_and_values(backend, sql, values))
        .await?;
    for row in &rows {
        catalogue.add(text(row, 0)?, text(row, 1)?, opt_text(row, 2)?);
    }
    Ok(catalogue)
}

pub(super) async fn sqlite(db: &impl ConnectionTrait, columns: &[&str]) -> Result<Catalogue> {
    let backend = DbBackend::Sqlite;
    let mut catalogue = Catalogue::default();
    let databases = db
        .query_all_raw(Statement::from_string(
            backend,
            "SELECT name FROM pragma_database_list ORDER BY seq",
        ))
        .await?;
    for row in &databases {
        catalogue.search_path.push(text(row, 0)?);
    }
    for schema in catalogue.search_path.clone() {
        let quoted = format!("\"{}\"", schema.replace('"', "\"\""));
        let sql = format!(
            "SELECT m.name, p.name FROM {quoted}.sqlite_master m \
             LEFT JOIN pragma_table_info(m.name, ?) p ON lower(p.name) IN ({}) \
             WHERE m.type IN ('table', 'view') AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\'",
            placeholders(backend, 0, columns.len())
        );
        let mut values = vec![Value::String(Some(schema.clone()))];
        values.extend(column_values(columns));
        let rows = db
            .query_all_raw(Statement::from_sql_and_values(backend, sql, values))
            .await?;
        for row in &rows {
            catalogue.add(schema.clone(), text(row, 0)?, opt_text(row, 1)?);
        }
    }
    Ok(catalogue)
}
