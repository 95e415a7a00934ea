//! Class 8 — error side channels on MariaDB. A condition evaluated on B's rows before the
//! tenant predicate filters them can fail, and the error message carries B's value
//! (`extractvalue(1, concat('~', name))`, casts in strict mode…) or the mere failure reveals
//! that such a row exists (division by zero, `exp()` overflow…).
//!
//! Each channel is measured four ways: through the tenant handle (the rewriter splices the
//! predicate in first: `WHERE <tenant> AND (<original>)`) and as hand-written SQL with the
//! predicate first (`tenant AND (orig)`, a cross-check of the rewriter's placement), each on
//! tables with and without an index led by the tenant column. The outcome is compared with the
//! same statement on a database holding only A's rows: the same outcome is `isolated`; an
//! error carrying B's value is `value`; any other difference is `existence`.
//!
//! This class documents reality: `EXPECTED_LEAKS` lists every (channel, variant) that leaks,
//! with its reason; everything else must be isolated or refused. A change in either direction
//! fails the test, so the list tracks the code. The table is printed to stderr.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use sea_orm::{ConnectionTrait, DatabaseConnection, DbErr, Statement};
use tenantry::TenantDatabase;
use tenantry_tests::TestDb;

use super::env::exec;
use super::harness::attempt_steps;
use crate::isolation::run::Via;
use crate::isolation::shapes::Run;
use crate::isolation::world::{self, B, B_MARK, Data};

mod cases;
pub(crate) use cases::channels;

/// One channel: the statement as an app writes it, and the same with the tenant predicate
/// written first (`$A` binds tenant A).
pub(crate) struct Channel {
    pub(crate) name: &'static str,
    pub(crate) position: &'static str,
    pub(crate) run: Run,
    pub(crate) sql: &'static str,
    pub(crate) first: &'static str,
}

/// What a channel gave A.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Outcome {
    /// Refused by tenantry.
    Refused,
    /// The same result or error as on A's data alone.
    Isolated,
    /// An error message carrying a value of B.
    Value,
    /// A different outcome than on A's data alone (an error, or none) without B's values.
    Existence,
}

impl Outcome {
    fn label(self) -> &'static str {
        match self {
            Outcome::Refused => "refused",
            Outcome::Isolated => "isolated",
            Outcome::Value => "LEAKS value",
            Outcome::Existence => "LEAKS existence",
        }
    }
}

/// The four measurements, in table order.
pub(crate) const VARIANTS: [&str; 4] = [
    "handle, tenant index",
    "handle, no index",
    "tenant first, tenant index",
    "tenant first, no index",
];

/// Every leaking (channel, variant), measured on MariaDB 10.11 with the rewriter of this
/// branch, with why it leaks.
///
/// What the measurements show: with the predicate first, the handle and the hand-written
/// tenant-first SQL measure the same in every channel. In a SELECT MariaDB evaluates the
/// `tenant_id = ?` equality before the other conditions (no channel leaks there, index or
/// not), and a single-table UPDATE or DELETE evaluates the conditions in written order, so the
/// predicate first filters B's rows before a failing condition runs on them. Three channels
/// still leak whatever the order: a row found by primary key is read and evaluated while the
/// statement is optimised, before any predicate; a conversion error names the scan position
/// (`at row N`), which counts the rows of B a full scan read before A's; and a join order
/// costed from statistics that count B's rows can change the outcome.
pub(crate) const EXPECTED_LEAKS: &[(&str, &str, Outcome, &str)] = &[
    (
        "err/exp_overflow_primary_key_lookup",
        "handle, tenant index",
        Outcome::Existence,
        "MariaDB reads the row found by primary key (B's 1001) as a const row while optimising and evaluates the condition on it before any predicate: the overflow fires in every variant",
    ),
    (
        "err/exp_overflow_primary_key_lookup",
        "handle, no index",
        Outcome::Existence,
        "B's row 1001 is read by primary key and evaluated while optimising, before any predicate",
    ),
    (
        "err/exp_overflow_primary_key_lookup",
        "tenant first, tenant index",
        Outcome::Existence,
        "the predicate first does not help: the const row is evaluated while optimising",
    ),
    (
        "err/exp_overflow_primary_key_lookup",
        "tenant first, no index",
        Outcome::Existence,
        "the predicate first does not help: the const row is evaluated while optimising",
    ),
    (
        "err/date_update_where",
        "handle, no index",
        Outcome::Existence,
        "the predicate filters B's rows before `DATE(name)` runs, so strict mode's error carries A's value, but its `at row N` counts every row the full scan read: `at row 3` instead of 1 shows that two rows (B's 1001, 1002) precede A's first in primary-key order",
    ),
    (
        "err/date_update_where",
        "tenant first, no index",
        Outcome::Existence,
        "as the handle: `at row 3` counts B's two rows read before A's first",
    ),
    (
        "err/cast_update_join_on",
        "handle, tenant index",
        Outcome::Existence,
        "the join order is costed from statistics that count B's rows: with them MariaDB reads A's customers by the tenant index and looks orders up by primary key on `c.name + 0` (a key lookup, where the failed conversion is no error) and updates nothing; on A's data alone it evaluates `c.name + 0 = o.id` as a condition and strict mode fails on 'A-ann'",
    ),
    (
        "err/cast_update_join_on",
        "tenant first, tenant index",
        Outcome::Existence,
        "as the handle: the plan, not the predicate order, decides whether the cast is an error",
    ),
];

