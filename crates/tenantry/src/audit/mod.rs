//! `tenantry audit`: the statements that reached a PostgreSQL database without a tenant
//! predicate, read from `pg_stat_statements`.
//!
//! Every statement a [`TenantTransaction`](crate::TenantTransaction) runs carries its tenant's
//! predicate; the ones that do not — a script, an admin path, a second service, a raw
//! connection — are the dangerous ones. [`run`] reads the normalised texts `pg_stat_statements`
//! keeps for the current database (constants as `$n`), analyses each ([`analyse`]: which
//! references to scoped tables are not constrained to one tenant), and reports:
//!
//! - **findings**: statements with unconstrained references, with the references, `calls`,
//!   `rows`, the role;
//! - **audited access**: the same, by roles given as admin roles (tenantry's `unscoped`
//!   connection, a reporting role) — access that is meant, not a leak;
//! - **not analysed**: texts that do not parse, statements of kinds not analysed that name a
//!   scoped table, texts hidden from the auditing role — listed with a count, never counted
//!   as clean.
//!
//! Coverage: `pg_stat_statements` keeps at most `pg_stat_statements.max` statements
//! (`deallocations` says how many were evicted since the last reset), from its last reset
//! (`stats_reset`), and PostgreSQL 15 records no first/last time per statement.

mod analyze;

use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};
use serde::Serialize;

pub use analyze::{Analysis, analyse, analyse_for};

use crate::catalog::postgres as catalog;
use crate::registry::{Registry, ScopedTable};

/// What the audit reads and how.
#[derive(Clone, Debug, Default)]
#[non_exhaustive]
pub struct AuditOptions {
    /// The scoped tables, `(table, column)`; empty: every table with a tenant column in the
    /// live catalogue.
    pub tables: Vec<(String, String)>,
    /// The tenant column names that mark a scoped table in the catalogue (default:
    /// `tenant_id`).
    pub tenant_columns: Vec<String>,
    /// Roles whose statements are audited access, not findings.
    pub admin_roles: Vec<String>,
    /// Reset this database's statistics after reading them, so that the next run covers the
    /// statements run since (a nightly job's window).
    pub reset: bool,
}

/// One statement of the report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AuditedStatement {
    /// The normalised text.
    pub query: String,
    /// The references not constrained to one tenant (empty for not-analysed statements).
    pub unconstrained: Vec<String>,
    /// Why it was not analysed, if it was not.
    pub not_analysed: Option<String>,
    /// Executions.
    pub calls: i64,
    /// Rows retrieved or affected.
    pub rows: i64,
    /// The role that ran it.
    pub role: String,
    /// The database.
    pub database: String,
}

/// What the audit found.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AuditReport {
    /// The scoped tables checked.
    pub tables: Vec<String>,
    /// Statements read.
    pub statements: usize,
    /// Statements with every scoped reference constrained (or none).
    pub clean: usize,
    /// Unconstrained statements of non-admin roles.
    pub findings: Vec<AuditedStatement>,
    /// Unconstrained statements of admin roles.
    pub audited: Vec<AuditedStatement>,
    /// Statements that could not be analysed.
    pub not_analysed: Vec<AuditedStatement>,
    /// When the statistics were last reset.
    pub stats_reset: Option<String>,
    /// Statements evicted since (`pg_stat_statements.max` reached).
    pub deallocations: i64,
    /// `pg_stat_statements.max`.
    pub max: i64,
}

impl AuditReport {
    /// No findings and nothing left unanalysed.
    pub fn is_clean(&self) -> bool {
        self.findings.is_empty() && self.not_analysed.is_empty()
    }

    /// The report for people.
    pub fn to_text(&self) -> String {
        let mut out = vec![format!(
            "tenantry audit: {} statements read ({} clean) since {}; scoped tables: {}",
            self.statements,
            self.clean,
            self.stats_reset
                .as_deref()
                .unwrap_or("the statistics' last reset"),
            self.tables.join(", ")
        )];
        if self.deallocations > 0 {
            out.push(format!(
                "  {} statements were evicted (pg_stat_statements.max = {}): some statements \
                 run since the reset are not in this report",
                self.deallocations, self.max
            ));
        }
        let section = |out: &mut Vec<String>, title: &str, list: &[AuditedStatement]| {
            if list.is_empty() {
                return;
            }
            out.push(String::new());
            out.push(format!("{title} ({}):", list.len()));
            for s in list {
                out.push(format!(
                    "- {} calls, {} rows, role {}: {}",
                    s.calls, s.rows, s.role, s.query
                ));
                if !s.unconstrained.is_empty() {
                    out.push(format!("    unconstrained: {}", s.unconstrained.join(", ")));
                }
                if let Some(why) = &s.not_analysed {
                    out.push(format!("    not analysed: {why}"));
                }
            }
        };
        section(
            &mut out,
            "FINDINGS: statements without a tenant predicate",
            &self.findings,
        );
        section(&mut out, "audited access (admin roles)", &self.audited);
        section(&mut out, "not analysed", &self.not_analysed);
        if self.is_clean() {
            out.push(String::new());
            out.push(
                "clean: every statement on a scoped table was constrained to one tenant".into(),
            );
        }
        out.join("\n") + "\n"
    }
}

