//! The `Rewriter`: plan cache behaviour, bind-time checks, and sharing between threads.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use sea_orm::{DbBackend, Statement, Value, Values};
use tenantry::rewrite::{CacheStats, Rewriter};
use tenantry::{Error, Registry, ScopedTable, TenantId, TenantIdType};

fn rewriter() -> Rewriter {
    Rewriter::new(Registry::new().table("orders", "tenant_id"))
}

fn stmt(b: DbBackend, sql: &str, values: Vec<Value>) -> Statement {
    Statement {
        sql: sql.to_owned(),
        values: Some(Values(values)),
        db_backend: b,
    }
}

#[test]
fn second_rewrite_of_the_same_text_hits_the_cache() {
    let r = rewriter();
    let sql = r#"SELECT "id" FROM "orders" WHERE "id" = $1"#;
    let a = r
        .rewrite(
            stmt(DbBackend::Postgres, sql, vec![1.into()]),
            &TenantId::from(7_i64),
        )
        .unwrap();
    let b = r
        .rewrite(
            stmt(DbBackend::Postgres, sql, vec![2.into()]),
            &TenantId::from(8_i64),
        )
        .unwrap();
    assert!(!a.cache_hit);
    assert!(b.cache_hit);
    assert_eq!(a.statement.sql, b.statement.sql);
    assert_eq!(
        b.statement.values.unwrap().0,
        vec![Value::from(2), Value::BigInt(Some(8))]
    );
    let stats = r.stats();
    assert_eq!((stats.hits, stats.misses, stats.len), (1, 1, 1));
    assert!(stats.bytes > a.statement.sql.len(), "{stats:?}");
}

#[test]
fn the_backend_is_part_of_the_key() {
    let r = rewriter();
    let sql = "SELECT id FROM orders";
    let pg = r
        .rewrite(
            Statement::from_string(DbBackend::Postgres, sql),
            &TenantId::from(1_i64),
        )
        .unwrap();
    let lite = r
        .rewrite(
            Statement::from_string(DbBackend::Sqlite, sql),
            &TenantId::from(1_i64),
        )
        .unwrap();
    assert!(!lite.cache_hit);
    assert!(pg.statement.sql.ends_with("= $1"));
    assert!(lite.statement.sql.ends_with("= ?"));
}

#[test]
fn cached_plans_still_check_written_tenants() {
    let r = rewriter();
    let sql = "INSERT INTO orders (tenant_id, total) VALUES (?, ?)";
    let t = TenantId::from(5_i64);
    let ok = r
        .rewrite(
            stmt(DbBackend::MySql, sql, vec![5_i64.into(), 1.into()]),
            &t,
        )
        .unwrap();
    assert_eq!(ok.statement.sql, sql);
    let err = r
        .rewrite(
            stmt(DbBackend::MySql, sql, vec![6_i64.into(), 1.into()]),
            &t,
        )
        .unwrap_err();
    assert!(matches!(err, Error::CrossTenantWrite { .. }), "{err}");
    assert_eq!(r.stats().hits, 1);
}

#[test]
fn cached_plans_still_check_tenant_types() {
    let registry = Registry::new()
        .with_table(ScopedTable::new(None, "orders", "tenant_id").with_id_type(TenantIdType::Uuid));
    let r = Rewriter::new(registry);
    let sql = "SELECT id FROM orders";
    let u = TenantId::from(uuid::Uuid::nil());
    assert!(
        r.rewrite(Statement::from_string(DbBackend::Postgres, sql), &u)
            .is_ok()
    );
    let err = r
        .rewrite(
            Statement::from_string(DbBackend::Postgres, sql),
            &TenantId::from(1_i64),
        )
        .unwrap_err();
    assert!(matches!(err, Error::TenantTypeMismatch { .. }), "{err}");
}

#[test]
fn unprepared_statements_come_back_with_the_tenant_bound() {
    let r = rewriter();
    let out = r
        .rewrite(
            Statement::from_string(DbBackend::Postgres, "DELETE FROM orders"),
            &TenantId::from(3_i64),
        )
        .unwrap()
        .statement;
    assert_eq!(out.sql, "DELETE FROM orders WHERE orders.tenant_id = $1");
    assert_eq!(out.values.unwrap().0, vec![Value::BigInt(Some(3))]);
}

