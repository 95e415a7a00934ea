//! Placeholders: PostgreSQL's `$n` and MySQL/SQLite's `?`.
//!
//! `?` placeholders carry no number, so before rewriting each one is renamed `?k` (its 1-based
//! position in the input) and the tenant's placeholder is written `?0`. After printing, the
//! output is tokenised: every `?k` becomes `?` again and the sequence of placeholders says
//! where each value goes. PostgreSQL needs none of this: the tenant is `$N+1`.

use std::ops::ControlFlow;

use sqlparser::ast::{Statement as Ast, Value, ValueWithSpan, VisitMut, VisitorMut};
use sqlparser::tokenizer::{Location, Token, Tokenizer};

use crate::error::{Error, Result};
use crate::rewrite::cache::plan::Slot;
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

/// Numbers the `?` placeholders of `stmts` in text order; returns how many there are.
/// On PostgreSQL, returns the highest `$n`.
pub(crate) fn number(flavor: Flavor, stmts: &mut [Ast]) -> Result<usize> {
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
        return Ok(collect.max);
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
    Ok(spans.len())
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

/// Turns printed `?k` / `?0` placeholders back into `?` and says which value each one takes.
pub(crate) fn finish(flavor: Flavor, printed: &str) -> Result<(String, Vec<Slot>)> {
    match finish_plain(flavor, printed) {
        Some(done) => done,
        None => finish_tokenized(flavor, printed),
    }
}

/// The slot a printed placeholder denotes.
fn slot_of(flavor: Flavor, p: &str) -> Result<Slot> {
    if p == TENANT_MARK {
        return Ok(Slot::Tenant);
    }
    match param_index(flavor, p) {
        Some(i) => Ok(Slot::Original(i)),
        None => Err(bad_placeholder(flavor, p)),
    }
}

/// [`finish`] by a byte scan, for texts where a `?` can only be a placeholder or sit inside a
/// quoted name: ASCII, and no string literal, comment, backslash, `$`, `@` (`@?` is an
/// operator), `#` or `[` outside quoted names. `None` for any other text (the tokenizer
/// decides).
fn finish_plain(flavor: Flavor, printed: &str) -> Option<Result<(String, Vec<Slot>)>> {
    if !printed.is_ascii() {
        return None;
    }
    let b = printed.as_bytes();
    let mut out = String::with_capacity(printed.len());
    let mut slots = Vec::new();
    let mut copied = 0;
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            q @ (b'"' | b'`') => {
                let mut j = i + 1;
                loop {
                    if *b.get(j)? == q {
                        if b.get(j + 1) != Some(&q) {
                            break;
                        }
                        j += 1;
                    }
                    j += 1;
                }
                i = j + 1;
            }
            b'?' => {
                let mut j = i + 1;
                while b.get(j).is_some_and(u8::is_ascii_digit) {
                    j += 1;
                }
                match slot_of(flavor, &printed[i..j]) {
                    Ok(slot) => slots.push(slot),
                    Err(e) => return Some(Err(e)),
                }
                out.push_str(&printed[copied..i]);
                out.push('?');
                copied = j;
                i = j;
            }
            b'\\' | b'\'' | b'$' | b'@' | b'#' | b'[' => return None,
            b'-' if b.get(i + 1) == Some(&b'-') => return None,
            b'/' if b.get(i + 1) == Some(&b'*') => return None,
            _ => i += 1,
        }
    }
    out.push_str(&printed[copied..]);
    Some(Ok((out, slots)))
}

