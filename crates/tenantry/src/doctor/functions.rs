//! SECURITY DEFINER and LEAKPROOF routines outside the system schemas.

use sea_orm::ConnectionTrait;

use super::report::{Check, Finding, Severity};
use crate::catalog::postgres as catalog;
use crate::error::Result;
use crate::policy::{self, script};

pub(crate) async fn check<C: ConnectionTrait>(db: &C) -> Result<Vec<Finding>> {
    let mut out = Vec::new();
    for routine in catalog::routines(db).await? {
        let (schema, name, args) = (&routine.schema, &routine.name, &routine.arguments);
        let object = format!("{schema}.{name}({args})");
        if routine.security_definer {
            out.push(Finding::new(
                Severity::Error,
                Check::SecurityDefinerFunction,
                &object,
                "SECURITY DEFINER routine: it runs with its owner's rights, and an owner of \
                 scoped tables (or a superuser) is not bound by the app role's policies",
                Some(script(&[policy::routine_security_invoker(
                    schema, name, args,
                )])),
            ));
        }
        if routine.leakproof {
            out.push(Finding::new(
                Severity::Warning,
                Check::LeakproofFunction,
                &object,
                "LEAKPROOF function: PostgreSQL may call it on rows before the policies filter \
                 them; unless it is truly leakproof it can reveal other tenants' values",
                Some(script(&[policy::function_not_leakproof(
                    schema, name, args,
                )])),
            ));
        }
    }
    Ok(out)
}
