//! Moving a tenant's rows: the tables to move, the change capture on the source, the copy
//! from one snapshot, the catch-up of captured changes, the checksums and the sequences.
//!
//! Rows enter target tables through `INSERT … SELECT` from a temporary table filled by binary
//! `COPY` (PostgreSQL refuses `COPY FROM` into a table whose Row-Level Security binds the
//! role), with the tenant's setting set: the target's policies check every row.

use sea_orm_migration::sea_orm::sqlx::{self, PgConnection};
use sea_orm_migration::sea_orm::{ConnectionTrait, DatabaseConnection};
use tenantry::TenantId;
use tenantry::catalog::postgres as catalog;
use tenantry::sql::{QualifiedName, SettingName, quote_ident, quote_literal};

use crate::error::{Error, Result};
use crate::tenants::copy::{pg_err, pool, stream, upsert_action};

/// The change log on the source: the keys of rows written for a moving tenant since its
/// change capture was installed.
pub const LOG_TABLE: &str = "tenantry_move_log";
const CAPTURE_FUNCTION: &str = "tenantry_move_capture";

/// One table to move: its name on each side, its columns and primary key.
#[derive(Clone, Debug)]
pub(crate) struct Table {
    pub(crate) source: QualifiedName,
    pub(crate) target: QualifiedName,
    pub(crate) column: String,
    pub(crate) columns: Vec<String>,
    pub(crate) key: Vec<String>,
}

impl Table {
    pub(crate) fn name(&self) -> &str {
        self.source.name()
    }

    pub(crate) fn column_list(&self) -> String {
        list(&self.columns)
    }

    pub(crate) fn key_list(&self) -> String {
        list(&self.key)
    }
}

