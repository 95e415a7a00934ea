//! `tenantry::doctor` on a live PostgreSQL: clean after the reference migrations; each
//! misconfiguration, introduced on purpose in its own database, is reported with a fix, and
//! running the printed fix makes the database clean again.
#![allow(clippy::unwrap_used, clippy::print_stdout)]

use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection};
use sea_orm_migration::{MigratorTrait, SchemaManager};
use tenantry::doctor::{self, Check, DoctorOptions, Report, Severity};
use tenantry::{Registry, ScopedTable, TenantIdType};
use tenantry_migration::TenantMigrationExt;
use tenantry_tests::{TestDb, pg_admin_url};

/// A superuser connection to the test database (for role attributes and LEAKPROOF).
async fn admin(db: &TestDb) -> DatabaseConnection {
    let base = pg_admin_url();
    let url = match base.rsplit_once('/') {
        Some((server, _)) => format!("{server}/{}", db.name),
        None => base,
    };
    let mut opts = ConnectOptions::new(url);
    opts.max_connections(1).sqlx_logging(false);
    Database::connect(opts).await.unwrap()
}

async fn migrated() -> TestDb {
    let db = TestDb::postgres().await;
    db.migrate().await;
    db
}

fn options(db: &TestDb) -> DoctorOptions {
    DoctorOptions::new().app_role(db.app_role.clone())
}

async fn doctor(db: &TestDb) -> Report {
    doctor::run(&db.owner, &options(db)).await.unwrap()
}

async fn exec(conn: &DatabaseConnection, sql: &str) {
    if let Err(e) = conn.execute_unprepared(sql).await {
        panic!("statement failed: {e}\n{sql}");
    }
}

