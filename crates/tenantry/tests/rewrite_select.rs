//! Snapshots: SELECT shapes on each backend.

mod rewrite_support;

use sea_orm::DatabaseBackend::{MySql, Postgres, Sqlite};

select_cases!(case);

#[test]
fn uuid_declared_tables_refuse_other_tenant_types() {
    let registry = rewrite_support::uuid_registry();
    let out: String = rewrite_support::ALL
        .iter()
        .map(|b| {
            rewrite_support::render_with(
                &registry,
                &rewrite_support::tenant(),
                *b,
                "SELECT id FROM orders",
                &[],
            )
        })
        .collect::<Vec<_>>()
        .join("\n");
    insta::assert_snapshot!("uuid_declared_tables_refuse_other_tenant_types", out);
}

#[test]
fn uuid_tenant_is_bound_as_uuid() {
    let registry = rewrite_support::uuid_registry();
    let tenant = tenantry::TenantId::from(uuid::Uuid::from_u128(
        0x0123_4567_89ab_cdef_0123_4567_89ab_cdef,
    ));
    let out: String = rewrite_support::ALL
        .iter()
        .map(|b| {
            rewrite_support::render_with(
                &registry,
                &tenant,
                *b,
                "SELECT id FROM orders WHERE id = $1",
                &[1.into()],
            )
        })
        .collect::<Vec<_>>()
        .join("\n");
    insta::assert_snapshot!("uuid_tenant_is_bound_as_uuid", out);
}
