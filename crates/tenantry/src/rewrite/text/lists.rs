//! IN-lists of placeholders: plans derived from the plan with one-element lists.
//!
//! `WHERE id IN ($1, $2, $3)` gives one SQL text per list length. When every placeholder of
//! a text runs in order (`$1, $2, …` on PostgreSQL) and the text holds no string literal or
//! comment (as the database's own lexer, [`lexer`], reads them), each `IN (p, p, …)` list is
//! collapsed to `IN (p)`; the plan of that text (cached like any other) is expanded back: the
//! collapsed placeholder becomes the whole list again, later placeholders are renumbered, and
//! the recipe is shifted. A one-element plan of any other shape makes the text be planned in
//! full. Tests check both ways agree.

use std::sync::Arc;

use super::lexer::{self, Kind};
use super::rows::marks;
use crate::error::Result;
use crate::rewrite::cache::plan::{Check, Plan, Slot, Slots, Source};
use crate::rewrite::scope::names::Flavor;

/// A placeholder-only `IN (…)` list: its first placeholder's number (1-based, in the
/// collapsed text) and its length.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct List {
    first: usize,
    len: usize,
}

/// A text scanned for placeholders, with its IN-lists collapsed.
#[derive(Debug)]
struct Collapsed {
    sql: String,
    /// Placeholders in the original text.
    params: usize,
    lists: Vec<List>,
}

/// One lexical piece of a statement, as far as placeholders are concerned.
enum Piece<'a> {
    Text(&'a str),
    /// A placeholder (`$n` or `?`).
    Param(&'a str),
}

/// Splits `sql` into text and placeholders; `None` on anything the database's lexer reads as
/// a string literal or a comment, or refuses, on `;`, and on placeholders other than `$n`
/// (PostgreSQL) or `?` (MySQL, SQLite).
fn pieces(flavor: Flavor, sql: &str) -> Option<Vec<Piece<'_>>> {
    let mut out = Vec::new();
    let mut start = 0;
    for t in lexer::lex(flavor, sql) {
        let t = t.ok()?;
        let text = t.text(sql);
        match t.kind {
            Kind::Placeholder => {
                let plain = match flavor {
                    Flavor::Postgres => true,
                    Flavor::MySql | Flavor::Sqlite => {
                        text == "?" && !sql.as_bytes().get(t.end).is_some_and(u8::is_ascii_digit)
                    }
                };
                if !plain {
                    return None;
                }
                out.push(Piece::Text(sql.get(start..t.start)?));
                out.push(Piece::Param(text));
                start = t.end;
            }
            Kind::QuotedIdent | Kind::Whitespace | Kind::Number => {}
            Kind::Word | Kind::Punct if !marks(text) => {}
            _ => return None,
        }
    }
    out.push(Piece::Text(sql.get(start..)?));
    Some(out)
}

/// Whether `text` ends with ` IN (`: `IN` in any case after a space, then `(`, with any
/// whitespace between and after.
fn ends_with_in_paren(text: &str) -> bool {
    let t = text.trim_end();
    t.ends_with('(') && {
        // Bytes, not string slices: the text before may end in a multi-byte character.
        let before = t[..t.len() - 1].trim_end().as_bytes();
        before.len() >= 3
            && before[before.len() - 2..].eq_ignore_ascii_case(b"in")
            && before[before.len() - 3] == b' '
    }
}

/// Collapses every placeholder-only IN-list of two or more elements to one element.
fn collapse(flavor: Flavor, sql: &str) -> Option<Collapsed> {
    let pieces = pieces(flavor, sql)?;
    // Placeholders must run in text order on PostgreSQL.
    let mut n = 0;
    for p in &pieces {
        if let Piece::Param(p) = p {
            n += 1;
            if flavor == Flavor::Postgres && p[1..] != n.to_string() {
                return None;
            }
        }
    }
    let mut out = String::with_capacity(sql.len());
    let mut lists = Vec::new();
    let mut k = 0; // index into pieces
    let mut number = 0; // collapsed numbering
    while k < pieces.len() {
        match &pieces[k] {
            Piece::Text(t) => {
                out.push_str(t);
                k += 1;
            }
            Piece::Param(p) => {
                number += 1;
                // A list: `IN (` p (`, ` p)* `)`.
                let starts_list = matches!(k.checked_sub(1).map(|i| &pieces[i]), Some(Piece::Text(t)) if ends_with_in_paren(t));
                let mut len = 1;
                if starts_list {
                    while let (Some(Piece::Text(", ")), Some(Piece::Param(_))) =
                        (pieces.get(k + 2 * len - 1), pieces.get(k + 2 * len))
                    {
                        len += 1;
                    }
                    let closes = matches!(pieces.get(k + 2 * len - 1), Some(Piece::Text(t)) if t.starts_with(')'));
                    if !closes {
                        len = 1;
                    }
                }
                out.push_str(&match flavor {
                    Flavor::Postgres => format!("${number}"),
                    Flavor::MySql | Flavor::Sqlite => (*p).to_owned(),
                });
                if len > 1 {
                    lists.push(List { first: number, len });
                    k += 2 * len - 1;
                } else {
                    k += 1;
                }
            }
        }
    }
    (!lists.is_empty()).then_some(Collapsed {
        sql: out,
        params: n,
        lists,
    })
}

