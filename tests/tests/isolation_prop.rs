//! Random statement shapes over the reference schema, checked with the differential oracle in
//! all three PostgreSQL columns (app layer only, RLS only, both): no row of B returned or
//! touched, and A's result and rows equal to the oracle's — or a documented refusal.
#![allow(clippy::unwrap_used)]

#[path = "isolation/run.rs"]
#[allow(dead_code)]
mod run;
#[path = "isolation/shapes.rs"]
#[allow(dead_code)]
mod shapes;
#[path = "isolation/world.rs"]
#[allow(dead_code)]
mod world;

use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use run::{Cell, Oracle, Via, attempt, judge, statement};
use sea_orm::{DatabaseConnection, DbBackend};
use shapes::{Expect, Run, Shape};
use tenantry::TenantDatabase;
use world::Data;

/// A join onto `orders o`, and the integer column it contributes.
const JOINS: &[(&str, &str)] = &[
    ("", "NULL::int"),
    ("JOIN customers c ON c.id = o.customer_id", "c.id"),
    ("LEFT JOIN customers c ON c.id = o.customer_id", "c.id"),
    ("RIGHT JOIN customers c ON c.id = o.customer_id", "c.id"),
    ("FULL JOIN customers c ON c.id = o.customer_id", "c.id"),
    ("LEFT JOIN order_items i ON i.order_id = o.id", "i.id"),
    (
        "JOIN order_items i ON i.order_id = o.id JOIN products p ON p.id = i.product_id",
        "p.id",
    ),
    ("CROSS JOIN products p", "p.id"),
    (
        "LEFT JOIN LATERAL (SELECT max(x.id) AS m FROM order_items x WHERE x.order_id = o.id) l ON true",
        "l.m",
    ),
];

/// Predicates over `orders o`.
const PREDICATES: &[&str] = &[
    "TRUE",
    "o.status = 'open'",
    "o.total > 15",
    "o.customer_id = 1001",
    "o.tenant_id = $B",
    "o.customer_id IN (SELECT id FROM customers)",
    "o.customer_id NOT IN (SELECT id FROM customers WHERE name LIKE 'A-a%')",
    "EXISTS (SELECT 1 FROM order_items x WHERE x.order_id = o.id)",
    "NOT EXISTS (SELECT 1 FROM order_items x WHERE x.order_id = o.id AND x.product_id = 2)",
    "o.id > (SELECT min(id) FROM orders)",
    "o.total >= (SELECT avg(total) FROM orders)",
    "o.id IN (SELECT order_id FROM order_items UNION SELECT id FROM orders WHERE status = 'shipped')",
];

#[derive(Clone, Debug)]
enum Wrap {
    Plain,
    Count,
    Cte,
    Union,
    Except,
    Window,
}

#[derive(Clone, Debug)]
enum Case {
    Read {
        join: usize,
        pred: (usize, Option<(bool, usize)>),
        wrap: Wrap,
        limit: bool,
    },
    Update {
        pred: (usize, Option<(bool, usize)>),
    },
    Delete {
        pred: (usize, Option<(bool, usize)>),
    },
    InsertSelect {
        pred: (usize, Option<(bool, usize)>),
    },
}

fn predicate(pred: &(usize, Option<(bool, usize)>)) -> String {
    let first = PREDICATES[pred.0];
    match pred.1 {
        None => first.to_owned(),
        Some((or, second)) => format!(
            "({first}) {} ({})",
            if or { "OR" } else { "AND" },
            PREDICATES[second]
        ),
    }
}

impl Case {
    fn sql(&self) -> String {
        match self {
            Case::Read {
                join,
                pred,
                wrap,
                limit,
            } => {
                let (join_sql, col) = JOINS[*join];
                let q = format!(
                    "SELECT o.id AS oid, {col} AS v FROM orders o {join_sql} WHERE {}",
                    predicate(pred)
                );
                let q = match wrap {
                    Wrap::Plain => q,
                    Wrap::Count => {
                        format!("SELECT count(*) AS n, count(DISTINCT v) AS d FROM ({q}) s")
                    }
                    Wrap::Cte => format!("WITH q AS ({q}) SELECT oid, v FROM q"),
                    Wrap::Union => format!("{q} UNION SELECT id, id FROM customers"),
                    Wrap::Except => format!("SELECT id, id FROM orders EXCEPT {q}"),
                    Wrap::Window => {
                        format!("SELECT oid, v, count(*) OVER (PARTITION BY v) AS w FROM ({q}) s")
                    }
                };
                if *limit {
                    format!("SELECT * FROM ({q}) t ORDER BY 1, 2 LIMIT 3")
                } else {
                    q
                }
            }
            Case::Update { pred } => format!(
                "UPDATE orders o SET status = 'w', total = o.total + 1 WHERE {}",
                predicate(pred)
            ),
            Case::InsertSelect { pred } => format!(
                "INSERT INTO orders (tenant_id, customer_id, status, total) \
                 SELECT $A, o.customer_id, 'copy', o.total FROM orders o WHERE {} ORDER BY o.id",
                predicate(pred)
            ),
            Case::Delete { pred } => format!(
                "DELETE FROM order_items x WHERE x.order_id IN (SELECT o.id FROM orders o WHERE {})",
                predicate(pred)
            ),
        }
    }

