//! The rewriter's snapshot corpus against real databases: every case the rewriter accepts runs
//! rewritten on a database holding two tenants' rows (no Row-Level Security), and as written on
//! an oracle database holding only the current tenant's rows and the shared rows. The results
//! (as multisets) and the tables afterwards must agree, and the other tenant's rows must be
//! untouched. Each statement runs in a transaction that is rolled back.
#![allow(clippy::unwrap_used)]

#[path = "../../crates/tenantry/tests/rewrite_support/mod.rs"]
mod rewrite_support;

mod snapshot_oracle {
    pub(crate) mod cases;
    pub(crate) mod run;
    pub(crate) mod schema;
}

use sea_orm::{DbBackend, Statement, TransactionTrait};
use snapshot_oracle::cases::{self, Case};
use snapshot_oracle::run::{Outcome, State, diff, run, state};
use snapshot_oracle::schema::{self, Data, OTHER};
use tenantry_tests::TestDb;

/// Accepted cases that cannot run on a database, with the reason: (case, backend or all).
const SKIP: &[(&str, Option<DbBackend>, &str)] = &[
    (
        "explain_select",
        None,
        "its result is a query plan, which the added tenant predicate changes by design",
    ),
    (
        "select_schema_unknown",
        None,
        "names a schema `app` the corpus schema does not have (a name-resolution case)",
    ),
    (
        "select_quoted_exact",
        Some(PG),
        "`\"Orders\"` is no table on PostgreSQL (a name-resolution case)",
    ),
    (
        "select_mixed_unquoted",
        Some(PG),
        "unquoted `Mixed` folds to `mixed`, no table on PostgreSQL (a name-resolution case)",
    ),
    (
        "insert_tenant_column_given_case_insensitive",
        Some(PG),
        "unquoted `orgkey` is not the column `\"OrgKey\"` on PostgreSQL",
    ),
    (
        "table_named_only_is_a_table",
        Some(PG),
        "PostgreSQL reads `ONLY` as a keyword: the case is about the parser only",
    ),
    (
        "select_multiple_statements",
        Some(PG),
        "a prepared statement holds one command on PostgreSQL",
    ),
    (
        "select_multiple_statements_unscoped",
        Some(PG),
        "a prepared statement holds one command on PostgreSQL",
    ),
    (
        "select_multiple_statements",
        Some(MY),
        "a prepared statement holds one command on MariaDB",
    ),
    (
        "select_multiple_statements_unscoped",
        Some(MY),
        "a prepared statement holds one command on MariaDB",
    ),
    ("select_lateral", Some(MY), "MariaDB has no LATERAL"),
    (
        "insert_on_duplicate_key_row_alias",
        Some(MY),
        "MariaDB has no row alias (`VALUES (...) AS new`, MySQL 8.0.19+)",
    ),
    (
        "select_case_folding",
        Some(MY),
        "table names are case-sensitive on this MariaDB: `ORDERS` is no table",
    ),
    (
        "select_quoted_exact",
        Some(MY),
        "table names are case-sensitive on this MariaDB: `Orders` is no table",
    ),
    (
        "select_schema_registered",
        Some(MY),
        "a MySQL schema is a server-wide database; the test creates none outside its own",
    ),
    (
        "select_schema_unregistered_other",
        Some(MY),
        "a MySQL schema is a server-wide database; the test creates none outside its own",
    ),
    (
        "insert_schema_qualified",
        Some(MY),
        "a MySQL schema is a server-wide database; the test creates none outside its own",
    ),
    (
        "select_cte_named_like_table_reads_table",
        Some(LITE),
        "SQLite refuses a CTE that reads a table of its own name (circular reference)",
    ),
];

const PG: DbBackend = DbBackend::Postgres;
const MY: DbBackend = DbBackend::MySql;
const LITE: DbBackend = DbBackend::Sqlite;

/// Cases whose rewrite still lets the other tenant's rows in or changes them: (case, backend).
/// The test checks that each still differs from the oracle, so a fix flips it here.
const KNOWN_LEAKS: &[(&str, DbBackend)] = &[];

/// At least this many cases must run on each backend (PostgreSQL, MariaDB, SQLite).
const FLOOR: [(DbBackend, usize); 3] = [
    (DbBackend::Postgres, 110),
    (DbBackend::MySql, 91),
    (DbBackend::Sqlite, 104),
];

fn skip_reason(case: &Case, backend: DbBackend) -> Option<&'static str> {
    SKIP.iter()
        .find(|(name, b, _)| *name == case.name && b.is_none_or(|b| b == backend))
        .map(|(_, _, reason)| *reason)
}

