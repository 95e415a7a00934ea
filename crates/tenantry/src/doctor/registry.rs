//! Drift between the registry (the entities marked `TenantScoped`) and the catalogue.

use sea_orm::ConnectionTrait;

use super::catalog::{self, Scoped, get};
use super::report::{Check, Finding, Severity};
use crate::error::Result;
use crate::sql::{QualifiedName, quote_literal};
use crate::{Registry, TenantIdType};

/// Whether a catalogue type (`format_type`) holds ids of this type.
fn compatible(id_type: TenantIdType, pg_type: &str) -> bool {
    match id_type {
        TenantIdType::String => matches!(pg_type, "text" | "character varying" | "character"),
        other => other.postgres_type() == pg_type,
    }
}

pub(crate) async fn check<C: ConnectionTrait>(
    db: &C,
    tables: &[Scoped],
    registry: &Registry,
) -> Result<Vec<Finding>> {
    let mut out = Vec::new();
    let mut registered = Vec::new();
    for entry in registry.tables() {
        let name = QualifiedName::from(entry);
        let sql = format!(
            "SELECT c.oid::bigint AS oid, \
               (SELECT pg_catalog.format_type(a.atttypid, NULL) FROM pg_catalog.pg_attribute a \
                WHERE a.attrelid = c.oid AND a.attname = {} AND a.attnum > 0 \
                  AND NOT a.attisdropped) AS ty \
             FROM pg_catalog.pg_class c WHERE c.oid = pg_catalog.to_regclass({})",
            quote_literal(entry.column()),
            quote_literal(&name.to_sql())
        );
        let rows = catalog::query(db, &sql).await?;
        let Some(row) = rows.first() else {
            out.push(Finding::new(
                Severity::Error,
                Check::RegistryTableMissing,
                name.to_string(),
                "registered as tenant-scoped but no such table exists: run the migrations, or \
                 fix the entity's table name",
                None,
            ));
            continue;
        };
        registered.push(get::<i64>(row, "oid")?);
        let ty: Option<String> = get(row, "ty")?;
        match (ty, entry.id_type()) {
            (None, _) => out.push(Finding::new(
                Severity::Error,
                Check::RegistryColumnMissing,
                name.to_string(),
                format!(
                    "registered with tenant column {} but the table has no such column",
                    entry.column()
                ),
                None,
            )),
            (Some(ty), Some(id_type)) if !compatible(id_type, &ty) => out.push(Finding::new(
                Severity::Error,
                Check::RegistryTypeMismatch,
                name.to_string(),
                format!(
                    "tenant column {} is {ty} in the database but the entity declares {id_type} \
                     ids",
                    entry.column()
                ),
                None,
            )),
            _ => {}
        }
    }
    if !registry.is_empty() {
        for t in tables
            .iter()
            .filter(|t| !t.is_partition && !registered.contains(&t.oid))
        {
            out.push(Finding::new(
                Severity::Warning,
                Check::TableNotRegistered,
                t.name.to_string(),
                format!(
                    "table has tenant column {} but no entity marks it TenantScoped: the app \
                     layer passes its statements through unscoped (only RLS protects it)",
                    t.column
                ),
                None,
            ));
        }
    }
    Ok(out)
}
