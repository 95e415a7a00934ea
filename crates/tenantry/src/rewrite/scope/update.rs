//! UPDATE: the target's predicate (and those of joined and FROM tables) AND-ed into WHERE;
//! assigning a tenant column is allowed only with the current tenant.
//!
//! Covers PostgreSQL/SQLite `UPDATE … FROM` and MySQL's multi-table `UPDATE a JOIN b …`.

use sqlparser::ast::{
    AssignmentTarget, Ident, ObjectName, Spanned, SqliteOnConflict, TableFactor, TableWithJoins,
    Update, UpdateTableFromKind,
};
use sqlparser::keywords::Keyword;
use sqlparser::parser::Parser;
use sqlparser::tokenizer::Span;

use super::assign::{check_tenant_value, is_tenant_column};
use super::ctx::Ctx;
use super::exprs::scope_subqueries;
use super::from::{Wrap, scope_from_list, scope_twj};
use super::locate::{Anchor, span_of};
use super::names;
use super::select::list_end;
use crate::error::{Error, Result};
use crate::registry::ScopedTable;

/// Scopes an UPDATE.
pub(crate) fn scope_update(ctx: &mut Ctx<'_>, u: &mut Update) -> Result<()> {
    let where_span = u.selection.as_ref().map(Spanned::span);
    let set_span = span_of(&u.assignments);
    let from_span = match &u.from {
        Some(UpdateTableFromKind::BeforeSet(l) | UpdateTableFromKind::AfterSet(l)) => {
            Some(span_of(l))
        }
        None => None,
    };
    scope_subqueries(ctx, &mut u.assignments)?;
    scope_subqueries(ctx, &mut u.selection)?;
    scope_subqueries(ctx, &mut u.returning)?;
    scope_subqueries(ctx, &mut u.order_by)?;
    scope_subqueries(ctx, &mut u.limit)?;
    let targets = targets(ctx, &u.table)?;
    if u.or == Some(SqliteOnConflict::Replace)
        && let Some((_, t)) = targets.first()
    {
        return Err(Error::Unprovable {
            table: t.to_string(),
            reason: "UPDATE OR REPLACE deletes conflicting rows whichever tenant owns them".into(),
        });
    }
    for a in &u.assignments {
        let names: Vec<&ObjectName> = match &a.target {
            AssignmentTarget::ColumnName(n) => vec![n],
            AssignmentTarget::Tuple(ns) => ns.iter().collect(),
        };
        for n in names {
            let Some(table) = assigned_table(ctx, n, &targets) else {
                continue;
            };
            if matches!(a.target, AssignmentTarget::Tuple(_)) {
                return Err(Error::Unprovable {
                    table: table.to_string(),
                    reason: format!(
                        "a tuple assignment writes `{}`; assign it on its own",
                        table.column()
                    ),
                });
            }
            check_tenant_value(ctx, &a.value, table)?;
        }
    }
    let mut preds = scope_twj(ctx, &mut u.table, Wrap::Forbidden, false)?;
    if let Some(UpdateTableFromKind::BeforeSet(list) | UpdateTableFromKind::AfterSet(list)) =
        &mut u.from
    {
        preds.extend(scope_from_list(ctx, list, Wrap::Allowed)?);
    }
    ctx.and_in_front(
        &mut u.selection,
        preds,
        where_span,
        Anchor::Keyword(Keyword::WHERE),
        |ctx| {
            let mut end = assignments_end(ctx, set_span)?;
            if let Some(span) = from_span {
                end = end.max(list_end(ctx, Keyword::FROM, span)?);
            }
            Ok((end, "WHERE"))
        },
    )
}

/// The byte offset right after a `SET a = …, b = …` list (`span`: as written).
pub(crate) fn assignments_end(ctx: &mut Ctx<'_>, span: Span) -> Result<usize> {
    let range = ctx
        .src
        .range_of("the SET list", Anchor::Keyword(Keyword::SET), span, |p| {
            p.parse_comma_separated(Parser::parse_assignment)
                .map(|l| span_of(&l))
        })?;
    Ok(range.end)
}

type Target<'r> = (Vec<Ident>, &'r ScopedTable);

/// The scoped tables an UPDATE writes, with the qualifiers they go by: every table of the
/// target, however deep in parenthesised joins (MySQL's `UPDATE (a JOIN b ON …) SET …`).
fn targets<'r>(ctx: &Ctx<'r>, twj: &TableWithJoins) -> Result<Vec<Target<'r>>> {
    let mut out = Vec::new();
    collect_targets(ctx, twj, &mut out)?;
    Ok(out)
}

fn collect_targets<'r>(
    ctx: &Ctx<'r>,
    twj: &TableWithJoins,
    out: &mut Vec<Target<'r>>,
) -> Result<()> {
    let factors = std::iter::once(&twj.relation).chain(twj.joins.iter().map(|j| &j.relation));
    for f in factors {
        match f {
            TableFactor::Table {
                name,
                alias,
                args: None,
                ..
            } => {
                if let Some(t) = names::resolve(ctx.flavor, ctx.registry, name)? {
                    out.push((names::qualifier(name, alias.as_ref().map(|a| &a.name)), t));
                }
            }
            TableFactor::NestedJoin {
                table_with_joins, ..
            } => collect_targets(ctx, table_with_joins, out)?,
            _ => {}
        }
    }
    Ok(())
}

/// The target whose tenant column `column` (as written in SET) names, if any.
fn assigned_table<'r>(
    ctx: &Ctx<'r>,
    column: &ObjectName,
    targets: &[Target<'r>],
) -> Option<&'r ScopedTable> {
    let parts = names::idents(column)?;
    let (col, qual) = parts.split_last()?;
    targets
        .iter()
        .find(|(q, t)| {
            let qual_ok = match (qual.last(), q.last()) {
                (None, _) => true,
                (Some(a), Some(b)) => ctx.flavor.fold(a) == ctx.flavor.fold(b),
                (Some(_), None) => false,
            };
            qual_ok && is_tenant_column(ctx.flavor, col, t)
        })
        .map(|(_, t)| *t)
}
