//! # tenantry
//!
//! Tenant isolation for SeaORM, enforced twice: every statement sent through a
//! [`TenantTransaction`] is rewritten to carry the current tenant's predicate (and to fill the
//! tenant column on insert), and on PostgreSQL Row-Level Security policies installed by
//! `tenantry-migration` make the database refuse what the app layer might miss.
#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod audit;
pub mod catalog;
mod connection;
pub mod doctor;
mod error;
pub mod placement;
pub mod policy;
mod registry;
pub mod rewrite;
mod scoped;
pub mod sql;
pub mod task;
mod tenant;
#[cfg(feature = "testing")]
#[cfg_attr(docsrs, doc(cfg(feature = "testing")))]
pub mod testing;

pub use connection::{Audited, RawTransaction, RowStream, TenantDatabase, TenantTransaction};
pub use error::{Error, Result};
pub use registry::{
    DEFAULT_TENANT_COLUMN, FunctionPolicy, MismatchedType, Missing, MissingTable, Registry,
    RegistryReport, ScopedTable, UnregisteredTable,
};
pub use rewrite::Rewriter;
pub use scoped::TenantScoped;
pub use sql::DEFAULT_SETTING;
pub use tenant::{TenantId, TenantIdType};
pub use tenantry_macros::TenantScoped;

/// Items used by generated code. Not public API.
#[doc(hidden)]
pub mod __private {
    pub use crate::registry::TableRegistration;
    pub use inventory;
    pub use sea_orm;
}
