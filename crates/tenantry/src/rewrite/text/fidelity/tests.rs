use proptest::prelude::*;
use sqlparser::tokenizer::Tokenizer;

use super::*;

const ALL: [Flavor; 3] = [Flavor::Postgres, Flavor::MySql, Flavor::Sqlite];

/// sqlparser's tokens of `sql`, or `None` when its tokenizer refuses the text.
fn tokens(flavor: Flavor, sql: &str) -> Option<Vec<TokenWithSpan>> {
    Tokenizer::new(flavor.dialect(), sql)
        .tokenize_with_location()
        .ok()
}

/// [`check`] on `sql`, which sqlparser must tokenize.
fn run(flavor: Flavor, sql: &str) -> Result<()> {
    let tokens = tokens(flavor, sql).unwrap_or_else(|| panic!("sqlparser refuses {sql:?}"));
    check(flavor, sql, &tokens)
}

fn accepts(flavor: Flavor, sql: &str) {
    if let Err(e) = run(flavor, sql) {
        panic!("{flavor:?} refused {sql:?}: {e}");
    }
}

/// Asserts `sql` is refused with a `what` containing `what`; returns the message.
fn refuses(flavor: Flavor, sql: &str, what: &str) -> String {
    match run(flavor, sql) {
        Ok(()) => panic!("{flavor:?} accepted {sql:?}"),
        Err(Error::Forbidden { what: w, reason }) => {
            assert!(w.contains(what), "{sql:?}: `{w}` lacks `{what}` ({reason})");
            assert!(!reason.is_empty());
            format!("{w}: {reason}")
        }
        Err(e) => panic!("{sql:?}: not a refusal: {e}"),
    }
}

#[test]
fn accepts_ordinary_postgres() {
    for sql in [
        r#"SELECT "orders"."id", "orders"."status" FROM "orders" WHERE "orders"."tenant_id" = $1 AND "orders"."id" IN ($2, $3) ORDER BY "orders"."id" ASC LIMIT $4"#,
        r#"INSERT INTO "orders" ("customer_id", "status") VALUES ($1, $2) RETURNING "id""#,
        r#"UPDATE "orders" SET "status" = $1 WHERE "orders"."id" = $2"#,
        "SELECT 'it''s' -- a comment\n FROM t",
        "SELECT 1 /* a /* nested */ comment */ FROM t",
        "SELECT $$a'b$$, $tag$ x $tag$, $1 FROM t",
        r"SELECT E'a\'b', e'\\', U&'d\0061t', B'101', X'1F', N'x'",
        r#"SELECT "a""b", U&'x' FROM "t""#,
        r"SELECT 'a\\b', 'x\y'",
        "SELECT 1::text, a->>'k', a @> '{}' FROM t",
        "SELECT 'a' || 'b', 1 - -1, 2--x\n",
        // PostgreSQL ends a `--` comment at `\r`, and so does sqlparser 0.63 for PostgreSQL.
        "SELECT 1 --x\r FROM orders",
        "SELECT 1 --x\r\n FROM orders",
        "SELECT 'a'\n, 'b'",
        "SELECT 0x1F, 1e5, .5, 1_000",
        "",
    ] {
        accepts(Flavor::Postgres, sql);
    }
}

#[test]
fn accepts_ordinary_mysql() {
    for sql in [
        "SELECT `orders`.`id`, `orders`.`status` FROM `orders` WHERE `orders`.`tenant_id` = ? AND `orders`.`id` IN (?, ?) LIMIT ?",
        "INSERT INTO `orders` (`customer_id`, `status`) VALUES (?, ?)",
        "SELECT 'it''s', 'a\"b', 'a\\\\b' # a comment\n FROM t",
        "SELECT 1 -- a comment\n, 2 /* block */ FROM t",
        "SELECT x'1F', b'01', N'x', _utf8mb4'y', `a``b`",
        "SELECT @a, @@session.sql_mode, 1 - -1",
        "SELECT /*+ MAX_EXECUTION_TIME(1000) */ 1",
        "SELECT 1 --\tx\r FROM t\n",
        "SELECT 0x1F, 1e5",
    ] {
        accepts(Flavor::MySql, sql);
    }
}

