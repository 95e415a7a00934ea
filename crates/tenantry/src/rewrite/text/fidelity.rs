//! Does the SQL parser read a text the way the database will?
//!
//! tenantry scopes what sqlparser reads. Where sqlparser and the database disagree on what is
//! code and what is a comment, a string or a quoted identifier, the statement the database
//! runs is not the one that was scoped: text the parser skips may run, and text the parser
//! scopes may be skipped. [`check`] compares sqlparser's tokens of a text with the database's
//! own lexer ([`lexer`]) and refuses the text unless every comment, string literal and quoted
//! identifier is the same kind over the same bytes on both sides, and the database's lexer
//! finds nothing it refuses (an executable comment, a string whose end depends on a server
//! setting, …).

use sqlparser::tokenizer::{Location, Token as P, TokenWithSpan, Whitespace};

use super::lexer::{self, Kind, Token};
use crate::error::{Error, Result};
use crate::rewrite::scope::names::Flavor;

#[cfg(test)]
#[cfg_attr(test, allow(clippy::unwrap_used))]
mod tests;

/// Verifies that sqlparser's reading of `sql` agrees with the database's.
///
/// `tokens` must be sqlparser's tokens of `sql` for `flavor`, with their spans:
/// `Tokenizer::new(flavor.dialect(), sql).tokenize_with_location()`. Returns
/// [`Error::Forbidden`] when the database's lexer refuses the text (see
/// [`lexer::LexError`]), when a comment, string literal or quoted identifier of either side
/// is not the same kind over the same bytes on the other, or when the tokens do not cover the
/// text exactly once, in order.
pub(crate) fn check(flavor: Flavor, sql: &str, tokens: &[TokenWithSpan]) -> Result<()> {
    let mut db = lexer::lex(flavor, sql).filter(|t| !matches!(t, Ok(t) if !t.kind.is_opaque()));
    match compare(sql, tokens, &mut db) {
        Ok(()) => Ok(()),
        // A refusal of the database's lexer says more than the disagreement it leads to.
        Err(disagreement) => match db.find_map(Result::err) {
            Some(e) => Err(e.refusal()),
            None => Err(disagreement.refusal(flavor, sql)),
        },
    }
}

/// Where the two readings first part.
#[derive(Debug)]
enum Disagreement {
    /// The database's lexer refuses the text.
    Lex(lexer::LexError),
    /// The database reads `db` as a comment, string or quoted identifier, and the parser does
    /// not read the same (`parser`: its token at that place, if one starts there).
    Database {
        /// The database's token.
        db: Token,
        /// The parser's token starting where it starts, if any.
        parser: Option<Token>,
    },
    /// The parser reads `parser` as a comment, string or quoted identifier where the database
    /// reads something else.
    Parser {
        /// The parser's token.
        parser: Token,
    },
    /// The parser's tokens do not cover the text in order from byte `at` on.
    Coverage {
        /// The first byte not covered, or covered twice.
        at: usize,
    },
}

/// Walks the parser's tokens and the database's opaque tokens side by side.
fn compare(
    sql: &str,
    tokens: &[TokenWithSpan],
    db: &mut impl Iterator<Item = std::result::Result<Token, lexer::LexError>>,
) -> std::result::Result<(), Disagreement> {
    let mut next_db = db.next().transpose().map_err(Disagreement::Lex)?;
    let mut cursor = Cursor::new(sql);
    let mut covered = 0;
    for t in tokens {
        let (Some(start), Some(end)) = (cursor.seek(t.span.start), cursor.seek(t.span.end)) else {
            return Err(Disagreement::Coverage { at: covered });
        };
        if start != covered || end <= start {
            return Err(Disagreement::Coverage { at: covered });
        }
        let parser = Token {
            kind: kind(&t.token, sql.as_bytes().get(start).copied()),
            start,
            end,
        };
        match next_db {
            Some(d) if parser.kind.is_opaque() => {
                if d != parser {
                    // Every database token before this one is matched, so `d.start >= start`.
                    return Err(if d.start == start {
                        Disagreement::Database {
                            db: d,
                            parser: Some(parser),
                        }
                    } else {
                        Disagreement::Parser { parser }
                    });
                }
                next_db = db.next().transpose().map_err(Disagreement::Lex)?;
            }
            None if parser.kind.is_opaque() => return Err(Disagreement::Parser { parser }),
            Some(d) if d.start < end => {
                return Err(Disagreement::Database {
                    db: d,
                    parser: (d.start == start).then_some(parser),
                });
            }
            _ => {}
        }
        covered = end;
    }
    if covered != sql.len() {
        return Err(Disagreement::Coverage { at: covered });
    }
    match next_db {
        Some(d) => Err(Disagreement::Database {
            db: d,
            parser: None,
        }),
        None => Ok(()),
    }
}

