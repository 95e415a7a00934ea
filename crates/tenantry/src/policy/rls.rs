//! Row-Level Security: enable, force, the two policies, and their removal.

use super::column_type::ColumnType;
use super::config::PolicyConfig;
use crate::sql::{QualifiedName, quote_ident, quote_literal};

/// The tenant predicate used by both policies:
/// `("tenant_id" = NULLIF(current_setting('tenantry.tenant_id', true), '')::uuid)`.
///
/// `current_setting(…, true)` gives NULL when the setting was never set, `NULLIF` turns the
/// empty string left behind by a finished transaction into NULL, and `col = NULL` is never
/// true: no context means no rows and no writes, never an error and never every row.
pub fn tenant_predicate(column: &str, column_type: &ColumnType, config: &PolicyConfig) -> String {
    format!(
        "({} = NULLIF(current_setting({}, true), '')::{})",
        quote_ident(column),
        quote_literal(config.setting()),
        column_type
    )
}

/// `ALTER TABLE … ENABLE ROW LEVEL SECURITY`.
pub fn enable_rls(table: &QualifiedName) -> String {
    format!("ALTER TABLE {} ENABLE ROW LEVEL SECURITY", table.to_sql())
}

/// `ALTER TABLE … FORCE ROW LEVEL SECURITY`: the table owner is bound by the policies too.
pub fn force_rls(table: &QualifiedName) -> String {
    format!("ALTER TABLE {} FORCE ROW LEVEL SECURITY", table.to_sql())
}

/// `ALTER TABLE … NO FORCE ROW LEVEL SECURITY`.
pub fn no_force_rls(table: &QualifiedName) -> String {
    format!("ALTER TABLE {} NO FORCE ROW LEVEL SECURITY", table.to_sql())
}

/// `ALTER TABLE … DISABLE ROW LEVEL SECURITY`.
pub fn disable_rls(table: &QualifiedName) -> String {
    format!("ALTER TABLE {} DISABLE ROW LEVEL SECURITY", table.to_sql())
}

/// The permissive base policy: `FOR ALL TO PUBLIC`, `USING` and `WITH CHECK` the tenant
/// predicate.
pub fn create_base_policy(
    table: &QualifiedName,
    column: &str,
    column_type: &ColumnType,
    config: &PolicyConfig,
) -> String {
    create_policy(
        table,
        config.policy_name(),
        "PERMISSIVE",
        column,
        column_type,
        config,
    )
}

/// The restrictive guard policy: AND-ed with every permissive policy, so another permissive
/// policy added later can never widen access beyond the current tenant.
pub fn create_guard_policy(
    table: &QualifiedName,
    column: &str,
    column_type: &ColumnType,
    config: &PolicyConfig,
) -> String {
    create_policy(
        table,
        config.guard_name(),
        "RESTRICTIVE",
        column,
        column_type,
        config,
    )
}

fn create_policy(
    table: &QualifiedName,
    name: &str,
    kind: &str,
    column: &str,
    column_type: &ColumnType,
    config: &PolicyConfig,
) -> String {
    let predicate = tenant_predicate(column, column_type, config);
    format!(
        "CREATE POLICY {} ON {} AS {kind} FOR ALL TO PUBLIC USING {predicate} WITH CHECK {predicate}",
        quote_ident(name),
        table.to_sql(),
    )
}

/// `DROP POLICY IF EXISTS … ON …`.
pub fn drop_policy(table: &QualifiedName, name: &str) -> String {
    format!(
        "DROP POLICY IF EXISTS {} ON {}",
        quote_ident(name),
        table.to_sql()
    )
}

/// The base policy, (re)created: drop if present, then create.
pub fn replace_base_policy(
    table: &QualifiedName,
    column: &str,
    column_type: &ColumnType,
    config: &PolicyConfig,
) -> Vec<String> {
    vec![
        drop_policy(table, config.policy_name()),
        create_base_policy(table, column, column_type, config),
    ]
}

/// The guard policy, (re)created: drop if present, then create.
pub fn replace_guard_policy(
    table: &QualifiedName,
    column: &str,
    column_type: &ColumnType,
    config: &PolicyConfig,
) -> Vec<String> {
    vec![
        drop_policy(table, config.guard_name()),
        create_guard_policy(table, column, column_type, config),
    ]
}

/// Complete isolation of one table, idempotent: ENABLE and FORCE row level security, then the
/// base and guard policies (each dropped first if present).
///
/// For a partitioned table pass its partitions too (see [`isolate_partitioned`]): policies on
/// a parent do not apply when a partition is queried directly.
pub fn isolate(
    table: &QualifiedName,
    column: &str,
    column_type: &ColumnType,
    config: &PolicyConfig,
) -> Vec<String> {
    let mut out = vec![enable_rls(table), force_rls(table)];
    out.extend(replace_base_policy(table, column, column_type, config));
    out.extend(replace_guard_policy(table, column, column_type, config));
    out
}

/// [`isolate`] for a partitioned table and each of its existing partitions (all levels).
///
/// PostgreSQL applies the parent's policies to rows reached through the parent only; a query
/// naming a partition directly is checked against the partition's own policies. Partitions
/// created or attached later need this call again (it is idempotent) — `tenantry doctor`
/// reports any partition left without policies.
pub fn isolate_partitioned(
    table: &QualifiedName,
    partitions: &[QualifiedName],
    column: &str,
    column_type: &ColumnType,
    config: &PolicyConfig,
) -> Vec<String> {
    let mut out = isolate(table, column, column_type, config);
    for p in partitions {
        out.extend(isolate(p, column, column_type, config));
    }
    out
}

/// Removes isolation from one table (the `down` of [`isolate`]): drops both policies, then
/// NO FORCE and DISABLE row level security.
pub fn release(table: &QualifiedName, config: &PolicyConfig) -> Vec<String> {
    vec![
        drop_policy(table, config.guard_name()),
        drop_policy(table, config.policy_name()),
        no_force_rls(table),
        disable_rls(table),
    ]
}

/// [`release`] for a partitioned table and its partitions.
pub fn release_partitioned(
    table: &QualifiedName,
    partitions: &[QualifiedName],
    config: &PolicyConfig,
) -> Vec<String> {
    let mut out = Vec::new();
    for p in partitions {
        out.extend(release(p, config));
    }
    out.extend(release(table, config));
    out
}

/// Joins statements into one script: each ends with `;` on its own line.
pub fn script(statements: &[String]) -> String {
    let mut out = String::new();
    for s in statements {
        out.push_str(s);
        out.push_str(";\n");
    }
    out
}
