//! The app role: attributes, ownership, memberships and privileges.

use std::collections::BTreeSet;

use sea_orm::ConnectionTrait;

use super::report::{Check, Finding, Severity};
use crate::catalog::postgres::{self as catalog, TenantTable};
use crate::error::Result;
use crate::policy::{self, script};

const RISKY_TABLE_PRIVILEGES: [&str; 3] = ["TRUNCATE", "REFERENCES", "TRIGGER"];

pub(crate) async fn check<C: ConnectionTrait>(
    db: &C,
    tables: &[TenantTable],
    role: &str,
    database: &str,
) -> Result<Vec<Finding>> {
    let object = format!("role {role}");
    let mut out = Vec::new();
    let Some(attributes) = catalog::role(db, role).await? else {
        out.push(Finding::new(
            Severity::Error,
            Check::AppRoleMissing,
            &object,
            "the app role does not exist",
            Some(script(&[policy::ensure_role(role)])),
        ));
        return Ok(out);
    };
    if attributes.superuser {
        out.push(Finding::new(
            Severity::Error,
            Check::AppRoleSuperuser,
            &object,
            "the app role is a superuser: superusers bypass every Row-Level Security policy",
            Some(script(&[policy::revoke_superuser(role)])),
        ));
    }
    if attributes.bypass_rls {
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
    for escalation in catalog::role_escalations(db, role, &owners).await? {
        let (granted, target) = (&escalation.granted, &escalation.target);
        out.push(Finding::new(
            Severity::Error,
            Check::AppRoleCanSetRole,
            &object,
            format!(
                "the app role is a member of {granted} and so can SET ROLE {target}, a table \
                 owner, superuser or BYPASSRLS role, escaping Row-Level Security"
            ),
            Some(script(&[policy::revoke_membership(granted, role)])),
        ));
    }

    // Risky table privileges on scoped tables.
    for privileges in catalog::table_privileges(db, role, tables, &RISKY_TABLE_PRIVILEGES).await? {
        let Some(t) = tables.iter().find(|t| t.oid == privileges.table_oid) else {
            continue;
        };
        let (held, public) = (&privileges.held, !privileges.public.is_empty());
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
                role, &t.name, held, public,
            )])),
        ));
    }

    // Temporary tables.
    if catalog::database_privilege(db, role, "TEMP").await? {
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
    for (seq, public) in catalog::sequences_with_privilege(db, role, "UPDATE").await? {
        out.push(Finding::new(
            Severity::Warning,
            Check::AppRoleSequenceUpdate,
            seq.to_string(),
            "the app role holds UPDATE on this sequence: setval() lets one tenant disturb every \
             tenant's ids; USAGE is enough for nextval()",
            Some(script(&[
                policy::revoke_sequence_update(role, &seq, public),
                policy::grant_sequence_usage(role, &seq),
            ])),
        ));
    }
    Ok(out)
}
