//! Tables, their tenant columns, partitions and sequences.

use sea_orm::ConnectionTrait;

use super::rows::{SYSTEM_SCHEMAS, get, in_list, literal_list, name_of, query, query_with};
use crate::catalog::{Column, Relations, column_values, opt_text, placeholders, text};
use crate::error::Result;
use crate::sql::QualifiedName;

/// An ordinary or partitioned table (or a partition) with a tenant column.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct TenantTable {
    /// The table's `oid`.
    pub oid: i64,
    /// Its schema-qualified name.
    pub name: QualifiedName,
    /// The tenant column.
    pub column: String,
    /// The tenant column's type, as `format_type` prints it (`uuid`, `bigint`…).
    pub column_type: String,
    /// Whether it is a partition of another table.
    pub is_partition: bool,
    /// Row-Level Security enabled.
    pub rls: bool,
    /// Row-Level Security forced (binds the owner too).
    pub forced: bool,
    /// The owning role.
    pub owner: String,
}

/// The tables' `oid`s for an `IN (…)` list.
pub(super) fn oid_list(tables: &[TenantTable]) -> String {
    in_list(tables.iter().map(|t| t.oid.to_string()))
}

/// Every ordinary or partitioned table (and partition), in a user schema, having one of the
/// tenant columns (the first by position when several match), sorted by name.
pub async fn tenant_tables(
    db: &impl ConnectionTrait,
    columns: &[&str],
) -> Result<Vec<TenantTable>> {
    let sql = format!(
        "SELECT DISTINCT ON (c.oid) c.oid::bigint AS oid, n.nspname, c.relname, a.attname, \
           pg_catalog.format_type(a.atttypid, NULL) AS ty, c.relispartition, \
           c.relrowsecurity, c.relforcerowsecurity, \
           pg_catalog.pg_get_userbyid(c.relowner)::text AS owner \
         FROM pg_catalog.pg_class c \
         JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
         JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 \
           AND NOT a.attisdropped \
         WHERE c.relkind IN ('r', 'p') AND {SYSTEM_SCHEMAS} AND a.attname IN ({}) \
         ORDER BY c.oid, a.attnum",
        literal_list(columns.iter().copied())
    );
    let mut out = Vec::new();
    for row in query(db, &sql).await? {
        out.push(TenantTable {
            oid: get(&row, "oid")?,
            name: name_of(&row)?,
            column: get(&row, "attname")?,
            column_type: get(&row, "ty")?,
            is_partition: get(&row, "relispartition")?,
            rls: get(&row, "relrowsecurity")?,
            forced: get(&row, "relforcerowsecurity")?,
            owner: get(&row, "owner")?,
        });
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(out)
}

/// The database the connection is in.
pub async fn current_database(db: &impl ConnectionTrait) -> Result<String> {
    let rows = query(db, "SELECT current_database()::text AS db").await?;
    let row = rows
        .first()
        .ok_or_else(|| sea_orm::DbErr::Custom("current_database() returned nothing".into()))?;
    get(row, "db")
}

/// Whether extension `name` is created in the current database.
pub async fn extension_installed(db: &impl ConnectionTrait, name: &str) -> Result<bool> {
    let rows = query_with(
        db,
        "SELECT 1 AS one FROM pg_catalog.pg_extension WHERE extname = $1",
        vec![name.into()],
    )
    .await?;
    Ok(!rows.is_empty())
}

/// Every table, view, materialized view and foreign table outside the system schemas (not
/// partitions), with its columns named like one of `columns` and their types.
pub(in crate::catalog) async fn relations(
    db: &impl ConnectionTrait,
    columns: &[&str],
) -> Result<Relations> {
    let mut relations = Relations::default();
    let path = query(
        db,
        "SELECT s.name::text FROM unnest(current_schemas(false)) WITH ORDINALITY AS s(name, n) \
         ORDER BY s.n",
    )
    .await?;
    for row in &path {
        relations.search_path.push(text(row, 0)?);
    }
    let sql = format!(
        "SELECT n.nspname::text, c.relname::text, a.attname::text, \
           pg_catalog.format_type(a.atttypid, NULL) \
         FROM pg_catalog.pg_class c \
         JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
         LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 \
           AND NOT a.attisdropped AND lower(a.attname::text) IN ({}) \
         WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') AND NOT c.relispartition \
           AND n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\\_%'",
        placeholders(sea_orm::DbBackend::Postgres, 1, columns.len())
    );
    for row in &query_with(db, &sql, column_values(columns)).await? {
        let column = match opt_text(row, 2)? {
            Some(name) => Some(Column {
                name,
                type_name: opt_text(row, 3)?,
            }),
            None => None,
        };
        relations.add(text(row, 0)?, text(row, 1)?, column);
    }
    Ok(relations)
}

/// The table's schema-qualified name as stored, resolved the way DDL resolves the quoted name
/// (`to_regclass`: case kept, `search_path` for an unqualified one); `None` when there is no
/// such table.
pub async fn resolve(
    db: &impl ConnectionTrait,
    table: &QualifiedName,
) -> Result<Option<QualifiedName>> {
    let sql = "SELECT n.nspname, c.relname FROM pg_catalog.pg_class c \
         JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
         WHERE c.oid = pg_catalog.to_regclass($1)";
    match query_with(db, sql, vec![table.to_sql().into()])
        .await?
        .first()
    {
        Some(row) => Ok(Some(name_of(row)?)),
        None => Ok(None),
    }
}

/// A column's type as `format_type` prints it (`uuid`, `bigint`…); `None` when the table or
/// the column does not exist.
pub async fn column_type(
    db: &impl ConnectionTrait,
    table: &QualifiedName,
    column: &str,
) -> Result<Option<String>> {
    let sql = "SELECT pg_catalog.format_type(a.atttypid, NULL) AS ty \
         FROM pg_catalog.pg_attribute a \
         WHERE a.attrelid = pg_catalog.to_regclass($1) AND a.attname = $2 \
         AND a.attnum > 0 AND NOT a.attisdropped";
    match query_with(db, sql, vec![table.to_sql().into(), column.into()])
        .await?
        .first()
    {
        Some(row) => Ok(Some(get(row, "ty")?)),
        None => Ok(None),
    }
}

/// Every partition (or inheritance child) of the table, all levels down, sorted by name.
pub async fn partitions(
    db: &impl ConnectionTrait,
    table: &QualifiedName,
) -> Result<Vec<QualifiedName>> {
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

/// The sequences owned by the table's columns (`serial` and identity columns), sorted by name.
pub async fn owned_sequences(
    db: &impl ConnectionTrait,
    table: &QualifiedName,
) -> Result<Vec<QualifiedName>> {
    let sql = "SELECT n.nspname, s.relname FROM pg_catalog.pg_depend d \
         JOIN pg_catalog.pg_class s ON s.oid = d.objid AND s.relkind = 'S' \
         JOIN pg_catalog.pg_namespace n ON n.oid = s.relnamespace \
         WHERE d.classid = 'pg_catalog.pg_class'::regclass \
           AND d.refobjid = pg_catalog.to_regclass($1) AND d.deptype IN ('a', 'i') \
         ORDER BY n.nspname, s.relname";
    names(db, sql, table).await
}

async fn names(
    db: &impl ConnectionTrait,
    sql: &str,
    table: &QualifiedName,
) -> Result<Vec<QualifiedName>> {
    query_with(db, sql, vec![table.to_sql().into()])
        .await?
        .iter()
        .map(name_of)
        .collect()
}

/// The table's columns in order (dropped columns left out); empty when there is no such
/// table.
pub async fn columns(db: &impl ConnectionTrait, table: &QualifiedName) -> Result<Vec<String>> {
    let sql = "SELECT a.attname::text AS name FROM pg_catalog.pg_attribute a \
         WHERE a.attrelid = pg_catalog.to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped \
         ORDER BY a.attnum";
    query_with(db, sql, vec![table.to_sql().into()])
        .await?
        .iter()
        .map(|row| get(row, "name"))
        .collect()
}

/// The table's primary key columns in key order; empty when it has none (or does not exist).
pub async fn primary_key(db: &impl ConnectionTrait, table: &QualifiedName) -> Result<Vec<String>> {
    let sql = "SELECT a.attname::text AS name \
         FROM pg_catalog.pg_index i, unnest(i.indkey::int2[]) WITH ORDINALITY k(attnum, ord) \
         JOIN pg_catalog.pg_attribute a ON a.attnum = k.attnum \
         WHERE i.indrelid = pg_catalog.to_regclass($1) AND i.indisprimary \
           AND a.attrelid = i.indrelid ORDER BY k.ord";
    query_with(db, sql, vec![table.to_sql().into()])
        .await?
        .iter()
        .map(|row| get(row, "name"))
        .collect()
}
