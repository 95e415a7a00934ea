//! Subqueries inside expressions (SELECT list, WHERE, HAVING, ON, VALUES, RETURNING …).
//!
//! A generic AST walk finds every query nested in an expression and scopes it with the
//! current CTE scope; queries nested in those are scoped by that call, not by this walk.

use std::ops::ControlFlow;

use sqlparser::ast::{Query, VisitMut, VisitorMut};

use super::ctx::Ctx;
use super::query;
use crate::error::{Error, Result};

struct Subqueries<'a, 'r> {
    ctx: &'a mut Ctx<'r>,
    depth: usize,
}

impl VisitorMut for Subqueries<'_, '_> {
    type Break = Error;

    fn pre_visit_query(&mut self, q: &mut Query) -> ControlFlow<Error> {
        if self.depth == 0
            && let Err(e) = query::scope_query(self.ctx, q)
        {
            return ControlFlow::Break(e);
        }
        self.depth += 1;
        ControlFlow::Continue(())
    }

    fn post_visit_query(&mut self, _q: &mut Query) -> ControlFlow<Error> {
        self.depth = self.depth.saturating_sub(1);
        ControlFlow::Continue(())
    }
}

/// Scopes every query nested in `node`.
pub(crate) fn scope_subqueries<T: VisitMut>(ctx: &mut Ctx<'_>, node: &mut T) -> Result<()> {
    let mut v = Subqueries { ctx, depth: 0 };
    match node.visit(&mut v) {
        ControlFlow::Break(e) => Err(e),
        ControlFlow::Continue(()) => Ok(()),
    }
}
