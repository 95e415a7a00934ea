//! Hostile sizes and shapes, on every backend: very long SQL, nesting far past the parser's
//! depth limit, huge IN-lists and multi-row inserts, many statements in one string, and tenant
//! ids with quotes, backslashes, NUL, Unicode or a great length. Each is rewritten or refused
//! with a typed error — never a panic or a stack overflow (the tests run on threads with a
//! 2 MiB stack, the default of spawned threads) — and no tenant id is ever spliced unquoted.
#![allow(clippy::unwrap_used)]

use sea_orm::{DbBackend, Statement, Value};
use tenantry::{Error, Registry, Rewriter, TenantId};

const BACKENDS: [DbBackend; 3] = [DbBackend::Postgres, DbBackend::MySql, DbBackend::Sqlite];

fn registry() -> Registry {
    Registry::new()
        .table("orders", "tenant_id")
        .table("customers", "tenant_id")
}

/// Runs `f` on a thread with a 2 MiB stack, so that an unbounded recursion fails the test
/// rather than passing on a large main stack.
fn on_small_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new()
        .stack_size(2 * 1024 * 1024)
        .spawn(f)
        .unwrap()
        .join()
        .unwrap()
}

fn rewrite(backend: DbBackend, sql: &str, values: Vec<Value>) -> tenantry::Result<String> {
    let rewriter = Rewriter::new(registry());
    rewriter
        .rewrite(
            Statement::from_sql_and_values(backend, sql, values),
            &TenantId::from(7_i64),
        )
        .map(|r| r.statement.sql)
}

fn placeholder(backend: DbBackend, i: usize) -> String {
    match backend {
        DbBackend::Postgres => format!("${i}"),
        _ => "?".to_owned(),
    }
}

/// The deepest nesting of `shape` (one level of it, wrapped `depth` times) that rewrites, on
/// `backend`; checks that every deeper one up to `max` is refused with a typed error.
fn deepest(backend: DbBackend, shape: fn(usize) -> String, max: usize) -> usize {
    let mut deepest = 0;
    for depth in (1..=max).step_by(1) {
        match rewrite(backend, &shape(depth), vec![]) {
            Ok(out) => {
                assert!(out.contains("tenant_id"), "{out}");
                assert_eq!(
                    deepest,
                    depth - 1,
                    "{backend:?}: depth {depth} after a refusal"
                );
                deepest = depth;
            }
            // Too deep to parse, or its rewrite (one level deeper) too deep to read back.
            Err(Error::Parse { .. } | Error::Unprovable { .. }) => {}
            Err(e) => panic!("{backend:?} depth {depth}: {e}"),
        }
    }
    deepest
}

fn parens(depth: usize) -> String {
    format!(
        "SELECT id FROM orders WHERE total = {}1{}",
        "(".repeat(depth),
        ")".repeat(depth)
    )
}

fn subqueries(depth: usize) -> String {
    format!(
        "SELECT id FROM orders WHERE id IN {}(SELECT 1){}",
        "(SELECT id FROM orders WHERE id IN ".repeat(depth),
        ")".repeat(depth)
    )
}

#[test]
fn nesting_past_the_depth_limit_is_refused_not_overflowed() {
    on_small_stack(|| {
        for backend in BACKENDS {
            // Up to the limit it rewrites; past it, a typed refusal — never an overflow.
            let p = deepest(backend, parens, tenantry::rewrite::PARSE_DEPTH + 10);
            let q = deepest(backend, subqueries, 40);
            assert!(
                p >= tenantry::rewrite::PARSE_DEPTH / 2,
                "{backend:?}: parentheses {p}"
            );
            assert!(q >= 8, "{backend:?}: nested subqueries {q}");
            for depth in [1_000, 20_000] {
                for sql in [parens(depth), subqueries(depth)] {
                    assert!(
                        matches!(
                            rewrite(backend, &sql, vec![]),
                            Err(Error::Parse { .. } | Error::Unprovable { .. })
                        ),
                        "{backend:?} depth {depth}"
                    );
                }
            }
        }
    });
}

