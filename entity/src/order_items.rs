//! `order_items`: lines of an order. Scoped by `tenant_id`; `(tenant_id, order_id)` references
//! `orders (tenant_id, id)`; `product_id` references the shared `products`.

use sea_orm::entity::prelude::*;
use tenantry::TenantScoped;

/// One line of an order.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, TenantScoped)]
#[sea_orm(table_name = "order_items")]
pub struct Model {
    /// Id.
    #[sea_orm(primary_key)]
    pub id: i32,
    /// Owning tenant (filled by tenantry on insert).
    pub tenant_id: Uuid,
    /// The order.
    pub order_id: i32,
    /// The product sold (shared catalogue).
    pub product_id: i32,
    /// Quantity.
    pub quantity: i32,
    /// Unit price at the time of the order.
    #[sea_orm(column_type = "Decimal(Some((12, 2)))")]
    pub unit_price: Decimal,
}

/// Relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// The order.
    #[sea_orm(
        belongs_to = "super::orders::Entity",
        from = "Column::OrderId",
        to = "super::orders::Column::Id"
    )]
    Order,
    /// The product.
    #[sea_orm(
        belongs_to = "super::products::Entity",
        from = "Column::ProductId",
        to = "super::products::Column::Id"
    )]
    Product,
}

impl Related<super::orders::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Order.def()
    }
}

impl Related<super::products::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Product.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
