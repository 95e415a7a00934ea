//! A prototype of a one-round-trip tenant `begin` on PostgreSQL, measured next to
//! `TenantDatabase::begin` (two round trips: SeaORM's `BEGIN`, then `set_config`).
//!
//! SeaORM's `DatabaseTransaction` can only be opened by SeaORM (its constructor is
//! crate-private and always sends a bare `BEGIN`), so the prototype goes one layer down, to
//! the sqlx pool under the `DatabaseConnection`
//! ([`get_postgres_connection_pool`](sea_orm::DatabaseConnection::get_postgres_connection_pool)):
//! `Pool::begin_with` sends `SET LOCAL …; BEGIN` as one simple query (one
//! round trip) and checks the connection is in a transaction afterwards. Statements are the
//! ones SeaORM builds, scoped by the [`Rewriter`], bound with `sea-query-sqlx`, and their rows
//! handed back to SeaORM as [`QueryResult`]s.

use sea_orm::sea_query::Values;
use sea_orm::sqlx::{self, PgPool, Postgres};
use sea_orm::{DbErr, QueryResult, Statement};
use sea_query_sqlx::SqlxValues;
use tenantry::{Rewriter, TenantId};

/// The single simple-query string opening a transaction with the tenant set:
/// `SET LOCAL <setting> = E'<tenant>'; BEGIN`. The tenant is rendered from its typed id
/// (never from user text) as an escaped literal; `setting` must be a checked `prefix.name`.
///
/// The order matters: in one simple query the statements before `BEGIN` run in an implicit
/// transaction block that `BEGIN` then adopts, so the setting lives exactly as long as the
/// transaction; and if the `SET` fails, `BEGIN` never runs and the connection is left idle.
/// (`BEGIN; SELECT set_config(…)` would leave an aborted transaction on the pooled
/// connection when the second statement fails.) `SET` takes no snapshot, so
/// `BEGIN ISOLATION LEVEL … READ ONLY` can follow it.
pub fn begin_statement(setting: &str, tenant: &TenantId) -> String {
    assert!(
        setting
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.'),
        "setting names are checked identifiers"
    );
    format!(
        "SET LOCAL {setting} = {}; BEGIN",
        literal(&tenant.to_setting())
    )
}

/// A PostgreSQL string literal, correct whatever `standard_conforming_strings` is: `E'…'`
/// with `\` and `'` doubled. (Setting names are already checked to be `prefix.name`.)
fn literal(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 3);
    out.push_str("E'");
    for c in s.chars() {
        match c {
            '\'' => out.push_str("''"),
            '\\' => out.push_str("\\\\"),
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

/// A tenant transaction opened in one round trip.
pub struct OneRtTransaction {
    txn: sqlx::Transaction<'static, Postgres>,
    tenant: TenantId,
}

impl OneRtTransaction {
    /// Acquires a connection and opens the tenant's transaction in one round trip.
    pub async fn begin(pool: &PgPool, setting: &str, tenant: TenantId) -> Result<Self, DbErr> {
        let sql = begin_statement(setting, &tenant);
        let txn = pool
            .begin_with(sqlx::AssertSqlSafe(sql))
            .await
            .map_err(|e| DbErr::Custom(e.to_string()))?;
        Ok(Self { txn, tenant })
    }

    /// Scopes `stmt` and runs it, returning SeaORM rows.
    pub async fn query_all(
        &mut self,
        rewriter: &Rewriter,
        stmt: Statement,
    ) -> Result<Vec<QueryResult>, DbErr> {
        let stmt = rewriter.rewrite(stmt, &self.tenant)?.statement;
        let values = stmt.values.unwrap_or(Values(Vec::new()));
        let rows = sqlx::query_with(sqlx::AssertSqlSafe(stmt.sql), SqlxValues(values))
            .fetch_all(&mut *self.txn)
            .await
            .map_err(|e| DbErr::Custom(e.to_string()))?;
        Ok(rows.into_iter().map(QueryResult::from).collect())
    }

    /// Commits.
    pub async fn commit(self) -> Result<(), DbErr> {
        self.txn
            .commit()
            .await
            .map_err(|e| DbErr::Custom(e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn begin_statement_renders_the_typed_tenant() {
        let t = TenantId::from(uuid::Uuid::from_u128(1));
        assert_eq!(
            begin_statement("tenantry.tenant_id", &t),
            "SET LOCAL tenantry.tenant_id = E'00000000-0000-0000-0000-000000000001'; BEGIN"
        );
        assert_eq!(
            begin_statement("a.b", &TenantId::from("o'k\\")),
            "SET LOCAL a.b = E'o''k\\\\'; BEGIN"
        );
    }
}
