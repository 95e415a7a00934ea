//! The adversarial runner: cases (an attack per backend), the columns they run in, and the
//! verdicts, judged with the isolation suite's `judge` so that results read the same.
//!
//! Columns: on PostgreSQL "app layer only" (the rewriter, no RLS), "RLS only" (raw SQL as the
//! app role with `tenantry.tenant_id` set to A) and "both"; on MariaDB the app layer, in the
//! `sql_mode`s a class asks for; on SQLite the app layer. Every case runs as tenant A on a
//! database holding A's and B's rows; `Same` cases are compared with an oracle database holding
//! only A's rows (same backend, same `sql_mode`).
//!
//! A case passes when it is refused (a typed tenantry error, or one of the documented database
//! refusals `refusal` knows), or runs and returns/creates/changes/deletes no row of B and — for
//! `Same` — gives what the oracle gives, or — for `Contained` — changes nothing. A database
//! error that is not a refusal passes only where the case lists it (`allow`, with the reason it
//! proves containment). A case marked `must_refuse` has an effect the judge cannot see (a
//! notification, a lock): through tenantry it passes only when refused.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::time::Duration;

use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DatabaseTransaction, DbBackend,
    DbErr, FromQueryResult, JsonValue, Statement, TransactionTrait,
};
use tenantry::TenantDatabase;
use tenantry_tests::TestDb;

use crate::isolation::run::{Cell, Oracle, Via, attempt, judge, refusal, statement};
use crate::isolation::shapes::{Expect, Run, Shape};
use crate::isolation::world::{self, A, B, Data, State};

/// Separates the statements of a multi-step case (run one after the other in one transaction,
/// the last one's result judged).
pub(crate) const THEN: &str = "\n;;\n";

/// Backend index: PostgreSQL, MariaDB, SQLite.
pub(crate) const PG: usize = 0;
pub(crate) const MY: usize = 1;
pub(crate) const LITE: usize = 2;
pub(crate) const BACKENDS: [&str; 3] = ["PostgreSQL", "MariaDB", "SQLite"];

/// A database error that proves containment for one case.
#[derive(Clone, Debug)]
pub(crate) struct Allow {
    /// A substring of the error message.
    pub(crate) pattern: &'static str,
    /// Why this error shows nothing of B was read or written.
    pub(crate) reason: &'static str,
    /// Also accepted through the tenant handle (else: only in the raw RLS column).
    pub(crate) through_tenantry: bool,
}

/// Background sessions of tenant B a case needs while it runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Hook {
    /// Tenant B runs `SELECT … WHERE email = 'B-ben@x.test' FOR UPDATE` through its own tenant
    /// handle and waits on a row lock the admin holds, so the statement is running (and its
    /// text visible to the server's session views) while the case runs.
    BlockedB,
}

