//! Provisioning: creating, listing, suspending and dropping tenants in each placement.
//!
//! A [`Provisioner`] works on the control database (where the directory is) and on the
//! configured [`Servers`] with a role that may create schemas and databases (the migration
//! role, not the app role). It runs the app's own migrations into each new placement:
//! `S`, the migrator of a tenant schema (the scoped tables), and `D`, the migrator of a tenant
//! database (the reference tables and the scoped tables); the reference tables' rows are copied
//! from the control database into a new tenant database.
//!
//! `cli::run_cli` (feature `cli`, on by default) puts the same operations beside sea-orm-migration's own commands in the
//! app's migration binary: `tenants create|list|show|suspend|resume|drop`.

use std::sync::Arc;

use sea_orm_migration::MigratorTrait;
use sea_orm_migration::sea_orm::{
    ConnectionTrait, DatabaseConnection, DbBackend, Statement, TransactionTrait,
};
use tenantry::catalog::postgres as catalog;
use tenantry::placement::{
    Directory, Placement, Servers, TableDirectory, TenantRecord, TenantState,
};
use tenantry::policy;
use tenantry::sql::{QualifiedName, SettingName, quote_ident, quote_literal};
use tenantry::{DEFAULT_TENANT_COLUMN, TenantId};

use crate::connect::connect_with;
use crate::error::{Error, Result};
use crate::runner::Migrations;

#[cfg(feature = "cli")]
#[cfg_attr(docsrs, doc(cfg(feature = "cli")))]
pub mod cli;
pub(crate) mod copy;
#[cfg(feature = "cli")]
mod migrate_cli;
#[cfg(feature = "cli")]
mod move_cli;

/// What a [`Provisioner`] is built from; see [`Provisioner::builder`].
#[derive(Clone, Debug)]
pub struct ProvisionerBuilder {
    pub(crate) schema: Migrations,
    pub(crate) database: Migrations,
    pub(crate) reference_tables: Vec<String>,
    pub(crate) app_role: Option<String>,
    pub(crate) tenant_column: String,
    pub(crate) shared_schema: String,
    pub(crate) setting: SettingName,
}

impl ProvisionerBuilder {
    /// The reference tables copied into each new tenant database, in foreign-key order
    /// (default: none).
    pub fn reference_tables(mut self, tables: &[&str]) -> Self {
        self.reference_tables = tables.iter().map(|t| (*t).to_owned()).collect();
        self
    }

    /// The app role: granted `USAGE` on each new schema, `CONNECT` on each new database, the
    /// scoped tables and their sequences (and `SELECT` on reference tables); created on a
    /// tenant database's server when missing.
    pub fn app_role(mut self, role: impl Into<String>) -> Self {
        self.app_role = Some(role.into());
        self
    }

    /// The tenant column of the scoped tables (default `tenant_id`).
    pub fn tenant_column(mut self, column: impl Into<String>) -> Self {
        self.tenant_column = column.into();
        self
    }

    /// The control database's shared schema (default `public`).
    pub fn shared_schema(mut self, schema: impl Into<String>) -> Self {
        self.shared_schema = schema.into();
        self
    }

    /// The tenant setting the policies read (default `tenantry.tenant_id`).
    pub fn setting(mut self, setting: SettingName) -> Self {
        self.setting = setting;
        self
    }

    /// Connects to the control database at `control_url` (its directory is the
    /// `tenantry_tenants` table there) with `servers` for tenant databases; the control
    /// database's own server is the server `control` unless `servers` sets it.
    pub async fn connect(self, control_url: &str, servers: Servers) -> Result<Provisioner> {
        let servers = if servers.has_control() {
            servers
        } else {
            servers.with_control(control_url)?
        };
        let control = connect(control_url, None).await?;
        let directory: Arc<dyn Directory> = Arc::new(TableDirectory::new(control.clone()));
        Ok(Provisioner {
            config: self,
            control_url: control_url.to_owned(),
            control,
            directory,
            servers,
        })
    }
}