#[test]
fn unscoped_statements_are_returned_as_given() {
    let r = rewriter();
    let s = Statement::from_string(DbBackend::Sqlite, "select  1 -- keep me");
    let out = r
        .rewrite(s.clone(), &TenantId::from(3_i64))
        .unwrap()
        .statement;
    assert_eq!(out.sql, s.sql);
    assert!(out.values.is_none());
}

#[test]
fn refusals_are_not_cached() {
    let r = rewriter();
    for _ in 0..2 {
        let err = r.rewrite(
            Statement::from_string(DbBackend::Postgres, "TRUNCATE orders"),
            &TenantId::from(1_i64),
        );
        assert!(matches!(err, Err(Error::Forbidden { .. })));
    }
    assert_eq!(
        r.stats(),
        CacheStats {
            hits: 0,
            misses: 2,
            ..CacheStats::default()
        }
    );
}

#[test]
fn the_cache_is_bounded() {
    let r = Rewriter::with_capacity(Registry::new().table("orders", "tenant_id"), 3);
    for i in 0..10 {
        let sql = format!("SELECT id FROM orders WHERE id = {i}");
        r.rewrite(
            Statement::from_string(DbBackend::Postgres, sql),
            &TenantId::from(1_i64),
        )
        .unwrap();
    }
    assert_eq!(r.stats().len, 3);
    assert_eq!(r.stats().misses, 10);
}

