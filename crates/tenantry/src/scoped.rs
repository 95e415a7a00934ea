//! The `TenantScoped` trait implemented by `#[derive(TenantScoped)]`.

use sea_orm::EntityTrait;

use crate::registry::ScopedTable;
use crate::tenant::TenantIdType;

/// An entity whose rows belong to one tenant.
///
/// Implemented by `#[derive(TenantScoped)]` on the entity's `Model`; the derive also registers
/// the table so that [`Registry::from_entities`](crate::Registry::from_entities) knows it.
pub trait TenantScoped: EntityTrait {
    /// The tenant column's name as stored in the database.
    const TENANT_COLUMN: &'static str;
    /// The tenant column's id type.
    const TENANT_ID_TYPE: TenantIdType;

    /// The tenant column.
    fn tenant_column() -> Self::Column;

    /// The table as the registry knows it (schema, name, tenant column, id type).
    fn scoped_table() -> ScopedTable {
        let entity = Self::default();
        let schema = sea_orm::EntityName::schema_name(&entity).map(str::to_owned);
        let name = sea_orm::EntityName::table_name(&entity).to_owned();
        ScopedTable::new(schema, name, Self::TENANT_COLUMN).with_id_type(Self::TENANT_ID_TYPE)
    }
}
