//! `tenantry doctor`.

use std::process::ExitCode;

/// Arguments of `tenantry doctor`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {}

/// Runs `tenantry doctor`.
pub(crate) fn run(args: Args) -> ExitCode {
    let _ = args;
    eprintln!("tenantry doctor: not available in this build");
    ExitCode::from(2)
}
