//! Multi-row INSERT plans derived from the one-row plan, without parsing.
//!
//! `insert_many` with 1, 2, … 500 rows gives as many SQL texts. When a text is exactly
//! `INSERT … VALUES (p, …), (p, …), … tail` with placeholders only in the rows (the shape
//! SeaORM builds), its plan is derived from the plan of the same statement with one row:
//! the rows are repeated with their placeholders renumbered and the recipe (tenant
//! positions, checked values) shifted row by row. Anything else — a literal, a comment (as
//! the database's own lexer, [`lexer`], reads them), a placeholder outside the rows, a
//! one-row plan of another shape — falls back to planning the text in full. Tests check that
//! both ways give the same plan.

use super::lexer::{self, Kind};
use crate::error::Result;
use crate::rewrite::cache::plan::{Check, Plan, Slots, Source};
use crate::rewrite::scope::names::Flavor;

/// A multi-row VALUES list recognised in SQL text.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Rows<'a> {
    /// Everything before the first row's `(`.
    pub(crate) prefix: &'a str,
    /// The first row, parentheses included.
    pub(crate) first: &'a str,
    /// Placeholders per row.
    pub(crate) width: usize,
    /// Rows.
    pub(crate) count: usize,
    /// Everything after the last row's `)`.
    pub(crate) tail: &'a str,
    /// Placeholders in the tail (each must be `tail_mark`).
    pub(crate) tail_marks: usize,
}

/// Finds the rows of an `INSERT … VALUES` whose rows hold only placeholders.
///
/// On PostgreSQL the row placeholders must run `$1, $2, …` in order. Placeholders outside
/// the rows are allowed only when equal to `tail_mark` (`None`: none allowed). Anything the
/// database's lexer reads as a string literal or a comment, or refuses, and any `;`, makes
/// the text unrecognised.
pub(crate) fn recognise<'a>(
    flavor: Flavor,
    sql: &'a str,
    tail_mark: Option<&str>,
) -> Option<Rows<'a>> {
    let bytes = sql.as_bytes();
    if !sql.trim_start().get(..6)?.eq_ignore_ascii_case("insert") {
        return None;
    }
    // Find ` VALUES (`, refusing literals, comments and placeholders before it.
    let mut tokens = lexer::lex(flavor, sql);
    let values_at = loop {
        let t = tokens.next()?.ok()?;
        let text = t.text(sql);
        match t.kind {
            Kind::Word
                if text.eq_ignore_ascii_case("values")
                    && t.start > 0
                    && bytes[t.start - 1] == b' '
                    && bytes.get(t.end) == Some(&b' ')
                    && bytes.get(t.end + 1) == Some(&b'(') =>
            {
                break t.end + 1;
            }
            Kind::QuotedIdent | Kind::Whitespace | Kind::Number => {}
            Kind::Word | Kind::Punct if !marks(text) => {}
            _ => return None,
        }
    };
    // Rows.
    let mut pos = values_at;
    let mut width = None;
    let mut count = 0;
    let mut next_param = 1;
    let mut first_end = 0;
    loop {
        if bytes.get(pos) != Some(&b'(') {
            return None;
        }
        pos += 1;
        let mut n = 0;
        loop {
            pos = placeholder(flavor, bytes, pos, next_param)?;
            next_param += 1;
            n += 1;
            match bytes.get(pos) {
                Some(b',') if bytes.get(pos + 1) == Some(&b' ') => pos += 2,
                Some(b')') => {
                    pos += 1;
                    break;
                }
                _ => return None,
            }
        }
        if *width.get_or_insert(n) != n {
            return None;
        }
        count += 1;
        if count == 1 {
            first_end = pos;
        }
        if bytes.get(pos) == Some(&b',')
            && bytes.get(pos + 1) == Some(&b' ')
            && bytes.get(pos + 2) == Some(&b'(')
        {
            pos += 2;
        } else {
            break;
        }
    }
    // The tail: no literals or comments; placeholders only as `tail_mark`.
    let tail = sql.get(pos..)?;
    let mut tail_marks = 0;
    for t in lexer::lex(flavor, tail) {
        let t = t.ok()?;
        let text = t.text(tail);
        match t.kind {
            Kind::Placeholder
                if Some(text) == tail_mark
                    && !tail.as_bytes().get(t.end).is_some_and(u8::is_ascii_digit) =>
            {
                tail_marks += 1;
            }
            Kind::QuotedIdent | Kind::Whitespace | Kind::Number => {}
            Kind::Word | Kind::Punct if !marks(text) => {}
            _ => return None,
        }
    }
    Some(Rows {
        prefix: &sql[..values_at],
        first: &sql[values_at..first_end],
        width: width?,
        count,
        tail,
        tail_marks,
    })
}

/// Whether code text holds a byte that is or may start a placeholder or ends a statement
/// (`?`, `$`, `;`): such texts are left to the full path.
pub(super) fn marks(text: &str) -> bool {
    text.bytes().any(|c| matches!(c, b';' | b'?' | b'$'))
}

