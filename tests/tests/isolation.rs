//! The two-tenant differential suite: every statement shape runs as tenant A in three columns
//! on PostgreSQL — the app layer alone (RLS not installed), Row-Level Security alone (raw SQL
//! as the app role), both — with A and B in the shared tables; in more PostgreSQL columns
//! with both layers and A and B provisioned into different placements (a schema of their own,
//! a database of their own on the second server, the shared tables); and in the app-layer
//! column on MariaDB and SQLite. Each run is compared with the same statement on an oracle
//! database holding only A's data (in the shared tables), and B's rows — wherever they are —
//! are checked untouched. The outcome is written to `docs/isolation-matrix.md`.
#![allow(clippy::unwrap_used)]

mod isolation {
    pub(crate) mod fail_closed;
    pub(crate) mod matrix;
    pub(crate) mod run;
    pub(crate) mod shapes;
    pub(crate) mod world;
}

use isolation::matrix::{self, COLUMNS, MARIADB, Matrix, PLACED, PLACED_FIRST, SQLITE};
use isolation::run::{Cell, Oracle, Via, attempt, judge, refusal, statement};
use isolation::shapes::{self, Expect, Kind, Layout, Shape};
use isolation::world::{self, Data, State, World};
use std::collections::HashMap;

use sea_orm::{DatabaseConnection, DbBackend};
use tenantry::TenantDatabase;
use tenantry_tests::TestDb;

/// Shapes that still leak or still go wrong in a column: (shape, column). The suite checks
/// each still fails, so that a fix flips it here.
const KNOWN_GAPS: &[(&str, &str)] = &[];

/// A column under test: how statements reach it, the world it holds (read by the admin) and
/// where that world puts A's and B's rows.
struct Column<'a> {
    name: &'static str,
    via: Via<'a>,
    world: &'a World,
    layout: Layout,
}

/// The oracle database of one backend (A's rows only, in the shared tables) and what each
/// shape did there, run once per shape when a column first needs it.
struct Oracles<'a> {
    backend: DbBackend,
    conn: &'a DatabaseConnection,
    admin: &'a DatabaseConnection,
    dirty: bool,
    runs: HashMap<&'static str, Oracle>,
}

impl<'a> Oracles<'a> {
    fn new(
        backend: DbBackend,
        conn: &'a DatabaseConnection,
        admin: &'a DatabaseConnection,
    ) -> Self {
        Oracles {
            backend,
            conn,
            admin,
            dirty: true,
            runs: HashMap::new(),
        }
    }

    /// The oracle's run of `shape` (`sql`: the column's statement, or the oracle's own).
    async fn get(&mut self, shape: &Shape, sql: &str, failures: &mut Vec<String>) -> &Oracle {
        if !self.runs.contains_key(shape.name) {
            let sql = shape.oracle.unwrap_or(sql);
            let oracle =
                run_oracle(shape, sql, self.backend, self.conn, self.admin, self.dirty).await;
            // Reset before the next run when this one wrote (or changed anything).
            self.dirty = shape.writes;
            if let Err(e) = &oracle.result
                && refusal(e).is_none()
            {
                failures.push(format!(
                    "{} on {:?}: the shape fails on the oracle itself: {e}",
                    shape.name, self.backend
                ));
            }
            self.runs.insert(shape.name, oracle);
        }
        &self.runs[shape.name]
    }
}

