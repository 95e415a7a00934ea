//! The adversarial runner: every case of a class in a group of columns, against the oracle,
//! judged with the isolation suite's `judge` so that results read the same.
//!
//! A case passes when it is refused (a typed tenantry error, or one of the documented database
//! refusals `refusal` knows), or runs and returns/creates/changes/deletes no row of B and — for
//! `Same` — gives what the oracle gives, or — for `Contained` — changes nothing. A database
//! error that is not a refusal passes only where the case lists it (`allow`, with the reason it
//! proves containment). A case marked `must_refuse` has an effect the judge cannot see (a
//! notification, a lock): through tenantry it passes only when refused.

use sea_orm::{
    ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr, Statement,
    TransactionTrait,
};

use super::case::{BACKENDS, Case, Hook, LITE, MY, PG, THEN};
use super::env::{Column, Intruder, OracleDb, exec, scalar};
use super::report::{Record, Report};
use crate::isolation::run::{Cell, Oracle, Via, attempt, execute, judge, refusal, statement};
use crate::isolation::shapes::{Expect, Run, Shape};
use crate::isolation::world::{self, A, B, Data, State};

/// Statements run as admin after every reset (e.g. `ANALYZE`), on the databases under test and
/// the oracle.
pub(crate) type Prepare = [&'static [&'static str]; 3];

/// A running hook.
struct Running {
    lock: DatabaseTransaction,
    victim: tokio::task::JoinHandle<Result<(), DbErr>>,
}

const BLOCKED_B_SQL: &str =
    "SELECT id, name FROM customers WHERE email = 'B-ben@x.test' AND id > 0 FOR UPDATE";

async fn start_hook(hook: Hook, intruder: &Intruder) -> Running {
    match hook {
        Hook::BlockedB => {
            let backend = intruder.admin.get_database_backend();
            let lock = intruder.admin.begin().await.unwrap();
            exec(&lock, "SELECT id FROM customers WHERE id = 1002 FOR UPDATE").await;
            let tdb = intruder.tdb.clone();
            let victim = tokio::spawn(async move {
                let txn = tdb.begin(B).await?;
                txn.query_all_raw(Statement::from_string(backend, BLOCKED_B_SQL))
                    .await?;
                txn.rollback().await
            });
            // Wait (without sleeping) until the server shows B's statement waiting.
            let probe = match backend {
                DbBackend::Postgres => {
                    "SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() \
                     AND wait_event_type = 'Lock' AND query LIKE '%FOR UPDATE%'"
                }
                _ => {
                    "SELECT count(*) AS n FROM information_schema.processlist WHERE db = DATABASE() \
                     AND info LIKE '%FOR UPDATE%' AND id <> CONNECTION_ID()"
                }
            };
            for i in 0.. {
                if scalar(&intruder.admin, probe).await != "0" {
                    break;
                }
                assert!(
                    !victim.is_finished(),
                    "B's statement ended instead of waiting"
                );
                assert!(i < 100_000, "B's statement never showed up waiting");
                tokio::task::yield_now().await;
            }
            Running { lock, victim }
        }
    }
}

async fn stop_hook(running: Running) {
    running.lock.commit().await.unwrap();
    running
        .victim
        .await
        .unwrap()
        .unwrap_or_else(|e| panic!("B's blocked statement failed: {e}"));
}

fn shape_of(c: &Case) -> Shape {
    Shape {
        name: c.name,
        run: c.run,
        expect: c.expect,
        pg: c.sql[PG],
        my: c.sql[MY],
        lite: c.sql[LITE],
        oracle: None,
        writes: c.writes,
        apart: None,
        own_schema: None,
    }
}

async fn steps<C: ConnectionTrait>(
    conn: &C,
    backend: DbBackend,
    parts: &[&str],
    run: Run,
) -> Result<Vec<String>, DbErr> {
    let (last, first) = parts.split_last().unwrap();
    for sql in first {
        execute(conn, Run::Query, statement(backend, sql)).await?;
    }
    execute(conn, run, statement(backend, last)).await
}

