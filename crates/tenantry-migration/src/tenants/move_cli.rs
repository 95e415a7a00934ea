//! `tenants move ID --to …`: a move with a progress bar on stderr (hidden when it is not a
//! terminal) and a report.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use tenantry::TenantId;
use tenantry::placement::Placement;

use super::Provisioner;
use crate::error::Result;
use crate::moves::{MoveOptions, MoveReport};

pub(crate) async fn run(
    provisioner: &Provisioner,
    tenant: TenantId,
    to: Placement,
    options: &MoveOptions,
) -> Result<MoveReport> {
    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template("{spinner} {prefix:10} {msg}  {pos} rows  {elapsed}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    bar.enable_steady_tick(std::time::Duration::from_millis(120));
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
        "  {} rows copied, {} changes caught up, {} sequences set; the source stays until \
         `tenants move {} --cleanup`",
        report.copied, report.caught_up, report.sequences, report.tenant
    ));
    out.join("\n")
}
