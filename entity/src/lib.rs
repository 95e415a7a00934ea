//! The reference SaaS domain used by tenantry's tests, examples and docs.
//!
//! - [`tenants`]: the tenant catalogue (not scoped).
//! - [`products`]: shared reference data (not scoped).
//! - [`customers`], [`orders`], [`order_items`]: tenant-scoped, marked with
//!   `#[derive(TenantScoped)]`; keys between them are composite `(tenant_id, id)`.

pub mod customers;
pub mod order_items;
pub mod orders;
pub mod products;
pub mod tenants;

/// `use entity::prelude::*;` brings every entity in.
pub mod prelude {
    pub use crate::customers::Entity as Customers;
    pub use crate::order_items::Entity as OrderItems;
    pub use crate::orders::Entity as Orders;
    pub use crate::products::Entity as Products;
    pub use crate::tenants::Entity as Tenants;
}