/// One attack.
#[derive(Clone, Debug)]
pub(crate) struct Case {
    pub(crate) name: &'static str,
    pub(crate) run: Run,
    pub(crate) expect: Expect,
    pub(crate) sql: [Option<&'static str>; 3],
    pub(crate) oracle: [Option<&'static str>; 3],
    pub(crate) writes: bool,
    pub(crate) allow: Vec<Allow>,
    pub(crate) must_refuse: Option<&'static str>,
    pub(crate) hook: Option<Hook>,
    /// The MariaDB `sql_mode`s the case is valid in (`None`: all the class runs).
    pub(crate) modes: Option<&'static [Mode]>,
}

fn case(name: &'static str, run: Run) -> Case {
    Case {
        name,
        run,
        expect: Expect::Same,
        sql: [None; 3],
        oracle: [None; 3],
        writes: run != Run::Query,
        allow: Vec::new(),
        must_refuse: None,
        hook: None,
        modes: None,
    }
}

/// A read (rows compared).
pub(crate) fn q(name: &'static str) -> Case {
    case(name, Run::Query)
}

/// A write run with `execute_raw` (rows affected compared).
pub(crate) fn x(name: &'static str) -> Case {
    case(name, Run::Exec)
}

/// Raw SQL run with `execute_unprepared` (possibly several statements; state compared).
pub(crate) fn s(name: &'static str) -> Case {
    case(name, Run::Script)
}

/// A write whose result rows are compared (`RETURNING`).
pub(crate) fn qw(name: &'static str) -> Case {
    let mut c = case(name, Run::Query);
    c.writes = true;
    c
}

impl Case {
    pub(crate) fn pg(mut self, sql: &'static str) -> Self {
        self.sql[PG] = Some(sql);
        self
    }
    pub(crate) fn my(mut self, sql: &'static str) -> Self {
        self.sql[MY] = Some(sql);
        self
    }
    pub(crate) fn lite(mut self, sql: &'static str) -> Self {
        self.sql[LITE] = Some(sql);
        self
    }
    /// The same SQL on every backend.
    pub(crate) fn all(self, sql: &'static str) -> Self {
        self.pg(sql).my(sql).lite(sql)
    }
    /// PostgreSQL and SQLite.
    pub(crate) fn pg_lite(self, sql: &'static str) -> Self {
        self.pg(sql).lite(sql)
    }
    /// PostgreSQL and MariaDB.
    pub(crate) fn pg_my(self, sql: &'static str) -> Self {
        self.pg(sql).my(sql)
    }
    /// MariaDB and SQLite.
    pub(crate) fn my_lite(self, sql: &'static str) -> Self {
        self.my(sql).lite(sql)
    }
    /// What the oracle runs on every backend (the statement with what tenantry fills in
    /// written out).
    pub(crate) fn oracle(mut self, sql: &'static str) -> Self {
        self.oracle = [Some(sql); 3];
        self
    }
    pub(crate) fn oracle_pg(mut self, sql: &'static str) -> Self {
        self.oracle[PG] = Some(sql);
        self
    }
    pub(crate) fn oracle_my(mut self, sql: &'static str) -> Self {
        self.oracle[MY] = Some(sql);
        self
    }
    /// An attempt on B: refused, or run with no effect at all.
    pub(crate) fn contained(mut self) -> Self {
        self.expect = Expect::Contained;
        self
    }
    /// The case writes (databases are reset after it).
    pub(crate) fn writes(mut self) -> Self {
        self.writes = true;
        self
    }
    /// A database error (in the raw RLS column only) that proves containment.
    pub(crate) fn allow(mut self, pattern: &'static str, reason: &'static str) -> Self {
        self.allow.push(Allow {
            pattern,
            reason,
            through_tenantry: false,
        });
        self
    }
    /// A database error that proves containment in every column.
    pub(crate) fn allow_all(mut self, pattern: &'static str, reason: &'static str) -> Self {
        self.allow.push(Allow {
            pattern,
            reason,
            through_tenantry: true,
        });
        self
    }
    /// Through tenantry, only a refusal passes: the effect is outside what the judge sees.
    pub(crate) fn must_refuse(mut self, reason: &'static str) -> Self {
        self.must_refuse = Some(reason);
        self
    }
    /// Runs on MariaDB only in these `sql_mode`s (the SQL is not valid in the others).
    pub(crate) fn modes(mut self, modes: &'static [Mode]) -> Self {
        self.modes = Some(modes);
        self
    }
    pub(crate) fn hook(mut self, hook: Hook) -> Self {
        self.hook = Some(hook);
        self
    }
}

/// A MariaDB `sql_mode` a column runs in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Mode {
    /// What sqlx sets by default: the server's mode plus `PIPES_AS_CONCAT` and
    /// `NO_ENGINE_SUBSTITUTION`.
    SqlxDefault,
    /// sqlx with `pipes_as_concat(false)`: `||` is a logical OR.
    NoPipesAsConcat,
    /// The default plus `HIGH_NOT_PRECEDENCE`.
    HighNotPrecedence,
    /// The default plus `NO_BACKSLASH_ESCAPES`: a backslash in a string is a character.
    NoBackslashEscapes,
}

impl Mode {
    pub(crate) fn label(self) -> &'static str {
        match self {
            Mode::SqlxDefault => "MariaDB: app layer",
            Mode::NoPipesAsConcat => "MariaDB: app layer, no PIPES_AS_CONCAT",
            Mode::HighNotPrecedence => "MariaDB: app layer, HIGH_NOT_PRECEDENCE",
            Mode::NoBackslashEscapes => "MariaDB: app layer, NO_BACKSLASH_ESCAPES",
        }
    }
}

