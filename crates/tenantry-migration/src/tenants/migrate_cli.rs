//! `tenants migrate up|down|status`: the runner on the command line, with a progress bar
//! (hidden when stderr is not a terminal), a summary, and JSON output.

use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::error::Result;
use crate::runner::{LedgerRow, Operation, RunOptions, Runner, TargetStatus};

pub(crate) enum Action {
    Up,
    Down(u32),
    Status,
}

pub(crate) struct Args {
    pub(crate) action: Action,
    pub(crate) jobs: usize,
    pub(crate) canary: usize,
    pub(crate) canary_tenants: Vec<String>,
    pub(crate) resume: bool,
    pub(crate) dry_run: bool,
    pub(crate) lock_timeout: Duration,
    pub(crate) json: bool,
}

fn row_line(r: &LedgerRow) -> String {
    let mut line = format!(
        "{:<8} {}  {} -> {} ({} applied{}{})",
        r.status.as_str(),
        r.target,
        r.version_before.as_deref().unwrap_or("-"),
        r.version_after.as_deref().unwrap_or("-"),
        r.applied,
        r.duration_ms
            .map_or_else(String::new, |d| format!(", {d} ms")),
        if r.transactional == Some(false) {
            ", outside a transaction"
        } else {
            ""
        },
    );
    if let Some(e) = &r.error {
        line.push_str(&format!("\n         {e}"));
    }
    line
}

/// Returns the output and whether the run succeeded.
pub(crate) async fn migrate(runner: &Runner, args: Args) -> Result<(String, bool)> {
    if matches!(args.action, Action::Status) || args.dry_run {
        let states = runner.status().await?;
        if args.json {
            return Ok((serde_json::to_string(&states).unwrap_or_default(), true));
        }
        let mut out = Vec::new();
        let (mut behind, mut drift) = (0, 0);
        for s in &states {
            behind += usize::from(!s.pending.is_empty());
            drift += usize::from(!s.unknown.is_empty());
            let mut line = format!(
                "{}  at {}  {} pending",
                s.target.name,
                s.applied.last().map_or("-", String::as_str),
                s.pending.len()
            );
            if args.dry_run {
                for p in &s.pending {
                    line.push_str(&format!("\n    would apply {p}"));
                }
            }
            if !s.unknown.is_empty() {
                line.push_str(&format!(
                    "\n    unknown to the migrator (ahead or drifted): {}",
                    s.unknown.join(", ")
                ));
            }
            if let Some(skip) = &s.target.skip {
                line.push_str(&format!("\n    skipped by runs: {skip}"));
            }
            out.push(line);
        }
        out.push(format!(
            "{} targets, {behind} behind, {drift} with migrations the migrator does not know",
            states.len()
        ));
        return Ok((out.join("\n"), drift == 0));
    }
    let options = RunOptions {
        operation: match args.action {
            Action::Down(n) => Operation::Down(n),
            _ => Operation::Up,
        },
        jobs: args.jobs,
        canary: args.canary,
        canary_tenants: args.canary_tenants,
        resume: args.resume,
        lock_timeout: args.lock_timeout,
    };
    let plan = runner.plan(&options).await?;
    let total = plan.len() as u64;
    let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template("{bar:30} {pos}/{len} targets  {msg}  ETA {eta}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let failed = std::sync::atomic::AtomicUsize::new(0);
    let report = runner
        .execute(&plan, &options, &|row| {
            if row.status == TargetStatus::Failed {
                failed.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            }
            bar.set_message(format!(
                "{} failed",
                failed.load(std::sync::atomic::Ordering::Relaxed)
            ));
            bar.inc(1);
        })
        .await?;
    bar.finish_and_clear();
    let ok = report.succeeded();
    if args.json {
        return Ok((serde_json::to_string(&report).unwrap_or_default(), ok));
    }
    // The targets this call ran, unless done with nothing to apply.
    let mut out: Vec<String> = report
        .targets
        .iter()
        .filter(|r| report.ran.contains(&r.target))
        .filter(|r| r.status != TargetStatus::Done || r.applied > 0)
        .map(row_line)
        .collect();
    out.push(format!(
        "run {}{}: {} targets, {} done, {} failed, {} skipped, in {:.1} s{}",
        report.run,
        if report.resumed {
            format!(" (resumed: {} ran now)", report.ran.len())
        } else {
            String::new()
        },
        report.targets.len(),
        report.count(TargetStatus::Done),
        report.count(TargetStatus::Failed),
        report.count(TargetStatus::Skipped),
        report.duration_ms as f64 / 1000.0,
        if ok {
            ""
        } else {
            "; fix the failed targets, then `tenants migrate --resume`"
        }
    ));
    Ok((out.join("\n"), ok))
}