#[test]
fn huge_lists_long_texts_and_many_statements() {
    on_small_stack(|| {
        for backend in BACKENDS {
            // 20,000 values in an IN-list.
            let n = 20_000;
            let list: Vec<String> = (1..=n).map(|i| placeholder(backend, i)).collect();
            let sql = format!("SELECT id FROM orders WHERE id IN ({})", list.join(", "));
            let values: Vec<Value> = (0..n).map(|i| Value::from(i as i64)).collect();
            let out = rewrite(backend, &sql, values).unwrap();
            assert!(out.contains("tenant_id"));
            // A 5,000-row insert.
            let rows: Vec<String> = (0..5_000)
                .map(|i| {
                    format!(
                        "({}, {})",
                        placeholder(backend, 2 * i + 1),
                        placeholder(backend, 2 * i + 2)
                    )
                })
                .collect();
            let sql = format!("INSERT INTO orders (id, total) VALUES {}", rows.join(", "));
            let values: Vec<Value> = (0..10_000).map(|i| Value::from(i as i64)).collect();
            let out = rewrite(backend, &sql, values).unwrap();
            assert!(out.contains("tenant_id"));
            // A 1 MiB string literal.
            let sql = format!(
                "SELECT id FROM orders WHERE note = '{}'",
                "x".repeat(1024 * 1024)
            );
            assert!(rewrite(backend, &sql, vec![]).unwrap().len() > 1024 * 1024);
            // 2,000 statements in one string: one at a time through the script path.
            let script = "SELECT id FROM orders; ".repeat(2_000);
            let rewritten = Rewriter::new(registry())
                .rewrite_script(
                    Statement::from_string(backend, script),
                    &TenantId::from(7_i64),
                )
                .unwrap();
            assert_eq!(rewritten.len(), 2_000);
            assert!(
                rewritten
                    .iter()
                    .all(|r| r.statement.sql.contains("tenant_id"))
            );
        }
    });
}

#[test]
fn hostile_tenant_ids_are_refused_or_bound_never_spliced() {
    on_small_stack(|| {
        assert!(TenantId::from("a\0b").invalid_reason().is_some());
        assert!(TenantId::from("").invalid_reason().is_some());
        let long = "é".repeat(50_000);
        for text in [
            "o'brien",
            "x' OR '1'='1",
            "back\\slash\\' --",
            "☃ snow \u{202e}man",
            "$1 ? :name",
            long.as_str(),
        ] {
            let tenant = TenantId::from(text);
            assert!(tenant.invalid_reason().is_none(), "{text:?}");
            let registry = Registry::new().table("orders", "tenant_id");
            for backend in BACKENDS {
                // Bound: the id is a value, the text only gains a placeholder.
                let out = Rewriter::new(registry.clone())
                    .rewrite(
                        Statement::from_string(backend, "SELECT id FROM orders"),
                        &tenant,
                    )
                    .unwrap();
                assert!(
                    !out.statement.sql.contains(text),
                    "{backend:?}: {}",
                    out.statement.sql
                );
                let bound = out.statement.values.unwrap().0;
                assert!(bound.contains(&Value::from(text.to_owned())), "{backend:?}");
                // Inlined for display: one quoted literal that reads back as the same string,
                // or refused by the read-back check (`\'`, which the SQL printer leaves
                // as it is, would end the literal early).
                match tenantry::rewrite::rewrite_inline(
                    &Statement::from_string(backend, "SELECT id FROM orders"),
                    &registry,
                    &tenant,
                ) {
                    Ok(inline) => assert_eq!(
                        literal_in(&inline.sql, backend),
                        text,
                        "{backend:?}: {}",
                        inline.sql
                    ),
                    Err(Error::Unprovable { .. }) => assert!(text.contains("\\'"), "{text:?}"),
                    Err(e) => panic!("{backend:?} {text:?}: {e}"),
                }
            }
        }
    });
}

/// The string literal compared with the tenant column in `sql`, unquoted as `backend` reads
/// it.
fn literal_in(sql: &str, backend: DbBackend) -> String {
    let at = sql.find("tenant_id = ").unwrap() + "tenant_id = ".len();
    let rest = &sql[at..];
    let rest = rest.strip_prefix('E').unwrap_or(rest);
    let mut chars = rest.chars();
    assert_eq!(chars.next(), Some('\''), "{sql}");
    let mut out = String::new();
    loop {
        match chars.next().unwrap() {
            '\'' => {
                if chars.clone().next() == Some('\'') {
                    chars.next();
                    out.push('\'');
                } else {
                    break;
                }
            }
            '\\' if backend == DbBackend::MySql => out.push(chars.next().unwrap()),
            c => out.push(c),
        }
    }
    out
}

#[test]
fn multibyte_text_next_to_an_in_list_is_not_cut_inside_a_character() {
    // Found by the fuzz target: the IN-list collapser sliced the text before `(` two bytes
    // from its end, inside a multi-byte character, and panicked.
    for backend in BACKENDS {
        let p = |i| placeholder(backend, i);
        for sql in [
            format!("SELECT id FROM orders WHERE id IN é({}, {})", p(1), p(2)),
            format!("SELECT id FROM orders WHERE id ☃(({}, {}))", p(1), p(2)),
            format!("REPLACE p\u{fffd}_x VALUE\u{fffd} ({}, {})", p(1), p(2)),
        ] {
            let values = vec![Value::from(1_i64), Value::from(2_i64)];
            // Rewritten or refused; never a panic.
            let _ = rewrite(backend, &sql, values);
        }
    }
}
