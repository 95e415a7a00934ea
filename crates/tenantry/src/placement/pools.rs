//! One pool per tenant database (server, database): created on first use, evicted least
//! recently used when idle, under a cap on pools and a budget of connections.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use sea_orm::{ConnectOptions, Database, DatabaseConnection};

use super::servers::Servers;
use crate::error::{Error, Result};

/// How many tenant database pools there are and what they may hold; see
/// [`TenantDatabase::pool_stats`](crate::TenantDatabase::pool_stats).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub struct PoolStats {
    /// Open pools.
    pub pools: usize,
    /// The cap on open pools.
    pub max_pools: usize,
    /// Connections the open pools (and those being opened) may hold together.
    pub connections: u32,
    /// The budget `connections` never exceeds.
    pub budget: u32,
    /// Pools closed to make room so far.
    pub evictions: u64,
    /// Pools opened so far.
    pub opened: u64,
}

struct Pool {
    conn: DatabaseConnection,
    max: u32,
    last_used: Instant,
}

#[derive(Default)]
struct State {
    pools: HashMap<(String, String), Pool>,
    /// Pools closed while in use: their connections close as their transactions end, and
    /// count against the budget until then.
    draining: Vec<DatabaseConnection>,
    /// Connections reserved for pools being opened.
    reserved: u32,
    /// Connections of pools taken out and being closed.
    closing: u32,
    opening: usize,
}

impl State {
    /// What the open pools may hold, what pools being opened reserved, and every connection
    /// a closed pool still has (in use or idle: both are open on the server).
    fn connections(&self) -> u32 {
        self.pools.values().map(|p| p.max).sum::<u32>()
            + self.reserved
            + self.closing
            + self
                .draining
                .iter()
                .map(|c| size(c).unwrap_or(0))
                .sum::<u32>()
    }

    /// Takes out the draining pools none of whose connections is in use any more: the
    /// caller closes them (their idle connections close then).
    fn prune(&mut self) -> Vec<DatabaseConnection> {
        let (done, still): (Vec<_>, Vec<_>) = std::mem::take(&mut self.draining)
            .into_iter()
            .partition(|c| in_use(c) == Some(0));
        self.draining = still;
        done
    }
}

pub(crate) struct Pools {
    servers: Servers,
    max_pools: usize,
    budget: u32,
    state: Mutex<State>,
    evictions: AtomicU64,
    opened: AtomicU64,
}

impl std::fmt::Debug for Pools {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pools")
            .field("servers", &self.servers)
            .field("max_pools", &self.max_pools)
            .field("budget", &self.budget)
            .finish_non_exhaustive()
    }
}

/// How many connections the pool has open, idle or in use (`None`: not known for this
/// backend).
fn size(conn: &DatabaseConnection) -> Option<u32> {
    #[cfg(feature = "sqlx-postgres")]
    if let sea_orm::DatabaseConnectionType::SqlxPostgresPoolConnection(_) = &conn.inner {
        return Some(conn.get_postgres_connection_pool().size());
    }
    let _ = conn;
    None
}

/// How many of the pool's connections are in use (`None`: not known for this backend).
fn in_use(conn: &DatabaseConnection) -> Option<u32> {
    #[cfg(feature = "sqlx-postgres")]
    if let sea_orm::DatabaseConnectionType::SqlxPostgresPoolConnection(_) = &conn.inner {
        let pool = conn.get_postgres_connection_pool();
        let idle = u32::try_from(pool.num_idle()).unwrap_or(u32::MAX);
        return Some(pool.size().saturating_sub(idle));
    }
    let _ = conn;
    None
}

/// Stops a pool handing out connections; those in use close when their transaction gives
/// them back (sqlx marks the pool closed at once; the returned future only waits for that).
fn close_in_background(conn: &DatabaseConnection) {
    #[cfg(feature = "sqlx-postgres")]
    if let sea_orm::DatabaseConnectionType::SqlxPostgresPoolConnection(_) = &conn.inner {
        drop(conn.get_postgres_connection_pool().close());
    }
    let _ = conn;
}

fn poisoned() -> Error {
    Error::Directory {
        message: "the tenant database pools' lock was poisoned by a panic".into(),
    }
}

impl Pools {
    pub(crate) fn new(servers: Servers, max_pools: usize, budget: u32) -> Self {
        Self {
            servers,
            max_pools: max_pools.max(1),
            budget: budget.max(1),
            state: Mutex::new(State::default()),
            evictions: AtomicU64::new(0),
            opened: AtomicU64::new(0),
        }
    }

