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