/// A pool on `url`; MariaDB pools get the `sql_mode` of `mode`.
pub(crate) async fn connect(url: &str, mode: Option<Mode>, max: u32) -> DatabaseConnection {
    let mut opts = ConnectOptions::new(url.to_owned());
    opts.max_connections(max)
        .min_connections(0)
        .sqlx_logging(false)
        .connect_timeout(Duration::from_secs(10));
    let extra = match mode {
        Some(Mode::NoPipesAsConcat) => {
            opts.map_sqlx_mysql_opts(|o| o.pipes_as_concat(false));
            None
        }
        Some(Mode::HighNotPrecedence) => {
            Some("SET SESSION sql_mode = CONCAT(@@sql_mode, ',HIGH_NOT_PRECEDENCE')")
        }
        Some(Mode::NoBackslashEscapes) => {
            Some("SET SESSION sql_mode = CONCAT(@@sql_mode, ',NO_BACKSLASH_ESCAPES')")
        }
        Some(Mode::SqlxDefault) | None => None,
    };
    if let Some(set) = extra {
        opts.map_sqlx_mysql_pool_opts(move |p| {
            p.after_connect(move |conn, _| {
                Box::pin(async move {
                    use sea_orm::sqlx::Executor as _;
                    conn.execute(set).await.map(|_| ())
                })
            })
        });
    }
    Database::connect(opts)
        .await
        .unwrap_or_else(|e| panic!("cannot connect to {url}: {e}"))
}

/// Runs `sql` on `conn`, panicking with the statement on failure.
pub(crate) async fn exec(conn: &impl ConnectionTrait, sql: &str) {
    if let Err(e) = conn.execute_unprepared(sql).await {
        panic!("setup statement failed: {sql}\n{e}");
    }
}

/// The first column of the first row of `sql`, as text.
pub(crate) async fn scalar(conn: &impl ConnectionTrait, sql: &str) -> String {
    let backend = conn.get_database_backend();
    let row = conn
        .query_one_raw(Statement::from_string(backend, sql.to_owned()))
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .unwrap_or_else(|| panic!("{sql}: no row"));
    let json = JsonValue::from_query_result(&row, "").unwrap();
    json.as_object()
        .and_then(|o| o.values().next().cloned())
        .map(|v| match v {
            JsonValue::String(s) => s,
            other => other.to_string(),
        })
        .unwrap_or_default()
}

/// Tenant B's own sessions on one database under test, for hooks.
pub(crate) struct Intruder {
    /// Tenant handle on its own pool of the app role.
    pub(crate) tdb: TenantDatabase,
    /// Sees every row (locks B's row for `Hook::BlockedB`).
    pub(crate) admin: DatabaseConnection,
}

impl Intruder {
    pub(crate) async fn new(app_url: &str, admin: &DatabaseConnection) -> Self {
        Intruder {
            tdb: TenantDatabase::new(connect(app_url, None, 2).await),
            admin: admin.clone(),
        }
    }
}

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

/// A column under test.
pub(crate) struct Column<'a> {
    pub(crate) name: String,
    pub(crate) via: Via<'a>,
    /// Sees every row of the database under test.
    pub(crate) admin: &'a DatabaseConnection,
    /// Whether statements go through tenantry's rewriter.
    pub(crate) tenantry: bool,
    pub(crate) intruder: Option<&'a Intruder>,
}

/// The oracle for a group of columns: a database holding A's rows only.
pub(crate) struct OracleDb<'a> {
    pub(crate) conn: &'a DatabaseConnection,
    pub(crate) admin: &'a DatabaseConnection,
}

/// Statements run as admin after every reset (e.g. `ANALYZE`), on the databases under test and
/// the oracle.
pub(crate) type Prepare = [&'static [&'static str]; 3];

