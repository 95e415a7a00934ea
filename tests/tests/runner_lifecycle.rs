//! The migration runner when the fleet changes under it, on live PostgreSQL servers:
//! - tenants in every lifecycle state (suspended and read-only migrated, moving and deleted
//!   skipped and reported), a tenant created during a run (provisioning migrates it; the run
//!   does not list it), a tenant dropped during a run (its target skipped, nothing created in
//!   the shared schema);
//! - a migration that cannot run in a transaction (`CREATE INDEX CONCURRENTLY`), run
//!   migration by migration on every kind of target and reported as such;
//! - the reference CLI killed with SIGKILL while targets are mid-migration: every target at its
//!   old or its new version, never in between, and `--resume` finishes the same run.
#![allow(clippy::unwrap_used)]

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use sea_orm::{
    ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, Statement,
    TransactionTrait,
};
use sea_orm_migration::MigratorTrait;
use tenantry::placement::{Directory, Placement, TableDirectory, TenantState};
use tenantry_migration::runner::{Operation, TargetStatus};
use tenantry_migration::{Provisioner, RunOptions, Runner};
use tenantry_tests::next;
use tenantry_tests::{TestDb, both_servers, pg_admin_url, pg2_admin_url, pool_on, url_on};

async fn exec(conn: &impl ConnectionTrait, sql: &str) {
    conn.execute_unprepared(sql)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
}

async fn scalar_i64(conn: &impl ConnectionTrait, sql: &str) -> i64 {
    conn.query_one_raw(Statement::from_string(DbBackend::Postgres, sql))
        .await
        .unwrap()
        .unwrap()
        .try_get_by_index::<i64>(0)
        .unwrap()
}

async fn versions(conn: &impl ConnectionTrait, table: &str) -> Vec<String> {
    conn.query_all_raw(Statement::from_string(
        DbBackend::Postgres,
        format!("SELECT version FROM {table} ORDER BY version"),
    ))
    .await
    .unwrap()
    .iter()
    .map(|r| r.try_get::<String>("", "version").unwrap())
    .collect()
}

async fn provisioner<S, D>(db: &TestDb) -> Provisioner
where
    S: MigratorTrait + 'static,
    D: MigratorTrait + 'static,
{
    Provisioner::builder::<S, D>()
        .reference_tables(&migration::REFERENCE_TABLES)
        .app_role(db.app_role.clone())
        .connect(&db.owner_url, both_servers())
        .await
        .unwrap()
}

/// The ledger's rows of the latest run with `operation`, as (target, status).
async fn ledger(conn: &impl ConnectionTrait, operation: &str) -> Vec<(String, String)> {
    conn.query_all_raw(Statement::from_string(
        DbBackend::Postgres,
        format!(
            "SELECT target, status FROM tenantry_migration_runs WHERE run = \
               (SELECT run FROM tenantry_migration_runs WHERE operation = '{operation}' \
                GROUP BY run ORDER BY min(created_at) DESC LIMIT 1) \
             ORDER BY target"
        ),
    ))
    .await
    .unwrap()
    .iter()
    .map(|r| {
        (
            r.try_get::<String>("", "target").unwrap(),
            r.try_get::<String>("", "status").unwrap(),
        )
    })
    .collect()
}

