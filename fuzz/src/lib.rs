//! What the fuzz targets share: the registry, the rewriters, the property every accepted
//! statement must satisfy, and the SQL grammar of the structure-aware target.

pub mod grammar;

use std::sync::LazyLock;

use sea_orm::Statement;
use tenantry::audit::{Analysis, analyse_for};
use tenantry::rewrite::CacheStats;
use tenantry::{Registry, Rewriter, TenantId};

fn registry() -> Registry {
    Registry::new()
        .table("orders", "tenant_id")
        .table("customers", "tenant_id")
        .table("order_items", "tenant_id")
}

static REGISTRY: LazyLock<Registry> = LazyLock::new(registry);
// Without a plan cache: every input is planned in full.
static PLANNER: LazyLock<Rewriter> = LazyLock::new(|| Rewriter::with_capacity(registry(), 0));
// With the default bounded cache, which derives plans from shorter forms of a statement.
static CACHED: LazyLock<Rewriter> = LazyLock::new(|| Rewriter::new(registry()));

/// The counters of the cached rewriter `check` uses.
pub fn cache_stats() -> CacheStats {
    CACHED.stats()
}

/// How strictly an accepted statement's analysis is judged.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Strict {
    /// Arbitrary text: statements the analysis does not read (`SET`, DDL) may be accepted;
    /// only an unconstrained reference fails.
    Unconstrained,
    /// Grammar output: every accepted statement must be analysed and clean.
    Clean,
}

/// Rewrites `statement` for `tenant` with and without the plan cache. It must never panic;
/// both paths must agree; whatever is accepted must be constrained to `tenant`
/// ([`analyse_for`]: every scoped reference by the tenant's own id, every written row
/// carrying it).
pub fn check(statement: Statement, tenant: &TenantId, strict: Strict) {
    let full = PLANNER.rewrite(statement.clone(), tenant);
    let cached = CACHED.rewrite(statement.clone(), tenant);
    let out = match (full, cached) {
        (Ok(f), Ok(c)) => {
            assert_eq!(
                f.statement, c.statement,
                "the plan cache disagrees on {statement:?}"
            );
            f.statement
        }
        (Err(_), Err(_)) => return,
        (f, c) => panic!(
            "the plan cache disagrees on {statement:?}:\n  full: {:?}\n  cached: {:?}",
            f.map(|r| r.statement.sql),
            c.map(|r| r.statement.sql)
        ),
    };
    match analyse_for(&out, &REGISTRY, tenant) {
        Analysis::Clean => {}
        Analysis::NotAnalysed(_) if strict == Strict::Unconstrained => {}
        other => panic!(
            "accepted, yet {other:?}:\n  in:  {}\n  values: {:?}\n  out: {}\n  values: {:?}",
            statement.sql, statement.values, out.sql, out.values
        ),
    }
}
