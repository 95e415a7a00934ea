//! The `#[tenantry(...)]` attribute namespace, parsed strictly.

use syn::spanned::Spanned;
use syn::{Attribute, Field, LitStr};

/// The tenant column used when no `column = "..."` is given.
pub(crate) const DEFAULT_COLUMN: &str = "tenant_id";

/// What `#[tenantry(...)]` on the model says.
#[derive(Default)]
pub(crate) struct TenantryAttr {
    /// `column = "org_id"`: the tenant column, by Rust field name or database column name.
    pub(crate) column: Option<LitStr>,
}

impl TenantryAttr {
    /// Parses every `#[tenantry(...)]` on the struct. Unknown keys, duplicate keys (also across
    /// several attributes) and malformed values are errors, all reported at once.
    pub(crate) fn from_attrs(attrs: &[Attribute]) -> syn::Result<Self> {
        let mut out = Self::default();
        let mut errors: Option<syn::Error> = None;
        for attr in attrs.iter().filter(|a| a.path().is_ident("tenantry")) {
            let parsed = attr.parse_nested_meta(|meta| {
                if meta.path.is_ident("column") {
                    let value: LitStr = meta.value()?.parse()?;
                    if out.column.is_some() {
                        return Err(syn::Error::new(
                            meta.path.span(),
                            "duplicate `column` key in #[tenantry(...)]",
                        ));
                    }
                    if value.value().is_empty() {
                        return Err(syn::Error::new(
                            value.span(),
                            "the tenant column name cannot be empty",
                        ));
                    }
                    out.column = Some(value);
                    Ok(())
                } else {
                    let key = meta
                        .path
                        .get_ident()
                        .map_or_else(|| "this key".to_owned(), |i| format!("`{i}`"));
                    Err(syn::Error::new(
                        meta.path.span(),
                        format!(
                            "unknown key {key} in #[tenantry(...)]; the only key is `column = \"...\"`"
                        ),
                    ))
                }
            });
            if let Err(e) = parsed {
                combine(&mut errors, e);
            }
        }
        match errors {
            Some(e) => Err(e),
            None => Ok(out),
        }
    }

    /// The tenant column the user asked for (`tenant_id` by default).
    pub(crate) fn column_name(&self) -> String {
        self.column
            .as_ref()
            .map_or_else(|| DEFAULT_COLUMN.to_owned(), LitStr::value)
    }
}

/// `#[tenantry(...)]` belongs on the struct; on a field it is an error.
pub(crate) fn reject_field_attrs(field: &Field) -> syn::Result<()> {
    match field.attrs.iter().find(|a| a.path().is_ident("tenantry")) {
        Some(attr) => Err(syn::Error::new_spanned(
            attr,
            "#[tenantry(...)] goes on the `Model` struct, not on a field; \
             name the tenant column with #[tenantry(column = \"...\")] there",
        )),
        None => Ok(()),
    }
}

/// Adds `e` to the accumulated errors.
pub(crate) fn combine(errors: &mut Option<syn::Error>, e: syn::Error) {
    match errors {
        Some(all) => all.combine(e),
        None => *errors = Some(e),
    }
}
