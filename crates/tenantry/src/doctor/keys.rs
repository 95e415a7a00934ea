//! Keys on scoped tables: foreign keys between them carry the tenant columns; unique
//! constraints and indexes include the tenant column.

use sea_orm::ConnectionTrait;

use super::report::{Check, Finding, Severity};
use crate::catalog::postgres::{self as catalog, KeyKind, TenantTable};
use crate::error::Result;
use crate::policy::{self, script};

pub(crate) async fn check<C: ConnectionTrait>(
    db: &C,
    tables: &[TenantTable],
) -> Result<Vec<Finding>> {
    let mut out = foreign_keys(db, tables).await?;
    out.extend(uniques(db, tables).await?);
    Ok(out)
}

async fn foreign_keys<C: ConnectionTrait>(db: &C, tables: &[TenantTable]) -> Result<Vec<Finding>> {
    let mut out = Vec::new();
    for fk in catalog::foreign_keys(db, tables).await? {
        let (Some(from), Some(to)) = (
            tables.iter().find(|t| t.oid == fk.table_oid),
            tables.iter().find(|t| t.oid == fk.target_oid),
        ) else {
            continue;
        };
        let (name, cols, target_cols) = (&fk.name, &fk.columns, &fk.target_columns);
        let paired = cols
            .iter()
            .zip(target_cols)
            .any(|(c, t)| *c == from.column && *t == to.column);
        if paired {
            continue;
        }
        // The key rebuilt with the tenant columns first (and without them elsewhere).
        let mut new_cols = vec![from.column.as_str()];
        let mut new_target = vec![to.column.as_str()];
        for (c, t) in cols.iter().zip(target_cols) {
            if *c != from.column && *t != to.column {
                new_cols.push(c);
                new_target.push(t);
            }
        }
        let unique = policy::tenant_unique(&to.name, &to.column, &new_target[1..]);
        let fix = script(&[
            policy::to_postgres(&unique),
            policy::drop_constraint(&from.name, name),
            policy::add_foreign_key_sql(
                &from.name,
                name,
                &new_cols,
                &to.name,
                &new_target,
                policy::foreign_key_action(&fk.on_delete),
                policy::foreign_key_action(&fk.on_update),
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

async fn uniques<C: ConnectionTrait>(db: &C, tables: &[TenantTable]) -> Result<Vec<Finding>> {
    let roots: Vec<TenantTable> = tables.iter().filter(|t| !t.is_partition).cloned().collect();
    let mut out = Vec::new();
    for key in catalog::keys(db, &roots).await? {
        if key.kind == KeyKind::Primary {
            continue;
        }
        let Some(t) = roots.iter().find(|t| t.oid == key.table_oid) else {
            continue;
        };
        let cols = &key.columns;
        if cols.contains(&t.column) {
            continue;
        }
        let (index, constraint, complex) = (&key.index, &key.constraint, key.complex);
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
                policy::drop_index_sql(t.name.schema(), index),
                policy::create_unique_index_sql(&t.name, index, &new_cols),
            ]))
        };
        let what = constraint.as_deref().unwrap_or(index);
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
