//! Findings and their rendering (text for people, JSON for tools).

use std::fmt::{self, Write as _};

use serde::Serialize;

/// How bad a finding is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Severity {
    /// Tenants are not isolated, or the isolation can be bypassed.
    Error,
    /// Isolation holds but is weakened (defence in depth, performance).
    Warning,
    /// Information only (e.g. a backend without Row-Level Security); does not fail the run.
    Notice,
}

impl Severity {
    /// `error`, `warning`, `notice`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Error => "error",
            Self::Warning => "warning",
            Self::Notice => "notice",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a finding is about. The snake_case code is part of the stable JSON form.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Check {
    /// A table or partition with a tenant column has Row-Level Security off.
    RlsDisabled,
    /// Row-Level Security is enabled but not forced (the owner bypasses it).
    RlsNotForced,
    /// The permissive base policy is missing.
    PolicyMissing,
    /// A policy with the base policy's name exists but is not the tenant predicate for all
    /// commands in `USING` and `WITH CHECK`.
    PolicyIncomplete,
    /// The restrictive guard policy is missing.
    GuardMissing,
    /// A policy with the guard's name exists but is not a complete restrictive tenant policy.
    GuardIncomplete,
    /// Another permissive policy is OR-ed with the base policy and may widen access.
    PermissivePolicyWidens,
    /// The app role does not exist.
    AppRoleMissing,
    /// The app role is a superuser (bypasses RLS).
    AppRoleSuperuser,
    /// The app role has BYPASSRLS.
    AppRoleBypassRls,
    /// The app role owns a scoped table.
    AppRoleOwnsTable,
    /// The app role can `SET ROLE` to a table owner, a superuser or a BYPASSRLS role.
    AppRoleCanSetRole,
    /// The app role holds TRUNCATE, REFERENCES or TRIGGER on a scoped table.
    AppRoleTablePrivilege,
    /// The app role may create temporary tables.
    AppRoleTemp,
    /// The app role holds UPDATE on a sequence (`setval`).
    AppRoleSequenceUpdate,
    /// A view over a scoped table runs with its owner's rights.
    ViewNotSecurityInvoker,
    /// A materialized view over a scoped table is readable by the app role.
    MaterializedViewReadable,
    /// A SECURITY DEFINER routine outside `pg_catalog` / `information_schema`.
    SecurityDefinerFunction,
    /// A LEAKPROOF function outside `pg_catalog` / `information_schema`.
    LeakproofFunction,
    /// A foreign key between scoped tables does not include the tenant columns.
    ForeignKeyWithoutTenant,
    /// A unique constraint or index on a scoped table does not include the tenant column.
    UniqueWithoutTenant,
    /// A scoped table has no index whose leading column is the tenant column.
    TenantIndexMissing,
    /// A registered table does not exist in the database.
    RegistryTableMissing,
    /// A registered table lacks its tenant column.
    RegistryColumnMissing,
    /// A registered table's id type differs from the column's type.
    RegistryTypeMismatch,
    /// A table has a tenant column but is not registered (the app layer does not scope it).
    TableNotRegistered,
    /// Role checks were skipped (no app role given).
    RoleChecksSkipped,
    /// The backend has no Row-Level Security: only the app layer protects tenants.
    AppLayerOnly,
    /// `pg_stat_statements` is there: `tenantry audit` can report unscoped statements.
    AuditAvailable,
}

impl Check {
    /// The stable snake_case code (`rls_disabled`…).
    pub fn code(self) -> String {
        serde_json::to_value(self)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default()
    }
}

/// One problem found in the database.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// How bad it is.
    pub severity: Severity,
    /// What kind of problem.
    pub check: Check,
    /// The object concerned (`public.orders`, `role tenantry_app`…).
    pub object: String,
    /// What is wrong and why it matters.
    pub message: String,
    /// The SQL that fixes it (one or more statements, each ending with `;`), when there is one.
    pub fix: Option<String>,
}

impl Finding {
    pub(crate) fn new(
        severity: Severity,
        check: Check,
        object: impl Into<String>,
        message: impl Into<String>,
        fix: Option<String>,
    ) -> Self {
        Self {
            severity,
            check,
            object: object.into(),
            message: message.into(),
            fix,
        }
    }
}

