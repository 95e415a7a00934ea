//! Statements: DML is scoped, everything else is refused.
//!
//! Through a tenant handle only queries, INSERT, UPDATE, DELETE (and EXPLAIN of them) run.
//! Refused with [`Error::Forbidden`]: DDL, `SET`/`RESET` (also `SET ROLE`, `SET SESSION
//! AUTHORIZATION`), `COPY`, `TRUNCATE`, `CREATE TEMP …`, `LISTEN`/`NOTIFY`, `PRAGMA`,
//! `CALL`, `PREPARE`/`EXECUTE`, `LOCK`, `MERGE`, and transaction control (`BEGIN`,
//! `COMMIT`, `ROLLBACK`, `SAVEPOINT`, `RELEASE`): the tenant handle owns its transaction, and
//! ending it by hand would end the tenant context with it. Use the handle's own
//! `begin`/`commit`/`rollback`.

use sqlparser::ast::Statement;

use super::ctx::Ctx;
use super::delete::scope_delete;
use super::insert::scope_insert;
use super::query::scope_query;
use super::update::scope_update;
use crate::error::{Error, Result};

/// Scopes one top-level statement.
pub(crate) fn scope_statement(ctx: &mut Ctx<'_>, stmt: &mut Statement) -> Result<()> {
    match stmt {
        Statement::Query(q) => scope_query(ctx, q),
        Statement::Insert(i) => scope_insert(ctx, i),
        Statement::Update(u) => scope_update(ctx, u),
        Statement::Delete(d) => scope_delete(ctx, d),
        Statement::Explain { statement, .. } => scope_statement(ctx, statement),
        other => Err(refuse(other)),
    }
}

/// Scopes a data-modifying statement inside a CTE (`WITH x AS (DELETE … RETURNING …)`).
pub(crate) fn scope_data_modifying(ctx: &mut Ctx<'_>, stmt: &mut Statement) -> Result<()> {
    match stmt {
        Statement::Insert(i) => scope_insert(ctx, i),
        Statement::Update(u) => scope_update(ctx, u),
        Statement::Delete(d) => scope_delete(ctx, d),
        other => Err(refuse(other)),
    }
}

/// The typed refusal for a statement kind tenantry does not run.
fn refuse(stmt: &Statement) -> Error {
    let (what, reason): (String, &str) = match stmt {
        Statement::Set(_) => (
            "SET".into(),
            "it changes session state (settings, role, authorization) that the tenant context depends on",
        ),
        Statement::Reset(_) => (
            "RESET".into(),
            "it changes session state that the tenant context depends on",
        ),
        Statement::StartTransaction { .. }
        | Statement::Commit { .. }
        | Statement::Rollback { .. }
        | Statement::Savepoint { .. }
        | Statement::ReleaseSavepoint { .. } => (
            format!("transaction control ({})", head(stmt, 1)),
            "the tenant handle owns its transaction; use its begin/commit/rollback methods (a nested begin is a savepoint)",
        ),
        Statement::Copy { .. } => (
            "COPY".into(),
            "it moves rows in bulk without a WHERE clause tenantry could scope",
        ),
        Statement::Truncate(_) => ("TRUNCATE".into(), "it empties the table for every tenant"),
        Statement::CreateTable(t) if t.temporary => (
            "CREATE TEMP TABLE".into(),
            "temporary tables shadow scoped tables for the rest of the session",
        ),
        Statement::LISTEN { .. } | Statement::UNLISTEN { .. } | Statement::NOTIFY { .. } => (
            head(stmt, 1),
            "notification channels are shared by every tenant",
        ),
        Statement::Merge(_) => (
            "MERGE".into(),
            "tenantry does not rewrite MERGE; use INSERT … ON CONFLICT",
        ),
        Statement::Pragma { .. } => ("PRAGMA".into(), "it changes connection state"),
        Statement::Call(_) | Statement::Execute { .. } | Statement::Prepare { .. } => (
            head(stmt, 1),
            "the statement it runs is not visible to tenantry",
        ),
        Statement::CreateView(_)
        | Statement::CreateTable(_)
        | Statement::CreateIndex(_)
        | Statement::AlterTable(_)
        | Statement::Drop { .. }
        | Statement::CreateFunction(_)
        | Statement::CreateSchema { .. }
        | Statement::CreateDatabase { .. }
        | Statement::CreateTrigger(_)
        | Statement::CreateSequence { .. }
        | Statement::CreateType { .. }
        | Statement::CreateRole(_)
        | Statement::CreatePolicy(_)
        | Statement::Grant(_)
        | Statement::Revoke(_) => (
            format!("DDL ({})", head(stmt, 2)),
            "schema changes belong in migrations",
        ),
        _ => (
            head(stmt, 2),
            "only SELECT, INSERT, UPDATE and DELETE run through a tenant handle",
        ),
    };
    // Transaction control has its own remedy (the handle's methods); everything else may be
    // run by an admin.
    let hint = if what.starts_with("transaction control") {
        ""
    } else {
        crate::error::UNSCOPED_HINT
    };
    Error::Forbidden {
        what,
        reason: format!("{reason}{hint}"),
    }
}

/// The first `n` words of the statement, upper-cased (e.g. `CREATE TABLE`).
fn head(stmt: &Statement, n: usize) -> String {
    stmt.to_string()
        .split_whitespace()
        .take(n)
        .collect::<Vec<_>>()
        .join(" ")
        .to_uppercase()
}