pub(crate) fn list(columns: &[String]) -> String {
    columns
        .iter()
        .map(|c| quote_ident(c))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The scoped tables of `source_schema` on `source` (parents first), paired with the tables of
/// the same name in `target_schema` on `target`, which must have the same columns; each needs
/// a primary key.
pub(crate) async fn tables(
    source: &DatabaseConnection,
    source_schema: &str,
    target: &DatabaseConnection,
    target_schema: &str,
    tenant_column: &str,
) -> Result<Vec<Table>> {
    let all: Vec<_> = catalog::tenant_tables(source, &[tenant_column])
        .await?
        .into_iter()
        .filter(|t| t.name.schema() == Some(source_schema) && !t.is_partition)
        .filter(|t| !t.name.name().starts_with("tenantry_"))
        .collect();
    let fks = catalog::foreign_keys(source, &all).await?;
    let oids: Vec<i64> = all.iter().map(|t| t.oid).collect();
    let refs: Vec<(i64, i64)> = fks.iter().map(|f| (f.table_oid, f.target_oid)).collect();
    let (order, cyclic) = catalog::dependency_order(&oids, &refs);
    if !cyclic.is_empty() {
        return Err(refused(
            "its tables' foreign keys form a cycle; the rows cannot be copied parents first",
        ));
    }
    let mut out = Vec::new();
    for oid in order {
        let Some(t) = all.iter().find(|t| t.oid == oid) else {
            continue;
        };
        let target_name = QualifiedName::qualified(target_schema, t.name.name());
        let columns = catalog::columns(source, &t.name).await?;
        let target_columns = catalog::columns(target, &target_name).await?;
        if columns != target_columns {
            return Err(refused(&format!(
                "`{}` has columns ({}) on the source and ({}) on the target; migrate both to the \
                 same version first",
                t.name,
                columns.join(", "),
                target_columns.join(", ")
            )));
        }
        let key = catalog::primary_key(source, &t.name).await?;
        if key.is_empty() {
            return Err(refused(&format!(
                "`{}` has no primary key; changes to it could not be caught up",
                t.name
            )));
        }
        out.push(Table {
            source: t.name.clone(),
            target: target_name,
            column: t.column.clone(),
            columns,
            key,
        });
    }
    Ok(out)
}

fn refused(why: &str) -> Error {
    Error::MoveRefused {
        why: why.to_owned(),
    }
}

/// Statements creating the change log and its capture function in `schema` of the source.
pub(crate) fn capture_install_sql(schema: &str) -> Vec<String> {
    let log = QualifiedName::qualified(schema, LOG_TABLE).to_sql();
    let function = QualifiedName::qualified(schema, CAPTURE_FUNCTION).to_sql();
    vec![
        // Written by the app role's transactions, through the triggers: `INSERT` only (an
        // identity column needs no sequence privilege). A forged entry only makes the
        // catch-up read that key of the tenant again.
        format!(
            "CREATE TABLE IF NOT EXISTS {log} (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, \
             move uuid NOT NULL, tbl text NOT NULL, key jsonb NOT NULL)"
        ),
        format!("REVOKE ALL ON {log} FROM PUBLIC"),
        format!("GRANT INSERT ON {log} TO PUBLIC"),
        // Arguments: the move, then the key columns. Logs the old row's key (updates,
        // deletes) and the new row's (inserts, updates). `SECURITY INVOKER`: it runs as the
        // writer.
        format!(
            "CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql \
             SET search_path = pg_catalog, {schema_ident} AS $capture$\n\
             DECLARE r jsonb; k jsonb; i int;\n\
             BEGIN\n\
               IF TG_OP <> 'INSERT' THEN\n\
                 r := to_jsonb(OLD); k := '{{}}';\n\
                 FOR i IN 1..TG_NARGS - 1 LOOP k := k || jsonb_build_object(TG_ARGV[i], r -> TG_ARGV[i]); END LOOP;\n\
                 INSERT INTO {log} (move, tbl, key) VALUES (TG_ARGV[0]::uuid, TG_TABLE_NAME, k);\n\
               END IF;\n\
               IF TG_OP <> 'DELETE' THEN\n\
                 r := to_jsonb(NEW); k := '{{}}';\n\
                 FOR i IN 1..TG_NARGS - 1 LOOP k := k || jsonb_build_object(TG_ARGV[i], r -> TG_ARGV[i]); END LOOP;\n\
                 INSERT INTO {log} (move, tbl, key) VALUES (TG_ARGV[0]::uuid, TG_TABLE_NAME, k);\n\
               END IF;\n\
               RETURN NULL;\n\
             END\n\
             $capture$",
            schema_ident = quote_ident(schema),
        ),
    ]
}

/// The capture trigger of move `id` for `op` (`ins`, `upd`, `del`).
fn trigger_name(op: &str, id: &uuid::Uuid) -> String {
    let short: String = id.simple().to_string().chars().take(8).collect();
    format!("tenantry_move_{short}_{op}")
}

/// Statements installing the capture triggers of move `id` for `tenant` on `table`.
pub(crate) fn capture_triggers_sql(
    table: &Table,
    schema: &str,
    id: &uuid::Uuid,
    tenant: &TenantId,
) -> Vec<String> {
    let function = QualifiedName::qualified(schema, CAPTURE_FUNCTION).to_sql();
    let tenant = quote_literal(&tenant.to_setting());
    let column = quote_ident(&table.column);
    let mut args = vec![quote_literal(&id.to_string())];
    args.extend(table.key.iter().map(|k| quote_literal(k)));
    let args = args.join(", ");
    [
        ("ins", "INSERT", format!("NEW.{column} = {tenant}")),
        (
            "upd",
            "UPDATE",
            format!("OLD.{column} = {tenant} OR NEW.{column} = {tenant}"),
        ),
        ("del", "DELETE", format!("OLD.{column} = {tenant}")),
    ]
    .into_iter()
    .map(|(op, event, when)| {
        format!(
            "CREATE OR REPLACE TRIGGER {} AFTER {event} ON {} FOR EACH ROW WHEN ({when}) \
             EXECUTE FUNCTION {function}({args})",
            quote_ident(&trigger_name(op, id)),
            table.source.to_sql()
        )
    })
    .collect()
}

/// Statements dropping the capture triggers of move `id` on `table`.
pub(crate) fn drop_triggers_sql(table: &QualifiedName, id: &uuid::Uuid) -> Vec<String> {
    ["ins", "upd", "del"]
        .into_iter()
        .map(|op| {
            format!(
                "DROP TRIGGER IF EXISTS {} ON {}",
                quote_ident(&trigger_name(op, id)),
                table.to_sql()
            )
        })
        .collect()
}

/// A raw connection of `db`'s pool.
pub(crate) async fn raw(
    db: &DatabaseConnection,
) -> Result<sqlx::pool::PoolConnection<sqlx::Postgres>> {
    pool(db)?.acquire().await.map_err(pg_err)
}

pub(crate) async fn run(conn: &mut PgConnection, sql: &str) -> Result<u64> {
    Ok(sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_owned()))
        .execute(&mut *conn)
        .await
        .map_err(pg_err)?
        .rows_affected())
}