/// The kind of a sqlparser token, in the lexer's terms; `first` is the token's first byte.
fn kind(token: &P, first: Option<u8>) -> Kind {
    match token {
        P::Whitespace(Whitespace::SingleLineComment { .. } | Whitespace::MultiLineComment(_)) => {
            Kind::Comment
        }
        P::Whitespace(_) => Kind::Whitespace,
        P::Word(w) if w.quote_style.is_some() => Kind::QuotedIdent,
        P::Word(_) => Kind::Word,
        // `0x1F` is a number the tokenizer reports as a hex string.
        P::HexStringLiteral(_) if first == Some(b'0') => Kind::Number,
        P::SingleQuotedString(_)
        | P::DoubleQuotedString(_)
        | P::TripleSingleQuotedString(_)
        | P::TripleDoubleQuotedString(_)
        | P::DollarQuotedString(_)
        | P::SingleQuotedByteStringLiteral(_)
        | P::DoubleQuotedByteStringLiteral(_)
        | P::TripleSingleQuotedByteStringLiteral(_)
        | P::TripleDoubleQuotedByteStringLiteral(_)
        | P::SingleQuotedRawStringLiteral(_)
        | P::DoubleQuotedRawStringLiteral(_)
        | P::TripleSingleQuotedRawStringLiteral(_)
        | P::TripleDoubleQuotedRawStringLiteral(_)
        | P::NationalStringLiteral(_)
        | P::QuoteDelimitedStringLiteral(_)
        | P::NationalQuoteDelimitedStringLiteral(_)
        | P::EscapedStringLiteral(_)
        | P::UnicodeStringLiteral(_)
        | P::HexStringLiteral(_) => Kind::String,
        P::Number(..) => Kind::Number,
        P::Placeholder(_) => Kind::Placeholder,
        _ => Kind::Punct,
    }
}

/// Turns sqlparser's locations into byte offsets, moving forward only.
///
/// sqlparser counts lines from 1, a new one after each `\n` only (`\r` is an ordinary
/// character, whether alone or before `\n`), and columns from 1 in `char`s.
struct Cursor<'a> {
    /// The text.
    bytes: &'a [u8],
    /// The byte offset reached.
    at: usize,
    /// Its line.
    line: u64,
    /// Its column.
    column: u64,
}

impl<'a> Cursor<'a> {
    /// A cursor at the start of `sql`.
    fn new(sql: &'a str) -> Self {
        Self {
            bytes: sql.as_bytes(),
            at: 0,
            line: 1,
            column: 1,
        }
    }

    /// The offset of `to`, if it is at or after the cursor and within the text.
    fn seek(&mut self, to: Location) -> Option<usize> {
        loop {
            match (self.line, self.column).cmp(&(to.line, to.column)) {
                std::cmp::Ordering::Equal => return Some(self.at),
                std::cmp::Ordering::Greater => return None,
                std::cmp::Ordering::Less => {}
            }
            let b = *self.bytes.get(self.at)?;
            if b == b'\n' {
                self.line += 1;
                self.column = 1;
            } else {
                self.column += 1;
            }
            self.at += match b {
                0xf0.. => 4,
                0xe0.. => 3,
                0xc0.. => 2,
                _ => 1,
            };
        }
    }
}

