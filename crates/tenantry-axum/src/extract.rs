//! What handlers take: the request's tenant and its transaction.

use std::ops::Deref;
use std::sync::Arc;

use axum::extract::FromRequestParts;
use http::StatusCode;
use http::request::Parts;
use tenantry::{TenantDatabase, TenantId, TenantTransaction};
use tokio::sync::{MappedMutexGuard, Mutex, MutexGuard};

use crate::problem::Problem;

/// The tenant of the request, as [`TenantLayer`](crate::TenantLayer) resolved and checked it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tenant(pub TenantId);

impl<S: Send + Sync> FromRequestParts<S> for Tenant {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Problem> {
        parts
            .extensions
            .get::<Tenant>()
            .cloned()
            .ok_or_else(not_installed)
    }
}

fn not_installed() -> Problem {
    tracing::error!(
        target: "tenantry_axum",
        "a handler asked for the tenant of a request that TenantLayer did not see: add the layer to its route"
    );
    Problem::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        "no_tenant_layer",
        "internal error",
    )
}

pub(crate) enum Slot {
    /// Not begun yet.
    Idle,
    Open(TenantTransaction),
    /// The response is decided; no more statements.
    Closed,
}

pub(crate) struct Shared {
    pub(crate) db: TenantDatabase,
    pub(crate) tenant: TenantId,
    pub(crate) slot: Mutex<Slot>,
}

/// The request's tenant transaction, begun on first use and ended by the layer: committed
/// when the response is a 2xx, rolled back otherwise. Every `Tx` of one request is the same
/// transaction.
#[derive(Clone)]
pub struct Tx {
    pub(crate) shared: Arc<Shared>,
}

/// The open transaction, borrowed: use `&*guard` as a SeaORM connection. Hold it only while
/// running statements; another [`Tx::get`] of the same request waits for it.
pub struct TxGuard<'a>(MappedMutexGuard<'a, TenantTransaction>);

impl Deref for TxGuard<'_> {
    type Target = TenantTransaction;

    fn deref(&self) -> &TenantTransaction {
        &self.0
    }
}

impl Tx {
    pub(crate) fn new(db: TenantDatabase, tenant: TenantId) -> Self {
        Self {
            shared: Arc::new(Shared {
                db,
                tenant,
                slot: Mutex::new(Slot::Idle),
            }),
        }
    }

    /// The transaction, begun now if this is its first use.
    pub async fn get(&self) -> Result<TxGuard<'_>, Problem> {
        let mut slot = self.shared.slot.lock().await;
        if let Slot::Idle = *slot {
            let txn = self.shared.db.begin(self.shared.tenant.clone()).await?;
            *slot = Slot::Open(txn);
        }
        MutexGuard::try_map(slot, |s| match s {
            Slot::Open(txn) => Some(txn),
            _ => None,
        })
        .map(TxGuard)
        .map_err(|_| {
            Problem::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "transaction_closed",
                "internal error",
            )
        })
    }

    /// The request's tenant.
    pub fn tenant(&self) -> &TenantId {
        &self.shared.tenant
    }

    /// Takes the transaction out, if it was begun, and closes the slot.
    pub(crate) async fn close(&self) -> Option<TenantTransaction> {
        let mut slot = self.shared.slot.lock().await;
        match std::mem::replace(&mut *slot, Slot::Closed) {
            Slot::Open(txn) => Some(txn),
            _ => None,
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Tx {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Problem> {
        parts
            .extensions
            .get::<Tx>()
            .cloned()
            .ok_or_else(not_installed)
    }
}
