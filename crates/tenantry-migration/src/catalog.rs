//! The few catalogue lookups the helpers need (PostgreSQL).

use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend, DbErr, Statement, Value};
use tenantry::policy::{ColumnType, QualifiedName};

/// `to_regclass` of a quoted name, so case and search_path behave as in DDL.
const RESOLVE: &str = "SELECT n.nspname, c.relname FROM pg_catalog.pg_class c \
     JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
     WHERE c.oid = pg_catalog.to_regclass($1)";

fn stmt(sql: &str, values: Vec<Value>) -> Statement {
    Statement::from_sql_and_values(DbBackend::Postgres, sql, values)
}

/// The table's schema-qualified name as stored in the catalogue.
pub(crate) async fn resolve<C: ConnectionTrait>(
    db: &C,
    table: &QualifiedName,
) -> Result<QualifiedName, DbErr> {
    let row = db
        .query_one_raw(stmt(RESOLVE, vec![table.to_sql().into()]))
        .await?
        .ok_or_else(|| DbErr::Custom(format!("tenantry: table `{table}` does not exist")))?;
    Ok(QualifiedName::qualified(
        row.try_get::<String>("", "nspname")?,
        row.try_get::<String>("", "relname")?,
    ))
}

/// The tenant column's type, as PostgreSQL prints it (`uuid`, `bigint`…).
pub(crate) async fn column_type<C: ConnectionTrait>(
    db: &C,
    table: &QualifiedName,
    column: &str,
) -> Result<ColumnType, DbErr> {
    let sql = "SELECT pg_catalog.format_type(a.atttypid, NULL) AS ty \
         FROM pg_catalog.pg_attribute a \
         WHERE a.attrelid = pg_catalog.to_regclass($1) AND a.attname = $2 \
         AND a.attnum > 0 AND NOT a.attisdropped";
    let row = db
        .query_one_raw(stmt(sql, vec![table.to_sql().into(), column.into()]))
        .await?
        .ok_or_else(|| {
            DbErr::Custom(format!(
                "tenantry: table `{table}` has no column `{column}`; add the tenant column first"
            ))
        })?;
    ColumnType::from_catalog(row.try_get::<String>("", "ty")?)
        .map_err(|e| DbErr::Custom(e.to_string()))
}

/// Every partition (or inheritance child), all levels down.
pub(crate) async fn partitions<C: ConnectionTrait>(
    db: &C,
    table: &QualifiedName,
) -> Result<Vec<QualifiedName>, DbErr> {
    let sql = "WITH RECURSIVE parts(oid) AS ( \
           SELECT inhrelid FROM pg_catalog.pg_inherits WHERE inhparent = pg_catalog.to_regclass($1) \
           UNION ALL \
           SELECT i.inhrelid FROM pg_catalog.pg_inherits i JOIN parts p ON i.inhparent = p.oid) \
         SELECT n.nspname, c.relname FROM parts \
         JOIN pg_catalog.pg_class c ON c.oid = parts.oid \
         JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
         ORDER BY n.nspname, c.relname";
    names(db, sql, table).await
}

/// Sequences owned by the table's columns (serial and identity).
pub(crate) async fn owned_sequences<C: ConnectionTrait>(
    db: &C,
    table: &QualifiedName,
) -> Result<Vec<QualifiedName>, DbErr> {
    let sql = "SELECT n.nspname, s.relname FROM pg_catalog.pg_depend d \
         JOIN pg_catalog.pg_class s ON s.oid = d.objid AND s.relkind = 'S' \
         JOIN pg_catalog.pg_namespace n ON n.oid = s.relnamespace \
         WHERE d.classid = 'pg_catalog.pg_class'::regclass \
           AND d.refobjid = pg_catalog.to_regclass($1) AND d.deptype IN ('a', 'i') \
         ORDER BY n.nspname, s.relname";
    names(db, sql, table).await
}

async fn names<C: ConnectionTrait>(
    db: &C,
    sql: &str,
    table: &QualifiedName,
) -> Result<Vec<QualifiedName>, DbErr> {
    db.query_all_raw(stmt(sql, vec![table.to_sql().into()]))
        .await?
        .iter()
        .map(|row| {
            Ok(QualifiedName::qualified(
                row.try_get::<String>("", "nspname")?,
                row.try_get::<String>("", "relname")?,
            ))
        })
        .collect()
}
