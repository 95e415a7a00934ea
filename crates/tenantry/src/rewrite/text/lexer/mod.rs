//! SQL text split into tokens the way the database splits it.
//!
//! One byte-level lexer per [`Flavor`], following the server's own scanner (PostgreSQL's
//! `scan.l`, MySQL's and MariaDB's `sql_lex.cc`, SQLite's `tokenize.c`) on everything that
//! decides what is code and what is not: comments, string literals, quoted identifiers.
//! Numbers, words and operators are split only as finely as that needs.
//!
//! Where the server's reading of a text depends on something the client cannot know (a
//! setting, or which of MySQL and MariaDB it is), or where the server runs text a SQL parser
//! skips, lexing stops with a [`LexError`] instead of guessing; so does any unterminated
//! string, identifier or comment (except SQLite's `/*`, which runs to the end of the text) and
//! any NUL byte.
//!
//! The lexer does not allocate and never panics: every index is checked, and a byte past the
//! end reads as NUL, like the C scanners it follows (a NUL in the text itself is refused
//! before anything else is read).

mod error;
mod mysql;
mod postgres;
mod sqlite;
#[cfg(test)]
#[cfg_attr(test, allow(clippy::unwrap_used))]
mod tests;

pub(crate) use error::{LexError, Malformed, Setting, Unclosed};

use crate::rewrite::scope::names::Flavor;

/// What a token is, as the database reads it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Kind {
    /// A keyword or unquoted identifier (on MySQL also `@var`, `@@var`, a `user@host` host).
    Word,
    /// A quoted identifier: `"x"`; MySQL `` `x` ``; SQLite `` `x` `` and `[x]`; PostgreSQL
    /// `U&"x"`.
    QuotedIdent,
    /// A string literal of any form: `'x'`, `E'x'`, `N'x'`, `U&'x'`, `B'x'`, `X'x'`,
    /// `$tag$x$tag$`, MySQL `"x"`, SQLite blobs `x'…'`.
    String,
    /// A numeric literal.
    Number,
    /// A placeholder: `$n` (PostgreSQL), `?` (MySQL), `?`, `?NNN`, `:name`, `@name`,
    /// `$name`, `#name` (SQLite).
    Placeholder,
    /// One byte of punctuation or operator.
    Punct,
    /// A run of whitespace.
    Whitespace,
    /// A comment, delimiters included (a `--` or `#` comment stops before its line break).
    Comment,
}

impl Kind {
    /// Whether the bytes of such a token are not code: a comment, a string literal or a
    /// quoted identifier.
    pub(crate) fn is_opaque(self) -> bool {
        matches!(self, Self::Comment | Self::String | Self::QuotedIdent)
    }
}

/// One token: its kind and its byte range in the text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) struct Token {
    /// What it is.
    pub(crate) kind: Kind,
    /// Offset of its first byte.
    pub(crate) start: usize,
    /// Offset just past its last byte.
    pub(crate) end: usize,
}

impl Token {
    /// The token's text in `sql` (the text it was lexed from), or `""` if it does not fit.
    pub(crate) fn text(self, sql: &str) -> &str {
        sql.get(self.start..self.end).unwrap_or("")
    }
}

/// The tokens of a text, in order, as `Result`s; after the first error there are no more.
#[derive(Clone, Debug)]
pub(crate) struct Lexer<'a> {
    /// Whose rules.
    flavor: Flavor,
    /// The text.
    bytes: &'a [u8],
    /// Where the next token starts; the end of the text once lexing is over.
    pos: usize,
    /// The error to return once `pos` reaches the end, if lexing stopped on one.
    pending: Option<LexError>,
    /// Context MySQL's scanner carries from one token to the next.
    mysql: mysql::Context,
}

/// Lexes `sql` by `flavor`'s rules.
pub(crate) fn lex(flavor: Flavor, sql: &str) -> Lexer<'_> {
    let bytes = sql.as_bytes();
    // A NUL anywhere is refused before anything else is read.
    let nul = bytes.contains(&0).then(|| LexError::Nul {
        at: bytes.iter().position(|&b| b == 0).unwrap_or(0),
    });
    Lexer {
        flavor,
        bytes,
        pos: if nul.is_some() { bytes.len() } else { 0 },
        pending: nul,
        mysql: mysql::Context::Start,
    }
}

