//! FROM lists and joins: where each scoped table's predicate goes.
//!
//! - A table in the FROM list (or joined by an inner/cross join without `ON`): into `WHERE`.
//! - A table joined with `ON`: into that join's `ON`, so `LEFT JOIN` keeps unmatched rows.
//! - The left side of a `RIGHT JOIN … ON`: its pending predicates move into that `ON` (that
//!   side is the one null-extended).
//! - `FULL JOIN`, outer joins with `USING`/`NATURAL`, aliased parenthesised joins, and
//!   aliases that rename columns (`orders AS o(a, b)`): a predicate cannot be placed without
//!   changing meaning (or naming the wrong column), so each scoped table is replaced
//!   by `(SELECT * FROM t WHERE t.col = tenant) AS t`. UPDATE/DELETE targets cannot be
//!   replaced; there such shapes are refused.

use sqlparser::ast::{
    Join, JoinConstraint, JoinOperator, Query, Spanned, Statement, TableAlias, TableFactor,
    TableWithJoins,
};
use sqlparser::tokenizer::Span;

use super::ctx::{Ctx, Pred, ident_text};
use super::exprs::scope_subqueries;
use super::names;
use super::query::scope_query;
use crate::error::{Error, Result};

/// Whether scoped tables may be replaced by derived tables.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Wrap {
    /// Yes (SELECT, UPDATE … FROM).
    Allowed,
    /// No: the tables are write targets (and CTE names do not shadow them).
    Forbidden,
}

/// Scopes a FROM list; returns the predicates that belong in `WHERE`.
pub(crate) fn scope_from_list(
    ctx: &mut Ctx<'_>,
    list: &mut [TableWithJoins],
    wrap: Wrap,
) -> Result<Vec<Pred>> {
    let mut preds = Vec::new();
    for twj in list {
        preds.extend(scope_twj(ctx, twj, wrap, false)?);
    }
    Ok(preds)
}

fn needs_wrap(twj: &TableWithJoins) -> bool {
    twj.joins.iter().any(|j| match &j.join_operator {
        JoinOperator::FullOuter(_) => true,
        JoinOperator::Left(c)
        | JoinOperator::LeftOuter(c)
        | JoinOperator::Right(c)
        | JoinOperator::RightOuter(c) => !matches!(c, JoinConstraint::On(_)),
        _ => false,
    })
}

/// Scopes one FROM item with its joins; returns the predicates still to be placed.
pub(crate) fn scope_twj(
    ctx: &mut Ctx<'_>,
    twj: &mut TableWithJoins,
    wrap: Wrap,
    force: bool,
) -> Result<Vec<Pred>> {
    let force = force || needs_wrap(twj);
    let mut pending = scope_factor(ctx, &mut twj.relation, wrap, force)?;
    for join in &mut twj.joins {
        let on_span = on_condition(&join.join_operator).map_or(Span::empty(), Spanned::span);
        scope_subqueries(ctx, &mut join.join_operator)?;
        let right = scope_factor(ctx, &mut join.relation, wrap, force)?;
        place(ctx, join, on_span, &mut pending, right)?;
    }
    Ok(pending)
}

fn unplaceable(join: &Join) -> Error {
    Error::Unprovable {
        table: join.relation.to_string(),
        reason: "a scoped table takes part in a join whose kind or constraint leaves no place for its tenant predicate; use an inner or outer join with ON".into(),
    }
}

/// The `ON` condition of a join, if it has one.
fn on_condition(op: &JoinOperator) -> Option<&sqlparser::ast::Expr> {
    use JoinOperator as J;
    match op {
        J::Join(JoinConstraint::On(on))
        | J::Inner(JoinConstraint::On(on))
        | J::CrossJoin(JoinConstraint::On(on))
        | J::StraightJoin(JoinConstraint::On(on))
        | J::Left(JoinConstraint::On(on))
        | J::LeftOuter(JoinConstraint::On(on))
        | J::Right(JoinConstraint::On(on))
        | J::RightOuter(JoinConstraint::On(on)) => Some(on),
        _ => None,
    }
}

