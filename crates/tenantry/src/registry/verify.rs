//! `Registry::verify`: the registry compared with the live database catalogue.
//!
//! A table that has a tenant column but is not registered is a table the rewriter passes
//! through unscoped — the one mistake a startup check can catch before it leaks. A registered
//! table the database lacks (or whose tenant column it lacks) means the registry and the
//! migrations disagree.

use std::fmt;

use sea_orm::{ConnectionTrait, DbBackend};

use super::set::Registry;
use super::table::ScopedTable;
use crate::catalog::{self, Column, Relations};
use crate::error::Result;
use crate::tenant::TenantIdType;

/// What [`Registry::verify`] found. Empty lists mean the registry and the database agree.
///
/// ```
/// # use tenantry::RegistryReport;
/// let report = RegistryReport::default();
/// assert!(report.is_clean());
/// assert_eq!(report.to_string(), "the tenantry registry matches the database");
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct RegistryReport {
    /// Tables (and views) in the database with a tenant column that no registered table
    /// covers: statements on them would not be scoped.
    pub unregistered: Vec<UnregisteredTable>,
    /// Registered tables the database does not have, or whose tenant column it lacks.
    pub missing: Vec<MissingTable>,
    /// Registered tables whose tenant column's type cannot hold the declared id type
    /// (PostgreSQL, where column types are read).
    pub mismatched: Vec<MismatchedType>,
}

impl RegistryReport {
    /// Whether nothing was found.
    pub fn is_clean(&self) -> bool {
        self.unregistered.is_empty() && self.missing.is_empty() && self.mismatched.is_empty()
    }
}

/// A registered table whose tenant column has a type the declared id type does not fit.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct MismatchedType {
    /// The table as registered (with its declared [`id_type`](ScopedTable::id_type)).
    pub table: ScopedTable,
    /// The column's type in the database, as `format_type` prints it.
    pub found: String,
}

/// A database table with a tenant column that the registry does not know.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct UnregisteredTable {
    /// The schema (PostgreSQL), database (MySQL) or attached database (SQLite) holding it.
    pub schema: String,
    /// The table name, as in the catalogue.
    pub name: String,
    /// Its columns named like one of the registry's tenant columns.
    pub columns: Vec<String>,
}

/// A registered table the database does not match.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct MissingTable {
    /// The table as registered.
    pub table: ScopedTable,
    /// What is missing.
    pub missing: Missing,
}

/// What a [`MissingTable`] lacks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Missing {
    /// No such table (or view) where the name resolves.
    Table,
    /// The table exists but has no column with the registered tenant column's name.
    Column,
}

impl fmt::Display for RegistryReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_clean() {
            return f.write_str("the tenantry registry matches the database");
        }
        write!(
            f,
            "the tenantry registry and the database disagree ({} unregistered, {} missing",
            self.unregistered.len(),
            self.missing.len()
        )?;
        if !self.mismatched.is_empty() {
            write!(f, ", {} of another type", self.mismatched.len())?;
        }
        f.write_str("):")?;
        for t in &self.unregistered {
            write!(f, "\n  - {t}")?;
        }
        for t in &self.missing {
            write!(f, "\n  - {t}")?;
        }
        for t in &self.mismatched {
            write!(f, "\n  - {t}")?;
        }
        Ok(())
    }
}

impl fmt::Display for UnregisteredTable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "`{}.{}` has tenant column {} but is not registered, so it is not scoped; \
             mark its entity with #[derive(TenantScoped)] or add it with `Registry::table`",
            self.schema,
            self.name,
            self.columns
                .iter()
                .map(|c| format!("`{c}`"))
                .collect::<Vec<_>>()
                .join(", ")
        )
    }
}

impl fmt::Display for MissingTable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.missing {
            Missing::Table => write!(
                f,
                "registered table `{}` does not exist in the database; run the migrations or \
                 fix its name",
                self.table
            ),
            Missing::Column => write!(
                f,
                "registered table `{}` has no tenant column `{}`; add the column or register \
                 the right one",
                self.table,
                self.table.column()
            ),
        }
    }
}

impl fmt::Display for MismatchedType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let declared = self
            .table
            .id_type()
            .map_or_else(|| "its".to_owned(), |t| t.to_string());
        write!(
            f,
            "tenant column {} of registered table `{}` is {} in the database but the entity \
             declares {declared} ids",
            self.table.column(),
            self.table,
            self.found
        )
    }
}