/// Reads one row placeholder at `pos` (`$expected` on PostgreSQL, `?` elsewhere).
fn placeholder(flavor: Flavor, bytes: &[u8], pos: usize, expected: usize) -> Option<usize> {
    match flavor {
        Flavor::Postgres => {
            if bytes.get(pos) != Some(&b'$') {
                return None;
            }
            let digits = expected.to_string();
            let end = pos + 1 + digits.len();
            (bytes.get(pos + 1..end)? == digits.as_bytes()
                && !bytes.get(end).is_some_and(u8::is_ascii_digit))
            .then_some(end)
        }
        Flavor::MySql | Flavor::Sqlite => (bytes.get(pos) == Some(&b'?')
            && !bytes.get(pos + 1).is_some_and(u8::is_ascii_digit))
        .then_some(pos + 1),
    }
}

/// The one-row version of a recognised multi-row INSERT.
pub(crate) fn one_row(rows: &Rows<'_>) -> String {
    let mut s = String::with_capacity(rows.prefix.len() + rows.first.len() + rows.tail.len());
    s.push_str(rows.prefix);
    s.push_str(rows.first);
    s.push_str(rows.tail);
    s
}

/// Derives the plan for `rows` from the plan of its one-row version, if that plan has the
/// expected shape.
pub(crate) fn derive(flavor: Flavor, rows: &Rows<'_>, one: &Plan) -> Option<Plan> {
    let m = rows.width;
    let k = rows.count;
    let shift = |checks: &[Check]| -> Option<Vec<Check>> {
        let mut out = Vec::with_capacity(checks.len() * k);
        for r in 0..k {
            for c in checks {
                let Source::Param(i) = c.source else {
                    return None;
                };
                if i >= m {
                    return None;
                }
                out.push(Check {
                    source: Source::Param(i + r * m),
                    ..c.clone()
                });
            }
        }
        Some(out)
    };
    if one.params != m {
        return None;
    }
    let checks = shift(&one.checks)?;
    let Some(out) = &one.sql else {
        // The SQL is unchanged: only the checks repeat.
        return (one.slots == Slots::Unused).then(|| Plan {
            sql: None,
            params: m * k,
            slots: Slots::Unused,
            checks,
            types: one.types.clone(),
        });
    };
    let tenant_one = match flavor {
        Flavor::Postgres => format!("${}", m + 1),
        Flavor::MySql | Flavor::Sqlite => "?".to_owned(),
    };
    let out_rows = recognise(flavor, out, Some(&tenant_one))?;
    if out_rows.count != 1 || out_rows.width != m + 1 {
        return None;
    }
    let mut sql = String::with_capacity(out.len() + (k - 1) * (out_rows.first.len() + 8 * m));
    sql.push_str(out_rows.prefix);
    let slots = match (flavor, &one.slots) {
        (Flavor::Postgres, Slots::Append) => {
            let tenant = format!("${}", m * k + 1);
            for r in 0..k {
                if r > 0 {
                    sql.push_str(", ");
                }
                sql.push('(');
                for c in 0..m {
                    sql.push_str(&format!("${}, ", r * m + c + 1));
                }
                sql.push_str(&tenant);
                sql.push(')');
            }
            sql.push_str(&out_rows.tail.replace(&tenant_one, &tenant));
            if out_rows.tail.matches(tenant_one.as_str()).count() != out_rows.tail_marks {
                return None;
            }
            Slots::Append
        }
        (Flavor::MySql | Flavor::Sqlite, Slots::Insert(at)) => {
            let expected: Vec<usize> = (m..=m + out_rows.tail_marks).collect();
            if *at != expected {
                return None;
            }
            let row = out_rows.first;
            let mut positions = Vec::with_capacity(k + out_rows.tail_marks);
            for r in 0..k {
                if r > 0 {
                    sql.push_str(", ");
                }
                sql.push_str(row);
                positions.push(r * (m + 1) + m);
            }
            sql.push_str(out_rows.tail);
            positions.extend((0..out_rows.tail_marks).map(|j| k * (m + 1) + j));
            Slots::Insert(positions)
        }
        _ => return None,
    };
    Some(Plan {
        sql: Some(sql),
        params: m * k,
        slots,
        checks,
        types: one.types.clone(),
    })
}

/// The plan for a multi-row INSERT, derived from its one-row plan (`plan_one`), or `None`
/// when the text or the plan is not of that shape.
pub(crate) fn plan_many(
    flavor: Flavor,
    sql: &str,
    plan_one: impl FnOnce(&str) -> Result<std::sync::Arc<Plan>>,
) -> Option<Result<Plan>> {
    let rows = recognise(flavor, sql, None)?;
    if rows.count < 2 {
        return None;
    }
    let one = match plan_one(&one_row(&rows)) {
        Ok(p) => p,
        Err(e) => return Some(Err(e)),
    };
    derive(flavor, &rows, &one).map(Ok)
}

#[cfg(test)]
#[cfg_attr(test, allow(clippy::unwrap_used))]
mod tests;
