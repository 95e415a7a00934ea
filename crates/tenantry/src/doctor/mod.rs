//! `tenantry doctor`: proves a live database is configured for tenant isolation.
//!
//! [`run`] inspects the PostgreSQL catalogue and returns a [`Report`] of [`Finding`]s, each
//! with a severity, the object, what is wrong and the exact SQL that fixes it (built with
//! [`policy`](crate::policy), the same DDL the migration helpers install). Run it at start-up
//! or in CI; the `tenantry doctor` command prints it.
//!
//! Checked on PostgreSQL (every table with a tenant column, partitions included):
//!
//! | family | findings |
//! |---|---|
//! | RLS | RLS off, not forced, base policy or restrictive guard missing or incomplete (`USING` and `WITH CHECK`, all commands, `PUBLIC`), other permissive policies |
//! | roles | app role missing, superuser, BYPASSRLS, owner of a scoped table, able to `SET ROLE` to an owner / superuser / BYPASSRLS role, TRUNCATE / REFERENCES / TRIGGER on scoped tables, TEMP, UPDATE on sequences |
//! | views | views over scoped tables without `security_invoker`; materialized views over them readable by the app role |
//! | functions | SECURITY DEFINER or LEAKPROOF routines outside `pg_catalog` / `information_schema` (extension members excepted) |
//! | keys | foreign keys between scoped tables without the tenant columns; unique constraints and indexes without the tenant column (primary keys excepted) |
//! | indexes | scoped tables without an index led by the tenant column |
//! | registry | registered tables or columns missing, id types that differ, tenant tables not registered |
//!
//! On MySQL/MariaDB and SQLite there is no Row-Level Security: the report carries one notice
//! saying that only the app layer protects tenants there.
//!
//! ```no_run
//! # async fn f(db: &sea_orm::DatabaseConnection) -> tenantry::Result<()> {
//! use tenantry::doctor::{self, DoctorOptions};
//! let report = doctor::run(db, &DoctorOptions::new().app_role("tenantry_app")).await?;
//! if !report.is_clean() {
//!     eprintln!("{report}");
//! }
//! # Ok(()) }
//! ```

mod functions;
mod indexes;
mod keys;
mod registry;
mod report;
mod rls;
mod roles;
mod views;

use sea_orm::{ConnectionTrait, DbBackend};

pub use report::{Check, Finding, Report, Severity};

use crate::catalog::postgres as catalog;
use crate::error::Result;
use crate::policy::PolicyConfig;
use crate::registry::Registry;

/// What the doctor checks against.
#[derive(Clone, Debug, Default)]
pub struct DoctorOptions {
    app_role: Option<String>,
    registry: Option<Registry>,
    tenant_columns: Vec<String>,
    policy: PolicyConfig,
}

impl DoctorOptions {
    /// No app role, no registry, tenant column `tenant_id`, default policy names.
    pub fn new() -> Self {
        Self::default()
    }

    /// The role the application connects as; enables the role checks.
    pub fn app_role(mut self, role: impl Into<String>) -> Self {
        self.app_role = Some(role.into());
        self
    }

    /// The registry of scoped tables (e.g. [`Registry::from_entities`]); enables the drift
    /// checks and adds its tenant columns.
    pub fn registry(mut self, registry: Registry) -> Self {
        self.registry = Some(registry);
        self
    }

    /// A column name that marks a table as scoped (may be repeated; with none here and no
    /// registry, [`DEFAULT_TENANT_COLUMN`](crate::DEFAULT_TENANT_COLUMN)).
    pub fn tenant_column(mut self, column: impl Into<String>) -> Self {
        self.tenant_columns.push(column.into());
        self
    }

    /// Setting and policy names, when not the defaults.
    pub fn policy(mut self, policy: PolicyConfig) -> Self {
        self.policy = policy;
        self
    }

    /// The tenant column names in effect: those given, those of the registry's tables, or
    /// [`DEFAULT_TENANT_COLUMN`](crate::DEFAULT_TENANT_COLUMN) when there are none.
    pub fn tenant_columns(&self) -> Vec<String> {
        let empty = Registry::new();
        self.registry
            .as_ref()
            .unwrap_or(&empty)
            .tenant_columns_with(&self.tenant_columns)
            .into_iter()
            .map(str::to_owned)
            .collect()
    }
}

/// Inspects the database behind `db` and reports every problem found.
///
/// Connect as a role that can read the catalogue (any role can; the owner sees the same).
/// Fails only when the catalogue cannot be read.
pub async fn run<C: ConnectionTrait>(db: &C, options: &DoctorOptions) -> Result<Report> {
    let backend = db.get_database_backend();
    let app_role = options.app_role.clone();
    if backend != DbBackend::Postgres {
        let name = match backend {
            DbBackend::MySql => "mysql",
            DbBackend::Sqlite => "sqlite",
            _ => "other",
        };
        let finding = Finding::new(
            Severity::Notice,
            Check::AppLayerOnly,
            format!("{name} database"),
            format!(
                "{name} has no Row-Level Security: only the app layer (tenantry's rewriter, through \
                 TenantDatabase) protects tenants here; any connection that bypasses it sees \
                 every tenant's rows"
            ),
            None,
        );
        return Ok(Report::new(name, None, app_role, vec![finding]));
    }
    let database = catalog::current_database(db).await?;
    let columns = options.tenant_columns();
    let columns: Vec<&str> = columns.iter().map(String::as_str).collect();
    let tables = catalog::tenant_tables(db, &columns).await?;
    let mut findings = Vec::new();
    findings.extend(rls::check(db, &tables, &options.policy).await?);
    match &app_role {
        Some(role) => findings.extend(roles::check(db, &tables, role, &database).await?),
        None => findings.push(Finding::new(
            Severity::Notice,
            Check::RoleChecksSkipped,
            "app role",
            "role checks skipped: pass the role the application connects as (--app-role)",
            None,
        )),
    }
    findings.extend(views::check(db, &tables, app_role.as_deref()).await?);
    findings.extend(functions::check(db).await?);
    findings.extend(keys::check(db, &tables).await?);
    findings.extend(indexes::check(db, &tables).await?);
    if let Some(registry) = &options.registry {
        findings.extend(registry::check(db, registry, &options.tenant_columns).await?);
    }
    if catalog::extension_installed(db, "pg_stat_statements").await? {
        findings.push(Finding::new(
            Severity::Notice,
            Check::AuditAvailable,
            "pg_stat_statements",
            "pg_stat_statements is installed: `tenantry audit` lists the statements that \
             reached this database without a tenant predicate (a script, an admin path, a raw \
             connection)",
            None,
        ));
    }
    Ok(Report::new("postgres", Some(database), app_role, findings))
}