pub(crate) fn set_tenant(setting: &SettingName, tenant: &TenantId) -> String {
    format!(
        "SELECT pg_catalog.set_config({}, {}, true)",
        quote_literal(setting.as_str()),
        quote_literal(&tenant.to_setting())
    )
}

pub(crate) fn tenant_filter(table: &Table, tenant: &TenantId) -> String {
    format!(
        "{} = {}",
        quote_ident(&table.column),
        quote_literal(&tenant.to_setting())
    )
}

/// Creates `tenantry_move_<what>_<i>`, a temporary table shaped like the target table and
/// dropped at commit, and returns its name.
pub(crate) async fn temp_copy(
    tgt: &mut PgConnection,
    what: &str,
    i: usize,
    like: &QualifiedName,
) -> Result<String> {
    let temp = format!("tenantry_move_{what}_{i}");
    run(
        tgt,
        &format!(
            "CREATE TEMPORARY TABLE {temp} (LIKE {}) ON COMMIT DROP",
            like.to_sql()
        ),
    )
    .await?;
    Ok(temp)
}

/// Copies the tenant's rows of every table, parents first, from one `REPEATABLE READ`
/// snapshot of `source` into `target` (whose rows of the tenant are deleted first), in one
/// transaction on the target. Returns the rows copied per table.
pub(crate) async fn copy(
    source: &DatabaseConnection,
    target: &DatabaseConnection,
    tables: &[Table],
    setting: &SettingName,
    tenant: &TenantId,
    progress: &(dyn Fn(&str, u64) + Sync),
) -> Result<Vec<u64>> {
    let mut src = raw(source).await?;
    let mut tgt = raw(target).await?;
    run(
        &mut src,
        &format!(
            "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; {}",
            set_tenant(setting, tenant)
        ),
    )
    .await?;
    run(&mut tgt, &format!("BEGIN; {}", set_tenant(setting, tenant))).await?;
    let result = async {
        for t in tables.iter().rev() {
            run(
                &mut tgt,
                &format!(
                    "DELETE FROM {} WHERE {}",
                    t.target.to_sql(),
                    tenant_filter(t, tenant)
                ),
            )
            .await?;
        }
        let mut copied = Vec::new();
        for (i, t) in tables.iter().enumerate() {
            let temp = temp_copy(&mut tgt, "copy", i, &t.target).await?;
            let from = format!(
                "(SELECT {} FROM {} WHERE {})",
                t.column_list(),
                t.source.to_sql(),
                tenant_filter(t, tenant)
            );
            let n = stream(
                &mut src,
                &mut tgt,
                &from,
                &format!("{temp} ({})", t.column_list()),
            )
            .await?;
            run(
                &mut tgt,
                &format!(
                    "INSERT INTO {} ({cols}) OVERRIDING SYSTEM VALUE SELECT {cols} FROM {temp}",
                    t.target.to_sql(),
                    cols = t.column_list()
                ),
            )
            .await?;
            progress(t.name(), n);
            copied.push(n);
        }
        Ok::<_, Error>(copied)
    }
    .await;
    let end = if result.is_ok() { "COMMIT" } else { "ROLLBACK" };
    run(&mut tgt, end).await?;
    run(&mut src, "ROLLBACK").await?;
    result
}

