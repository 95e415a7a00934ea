//! The columns and the databases behind them, per backend.
//!
//! Columns: on PostgreSQL "app layer only" (the rewriter, no RLS), "RLS only" (raw SQL as the
//! app role with `tenantry.tenant_id` set to A) and "both"; on MariaDB the app layer, in the
//! `sql_mode`s a class asks for; on SQLite the app layer. Every case runs as tenant A on a
//! database holding A's and B's rows; `Same` cases are compared with an oracle database holding
//! only A's rows (same backend, same `sql_mode`).

use std::time::Duration;

use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, FromQueryResult, JsonValue,
    Statement,
};
use tenantry::TenantDatabase;
use tenantry_tests::TestDb;

use super::case::{Case, LITE, MY, PG};
use super::harness::{Prepare, run_group};
use super::report::Report;
use crate::isolation::run::Via;
use crate::isolation::world::{self, A};

/// The PostgreSQL column where raw SQL runs as the app role under RLS, without the rewriter.
pub(crate) const RLS_ONLY: &str = "PostgreSQL: RLS only";

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
        let (no_rls, rls, oracle) = world::postgres_columns().await;
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
                name: RLS_ONLY.into(),
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
