//! Upserts: `ON CONFLICT … DO UPDATE` gets `WHERE <target>.col = tenant` (in front of its own
//! WHERE), and MySQL's `ON DUPLICATE KEY UPDATE c = v` becomes `c = IF(col = tenant, v, c)`,
//! so that a conflict with another tenant's row leaves that row untouched. Assignments that
//! write the tenant column must keep the inserted (checked) value or bind the tenant.

use sqlparser::ast::{
    Assignment, AssignmentTarget, Expr, FunctionArg, FunctionArgExpr, FunctionArguments, Ident,
    Insert, ObjectName, OnConflictAction, OnInsert, SelectItem, SetExpr, Spanned,
};
use sqlparser::keywords::Keyword;
use sqlparser::tokenizer::Span;

use super::assign::{check_tenant_value, is_tenant_column};
use super::ctx::Ctx;
use super::from::parse_query;
use super::insert::column_last;
use super::locate::{Anchor, missing, span_of};
use super::names::Flavor;
use super::update::assignments_end;
use crate::error::{Error, Result};
use crate::registry::ScopedTable;

/// Spans of the upsert clause as written.
pub(crate) struct UpsertSpans {
    /// `DO UPDATE SET …`.
    set: Span,
    /// `DO UPDATE … WHERE …`.
    selection: Option<Span>,
    /// The values of `ON DUPLICATE KEY UPDATE`.
    values: Vec<Span>,
}

impl UpsertSpans {
    pub(crate) fn of(ins: &Insert) -> Self {
        match &ins.on {
            Some(OnInsert::OnConflict(c)) => match &c.action {
                OnConflictAction::DoUpdate(u) => Self {
                    set: span_of(&u.assignments),
                    selection: u.selection.as_ref().map(Spanned::span),
                    values: Vec::new(),
                },
                OnConflictAction::DoNothing => Self::none(),
            },
            Some(OnInsert::DuplicateKeyUpdate(a)) => Self {
                values: a.iter().map(|a| a.value.span()).collect(),
                ..Self::none()
            },
            _ => Self::none(),
        }
    }

    fn none() -> Self {
        Self {
            set: Span::empty(),
            selection: None,
            values: Vec::new(),
        }
    }
}

/// Scopes the upsert clause of an INSERT into `table`.
pub(crate) fn scope_upsert(
    ctx: &mut Ctx<'_>,
    on: &mut Option<OnInsert>,
    table: &ScopedTable,
    target: &Ident,
    row_alias: Option<&ObjectName>,
    spans: &UpsertSpans,
) -> Result<()> {
    match on {
        Some(OnInsert::OnConflict(c)) => {
            if let OnConflictAction::DoUpdate(update) = &mut c.action {
                for a in &update.assignments {
                    check_assignment(ctx, a, table, target, row_alias)?;
                }
                let pred = ctx.predicate(vec![target.clone()], table)?;
                let set = spans.set;
                ctx.and_in_front(
                    &mut update.selection,
                    vec![pred],
                    spans.selection,
                    Anchor::Keyword(Keyword::WHERE),
                    |ctx| Ok((assignments_end(ctx, set)?, "WHERE")),
                )?;
            }
        }
        Some(OnInsert::DuplicateKeyUpdate(assignments)) => {
            for a in assignments.iter() {
                check_assignment(ctx, a, table, target, row_alias)?;
            }
            if assignments.len() != spans.values.len() {
                return Err(missing("ON DUPLICATE KEY UPDATE"));
            }
            for (a, span) in assignments.iter_mut().zip(&spans.values) {
                guard_duplicate_key_assignment(ctx, a, table, *span)?;
            }
        }
        _ => {}
    }
    Ok(())
}

fn unprovable(table: &ScopedTable, reason: &str) -> Error {
    Error::Unprovable {
        table: table.to_string(),
        reason: reason.to_owned(),
    }
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
        return Err(unprovable(
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
    value_span: Span,
) -> Result<()> {
    let AssignmentTarget::ColumnName(name) = &a.target else {
        return Err(unprovable(
            table,
            "a tuple assignment in ON DUPLICATE KEY UPDATE",
        ));
    };
    let name_text = ctx
        .src
        .text(name.span())
        .ok_or_else(|| missing("an assigned column"))?;
    let range = ctx.src.expr("an assigned value", Anchor::Eq, value_span)?;
    let cond = ctx.predicate(Vec::new(), table)?;
    ctx.insert(range.start, format!("IF({}, ", cond.text), 1);
    ctx.insert(range.end, format!(", {name_text})"), 0);
    // The expected expression: the template's IF with the value and the column put in.
    let guarded = parse_query(ctx, &format!("SELECT IF({}, NULL, NULL)", cond.expr))?;
    let mut expr = match *guarded.body {
        SetExpr::Select(mut s) => match s.projection.pop() {
            Some(SelectItem::UnnamedExpr(e)) => e,
            _ => return Err(missing("ON DUPLICATE KEY UPDATE")),
        },
        _ => return Err(missing("ON DUPLICATE KEY UPDATE")),
    };
    let column = match name.0.as_slice() {
        [_] => column_last(name).map(|i| Expr::Identifier(i.clone())),
        _ => super::names::idents(name)
            .map(|p| Expr::CompoundIdentifier(p.into_iter().cloned().collect())),
    }
    .ok_or_else(|| missing("an assigned column"))?;
    let Expr::Function(f) = &mut expr else {
        return Err(missing("ON DUPLICATE KEY UPDATE"));
    };
    let FunctionArguments::List(list) = &mut f.args else {
        return Err(missing("ON DUPLICATE KEY UPDATE"));
    };
    let value = std::mem::replace(&mut a.value, Expr::value(sqlparser::ast::Value::Null));
    match list.args.as_mut_slice() {
        [_, v, c] => {
            *v = FunctionArg::Unnamed(FunctionArgExpr::Expr(value));
            *c = FunctionArg::Unnamed(FunctionArgExpr::Expr(column));
        }
        _ => return Err(missing("ON DUPLICATE KEY UPDATE")),
    }
    a.value = expr;
    Ok(())
}
