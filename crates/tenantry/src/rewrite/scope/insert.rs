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
    Assignment, AssignmentTarget, Expr, Ident, Insert, ObjectName, ObjectNamePart,
    OnConflictAction, OnInsert, Query, SelectItem, SetExpr, SqliteOnConflict, TableObject, Values,
};

use super::assign::{check_tenant_value, is_tenant_column};
use super::ctx::{Ctx, and_all};
use super::exprs::scope_subqueries;
use super::from::parse_query;
use super::names::{self, Flavor};
use super::query::scope_query;
use crate::error::{Error, Result};
use crate::registry::ScopedTable;

/// Scopes an INSERT.
pub(crate) fn scope_insert(ctx: &mut Ctx<'_>, ins: &mut Insert) -> Result<()> {
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
    fill_tenant_column(ctx, ins, table)?;
    let target = target_name(ins);
    match &mut ins.on {
        Some(OnInsert::OnConflict(c)) => {
            if let OnConflictAction::DoUpdate(update) = &mut c.action {
                for a in &update.assignments {
                    check_assignment(
                        ctx,
                        a,
                        table,
                        &target,
                        ins.insert_alias.as_ref().map(|a| &a.row_alias),
                    )?;
                }
                let pred = ctx.predicate(vec![target.clone()], table);
                update.selection = and_all(update.selection.take(), vec![pred]);
            }
        }
        Some(OnInsert::DuplicateKeyUpdate(assignments)) => {
            let row_alias = ins.insert_alias.as_ref().map(|a| a.row_alias.clone());
            for a in assignments.iter() {
                check_assignment(ctx, a, table, &target, row_alias.as_ref())?;
            }
            for a in assignments.iter_mut() {
                guard_duplicate_key_assignment(ctx, a, table)?;
            }
        }
        _ => {}
    }
    Ok(())
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

fn column_last(name: &ObjectName) -> Option<&Ident> {
    match name.0.last() {
        Some(ObjectNamePart::Identifier(i)) => Some(i),
        _ => None,
    }
}

/// Adds the tenant column to the insert, or checks the values given for it.
fn fill_tenant_column(ctx: &mut Ctx<'_>, ins: &mut Insert, table: &ScopedTable) -> Result<()> {
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
            ins.columns
                .push(ObjectName::from(vec![flavor.ident(table.column())]));
            add_source_column(ctx, source)
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

fn add_source_column(ctx: &mut Ctx<'_>, source: &mut Box<Query>) -> Result<()> {
    let plain = source.with.is_none()
        && source.order_by.is_none()
        && source.limit_clause.is_none()
        && source.fetch.is_none();
    match source.body.as_mut() {
        SetExpr::Values(v) if plain => {
            for row in &mut v.rows {
                let t = ctx.tenant();
                row.content.push(t);
            }
            return Ok(());
        }
        SetExpr::Select(s) if s.distinct.is_none() => {
            let t = ctx.tenant();
            s.projection.push(SelectItem::UnnamedExpr(t));
            return Ok(());
        }
        _ => {}
    }
    let t = ctx.tenant();
    let wrapped = parse_query(
        ctx,
        &format!("SELECT tenantry_src.*, {t} FROM ({source}) AS tenantry_src"),
    )?;
    **source = wrapped;
    Ok(())
}

/// Checks an ON CONFLICT / ON DUPLICATE KEY assignment that writes the tenant column.
fn check_assignment(
    ctx: &mut Ctx<'_>,
    a: &Assignment,
    table: &ScopedTable,
    target: &Ident,
    row_alias: Option<&ObjectName>,
) -> Result<()> {
    let flavor = ctx.flavor;
    let names: Vec<&ObjectName> = match &a.target {
        AssignmentTarget::ColumnName(n) => vec![n],
        AssignmentTarget::Tuple(ns) => ns.iter().collect(),
    };
    let writes_tenant = names
        .iter()
        .any(|n| column_last(n).is_some_and(|i| is_tenant_column(flavor, i, table)));
    if !writes_tenant {
        return Ok(());
    }
    if matches!(a.target, AssignmentTarget::Tuple(_)) {
        return Err(unprovable_insert(
            table,
            "a tuple assignment writes the tenant column; assign it on its own",
        ));
    }
    if keeps_inserted_tenant(flavor, &a.value, table, target, row_alias) {
        return Ok(());
    }
    check_tenant_value(ctx, &a.value, table)
}

/// `excluded.col`, `VALUES(col)`, `alias.col` (the inserted row, already checked) or the
/// column itself (unchanged).
fn keeps_inserted_tenant(
    flavor: Flavor,
    value: &Expr,
    table: &ScopedTable,
    target: &Ident,
    row_alias: Option<&ObjectName>,
) -> bool {
    match value {
        Expr::Identifier(i) => is_tenant_column(flavor, i, table),
        Expr::CompoundIdentifier(parts) => match parts.as_slice() {
            [q, c] if is_tenant_column(flavor, c, table) => {
                let q_folded = flavor.fold(q);
                q_folded.eq_ignore_ascii_case("excluded") && flavor != Flavor::MySql
                    || q_folded == flavor.fold(target)
                    || row_alias
                        .and_then(|r| column_last(r))
                        .is_some_and(|r| flavor.fold(r) == q_folded)
            }
            _ => false,
        },
        Expr::Function(f) if flavor == Flavor::MySql => {
            let is_values = f.name.to_string().eq_ignore_ascii_case("values");
            let arg = f.args.to_string();
            is_values
                && arg
                    .trim_matches(|c| c == '(' || c == ')')
                    .trim_matches('`')
                    .eq_ignore_ascii_case(table.column())
        }
        Expr::Nested(e) => keeps_inserted_tenant(flavor, e, table, target, row_alias),
        _ => false,
    }
}

/// `col = IF(tenant_col = tenant, value, col)`: leaves another tenant's row untouched.
fn guard_duplicate_key_assignment(
    ctx: &mut Ctx<'_>,
    a: &mut Assignment,
    table: &ScopedTable,
) -> Result<()> {
    let AssignmentTarget::ColumnName(name) = &a.target else {
        return Err(unprovable_insert(
            table,
            "a tuple assignment in ON DUPLICATE KEY UPDATE",
        ));
    };
    let cond = ctx.predicate(Vec::new(), table);
    let guarded = parse_query(ctx, &format!("SELECT IF({cond}, {}, {name})", a.value))?;
    let expr = match *guarded.body {
        SetExpr::Select(mut s) => match s.projection.pop() {
            Some(SelectItem::UnnamedExpr(e)) => e,
            _ => {
                return Err(unprovable_insert(
                    table,
                    "could not guard an ON DUPLICATE KEY UPDATE assignment",
                ));
            }
        },
        _ => {
            return Err(unprovable_insert(
                table,
                "could not guard an ON DUPLICATE KEY UPDATE assignment",
            ));
        }
    };
    a.value = expr;
    Ok(())
}
