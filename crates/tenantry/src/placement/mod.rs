//! Where a tenant's rows live: in the shared tables, in a schema of its own, or in a database
//! of its own on a named server — chosen per tenant, at run time.
//!
//! - [`Placement`]: `Shared`, `Schema { schema }`, `Database { server, database }`. Every
//!   placement keeps the tenant column, the app-layer predicate and Row-Level Security: the
//!   isolation layers do not depend on where the rows are, and moving a tenant is a copy plus
//!   a routing change.
//! - [`Directory`]: per tenant its placement, a lifecycle [`TenantState`] and a placement
//!   version. [`TableDirectory`] keeps it in the `tenantry_tenants` table of the control
//!   database; [`MemoryDirectory`] keeps it in memory (tests, single-binary apps).
//! - [`Servers`]: named connection URLs (in code, or `TENANTRY_SERVERS=name=url,…`); the
//!   control database's server is [`CONTROL_SERVER`] (`Servers::with_control`). The directory
//!   stores server names, never URLs or secrets.
//!
//! [`TenantDatabase::with_directory`](crate::TenantDatabase::with_directory) makes `begin`
//! follow the directory: it looks the tenant up (cached: a hit costs no round trip), enforces
//! its state, and opens the transaction where its rows are — on PostgreSQL still in one round
//! trip, the schema placement's `search_path` set transaction-locally in the same simple query
//! as the tenant.

mod cache;
mod directory;
pub mod fence;
mod model;
mod names;
mod pools;
mod router;
mod servers;
mod table;

pub use directory::{Directory, MemoryDirectory};
pub use model::{Placement, TenantRecord, TenantState};
pub use names::check_name;
pub use pools::PoolStats;
pub use servers::{CONTROL_SERVER, SERVERS_ENV, ServerOptions, Servers};
pub use table::{DIRECTORY_TABLE, TableDirectory, directory_table};

pub(crate) use router::{
    NO_USAGE, Route, Router, RouterConfig, fenced, missing_schema, search_path_sql, unreachable,
};
