//! Copies of one benchmark tenant in each placement, with the same ids and rows, so the same
//! requests run against the shared tables, a schema of its own and a database of its own.

use std::sync::Arc;

use sea_orm::{ConnectionTrait, DbBackend, Statement};
use sea_orm_migration::MigratorTrait;
use tenantry::placement::{MemoryDirectory, Placement, TenantRecord, TenantState};
use tenantry::policy::{self, ColumnType, PolicyConfig, QualifiedName};
use tenantry_tests::TestDb;
use uuid::Uuid;

use crate::data::BenchDb;
use crate::exec;

/// The scoped tables the requests read, parents first.
const TABLES: [&str; 2] = ["customers", "orders"];

/// Copies tenant `tenant`'s customers and orders into schema `schema` of the benchmark
/// database (as the superuser), with the same indexes, Row-Level Security and grants.
pub async fn schema_copy(bench: &BenchDb, tenant: Uuid, schema: &str) {
    let su = crate::data::pool(
        &bench.superuser_url,
        crate::data::PoolSpec {
            size: 1,
            test_before_acquire: false,
        },
    )
    .await;
    let role = &bench.db.app_role;
    exec(&su, &format!("CREATE SCHEMA \"{schema}\"")).await;
    exec(
        &su,
        &format!("GRANT USAGE ON SCHEMA \"{schema}\" TO \"{role}\""),
    )
    .await;
    for table in TABLES {
        let name = QualifiedName::qualified(schema, table);
        for sql in [
            format!(
                "CREATE TABLE {} (LIKE public.{table} INCLUDING ALL)",
                name.to_sql()
            ),
            format!(
                "INSERT INTO {} SELECT * FROM public.{table} WHERE tenant_id = '{tenant}'",
                name.to_sql()
            ),
            format!("GRANT SELECT ON {} TO \"{role}\"", name.to_sql()),
            format!("ANALYZE {}", name.to_sql()),
        ] {
            exec(&su, &sql).await;
        }
        for sql in policy::isolate(
            &name,
            "tenant_id",
            &ColumnType::default(),
            &PolicyConfig::default(),
        ) {
            exec(&su, &sql).await;
        }
    }
    su.close().await.unwrap();
}

/// A database on the second server holding tenant number `index` (of the benchmark's
/// generated data: same ids, same rows) with the reference app's tenant-database migrations,
/// readable by its own app role.
pub async fn silo(bench: &BenchDb, index: usize) -> TestDb {
    let silo = TestDb::postgres_second_server().await;
    migration::TenantDatabaseMigrator::up(&silo.owner, Some(1))
        .await
        .unwrap();
    let (g, c, o) = (
        index + 1,
        bench.customers_per_tenant,
        bench.orders_per_tenant,
    );
    for sql in [
        format!(
            "INSERT INTO tenants (id, name, slug) VALUES (md5('t' || {g})::uuid, 'Tenant', 't')"
        ),
        format!(
            "INSERT INTO customers (id, tenant_id, name, email) SELECT ({g} - 1) * {c} + i, \
             md5('t' || {g})::uuid, 'Customer ' || i, 'c' || i || '@example.com' \
             FROM generate_series(1, {c}) i"
        ),
        format!(
            "INSERT INTO orders (id, tenant_id, customer_id, status, total) \
             SELECT ({g} - 1) * {o} + i, md5('t' || {g})::uuid, ({g} - 1) * {c} + 1 + i % {c}, \
             (ARRAY['open', 'paid', 'shipped'])[1 + i % 3], (i % 1000) / 10.0 \
             FROM generate_series(1, {o}) i"
        ),
    ] {
        silo.owner_exec(&sql).await;
    }
    migration::TenantDatabaseMigrator::up(&silo.owner, None)
        .await
        .unwrap();
    // The fence every placed tenant transaction checks (provisioning installs it).
    for sql in tenantry::placement::fence::install_sql("public") {
        silo.owner_exec(&sql).await;
    }
    let role = &silo.app_role;
    silo.owner_exec(&format!(
        "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO \"{role}\""
    ))
    .await;
    silo.owner_exec("ANALYZE").await;
    silo
}

/// A directory placing `tenant` as `placement`.
pub fn directory(tenant: Uuid, placement: Placement) -> Arc<MemoryDirectory> {
    Arc::new(MemoryDirectory::with([TenantRecord::new(
        tenant,
        placement,
        TenantState::Active,
    )]))
}

/// Connections of `role` open on the server behind `admin`, to databases other than
/// `except`.
pub async fn connections_of(admin: &impl ConnectionTrait, role: &str, except: &str) -> i64 {
    admin
        .query_one_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT count(*) FROM pg_stat_activity WHERE usename = $1 AND datname <> $2",
            [role.into(), except.into()],
        ))
        .await
        .unwrap()
        .unwrap()
        .try_get_by_index::<i64>(0)
        .unwrap()
}
