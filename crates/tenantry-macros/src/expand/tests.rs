//! Snapshots of the expansion (reviewed by eye) and of every error message.

use proc_macro2::TokenStream;
use quote::quote;

use super::derive;

fn pretty(input: TokenStream) -> String {
    let tokens = derive(input).unwrap();
    let file: syn::File = syn::parse2(tokens).unwrap();
    prettyplease::unparse(&file)
}

fn errors(input: TokenStream) -> String {
    derive(input)
        .unwrap_err()
        .into_iter()
        .map(|e| e.to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn default_uuid_column() {
    insta::assert_snapshot!(pretty(quote! {
        #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, TenantScoped)]
        #[sea_orm(table_name = "orders")]
        pub struct Model {
            #[sea_orm(primary_key, auto_increment = false)]
            pub tenant_id: Uuid,
            #[sea_orm(primary_key)]
            pub id: i64,
            pub total: Decimal,
        }
    }));
}

#[test]
fn custom_i64_column_by_field_name() {
    insta::assert_snapshot!(pretty(quote! {
        #[derive(Clone, Debug, DeriveEntityModel, TenantScoped)]
        #[sea_orm(table_name = "invoices", schema_name = "billing")]
        #[tenantry(column = "org_id")]
        pub struct Model {
            #[sea_orm(primary_key)]
            pub id: i32,
            pub org_id: i64,
        }
    }));
}

#[test]
fn renamed_column_by_database_name() {
    insta::assert_snapshot!(pretty(quote! {
        #[derive(DeriveEntityModel, TenantScoped)]
        #[sea_orm(table_name = "Mixed")]
        #[tenantry(column = "OrgID")]
        pub struct Model {
            #[sea_orm(primary_key)]
            pub id: i32,
            #[sea_orm(column_name = "OrgID")]
            pub org: String,
        }
    }));
}

#[test]
fn renamed_column_by_field_name_and_rename_all() {
    insta::assert_snapshot!(pretty(quote! {
        #[derive(DeriveEntityModel, TenantScoped)]
        #[sea_orm(table_name = "events", rename_all = "camelCase")]
        #[tenantry(column = "account_ref")]
        pub struct Model {
            #[sea_orm(primary_key)]
            pub id: i32,
            pub account_ref: i32,
        }
    }));
}

#[test]
fn model_ex_expands_to_nothing() {
    let out = derive(quote! {
        #[derive(DeriveModelEx, TenantScoped)]
        #[sea_orm(table_name = "orders")]
        pub struct ModelEx {
            pub tenant_id: Uuid,
        }
    })
    .unwrap();
    assert!(out.is_empty());
}

#[test]
fn error_messages() {
    let cases = [
        (
            "missing default column",
            quote! {
                #[sea_orm(table_name = "orders")]
                pub struct Model { pub id: i32, pub org_id: Uuid }
            },
        ),
        (
            "missing named column",
            quote! {
                #[sea_orm(table_name = "orders")]
                #[tenantry(column = "org")]
                pub struct Model { pub id: i32, pub org_id: Uuid }
            },
        ),
        (
            "ignored column",
            quote! {
                #[sea_orm(table_name = "orders")]
                pub struct Model { pub id: i32, #[sea_orm(ignore)] pub tenant_id: Uuid }
            },
        ),
        (
            "ambiguous column",
            quote! {
                #[sea_orm(table_name = "orders")]
                #[tenantry(column = "owner")]
                pub struct Model {
                    #[sea_orm(column_name = "owner")] pub org: Uuid,
                    #[sea_orm(column_name = "owner_name")] pub owner: String,
                }
            },
        ),
        (
            "unsupported type",
            quote! {
                #[sea_orm(table_name = "orders")]
                pub struct Model { pub tenant_id: u64 }
            },
        ),
        (
            "nullable",
            quote! {
                #[sea_orm(table_name = "orders")]
                pub struct Model { pub tenant_id: Option<Uuid> }
            },
        ),
        (
            "unknown and duplicate keys",
            quote! {
                #[sea_orm(table_name = "orders")]
                #[tenantry(column = "a", colum = "b")]
                #[tenantry(column = "c")]
                pub struct Model { pub tenant_id: Uuid }
            },
        ),
        (
            "non-string column",
            quote! {
                #[sea_orm(table_name = "orders")]
                #[tenantry(column = org_id)]
                pub struct Model { pub tenant_id: Uuid }
            },
        ),
        (
            "empty column",
            quote! {
                #[sea_orm(table_name = "orders")]
                #[tenantry(column = "")]
                pub struct Model { pub tenant_id: Uuid }
            },
        ),
        (
            "attribute on a field",
            quote! {
                #[sea_orm(table_name = "orders")]
                pub struct Model { #[tenantry(column = "x")] pub tenant_id: Uuid }
            },
        ),
        (
            "no table_name",
            quote! {
                pub struct Model { pub tenant_id: Uuid }
            },
        ),
        (
            "not named Model",
            quote! {
                #[sea_orm(table_name = "orders")]
                pub struct Order { pub tenant_id: Uuid }
            },
        ),
        (
            "enum",
            quote! {
                pub enum Model { A }
            },
        ),
        (
            "tuple struct",
            quote! {
                pub struct Model(Uuid);
            },
        ),
        (
            "generic",
            quote! {
                #[sea_orm(table_name = "orders")]
                pub struct Model<T> { pub tenant_id: Uuid, pub x: T }
            },
        ),
        (
            "unknown rename_all",
            quote! {
                #[sea_orm(table_name = "orders", rename_all = "Camel")]
                pub struct Model { pub tenant_id: Uuid }
            },
        ),
    ];
    let mut out = String::new();
    for (name, input) in cases {
        out.push_str(&format!(
            "{name}:\n  {}\n",
            errors(input).replace('\n', "\n  ")
        ));
    }
    insta::assert_snapshot!(out);
}
