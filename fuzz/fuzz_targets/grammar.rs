//! The rewriter on grammar-generated SQL (`tenantry_fuzz::grammar`): statements of every kind
//! the rewriter scopes, on every backend, with values bound to the tenant, another tenant or
//! neither. Every statement is analysable, so every accepted one must be clean for the tenant.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tenantry::TenantId;
use tenantry_fuzz::grammar::{Script, TENANT};
use tenantry_fuzz::{Strict, check};

fuzz_target!(|script: Script| {
    check(script.statement(), &TenantId::from(TENANT), Strict::Clean);
});
