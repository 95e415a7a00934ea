//! What `DeriveEntityModel` makes of a `Model`: whether it is an entity model at all, and for
//! each field its `Column` variant and database column name.
//!
//! `#[sea_orm(...)]` attributes are read the way `sea-orm-macros` 2.0 reads them: the keys that
//! matter here (`table_name`, `rename_all`, `column_name`, `enum_name`, `ignore`) are parsed,
//! every other key is skipped.

use proc_macro2::{Ident, Span};
use syn::meta::ParseNestedMeta;
use syn::{Attribute, Field, Lit, LitStr};

use crate::case::{self, CaseStyle};

/// The struct-level `#[sea_orm(...)]` keys the derive needs.
#[derive(Default)]
pub(crate) struct ModelAttrs {
    /// `table_name = "..."`: present on every `DeriveEntityModel` model.
    pub(crate) table_name: Option<LitStr>,
    /// `rename_all = "..."`: changes the default database column names.
    pub(crate) rename_all: Option<CaseStyle>,
}

impl ModelAttrs {
    /// Reads the struct's `#[sea_orm(...)]` attributes.
    pub(crate) fn from_attrs(attrs: &[Attribute]) -> syn::Result<Self> {
        let mut out = Self::default();
        for attr in attrs.iter().filter(|a| a.path().is_ident("sea_orm")) {
            attr.parse_nested_meta(|meta| {
                if meta.path.is_ident("table_name") {
                    out.table_name = Some(meta.value()?.parse()?);
                } else if meta.path.is_ident("rename_all") {
                    let lit: LitStr = meta.value()?.parse()?;
                    let style = CaseStyle::parse(&lit.value()).ok_or_else(|| {
                        syn::Error::new(lit.span(), "unknown case style in `rename_all`")
                    })?;
                    out.rename_all = Some(style);
                } else {
                    skip(meta);
                }
                Ok(())
            })?;
        }
        Ok(out)
    }
}

/// One field of the model as SeaORM sees it.
pub(crate) struct ModelField<'a> {
    /// The field.
    pub(crate) field: &'a Field,
    /// The field's Rust name without `r#`.
    pub(crate) rust_name: String,
    /// The `Column` enum variant generated for it.
    pub(crate) variant: Ident,
    /// The column's name in the database.
    pub(crate) column_name: String,
    /// `#[sea_orm(ignore)]`: not a column.
    pub(crate) ignored: bool,
}

impl<'a> ModelField<'a> {
    /// Computes the variant and column name of a named field (`None` for a tuple field).
    pub(crate) fn new(
        field: &'a Field,
        rename_all: Option<CaseStyle>,
    ) -> syn::Result<Option<Self>> {
        let Some(ident) = &field.ident else {
            return Ok(None);
        };
        let raw = ident.to_string();
        let rust_name = raw.trim_start_matches("r#").to_owned();
        let upper = case::upper_camel(&rust_name);

        // The default database name, before any field attribute (as sea-orm-macros does).
        let mut column_name = match rename_all {
            Some(style) => Some(style.apply(&upper)),
            None if rust_name != case::snake(&upper) => Some(case::snake(&rust_name)),
            None => None,
        };
        let mut enum_name: Option<Ident> = None;
        let mut ignored = false;

        for attr in field.attrs.iter().filter(|a| a.path().is_ident("sea_orm")) {
            attr.parse_nested_meta(|meta| {
                if meta.path.is_ident("column_name") {
                    column_name = Some(lit_str(&meta)?.value());
                } else if meta.path.is_ident("enum_name") {
                    enum_name = Some(lit_str(&meta)?.parse()?);
                } else if meta.path.is_ident("ignore") {
                    ignored = true;
                } else {
                    skip(meta);
                }
                Ok(())
            })?;
        }

        let variant_name = escape_keyword(enum_name.map_or(upper, |i| i.to_string()));
        let column_name = column_name.unwrap_or_else(|| case::snake(&variant_name));
        let mut variant: Ident = syn::parse_str(&variant_name).map_err(|_| {
            syn::Error::new(
                ident.span(),
                format!("`{variant_name}` (the Column variant of this field) is not an identifier"),
            )
        })?;
        variant.set_span(ident.span());

        Ok(Some(Self {
            field,
            rust_name,
            variant,
            column_name,
            ignored,
        }))
    }

