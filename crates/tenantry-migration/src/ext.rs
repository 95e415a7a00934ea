//! The extension trait on `SchemaManager`.

use async_trait::async_trait;
use sea_orm_migration::SchemaManager;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};
use sea_orm_migration::sea_query::{IntoTableRef, SchemaName, TableName, TableRef};
use tenantry::catalog::postgres as catalog;
use tenantry::policy::{self, ColumnType, PolicyConfig, QualifiedName};

use crate::error::{Error, Result};

/// Table privileges the app role must never hold: `TRUNCATE` ignores Row-Level Security,
/// `TRIGGER` and `REFERENCES` let it observe or block other tenants' writes.
const FORBIDDEN_TABLE_PRIVILEGES: [&str; 3] = ["TRUNCATE", "REFERENCES", "TRIGGER"];

/// tenantry's migration helpers, as methods on sea-orm-migration's [`SchemaManager`].
///
/// RLS and role helpers act on PostgreSQL and are documented no-ops on MySQL/MariaDB and
/// SQLite (only the app layer protects tenants there); schema helpers work on every backend.
/// Tables are anything sea-query accepts as a table (`Orders::Table`, `(Schema, Table)`,
/// `Alias::new("orders")`).
#[async_trait]
pub trait TenantMigrationExt {
    /// Installs tenant isolation on a table with [`PolicyConfig::default`]: `ENABLE` and
    /// `FORCE ROW LEVEL SECURITY`, the permissive base policy and the restrictive guard, on
    /// the table and each existing partition. The tenant column's type is read from the
    /// catalogue. Idempotent.
    async fn enable_tenant_isolation<T>(&self, table: T, column: &str) -> Result<()>
    where
        T: IntoTableRef + Send;

    /// [`enable_tenant_isolation`](Self::enable_tenant_isolation) with other setting or
    /// policy names.
    async fn enable_tenant_isolation_with<T>(
        &self,
        table: T,
        column: &str,
        config: &PolicyConfig,
    ) -> Result<()>
    where
        T: IntoTableRef + Send;

    /// Installs isolation on one partition created or attached after the parent's
    /// [`enable_tenant_isolation`](Self::enable_tenant_isolation).
    async fn enable_partition_isolation<T>(
        &self,
        partition: T,
        column: &str,
        config: &PolicyConfig,
    ) -> Result<()>
    where
        T: IntoTableRef + Send;

    /// The `down` of [`enable_tenant_isolation`](Self::enable_tenant_isolation): drops both
    /// policies, `NO FORCE`, `DISABLE ROW LEVEL SECURITY` (table and partitions).
    async fn disable_tenant_isolation<T>(&self, table: T) -> Result<()>
    where
        T: IntoTableRef + Send;

    /// [`disable_tenant_isolation`](Self::disable_tenant_isolation) with other policy names.
    async fn disable_tenant_isolation_with<T>(&self, table: T, config: &PolicyConfig) -> Result<()>
    where
        T: IntoTableRef + Send;

    /// Creates the application role unless it exists: `LOGIN NOSUPERUSER NOBYPASSRLS
    /// NOINHERIT NOCREATEDB NOCREATEROLE`, no password (set it outside migrations). Needs
    /// `CREATEROLE`. Roles are cluster-wide: a `down` usually leaves it in place.
    async fn ensure_app_role(&self, role: &str) -> Result<()>;

    /// Grants the app role what it needs on these tables and nothing more: `USAGE` on their
    /// schema, `SELECT, INSERT, UPDATE, DELETE`, `USAGE` (not `UPDATE`) on their serial and
    /// identity sequences; revokes `TRUNCATE, REFERENCES, TRIGGER`.
    async fn grant_app_role<I, T>(&self, role: &str, tables: I) -> Result<()>
    where
        I: IntoIterator<Item = T> + Send,
        I::IntoIter: Send,
        T: IntoTableRef + Send;

    /// The `down` of [`grant_app_role`](Self::grant_app_role): revokes every privilege on
    /// the tables and their sequences.
    async fn revoke_app_role<I, T>(&self, role: &str, tables: I) -> Result<()>
    where
        I: IntoIterator<Item = T> + Send,
        I::IntoIter: Send,
        T: IntoTableRef + Send;

