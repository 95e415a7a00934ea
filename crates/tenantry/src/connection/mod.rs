//! The wrapped connection: [`TenantDatabase`], [`TenantTransaction`] and unscoped access.

mod audited;
mod closure;
mod context;
mod database;
#[cfg(feature = "sqlx-postgres")]
mod postgres;
mod raw;
mod stream;
mod transaction;

pub use audited::Audited;
pub use database::TenantDatabase;
pub use raw::RawTransaction;
pub use stream::RowStream;
pub use transaction::TenantTransaction;