    /// The span errors about this field point at.
    pub(crate) fn span(&self) -> Span {
        self.field
            .ident
            .as_ref()
            .map_or_else(Span::call_site, Ident::span)
    }
}

fn lit_str(meta: &ParseNestedMeta<'_>) -> syn::Result<LitStr> {
    match meta.value()?.parse()? {
        Lit::Str(s) => Ok(s),
        other => Err(syn::Error::new(other.span(), "expected a string literal")),
    }
}

/// Skips a key this derive does not need, accepting what sea-orm-macros accepts.
fn skip(meta: ParseNestedMeta<'_>) {
    let _ = meta.value().and_then(|v| v.parse::<syn::Expr>());
}

const KEYWORDS: [&str; 49] = [
    "as", "async", "await", "break", "const", "continue", "dyn", "else", "enum", "extern", "false",
    "fn", "for", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref",
    "return", "static", "struct", "super", "trait", "true", "type", "union", "unsafe", "use",
    "where", "while", "abstract", "become", "box", "do", "final", "macro", "override", "priv",
    "try", "typeof", "unsized", "virtual", "yield",
];

/// Escapes a variant name the way sea-orm-macros does.
fn escape_keyword(name: String) -> String {
    if KEYWORDS.contains(&name.as_str()) {
        format!("r#{name}")
    } else if matches!(name.as_str(), "crate" | "Self" | "self") {
        format!("{name}_")
    } else {
        name
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn field(tokens: proc_macro2::TokenStream) -> Field {
        let item: syn::ItemStruct = syn::parse2(quote::quote!(struct S { #tokens })).unwrap();
        item.fields.into_iter().next().unwrap()
    }

    fn names(tokens: proc_macro2::TokenStream, rename_all: Option<CaseStyle>) -> (String, String) {
        let f = field(tokens);
        let m = ModelField::new(&f, rename_all).unwrap().unwrap();
        (m.variant.to_string(), m.column_name)
    }

    #[test]
    fn plain_snake_case_field() {
        assert_eq!(
            names(quote::quote!(tenant_id: Uuid), None),
            ("TenantId".into(), "tenant_id".into())
        );
    }

    #[test]
    fn non_snake_field_gets_a_snake_column() {
        assert_eq!(
            names(quote::quote!(tenantID: Uuid), None),
            ("TenantId".into(), "tenant_id".into())
        );
    }

    #[test]
    fn column_name_attribute_renames_the_column_only() {
        assert_eq!(
            names(
                quote::quote!(#[sea_orm(column_name = "OrgID")] org: i64),
                None
            ),
            ("Org".into(), "OrgID".into())
        );
    }

    #[test]
    fn enum_name_renames_the_variant_and_default_column() {
        assert_eq!(
            names(
                quote::quote!(#[sea_orm(enum_name = "Owner")] tenant_id: Uuid),
                None
            ),
            ("Owner".into(), "owner".into())
        );
    }

    #[test]
    fn rename_all_applies_to_the_variant_name() {
        assert_eq!(
            names(quote::quote!(tenant_id: Uuid), Some(CaseStyle::Camel)),
            ("TenantId".into(), "tenantId".into())
        );
    }

    #[test]
    fn raw_and_keyword_names() {
        assert_eq!(
            names(quote::quote!(r#type: String), None),
            ("Type".into(), "type".into())
        );
        assert_eq!(
            names(
                quote::quote!(#[sea_orm(enum_name = "Selfish")] self_: String),
                None
            ),
            ("Selfish".into(), "self".into())
        );
    }

    #[test]
    fn other_sea_orm_keys_are_skipped() {
        let f = field(quote::quote!(
            #[sea_orm(primary_key, auto_increment = false, column_type = "Uuid", indexed)]
            tenant_id: Uuid
        ));
        let m = ModelField::new(&f, None).unwrap().unwrap();
        assert!(!m.ignored);
        let f = field(quote::quote!(#[sea_orm(ignore)] tenant_id: Uuid));
        assert!(ModelField::new(&f, None).unwrap().unwrap().ignored);
    }
}
