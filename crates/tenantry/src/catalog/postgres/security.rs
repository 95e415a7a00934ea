//! Policies, roles, privileges, and the views and routines that can read around them.

use std::collections::BTreeSet;

use sea_orm::ConnectionTrait;

use super::rows::{SYSTEM_SCHEMAS, get, literal_list, name_of, query};
use super::tables::{TenantTable, oid_list};
use crate::error::Result;
use crate::sql::{QualifiedName, quote_literal};

/// A Row-Level Security policy on one of the tables asked about.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Policy {
    /// The table's `oid`.
    pub table_oid: i64,
    /// The policy's name.
    pub name: String,
    /// Permissive (OR-ed) rather than restrictive (AND-ed).
    pub permissive: bool,
    /// `FOR ALL`.
    pub all_commands: bool,
    /// `TO PUBLIC`.
    pub to_public: bool,
    /// The `USING` expression, as PostgreSQL deparses it.
    pub using: Option<String>,
    /// The `WITH CHECK` expression, as PostgreSQL deparses it.
    pub with_check: Option<String>,
}

/// Every policy on `tables`, sorted by name.
pub async fn policies(db: &impl ConnectionTrait, tables: &[TenantTable]) -> Result<Vec<Policy>> {
    let sql = format!(
        "SELECT p.polrelid::bigint AS rel, p.polname::text AS name, p.polpermissive, \
           p.polcmd = '*' AS all_commands, 0::oid = ANY(p.polroles) AS to_public, \
           pg_catalog.pg_get_expr(p.polqual, p.polrelid) AS qual, \
           pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid) AS with_check \
         FROM pg_catalog.pg_policy p WHERE p.polrelid IN ({}) ORDER BY p.polname",
        oid_list(tables)
    );
    let mut out = Vec::new();
    for row in query(db, &sql).await? {
        out.push(Policy {
            table_oid: get(&row, "rel")?,
            name: get(&row, "name")?,
            permissive: get(&row, "polpermissive")?,
            all_commands: get(&row, "all_commands")?,
            to_public: get(&row, "to_public")?,
            using: get(&row, "qual")?,
            with_check: get(&row, "with_check")?,
        });
    }
    Ok(out)
}

/// The attributes of a role that decide whether Row-Level Security binds it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct RoleAttributes {
    /// `SUPERUSER`.
    pub superuser: bool,
    /// `BYPASSRLS`.
    pub bypass_rls: bool,
}

/// The role's attributes; `None` when there is no such role.
pub async fn role(db: &impl ConnectionTrait, role: &str) -> Result<Option<RoleAttributes>> {
    let sql = format!(
        "SELECT rolsuper, rolbypassrls FROM pg_catalog.pg_roles WHERE rolname = {}",
        quote_literal(role)
    );
    match query(db, &sql).await?.first() {
        Some(row) => Ok(Some(RoleAttributes {
            superuser: get(row, "rolsuper")?,
            bypass_rls: get(row, "rolbypassrls")?,
        })),
        None => Ok(None),
    }
}

/// A role that `role` can become through a membership.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct RoleEscalation {
    /// The role granted to `role` directly.
    pub granted: String,
    /// The role it can `SET ROLE` to through that grant.
    pub target: String,
}

/// The superusers, `BYPASSRLS` roles and roles named in `owners` that `role` can become
/// (`SET ROLE`) through its memberships, sorted.
pub async fn role_escalations(
    db: &impl ConnectionTrait,
    role: &str,
    owners: &BTreeSet<&str>,
) -> Result<Vec<RoleEscalation>> {
    let lit = quote_literal(role);
    let owner_list = literal_list(owners.iter().copied());
    let sql = format!(
        "SELECT DISTINCT g.rolname::text AS granted, t.rolname::text AS target \
         FROM pg_catalog.pg_auth_members m \
         JOIN pg_catalog.pg_roles g ON g.oid = m.roleid \
         CROSS JOIN pg_catalog.pg_roles t \
         WHERE m.member = (SELECT oid FROM pg_catalog.pg_roles WHERE rolname = {lit}) \
           AND t.rolname <> {lit} \
           AND pg_catalog.pg_has_role(g.oid, t.oid, 'MEMBER') \
           AND (t.rolsuper OR t.rolbypassrls OR t.rolname IN ({owner_list})) \
         ORDER BY 1, 2"
    );
    query(db, &sql)
        .await?
        .iter()
        .map(|row| {
            Ok(RoleEscalation {
                granted: get(row, "granted")?,
                target: get(row, "target")?,
            })
        })
        .collect()
}

