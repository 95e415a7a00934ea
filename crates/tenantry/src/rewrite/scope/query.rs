//! Queries: CTEs (with their scoping rules), set operations, and query bodies.

use sqlparser::ast::{Query, SetExpr};

use super::ctx::Ctx;
use super::exprs::scope_subqueries;
use super::names::Flavor;
use super::select::scope_select;
use super::statement::scope_data_modifying;
use crate::error::{Error, Result};

/// Scopes a query; CTE names it declares are visible only inside it.
pub(crate) fn scope_query(ctx: &mut Ctx<'_>, q: &mut Query) -> Result<()> {
    let mark = ctx.ctes.len();
    let result = scope_query_inner(ctx, q);
    ctx.ctes.truncate(mark);
    result
}

fn scope_query_inner(ctx: &mut Ctx<'_>, q: &mut Query) -> Result<()> {
    if !q.pipe_operators.is_empty() {
        return Err(Error::Forbidden {
            what: "pipe syntax (`|>`)".into(),
            reason: format!(
                "tenantry does not rewrite pipe queries{}",
                crate::error::UNSCOPED_HINT
            ),
        });
    }
    if let Some(with) = &mut q.with {
        // SQLite resolves a name against every CTE of the WITH, later ones and the CTE's own
        // name included, whether or not RECURSIVE is written.
        if with.recursive || ctx.flavor == Flavor::Sqlite {
            // Every CTE of WITH RECURSIVE sees every other, itself included.
            for cte in &with.cte_tables {
                ctx.push_cte(&cte.alias.name);
            }
            for cte in &mut with.cte_tables {
                scope_query(ctx, &mut cte.query)?;
            }
        } else {
            // A plain CTE sees the ones before it; its own name still means the table.
            for cte in &mut with.cte_tables {
                scope_query(ctx, &mut cte.query)?;
                ctx.push_cte(&cte.alias.name);
            }
        }
    }
    scope_body(ctx, &mut q.body)?;
    scope_subqueries(ctx, &mut q.order_by)?;
    scope_subqueries(ctx, &mut q.limit_clause)?;
    scope_subqueries(ctx, &mut q.fetch)?;
    Ok(())
}

/// Scopes a query body: SELECT, nested query, set operation, VALUES, or a DML statement.
pub(crate) fn scope_body(ctx: &mut Ctx<'_>, body: &mut SetExpr) -> Result<()> {
    match body {
        SetExpr::Select(s) => scope_select(ctx, s),
        SetExpr::Query(q) => scope_query(ctx, q),
        SetExpr::SetOperation { left, right, .. } => {
            scope_body(ctx, left)?;
            scope_body(ctx, right)
        }
        SetExpr::Values(v) => scope_subqueries(ctx, v),
        SetExpr::Insert(s) | SetExpr::Update(s) | SetExpr::Delete(s) | SetExpr::Merge(s) => {
            scope_data_modifying(ctx, s)
        }
        SetExpr::Table(t) => {
            let name = match (&t.schema_name, &t.table_name) {
                (Some(s), Some(n)) => format!("{s}.{n}"),
                (None, Some(n)) => n.clone(),
                _ => return Ok(()),
            };
            let bare = t.table_name.clone().unwrap_or_default();
            let scoped = ctx.registry.tables().iter().any(|r| {
                ctx.flavor
                    .fold_catalogue(r.name())
                    .eq_ignore_ascii_case(&bare)
            });
            if scoped {
                return Err(Error::Unprovable {
                    table: name,
                    reason: "`TABLE name` cannot carry a predicate; write `SELECT * FROM name`"
                        .into(),
                });
            }
            Ok(())
        }
    }
}