/// Maps a collapsed placeholder number (1-based) to its first number in the original text.
fn renumber(lists: &[List], j: usize) -> usize {
    j + lists
        .iter()
        .filter(|l| l.first < j)
        .map(|l| l.len - 1)
        .sum::<usize>()
}

/// The list whose collapsed placeholder is number `j`, if any.
fn list_at(lists: &[List], j: usize) -> Option<List> {
    lists.iter().copied().find(|l| l.first == j)
}

/// Derives the plan of the original text from the plan of its collapsed form.
fn derive(flavor: Flavor, c: &Collapsed, one: &Plan) -> Option<Plan> {
    let collapsed_params = c.params - c.lists.iter().map(|l| l.len - 1).sum::<usize>();
    if one.params != collapsed_params {
        return None;
    }
    let checks = one
        .checks
        .iter()
        .map(|ch| match ch.source {
            Source::Param(i) if list_at(&c.lists, i + 1).is_none() => Some(Check {
                source: Source::Param(renumber(&c.lists, i + 1) - 1),
                ..ch.clone()
            }),
            Source::Param(_) => None,
            Source::Literal(_) => Some(ch.clone()),
        })
        .collect::<Option<Vec<_>>>()?;
    let Some(out) = &one.sql else {
        return (one.slots == Slots::Unused).then(|| Plan {
            sql: None,
            params: c.params,
            slots: Slots::Unused,
            checks,
            types: one.types.clone(),
        });
    };
    let pieces = pieces(flavor, out)?;
    let mut sql = String::with_capacity(out.len() + 4 * c.params);
    let (slots, expanded) = match flavor {
        Flavor::Postgres => {
            if one.slots != Slots::Append {
                return None;
            }
            let tenant = collapsed_params + 1;
            let mut seen = vec![0_usize; collapsed_params + 1];
            for p in &pieces {
                match p {
                    Piece::Text(t) => sql.push_str(t),
                    Piece::Param(p) => {
                        let j: usize = p[1..].parse().ok()?;
                        if j == tenant {
                            sql.push_str(&format!("${}", c.params + 1));
                        } else {
                            *seen.get_mut(j)? += 1;
                            let first = renumber(&c.lists, j);
                            let len = list_at(&c.lists, j).map_or(1, |l| l.len);
                            let list: Vec<String> =
                                (first..first + len).map(|x| format!("${x}")).collect();
                            sql.push_str(&list.join(", "));
                        }
                    }
                }
            }
            // Every original placeholder printed exactly once.
            if seen.iter().skip(1).any(|&n| n != 1) {
                return None;
            }
            (Slots::Append, true)
        }
        Flavor::MySql | Flavor::Sqlite => {
            let total = pieces
                .iter()
                .filter(|p| matches!(p, Piece::Param(_)))
                .count();
            let old: Vec<Slot> = match &one.slots {
                Slots::Unused => (0..total).map(Slot::Original).collect(),
                Slots::Insert(at) => {
                    let mut next = 0;
                    (0..total)
                        .map(|p| {
                            if at.contains(&p) {
                                Slot::Tenant
                            } else {
                                next += 1;
                                Slot::Original(next - 1)
                            }
                        })
                        .collect()
                }
                Slots::Map(m) => m.clone(),
                Slots::Append => return None,
            };
            let mut originals: Vec<usize> = old
                .iter()
                .filter_map(|s| match s {
                    Slot::Original(i) => Some(*i),
                    Slot::Tenant => None,
                })
                .collect();
            originals.sort_unstable();
            if old.len() != total || originals != (0..collapsed_params).collect::<Vec<_>>() {
                return None;
            }
            let mut new = Vec::with_capacity(total + c.params);
            let mut slot = old.iter();
            for p in &pieces {
                match p {
                    Piece::Text(t) => sql.push_str(t),
                    Piece::Param(_) => match slot.next()? {
                        Slot::Tenant => {
                            sql.push('?');
                            new.push(Slot::Tenant);
                        }
                        Slot::Original(i) => {
                            let first = renumber(&c.lists, i + 1) - 1;
                            let len = list_at(&c.lists, i + 1).map_or(1, |l| l.len);
                            let list = vec!["?"; len];
                            sql.push_str(&list.join(", "));
                            new.extend((first..first + len).map(Slot::Original));
                        }
                    },
                }
            }
            (Slots::from_slots(new), true)
        }
    };
    expanded.then(|| Plan {
        sql: Some(sql),
        params: c.params,
        slots,
        checks,
        types: one.types.clone(),
    })
}

/// The plan for a text with placeholder IN-lists, derived from the plan with one-element
/// lists (`plan_one`), or `None` when the text or that plan is not of that shape.
pub(crate) fn plan_lists(
    flavor: Flavor,
    sql: &str,
    plan_one: impl FnOnce(&str) -> Result<Arc<Plan>>,
) -> Option<Result<Plan>> {
    let c = collapse(flavor, sql)?;
    let one = match plan_one(&c.sql) {
        Ok(p) => p,
        Err(e) => return Some(Err(e)),
    };
    derive(flavor, &c, &one).map(Ok)
}

#[cfg(test)]
#[cfg_attr(test, allow(clippy::unwrap_used))]
mod tests;
