//! INSERT: the tenant column is added to every row (or checked where given); `INSERT …
//! SELECT` scopes its query; `ON CONFLICT DO UPDATE` / `ON DUPLICATE KEY UPDATE` touch only
//! the tenant's row.
//!
//! `REPLACE INTO` (MySQL) and `INSERT OR REPLACE` (SQLite) on a scoped table are refused: on
//! conflict they delete the existing row, whichever tenant it belongs to, unless every unique
//! key includes the tenant column, which tenantry cannot see. Use an upsert instead.

use sqlparser::ast::Parens;
use sqlparser::ast::helpers::attached_token::AttachedToken;
use sqlparser::ast::{
    Assignment, AssignmentTarget, Expr, Ident, Insert, ObjectName, ObjectNamePart, Query,
    SelectItem, SetExpr, Spanned, SqliteOnConflict, TableFactor, TableObject, Values,
};
use sqlparser::keywords::Keyword;
use sqlparser::parser::Parser;
use sqlparser::tokenizer::Span;

use super::assign::{check_tenant_value, is_tenant_column};
use super::ctx::{Ctx, ident_text};
use super::exprs::scope_subqueries;
use super::from::parse_query;
use super::locate::{Anchor, missing, span_of};
use super::names;
use super::query::scope_query;
use super::upsert::{self, UpsertSpans};
use crate::error::{Error, Result};
use crate::registry::ScopedTable;

/// Spans of an INSERT's parts as written, taken before anything inside is rewritten.
struct Spans {
    /// The values of MySQL's `INSERT … SET col = value, …`.
    set_values: Vec<Span>,
    /// The source query.
    source: Span,
    /// The source's SELECT list, when the source is a plain SELECT.
    projection: Option<Span>,
    upsert: UpsertSpans,
}

impl Spans {
    fn of(ins: &Insert) -> Self {
        let projection = ins.source.as_ref().and_then(|q| match q.body.as_ref() {
            SetExpr::Select(s) => Some(span_of(&s.projection)),
            _ => None,
        });
        Self {
            set_values: ins.assignments.iter().map(|a| a.value.span()).collect(),
            source: ins.source.as_ref().map_or(Span::empty(), |q| q.span()),
            projection,
            upsert: UpsertSpans::of(ins),
        }
    }
}

/// Scopes an INSERT.
pub(crate) fn scope_insert(ctx: &mut Ctx<'_>, ins: &mut Insert) -> Result<()> {
    let spans = Spans::of(ins);
    let table = match &ins.table {
        TableObject::TableName(name) => ctx.lookup_target(name)?,
        other => {
            return Err(Error::Unprovable {
                table: other.to_string(),
                reason:
                    "INSERT into a table function or query is not supported through a tenant handle"
                        .into(),
            });
        }
    };
    if let Some(source) = &mut ins.source {
        scope_query(ctx, source)?;
    }
    scope_subqueries(ctx, &mut ins.assignments)?;
    scope_subqueries(ctx, &mut ins.on)?;
    scope_subqueries(ctx, &mut ins.returning)?;
    let Some(table) = table else {
        return Ok(());
    };
    if ins.replace_into || ins.or == Some(SqliteOnConflict::Replace) {
        return Err(Error::Unprovable {
            table: table.to_string(),
            reason: "REPLACE deletes the conflicting row whichever tenant owns it; use INSERT … ON CONFLICT DO UPDATE (or ON DUPLICATE KEY UPDATE), which tenantry limits to the tenant's rows".into(),
        });
    }
    fill_tenant_column(ctx, ins, table, &spans)?;
    let target = target_name(ins);
    let row_alias = ins.insert_alias.as_ref().map(|a| a.row_alias.clone());
    upsert::scope_upsert(
        ctx,
        &mut ins.on,
        table,
        &target,
        row_alias.as_ref(),
        &spans.upsert,
    )
}

/// The name the existing row goes by in ON CONFLICT: the alias, or the bare table name.
fn target_name(ins: &Insert) -> Ident {
    if let Some(a) = &ins.table_alias {
        return a.alias.clone();
    }
    match &ins.table {
        TableObject::TableName(n) => names::idents(n)
            .and_then(|p| p.last().map(|i| (*i).clone()))
            .unwrap_or_else(|| Ident::new("")),
        _ => Ident::new(""),
    }
}

