//! `tenants …` beside sea-orm-migration's own commands, in the app's migration binary.
//!
//! ```no_run
//! // migration/src/main.rs
//! # struct Migrator; struct TenantMigrator; struct TenantDatabaseMigrator;
//! # #[async_trait::async_trait] impl sea_orm_migration::MigratorTrait for Migrator { fn migrations() -> Vec<Box<dyn sea_orm_migration::MigrationTrait>> { vec![] } }
//! # #[async_trait::async_trait] impl sea_orm_migration::MigratorTrait for TenantMigrator { fn migrations() -> Vec<Box<dyn sea_orm_migration::MigrationTrait>> { vec![] } }
//! # #[async_trait::async_trait] impl sea_orm_migration::MigratorTrait for TenantDatabaseMigrator { fn migrations() -> Vec<Box<dyn sea_orm_migration::MigrationTrait>> { vec![] } }
//! use tenantry_migration::Provisioner;
//!
//! #[tokio::main]
//! async fn main() {
//!     let tenants = Provisioner::builder::<TenantMigrator, TenantDatabaseMigrator>()
//!         .reference_tables(&["tenants", "products"]);
//!     tenantry_migration::tenants::cli::run_cli(Migrator, tenants).await;
//! }
//! ```
//!
//! `cargo run -p migration -- tenants create ID --placement shared|schema[:NAME]|database[:SERVER[/DB]]`,
//! `tenants list [--format text|json]`, `tenants show ID [--format …]`,
//! `tenants suspend|resume ID`, `tenants sync-reference [ID]`,
//! `tenants drop ID --reason TEXT [--force]`,
//! `tenants move ID --to PLACEMENT | --status | --abort | --cleanup`; every other command
//! goes to sea-orm-migration (`up`, `down`, `status`, …). `DATABASE_URL` names the control
//! database, `TENANTRY_SERVERS` the servers of tenant databases (`name=url,…`), and
//! `TENANTRY_APP_ROLE` the app role to grant. Exit codes: 0 done, 1 failed (the error on
//! stderr), 2 called wrongly.

use clap::{Parser, Subcommand, ValueEnum};
use sea_orm_migration::MigratorTrait;
use tenantry::TenantId;
use tenantry::placement::{Placement, Servers, TenantRecord};

use super::ProvisionerBuilder;
use crate::error::{Error, Result};

/// `tenants …`: create, inspect and remove tenants in their placements.
#[derive(Debug, Parser)]
#[command(
    name = "tenants",
    about = "Create, inspect and remove tenants in their placements"
)]
struct TenantsCli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, Debug, Default, ValueEnum)]
enum Format {
    #[default]
    Text,
    Json,
}

