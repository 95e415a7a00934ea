//! Every scoped table has an index led by its tenant column.

use std::collections::HashSet;

use sea_orm::ConnectionTrait;

use super::catalog::{self, Scoped, get};
use super::report::{Check, Finding, Severity};
use crate::error::Result;
use crate::policy::{self, script};

pub(crate) async fn check<C: ConnectionTrait>(db: &C, tables: &[Scoped]) -> Result<Vec<Finding>> {
    // Partitions inherit their parent's indexes; check parents and plain tables.
    let roots: Vec<&Scoped> = tables.iter().filter(|t| !t.is_partition).collect();
    if roots.is_empty() {
        return Ok(Vec::new());
    }
    let oids = roots
        .iter()
        .map(|t| t.oid.to_string())
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!(
        "SELECT i.indrelid::bigint AS rel, a.attname::text AS first \
         FROM pg_catalog.pg_index i \
         JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0] \
         WHERE i.indrelid IN ({oids}) AND i.indisvalid AND i.indpred IS NULL"
    );
    let mut led: HashSet<(i64, String)> = HashSet::new();
    for row in catalog::query(db, &sql).await? {
        led.insert((get(&row, "rel")?, get(&row, "first")?));
    }
    let mut out = Vec::new();
    for t in roots {
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
