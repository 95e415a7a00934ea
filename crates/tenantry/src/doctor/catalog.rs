//! Reading the PostgreSQL catalogue: the scoped tables every check starts from.

use sea_orm::{ConnectionTrait, DbBackend, QueryResult, Statement, TryGetable};

use crate::error::Result;
use crate::sql::{QualifiedName, quote_literal};

/// Schemas never inspected.
pub(crate) const SYSTEM_SCHEMAS: &str = "n.nspname NOT IN ('pg_catalog', 'information_schema') \
     AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp\\_%'";

/// A table (or partition) with a tenant column.
#[derive(Clone, Debug)]
pub(crate) struct Scoped {
    pub(crate) oid: i64,
    pub(crate) name: QualifiedName,
    pub(crate) column: String,
    pub(crate) column_type: String,
    pub(crate) is_partition: bool,
    pub(crate) rls: bool,
    pub(crate) forced: bool,
    pub(crate) owner: String,
}

/// Runs a catalogue query.
pub(crate) async fn query<C: ConnectionTrait>(db: &C, sql: &str) -> Result<Vec<QueryResult>> {
    Ok(db
        .query_all_raw(Statement::from_string(DbBackend::Postgres, sql))
        .await?)
}

/// One column of a row.
pub(crate) fn get<T: TryGetable>(row: &QueryResult, column: &str) -> Result<T> {
    Ok(row.try_get::<T>("", column)?)
}

/// `'a', 'b'` for an `IN (…)` list.
pub(crate) fn literal_list<'a>(items: impl IntoIterator<Item = &'a str>) -> String {
    items
        .into_iter()
        .map(quote_literal)
        .collect::<Vec<_>>()
        .join(", ")
}

/// `1, 2, 3` (or `NULL` when empty, so `IN (NULL)` matches nothing).
pub(crate) fn oid_list(tables: &[Scoped]) -> String {
    if tables.is_empty() {
        return "NULL".to_owned();
    }
    tables
        .iter()
        .map(|t| t.oid.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Separator used to aggregate names in one text value.
pub(crate) const SEP: char = '\u{1f}';

/// Splits an aggregated name list.
pub(crate) fn split(list: &str) -> Vec<String> {
    if list.is_empty() {
        Vec::new()
    } else {
        list.split(SEP).map(str::to_owned).collect()
    }
}

/// Every ordinary or partitioned table, in a user schema, having one of the tenant columns
/// (the first by position when several match).
pub(crate) async fn scoped_tables<C: ConnectionTrait>(
    db: &C,
    columns: &[String],
) -> Result<Vec<Scoped>> {
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
        literal_list(columns.iter().map(String::as_str))
    );
    let mut out = Vec::new();
    for row in query(db, &sql).await? {
        out.push(Scoped {
            oid: get(&row, "oid")?,
            name: QualifiedName::qualified(
                get::<String>(&row, "nspname")?,
                get::<String>(&row, "relname")?,
            ),
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
