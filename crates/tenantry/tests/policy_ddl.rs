//! Snapshots of every DDL string `tenantry::policy` generates (PostgreSQL).
#![allow(clippy::unwrap_used)]

use insta::assert_snapshot;
use tenantry::TenantIdType;
use tenantry::policy::{self, ColumnType, PolicyConfig, QualifiedName, script, to_postgres};

fn orders() -> QualifiedName {
    QualifiedName::qualified("public", "orders")
}

#[test]
fn isolate_uuid() {
    let sql = policy::isolate(
        &orders(),
        "tenant_id",
        &ColumnType::default(),
        &PolicyConfig::default(),
    );
    assert_snapshot!(script(&sql));
}

#[test]
fn isolate_bigint_custom_names() {
    let config = PolicyConfig::default()
        .with_setting_name("app.current_org")
        .unwrap()
        .with_policy_names("org_rows", "org_guard");
    let sql = policy::isolate(
        &QualifiedName::new("invoices"),
        "org_id",
        &ColumnType::from(TenantIdType::I64),
        &config,
    );
    assert_snapshot!(script(&sql));
}

#[test]
fn isolate_quotes_awkward_identifiers() {
    // A setting name is never quoted into DDL unchecked: PostgreSQL refuses this one.
    assert!(
        PolicyConfig::default()
            .with_setting_name("it's.tenant")
            .is_err()
    );
    let config = PolicyConfig::default().with_policy_names("it's \"base\"", "Guard");
    let sql = policy::isolate(
        &QualifiedName::qualified("Sales Dept", "Or\"ders"),
        "Tenant Id",
        &ColumnType::from_catalog("character varying").unwrap(),
        &config,
    );
    assert_snapshot!(script(&sql));
}

#[test]
fn isolate_partitioned() {
    let sql = policy::isolate_partitioned(
        &QualifiedName::qualified("public", "events"),
        &[
            QualifiedName::qualified("public", "events_2026"),
            QualifiedName::qualified("public", "events_2027"),
        ],
        "tenant_id",
        &ColumnType::default(),
        &PolicyConfig::default(),
    );
    assert_snapshot!(script(&sql));
}

#[test]
fn release() {
    assert_snapshot!(script(&policy::release(
        &orders(),
        &PolicyConfig::default()
    )));
}

#[test]
fn release_partitioned() {
    let sql = policy::release_partitioned(
        &QualifiedName::qualified("public", "events"),
        &[QualifiedName::qualified("public", "events_2026")],
        &PolicyConfig::default(),
    );
    assert_snapshot!(script(&sql));
}

#[test]
fn tenant_predicate_types() {
    let config = PolicyConfig::default();
    let lines: Vec<String> = [
        TenantIdType::Uuid,
        TenantIdType::I32,
        TenantIdType::I64,
        TenantIdType::String,
    ]
    .into_iter()
    .map(|t| policy::tenant_predicate("tenant_id", &t.into(), &config))
    .collect();
    assert_snapshot!(lines.join("\n"));
}

#[test]
fn ensure_role() {
    assert_snapshot!(policy::ensure_role("tenantry_app"));
}

#[test]
fn ensure_role_awkward_name() {
    assert_snapshot!(policy::ensure_role("app's \"role\" $tenantry$"));
}

#[test]
fn role_privileges() {
    let seq = QualifiedName::qualified("public", "orders_id_seq");
    let sql = vec![
        policy::grant_schema_usage("tenantry_app", "public"),
        policy::grant_table_access("tenantry_app", &orders()),
        policy::revoke_table_privileges(
            "tenantry_app",
            &orders(),
            &["TRUNCATE", "REFERENCES", "TRIGGER"],
            true,
        ),
        policy::revoke_table_access("tenantry_app", &orders(), false),
        policy::grant_sequence_usage("tenantry_app", &seq),
        policy::revoke_sequence_update("tenantry_app", &seq, false),
        policy::revoke_temp("tenantry_app", "shop"),
        policy::revoke_temp_from_public(),
        policy::grant_temp_to_public(),
        policy::revoke_superuser("tenantry_app"),
        policy::revoke_bypassrls("tenantry_app"),
        policy::revoke_membership("owner", "tenantry_app"),
        policy::change_table_owner(&orders(), None),
        policy::change_table_owner(&orders(), Some("owner")),
        policy::drop_role("tenantry_app"),
    ];
    assert_snapshot!(script(&sql));
}

#[test]
fn read_only_grant() {
    let directory = QualifiedName::qualified("public", "tenantry_tenants");
    assert_snapshot!(script(&[policy::grant_table_read(
        "tenantry_app",
        &directory
    )]));
}

#[test]
fn views_and_routines() {
    let sql = vec![
        policy::view_security_invoker(&QualifiedName::qualified("public", "order_totals")),
        policy::revoke_materialized_view(
            "tenantry_app",
            &QualifiedName::qualified("public", "order_stats"),
        ),
        policy::routine_security_invoker("public", "all_orders", "since date"),
        policy::function_not_leakproof("public", "eq_ci", "text, text"),
    ];
    assert_snapshot!(script(&sql));
}

#[test]
fn schema_shapes() {
    let customers = QualifiedName::qualified("public", "customers");
    let items = QualifiedName::new("order_items");
    let sql = vec![
        to_postgres(&policy::tenant_index(&orders(), "tenant_id", &[])),
        to_postgres(&policy::tenant_index(&orders(), "tenant_id", &["status"])),
        to_postgres(&policy::tenant_unique(&orders(), "tenant_id", &["id"])),
        to_postgres(&policy::tenant_unique(&customers, "tenant_id", &["email"])),
        to_postgres(&policy::tenant_foreign_key(
            &items,
            "tenant_id",
            &["order_id"],
            &orders(),
            &["id"],
        )),
        to_postgres(&policy::drop_index(&orders(), "orders_tenant_id_idx")),
        policy::drop_constraint(&customers, "customers_email_key"),
        policy::drop_index_sql(Some("public"), "we\"ird"),
        policy::drop_index_sql(None, "orders_tenant_id_idx"),
        policy::create_unique_index_sql(&customers, "we\"ird", &["tenant_id", "email"]),
        policy::add_unique_constraint_sql(
            &customers,
            "customers_email_key",
            &["tenant_id", "email"],
        ),
        policy::add_foreign_key_sql(
            &items,
            "order_items_order_fkey",
            &["tenant_id", "order_id"],
            &orders(),
            &["tenant_id", "id"],
            Some(sea_orm::sea_query::ForeignKeyAction::Cascade),
            None,
        ),
        to_postgres(
            &sea_orm::sea_query::Table::create()
                .table(policy::table_ref(&customers))
                .col(policy::tenant_column("tenant_id", TenantIdType::Uuid))
                .col(policy::tenant_column("org_id", TenantIdType::I64))
                .to_owned(),
        ),
    ];
    assert_snapshot!(script(&sql));
}

#[test]
fn schema_shapes_quote_awkward_identifiers() {
    let t = QualifiedName::qualified("Sales Dept", "Or\"ders");
    let sql = vec![
        to_postgres(&policy::tenant_index(&t, "Tenant Id", &[])),
        to_postgres(&policy::tenant_foreign_key(
            &t,
            "Tenant Id",
            &["Cust\"Id"],
            &QualifiedName::qualified("Sales Dept", "Customers"),
            &["Id"],
        )),
    ];
    assert_snapshot!(script(&sql));
}
