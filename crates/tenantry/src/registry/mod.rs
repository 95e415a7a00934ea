//! The registry of scoped tables: which tables a tenant handle scopes and by which column,
//! which functions it lets through, and [`Registry::verify`], the registry compared with a
//! live catalogue.

mod functions;
mod set;
mod table;
mod verify;

pub use functions::FunctionPolicy;
pub use set::Registry;
pub use table::{DEFAULT_TENANT_COLUMN, ScopedTable, TableRegistration};
pub use verify::{MismatchedType, Missing, MissingTable, RegistryReport, UnregisteredTable};
