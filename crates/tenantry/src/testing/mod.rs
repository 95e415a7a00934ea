//! Test helpers for applications (feature `testing`).
//!
//! - [`IsolationCheck`]: runs a query closure as two tenants over a real database and fails
//!   with a readable diff ([`IsolationFailure`], or a panic through [`assert_isolated!`]) if
//!   one tenant's rows show up in, or are changed by, the other's run.
//! - [`SqlCapture`] / [`capture_sql`]: the scoped SQL and bound values a closure sends, on a
//!   SeaORM mock connection, ready for `insta::assert_snapshot!`.
//!
//! [`assert_isolated!`]: crate::assert_isolated

mod capture;
mod harness;

pub use capture::{SqlCapture, capture_sql};
pub use harness::{IsolationCheck, IsolationFailure, IsolationReport};