    pub(crate) fn servers(&self) -> &Servers {
        &self.servers
    }

    pub(crate) fn stats(&self) -> PoolStats {
        let (pools, connections) = self
            .state
            .lock()
            .map(|s| (s.pools.len(), s.connections()))
            .unwrap_or_default();
        PoolStats {
            pools,
            max_pools: self.max_pools,
            connections,
            budget: self.budget,
            evictions: self.evictions.load(Ordering::Relaxed),
            opened: self.opened.load(Ordering::Relaxed),
        }
    }

    /// The pool of `database` on `server`, opened if needed.
    pub(crate) async fn get(&self, server: &str, database: &str) -> Result<DatabaseConnection> {
        let key = (server.to_owned(), database.to_owned());
        let options = self.servers.options(server)?;
        let url = self.servers.database_url(server, database)?;
        let evicted = {
            let mut state = self.state.lock().map_err(|_| poisoned())?;
            if let Some(pool) = state.pools.get_mut(&key) {
                pool.last_used = Instant::now();
                return Ok(pool.conn.clone());
            }
            let evicted = self.make_room(&mut state, options.max_connections)?;
            let closing: u32 = evicted.iter().map(|c| size(c).unwrap_or(0)).sum();
            state.closing += closing;
            state.reserved += options.max_connections;
            state.opening += 1;
            (evicted, closing)
        };
        let (evicted, closing) = evicted;
        for conn in evicted {
            let _ = conn.close().await;
        }
        if let Ok(mut state) = self.state.lock() {
            state.closing -= closing;
        }
        let mut connect = ConnectOptions::new(url);
        connect
            .max_connections(options.max_connections)
            .min_connections(0)
            .connect_timeout(options.connect_timeout)
            .acquire_timeout(options.acquire_timeout)
            .idle_timeout(options.idle_timeout)
            .sqlx_logging(false);
        let opened = Database::connect(connect).await;
        let mut state = self.state.lock().map_err(|_| poisoned())?;
        state.reserved -= options.max_connections;
        state.opening -= 1;
        let conn = opened.map_err(|e| {
            if crate::error::sqlstate(&e).as_deref() == Some("3D000") {
                Error::PlacementMissing {
                    tenant: String::new(),
                    placement: format!("database:{server}/{database}"),
                    message: e.to_string(),
                }
            } else {
                Error::ServerUnavailable {
                    server: server.to_owned(),
                    database: database.to_owned(),
                    message: e.to_string(),
                }
            }
        })?;
        self.opened.fetch_add(1, Ordering::Relaxed);
        tracing::debug!(target: "tenantry::placement", server, database, "tenant database pool opened");
        let pool = state.pools.entry(key).or_insert(Pool {
            conn,
            max: options.max_connections,
            last_used: Instant::now(),
        });
        pool.last_used = Instant::now();
        Ok(pool.conn.clone())
    }

    /// Takes pools out, least recently used first, until one more pool of `needed`
    /// connections fits: idle pools first (returned, for the caller to close), then pools in
    /// use (closed at once: their transactions finish on the connections they hold, which then
    /// close; every connection such a pool still has counts against the budget until it is
    /// closed for good). Only pools whose use can be measured (PostgreSQL) are taken out while
    /// in use.
    fn make_room(&self, state: &mut State, needed: u32) -> Result<Vec<DatabaseConnection>> {
        let mut evicted = state.prune();
        while state.pools.len() + state.opening + 1 > self.max_pools
            || state.connections() + needed > self.budget
        {
            let victim = state
                .pools
                .iter()
                .filter_map(|(k, p)| in_use(&p.conn).map(|n| (n > 0, p.last_used, k)))
                .min()
                .map(|(busy, _, k)| (busy, k.clone()));
            let Some((busy, victim)) = victim else {
                return Err(Error::ConnectionBudget {
                    pools: state.pools.len() + state.opening,
                    max_pools: self.max_pools,
                    connections: state.connections(),
                    budget: self.budget,
                });
            };
            if let Some(pool) = state.pools.remove(&victim) {
                self.evictions.fetch_add(1, Ordering::Relaxed);
                tracing::debug!(
                    target: "tenantry::placement",
                    server = victim.0,
                    database = victim.1,
                    busy,
                    "tenant database pool closed to make room"
                );
                if busy {
                    close_in_background(&pool.conn);
                    state.draining.push(pool.conn);
                } else {
                    evicted.push(pool.conn);
                }
            }
        }
        Ok(evicted)
    }
}
