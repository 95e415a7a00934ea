//! # tenantry
//!
//! Tenant isolation for SeaORM, enforced twice: every statement sent through a
//! [`TenantTransaction`] is rewritten to carry the current tenant's predicate (and to fill the
//! tenant column on insert), and on PostgreSQL Row-Level Security policies installed by
//! `tenantry-migration` make the database refuse what the app layer might miss.
#![cfg_attr(docsrs, feature(doc_cfg))]

mod connection;
pub mod doctor;
mod error;
pub mod policy;
mod registry;
pub mod rewrite;
mod scoped;
mod tenant;
#[cfg(feature = "testing")]
#[cfg_attr(docsrs, doc(cfg(feature = "testing")))]
pub mod testing;
mod verify;

pub use connection::{
    Audited, DEFAULT_SETTING, RawTransaction, RowStream, TenantDatabase, TenantTransaction,
};
pub use error::{Error, Result};
pub use registry::{FunctionPolicy, Registry, ScopedTable};
pub use rewrite::Rewriter;
pub use scoped::TenantScoped;
pub use tenant::{TenantId, TenantIdType};
pub use tenantry_macros::TenantScoped;
pub use verify::{Missing, MissingTable, RegistryReport, UnregisteredTable};

/// Items used by generated code. Not public API.
#[doc(hidden)]
pub mod __private {
    pub use crate::registry::TableRegistration;
    pub use inventory;
    pub use sea_orm;
}
