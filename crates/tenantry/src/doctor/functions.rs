//! SECURITY DEFINER and LEAKPROOF routines outside the system schemas.

use sea_orm::ConnectionTrait;

use super::catalog::{self, SYSTEM_SCHEMAS, get};
use super::report::{Check, Finding, Severity};
use crate::error::Result;
use crate::policy::{self, script};

pub(crate) async fn check<C: ConnectionTrait>(db: &C) -> Result<Vec<Finding>> {
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
    let mut out = Vec::new();
    for row in catalog::query(db, &sql).await? {
        let schema: String = get(&row, "nspname")?;
        let name: String = get(&row, "proname")?;
        let args: String = get(&row, "args")?;
        let object = format!("{schema}.{name}({args})");
        if get::<bool>(&row, "prosecdef")? {
            out.push(Finding::new(
                Severity::Error,
                Check::SecurityDefinerFunction,
                &object,
                "SECURITY DEFINER routine: it runs with its owner's rights, and an owner of \
                 scoped tables (or a superuser) is not bound by the app role's policies",
                Some(script(&[policy::routine_security_invoker(
                    &schema, &name, &args,
                )])),
            ));
        }
        if get::<bool>(&row, "proleakproof")? {
            out.push(Finding::new(
                Severity::Warning,
                Check::LeakproofFunction,
                &object,
                "LEAKPROOF function: PostgreSQL may call it on rows before the policies filter \
                 them; unless it is truly leakproof it can reveal other tenants' values",
                Some(script(&[policy::function_not_leakproof(
                    &schema, &name, &args,
                )])),
            ));
        }
    }
    Ok(out)
}
