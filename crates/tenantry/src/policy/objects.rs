//! Views, materialized views and routines that can see past Row-Level Security.

use crate::sql::{QualifiedName, quote_ident};

/// `ALTER VIEW … SET (security_invoker = true)` (PostgreSQL 15+): the view's tables are
/// read with the caller's rights, so the caller's RLS applies instead of the view owner's.
pub fn view_security_invoker(view: &QualifiedName) -> String {
    format!("ALTER VIEW {} SET (security_invoker = true)", view.to_sql())
}

/// `REVOKE ALL ON … FROM PUBLIC, role` for a materialized view: its rows are a copy that
/// Row-Level Security does not filter, so the app role must not read it.
pub fn revoke_materialized_view(role: &str, view: &QualifiedName) -> String {
    format!(
        "REVOKE ALL ON TABLE {} FROM PUBLIC, {}",
        view.to_sql(),
        quote_ident(role)
    )
}

/// A routine's signature: schema, name and identity arguments as printed by
/// `pg_get_function_identity_arguments` (argument types come from the catalogue).
fn routine(schema: &str, name: &str, identity_args: &str) -> String {
    format!(
        "{}.{}({identity_args})",
        quote_ident(schema),
        quote_ident(name)
    )
}

/// `ALTER ROUTINE … SECURITY INVOKER`.
pub fn routine_security_invoker(schema: &str, name: &str, identity_args: &str) -> String {
    format!(
        "ALTER ROUTINE {} SECURITY INVOKER",
        routine(schema, name, identity_args)
    )
}

/// `ALTER FUNCTION … NOT LEAKPROOF`: a leakproof function may run before the policies'
/// quals and see other tenants' rows.
pub fn function_not_leakproof(schema: &str, name: &str, identity_args: &str) -> String {
    format!(
        "ALTER FUNCTION {} NOT LEAKPROOF",
        routine(schema, name, identity_args)
    )
}
