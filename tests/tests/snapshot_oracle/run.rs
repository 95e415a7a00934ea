//! Running one statement in a transaction that is rolled back, and what it left behind.

use rust_decimal::Decimal;
use sea_orm::{
    ConnectionTrait, DatabaseConnection, DatabaseTransaction, FromQueryResult, JsonValue,
    QueryResult, Statement, TransactionTrait,
};

use super::schema::{OTHER, tables};

/// The rows of every table after a statement, each list sorted (a multiset).
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct State {
    /// Per table: its shared rows, or its rows not of [`OTHER`] (all rows on the oracle).
    pub(crate) ours: Vec<(String, Vec<String>)>,
    /// Per scoped table: the rows of [`OTHER`].
    pub(crate) other: Vec<(String, Vec<String>)>,
}

/// One run: the statement's rows (sorted) or its error, and the state it left.
pub(crate) struct Outcome {
    /// The rows it returned (none for a write without `RETURNING`), or the error.
    pub(crate) rows: Result<Vec<String>, String>,
    /// The tables' contents before the rollback.
    pub(crate) state: State,
}

async fn rows_of<C: ConnectionTrait>(conn: &C, stmt: Statement) -> Result<Vec<String>, String> {
    let rows = conn.query_all_raw(stmt).await.map_err(|e| e.to_string())?;
    let mut out = rows.iter().map(row_text).collect::<Vec<_>>();
    out.sort();
    Ok(out)
}

/// A row as text: its values in column order. Column names are left out, as the rewritten
/// statement's unnamed expression columns are named after its (longer) text on MySQL and SQLite.
fn row_text(row: &QueryResult) -> String {
    let names = row.column_names();
    let json = JsonValue::from_query_result(row, "").ok();
    let cells: Vec<String> = (0..names.len())
        .map(|i| {
            fn show<T: std::fmt::Debug>(v: Option<T>) -> String {
                v.map_or_else(|| "NULL".to_owned(), |v| format!("{v:?}"))
            }
            if let Ok(v) = row.try_get_by_index::<Option<i64>>(i) {
                return show(v);
            }
            if let Ok(v) = row.try_get_by_index::<Option<i32>>(i) {
                return show(v);
            }
            if let Ok(v) = row.try_get_by_index::<Option<String>>(i) {
                return show(v);
            }
            if let Ok(v) = row.try_get_by_index::<Option<Decimal>>(i) {
                return show(v.map(|d| d.normalize()));
            }
            if let Ok(v) = row.try_get_by_index::<Option<f64>>(i) {
                return show(v);
            }
            if let Ok(v) = row.try_get_by_index::<Option<bool>>(i) {
                return show(v);
            }
            json.as_ref()
                .and_then(|j| j.get(&names[i]))
                .map_or_else(|| "<undecoded>".to_owned(), ToString::to_string)
        })
        .collect();
    format!("({})", cells.join(", "))
}

/// The tables' contents as `txn` sees them.
pub(crate) async fn state(txn: &DatabaseTransaction) -> State {
    let backend = txn.get_database_backend();
    let mut ours = Vec::new();
    let mut other = Vec::new();
    for (table, column) in tables(backend) {
        let read = |filter: String| {
            Statement::from_string(backend, format!("SELECT * FROM {table}{filter}"))
        };
        let (mine, theirs) = match &column {
            None => (read(String::new()), None),
            Some(c) => (
                read(format!(" WHERE {c} IS NULL OR {c} <> {OTHER}")),
                Some(read(format!(" WHERE {c} = {OTHER}"))),
            ),
        };
        let mut mine: Vec<String> = rows_of(txn, mine)
            .await
            .unwrap_or_else(|e| panic!("reading {table}: {e}"))
            .into_iter()
            .map(mask_new_id)
            .collect();
        mine.sort();
        ours.push((table.clone(), mine));
        if let Some(theirs) = theirs {
            let theirs = rows_of(txn, theirs)
                .await
                .unwrap_or_else(|e| panic!("reading {table}: {e}"));
            other.push((table, theirs));
        }
    }
    State { ours, other }
}

/// Replaces a generated id (1000 and up; seeded ids are below) by `new`: the order in which
/// an `INSERT … SELECT` without `ORDER BY` hands out ids is the plan's, not the statement's.
fn mask_new_id(row: String) -> String {
    let Some((id, rest)) = row.strip_prefix('(').and_then(|r| r.split_once(", ")) else {
        return row;
    };
    match id.parse::<i64>() {
        Ok(n) if n >= 1000 => format!("(new, {rest}"),
        _ => row,
    }
}

/// Runs `stmt` in a transaction on `conn`, reads the tables, and rolls back.
pub(crate) async fn run(conn: &DatabaseConnection, stmt: Statement) -> Outcome {
    let txn = conn.begin().await.unwrap();
    let rows = rows_of(&txn, stmt).await;
    if rows.is_err() && conn.get_database_backend() == sea_orm::DbBackend::Postgres {
        // The failed statement aborted the transaction: read the state in a fresh one.
        txn.rollback().await.unwrap();
        let txn = conn.begin().await.unwrap();
        let state = state(&txn).await;
        txn.rollback().await.unwrap();
        return Outcome { rows, state };
    }
    let state = state(&txn).await;
    txn.rollback().await.unwrap();
    Outcome { rows, state }
}

/// `-`/`+` lines between two sorted lists.
pub(crate) fn diff(expected: &[String], got: &[String]) -> String {
    let mut out = String::new();
    for e in expected {
        if !got.contains(e) {
            out.push_str(&format!("\n      - {e}"));
        }
    }
    for g in got {
        if !expected.contains(g) {
            out.push_str(&format!("\n      + {g}"));
        }
    }
    if out.is_empty() && expected != got {
        out = format!("\n      expected {expected:?}\n      got      {got:?}");
    }
    out
}
