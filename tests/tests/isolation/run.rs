//! Running one shape in one column and judging the outcome against the oracle.

use sea_orm::{
    ConnectionTrait, DatabaseConnection, DbBackend, DbErr, FromQueryResult, JsonValue, Statement,
    TransactionTrait, Value,
};
use tenantry::TenantDatabase;

use super::shapes::{Expect, Run, Shape};
use super::world::{A, B, B_MARK, State};

/// How a statement reaches the database.
#[derive(Clone, Copy)]
pub(crate) enum Via<'a> {
    /// Through a `TenantTransaction` for A (the rewriter; RLS too if installed).
    Tenantry(&'a TenantDatabase),
    /// Raw SQL in a transaction as the app role, `set_config` to A, no rewriter.
    Rls(&'a DatabaseConnection),
    /// Raw SQL, no scoping at all (the oracle database, holding only A's rows).
    Raw(&'a DatabaseConnection),
}

/// The outcome of one shape in one column.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Cell {
    /// Ran, and matched the oracle (or, for a contained attempt, had no effect).
    Pass,
    /// Refused with a documented error (its kind).
    Refused(String),
    /// A leak, a wrong result or an undocumented error (why).
    Fail(String),
}

impl Cell {
    /// The matrix text.
    pub(crate) fn label(&self, expect: Expect) -> String {
        match (self, expect) {
            (Cell::Pass, Expect::Same) => "pass".into(),
            (Cell::Pass, Expect::Contained) => "pass (no effect)".into(),
            (Cell::Pass, Expect::Nothing) => "pass (empty)".into(),
            (Cell::Refused(kind), _) => format!("refused ({kind})"),
            (Cell::Fail(_), _) => "FAIL".into(),
        }
    }
}

/// Replaces `$A` / `$B` with the backend's placeholders and binds the tenant ids.
pub(crate) fn statement(backend: DbBackend, sql: &str) -> Statement {
    let mut out = String::with_capacity(sql.len());
    let mut values: Vec<Value> = Vec::new();
    let mut rest = sql;
    while let Some(i) = rest.find('$') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        let tenant = match after.chars().next() {
            Some('A') => Some(A),
            Some('B') => Some(B),
            _ => None,
        };
        match tenant {
            Some(t) => {
                values.push(t.into());
                if backend == DbBackend::Postgres {
                    out.push_str(&format!("${}", values.len()));
                } else {
                    out.push('?');
                }
                rest = &after[1..];
            }
            None => {
                out.push('$');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    Statement::from_sql_and_values(backend, out, values)
}

/// Runs `stmt` on `conn` the way `run` says: rows as sorted JSON texts, the rows affected, or
/// nothing (a script).
pub(crate) async fn execute<C: ConnectionTrait>(
    conn: &C,
    run: Run,
    stmt: Statement,
) -> Result<Vec<String>, DbErr> {
    match run {
        Run::Query => {
            let rows = conn.query_all_raw(stmt).await?;
            let mut out = rows
                .iter()
                .map(|r| JsonValue::from_query_result(r, "").map(|j| j.to_string()))
                .collect::<Result<Vec<_>, _>>()?;
            out.sort();
            Ok(out)
        }
        Run::Exec => {
            let r = conn.execute_raw(stmt).await?;
            Ok(vec![format!("rows affected: {}", r.rows_affected())])
        }
        Run::Script => {
            conn.execute_unprepared(&stmt.sql).await?;
            Ok(Vec::new())
        }
    }
}

/// Runs `sql` as tenant A through `via`: committed when it succeeds, rolled back otherwise.
pub(crate) async fn attempt(via: Via<'_>, run: Run, stmt: Statement) -> Result<Vec<String>, DbErr> {
    match via {
        Via::Tenantry(tdb) => {
            let txn = tdb.begin(A).await?;
            let result = execute(&txn, run, stmt).await;
            match result {
                Ok(rows) => txn.commit().await.map(|()| rows),
                Err(e) => {
                    txn.rollback().await?;
                    Err(e)
                }
            }
        }
        Via::Rls(conn) | Via::Raw(conn) => {
            let txn = conn.begin().await?;
            if matches!(via, Via::Rls(_)) {
                txn.execute_raw(Statement::from_sql_and_values(
                    DbBackend::Postgres,
                    "SELECT set_config('tenantry.tenant_id', $1, true)",
                    [A.to_string().into()],
                ))
                .await?;
            }
            let result = execute(&txn, run, stmt).await;
            match result {
                Ok(rows) => txn.commit().await.map(|()| rows),
                Err(e) => {
                    txn.rollback().await?;
                    Err(e)
                }
            }
        }
    }
}

/// The documented refusal an error stands for, if it is one: a typed tenantry error, a
/// Row-Level Security violation, a (composite) foreign key, a missing privilege, or an insert
/// without the tenant column where nothing fills it (RLS alone).
pub(crate) fn refusal(err: &DbErr) -> Option<String> {
    if let Some(e) = tenantry::Error::from_db_err(err) {
        let debug = format!("{e:?}");
        let kind: String = debug
            .chars()
            .take_while(char::is_ascii_alphanumeric)
            .collect();
        return Some(kind);
    }
    let m = err.to_string();
    let kind = if m.contains("row-level security") {
        "RLS policy"
    } else if m.to_lowercase().contains("foreign key") {
        "foreign key"
    } else if m.contains("permission denied") || m.contains("must be owner") {
        "privilege"
    } else if m.contains("null value in column \"tenant_id\"")
        || m.contains("NOT NULL constraint failed: customers.tenant_id")
        || m.contains("NOT NULL constraint failed: orders.tenant_id")
        || m.contains("NOT NULL constraint failed: order_items.tenant_id")
        || m.contains("'tenant_id' doesn't have a default value")
        || m.contains("'tenant_id' cannot be null")
    {
        "tenant_id not given"
    } else {
        return None;
    };
    Some(kind.to_owned())
}

/// What the oracle database did with the statement.
pub(crate) struct Oracle {
    /// Its result.
    pub(crate) result: Result<Vec<String>, DbErr>,
    /// Its state afterwards.
    pub(crate) state: State,
}

/// `-`/`+` lines between two sorted lists.
pub(crate) fn diff(expected: &[String], got: &[String]) -> String {
    let mut out = String::new();
    for e in expected {
        if !got.contains(e) {
            out.push_str(&format!("\n    - {e}"));
        }
    }
    for g in got {
        if !expected.contains(g) {
            out.push_str(&format!("\n    + {g}"));
        }
    }
    if out.is_empty() && expected != got {
        out = format!("\n    expected {expected:?}\n    got      {got:?}");
    }
    out
}

/// Judges one run: `seed` is the state before, `after` the state after (read by the admin).
pub(crate) fn judge(
    shape: &Shape,
    result: &Result<Vec<String>, DbErr>,
    seed: &State,
    after: &State,
    oracle: Option<&Oracle>,
) -> Cell {
    if after.b != seed.b {
        return Cell::Fail(format!("B's rows changed:{}", diff(&seed.b, &after.b)));
    }
    let rows = match result {
        Err(e) => {
            if after != seed {
                return Cell::Fail(format!("refused but the data changed: {e}"));
            }
            return match refusal(e) {
                Some(kind) => Cell::Refused(kind),
                None => Cell::Fail(format!("undocumented error: {e}")),
            };
        }
        Ok(rows) => rows,
    };
    let b_text = B.to_string();
    if let Some(row) = rows
        .iter()
        .find(|r| r.contains(B_MARK) || r.contains(&b_text))
    {
        return Cell::Fail(format!("returned a row of B: {row}"));
    }
    match shape.expect {
        Expect::Nothing => {
            let empty = match shape.run {
                Run::Exec => rows.iter().all(|r| r == "rows affected: 0"),
                Run::Query | Run::Script => rows.is_empty(),
            };
            if !empty {
                Cell::Fail(format!("found rows where A has none: {rows:?}"))
            } else if after != seed {
                Cell::Fail(format!(
                    "changed data where it should find nothing:{}{}",
                    diff(&seed.a, &after.a),
                    diff(&seed.shared, &after.shared)
                ))
            } else {
                Cell::Pass
            }
        }
        Expect::Contained => {
            if after == seed {
                Cell::Pass
            } else {
                Cell::Fail(format!(
                    "an attempt on B's rows changed A's data:{}{}",
                    diff(&seed.a, &after.a),
                    diff(&seed.shared, &after.shared)
                ))
            }
        }
        Expect::Same => {
            let Some(oracle) = oracle else {
                return Cell::Fail("no oracle run".into());
            };
            let expected = match &oracle.result {
                Ok(rows) => rows,
                Err(e) => {
                    return Cell::Fail(format!("ran, while on A's data alone it fails ({e})"));
                }
            };
            if rows != expected {
                return Cell::Fail(format!(
                    "result differs from the oracle:{}",
                    diff(expected, rows)
                ));
            }
            if after.a != oracle.state.a || after.shared != oracle.state.shared {
                return Cell::Fail(format!(
                    "A's data differs from the oracle's:{}{}",
                    diff(&oracle.state.a, &after.a),
                    diff(&oracle.state.shared, &after.shared)
                ));
            }
            Cell::Pass
        }
    }
}
