//! The two-tenant differential suite: every statement shape runs as tenant A in three columns
//! on PostgreSQL — the app layer alone (RLS not installed), Row-Level Security alone (raw SQL
//! as the app role), both — and in the app-layer column on MariaDB and SQLite. Each run is
//! compared with the same statement on an oracle database holding only A's data, and B's rows
//! are checked untouched. The outcome is written to `docs/isolation-matrix.md`.
#![allow(clippy::unwrap_used)]

mod isolation {
    pub(crate) mod fail_closed;
    pub(crate) mod matrix;
    pub(crate) mod run;
    pub(crate) mod shapes;
    pub(crate) mod world;
}

use isolation::matrix::{self, COLUMNS, Matrix};
use isolation::run::{Cell, Oracle, Via, attempt, judge, refusal, statement};
use isolation::shapes::{self, Expect, Shape};
use isolation::world::{self, Data};
use sea_orm::{DatabaseConnection, DbBackend};
use tenantry::TenantDatabase;
use tenantry_tests::TestDb;

/// Shapes that still leak or still go wrong in a column: (shape, column). The suite checks
/// each still fails, so that a fix flips it here.
const KNOWN_GAPS: &[(&str, &str)] = &[];

/// A column under test: how statements reach it and who reads its state.
struct Column<'a> {
    name: &'static str,
    via: Via<'a>,
    admin: &'a DatabaseConnection,
}

