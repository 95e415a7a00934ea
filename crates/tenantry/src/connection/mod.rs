//! The wrapped connection: [`TenantDatabase`], [`TenantTransaction`] and unscoped access.

mod audited;
mod context;
mod database;
#[cfg(feature = "sqlx-postgres")]
mod postgres;
mod raw;
mod transaction;

pub use audited::Audited;
pub use context::DEFAULT_SETTING;
pub use database::TenantDatabase;
pub use raw::{RawTransaction, RowStream};
pub use transaction::TenantTransaction;
