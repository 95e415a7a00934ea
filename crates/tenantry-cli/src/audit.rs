//! `tenantry audit`: the statements that reached the database without a tenant predicate,
//! from `pg_stat_statements`.
//!
//! ```text
//! tenantry audit --database-url postgres://auditor@db/shop
//! tenantry audit --admin-role tenantry_admin --format json
//! tenantry audit --table orders:org_id --table invoices --since-reset   # a nightly job
//! ```
//!
//! Exit status: 0 when clean, 1 when there are findings or statements that could not be
//! analysed, 2 when the audit could not run (bad URL, no `pg_stat_statements`: the message
//! says how to enable it). The report goes to stdout; errors to stderr.

use std::process::ExitCode;

use tenantry::audit::{self, AuditOptions};

/// Output format.
#[derive(Clone, Copy, Debug, Default, clap::ValueEnum)]
pub(crate) enum Format {
    /// Human-readable report.
    #[default]
    Text,
    /// JSON.
    Json,
}

/// Arguments of `tenantry audit`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The database to audit (PostgreSQL with pg_stat_statements). Connect as a superuser or
    /// a member of pg_read_all_stats to see every role's statements.
    #[arg(long, env = "DATABASE_URL", hide_env_values = true)]
    database_url: String,
    /// A scoped table, `NAME` or `NAME:COLUMN` (default column tenant_id); repeatable.
    /// Default: every table with a tenant column in the live catalogue.
    #[arg(long = "table", value_name = "NAME[:COLUMN]")]
    tables: Vec<String>,
    /// Column names that mark a table as tenant-scoped in the catalogue (default: tenant_id).
    #[arg(long = "tenant-column", value_name = "NAME")]
    tenant_columns: Vec<String>,
    /// A role whose statements are audited access (an admin or reporting role), not
    /// findings; repeatable.
    #[arg(long = "admin-role", value_name = "ROLE")]
    admin_roles: Vec<String>,
    /// After reading, reset this database's statistics, so that the next run reports only
    /// the statements run since this one (a nightly job's window).
    #[arg(long)]
    since_reset: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

/// Runs `tenantry audit`.
pub(crate) fn run(args: Args) -> ExitCode {
    crate::live::block_on("audit", run_async(args))
}

async fn run_async(args: Args) -> ExitCode {
    let Some(db) = crate::live::connect("audit", &args.database_url).await else {
        return ExitCode::from(2);
    };
    let mut options = AuditOptions::default();
    for spec in args.tables {
        let (table, column) = match spec.split_once(':') {
            Some((t, c)) => (t.to_owned(), c.to_owned()),
            None => (spec, tenantry::DEFAULT_TENANT_COLUMN.to_owned()),
        };
        if table.is_empty() || column.is_empty() {
            eprintln!("tenantry audit: --table wants NAME or NAME:COLUMN");
            return ExitCode::from(2);
        }
        options.tables.push((table, column));
    }
    options.tenant_columns = args.tenant_columns;
    options.admin_roles = args.admin_roles;
    options.reset = args.since_reset;
    let result = audit::run(&db, &options).await;
    db.close().await.ok();
    let report = match result {
        Ok(report) => report,
        Err(e) => {
            eprintln!("tenantry audit: {e}");
            return ExitCode::from(2);
        }
    };
    let output = match args.format {
        Format::Text => report.to_text(),
        Format::Json => format!(
            "{}\n",
            serde_json::to_string_pretty(&report).unwrap_or_default()
        ),
    };
    if !crate::live::print("audit", &output) {
        return ExitCode::from(2);
    }
    if report.is_clean() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
