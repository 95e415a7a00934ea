//! DELETE: predicates of the target and of every `USING` / joined table AND-ed into WHERE.
//!
//! Covers PostgreSQL's `DELETE … USING`, SQLite's plain DELETE and MySQL's multi-table
//! `DELETE t1 FROM t1 JOIN t2 …` / `DELETE FROM t1 USING t1 JOIN t2 …`.

use sqlparser::ast::{Delete, FromTable, Spanned};
use sqlparser::keywords::Keyword;

use super::ctx::Ctx;
use super::exprs::scope_subqueries;
use super::from::{Wrap, scope_from_list};
use super::locate::{Anchor, span_of};
use super::names::Flavor;
use super::select::list_end;
use crate::error::Result;

/// Scopes a DELETE.
pub(crate) fn scope_delete(ctx: &mut Ctx<'_>, d: &mut Delete) -> Result<()> {
    let where_span = d.selection.as_ref().map(Spanned::span);
    let using_span = d.using.as_deref().map(span_of);
    let from_span = match &d.from {
        FromTable::WithFromKeyword(l) | FromTable::WithoutKeyword(l) => span_of(l),
    };
    scope_subqueries(ctx, &mut d.selection)?;
    scope_subqueries(ctx, &mut d.returning)?;
    scope_subqueries(ctx, &mut d.order_by)?;
    scope_subqueries(ctx, &mut d.limit)?;
    let list = match &mut d.from {
        FromTable::WithFromKeyword(l) | FromTable::WithoutKeyword(l) => l,
    };
    let mut preds = scope_from_list(ctx, list, Wrap::Forbidden)?;
    if let Some(using) = &mut d.using {
        // PostgreSQL's USING tables are read, not written (and CTE names shadow them);
        // MySQL's `DELETE FROM t USING t JOIN u` lists the targets there.
        let wrap = match ctx.flavor {
            Flavor::MySql => Wrap::Forbidden,
            Flavor::Postgres | Flavor::Sqlite => Wrap::Allowed,
        };
        preds.extend(scope_from_list(ctx, using, wrap)?);
    }
    ctx.and_in_front(
        &mut d.selection,
        preds,
        where_span,
        Anchor::Keyword(Keyword::WHERE),
        |ctx| {
            let mut end = list_end(ctx, Keyword::FROM, from_span)?;
            if let Some(span) = using_span {
                end = end.max(list_end(ctx, Keyword::USING, span)?);
            }
            Ok((end, "WHERE"))
        },
    )
}