impl Registry {
    /// Compares the registry with the database's catalogue.
    ///
    /// Reports every table or view that has a column named like one of the registry's tenant
    /// columns ([`tenant_columns`](Self::tenant_columns), `tenant_id` for an empty registry)
    /// and is not registered, every registered table that is absent or lacks its tenant
    /// column, and (on PostgreSQL) every registered table whose tenant column's type does not
    /// hold its declared [`id_type`](ScopedTable::id_type). A table registered without a schema covers tables of that name in every schema
    /// (as the rewriter scopes them) and must exist where unqualified names resolve.
    ///
    /// Read from `pg_catalog` on PostgreSQL (all non-system schemas, whatever the role's
    /// privileges; partitions are covered by their parent), `information_schema` on
    /// MySQL/MariaDB (the current database, plus databases named by registered tables), and
    /// `sqlite_master`/`pragma_table_info` on SQLite (every attached database). Column names
    /// compare exactly on PostgreSQL and case-insensitively elsewhere; table names compare
    /// case-insensitively on SQLite only.
    ///
    /// Call it at startup with a plain connection (the owner's or the app role's; not a
    /// tenant transaction, whose rewriter has no business with catalogue queries) and refuse
    /// to start, or log, when the report is not [clean](RegistryReport::is_clean). It only
    /// reads the catalogue.
    ///
    /// ```no_run
    /// # async fn start(db: sea_orm::DatabaseConnection) -> Result<(), Box<dyn std::error::Error>> {
    /// let registry = tenantry::Registry::from_entities();
    /// let report = registry.verify(&db).await?;
    /// if !report.is_clean() {
    ///     return Err(report.to_string().into());
    /// }
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// [`Error::UnsupportedBackend`](crate::Error::UnsupportedBackend) on a backend other
    /// than these three.
    pub async fn verify(&self, db: &impl ConnectionTrait) -> Result<RegistryReport> {
        self.verify_with(db, &[]).await
    }

    /// [`verify`](Self::verify), also reporting unregistered tables with one of `extra`
    /// columns.
    pub(crate) async fn verify_with(
        &self,
        db: &impl ConnectionTrait,
        extra: &[String],
    ) -> Result<RegistryReport> {
        let columns = self.tenant_columns_with(extra);
        let relations = catalog::relations(db, &columns, &self.schemas()).await?;
        Ok(compare(
            self,
            &columns,
            &relations,
            Rules::of(db.get_database_backend()),
        ))
    }

    fn schemas(&self) -> Vec<&str> {
        let mut schemas: Vec<&str> = self.tables().iter().filter_map(|t| t.schema()).collect();
        schemas.sort_unstable();
        schemas.dedup();
        schemas
    }
}

/// How names compare on a backend.
#[derive(Clone, Copy)]
struct Rules {
    tables_ci: bool,
    columns_ci: bool,
}

impl Rules {
    fn of(backend: DbBackend) -> Self {
        match backend {
            DbBackend::Postgres => Self {
                tables_ci: false,
                columns_ci: false,
            },
            DbBackend::Sqlite => Self {
                tables_ci: true,
                columns_ci: true,
            },
            _ => Self {
                tables_ci: false,
                columns_ci: true,
            },
        }
    }

    fn same_table(self, a: &str, b: &str) -> bool {
        if self.tables_ci {
            a.eq_ignore_ascii_case(b)
        } else {
            a == b
        }
    }

    fn same_column(self, a: &str, b: &str) -> bool {
        if self.columns_ci {
            a.eq_ignore_ascii_case(b)
        } else {
            a == b
        }
    }
}

/// Whether a PostgreSQL column type (`format_type`) holds ids of this type.
fn compatible(id_type: TenantIdType, pg_type: &str) -> bool {
    match id_type {
        TenantIdType::String => matches!(pg_type, "text" | "character varying" | "character"),
        other => other.postgres_type() == pg_type,
    }
}

fn compare(
    registry: &Registry,
    tenant_columns: &[&str],
    catalogue: &Relations,
    rules: Rules,
) -> RegistryReport {
    let mut report = RegistryReport::default();

    for ((schema, name), columns) in &catalogue.tables {
        let tenant: Vec<String> = columns
            .iter()
            .filter(|c| tenant_columns.iter().any(|t| rules.same_column(&c.name, t)))
            .map(|c| c.name.clone())
            .collect();
        if tenant.is_empty() {
            continue;
        }
        let covered = registry.tables().iter().any(|t| {
            rules.same_table(t.name(), name)
                && t.schema().is_none_or(|s| rules.same_table(s, schema))
        });
        if !covered {
            report.unregistered.push(UnregisteredTable {
                schema: schema.clone(),
                name: name.clone(),
                columns: tenant,
            });
        }
    }

    for table in registry.tables() {
        let found = match table.schema() {
            Some(s) => find(catalogue, rules, s, table.name()),
            None => catalogue
                .search_path
                .iter()
                .find_map(|s| find(catalogue, rules, s, table.name())),
        };
        let column = found.map(|columns| {
            columns
                .iter()
                .find(|c| rules.same_column(&c.name, table.column()))
        });
        let missing = match column {
            None => Some(Missing::Table),
            Some(None) => Some(Missing::Column),
            Some(Some(_)) => None,
        };
        if let Some(missing) = missing {
            report.missing.push(MissingTable {
                table: table.clone(),
                missing,
            });
        }
        if let Some(Some(Column {
            type_name: Some(found),
            ..
        })) = column
            && let Some(id_type) = table.id_type()
            && !compatible(id_type, found)
        {
            report.mismatched.push(MismatchedType {
                table: table.clone(),
                found: found.clone(),
            });
        }
    }
    report
}

