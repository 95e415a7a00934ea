//! The reference tables: `tenants`, `products` (shared), `customers`, `orders`, `order_items`
//! (scoped). Keys between scoped tables are composite `(tenant_id, id)`, so a row can never
//! point at another tenant's row; unique constraints on scoped tables include `tenant_id`.

use sea_orm_migration::prelude::*;

use crate::Part;

/// Creates the reference app's tables: all of them ([`Part::All`]), or only the scoped ones
/// ([`Part::Scoped`]).
#[derive(DeriveMigrationName)]
pub(crate) struct Migration(pub(crate) Part);

#[derive(DeriveIden)]
enum Tenants {
    Table,
    Id,
    Name,
    Slug,
}

#[derive(DeriveIden)]
enum Products {
    Table,
    Id,
    Sku,
    Name,
    Price,
}

#[derive(DeriveIden)]
enum Customers {
    Table,
    Id,
    TenantId,
    Name,
    Email,
}

#[derive(DeriveIden)]
enum Orders {
    Table,
    Id,
    TenantId,
    CustomerId,
    Status,
    Total,
}

#[derive(DeriveIden)]
enum OrderItems {
    Table,
    Id,
    TenantId,
    OrderId,
    ProductId,
    Quantity,
    UnitPrice,
}

/// `tenant_id` referencing `tenants (id)`.
fn tenant_fk(table: impl IntoIden, name: &str) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(name)
        .from(table, Alias::new("tenant_id"))
        .to(Tenants::Table, Tenants::Id)
        .to_owned()
}

/// `tenants` and `products`: shared reference data.
async fn create_reference(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    manager
        .create_table(
            Table::create()
                .table(Tenants::Table)
                .col(ColumnDef::new(Tenants::Id).uuid().not_null().primary_key())
                .col(ColumnDef::new(Tenants::Name).string().not_null())
                .col(
                    ColumnDef::new(Tenants::Slug)
                        .string()
                        .not_null()
                        .unique_key(),
                )
                .to_owned(),
        )
        .await?;

    manager
        .create_table(
            Table::create()
                .table(Products::Table)
                .col(
                    ColumnDef::new(Products::Id)
                        .integer()
                        .not_null()
                        .auto_increment()
                        .primary_key(),
                )
                .col(
                    ColumnDef::new(Products::Sku)
                        .string()
                        .not_null()
                        .unique_key(),
                )
                .col(ColumnDef::new(Products::Name).string().not_null())
                .col(
                    ColumnDef::new(Products::Price)
                        .decimal_len(12, 2)
                        .not_null(),
                )
                .to_owned(),
        )
        .await?;

    Ok(())
}

/// `customers`, `orders`, `order_items`: the scoped tables.
async fn create_scoped(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    manager
        .create_table(
            Table::create()
                .table(Customers::Table)
                .col(
                    ColumnDef::new(Customers::Id)
                        .integer()
                        .not_null()
                        .auto_increment()
                        .primary_key(),
                )
                .col(ColumnDef::new(Customers::TenantId).uuid().not_null())
                .col(ColumnDef::new(Customers::Name).string().not_null())
                .col(ColumnDef::new(Customers::Email).string().not_null())
                .index(
                    Index::create()
                        .name("customers_tenant_id_id_key")
                        .col(Customers::TenantId)
                        .col(Customers::Id)
                        .unique(),
                )
                .index(
                    Index::create()
                        .name("customers_tenant_id_email_key")
                        .col(Customers::TenantId)
                        .col(Customers::Email)
                        .unique(),
                )
                .foreign_key(&mut tenant_fk(Customers::Table, "customers_tenant_id_fkey"))
                .to_owned(),
        )
        .await?;

    manager
        .create_table(
            Table::create()
                .table(Orders::Table)
                .col(
                    ColumnDef::new(Orders::Id)
                        .integer()
                        .not_null()
                        .auto_increment()
                        .primary_key(),
                )
                .col(ColumnDef::new(Orders::TenantId).uuid().not_null())
                .col(ColumnDef::new(Orders::CustomerId).integer().not_null())
                .col(ColumnDef::new(Orders::Status).string().not_null())
                .col(ColumnDef::new(Orders::Total).decimal_len(12, 2).not_null())
                .index(
                    Index::create()
                        .name("orders_tenant_id_id_key")
                        .col(Orders::TenantId)
                        .col(Orders::Id)
                        .unique(),
                )
                .foreign_key(&mut tenant_fk(Orders::Table, "orders_tenant_id_fkey"))
                .foreign_key(
                    ForeignKey::create()
                        .name("orders_customer_fkey")
                        .from_tbl(Orders::Table)
                        .from_col(Orders::TenantId)
                        .from_col(Orders::CustomerId)
                        .to_tbl(Customers::Table)
                        .to_col(Customers::TenantId)
                        .to_col(Customers::Id),
                )
                .to_owned(),
        )
        .await?;

    manager
        .create_table(
            Table::create()
                .table(OrderItems::Table)
                .col(
                    ColumnDef::new(OrderItems::Id)
                        .integer()
                        .not_null()
                        .auto_increment()
                        .primary_key(),
                )
                .col(ColumnDef::new(OrderItems::TenantId).uuid().not_null())
                .col(ColumnDef::new(OrderItems::OrderId).integer().not_null())
                .col(ColumnDef::new(OrderItems::ProductId).integer().not_null())
                .col(ColumnDef::new(OrderItems::Quantity).integer().not_null())
                .col(
                    ColumnDef::new(OrderItems::UnitPrice)
                        .decimal_len(12, 2)
                        .not_null(),
                )
                .index(
                    Index::create()
                        .name("order_items_tenant_id_id_key")
                        .col(OrderItems::TenantId)
                        .col(OrderItems::Id)
                        .unique(),
                )
                .foreign_key(&mut tenant_fk(
                    OrderItems::Table,
                    "order_items_tenant_id_fkey",
                ))
                .foreign_key(
                    ForeignKey::create()
                        .name("order_items_order_fkey")
                        .from_tbl(OrderItems::Table)
                        .from_col(OrderItems::TenantId)
                        .from_col(OrderItems::OrderId)
                        .to_tbl(Orders::Table)
                        .to_col(Orders::TenantId)
                        .to_col(Orders::Id),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("order_items_product_fkey")
                        .from_tbl(OrderItems::Table)
                        .from_col(OrderItems::ProductId)
                        .to_tbl(Products::Table)
                        .to_col(Products::Id),
                )
                .to_owned(),
        )
        .await?;
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if self.0.reference() {
            create_reference(manager).await?;
        }
        create_scoped(manager).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut tables = vec![
            OrderItems::Table.into_iden(),
            Orders::Table.into_iden(),
            Customers::Table.into_iden(),
        ];
        if self.0.reference() {
            tables.extend([Products::Table.into_iden(), Tenants::Table.into_iden()]);
        }
        for table in tables {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
