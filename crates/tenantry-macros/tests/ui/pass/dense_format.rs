//! The SeaORM 2 dense entity format (`#[sea_orm::model]`), whose `ModelEx` inherits the derive.
#![forbid(unsafe_code)]
#![deny(warnings)]

mod customers {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, tenantry::TenantScoped)]
    #[sea_orm(table_name = "customers")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub tenant_id: Uuid,
        #[sea_orm(has_many)]
        pub orders: HasMany<super::orders::Entity>,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

mod orders {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, tenantry::TenantScoped)]
    #[sea_orm(table_name = "orders")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub tenant_id: Uuid,
        pub customer_id: i32,
        #[sea_orm(belongs_to, from = "customer_id", to = "id")]
        pub customer: BelongsTo<super::customers::Entity>,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

fn main() {
    let registry = tenantry::Registry::from_entities();
    let names: Vec<&str> = registry.tables().iter().map(|t| t.name()).collect();
    assert_eq!(names, ["customers", "orders"]);
}
