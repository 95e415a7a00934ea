//! Splicing: the rewritten statement is the original text with tenantry's insertions, every
//! other byte kept as written.
//!
//! An edit inserts text at a byte offset of the original (or, for `DEFAULT VALUES` only,
//! replaces that keyword pair). Edits at the same offset keep the order they were made in
//! (inner constructs close before outer ones). A space is added between an insertion and
//! the original text where the two would otherwise run together into one token.

use crate::error::{Error, Result};

/// One text edit of the original statement.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Edit {
    /// First byte replaced (or where the text is inserted).
    pub(crate) start: usize,
    /// End of the replaced bytes (`start` for an insertion).
    pub(crate) end: usize,
    /// The text put there.
    pub(crate) text: String,
    /// How many tenant values the text holds (`?` placeholders on MySQL/SQLite).
    pub(crate) tenants: usize,
}

/// A spliced statement: its text, and the edits as applied (with the spaces added).
pub(crate) struct Spliced {
    /// The rewritten SQL.
    pub(crate) sql: String,
    /// The edits, sorted, as applied.
    pub(crate) edits: Vec<Edit>,
}

fn glues(b: u8) -> bool {
    b.is_ascii_alphanumeric()
        || matches!(
            b,
            b'_' | b'$'
                | b'"'
                | b'`'
                | b'\''
                | b'?'
                | b'@'
                | b'#'
                | b':'
                | b'-'
                | b'/'
                | b'*'
                | b'.'
                | b'['
                | b']'
                | b'='
                | b'<'
                | b'>'
                | b'!'
                | b'|'
                | b'&'
                | b'+'
                | b'%'
                | b'^'
                | b'~'
        )
}

/// Applies `edits` to `sql`.
pub(crate) fn splice(sql: &str, mut edits: Vec<Edit>) -> Result<Spliced> {
    edits.sort_by_key(|e| e.start);
    let bytes = sql.as_bytes();
    let extra: usize = edits.iter().map(|e| e.text.len() + 2).sum();
    let mut out = String::with_capacity(sql.len() + extra);
    let mut at = 0;
    for e in &mut edits {
        if e.start < at
            || e.end < e.start
            || e.end > sql.len()
            || !sql.is_char_boundary(e.start)
            || !sql.is_char_boundary(e.end)
        {
            return Err(Error::Unprovable {
                table: "(statement)".into(),
                reason: "tenantry's edits of the statement overlap; the statement is too unusual to rewrite safely".into(),
            });
        }
        out.push_str(&sql[at..e.start]);
        let first = e.text.as_bytes().first().copied();
        let last = e.text.as_bytes().last().copied();
        let prev = out.as_bytes().last().copied();
        if let (Some(p), Some(f)) = (prev, first)
            && glues(p)
            && !matches!(f, b' ' | b')' | b',')
        {
            e.text.insert(0, ' ');
        }
        let next = bytes.get(e.end).copied();
        if let (Some(l), Some(n)) = (last, next)
            && glues(n)
            && !matches!(l, b' ' | b'(')
        {
            e.text.push(' ');
        }
        out.push_str(&e.text);
        at = e.end;
    }
    out.push_str(&sql[at..]);
    Ok(Spliced { sql: out, edits })
}

/// Removes the edits' texts from `spliced` (the edits as [`splice`] returns them, with the
/// spaces it added): the original. For tests: the rewritten text must be the original plus
/// insertions only.
#[cfg(test)]
pub(crate) fn unsplice(spliced: &str, original: &str, edits: &[Edit]) -> Option<String> {
    let mut out = String::new();
    let mut rest = spliced;
    let mut at = 0;
    for e in edits {
        let keep = original.get(at..e.start)?;
        rest = rest.strip_prefix(keep)?;
        out.push_str(keep);
        rest = rest.strip_prefix(e.text.as_str())?;
        out.push_str(original.get(e.start..e.end)?);
        at = e.end;
    }
    rest = rest.strip_prefix(original.get(at..)?)?;
    out.push_str(&original[at..]);
    rest.is_empty().then_some(out)
}

#[cfg(test)]
#[cfg_attr(test, allow(clippy::unwrap_used))]
mod tests {
    use super::*;

    fn ins(at: usize, text: &str) -> Edit {
        Edit {
            start: at,
            end: at,
            text: text.into(),
            tenants: 0,
        }
    }

    #[test]
    fn inserts_keep_every_original_byte() {
        let sql = "SELECT 1 FROM t WHERE - -x = 1 -- c\n";
        let edits = vec![ins(22, "t.a = $1 AND ("), ins(30, ")")];
        let s = splice(sql, edits).unwrap();
        assert_eq!(
            s.sql,
            "SELECT 1 FROM t WHERE t.a = $1 AND (- -x = 1) -- c\n"
        );
        assert_eq!(unsplice(&s.sql, sql, &s.edits).unwrap(), sql);
    }

    #[test]
    fn pads_where_tokens_would_glue() {
        let s = splice("a/**/b", vec![ins(5, "x")]).unwrap();
        assert_eq!(s.sql, "a/**/ x b");
        let s = splice("f(x)", vec![ins(2, "IF(c, "), ins(3, ", y)")]).unwrap();
        assert_eq!(s.sql, "f(IF(c, x, y))");
    }

    #[test]
    fn overlapping_edits_are_refused() {
        let e = Edit {
            start: 0,
            end: 3,
            text: "x".into(),
            tenants: 0,
        };
        assert!(splice("abcdef", vec![e, ins(1, "y")]).is_err());
    }
}
