//! SQLite's lexical rules (`src/tokenize.c`, `sqlite3GetToken`).
//!
//! - `--` comments end before `\n`. `/* */` comments do not nest, and one left open runs to
//!   the end of the text; a `/*` that ends the text is `/` and `*`.
//! - `'…'` strings, `"…"` and `` `…` `` identifiers double their quote; nothing else is
//!   special in them. `[…]` identifiers end at the first `]`.
//! - `x'…'` blobs hold an even number of hex digits.
//! - Placeholders: `?` and `?NNN`; `:name`, `@name`, `$name`, `#name`, where a name is
//!   letters, digits, `_`, `$` and bytes ≥ 0x80, may hold `::`, and may end in a Tcl-style
//!   `(…)` running to the first `)` (or whitespace: then it is refused).
//! - Numbers (`1`, `1.5`, `.5`, `1e5`, `0x1F`, `_` between digits) may not run into name
//!   bytes (`1abc` is refused).

use super::{
    Kind, LexError, Malformed, Scanned, Unclosed, at, closed, doubled, find_end, is_space,
    line_comment, run, spaces,
};

/// Bytes of names (`IdChar`).
fn name_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c == b'$' || c >= 0x80
}

/// The token starting at `i`.
pub(super) fn token(b: &[u8], i: usize) -> Scanned {
    let c = at(b, i);
    let next = at(b, i + 1);
    match c {
        c if is_space(c) => Ok((Kind::Whitespace, spaces(b, i))),
        b'-' if next == b'-' => Ok((Kind::Comment, line_comment(b, i, false))),
        b'/' if next == b'*' && i + 2 < b.len() => {
            Ok((Kind::Comment, find_end(b, i + 2, b"*/").unwrap_or(b.len())))
        }
        b'\'' => closed(doubled(b, i, b'\''), Kind::String, Unclosed::String, i),
        b'"' | b'`' => closed(
            doubled(b, i, c),
            Kind::QuotedIdent,
            Unclosed::QuotedIdent,
            i,
        ),
        b'[' => closed(
            find_end(b, i + 1, b"]"),
            Kind::QuotedIdent,
            Unclosed::QuotedIdent,
            i,
        ),
        b'x' | b'X' if next == b'\'' => blob(b, i),
        b'?' => Ok((Kind::Placeholder, run(b, i + 1, |c| c.is_ascii_digit()))),
        b'$' | b'@' | b':' | b'#' => variable(b, i),
        c if c.is_ascii_digit() || (c == b'.' && next.is_ascii_digit()) => number(b, i),
        c if name_byte(c) => Ok((Kind::Word, run(b, i + 1, name_byte))),
        _ => Ok((Kind::Punct, i + 1)),
    }
}

/// A blob `x'…'` at `i`.
fn blob(b: &[u8], i: usize) -> Scanned {
    let end = run(b, i + 2, |c| c.is_ascii_hexdigit());
    if at(b, end) != b'\'' || (end - (i + 2)) % 2 == 1 {
        return Err(LexError::Malformed {
            what: Malformed::Hex,
            at: i,
        });
    }
    Ok((Kind::String, end + 1))
}

/// A named parameter at `i`: the marker, a name (with `::` allowed), and an optional `(…)`.
fn variable(b: &[u8], i: usize) -> Scanned {
    let bad = Err(LexError::Malformed {
        what: Malformed::Parameter,
        at: i,
    });
    let mut j = i + 1;
    let mut named = false;
    loop {
        let c = at(b, j);
        if name_byte(c) {
            named = true;
            j += 1;
        } else if c == b'(' && named {
            let close = run(b, j + 1, |c| c != b')' && !is_space(c));
            return if at(b, close) == b')' {
                Ok((Kind::Placeholder, close + 1))
            } else {
                bad
            };
        } else if c == b':' && at(b, j + 1) == b':' {
            j += 2;
        } else {
            break;
        }
    }
    if named {
        Ok((Kind::Placeholder, j))
    } else {
        bad
    }
}

/// A number at `i`; refused when it runs into name bytes.
fn number(b: &[u8], i: usize) -> Scanned {
    let digits = |from: usize, hex: bool| {
        run(b, from, |c| {
            c == b'_'
                || if hex {
                    c.is_ascii_hexdigit()
                } else {
                    c.is_ascii_digit()
                }
        })
    };
    let mut j;
    if at(b, i) == b'0' && matches!(at(b, i + 1), b'x' | b'X') && at(b, i + 2).is_ascii_hexdigit() {
        j = digits(i + 2, true);
    } else {
        j = digits(i, false);
        if at(b, j) == b'.' {
            j = digits(j + 1, false);
        }
        if matches!(at(b, j), b'e' | b'E') {
            let sign = usize::from(matches!(at(b, j + 1), b'+' | b'-'));
            if at(b, j + 1 + sign).is_ascii_digit() {
                j = digits(j + 1 + sign, false);
            }
        }
    }
    if name_byte(at(b, j)) {
        return Err(LexError::Malformed {
            what: Malformed::Number,
            at: i,
        });
    }
    Ok((Kind::Number, j))
}