/// Waits (up to a minute) until `done` holds for the ledger of the latest `operation` run.
async fn wait_for(
    conn: &impl ConnectionTrait,
    operation: &str,
    what: &str,
    done: impl Fn(&[(String, String)]) -> bool,
) {
    let started = Instant::now();
    loop {
        let rows = ledger(conn, operation).await;
        if done(&rows) {
            return;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "timed out waiting for {what}: {rows:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Holds `ACCESS EXCLUSIVE` on `table` until the returned transaction ends: a migration
/// touching the table waits.
async fn hold(conn: &DatabaseConnection, table: &str) -> DatabaseTransaction {
    let txn = conn.begin().await.unwrap();
    exec(
        &txn,
        &format!("LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE"),
    )
    .await;
    txn
}

fn patient() -> RunOptions {
    let mut o = RunOptions::default();
    o.jobs = 1;
    o.lock_timeout = Duration::from_secs(60);
    o
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn states_and_tenants_created_or_dropped_during_a_run() {
    let db = TestDb::postgres().await;
    db.migrate().await;
    let v1 = provisioner::<migration::TenantMigrator, migration::TenantDatabaseMigrator>(&db).await;
    let v2 = provisioner::<next::Schema, next::Tenant>(&db).await;
    let ids = db.add_tenants(8).await;
    let schema = |i: usize| format!("{}_s{i}", db.name);
    for (i, t) in ids.iter().take(7).enumerate() {
        v1.create(*t, Placement::schema(&schema(i)).unwrap())
            .await
            .unwrap();
    }
    let directory = TableDirectory::new(db.owner.clone());
    for (i, state) in [
        (1, TenantState::Suspended),
        (2, TenantState::ReadOnly),
        (3, TenantState::Moving),
        // A drop that stopped before removing the schema: the directory says deleted.
        (4, TenantState::Deleted),
    ] {
        directory.set_state(&ids[i].into(), state).await.unwrap();
    }

    // One job, targets by name: s0 is held while the fleet changes; s5 is dropped before
    // its turn; tenant 7 is created meanwhile.
    let blocker = pool_on(&db.owner_url).await;
    let held = hold(&blocker, &format!("\"{}\".customers", schema(0))).await;
    let runner = Runner::connect::<next::Control, next::Schema, next::Tenant>(
        &db.owner_url,
        both_servers(),
        1,
    )
    .await
    .unwrap();
    let options = patient();
    let run = tokio::spawn(async move { runner.run(&options, &|_| {}).await.unwrap() });
    let s0 = format!("schema:{}", schema(0));
    wait_for(&db.owner, "up", "s0 running", |rows| {
        rows.iter().any(|(t, s)| *t == s0 && s == "running")
    })
    .await;
    let created = v2
        .create(ids[7], Placement::schema(&schema(7)).unwrap())
        .await
        .unwrap();
    assert_eq!(created.state, TenantState::Active);
    v1.drop_tenant(ids[5], "dropped during the run", true)
        .await
        .unwrap();
    held.commit().await.unwrap();
    let report = run.await.unwrap();

    let status = |i: usize| {
        report
            .targets
            .iter()
            .find(|r| r.target == format!("schema:{}", schema(i)))
            .unwrap_or_else(|| panic!("s{i} not in the run: {:?}", report.targets))
    };
    for i in [0, 1, 2, 6] {
        assert_eq!(
            status(i).status,
            TargetStatus::Done,
            "s{i}: {:?}",
            status(i)
        );
        assert_eq!(
            versions(&db.admin, &format!("\"{}\".seaql_migrations", schema(i)))
                .await
                .last()
                .unwrap(),
            next::LATEST,
            "s{i}"
        );
    }
    for (i, why) in [
        (3, "tenant is being moved"),
        (4, "tenant is deleted"),
        (5, "dropped"),
    ] {
        assert_eq!(
            status(i).status,
            TargetStatus::Skipped,
            "s{i}: {:?}",
            status(i)
        );
        assert!(
            status(i).error.as_deref().unwrap().contains(why),
            "s{i}: {:?}",
            status(i)
        );
    }
    for i in [3, 4] {
        assert_ne!(
            versions(&db.admin, &format!("\"{}\".seaql_migrations", schema(i)))
                .await
                .last()
                .unwrap(),
            next::LATEST,
            "s{i} was skipped, so it stays at the old version"
        );
    }
    // The tenant dropped during the run got nothing in the shared schema: its ledger there
    // is the control database's own, untouched.
    assert_eq!(
        versions(&db.admin, "public.seaql_migrations").await.len(),
        next::Control::migrations().len()
    );
    assert!(
        report.succeeded(),
        "skips for moving, deleted or dropped tenants are not failures"
    );
    // The tenant created during the run is not in it; provisioning brought it to the latest
    // version.
    assert!(
        !report
            .targets
            .iter()
            .any(|r| r.target == format!("schema:{}", schema(7)))
    );
    assert_eq!(
        versions(&db.admin, &format!("\"{}\".seaql_migrations", schema(7)))
            .await
            .last()
            .unwrap(),
        next::LATEST
    );

    for i in [0, 1, 2, 3, 4, 6, 7] {
        v1.drop_tenant(ids[i], "test done", true).await.unwrap();
    }
    drop_role_on_second_server(&db).await;
}

async fn drop_role_on_second_server(db: &TestDb) {
    let two = pool_on(&pg2_admin_url()).await;
    exec(&two, &format!("DROP ROLE IF EXISTS \"{}\"", db.app_role)).await;
    two.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_migration_that_cannot_run_in_a_transaction_runs_outside_one_everywhere() {
    let db = TestDb::postgres().await;
    db.migrate().await;
    let v1 = provisioner::<migration::TenantMigrator, migration::TenantDatabaseMigrator>(&db).await;
    let ids = db.add_tenants(4).await;
    for (i, t) in ids.iter().take(3).enumerate() {
        v1.create(*t, Placement::schema(&format!("{}_s{i}", db.name)).unwrap())
            .await
            .unwrap();
    }
    let database = format!("{}_d0", db.name);
    v1.create(ids[3], Placement::database("two", &database).unwrap())
        .await
        .unwrap();

    let runner = Runner::connect::<
        next::concurrent::Control,
        next::concurrent::Schema,
        next::concurrent::Tenant,
    >(&db.owner_url, both_servers(), 2)
    .await
    .unwrap();
    let mut options = RunOptions::default();
    options.jobs = 2;
    let report = runner.run(&options, &|_| {}).await.unwrap();
    assert!(report.succeeded(), "{:?}", report.targets);
    assert_eq!(
        report.targets.len(),
        5,
        "control, three schemas, one database"
    );
    for row in &report.targets {
        assert_eq!(row.transactional, Some(false), "{row:?}");
        assert_eq!(row.applied, 1, "{row:?}");
        assert_eq!(
            row.version_after.as_deref(),
            Some(next::concurrent::LATEST),
            "{row:?}"
        );
    }
    let index = |schema: &str| {
        format!(
            "SELECT count(*) FROM pg_catalog.pg_indexes WHERE schemaname = '{schema}' \
             AND indexname = 'customers_email_idx'"
        )
    };
    for schema in ["public".to_owned()]
        .into_iter()
        .chain((0..3).map(|i| format!("{}_s{i}", db.name)))
    {
        assert_eq!(scalar_i64(&db.admin, &index(&schema)).await, 1, "{schema}");
    }
    let tenant_db = pool_on(&url_on(&pg2_admin_url(), &database)).await;
    assert_eq!(scalar_i64(&tenant_db, &index("public")).await, 1);
    tenant_db.close().await.unwrap();

    // Nothing pending after: a second run applies nothing.
    let again = runner.run(&options, &|_| {}).await.unwrap();
    assert!(again.targets.iter().all(|r| r.applied == 0));

    // `down` reverts it, in a transaction per target as always — `DROP INDEX CONCURRENTLY`
    // cannot run in one, and the target says so.
    let mut down = RunOptions::default();
    down.operation = Operation::Down(1);
    let reverted = runner.run(&down, &|_| {}).await.unwrap();
    assert!(reverted.succeeded(), "{:?}", reverted.targets);
    assert!(
        reverted
            .targets
            .iter()
            .all(|r| r.transactional == Some(false))
    );
    assert_eq!(scalar_i64(&db.admin, &index("public")).await, 0);

    for t in ids {
        v1.drop_tenant(t, "test done", true).await.unwrap();
    }
    drop_role_on_second_server(&db).await;
}

/// The reference CLI (`cargo run -p migration -- …`), built in this package.
fn cli(db: &TestDb, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_reference-migration"));
    command
        .args(args)
        .env("DATABASE_URL", &db.owner_url)
        .env(
            "TENANTRY_SERVERS",
            format!("one={},two={}", pg_admin_url(), pg2_admin_url()),
        )
        .env_remove("TENANTRY_APP_ROLE")
        .env("RUST_LOG", "off")
        .stdin(Stdio::null());
    command
}

/// Whether a target holds the tenant isolation migration wholly (its ledger row, RLS on the
/// scoped tables, the tenant indexes) or not at all; panics when it is in between.
async fn isolation_applied(conn: &impl ConnectionTrait, schema: &str) -> bool {
    let ledger = versions(conn, &format!("\"{schema}\".seaql_migrations"))
        .await
        .contains(&"m20260101_000002_tenant_isolation".to_owned());
    let rls = scalar_i64(
        conn,
        &format!(
            "SELECT count(*) FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n \
             ON n.oid = c.relnamespace WHERE n.nspname = '{schema}' AND c.relrowsecurity \
             AND c.relname IN ('customers', 'orders', 'order_items')"
        ),
    )
    .await;
    let policies = scalar_i64(
        conn,
        &format!("SELECT count(*) FROM pg_catalog.pg_policies WHERE schemaname = '{schema}'"),
    )
    .await;
    let indexes = scalar_i64(
        conn,
        &format!(
            "SELECT count(*) FROM pg_catalog.pg_indexes WHERE schemaname = '{schema}' \
             AND indexname IN ('orders_tenant_id_customer_id_idx', \
                               'order_items_tenant_id_order_id_idx')"
        ),
    )
    .await;
    let none = rls == 0 && policies == 0 && indexes == 0;
    let all = rls == 3 && policies > 0 && indexes == 2;
    assert!(
        (ledger && all) || (!ledger && none),
        "{schema} is half-migrated: ledger {ledger}, rls on {rls} tables, {policies} policies, \
         {indexes} tenant indexes"
    );
    ledger
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_runner_killed_mid_run_leaves_no_target_half_migrated_and_resumes() {
    const SCHEMAS: usize = 24;
    const HELD: usize = 3;
    let db = TestDb::postgres().await;
    db.migrate().await;
    let v1 = provisioner::<migration::TenantMigrator, migration::TenantDatabaseMigrator>(&db).await;
    let ids = db.add_tenants(SCHEMAS + 1).await;
    let schema = |i: usize| format!("{}_s{i:02}", db.name);
    for (i, t) in ids.iter().take(SCHEMAS).enumerate() {
        v1.create(*t, Placement::schema(&schema(i)).unwrap())
            .await
            .unwrap();
    }
    let database = format!("{}_d0", db.name);
    v1.create(ids[SCHEMAS], Placement::database("two", &database).unwrap())
        .await
        .unwrap();
    // Take the tenant isolation migration back everywhere, so the CLI has it to apply.
    let reference = Runner::connect::<
        migration::Migrator,
        migration::TenantMigrator,
        migration::TenantDatabaseMigrator,
    >(&db.owner_url, both_servers(), 4)
    .await
    .unwrap();
    let mut down = RunOptions::default();
    down.operation = Operation::Down(1);
    assert!(reference.run(&down, &|_| {}).await.unwrap().succeeded());

    // Three schemas' last scoped table is held: their migration creates the orders index,
    // then waits on order_items — mid-migration when the runner is killed.
    let blocker = pool_on(&db.owner_url).await;
    let mut held = Vec::new();
    for i in 0..HELD {
        held.push(hold(&blocker, &format!("\"{}\".order_items", schema(i * 7))).await);
    }
    let mut child = cli(
        &db,
        &[
            "tenants",
            "migrate",
            "up",
            "--jobs",
            "4",
            "--lock-timeout",
            "120",
        ],
    )
    .stdout(Stdio::null())
    .stderr(Stdio::piped())
    .spawn()
    .unwrap();
    let total = SCHEMAS + 2;
    let started = Instant::now();
    loop {
        let rows = ledger(&db.owner, "up").await;
        if rows.len() == total
            && rows.iter().filter(|(_, s)| s == "done").count() == total - HELD
            && rows.iter().filter(|(_, s)| s == "running").count() == HELD
        {
            break;
        }
        if let Some(exit) = child.try_wait().unwrap() {
            let mut err = String::new();
            std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err).unwrap();
            panic!("the runner exited early ({exit}): {err}\n{rows:?}");
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "timed out waiting for every free target to be done: {rows:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // The held targets' transactions are open and waiting.
    let waiting = scalar_i64(
        &db.admin,
        &format!(
            "SELECT count(*) FROM pg_catalog.pg_stat_activity WHERE datname = '{}' \
             AND wait_event_type = 'Lock' AND query LIKE 'CREATE INDEX%'",
            db.name
        ),
    )
    .await;
    assert_eq!(waiting, i64::try_from(HELD).unwrap());
    child.kill().unwrap();
    let killed = child.wait().unwrap();
    assert!(!killed.success());
    // The killed runner's backends see their client gone once the locks are released, and
    // roll back, releasing the targets' advisory locks.
    for txn in held {
        txn.commit().await.unwrap();
    }
    let started = Instant::now();
    while scalar_i64(
        &db.admin,
        &format!(
            "SELECT count(*) FROM pg_catalog.pg_locks WHERE locktype = 'advisory' AND database = \
             (SELECT oid FROM pg_catalog.pg_database WHERE datname = '{}')",
            db.name
        ),
    )
    .await
        > 0
    {
        assert!(started.elapsed() < Duration::from_secs(30));
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    let mut applied = 0;
    for i in 0..SCHEMAS {
        applied += usize::from(isolation_applied(&db.admin, &schema(i)).await);
    }
    assert_eq!(
        applied,
        SCHEMAS - HELD,
        "the held targets are wholly at the old version"
    );
    let rows = ledger(&db.owner, "up").await;
    assert_eq!(
        rows.iter().filter(|(_, s)| s == "running").count(),
        HELD,
        "the ledger shows what the killed runner had started: {rows:?}"
    );

    // Resume: the same run, only the targets that are not done.
    let resumed = cli(
        &db,
        &["tenants", "migrate", "up", "--resume", "--format", "json"],
    )
    .output()
    .unwrap();
    assert!(
        resumed.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&resumed.stdout),
        String::from_utf8_lossy(&resumed.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&resumed.stdout).unwrap();
    assert_eq!(report["resumed"], true);
    let mut ran: Vec<&str> = report["ran"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap())
        .collect();
    ran.sort_unstable();
    let held_targets: Vec<String> = (0..HELD)
        .map(|i| format!("schema:{}", schema(i * 7)))
        .collect();
    assert_eq!(
        ran, held_targets,
        "only the held targets ran again: {report}"
    );
    assert!(
        ledger(&db.owner, "up")
            .await
            .iter()
            .all(|(_, s)| s == "done")
    );
    for i in 0..SCHEMAS {
        assert!(isolation_applied(&db.admin, &schema(i)).await, "s{i}");
    }
    let tenant_db = pool_on(&url_on(&pg2_admin_url(), &database)).await;
    assert!(isolation_applied(&tenant_db, "public").await);
    tenant_db.close().await.unwrap();

    drop(blocker);
    for t in ids {
        v1.drop_tenant(t, "test done", true).await.unwrap();
    }
    drop_role_on_second_server(&db).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_canary_stops_the_run_and_dry_run_changes_nothing() {
    let db = TestDb::postgres().await;
    db.migrate().await;
    let v1 = provisioner::<migration::TenantMigrator, migration::TenantDatabaseMigrator>(&db).await;
    let ids = db.add_tenants(5).await;
    let schema = |i: usize| format!("{}_s{i}", db.name);
    for (i, t) in ids.iter().enumerate() {
        v1.create(*t, Placement::schema(&schema(i)).unwrap())
            .await
            .unwrap();
    }
    // Tenant 3 is the named canary, and its data violates the new constraint.
    exec(
        &db.admin,
        &format!(
            "INSERT INTO \"{}\".customers (tenant_id, name, email) VALUES ('{}', 'poison', 'p@x')",
            schema(3),
            ids[3]
        ),
    )
    .await;
    let runner = Runner::connect::<next::Control, next::Schema, next::Tenant>(
        &db.owner_url,
        both_servers(),
        2,
    )
    .await
    .unwrap();

    // Dry run (the CLI's `--dry-run` is `status` with the pending migrations listed).
    let before = runner.status().await.unwrap();
    assert!(
        before
            .iter()
            .all(|s| s.pending == [next::LATEST.to_owned()])
    );
    assert_eq!(runner.status().await.unwrap().len(), before.len());
    let dry = cli(&db, &["tenants", "migrate", "up", "--dry-run"])
        .env_remove("TENANTRY_SERVERS")
        .output()
        .unwrap();
    assert!(
        dry.status.success(),
        "{}",
        String::from_utf8_lossy(&dry.stderr)
    );
    // The reference CLI's migrators are the current version: nothing pending, nothing run.
    assert!(String::from_utf8_lossy(&dry.stdout).contains("0 behind"));

    let mut options = RunOptions::default();
    options.canary_tenants = vec![ids[3].to_string()];
    options.canary = 1;
    let report = runner.run(&options, &|_| {}).await.unwrap();
    assert!(!report.succeeded());
    let row = |i: usize| {
        report
            .targets
            .iter()
            .find(|r| r.target == format!("schema:{}", schema(i)))
            .unwrap()
            .clone()
    };
    assert_eq!(row(3).status, TargetStatus::Failed, "the named canary");
    // One more canary by count ran before it or after it, one by one; the rest were skipped.
    let skipped: Vec<_> = report
        .targets
        .iter()
        .filter(|r| r.status == TargetStatus::Skipped)
        .collect();
    assert!(
        skipped
            .iter()
            .all(|r| r.error.as_deref() == Some("not run: a canary failed")),
        "{skipped:?}"
    );
    assert!(skipped.len() >= 3, "{:?}", report.targets);
    for r in &skipped {
        assert_eq!(r.applied, 0);
    }
    let status = runner.status().await.unwrap();
    let migrated = status.iter().filter(|s| s.pending.is_empty()).count();
    assert!(
        migrated <= 1,
        "at most the counted canary was migrated: {status:?}"
    );
    for t in ids {
        v1.drop_tenant(t, "test done", true).await.unwrap();
    }
    drop_role_on_second_server(&db).await;
}
