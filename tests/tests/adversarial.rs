//! Adversarial suites: statements built to slip past the rewriter, run as tenant A on real
//! databases holding tenants A and B, in the isolation suite's columns (PostgreSQL: app layer
//! only, RLS only, both; MariaDB — in the `sql_mode`s a class asks for — and SQLite: the app
//! layer) and judged with the isolation suite's `judge`: refused, or no row of B returned,
//! created, changed or deleted and (for `Same` cases) the oracle's result. One test per class
//! of attack; each prints its summary (cases, refused, isolated, failing per column) to stderr
//! and fails listing every failing cell. Classes 4 and 7 list the attacks the "RLS only"
//! column cannot stop by design — raw SQL the app role itself may run (`RLS_ONLY_GAPS`, each
//! naming the PostgreSQL mechanism): they are asserted to still fail there, and nowhere else
//! excused, and are printed as documented database-layer gaps. Class 8 (MariaDB error side
//! channels) documents what leaks instead: it passes while the measurements match
//! `error_channels::EXPECTED_LEAKS`.
//!
//! Run: `cargo test -p tenantry-tests --test adversarial` (one class: `… --test adversarial
//! printing`); `-- --nocapture` shows the summaries of passing classes too, and
//! `ADVERSARIAL_CELLS=1` adds every cell (and class 8's error texts) to them.
#![allow(clippy::unwrap_used, clippy::print_stdout)]

#[allow(dead_code)]
#[path = "isolation"]
mod isolation {
    pub(crate) mod run;
    pub(crate) mod shapes;
    pub(crate) mod world;
}

mod adversarial {
    // The harness: cases, columns and environments, the runner, the report.
    pub(crate) mod case;
    pub(crate) mod env;
    pub(crate) mod harness;
    pub(crate) mod report;
    // The classes.
    pub(crate) mod catalogue;
    pub(crate) mod comments;
    pub(crate) mod error_channels;
    pub(crate) mod functions;
    pub(crate) mod names;
    pub(crate) mod precedence;
    pub(crate) mod printing;
    pub(crate) mod wildcards;
    pub(crate) mod write_targets;
}

use adversarial::env::{self, LiteEnv, Mode, MyEnv, PgEnv, connect, exec, scalar};
use adversarial::report::Report;
use adversarial::{
    catalogue, comments, error_channels, functions, names, precedence, printing, wildcards,
    write_targets,
};

/// Class 1: what the rewriter prints differs from what it read.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn printing_fidelity() {
    let report = env::run_all(
        &printing::cases(),
        &[Mode::SqlxDefault, Mode::NoBackslashEscapes],
        [&[], &[], &[]],
    )
    .await;
    report.finish("class 1 (printing fidelity)", [45, 35, 30], &[]);
}

/// Class 2: operators the parser and MariaDB bind differently.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn precedence() {
    let report = env::run_all(
        &precedence::cases(),
        &[
            Mode::SqlxDefault,
            Mode::NoPipesAsConcat,
            Mode::HighNotPrecedence,
        ],
        [&[], &[], &[]],
    )
    .await;
    report.finish("class 2 (precedence)", [12, 45, 10], &[]);
}

/// Class 3: executable comments and comment syntax.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn comments() {
    let report = env::run_all(
        &comments::cases(),
        &[Mode::SqlxDefault, Mode::NoBackslashEscapes],
        [&[], &[], &[]],
    )
    .await;
    report.finish("class 3 (comments)", [12, 33, 11], &[]);
}

