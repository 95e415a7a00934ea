//! The `tenantry` command line: inspect what tenantry does to SQL, audit a live database.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod audit;
mod doctor;
mod live;
mod rewrite;

/// tenantry: tenant isolation for SeaORM.
#[derive(Debug, Parser)]
#[command(name = "tenantry", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Show what a statement becomes when run for one tenant.
    Rewrite(rewrite::Args),
    /// Audit a live database's tenant isolation (RLS, roles, keys, indexes).
    Doctor(doctor::Args),
    /// Report the statements that reached the database without a tenant predicate
    /// (from pg_stat_statements).
    Audit(audit::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Rewrite(args) => rewrite::run(args),
        Command::Doctor(args) => doctor::run(args),
        Command::Audit(args) => audit::run(args),
    }
}