/// One round of catch-up: up to `batch` entries of the change log are applied to the target
/// from the source's current rows (upserted parents first, rows the source no longer has
/// deleted children first), in one transaction on the target, then deleted from the log.
/// Entries are taken, not read past a cursor: an entry committed late with a lower id is still
/// there for the next round. Returns the entries applied.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn catch_up(
    source: &DatabaseConnection,
    source_schema: &str,
    target: &DatabaseConnection,
    tables: &[Table],
    setting: &SettingName,
    tenant: &TenantId,
    id: &uuid::Uuid,
    batch: usize,
) -> Result<u64> {
    let log = QualifiedName::qualified(source_schema, LOG_TABLE).to_sql();
    let rows: Vec<(String, String, String)> = source
        .query_all_raw(sea_orm_migration::sea_orm::Statement::from_sql_and_values(
            sea_orm_migration::sea_orm::DbBackend::Postgres,
            format!(
                "SELECT tbl, '[' || string_agg(DISTINCT key::text, ',') || ']' AS keys, \
                   string_agg(id::text, ',') AS ids \
                 FROM (SELECT id, tbl, key FROM {log} WHERE move = $1::uuid \
                       ORDER BY id LIMIT $2) l GROUP BY tbl"
            ),
            [
                id.to_string().into(),
                i64::try_from(batch).unwrap_or(i64::MAX).into(),
            ],
        ))
        .await?
        .iter()
        .map(|r| {
            Ok((
                r.try_get::<String>("", "tbl")?,
                r.try_get::<String>("", "keys")?,
                r.try_get::<String>("", "ids")?,
            ))
        })
        .collect::<Result<_>>()?;
    if rows.is_empty() {
        return Ok(0);
    }
    let ids: Vec<&str> = rows.iter().flat_map(|r| r.2.split(',')).collect();
    let applied = u64::try_from(ids.len()).unwrap_or(0);
    let mut src = raw(source).await?;
    let mut tgt = raw(target).await?;
    run(&mut src, &format!("BEGIN; {}", set_tenant(setting, tenant))).await?;
    run(&mut tgt, &format!("BEGIN; {}", set_tenant(setting, tenant))).await?;
    let result = async {
        let changed: Vec<(usize, &Table, String)> = tables
            .iter()
            .enumerate()
            .filter_map(|(i, t)| {
                rows.iter()
                    .find(|r| r.0 == t.name())
                    .map(|r| (i, t, quote_literal(&r.1)))
            })
            .collect();
        for (i, t, keys) in &changed {
            let temp = temp_copy(&mut tgt, "catchup", *i, &t.target).await?;
            let from = format!(
                "(SELECT {cols} FROM {} WHERE {} AND ({key}) IN \
                  (SELECT {key} FROM pg_catalog.jsonb_populate_recordset(NULL::{}, {keys}::jsonb)))",
                t.source.to_sql(),
                tenant_filter(t, tenant),
                t.source.to_sql(),
                cols = t.column_list(),
                key = t.key_list(),
            );
            stream(&mut src, &mut tgt, &from, &format!("{temp} ({})", t.column_list())).await?;
            let action = upsert_action(&t.columns, &t.key);
            run(
                &mut tgt,
                &format!(
                    "INSERT INTO {} ({cols}) OVERRIDING SYSTEM VALUE SELECT {cols} FROM {temp} \
                     ON CONFLICT ({}) DO {action}",
                    t.target.to_sql(),
                    t.key_list(),
                    cols = t.column_list()
                ),
            )
            .await?;
        }
        for (i, t, keys) in changed.iter().rev() {
            run(
                &mut tgt,
                &format!(
                    "DELETE FROM {} WHERE {} AND ({key}) IN \
                       (SELECT {key} FROM pg_catalog.jsonb_populate_recordset(NULL::{}, {keys}::jsonb)) \
                     AND ({key}) NOT IN (SELECT {key} FROM tenantry_move_catchup_{i})",
                    t.target.to_sql(),
                    tenant_filter(t, tenant),
                    t.target.to_sql(),
                    key = t.key_list(),
                ),
            )
            .await?;
        }
        Ok::<_, Error>(())
    }
    .await;
    let end = if result.is_ok() { "COMMIT" } else { "ROLLBACK" };
    run(&mut tgt, end).await?;
    run(&mut src, "COMMIT").await?;
    result?;
    // The ids are the log's own bigints, read back as text.
    run(
        &mut src,
        &format!("DELETE FROM {log} WHERE id IN ({})", ids.join(", ")),
    )
    .await?;
    Ok(applied)
}