#[test]
fn accepts_ordinary_sqlite() {
    for sql in [
        r#"SELECT "orders"."id" FROM "orders" WHERE "orders"."tenant_id" = ? AND "orders"."id" IN (?, ?) LIMIT ?"#,
        r#"INSERT INTO "orders" ("customer_id", "status") VALUES (?, ?) RETURNING "id""#,
        "SELECT 'it''s', 'a\\' -- a comment\n FROM t",
        "SELECT [a b], `c`, x'1f', ?1, :a, @b, $c FROM t /* block */",
        "SELECT 1 --x\r FROM t\n",
    ] {
        accepts(Flavor::Sqlite, sql);
    }
}

#[test]
fn refuses_mysql_executable_comments() {
    let my = Flavor::MySql;
    let m = refuses(
        my,
        "SELECT * FROM t /*! UNION SELECT * FROM orders */",
        "an executable comment `/*!…*/`",
    );
    assert!(
        m.contains("write the SQL without the comment markers"),
        "{m}"
    );
    refuses(my, "SELECT 1 /*!50000 , secret */", "`/*!…*/` at byte 9");
    refuses(my, "SELECT 1 /*M! , secret */", "`/*M!…*/`");
    refuses(my, "SELECT 1 /*M!100101 , secret */", "`/*M!…*/`");
    refuses(my, "SELECT 1 /*!*/", "`/*!…*/`");
}

#[test]
fn refuses_mysql_lexical_ambiguities() {
    let my = Flavor::MySql;
    // The string's end depends on NO_BACKSLASH_ESCAPES.
    let m = refuses(
        my,
        r"SELECT * FROM t WHERE a = 'x\' OR 1=1 -- '",
        "depends on `NO_BACKSLASH_ESCAPES`",
    );
    assert!(m.contains("bind the value as a parameter"), "{m}");
    refuses(my, r"SELECT 'a\'b'", "`NO_BACKSLASH_ESCAPES`");
    // `"…"` is a string, or a column under ANSI_QUOTES.
    let m = refuses(
        my,
        r#"UPDATE t SET tenant_id = "t1" WHERE id = 1"#,
        "a double-quoted string at byte 25",
    );
    assert!(m.contains("names in backticks"), "{m}");
    // A `--` comment needs a space after it; sqlparser takes any Unicode space, MySQL only
    // ASCII ones and control bytes.
    refuses(my, "SELECT 1 --x", "a `--` not followed by a space");
    let m = refuses(
        my,
        "SELECT 1 --\u{1} FROM t",
        "a `--` comment `--\\u{1} FROM t` at byte 9",
    );
    assert!(
        m.contains(
            "MySQL/MariaDB reads bytes 9..19 as a comment, but the SQL parser reads code there"
        ),
        "{m}"
    );
    refuses(my, "SELECT 1 --", "a `--` comment");
    // A name after `.` takes no string prefix in MySQL.
    refuses(
        my,
        "SELECT t.x'41' FROM t",
        "a hex string `x'41'` at byte 9",
    );
    refuses(my, "SELECT 1.x'41'", "a hex string `x'41'`");
    refuses(my, "SELECT b\"01\"", "a double-quoted string");
    refuses(
        my,
        r#"SELECT /*+ BKA("*/ 1, "x") */ 1"#,
        "an optimizer hint",
    );
    refuses(
        my,
        "SELECT [a'], (SELECT secret FROM other) -- '] FROM t",
        "a `[…]` holding a quote",
    );
    refuses(my, "SELECT 1\0", "a NUL byte at byte 8");
}

