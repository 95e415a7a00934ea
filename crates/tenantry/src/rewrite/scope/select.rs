//! SELECT: subqueries anywhere in the select, then the FROM list's predicates in front of
//! WHERE (or a new WHERE right after the FROM list).

use sqlparser::ast::{Select, Spanned};
use sqlparser::keywords::Keyword;
use sqlparser::parser::Parser;

use super::ctx::Ctx;
use super::exprs::scope_subqueries;
use super::from::{Wrap, scope_from_list};
use super::locate::{Anchor, span_of};
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
    // Spans as written, before anything inside is rewritten.
    let where_span = select.selection.as_ref().map(Spanned::span);
    let from_span = span_of(&select.from);
    let mut from = std::mem::take(&mut select.from);
    let scoped =
        scope_subqueries(ctx, select).and_then(|()| scope_from_list(ctx, &mut from, Wrap::Allowed));
    select.from = from;
    let preds = scoped?;
    ctx.and_in_front(
        &mut select.selection,
        preds,
        where_span,
        Anchor::Keyword(Keyword::WHERE),
        |ctx| Ok((list_end(ctx, Keyword::FROM, from_span)?, "WHERE")),
    )
}

/// The byte offset right after a list of tables that follows `keyword` (`FROM`, `USING`;
/// `span`: the list's span as written).
pub(crate) fn list_end(
    ctx: &mut Ctx<'_>,
    keyword: Keyword,
    span: sqlparser::tokenizer::Span,
) -> Result<usize> {
    let range = ctx
        .src
        .range_of("a list of tables", Anchor::Keyword(keyword), span, |p| {
            p.parse_comma_separated(Parser::parse_table_and_joins)
                .map(|l| span_of(&l))
        })?;
    Ok(range.end)
}
