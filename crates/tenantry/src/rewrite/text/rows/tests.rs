use super::*;

#[test]
fn recognises_seaorm_multi_row_inserts() {
    let sql =
        r#"INSERT INTO "orders" ("a", "b") VALUES ($1, $2), ($3, $4), ($5, $6) RETURNING "id""#;
    let rows = recognise(Flavor::Postgres, sql, None).unwrap();
    assert_eq!(rows.prefix, r#"INSERT INTO "orders" ("a", "b") VALUES "#);
    assert_eq!(rows.first, "($1, $2)");
    assert_eq!((rows.width, rows.count), (2, 3));
    assert_eq!(rows.tail, r#" RETURNING "id""#);
    assert_eq!(
        one_row(&rows),
        r#"INSERT INTO "orders" ("a", "b") VALUES ($1, $2) RETURNING "id""#
    );
    let rows = recognise(Flavor::MySql, "INSERT INTO `t` (`a`) VALUES (?), (?)", None).unwrap();
    assert_eq!((rows.width, rows.count), (1, 2));
}

#[test]
fn refuses_anything_else() {
    for sql in [
        "INSERT INTO t (a) VALUES ($1), ($3)",
        "INSERT INTO t (a) VALUES ($1), ('x')",
        "INSERT INTO t (a) VALUES ($1, $2), ($3)",
        "INSERT INTO t (a) VALUES ($1), ($2) ON CONFLICT (a) DO UPDATE SET a = $3",
        "INSERT INTO t (a) VALUES ($1), ($2) -- c",
        "INSERT INTO t (a) SELECT $1",
        r#"INSERT INTO "x VALUES (" (a) VALUES ($1), ($2); DROP TABLE t"#,
        "UPDATE t SET a = 1",
        "INSERT INTO t (a) VALUES ($12), ($2)",
    ] {
        assert_eq!(recognise(Flavor::Postgres, sql, None), None, "{sql}");
    }
    assert_eq!(
        recognise(Flavor::Sqlite, "INSERT INTO t (a) VALUES (?1), (?2)", None),
        None
    );
}

#[test]
fn refuses_what_the_database_reads_as_strings_or_comments() {
    for (flavor, sql) in [
        (Flavor::MySql, "INSERT INTO `t` (`a`) VALUES (?), (?) # c"),
        (
            Flavor::MySql,
            "INSERT INTO `t` (`a`) VALUES (?), (?) ON DUPLICATE KEY UPDATE `a` = \"x\"",
        ),
        (Flavor::MySql, "INSERT INTO t /*! x */ (a) VALUES (?), (?)"),
        (
            Flavor::MySql,
            "INSERT INTO \"x VALUES (\" (a) VALUES (?), (?)",
        ),
        (
            Flavor::MySql,
            "INSERT INTO t (a) VALUES (?), (?) RETURNING a\0",
        ),
        (
            Flavor::MySql,
            "INSERT INTO t (a) VALUES (?), (?) RETURNING ?1",
        ),
        (
            Flavor::Sqlite,
            "INSERT INTO t (a) VALUES (?), (?) RETURNING :x",
        ),
        (
            Flavor::Sqlite,
            "INSERT INTO t (a) VALUES (?), (?) RETURNING $x",
        ),
        (
            Flavor::Postgres,
            "INSERT INTO t (a) VALUES ($1), ($2) RETURNING $$x$$",
        ),
        (
            Flavor::Postgres,
            "INSERT INTO t (a) VALUES ($1), ($2) RETURNING E'x'",
        ),
        (
            Flavor::Postgres,
            "INSERT INTO t (a) VALUES ($1), ($2) RETURNING a ? b",
        ),
        (
            Flavor::Postgres,
            "INSERT INTO t (a) VALUES ($1), ($2) /* c */",
        ),
    ] {
        assert_eq!(recognise(flavor, sql, None), None, "{sql}");
    }
    // Quoted names are skipped the backend's way.
    let sql = "INSERT INTO [t'] (`a`) VALUES (?), (?)";
    assert_eq!(recognise(Flavor::Sqlite, sql, None).unwrap().count, 2);
    assert_eq!(recognise(Flavor::MySql, sql, None), None);
    // A backtick is an operator character on PostgreSQL, not a quote.
    let sql = "INSERT INTO `t'` (a) VALUES ($1), ($2)";
    assert_eq!(recognise(Flavor::Postgres, sql, None), None);
}

#[test]
fn quoted_names_may_hold_anything() {
    let sql = r#"INSERT INTO "we""ird VALUES (" ("a") VALUES ($1), ($2)"#;
    let rows = recognise(Flavor::Postgres, sql, None).unwrap();
    assert_eq!(rows.count, 2);
    assert_eq!(
        rows.prefix,
        r#"INSERT INTO "we""ird VALUES (" ("a") VALUES "#
    );
}

#[test]
#[ignore = "timing: cargo test --release -- --ignored --nocapture"]
fn timing() {
    let texts = [
        (
            Flavor::Postgres,
            r#"INSERT INTO "orders" ("customer_id", "status", "total") VALUES ($1, $2, $3), ($4, $5, $6), ($7, $8, $9) RETURNING "id""#,
        ),
        (
            Flavor::MySql,
            "INSERT INTO `orders` (`customer_id`, `status`, `total`) VALUES (?, ?, ?), (?, ?, ?), (?, ?, ?)",
        ),
        (
            Flavor::Postgres,
            r#"SELECT "orders"."id", "orders"."status" FROM "orders" WHERE "orders"."id" = $1"#,
        ),
    ];
    let per = crate::rewrite::timing::per_call(200_000, &texts, |(flavor, sql)| {
        recognise(*flavor, sql, None).is_some()
    });
    eprintln!("rows::recognise: {per:?} per text");
}

mod equivalence {
    use std::sync::Arc;

    use proptest::prelude::*;

    use super::super::*;
    use crate::registry::Registry;
    use crate::rewrite::planner;

    fn sql(
        flavor: Flavor,
        width: usize,
        count: usize,
        tenant_at: Option<usize>,
        tail: usize,
    ) -> String {
        let q = if flavor == Flavor::MySql { '`' } else { '"' };
        let cols: Vec<String> = (0..width)
            .map(|i| {
                if Some(i) == tenant_at {
                    format!("{q}tenant_id{q}")
                } else {
                    format!("{q}c{i}{q}")
                }
            })
            .collect();
        let rows: Vec<String> = (0..count)
            .map(|r| {
                let ps: Vec<String> = (0..width)
                    .map(|c| match flavor {
                        Flavor::Postgres => format!("${}", r * width + c + 1),
                        _ => "?".to_owned(),
                    })
                    .collect();
                format!("({})", ps.join(", "))
            })
            .collect();
        let tail = match (flavor, tail) {
            (_, 0) => String::new(),
            (Flavor::MySql, _) => {
                format!(" ON DUPLICATE KEY UPDATE {q}c0{q} = VALUES({q}c0{q})")
            }
            (_, 1) => format!(" RETURNING {q}id{q}"),
            (_, 2) => format!(" ON CONFLICT ({q}id{q}) DO NOTHING"),
            (_, _) => {
                format!(" ON CONFLICT ({q}id{q}) DO UPDATE SET {q}c0{q} = {q}excluded{q}.{q}c0{q}")
            }
        };
        format!(
            "INSERT INTO {q}orders{q} ({}) VALUES {}{tail}",
            cols.join(", "),
            rows.join(", ")
        )
    }

    proptest! {
        #[test]
        fn derived_plans_equal_full_plans(
            flavor in prop::sample::select(vec![Flavor::Postgres, Flavor::MySql, Flavor::Sqlite]),
            width in 1..5_usize,
            count in 2..6_usize,
            tenant_at in prop::option::of(0..5_usize),
            tail in 0..4_usize,
        ) {
            let registry = Registry::new().table("orders", "tenant_id");
            let tenant_at = tenant_at.filter(|t| *t < width);
            let text = sql(flavor, width, count, tenant_at, tail);
            let full = planner::plan(flavor, &registry, &text, None).unwrap();
            let derived = plan_many(flavor, &text, |one| planner::plan(flavor, &registry, one, None).map(Arc::new));
            // A given tenant column with an upsert that mentions the tenant is planned in full.
            let upsert_uses_tenant = (flavor == Flavor::MySql && tail > 0) || tail == 3;
            match derived {
                Some(derived) => prop_assert_eq!(derived.unwrap(), full, "{}", text),
                None => prop_assert!(tenant_at.is_some() && upsert_uses_tenant, "not derived: {}", text),
            }
        }
    }
}
