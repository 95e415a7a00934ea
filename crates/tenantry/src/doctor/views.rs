//! Views and materialized views reading scoped tables (directly or through other views).

use sea_orm::ConnectionTrait;

use super::report::{Check, Finding, Severity};
use crate::catalog::postgres::{self as catalog, TenantTable};
use crate::error::Result;
use crate::policy::{self, script};

pub(crate) async fn check<C: ConnectionTrait>(
    db: &C,
    tables: &[TenantTable],
    app_role: Option<&str>,
) -> Result<Vec<Finding>> {
    let mut out = Vec::new();
    for view in catalog::dependent_views(db, tables, app_role).await? {
        let name = &view.name;
        if !view.materialized && !view.security_invoker {
            out.push(Finding::new(
                Severity::Error,
                Check::ViewNotSecurityInvoker,
                name.to_string(),
                "view over a scoped table without security_invoker: it reads the table with its \
                 owner's rights, so the caller's Row-Level Security may not apply",
                Some(script(&[policy::view_security_invoker(name)])),
            ));
        }
        if view.materialized
            && let Some(role) = app_role
            && view.readable
        {
            out.push(Finding::new(
                Severity::Error,
                Check::MaterializedViewReadable,
                name.to_string(),
                format!(
                    "materialized view over a scoped table is readable by {role}: its rows are a \
                     copy that Row-Level Security does not filter"
                ),
                Some(script(&[policy::revoke_materialized_view(role, name)])),
            ));
        }
    }
    Ok(out)
}
