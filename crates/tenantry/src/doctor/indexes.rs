//! Every scoped table has an index led by its tenant column.

use std::collections::HashSet;

use sea_orm::ConnectionTrait;

use super::report::{Check, Finding, Severity};
use crate::catalog::postgres::{self as catalog, TenantTable};
use crate::error::Result;
use crate::policy::{self, script};

pub(crate) async fn check<C: ConnectionTrait>(
    db: &C,
    tables: &[TenantTable],
) -> Result<Vec<Finding>> {
    // Partitions inherit their parent's indexes; check parents and plain tables.
    let roots: Vec<TenantTable> = tables.iter().filter(|t| !t.is_partition).cloned().collect();
    if roots.is_empty() {
        return Ok(Vec::new());
    }
    let led: HashSet<(i64, String)> = catalog::index_leaders(db, &roots)
        .await?
        .into_iter()
        .collect();
    let mut out = Vec::new();
    for t in &roots {
        if led.contains(&(t.oid, t.column.clone())) {
            continue;
        }
        out.push(Finding::new(
            Severity::Warning,
            Check::TenantIndexMissing,
            t.name.to_string(),
            format!(
                "no index starts with {}: every query (and every policy check) filters on it, \
                 so each one scans the whole table",
                t.column
            ),
            Some(script(&[policy::to_postgres(&policy::tenant_index(
                &t.name,
                &t.column,
                &[],
            ))])),
        ));
    }
    Ok(out)
}
