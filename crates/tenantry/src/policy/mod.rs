//! The PostgreSQL DDL behind tenantry's database layer, written once and shared by the
//! migration helpers (`tenantry-migration`) and [`doctor`](crate::doctor)'s fixes.
//!
//! Every function is pure: it returns SQL text (or a sea-query statement) and touches no
//! database. Identifiers are always quoted ([`quote_ident`]), literals escaped
//! ([`quote_literal`]).
//!
//! Isolation of one table ([`isolate`]) is:
//!
//! * `ENABLE` and `FORCE ROW LEVEL SECURITY` (so even the owner is bound);
//! * a permissive base policy and a `RESTRICTIVE` guard policy, both `FOR ALL TO PUBLIC`
//!   with `USING` and `WITH CHECK` set to [`tenant_predicate`]. The guard is AND-ed with
//!   every permissive policy, so a permissive policy added later cannot widen access.
//!
//! ```
//! use tenantry::policy::{self, ColumnType, PolicyConfig, QualifiedName};
//! let sql = policy::isolate(
//!     &QualifiedName::qualified("public", "orders"),
//!     "tenant_id",
//!     &ColumnType::default(),
//!     &PolicyConfig::default(),
//! );
//! assert_eq!(sql[0], r#"ALTER TABLE "public"."orders" ENABLE ROW LEVEL SECURITY"#);
//! ```
//!
//! Partitioned tables: PostgreSQL applies a parent's policies only to rows reached through
//! the parent. Use [`isolate_partitioned`] with the existing partitions; a partition created
//! or attached later needs the call again (it is idempotent), and `tenantry doctor` reports
//! any partition without policies.

mod column_type;
mod config;
mod objects;
mod rls;
mod roles;
mod schema;

pub use crate::sql::{QualifiedName, quote_ident, quote_literal};
pub use column_type::ColumnType;
pub use config::PolicyConfig;
pub use objects::{
    function_not_leakproof, revoke_materialized_view, routine_security_invoker,
    view_security_invoker,
};
pub use rls::{
    create_base_policy, create_guard_policy, disable_rls, drop_policy, enable_rls, force_rls,
    isolate, isolate_partitioned, no_force_rls, release, release_partitioned, replace_base_policy,
    replace_guard_policy, script, tenant_predicate,
};
pub use roles::{
    APP_ROLE_ATTRIBUTES, change_table_owner, drop_role, ensure_role, grant_schema_usage,
    grant_sequence_usage, grant_table_access, grant_table_read, grant_temp_to_public,
    revoke_bypassrls, revoke_membership, revoke_sequence_update, revoke_superuser,
    revoke_table_access, revoke_table_privileges, revoke_temp, revoke_temp_from_public,
};
pub use schema::{
    add_foreign_key_sql, add_unique_constraint_sql, create_unique_index_sql, default_name,
    drop_constraint, drop_index, drop_index_sql, foreign_key_action, table_ref, tenant_column,
    tenant_foreign_key, tenant_index, tenant_unique,
};

/// Renders a sea-query schema statement (index, foreign key, table…) as PostgreSQL SQL.
pub fn to_postgres<S: sea_orm::sea_query::SchemaStatementBuilder>(stmt: &S) -> String {
    stmt.to_string(sea_orm::sea_query::PostgresQueryBuilder)
}
