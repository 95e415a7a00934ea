//! `orders`: a tenant's orders. Scoped by `tenant_id`; `(tenant_id, customer_id)` references
//! `customers (tenant_id, id)`.

use sea_orm::entity::prelude::*;
use tenantry::TenantScoped;

/// An order of one tenant.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, TenantScoped)]
#[sea_orm(table_name = "orders")]
pub struct Model {
    /// Id.
    #[sea_orm(primary_key)]
    pub id: i32,
    /// Owning tenant (filled by tenantry on insert).
    pub tenant_id: Uuid,
    /// The customer who placed it.
    pub customer_id: i32,
    /// `open`, `paid` or `shipped`.
    pub status: String,
    /// Order total.
    #[sea_orm(column_type = "Decimal(Some((12, 2)))")]
    pub total: Decimal,
}

/// Relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// The customer.
    #[sea_orm(
        belongs_to = "super::customers::Entity",
        from = "Column::CustomerId",
        to = "super::customers::Column::Id"
    )]
    Customer,
    /// The order's lines.
    #[sea_orm(has_many = "super::order_items::Entity")]
    OrderItems,
}

impl Related<super::customers::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Customer.def()
    }
}

impl Related<super::order_items::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::OrderItems.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
