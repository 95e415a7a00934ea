//! Test helpers for applications (feature `testing`).
//!
//! - [`IsolationCheck`]: runs a query closure as two tenants over a real database and fails
//!   with a readable diff ([`IsolationFailure`], or a panic through [`assert_isolated!`]) if
//!   one tenant's rows show up in, or are changed by, the other's run.
//! - [`SqlCapture`] / [`capture_sql`]: the scoped SQL and bound values a closure sends, on a
//!   SeaORM mock connection, ready for `insta::assert_snapshot!`.
//!
//! [`assert_isolated!`]: crate::assert_isolated
//!
//! # After the transaction
//!
//! No statement can run on a tenant transaction once it ended: `commit` and `rollback` take
//! the [`TenantTransaction`](crate::TenantTransaction) by value, so a later use does not
//! compile, and the closure form ([`TenantDatabase::transaction`](crate::TenantDatabase::transaction))
//! lends the transaction only for the closure's lifetime.
//!
//! ```no_run
//! # async fn f(tdb: tenantry::TenantDatabase) -> Result<(), sea_orm::DbErr> {
//! use sea_orm::ConnectionTrait;
//! let txn = tdb.begin(7_i64).await?;
//! txn.execute_unprepared("DELETE FROM orders").await?;
//! txn.commit().await?;
//! # Ok(()) }
//! ```
//!
//! ```compile_fail,E0382
//! # async fn f(tdb: tenantry::TenantDatabase) -> Result<(), sea_orm::DbErr> {
//! use sea_orm::ConnectionTrait;
//! let txn = tdb.begin(7_i64).await?;
//! txn.commit().await?;
//! txn.execute_unprepared("DELETE FROM orders").await?; // use of moved value: `txn`
//! # Ok(()) }
//! ```

mod capture;
mod harness;

pub use capture::{SqlCapture, capture_sql};
pub use harness::{IsolationCheck, IsolationFailure, IsolationReport};
