//! The statement rewriter: scopes every statement to one tenant.
//!
//! (Interface placeholder: the implementation lands with the rewriter.)

use sea_orm::Statement;

use crate::error::Result;
use crate::registry::Registry;
use crate::tenant::TenantId;

/// A rewritten statement and whether its plan came from the cache.
#[derive(Debug, Clone)]
pub struct Rewritten {
    /// The scoped statement, ready to run.
    pub statement: Statement,
    /// Whether the plan was found in the cache.
    pub cache_hit: bool,
}

/// Plan-cache counters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CacheStats {
    /// Lookups that found a plan.
    pub hits: u64,
    /// Lookups that had to parse.
    pub misses: u64,
    /// Plans currently cached.
    pub len: usize,
}

/// Rewrites statements for a registry, with a plan cache. Share it (`Arc`) between threads.
#[derive(Debug)]
pub struct Rewriter {
    registry: Registry,
}

impl Rewriter {
    /// A rewriter for `registry` with the default cache size.
    pub fn new(registry: Registry) -> Self {
        Self { registry }
    }

    /// The registry.
    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    /// Scopes `stmt` to `tenant`.
    pub fn rewrite(&self, stmt: Statement, tenant: &TenantId) -> Result<Rewritten> {
        let _ = tenant;
        Ok(Rewritten {
            statement: stmt,
            cache_hit: false,
        })
    }

    /// Plan-cache counters.
    pub fn stats(&self) -> CacheStats {
        CacheStats::default()
    }
}