    /// Grants `role` `SELECT` on the tenant directory ([`crate::directory_migration`], in the
    /// current schema), so that an app running as `role` can follow it (PostgreSQL; a no-op
    /// elsewhere). Never more: the app role does not change the directory.
    async fn grant_directory_read(&self, role: &str) -> Result<()>;

    /// The `down` of [`grant_directory_read`](Self::grant_directory_read).
    async fn revoke_directory_read(&self, role: &str) -> Result<()>;

    /// Revokes `TEMPORARY` on the current database from `PUBLIC` (and so from the app
    /// role): temporary tables come first in the search path and could shadow a scoped table.
    async fn revoke_temp_from_public(&self) -> Result<()>;

    /// The `down` of [`revoke_temp_from_public`](Self::revoke_temp_from_public).
    async fn grant_temp_to_public(&self) -> Result<()>;

    /// Creates `<table>_<tenant>_<columns…>_idx`, an index on `(tenant, columns…)` whose
    /// leading column is the tenant column (`IF NOT EXISTS`). Pass `&[]` for the tenant
    /// column alone; `&["customer_id"]` serves the composite foreign key's lookups too.
    async fn create_tenant_index<T>(
        &self,
        table: T,
        tenant_column: &str,
        columns: &[&str],
    ) -> Result<()>
    where
        T: IntoTableRef + Send;

    /// Drops an index made by [`create_tenant_index`](Self::create_tenant_index) (`IF EXISTS`).
    async fn drop_tenant_index<T>(
        &self,
        table: T,
        tenant_column: &str,
        columns: &[&str],
    ) -> Result<()>
    where
        T: IntoTableRef + Send;

    /// Creates a unique index `(tenant, columns…)`: `(tenant_id, id)` as the target of
    /// composite foreign keys, `(tenant_id, email)` for per-tenant uniqueness.
    async fn add_tenant_unique<T>(
        &self,
        table: T,
        tenant_column: &str,
        columns: &[&str],
    ) -> Result<()>
    where
        T: IntoTableRef + Send;

    /// Adds the composite foreign key `(tenant, columns…) → target (tenant,
    /// target_columns…)`; the target needs [`add_tenant_unique`](Self::add_tenant_unique)
    /// on those columns. SQLite cannot add keys to existing tables: there, put
    /// [`tenantry::policy::tenant_foreign_key`] in the `Table::create()` instead (this call
    /// returns an error).
    async fn add_tenant_foreign_key<T, U>(
        &self,
        table: T,
        tenant_column: &str,
        columns: &[&str],
        target: U,
        target_columns: &[&str],
    ) -> Result<()>
    where
        T: IntoTableRef + Send,
        U: IntoTableRef + Send;
}

/// The qualified name sea-query's table reference denotes.
fn name_of<T: IntoTableRef>(table: T) -> Result<QualifiedName> {
    match table.into_table_ref() {
        TableRef::Table(TableName(schema, name), _) => Ok(match schema {
            Some(SchemaName(_, s)) => QualifiedName::qualified(s.to_string(), name.to_string()),
            None => QualifiedName::new(name.to_string()),
        }),
        _ => Err(Error::NotATable),
    }
}

/// The table's name as the catalogue stores it (PostgreSQL).
async fn resolve<C: ConnectionTrait>(db: &C, table: &QualifiedName) -> Result<QualifiedName> {
    catalog::resolve(db, table)
        .await?
        .ok_or_else(|| Error::TableNotFound {
            table: table.to_string(),
        })
}

/// The tenant column's type, for the policies' cast (PostgreSQL).
async fn column_type<C: ConnectionTrait>(
    db: &C,
    table: &QualifiedName,
    column: &str,
) -> Result<ColumnType> {
    let name = catalog::column_type(db, table, column)
        .await?
        .ok_or_else(|| Error::ColumnNotFound {
            table: table.to_string(),
            column: column.to_owned(),
        })?;
    Ok(ColumnType::from_catalog(name)?)
}

async fn run_all<C: ConnectionTrait>(db: &C, statements: &[String]) -> Result<()> {
    for sql in statements {
        db.execute_unprepared(sql).await?;
    }
    Ok(())
}

