use tenantry::TenantScoped;
use uuid::Uuid;

// A plain struct: no #[sea_orm(table_name = ...)], no DeriveEntityModel.
#[derive(TenantScoped)]
pub struct Model {
    pub tenant_id: Uuid,
}

mod wrong_name {
    #[derive(tenantry::TenantScoped)]
    pub struct Order {
        pub tenant_id: uuid::Uuid,
    }
}

mod an_enum {
    #[derive(tenantry::TenantScoped)]
    pub enum Model {
        Tenant(uuid::Uuid),
    }
}

mod a_tuple_struct {
    #[derive(tenantry::TenantScoped)]
    pub struct Model(pub uuid::Uuid);
}

fn main() {}
