//! DELETE: predicates of the target and of every `USING` / joined table AND-ed into WHERE.
//!
//! Covers PostgreSQL's `DELETE … USING`, SQLite's plain DELETE and MySQL's multi-table
//! `DELETE t1 FROM t1 JOIN t2 …` / `DELETE FROM t1 USING t1 JOIN t2 …`.

use sqlparser::ast::{Delete, FromTable};

use super::ctx::{Ctx, and_all};
use super::exprs::scope_subqueries;
use super::from::{Wrap, scope_from_list};
use crate::error::Result;

/// Scopes a DELETE.
pub(crate) fn scope_delete(ctx: &mut Ctx<'_>, d: &mut Delete) -> Result<()> {
    scope_subqueries(ctx, &mut d.selection)?;
    scope_subqueries(ctx, &mut d.returning)?;
    scope_subqueries(ctx, &mut d.order_by)?;
    scope_subqueries(ctx, &mut d.limit)?;
    let list = match &mut d.from {
        FromTable::WithFromKeyword(l) | FromTable::WithoutKeyword(l) => l,
    };
    let mut preds = scope_from_list(ctx, list, Wrap::Forbidden)?;
    if let Some(using) = &mut d.using {
        preds.extend(scope_from_list(ctx, using, Wrap::Forbidden)?);
    }
    d.selection = and_all(d.selection.take(), preds);
    Ok(())
}