/// sea-query writes MySQL index statements for unqualified tables only (and panics
/// otherwise): refuse with an error instead.
fn check_mysql_names(manager: &SchemaManager<'_>, tables: &[&QualifiedName]) -> Result<()> {
    if manager.get_database_backend() == DbBackend::MySql
        && let Some(t) = tables.iter().find(|t| t.schema().is_some())
    {
        return Err(Error::Unsupported {
            backend: "MySQL",
            what: format!("index the schema-qualified table `{t}`"),
            hint: "name the table without a schema (connect to its database)".into(),
        });
    }
    Ok(())
}

fn is_postgres(manager: &SchemaManager<'_>) -> bool {
    manager.get_database_backend() == DbBackend::Postgres
}

/// Runs the statement `sql` makes for the tenant directory table (PostgreSQL only).
async fn on_directory(
    manager: &SchemaManager<'_>,
    sql: impl FnOnce(&QualifiedName) -> String,
) -> Result<()> {
    if !is_postgres(manager) {
        return Ok(());
    }
    let db = manager.get_connection();
    let table = resolve(
        db,
        &QualifiedName::new(tenantry::placement::DIRECTORY_TABLE),
    )
    .await?;
    run_all(db, &[sql(&table)]).await
}

#[async_trait]
impl TenantMigrationExt for SchemaManager<'_> {
    async fn enable_tenant_isolation<T>(&self, table: T, column: &str) -> Result<()>
    where
        T: IntoTableRef + Send,
    {
        self.enable_tenant_isolation_with(table, column, &PolicyConfig::default())
            .await
    }

    async fn enable_tenant_isolation_with<T>(
        &self,
        table: T,
        column: &str,
        config: &PolicyConfig,
    ) -> Result<()>
    where
        T: IntoTableRef + Send,
    {
        let table = name_of(table)?;
        if !is_postgres(self) {
            return Ok(());
        }
        let db = self.get_connection();
        let table = resolve(db, &table).await?;
        let ty = column_type(db, &table, column).await?;
        let parts = catalog::partitions(db, &table).await?;
        run_all(
            db,
            &policy::isolate_partitioned(&table, &parts, column, &ty, config),
        )
        .await
    }

    async fn enable_partition_isolation<T>(
        &self,
        partition: T,
        column: &str,
        config: &PolicyConfig,
    ) -> Result<()>
    where
        T: IntoTableRef + Send,
    {
        self.enable_tenant_isolation_with(partition, column, config)
            .await
    }

    async fn disable_tenant_isolation<T>(&self, table: T) -> Result<()>
    where
        T: IntoTableRef + Send,
    {
        self.disable_tenant_isolation_with(table, &PolicyConfig::default())
            .await
    }

    async fn disable_tenant_isolation_with<T>(&self, table: T, config: &PolicyConfig) -> Result<()>
    where
        T: IntoTableRef + Send,
    {
        let table = name_of(table)?;
        if !is_postgres(self) {
            return Ok(());
        }
        let db = self.get_connection();
        let table = resolve(db, &table).await?;
        let parts = catalog::partitions(db, &table).await?;
        run_all(db, &policy::release_partitioned(&table, &parts, config)).await
    }

    async fn ensure_app_role(&self, role: &str) -> Result<()> {
        if !is_postgres(self) {
            return Ok(());
        }
        run_all(self.get_connection(), &[policy::ensure_role(role)]).await
    }

    async fn grant_app_role<I, T>(&self, role: &str, tables: I) -> Result<()>
    where
        I: IntoIterator<Item = T> + Send,
        I::IntoIter: Send,
        T: IntoTableRef + Send,
    {
        let names = tables
            .into_iter()
            .map(name_of)
            .collect::<Result<Vec<_>, _>>()?;
        if !is_postgres(self) {
            return Ok(());
        }
        let db = self.get_connection();
        let mut sql = Vec::new();
        for table in names {
            let table = resolve(db, &table).await?;
            if let Some(schema) = table.schema() {
                sql.push(policy::grant_schema_usage(role, schema));
            }
            sql.push(policy::grant_table_access(role, &table));
            sql.push(policy::revoke_table_privileges(
                role,
                &table,
                &FORBIDDEN_TABLE_PRIVILEGES,
                false,
            ));
            for seq in catalog::owned_sequences(db, &table).await? {
                sql.push(policy::grant_sequence_usage(role, &seq));
                sql.push(policy::revoke_sequence_update(role, &seq, false));
            }
        }
        run_all(db, &sql).await
    }

    async fn revoke_app_role<I, T>(&self, role: &str, tables: I) -> Result<()>
    where
        I: IntoIterator<Item = T> + Send,
        I::IntoIter: Send,
        T: IntoTableRef + Send,
    {
        let names = tables
            .into_iter()
            .map(name_of)
            .collect::<Result<Vec<_>, _>>()?;
        if !is_postgres(self) {
            return Ok(());
        }
        let db = self.get_connection();
        let mut sql = Vec::new();
        for table in names {
            let table = resolve(db, &table).await?;
            sql.push(policy::revoke_table_access(role, &table, false));
            for seq in catalog::owned_sequences(db, &table).await? {
                sql.push(format!(
                    "REVOKE ALL ON SEQUENCE {} FROM {}",
                    seq.to_sql(),
                    policy::quote_ident(role)
                ));
            }
        }
        run_all(db, &sql).await
    }

    async fn grant_directory_read(&self, role: &str) -> Result<()> {
        on_directory(self, |table| policy::grant_table_read(role, table)).await
    }

    async fn revoke_directory_read(&self, role: &str) -> Result<()> {
        on_directory(self, |table| {
            policy::revoke_table_access(role, table, false)
        })
        .await
    }

    async fn revoke_temp_from_public(&self) -> Result<()> {
        if !is_postgres(self) {
            return Ok(());
        }
        run_all(self.get_connection(), &[policy::revoke_temp_from_public()]).await
    }

    async fn grant_temp_to_public(&self) -> Result<()> {
        if !is_postgres(self) {
            return Ok(());
        }
        run_all(self.get_connection(), &[policy::grant_temp_to_public()]).await
    }

    async fn create_tenant_index<T>(
        &self,
        table: T,
        tenant_column: &str,
        columns: &[&str],
    ) -> Result<()>
    where
        T: IntoTableRef + Send,
    {
        let table = name_of(table)?;
        check_mysql_names(self, &[&table])?;
        Ok(self
            .create_index(policy::tenant_index(&table, tenant_column, columns))
            .await?)
    }

    async fn drop_tenant_index<T>(
        &self,
        table: T,
        tenant_column: &str,
        columns: &[&str],
    ) -> Result<()>
    where
        T: IntoTableRef + Send,
    {
        let table = name_of(table)?;
        check_mysql_names(self, &[&table])?;
        let mut all = vec![tenant_column];
        all.extend_from_slice(columns);
        let name = policy::default_name(&table, &all, "idx");
        let mut stmt = policy::drop_index(&table, &name);
        if self.get_database_backend() == DbBackend::MySql {
            // MySQL has no `DROP INDEX IF EXISTS`.
            stmt = sea_orm_migration::sea_query::Index::drop()
                .name(name)
                .table(policy::table_ref(&table))
                .to_owned();
        }
        Ok(self.drop_index(stmt).await?)
    }

    async fn add_tenant_unique<T>(
        &self,
        table: T,
        tenant_column: &str,
        columns: &[&str],
    ) -> Result<()>
    where
        T: IntoTableRef + Send,
    {
        let table = name_of(table)?;
        check_mysql_names(self, &[&table])?;
        Ok(self
            .create_index(policy::tenant_unique(&table, tenant_column, columns))
            .await?)
    }

    async fn add_tenant_foreign_key<T, U>(
        &self,
        table: T,
        tenant_column: &str,
        columns: &[&str],
        target: U,
        target_columns: &[&str],
    ) -> Result<()>
    where
        T: IntoTableRef + Send,
        U: IntoTableRef + Send,
    {
        let table = name_of(table)?;
        let target = name_of(target)?;
        match self.get_database_backend() {
            DbBackend::Sqlite => {
                return Err(Error::Unsupported {
                    backend: "SQLite",
                    what: format!("add a foreign key to the existing table `{table}`"),
                    hint: "put `tenantry::policy::tenant_foreign_key(…)` in its `Table::create()`"
                        .into(),
                });
            }
            DbBackend::MySql if table.schema().is_some() || target.schema().is_some() => {
                return Err(Error::Unsupported {
                    backend: "MySQL",
                    what: format!("add a foreign key between `{table}` and `{target}` by schema"),
                    hint: "name both tables without a schema".into(),
                });
            }
            _ => {}
        }
        Ok(self
            .create_foreign_key(policy::tenant_foreign_key(
                &table,
                tenant_column,
                columns,
                &target,
                target_columns,
            ))
            .await?)
    }
}
