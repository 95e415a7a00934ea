//! The statement rewriter: scopes every statement to one tenant.
//!
//! [`Rewriter::rewrite`] takes the statement SeaORM built and returns it scoped: every
//! reference to a scoped table — in FROM, any JOIN, subqueries anywhere, CTEs, each branch of
//! a set operation, LATERAL, write targets — carries `<alias>.<tenant column> = <tenant>`;
//! inserts get the tenant column; writes that name the tenant column must carry the current
//! tenant. What cannot be proven scoped is refused with a typed [`Error`](crate::Error).
//!
//! ```
//! use sea_orm::{DbBackend, Statement};
//! use tenantry::{Registry, Rewriter, TenantId};
//!
//! let rewriter = Rewriter::new(Registry::new().table("orders", "tenant_id"));
//! let stmt = Statement::from_sql_and_values(
//!     DbBackend::Postgres,
//!     r#"SELECT "id" FROM "orders" WHERE "status" = $1 OR "total" > $2"#,
//!     ["open".into(), 100.into()],
//! );
//! let out = rewriter.rewrite(stmt, &TenantId::from(7_i64)).unwrap().statement;
//! assert_eq!(
//!     out.sql,
//!     r#"SELECT "id" FROM "orders" WHERE "orders".tenant_id = $3 AND ("status" = $1 OR "total" > $2)"#
//! );
//! assert_eq!(out.values.unwrap().0.len(), 3);
//! ```
//!
//! # Never a reprint
//! The rewritten text is the original text with tenantry's insertions spliced in at the
//! positions the parser reports; every other byte stays as written (comments, spacing,
//! literals, operators). Predicates go in front: `WHERE <tenant> AND (<original>)`, the
//! original condition parenthesised *textually*, so the database's own precedence rules apply
//! inside it whatever the parser thought (MySQL's `||`). The output is then parsed again and
//! must be exactly the rewritten statement tenantry meant; any difference is a refusal. The
//! only text replaced rather than inserted: `DEFAULT VALUES` (becomes `(col) VALUES (…)`).
//!
//! # Where predicates go
//! FROM items: in front of `WHERE` (or a new `WHERE` after the FROM list). Joined tables: in
//! front of that join's `ON`, so outer joins keep their meaning; the null-extended left side of a
//! `RIGHT JOIN` gets its predicates in that `ON`. Where no predicate placement is correct
//! (`FULL JOIN`, outer joins with `USING`/`NATURAL`), the table's name `t` is wrapped as
//! `(SELECT * FROM t WHERE t.col = tenant)`, its alias as written following (or `AS t`); so is
//! a table whose alias renames its columns (`orders AS o(a, b)`). `ON CONFLICT … DO UPDATE`
//! gets `WHERE t.col = tenant`; MySQL's `ON DUPLICATE KEY UPDATE c = v` becomes
//! `c = IF(col = tenant, v, c)`.
//!
//! # Names
//! Table names are matched as the database resolves them (see the `names` module):
//! PostgreSQL folds unquoted names to lower case, SQLite ignores case, MySQL compares table
//! names exactly. A table registered without a schema also matches `public.t` (PostgreSQL),
//! `main.t` (SQLite) and — failing closed — `any_schema.t`, since the connection's default
//! schema is not known. A CTE name shadows a table only where the database says so: in the
//! CTE's scope, for FROM references, never for an UPDATE/DELETE target.
//!
//! # Values
//! The tenant is always a bound value, never SQL text (except [`rewrite_inline`], for
//! display). PostgreSQL: one `$N+1` appended, reused by every predicate. MySQL/SQLite: the
//! value is inserted in the value list at each `?` tenantry adds (the original placeholders
//! keep their order, since their text is not moved). A statement that touches no
//! scoped table is returned unchanged. A statement sent without values (`execute_unprepared`)
//! comes back with `values: Some([tenant])` when it needed the tenant: run it prepared.
//!
//! # Several statements in one string
//! [`Rewriter::rewrite`] rewrites each and joins them with `; `, sharing one value list, or
//! refuses the whole string. PostgreSQL and MySQL do not prepare multi-statement strings, so
//! for `execute_unprepared` use [`Rewriter::rewrite_script`], which returns the statements
//! one by one, each with its own values.
//!
//! # Refused
//! Unparseable SQL, DDL, `SET`/`RESET` (roles and session authorization too), `COPY`,
//! `TRUNCATE`, `CREATE TEMP`, `LISTEN`/`NOTIFY`, `pg_temp`, `PRAGMA`, `CALL`, `MERGE`,
//! transaction control (`BEGIN`/`COMMIT`/`ROLLBACK`/`SAVEPOINT`/`RELEASE`: the tenant handle
//! owns its transaction), `REPLACE`/`INSERT OR REPLACE` into a scoped table (it deletes
//! conflicting rows of any tenant), `SELECT … INTO`, `KEYWORD table` forms the parser
//! misreads (`UPDATE ONLY orders`, MySQL's `UPDATE IGNORE orders`), a `*` at or before the
//! tenant column in `INSERT … SELECT`, and any scoped table reference tenantry cannot scope
//! (a plan is accepted only if every scoped table reference the parser saw was scoped).
//!
//! Also refused, by design rather than by shape:
//! - text the database would read differently from the parser (`text::fidelity`): MariaDB's
//!   executable comments (`/*! … */`, `/*M! … */`), strings whose end depends on
//!   `NO_BACKSLASH_ESCAPES` or `standard_conforming_strings`, MySQL `"…"` strings (an
//!   identifier under `ANSI_QUOTES`), and every other place where the two lexers disagree;
//! - calls of denied functions, in expressions and as table functions in FROM/JOIN/LATERAL
//!   (SQL from text, session state, files and large objects, other databases,
//!   notifications, locks, server control, other sessions' activity), and in allow-list
//!   mode ([`FunctionPolicy`](crate::FunctionPolicy)) every function not listed;
//! - catalogues that hold values or counts of every tenant's rows, and any write to a
//!   system catalogue (`UPDATE pg_settings …` is `SET` in disguise);
//! - a rewritten text that does not read back as the statement tenantry meant.
//!
//! Views and functions are opaque: a view over a scoped table must be registered itself (or
//! be `security_invoker` so that Row-Level Security applies), and a function reading scoped
//! tables is covered by Row-Level Security only.
//!
//! # Plan cache
//! SeaORM emits the same SQL text for a query shape, so a [`Rewriter`] caches a plan per
//! (backend, SQL text) for its registry: the rewritten SQL plus a recipe (where the tenant
//! value goes, which values must equal the tenant, which id types to check). A cached rewrite
//! is a hash lookup under a read lock, a copy of the scoped SQL into the statement's own
//! buffer and the tenant pushed (or merged) into its own value vector. Texts that differ only
//! in the length of a multi-row `INSERT … VALUES` or of placeholder `IN (…)` lists are not
//! parsed again: their plan is derived from the cached plan of the one-row / one-element
//! form. The one-row `INSERT` SeaORM builds (quoted names, placeholders, optional
//! `RETURNING` of columns) is planned from its text without the parser; any other text is
//! parsed.

