//! The wrapped connection: [`TenantDatabase`], [`TenantTransaction`] and unscoped access.

mod audited;
mod context;
mod database;
mod transaction;

pub use audited::Audited;
pub use context::DEFAULT_SETTING;
pub use database::TenantDatabase;
pub use transaction::TenantTransaction;
