//! Keys on scoped tables: foreign keys between them carry the tenant columns; unique
//! constraints and indexes include the tenant column.

use sea_orm::ConnectionTrait;

use super::catalog::{self, Scoped, get, split};
use super::report::{Check, Finding, Severity};
use crate::error::Result;
use crate::policy::{self, script};

/// `string_agg` of a key's column names in key order (`<key>` is an `int2[]` expression).
fn columns_of(key: &str, rel: &str, limit: &str) -> String {
    format!(
        "COALESCE((SELECT string_agg(a.attname::text, chr(31) ORDER BY k.ord) \
           FROM unnest({key}) WITH ORDINALITY k(attnum, ord) \
           JOIN pg_catalog.pg_attribute a ON a.attrelid = {rel} AND a.attnum = k.attnum \
           WHERE {limit}), '')"
    )
}

pub(crate) async fn check<C: ConnectionTrait>(db: &C, tables: &[Scoped]) -> Result<Vec<Finding>> {
    let mut out = foreign_keys(db, tables).await?;
    out.extend(uniques(db, tables).await?);
    Ok(out)
}

async fn foreign_keys<C: ConnectionTrait>(db: &C, tables: &[Scoped]) -> Result<Vec<Finding>> {
    let oids = catalog::oid_list(tables);
    let sql = format!(
        "SELECT con.conname::text AS name, con.conrelid::bigint AS rel, \
           con.confrelid::bigint AS target, \
           {} AS cols, {} AS target_cols, \
           con.confdeltype::text AS on_delete, con.confupdtype::text AS on_update \
         FROM pg_catalog.pg_constraint con \
         WHERE con.contype = 'f' AND con.conparentid = 0 \
           AND con.conrelid IN ({oids}) AND con.confrelid IN ({oids}) \
         ORDER BY con.conname",
        columns_of("con.conkey", "con.conrelid", "true"),
        columns_of("con.confkey", "con.confrelid", "true"),
    );
    let mut out = Vec::new();
    for row in catalog::query(db, &sql).await? {
        let (rel, target): (i64, i64) = (get(&row, "rel")?, get(&row, "target")?);
        let (Some(from), Some(to)) = (
            tables.iter().find(|t| t.oid == rel),
            tables.iter().find(|t| t.oid == target),
        ) else {
            continue;
        };
        let name: String = get(&row, "name")?;
        let cols = split(&get::<String>(&row, "cols")?);
        let target_cols = split(&get::<String>(&row, "target_cols")?);
        let paired = cols
            .iter()
            .zip(&target_cols)
            .any(|(c, t)| *c == from.column && *t == to.column);
        if paired {
            continue;
        }
        // The key rebuilt with the tenant columns first (and without them elsewhere).
        let mut new_cols = vec![from.column.as_str()];
        let mut new_target = vec![to.column.as_str()];
        for (c, t) in cols.iter().zip(&target_cols) {
            if *c != from.column && *t != to.column {
                new_cols.push(c);
                new_target.push(t);
            }
        }
        let unique = policy::tenant_unique(&to.name, &to.column, &new_target[1..]);
        let fix = script(&[
            policy::to_postgres(&unique),
            policy::drop_constraint(&from.name, &name),
            policy::add_foreign_key_sql(
                &from.name,
                &name,
                &new_cols,
                &to.name,
                &new_target,
                policy::foreign_key_action(&get::<String>(&row, "on_delete")?),
                policy::foreign_key_action(&get::<String>(&row, "on_update")?),
            ),
        ]);
        out.push(Finding::new(
            Severity::Error,
            Check::ForeignKeyWithoutTenant,
            format!("{} ({name})", from.name),
            format!(
                "foreign key ({}) -> {} ({}) does not pair {}.{} with {}.{}: a row can point at \
                 another tenant's row",
                cols.join(", "),
                to.name,
                target_cols.join(", "),
                from.name.name(),
                from.column,
                to.name.name(),
                to.column
            ),
            Some(fix),
        ));
    }
    Ok(out)
}

async fn uniques<C: ConnectionTrait>(db: &C, tables: &[Scoped]) -> Result<Vec<Finding>> {
    let roots: Vec<Scoped> = tables.iter().filter(|t| !t.is_partition).cloned().collect();
    let sql = format!(
        "SELECT i.indrelid::bigint AS rel, ic.relname::text AS index_name, \
           con.conname::text AS constraint_name, \
           (i.indexprs IS NOT NULL OR i.indpred IS NOT NULL) AS complex, {} AS cols \
         FROM pg_catalog.pg_index i \
         JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid \
         LEFT JOIN pg_catalog.pg_constraint con ON con.conindid = i.indexrelid \
           AND con.conrelid = i.indrelid AND con.contype = 'u' \
         WHERE i.indisunique AND NOT i.indisprimary AND i.indrelid IN ({}) \
         ORDER BY ic.relname",
        columns_of("i.indkey::int2[]", "i.indrelid", "k.ord <= i.indnkeyatts"),
        catalog::oid_list(&roots)
    );
    let mut out = Vec::new();
    for row in catalog::query(db, &sql).await? {
        let rel: i64 = get(&row, "rel")?;
        let Some(t) = roots.iter().find(|t| t.oid == rel) else {
            continue;
        };
        let cols = split(&get::<String>(&row, "cols")?);
        if cols.contains(&t.column) {
            continue;
        }
        let index: String = get(&row, "index_name")?;
        let constraint: Option<String> = get(&row, "constraint_name")?;
        let complex: bool = get(&row, "complex")?;
        let mut new_cols = vec![t.column.as_str()];
        new_cols.extend(cols.iter().map(String::as_str));
        let fix = if complex {
            None
        } else if let Some(c) = &constraint {
            Some(script(&[
                policy::drop_constraint(&t.name, c),
                policy::add_unique_constraint_sql(&t.name, c, &new_cols),
            ]))
        } else {
            Some(script(&[
                policy::drop_index_sql(t.name.schema(), &index),
                policy::create_unique_index_sql(&t.name, &index, &new_cols),
            ]))
        };
        let what = constraint.as_deref().unwrap_or(&index);
        out.push(Finding::new(
            Severity::Error,
            Check::UniqueWithoutTenant,
            format!("{} ({what})", t.name),
            format!(
                "unique ({}) does not include {}: uniqueness spans tenants, so one tenant's \
                 insert fails because of another tenant's row (and learns that it exists){}",
                cols.join(", "),
                t.column,
                if complex {
                    "; rebuild this expression or partial index with the tenant column first"
                } else {
                    ""
                }
            ),
            fix,
        ));
    }
    Ok(out)
}
