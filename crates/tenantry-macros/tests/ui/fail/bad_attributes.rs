mod unknown_key {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, tenantry::TenantScoped)]
    #[sea_orm(table_name = "orders")]
    #[tenantry(colum = "org_id")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub org_id: Uuid,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

mod duplicate_key {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, tenantry::TenantScoped)]
    #[sea_orm(table_name = "orders")]
    #[tenantry(column = "org_id")]
    #[tenantry(column = "tenant_id")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub org_id: Uuid,
        pub tenant_id: Uuid,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

mod malformed {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, tenantry::TenantScoped)]
    #[sea_orm(table_name = "orders")]
    #[tenantry(column = org_id)]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub org_id: Uuid,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

mod on_a_field {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, tenantry::TenantScoped)]
    #[sea_orm(table_name = "orders")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        #[tenantry(column = "tenant_id")]
        pub tenant_id: Uuid,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

fn main() {}
