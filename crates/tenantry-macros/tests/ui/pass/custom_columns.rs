//! Tenant columns named by attribute, renamed in the database, and of every id type.
#![forbid(unsafe_code)]
#![deny(warnings, missing_docs)]

/// `#[tenantry(column = "org_id")]`, an `i64` id.
pub mod projects {
    use sea_orm::entity::prelude::*;

    /// A project.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, tenantry::TenantScoped)]
    #[sea_orm(table_name = "projects")]
    #[tenantry(column = "org_id")]
    pub struct Model {
        /// Id.
        #[sea_orm(primary_key)]
        pub id: i32,
        /// Tenant.
        pub org_id: i64,
    }

    /// Relations.
    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// A `String` tenant whose database column is renamed; named by its database name.
pub mod documents {
    use sea_orm::entity::prelude::*;

    /// A document.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, tenantry::TenantScoped)]
    #[sea_orm(table_name = "Documents")]
    #[tenantry(column = "OwnerKey")]
    pub struct Model {
        /// Id.
        #[sea_orm(primary_key)]
        pub id: i32,
        /// Tenant.
        #[sea_orm(column_name = "OwnerKey")]
        pub owner: String,
    }

    /// Relations.
    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// An `i32` tenant under `rename_all`, named by its Rust field name.
pub mod events {
    use sea_orm::entity::prelude::*;

    /// An event.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, tenantry::TenantScoped)]
    #[sea_orm(table_name = "events", rename_all = "camelCase")]
    #[tenantry(column = "account_ref")]
    pub struct Model {
        /// Id.
        #[sea_orm(primary_key)]
        pub id: i32,
        /// Tenant.
        pub account_ref: i32,
    }

    /// Relations.
    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// `enum_name` renames the Column variant and, with it, the default database name.
pub mod tasks {
    use sea_orm::entity::prelude::*;

    /// A task.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, tenantry::TenantScoped)]
    #[sea_orm(table_name = "tasks")]
    pub struct Model {
        /// Id.
        #[sea_orm(primary_key)]
        pub id: i32,
        /// Tenant.
        #[sea_orm(enum_name = "Workspace")]
        pub tenant_id: Uuid,
    }

    /// Relations.
    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

use sea_orm::Iden;
use tenantry::{Registry, TenantIdType, TenantScoped};

fn check<E: TenantScoped>(column: &str, id_type: TenantIdType) {
    assert_eq!(E::TENANT_COLUMN, column);
    assert_eq!(E::TENANT_ID_TYPE, id_type);
    // The constant and the Column variant agree on the database name.
    assert_eq!(E::tenant_column().to_string(), column);
    assert_eq!(E::scoped_table().column(), column);
}

fn main() {
    check::<projects::Entity>("org_id", TenantIdType::I64);
    check::<documents::Entity>("OwnerKey", TenantIdType::String);
    check::<events::Entity>("accountRef", TenantIdType::I32);
    assert!(matches!(documents::Entity::tenant_column(), documents::Column::Owner));
    // Named `tenant_id` in Rust, stored as `workspace` (sea-orm derives it from the variant).
    check::<tasks::Entity>("workspace", TenantIdType::Uuid);
    assert!(matches!(tasks::Entity::tenant_column(), tasks::Column::Workspace));

    let registry = Registry::from_entities();
    let names: Vec<&str> = registry.tables().iter().map(|t| t.name()).collect();
    assert_eq!(names, ["Documents", "events", "projects", "tasks"]);
    assert_eq!(
        registry.tenant_columns(),
        ["OwnerKey", "accountRef", "org_id", "workspace"]
    );
}
