//! `products`: shared reference data, the same for every tenant. Not scoped.

use sea_orm::entity::prelude::*;

/// A product of the shared catalogue.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "products")]
pub struct Model {
    /// Id.
    #[sea_orm(primary_key)]
    pub id: i32,
    /// Unique stock-keeping unit.
    #[sea_orm(unique)]
    pub sku: String,
    /// Name.
    pub name: String,
    /// List price.
    #[sea_orm(column_type = "Decimal(Some((12, 2)))")]
    pub price: Decimal,
}

/// Relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// Order lines selling this product.
    #[sea_orm(has_many = "super::order_items::Entity")]
    OrderItems,
}

impl Related<super::order_items::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::OrderItems.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
