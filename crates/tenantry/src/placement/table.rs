//! [`TableDirectory`]: the directory as the `tenantry_tenants` table of the control database.

use async_trait::async_trait;
use sea_orm::sea_query::{
    Alias, ColumnDef, Expr, ExprTrait, Order, Query, SimpleExpr, Table, TableCreateStatement,
};
use sea_orm::{ConnectionTrait, DatabaseConnection, QueryResult, SqlErr};

use super::directory::Directory;
use super::model::{Placement, TenantRecord, TenantState};
use crate::error::{Error, Result};
use crate::tenant::{TenantId, TenantIdType};

/// The directory table's name.
pub const DIRECTORY_TABLE: &str = "tenantry_tenants";

const COLUMNS: [&str; 8] = [
    "tenant",
    "id_type",
    "placement",
    "schema_name",
    "server",
    "database_name",
    "state",
    "version",
];

fn col(name: &str) -> Alias {
    Alias::new(name)
}

/// `CREATE TABLE tenantry_tenants (…)`, for any backend: the tenant's id (`tenant`, as text,
/// the key; not named like a tenant column, since the directory is not tenant data) and its
/// type, placement kind, schema, server and database names, state, version, last change.
///
/// `tenantry_migration::directory_migration()` runs it; the app role needs `SELECT` on it.
pub fn directory_table() -> TableCreateStatement {
    Table::create()
        .table(col(DIRECTORY_TABLE))
        .if_not_exists()
        .col(
            ColumnDef::new(col("tenant"))
                .string_len(255)
                .not_null()
                .primary_key(),
        )
        .col(ColumnDef::new(col("id_type")).string_len(16).not_null())
        .col(ColumnDef::new(col("placement")).string_len(16).not_null())
        .col(ColumnDef::new(col("schema_name")).string_len(63).null())
        .col(ColumnDef::new(col("server")).string_len(63).null())
        .col(ColumnDef::new(col("database_name")).string_len(63).null())
        .col(ColumnDef::new(col("state")).string_len(16).not_null())
        .col(
            ColumnDef::new(col("version"))
                .big_integer()
                .not_null()
                .default(1),
        )
        .col(
            ColumnDef::new(col("updated_at"))
                .timestamp()
                .not_null()
                .default(Expr::current_timestamp()),
        )
        .to_owned()
}

/// The [`Directory`] kept in the `tenantry_tenants` table ([`directory_table`]) of the
/// control database, on PostgreSQL, MySQL/MariaDB or SQLite.
///
/// Give it a connection that may read the table (the app role, with `SELECT`) for serving,
/// and one that may write it for provisioning.
#[derive(Debug, Clone)]
pub struct TableDirectory {
    db: DatabaseConnection,
}

impl TableDirectory {
    /// The directory in `db`'s `tenantry_tenants` table.
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }

    fn key(tenant: &TenantId) -> SimpleExpr {
        Expr::col(col("tenant")).eq(tenant.to_string())
    }

    async fn fetch(&self, filter: Option<SimpleExpr>) -> Result<Vec<TenantRecord>> {
        let mut select = Query::select();
        select
            .columns(COLUMNS.map(col))
            .from(col(DIRECTORY_TABLE))
            .order_by(col("tenant"), Order::Asc);
        if let Some(f) = filter {
            select.and_where(f);
        }
        let stmt = self.db.get_database_backend().build(&select);
        self.db
            .query_all_raw(stmt)
            .await?
            .iter()
            .map(record_of)
            .collect()
    }

    async fn exec(&self, stmt: sea_orm::Statement) -> Result<u64> {
        Ok(self.db.execute_raw(stmt).await?.rows_affected())
    }
}

fn id_type_name(tenant: &TenantId) -> &'static str {
    tenant.id_type().name()
}

fn tenant_of(id_type: &str, text: &str) -> Result<TenantId> {
    let bad = || Error::Directory {
        message: format!(
            "{DIRECTORY_TABLE} holds tenant `{text}` of type `{id_type}`, which does not parse"
        ),
    };
    Ok(match id_type {
        t if t == TenantIdType::Uuid.name() => {
            TenantId::from(uuid::Uuid::parse_str(text).map_err(|_| bad())?)
        }
        t if t == TenantIdType::I32.name() => {
            TenantId::from(text.parse::<i32>().map_err(|_| bad())?)
        }
        t if t == TenantIdType::I64.name() => {
            TenantId::from(text.parse::<i64>().map_err(|_| bad())?)
        }
        t if t == TenantIdType::String.name() => TenantId::from(text),
        _ => return Err(bad()),
    })
}