/// Creates and removes tenants in their placements, keeping the directory in step.
#[derive(Debug)]
pub struct Provisioner {
    pub(crate) config: ProvisionerBuilder,
    pub(crate) control_url: String,
    pub(crate) control: DatabaseConnection,
    pub(crate) directory: Arc<dyn Directory>,
    pub(crate) servers: Servers,
}

pub(crate) async fn connect(url: &str, search_path: Option<String>) -> Result<DatabaseConnection> {
    connect_with(url, 2, search_path).await
}

pub(crate) async fn exec(db: &impl ConnectionTrait, sql: &str) -> Result<()> {
    db.execute_unprepared(sql).await?;
    Ok(())
}

/// What a half-done `create` made, to be undone.
#[derive(Default)]
pub(crate) struct Made {
    schema: Option<String>,
    database: Option<(String, String)>,
}

impl Provisioner {
    /// A builder running `S` in new tenant schemas and `D` in new tenant databases.
    pub fn builder<S: MigratorTrait + 'static, D: MigratorTrait + 'static>() -> ProvisionerBuilder {
        ProvisionerBuilder {
            schema: Migrations::of::<S>(),
            database: Migrations::of::<D>(),
            reference_tables: Vec::new(),
            app_role: None,
            tenant_column: DEFAULT_TENANT_COLUMN.to_owned(),
            shared_schema: "public".to_owned(),
            setting: SettingName::default(),
        }
    }

    /// The directory it keeps.
    pub fn directory(&self) -> &Arc<dyn Directory> {
        &self.directory
    }

    /// Uses `directory` instead of the control database's table.
    pub fn with_directory(mut self, directory: Arc<dyn Directory>) -> Self {
        self.directory = directory;
        self
    }

    /// Every tenant.
    pub async fn list(&self) -> Result<Vec<TenantRecord>> {
        Ok(self.directory.list().await?)
    }

    /// One tenant.
    pub async fn show(&self, tenant: impl Into<TenantId>) -> Result<TenantRecord> {
        let tenant = tenant.into();
        self.directory
            .get(&tenant)
            .await?
            .ok_or_else(|| tenantry::Error::UnknownTenant {
                tenant: tenant.to_string(),
            })
            .map_err(Error::from)
    }

    /// Stops serving the tenant (`begin` refuses it once the apps' caches have expired).
    pub async fn suspend(&self, tenant: impl Into<TenantId>) -> Result<TenantRecord> {
        self.set_state(tenant.into(), TenantState::Suspended, "suspended")
            .await
    }

    /// Serves a suspended tenant again.
    pub async fn resume(&self, tenant: impl Into<TenantId>) -> Result<TenantRecord> {
        self.set_state(tenant.into(), TenantState::Active, "resumed")
            .await
    }

    async fn set_state(
        &self,
        tenant: TenantId,
        state: TenantState,
        what: &str,
    ) -> Result<TenantRecord> {
        self.show(tenant.clone()).await?;
        let record = self.directory.set_state(&tenant, state).await?;
        tracing::info!(target: "tenantry::audit", tenant = %tenant, state = %state, "tenant {what}");
        Ok(record)
    }

    /// Creates the tenant: its directory entry (`provisioning`), then its placement — nothing
    /// for `Shared`; for `Schema` the schema, the tenant migrations in it, the grants; for
    /// `Database` the database on its server, the reference tables and their rows, the tenant
    /// migrations, the role and grants — then marks it `active`. On failure everything it
    /// made is removed again (a schema or database that existed before is never touched) and
    /// the error is returned.
    pub async fn create(
        &self,
        tenant: impl Into<TenantId>,
        placement: Placement,
    ) -> Result<TenantRecord> {
        let tenant = tenant.into();
        if let Some(reason) = tenant.invalid_reason() {
            return Err(tenantry::Error::InvalidTenant {
                tenant: tenant.to_string(),
                reason: reason.into(),
            }
            .into());
        }
        placement.check()?;
        if let Placement::Database { server, .. } = &placement {
            self.servers.url(server)?;
        }
        let record =
            TenantRecord::new(tenant.clone(), placement.clone(), TenantState::Provisioning);
        self.directory.create(&record).await?;
        let mut made = Made::default();
        let provisioned = match &placement {
            Placement::Shared => Ok(()),
            Placement::Schema { schema } => self.create_schema(schema, &mut made).await,
            Placement::Database { server, database } => {
                self.create_database(server, database, &mut made).await
            }
            _ => Err(tenantry::Error::PlacementUnsupported {
                placement: placement.kind().into(),
                backend: "this version".into(),
            }
            .into()),
        };
        let provisioned = match provisioned {
            Ok(()) => self.unfence(&tenant, &placement).await,
            Err(e) => Err(e),
        };
        if let Err(e) = provisioned {
            self.undo(made).await;
            let _ = self.directory.remove(&tenant).await;
            return Err(e);
        }
        let record = self
            .directory
            .set_state(&tenant, TenantState::Active)
            .await?;
        tracing::info!(target: "tenantry::audit", tenant = %tenant, placement = %placement, "tenant created");
        Ok(record)
    }

