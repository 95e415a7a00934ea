//! `tenants move ID --to …`, `tenants export`, `tenants import` and `tenants erase`: the
//! operation with a progress bar on stderr (hidden when it is not a terminal) and a report.

use std::path::Path;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use tenantry::TenantId;
use tenantry::placement::Placement;

use super::Provisioner;
use crate::error::Result;
use crate::moves::erase::EraseReport;
use crate::moves::export::{ExportManifest, ImportReport};
use crate::moves::{MoveOptions, MoveReport};

fn spinner() -> ProgressBar {
    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template("{spinner} {prefix:10} {msg}  {pos} rows  {elapsed}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    bar.enable_steady_tick(std::time::Duration::from_millis(120));
    bar
}

pub(crate) async fn run(
    provisioner: &Provisioner,
    tenant: TenantId,
    to: Placement,
    options: &MoveOptions,
) -> Result<MoveReport> {
    let bar = spinner();
    let report = provisioner
        .move_tenant(tenant, to, options, &|p| {
            bar.set_prefix(p.phase.as_str().to_owned());
            bar.set_message(p.message.clone());
            bar.set_position(p.rows);
        })
        .await;
    bar.finish_and_clear();
    report
}

/// A spinner prefixed `prefix`, and the progress callback that shows each table and counts
/// its rows on it.
fn counted(prefix: &str) -> (ProgressBar, impl Fn(&str, u64) + Sync + use<>) {
    let bar = spinner();
    bar.set_prefix(prefix.to_owned());
    let shown = bar.clone();
    (bar, move |table: &str, rows: u64| {
        shown.set_message(table.to_owned());
        shown.inc(rows);
    })
}

pub(crate) async fn export(
    provisioner: &Provisioner,
    tenant: TenantId,
    out: &Path,
) -> Result<ExportManifest> {
    let (bar, progress) = counted("export");
    let manifest = provisioner.export_tenant(tenant, out, &progress).await;
    bar.finish_and_clear();
    manifest
}

pub(crate) async fn import(
    provisioner: &Provisioner,
    tenant: TenantId,
    from: &Path,
    placement: Option<Placement>,
) -> Result<ImportReport> {
    let (bar, progress) = counted("import");
    let report = provisioner
        .import_tenant(tenant, from, placement, &progress)
        .await;
    bar.finish_and_clear();
    report
}

pub(crate) fn export_text(manifest: &ExportManifest, out: &Path) -> String {
    let mut lines = vec![format!(
        "exported {} from {} at {} into {}",
        manifest.tenant,
        manifest.placement,
        manifest.exported_at,
        out.display()
    )];
    for t in manifest.tables.iter().chain(&manifest.reference) {
        lines.push(format!(
            "  {:<28} {:>10} rows  checksum {}",
            t.file, t.rows, t.checksum
        ));
    }
    lines.join("\n")
}

pub(crate) fn import_text(report: &ImportReport) -> String {
    let mut lines = vec![format!(
        "imported {} into {}{} in {:.1} s",
        report.tenant,
        report.placement,
        if report.created { " (created)" } else { "" },
        report.duration_ms as f64 / 1000.0
    )];
    for t in &report.tables {
        lines.push(format!(
            "  {:<20} {:>10} rows  checksum {}",
            t.table, t.rows, t.checksum
        ));
    }
    lines.push(format!(
        "  {} reference rows added, {} present with other contents; {} sequences set",
        report.reference_added, report.reference_differing, report.sequences
    ));
    lines.join("\n")
}

pub(crate) fn erase_text(report: &EraseReport) -> String {
    let mut lines = vec![format!(
        "erased {} ({} rows) in {:.1} s: {}",
        report.tenant,
        report.rows,
        report.duration_ms as f64 / 1000.0,
        report.reason
    )];
    for p in &report.placements {
        let rows: Vec<String> = p
            .tables
            .iter()
            .filter(|t| t.rows > 0)
            .map(|t| format!("{} {}", t.table, t.rows))
            .collect();
        lines.push(format!(
            "  {}{}: {}",
            p.placement,
            if p.dropped { " (dropped)" } else { "" },
            if rows.is_empty() {
                "no rows".to_owned()
            } else {
                rows.join(", ")
            }
        ));
    }
    lines.join("\n")
}

pub(crate) fn text(report: &MoveReport) -> String {
    let mut out = vec![format!(
        "moved {} from {} to {} in {:.1} s (writes fenced {} ms)",
        report.tenant,
        report.source,
        report.target,
        report.duration_ms as f64 / 1000.0,
        report.fence_ms
    )];
    for t in &report.tables {
        out.push(format!(
            "  {:<20} {:>10} rows  checksum {}",
            t.table, t.rows, t.checksum
        ));
    }
    out.push(format!(
        "  {} rows copied in {:.1} s, {} changes caught up, {} sequences set; the source \
         stays until `tenants move {} --cleanup`",
        report.copied,
        report.copy_ms as f64 / 1000.0,
        report.caught_up,
        report.sequences,
        report.tenant
    ));
    out.join("\n")
}
