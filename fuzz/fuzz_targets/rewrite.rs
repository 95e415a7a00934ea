//! The rewriter on arbitrary input, every backend: the first byte picks the backend, the rest
//! is the SQL text (lossily UTF-8). It must never panic, loop or overflow its stack, and what
//! it accepts must be constrained to the tenant (see `tenantry_fuzz::check`).
#![no_main]

use libfuzzer_sys::fuzz_target;
use sea_orm::{DbBackend, Statement};
use tenantry::TenantId;
use tenantry_fuzz::{Strict, check};

fuzz_target!(|data: &[u8]| {
    let Some((first, rest)) = data.split_first() else {
        return;
    };
    let backend = match first % 3 {
        0 => DbBackend::Postgres,
        1 => DbBackend::MySql,
        _ => DbBackend::Sqlite,
    };
    let sql = String::from_utf8_lossy(rest);
    let statement = Statement::from_string(backend, sql.as_ref());
    check(statement, &TenantId::from(7_i64), Strict::Unconstrained);
});