/// How many rows `from` (a table or a parenthesised query) yields for `columns`, and their
/// order-independent checksum: the sum of a 64-bit hash of each row's text,
/// `sum(hashtextextended(ROW(columns)::text, 0))`, as numeric text.
pub(crate) fn checksum_sql(columns: &[String], from: &str, filter: &str) -> String {
    format!(
        "SELECT count(*), coalesce(sum(pg_catalog.hashtextextended(ROW({})::text, 0)::numeric), 0)::text \
         FROM {from} AS checked WHERE {filter}",
        list(columns)
    )
}

/// The tenant's rows of `table` (`t`'s source or target) counted and checksummed on `conn`,
/// in the transaction it is in.
pub(crate) async fn checksum_on(
    conn: &mut PgConnection,
    table: &QualifiedName,
    t: &Table,
    tenant: &TenantId,
) -> Result<(i64, String)> {
    sqlx::query_as::<_, (i64, String)>(sqlx::AssertSqlSafe(checksum_sql(
        &t.columns,
        &table.to_sql(),
        &tenant_filter(t, tenant),
    )))
    .fetch_one(&mut *conn)
    .await
    .map_err(pg_err)
}

/// The tenant's rows of `table` on one side: how many, and an order-independent checksum
/// ([`checksum_sql`]).
pub(crate) async fn checksum(
    db: &DatabaseConnection,
    table: &QualifiedName,
    t: &Table,
    setting: &SettingName,
    tenant: &TenantId,
) -> Result<(i64, String)> {
    let mut conn = raw(db).await?;
    run(
        &mut conn,
        &format!("BEGIN; {}", set_tenant(setting, tenant)),
    )
    .await?;
    let row = checksum_on(&mut conn, table, t, tenant).await;
    run(&mut conn, "ROLLBACK").await?;
    row
}

/// Sets every sequence the source table owns, on the target, at or above its value on the
/// source (`setval` to the greater of the two).
pub(crate) async fn sequences(
    source: &DatabaseConnection,
    target: &DatabaseConnection,
    t: &Table,
) -> Result<usize> {
    let target_schema = t.target.schema().unwrap_or("public").to_owned();
    let mut n = 0;
    for seq in catalog::owned_sequences(source, &t.source).await? {
        let theirs = QualifiedName::qualified(target_schema.as_str(), seq.name());
        let last = source
            .query_one_raw(sea_orm_migration::sea_orm::Statement::from_string(
                sea_orm_migration::sea_orm::DbBackend::Postgres,
                format!("SELECT last_value FROM {}", seq.to_sql()),
            ))
            .await?
            .map(|r| r.try_get_by_index::<i64>(0))
            .transpose()?
            .unwrap_or(1);
        target
            .execute_unprepared(&format!(
                "SELECT pg_catalog.setval({0}, greatest({last}, (SELECT last_value FROM {1})), true)",
                quote_literal(&theirs.to_sql()),
                theirs.to_sql()
            ))
            .await?;
        n += 1;
    }
    Ok(n)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn capture_sql() {
        let table = Table {
            source: QualifiedName::qualified("public", "orders"),
            target: QualifiedName::qualified("acme", "orders"),
            column: "tenant_id".into(),
            columns: vec!["id".into(), "tenant_id".into(), "total".into()],
            key: vec!["id".into()],
        };
        let id = uuid::Uuid::from_u128(0x1234_5678_9abc_def0);
        let tenant = TenantId::from(uuid::Uuid::from_u128(1));
        insta::assert_snapshot!(
            [
                capture_install_sql("public").join(";\n"),
                capture_triggers_sql(&table, "public", &id, &tenant).join(";\n"),
                drop_triggers_sql(&table.source, &id).join(";\n"),
            ]
            .join("\n\n")
        );
    }
}