/// Runs every shape valid for `backend` in `columns`, against the oracle.
async fn run_backend(
    backend: DbBackend,
    columns: &[Column<'_>],
    oracles: &mut Oracles<'_>,
    matrix: &mut Matrix,
    failures: &mut Vec<String>,
) -> usize {
    let mut count = 0;
    // Each world's seeded state; columns sharing a world share it.
    let mut seeds: Vec<State> = Vec::with_capacity(columns.len());
    for (i, col) in columns.iter().enumerate() {
        match columns[..i]
            .iter()
            .position(|c| std::ptr::eq(c.world, col.world))
        {
            Some(j) => seeds.push(seeds[j].clone()),
            None => {
                col.world.reset().await;
                seeds.push(col.world.snapshot().await);
            }
        }
    }
    // Worlds are reset before a shape when the previous one wrote (or changed anything).
    let mut dirty = vec![false; columns.len()];
    for shape in shapes::all() {
        let Some(sql) = shape.sql(backend) else {
            continue;
        };
        count += 1;
        let expects: Vec<Expect> = columns.iter().map(|c| shape.expect_in(c.layout)).collect();
        let oracle = if expects.contains(&Expect::Same) {
            Some(oracles.get(&shape, sql, failures).await)
        } else {
            None
        };
        for (i, col) in columns.iter().enumerate() {
            if dirty[i] {
                col.world.reset().await;
            }
            let result = attempt(col.via, shape.run, statement(backend, sql)).await;
            let after = col.world.snapshot().await;
            // Columns sharing a world share its state (and its id sequences).
            let changed = shape.writes || after != seeds[i];
            for (j, other) in columns.iter().enumerate() {
                if std::ptr::eq(other.world, col.world) {
                    dirty[j] = changed || (dirty[j] && j != i);
                }
            }
            // The expectation where this column puts A and B.
            let shape = Shape {
                expect: expects[i],
                ..shape.clone()
            };
            let cell = judge(&shape, &result, &seeds[i], &after, oracle);
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
    let mut oracles = Oracles::new(DbBackend::Postgres, &oracle.owner, &oracle_admin);
    let (no_rls_world, rls_world) = (
        World::single(no_rls_admin, Data::Both),
        World::single(rls_admin, Data::Both),
    );
    let app_tdb = TenantDatabase::new(no_rls.app.clone());
    let both_tdb = TenantDatabase::new(rls.app.clone());
    let pg = run_backend(
        DbBackend::Postgres,
        &[
            Column {
                name: COLUMNS[0],
                via: Via::Tenantry(&app_tdb),
                world: &no_rls_world,
                layout: Layout::SHARED,
            },
            Column {
                name: COLUMNS[1],
                via: Via::Rls(&rls.app),
                world: &rls_world,
                layout: Layout::SHARED,
            },
            Column {
                name: COLUMNS[2],
                via: Via::Tenantry(&both_tdb),
                world: &rls_world,
                layout: Layout::SHARED,
            },
        ],
        &mut oracles,
        &mut matrix,
        &mut failures,
    )
    .await;
    assert!(pg >= 60, "at least 60 shapes on PostgreSQL, got {pg}");

    // A and B provisioned into placements of their own (both layers, `begin` through the
    // directory): one control database (and its tenant databases) per column, made and
    // dropped in turn, against the same oracle runs.
    for (i, &(a, b)) in PLACED.iter().enumerate() {
        let name = COLUMNS[PLACED_FIRST + i];
        assert_eq!(
            name,
            format!("PostgreSQL: A {}, B {}", a.label(), b.label()),
            "the matrix names the placed columns in PLACED's order"
        );
        let (tenants, world) = world::placed(a, b).await;
        let n = run_backend(
            DbBackend::Postgres,
            &[Column {
                name,
                via: Via::Tenantry(&tenants.tdb),
                world: &world,
                layout: Layout { a, b },
            }],
            &mut oracles,
            &mut matrix,
            &mut failures,
        )
        .await;
        assert_eq!(n, pg, "{name}: every PostgreSQL shape");
        // Where A's transactions went: the placement the directory gives it.
        let txn = tenants.tdb.begin(world::A).await.unwrap();
        assert_eq!(txn.placement(), &tenants.home(world::A).placement, "{name}");
        txn.rollback().await.unwrap();
    }

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
            MARIADB
        } else {
            SQLITE
        };
        let world = World::single(db.owner.clone(), Data::Both);
        run_backend(
            backend,
            &[Column {
                name,
                via: Via::Tenantry(&tdb),
                world: &world,
                layout: Layout::SHARED,
            }],
            &mut Oracles::new(backend, &oracle.owner, &oracle.owner),
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
            Expect::Contained | Expect::Nothing => None,
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

/// The placed columns are not vacuous: the same statements through a `TenantDatabase` that
/// ignores the directory — every tenant in the control database's shared tables — fail there
/// (A's rows are in its own schema or database, where that handle never looks, and its
/// writes land beside B's rows), while through the directory they pass.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ignoring_the_directory_fails_the_placed_columns() {
    let oracle = TestDb::postgres().await;
    world::migrate_without_rls(&oracle).await;
    let oracle_admin = world::admin(&oracle).await;
    let names = [
        "read/all_rows",
        "join/inner",
        "agg/count",
        "insert/single",
        "update/all",
        "delete/all",
    ];
    for a in [Kind::Schema, Kind::Database] {
        let (tenants, world) = world::placed(a, Kind::Shared).await;
        let blind = TenantDatabase::new(tenants.control.app.clone());
        world.reset().await;
        let seed = world.snapshot().await;
        for shape in shapes::all()
            .into_iter()
            .filter(|s| names.contains(&s.name))
        {
            let sql = shape.pg.unwrap();
            let oracle = run_oracle(
                &shape,
                shape.oracle.unwrap_or(sql),
                DbBackend::Postgres,
                &oracle.owner,
                &oracle_admin,
                true,
            )
            .await;
            for (via, fails) in [(&blind, true), (&tenants.tdb, false)] {
                world.reset().await;
                let result = attempt(
                    Via::Tenantry(via),
                    shape.run,
                    statement(DbBackend::Postgres, sql),
                )
                .await;
                let after = world.snapshot().await;
                let cell = judge(&shape, &result, &seed, &after, Some(&oracle));
                assert_eq!(
                    matches!(cell, Cell::Fail(_)),
                    fails,
                    "{} with A {a:?}, {}: {cell:?}",
                    shape.name,
                    if fails {
                        "directory ignored"
                    } else {
                        "through the directory"
                    }
                );
            }
        }
    }
}