/// A measured outcome's evidence, for the table.
struct Measured {
    outcome: Outcome,
    detail: String,
}

fn normalise(text: &str, names: &[&str]) -> String {
    let mut t = text.to_owned();
    for n in names {
        t = t.replace(n, "<db>");
    }
    t
}

fn render(result: &Result<Vec<String>, DbErr>, names: &[&str]) -> String {
    match result {
        Ok(rows) => format!("ok {rows:?}"),
        Err(e) => normalise(&format!("error: {e}"), names),
    }
}

fn measure(
    result: &Result<Vec<String>, DbErr>,
    oracle: &Result<Vec<String>, DbErr>,
    names: &[&str],
) -> Measured {
    if let Err(e) = result
        && tenantry::Error::from_db_err(e).is_some()
    {
        return Measured {
            outcome: Outcome::Refused,
            detail: e.to_string(),
        };
    }
    let got = render(result, names);
    let expected = render(oracle, names);
    let b_text = B.to_string();
    let outcome = if got.contains(B_MARK) || got.contains(&b_text) {
        Outcome::Value
    } else if got != expected {
        Outcome::Existence
    } else {
        Outcome::Isolated
    };
    let detail = if outcome == Outcome::Isolated {
        got
    } else {
        format!("{got} (on A's data alone: {expected})")
    };
    Measured { outcome, detail }
}

/// A MariaDB database under test or its oracle, with or without tenant-led indexes.
struct Db {
    db: TestDb,
    tdb: TenantDatabase,
}

impl Db {
    async fn new(data: Data, indexed: bool) -> Db {
        let db = TestDb::mysql().await;
        db.migrate().await;
        if !indexed {
            strip_tenant_indexes(&db.owner).await;
        }
        reset(&db.owner, data).await;
        let tdb = TenantDatabase::new(db.app.clone());
        Db { db, tdb }
    }
}

/// Seeds `data` and recomputes the optimizer's statistics, so that plans do not depend on
/// when InnoDB's background recalculation last ran.
async fn reset(owner: &DatabaseConnection, data: Data) {
    world::reset(owner, data).await;
    exec(
        owner,
        "ANALYZE TABLE customers, orders, order_items, products, tenants",
    )
    .await;
}

async fn rows(conn: &DatabaseConnection, sql: &str) -> Vec<(String, String)> {
    conn.query_all_raw(Statement::from_string(
        sea_orm::DbBackend::MySql,
        sql.to_owned(),
    ))
    .await
    .unwrap()
    .iter()
    .map(|r| {
        (
            r.try_get_by_index::<String>(0).unwrap(),
            r.try_get_by_index::<String>(1).unwrap(),
        )
    })
    .collect()
}

/// Drops every foreign key, then every index whose first column is `tenant_id`.
async fn strip_tenant_indexes(owner: &DatabaseConnection) {
    for (table, fk) in rows(owner, "SELECT TABLE_NAME, CONSTRAINT_NAME FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = DATABASE()").await {
        exec(owner, &format!("ALTER TABLE `{table}` DROP FOREIGN KEY `{fk}`")).await;
    }
    for (table, index) in rows(owner, "SELECT DISTINCT TABLE_NAME, INDEX_NAME FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND SEQ_IN_INDEX = 1 AND COLUMN_NAME = 'tenant_id'").await {
        exec(owner, &format!("ALTER TABLE `{table}` DROP INDEX `{index}`")).await;
    }
    let left = rows(owner, "SELECT TABLE_NAME, INDEX_NAME FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND COLUMN_NAME = 'tenant_id'").await;
    assert!(left.is_empty(), "indexes on tenant_id left: {left:?}");
}