/// The report has `check` on `object` (with a fix); running every fix as `fixer` makes the
/// database clean. Returns the report for further assertions.
async fn reported_and_fixed(
    db: &TestDb,
    fixer: &DatabaseConnection,
    check: Check,
    object: &str,
) -> Report {
    let report = doctor(db).await;
    let finding = report
        .of(check)
        .find(|f| f.object == object)
        .unwrap_or_else(|| panic!("expected {check:?} on {object}, got:\n{report}"));
    assert!(finding.fix.is_some(), "no fix for {check:?}:\n{report}");
    assert!(!report.is_clean());
    let script = report.fix_script();
    exec(fixer, &script).await;
    let after = doctor(db).await;
    assert!(
        after.is_clean(),
        "not clean after running the fix:\n{script}\n{after}"
    );
    report
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clean_after_reference_migrations() {
    let db = migrated().await;
    let report = doctor(&db).await;
    assert!(report.is_clean(), "{report}");
    assert_eq!(report.count(Severity::Notice), 0, "{report}");
    let json = report.to_json();
    assert!(json.contains("\"clean\": true"), "{json}");
    assert!(json.contains("\"findings\": []"), "{json}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_app_role_the_role_checks_are_skipped_with_a_notice() {
    let db = migrated().await;
    let report = doctor::run(&db.owner, &DoctorOptions::new()).await.unwrap();
    assert!(report.is_clean(), "{report}");
    assert_eq!(report.of(Check::RoleChecksSkipped).count(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn migration_down_removes_isolation_and_up_restores_it() {
    let db = migrated().await;
    migration::Migrator::down(&db.owner, Some(1)).await.unwrap();
    let report = doctor(&db).await;
    for table in ["public.customers", "public.orders", "public.order_items"] {
        assert!(
            report.of(Check::RlsDisabled).any(|f| f.object == table),
            "{report}"
        );
    }
    migration::Migrator::up(&db.owner, None).await.unwrap();
    let report = doctor(&db).await;
    assert!(report.is_clean(), "{report}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rls_disabled() {
    let db = migrated().await;
    exec(&db.owner, "ALTER TABLE orders DISABLE ROW LEVEL SECURITY").await;
    let report = reported_and_fixed(&db, &db.owner, Check::RlsDisabled, "public.orders").await;
    assert_eq!(report.findings.len(), 1, "{report}");
    assert_eq!(
        report.findings[0].fix.as_deref(),
        Some("ALTER TABLE \"public\".\"orders\" ENABLE ROW LEVEL SECURITY;\n")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rls_not_forced() {
    let db = migrated().await;
    exec(
        &db.owner,
        "ALTER TABLE customers NO FORCE ROW LEVEL SECURITY",
    )
    .await;
    reported_and_fixed(&db, &db.owner, Check::RlsNotForced, "public.customers").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn base_policy_missing() {
    let db = migrated().await;
    exec(&db.owner, "DROP POLICY tenantry_isolation ON order_items").await;
    reported_and_fixed(&db, &db.owner, Check::PolicyMissing, "public.order_items").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn base_policy_without_with_check_or_for_select_only() {
    let db = migrated().await;
    exec(
        &db.owner,
        "DROP POLICY tenantry_isolation ON orders; \
         CREATE POLICY tenantry_isolation ON orders \
           USING (tenant_id = NULLIF(current_setting('tenantry.tenant_id', true), '')::uuid); \
         DROP POLICY tenantry_isolation ON customers; \
         CREATE POLICY tenantry_isolation ON customers FOR SELECT \
           USING (tenant_id = NULLIF(current_setting('tenantry.tenant_id', true), '')::uuid)",
    )
    .await;
    let report = reported_and_fixed(&db, &db.owner, Check::PolicyIncomplete, "public.orders").await;
    assert!(
        report
            .of(Check::PolicyIncomplete)
            .any(|f| f.object == "public.customers"),
        "{report}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn guard_missing_or_permissive() {
    let db = migrated().await;
    exec(
        &db.owner,
        "DROP POLICY tenantry_guard ON orders; \
         DROP POLICY tenantry_guard ON customers; \
         CREATE POLICY tenantry_guard ON customers AS PERMISSIVE \
           USING (tenant_id = NULLIF(current_setting('tenantry.tenant_id', true), '')::uuid) \
           WITH CHECK (tenant_id = NULLIF(current_setting('tenantry.tenant_id', true), '')::uuid)",
    )
    .await;
    let report = reported_and_fixed(&db, &db.owner, Check::GuardMissing, "public.orders").await;
    assert!(
        report
            .of(Check::GuardIncomplete)
            .any(|f| f.object == "public.customers"),
        "{report}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn extra_permissive_policy_is_a_warning_behind_the_guard() {
    let db = migrated().await;
    exec(&db.owner, "CREATE POLICY everyone ON orders USING (true)").await;
    let report = reported_and_fixed(
        &db,
        &db.owner,
        Check::PermissivePolicyWidens,
        "public.orders",
    )
    .await;
    assert_eq!(report.findings[0].severity, Severity::Warning, "{report}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn extra_permissive_policy_without_guard_is_an_error() {
    let db = migrated().await;
    exec(
        &db.owner,
        "DROP POLICY tenantry_guard ON orders; CREATE POLICY everyone ON orders USING (true)",
    )
    .await;
    let report = reported_and_fixed(
        &db,
        &db.owner,
        Check::PermissivePolicyWidens,
        "public.orders",
    )
    .await;
    let widen = report.of(Check::PermissivePolicyWidens).next().unwrap();
    assert_eq!(widen.severity, Severity::Error, "{report}");
    assert_eq!(
        widen.fix.as_deref(),
        Some("DROP POLICY IF EXISTS \"everyone\" ON \"public\".\"orders\";\n")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn table_without_any_isolation() {
    let db = migrated().await;
    exec(
        &db.owner,
        "CREATE TABLE \"Audit Log\" (id bigserial PRIMARY KEY, tenant_id uuid NOT NULL, body text)",
    )
    .await;
    let report = reported_and_fixed(&db, &db.owner, Check::RlsDisabled, "public.Audit Log").await;
    for check in [
        Check::RlsNotForced,
        Check::PolicyMissing,
        Check::GuardMissing,
        Check::TenantIndexMissing,
    ] {
        assert_eq!(report.of(check).count(), 1, "{check:?}:\n{report}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn partitions_are_checked_and_isolated_by_the_migration_helper() {
    let db = migrated().await;
    exec(
        &db.owner,
        "CREATE TABLE events (tenant_id uuid NOT NULL, id bigint NOT NULL, body text) \
           PARTITION BY HASH (id); \
         CREATE TABLE events_0 PARTITION OF events FOR VALUES WITH (MODULUS 2, REMAINDER 0); \
         CREATE TABLE events_1 PARTITION OF events FOR VALUES WITH (MODULUS 2, REMAINDER 1); \
         CREATE INDEX events_tenant_id_idx ON events (tenant_id)",
    )
    .await;
    let manager = SchemaManager::new(&db.owner);
    manager
        .enable_tenant_isolation(
            sea_orm_migration::prelude::Alias::new("events"),
            "tenant_id",
        )
        .await
        .unwrap();
    let report = doctor(&db).await;
    assert!(report.is_clean(), "{report}");

    // A partition attached later is reported until isolated.
    exec(
        &db.owner,
        "ALTER TABLE events DETACH PARTITION events_1; \
         ALTER TABLE events_1 DISABLE ROW LEVEL SECURITY; \
         ALTER TABLE events ATTACH PARTITION events_1 FOR VALUES WITH (MODULUS 2, REMAINDER 1)",
    )
    .await;
    let report = doctor(&db).await;
    assert!(
        report
            .of(Check::RlsDisabled)
            .any(|f| f.object == "public.events_1"),
        "{report}"
    );
    manager
        .enable_partition_isolation(
            sea_orm_migration::prelude::Alias::new("events_1"),
            "tenant_id",
            &tenantry::policy::PolicyConfig::default(),
        )
        .await
        .unwrap();
    assert!(doctor(&db).await.is_clean());

    // A new partition without policies: the printed fix isolates it.
    exec(
        &db.owner,
        "DROP POLICY tenantry_isolation ON events_0; DROP POLICY tenantry_guard ON events_0; \
         ALTER TABLE events_0 NO FORCE ROW LEVEL SECURITY",
    )
    .await;
    reported_and_fixed(&db, &db.owner, Check::PolicyMissing, "public.events_0").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn app_role_superuser_and_bypassrls() {
    let db = migrated().await;
    let admin = admin(&db).await;
    exec(
        &admin,
        &format!("ALTER ROLE \"{}\" SUPERUSER BYPASSRLS", db.app_role),
    )
    .await;
    let object = format!("role {}", db.app_role);
    let report = reported_and_fixed(&db, &admin, Check::AppRoleSuperuser, &object).await;
    assert_eq!(report.of(Check::AppRoleBypassRls).count(), 1, "{report}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn app_role_owns_a_scoped_table() {
    let db = migrated().await;
    let admin = admin(&db).await;
    exec(
        &admin,
        &format!("ALTER TABLE orders OWNER TO \"{}\"", db.app_role),
    )
    .await;
    reported_and_fixed(&db, &admin, Check::AppRoleOwnsTable, "public.orders").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn app_role_can_set_role_to_the_owner() {
    let db = migrated().await;
    let admin = admin(&db).await;
    exec(
        &admin,
        &format!("GRANT \"{}\" TO \"{}\"", db.owner_role, db.app_role),
    )
    .await;
    let object = format!("role {}", db.app_role);
    let report = reported_and_fixed(&db, &admin, Check::AppRoleCanSetRole, &object).await;
    let fix = report
        .of(Check::AppRoleCanSetRole)
        .next()
        .unwrap()
        .fix
        .clone();
    assert_eq!(
        fix.unwrap(),
        format!("REVOKE \"{}\" FROM \"{}\";\n", db.owner_role, db.app_role)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn app_role_risky_table_privileges() {
    let db = migrated().await;
    exec(
        &db.owner,
        &format!(
            "GRANT TRUNCATE, REFERENCES, TRIGGER ON orders TO \"{}\"; GRANT TRUNCATE ON customers TO PUBLIC",
            db.app_role
        ),
    )
    .await;
    let report = reported_and_fixed(
        &db,
        &db.owner,
        Check::AppRoleTablePrivilege,
        "public.orders",
    )
    .await;
    let customers = report
        .of(Check::AppRoleTablePrivilege)
        .find(|f| f.object == "public.customers")
        .unwrap();
    assert!(customers.fix.as_deref().unwrap().contains("FROM PUBLIC"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn app_role_temp() {
    let db = migrated().await;
    exec(
        &db.owner,
        &format!(
            "GRANT TEMPORARY ON DATABASE \"{}\" TO \"{}\"",
            db.name, db.app_role
        ),
    )
    .await;
    let object = format!("role {}", db.app_role);
    reported_and_fixed(&db, &db.owner, Check::AppRoleTemp, &object).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn app_role_sequence_update() {
    let db = migrated().await;
    exec(
        &db.owner,
        &format!(
            "GRANT UPDATE ON SEQUENCE orders_id_seq TO \"{}\"",
            db.app_role
        ),
    )
    .await;
    reported_and_fixed(
        &db,
        &db.owner,
        Check::AppRoleSequenceUpdate,
        "public.orders_id_seq",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn view_without_security_invoker() {
    let db = migrated().await;
    exec(
        &db.owner,
        "CREATE VIEW order_totals AS SELECT tenant_id, sum(total) AS total FROM orders GROUP BY tenant_id; \
         CREATE VIEW big_totals AS SELECT * FROM order_totals WHERE total > 100",
    )
    .await;
    let report = reported_and_fixed(
        &db,
        &db.owner,
        Check::ViewNotSecurityInvoker,
        "public.order_totals",
    )
    .await;
    // Views over views over scoped tables too.
    assert!(
        report
            .of(Check::ViewNotSecurityInvoker)
            .any(|f| f.object == "public.big_totals"),
        "{report}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn materialized_view_readable_by_the_app_role() {
    let db = migrated().await;
    exec(
        &db.owner,
        &format!(
            "CREATE MATERIALIZED VIEW order_stats AS SELECT tenant_id, count(*) AS n FROM orders GROUP BY tenant_id; \
             GRANT SELECT ON order_stats TO \"{}\"",
            db.app_role
        ),
    )
    .await;
    reported_and_fixed(
        &db,
        &db.owner,
        Check::MaterializedViewReadable,
        "public.order_stats",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn security_definer_function() {
    let db = migrated().await;
    exec(
        &db.owner,
        "CREATE FUNCTION all_orders(since integer) RETURNS bigint LANGUAGE sql SECURITY DEFINER \
           AS 'SELECT count(*) FROM orders WHERE id > since'",
    )
    .await;
    reported_and_fixed(
        &db,
        &db.owner,
        Check::SecurityDefinerFunction,
        "public.all_orders(since integer)",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn leakproof_function() {
    let db = migrated().await;
    let admin = admin(&db).await;
    exec(
        &admin,
        "CREATE FUNCTION eq_ci(a text, b text) RETURNS boolean LANGUAGE sql IMMUTABLE LEAKPROOF \
           AS 'SELECT lower(a) = lower(b)'",
    )
    .await;
    let report = reported_and_fixed(
        &db,
        &admin,
        Check::LeakproofFunction,
        "public.eq_ci(a text, b text)",
    )
    .await;
    assert_eq!(report.findings[0].severity, Severity::Warning);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn foreign_key_without_tenant_column() {
    let db = migrated().await;
    exec(
        &db.owner,
        "ALTER TABLE orders DROP CONSTRAINT orders_customer_fkey; \
         ALTER TABLE orders ADD CONSTRAINT orders_customer_fkey \
           FOREIGN KEY (customer_id) REFERENCES customers (id) ON DELETE CASCADE",
    )
    .await;
    let report = reported_and_fixed(
        &db,
        &db.owner,
        Check::ForeignKeyWithoutTenant,
        "public.orders (orders_customer_fkey)",
    )
    .await;
    let fix = report.findings[0].fix.clone().unwrap();
    assert!(
        fix.contains(
            "FOREIGN KEY (\"tenant_id\", \"customer_id\") REFERENCES \"public\".\"customers\" (\"tenant_id\", \"id\") ON DELETE CASCADE"
        ),
        "{fix}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unique_without_tenant_column() {
    let db = migrated().await;
    exec(
        &db.owner,
        "ALTER TABLE customers ADD CONSTRAINT customers_email_key UNIQUE (email); \
         CREATE UNIQUE INDEX orders_status_once ON orders (status)",
    )
    .await;
    let report = reported_and_fixed(
        &db,
        &db.owner,
        Check::UniqueWithoutTenant,
        "public.customers (customers_email_key)",
    )
    .await;
    assert!(
        report
            .of(Check::UniqueWithoutTenant)
            .any(|f| f.object == "public.orders (orders_status_once)"),
        "{report}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn missing_tenant_leading_index() {
    let db = migrated().await;
    exec(
        &db.owner,
        "CREATE TABLE notes (id serial PRIMARY KEY, tenant_id uuid NOT NULL, body text)",
    )
    .await;
    SchemaManager::new(&db.owner)
        .enable_tenant_isolation(sea_orm_migration::prelude::Alias::new("notes"), "tenant_id")
        .await
        .unwrap();
    let report =
        reported_and_fixed(&db, &db.owner, Check::TenantIndexMissing, "public.notes").await;
    assert_eq!(report.findings.len(), 1, "{report}");
    assert_eq!(
        report.findings[0].fix.as_deref(),
        Some(
            "CREATE INDEX IF NOT EXISTS \"notes_tenant_id_idx\" ON \"public\".\"notes\" (\"tenant_id\");\n"
        )
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn registry_drift() {
    let db = migrated().await;
    let registry = Registry::new()
        .table("orders", "tenant_id")
        .table("invoices", "tenant_id")
        .table("products", "tenant_id")
        .with_table(
            ScopedTable::new(None, "customers", "tenant_id").with_id_type(TenantIdType::I64),
        );
    let report = doctor::run(&db.owner, &options(&db).registry(registry))
        .await
        .unwrap();
    let has = |check: Check, object: &str| report.of(check).any(|f| f.object == object);
    assert!(has(Check::RegistryTableMissing, "invoices"), "{report}");
    assert!(has(Check::RegistryColumnMissing, "products"), "{report}");
    assert!(has(Check::RegistryTypeMismatch, "customers"), "{report}");
    assert!(
        has(Check::TableNotRegistered, "public.order_items"),
        "{report}"
    );
    assert!(!has(Check::TableNotRegistered, "public.orders"), "{report}");

    let registry = Registry::new()
        .table("orders", "tenant_id")
        .table("public.order_items", "tenant_id")
        .with_table(
            ScopedTable::new(None, "customers", "tenant_id").with_id_type(TenantIdType::Uuid),
        );
    let report = doctor::run(&db.owner, &options(&db).registry(registry))
        .await
        .unwrap();
    assert!(report.is_clean(), "{report}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn missing_app_role() {
    let db = migrated().await;
    let role = format!("{}_nobody", db.name);
    let report = doctor::run(&db.owner, &DoctorOptions::new().app_role(role.clone()))
        .await
        .unwrap();
    let finding = report.of(Check::AppRoleMissing).next().unwrap();
    assert!(finding.fix.as_deref().unwrap().contains(&format!(
        "CREATE ROLE \"{role}\" LOGIN NOSUPERUSER NOBYPASSRLS"
    )));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_gets_a_plain_notice() {
    let db = TestDb::sqlite().await;
    db.migrate().await;
    let report = doctor::run(&db.owner, &DoctorOptions::new()).await.unwrap();
    assert!(report.is_clean());
    let notice = report.of(Check::AppLayerOnly).next().unwrap();
    assert_eq!(notice.severity, Severity::Notice);
    assert!(notice.message.contains("only the app layer"), "{report}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn role_helpers_make_a_role_the_doctor_accepts() {
    let db = migrated().await;
    let admin = admin(&db).await;
    let role = format!("{}_helper", db.name);
    let manager = SchemaManager::new(&admin);
    // Twice: ensuring is idempotent.
    manager.ensure_app_role(&role).await.unwrap();
    manager.ensure_app_role(&role).await.unwrap();
    manager
        .grant_app_role(
            &role,
            ["customers", "orders", "order_items"].map(sea_orm_migration::prelude::Alias::new),
        )
        .await
        .unwrap();
    let report = doctor::run(&db.owner, &DoctorOptions::new().app_role(role.clone()))
        .await
        .unwrap();
    let attributes = admin
        .query_one_raw(sea_orm::Statement::from_string(
            sea_orm::DbBackend::Postgres,
            format!(
                "SELECT rolsuper OR rolbypassrls OR rolinherit OR rolcreatedb OR rolcreaterole AS bad, \
                   has_table_privilege('{role}', 'orders', 'SELECT, INSERT, UPDATE, DELETE') AS dml, \
                   has_sequence_privilege('{role}', 'orders_id_seq', 'USAGE') AS seq \
                 FROM pg_roles WHERE rolname = '{role}'"
            ),
        ))
        .await
        .unwrap()
        .unwrap();
    // An existing role with forbidden attributes is repaired by ensure_app_role.
    exec(&admin, &format!("ALTER ROLE \"{role}\" BYPASSRLS CREATEDB")).await;
    manager.ensure_app_role(&role).await.unwrap();
    let repaired = doctor::run(&db.owner, &DoctorOptions::new().app_role(role.clone()))
        .await
        .unwrap();
    manager
        .revoke_app_role(
            &role,
            ["customers", "orders", "order_items"].map(sea_orm_migration::prelude::Alias::new),
        )
        .await
        .unwrap();
    exec(
        &admin,
        &format!("REVOKE ALL ON SCHEMA public FROM \"{role}\"; DROP ROLE \"{role}\""),
    )
    .await;
    assert!(report.is_clean(), "{report}");
    assert!(repaired.is_clean(), "{repaired}");
    assert!(!attributes.try_get::<bool>("", "bad").unwrap());
    assert!(attributes.try_get::<bool>("", "dml").unwrap());
    assert!(attributes.try_get::<bool>("", "seq").unwrap());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mysql_gets_a_plain_notice_and_the_migrations_run() {
    let db = TestDb::mysql().await;
    // The isolation migration's RLS and role calls are no-ops here.
    db.migrate().await;
    let report = doctor::run(&db.owner, &options(&db)).await.unwrap();
    assert!(report.is_clean(), "{report}");
    assert_eq!(report.backend, "mysql");
    let notice = report.of(Check::AppLayerOnly).next().unwrap();
    assert!(notice.message.contains("only the app layer"), "{report}");
    let indexes = db
        .owner
        .query_one_raw(sea_orm::Statement::from_string(
            sea_orm::DbBackend::MySql,
            "SELECT COUNT(*) FROM information_schema.statistics \
             WHERE table_schema = DATABASE() AND table_name = 'orders' \
               AND column_name = 'tenant_id' AND seq_in_index = 1",
        ))
        .await
        .unwrap()
        .unwrap()
        .try_get_by_index::<i64>(0)
        .unwrap();
    assert!(indexes > 0);
    migration::Migrator::down(&db.owner, Some(1)).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reference_entities_match_the_catalogue() {
    let db = migrated().await;
    let registry = Registry::new()
        .entity::<entity::prelude::Customers>()
        .entity::<entity::prelude::Orders>()
        .entity::<entity::prelude::OrderItems>();
    assert_eq!(registry.tables().len(), 3);
    let report = doctor::run(&db.owner, &options(&db).registry(registry))
        .await
        .unwrap();
    assert!(report.is_clean(), "{report}");
    // Forgetting an entity is drift: the app layer would not scope that table.
    let partial = Registry::new().entity::<entity::prelude::Orders>();
    let report = doctor::run(&db.owner, &options(&db).registry(partial))
        .await
        .unwrap();
    assert!(
        report
            .of(Check::TableNotRegistered)
            .any(|f| f.object == "public.customers"),
        "{report}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn awkward_names_and_text_tenant_ids_are_isolated_and_recognised() {
    use sea_orm_migration::prelude::Alias;
    let db = migrated().await;
    exec(
        &db.owner,
        "CREATE SCHEMA \"Sales Dept\"; \
         CREATE TABLE \"Sales Dept\".\"Or\"\"ders\" (id int PRIMARY KEY, \"Tenant Id\" varchar(40) NOT NULL)",
    )
    .await;
    let table = || (Alias::new("Sales Dept"), Alias::new("Or\"ders"));
    let manager = SchemaManager::new(&db.owner);
    manager
        .enable_tenant_isolation(table(), "Tenant Id")
        .await
        .unwrap();
    let opts = options(&db).tenant_column("Tenant Id");
    let report = doctor::run(&db.owner, &opts).await.unwrap();
    assert_eq!(report.findings.len(), 1, "{report}");
    assert_eq!(report.findings[0].check, Check::TenantIndexMissing);
    manager
        .create_tenant_index(table(), "Tenant Id", &[])
        .await
        .unwrap();
    let report = doctor::run(&db.owner, &opts).await.unwrap();
    assert!(report.is_clean(), "{report}");
    manager.disable_tenant_isolation(table()).await.unwrap();
    let report = doctor::run(&db.owner, &opts).await.unwrap();
    assert!(
        report
            .of(Check::RlsDisabled)
            .any(|f| f.object == "Sales Dept.Or\"ders"),
        "{report}"
    );
}