/// Why the rewritten run differs from the oracle's, if it does.
fn compare(got: &Outcome, want: &Outcome, seed: &State) -> Option<String> {
    let mut why = String::new();
    match (&got.rows, &want.rows) {
        (Ok(g), Ok(w)) if g != w => {
            why.push_str(&format!("\n    result differs:{}", diff(w, g)));
        }
        (Ok(_), Ok(_)) => {}
        (Err(g), Err(w)) => {
            why.push_str(&format!(
                "\n    fails on both databases (add it to SKIP with a reason):\n      rewritten: {g}\n      oracle:    {w}"
            ));
        }
        (Err(g), Ok(_)) => why.push_str(&format!("\n    rewritten fails: {g}")),
        (Ok(_), Err(w)) => why.push_str(&format!("\n    only the oracle fails: {w}")),
    }
    for ((table, seeded), (_, after)) in seed.other.iter().zip(&got.state.other) {
        if seeded != after {
            why.push_str(&format!(
                "\n    tenant {OTHER}'s rows of {table} changed:{}",
                diff(seeded, after)
            ));
        }
    }
    for ((table, w), (_, g)) in want.state.ours.iter().zip(&got.state.ours) {
        if w != g {
            why.push_str(&format!(
                "\n    {table} differs from the oracle's:{}",
                diff(w, g)
            ));
        }
    }
    (!why.is_empty()).then_some(why)
}

async fn database(backend: DbBackend) -> TestDb {
    match backend {
        DbBackend::Postgres => TestDb::postgres().await,
        DbBackend::MySql => TestDb::mysql().await,
        _ => TestDb::sqlite().await,
    }
}

async fn check(backend: DbBackend) {
    let both = database(backend).await;
    let oracle = database(backend).await;
    schema::create(&both.admin, Data::Both).await;
    schema::create(&oracle.admin, Data::Oracle).await;
    let seed = {
        let txn = both.admin.begin().await.unwrap();
        let seed = state(&txn).await;
        txn.rollback().await.unwrap();
        seed
    };
    let registry = rewrite_support::registry();
    let tenant = rewrite_support::tenant();
    let (mut executed, mut refused, mut skipped) = (0, 0, 0);
    let mut failures = Vec::new();
    let mut leaks_ran = Vec::new();
    let mut leaks_seen = Vec::new();
    let mut skips_seen = Vec::new();
    for case in cases::all()
        .into_iter()
        .filter(|c| c.backends.contains(&backend))
    {
        let original = Statement {
            sql: rewrite_support::dialect_sql(backend, case.sql),
            values: (!case.values.is_empty()).then(|| sea_orm::Values(case.values.clone())),
            db_backend: backend,
        };
        let Ok(rewritten) = tenantry::rewrite::rewrite(&original, &registry, &tenant) else {
            refused += 1;
            continue;
        };
        if let Some(reason) = skip_reason(&case, backend) {
            skipped += 1;
            skips_seen.push(format!("\n  {}: {reason}", case.name));
            continue;
        }
        executed += 1;
        let got = run(&both.admin, rewritten.clone()).await;
        let want = run(&oracle.admin, original.clone()).await;
        let why = compare(&got, &want, &seed);
        let known = KNOWN_LEAKS.contains(&(case.name, backend));
        if known {
            leaks_ran.push(case.name);
        }
        match (why, known) {
            (None, false) => {}
            (Some(_), true) => leaks_seen.push(case.name),
            (None, true) => failures.push(format!(
                "{} ({}) on {backend:?} is listed in KNOWN_LEAKS but now matches the oracle: \
                 remove it from the list",
                case.name, case.file
            )),
            (Some(why), false) => failures.push(format!(
                "{} ({}) on {backend:?}\n    original:  {}\n    rewritten: {}{why}",
                case.name, case.file, original.sql, rewritten.sql
            )),
        }
    }
    for (name, b, _) in SKIP {
        let prefix = format!("\n  {name}: ");
        if b.is_none_or(|b| b == backend) && !skips_seen.iter().any(|s| s.starts_with(&prefix)) {
            failures.push(format!(
                "{name} is in SKIP for {backend:?} but no case of that name is accepted there: remove it"
            ));
        }
    }
    for (name, b) in KNOWN_LEAKS {
        if *b == backend && !leaks_ran.contains(name) {
            failures.push(format!(
                "{name} is in KNOWN_LEAKS for {backend:?} but did not run there"
            ));
        }
    }
    eprintln!(
        "snapshot oracle on {backend:?}: {executed} cases executed ({} known leaks), \
         {skipped} skipped (listed in SKIP), {refused} refused by the rewriter (nothing to \
         run){}",
        leaks_seen.len(),
        skips_seen.concat()
    );
    let floor = FLOOR.iter().find(|(b, _)| *b == backend).unwrap().1;
    assert!(
        failures.is_empty(),
        "{} problem(s) on {backend:?}:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
    assert!(
        executed >= floor,
        "only {executed} cases executed on {backend:?}, fewer than the floor of {floor}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn corpus_matches_oracle_on_postgres() {
    check(DbBackend::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn corpus_matches_oracle_on_mysql() {
    check(DbBackend::MySql).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn corpus_matches_oracle_on_sqlite() {
    check(DbBackend::Sqlite).await;
}
