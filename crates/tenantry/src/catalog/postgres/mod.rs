//! The PostgreSQL catalogue (`pg_catalog`), read the way tenantry needs it.
//!
//! Tables are identified by their `oid` within one database; names are
//! [`QualifiedName`](crate::sql::QualifiedName)s as stored (case and all). A reader given a
//! list of [`TenantTable`]s only looks at those tables.

mod keys;
mod rows;
mod security;
mod tables;

pub use keys::{ForeignKey, Key, KeyKind, dependency_order, foreign_keys, index_leaders, keys};
pub use security::{
    DependentView, Policy, RoleAttributes, RoleEscalation, Routine, TablePrivileges,
    database_privilege, dependent_views, policies, role, role_escalations, routines,
    sequences_with_privilege, table_privileges,
};
pub use tables::{
    TenantTable, column_type, columns, current_database, extension_installed, owned_sequences,
    partitions, primary_key, resolve, tenant_tables,
};

pub(super) use tables::relations;
