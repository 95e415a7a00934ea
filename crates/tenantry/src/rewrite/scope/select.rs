//! SELECT: subqueries anywhere in the select, then the FROM list's predicates into WHERE.

use sqlparser::ast::Select;

use super::ctx::{Ctx, and_all};
use super::exprs::scope_subqueries;
use super::from::{Wrap, scope_from_list};
use crate::error::{Error, Result};

/// Scopes one SELECT.
pub(crate) fn scope_select(ctx: &mut Ctx<'_>, select: &mut Select) -> Result<()> {
    if let Some(into) = &select.into {
        return Err(Error::Forbidden {
            what: format!("SELECT … {into}"),
            reason: format!(
                "SELECT INTO creates a table or writes outside the database{}",
                crate::error::UNSCOPED_HINT
            ),
        });
    }
    let mut from = std::mem::take(&mut select.from);
    let scoped =
        scope_subqueries(ctx, select).and_then(|()| scope_from_list(ctx, &mut from, Wrap::Allowed));
    select.from = from;
    let preds = scoped?;
    select.selection = and_all(select.selection.take(), preds);
    Ok(())
}