pub(crate) fn column_last(name: &ObjectName) -> Option<&Ident> {
    match name.0.last() {
        Some(ObjectNamePart::Identifier(i)) => Some(i),
        _ => None,
    }
}

/// Adds the tenant column to the insert, or checks the values given for it.
fn fill_tenant_column(
    ctx: &mut Ctx<'_>,
    ins: &mut Insert,
    table: &ScopedTable,
    spans: &Spans,
) -> Result<()> {
    let flavor = ctx.flavor;
    // MySQL's `INSERT … SET col = value`.
    if ins.source.is_none() && !ins.assignments.is_empty() {
        let given = ins.assignments.iter().find(|a| match &a.target {
            AssignmentTarget::ColumnName(n) => {
                column_last(n).is_some_and(|i| is_tenant_column(flavor, i, table))
            }
            AssignmentTarget::Tuple(_) => false,
        });
        match given {
            Some(a) => {
                let value = a.value.clone();
                check_tenant_value(ctx, &value, table)?;
            }
            None => {
                let last = spans.set_values.last().copied().unwrap_or(Span::empty());
                let end = ctx.src.expr("the last SET value", Anchor::Eq, last)?.end;
                let column = ident_text(&flavor.ident(table.column()))?;
                let t = ctx.tenant_text();
                ctx.insert(end, format!(", {column} = {t}"), 1);
                let value = ctx.tenant();
                ins.assignments.push(Assignment {
                    target: AssignmentTarget::ColumnName(ObjectName::from(vec![
                        flavor.ident(table.column()),
                    ])),
                    value,
                });
            }
        }
        return Ok(());
    }
    let position = ins
        .columns
        .iter()
        .position(|c| column_last(c).is_some_and(|i| is_tenant_column(flavor, i, table)));
    let Some(source) = &mut ins.source else {
        // DEFAULT VALUES
        if ins.columns.is_empty() {
            // `DEFAULT VALUES` becomes `(col) VALUES (tenant)`.
            let from = match &ins.table {
                TableObject::TableName(n) => ctx.src.offset(n.span().end),
                _ => None,
            }
            .ok_or_else(|| missing("the table name"))?;
            let default = ctx
                .src
                .next_token(from, Anchor::Keyword(Keyword::DEFAULT))?;
            let values = ctx
                .src
                .next_token(default.end, Anchor::Keyword(Keyword::VALUES))?;
            let between = ctx.src.sql().get(default.end..values.start).unwrap_or("x");
            if !between.trim().is_empty() {
                return Err(missing("DEFAULT VALUES"));
            }
            let column = ident_text(&flavor.ident(table.column()))?;
            let t = ctx.tenant_text();
            ctx.replace(
                default.start..values.end,
                format!("({column}) VALUES ({t})"),
                1,
            );
            let value = ctx.tenant();
            ins.columns
                .push(ObjectName::from(vec![flavor.ident(table.column())]));
            ins.source = Some(Box::new(values_query(vec![vec![value]])));
            return Ok(());
        }
        return Err(unprovable_insert(
            table,
            "the insert has columns but no values",
        ));
    };
    if ins.columns.is_empty() {
        return Err(unprovable_insert(
            table,
            "the insert does not name its columns, so tenantry cannot tell where the tenant column is; list the columns",
        ));
    }
    match position {
        Some(i) => check_source_column(ctx, source, i, table),
        None => {
            let last = ins.columns.last().map_or(Span::empty(), Spanned::span);
            let end = ctx
                .src
                .range(last)
                .ok_or_else(|| missing("the column list"))?
                .end;
            let column = ident_text(&flavor.ident(table.column()))?;
            ctx.insert(end, format!(", {column}"), 0);
            ins.columns
                .push(ObjectName::from(vec![flavor.ident(table.column())]));
            add_source_column(ctx, source, spans)
        }
    }
}

fn unprovable_insert(table: &ScopedTable, reason: &str) -> Error {
    Error::Unprovable {
        table: table.to_string(),
        reason: reason.to_owned(),
    }
}