    fn writes(&self) -> bool {
        !matches!(self, Case::Read { .. })
    }
}

fn pred_strategy() -> impl Strategy<Value = (usize, Option<(bool, usize)>)> {
    (
        0..PREDICATES.len(),
        proptest::option::of((any::<bool>(), 0..PREDICATES.len())),
    )
}

fn case_strategy() -> impl Strategy<Value = Case> {
    let wrap = prop_oneof![
        Just(Wrap::Plain),
        Just(Wrap::Count),
        Just(Wrap::Cte),
        Just(Wrap::Union),
        Just(Wrap::Except),
        Just(Wrap::Window),
    ];
    prop_oneof![
        6 => (0..JOINS.len(), pred_strategy(), wrap, any::<bool>()).prop_map(
            |(join, pred, wrap, limit)| Case::Read { join, pred, wrap, limit }
        ),
        1 => pred_strategy().prop_map(|pred| Case::Update { pred }),
        1 => pred_strategy().prop_map(|pred| Case::Delete { pred }),
        1 => pred_strategy().prop_map(|pred| Case::InsertSelect { pred }),
    ]
}

struct Columns<'a> {
    list: Vec<(&'static str, Via<'a>, &'a DatabaseConnection)>,
    oracle: (&'a DatabaseConnection, &'a DatabaseConnection),
}

async fn check(cols: &Columns<'_>, case: &Case, seed: &world::State) -> Result<(), String> {
    let sql = case.sql();
    let shape = Shape {
        name: "generated",
        run: if case.writes() { Run::Exec } else { Run::Query },
        expect: Expect::Same,
        pg: None,
        my: None,
        lite: None,
        oracle: None,
        writes: case.writes(),
        apart: None,
        own_schema: None,
    };
    let (oracle_conn, oracle_admin) = cols.oracle;
    world::reset(oracle_admin, Data::OnlyA).await;
    let result = attempt(
        Via::Raw(oracle_conn),
        shape.run,
        statement(DbBackend::Postgres, &sql),
    )
    .await;
    if let Err(e) = &result {
        return Err(format!(
            "the generated SQL fails on the oracle: {e}\n  {sql}"
        ));
    }
    let oracle = Oracle {
        result,
        state: world::snapshot(oracle_admin).await,
    };
    for (name, via, admin) in &cols.list {
        world::reset(admin, Data::Both).await;
        let result = attempt(*via, shape.run, statement(DbBackend::Postgres, &sql)).await;
        let after = world::snapshot(admin).await;
        if let Cell::Fail(why) = judge(&shape, &result, seed, &after, Some(&oracle)) {
            return Err(format!("[{name}] {why}\n  SQL: {sql}"));
        }
    }
    Ok(())
}

#[test]
fn random_shapes_match_the_oracle_in_every_column() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let (no_rls, rls, oracle) = rt.block_on(world::postgres_columns());
    let (no_rls_admin, rls_admin, oracle_admin) = rt.block_on(async {
        (
            world::admin(&no_rls).await,
            world::admin(&rls).await,
            world::admin(&oracle).await,
        )
    });
    let app_tdb = TenantDatabase::new(no_rls.app.clone());
    let both_tdb = TenantDatabase::new(rls.app.clone());
    let cols = Columns {
        list: vec![
            ("app layer only", Via::Tenantry(&app_tdb), &no_rls_admin),
            ("RLS only", Via::Rls(&rls.app), &rls_admin),
            ("both", Via::Tenantry(&both_tdb), &rls_admin),
        ],
        oracle: (&oracle.owner, &oracle_admin),
    };
    let seed = rt.block_on(async {
        world::reset(&no_rls_admin, Data::Both).await;
        world::snapshot(&no_rls_admin).await
    });
    let mut runner = TestRunner::new(Config {
        cases: 40,
        failure_persistence: None,
        ..Config::default()
    });
    runner
        .run(&case_strategy(), |case| {
            rt.block_on(check(&cols, &case, &seed))
                .map_err(TestCaseError::fail)
        })
        .unwrap();
}
