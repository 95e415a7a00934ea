//! Compile tests for `#[derive(TenantScoped)]`: what must compile (and register correctly) and
//! what must be refused, with reviewed compiler messages.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.pass("tests/ui/pass/*.rs");
    t.compile_fail("tests/ui/fail/*.rs");
}
