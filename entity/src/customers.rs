//! `customers`: a tenant's customers. Scoped by `tenant_id`; e-mail unique per tenant.

use sea_orm::entity::prelude::*;
use tenantry::TenantScoped;

/// A customer of one tenant.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, TenantScoped)]
#[sea_orm(table_name = "customers")]
pub struct Model {
    /// Id.
    #[sea_orm(primary_key)]
    pub id: i32,
    /// Owning tenant (filled by tenantry on insert).
    pub tenant_id: Uuid,
    /// Name.
    pub name: String,
    /// E-mail, unique within the tenant.
    pub email: String,
}

/// Relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// The customer's orders.
    #[sea_orm(has_many = "super::orders::Entity")]
    Orders,
}

impl Related<super::orders::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Orders.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
