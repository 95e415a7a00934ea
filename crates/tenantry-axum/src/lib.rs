//! tenantry for axum and tower: the tenant of each request, and one tenant transaction per
//! request.
//!
//! [`TenantLayer`] resolves the tenant of every request with a [`Resolver`] (a header, a
//! subdomain, a path segment, or a closure over the request, e.g. for JWT claims), checks it
//! against the [`TenantDatabase`]'s directory and refuses the request with a small JSON
//! problem when it cannot be served:
//!
//! | the tenant | status (configurable with [`Statuses`]) |
//! |---|---|
//! | missing | 400 |
//! | malformed (not an id of the configured type) | 400 |
//! | unknown to the directory, or deleted | 404 |
//! | suspended | 403 |
//! | still being provisioned | 503 |
//!
//! Handlers then take the [`Tenant`] (the resolved id) and [`Tx`], the request's tenant
//! transaction: begun on its first use ([`Tx::get`]), committed by the layer when the
//! handler's response has a 2xx status, rolled back otherwise — and when the handler panics
//! (the response is then a 500 problem) or the request is dropped (a client gone away). The
//! handler's future also runs with the tenant as its task's tenant ([`tenantry::task`]), so
//! [`tenantry::task::spawn_for`] and `begin_current` work inside it, while a plain
//! `tokio::spawn` gets no tenant.
//!
//! [`Problem`] turns a `DbErr` into a response that names no SQL and no other tenant:
//! tenantry's refusals get their own status (a write for another tenant: 403; a tenant being
//! moved: 503 with `Retry-After`), everything else is a 500 whose details go to `tracing`.
//!
//! ```no_run
//! use axum::{Json, Router, routing::get};
//! use entity::customers;
//! use sea_orm::EntityTrait;
//! use tenantry_axum::{Problem, TenantLayer, Tx};
//!
//! async fn names(tx: Tx) -> Result<Json<Vec<String>>, Problem> {
//!     let txn = tx.get().await?;
//!     let all = customers::Entity::find().all(&*txn).await?; // this tenant's only
//!     Ok(Json(all.into_iter().map(|c| c.name).collect()))
//! }
//!
//! # fn app(db: tenantry::TenantDatabase) -> Router {
//! Router::new()
//!     .route("/customers", get(names))
//!     .layer(TenantLayer::new(db)) // X-Tenant-ID, checked against the directory
//! # }
//! ```

mod extract;
mod layer;
mod problem;
mod resolve;

pub use extract::{Tenant, Tx, TxGuard};
pub use layer::{TenantLayer, TenantService};
pub use problem::{Problem, Statuses};
pub use resolve::{Resolver, TENANT_HEADER};
pub use tenantry::TenantDatabase;