/// Which of the privileges asked about a role holds on a table, and which `PUBLIC` holds.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct TablePrivileges {
    /// The table's `oid`.
    pub table_oid: i64,
    /// Held by the role (directly, through `PUBLIC` or a membership), in the order asked.
    pub held: Vec<&'static str>,
    /// Granted to `PUBLIC` itself.
    pub public: Vec<&'static str>,
}

/// For each of `tables`, which of `privileges` (`"TRUNCATE"`, `"SELECT"`…) `role` holds.
pub async fn table_privileges(
    db: &impl ConnectionTrait,
    role: &str,
    tables: &[TenantTable],
    privileges: &[&'static str],
) -> Result<Vec<TablePrivileges>> {
    if tables.is_empty() || privileges.is_empty() {
        return Ok(Vec::new());
    }
    let lit = quote_literal(role);
    let checks: Vec<String> = privileges
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let p = quote_literal(p);
            format!(
                "pg_catalog.has_table_privilege({lit}, c.oid, {p}) AS held_{i}, \
                 EXISTS (SELECT FROM pg_catalog.aclexplode(c.relacl) x \
                   WHERE x.grantee = 0 AND x.privilege_type = {p}) AS public_{i}"
            )
        })
        .collect();
    let sql = format!(
        "SELECT c.oid::bigint AS oid, {} FROM pg_catalog.pg_class c WHERE c.oid IN ({})",
        checks.join(", "),
        oid_list(tables)
    );
    let mut out = Vec::new();
    for row in query(db, &sql).await? {
        let mut held = Vec::new();
        let mut public = Vec::new();
        for (i, p) in privileges.iter().enumerate() {
            if get::<bool>(&row, &format!("held_{i}"))? {
                held.push(*p);
            }
            if get::<bool>(&row, &format!("public_{i}"))? {
                public.push(*p);
            }
        }
        out.push(TablePrivileges {
            table_oid: get(&row, "oid")?,
            held,
            public,
        });
    }
    Ok(out)
}

/// Whether `role` holds `privilege` (`"TEMP"`, `"CREATE"`, `"CONNECT"`) on the current
/// database.
pub async fn database_privilege(
    db: &impl ConnectionTrait,
    role: &str,
    privilege: &str,
) -> Result<bool> {
    let sql = format!(
        "SELECT pg_catalog.has_database_privilege({}, current_database(), {}) AS held",
        quote_literal(role),
        quote_literal(privilege)
    );
    match query(db, &sql).await?.first() {
        Some(row) => get(row, "held"),
        None => Ok(false),
    }
}

/// The sequences outside the system schemas on which `role` holds `privilege`, with whether
/// `PUBLIC` itself holds it, sorted by name.
pub async fn sequences_with_privilege(
    db: &impl ConnectionTrait,
    role: &str,
    privilege: &str,
) -> Result<Vec<(QualifiedName, bool)>> {
    let (lit, p) = (quote_literal(role), quote_literal(privilege));
    let sql = format!(
        "SELECT n.nspname, s.relname, \
           EXISTS (SELECT FROM pg_catalog.aclexplode(s.relacl) x \
             WHERE x.grantee = 0 AND x.privilege_type = {p}) AS public \
         FROM pg_catalog.pg_class s JOIN pg_catalog.pg_namespace n ON n.oid = s.relnamespace \
         WHERE s.relkind = 'S' AND {SYSTEM_SCHEMAS} \
           AND CASE WHEN s.relkind = 'S' \
             THEN pg_catalog.has_sequence_privilege({lit}, s.oid, {p}) ELSE false END \
         ORDER BY 1, 2"
    );
    query(db, &sql)
        .await?
        .iter()
        .map(|row| Ok((name_of(row)?, get(row, "public")?)))
        .collect()
}

/// A view or materialized view that reads one of the tables asked about, directly or
/// through other views.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct DependentView {
    /// Its name.
    pub name: QualifiedName,
    /// A materialized view (a stored copy) rather than a view.
    pub materialized: bool,
    /// Whether it has `security_invoker` set (views only).
    pub security_invoker: bool,
    /// Whether the role asked about may `SELECT` from it (`false` when none was asked about).
    pub readable: bool,
}

