use proptest::prelude::*;

use super::*;
use Kind::{
    Comment as C, Number as Num, Placeholder as P, Punct, QuotedIdent as Q, String as S, Word as W,
};

mod mysql;
mod postgres;
mod sqlite;

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

#[test]
#[ignore = "timing: cargo test --release -- --ignored --nocapture"]
fn timing() {
    let texts = [
        (
            Flavor::Postgres,
            r#"INSERT INTO "orders" ("customer_id", "status", "total") VALUES ($1, $2, $3), ($4, $5, $6), ($7, $8, $9) RETURNING "id""#,
        ),
        (
            Flavor::MySql,
            "SELECT `orders`.`id`, `orders`.`status` FROM `orders` WHERE `orders`.`id` IN (?, ?, ?, ?) AND `orders`.`status` = ?",
        ),
    ];
    let bytes: usize = texts.iter().map(|(_, s)| s.len()).sum();
    let per = crate::rewrite::timing::per_call(200_000, &texts, |(flavor, sql)| {
        let covered: usize = lex(*flavor, sql).flatten().map(|t| t.end - t.start).sum();
        assert_eq!(covered, sql.len());
    });
    let per_byte = per.as_secs_f64() * 1e9 * texts.len() as f64 / bytes as f64;
    eprintln!("lexer: {per:?} per text, {per_byte:.2} ns per byte");
}
