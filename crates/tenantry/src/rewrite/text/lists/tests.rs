use super::*;
use crate::registry::Registry;
use crate::rewrite::planner;
use proptest::prelude::*;

#[test]
fn collapses_placeholder_lists_only() {
    let c = collapse(
        Flavor::Postgres,
        r#"SELECT "id" FROM "orders" WHERE "id" IN ($1, $2, $3) AND "x" = $4 AND "y" IN ($5, $6)"#,
    )
    .unwrap();
    assert_eq!(
        c.sql,
        r#"SELECT "id" FROM "orders" WHERE "id" IN ($1) AND "x" = $2 AND "y" IN ($3)"#
    );
    assert_eq!(c.params, 6);
    assert_eq!(
        c.lists,
        [List { first: 1, len: 3 }, List { first: 3, len: 2 }]
    );
    assert!(collapse(Flavor::Postgres, "SELECT 1 WHERE a IN ($1, 2)").is_none());
    assert!(collapse(Flavor::Postgres, "SELECT 1 WHERE a IN ($2, $1)").is_none());
    assert!(collapse(Flavor::Postgres, "SELECT 1 WHERE a IN ($1, $2) AND b = 'x'").is_none());
    assert!(collapse(Flavor::Postgres, "SELECT f($1, $2)").is_none());
    let c = collapse(
        Flavor::MySql,
        "SELECT 1 FROM t WHERE a IN (?, ?) OR b NOT IN (?, ?, ?)",
    )
    .unwrap();
    assert_eq!(c.sql, "SELECT 1 FROM t WHERE a IN (?) OR b NOT IN (?)");
}

#[test]
#[ignore = "timing: cargo test --release -- --ignored --nocapture"]
fn timing() {
    let texts = [
        (
            Flavor::Postgres,
            r#"SELECT "orders"."id", "orders"."status" FROM "orders" WHERE "orders"."id" IN ($1, $2, $3, $4) AND "orders"."status" = $5"#,
        ),
        (
            Flavor::MySql,
            "SELECT `orders`.`id`, `orders`.`status` FROM `orders` WHERE `orders`.`id` IN (?, ?, ?, ?) AND `orders`.`status` = ?",
        ),
    ];
    let per =
        crate::rewrite::timing::per_call(200_000, &texts, |(flavor, sql)| collapse(*flavor, sql));
    eprintln!("lists::collapse: {per:?} per text");
}

#[test]
fn refuses_what_the_database_reads_as_strings_or_comments() {
    for (flavor, sql) in [
        (Flavor::MySql, "SELECT a FROM t WHERE a IN (?, ?) # c"),
        (
            Flavor::MySql,
            "SELECT a FROM t WHERE a IN (?, ?) AND b = \"x\"",
        ),
        (
            Flavor::MySql,
            "SELECT a FROM t WHERE a IN (?, ?) /*!50000 OR 1 */",
        ),
        (
            Flavor::MySql,
            "SELECT a FROM t WHERE a IN (?, ?) AND b = ?1",
        ),
        (
            Flavor::Sqlite,
            "SELECT a FROM t WHERE a IN (?, ?) AND b = :x",
        ),
        (Flavor::Postgres, "SELECT $$x$$ FROM t WHERE a IN ($1, $2)"),
        (
            Flavor::Postgres,
            "SELECT a FROM t WHERE a IN ($1, $2) AND b = E'x'",
        ),
        (
            Flavor::Postgres,
            "SELECT a FROM t WHERE a IN ($1, $2) AND b ?| c",
        ),
        (
            Flavor::Postgres,
            "SELECT a FROM t WHERE a IN ($1, $2) AND b = `'`",
        ),
    ] {
        assert!(collapse(flavor, sql).is_none(), "{sql}");
    }
    let c = collapse(
        Flavor::Postgres,
        r#"SELECT "a'b" FROM t WHERE a IN ($1, $2)"#,
    )
    .unwrap();
    assert_eq!(c.sql, r#"SELECT "a'b" FROM t WHERE a IN ($1)"#);
}

fn text(flavor: Flavor, shape: usize, a: usize, b: usize) -> String {
    let mut n = 0;
    let mut p = |k: usize| -> String {
        (0..k)
            .map(|_| {
                n += 1;
                match flavor {
                    Flavor::Postgres => format!("${n}"),
                    _ => "?".to_owned(),
                }
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    match shape {
        0 => format!("SELECT id FROM orders WHERE id IN ({})", p(a)),
        1 => format!(
            "SELECT id FROM orders o JOIN customers c ON c.id = o.cid AND c.k IN ({}) WHERE o.x = {} AND o.id NOT IN ({})",
            p(a),
            p(1),
            p(b)
        ),
        2 => format!("UPDATE orders SET x = {} WHERE id IN ({})", p(1), p(a)),
        3 => format!(
            "DELETE FROM orders WHERE id IN ({}) AND customer_id IN (SELECT id FROM customers WHERE k IN ({}))",
            p(a),
            p(b)
        ),
        4 => format!(
            "SELECT id FROM products WHERE id IN ({}) UNION SELECT id FROM orders WHERE id IN ({})",
            p(a),
            p(b)
        ),
        5 => format!(
            "INSERT INTO orders (tenant_id, x) SELECT {}, id FROM products WHERE id IN ({})",
            p(1),
            p(a)
        ),
        _ => format!(
            "SELECT id FROM orders FULL JOIN customers USING (id) WHERE id IN ({})",
            p(a)
        ),
    }
}

proptest! {
    #[test]
    fn derived_plans_equal_full_plans(
        flavor in prop::sample::select(vec![Flavor::Postgres, Flavor::MySql, Flavor::Sqlite]),
        shape in 0..7_usize,
        a in 2..6_usize,
        b in 2..5_usize,
    ) {
        let registry = Registry::new().table("orders", "tenant_id").table("customers", "tenant_id");
        let sql = text(flavor, shape, a, b);
        let full = planner::plan(flavor, &registry, &sql, None);
        let derived = plan_lists(flavor, &sql, |one| planner::plan(flavor, &registry, one, None).map(Arc::new));
        match (full, derived) {
            (Ok(full), Some(Ok(derived))) => prop_assert_eq!(derived, full, "{}", sql),
            (Err(_), Some(Err(_))) => {}
            (_, None) => prop_assert!(false, "not derived: {}", sql),
            (full, Some(derived)) => prop_assert!(false, "{sql}: full {full:?} derived {derived:?}"),
        }
    }
}
