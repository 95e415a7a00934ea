//! MySQL's and MariaDB's lexical rules (`sql/sql_lex.cc`).
//!
//! - `#` comments, and `--` comments when the dashes are followed by a space or a control
//!   byte (or the end of the text), end before `\n`. A `--` followed by anything else is two
//!   minus signs to MySQL but a comment to MariaDB under `sql_mode=ORACLE`: refused.
//! - `/* */` comments do not nest. `/*!…*/`, `/*!NNNNN…*/` and MariaDB's `/*M!…*/` are run
//!   as SQL: refused. An optimizer hint `/*+…*/` holding a quote is refused (MySQL's hint
//!   scanner skips quoted text, `*/` included).
//! - `'…'` and `N'…'` strings double their quote and take backslash escapes unless
//!   `NO_BACKSLASH_ESCAPES` is set: a string whose end differs between the two is refused.
//! - `"…"` is a string too, except under `ANSI_QUOTES`, where it is an identifier: refused,
//!   as the SQL parser reads a string where the server may read a column
//!   (`SET tenant_id = "t1"`).
//! - `` `…` `` identifiers double the backtick. `X'…'` holds an even number of hex digits,
//!   `B'…'` binary digits; anything else is refused.
//! - Identifiers are letters, digits, `_`, `$` and bytes ≥ 0x80, and may start with a digit
//!   (`1x` is a name, `1e5` a number, `0x1F` and `0b01` numbers, `0x` a name). After a `.`
//!   followed by a name byte, the next token is a plain name: `t.x'41'` is `t`, `.`, `x`,
//!   `'41'`.
//! - `@name`, `@'name'`, `@@name`: user and system variables. `?` is a placeholder. `\N` is
//!   MariaDB's `NULL`.
//! - MariaDB under `sql_mode=MSSQL` reads `[…]` as an identifier (to the first `]`): a `[`
//!   whose bracketed text holds a quote or a comment start is refused.

use super::{
    Kind, LexError, Malformed, Scanned, Setting, Unclosed, at, both_ways, closed, doubled,
    find_end, is_space, line_comment, run, spaces,
};

/// What the scanner knows about the previous token.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Context {
    /// Nothing that matters.
    Start,
    /// An unquoted name just ended: a `.` right after it separates the next name.
    AfterName,
    /// A `.` separating names: a name byte here starts a plain name.
    AfterSeparator,
}

/// Bytes of unquoted names.
fn name_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c == b'$' || c >= 0x80
}

/// The token starting at `i`; `ctx` carries what the previous token leaves.
pub(super) fn token(b: &[u8], i: usize, ctx: &mut Context) -> Scanned {
    let before = std::mem::replace(ctx, Context::Start);
    let c = at(b, i);
    let next = at(b, i + 1);
    if before == Context::AfterSeparator && name_byte(c) {
        *ctx = Context::AfterName;
        return Ok((Kind::Word, run(b, i, name_byte)));
    }
    match c {
        c if is_space(c) => Ok((Kind::Whitespace, spaces(b, i))),
        b'-' if next == b'-' => {
            let after = at(b, i + 2);
            if after <= b' ' || after == 0x7f {
                Ok((Kind::Comment, line_comment(b, i, false)))
            } else {
                Err(LexError::SettingDependent {
                    setting: Setting::OracleMode,
                    at: i,
                })
            }
        }
        b'#' => Ok((Kind::Comment, line_comment(b, i, false))),
        b'/' if next == b'*' => comment(b, i),
        b'\'' => both_ways(b, i, i, Setting::NoBackslashEscapes),
        b'"' => Err(LexError::SettingDependent {
            setting: Setting::AnsiQuotes,
            at: i,
        }),
        b'n' | b'N' if next == b'\'' => both_ways(b, i, i + 1, Setting::NoBackslashEscapes),
        b'x' | b'X' if next == b'\'' => digits_literal(b, i, Malformed::Hex),
        b'b' | b'B' if next == b'\'' => digits_literal(b, i, Malformed::Bits),
        b'`' => closed(
            doubled(b, i, b'`'),
            Kind::QuotedIdent,
            Unclosed::QuotedIdent,
            i,
        ),
        b'@' => Ok(variable(b, i, ctx)),
        b'?' => Ok((Kind::Placeholder, i + 1)),
        b'\\' if next == b'N' => Ok((Kind::Word, i + 2)),
        b'[' => bracket(b, i),
        b'.' if next.is_ascii_digit() && before != Context::AfterName => {
            Ok((Kind::Number, fraction(b, i)))
        }
        b'.' => {
            if name_byte(next) {
                *ctx = Context::AfterSeparator;
            }
            Ok((Kind::Punct, i + 1))
        }
        c if c.is_ascii_digit() => Ok(number_or_name(b, i, ctx)),
        c if name_byte(c) => {
            *ctx = Context::AfterName;
            Ok((Kind::Word, run(b, i + 1, name_byte)))
        }
        _ => Ok((Kind::Punct, i + 1)),
    }
}

