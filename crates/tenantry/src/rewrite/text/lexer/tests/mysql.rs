use super::*;

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
            r#"SELECT 'it''s', 'a\\b', 'x\y', N'x', _utf8mb4'y', X'1f', b'01', '"'"#
        ),
        [
            (S, "'it''s'"),
            (S, r"'a\\b'"),
            (S, r"'x\y'"),
            (S, "N'x'"),
            (S, "'y'"),
            (S, "X'1f'"),
            (S, "b'01'"),
            (S, "'\"'"),
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
            (W, "0x"),
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
    for sql in [r#"SELECT "a""#, r#"SELECT "a\"""#, r#"SELECT ""#] {
        assert_eq!(
            err(my, sql),
            LexError::SettingDependent {
                setting: Setting::AnsiQuotes,
                at: 7
            },
            "{sql}"
        );
    }
    for sql in [r"SELECT 'a\'b'", r"SELECT N'\''", r"SELECT 'a\'"] {
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
