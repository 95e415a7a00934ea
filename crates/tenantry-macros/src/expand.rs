//! The expansion of `#[derive(TenantScoped)]`.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{Data, DataStruct, DeriveInput, Fields};

use crate::attr::{self, TenantryAttr};
use crate::id_type::IdType;
use crate::model::{ModelAttrs, ModelField};

/// Expands the derive; errors become `compile_error!` invocations spanned on the offending
/// tokens.
pub(crate) fn expand(input: TokenStream) -> TokenStream {
    derive(input).unwrap_or_else(syn::Error::into_compile_error)
}

/// The expansion, or the reasons there is none.
///
/// On the `Model` of a SeaORM entity (the struct `DeriveEntityModel` is derived on, which
/// generates `Entity` and `Column` beside it) this generates:
/// - `impl ::tenantry::TenantScoped for Entity` (tenant column name in the database, its id
///   type, and the `Column` variant);
/// - a constant that only type-checks if the tenant field has exactly the Rust type the id type
///   says (`uuid::Uuid`, `i32`, `i64`, `String`), so a type alias cannot mislabel it;
/// - the `inventory` registration read by `Registry::from_entities()`.
///
/// On `ModelEx` it generates nothing: `#[sea_orm::model]` copies `Model`'s derives onto the
/// `ModelEx` it generates, and the entity is already marked through `Model`.
pub(crate) fn derive(input: TokenStream) -> syn::Result<TokenStream> {
    let input: DeriveInput = syn::parse2(input)?;
    if input.ident == "ModelEx" {
        return Ok(TokenStream::new());
    }
    let fields = named_fields(&input)?;
    if input.ident != "Model" {
        return Err(syn::Error::new(
            input.ident.span(),
            format!(
                "#[derive(TenantScoped)] goes on the `Model` struct of a SeaORM entity (the one \
                 with #[derive(DeriveEntityModel)]), not on `{}`",
                input.ident
            ),
        ));
    }
    if !input.generics.params.is_empty() || input.generics.where_clause.is_some() {
        return Err(syn::Error::new(
            input.generics.span(),
            "a SeaORM entity `Model` cannot be generic",
        ));
    }
    let model_attrs = ModelAttrs::from_attrs(&input.attrs)?;
    if model_attrs.table_name.is_none() {
        return Err(syn::Error::new(
            input.ident.span(),
            "#[derive(TenantScoped)] needs a SeaORM entity model: add \
             #[sea_orm(table_name = \"...\")] and #[derive(DeriveEntityModel)] \
             (for an expanded-format entity, implement `tenantry::TenantScoped` by hand)",
        ));
    }

    let mut errors: Option<syn::Error> = None;
    let tenantry = match TenantryAttr::from_attrs(&input.attrs) {
        Ok(t) => t,
        Err(e) => {
            attr::combine(&mut errors, e);
            TenantryAttr::default()
        }
    };
    let mut model_fields = Vec::new();
    for field in fields {
        if let Err(e) = attr::reject_field_attrs(field) {
            attr::combine(&mut errors, e);
        }
        match ModelField::new(field, model_attrs.rename_all) {
            Ok(Some(f)) => model_fields.push(f),
            Ok(None) => {}
            Err(e) => attr::combine(&mut errors, e),
        }
    }
    if let Some(e) = errors {
        return Err(e);
    }

    let tenant = tenant_field(&input, &tenantry, &model_fields)?;
    let column_name = &tenant.column_name;
    let id_type = IdType::of(&tenant.field.ty, column_name)?;

    let model = &input.ident;
    let variant = &tenant.variant;
    let id_variant = id_type.variant();
    let ty_span = tenant.field.ty.span();
    let rust_type = id_type.rust_type(ty_span);
    let field_ident = &tenant.field.ident;
    let access = quote_spanned!(ty_span=> &model.#field_ident);

    Ok(quote! {
        #[automatically_derived]
        impl ::tenantry::TenantScoped for Entity {
            const TENANT_COLUMN: &'static str = #column_name;
            const TENANT_ID_TYPE: ::tenantry::TenantIdType = #id_variant;

            fn tenant_column() -> <Self as ::tenantry::__private::sea_orm::EntityTrait>::Column {
                Column::#variant
            }
        }

        const _: fn(&#model) -> &#rust_type = |model: &#model| #access;

        ::tenantry::__private::inventory::submit! {
            ::tenantry::__private::TableRegistration {
                build: <Entity as ::tenantry::TenantScoped>::scoped_table,
            }
        }
    })
}

/// The struct's named fields, or "this is not a SeaORM model".
fn named_fields(
    input: &DeriveInput,
) -> syn::Result<&syn::punctuated::Punctuated<syn::Field, syn::token::Comma>> {
    const NOT_A_MODEL: &str = "#[derive(TenantScoped)] goes on the `Model` struct of a SeaORM \
                               entity (a struct with named fields and \
                               #[derive(DeriveEntityModel)])";
    match &input.data {
        Data::Struct(DataStruct {
            fields: Fields::Named(named),
            ..
        }) => Ok(&named.named),
        Data::Struct(DataStruct { fields, .. }) => Err(syn::Error::new(
            match fields {
                Fields::Unit => input.ident.span(),
                _ => fields.span(),
            },
            NOT_A_MODEL,
        )),
        Data::Enum(e) => Err(syn::Error::new(e.enum_token.span, NOT_A_MODEL)),
        Data::Union(u) => Err(syn::Error::new(u.union_token.span, NOT_A_MODEL)),
    }
}

/// The field holding the tenant column: the one whose database column name or Rust name is
/// the requested column.
fn tenant_field<'f, 'a>(
    input: &DeriveInput,
    tenantry: &TenantryAttr,
    fields: &'f [ModelField<'a>],
) -> syn::Result<&'f ModelField<'a>> {
    let wanted = tenantry.column_name();
    let error_span = tenantry
        .column
        .as_ref()
        .map_or_else(|| input.ident.span(), syn::LitStr::span);
    let by_column = fields.iter().find(|f| f.column_name == wanted);
    let by_name = fields.iter().find(|f| f.rust_name == wanted);
    let field = match (by_column, by_name) {
        (Some(a), Some(b)) if !std::ptr::eq(a, b) => {
            return Err(syn::Error::new(
                error_span,
                format!(
                    "`{wanted}` is ambiguous: it is the database column of field `{}` and the \
                     name of field `{}` (column `{}`); rename one of the two",
                    a.rust_name, b.rust_name, b.column_name
                ),
            ));
        }
        (Some(f), _) | (None, Some(f)) => f,
        (None, None) => {
            let columns: Vec<String> = fields
                .iter()
                .filter(|f| !f.ignored)
                .map(|f| format!("`{}`", f.column_name))
                .collect();
            let hint = if tenantry.column.is_some() {
                "check the name in #[tenantry(column = \"...\")]".to_owned()
            } else {
                format!(
                    "add the field, or name the tenant column with \
                     #[tenantry(column = \"...\")] (default `{}`)",
                    attr::DEFAULT_COLUMN
                )
            };
            return Err(syn::Error::new(
                error_span,
                format!(
                    "no tenant column `{wanted}` in this model (columns: {}); {hint}",
                    columns.join(", ")
                ),
            ));
        }
    };
    if field.ignored {
        return Err(syn::Error::new(
            field.span(),
            format!(
                "the tenant column `{wanted}` is #[sea_orm(ignore)], so it is not a column; \
                 the tenant column must be stored in the table"
            ),
        ));
    }
    Ok(field)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests;