/// Why the audit could not run.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AuditError {
    /// `pg_stat_statements` is not available in this database.
    #[error(
        "pg_stat_statements is not available: {why}. Load it with `shared_preload_libraries = \
         'pg_stat_statements'` in postgresql.conf (a server restart), then run `CREATE EXTENSION \
         pg_stat_statements` in this database. It keeps at most `pg_stat_statements.max` \
         statements (default 5000) from its last reset (`pg_stat_statements_reset()`): size it to \
         the app's distinct statements and audit before resetting"
    )]
    Unavailable {
        /// What is missing.
        why: String,
    },
    /// The audit needs PostgreSQL.
    #[error("tenantry audit reads PostgreSQL's pg_stat_statements; this is {0:?}")]
    Backend(DbBackend),
    /// A database error.
    #[error(transparent)]
    Db(#[from] sea_orm::DbErr),
    /// Reading the catalogue failed.
    #[error(transparent)]
    Catalogue(#[from] crate::Error),
}

fn pg(sql: &str) -> Statement {
    Statement::from_string(DbBackend::Postgres, sql.to_owned())
}

async fn scalar_text(db: &DatabaseConnection, sql: &str) -> Result<Option<String>, AuditError> {
    Ok(db
        .query_one_raw(pg(sql))
        .await?
        .map(|r| r.try_get_by_index::<Option<String>>(0))
        .transpose()?
        .flatten())
}

/// The scoped tables: the given ones, or every table with a tenant column in the catalogue.
async fn registry(db: &DatabaseConnection, options: &AuditOptions) -> Result<Registry, AuditError> {
    let mut registry = Registry::new();
    if options.tables.is_empty() {
        let columns: Vec<&str> = if options.tenant_columns.is_empty() {
            vec![crate::DEFAULT_TENANT_COLUMN]
        } else {
            options.tenant_columns.iter().map(String::as_str).collect()
        };
        for t in catalog::tenant_tables(db, &columns).await? {
            if t.name.name().starts_with("tenantry_") {
                continue;
            }
            registry = registry.with_table(ScopedTable::new(
                t.name.schema().map(str::to_owned),
                t.name.name(),
                t.column,
            ));
        }
    } else {
        for (table, column) in &options.tables {
            registry = registry.table(table, column);
        }
    }
    Ok(registry)
}

/// Audits the current database (see the [module docs](self)).
pub async fn run(
    db: &DatabaseConnection,
    options: &AuditOptions,
) -> Result<AuditReport, AuditError> {
    if db.get_database_backend() != DbBackend::Postgres {
        return Err(AuditError::Backend(db.get_database_backend()));
    }
    if !catalog::extension_installed(db, "pg_stat_statements").await? {
        let preloaded = scalar_text(db, "SELECT current_setting('shared_preload_libraries')")
            .await?
            .unwrap_or_default();
        return Err(AuditError::Unavailable {
            why: if preloaded.contains("pg_stat_statements") {
                "the extension is not created in this database".into()
            } else {
                "it is neither loaded (shared_preload_libraries) nor created in this database"
                    .into()
            },
        });
    }
    let registry = registry(db, options).await?;
    let rows = db
        .query_all_raw(pg(
            "SELECT s.query, s.calls, s.rows, coalesce(r.rolname::text, s.userid::text) AS role, \
               d.datname::text AS database \
             FROM pg_stat_statements s \
             JOIN pg_catalog.pg_database d ON d.oid = s.dbid \
             LEFT JOIN pg_catalog.pg_roles r ON r.oid = s.userid \
             WHERE d.datname = current_database() \
             ORDER BY s.calls DESC, s.query",
        ))
        .await
        .map_err(|e| {
            let text = e.to_string();
            if text.contains("shared_preload_libraries") {
                AuditError::Unavailable {
                    why: "the extension is created but not loaded (shared_preload_libraries)"
                        .into(),
                }
            } else {
                AuditError::Db(e)
            }
        })?;
    let info = db
        .query_one_raw(pg("SELECT i.dealloc, i.stats_reset::text AS stats_reset, \
               current_setting('pg_stat_statements.max')::bigint AS max \
             FROM pg_stat_statements_info i"))
        .await?;
    let (deallocations, stats_reset, max) = match info {
        Some(r) => (
            r.try_get::<i64>("", "dealloc")?,
            r.try_get::<Option<String>>("", "stats_reset")?,
            r.try_get::<i64>("", "max")?,
        ),
        None => (0, None, 0),
    };
    let mut report = AuditReport {
        tables: registry
            .tables()
            .iter()
            .map(|t| match t.schema() {
                Some(s) => format!("{s}.{}({})", t.name(), t.column()),
                None => format!("{}({})", t.name(), t.column()),
            })
            .collect(),
        statements: rows.len(),
        clean: 0,
        findings: Vec::new(),
        audited: Vec::new(),
        not_analysed: Vec::new(),
        stats_reset,
        deallocations,
        max,
    };
    for row in rows {
        let query: String = row.try_get("", "query")?;
        let role: String = row.try_get("", "role")?;
        let mut statement = AuditedStatement {
            query: query.clone(),
            unconstrained: Vec::new(),
            not_analysed: None,
            calls: row.try_get("", "calls")?,
            rows: row.try_get("", "rows")?,
            role: role.clone(),
            database: row.try_get("", "database")?,
        };
        let analysis = if query == "<insufficient privilege>" {
            Analysis::NotAnalysed(
                "its text is hidden from this role: audit as a superuser or a member of \
                 pg_read_all_stats"
                    .into(),
            )
        } else {
            analyse(&query, &registry)
        };
        match analysis {
            Analysis::Clean => report.clean += 1,
            Analysis::Unconstrained(refs) => {
                statement.unconstrained = refs;
                if options.admin_roles.contains(&role) {
                    report.audited.push(statement);
                } else {
                    report.findings.push(statement);
                }
            }
            Analysis::NotAnalysed(why) => {
                statement.not_analysed = Some(why);
                report.not_analysed.push(statement);
            }
        }
    }
    if options.reset {
        db.execute_raw(pg(
            "SELECT pg_stat_statements_reset(0, (SELECT oid FROM pg_catalog.pg_database \
             WHERE datname = current_database()), 0)",
        ))
        .await?;
    }
    Ok(report)
}
