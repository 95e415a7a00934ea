//! The MySQL/MariaDB catalogue (`information_schema`).

use sea_orm::{ConnectionTrait, DbBackend, Statement, Value};

use super::{Column, Relations, column_values, opt_text, placeholders, text};
use crate::error::Result;

pub(super) async fn relations(
    db: &impl ConnectionTrait,
    columns: &[&str],
    schemas: &[&str],
) -> Result<Relations> {
    let backend = DbBackend::MySql;
    let mut relations = Relations::default();
    let current = db
        .query_one_raw(Statement::from_string(
            backend,
            "SELECT CAST(DATABASE() AS CHAR)",
        ))
        .await?;
    if let Some(row) = current
        && let Some(name) = opt_text(&row, 0)?
    {
        relations.search_path.push(name);
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
        let column = opt_text(row, 2)?.map(|name| Column {
            name,
            type_name: None,
        });
        relations.add(text(row, 0)?, text(row, 1)?, column);
    }
    Ok(relations)
}