impl Iterator for Lexer<'_> {
    type Item = Result<Token, LexError>;

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        let start = self.pos;
        if start >= self.bytes.len() {
            return self.pending.take().map(Err);
        }
        let lexed = match self.flavor {
            Flavor::Postgres => postgres::token(self.bytes, start),
            Flavor::MySql => mysql::token(self.bytes, start, &mut self.mysql),
            Flavor::Sqlite => sqlite::token(self.bytes, start),
        };
        match lexed {
            Ok((kind, end)) => {
                // Each scanner advances and stays within the text; this keeps the iterator
                // finite even if one did not.
                let end = if end > start && end <= self.bytes.len() {
                    end
                } else {
                    start + 1
                };
                self.pos = end;
                Some(Ok(Token { kind, start, end }))
            }
            Err(e) => {
                self.pos = self.bytes.len();
                Some(Err(e))
            }
        }
    }
}

impl std::iter::FusedIterator for Lexer<'_> {}

/// What a scanner returns: the token's kind and end, or why lexing stops.
type Scanned = Result<(Kind, usize), LexError>;

/// The byte at `i`, or NUL past the end (the text holds no NUL: it is checked first).
fn at(b: &[u8], i: usize) -> u8 {
    b.get(i).copied().unwrap_or(0)
}

/// Whitespace for all three databases: space, `\t`, `\n`, `\v`, `\f`, `\r`.
fn is_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

/// The end of the run of whitespace starting at `i`.
fn spaces(b: &[u8], mut i: usize) -> usize {
    while is_space(at(b, i)) {
        i += 1;
    }
    i
}

/// The end of the run of bytes from `i` for which `keep` holds.
fn run(b: &[u8], mut i: usize, keep: impl Fn(u8) -> bool) -> usize {
    while i < b.len() && keep(b[i]) {
        i += 1;
    }
    i
}

/// The end of a quoted text whose opening quote `q` is at `i`, where a doubled quote stands
/// for one and nothing else is special; `None` if it is not closed.
fn doubled(b: &[u8], i: usize, q: u8) -> Option<usize> {
    let mut j = i + 1;
    loop {
        if *b.get(j)? == q {
            if at(b, j + 1) != q {
                return Some(j + 1);
            }
            j += 2;
        } else {
            j += 1;
        }
    }
}

/// Like [`doubled`], but a backslash also escapes the byte after it.
fn escaped(b: &[u8], i: usize, q: u8) -> Option<usize> {
    let mut j = i + 1;
    loop {
        let c = *b.get(j)?;
        if c == b'\\' {
            b.get(j + 1)?;
            j += 2;
        } else if c == q {
            if at(b, j + 1) != q {
                return Some(j + 1);
            }
            j += 2;
        } else {
            j += 1;
        }
    }
}

/// The end of the first `needle` found at or after `from`, if any.
fn find_end(b: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    let first = *needle.first()?;
    let mut j = from;
    while j < b.len() {
        if b[j] == first && b[j..].starts_with(needle) {
            return Some(j + needle.len());
        }
        j += 1;
    }
    None
}

/// The end of a line comment starting at `i`: before the next `\n` (and, on PostgreSQL,
/// `\r`), or the end of the text.
fn line_comment(b: &[u8], i: usize, cr_ends: bool) -> usize {
    run(b, i, |c| c != b'\n' && !(cr_ends && c == b'\r'))
}

/// The end of a block comment whose `/*` is at `i` (nested ones counted when `nest`), or
/// `None` if it is not closed.
fn block_comment(b: &[u8], i: usize, nest: bool) -> Option<usize> {
    let mut depth = 1_usize;
    let mut j = i + 2;
    loop {
        let c = *b.get(j)?;
        if nest && c == b'/' && at(b, j + 1) == b'*' {
            depth += 1;
            j += 2;
        } else if c == b'*' && at(b, j + 1) == b'/' {
            depth -= 1;
            j += 2;
            if depth == 0 {
                return Some(j);
            }
        } else {
            j += 1;
        }
    }
}

/// A quoted token ending at `end`, or, when `end` is `None`, the error for its being
/// unterminated.
fn closed(end: Option<usize>, kind: Kind, what: Unclosed, start: usize) -> Scanned {
    end.map(|e| (kind, e))
        .ok_or(LexError::Unterminated { what, at: start })
}

/// A string whose end must not depend on whether backslashes escape: both readings must
/// agree (or both fail), else the server `setting` decides.
fn both_ways(b: &[u8], start: usize, quote_at: usize, setting: Setting) -> Scanned {
    let q = at(b, quote_at);
    match (doubled(b, quote_at, q), escaped(b, quote_at, q)) {
        (Some(plain), Some(esc)) if plain == esc => Ok((Kind::String, plain)),
        (None, None) => Err(LexError::Unterminated {
            what: Unclosed::String,
            at: start,
        }),
        _ => Err(LexError::SettingDependent { setting, at: start }),
    }
}
