//! Values written to a tenant column: each must provably be the current tenant.
//!
//! A bound parameter or a literal is checked when the plan is bound (so the cached plan
//! stays tenant-independent); anything else cannot be proven and is refused.

use sqlparser::ast::{Expr, Ident, UnaryOperator, Value};

use super::ctx::Ctx;
use super::names::Flavor;
use crate::error::{Error, Result};
use crate::registry::ScopedTable;
use crate::rewrite::cache::plan::{Check, Literal, Source};
use crate::rewrite::text::params::param_index;

/// Whether a column name (as written) is the table's tenant column.
pub(crate) fn is_tenant_column(flavor: Flavor, ident: &Ident, table: &ScopedTable) -> bool {
    match flavor {
        Flavor::Postgres => flavor.fold(ident) == table.column(),
        // Column names are case-insensitive on MySQL and SQLite.
        Flavor::MySql | Flavor::Sqlite => ident.value.eq_ignore_ascii_case(table.column()),
    }
}

/// Records that `expr`, written to `table`'s tenant column, must be the current tenant.
pub(crate) fn check_tenant_value(
    ctx: &mut Ctx<'_>,
    expr: &Expr,
    table: &ScopedTable,
) -> Result<()> {
    if ctx.flavor != Flavor::Sqlite && has_backslash_literal(ctx, expr) {
        return Err(Error::Unprovable {
            table: table.to_string(),
            reason: format!(
                "the string written to `{}` holds a backslash, whose meaning depends on a server setting (NO_BACKSLASH_ESCAPES, standard_conforming_strings) the client cannot see; bind the tenant id instead",
                table.column()
            ),
        });
    }
    let source = source_of(ctx.flavor, expr).ok_or_else(|| Error::Unprovable {
        table: table.to_string(),
        reason: format!(
            "the value written to `{}` ({expr}) is neither a bound value nor a literal, so it cannot be checked against the tenant; leave the column out (tenantry fills it) or bind the tenant id",
            table.column()
        ),
    })?;
    ctx.checks.push(Check {
        source,
        table: table.to_string(),
        column: table.column().to_owned(),
    });
    Ok(())
}

/// Whether `expr` is (or wraps) a string literal whose text, as written, holds a backslash.
fn has_backslash_literal(ctx: &mut Ctx<'_>, expr: &Expr) -> bool {
    match expr {
        Expr::Value(v) if matches!(v.value, Value::SingleQuotedString(_)) => {
            ctx.src.text(v.span).is_none_or(|t| t.contains('\\'))
        }
        Expr::Nested(e) | Expr::Cast { expr: e, .. } => has_backslash_literal(ctx, e),
        _ => false,
    }
}

fn source_of(flavor: Flavor, expr: &Expr) -> Option<Source> {
    match expr {
        Expr::Value(v) => match &v.value {
            Value::Placeholder(p) => param_index(flavor, p).map(Source::Param),
            Value::SingleQuotedString(s) => Some(Source::Literal(Literal::Text(s.clone()))),
            Value::DoubleQuotedString(s) if flavor == Flavor::MySql => {
                Some(Source::Literal(Literal::Text(s.clone())))
            }
            Value::Number(n, _) => Some(Source::Literal(Literal::Number(n.clone()))),
            Value::Null => Some(Source::Literal(Literal::Null)),
            _ => None,
        },
        Expr::UnaryOp {
            op: UnaryOperator::Minus,
            expr,
        } => match source_of(flavor, expr)? {
            Source::Literal(Literal::Number(n)) => {
                Some(Source::Literal(Literal::Number(format!("-{n}"))))
            }
            _ => None,
        },
        Expr::Nested(e) | Expr::Cast { expr: e, .. } => source_of(flavor, e),
        _ => None,
    }
}
