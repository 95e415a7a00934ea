//! `tenantry rewrite`: shows what a statement becomes when run for one tenant.
//!
//! ```text
//! tenantry rewrite --backend postgres --tenant 42 --table orders --table billing.invoices:org_id \
//!     'SELECT * FROM orders WHERE id = $1'
//! ```
//!
//! stdout carries the rewritten SQL, then a comment line listing what each placeholder binds
//! (`-- $1 = <value 1>, $2 = 42 (tenant)`), so the output can be pasted as is. With
//! `--inline` the tenant is written into the SQL as a literal (for pasting into psql); the
//! statement's own placeholders stay. SQL that begins with `-` (a `-- comment`) follows `--`,
//! or comes on stdin. A refused statement exits with status 3 and the reason on stderr; a
//! wrong call exits with 2, as clap's own usage errors do (`--help` lists the exit codes).

use std::io::Read;
use std::process::ExitCode;

use sea_orm::{DbBackend, Statement, Value, Values};
use tenantry::{Error, Registry, TenantId};

/// The database whose dialect the SQL is written in.
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub(crate) enum Backend {
    /// PostgreSQL (`$1` placeholders, `"quoted"` identifiers).
    Postgres,
    /// MySQL / MariaDB (`?` placeholders, `` `quoted` `` identifiers).
    Mysql,
    /// SQLite (`?` placeholders).
    Sqlite,
}

impl Backend {
    fn db_backend(self) -> DbBackend {
        match self {
            Self::Postgres => DbBackend::Postgres,
            Self::Mysql => DbBackend::MySql,
            Self::Sqlite => DbBackend::Sqlite,
        }
    }
}

/// What `--help` shows after the options: examples and the exit codes.
const AFTER_HELP: &str = "\
Examples:
  tenantry rewrite --backend postgres --tenant 42 --table orders 'SELECT * FROM orders'
  # SQL that begins with `-` (such as a `-- comment`) goes after `--`:
  tenantry rewrite --backend postgres --tenant 42 --table orders -- '-- monthly report
  SELECT * FROM orders'
  # or on stdin, which needs no `--`:
  tenantry rewrite --backend sqlite --tenant 7 --table orders < report.sql

Exit codes:
  0  rewritten, or passed through unchanged when it touches no scoped table; SQL on stdout
  2  called wrongly: an unknown or missing option (clap's usage error), an invalid --tenant
     or --table value, or stdin that cannot be read as UTF-8 text
  3  refused: tenantry will not run this statement for a tenant; the reason is on stderr";

/// Called wrongly: clap's own exit code for usage errors, used for invalid values too.
const EXIT_USAGE: u8 = 2;
/// The rewriter refused the statement.
const EXIT_REFUSED: u8 = 3;

/// Arguments of `tenantry rewrite`.
#[derive(Debug, clap::Args)]
// Written out for the `[--]`, which clap's generated usage line leaves out.
#[command(
    override_usage = "tenantry rewrite [OPTIONS] --backend <BACKEND> --tenant <TENANT> [--] [SQL]",
    after_help = AFTER_HELP
)]
pub(crate) struct Args {
    /// The SQL dialect.
    #[arg(long, value_enum)]
    backend: Backend,
    /// The tenant: a UUID or an integer.
    #[arg(long)]
    tenant: String,
    /// A scoped table, as named in the catalogue (optionally `schema.table`), with its tenant
    /// column (default `tenant_id`). Repeat for each table.
    #[arg(long = "table", value_name = "NAME[:COLUMN]")]
    tables: Vec<String>,
    /// Write the tenant into the SQL as a literal (display only; applications bind it).
    #[arg(long)]
    inline: bool,
    /// The statement(s); read from stdin when absent.
    ///
    /// SQL that begins with `-`, such as a `-- comment`, must follow `--` (which ends the
    /// options: put them all before it); without `--` it is read as an option and rejected
    /// with exit code 2. SQL on stdin needs no `--`.
    // Not `allow_hyphen_values`: clap would still read a comment such as `--tenant=5 …` as
    // the option, and take a mistyped option (`--inlin`) as the SQL, ignoring stdin.
    sql: Option<String>,
}

/// Why `tenantry rewrite` printed no SQL.
enum Failure {
    /// Called wrongly: a bad `--tenant` or `--table` value, or unreadable stdin.
    Usage(String),
    /// The rewriter refused the statement.
    Refused(Error),
}

/// Runs `tenantry rewrite`.
pub(crate) fn run(args: Args) -> ExitCode {
    match run_inner(&args) {
        Ok(out) => {
            print_out(&out);
            ExitCode::SUCCESS
        }
        Err(Failure::Usage(message)) => {
            eprintln!("tenantry rewrite: {message}");
            ExitCode::from(EXIT_USAGE)
        }
        Err(Failure::Refused(e)) => {
            eprintln!("tenantry rewrite: {e}");
            ExitCode::from(EXIT_REFUSED)
        }
    }
}