fn place(
    ctx: &mut Ctx<'_>,
    join: &mut Join,
    on_span: Span,
    pending: &mut Vec<Pred>,
    right: Vec<Pred>,
) -> Result<()> {
    use JoinOperator as J;
    let err = unplaceable(join);
    match &mut join.join_operator {
        J::Join(c) | J::Inner(c) | J::CrossJoin(c) | J::StraightJoin(c) => match c {
            JoinConstraint::On(on) => ctx.and_into_on(on, on_span, right)?,
            _ => pending.extend(right),
        },
        J::Left(c) | J::LeftOuter(c) => match c {
            JoinConstraint::On(on) => ctx.and_into_on(on, on_span, right)?,
            _ if right.is_empty() => {}
            _ => return Err(err),
        },
        J::Right(c) | J::RightOuter(c) => match c {
            JoinConstraint::On(on) => {
                ctx.and_into_on(on, on_span, std::mem::take(pending))?;
                *pending = right;
            }
            _ if pending.is_empty() => *pending = right,
            _ => return Err(err),
        },
        _ if right.is_empty() && pending.is_empty() => {}
        _ => return Err(err),
    }
    Ok(())
}

/// Scopes one table factor; returns its predicates (empty when scoped in place).
fn scope_factor(
    ctx: &mut Ctx<'_>,
    factor: &mut TableFactor,
    wrap: Wrap,
    force: bool,
) -> Result<Vec<Pred>> {
    match factor {
        TableFactor::Table {
            name, alias, args, ..
        } => {
            if args.is_some() {
                // A table function call, not a table.
                scope_subqueries(ctx, factor)?;
                return Ok(Vec::new());
            }
            let found = match wrap {
                Wrap::Allowed => ctx.lookup(name)?,
                Wrap::Forbidden => ctx.lookup_written(name)?,
            };
            let Some(table) = found else {
                return Ok(Vec::new());
            };
            // `orders AS o(a, b, …)` renames columns: `o.<tenant column>` may not be it.
            let renamed = alias.as_ref().is_some_and(|a| !a.columns.is_empty());
            if !force && !renamed {
                let q = names::qualifier(name, alias.as_ref().map(|a| &a.name));
                return Ok(vec![ctx.predicate(q, table)?]);
            }
            if wrap == Wrap::Forbidden {
                return Err(Error::Unprovable {
                    table: table.to_string(),
                    reason: "the table is written by this statement and joined in a way (FULL JOIN, outer join with USING/NATURAL) or aliased with column names, which leaves no place for its tenant predicate".into(),
                });
            }
            // `name` becomes `(SELECT * FROM name WHERE name.col = tenant)`, followed by the
            // alias as written (or `AS name` when there is none).
            let range = ctx
                .src
                .range(name.span())
                .ok_or_else(|| super::locate::missing("a table name"))?;
            let last = names::idents(name)
                .and_then(|p| p.last().map(|i| (*i).clone()))
                .unwrap_or_else(|| ctx.flavor.ident(table.name()));
            let pred = ctx.predicate(names::qualifier(name, None), table)?;
            let mut close = format!(" WHERE {})", pred.text);
            let alias = match alias.take() {
                Some(a) => a,
                None => {
                    close.push_str(" AS ");
                    close.push_str(&ident_text(&last)?);
                    TableAlias {
                        explicit: true,
                        name: last,
                        columns: Vec::new(),
                        at: None,
                    }
                }
            };
            ctx.insert(range.start, "(SELECT * FROM ".to_owned(), 0);
            ctx.insert(range.end, close, 1);
            let subquery =
                parse_query(ctx, &format!("SELECT * FROM {factor} WHERE {}", pred.expr))?;
            *factor = TableFactor::Derived {
                lateral: false,
                subquery: Box::new(subquery),
                alias: Some(alias),
                sample: None,
            };
            Ok(Vec::new())
        }
        TableFactor::Derived { subquery, .. } => {
            scope_query(ctx, subquery)?;
            Ok(Vec::new())
        }
        TableFactor::NestedJoin {
            table_with_joins,
            alias,
        } => {
            let force = force || alias.is_some();
            scope_twj(ctx, table_with_joins, wrap, force)
        }
        _ => {
            scope_subqueries(ctx, factor)?;
            Ok(Vec::new())
        }
    }
}

/// Parses a query built from printed AST pieces.
pub(crate) fn parse_query(ctx: &Ctx<'_>, sql: &str) -> Result<Query> {
    let parsed = ctx
        .flavor
        .parser()
        .try_with_sql(sql)
        .and_then(|mut p| p.parse_statements())
        .map_err(|e| Error::Parse {
            message: format!("re-reading a rewritten fragment: {e}"),
            sql: sql.to_owned(),
        })?;
    match parsed.into_iter().next() {
        Some(Statement::Query(q)) => Ok(*q),
        _ => Err(Error::Parse {
            message: "a rewritten fragment is not a query".into(),
            sql: sql.to_owned(),
        }),
    }
}
