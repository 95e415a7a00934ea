//! The policy through the public rewrite entry points: allow-list mode, application entries,
//! the registry's identity.
#![cfg_attr(test, allow(clippy::unwrap_used))]

use sea_orm::{DbBackend, Statement};

use crate::registry::{FunctionPolicy, Registry};
use crate::rewrite::{Rewriter, rewrite};
use crate::tenant::TenantId;

fn registry(policy: FunctionPolicy) -> Registry {
    Registry::new()
        .table("orders", "tenant_id")
        .with_function_policy(policy)
}

fn run(registry: &Registry, backend: DbBackend, sql: &str) -> Result<String, String> {
    let stmt = Statement::from_string(backend, sql);
    rewrite(&stmt, registry, &TenantId::from(7_i64))
        .map(|s| s.sql)
        .map_err(|e| e.to_string())
}

#[test]
fn allow_list_accepts_ordinary_functions() {
    let r = registry(FunctionPolicy::allow_list());
    let out = run(
        &r,
        DbBackend::Postgres,
        "SELECT count(*), lower(status), coalesce(max(total), 0), now() FROM orders \
         WHERE created_at > date_trunc('day', now()) GROUP BY lower(status)",
    )
    .unwrap();
    assert!(
        out.contains(
            "WHERE orders.tenant_id = $1 AND (created_at > date_trunc('day', now())) GROUP BY"
        ),
        "{out}"
    );
    // Syntactic built-ins are not calls.
    run(
        &r,
        DbBackend::Postgres,
        "SELECT CAST(total AS text), EXTRACT(YEAR FROM created_at), SUBSTRING(status FROM 1 FOR 2), \
         TRIM(status), POSITION('a' IN status), CEIL(total), CASE WHEN total > 1 THEN 1 END \
         FROM orders",
    )
    .unwrap();
    run(
        &r,
        DbBackend::Postgres,
        "SELECT g FROM generate_series(1, 3) AS g, unnest(ARRAY[1, 2]) AS u",
    )
    .unwrap();
    run(
        &r,
        DbBackend::MySql,
        "INSERT INTO orders (id, total) VALUES (1, 2) ON DUPLICATE KEY UPDATE total = VALUES(total)",
    )
    .unwrap();
    run(
        &r,
        DbBackend::MySql,
        "SELECT IF(total > 1, 'big', 'small'), GROUP_CONCAT(status), DATE_FORMAT(created_at, '%Y') FROM orders",
    )
    .unwrap();
    run(
        &r,
        DbBackend::Sqlite,
        "SELECT j.value, datetime('now'), ifnull(total, 0) FROM orders, json_each(orders.tags) AS j",
    )
    .unwrap();
    run(
        &r,
        DbBackend::Sqlite,
        "SELECT name FROM pragma_table_info('orders')",
    )
    .unwrap();
}

#[test]
fn allow_list_refuses_unlisted_functions_anywhere() {
    let r = registry(FunctionPolicy::allow_list());
    let cases = [
        (DbBackend::Postgres, "SELECT pg_sleep(1)", "pg_sleep()"),
        (
            DbBackend::Postgres,
            "SELECT id FROM orders WHERE slugify(status) = 'x'",
            "slugify()",
        ),
        (
            DbBackend::Postgres,
            "SELECT * FROM orders o, LATERAL my_srf(o.id) AS s",
            "`my_srf()` in FROM",
        ),
        (
            DbBackend::Postgres,
            "SELECT * FROM app.report(1)",
            "`app.report()` in FROM",
        ),
        (
            DbBackend::Postgres,
            "WITH c AS (SELECT current_setting('x') AS s) SELECT * FROM c",
            "current_setting()",
        ),
        (
            DbBackend::Postgres,
            "UPDATE orders SET total = app.lower(total) RETURNING id",
            "lower()",
        ),
        (DbBackend::MySql, "SELECT SLEEP(1) FROM orders", "SLEEP()"),
        (
            DbBackend::MySql,
            "SELECT id FROM orders WHERE id IN (SELECT LAST_INSERT_ID())",
            "LAST_INSERT_ID()",
        ),
        (
            DbBackend::Sqlite,
            "SELECT sqlite_version()",
            "sqlite_version()",
        ),
        (
            DbBackend::Sqlite,
            "INSERT INTO orders (id) SELECT changes()",
            "changes()",
        ),
    ];
    for (backend, sql, what) in cases {
        let e = run(&r, backend, sql).unwrap_err();
        assert!(
            e.starts_with(&format!(
                "refused {what}: the registry's function policy is an allow-list"
            )),
            "{sql}: {e}"
        );
    }
}