/// The outcome of one case in one column.
#[derive(Clone, Debug)]
pub(crate) struct Record {
    pub(crate) case: &'static str,
    pub(crate) backend: usize,
    pub(crate) column: String,
    pub(crate) cell: Cell,
    pub(crate) sql: String,
}

/// Everything one class ran.
#[derive(Default)]
pub(crate) struct Report {
    pub(crate) records: Vec<Record>,
    /// Problems with the suite itself (a case failing on the oracle, a floor not met).
    pub(crate) broken: Vec<String>,
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
    }
}

async fn execute<C: ConnectionTrait>(
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
            Expect::Contained => None,
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
            });
        }
    }
}

/// PostgreSQL databases for the three columns and the oracle.
pub(crate) struct PgEnv {
    pub(crate) no_rls: TestDb,
    pub(crate) rls: TestDb,
    pub(crate) oracle: TestDb,
    pub(crate) no_rls_admin: DatabaseConnection,
    pub(crate) rls_admin: DatabaseConnection,
    pub(crate) oracle_admin: DatabaseConnection,
    pub(crate) app_tdb: TenantDatabase,
    pub(crate) both_tdb: TenantDatabase,
    pub(crate) no_rls_intruder: Intruder,
    pub(crate) rls_intruder: Intruder,
}

impl PgEnv {
    pub(crate) async fn new() -> Self {
        let no_rls = TestDb::postgres().await;
        world::migrate_without_rls(&no_rls).await;
        let rls = TestDb::postgres().await;
        rls.migrate().await;
        let oracle = TestDb::postgres().await;
        world::migrate_without_rls(&oracle).await;
        let (no_rls_admin, rls_admin, oracle_admin) = (
            world::admin(&no_rls).await,
            world::admin(&rls).await,
            world::admin(&oracle).await,
        );
        let app_tdb = TenantDatabase::new(no_rls.app.clone());
        let both_tdb = TenantDatabase::new(rls.app.clone());
        let no_rls_intruder = Intruder::new(&no_rls.app_url, &no_rls_admin).await;
        let rls_intruder = Intruder::new(&rls.app_url, &rls_admin).await;
        PgEnv {
            no_rls,
            rls,
            oracle,
            no_rls_admin,
            rls_admin,
            oracle_admin,
            app_tdb,
            both_tdb,
            no_rls_intruder,
            rls_intruder,
        }
    }

    pub(crate) async fn run(&self, prepare: &[&str], cases: &[Case], report: &mut Report) {
        let columns = [
            Column {
                name: "PostgreSQL: app layer only".into(),
                via: Via::Tenantry(&self.app_tdb),
                admin: &self.no_rls_admin,
                tenantry: true,
                intruder: Some(&self.no_rls_intruder),
            },
            Column {
                name: "PostgreSQL: RLS only".into(),
                via: Via::Rls(&self.rls.app),
                admin: &self.rls_admin,
                tenantry: false,
                intruder: Some(&self.rls_intruder),
            },
            Column {
                name: "PostgreSQL: both".into(),
                via: Via::Tenantry(&self.both_tdb),
                admin: &self.rls_admin,
                tenantry: true,
                intruder: Some(&self.rls_intruder),
            },
        ];
        let oracle = OracleDb {
            conn: &self.oracle.owner,
            admin: &self.oracle_admin,
        };
        run_group(PG, &columns, &oracle, prepare, cases, report).await;
    }
}

/// `@@SESSION.sql_mode` read through a tenant handle (a statement without scoped tables).
pub(crate) async fn tenant_sql_mode(tdb: &TenantDatabase) -> String {
    let txn = tdb.begin(A).await.unwrap();
    let mode = scalar(&txn, "SELECT @@SESSION.sql_mode AS m").await;
    txn.commit().await.unwrap();
    mode
}

/// A MariaDB database and its oracle, with pools in each `sql_mode` asked for.
pub(crate) struct MyEnv {
    pub(crate) db: TestDb,
    pub(crate) oracle: TestDb,
    pub(crate) modes: Vec<(Mode, TenantDatabase, DatabaseConnection)>,
    pub(crate) intruder: Intruder,
}

