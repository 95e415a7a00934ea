//! Where `begin` opens a tenant's transaction: the directory lookup (cached), the state
//! check, and the connection and search path of the tenant's placement.

use std::sync::Arc;
use std::time::Duration;

use sea_orm::{DatabaseConnection, DbErr};

use super::cache::PlacementCache;
use super::directory::Directory;
use super::model::{Placement, TenantRecord, TenantState};
use super::pools::{PoolStats, Pools};
use super::servers::Servers;
use crate::error::{Error, Result};
use crate::sql::QualifiedName;
use crate::tenant::TenantId;

/// How `TenantDatabase` follows a directory.
#[derive(Debug)]
pub(crate) struct Router {
    directory: Arc<dyn Directory>,
    cache: PlacementCache,
    pools: Pools,
    shared_schema: String,
}

/// Where one transaction runs.
pub(crate) enum Route {
    /// On the control database; `search_path` for a schema placement.
    Control { search_path: Option<Vec<String>> },
    /// On a tenant database's pool.
    Pool {
        conn: DatabaseConnection,
        server: String,
        database: String,
    },
}

/// Router settings, with their defaults.
#[derive(Clone, Debug)]
pub(crate) struct RouterConfig {
    pub(crate) cache_capacity: usize,
    pub(crate) cache_ttl: Duration,
    pub(crate) max_pools: usize,
    pub(crate) connection_budget: u32,
    pub(crate) shared_schema: String,
    /// Whether tenant transactions check the fence (see [`super::fence`]).
    pub(crate) fences: bool,
}

impl Default for RouterConfig {
    fn default() -> Self {
        Self {
            cache_capacity: 10_000,
            cache_ttl: Duration::from_secs(30),
            max_pools: 64,
            connection_budget: 256,
            shared_schema: "public".to_owned(),
            fences: true,
        }
    }
}

impl Router {
    pub(crate) fn new(
        directory: Arc<dyn Directory>,
        servers: Servers,
        config: &RouterConfig,
    ) -> Self {
        Self {
            directory,
            cache: PlacementCache::new(config.cache_capacity, config.cache_ttl),
            pools: Pools::new(servers, config.max_pools, config.connection_budget),
            shared_schema: config.shared_schema.clone(),
        }
    }

    pub(crate) fn directory(&self) -> &Arc<dyn Directory> {
        &self.directory
    }

    pub(crate) fn servers(&self) -> &Servers {
        self.pools.servers()
    }

    pub(crate) fn pool_stats(&self) -> PoolStats {
        self.pools.stats()
    }

    pub(crate) fn cache_counts(&self) -> (u64, u64) {
        self.cache.counts()
    }

    pub(crate) fn invalidate(&self, tenant: &TenantId) {
        self.cache.invalidate(&tenant.to_string());
    }

    pub(crate) fn invalidate_all(&self) {
        self.cache.clear();
    }

    /// The tenant's entry: from the cache, or from the directory (then cached).
    pub(crate) async fn record(&self, tenant: &TenantId) -> Result<TenantRecord> {
        let key = tenant.to_string();
        if let Some(record) = self.cache.get(&key) {
            return Ok(record);
        }
        let record = self
            .directory
            .get(tenant)
            .await?
            .ok_or_else(|| Error::UnknownTenant {
                tenant: key.clone(),
            })?;
        record.placement.check()?;
        self.cache.insert(key, record.clone());
        Ok(record)
    }

    /// Refuses a tenant its state does not let `begin` serve.
    pub(crate) fn check_state(record: &TenantRecord) -> Result<()> {
        if record.state.serves() {
            return Ok(());
        }
        let hint = match record.state {
            TenantState::Provisioning => {
                "its placement is still being created; retry when provisioning is done"
            }
            TenantState::Suspended => "resume it to serve it again",
            _ => "it no longer exists",
        };
        Err(Error::TenantUnavailable {
            tenant: record.tenant.to_string(),
            state: record.state.to_string(),
            hint: hint.into(),
        })
    }

    /// Where the tenant's transaction runs.
    pub(crate) async fn route(&self, placement: &Placement) -> Result<Route> {
        match placement {
            Placement::Shared => Ok(Route::Control { search_path: None }),
            Placement::Schema { schema } => Ok(Route::Control {
                search_path: Some(vec![schema.clone(), self.shared_schema.clone()]),
            }),
            Placement::Database { server, database } => Ok(Route::Pool {
                conn: self.pools.get(server, database).await?,
                server: server.clone(),
                database: database.clone(),
            }),
        }
    }
}

/// A schema placement whose schema does not exist: never served from the next schema on
/// the search path.
pub(crate) fn missing_schema(tenant: &TenantId, placement: &Placement, err: DbErr) -> DbErr {
    if crate::error::sqlstate(&err).as_deref() == Some("42P01")
        && err.to_string().contains(NO_USAGE)
    {
        return Error::PlacementNotUsable {
            tenant: tenant.to_string(),
            placement: placement.to_string(),
        }
        .into();
    }
    if crate::error::sqlstate(&err).as_deref() == Some("3F000") {
        return Error::PlacementMissing {
            tenant: tenant.to_string(),
            placement: placement.to_string(),
            message: err.to_string(),
        }
        .into();
    }
    err
}

/// The start of the relation name a schema placement's check in `begin` fails with when the
/// role has no `USAGE` on the schema.
pub(crate) const NO_USAGE: &str = "tenantry: no USAGE on schema ";

/// A fence's answer in `begin` as tenantry's error: the tenant is being moved (the fence
/// function's `TN001`, or the transaction's `lock_timeout` while it waited for the fence), its
/// placement changed (`TN002`: the cache entry is dropped, so a retry reads the directory), or
/// the database has no fence function.
pub(crate) fn fenced(
    router: &Router,
    tenant: &TenantId,
    placement: &Placement,
    err: DbErr,
) -> DbErr {
    use super::fence::{SQLSTATE_MOVED, SQLSTATE_MOVING};
    match crate::error::sqlstate(&err).as_deref() {
        Some(SQLSTATE_MOVING | "55P03") => Error::TenantMoving {
            tenant: tenant.to_string(),
        }
        .into(),
        Some(SQLSTATE_MOVED) => {
            router.invalidate(tenant);
            Error::PlacementChanged {
                tenant: tenant.to_string(),
                placement: placement.to_string(),
            }
            .into()
        }
        Some("42883") if err.to_string().contains(super::fence::FENCE_FUNCTION) => {
            Error::FenceMissing {
                placement: placement.to_string(),
                message: err.to_string(),
            }
            .into()
        }
        _ => err,
    }
}

/// A failure to reach a tenant database, named after its server.
pub(crate) fn unreachable(server: &str, database: &str, err: DbErr) -> DbErr {
    match err {
        DbErr::ConnectionAcquire(_) | DbErr::Conn(_) => Error::ServerUnavailable {
            server: server.to_owned(),
            database: database.to_owned(),
            message: err.to_string(),
        }
        .into(),
        other => other,
    }
}

/// `"tenant_acme", "public"` for `SET LOCAL search_path`.
pub(crate) fn search_path_sql(path: &[String]) -> String {
    path.iter()
        .map(|s| QualifiedName::new(s.as_str()).to_sql())
        .collect::<Vec<_>>()
        .join(", ")
}
