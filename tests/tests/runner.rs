//! Migrations across every tenant target on live PostgreSQL servers: 200 tenant schemas, shared
//! tenants and tenant databases on two servers brought to a new version in one run; a poisoned
//! target failed with the database's error while every other is done, then resumed alone; two
//! runners at once migrating each target exactly once; `down` everywhere; `status` reporting
//! a target migrated by hand.
#![allow(clippy::unwrap_used)]

use std::sync::atomic::{AtomicUsize, Ordering};

use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};
use tenantry::doctor::{self, DoctorOptions};
use tenantry::placement::Placement;
use tenantry_migration::runner::{Operation, TargetStatus};
use tenantry_migration::{Provisioner, RunOptions, Runner};
use tenantry_tests::{TestDb, both_servers, pg_admin_url, pg2_admin_url, pool_on, url_on};
use uuid::Uuid;

use tenantry_tests::next::{self, LATEST};

const SCHEMAS: usize = 200;

async fn exec(conn: &DatabaseConnection, sql: &str) {
    conn.execute_unprepared(sql)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
}

struct Fleet {
    db: TestDb,
    provisioner: Provisioner,
    schemas: Vec<(Uuid, String)>,
    databases: Vec<(Uuid, String, String)>,
}

async fn fleet() -> Fleet {
    let db = TestDb::postgres().await;
    db.migrate().await;
    let provisioner = db.provisioner(both_servers()).await;
    let tenants = db.add_tenants(SCHEMAS + 4).await;
    let mut schemas = Vec::new();
    for (i, t) in tenants.iter().take(SCHEMAS).enumerate() {
        let schema = format!("{}_s{i}", db.name);
        provisioner
            .create(*t, Placement::schema(&schema).unwrap())
            .await
            .unwrap();
        schemas.push((*t, schema));
    }
    for t in &tenants[SCHEMAS..SCHEMAS + 2] {
        provisioner.create(*t, Placement::Shared).await.unwrap();
    }
    let mut databases = Vec::new();
    for (i, (t, server)) in tenants[SCHEMAS + 2..]
        .iter()
        .zip(["one", "two"])
        .enumerate()
    {
        let name = format!("{}_d{i}", db.name);
        provisioner
            .create(*t, Placement::database(server, &name).unwrap())
            .await
            .unwrap();
        databases.push((*t, server.to_owned(), name));
    }
    Fleet {
        db,
        provisioner,
        schemas,
        databases,
    }
}

impl Fleet {
    async fn runner(&self, jobs: usize) -> Runner {
        Runner::connect::<next::Control, next::Schema, next::Tenant>(
            &self.db.owner_url,
            both_servers(),
            jobs,
        )
        .await
        .unwrap()
    }

    async fn drop_all(self) {
        for (t, _) in &self.schemas {
            self.provisioner
                .drop_tenant(*t, "test done", true)
                .await
                .unwrap();
        }
        for (t, _, _) in &self.databases {
            self.provisioner
                .drop_tenant(*t, "test done", true)
                .await
                .unwrap();
        }
        let two = pool_on(&pg2_admin_url()).await;
        exec(
            &two,
            &format!("DROP ROLE IF EXISTS \"{}\"", self.db.app_role),
        )
        .await;
    }
}