impl MyEnv {
    pub(crate) async fn new(modes: &[Mode]) -> Self {
        let db = TestDb::mysql().await;
        db.migrate().await;
        let oracle = TestDb::mysql().await;
        oracle.migrate().await;
        let mut pools = Vec::new();
        for &m in modes {
            let app = connect(&db.app_url, Some(m), 4).await;
            let oracle_conn = connect(&oracle.owner_url, Some(m), 2).await;
            let tdb = TenantDatabase::new(app);
            let sql_mode = tenant_sql_mode(&tdb).await;
            eprintln!(
                "{}: session sql_mode through a tenant handle = {sql_mode}",
                m.label()
            );
            let has = |flag: &str| sql_mode.split(',').any(|f| f == flag);
            let ok = match m {
                Mode::SqlxDefault => true,
                Mode::NoPipesAsConcat => !has("PIPES_AS_CONCAT"),
                Mode::HighNotPrecedence => has("HIGH_NOT_PRECEDENCE"),
                Mode::NoBackslashEscapes => has("NO_BACKSLASH_ESCAPES"),
            };
            assert!(ok, "{}: unexpected sql_mode {sql_mode}", m.label());
            assert_eq!(
                scalar(&oracle_conn, "SELECT @@SESSION.sql_mode AS m").await,
                sql_mode,
                "the oracle runs in the same sql_mode"
            );
            pools.push((m, tdb, oracle_conn));
        }
        let intruder = Intruder::new(&db.app_url, &db.owner).await;
        MyEnv {
            db,
            oracle,
            modes: pools,
            intruder,
        }
    }

    pub(crate) async fn run(&self, prepare: &[&str], cases: &[Case], report: &mut Report) {
        for (mode, tdb, oracle_conn) in &self.modes {
            let columns = [Column {
                name: mode.label().into(),
                via: Via::Tenantry(tdb),
                admin: &self.db.owner,
                tenantry: true,
                intruder: Some(&self.intruder),
            }];
            let oracle = OracleDb {
                conn: oracle_conn,
                admin: &self.oracle.owner,
            };
            let cases: Vec<Case> = cases
                .iter()
                .filter(|c| c.modes.is_none_or(|m| m.contains(mode)))
                .cloned()
                .collect();
            run_group(MY, &columns, &oracle, prepare, &cases, report).await;
        }
    }
}

/// A SQLite database and its oracle.
pub(crate) struct LiteEnv {
    pub(crate) db: TestDb,
    pub(crate) oracle: TestDb,
    pub(crate) tdb: TenantDatabase,
}

impl LiteEnv {
    pub(crate) async fn new() -> Self {
        let db = TestDb::sqlite().await;
        db.migrate().await;
        let oracle = TestDb::sqlite().await;
        oracle.migrate().await;
        let tdb = TenantDatabase::new(db.app.clone());
        LiteEnv { db, oracle, tdb }
    }

    pub(crate) async fn run(&self, prepare: &[&str], cases: &[Case], report: &mut Report) {
        let columns = [Column {
            name: "SQLite: app layer".into(),
            via: Via::Tenantry(&self.tdb),
            admin: &self.db.owner,
            tenantry: true,
            intruder: None,
        }];
        let oracle = OracleDb {
            conn: &self.oracle.owner,
            admin: &self.oracle.owner,
        };
        run_group(LITE, &columns, &oracle, prepare, cases, report).await;
    }
}

/// Runs a class on all three backends with the default setup.
pub(crate) async fn run_all(cases: &[Case], modes: &[Mode], prepare: Prepare) -> Report {
    let mut report = Report::default();
    let pg = PgEnv::new().await;
    pg.run(prepare[PG], cases, &mut report).await;
    drop(pg);
    let my = MyEnv::new(modes).await;
    my.run(prepare[MY], cases, &mut report).await;
    drop(my);
    let lite = LiteEnv::new().await;
    lite.run(prepare[LITE], cases, &mut report).await;
    report
}

