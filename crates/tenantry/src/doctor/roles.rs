//! The app role: attributes, ownership, memberships and privileges.

use std::collections::BTreeSet;

use sea_orm::ConnectionTrait;

use super::catalog::{self, SYSTEM_SCHEMAS, Scoped, get};
use super::report::{Check, Finding, Severity};
use crate::error::Result;
use crate::policy::{self, QualifiedName, quote_literal, script};

const RISKY_TABLE_PRIVILEGES: [&str; 3] = ["TRUNCATE", "REFERENCES", "TRIGGER"];

pub(crate) async fn check<C: ConnectionTrait>(
    db: &C,
    tables: &[Scoped],
    role: &str,
    database: &str,
) -> Result<Vec<Finding>> {
    let lit = quote_literal(role);
    let object = format!("role {role}");
    let mut out = Vec::new();
    let rows = catalog::query(
        db,
        &format!("SELECT rolsuper, rolbypassrls FROM pg_catalog.pg_roles WHERE rolname = {lit}"),
    )
    .await?;
    let Some(row) = rows.first() else {
        out.push(Finding::new(
            Severity::Error,
            Check::AppRoleMissing,
            &object,
            "the app role does not exist",
            Some(script(&[policy::ensure_role(role)])),
        ));
        return Ok(out);
    };
    if get::<bool>(row, "rolsuper")? {
        out.push(Finding::new(
            Severity::Error,
            Check::AppRoleSuperuser,
            &object,
            "the app role is a superuser: superusers bypass every Row-Level Security policy",
            Some(script(&[policy::revoke_superuser(role)])),
        ));
    }
    if get::<bool>(row, "rolbypassrls")? {
        out.push(Finding::new(
            Severity::Error,
            Check::AppRoleBypassRls,
            &object,
            "the app role has BYPASSRLS: no policy applies to it",
            Some(script(&[policy::revoke_bypassrls(role)])),
        ));
    }

    // Ownership.
    for t in tables.iter().filter(|t| t.owner == role) {
        out.push(Finding::new(
            Severity::Error,
            Check::AppRoleOwnsTable,
            t.name.to_string(),
            format!(
                "the app role {role} owns this table: an owner can disable Row-Level Security \
                 or drop the policies; give the table to the migration role"
            ),
            Some(script(&[
                policy::change_table_owner(&t.name, None),
                policy::grant_table_access(role, &t.name),
            ])),
        ));
    }

    // Roles it can become: owners of scoped tables, superusers, BYPASSRLS roles.
    let owners: BTreeSet<&str> = tables.iter().map(|t| t.owner.as_str()).collect();
    let owner_list = if owners.is_empty() {
        "NULL".to_owned()
    } else {
        catalog::literal_list(owners.iter().copied())
    };
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
    for row in catalog::query(db, &sql).await? {
        let granted: String = get(&row, "granted")?;
        let target: String = get(&row, "target")?;
        out.push(Finding::new(
            Severity::Error,
            Check::AppRoleCanSetRole,
            &object,
            format!(
                "the app role is a member of {granted} and so can SET ROLE {target}, a table \
                 owner, superuser or BYPASSRLS role, escaping Row-Level Security"
            ),
            Some(script(&[policy::revoke_membership(&granted, role)])),
        ));
    }

    // Risky table privileges on scoped tables.
    if !tables.is_empty() {
        let checks: Vec<String> = RISKY_TABLE_PRIVILEGES
            .iter()
            .map(|p| {
                format!(
                    "pg_catalog.has_table_privilege({lit}, c.oid, '{p}') AS {}, \
                     EXISTS (SELECT FROM pg_catalog.aclexplode(c.relacl) x \
                       WHERE x.grantee = 0 AND x.privilege_type = '{p}') AS public_{}",
                    p.to_lowercase(),
                    p.to_lowercase()
                )
            })
            .collect();
        let sql = format!(
            "SELECT c.oid::bigint AS oid, {} FROM pg_catalog.pg_class c WHERE c.oid IN ({})",
            checks.join(", "),
            catalog::oid_list(tables)
        );
        for row in catalog::query(db, &sql).await? {
            let oid: i64 = get(&row, "oid")?;
            let Some(t) = tables.iter().find(|t| t.oid == oid) else {
                continue;
            };
            let mut held = Vec::new();
            let mut public = false;
            for p in RISKY_TABLE_PRIVILEGES {
                if get::<bool>(&row, &p.to_lowercase())? {
                    held.push(p);
                }
                public |= get::<bool>(&row, &format!("public_{}", p.to_lowercase()))?;
            }
            if held.is_empty() {
                continue;
            }
            out.push(Finding::new(
                Severity::Error,
                Check::AppRoleTablePrivilege,
                t.name.to_string(),
                format!(
                    "the app role holds {} on this table (TRUNCATE ignores Row-Level Security; \
                     TRIGGER and REFERENCES observe or block other tenants' writes)",
                    held.join(", ")
                ),
                Some(script(&[policy::revoke_table_privileges(
                    role, &t.name, &held, public,
                )])),
            ));
        }
    }

    // Temporary tables.
    let sql = format!(
        "SELECT pg_catalog.has_database_privilege({lit}, current_database(), 'TEMP') AS temp"
    );
    if let Some(row) = catalog::query(db, &sql).await?.first()
        && get::<bool>(row, "temp")?
    {
        out.push(Finding::new(
            Severity::Error,
            Check::AppRoleTemp,
            &object,
            format!(
                "the app role may create temporary tables in {database}: a temporary table \
                 named like a scoped table shadows it for unqualified queries"
            ),
            Some(script(&[policy::revoke_temp(role, database)])),
        ));
    }

    // Sequences.
    let sql = format!(
        "SELECT n.nspname, s.relname, \
           EXISTS (SELECT FROM pg_catalog.aclexplode(s.relacl) x \
             WHERE x.grantee = 0 AND x.privilege_type = 'UPDATE') AS public \
         FROM pg_catalog.pg_class s JOIN pg_catalog.pg_namespace n ON n.oid = s.relnamespace \
         WHERE s.relkind = 'S' AND {SYSTEM_SCHEMAS} \
           AND CASE WHEN s.relkind = 'S' \
             THEN pg_catalog.has_sequence_privilege({lit}, s.oid, 'UPDATE') ELSE false END \
         ORDER BY 1, 2"
    );
    for row in catalog::query(db, &sql).await? {
        let seq = QualifiedName::qualified(
            get::<String>(&row, "nspname")?,
            get::<String>(&row, "relname")?,
        );
        out.push(Finding::new(
            Severity::Warning,
            Check::AppRoleSequenceUpdate,
            seq.to_string(),
            "the app role holds UPDATE on this sequence: setval() lets one tenant disturb every \
             tenant's ids; USAGE is enough for nextval()",
            Some(script(&[
                policy::revoke_sequence_update(role, &seq, get(&row, "public")?),
                policy::grant_sequence_usage(role, &seq),
            ])),
        ));
    }
    Ok(out)
}