impl Disagreement {
    /// The refusal for it.
    fn refusal(self, flavor: Flavor, sql: &str) -> Error {
        let db = match flavor {
            Flavor::Postgres => "PostgreSQL",
            Flavor::MySql => "MySQL/MariaDB",
            Flavor::Sqlite => "SQLite",
        };
        let (what, reason) = match self {
            Self::Lex(e) => return e.refusal(),
            Self::Coverage { at } => (
                format!("text the SQL parser could not place, at byte {at}"),
                "the SQL parser's tokens do not cover the statement once and in order, so tenantry cannot tell what it read; rewrite the statement in plain SQL".to_owned(),
            ),
            Self::Database { db: d, parser } => (
                format!("{} at byte {}", describe(d, sql), d.start),
                format!(
                    "{db} reads bytes {}..{} as {}, but the SQL parser reads {}; {}",
                    d.start,
                    d.end,
                    noun(d.kind),
                    parser.map_or_else(|| "them otherwise".to_owned(), reading),
                    advice(d.kind),
                ),
            ),
            Self::Parser { parser: p } => (
                format!("{} at byte {}", describe(p, sql), p.start),
                format!(
                    "the SQL parser reads bytes {}..{} as {}, but {db} does not; {}",
                    p.start,
                    p.end,
                    noun(p.kind),
                    advice(p.kind),
                ),
            ),
        };
        Error::Forbidden { what, reason }
    }
}

/// A phrase naming a token's construct, with a short excerpt.
fn describe(t: Token, sql: &str) -> String {
    let text = t.text(sql);
    let name = match t.kind {
        Kind::Comment if text.starts_with('#') => "a `#` comment",
        Kind::Comment if text.starts_with("--") => "a `--` comment",
        Kind::Comment => "a `/*` comment",
        Kind::QuotedIdent => "a quoted identifier",
        Kind::String if text.starts_with('$') => "a dollar-quoted string",
        Kind::String => match text.as_bytes().first() {
            Some(b'e' | b'E') => "an escape string",
            Some(b'u' | b'U') => "a Unicode string",
            Some(b'b' | b'B') => "a bit or byte string",
            Some(b'x' | b'X') => "a hex string",
            Some(b'n' | b'N') => "a national string",
            Some(b'"') => "a double-quoted string",
            _ => "a string literal",
        },
        _ => "code",
    };
    let mut excerpt = String::new();
    for c in text.chars().take(16) {
        if c.is_control() {
            excerpt.extend(c.escape_default());
        } else {
            excerpt.push(c);
        }
    }
    let more = if text.chars().nth(16).is_some() {
        "…"
    } else {
        ""
    };
    format!("{name} `{excerpt}{more}`")
}

/// A noun phrase for a kind.
fn noun(kind: Kind) -> &'static str {
    match kind {
        Kind::Comment => "a comment",
        Kind::String => "a string literal",
        Kind::QuotedIdent => "a quoted identifier",
        _ => "code",
    }
}

/// How the parser reads a token, as a phrase.
fn reading(p: Token) -> String {
    if p.kind.is_opaque() {
        format!("{} over bytes {}..{}", noun(p.kind), p.start, p.end)
    } else {
        "code there".to_owned()
    }
}

/// What to write instead, for a construct of this kind.
fn advice(kind: Kind) -> &'static str {
    match kind {
        Kind::Comment => {
            "tenantry scopes what the parser reads, so it refuses text the two read differently; drop the comment, or write it as `/* … */` or `-- ` followed by a space"
        }
        Kind::QuotedIdent => {
            "tenantry scopes what the parser reads, so it refuses text the two read differently; quote the name the plain way (`\"name\"`, on MySQL `` `name` ``)"
        }
        _ => {
            "tenantry scopes what the parser reads, so it refuses text the two read differently; bind the value as a parameter instead of writing it into the SQL"
        }
    }
}
