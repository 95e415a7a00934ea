//! Shared fixtures for the rewriter snapshot tests.
#![allow(dead_code, unreachable_pub, clippy::unwrap_used)]

mod cases_refuse;
mod cases_select;
mod cases_write;

use sea_orm::{DbBackend, Statement, Value, Values};
use tenantry::{Registry, ScopedTable, TenantId, TenantIdType};

/// The schema every case runs against: `orders`, `customers`, `order_items`, `"Mixed"` and
/// `billing.invoices` (tenant column `org_id`) and `accounts` (tenant column `OrgKey`) are
/// scoped; `products` is shared.
pub fn registry() -> Registry {
    Registry::new()
        .table("orders", "tenant_id")
        .table("customers", "tenant_id")
        .table("order_items", "tenant_id")
        .table("Mixed", "tenant_id")
        .table("billing.invoices", "org_id")
        .table("accounts", "OrgKey")
}

/// A registry whose tables declare a UUID tenant column.
pub fn uuid_registry() -> Registry {
    Registry::new()
        .with_table(ScopedTable::new(None, "orders", "tenant_id").with_id_type(TenantIdType::Uuid))
}

/// The current tenant.
pub fn tenant() -> TenantId {
    TenantId::from(42_i64)
}

/// The three backends, in snapshot order.
pub const ALL: [DbBackend; 3] = [DbBackend::Postgres, DbBackend::MySql, DbBackend::Sqlite];

fn name(b: DbBackend) -> &'static str {
    match b {
        DbBackend::Postgres => "postgres",
        DbBackend::MySql => "mysql",
        _ => "sqlite",
    }
}

/// Converts PostgreSQL-style test SQL (`"ident"`, `$n` in order of appearance) to a backend.
pub fn dialect_sql(b: DbBackend, sql: &str) -> String {
    match b {
        DbBackend::Postgres => sql.to_owned(),
        _ => {
            let mut out = String::with_capacity(sql.len());
            let mut chars = sql.chars().peekable();
            let mut in_str = false;
            while let Some(c) = chars.next() {
                match c {
                    '\'' => {
                        in_str = !in_str;
                        out.push(c);
                    }
                    '"' if !in_str && b == DbBackend::MySql => out.push('`'),
                    '$' if !in_str && chars.peek().is_some_and(char::is_ascii_digit) => {
                        while chars.peek().is_some_and(char::is_ascii_digit) {
                            chars.next();
                        }
                        out.push('?');
                    }
                    _ => out.push(c),
                }
            }
            out
        }
    }
}

fn show_value(v: &Value) -> String {
    match v {
        Value::BigInt(Some(i)) => i.to_string(),
        Value::Int(Some(i)) => i.to_string(),
        Value::String(Some(s)) => format!("'{s}'"),
        Value::Uuid(Some(u)) => u.to_string(),
        other => format!("{other:?}"),
    }
}

/// The rewrite of one statement, as shown in snapshots.
pub fn render_with(
    registry: &Registry,
    tenant: &TenantId,
    b: DbBackend,
    sql: &str,
    values: &[Value],
) -> String {
    let sql = dialect_sql(b, sql);
    let stmt = Statement {
        sql: sql.clone(),
        values: if values.is_empty() {
            None
        } else {
            Some(Values(values.to_vec()))
        },
        db_backend: b,
    };
    let mut out = format!("-- {}\n{sql}\n", name(b));
    match tenantry::rewrite::rewrite(&stmt, registry, tenant) {
        Ok(s) => {
            if s.sql == sql {
                out.push_str("=> (unchanged)\n");
            } else {
                out.push_str(&format!("=> {}\n", s.sql));
            }
            let vals: Vec<String> = s
                .values
                .map(|v| v.0.iter().map(show_value).collect())
                .unwrap_or_default();
            out.push_str(&format!("-- values: [{}]\n", vals.join(", ")));
        }
        Err(e) => out.push_str(&format!("=> REFUSED: {e}\n")),
    }
    out
}

/// The rewrite of one statement on several backends.
pub fn render_on(backends: &[DbBackend], sql: &str, values: &[Value]) -> String {
    backends
        .iter()
        .map(|b| render_with(&registry(), &tenant(), *b, sql, values))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Snapshots one shape on the given backends (all three by default).
#[macro_export]
macro_rules! case {
    ($name:ident, $sql:expr) => {
        case!($name, $sql, [], $crate::rewrite_support::ALL);
    };
    ($name:ident, $sql:expr, [$($v:expr),*]) => {
        case!($name, $sql, [$($v),*], $crate::rewrite_support::ALL);
    };
    ($name:ident, $sql:expr, [$($v:expr),*], $backends:expr) => {
        #[test]
        fn $name() {
            let values: Vec<sea_orm::Value> = vec![$(sea_orm::Value::from($v)),*];
            insta::assert_snapshot!(
                stringify!($name),
                $crate::rewrite_support::render_on(&$backends, $sql, &values)
            );
        }
    };
}