impl Report {
    /// Checks that at least `floor[b]` cases ran on backend `b`.
    pub(crate) fn require(&mut self, class: &str, floor: [usize; 3]) {
        for (b, min) in floor.iter().enumerate() {
            let mut names: Vec<&str> = self
                .records
                .iter()
                .filter(|r| r.backend == b)
                .map(|r| r.case)
                .collect();
            names.sort_unstable();
            names.dedup();
            if names.len() < *min {
                self.broken.push(format!(
                    "{class}: only {} case(s) ran on {}, at least {min} required",
                    names.len(),
                    BACKENDS[b]
                ));
            }
        }
    }

    /// The failing records.
    pub(crate) fn failures(&self) -> Vec<&Record> {
        self.records
            .iter()
            .filter(|r| matches!(r.cell, Cell::Fail(_)))
            .collect()
    }

    /// Prints the class summary to stderr and returns it.
    pub(crate) fn summary(&self, class: &str) -> String {
        let mut out = String::new();
        let mut per_backend = [(0usize, 0usize, 0usize, 0usize); 3];
        let mut names: [Vec<&str>; 3] = Default::default();
        for r in &self.records {
            let e = &mut per_backend[r.backend];
            e.0 += 1;
            match r.cell {
                Cell::Refused(_) => e.1 += 1,
                Cell::Pass => e.2 += 1,
                Cell::Fail(_) => e.3 += 1,
            }
            names[r.backend].push(r.case);
        }
        for n in &mut names {
            n.sort_unstable();
            n.dedup();
        }
        let total: usize = names.iter().map(Vec::len).sum();
        let (cells, refused, isolated, failing) = per_backend.iter().fold((0, 0, 0, 0), |a, e| {
            (a.0 + e.0, a.1 + e.1, a.2 + e.2, a.3 + e.3)
        });
        let _ = writeln!(
            out,
            "== {class}: {total} case runs ({} PostgreSQL, {} MariaDB, {} SQLite), {cells} cells: \
             {refused} refused, {isolated} isolated, {failing} failing",
            names[PG].len(),
            names[MY].len(),
            names[LITE].len()
        );
        let mut per_column: BTreeMap<&str, (usize, usize, usize)> = BTreeMap::new();
        for r in &self.records {
            let e = per_column.entry(r.column.as_str()).or_default();
            match r.cell {
                Cell::Refused(_) => e.0 += 1,
                Cell::Pass => e.1 += 1,
                Cell::Fail(_) => e.2 += 1,
            }
        }
        for (col, (r, p, f)) in per_column {
            let _ = writeln!(
                out,
                "   {col:<45} refused {r:>3}  isolated {p:>3}  failing {f:>3}"
            );
        }
        if std::env::var_os("ADVERSARIAL_CELLS").is_some() {
            for r in &self.records {
                let label = match &r.cell {
                    Cell::Pass => "isolated".to_owned(),
                    Cell::Refused(kind) => format!("refused ({kind})"),
                    Cell::Fail(_) => "FAIL".to_owned(),
                };
                let _ = writeln!(out, "   cell {} [{}]: {label}", r.case, r.column);
            }
        }
        for r in self.failures() {
            if let Cell::Fail(why) = &r.cell {
                let why = why.replace('\n', "\n        ");
                let _ = writeln!(out, "   FAIL {} [{}]: {why}", r.case, r.column);
            }
        }
        for b in &self.broken {
            let _ = writeln!(out, "   BROKEN {b}");
        }
        eprint!("{out}");
        out
    }

    /// Prints the summary, then fails the test if any case failed or the suite is broken.
    pub(crate) fn finish(mut self, class: &str, floor: [usize; 3]) {
        self.require(class, floor);
        self.summary(class);
        let failures = self.failures();
        let mut msg = String::new();
        for r in &failures {
            if let Cell::Fail(why) = &r.cell {
                let _ = writeln!(
                    msg,
                    "{} [{}]: {why}\n    SQL: {}",
                    r.case,
                    r.column,
                    r.sql.replace('\n', "\\n")
                );
            }
        }
        for b in &self.broken {
            let _ = writeln!(msg, "BROKEN: {b}");
        }
        assert!(
            failures.is_empty() && self.broken.is_empty(),
            "{class}: {} failing cell(s), {} problem(s) with the suite:\n{msg}",
            failures.len(),
            self.broken.len()
        );
    }
}