/// Class 4: functions that run SQL or reach outside the statement.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn functions() {
    let cases = functions::cases();
    let mut report = Report::default();
    {
        let pg = PgEnv::new().await;
        // dblink exists in the RLS database only: installed or not, it must be refused.
        exec(&pg.rls_admin, "CREATE EXTENSION IF NOT EXISTS dblink").await;
        // Tenant B's large object, created by the app role (the owner of every large object
        // the app makes) in both databases under test.
        for app in [&pg.no_rls.app, &pg.rls.app] {
            exec(
                app,
                "SELECT lo_from_bytea(0, convert_to('B-secret-lob', 'UTF8'))",
            )
            .await;
        }
        // Tenant B's session holds advisory lock 4242 for the whole run.
        let mut holders = Vec::new();
        for url in [&pg.no_rls.app_url, &pg.rls.app_url] {
            let holder = connect(url, None, 1).await;
            exec(&holder, "SELECT pg_advisory_lock(4242)").await;
            holders.push(holder);
        }
        // The setup the cases attack is really there (else they would pass for nothing).
        for admin in [&pg.no_rls_admin, &pg.rls_admin] {
            let locks = "SELECT count(*) AS n FROM pg_locks WHERE locktype = 'advisory' AND objid = 4242 \
                         AND database = (SELECT oid FROM pg_database WHERE datname = current_database())";
            assert_eq!(scalar(admin, locks).await, "1", "B's advisory lock");
            let lobs = "SELECT count(*) AS n FROM pg_largeobject_metadata";
            assert_eq!(scalar(admin, lobs).await, "1", "B's large object");
        }
        pg.run(&[], &cases, &mut report).await;
        drop(holders);
    }
    {
        let my = MyEnv::new(&[Mode::SqlxDefault]).await;
        // Tenant B's session holds a named lock for the whole run (named after the database,
        // so the oracle's server-wide namespace does not see it).
        let holder = connect(&my.db.app_url, None, 1).await;
        exec(
            &holder,
            "SELECT GET_LOCK(CONCAT(DATABASE(), '-b-nightly'), 0)",
        )
        .await;
        my.run(&[], &cases, &mut report).await;
        drop(holder);
    }
    LiteEnv::new().await.run(&[], &cases, &mut report).await;
    report.finish("class 4 (functions)", [60, 8, 9], functions::RLS_ONLY_GAPS);
}

/// Class 5: wildcards in `INSERT … SELECT`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wildcards() {
    let report = env::run_all(&wildcards::cases(), &[Mode::SqlxDefault], [&[], &[], &[]]).await;
    report.finish("class 5 (wildcards in INSERT … SELECT)", [22, 20, 20], &[]);
}

/// Class 6: write targets inside nested joins.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn write_targets() {
    let report = env::run_all(
        &write_targets::cases(),
        &[Mode::SqlxDefault],
        [&[], &[], &[]],
    )
    .await;
    report.finish("class 6 (write targets in nested joins)", [12, 18, 8], &[]);
}

/// Class 7: catalogue and statistics views carrying B's values.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn catalogue() {
    let cases = catalogue::cases();
    let mut report = Report::default();
    {
        let pg = PgEnv::new().await;
        for owner in [&pg.no_rls.owner, &pg.rls.owner, &pg.oracle.owner] {
            exec(
                owner,
                "CREATE STATISTICS adv_customers_ext (mcv) ON tenant_id, name FROM customers",
            )
            .await;
        }
        for admin in [&pg.no_rls_admin, &pg.rls_admin] {
            exec(admin, "CREATE EXTENSION IF NOT EXISTS pg_stat_statements").await;
        }
        // Tenant B's session of the app role, idle after a statement holding B's values.
        let mut idle = Vec::new();
        for (url, admin) in [
            (&pg.no_rls.app_url, &pg.no_rls_admin),
            (&pg.rls.app_url, &pg.rls_admin),
        ] {
            let b = connect(url, None, 1).await;
            exec(&b, catalogue::B_IDLE_STATEMENT).await;
            idle.push(b);
            let shown = format!(
                "SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() \
                 AND state = 'idle' AND query = '{}'",
                catalogue::B_IDLE_STATEMENT.replace('\'', "''")
            );
            assert_eq!(scalar(admin, &shown).await, "1", "B's idle session");
        }
        pg.run(catalogue::PG_PREPARE, &cases, &mut report).await;
        drop(idle);
    }
    MyEnv::new(&[Mode::SqlxDefault])
        .await
        .run(catalogue::MY_PREPARE, &cases, &mut report)
        .await;
    LiteEnv::new()
        .await
        .run(catalogue::LITE_PREPARE, &cases, &mut report)
        .await;
    report.finish(
        "class 7 (catalogue and statistics)",
        [18, 16, 8],
        catalogue::RLS_ONLY_GAPS,
    );
}

/// Class 8: MariaDB error side channels, measured; the expected leaks are listed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn error_channels() {
    let (_table, failures, channels) = error_channels::run().await;
    assert!(channels >= 25, "at least 25 channels, got {channels}");
    assert!(
        failures.is_empty(),
        "class 8: {} measurement(s) differ from EXPECTED_LEAKS:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Class 9: name resolution.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn name_resolution() {
    let report = env::run_all(&names::cases(), &[Mode::SqlxDefault], [&[], &[], &[]]).await;
    report.finish("class 9 (name resolution)", [30, 14, 18], &[]);
}
