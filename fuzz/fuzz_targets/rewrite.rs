//! The rewriter on arbitrary input, every backend: the first byte picks the backend, the rest
//! is the SQL text (lossily UTF-8). It must never panic, loop or overflow its stack; what it
//! accepts on PostgreSQL must be clean for the audit's analysis (every scoped reference
//! constrained to one tenant) — the scoping property, checked from the output text alone.
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use sea_orm::{DbBackend, Statement};
use tenantry::audit::{Analysis, analyse};
use tenantry::{Registry, Rewriter, TenantId};

fn registry() -> Registry {
    Registry::new()
        .table("orders", "tenant_id")
        .table("customers", "tenant_id")
        .table("order_items", "tenant_id")
}

// No plan cache: memory stays bounded whatever the input.
static REWRITER: LazyLock<Rewriter> = LazyLock::new(|| Rewriter::with_capacity(registry(), 0));
static REGISTRY: LazyLock<Registry> = LazyLock::new(registry);

fuzz_target!(|data: &[u8]| {
    let Some((first, rest)) = data.split_first() else {
        return;
    };
    let backend = match first % 3 {
        0 => DbBackend::Postgres,
        1 => DbBackend::MySql,
        _ => DbBackend::Sqlite,
    };
    let sql = String::from_utf8_lossy(rest);
    let tenant = TenantId::from(7_i64);
    let Ok(out) = REWRITER.rewrite(Statement::from_string(backend, sql.as_ref()), &tenant) else {
        return;
    };
    if backend == DbBackend::Postgres
        && let Analysis::Unconstrained(refs) = analyse(&out.statement.sql, &REGISTRY)
    {
        panic!(
            "accepted, yet {refs:?} unconstrained:\n  in:  {sql}\n  out: {}",
            out.statement.sql
        );
    }
});