/// Runs `sql` (steps separated by [`THEN`]) as tenant A through `via`, in one transaction:
/// committed when every step succeeds, rolled back otherwise.
pub(crate) async fn attempt_steps(
    via: Via<'_>,
    run: Run,
    backend: DbBackend,
    sql: &str,
) -> Result<Vec<String>, DbErr> {
    let parts: Vec<&str> = sql.split(THEN).collect();
    if parts.len() == 1 {
        return attempt(via, run, statement(backend, sql)).await;
    }
    match via {
        Via::Tenantry(tdb) => {
            let txn = tdb.begin(A).await?;
            match steps(&txn, backend, &parts, run).await {
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
            match steps(&txn, backend, &parts, run).await {
                Ok(rows) => txn.commit().await.map(|()| rows),
                Err(e) => {
                    txn.rollback().await?;
                    Err(e)
                }
            }
        }
    }
}

/// The isolation suite's verdict, plus the case's accepted errors and `must_refuse`.
pub(crate) fn verdict(
    c: &Case,
    col: &Column<'_>,
    result: &Result<Vec<String>, DbErr>,
    seed: &State,
    after: &State,
    oracle: Option<&Oracle>,
) -> Cell {
    let cell = judge(&shape_of(c), result, seed, after, oracle);
    match (&cell, result) {
        (Cell::Fail(_), Err(e)) if after == seed && refusal(e).is_none() => {
            let text = e.to_string();
            match c
                .allow
                .iter()
                .find(|a| (a.through_tenantry || !col.tenantry) && text.contains(a.pattern))
            {
                Some(a) => Cell::Refused(format!("db error: {}", a.reason)),
                None => cell,
            }
        }
        (Cell::Pass, Ok(_)) if col.tenantry && c.must_refuse.is_some() => Cell::Fail(format!(
            "ran through tenantry, but only a refusal proves isolation here: {}",
            c.must_refuse.unwrap_or_default()
        )),
        _ => cell,
    }
}

async fn reset(admin: &DatabaseConnection, data: Data, prepare: &[&str]) {
    world::reset(admin, data).await;
    for sql in prepare {
        exec(admin, sql).await;
    }
}

/// Runs every case valid for `backend` in `columns` (which may share databases), against the
/// oracle.
pub(crate) async fn run_group(
    backend: usize,
    columns: &[Column<'_>],
    oracle_db: &OracleDb<'_>,
    prepare: &[&str],
    cases: &[Case],
    report: &mut Report,
) {
    let db_backend = [DbBackend::Postgres, DbBackend::MySql, DbBackend::Sqlite][backend];
    reset(columns[0].admin, Data::Both, prepare).await;
    let seed = world::snapshot(columns[0].admin).await;
    let mut dirty = vec![true; columns.len()];
    reset(oracle_db.admin, Data::OnlyA, prepare).await;
    let oracle_seed = world::snapshot(oracle_db.admin).await;
    let mut oracle_dirty = false;
    for c in cases {
        let Some(sql) = c.sql[backend] else {
            continue;
        };
        let oracle = match c.expect {
            Expect::Same => {
                if oracle_dirty {
                    reset(oracle_db.admin, Data::OnlyA, prepare).await;
                }
                let osql = c.oracle[backend].unwrap_or(sql);
                let result = attempt_steps(Via::Raw(oracle_db.conn), c.run, db_backend, osql).await;
                let state = world::snapshot(oracle_db.admin).await;
                oracle_dirty = c.writes || state != oracle_seed;
                if let Err(e) = &result
                    && refusal(e).is_none()
                {
                    report.broken.push(format!(
                        "{} on {}: the case fails on the oracle itself: {e}",
                        c.name, BACKENDS[backend]
                    ));
                }
                Some(Oracle { result, state })
            }
            Expect::Contained | Expect::Nothing => None,
        };
        for (i, col) in columns.iter().enumerate() {
            if dirty[i] {
                reset(col.admin, Data::Both, prepare).await;
            }
            let running = match (c.hook, col.intruder) {
                (Some(h), Some(intruder)) => Some(start_hook(h, intruder).await),
                (Some(_), None) => panic!("{}: a hook without an intruder", c.name),
                _ => None,
            };
            let result = attempt_steps(col.via, c.run, db_backend, sql).await;
            if let Some(r) = running {
                stop_hook(r).await;
            }
            let after = world::snapshot(col.admin).await;
            let changed = c.writes || after != seed;
            for (j, other) in columns.iter().enumerate() {
                if std::ptr::eq(other.admin, col.admin) {
                    dirty[j] = changed || (dirty[j] && j != i);
                }
            }
            let cell = verdict(c, col, &result, &seed, &after, oracle.as_ref());
            report.records.push(Record {
                case: c.name,
                backend,
                column: col.name.clone(),
                cell,
                sql: sql.to_owned(),
                gap: None,
            });
        }
    }
}