mod cache;
mod planner;
pub(crate) mod scope;
mod text;

use std::sync::Arc;

use sea_orm::Statement;

use self::cache::PlanCache;
use self::cache::plan::Plan;
use self::scope::names::Flavor;
use self::text::{lists, rows};
use crate::error::Result;
use crate::registry::Registry;
use crate::tenant::TenantId;

pub use self::cache::{DEFAULT_CACHE_BYTES, DEFAULT_CACHE_CAPACITY};

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
    /// Roughly the bytes they weigh (texts and plans), at most the cache's byte budget.
    pub bytes: usize,
}

/// Rewrites statements for a registry, with a plan cache. Share it (`Arc`) between threads.
#[derive(Debug)]
pub struct Rewriter {
    registry: Registry,
    cache: PlanCache,
}

impl Rewriter {
    /// A rewriter for `registry` with the default cache size.
    pub fn new(registry: Registry) -> Self {
        Self::with_capacity(registry, DEFAULT_CACHE_CAPACITY)
    }

    /// A rewriter caching at most `capacity` plans (0: no cache), within
    /// [`DEFAULT_CACHE_BYTES`].
    pub fn with_capacity(registry: Registry, capacity: usize) -> Self {
        Self::with_limits(registry, capacity, DEFAULT_CACHE_BYTES)
    }

    /// A rewriter caching at most `capacity` plans that weigh at most `max_bytes` together
    /// (SQL texts and plans, roughly).
    pub fn with_limits(registry: Registry, capacity: usize, max_bytes: usize) -> Self {
        Self {
            registry,
            cache: PlanCache::with_budget(capacity, max_bytes),
        }
    }