#[test]
fn refuses_postgres_lexical_ambiguities() {
    let pg = Flavor::Postgres;
    let m = refuses(
        pg,
        r"SELECT * FROM t WHERE a = 'x\' OR 1=1 --'",
        "depends on `standard_conforming_strings`",
    );
    assert!(m.contains("`E'…'`"), "{m}");
    refuses(pg, "SELECT 'a'\n'b'", "continued across a line break");
    refuses(
        pg,
        "SELECT 'a' -- x\n'b' FROM t",
        "continued across a line break",
    );
    // sqlparser reads an operator through `--` or `/*`; PostgreSQL ends it there.
    refuses(
        pg,
        "SELECT 1 @-- x\n FROM t",
        "a `--` comment `-- x` at byte 10",
    );
    refuses(pg, "SELECT 1 ~-- x\n", "a `--` comment");
    refuses(pg, "SELECT 'a' ||/* x */ 'b'", "a `/*` comment");
    // A dollar tag may not start with a digit: `$1` is a parameter.
    let m = refuses(
        pg,
        "SELECT $1$ FROM t $1$",
        "a dollar-quoted string `$1$ FROM t $1$`",
    );
    assert!(
        m.contains("the SQL parser reads bytes 7..21 as a string literal, but PostgreSQL does not"),
        "{m}"
    );
    // sqlparser reads `X'…'` with backslash escapes and `B'…'` with doubled quotes.
    refuses(pg, r"SELECT X'\' FROM t --'", "a hex string");
    refuses(pg, "SELECT B'01''10'", "a bit or byte string");
    refuses(pg, r#"SELECT U&"a" FROM t"#, "a quoted identifier");
    // Tags may hold any byte ≥ 0x80 for PostgreSQL, only alphanumeric characters for sqlparser.
    accepts(pg, "SELECT $é$ x $é$");
    refuses(pg, "SELECT $€$ x $€$", "a dollar-quoted string");
}

#[test]
fn refuses_sqlite_lexical_ambiguities() {
    let lite = Flavor::Sqlite;
    // SQLite reads the quote into a Tcl-style parameter name; sqlparser starts a string.
    refuses(
        lite,
        "SELECT $a(') FROM orders --'",
        "a string literal `') FROM orders -…`",
    );
    // `]]` does not escape `]` in SQLite.
    refuses(lite, "SELECT [a]]b]", "a quoted identifier");
    refuses(lite, "SELECT 1abc", "a number run into letters");
    refuses(lite, "SELECT x'1'", "a hex literal");
}

#[test]
fn refuses_tokens_that_do_not_cover_the_text() {
    let sql = "SELECT 1";
    let mut tokens = tokens(Flavor::Postgres, sql).unwrap();
    let last = tokens.pop().unwrap();
    assert!(check(Flavor::Postgres, sql, &tokens).is_err());
    tokens.push(last.clone());
    tokens.push(last);
    assert!(check(Flavor::Postgres, sql, &tokens).is_err());
    assert!(check(Flavor::Postgres, sql, &[]).is_err());
    assert!(check(Flavor::Postgres, "", &[]).is_ok());
}

#[test]
fn maps_locations_to_bytes() {
    // Lines start after `\n` only; columns count characters; `\r` is a character.
    let sql = "aé\r\nb\rc€\n";
    let mut cursor = Cursor::new(sql);
    for (line, column, byte) in [
        (1, 1, 0),
        (1, 2, 1),
        (1, 3, 3),
        (1, 4, 4),
        (2, 1, 5),
        (2, 3, 7),
        (2, 4, 8),
        (2, 5, 11),
        (3, 1, 12),
    ] {
        assert_eq!(
            cursor.seek(Location::new(line, column)),
            Some(byte),
            "{line}:{column}"
        );
    }
    assert_eq!(cursor.seek(Location::new(1, 1)), None);
    assert_eq!(Cursor::new(sql).seek(Location::new(3, 2)), None);
    // The tokenizer agrees.
    let tokens = tokens(Flavor::Postgres, sql).unwrap();
    let starts: Vec<usize> = tokens
        .iter()
        .map(|t| Cursor::new(sql).seek(t.span.start).unwrap())
        .collect();
    assert_eq!(starts, [0, 3, 5, 6, 7, 11]);
}

/// The byte offset of a sqlparser location, computed the plain way.
fn offset(sql: &str, at: Location) -> Option<usize> {
    let (mut line, mut column) = (1, 1);
    for (i, c) in sql.char_indices().chain(std::iter::once((sql.len(), ' '))) {
        if (line, column) == (at.line, at.column) {
            return Some(i);
        }
        if c == '\n' {
            line += 1;
            column = 1;
        } else {
            column += 1;
        }
    }
    None
}

/// SQL-ish text: words, quotes, backslashes, comment starts, line breaks, dollar quotes.
fn sqlish() -> impl Strategy<Value = String> {
    let piece = prop::sample::select(vec![
        "SELECT ", "a", "x", "E", "N", "B", "U&", "$", "$1", "$$", "$t$", "_", "1", "0x", ".", " ",
        "\n", "\r", "\t", "'", "''", "\"", "`", "\\", "[", "]", "--", "-- ", "-", "#", "/*", "*/",
        "*", "/", "/*!", "/*+", "?", ":", "@", "~", "|", "(", ")", ",", "é", "\u{a0}", "\u{1}",
        "=",
    ]);
    prop::collection::vec(piece, 0..20).prop_map(|v| v.concat())
}

/// Whenever [`check`] accepts, the database's opaque regions are the parser's.
fn agrees(flavor: Flavor, sql: &str) -> Result<(), TestCaseError> {
    let Some(tokens) = tokens(flavor, sql) else {
        return Ok(());
    };
    if check(flavor, sql, &tokens).is_err() {
        return Ok(());
    }
    let parser: Vec<(Kind, usize, usize)> = tokens
        .iter()
        .filter_map(|t| {
            let start = offset(sql, t.span.start)?;
            let k = kind(&t.token, sql.as_bytes().get(start).copied());
            k.is_opaque()
                .then(|| Some((k, start, offset(sql, t.span.end)?)))
                .flatten()
        })
        .collect();
    let db: Vec<(Kind, usize, usize)> = lexer::lex(flavor, sql)
        .map(|t| t.map(|t| (t.kind, t.start, t.end)))
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(|e| TestCaseError::fail(format!("accepted a text the lexer refuses: {e}")))?
        .into_iter()
        .filter(|t| t.0.is_opaque())
        .collect();
    prop_assert_eq!(db, parser, "{:?}", sql);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1024))]

    #[test]
    fn accepted_texts_agree_on_sql_like_text(sql in sqlish()) {
        for flavor in ALL {
            agrees(flavor, &sql)?;
        }
    }

    #[test]
    fn accepted_texts_agree_on_any_text(sql in any::<String>()) {
        for flavor in ALL {
            agrees(flavor, &sql)?;
        }
    }
}

#[test]
#[ignore = "timing: cargo test --release -- --ignored --nocapture"]
fn timing() {
    let texts = [
        (
            Flavor::Postgres,
            r#"SELECT "orders"."id", "orders"."status" FROM "orders" WHERE "orders"."id" IN ($1, $2, $3, $4) AND "orders"."note" = 'it''s' -- c"#,
        ),
        (
            Flavor::MySql,
            "SELECT `orders`.`id`, `orders`.`status` FROM `orders` WHERE `orders`.`id` IN (?, ?, ?, ?) AND `orders`.`note` = 'it''s' # c",
        ),
    ];
    let cases: Vec<_> = texts
        .iter()
        .map(|(f, s)| (*f, *s, tokens(*f, s).unwrap()))
        .collect();
    let per = crate::rewrite::timing::per_call(100_000, &cases, |(flavor, sql, tokens)| {
        check(*flavor, sql, tokens).unwrap();
    });
    eprintln!("fidelity::check: {per:?} per text");
}
