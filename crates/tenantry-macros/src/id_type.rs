//! The tenant column's Rust type → `tenantry::TenantIdType`.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::{PathArguments, Type};

/// A supported tenant id type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum IdType {
    Uuid,
    I32,
    I64,
    String,
}

impl IdType {
    /// Recognises the field type by its last path segment: `Uuid` (any path, e.g.
    /// `uuid::Uuid`), `i32`, `i64`, `String`. The generated code then checks that the field
    /// really has the matching type, so an alias cannot slip through.
    pub(crate) fn of(ty: &Type, column: &str) -> syn::Result<Self> {
        let ty = peel(ty);
        let Type::Path(path) = ty else {
            return Err(unsupported(ty, column));
        };
        let Some(last) = path.path.segments.last() else {
            return Err(unsupported(ty, column));
        };
        if path.qself.is_none() && last.ident == "Option" {
            return Err(syn::Error::new_spanned(
                ty,
                format!(
                    "the tenant column `{column}` cannot be nullable: a row without a tenant \
                     belongs to no one and no tenant could see or protect it; make the column \
                     NOT NULL and drop the `Option`"
                ),
            ));
        }
        if path.qself.is_some() || !matches!(last.arguments, PathArguments::None) {
            return Err(unsupported(ty, column));
        }
        match last.ident.to_string().as_str() {
            "Uuid" => Ok(Self::Uuid),
            "i32" => Ok(Self::I32),
            "i64" => Ok(Self::I64),
            "String" => Ok(Self::String),
            _ => Err(unsupported(ty, column)),
        }
    }

    /// `::tenantry::TenantIdType::…`
    pub(crate) fn variant(self) -> TokenStream {
        match self {
            Self::Uuid => quote!(::tenantry::TenantIdType::Uuid),
            Self::I32 => quote!(::tenantry::TenantIdType::I32),
            Self::I64 => quote!(::tenantry::TenantIdType::I64),
            Self::String => quote!(::tenantry::TenantIdType::String),
        }
    }

    /// The exact Rust type the field must have, spanned on the field's type.
    pub(crate) fn rust_type(self, span: proc_macro2::Span) -> TokenStream {
        match self {
            Self::Uuid => quote_spanned!(span=> ::tenantry::__private::sea_orm::prelude::Uuid),
            Self::I32 => quote_spanned!(span=> ::core::primitive::i32),
            Self::I64 => quote_spanned!(span=> ::core::primitive::i64),
            Self::String => quote_spanned!(span=> ::std::string::String),
        }
    }
}

/// `(T)` and macro-produced invisible groups around `T` are `T`.
fn peel(mut ty: &Type) -> &Type {
    loop {
        match ty {
            Type::Paren(p) => ty = &p.elem,
            Type::Group(g) => ty = &g.elem,
            _ => return ty,
        }
    }
}

fn unsupported(ty: &Type, column: &str) -> syn::Error {
    syn::Error::new_spanned(
        ty,
        format!(
            "unsupported type for the tenant column `{column}`; \
             use `Uuid` (the default), `i32`, `i64` or `String`"
        ),
    )
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn of(ty: TokenStream) -> syn::Result<IdType> {
        IdType::of(&syn::parse2(ty).unwrap(), "tenant_id")
    }

    #[test]
    fn recognises_supported_types() {
        assert_eq!(of(quote!(Uuid)).unwrap(), IdType::Uuid);
        assert_eq!(of(quote!(uuid::Uuid)).unwrap(), IdType::Uuid);
        assert_eq!(of(quote!(sea_orm::prelude::Uuid)).unwrap(), IdType::Uuid);
        assert_eq!(of(quote!(i32)).unwrap(), IdType::I32);
        assert_eq!(of(quote!(i64)).unwrap(), IdType::I64);
        assert_eq!(of(quote!(String)).unwrap(), IdType::String);
        assert_eq!(of(quote!(std::string::String)).unwrap(), IdType::String);
        assert_eq!(of(quote!((i64))).unwrap(), IdType::I64);
    }

    #[test]
    fn rejects_others() {
        for ty in [
            quote!(u64),
            quote!(&str),
            quote!(Vec<u8>),
            quote!(<T as X>::Uuid),
            quote!(i16),
        ] {
            let err = of(ty).unwrap_err().to_string();
            assert!(err.starts_with("unsupported type"), "{err}");
        }
        let err = of(quote!(Option<Uuid>)).unwrap_err().to_string();
        assert!(err.contains("cannot be nullable"), "{err}");
    }
}
