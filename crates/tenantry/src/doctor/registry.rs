//! Drift between the registry (the entities marked `TenantScoped`) and the catalogue:
//! [`Registry::verify`]'s answer, as findings.

use sea_orm::ConnectionTrait;

use super::report::{Check, Finding, Severity};
use crate::error::Result;
use crate::registry::{Missing, Registry};
use crate::sql::QualifiedName;

/// `extra`: tenant columns named beyond the registry's, which mark tables as scoped too.
pub(crate) async fn check<C: ConnectionTrait>(
    db: &C,
    registry: &Registry,
    extra: &[String],
) -> Result<Vec<Finding>> {
    let report = registry.verify_with(db, extra).await?;
    let mut out = Vec::new();
    for m in &report.missing {
        let name = QualifiedName::from(&m.table).to_string();
        out.push(match m.missing {
            Missing::Table => Finding::new(
                Severity::Error,
                Check::RegistryTableMissing,
                name,
                "registered as tenant-scoped but no such table exists: run the migrations, or \
                 fix the entity's table name",
                None,
            ),
            Missing::Column => Finding::new(
                Severity::Error,
                Check::RegistryColumnMissing,
                name,
                format!(
                    "registered with tenant column {} but the table has no such column",
                    m.table.column()
                ),
                None,
            ),
        });
    }
    for m in &report.mismatched {
        let declared = m
            .table
            .id_type()
            .map_or_else(|| "other".to_owned(), |t| t.to_string());
        out.push(Finding::new(
            Severity::Error,
            Check::RegistryTypeMismatch,
            QualifiedName::from(&m.table).to_string(),
            format!(
                "tenant column {} is {} in the database but the entity declares {declared} ids",
                m.table.column(),
                m.found
            ),
            None,
        ));
    }
    // An empty registry is no registry: every table would be "not registered".
    if !registry.is_empty() {
        for t in &report.unregistered {
            out.push(Finding::new(
                Severity::Warning,
                Check::TableNotRegistered,
                format!("{}.{}", t.schema, t.name),
                format!(
                    "table has tenant column {} but no entity marks it TenantScoped: the app \
                     layer passes its statements through unscoped (only RLS protects it)",
                    t.columns.join(", ")
                ),
                None,
            ));
        }
    }
    Ok(out)
}