/// Whether `reloptions` (as `k=v,k=v`) set `security_invoker`.
fn security_invoker(options: &str) -> bool {
    options.split(',').any(|o| {
        o.split_once('=').is_some_and(|(k, v)| {
            k.trim() == "security_invoker"
                && matches!(
                    v.trim().to_ascii_lowercase().as_str(),
                    "true" | "on" | "1" | "yes"
                )
        })
    })
}

/// Every view and materialized view reading `tables`, directly or through other views,
/// sorted by name; `readable` says whether `role` may select from it.
pub async fn dependent_views(
    db: &impl ConnectionTrait,
    tables: &[TenantTable],
    role: Option<&str>,
) -> Result<Vec<DependentView>> {
    if tables.is_empty() {
        return Ok(Vec::new());
    }
    let readable = match role {
        Some(role) => format!(
            "pg_catalog.has_table_privilege({}, c.oid, 'SELECT')",
            quote_literal(role)
        ),
        None => "false".to_owned(),
    };
    let sql = format!(
        "WITH RECURSIVE edges AS ( \
           SELECT DISTINCT r.ev_class AS view_oid, d.refobjid AS ref_oid \
           FROM pg_catalog.pg_rewrite r \
           JOIN pg_catalog.pg_depend d ON d.classid = 'pg_catalog.pg_rewrite'::regclass \
             AND d.objid = r.oid AND d.refclassid = 'pg_catalog.pg_class'::regclass \
           WHERE d.refobjid <> r.ev_class), \
         reach(oid) AS ( \
           SELECT view_oid FROM edges WHERE ref_oid IN ({}) \
           UNION SELECT e.view_oid FROM edges e JOIN reach ON e.ref_oid = reach.oid) \
         SELECT n.nspname, c.relname, c.relkind::text AS kind, \
           COALESCE(array_to_string(c.reloptions, ','), '') AS options, \
           {readable} AS readable \
         FROM reach JOIN pg_catalog.pg_class c ON c.oid = reach.oid \
         JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
         WHERE c.relkind IN ('v', 'm') ORDER BY 1, 2",
        oid_list(tables)
    );
    query(db, &sql)
        .await?
        .iter()
        .map(|row| {
            Ok(DependentView {
                name: name_of(row)?,
                materialized: get::<String>(row, "kind")? == "m",
                security_invoker: security_invoker(&get::<String>(row, "options")?),
                readable: get(row, "readable")?,
            })
        })
        .collect()
}

/// A function or procedure that runs with more than its caller's rights, or that the planner
/// may call before policies filter rows.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Routine {
    /// Its schema.
    pub schema: String,
    /// Its name.
    pub name: String,
    /// Its identity arguments (`integer, text`).
    pub arguments: String,
    /// `SECURITY DEFINER`.
    pub security_definer: bool,
    /// `LEAKPROOF`.
    pub leakproof: bool,
}

/// Every `SECURITY DEFINER` or `LEAKPROOF` routine outside the system schemas (extension
/// members excepted), sorted by schema, name and arguments.
pub async fn routines(db: &impl ConnectionTrait) -> Result<Vec<Routine>> {
    let sql = format!(
        "SELECT n.nspname, p.proname::text AS proname, \
           pg_catalog.pg_get_function_identity_arguments(p.oid) AS args, \
           p.prosecdef, p.proleakproof \
         FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace \
         WHERE (p.prosecdef OR p.proleakproof) AND {SYSTEM_SCHEMAS} \
           AND NOT EXISTS (SELECT FROM pg_catalog.pg_depend d \
             WHERE d.classid = 'pg_catalog.pg_proc'::regclass AND d.objid = p.oid \
               AND d.deptype = 'e') \
         ORDER BY 1, 2, 3"
    );
    query(db, &sql)
        .await?
        .iter()
        .map(|row| {
            Ok(Routine {
                schema: get(row, "nspname")?,
                name: get(row, "proname")?,
                arguments: get(row, "args")?,
                security_definer: get(row, "prosecdef")?,
                leakproof: get(row, "proleakproof")?,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::security_invoker;

    #[test]
    fn reads_reloptions() {
        assert!(security_invoker("security_invoker=true"));
        assert!(security_invoker("check_option=local,security_invoker=on"));
        assert!(!security_invoker("security_invoker=false"));
        assert!(!security_invoker(""));
    }
}
