//! Derive macros for tenantry. Use them through the `tenantry` crate
//! (`tenantry::TenantScoped`), which re-exports them next to the runtime items the generated
//! code refers to.

mod attr;
mod case;
mod expand;
mod id_type;
mod model;

use proc_macro::TokenStream;

/// Marks a SeaORM entity as tenant-scoped: implements `tenantry::TenantScoped` for its
/// `Entity` and registers the table for `tenantry::Registry::from_entities()`.
///
/// Derive it on the entity's `Model`, next to `DeriveEntityModel`:
///
/// ```
/// use sea_orm::entity::prelude::*;
/// use tenantry::TenantScoped;
///
/// #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, TenantScoped)]
/// #[sea_orm(table_name = "orders")]
/// pub struct Model {
///     #[sea_orm(primary_key)]
///     pub id: i64,
///     pub tenant_id: Uuid,
/// }
///
/// #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
/// pub enum Relation {}
///
/// impl ActiveModelBehavior for ActiveModel {}
///
/// # fn main() {
/// assert_eq!(Entity::TENANT_COLUMN, "tenant_id");
/// assert!(tenantry::Registry::from_entities().lookup(None, "orders").is_some());
/// # }
/// ```
///
/// The tenant column is `tenant_id` unless `#[tenantry(column = "...")]` on the struct names
/// another (by field name or by database column name). Its type gives the tenant id type:
/// `Uuid`, `i32`, `i64` or `String`; it may not be an `Option`. Misuse is a compile error.
/// See `tenantry::TenantScoped` for the full documentation.
#[proc_macro_derive(TenantScoped, attributes(tenantry))]
pub fn derive_tenant_scoped(input: TokenStream) -> TokenStream {
    expand::expand(input.into()).into()
}
