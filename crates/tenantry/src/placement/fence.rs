//! Fences: how a move stops a tenant's transactions on the placement it leaves — in this
//! process and in every other one, whatever their directory caches say.
//!
//! Every database that holds tenant rows (the control database, each tenant database) has a
//! table [`FENCES_TABLE`] and a function [`FENCE_FUNCTION`] in its shared schema
//! ([`install_sql`]; the directory migration and provisioning install them). Every tenant
//! transaction of a [`TenantDatabase`](crate::TenantDatabase) with a directory calls the
//! function first thing after `BEGIN`, in the same round trip, with the tenant and the
//! placement it believes in. The function
//!
//! 1. takes the tenant's fence lock in shared mode for the transaction
//!    (`pg_advisory_xact_lock_shared`): a move holds it exclusively while it copies the last
//!    writes, verifies and flips, so that in-flight transactions finish first and new ones
//!    wait — up to the transaction's `lock_timeout`, then fail with
//!    [`Error::TenantMoving`](crate::Error::TenantMoving) (retryable). Outside `READ
//!    COMMITTED` a transaction never waits for it (its snapshot would predate the flip): it
//!    fails at once with the same error;
//! 2. then fails with [`Error::PlacementChanged`](crate::Error::PlacementChanged)
//!    (retryable; the directory cache entry is dropped, so a retry follows the directory) when
//!    the table says the tenant no longer lives in this placement — a move writes that row on
//!    the source before it flips the directory, and keeps it.
//!
//! In `READ COMMITTED` the row is read after the lock is granted, with a snapshot taken then,
//! so a transaction that waited on a move sees that move's row. A move also keeps its lock for
//! a grace period after the flip ([`FLIP_GRACE`]), which covers a `REPEATABLE READ`
//! transaction whose snapshot was taken just before the flip and whose lock request came just
//! after: it would have to be stalled for that long between the two.

use std::time::Duration;

use crate::placement::Placement;
use crate::sql::{QualifiedName, quote_literal};
use crate::tenant::TenantId;

/// The table of fenced (tenant, placement) pairs, in each database's shared schema.
pub const FENCES_TABLE: &str = "tenantry_fences";

/// The function every tenant transaction with a directory calls after `BEGIN`.
pub const FENCE_FUNCTION: &str = "tenantry_fence";

/// SQLSTATE the function raises when the tenant is being moved and the transaction may not
/// wait (outside `READ COMMITTED`).
pub const SQLSTATE_MOVING: &str = "TN001";

/// SQLSTATE the function raises when the tenant no longer lives in the placement.
pub const SQLSTATE_MOVED: &str = "TN002";

/// How long a move keeps the fence after flipping the directory.
pub const FLIP_GRACE: Duration = Duration::from_millis(250);

/// The first key of the two-key advisory locks fences use (the second is the tenant's).
const LOCK_SPACE: &str = "tenantry.fence";

/// The placement as the fences table records it: `shared`, `schema:NAME`,
/// `database:SERVER/DB`.
pub fn placement_key(placement: &Placement) -> String {
    placement.to_string()
}

/// The two-key advisory lock of `tenant`'s fence, as SQL arguments
/// (`hashtext('tenantry.fence'), hashtext('<tenant>')`).
pub fn lock_args(tenant: &TenantId) -> String {
    format!(
        "pg_catalog.hashtext({}), pg_catalog.hashtext({})",
        quote_literal(LOCK_SPACE),
        quote_literal(&tenant.to_setting())
    )
}

/// The statements that create the fences table and the fence function in `schema` (the
/// database's shared schema), idempotently. The function runs as its caller (`SECURITY
/// INVOKER`), so every role reads the table: it holds tenant ids and placement names, no rows
/// of tenants. Every name in it is qualified, and it has no `SET search_path` clause: a
/// function with `SET` clauses saves and restores settings on every call, in every begin.
pub fn install_sql(schema: &str) -> Vec<String> {
    let table = QualifiedName::qualified(schema, FENCES_TABLE).to_sql();
    let function = QualifiedName::qualified(schema, FENCE_FUNCTION).to_sql();
    let space = quote_literal(LOCK_SPACE);
    vec![
        format!(
            "CREATE TABLE IF NOT EXISTS {table} (\
             tenant text NOT NULL, \
             placement text NOT NULL, \
             moved_to text NOT NULL, \
             since timestamptz NOT NULL DEFAULT now(), \
             PRIMARY KEY (tenant, placement))"
        ),
        format!(
            "CREATE OR REPLACE FUNCTION {function}(tenant text, placement text) RETURNS void \
             LANGUAGE plpgsql VOLATILE AS $fence$\n\
             BEGIN\n\
               IF pg_catalog.current_setting('transaction_isolation') = 'read committed' THEN\n\
                 PERFORM pg_catalog.pg_advisory_xact_lock_shared(pg_catalog.hashtext({space}), pg_catalog.hashtext(tenant));\n\
               ELSIF NOT pg_catalog.pg_try_advisory_xact_lock_shared(pg_catalog.hashtext({space}), pg_catalog.hashtext(tenant)) THEN\n\
                 RAISE EXCEPTION 'tenantry: tenant % is being moved; retry', tenant USING ERRCODE = '{SQLSTATE_MOVING}';\n\
               END IF;\n\
               IF EXISTS (SELECT 1 FROM {table} f WHERE f.tenant = $1 AND f.placement = $2) THEN\n\
                 RAISE EXCEPTION 'tenantry: tenant % no longer lives in %; retry', tenant, placement USING ERRCODE = '{SQLSTATE_MOVED}';\n\
               END IF;\n\
             END\n\
             $fence$",
        ),
        format!("REVOKE ALL ON {table} FROM PUBLIC"),
        format!("GRANT SELECT ON {table} TO PUBLIC"),
        format!("GRANT EXECUTE ON FUNCTION {function}(text, text) TO PUBLIC"),
    ]
}

/// The statement dropping what [`install_sql`] created.
pub fn uninstall_sql(schema: &str) -> Vec<String> {
    vec![
        format!(
            "DROP FUNCTION IF EXISTS {}(text, text)",
            QualifiedName::qualified(schema, FENCE_FUNCTION).to_sql()
        ),
        format!(
            "DROP TABLE IF EXISTS {}",
            QualifiedName::qualified(schema, FENCES_TABLE).to_sql()
        ),
    ]
}

/// The check a tenant transaction runs right after `BEGIN`.
pub(crate) fn check_sql(schema: &str, tenant: &TenantId, placement: &str) -> String {
    format!(
        "SELECT {}({}, {})",
        QualifiedName::qualified(schema, FENCE_FUNCTION).to_sql(),
        quote_literal(&tenant.to_setting()),
        quote_literal(placement)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fence_sql() {
        insta::assert_snapshot!(
            [
                install_sql("public").join(";\n"),
                uninstall_sql("public").join(";\n"),
                check_sql("public", &TenantId::from("o'k"), "schema:acme"),
                lock_args(&TenantId::from(42_i64)),
            ]
            .join("\n\n")
        );
    }
}