    /// Removes a fence row of the tenant for `placement` in the control database — left by an
    /// earlier move away from it or an erase — so that a tenant created there is served. (A
    /// new tenant database has no fence rows.)
    async fn unfence(&self, tenant: &TenantId, placement: &Placement) -> Result<()> {
        if matches!(placement, Placement::Database { .. }) {
            return Ok(());
        }
        let fences = QualifiedName::qualified(
            self.config.shared_schema.as_str(),
            tenantry::placement::fence::FENCES_TABLE,
        );
        let present = self
            .control
            .query_one_raw(Statement::from_string(
                DbBackend::Postgres,
                format!(
                    "SELECT pg_catalog.to_regclass({}) IS NOT NULL AS e",
                    quote_literal(&fences.to_sql())
                ),
            ))
            .await?
            .map(|r| r.try_get::<bool>("", "e"))
            .transpose()?
            .unwrap_or(false);
        if present {
            self.control
                .execute_raw(Statement::from_sql_and_values(
                    DbBackend::Postgres,
                    format!(
                        "DELETE FROM {} WHERE tenant = $1 AND placement = $2",
                        fences.to_sql()
                    ),
                    [
                        tenant.to_setting().into(),
                        tenantry::placement::fence::placement_key(placement).into(),
                    ],
                ))
                .await?;
        }
        Ok(())
    }

    pub(crate) async fn create_schema(&self, schema: &str, made: &mut Made) -> Result<()> {
        exec(
            &self.control,
            &format!("CREATE SCHEMA {}", quote_ident(schema)),
        )
        .await?;
        made.schema = Some(schema.to_owned());
        let db = connect(
            &self.control_url,
            Some(format!("{schema},{}", self.config.shared_schema)),
        )
        .await?;
        let migrated = (self.config.schema.up_conn)(&db).await;
        let granted = match migrated {
            Ok(()) => self.grant(&db, Some(schema), &[]).await,
            Err(e) => Err(e.into()),
        };
        let _ = db.close().await;
        granted
    }

    pub(crate) async fn create_database(
        &self,
        server: &str,
        database: &str,
        made: &mut Made,
    ) -> Result<()> {
        let admin = connect(&self.servers.url(server)?, None).await?;
        let result = async {
            exec(
                &admin,
                &format!("CREATE DATABASE {}", quote_ident(database)),
            )
            .await?;
            made.database = Some((server.to_owned(), database.to_owned()));
            if let Some(role) = &self.config.app_role {
                for sql in [
                    policy::ensure_role(role),
                    format!(
                        "GRANT CONNECT ON DATABASE {} TO {}",
                        quote_ident(database),
                        quote_ident(role)
                    ),
                ] {
                    exec(&admin, &sql).await?;
                }
            }
            let db = connect(&self.servers.database_url(server, database)?, None).await?;
            let filled = async {
                (self.config.database.up_conn)(&db).await?;
                for sql in tenantry::placement::fence::install_sql(&self.config.shared_schema) {
                    exec(&db, &sql).await?;
                }
                for table in &self.config.reference_tables {
                    let name = QualifiedName::new(table.as_str());
                    db.execute_unprepared(&format!("DELETE FROM {}", name.to_sql()))
                        .await?;
                    copy::copy_table(&self.control, &db, &name).await?;
                }
                self.grant(&db, None, &self.config.reference_tables).await
            }
            .await;
            let _ = db.close().await;
            filled
        }
        .await;
        let _ = admin.close().await;
        result
    }