    /// The registry.
    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    /// Scopes `stmt` to `tenant`.
    ///
    /// # Errors
    /// [`Error::Parse`](crate::Error::Parse), [`Forbidden`](crate::Error::Forbidden),
    /// [`Unprovable`](crate::Error::Unprovable) when the statement cannot run through a tenant
    /// handle; [`CrossTenantWrite`](crate::Error::CrossTenantWrite) when it writes another
    /// tenant's id; [`TenantTypeMismatch`](crate::Error::TenantTypeMismatch) when the tenant's
    /// type differs from a touched table's declared type;
    /// [`ValueCount`](crate::Error::ValueCount) when values and placeholders disagree.
    pub fn rewrite(&self, stmt: Statement, tenant: &TenantId) -> Result<Rewritten> {
        let flavor = Flavor::of(stmt.db_backend)?;
        // Bound under the read lock: no reference count to take and drop on the hot path.
        if let Some(cache) = self.cache.read()
            && let Some(plan) = cache.get(flavor, &stmt.sql)
        {
            return Ok(Rewritten {
                statement: plan.bind(stmt, tenant)?,
                cache_hit: true,
            });
        }
        self.cache.count_miss();
        let derived = rows::plan_many(flavor, &stmt.sql, |one| self.plan(flavor, one))
            .or_else(|| lists::plan_lists(flavor, &stmt.sql, |one| self.plan(flavor, one)));
        let plan = match derived {
            Some(derived) => derived?,
            None => planner::plan(flavor, &self.registry, &stmt.sql, None)?,
        };
        let plan = Arc::new(plan);
        self.cache.insert(flavor, &stmt.sql, Arc::clone(&plan));
        Ok(Rewritten {
            statement: plan.bind(stmt, tenant)?,
            cache_hit: false,
        })
    }

    /// The plan for `sql`, from the cache or planned and cached (counting nothing).
    fn plan(&self, flavor: Flavor, sql: &str) -> Result<Arc<Plan>> {
        if let Some(plan) = self.cache.peek(flavor, sql) {
            return Ok(plan);
        }
        let plan = Arc::new(planner::plan(flavor, &self.registry, sql, None)?);
        self.cache.insert(flavor, sql, Arc::clone(&plan));
        Ok(plan)
    }

    /// Scopes a string that may hold several statements (what `execute_unprepared` receives),
    /// returning each statement on its own, to be run one after the other: PostgreSQL and
    /// MySQL do not prepare multi-statement strings, and a scoped statement needs its tenant
    /// value bound. All or nothing: one refusal refuses the whole string.
    ///
    /// # Errors
    /// As [`rewrite`](Self::rewrite); [`Forbidden`](crate::Error::Forbidden) for several
    /// statements sharing bound values.
    pub fn rewrite_script(&self, stmt: Statement, tenant: &TenantId) -> Result<Vec<Rewritten>> {
        let flavor = Flavor::of(stmt.db_backend)?;
        if self.cache.peek(flavor, &stmt.sql).is_some() {
            return Ok(vec![self.rewrite(stmt, tenant)?]);
        }
        let pieces = planner::split(flavor, &stmt.sql)?;
        if pieces.len() <= 1 {
            return Ok(vec![self.rewrite(stmt, tenant)?]);
        }
        if stmt.values.as_ref().is_some_and(|v| !v.0.is_empty()) {
            return Err(crate::Error::Forbidden {
                what: "several statements sharing bound values".into(),
                reason: "send them one at a time, each with its own values".into(),
            });
        }
        pieces
            .into_iter()
            .map(|sql| {
                self.rewrite(
                    Statement {
                        sql,
                        values: None,
                        db_backend: stmt.db_backend,
                    },
                    tenant,
                )
            })
            .collect()
    }

    /// Plan-cache counters.
    pub fn stats(&self) -> CacheStats {
        CacheStats {
            hits: self.cache.hits(),
            misses: self.cache.misses(),
            len: self.cache.len(),
            bytes: self.cache.bytes(),
        }
    }
}

pub use scope::names::PARSE_DEPTH;

/// Scopes `stmt` to `tenant` without a cache (same result as [`Rewriter::rewrite`]).
///
/// # Errors
/// As [`Rewriter::rewrite`].
pub fn rewrite(stmt: &Statement, registry: &Registry, tenant: &TenantId) -> Result<Statement> {
    let flavor = Flavor::of(stmt.db_backend)?;
    planner::plan(flavor, registry, &stmt.sql, None)?.bind(stmt.clone(), tenant)
}

/// For display only: scopes `stmt` with the tenant written into the SQL as a literal, so the
/// output can be pasted into `psql`/`mysql`/`sqlite3`. The statement's own values stay bound.
/// Never run this output through an application: tenant ids belong in bound values.
///
/// # Errors
/// As [`Rewriter::rewrite`].
pub fn rewrite_inline(
    stmt: &Statement,
    registry: &Registry,
    tenant: &TenantId,
) -> Result<Statement> {
    let flavor = Flavor::of(stmt.db_backend)?;
    planner::plan(flavor, registry, &stmt.sql, Some(tenant))?.bind(stmt.clone(), tenant)
}

#[cfg(test)]
mod splice_prop;
#[cfg(test)]
mod timing;
