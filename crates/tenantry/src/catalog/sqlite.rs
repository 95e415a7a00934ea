//! The SQLite catalogue (`sqlite_master`, `pragma_table_info`).

use sea_orm::{ConnectionTrait, DbBackend, Statement, Value};

use super::{Column, Relations, column_values, opt_text, placeholders, text};
use crate::error::Result;
use crate::sql::quote_ident;

pub(super) async fn relations(db: &impl ConnectionTrait, columns: &[&str]) -> Result<Relations> {
    let backend = DbBackend::Sqlite;
    let mut relations = Relations::default();
    let databases = db
        .query_all_raw(Statement::from_string(
            backend,
            "SELECT name FROM pragma_database_list ORDER BY seq",
        ))
        .await?;
    for row in &databases {
        relations.search_path.push(text(row, 0)?);
    }
    for schema in relations.search_path.clone() {
        let sql = format!(
            "SELECT m.name, p.name FROM {}.sqlite_master m \
             LEFT JOIN pragma_table_info(m.name, ?) p ON lower(p.name) IN ({}) \
             WHERE m.type IN ('table', 'view') AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\'",
            quote_ident(&schema),
            placeholders(backend, 0, columns.len())
        );
        let mut values = vec![Value::String(Some(schema.clone()))];
        values.extend(column_values(columns));
        let rows = db
            .query_all_raw(Statement::from_sql_and_values(backend, sql, values))
            .await?;
        for row in &rows {
            let column = opt_text(row, 1)?.map(|name| Column {
                name,
                type_name: None,
            });
            relations.add(schema.clone(), text(row, 0)?, column);
        }
    }
    Ok(relations)
}
