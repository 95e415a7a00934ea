//! Views and materialized views reading scoped tables (directly or through other views).

use sea_orm::ConnectionTrait;

use super::catalog::{self, Scoped, get};
use super::report::{Check, Finding, Severity};
use crate::error::Result;
use crate::policy::{self, QualifiedName, quote_literal, script};

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

pub(crate) async fn check<C: ConnectionTrait>(
    db: &C,
    tables: &[Scoped],
    app_role: Option<&str>,
) -> Result<Vec<Finding>> {
    if tables.is_empty() {
        return Ok(Vec::new());
    }
    let readable = match app_role {
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
        catalog::oid_list(tables)
    );
    let mut out = Vec::new();
    for row in catalog::query(db, &sql).await? {
        let name = QualifiedName::qualified(
            get::<String>(&row, "nspname")?,
            get::<String>(&row, "relname")?,
        );
        let kind: String = get(&row, "kind")?;
        let options: String = get(&row, "options")?;
        if kind == "v" && !security_invoker(&options) {
            out.push(Finding::new(
                Severity::Error,
                Check::ViewNotSecurityInvoker,
                name.to_string(),
                "view over a scoped table without security_invoker: it reads the table with its \
                 owner's rights, so the caller's Row-Level Security may not apply",
                Some(script(&[policy::view_security_invoker(&name)])),
            ));
        }
        if kind == "m"
            && let Some(role) = app_role
            && get::<bool>(&row, "readable")?
        {
            out.push(Finding::new(
                Severity::Error,
                Check::MaterializedViewReadable,
                name.to_string(),
                format!(
                    "materialized view over a scoped table is readable by {role}: its rows are a \
                     copy that Row-Level Security does not filter"
                ),
                Some(script(&[policy::revoke_materialized_view(role, &name)])),
            ));
        }
    }
    Ok(out)
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