/// A `/*` comment at `i`.
fn comment(b: &[u8], i: usize) -> Scanned {
    let third = at(b, i + 2);
    if third == b'!' || (third == b'M' && at(b, i + 3) == b'!') {
        return Err(LexError::ExecutableComment {
            mariadb: third == b'M',
            at: i,
        });
    }
    let end = find_end(b, i + 2, b"*/").ok_or(LexError::Unterminated {
        what: Unclosed::BlockComment,
        at: i,
    })?;
    let body = b.get(i + 2..end).unwrap_or_default();
    if third == b'+' && body.iter().any(|c| matches!(c, b'\'' | b'"' | b'`')) {
        return Err(LexError::QuotedHint { at: i });
    }
    Ok((Kind::Comment, end))
}

/// A `[` at `i`: code, unless the text up to the next `]` holds what would start a string,
/// identifier or comment (under MariaDB's `sql_mode=MSSQL` it is all one identifier).
fn bracket(b: &[u8], i: usize) -> Scanned {
    let Some(end) = find_end(b, i + 1, b"]") else {
        return Ok((Kind::Punct, i + 1));
    };
    let inside = b.get(i + 1..end).unwrap_or_default();
    let opens = inside.iter().enumerate().any(|(k, &c)| {
        let next = inside.get(k + 1).copied().unwrap_or(0);
        matches!(c, b'\'' | b'"' | b'`' | b'#')
            || (c == b'-' && next == b'-')
            || (c == b'/' && next == b'*')
    });
    if opens {
        return Err(LexError::SettingDependent {
            setting: Setting::MssqlMode,
            at: i,
        });
    }
    Ok((Kind::Punct, i + 1))
}

/// `X'…'` (hex digits, an even number of them) or `B'…'` (binary digits) at `i`.
fn digits_literal(b: &[u8], i: usize, what: Malformed) -> Scanned {
    let end = match what {
        Malformed::Bits => run(b, i + 2, |c| c == b'0' || c == b'1'),
        _ => run(b, i + 2, |c| c.is_ascii_hexdigit()),
    };
    let odd = what == Malformed::Hex && (end - (i + 2)) % 2 == 1;
    if at(b, end) != b'\'' || odd {
        return Err(LexError::Malformed { what, at: i });
    }
    Ok((Kind::String, end + 1))
}

/// `@` at `i`: before a quote, the `@` alone (the quoted name follows); else a user variable
/// or host name `@name`, or a system variable `@@name`.
fn variable(b: &[u8], i: usize, ctx: &mut Context) -> (Kind, usize) {
    let next = at(b, i + 1);
    if matches!(next, b'\'' | b'"' | b'`') {
        return (Kind::Punct, i + 1);
    }
    if next == b'@' {
        if at(b, i + 2) == b'`' {
            return (Kind::Punct, i + 2);
        }
        *ctx = Context::AfterName;
        return (Kind::Word, run(b, i + 2, name_byte));
    }
    (
        Kind::Word,
        run(b, i + 1, |c| {
            c.is_ascii_alphanumeric() || matches!(c, b'.' | b'_' | b'$')
        }),
    )
}

/// A token starting with a digit at `i`: `0x…`/`0b…` numbers, decimal numbers, or names that
/// start with digits.
fn number_or_name(b: &[u8], i: usize, ctx: &mut Context) -> (Kind, usize) {
    let name = |ctx: &mut Context, from: usize| {
        *ctx = Context::AfterName;
        (Kind::Word, run(b, from, name_byte))
    };
    if at(b, i) == b'0' && matches!(at(b, i + 1), b'x' | b'b') {
        let end = if at(b, i + 1) == b'x' {
            run(b, i + 2, |c| c.is_ascii_hexdigit())
        } else {
            run(b, i + 2, |c| c == b'0' || c == b'1')
        };
        // `0x` and `0b` with no digits are names (MariaDB: "Unknown column '0x'").
        return if end == i + 2 || name_byte(at(b, end)) {
            name(ctx, end)
        } else {
            (Kind::Number, end)
        };
    }
    let end = run(b, i, |c| c.is_ascii_digit());
    let c = at(b, end);
    if !name_byte(c) {
        return if c == b'.' {
            (Kind::Number, fraction(b, end))
        } else {
            (Kind::Number, end)
        };
    }
    if matches!(c, b'e' | b'E') {
        let sign = usize::from(matches!(at(b, end + 1), b'+' | b'-'));
        if at(b, end + 1 + sign).is_ascii_digit() {
            return (Kind::Number, run(b, end + 1 + sign, |c| c.is_ascii_digit()));
        }
    }
    name(ctx, end)
}

/// The end of a number's `.` and what follows it (digits, an exponent), from the `.` at `i`.
fn fraction(b: &[u8], i: usize) -> usize {
    let end = run(b, i + 1, |c| c.is_ascii_digit());
    if matches!(at(b, end), b'e' | b'E') {
        let sign = usize::from(matches!(at(b, end + 1), b'+' | b'-'));
        if at(b, end + 1 + sign).is_ascii_digit() {
            return run(b, end + 1 + sign, |c| c.is_ascii_digit());
        }
    }
    end
}