/// Measures every channel in the four variants; returns the failures (measured ≠ expected).
pub(crate) async fn run() -> (String, Vec<String>, usize) {
    let indexed = Db::new(Data::Both, true).await;
    let indexed_oracle = Db::new(Data::OnlyA, true).await;
    let bare = Db::new(Data::Both, false).await;
    let bare_oracle = Db::new(Data::OnlyA, false).await;
    let names = [
        indexed.db.name.as_str(),
        indexed_oracle.db.name.as_str(),
        bare.db.name.as_str(),
        bare_oracle.db.name.as_str(),
    ];
    let pairs = [
        (&indexed, &indexed_oracle, true),
        (&bare, &bare_oracle, true),
        (&indexed, &indexed_oracle, false),
        (&bare, &bare_oracle, false),
    ];
    let mut table: BTreeMap<&str, Vec<Measured>> = BTreeMap::new();
    let mut cells = 0;
    let channels = channels();
    for c in &channels {
        for (db, oracle, handle) in pairs {
            let (via, oracle_via, sql) = if handle {
                (Via::Tenantry(&db.tdb), Via::Tenantry(&oracle.tdb), c.sql)
            } else {
                (Via::Raw(&db.db.app), Via::Raw(&oracle.db.app), c.first)
            };
            let backend = sea_orm::DbBackend::MySql;
            let result = attempt_steps(via, c.run, backend, sql).await;
            let expected = attempt_steps(oracle_via, c.run, backend, sql).await;
            if c.run != Run::Query {
                reset(&db.db.owner, Data::Both).await;
                reset(&oracle.db.owner, Data::OnlyA).await;
            }
            table
                .entry(c.name)
                .or_default()
                .push(measure(&result, &expected, &names));
            cells += 1;
        }
    }
    let mut out = String::from("== class 8 (MariaDB error side channels), measured:\n");
    let _ = writeln!(
        out,
        "   {:<42} {:<22} | {}",
        "channel",
        "position",
        VARIANTS.join(" | ")
    );
    let mut failures = Vec::new();
    for c in &channels {
        let measured = &table[c.name];
        let labels: Vec<String> = measured
            .iter()
            .map(|m| format!("{:<26}", m.outcome.label()))
            .collect();
        let _ = writeln!(
            out,
            "   {:<42} {:<22} | {}",
            c.name,
            c.position,
            labels.join(" | ")
        );
        for (variant, m) in VARIANTS.iter().zip(measured) {
            let expected = EXPECTED_LEAKS
                .iter()
                .find(|(n, v, _, _)| *n == c.name && v == variant)
                .map(|(_, _, o, _)| *o);
            let ok = match expected {
                Some(o) => m.outcome == o,
                None => matches!(m.outcome, Outcome::Isolated | Outcome::Refused),
            };
            if !ok {
                failures.push(format!(
                    "{} [{variant}]: measured {}, expected {}: {}",
                    c.name,
                    m.outcome.label(),
                    expected.map_or("isolated or refused", Outcome::label),
                    m.detail
                ));
            }
        }
    }
    for (n, v, _, _) in EXPECTED_LEAKS {
        if !channels.iter().any(|c| c.name == *n) || !VARIANTS.contains(v) {
            failures.push(format!(
                "EXPECTED_LEAKS names an unknown channel or variant: {n} [{v}]"
            ));
        }
    }
    let leaking = table
        .values()
        .flatten()
        .filter(|m| matches!(m.outcome, Outcome::Value | Outcome::Existence))
        .count();
    let _ = writeln!(
        out,
        "   {} channels x {} variants = {cells} measurements, {leaking} leaking",
        channels.len(),
        VARIANTS.len()
    );
    if std::env::var_os("ADVERSARIAL_CELLS").is_some() {
        for c in &channels {
            for (variant, m) in VARIANTS.iter().zip(&table[c.name]) {
                let _ = writeln!(out, "   detail {} [{variant}]: {}", c.name, m.detail);
            }
        }
    }
    eprint!("{out}");
    (out, failures, channels.len())
}