#[test]
fn allow_list_is_extendable() {
    let r = registry(
        FunctionPolicy::allow_list()
            .allow("slugify")
            .allow("app.report")
            .allow("sqlite_*"),
    );
    run(
        &r,
        DbBackend::Postgres,
        "SELECT id FROM orders WHERE slugify(status) = 'x'",
    )
    .unwrap();
    run(&r, DbBackend::Postgres, "SELECT * FROM app.report(1)").unwrap();
    assert!(run(&r, DbBackend::Postgres, "SELECT * FROM report(1)").is_err());
    run(&r, DbBackend::Sqlite, "SELECT sqlite_version()").unwrap();
    // The built-in deny-list still wins.
    let r = registry(
        FunctionPolicy::allow_list()
            .allow("set_config")
            .allow("pg_*"),
    );
    let e = run(&r, DbBackend::Postgres, "SELECT set_config('a', 'b', true)").unwrap_err();
    assert!(e.contains("session state"), "{e}");
    let e = run(&r, DbBackend::Postgres, "SELECT pg_advisory_xact_lock(1)").unwrap_err();
    assert!(e.contains("lock"), "{e}");
}

#[test]
fn deny_list_is_extendable() {
    let r = registry(FunctionPolicy::deny_list().deny("slugify"));
    let e = run(
        &r,
        DbBackend::MySql,
        "SELECT id FROM orders WHERE SLUGIFY(status) = 'x'",
    )
    .unwrap_err();
    assert!(e.contains("function policy denies it"), "{e}");
    run(&r, DbBackend::MySql, "SELECT SLEEP(0) FROM orders").unwrap();
}

#[test]
fn the_policy_is_part_of_the_registry() {
    let base = Registry::new().table("orders", "tenant_id");
    let allow = base
        .clone()
        .with_function_policy(FunctionPolicy::allow_list());
    assert_ne!(base, allow);
    assert_ne!(base.version(), allow.version());
    assert_eq!(
        base,
        base.clone()
            .with_function_policy(FunctionPolicy::deny_list())
    );
    assert!(!base.function_policy().is_allow_list());
    assert_ne!(
        FunctionPolicy::allow_list().allow("a"),
        FunctionPolicy::allow_list()
    );
    assert_eq!(
        FunctionPolicy::deny_list()
            .deny("\"Audit\"")
            .denied()
            .collect::<Vec<_>>(),
        ["audit"]
    );
    // A rewriter (and its plan cache) judges with its registry's policy.
    let rewriter = Rewriter::new(allow);
    let stmt = Statement::from_string(DbBackend::Postgres, "SELECT pg_sleep(1)");
    assert!(
        rewriter
            .rewrite(stmt.clone(), &TenantId::from(7_i64))
            .is_err()
    );
    assert!(rewriter.rewrite(stmt, &TenantId::from(7_i64)).is_err());
    let rewriter = Rewriter::new(base);
    let stmt = Statement::from_string(DbBackend::Postgres, "SELECT pg_sleep(1)");
    assert!(rewriter.rewrite(stmt, &TenantId::from(7_i64)).is_ok());
}

#[test]
fn calls_in_field_access_and_extension_stores_are_judged() {
    let r = registry(FunctionPolicy::deny_list());
    let e = run(
        &r,
        DbBackend::Postgres,
        "SELECT (1).set_config('a', 'b', true)",
    )
    .unwrap_err();
    assert!(e.contains("session state"), "{e}");
    for sql in [
        "SELECT query FROM pg_qualstats_all",
        "SELECT * FROM public.powa_statements",
        "SELECT * FROM citus_stat_statements",
        "SELECT * FROM run_command_on_workers('select 1')",
    ] {
        assert!(run(&r, DbBackend::Postgres, sql).is_err(), "{sql}");
    }
}
