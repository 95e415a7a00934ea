//! Running catalogue queries and reading their rows.

use sea_orm::{ConnectionTrait, DbBackend, QueryResult, Statement, TryGetable, Value};

use crate::error::Result;
use crate::sql::{QualifiedName, quote_literal};

/// Schemas never inspected.
pub(super) const SYSTEM_SCHEMAS: &str = "n.nspname NOT IN ('pg_catalog', 'information_schema') \
     AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp\\_%'";

/// Runs a catalogue query.
pub(super) async fn query(db: &impl ConnectionTrait, sql: &str) -> Result<Vec<QueryResult>> {
    Ok(db
        .query_all_raw(Statement::from_string(DbBackend::Postgres, sql))
        .await?)
}

/// Runs a catalogue query with bound values.
pub(super) async fn query_with(
    db: &impl ConnectionTrait,
    sql: &str,
    values: Vec<Value>,
) -> Result<Vec<QueryResult>> {
    Ok(db
        .query_all_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            sql,
            values,
        ))
        .await?)
}

/// One column of a row.
pub(super) fn get<T: TryGetable>(row: &QueryResult, column: &str) -> Result<T> {
    Ok(row.try_get::<T>("", column)?)
}

/// A `(nspname, relname)` row as a name.
pub(super) fn name_of(row: &QueryResult) -> Result<QualifiedName> {
    Ok(QualifiedName::qualified(
        get::<String>(row, "nspname")?,
        get::<String>(row, "relname")?,
    ))
}

/// The items of an `IN (…)` list, comma-separated (`NULL` when empty, so `IN (NULL)` matches
/// nothing).
pub(super) fn in_list(items: impl IntoIterator<Item = String>) -> String {
    let list = items.into_iter().collect::<Vec<_>>().join(", ");
    if list.is_empty() {
        "NULL".to_owned()
    } else {
        list
    }
}

/// `'a', 'b'` for an `IN (…)` list.
pub(super) fn literal_list<'a>(items: impl IntoIterator<Item = &'a str>) -> String {
    in_list(items.into_iter().map(quote_literal))
}

/// Separator used to aggregate names in one text value.
pub(super) const SEP: char = '\u{1f}';

/// Splits an aggregated name list.
pub(super) fn split(list: &str) -> Vec<String> {
    if list.is_empty() {
        Vec::new()
    } else {
        list.split(SEP).map(str::to_owned).collect()
    }
}
