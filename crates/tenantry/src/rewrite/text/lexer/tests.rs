use proptest::prelude::*;

use super::*;
use Kind::{
    Comment as C, Number as Num, Placeholder as P, Punct, QuotedIdent as Q, String as S, Word as W,
};

const ALL: [Flavor; 3] = [Flavor::Postgres, Flavor::MySql, Flavor::Sqlite];

/// The non-whitespace tokens of `sql`, as (kind, text), or the error.
fn toks(flavor: Flavor, sql: &str) -> Result<Vec<(Kind, &str)>, LexError> {
    lex(flavor, sql)
        .filter(|t| !matches!(t, Ok(t) if t.kind == Kind::Whitespace))
        .map(|t| t.map(|t| (t.kind, t.text(sql))))
        .collect()
}

/// The opaque tokens of `sql` (comments, strings, quoted identifiers), as (kind, text).
fn opaque(flavor: Flavor, sql: &str) -> Vec<(Kind, &str)> {
    toks(flavor, sql)
        .unwrap()
        .into_iter()
        .filter(|(k, _)| k.is_opaque())
        .collect()
}

fn err(flavor: Flavor, sql: &str) -> LexError {
    toks(flavor, sql).unwrap_err()
}

#[test]
fn postgres_comments_strings_and_names() {
    let pg = Flavor::Postgres;
    assert_eq!(
        toks(pg, r#"SELECT "a""b", $1 FROM t -- x"#).unwrap(),
        [
            (W, "SELECT"),
            (Q, r#""a""b""#),
            (Punct, ","),
            (P, "$1"),
            (W, "FROM"),
            (W, "t"),
            (C, "-- x"),
        ]
    );
    // `--` ends at `\r` as well as `\n`.
    assert_eq!(
        toks(pg, "SELECT 1 --x\r FROM orders").unwrap(),
        [
            (W, "SELECT"),
            (Num, "1"),
            (C, "--x"),
            (W, "FROM"),
            (W, "orders")
        ]
    );
    // Block comments nest; the operator before one stops at `/*`.
    assert_eq!(
        opaque(pg, "SELECT 1 +/* a /* b */ c */ 2 --+x"),
        [(C, "/* a /* b */ c */"), (C, "--+x")]
    );
    assert_eq!(
        opaque(pg, "/**/ /*/ x */ /* **/"),
        [(C, "/**/"), (C, "/*/ x */"), (C, "/* **/")]
    );
    assert_eq!(
        opaque(
            pg,
            r"SELECT 'it''s', E'a\'b', e'\\', N'x', U&'d\0061t', B'01', X'1F'"
        ),
        [
            (S, "'it''s'"),
            (S, r"E'a\'b'"),
            (S, r"e'\\'"),
            (S, "N'x'"),
            (S, r"U&'d\0061t'"),
            (S, "B'01'"),
            (S, "X'1F'"),
        ]
    );
    // `B''` and `X''` end at the first quote.
    assert_eq!(opaque(pg, "B'01''10'"), [(S, "B'01'"), (S, "'10'")]);
    assert_eq!(
        opaque(pg, r#"SELECT U&"a b", u&"c""#),
        [(Q, r#"U&"a b""#), (Q, r#"u&"c""#)]
    );
    // Dollar quotes, and what is not one.
    assert_eq!(
        opaque(pg, "SELECT $$a'b$$, $tag$ $x$ $ta $tag$, $_1$$_1$, a$b$c"),
        [(S, "$$a'b$$"), (S, "$tag$ $x$ $ta $tag$"), (S, "$_1$$_1$")]
    );
    assert_eq!(
        toks(pg, "$1$ $12a $a b").unwrap(),
        [
            (P, "$1"),
            (Punct, "$"),
            (P, "$12"),
            (W, "a"),
            (Punct, "$"),
            (W, "a"),
            (W, "b")
        ]
    );
    assert_eq!(opaque(pg, "SELECT $é$x$é$"), [(S, "$é$x$é$")]);
    // A string before a non-quote on the next line is not continued.
    assert_eq!(opaque(pg, "SELECT 'a'\n, 'b'"), [(S, "'a'"), (S, "'b'")]);
    // Numbers do not swallow a string prefix.
    assert_eq!(
        toks(pg, "1e'x' 0x1F 0b'1' 1.5e-3 .5 1..2").unwrap(),
        [
            (Num, "1"),
            (S, "e'x'"),
            (Num, "0x1F"),
            (Num, "0"),
            (S, "b'1'"),
            (Num, "1.5e-3"),
            (Num, ".5"),
            (Num, "1"),
            (Punct, "."),
            (Num, ".2"),
        ]
    );
}

#[test]
fn postgres_refusals() {
    let pg = Flavor::Postgres;
    // The end of `'…'` depends on standard_conforming_strings.
    for sql in [r"SELECT 'a\' OR 1=1 --'", r"SELECT 'a\'", r"SELECT N'\''"] {
        assert!(
            matches!(
                err(pg, sql),
                LexError::SettingDependent {
                    setting: Setting::StandardConformingStrings,
                    at: 7
                }
            ),
            "{sql}"
        );
    }
    // ... but not when both readings end at the same quote.
    assert_eq!(
        opaque(pg, r"SELECT 'a\\b', 'x\y'"),
        [(S, r"'a\\b'"), (S, r"'x\y'")]
    );
    for sql in [
        "SELECT 'a'\n'b'",
        "SELECT 'a' -- c\r\n  'b'",
        "SELECT E'a'\n\t'b'",
        "SELECT B'1'\n'0'",
    ] {
        assert!(
            matches!(err(pg, sql), LexError::Continued { at: 7 }),
            "{sql:?}"
        );
    }
    for (sql, what) in [
        ("SELECT 'a", Unclosed::String),
        (r"SELECT E'a\'", Unclosed::String),
        ("SELECT X'1", Unclosed::String),
        (r#"SELECT "a"#, Unclosed::QuotedIdent),
        (r#"SELECT U&"a"#, Unclosed::QuotedIdent),
        ("SELECT $a$ x $a", Unclosed::DollarString),
        ("SELECT /* /* */", Unclosed::BlockComment),
    ] {
        assert_eq!(
            err(pg, sql),
            LexError::Unterminated { what, at: 7 },
            "{sql}"
        );
    }
    assert_eq!(err(pg, "SELECT 1\0"), LexError::Nul { at: 8 });
    assert_eq!(err(pg, "SELECT '\0'"), LexError::Nul { at: 8 });
}

#[test]
fn mysql_comments_strings_and_names() {
    let my = Flavor::MySql;
    assert_eq!(
        toks(my, "SELECT `a``b`, ? FROM t # x\n-- y\n--\t\n--").unwrap(),
        [
            (W, "SELECT"),
            (Q, "`a``b`"),
            (Punct, ","),
            (P, "?"),
            (W, "FROM"),
            (W, "t"),
            (C, "# x"),
            (C, "-- y"),
            (C, "--\t"),
            (C, "--"),
        ]
    );
    // `--` with a control byte after it is a comment; `\r` does not end it.
    assert_eq!(
        opaque(my, "SELECT 1 --\u{1}x\r FROM t\nx"),
        [(C, "--\u{1}x\r FROM t")]
    );
    assert_eq!(opaque(my, "SELECT 1 - -1, 2-1"), []);
    // Block comments do not nest; hints without quotes are comments.
    assert_eq!(
        opaque(my, "SELECT /*+ BKA(t) */ 1 /* a /* b */ c */"),
        [(C, "/*+ BKA(t) */"), (C, "/* a /* b */")]
    );
    assert_eq!(
        opaque(
            my,
            r#"SELECT 'it''s', "a""b", 'a\\b', "\\", N'x', _utf8mb4'y', X'1f', b'01'"#
        ),
        [
            (S, "'it''s'"),
            (S, r#""a""b""#),
            (S, r"'a\\b'"),
            (S, r#""\\""#),
            (S, "N'x'"),
            (S, "'y'"),
            (S, "X'1f'"),
            (S, "b'01'"),
        ]
    );
    // After a `.`, a name: `t.x'41'` is `t`, `.`, `x`, `'41'`.
    assert_eq!(
        toks(my, "t.x'41' `t`.n'a' .b'1' 1.x'41'").unwrap(),
        [
            (W, "t"),
            (Punct, "."),
            (W, "x"),
            (S, "'41'"),
            (Q, "`t`"),
            (Punct, "."),
            (W, "n"),
            (S, "'a'"),
            (Punct, "."),
            (W, "b"),
            (S, "'1'"),
            (Num, "1."),
            (S, "x'41'"),
        ]
    );
    // Names may start with digits; hex and binary numbers.
    assert_eq!(
        toks(my, "1x'41' 1e5 1e-- x\n0x1F 0x'a' 0xg 0X1 1e+").unwrap(),
        [
            (W, "1x"),
            (S, "'41'"),
            (Num, "1e5"),
            (W, "1e"),
            (C, "-- x"),
            (Num, "0x1F"),
            (Num, "0x"),
            (S, "'a'"),
            (W, "0xg"),
            (W, "0X1"),
            (W, "1e"),
            (Punct, "+"),
        ]
    );
    // Variables: the text after `@` is no string prefix.
    assert_eq!(
        toks(my, "@x'41' @'a' @@session.n'b' \\N'c'").unwrap(),
        [
            (W, "@x"),
            (S, "'41'"),
            (Punct, "@"),
            (S, "'a'"),
            (W, "@@session"),
            (Punct, "."),
            (W, "n"),
            (S, "'b'"),
            (W, "\\N"),
            (S, "'c'"),
        ]
    );
    assert_eq!(toks(my, "a[1] [x]").unwrap().len(), 7);
}

#[test]
fn mysql_refusals() {
    let my = Flavor::MySql;
    for (sql, mariadb) in [
        ("SELECT /*! 1 */", false),
        ("SELECT /*!50000 1 */", false),
        ("SELECT /*M! 1 */", true),
        ("SELECT /*M!100101 1 */", true),
    ] {
        assert_eq!(
            err(my, sql),
            LexError::ExecutableComment { mariadb, at: 7 },
            "{sql}"
        );
    }
    assert_eq!(
        err(my, r#"SELECT /*+ BKA("*/ x") */ 1"#),
        LexError::QuotedHint { at: 7 }
    );
    for sql in [
        r"SELECT 'a\'b'",
        r#"SELECT "a\"""#,
        r"SELECT N'\''",
        r"SELECT 'a\'",
    ] {
        assert_eq!(
            err(my, sql),
            LexError::SettingDependent {
                setting: Setting::NoBackslashEscapes,
                at: 7
            },
            "{sql}"
        );
    }
    for sql in ["SELECT --x", "SELECT --\u{a0}", "SELECT --'"] {
        assert_eq!(
            err(my, sql),
            LexError::SettingDependent {
                setting: Setting::OracleMode,
                at: 7
            },
            "{sql}"
        );
    }
    for sql in ["SELECT [a'b]", "SELECT [#]", "SELECT [--]"] {
        assert_eq!(
            err(my, sql),
            LexError::SettingDependent {
                setting: Setting::MssqlMode,
                at: 7
            },
            "{sql}"
        );
    }
    for (sql, what) in [
        ("SELECT 'a", Unclosed::String),
        (r"SELECT 'a\", Unclosed::String),
        ("SELECT `a", Unclosed::QuotedIdent),
        ("SELECT /* a", Unclosed::BlockComment),
        ("SELECT /*/", Unclosed::BlockComment),
    ] {
        assert_eq!(
            err(my, sql),
            LexError::Unterminated { what, at: 7 },
            "{sql}"
        );
    }
    for (sql, what) in [
        ("SELECT X'1'", Malformed::Hex),
        ("SELECT x'1g'", Malformed::Hex),
        ("SELECT X'1", Malformed::Hex),
        ("SELECT b'12'", Malformed::Bits),
    ] {
        assert_eq!(err(my, sql), LexError::Malformed { what, at: 7 }, "{sql}");
    }
}

#[test]
fn sqlite_comments_strings_and_names() {
    let lite = Flavor::Sqlite;
    assert_eq!(
        toks(
            lite,
            r#"SELECT "a""b", `c`, [d"e], x'1F', 'it''s', ?, ?12, :a, @b, $c::d(x'y), #e"#
        )
        .unwrap()
        .into_iter()
        .filter(|(k, _)| *k != Punct)
        .collect::<Vec<_>>(),
        [
            (W, "SELECT"),
            (Q, r#""a""b""#),
            (Q, "`c`"),
            (Q, r#"[d"e]"#),
            (S, "x'1F'"),
            (S, "'it''s'"),
            (P, "?"),
            (P, "?12"),
            (P, ":a"),
            (P, "@b"),
            (P, "$c::d(x'y)"),
            (P, "#e"),
        ]
    );
    // No escapes in strings; `--` to `\n` only; an open `/*` runs to the end.
    assert_eq!(
        opaque(lite, "SELECT 'a\\' --x\r y\n /* a /* b */ /*/ c"),
        [
            (S, "'a\\'"),
            (C, "--x\r y"),
            (C, "/* a /* b */"),
            (C, "/*/ c")
        ]
    );
    assert_eq!(
        toks(lite, "SELECT 1 /*").unwrap().last(),
        Some(&(Punct, "*"))
    );
    assert_eq!(toks(lite, "[a]]").unwrap(), [(Q, "[a]"), (Punct, "]")]);
    assert_eq!(toks(lite, "1.5e3 .5 0x1f 1_000").unwrap().len(), 4);
}

#[test]
fn sqlite_refusals() {
    let lite = Flavor::Sqlite;
    for (sql, what) in [
        ("SELECT 'a", Unclosed::String),
        (r#"SELECT "a"#, Unclosed::QuotedIdent),
        ("SELECT [a", Unclosed::QuotedIdent),
    ] {
        assert_eq!(
            err(lite, sql),
            LexError::Unterminated { what, at: 7 },
            "{sql}"
        );
    }
    for (sql, what) in [
        ("SELECT x'1'", Malformed::Hex),
        ("SELECT x'1g'", Malformed::Hex),
        ("SELECT 1abc", Malformed::Number),
        ("SELECT 0x", Malformed::Number),
        ("SELECT :", Malformed::Parameter),
        ("SELECT @ a", Malformed::Parameter),
        ("SELECT $a(b c)", Malformed::Parameter),
    ] {
        assert_eq!(err(lite, sql), LexError::Malformed { what, at: 7 }, "{sql}");
    }
}

#[test]
fn errors_name_what_and_where() {
    let e = err(Flavor::MySql, "SELECT /*!50000 1 */");
    assert_eq!(e.what(), "an executable comment `/*!…*/` at byte 7");
    assert!(matches!(
        e.refusal(),
        crate::error::Error::Forbidden { what, reason } if what == e.to_string() && reason.contains("run the SQL inside")
    ));
}

/// Checks the invariants every lexing must keep: tokens are non-empty, contiguous from 0, on
/// char boundaries, and cover the text unless lexing stopped with an error.
fn invariants(flavor: Flavor, sql: &str) -> Result<(), TestCaseError> {
    let mut pos = 0;
    let mut failed = false;
    for t in lex(flavor, sql) {
        match t {
            Ok(t) => {
                prop_assert_eq!(t.start, pos);
                prop_assert!(t.end > t.start);
                prop_assert!(sql.is_char_boundary(t.start) && sql.is_char_boundary(t.end));
                prop_assert!(!t.text(sql).is_empty());
                pos = t.end;
            }
            Err(e) => {
                prop_assert!(e.at() <= sql.len());
                prop_assert!(!e.what().is_empty() && !e.reason().is_empty());
                failed = true;
            }
        }
    }
    prop_assert!(
        failed || pos == sql.len(),
        "stopped at {} of {}",
        pos,
        sql.len()
    );
    Ok(())
}

/// SQL-ish text: words, quotes, backslashes, comment starts, line breaks, dollar quotes.
fn sqlish() -> impl Strategy<Value = String> {
    let piece = prop::sample::select(vec![
        "SELECT ", "a", "x", "E", "N", "B", "U&", "$", "$1", "$$", "$t$", "_", "1", "0x", ".", " ",
        "\n", "\r", "\t", "'", "''", "\"", "`", "\\", "[", "]", "--", "-- ", "-", "#", "/*", "*/",
        "*", "/", "/*!", "/*+", "?", ":", "@", "(", ")", ",", ";", "é", "\u{a0}", "\u{1}", "=",
    ]);
    prop::collection::vec(piece, 0..24).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn never_panics_on_any_text(sql in any::<String>()) {
        for flavor in ALL {
            invariants(flavor, &sql)?;
        }
    }

    #[test]
    fn never_panics_on_sql_like_text(sql in sqlish()) {
        for flavor in ALL {
            invariants(flavor, &sql)?;
        }
    }
}
