//! PostgreSQL's lexical rules (`src/backend/parser/scan.l`).
//!
//! - `--` comments end before `\n` or `\r`; `/* */` comments nest.
//! - `'…'` and `N'…'`: a doubled quote is a quote; backslashes escape only when
//!   `standard_conforming_strings` is off, so a string whose end differs between the two
//!   readings is refused. `E'…'` always takes backslash escapes; `U&'…'` never.
//! - `B'…'` and `X'…'` end at the first quote (no doubling).
//! - Two string constants separated by whitespace holding a line break (and `--` comments)
//!   are one constant: refused, as the SQL parser reads two.
//! - `"…"` and `U&"…"` identifiers double their quote.
//! - `$tag$…$tag$` strings (the tag: letters, digits, `_`, bytes ≥ 0x80, not starting with a
//!   digit) end at the first copy of the opening delimiter; `$1` is a parameter.
//! - Identifiers start with a letter, `_` or a byte ≥ 0x80 and go on with those, digits
//!   and `$`.

use super::{
    Kind, LexError, Scanned, Setting, Unclosed, at, block_comment, both_ways, closed, doubled,
    escaped, find_end, is_space, line_comment, run, spaces,
};

/// Bytes that may start an identifier or a dollar-quote tag.
fn ident_start(c: u8) -> bool {
    c.is_ascii_alphabetic() || c == b'_' || c >= 0x80
}

/// Bytes that may continue an identifier.
fn ident_cont(c: u8) -> bool {
    ident_start(c) || c.is_ascii_digit() || c == b'$'
}

/// The token starting at `i`.
pub(super) fn token(b: &[u8], i: usize) -> Scanned {
    let c = at(b, i);
    let next = at(b, i + 1);
    match c {
        c if is_space(c) => Ok((Kind::Whitespace, spaces(b, i))),
        b'-' if next == b'-' => Ok((Kind::Comment, line_comment(b, i, true))),
        b'/' if next == b'*' => closed(
            block_comment(b, i, true),
            Kind::Comment,
            Unclosed::BlockComment,
            i,
        ),
        b'\'' => string(b, i, i, Standard::Conforming),
        b'e' | b'E' if next == b'\'' => string(b, i, i + 1, Standard::Escape),
        b'n' | b'N' if next == b'\'' => string(b, i, i + 1, Standard::Conforming),
        b'b' | b'B' | b'x' | b'X' if next == b'\'' => string(b, i, i + 1, Standard::Bits),
        b'u' | b'U' if next == b'&' && at(b, i + 2) == b'\'' => {
            string(b, i, i + 2, Standard::Unicode)
        }
        b'u' | b'U' if next == b'&' && at(b, i + 2) == b'"' => closed(
            doubled(b, i + 2, b'"'),
            Kind::QuotedIdent,
            Unclosed::QuotedIdent,
            i,
        ),
        b'"' => closed(
            doubled(b, i, b'"'),
            Kind::QuotedIdent,
            Unclosed::QuotedIdent,
            i,
        ),
        b'$' => dollar(b, i),
        c if ident_start(c) => Ok((Kind::Word, run(b, i + 1, ident_cont))),
        c if c.is_ascii_digit() || (c == b'.' && next.is_ascii_digit()) => {
            Ok((Kind::Number, number(b, i)))
        }
        _ => Ok((Kind::Punct, i + 1)),
    }
}

/// How the body of a quoted string constant is read.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Standard {
    /// `'…'`, `N'…'`: doubled quotes, and backslash escapes when `standard_conforming_strings`
    /// is off.
    Conforming,
    /// `E'…'`: doubled quotes and backslash escapes.
    Escape,
    /// `U&'…'`: doubled quotes only.
    Unicode,
    /// `B'…'`, `X'…'`: up to the first quote.
    Bits,
}

/// A string constant starting at `start` whose opening quote is at `quote`.
fn string(b: &[u8], start: usize, quote: usize, standard: Standard) -> Scanned {
    let (kind, end) = match standard {
        Standard::Conforming => both_ways(b, start, quote, Setting::StandardConformingStrings)?,
        Standard::Escape => closed(
            escaped(b, quote, b'\''),
            Kind::String,
            Unclosed::String,
            start,
        )?,
        Standard::Unicode => closed(
            doubled(b, quote, b'\''),
            Kind::String,
            Unclosed::String,
            start,
        )?,
        Standard::Bits => closed(
            find_end(b, quote + 1, b"'"),
            Kind::String,
            Unclosed::String,
            start,
        )?,
    };
    if continues(b, end) {
        return Err(LexError::Continued { at: start });
    }
    Ok((kind, end))
}

/// Whether a string constant ending at `i` is continued by another: only whitespace and `--`
/// comments, at least one line break among them, then a quote.
fn continues(b: &[u8], mut i: usize) -> bool {
    let mut newline = false;
    loop {
        match at(b, i) {
            b'\n' | b'\r' => {
                newline = true;
                i += 1;
            }
            c if is_space(c) => i += 1,
            b'-' if at(b, i + 1) == b'-' => i = line_comment(b, i, true),
            b'\'' => return newline,
            _ => return false,
        }
    }
}

/// A token starting with `$`: a parameter `$n`, a dollar-quoted string, or a lone `$`.
fn dollar(b: &[u8], i: usize) -> Scanned {
    let next = at(b, i + 1);
    if next.is_ascii_digit() {
        return Ok((Kind::Placeholder, run(b, i + 1, |c| c.is_ascii_digit())));
    }
    let tag_end = if ident_start(next) {
        run(b, i + 2, |c| ident_start(c) || c.is_ascii_digit())
    } else {
        i + 1
    };
    if at(b, tag_end) != b'$' {
        return Ok((Kind::Punct, i + 1));
    }
    let delimiter = b.get(i..=tag_end).unwrap_or_default();
    closed(
        find_end(b, tag_end + 1, delimiter),
        Kind::String,
        Unclosed::DollarString,
        i,
    )
}

/// The end of a number starting at `i`: decimal with optional fraction and exponent, or
/// `0x`/`0o`/`0b` integers; `_` between digits.
fn number(b: &[u8], i: usize) -> usize {
    let digits = |from: usize, radix: u32| {
        let mut j = from;
        loop {
            let c = at(b, j);
            let d = |c: u8| char::from(c).is_digit(radix);
            if d(c) {
                j += 1;
            } else if c == b'_' && j > from && d(at(b, j + 1)) {
                j += 2;
            } else {
                return j;
            }
        }
    };
    if at(b, i) == b'0' {
        let radix = match at(b, i + 1) {
            b'x' | b'X' => 16,
            b'o' | b'O' => 8,
            b'b' | b'B' => 2,
            _ => 10,
        };
        if radix != 10 {
            let first = if at(b, i + 2) == b'_' { i + 3 } else { i + 2 };
            if char::from(at(b, first)).is_digit(radix) {
                return digits(first, radix);
            }
        }
    }
    let mut j = digits(i, 10);
    if at(b, j) == b'.' && at(b, j + 1) != b'.' {
        j = digits(j + 1, 10);
    }
    if matches!(at(b, j), b'e' | b'E') {
        let sign = usize::from(matches!(at(b, j + 1), b'+' | b'-'));
        if at(b, j + 1 + sign).is_ascii_digit() {
            j = digits(j + 1 + sign, 10);
        }
    }
    j
}