fn find<'c>(
    catalogue: &'c Relations,
    rules: Rules,
    schema: &str,
    name: &str,
) -> Option<&'c [Column]> {
    if let Some(columns) = catalogue.tables.get(&(schema.to_owned(), name.to_owned())) {
        return Some(columns);
    }
    if !rules.tables_ci {
        return None;
    }
    catalogue
        .tables
        .iter()
        .find(|((s, t), _)| rules.same_table(s, schema) && rules.same_table(t, name))
        .map(|(_, columns)| columns.as_slice())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn catalogue(search_path: &[&str], tables: &[(&str, &str, &[&str])]) -> Relations {
        let mut c = Relations {
            search_path: search_path.iter().map(|s| (*s).to_owned()).collect(),
            ..Relations::default()
        };
        for (schema, table, columns) in tables {
            c.add((*schema).into(), (*table).into(), None);
            for col in *columns {
                let column = Column {
                    name: (*col).into(),
                    type_name: None,
                };
                c.add((*schema).into(), (*table).into(), Some(column));
            }
        }
        c
    }

    fn check(registry: &Registry, c: &Relations, backend: DbBackend) -> RegistryReport {
        compare(registry, &registry.tenant_columns(), c, Rules::of(backend))
    }

    #[test]
    fn clean_when_everything_matches() {
        let registry = Registry::new()
            .table("orders", "tenant_id")
            .table("billing.invoices", "tenant_id");
        let c = catalogue(
            &["public"],
            &[
                ("public", "orders", &["tenant_id"]),
                ("billing", "invoices", &["tenant_id"]),
                ("public", "countries", &[]),
            ],
        );
        let report = check(&registry, &c, DbBackend::Postgres);
        assert!(report.is_clean(), "{report}");
    }

    #[test]
    fn reports_unregistered_and_missing() {
        let registry = Registry::new()
            .table("orders", "tenant_id")
            .table("customers", "tenant_id")
            .table("billing.invoices", "org_id");
        let c = catalogue(
            &["public"],
            &[
                ("public", "orders", &["tenant_id"]),
                ("public", "customers", &[]),
                ("public", "audit_log", &["tenant_id", "org_id"]),
                ("billing", "payments", &["org_id"]),
            ],
        );
        let report = check(&registry, &c, DbBackend::Postgres);
        insta::assert_snapshot!(report.to_string(), @r"
        the tenantry registry and the database disagree (2 unregistered, 2 missing):
          - `billing.payments` has tenant column `org_id` but is not registered, so it is not scoped; mark its entity with #[derive(TenantScoped)] or add it with `Registry::table`
          - `public.audit_log` has tenant column `tenant_id`, `org_id` but is not registered, so it is not scoped; mark its entity with #[derive(TenantScoped)] or add it with `Registry::table`
          - registered table `customers` has no tenant column `tenant_id`; add the column or register the right one
          - registered table `billing.invoices` does not exist in the database; run the migrations or fix its name
        ");
        assert_eq!(report.missing[0].missing, Missing::Column);
        assert_eq!(report.missing[1].missing, Missing::Table);
    }

    #[test]
    fn unqualified_registration_covers_every_schema_but_must_resolve() {
        let registry = Registry::new().table("orders", "tenant_id");
        let c = catalogue(
            &["app"],
            &[
                ("public", "orders", &["tenant_id"]),
                ("tenant_acme", "orders", &["tenant_id"]),
            ],
        );
        let report = check(&registry, &c, DbBackend::Postgres);
        assert!(report.unregistered.is_empty());
        assert_eq!(
            report.missing.len(),
            1,
            "`orders` is not on the search path"
        );
    }

    #[test]
    fn case_rules_per_backend() {
        let registry = Registry::new().table("Orders", "Tenant_ID");
        let c = catalogue(&["main"], &[("main", "orders", &["tenant_id"])]);
        assert!(check(&registry, &c, DbBackend::Sqlite).is_clean());
        let pg = check(&registry, &c, DbBackend::Postgres);
        assert_eq!(pg.missing.len(), 1);
        assert!(pg.unregistered.is_empty(), "column names differ in case");
        let my = check(&registry, &c, DbBackend::MySql);
        assert_eq!(
            my.unregistered.len(),
            1,
            "table names are case-sensitive on MySQL"
        );
    }
}