    /// Grants the app role the scoped tables (of `schema`, or of the shared schema), their
    /// sequences, and `SELECT` on `reference` tables.
    async fn grant(
        &self,
        db: &DatabaseConnection,
        schema: Option<&str>,
        reference: &[String],
    ) -> Result<()> {
        let Some(role) = &self.config.app_role else {
            return Ok(());
        };
        let schema = schema.unwrap_or(&self.config.shared_schema);
        let mut sql = vec![policy::grant_schema_usage(role, schema)];
        let tables = catalog::tenant_tables(db, &[self.config.tenant_column.as_str()]).await?;
        for t in tables.iter().filter(|t| t.name.schema() == Some(schema)) {
            sql.push(policy::grant_table_access(role, &t.name));
            for seq in catalog::owned_sequences(db, &t.name).await? {
                sql.push(policy::grant_sequence_usage(role, &seq));
            }
        }
        for table in reference {
            sql.push(format!(
                "GRANT SELECT ON {} TO {}",
                QualifiedName::qualified(schema, table.as_str()).to_sql(),
                quote_ident(role)
            ));
        }
        for s in sql {
            exec(db, &s).await?;
        }
        Ok(())
    }

    pub(crate) async fn undo(&self, made: Made) {
        if let Some(schema) = made.schema {
            let _ = exec(
                &self.control,
                &format!("DROP SCHEMA IF EXISTS {} CASCADE", quote_ident(&schema)),
            )
            .await;
        }
        if let Some((server, database)) = made.database
            && let Ok(url) = self.servers.url(&server)
            && let Ok(admin) = connect(&url, None).await
        {
            let _ = exec(
                &admin,
                &format!(
                    "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                    quote_ident(&database)
                ),
            )
            .await;
            let _ = admin.close().await;
        }
    }

    /// Brings a tenant database's copies of the reference tables to the control database's
    /// rows (upserts by primary key, deletes what the control database no longer has), in one
    /// transaction on the tenant database; returns the rows upserted and deleted. Nothing to do
    /// for shared and schema tenants, which read the shared schema's reference tables.
    pub async fn sync_reference(&self, tenant: impl Into<TenantId>) -> Result<(u64, u64)> {
        let record = self.show(tenant).await?;
        let Placement::Database { server, database } = &record.placement else {
            return Ok((0, 0));
        };
        let db = connect(&self.servers.database_url(server, database)?, None).await?;
        let tables: Vec<QualifiedName> = self
            .config
            .reference_tables
            .iter()
            .map(|t| QualifiedName::new(t.as_str()))
            .collect();
        let synced = copy::sync_tables(&self.control, &db, &tables).await;
        let _ = db.close().await;
        let synced = synced?;
        tracing::info!(
            target: "tenantry::placement",
            tenant = %record.tenant,
            upserted = synced.0,
            deleted = synced.1,
            "reference data synced"
        );
        Ok(synced)
    }

    /// Removes the tenant and its rows: for `Shared` its rows in the shared schema's scoped
    /// tables (children first), for `Schema` the schema, for `Database` the database; then its
    /// directory entry. Needs a `reason` (logged to `tenantry::audit`). An `active`,
    /// `read_only` or `moving` tenant is in use: suspend it first, or pass `force`; a tenant
    /// database with open sessions is in use too (`force` closes them).
    pub async fn drop_tenant(
        &self,
        tenant: impl Into<TenantId>,
        reason: &str,
        force: bool,
    ) -> Result<()> {
        let tenant = tenant.into();
        if reason.trim().is_empty() {
            return Err(Error::MissingReason);
        }
        let record = self.show(tenant.clone()).await?;
        if !force
            && matches!(
                record.state,
                TenantState::Active | TenantState::ReadOnly | TenantState::Moving
            )
        {
            return Err(Error::TenantInUse {
                tenant: tenant.to_string(),
                why: format!("it is {}: suspend it first, or force", record.state),
            });
        }
        tracing::info!(
            target: "tenantry::audit",
            tenant = %tenant,
            placement = %record.placement,
            reason,
            force,
            "tenant dropped"
        );
        self.directory
            .set_state(&tenant, TenantState::Deleted)
            .await?;
        self.remove_placement(&tenant, &record.placement, force)
            .await?;
        self.directory.remove(&tenant).await?;
        Ok(())
    }

