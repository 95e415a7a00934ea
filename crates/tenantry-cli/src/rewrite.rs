//! `tenantry rewrite`.

use std::process::ExitCode;

/// Arguments of `tenantry rewrite`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {}

/// Runs `tenantry rewrite`.
pub(crate) fn run(args: Args) -> ExitCode {
    let _ = args;
    eprintln!("tenantry rewrite: not available in this build");
    ExitCode::from(2)
}