#[allow(clippy::print_stdout)]
fn print_out(out: &str) {
    println!("{out}");
}

fn run_inner(args: &Args) -> Result<String, Failure> {
    let tenant = parse_tenant(&args.tenant).map_err(Failure::Usage)?;
    let registry = registry(&args.tables).map_err(Failure::Usage)?;
    let sql = match &args.sql {
        Some(sql) => sql.clone(),
        None => {
            let mut s = String::new();
            std::io::stdin()
                .read_to_string(&mut s)
                .map_err(|e| Failure::Usage(format!("reading SQL from stdin: {e}")))?;
            s
        }
    };
    let sql = sql.trim().trim_end_matches(';').trim_end().to_owned();
    let backend = args.backend.db_backend();
    // The statement's own values are unknown here: bind stand-ins, as many as it needs. A
    // stand-in written to a tenant column must be the tenant, so those get the tenant's value.
    let mut stand_ins: Vec<Value> = Vec::new();
    let mut checked = 0;
    loop {
        let stmt = Statement {
            sql: sql.clone(),
            values: (!stand_ins.is_empty()).then(|| Values(stand_ins.clone())),
            db_backend: backend,
        };
        let result = if args.inline {
            tenantry::rewrite::rewrite_inline(&stmt, &registry, &tenant)
        } else {
            tenantry::rewrite::rewrite(&stmt, &registry, &tenant)
        };
        match result {
            Ok(out) => return Ok(render(&out, stand_ins.len(), args.backend, args.inline)),
            Err(Error::ValueCount { placeholders, .. }) if placeholders != stand_ins.len() => {
                stand_ins = vec![STAND_IN; placeholders];
            }
            Err(Error::CrossTenantWrite { .. }) if checked < stand_ins.len() => {
                stand_ins[checked] = tenant.to_value();
                checked += 1;
            }
            Err(e) => return Err(Failure::Refused(e)),
        }
    }
}

/// The value bound in place of each of the statement's own values.
const STAND_IN: Value = Value::Int(None);

fn parse_tenant(s: &str) -> Result<TenantId, String> {
    let tenant = match TenantId::parse(s) {
        TenantId::String(_) => {
            return Err(format!("--tenant `{s}` is neither a UUID nor an integer"));
        }
        tenant => tenant,
    };
    match tenant.invalid_reason() {
        Some(reason) => Err(format!("--tenant `{s}`: {reason}")),
        None => Ok(tenant),
    }
}

fn registry(tables: &[String]) -> Result<Registry, String> {
    let mut registry = Registry::new();
    for spec in tables {
        let (name, column) = match spec.rsplit_once(':') {
            Some((n, c)) => (n, c),
            None => (spec.as_str(), "tenant_id"),
        };
        if name.is_empty() || column.is_empty() {
            return Err(format!("--table `{spec}`: expected NAME or NAME:COLUMN"));
        }
        registry = registry.table(name, column);
    }
    Ok(registry)
}

fn render(stmt: &Statement, own: usize, backend: Backend, inline: bool) -> String {
    let mut out = stmt.sql.clone();
    let values = stmt
        .values
        .as_ref()
        .map(|v| v.0.as_slice())
        .unwrap_or_default();
    if inline || values.is_empty() {
        return out;
    }
    let shown: Vec<String> = values
        .iter()
        .enumerate()
        .map(|(i, v)| match backend {
            Backend::Postgres => {
                let n = i + 1;
                match (i < own, *v == STAND_IN) {
                    (true, true) => format!("${n} = <value {n}>"),
                    (true, false) => format!("${n} = <value {n}, must be the tenant: {}>", show(v)),
                    (false, _) => format!("${n} = {} (tenant)", show(v)),
                }
            }
            Backend::Mysql | Backend::Sqlite => {
                if *v == STAND_IN {
                    "<value>".to_owned()
                } else {
                    format!("{} (tenant)", show(v))
                }
            }
        })
        .collect();
    out.push_str("\n-- ");
    if matches!(backend, Backend::Mysql | Backend::Sqlite) {
        out.push_str("? = ");
    }
    out.push_str(&shown.join(", "));
    out
}

fn show(v: &Value) -> String {
    match v {
        Value::Uuid(Some(u)) => format!("'{u}'"),
        Value::BigInt(Some(i)) => i.to_string(),
        Value::Int(Some(i)) => i.to_string(),
        Value::String(Some(s)) => format!("'{}'", s.replace('\'', "''")),
        other => format!("{other:?}"),
    }
}
