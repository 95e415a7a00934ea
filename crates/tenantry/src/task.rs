//! The tenant of the running task, for work outside a request: background jobs, queue
//! workers, tasks spawned from a handler.
//!
//! A tenant is set for a future with [`scope`], or for a new task with [`spawn_for`]; code
//! inside reads it with [`current`] or [`require`], and
//! [`TenantDatabase::begin_current`](crate::TenantDatabase::begin_current) opens its
//! transaction. Nothing is inherited: a task started with plain `tokio::spawn` — even from
//! inside a scope — has no tenant, and `require` / `begin_current` fail closed with
//! [`Error::NoTenantContext`].
//!
//! For a queue, the job's payload carries the tenant id, and the worker runs each job with
//! [`run_job`] (or [`scope`] and `begin_current`): the tenant comes from the job, never from
//! whatever the worker ran before.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")] async fn main() {
//! use tenantry::{TenantId, task};
//! assert!(task::current().is_none());
//! let seen = task::scope(TenantId::from(7_i64), async {
//!     // A task spawned without `spawn_for` has no tenant.
//!     let orphan = tokio::spawn(async { task::current() }).await.unwrap();
//!     (task::require().unwrap(), orphan)
//! })
//! .await;
//! assert_eq!(seen, (TenantId::from(7_i64), None));
//! # }
//! ```

use std::future::Future;
use std::pin::Pin;

use crate::error::Error;
use crate::tenant::TenantId;
use crate::{TenantDatabase, TenantTransaction};
use sea_orm::{DbErr, TransactionError};

tokio::task_local! {
    static TENANT: TenantId;
}

/// The tenant of the running task, if it was given one.
pub fn current() -> Option<TenantId> {
    TENANT.try_with(Clone::clone).ok()
}

/// The tenant of the running task; [`Error::NoTenantContext`] when it has none.
pub fn require() -> Result<TenantId, Error> {
    current().ok_or(Error::NoTenantContext)
}

/// Runs `future` with `tenant` as the task's tenant.
pub async fn scope<F: Future>(tenant: impl Into<TenantId>, future: F) -> F::Output {
    TENANT.scope(tenant.into(), future).await
}

/// Spawns `future` as a new task whose tenant is `tenant`.
pub fn spawn_for<F>(tenant: impl Into<TenantId>, future: F) -> tokio::task::JoinHandle<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    tokio::spawn(TENANT.scope(tenant.into(), future))
}

/// Runs one job for `tenant`: with `tenant` as the task's tenant, in a tenant transaction
/// committed when `job` returns `Ok` and rolled back otherwise (the closure form of
/// [`TenantDatabase::transaction`]).
pub async fn run_job<F, T, E>(
    db: &TenantDatabase,
    tenant: impl Into<TenantId>,
    job: F,
) -> Result<T, TransactionError<E>>
where
    F: for<'c> FnOnce(
            &'c TenantTransaction,
        ) -> Pin<Box<dyn Future<Output = Result<T, E>> + Send + 'c>>
        + Send,
    T: Send,
    E: std::fmt::Display + std::fmt::Debug + Send,
{
    let tenant = tenant.into();
    scope(tenant.clone(), db.transaction(tenant, job)).await
}

impl TenantDatabase {
    /// Opens a transaction for the tenant of the running task ([`crate::task`]); fails
    /// closed with [`Error::NoTenantContext`] when the task has none.
    pub async fn begin_current(&self) -> Result<TenantTransaction, DbErr> {
        let tenant = require().map_err(DbErr::from)?;
        self.begin(tenant).await
    }
}