async fn versions(conn: &DatabaseConnection, table: &str) -> Vec<String> {
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

fn up(jobs: usize) -> RunOptions {
    let mut o = RunOptions::default();
    o.jobs = jobs;
    o
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_target_migrated_a_poisoned_one_failed_then_resumed_alone() {
    let fleet = fleet().await;
    let admin = &fleet.db.admin;
    // Tenant 7's data violates the new constraint.
    let (poisoned_tenant, poisoned) = fleet.schemas[7].clone();
    exec(
        admin,
        &format!(
            "INSERT INTO \"{poisoned}\".customers (tenant_id, name, email) \
             VALUES ('{poisoned_tenant}', 'poison', 'p@x')"
        ),
    )
    .await;

    let runner = fleet.runner(4).await;
    let targets = runner.targets().await.unwrap();
    assert_eq!(
        targets.len(),
        1 + SCHEMAS + 2,
        "control, the schemas, the databases"
    );
    let seen = AtomicUsize::new(0);
    let report = runner
        .run(&up(4), &|_| {
            seen.fetch_add(1, Ordering::Relaxed);
        })
        .await
        .unwrap();
    assert_eq!(seen.load(Ordering::Relaxed), targets.len());
    assert!(!report.succeeded());
    assert_eq!(report.count(TargetStatus::Failed), 1);
    assert_eq!(report.count(TargetStatus::Done), targets.len() - 1);
    let failed = report
        .targets
        .iter()
        .find(|t| t.status == TargetStatus::Failed)
        .unwrap();
    assert_eq!(failed.target, format!("schema:{poisoned}"));
    assert!(
        failed
            .error
            .as_deref()
            .unwrap()
            .contains("customers_name_check"),
        "{failed:?}"
    );
    assert_eq!(
        failed.version_after, None,
        "a failed target records no new version"
    );
    // Every other target is at the new version; the poisoned one wholly at the old one.
    for (_, schema) in &fleet.schemas {
        let v = versions(admin, &format!("\"{schema}\".seaql_migrations")).await;
        assert_eq!(
            v.last().map(String::as_str) == Some(LATEST),
            *schema != poisoned,
            "{schema}: {v:?}"
        );
    }
    assert_eq!(
        versions(admin, "public.seaql_migrations")
            .await
            .last()
            .unwrap(),
        LATEST
    );
    for (_, server, name) in &fleet.databases {
        let url = if server == "one" {
            pg_admin_url()
        } else {
            pg2_admin_url()
        };
        let conn = pool_on(&url_on(&url, name)).await;
        assert_eq!(
            versions(&conn, "seaql_migrations").await.last().unwrap(),
            LATEST
        );
        conn.close().await.unwrap();
    }
    let report_doctor = doctor::run(
        &fleet.db.owner,
        &DoctorOptions::new().app_role(fleet.db.app_role.clone()),
    )
    .await
    .unwrap();
    assert!(report_doctor.is_clean(), "{report_doctor}");

    // Fix the data; resume: only the failed target runs.
    exec(
        admin,
        &format!("UPDATE \"{poisoned}\".customers SET name = 'fixed'"),
    )
    .await;
    let mut resume = up(4);
    resume.resume = true;
    let seen = AtomicUsize::new(0);
    let resumed = runner
        .run(&resume, &|_| {
            seen.fetch_add(1, Ordering::Relaxed);
        })
        .await
        .unwrap();
    assert_eq!(
        seen.load(Ordering::Relaxed),
        1,
        "only the failed target ran"
    );
    assert_eq!(resumed.run, report.run, "the same run, continued");
    assert!(resumed.succeeded());
    assert_eq!(resumed.count(TargetStatus::Done), targets.len());
    assert_eq!(
        versions(admin, &format!("\"{poisoned}\".seaql_migrations"))
            .await
            .last()
            .unwrap(),
        LATEST
    );
    fleet.drop_all().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_runners_at_once_migrate_each_target_exactly_once_then_down_and_drift() {
    let fleet = fleet().await;
    let (a, b) = (fleet.runner(3).await, fleet.runner(3).await);
    let options = up(3);
    let (ra, rb) = tokio::join!(a.run(&options, &|_| {}), b.run(&options, &|_| {}));
    let (ra, rb) = (ra.unwrap(), rb.unwrap());
    assert!(ra.succeeded() && rb.succeeded());
    for row in &ra.targets {
        let other = rb.targets.iter().find(|r| r.target == row.target).unwrap();
        assert_eq!(
            row.applied + other.applied,
            1,
            "{}: applied by one runner only ({} + {})",
            row.target,
            row.applied,
            other.applied
        );
    }

    // Down everywhere: every target back at the reference app's version.
    let mut down = up(4);
    down.operation = Operation::Down(1);
    let report = a.run(&down, &|_| {}).await.unwrap();
    assert!(
        report.succeeded(),
        "{:?}",
        report
            .targets
            .iter()
            .find(|t| t.status != TargetStatus::Done)
    );
    let status = a.status().await.unwrap();
    assert!(
        status.iter().all(|s| s.pending == [LATEST.to_owned()]),
        "all one behind"
    );

    // One target migrated by hand past what the migrator knows: status reports the drift.
    let (_, schema) = &fleet.schemas[3];
    exec(
        &fleet.db.admin,
        &format!(
            "INSERT INTO \"{schema}\".seaql_migrations (version, applied_at) \
             VALUES ('m20300101_000001_by_hand', 0)"
        ),
    )
    .await;
    let status = a.status().await.unwrap();
    let drifted: Vec<_> = status.iter().filter(|s| !s.unknown.is_empty()).collect();
    assert_eq!(drifted.len(), 1);
    assert_eq!(drifted[0].target.name, format!("schema:{schema}"));
    assert_eq!(drifted[0].unknown, ["m20300101_000001_by_hand"]);
    drop((a, b));
    fleet.drop_all().await;
}