/// The result of a doctor run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Report {
    /// `postgres`, `mysql` or `sqlite`.
    pub backend: String,
    /// The database inspected, when known.
    pub database: Option<String>,
    /// The app role checked, if any.
    pub app_role: Option<String>,
    /// Findings, most severe first, then by object.
    pub findings: Vec<Finding>,
}

/// The JSON form (versioned; fields are only ever added).
#[derive(Serialize)]
struct JsonReport<'a> {
    format_version: u32,
    backend: &'a str,
    database: Option<&'a str>,
    app_role: Option<&'a str>,
    clean: bool,
    errors: usize,
    warnings: usize,
    notices: usize,
    findings: &'a [Finding],
}

impl Report {
    pub(crate) fn new(
        backend: impl Into<String>,
        database: Option<String>,
        app_role: Option<String>,
        mut findings: Vec<Finding>,
    ) -> Self {
        findings.sort_by(|a, b| {
            (a.severity, &a.object, a.check, &a.message)
                .cmp(&(b.severity, &b.object, b.check, &b.message))
        });
        findings.dedup();
        Self {
            backend: backend.into(),
            database,
            app_role,
            findings,
        }
    }

    /// Whether nothing needs fixing (no errors or warnings; notices are allowed).
    pub fn is_clean(&self) -> bool {
        self.count(Severity::Error) == 0 && self.count(Severity::Warning) == 0
    }

    /// How many findings have this severity.
    pub fn count(&self, severity: Severity) -> usize {
        self.findings
            .iter()
            .filter(|f| f.severity == severity)
            .count()
    }

    /// Findings of one kind.
    pub fn of(&self, check: Check) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(move |f| f.check == check)
    }

    /// Every fix, in report order, as one script.
    pub fn fix_script(&self) -> String {
        let mut out = String::new();
        for f in &self.findings {
            if let Some(fix) = &f.fix {
                let _ = writeln!(out, "-- {} {}: {}", f.severity, f.check.code(), f.object);
                out.push_str(fix);
            }
        }
        out
    }

    /// The stable JSON form:
    /// `{"format_version":1,"backend":…,"database":…,"app_role":…,"clean":…,"errors":…,
    /// "warnings":…,"notices":…,"findings":[{"severity","check","object","message","fix"}]}`.
    pub fn to_json(&self) -> String {
        let json = JsonReport {
            format_version: 1,
            backend: &self.backend,
            database: self.database.as_deref(),
            app_role: self.app_role.as_deref(),
            clean: self.is_clean(),
            errors: self.count(Severity::Error),
            warnings: self.count(Severity::Warning),
            notices: self.count(Severity::Notice),
            findings: &self.findings,
        };
        serde_json::to_string_pretty(&json).unwrap_or_default()
    }

    /// The text form, readable at a glance: a summary line, then one block per finding with
    /// its fix.
    pub fn to_text(&self) -> String {
        self.to_string()
    }
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "tenantry doctor: {}", self.backend)?;
        if let Some(db) = &self.database {
            write!(f, " database {db}")?;
        }
        if let Some(role) = &self.app_role {
            write!(f, ", app role {role}")?;
        }
        writeln!(f)?;
        let (e, w, n) = (
            self.count(Severity::Error),
            self.count(Severity::Warning),
            self.count(Severity::Notice),
        );
        if self.is_clean() {
            write!(f, "OK: no problems found")?;
        } else {
            write!(f, "FAIL: {}, {}", plural(e, "error"), plural(w, "warning"))?;
        }
        if n > 0 {
            write!(f, " ({})", plural(n, "notice"))?;
        }
        writeln!(f)?;
        for finding in &self.findings {
            writeln!(f)?;
            writeln!(
                f,
                "{:<7} {}  {}",
                finding.severity.as_str().to_uppercase(),
                finding.object,
                finding.check.code()
            )?;
            writeln!(f, "        {}", finding.message)?;
            if let Some(fix) = &finding.fix {
                writeln!(f, "        fix:")?;
                for line in fix.lines() {
                    writeln!(f, "          {line}")?;
                }
            }
        }
        Ok(())
    }
}