#[test]
fn one_rewriter_serves_many_threads() {
    let r = Arc::new(rewriter());
    let handles: Vec<_> = (0..4_i64)
        .map(|t| {
            let r = Arc::clone(&r);
            std::thread::spawn(move || {
                for i in 0..50 {
                    let s = stmt(
                        DbBackend::Postgres,
                        "SELECT id FROM orders WHERE id = $1",
                        vec![i.into()],
                    );
                    let out = r.rewrite(s, &TenantId::from(t)).unwrap().statement;
                    assert_eq!(out.values.unwrap().0[1], Value::BigInt(Some(t)));
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    let stats = r.stats();
    assert_eq!(stats.hits + stats.misses, 200);
    assert_eq!(stats.len, 1);
}

#[test]
fn inline_mode_writes_the_tenant_as_a_literal() {
    let registry = Registry::new().table("orders", "tenant_id");
    let s = stmt(
        DbBackend::MySql,
        "SELECT id FROM orders WHERE id = ?",
        vec![1.into()],
    );
    let out = tenantry::rewrite::rewrite_inline(&s, &registry, &TenantId::from("acme")).unwrap();
    assert_eq!(
        out.sql,
        "SELECT id FROM orders WHERE orders.tenant_id = 'acme' AND (id = ?)"
    );
    assert_eq!(out.values.unwrap().0, vec![Value::from(1)]);
}

#[test]
fn scripts_come_back_one_statement_at_a_time() {
    let r = rewriter();
    let script = Statement::from_string(
        DbBackend::Postgres,
        "UPDATE orders SET total = 0; SELECT 1; DELETE FROM orders WHERE id = 3",
    );
    let out = r.rewrite_script(script, &TenantId::from(9_i64)).unwrap();
    let sql: Vec<&str> = out.iter().map(|r| r.statement.sql.as_str()).collect();
    assert_eq!(
        sql,
        [
            "UPDATE orders SET total = 0 WHERE orders.tenant_id = $1",
            "SELECT 1",
            "DELETE FROM orders WHERE orders.tenant_id = $1 AND (id = 3)",
        ]
    );
    assert_eq!(
        out[0].statement.values.clone().unwrap().0,
        vec![Value::BigInt(Some(9))]
    );
    assert!(out[1].statement.values.is_none());

    let refused =
        Statement::from_string(DbBackend::Postgres, "SELECT id FROM orders; SET ROLE admin");
    assert!(matches!(
        r.rewrite_script(refused, &TenantId::from(9_i64)),
        Err(Error::Forbidden { .. })
    ));

    let single = Statement::from_string(DbBackend::Sqlite, "SELECT id FROM orders");
    let out = r.rewrite_script(single, &TenantId::from(9_i64)).unwrap();
    assert_eq!(out.len(), 1);
    assert_eq!(
        out[0].statement.sql,
        "SELECT id FROM orders WHERE orders.tenant_id = ?"
    );
}

#[test]
fn multi_row_inserts_of_new_lengths_are_derived_from_the_one_row_plan() {
    let registry = Registry::new().table("orders", "tenant_id");
    let r = Rewriter::new(registry.clone());
    let t = TenantId::from(4_i64);
    for (b, rows) in [
        (DbBackend::Postgres, 3),
        (DbBackend::Postgres, 5),
        (DbBackend::MySql, 2),
        (DbBackend::Sqlite, 4),
    ] {
        let row = |i: usize| match b {
            DbBackend::Postgres => format!("(${}, ${})", 2 * i + 1, 2 * i + 2),
            _ => "(?, ?)".to_owned(),
        };
        let sql = format!(
            "INSERT INTO orders (customer_id, total) VALUES {} RETURNING id",
            (0..rows).map(row).collect::<Vec<_>>().join(", ")
        );
        let sql = if b == DbBackend::MySql {
            sql.replace(" RETURNING id", "")
        } else {
            sql
        };
        let values: Vec<Value> = (0..2 * rows as i32).map(Value::from).collect();
        let s = stmt(b, &sql, values);
        let derived = r.rewrite(s.clone(), &t).unwrap();
        assert!(!derived.cache_hit);
        let full = tenantry::rewrite::rewrite(&s, &registry, &t).unwrap();
        assert_eq!(derived.statement.sql, full.sql);
        assert_eq!(derived.statement.values, full.values);
    }
    // Each length and its one-row form are cached.
    assert_eq!(r.stats().len, 7);
}

#[test]
fn in_lists_of_new_lengths_are_derived_from_the_one_element_plan() {
    let registry = Registry::new().table("orders", "tenant_id");
    let r = Rewriter::new(registry.clone());
    let t = TenantId::from(4_i64);
    for b in [DbBackend::Postgres, DbBackend::MySql, DbBackend::Sqlite] {
        for len in [2_usize, 3, 7] {
            let ps: Vec<String> = (1..=len + 1)
                .map(|i| {
                    if b == DbBackend::Postgres {
                        format!("${i}")
                    } else {
                        "?".to_owned()
                    }
                })
                .collect();
            let sql = format!(
                "SELECT id FROM orders WHERE status = {} AND id IN ({}) ORDER BY id",
                ps[0],
                ps[1..].join(", ")
            );
            let values: Vec<Value> = (0..=len as i32).map(Value::from).collect();
            let s = stmt(b, &sql, values);
            let derived = r.rewrite(s.clone(), &t).unwrap();
            let full = tenantry::rewrite::rewrite(&s, &registry, &t).unwrap();
            assert_eq!(derived.statement.sql, full.sql);
            assert_eq!(derived.statement.values, full.values);
        }
    }
    // Three lengths and the one-element form, per backend.
    assert_eq!(r.stats().len, 12);
}

#[test]
fn distinct_huge_statements_stay_within_the_byte_budget() {
    let budget = 256 << 10;
    let r = Rewriter::with_limits(Registry::new().table("orders", "tenant_id"), 4096, budget);
    for i in 0..24 {
        // About 40 KiB each, every one distinct.
        let list: Vec<String> = (0..5_000).map(|v| (v * 64 + i).to_string()).collect();
        let sql = format!("SELECT id FROM orders WHERE id IN ({})", list.join(", "));
        r.rewrite(
            Statement::from_string(DbBackend::Postgres, sql),
            &TenantId::from(1_i64),
        )
        .unwrap();
        let stats = r.stats();
        assert!(stats.bytes <= budget, "{stats:?}");
    }
    let stats = r.stats();
    assert!(stats.len >= 1 && stats.len < 24, "{stats:?}");
}