/// [`finish`] by sqlparser's tokenizer: exact for any text.
fn finish_tokenized(flavor: Flavor, printed: &str) -> Result<(String, Vec<Slot>)> {
    let tokens = Tokenizer::new(flavor.dialect(), printed)
        .tokenize_with_location()
        .map_err(|e| Error::Parse {
            message: format!("re-reading the rewritten statement: {e}"),
            sql: printed.to_owned(),
        })?;
    let line_starts: Vec<usize> = std::iter::once(0)
        .chain(printed.match_indices('\n').map(|(i, _)| i + 1))
        .collect();
    let mut out = String::with_capacity(printed.len());
    let mut copied = 0;
    let mut slots = Vec::new();
    for t in &tokens {
        let Token::Placeholder(p) = &t.token else {
            continue;
        };
        let slot = slot_of(flavor, p)?;
        let start = offset(printed, &line_starts, t.span.start).ok_or_else(|| Error::Parse {
            message: "lost a placeholder while re-reading the rewritten statement".into(),
            sql: printed.to_owned(),
        })?;
        out.push_str(&printed[copied..start]);
        out.push('?');
        copied = start + p.len();
        slots.push(slot);
    }
    out.push_str(&printed[copied..]);
    Ok((out, slots))
}

fn offset(s: &str, line_starts: &[usize], at: Location) -> Option<usize> {
    let line = usize::try_from(at.line).ok()?.checked_sub(1)?;
    let col = usize::try_from(at.column).ok()?.checked_sub(1)?;
    let start = *line_starts.get(line)?;
    let rest = s.get(start..)?;
    rest.char_indices().nth(col).map(|(i, _)| start + i)
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
        assert_eq!(number(Flavor::Sqlite, &mut stmts).unwrap(), 4);
        let printed = stmts[0].to_string();
        assert_eq!(
            printed,
            "SELECT ?1 FROM t WHERE a = ?2 AND b = 'x?' AND c IN (?3, ?4)"
        );
    }

    #[test]
    fn finds_the_highest_dollar_placeholder() {
        let mut stmts =
            Parser::parse_sql(Flavor::Postgres.dialect(), "SELECT $2, $1, '$9'").unwrap();
        assert_eq!(number(Flavor::Postgres, &mut stmts).unwrap(), 2);
        let mut stmts = Parser::parse_sql(Flavor::Sqlite.dialect(), "SELECT ?1, :a").unwrap();
        assert!(number(Flavor::Sqlite, &mut stmts).is_err());
    }

    proptest::proptest! {
        /// The byte scan agrees with the tokenizer wherever it answers.
        #[test]
        fn the_byte_scan_agrees_with_the_tokenizer(
            text in "([ ?0-9a-zA-Z_,.()=\"`'$@#\\[\\]/*-]|é|\\?[0-3]){0,40}",
            mysql in proptest::bool::ANY,
        ) {
            let flavor = if mysql { Flavor::MySql } else { Flavor::Sqlite };
            if let Some(fast) = finish_plain(flavor, &text) {
                let full = finish_tokenized(flavor, &text);
                match (fast, full) {
                    (Ok(a), Ok(b)) => proptest::prop_assert_eq!(a, b, "{}", text),
                    (Err(_), Err(_)) => {}
                    (a, b) => proptest::prop_assert!(false, "{}: {:?} vs {:?}", text, a, b),
                }
            }
        }
    }

    #[test]
    fn the_byte_scan_leaves_literals_and_comments_to_the_tokenizer() {
        for text in [
            "SELECT '?1'",
            "SELECT 1 -- ?1",
            "SELECT [?1]",
            "SELECT @?1",
            "SELECT ?1 # x",
        ] {
            assert!(finish_plain(Flavor::MySql, text).is_none(), "{text}");
        }
        let (sql, slots) = finish_plain(
            Flavor::Sqlite,
            "SELECT \"a\"\"?1\" FROM t WHERE x = ?2 AND y = ?0",
        )
        .unwrap()
        .unwrap();
        assert_eq!(sql, "SELECT \"a\"\"?1\" FROM t WHERE x = ? AND y = ?");
        assert_eq!(slots, [Slot::Original(1), Slot::Tenant]);
    }

    #[test]
    fn finishing_restores_question_marks_and_reports_slots() {
        let (sql, slots) = finish(
            Flavor::MySql,
            "SELECT ?2, 'é?1' FROM t WHERE x = ?1 AND\ny = ?0",
        )
        .unwrap();
        assert_eq!(sql, "SELECT ?, 'é?1' FROM t WHERE x = ? AND\ny = ?");
        assert_eq!(slots, [Slot::Original(1), Slot::Original(0), Slot::Tenant]);
    }
}
