//! `tenantry doctor`: audits a live database's tenant isolation.
//!
//! ```text
//! tenantry doctor --database-url postgres://owner@db/shop --app-role tenantry_app
//! tenantry doctor --format json            # DATABASE_URL from the environment
//! tenantry doctor --app-role tenantry_app --format sql > fixes.sql   # the fixes only
//! ```
//!
//! Exit status: 0 when clean (notices allowed), 1 when there are findings, 2 when the doctor
//! could not run (bad URL, unreachable server, unreadable catalogue). The report goes to
//! stdout; errors to stderr.

use std::process::ExitCode;

use tenantry::doctor::{self, DoctorOptions};

/// Output format.
#[derive(Clone, Copy, Debug, Default, clap::ValueEnum)]
pub(crate) enum Format {
    /// Human-readable report with the fix for each finding.
    #[default]
    Text,
    /// Stable JSON (`format_version` 1).
    Json,
    /// Only the fixes, as one SQL script (review it, then run it as the owner).
    Sql,
}

/// Arguments of `tenantry doctor`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Database to inspect (PostgreSQL for the full audit; MySQL/SQLite get a notice).
    #[arg(long, env = "DATABASE_URL", hide_env_values = true)]
    database_url: String,
    /// The role the application connects as (enables the role checks).
    #[arg(long)]
    app_role: Option<String>,
    /// Column names that mark a table as tenant-scoped (default: tenant_id).
    #[arg(long = "tenant-column", value_name = "NAME")]
    tenant_columns: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

/// Runs `tenantry doctor`.
pub(crate) fn run(args: Args) -> ExitCode {
    crate::live::block_on("doctor", run_async(args))
}

async fn run_async(args: Args) -> ExitCode {
    let Some(db) = crate::live::connect("doctor", &args.database_url).await else {
        return ExitCode::from(2);
    };
    let mut options = DoctorOptions::new();
    if let Some(role) = args.app_role {
        options = options.app_role(role);
    }
    for column in args.tenant_columns {
        options = options.tenant_column(column);
    }
    let result = doctor::run(&db, &options).await;
    db.close().await.ok();
    let report = match result {
        Ok(report) => report,
        Err(e) => {
            eprintln!("tenantry doctor: could not inspect the database: {e}");
            return ExitCode::from(2);
        }
    };
    let output = match args.format {
        Format::Text => report.to_text(),
        Format::Json => format!("{}\n", report.to_json()),
        Format::Sql => report.fix_script(),
    };
    if !crate::live::print("doctor", &output) {
        return ExitCode::from(2);
    }
    if report.is_clean() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