fn values_query(rows: Vec<Vec<Expr>>) -> Query {
    Query {
        with: None,
        body: Box::new(SetExpr::Values(Values {
            explicit_row: false,
            value_keyword: false,
            rows: rows
                .into_iter()
                .map(|content| Parens {
                    opening_token: AttachedToken::empty(),
                    content,
                    closing_token: AttachedToken::empty(),
                })
                .collect(),
        })),
        order_by: None,
        limit_clause: None,
        fetch: None,
        locks: Vec::new(),
        for_clause: None,
        settings: None,
        format_clause: None,
        pipe_operators: Vec::new(),
    }
}

fn check_source_column(
    ctx: &mut Ctx<'_>,
    source: &Query,
    i: usize,
    table: &ScopedTable,
) -> Result<()> {
    match source.body.as_ref() {
        SetExpr::Values(v) if source.with.is_none() => {
            for row in &v.rows {
                let e = row.content.get(i).ok_or_else(|| {
                    unprovable_insert(table, "a VALUES row is shorter than the column list")
                })?;
                check_tenant_value(ctx, e, table)?;
            }
            Ok(())
        }
        SetExpr::Select(s)
            if s.projection.iter().take(i + 1).any(|item| {
                matches!(
                    item,
                    SelectItem::Wildcard(_) | SelectItem::QualifiedWildcard(..)
                )
            }) =>
        {
            Err(unprovable_insert(
                table,
                "a `*` in the SELECT list at or before the tenant column's position hides which value goes to the tenant column; list the columns instead of `*`, or leave the tenant column out (tenantry fills it)",
            ))
        }
        SetExpr::Select(s) => match s.projection.get(i) {
            Some(SelectItem::UnnamedExpr(e)) | Some(SelectItem::ExprWithAlias { expr: e, .. }) => {
                check_tenant_value(ctx, e, table)
            }
            _ => Err(unprovable_insert(
                table,
                "the tenant column's value comes from a query column that cannot be checked; leave the column out (tenantry fills it)",
            )),
        },
        _ => Err(unprovable_insert(
            table,
            "the tenant column's value comes from a query that cannot be checked; leave the column out (tenantry fills it)",
        )),
    }
}

fn add_source_column(ctx: &mut Ctx<'_>, source: &mut Box<Query>, spans: &Spans) -> Result<()> {
    let plain = source.with.is_none()
        && source.order_by.is_none()
        && source.limit_clause.is_none()
        && source.fetch.is_none();
    match source.body.as_mut() {
        SetExpr::Values(v) if plain => {
            for row in &mut v.rows {
                let at = ctx
                    .src
                    .range(row.closing_token.0.span)
                    .ok_or_else(|| missing("a VALUES row"))?
                    .start;
                let t = ctx.append_tenant(at);
                row.content.push(t);
            }
            return Ok(());
        }
        SetExpr::Select(s) if s.distinct.is_none() && spans.projection.is_some() => {
            let span = spans.projection.unwrap_or(Span::empty());
            let end = ctx
                .src
                .range_of(
                    "the SELECT list",
                    Anchor::Keyword(Keyword::SELECT),
                    span,
                    |p| {
                        p.parse_comma_separated(Parser::parse_select_item)
                            .map(|l| span_of(&l))
                    },
                )?
                .end;
            let t = ctx.append_tenant(end);
            s.projection.push(SelectItem::UnnamedExpr(t));
            return Ok(());
        }
        _ => {}
    }
    // Anything else: `SELECT tenantry_src.*, tenant FROM (<source>) AS tenantry_src`.
    let range = ctx
        .src
        .range_of("the inserted query", Anchor::RParen, spans.source, |p| {
            p.parse_query().map(|q| q.span())
        })?;
    let t = ctx.tenant_text();
    ctx.insert(range.start, format!("SELECT tenantry_src.*, {t} FROM ("), 1);
    ctx.insert(range.end, ") AS tenantry_src".to_owned(), 0);
    let t = ctx.tenant();
    let mut wrapped = parse_query(
        ctx,
        &format!("SELECT tenantry_src.*, {t} FROM (SELECT 1) AS tenantry_src"),
    )?;
    let SetExpr::Select(select) = wrapped.body.as_mut() else {
        return Err(missing("the inserted query"));
    };
    let Some(TableFactor::Derived { subquery, .. }) =
        select.from.first_mut().map(|f| &mut f.relation)
    else {
        return Err(missing("the inserted query"));
    };
    std::mem::swap(subquery, source);
    **source = wrapped;
    Ok(())
}
