use super::*;

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
