//! `tenantry rewrite`, run as a user would run it.
#![allow(clippy::unwrap_used)]

use std::io::Write;
use std::process::{Command, Stdio};

/// Runs `tenantry rewrite ARGS` (with `stdin` piped in when given); returns exit code and output.
fn run(args: &[&str], stdin: Option<&str>) -> String {
    let mut child = Command::new(env!("CARGO_BIN_EXE_tenantry"))
        .arg("rewrite")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    {
        let mut pipe = child.stdin.take().unwrap();
        pipe.write_all(stdin.unwrap_or_default().as_bytes())
            .unwrap();
    }
    let out = child.wait_with_output().unwrap();
    format!(
        "exit: {}\n--- stdout\n{}--- stderr\n{}",
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn postgres_select_with_join_and_custom_column() {
    insta::assert_snapshot!(run(
        &[
            "--backend",
            "postgres",
            "--tenant",
            "42",
            "--table",
            "orders",
            "--table",
            "billing.invoices:org_id",
            "SELECT * FROM orders o JOIN billing.invoices i ON i.order_id = o.id WHERE o.id = $1",
        ],
        None
    ));
}

#[test]
fn postgres_inline_uuid_for_psql() {
    insta::assert_snapshot!(run(
        &[
            "--backend",
            "postgres",
            "--tenant",
            "0e7c1f7e-3c1a-4a57-9d1e-6f1e6f1e6f1e",
            "--table",
            "orders",
            "--inline",
            "SELECT id FROM orders WHERE status = 'open' OR total > 100",
        ],
        None
    ));
}

#[test]
fn sql_from_stdin() {
    insta::assert_snapshot!(run(
        &["--backend", "sqlite", "--tenant", "7", "--table", "orders"],
        Some("DELETE FROM orders WHERE id = ?;\n")
    ));
}

#[test]
fn quoted_catalogue_name() {
    insta::assert_snapshot!(run(
        &[
            "--backend",
            "postgres",
            "--tenant",
            "7",
            "--table",
            "Mixed",
            r#"SELECT * FROM "Mixed" m, mixed"#
        ],
        None
    ));
}

#[test]
fn mysql_insert_with_tenant_column_given() {
    insta::assert_snapshot!(run(
        &[
            "--backend",
            "mysql",
            "--tenant",
            "42",
            "--table",
            "orders",
            "INSERT INTO orders (tenant_id, total) VALUES (?, ?)",
        ],
        None
    ));
}

#[test]
fn mysql_insert_adds_tenant_column() {
    insta::assert_snapshot!(run(
        &[
            "--backend",
            "mysql",
            "--tenant",
            "42",
            "--table",
            "orders",
            "INSERT INTO orders (customer_id, total) VALUES (?, ?), (?, ?)",
        ],
        None
    ));
}

#[test]
fn mysql_inline() {
    insta::assert_snapshot!(run(
        &[
            "--backend",
            "mysql",
            "--tenant",
            "42",
            "--table",
            "orders",
            "--inline",
            "UPDATE orders SET total = ? WHERE id = ?"
        ],
        None
    ));
}

#[test]
fn unscoped_statement_passes_through() {
    insta::assert_snapshot!(run(
        &[
            "--backend",
            "postgres",
            "--tenant",
            "42",
            "--table",
            "orders",
            "SELECT * FROM products"
        ],
        None
    ));
}

#[test]
fn refused_statement_exits_3() {
    insta::assert_snapshot!(run(
        &[
            "--backend",
            "postgres",
            "--tenant",
            "42",
            "--table",
            "orders",
            "SET ROLE admin"
        ],
        None
    ));
}

#[test]
fn cross_tenant_literal_is_refused() {
    insta::assert_snapshot!(run(
        &[
            "--backend",
            "sqlite",
            "--tenant",
            "42",
            "--table",
            "orders",
            "INSERT INTO orders (tenant_id, total) VALUES (7, 1)",
        ],
        None
    ));
}

#[test]
fn bad_tenant_exits_2() {
    insta::assert_snapshot!(run(
        &[
            "--backend",
            "postgres",
            "--tenant",
            "acme",
            "--table",
            "orders",
            "SELECT 1"
        ],
        None
    ));
}

#[test]
fn sql_starting_with_a_comment_after_the_separator() {
    insta::assert_snapshot!(run(
        &[
            "--backend",
            "postgres",
            "--tenant",
            "42",
            "--table",
            "orders",
            "--",
            "-- monthly report\nSELECT * FROM orders",
        ],
        None
    ));
}

#[test]
fn sql_starting_with_a_comment_from_stdin() {
    insta::assert_snapshot!(run(
        &["--backend", "mysql", "--tenant", "7", "--table", "orders"],
        Some("-- monthly report\nSELECT * FROM orders WHERE id = ?;\n")
    ));
}

#[test]
fn sql_starting_with_a_comment_without_the_separator_is_a_usage_error() {
    let out = run(
        &[
            "--backend",
            "postgres",
            "--tenant",
            "42",
            "--table",
            "orders",
            "-- monthly report\nSELECT * FROM orders",
        ],
        None,
    );
    assert!(
        out.starts_with("exit: 2\n--- stdout\n--- stderr\n"),
        "{out}"
    );
    assert!(out.contains("unexpected argument"), "{out}");
}

#[test]
fn missing_option_exits_2() {
    let out = run(&["--tenant", "42", "SELECT 1"], None);
    assert!(
        out.starts_with("exit: 2\n--- stdout\n--- stderr\n"),
        "{out}"
    );
    assert!(out.contains("--backend <BACKEND>"), "{out}");
}

#[test]
fn refusal_exits_3_with_the_reason_on_stderr() {
    let out = run(
        &[
            "--backend",
            "mysql",
            "--tenant",
            "42",
            "--table",
            "orders",
            "--",
            "-- every tenant's rows\nTRUNCATE orders",
        ],
        None,
    );
    assert!(
        out.starts_with("exit: 3\n--- stdout\n--- stderr\ntenantry rewrite: refused TRUNCATE: "),
        "{out}"
    );
}

#[test]
fn help_shows_the_separator_and_the_exit_codes() {
    let out = run(&["--help"], None);
    assert!(out.starts_with("exit: 0\n"), "{out}");
    assert!(out.contains("[--] [SQL]"), "{out}");
    assert!(
        out.contains("--table orders -- '-- monthly report"),
        "{out}"
    );
    for code in [
        "  0  rewritten",
        "  2  called wrongly",
        "  3  refused: tenantry will not run this statement",
    ] {
        assert!(out.contains(code), "{code}: {out}");
    }
}

#[test]
fn a_tenant_that_can_never_be_one_is_a_usage_error() {
    let out = run(
        &[
            "--backend",
            "postgres",
            "--tenant",
            "00000000-0000-0000-0000-000000000000",
            "--table",
            "orders",
            "SELECT * FROM orders",
        ],
        None,
    );
    assert_eq!(
        out,
        "exit: 2\n--- stdout\n--- stderr\ntenantry rewrite: --tenant \
         `00000000-0000-0000-0000-000000000000`: the nil UUID is never a tenant (an unset id?)\n"
    );
}
