//! The tower layer: resolve, check, serve in one transaction, end it.

use std::convert::Infallible;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::task::{Context, Poll};

use axum::body::Body;
use axum::response::{IntoResponse, Response};
use futures_util::FutureExt;
use futures_util::future::BoxFuture;
use http::{Request, StatusCode};
use tenantry::placement::TenantState;
use tenantry::{TenantDatabase, TenantId, TenantIdType};
use tower_layer::Layer;
use tower_service::Service;

use crate::extract::{Tenant, Tx};
use crate::problem::{Problem, Statuses};
use crate::resolve::Resolver;

#[derive(Clone)]
struct Config {
    db: TenantDatabase,
    resolver: Resolver,
    id_type: Option<TenantIdType>,
    statuses: Statuses,
}

/// Resolves and checks the tenant of each request and gives its handler one tenant
/// transaction; see the [crate docs](crate).
#[derive(Clone)]
pub struct TenantLayer {
    config: Arc<Config>,
}

impl TenantLayer {
    /// The layer over `db`, reading the `X-Tenant-ID` header, ids read as by
    /// [`TenantId::parse`] (a UUID, else an integer, else text).
    pub fn new(db: TenantDatabase) -> Self {
        Self {
            config: Arc::new(Config {
                db,
                resolver: Resolver::default(),
                id_type: None,
                statuses: Statuses::default(),
            }),
        }
    }

    fn with(mut self, f: impl FnOnce(&mut Config)) -> Self {
        let config = Arc::make_mut(&mut self.config);
        f(config);
        self
    }

    /// Where requests name their tenant.
    pub fn resolver(self, resolver: Resolver) -> Self {
        self.with(|c| c.resolver = resolver)
    }

    /// Accept only ids of this type (anything else is malformed).
    pub fn id_type(self, id_type: TenantIdType) -> Self {
        self.with(|c| c.id_type = Some(id_type))
    }

    /// The statuses of the layer's own refusals.
    pub fn statuses(self, statuses: Statuses) -> Self {
        self.with(|c| c.statuses = statuses)
    }
}

impl std::fmt::Debug for TenantLayer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TenantLayer")
            .field("resolver", &self.config.resolver)
            .field("id_type", &self.config.id_type)
            .field("statuses", &self.config.statuses)
            .finish()
    }
}

impl<S> Layer<S> for TenantLayer {
    type Service = TenantService<S>;

    fn layer(&self, inner: S) -> TenantService<S> {
        TenantService {
            inner,
            config: self.config.clone(),
        }
    }
}

/// The service [`TenantLayer`] wraps a router or handler in.
#[derive(Clone)]
pub struct TenantService<S> {
    inner: S,
    config: Arc<Config>,
}

impl<S> std::fmt::Debug for TenantService<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TenantService").finish_non_exhaustive()
    }
}

impl Config {
    /// The request's tenant, or the response refusing it.
    async fn check(&self, parts: &http::request::Parts) -> Result<TenantId, Problem> {
        let s = &self.statuses;
        let Some(text) = self.resolver.resolve(parts) else {
            return Err(Problem::new(
                s.missing,
                "missing_tenant",
                format!("the request names no tenant ({})", self.resolver.describe()),
            ));
        };
        let tenant = match self.id_type {
            Some(t) => TenantId::parse_as(&text, t).ok(),
            None => Some(TenantId::parse(&text)).filter(|t| t.invalid_reason().is_none()),
        };
        let Some(tenant) = tenant.filter(|_| !text.contains('\u{fffd}')) else {
            return Err(Problem::new(
                s.malformed,
                "malformed_tenant",
                format!(
                    "the request names no valid tenant id ({})",
                    self.resolver.describe()
                ),
            ));
        };
        let record = match self.db.tenant_record(tenant.clone()).await {
            Ok(record) => record,
            Err(tenantry::Error::UnknownTenant { .. }) => {
                return Err(Problem::new(s.unknown, "unknown_tenant", "unknown tenant"));
            }
            Err(e) => return Err(Problem::from(sea_orm::DbErr::from(e))),
        };
        match record.state {
            state if state.serves() => Ok(tenant),
            TenantState::Suspended => Err(Problem::new(
                s.suspended,
                "tenant_suspended",
                "the tenant is suspended",
            )),
            TenantState::Deleted => {
                Err(Problem::new(s.unknown, "unknown_tenant", "unknown tenant"))
            }
            _ => Err(Problem::new(
                s.unavailable,
                "tenant_unavailable",
                "the tenant cannot be served now",
            )
            .retry_later()),
        }
    }
}

impl Problem {
    fn retry_later(mut self) -> Self {
        self.retry_after = Some(5);
        self
    }
}

impl<S> Service<Request<Body>> for TenantService<S>
where
    S: Service<Request<Body>, Response = Response, Error = Infallible> + Clone + Send + 'static,
    S::Future: Send + 'static,
{
    type Response = Response;
    type Error = Infallible;
    type Future = BoxFuture<'static, Result<Response, Infallible>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<Body>) -> Self::Future {
        // The clone that was driven to readiness serves this request.
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        let config = self.config.clone();
        Box::pin(async move {
            let (mut parts, body) = request.into_parts();
            let tenant = match config.check(&parts).await {
                Ok(tenant) => tenant,
                Err(problem) => return Ok(problem.into_response()),
            };
            let tx = Tx::new(config.db.clone(), tenant.clone());
            parts.extensions.insert(Tenant(tenant.clone()));
            parts.extensions.insert(tx.clone());
            let served = tenantry::task::scope(
                tenant,
                AssertUnwindSafe(inner.call(Request::from_parts(parts, body))).catch_unwind(),
            )
            .await;
            let txn = tx.close().await;
            let response = match served {
                Ok(Ok(response)) => response,
                Ok(Err(never)) => match never {},
                Err(_) => {
                    tracing::error!(target: "tenantry_axum", "the handler panicked; its transaction is rolled back");
                    Problem::new(
                        StatusCode::INTERNAL_SERVER_ERROR,
                        "handler_panicked",
                        "internal error",
                    )
                    .into_response()
                }
            };
            let Some(txn) = txn else {
                return Ok(response);
            };
            if response.status().is_success() {
                if let Err(e) = txn.commit().await {
                    return Ok(Problem::from(e).into_response());
                }
            } else if let Err(e) = txn.rollback().await {
                tracing::warn!(target: "tenantry_axum", error = %e, "rolling back the request's transaction failed");
            }
            Ok(response)
        })
    }
}