    /// Removes the tenant's rows in `placement`: its rows of the shared tables, its schema
    /// (under the migration runner's lock of it: never while a runner migrates it), its
    /// database (refused while sessions are connected to it, unless `force`, which closes
    /// them).
    pub(crate) async fn remove_placement(
        &self,
        tenant: &TenantId,
        placement: &Placement,
        force: bool,
    ) -> Result<()> {
        match placement {
            Placement::Shared => {
                self.delete_shared_rows(tenant).await?;
            }
            Placement::Schema { schema } => {
                let txn = self.control.begin().await?;
                exec(
                    &txn,
                    &crate::runner::lock_target_sql(&format!("schema:{schema}"), true),
                )
                .await?;
                exec(
                    &txn,
                    &format!("DROP SCHEMA IF EXISTS {} CASCADE", quote_ident(schema)),
                )
                .await?;
                txn.commit().await?;
            }
            Placement::Database { server, database } => {
                let admin = connect(&self.servers.url(server)?, None).await?;
                let result = async {
                    let sessions = admin
                        .query_one_raw(Statement::from_sql_and_values(
                            DbBackend::Postgres,
                            "SELECT count(*) AS n FROM pg_catalog.pg_stat_activity \
                             WHERE datname = $1 AND pid <> pg_backend_pid()",
                            [database.as_str().into()],
                        ))
                        .await?
                        .map(|r| r.try_get::<i64>("", "n"))
                        .transpose()?
                        .unwrap_or(0);
                    if sessions > 0 && !force {
                        return Err(Error::TenantInUse {
                            tenant: tenant.to_string(),
                            why: format!(
                                "{sessions} session(s) are connected to its database `{database}`; \
                                 close them, or force"
                            ),
                        });
                    }
                    exec(
                        &admin,
                        &format!(
                            "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                            quote_ident(database)
                        ),
                    )
                    .await
                }
                .await;
                let _ = admin.close().await;
                result?;
            }
            _ => {}
        }
        Ok(())
    }

    /// Deletes the tenant's rows from the shared schema's scoped tables, children first, in
    /// one transaction with the tenant set (Row-Level Security binds the owner too); returns
    /// the rows deleted per table.
    pub(crate) async fn delete_shared_rows(&self, tenant: &TenantId) -> Result<Vec<(String, u64)>> {
        let column = self.config.tenant_column.as_str();
        let tables: Vec<_> = catalog::tenant_tables(&self.control, &[column])
            .await?
            .into_iter()
            .filter(|t| {
                t.name.schema() == Some(self.config.shared_schema.as_str()) && !t.is_partition
            })
            .collect();
        let fks = catalog::foreign_keys(&self.control, &tables).await?;
        let oids: Vec<i64> = tables.iter().map(|t| t.oid).collect();
        let refs: Vec<(i64, i64)> = fks.iter().map(|f| (f.table_oid, f.target_oid)).collect();
        let (mut order, cyclic) = catalog::dependency_order(&oids, &refs);
        order.extend(cyclic);
        let txn = self.control.begin().await?;
        txn.execute_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT set_config($1, $2, true)",
            [
                self.config.setting.as_str().into(),
                tenant.to_setting().into(),
            ],
        ))
        .await?;
        let mut deleted = Vec::new();
        for oid in order.iter().rev() {
            let Some(t) = tables.iter().find(|t| t.oid == *oid) else {
                continue;
            };
            let done = txn
                .execute_raw(Statement::from_sql_and_values(
                    DbBackend::Postgres,
                    format!(
                        "DELETE FROM {} WHERE {}::text = $1",
                        t.name.to_sql(),
                        quote_ident(&t.column)
                    ),
                    [tenant.to_setting().into()],
                ))
                .await?;
            deleted.push((t.name.name().to_owned(), done.rows_affected()));
        }
        txn.commit().await?;
        Ok(deleted)
    }
}
