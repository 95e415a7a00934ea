//! Placeholders: PostgreSQL's `$n` and MySQL/SQLite's `?`.
//!
//! `?` placeholders carry no number, so while a statement is planned each one is renamed
//! `?k` in the AST (its 1-based position in the text) and the tenant's is `?0`; the checks on
//! values written to tenant columns refer to them by that number. The text itself is never
//! renamed: the planner turns the AST's placeholders back into `?` ([`unnumber`]) before it
//! compares the AST with the rewritten text read again, and places the tenant's values
//! among the original ones by their byte offsets. PostgreSQL needs none of this: the tenant
//! is `$N+1`.

use std::ops::ControlFlow;

use sqlparser::ast::{Statement as Ast, Value, ValueWithSpan, VisitMut, VisitorMut};
use sqlparser::tokenizer::Location;

use crate::error::{Error, Result};
use crate::rewrite::scope::names::Flavor;

/// The tenant's placeholder while a `?` statement is being rewritten.
pub(crate) const TENANT_MARK: &str = "?0";

/// The index (0-based) of the value a rewritten placeholder denotes.
pub(crate) fn param_index(flavor: Flavor, placeholder: &str) -> Option<usize> {
    let digits = match flavor {
        Flavor::Postgres => placeholder.strip_prefix('$')?,
        Flavor::MySql | Flavor::Sqlite => placeholder.strip_prefix('?')?,
    };
    digits.parse::<usize>().ok()?.checked_sub(1)
}

fn bad_placeholder(flavor: Flavor, p: &str) -> Error {
    let expected = match flavor {
        Flavor::Postgres => "`$1`, `$2`, …",
        Flavor::MySql | Flavor::Sqlite => "`?`",
    };
    Error::Unprovable {
        table: "(statement)".into(),
        reason: format!(
            "placeholder `{p}` is not one this backend's statements use ({expected}), so the values cannot be matched to it"
        ),
    }
}

/// Numbers the `?` placeholders of `stmts` in text order; returns how many there are and
/// where each stands (in text order). On PostgreSQL, returns the highest `$n` and no places.
pub(crate) fn number(flavor: Flavor, stmts: &mut [Ast]) -> Result<(usize, Vec<Location>)> {
    let mut collect = Collect {
        flavor,
        spans: Vec::new(),
        max: 0,
    };
    for s in stmts.iter_mut() {
        if let ControlFlow::Break(e) = s.visit(&mut collect) {
            return Err(e);
        }
    }
    if flavor == Flavor::Postgres {
        return Ok((collect.max, Vec::new()));
    }
    let mut spans = collect.spans;
    spans.sort_unstable();
    if spans.windows(2).any(|w| w[0] == w[1]) || spans.first().is_some_and(|l| l.0 == 0) {
        return Err(Error::Unprovable {
            table: "(statement)".into(),
            reason: "could not order the statement's `?` placeholders".into(),
        });
    }
    let mut rename = Rename { spans: &spans };
    for s in stmts.iter_mut() {
        let _ = s.visit(&mut rename);
    }
    let places = spans
        .iter()
        .map(|&(line, column)| Location { line, column })
        .collect();
    Ok((spans.len(), places))
}

struct Collect {
    flavor: Flavor,
    spans: Vec<(u64, u64)>,
    max: usize,
}

fn key(l: Location) -> (u64, u64) {
    (l.line, l.column)
}

impl VisitorMut for Collect {
    type Break = Error;

    fn pre_visit_value(&mut self, value: &mut ValueWithSpan) -> ControlFlow<Error> {
        if let Value::Placeholder(p) = &value.value {
            match self.flavor {
                Flavor::Postgres => match param_index(self.flavor, p) {
                    Some(i) => self.max = self.max.max(i + 1),
                    None => return ControlFlow::Break(bad_placeholder(self.flavor, p)),
                },
                Flavor::MySql | Flavor::Sqlite if p == "?" => {
                    self.spans.push(key(value.span.start));
                }
                Flavor::MySql | Flavor::Sqlite => {
                    return ControlFlow::Break(bad_placeholder(self.flavor, p));
                }
            }
        }
        ControlFlow::Continue(())
    }
}

struct Rename<'a> {
    spans: &'a [(u64, u64)],
}

impl VisitorMut for Rename<'_> {
    type Break = ();

    fn pre_visit_value(&mut self, value: &mut ValueWithSpan) -> ControlFlow<()> {
        if let Value::Placeholder(p) = &mut value.value
            && p == "?"
            && let Ok(i) = self.spans.binary_search(&key(value.span.start))
        {
            *p = format!("?{}", i + 1);
        }
        ControlFlow::Continue(())
    }
}

/// Turns the numbered `?k` placeholders of `stmts` back into `?`: the statement as the text
/// spells it, to compare with the rewritten text parsed again.
pub(crate) fn unnumber(flavor: Flavor, stmts: &mut [Ast]) {
    if flavor == Flavor::Postgres {
        return;
    }
    struct Unnumber;
    impl VisitorMut for Unnumber {
        type Break = ();
        fn pre_visit_value(&mut self, value: &mut ValueWithSpan) -> ControlFlow<()> {
            if let Value::Placeholder(p) = &mut value.value
                && p.starts_with('?')
            {
                "?".clone_into(p);
            }
            ControlFlow::Continue(())
        }
    }
    for s in stmts {
        let _ = s.visit(&mut Unnumber);
    }
}

#[cfg(test)]
#[cfg_attr(test, allow(clippy::unwrap_used))]
mod tests {
    use super::*;
    use sqlparser::parser::Parser;

    #[test]
    fn reads_placeholder_indexes() {
        assert_eq!(param_index(Flavor::Postgres, "$3"), Some(2));
        assert_eq!(param_index(Flavor::Postgres, "$0"), None);
        assert_eq!(param_index(Flavor::Sqlite, "?12"), Some(11));
        assert_eq!(param_index(Flavor::MySql, "?"), None);
    }

    #[test]
    fn numbers_question_marks_in_text_order() {
        let sql = "SELECT ? FROM t WHERE a = ? AND b = 'x?'\n AND c IN (?, ?)";
        let mut stmts = Parser::parse_sql(Flavor::Sqlite.dialect(), sql).unwrap();
        assert_eq!(number(Flavor::Sqlite, &mut stmts).unwrap().0, 4);
        let printed = stmts[0].to_string();
        assert_eq!(
            printed,
            "SELECT ?1 FROM t WHERE a = ?2 AND b = 'x?' AND c IN (?3, ?4)"
        );
    }
}
