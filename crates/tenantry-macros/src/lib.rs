//! Derive macros for tenantry. See the `tenantry` crate.

use proc_macro::TokenStream;

/// Marks a SeaORM entity as tenant-scoped. See `tenantry::TenantScoped`.
#[proc_macro_derive(TenantScoped, attributes(tenantry))]
pub fn derive_tenant_scoped(input: TokenStream) -> TokenStream {
    let _ = input;
    TokenStream::new()
}