#[derive(Clone, Copy, Debug, Default, ValueEnum)]
enum MigrateAction {
    #[default]
    Up,
    Down,
    Status,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Creates a tenant: its directory entry and its placement (schema or database with the
    /// tenant migrations, grants, reference data).
    Create {
        /// The tenant id: a UUID, an integer or a string.
        id: String,
        /// `shared`, `schema[:NAME]` (default `tenant_<id>`) or
        /// `database[:SERVER[/DB]]` (default server: the only one in TENANTRY_SERVERS, or
        /// `control`, the control database's own; default database `tenant_<id>`).
        #[arg(long, default_value = "shared")]
        placement: String,
    },
    /// Lists every tenant.
    List {
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// Shows one tenant.
    Show {
        /// The tenant id.
        id: String,
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// Stops serving a tenant.
    Suspend {
        /// The tenant id.
        id: String,
    },
    /// Serves a suspended tenant again.
    Resume {
        /// The tenant id.
        id: String,
    },
    /// Brings a tenant database's reference tables to the control database's rows (every
    /// database tenant without an id).
    SyncReference {
        /// The tenant id; all database tenants when omitted.
        id: Option<String>,
    },
    /// Migrates every target (the control database, each tenant schema, each tenant
    /// database): `up` (default), `down`, or `status`.
    Migrate {
        #[arg(value_enum, default_value_t)]
        action: MigrateAction,
        /// Targets migrated at once.
        #[arg(long, default_value_t = 4)]
        jobs: usize,
        /// Run the first N tenant targets first, one by one; stop if one fails.
        #[arg(long, default_value_t = 0)]
        canary: usize,
        /// Run these tenants' targets first (comma-separated), one by one; stop if one fails.
        #[arg(long, value_delimiter = ',')]
        tenants: Vec<String>,
        /// Continue the last run: only its targets that are not done.
        #[arg(long)]
        resume: bool,
        /// Show the pending migrations per target; change nothing.
        #[arg(long)]
        dry_run: bool,
        /// `down`: migrations to revert per target.
        #[arg(long, default_value_t = 1)]
        steps: u32,
        /// `lock_timeout` per target transaction, in seconds.
        #[arg(long, default_value_t = 10)]
        lock_timeout: u64,
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// Moves a tenant to another placement while it is served (`--to`), or shows, aborts or
    /// cleans up its move.
    Move {
        /// The tenant id.
        id: String,
        /// Where to: `shared`, `schema[:NAME]` or `database[:SERVER[/DB]]` (defaults as for
        /// `create`). Resumes an unfinished move to the same place.
        #[arg(long, conflicts_with_all = ["status", "abort", "cleanup"])]
        to: Option<String>,
        /// Show the tenant's move.
        #[arg(long)]
        status: bool,
        /// Undo the tenant's unfinished move: it stays where it was.
        #[arg(long)]
        abort: bool,
        /// Remove the source of the tenant's flipped move.
        #[arg(long)]
        cleanup: bool,
        /// Seconds the fence waits for the tenant's in-flight transactions.
        #[arg(long, default_value_t = 5)]
        fence_timeout: u64,
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// Writes every row of a tenant (and the reference rows they point at) into a directory:
    /// one CSV file per table and a manifest.
    Export {
        /// The tenant id.
        id: String,
        /// The directory (empty or absent).
        #[arg(long)]
        out: std::path::PathBuf,
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// Loads an export into a placement holding none of the tenant's rows; a tenant unknown
    /// to the directory or deleted is created first.
    Import {
        /// The tenant id (the export's).
        id: String,
        /// The export directory.
        #[arg(long)]
        from: std::path::PathBuf,
        /// Where a created tenant goes (as for `create`); an existing tenant is loaded where
        /// it lives.
        #[arg(long)]
        placement: Option<String>,
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// Deletes every row of a tenant in every placement, drops its schema or database, marks
    /// it deleted, and verifies that nothing is left.
    Erase {
        /// The tenant id.
        id: String,
        /// Why (written to the `tenantry::audit` log).
        #[arg(long)]
        reason: String,
        /// Seconds to wait for the tenant's in-flight transactions.
        #[arg(long, default_value_t = 10)]
        fence_timeout: u64,
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// Removes a tenant and its rows, schema or database.
    Drop {
        /// The tenant id.
        id: String,
        /// Why (written to the `tenantry::audit` log).
        #[arg(long)]
        reason: String,
        /// Drop an active tenant, and close sessions on its database.
        #[arg(long)]
        force: bool,
    },
}

/// Runs `tenants …` when it is the first argument, sea-orm-migration's CLI over `migrator`
/// otherwise.
#[allow(clippy::print_stdout, clippy::print_stderr)] // a command line's output
pub async fn run_cli<M: MigratorTrait + Send + Sync + 'static>(
    migrator: M,
    tenants: ProvisionerBuilder,
) {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) != Some("tenants") {
        sea_orm_migration::cli::run_cli(migrator).await;
        return;
    }
    let cli = TenantsCli::parse_from(&args[1..]);
    let control = crate::runner::Migrations::of::<M>();
    match run(cli, tenants, control).await {
        Ok((out, ok)) => {
            if !out.is_empty() {
                println!("{out}");
            }
            if !ok {
                std::process::exit(1);
            }
        }
        Err(e) => {
            eprintln!("tenants: {e}");
            std::process::exit(1);
        }
    }
}

/// A tenant id as typed: a UUID, an integer, or else a string.
pub fn parse_tenant(id: &str) -> TenantId {
    TenantId::parse(id)
}

/// `tenant_<id>`, lower-cased, other characters as `_`, at most 63 bytes.
fn default_name(tenant: &TenantId) -> String {
    let mut name: String = format!("tenant_{tenant}")
        .chars()
        .map(|c| {
            let c = c.to_ascii_lowercase();
            if c.is_ascii_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    name.truncate(63);
    name
}

/// The placement of `create --placement`, defaults filled in.
pub fn parse_placement(spec: &str, tenant: &TenantId, servers: &Servers) -> Result<Placement> {
    let placement = match spec.split_once(':') {
        None if spec == "shared" => Placement::Shared,
        None if spec == "schema" => Placement::schema(&default_name(tenant))?,
        None if spec == "database" => {
            let names: Vec<&str> = servers
                .names()
                .filter(|n| *n != tenantry::placement::CONTROL_SERVER)
                .collect();
            if names.is_empty() {
                return Ok(Placement::database(
                    tenantry::placement::CONTROL_SERVER,
                    &default_name(tenant),
                )?);
            }
            let [server] = names.as_slice() else {
                return Err(tenantry::Error::InvalidPlacement {
                    placement: spec.to_owned(),
                    reason: format!(
                        "name the server (`database:SERVER`): {} configured in TENANTRY_SERVERS \
                         (and `control`, the control database's own)",
                        names.len()
                    ),
                }
                .into());
            };
            Placement::database(server, &default_name(tenant))?
        }
        Some(("database", rest)) if !rest.contains('/') => {
            Placement::database(rest, &default_name(tenant))?
        }
        _ => spec.parse::<Placement>()?,
    };
    Ok(placement)
}

fn json(record: &TenantRecord) -> serde_json::Value {
    serde_json::json!({
        "tenant": record.tenant.to_string(),
        "placement": record.placement,
        "state": record.state,
        "version": record.version,
    })
}

fn text(record: &TenantRecord) -> String {
    format!(
        "{}\t{}\t{}\tv{}",
        record.tenant, record.placement, record.state, record.version
    )
}

async fn run(
    cli: TenantsCli,
    tenants: ProvisionerBuilder,
    control: crate::runner::Migrations,
) -> Result<(String, bool)> {
    let url = std::env::var("DATABASE_URL").map_err(|_| Error::Unsupported {
        backend: "tenants",
        what: "run without a control database".into(),
        hint: "set DATABASE_URL to the control database".into(),
    })?;
    let servers = Servers::from_env()?;
    let tenants = match std::env::var("TENANTRY_APP_ROLE") {
        Ok(role) if !role.is_empty() => tenants.app_role(role),
        _ => tenants,
    };
    if let Command::Migrate {
        action,
        jobs,
        canary,
        tenants: canary_tenants,
        resume,
        dry_run,
        steps,
        lock_timeout,
        format,
    } = cli.command
    {
        let runner = crate::runner::Runner::with_migrations(
            &url,
            servers,
            jobs,
            [control, tenants.schema, tenants.database],
        )
        .await?;
        return super::migrate_cli::migrate(
            &runner,
            super::migrate_cli::Args {
                action: match action {
                    MigrateAction::Up => super::migrate_cli::Action::Up,
                    MigrateAction::Down => super::migrate_cli::Action::Down(steps),
                    MigrateAction::Status => super::migrate_cli::Action::Status,
                },
                jobs,
                canary,
                canary_tenants,
                resume,
                dry_run,
                lock_timeout: std::time::Duration::from_secs(lock_timeout),
                json: matches!(format, Format::Json),
            },
        )
        .await;
    }
    let provisioner = tenants.connect(&url, servers.clone()).await?;
    let out = match cli.command {
        Command::Create { id, placement } => {
            let tenant = parse_tenant(&id);
            let placement = parse_placement(&placement, &tenant, &servers)?;
            text(&provisioner.create(tenant, placement).await?)
        }
        Command::List { format } => {
            let records = provisioner.list().await?;
            match format {
                Format::Json => {
                    serde_json::Value::Array(records.iter().map(json).collect()).to_string()
                }
                Format::Text => records.iter().map(text).collect::<Vec<_>>().join("\n"),
            }
        }
        Command::Show { id, format } => {
            let record = provisioner.show(parse_tenant(&id)).await?;
            match format {
                Format::Json => json(&record).to_string(),
                Format::Text => text(&record),
            }
        }
        Command::Suspend { id } => text(&provisioner.suspend(parse_tenant(&id)).await?),
        Command::Resume { id } => text(&provisioner.resume(parse_tenant(&id)).await?),
        Command::SyncReference { id } => {
            let tenants: Vec<TenantId> = match id {
                Some(id) => vec![parse_tenant(&id)],
                None => provisioner
                    .list()
                    .await?
                    .into_iter()
                    .filter(|r| matches!(r.placement, Placement::Database { .. }))
                    .map(|r| r.tenant)
                    .collect(),
            };
            let mut lines = Vec::new();
            for tenant in tenants {
                let (upserted, deleted) = provisioner.sync_reference(tenant.clone()).await?;
                lines.push(format!("{tenant}\t{upserted} upserted\t{deleted} deleted"));
            }
            lines.join("\n")
        }
        Command::Move {
            id,
            to,
            status,
            abort,
            cleanup,
            fence_timeout,
            format,
        } => {
            let tenant = parse_tenant(&id);
            let json = matches!(format, Format::Json);
            let shown = |m: Option<crate::moves::MoveStatus>| match (m, json) {
                (None, _) => format!("tenant {tenant} has no move"),
                (Some(m), true) => serde_json::to_string(&m).unwrap_or_default(),
                (Some(m), false) => format!(
                    "move {} of {}: {} -> {}, {}{}",
                    m.id,
                    m.tenant,
                    m.source,
                    m.target,
                    m.phase,
                    m.error
                        .map(|e| format!("\n  last error: {e}"))
                        .unwrap_or_default()
                ),
            };
            if let Some(to) = to {
                let placement = parse_placement(&to, &tenant, &servers)?;
                let options = crate::moves::MoveOptions {
                    fence_timeout: std::time::Duration::from_secs(fence_timeout),
                    ..Default::default()
                };
                let report =
                    super::move_cli::run(&provisioner, tenant.clone(), placement, &options).await?;
                if json {
                    serde_json::to_string(&report).unwrap_or_default()
                } else {
                    super::move_cli::text(&report)
                }
            } else if abort {
                shown(Some(provisioner.abort_move(tenant.clone()).await?))
            } else if cleanup {
                shown(Some(provisioner.cleanup_move(tenant.clone()).await?))
            } else {
                let _ = status;
                shown(provisioner.move_status(tenant.clone()).await?)
            }
        }
        Command::Export { id, out, format } => {
            let manifest = super::move_cli::export(&provisioner, parse_tenant(&id), &out).await?;
            match format {
                Format::Json => serde_json::to_string(&manifest).unwrap_or_default(),
                Format::Text => super::move_cli::export_text(&manifest, &out),
            }
        }
        Command::Import {
            id,
            from,
            placement,
            format,
        } => {
            let tenant = parse_tenant(&id);
            let placement = placement
                .map(|p| parse_placement(&p, &tenant, &servers))
                .transpose()?;
            let report = super::move_cli::import(&provisioner, tenant, &from, placement).await?;
            match format {
                Format::Json => serde_json::to_string(&report).unwrap_or_default(),
                Format::Text => super::move_cli::import_text(&report),
            }
        }
        Command::Erase {
            id,
            reason,
            fence_timeout,
            format,
        } => {
            let report = provisioner
                .erase_tenant(
                    parse_tenant(&id),
                    &reason,
                    std::time::Duration::from_secs(fence_timeout),
                )
                .await?;
            match format {
                Format::Json => serde_json::to_string(&report).unwrap_or_default(),
                Format::Text => super::move_cli::erase_text(&report),
            }
        }
        Command::Drop { id, reason, force } => {
            provisioner
                .drop_tenant(parse_tenant(&id), &reason, force)
                .await?;
            format!("dropped {id}")
        }
        Command::Migrate { .. } => String::new(),
    };
    Ok((out, true))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn placements_with_defaults() {
        let one = Servers::parse("east=postgres://h/postgres").unwrap();
        let two = Servers::parse("east=postgres://h/postgres,west=postgres://g/postgres").unwrap();
        let t = parse_tenant("Acme-1");
        assert_eq!(t, TenantId::from("Acme-1"));
        let cases = [
            ("shared", "shared"),
            ("schema", "schema:tenant_acme_1"),
            ("schema:acme", "schema:acme"),
            ("database", "database:east/tenant_acme_1"),
            ("database:east", "database:east/tenant_acme_1"),
            ("database:east/acme", "database:east/acme"),
        ];
        for (spec, expected) in cases {
            assert_eq!(
                parse_placement(spec, &t, &one).unwrap().to_string(),
                expected
            );
        }
        assert!(parse_placement("database", &t, &two).is_err());
        assert_eq!(
            parse_placement("database", &t, &Servers::new())
                .unwrap()
                .to_string(),
            "database:control/tenant_acme_1"
        );
        assert!(parse_placement("schema:Acme", &t, &one).is_err());
        assert_eq!(parse_tenant("42"), TenantId::from(42_i64));
        assert!(matches!(
            parse_tenant("0e7c1f7e-3c1a-4a57-9d1e-6f1e6f1e6f1e"),
            TenantId::Uuid(_)
        ));
    }
}
