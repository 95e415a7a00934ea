use super::*;

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