/// Runs every shape valid for `backend` in `columns`, against the oracle.
async fn run_backend(
    backend: DbBackend,
    columns: &[Column<'_>],
    oracle_conn: &DatabaseConnection,
    oracle_admin: &DatabaseConnection,
    matrix: &mut Matrix,
    failures: &mut Vec<String>,
) -> usize {
    let mut count = 0;
    world::reset(columns[0].admin, Data::Both).await;
    let seed = world::snapshot(columns[0].admin).await;
    // Databases are reset before a shape when the previous one wrote (or changed anything).
    let mut dirty = vec![true; columns.len()];
    let mut oracle_dirty = true;
    for shape in shapes::all() {
        let Some(sql) = shape.sql(backend) else {
            continue;
        };
        count += 1;
        let oracle = match shape.expect {
            Expect::Same => {
                let sql = shape.oracle.unwrap_or(sql);
                let oracle = run_oracle(
                    &shape,
                    sql,
                    backend,
                    oracle_conn,
                    oracle_admin,
                    oracle_dirty,
                )
                .await;
                oracle_dirty = shape.writes;
                Some(oracle)
            }
            Expect::Contained => None,
        };
        if let Some(Oracle { result: Err(e), .. }) = &oracle
            && refusal(e).is_none()
        {
            failures.push(format!(
                "{} on {backend:?}: the shape fails on the oracle itself: {e}",
                shape.name
            ));
        }
        for (i, col) in columns.iter().enumerate() {
            if dirty[i] {
                world::reset(col.admin, Data::Both).await;
            }
            let result = attempt(col.via, shape.run, statement(backend, sql)).await;
            let after = world::snapshot(col.admin).await;
            // Columns sharing a database share its state (and its id sequences).
            let changed = shape.writes || after != seed;
            for (j, other) in columns.iter().enumerate() {
                if std::ptr::eq(other.admin, col.admin) {
                    dirty[j] = changed || (dirty[j] && j != i);
                }
            }
            let cell = judge(&shape, &result, &seed, &after, oracle.as_ref());
            record(&shape, col.name, sql, cell, matrix, failures);
        }
    }
    count
}

async fn run_oracle(
    shape: &Shape,
    sql: &str,
    backend: DbBackend,
    conn: &DatabaseConnection,
    admin: &DatabaseConnection,
    dirty: bool,
) -> Oracle {
    if dirty {
        world::reset(admin, Data::OnlyA).await;
    }
    let result = attempt(Via::Raw(conn), shape.run, statement(backend, sql)).await;
    let state = world::snapshot(admin).await;
    Oracle { result, state }
}

fn record(
    shape: &Shape,
    column: &'static str,
    sql: &str,
    cell: Cell,
    matrix: &mut Matrix,
    failures: &mut Vec<String>,
) {
    let gap = KNOWN_GAPS.contains(&(shape.name, column));
    let label = match (&cell, gap) {
        (Cell::Fail(why), false) => {
            failures.push(format!("{} [{column}]: {why}\n    SQL: {sql}", shape.name));
            cell.label(shape.expect)
        }
        (Cell::Fail(_), true) => "known gap (fails)".to_owned(),
        (_, true) => {
            failures.push(format!(
                "{} [{column}] is listed in KNOWN_GAPS but now gives `{}`: remove it from the list",
                shape.name,
                cell.label(shape.expect)
            ));
            cell.label(shape.expect)
        }
        (_, false) => cell.label(shape.expect),
    };
    matrix
        .entry(shape.name.to_owned())
        .or_default()
        .insert(column, label);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn differential_matrix() {
    let mut matrix = Matrix::new();
    let mut failures = Vec::new();

    // PostgreSQL: one database without RLS (app layer only), one with RLS (RLS only, both),
    // one oracle holding A's rows only.
    let (no_rls, rls, oracle) = world::postgres_columns().await;
    let (no_rls_admin, rls_admin, oracle_admin) = (
        world::admin(&no_rls).await,
        world::admin(&rls).await,
        world::admin(&oracle).await,
    );
    let app_tdb = TenantDatabase::new(no_rls.app.clone());
    let both_tdb = TenantDatabase::new(rls.app.clone());
    let pg = run_backend(
        DbBackend::Postgres,
        &[
            Column {
                name: COLUMNS[0],
                via: Via::Tenantry(&app_tdb),
                admin: &no_rls_admin,
            },
            Column {
                name: COLUMNS[1],
                via: Via::Rls(&rls.app),
                admin: &rls_admin,
            },
            Column {
                name: COLUMNS[2],
                via: Via::Tenantry(&both_tdb),
                admin: &rls_admin,
            },
        ],
        &oracle.owner,
        &oracle_admin,
        &mut matrix,
        &mut failures,
    )
    .await;
    assert!(pg >= 60, "at least 60 shapes on PostgreSQL, got {pg}");

    // MariaDB and SQLite: the app layer is the only layer.
    for backend in [DbBackend::MySql, DbBackend::Sqlite] {
        let (db, oracle) = if backend == DbBackend::MySql {
            (TestDb::mysql().await, TestDb::mysql().await)
        } else {
            (TestDb::sqlite().await, TestDb::sqlite().await)
        };
        db.migrate().await;
        oracle.migrate().await;
        let tdb = TenantDatabase::new(db.app.clone());
        let name = if backend == DbBackend::MySql {
            COLUMNS[3]
        } else {
            COLUMNS[4]
        };
        run_backend(
            backend,
            &[Column {
                name,
                via: Via::Tenantry(&tdb),
                admin: &db.owner,
            }],
            &oracle.owner,
            &oracle.owner,
            &mut matrix,
            &mut failures,
        )
        .await;
    }

    matrix::write(&matrix, KNOWN_GAPS);
    assert!(
        failures.is_empty(),
        "{} failure(s):\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// The judge is not vacuous: raw SQL on a database holding both tenants, with neither layer,
/// fails every shape that could reach B.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unprotected_connection_fails_the_suite() {
    let db = TestDb::postgres().await;
    world::migrate_without_rls(&db).await;
    let oracle = TestDb::postgres().await;
    world::migrate_without_rls(&oracle).await;
    let (admin, oracle_admin) = (world::admin(&db).await, world::admin(&oracle).await);
    world::reset(&admin, Data::Both).await;
    let seed = world::snapshot(&admin).await;
    let leaky = [
        "read/all_rows",
        "join/left",
        "subquery/not_exists",
        "cte/recursive",
        "agg/count",
        "update/all",
        "delete/other_tenant_filter",
        "upsert/other_tenant_key_do_update",
        "insert/other_tenant_column",
    ];
    for shape in shapes::all()
        .into_iter()
        .filter(|s| leaky.contains(&s.name))
    {
        let sql = shape.pg.unwrap();
        let oracle = match shape.expect {
            Expect::Same => Some(
                run_oracle(
                    &shape,
                    shape.oracle.unwrap_or(sql),
                    DbBackend::Postgres,
                    &oracle.owner,
                    &oracle_admin,
                    true,
                )
                .await,
            ),
            Expect::Contained => None,
        };
        world::reset(&admin, Data::Both).await;
        let result = attempt(
            Via::Raw(&db.owner),
            shape.run,
            statement(DbBackend::Postgres, sql),
        )
        .await;
        let after = world::snapshot(&admin).await;
        let cell = judge(&shape, &result, &seed, &after, oracle.as_ref());
        assert!(matches!(cell, Cell::Fail(_)), "{}: {cell:?}", shape.name);
    }
}