fn record_of(row: &QueryResult) -> Result<TenantRecord> {
    let get = |c: &str| -> Result<Option<String>> { Ok(row.try_get::<Option<String>>("", c)?) };
    let text = |c: &str| -> Result<String> {
        get(c)?.ok_or_else(|| Error::Directory {
            message: format!("{DIRECTORY_TABLE}.{c} is NULL"),
        })
    };
    let tenant_text = text("tenant")?;
    let tenant = tenant_of(&text("id_type")?, &tenant_text)?;
    let kind = text("placement")?;
    let missing = |c: &str| Error::Directory {
        message: format!(
            "{DIRECTORY_TABLE}: tenant `{tenant_text}` is placed `{kind}` but has no {c}"
        ),
    };
    let placement = match kind.as_str() {
        "shared" => Placement::Shared,
        "schema" => Placement::schema(&get("schema_name")?.ok_or_else(|| missing("schema_name"))?)?,
        "database" => Placement::database(
            &get("server")?.ok_or_else(|| missing("server"))?,
            &get("database_name")?.ok_or_else(|| missing("database_name"))?,
        )?,
        other => {
            return Err(Error::Directory {
                message: format!(
                    "{DIRECTORY_TABLE}: tenant `{tenant_text}` has unknown placement `{other}`"
                ),
            });
        }
    };
    Ok(TenantRecord {
        tenant,
        placement,
        state: TenantState::parse(&text("state")?)?,
        version: row.try_get::<i64>("", "version")?,
    })
}

/// The placement columns' values: (kind, schema, server, database).
fn placement_values(p: &Placement) -> [SimpleExpr; 4] {
    let null = || Expr::value(Option::<String>::None);
    match p {
        Placement::Shared => [Expr::value("shared"), null(), null(), null()],
        Placement::Schema { schema } => [
            Expr::value("schema"),
            Expr::value(schema.as_str()),
            null(),
            null(),
        ],
        Placement::Database { server, database } => [
            Expr::value("database"),
            null(),
            Expr::value(server.as_str()),
            Expr::value(database.as_str()),
        ],
    }
}

#[async_trait]
impl Directory for TableDirectory {
    async fn get(&self, tenant: &TenantId) -> Result<Option<TenantRecord>> {
        Ok(self
            .fetch(Some(Self::key(tenant)))
            .await?
            .into_iter()
            .next())
    }

    async fn list(&self) -> Result<Vec<TenantRecord>> {
        self.fetch(None).await
    }

    async fn create(&self, record: &TenantRecord) -> Result<()> {
        record.placement.check()?;
        let [kind, schema, server, database] = placement_values(&record.placement);
        let insert = Query::insert()
            .into_table(col(DIRECTORY_TABLE))
            .columns(COLUMNS.map(col))
            .values_panic([
                Expr::value(record.tenant.to_string()),
                Expr::value(id_type_name(&record.tenant)),
                kind,
                schema,
                server,
                database,
                Expr::value(record.state.as_str()),
                Expr::value(record.version),
            ])
            .to_owned();
        let stmt = self.db.get_database_backend().build(&insert);
        match self.db.execute_raw(stmt).await {
            Ok(_) => Ok(()),
            Err(e) if matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
                Err(Error::TenantExists {
                    tenant: record.tenant.to_string(),
                })
            }
            Err(e) => Err(e.into()),
        }
    }

    async fn set_state(&self, tenant: &TenantId, state: TenantState) -> Result<TenantRecord> {
        let update = Query::update()
            .table(col(DIRECTORY_TABLE))
            .value(col("state"), state.as_str())
            .value(col("updated_at"), Expr::current_timestamp())
            .and_where(Self::key(tenant))
            .to_owned();
        self.exec(self.db.get_database_backend().build(&update))
            .await?;
        self.get(tenant).await?.ok_or_else(|| Error::UnknownTenant {
            tenant: tenant.to_string(),
        })
    }

    async fn set_placement(
        &self,
        tenant: &TenantId,
        placement: &Placement,
        expected_version: i64,
    ) -> Result<TenantRecord> {
        placement.check()?;
        let [kind, schema, server, database] = placement_values(placement);
        let update = Query::update()
            .table(col(DIRECTORY_TABLE))
            .value(col("placement"), kind)
            .value(col("schema_name"), schema)
            .value(col("server"), server)
            .value(col("database_name"), database)
            .value(col("version"), Expr::col(col("version")).add(1))
            .value(col("updated_at"), Expr::current_timestamp())
            .and_where(Self::key(tenant))
            .and_where(Expr::col(col("version")).eq(expected_version))
            .to_owned();
        let changed = self
            .exec(self.db.get_database_backend().build(&update))
            .await?;
        let record = self
            .get(tenant)
            .await?
            .ok_or_else(|| Error::UnknownTenant {
                tenant: tenant.to_string(),
            })?;
        if changed == 0 {
            return Err(Error::StalePlacement {
                tenant: tenant.to_string(),
                expected: expected_version,
                found: record.version,
            });
        }
        Ok(record)
    }

    async fn remove(&self, tenant: &TenantId) -> Result<()> {
        let delete = Query::delete()
            .from_table(col(DIRECTORY_TABLE))
            .and_where(Self::key(tenant))
            .to_owned();
        match self
            .exec(self.db.get_database_backend().build(&delete))
            .await?
        {
            0 => Err(Error::UnknownTenant {
                tenant: tenant.to_string(),
            }),
            _ => Ok(()),
        }
    }
}
