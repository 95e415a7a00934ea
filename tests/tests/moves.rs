//! Moving tenants between placements on live PostgreSQL servers, while the app serves them:
//! shared → schema → database (second server) → shared, and shared → database (first server),
//! each with its rows equal on both sides (checksums), its sequences continuing, its foreign
//! keys to reference data holding, the doctor clean, the app's next transactions on the new
//! placement (a process with a stale cache turned away once, then following the directory),
//! the other tenants' rows untouched; then workers writing for the moving tenant and for
//! others during a move: every acknowledged write on the target exactly once, nothing only on
//! the source, refusals only the retryable kind and only for the moving tenant; an aborted
//! move leaves the tenant where it was; cleanup removes the source. Export → erase → import
//! gives the same checksums; an erase waits for the tenant's transactions and reaches every
//! placement holding its rows.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use entity::{customers, orders};
use sea_orm::{
    ActiveModelTrait, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait, Set, Statement,
};
use tenantry::doctor::{self, DoctorOptions};
use tenantry::placement::{Placement, TableDirectory, TenantState};
use tenantry::{Registry, TenantDatabase};
use tenantry_migration::moves::MovePhase;
use tenantry_migration::{MoveOptions, Provisioner};
use tenantry_tests::{
    TestDb, app_servers, both_servers, customer_with_order, pg_admin_url, pg2_admin_url, pool_on,
    url_on,
};
use uuid::Uuid;

async fn provisioner(db: &TestDb) -> Provisioner {
    db.provisioner(both_servers()).await
}

/// The app: tenant transactions as the app role, following the directory.
fn app(db: &TestDb, ttl: Duration) -> TenantDatabase {
    TenantDatabase::new(db.app.clone())
        .with_registry(Registry::from_entities())
        .with_directory(
            Arc::new(TableDirectory::new(db.app.clone())),
            app_servers(&db.app_role),
        )
        .with_directory_cache(1000, ttl)
}

async fn scalar(conn: &impl ConnectionTrait, sql: &str) -> String {
    conn.query_one_raw(Statement::from_string(DbBackend::Postgres, sql))
        .await
        .unwrap()
        .unwrap()
        .try_get_by_index::<String>(0)
        .unwrap()
}

/// Where a placement's tables are, as a superuser connection and a schema.
async fn home(db: &TestDb, placement: &Placement) -> (DatabaseConnection, String) {
    match placement {
        Placement::Shared => (
            pool_on(&url_on(&pg_admin_url(), &db.name)).await,
            "public".into(),
        ),
        Placement::Schema { schema } => (
            pool_on(&url_on(&pg_admin_url(), &db.name)).await,
            schema.clone(),
        ),
        Placement::Database { server, database } => {
            let url = if server == "one" {
                pg_admin_url()
            } else {
                pg2_admin_url()
            };
            (pool_on(&url_on(&url, database)).await, "public".into())
        }
        _ => unreachable!(),
    }
}

/// A fingerprint of the tenant's rows in `placement`: counts and contents of its customers
/// and orders (ids included).
async fn fingerprint(db: &TestDb, placement: &Placement, tenant: Uuid) -> String {
    let (conn, schema) = home(db, placement).await;
    let f = scalar(
        &conn,
        &format!(
            "SELECT (SELECT count(*) FROM \"{schema}\".customers WHERE tenant_id = '{tenant}') || '/' || \
                    (SELECT count(*) FROM \"{schema}\".orders WHERE tenant_id = '{tenant}') || '/' || \
                    coalesce((SELECT md5(string_agg(c::text, ',' ORDER BY c.id)) FROM \"{schema}\".customers c WHERE tenant_id = '{tenant}'), '-') || '/' || \
                    coalesce((SELECT md5(string_agg(o::text, ',' ORDER BY o.id)) FROM \"{schema}\".orders o WHERE tenant_id = '{tenant}'), '-')"
        ),
    )
    .await;
    conn.close().await.unwrap();
    f
}

async fn rows_in(db: &TestDb, placement: &Placement, tenant: Uuid) -> i64 {
    let (conn, schema) = home(db, placement).await;
    let n = scalar(
        &conn,
        &format!("SELECT count(*)::text FROM \"{schema}\".customers WHERE tenant_id = '{tenant}'"),
    )
    .await
    .parse()
    .unwrap();
    conn.close().await.unwrap();
    n
}

/// Customers and orders for `tenant` through the app.
async fn fill(app: &TenantDatabase, tenant: Uuid, customers_n: usize, product: i32) {
    let txn = app.begin(tenant).await.unwrap();
    for i in 0..customers_n {
        let quantity = i32::try_from(i).unwrap() + 1;
        customer_with_order(&txn, tenant, &format!("c{i}"), product, quantity).await;
    }
    txn.commit().await.unwrap();
}

async fn max_order_id(app: &TenantDatabase, tenant: Uuid) -> i32 {
    let txn = app.begin(tenant).await.unwrap();
    let all = orders::Entity::find().all(&txn).await.unwrap();
    txn.commit().await.unwrap();
    all.iter().map(|o| o.id).max().unwrap_or(0)
}

async fn setup() -> (TestDb, Provisioner, [Uuid; 3], i32) {
    let db = TestDb::postgres().await;
    db.migrate().await;
    let ids = [Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4()];
    for (i, id) in ids.iter().enumerate() {
        db.owner_exec(&format!(
            "INSERT INTO tenants (id, name, slug) VALUES ('{id}', 't{i}', 't{i}')"
        ))
        .await;
    }
    db.owner_exec("INSERT INTO products (sku, name, price) VALUES ('p1', 'Pen', 1.5)")
        .await;
    let product: i32 = scalar(&db.admin, "SELECT id::text FROM products")
        .await
        .parse()
        .unwrap();
    let provisioner = provisioner(&db).await;
    for id in ids {
        provisioner.create(id, Placement::Shared).await.unwrap();
    }
    (db, provisioner, ids, product)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tenant_moves_through_every_placement_and_back() {
    let (db, provisioner, [mover, other, second], product) = setup().await;
    let app = app(&db, Duration::from_secs(30));
    fill(&app, mover, 20, product).await;
    fill(&app, other, 5, product).await;
    fill(&app, second, 7, product).await;
    let others_before = fingerprint(&db, &Placement::Shared, other).await;
    // A process whose cache will be stale after the first move.
    let stale = self::app(&db, Duration::from_secs(3600));
    stale.begin(mover).await.unwrap().commit().await.unwrap();

    let hops = [
        Placement::schema(&format!("{}_m", db.name)).unwrap(),
        Placement::database("two", &format!("{}_m", db.name)).unwrap(),
        Placement::Shared,
    ];
    let mut here = Placement::Shared;
    for (i, to) in hops.iter().enumerate() {
        let before = fingerprint(&db, &here, mover).await;
        let last_id = max_order_id(&app, mover).await;
        let report = provisioner
            .move_tenant(mover, to.clone(), &MoveOptions::default(), &|_| {})
            .await
            .unwrap_or_else(|e| panic!("{here} → {to}: {e}"));
        assert_eq!(report.source, here.to_string());
        assert_eq!(report.target, to.to_string());
        assert_eq!(
            report.copied,
            3 * (20 + u64::try_from(i).unwrap()),
            "{report:?}"
        );
        assert!(
            report
                .tables
                .iter()
                .any(|t| t.table == "orders" && t.rows > 0)
        );
        assert_eq!(
            fingerprint(&db, to, mover).await,
            before,
            "{here} → {to}: rows equal"
        );
        let record = provisioner.show(mover).await.unwrap();
        assert_eq!(record.placement, *to);
        assert_eq!(record.state, TenantState::Active);
        app.invalidate(mover);
        // The next transaction goes to the new placement; ids continue.
        fill(&app, mover, 1, product).await;
        assert!(
            max_order_id(&app, mover).await > last_id,
            "{to}: sequences continue"
        );
        assert_eq!(
            rows_in(&db, to, mover).await,
            21 + i64::try_from(i).unwrap(),
            "{to}: the new row is there"
        );
        if i == 0 {
            // The stale process is turned away once, then follows the directory.
            let e = stale.begin(mover).await.err().unwrap();
            assert!(
                matches!(
                    tenantry::Error::from_db_err(&e),
                    Some(tenantry::Error::PlacementChanged { .. })
                ),
                "{e}"
            );
            stale.begin(mover).await.unwrap().commit().await.unwrap();
        }
        // The doctor is clean where the tenant now is.
        let (conn, _) = home(&db, to).await;
        let report = doctor::run(&conn, &DoctorOptions::new().app_role(db.app_role.clone()))
            .await
            .unwrap();
        assert!(report.is_clean(), "{to}: {report}");
        conn.close().await.unwrap();
        assert_eq!(
            provisioner.move_status(mover).await.unwrap().unwrap().phase,
            MovePhase::Flipped
        );
        provisioner.cleanup_move(mover).await.unwrap();
        if !matches!(here, Placement::Shared) {
            assert!(!home_exists(&db, &here).await, "{here} removed by cleanup");
        } else {
            assert_eq!(
                rows_in(&db, &here, mover).await,
                0,
                "shared rows removed by cleanup"
            );
        }
        here = to.clone();
    }
    assert_eq!(
        fingerprint(&db, &Placement::Shared, other).await,
        others_before
    );

    // shared → database on the first server, then an aborted move back to a schema.
    let to = Placement::database("one", &format!("{}_s", db.name)).unwrap();
    let before = fingerprint(&db, &Placement::Shared, second).await;
    provisioner
        .move_tenant(second, to.clone(), &MoveOptions::default(), &|_| {})
        .await
        .unwrap();
    assert_eq!(fingerprint(&db, &to, second).await, before);
    app.invalidate(second);
    fill(&app, second, 1, product).await;
    provisioner.cleanup_move(second).await.unwrap();

    drop((app, stale));
    provisioner
        .drop_tenant(second, "test done", true)
        .await
        .unwrap();
    let two = pool_on(&pg2_admin_url()).await;
    two.execute_unprepared(&format!(
        "DROP DATABASE IF EXISTS \"{}_m\" WITH (FORCE)",
        db.name
    ))
    .await
    .unwrap();
    two.execute_unprepared(&format!("DROP ROLE IF EXISTS \"{}\"", db.app_role))
        .await
        .unwrap();
}

async fn home_exists(db: &TestDb, placement: &Placement) -> bool {
    let admin = pool_on(&url_on(&pg_admin_url(), &db.name)).await;
    let e =
        match placement {
            Placement::Schema { schema } => scalar(
                &admin,
                &format!(
                    "SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = '{schema}')::text"
                ),
            )
            .await,
            Placement::Database { server, database } => {
                let url = if server == "one" {
                    pg_admin_url()
                } else {
                    pg2_admin_url()
                };
                let a = pool_on(&url).await;
                let e = scalar(
                &a,
                &format!(
                    "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = '{database}')::text"
                ),
            )
            .await;
                a.close().await.unwrap();
                e
            }
            _ => "true".into(),
        };
    admin.close().await.unwrap();
    e == "true"
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writers_during_a_move_lose_nothing_and_only_the_mover_is_refused() {
    let (db, provisioner, [mover, other, _], product) = setup().await;
    let app = Arc::new(app(&db, Duration::from_secs(3600)));
    fill(&app, mover, 200, product).await;
    let stop = Arc::new(AtomicBool::new(false));
    let mut workers = Vec::new();
    for w in 0..6 {
        let (app, stop) = (Arc::clone(&app), Arc::clone(&stop));
        let tenant = if w < 4 { mover } else { other };
        workers.push(tokio::spawn(async move {
            let (mut acked, mut refused) = (Vec::new(), 0_u32);
            let mut seq = 0;
            while !stop.load(Ordering::Relaxed) {
                seq += 1;
                let name = format!("w{w}-{seq}");
                let attempt = async {
                    let txn = app.begin(tenant).await?;
                    customers::ActiveModel {
                        name: Set(name.clone()),
                        email: Set(format!("{name}@x.test")),
                        ..Default::default()
                    }
                    .insert(&txn)
                    .await?;
                    txn.commit().await
                }
                .await;
                match attempt {
                    Ok(()) => acked.push(name),
                    Err(e) => match tenantry::Error::from_db_err(&e) {
                        Some(
                            tenantry::Error::TenantMoving { .. }
                            | tenantry::Error::PlacementChanged { .. },
                        ) if tenant == mover => {
                            refused += 1;
                        }
                        _ => panic!("worker {w} for {tenant}: {e}"),
                    },
                }
                tokio::time::sleep(Duration::from_millis(2)).await;
            }
            (tenant, acked, refused)
        }));
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let to = Placement::schema(&format!("{}_w", db.name)).unwrap();
    let report = provisioner
        .move_tenant(mover, to.clone(), &MoveOptions::default(), &|_| {})
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    stop.store(true, Ordering::Relaxed);
    let mut acked_mover = Vec::new();
    let mut refusals = 0;
    for w in workers {
        let (tenant, acked, refused) = w.await.unwrap();
        if tenant == mover {
            acked_mover.extend(acked);
            refusals += refused;
        }
    }
    assert!(report.caught_up > 0, "writes were caught up: {report:?}");
    // Every acknowledged write of the mover is on the target exactly once.
    let (conn, _) = home(&db, &to).await;
    let on_target = |name: &str| {
        format!(
            "SELECT count(*)::text FROM \"{}\".customers WHERE name = '{name}'",
            match &to {
                Placement::Schema { schema } => schema.clone(),
                _ => unreachable!(),
            }
        )
    };
    for name in &acked_mover {
        assert_eq!(scalar(&conn, &on_target(name)).await, "1", "{name}");
    }
    // Nothing of the mover is only on the source.
    let schema = match &to {
        Placement::Schema { schema } => schema.clone(),
        _ => unreachable!(),
    };
    let only_source = scalar(
        &conn,
        &format!(
            "SELECT count(*)::text FROM public.customers s WHERE s.tenant_id = '{mover}' \
             AND NOT EXISTS (SELECT 1 FROM \"{schema}\".customers t WHERE t.id = s.id AND t.name = s.name)"
        ),
    )
    .await;
    assert_eq!(only_source, "0");
    conn.close().await.unwrap();
    eprintln!(
        "{} acknowledged writes of the moving tenant, {refusals} refused (retryable), fence {} ms",
        acked_mover.len(),
        report.fence_ms
    );
    drop(app);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_aborted_move_leaves_the_tenant_where_it_was() {
    let (db, provisioner, [mover, _, _], product) = setup().await;
    let app = app(&db, Duration::from_secs(30));
    fill(&app, mover, 10, product).await;
    let before = fingerprint(&db, &Placement::Shared, mover).await;
    // A move that cannot fence: a transaction of the tenant stays open past the timeout.
    let holder = app.begin(mover).await.unwrap();
    let mut options = MoveOptions::default();
    options.fence_timeout = Duration::from_millis(300);
    let to = Placement::schema(&format!("{}_a", db.name)).unwrap();
    let e = provisioner
        .move_tenant(mover, to.clone(), &options, &|_| {})
        .await
        .err()
        .unwrap();
    assert!(e.to_string().contains("fence"), "{e}");
    holder.rollback().await.unwrap();
    let status = provisioner.move_status(mover).await.unwrap().unwrap();
    assert_eq!(status.phase, MovePhase::CatchUp);
    assert!(status.error.is_some());
    // Still served where it was while the move is unfinished.
    fill(&app, mover, 1, product).await;
    let aborted = provisioner.abort_move(mover).await.unwrap();
    assert_eq!(aborted.phase, MovePhase::Aborted);
    assert!(!home_exists(&db, &to).await, "the target is gone");
    let record = provisioner.show(mover).await.unwrap();
    assert_eq!(record.placement, Placement::Shared);
    assert_eq!(record.state, TenantState::Active);
    assert_ne!(
        fingerprint(&db, &Placement::Shared, mover).await,
        before,
        "one more row"
    );
    assert_eq!(rows_in(&db, &Placement::Shared, mover).await, 11);
    fill(&app, mover, 1, product).await;
}

/// The reference CLI (`cargo run -p migration -- …`), built in this package.
fn cli(db: &TestDb, args: &[&str]) -> std::process::Command {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_reference-migration"));
    command
        .args(args)
        .env("DATABASE_URL", mover_url(db))
        .env(
            "TENANTRY_SERVERS",
            format!("one={},two={}", pg_admin_url(), pg2_admin_url()),
        )
        .env("TENANTRY_APP_ROLE", &db.app_role)
        .env("RUST_LOG", "off")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    command
}

/// The application name of the CLI's sessions, so that only the mover's lock waits count.
const MOVER: &str = "tenantry_test_mover";

fn mover_url(db: &TestDb) -> String {
    let sep = if db.owner_url.contains('?') { '&' } else { '?' };
    format!("{}{sep}application_name={MOVER}", db.owner_url)
}

/// Waits (up to 30 s) until a session of the mover waits for a lock (not any session: an
/// autovacuum worker or a test's own session waiting must not count as the mover stuck).
async fn someone_waits(admin: &DatabaseConnection, db: &TestDb) {
    let started = std::time::Instant::now();
    loop {
        let n: i64 = scalar(
            admin,
            &format!(
                "SELECT count(*)::text FROM pg_catalog.pg_stat_activity \
                 WHERE datname = '{}' AND wait_event_type = 'Lock' \
                   AND application_name = '{MOVER}'",
                db.name
            ),
        )
        .await
        .parse()
        .unwrap();
        if n > 0 {
            return;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the mover never waited"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Waits (up to 30 s) until the killed mover's sessions are gone: a statement it left
/// waiting runs to its end once unblocked (and, outside a transaction, commits) before its
/// backend notices the client is dead, so the test looks only after every one has exited.
async fn mover_gone(admin: &DatabaseConnection, db: &TestDb) {
    let started = std::time::Instant::now();
    while scalar(
        admin,
        &format!(
            "SELECT count(*)::text FROM pg_catalog.pg_stat_activity \
             WHERE datname = '{}' AND application_name = '{MOVER}'",
            db.name
        ),
    )
    .await
        != "0"
    {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the killed mover's sessions stayed"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn capture_triggers(admin: &DatabaseConnection) -> String {
    scalar(
        admin,
        "SELECT count(*)::text FROM pg_catalog.pg_trigger WHERE tgname LIKE 'tenantry_move_%'",
    )
    .await
}

/// A tenant schema made as provisioning makes one: the tenant migrations, the app role's
/// grants.
async fn target_schema(db: &TestDb, schema: &str) {
    db.owner_exec(&format!("CREATE SCHEMA \"{schema}\"")).await;
    let mut options = sea_orm::ConnectOptions::new(db.owner_url.clone());
    options
        .max_connections(1)
        .sqlx_logging(false)
        .set_schema_search_path(format!("{schema},public"));
    let conn = sea_orm::Database::connect(options).await.unwrap();
    <migration::TenantMigrator as sea_orm_migration::MigratorTrait>::up(&conn, None)
        .await
        .unwrap();
    conn.close().await.unwrap();
    let role = &db.app_role;
    for sql in [
        format!("GRANT USAGE ON SCHEMA \"{schema}\" TO \"{role}\""),
        format!(
            "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA \"{schema}\" TO \"{role}\""
        ),
        format!("GRANT USAGE ON ALL SEQUENCES IN SCHEMA \"{schema}\" TO \"{role}\""),
    ] {
        db.owner_exec(&sql).await;
    }
}

/// Where the mover is killed, and what holds it there.
#[derive(Clone, Copy, Debug)]
enum Kill {
    /// Installing change capture (a source table held in `SHARE` mode).
    Prepare,
    /// Copying (the target's table held exclusively).
    Copy,
    /// Waiting for the fence (a transaction of the tenant held open).
    Fence,
    /// Flipping the directory (the tenant's directory row locked), after fencing the source.
    Flip,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_mover_killed_in_each_phase_resumes_or_aborts_cleanly() {
    for (kill, then_abort) in [
        (Kill::Prepare, true),
        (Kill::Copy, false),
        (Kill::Fence, false),
        (Kill::Flip, false),
    ] {
        let (db, provisioner, [mover, other, _], product) = setup().await;
        let app = app(&db, Duration::from_secs(3600));
        fill(&app, mover, 30, product).await;
        fill(&app, other, 5, product).await;
        let before = fingerprint(&db, &Placement::Shared, mover).await;
        let others = fingerprint(&db, &Placement::Shared, other).await;
        let schema = format!("{}_k", db.name);
        let to = Placement::schema(&schema).unwrap();
        let admin = pool_on(&url_on(&pg_admin_url(), &db.name)).await;
        let holder = sea_orm::TransactionTrait::begin(&admin).await.unwrap();
        let app_holder = match kill {
            Kill::Prepare => {
                holder
                    .execute_unprepared("LOCK TABLE public.orders IN SHARE MODE")
                    .await
                    .unwrap();
                None
            }
            Kill::Copy => {
                // The target exists before the move (made here as provisioning makes it), so
                // that its table can be held before the mover reaches the copy.
                target_schema(&db, &schema).await;
                holder
                    .execute_unprepared(&format!(
                        "LOCK TABLE \"{schema}\".customers IN ACCESS EXCLUSIVE MODE"
                    ))
                    .await
                    .unwrap();
                None
            }
            Kill::Fence => Some(app.begin(mover).await.unwrap()),
            Kill::Flip => {
                // An uncommitted row with the key of the source's fence row: the mover's insert
                // of it waits; once this rolls back, the orphaned insert commits and the
                // directory is never flipped — the source fenced, the directory unchanged.
                holder
                    .execute_unprepared(&format!(
                        "INSERT INTO public.tenantry_fences (tenant, placement, moved_to) \
                         VALUES ('{mover}', 'shared', 'held')"
                    ))
                    .await
                    .unwrap();
                None
            }
        };
        let mut child = cli(
            &db,
            &[
                "tenants",
                "move",
                &mover.to_string(),
                "--to",
                &to.to_string(),
                "--fence-timeout",
                "60",
            ],
        )
        .spawn()
        .unwrap();
        someone_waits(&admin, &db).await;
        child.kill().unwrap();
        assert!(!child.wait().unwrap().success());
        if let Some(txn) = app_holder {
            txn.rollback().await.unwrap();
        }
        holder.rollback().await.unwrap();
        mover_gone(&admin, &db).await;
        if let Kill::Flip = kill {
            // Fenced on the source, still placed there: not served until resumed or aborted.
            let e = app.begin(mover).await.err().unwrap();
            assert!(
                matches!(
                    tenantry::Error::from_db_err(&e),
                    Some(tenantry::Error::PlacementChanged { .. })
                ),
                "{e}"
            );
        }

        let status = provisioner
            .move_status(mover)
            .await
            .unwrap()
            .unwrap_or_else(|| panic!("{kill:?}: no move recorded"));
        assert!(!status.phase.finished(), "{kill:?}: {status:?}");
        if then_abort {
            provisioner.abort_move(mover).await.unwrap();
            assert_eq!(
                provisioner.show(mover).await.unwrap().placement,
                Placement::Shared
            );
            assert!(!home_exists(&db, &to).await, "{kill:?}: the target is gone");
            assert_eq!(
                capture_triggers(&admin).await,
                "0",
                "{kill:?}: capture removed"
            );
            app.invalidate(mover);
            fill(&app, mover, 1, product).await;
            assert_eq!(
                rows_in(&db, &Placement::Shared, mover).await,
                31,
                "{kill:?}"
            );
        } else {
            let report = provisioner
                .move_tenant(mover, to.clone(), &MoveOptions::default(), &|_| {})
                .await
                .unwrap_or_else(|e| panic!("{kill:?}: resume: {e}"));
            assert_eq!(report.target, to.to_string());
            assert_eq!(
                fingerprint(&db, &to, mover).await,
                before,
                "{kill:?}: rows equal"
            );
            assert_eq!(
                capture_triggers(&admin).await,
                "0",
                "{kill:?}: capture removed"
            );
            let record = provisioner.show(mover).await.unwrap();
            assert_eq!(
                (record.placement, record.state),
                (to.clone(), TenantState::Active)
            );
            app.invalidate(mover);
            fill(&app, mover, 1, product).await;
            assert_eq!(
                rows_in(&db, &to, mover).await,
                31,
                "{kill:?}: served on the target (shared has {}, {:?}, {report:?})",
                rows_in(&db, &Placement::Shared, mover).await,
                provisioner.show(mover).await.unwrap()
            );
        }
        assert_eq!(
            fingerprint(&db, &Placement::Shared, other).await,
            others,
            "{kill:?}"
        );
        admin.close().await.unwrap();
    }
}

/// Runs the CLI to its end and returns its standard output, failing with its standard error.
fn cli_output(db: &TestDb, args: &[&str]) -> String {
    let out = cli(db, args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn refusal(e: &sea_orm::DbErr) -> Option<&tenantry::Error> {
    tenantry::Error::from_db_err(e)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn export_erase_import_round_trip_gives_the_same_checksums() {
    use tenantry_migration::moves::erase::DEFAULT_FENCE_TIMEOUT;
    use tenantry_migration::moves::export::{ExportManifest, read_manifest};

    let (db, provisioner, [tenant, other, _], product) = setup().await;
    let app = app(&db, Duration::from_secs(3600));
    fill(&app, tenant, 12, product).await;
    fill(&app, other, 4, product).await;
    let before = fingerprint(&db, &Placement::Shared, tenant).await;
    let others = fingerprint(&db, &Placement::Shared, other).await;
    let high = max_order_id(&app, tenant).await;
    let dir = std::env::temp_dir().join(format!("{}_export", db.name));
    let bad = std::env::temp_dir().join(format!("{}_tampered", db.name));

    // Export, through the CLI.
    let out = cli_output(
        &db,
        &[
            "tenants",
            "export",
            &tenant.to_string(),
            "--out",
            dir.to_str().unwrap(),
            "--format",
            "json",
        ],
    );
    let manifest: ExportManifest = serde_json::from_str(&out).unwrap();
    assert_eq!(read_manifest(&dir).unwrap(), manifest);
    assert_eq!(manifest.tenant, tenant.to_string());
    assert_eq!(manifest.placement, "shared");
    let rows: Vec<(&str, i64)> = manifest
        .tables
        .iter()
        .map(|t| (t.table.as_str(), t.rows))
        .collect();
    assert_eq!(
        rows,
        [("customers", 12), ("orders", 12), ("order_items", 12)],
        "parents first"
    );
    let reference: Vec<(&str, i64)> = manifest
        .reference
        .iter()
        .map(|t| (t.table.as_str(), t.rows))
        .collect();
    // The reference rows they point at: the one product, and the app's own row of the tenant.
    assert_eq!(reference, [("products", 1), ("tenants", 1)]);
    assert!(manifest.schema_version.is_some());
    assert_eq!(manifest.sequences.len(), 3, "{:?}", manifest.sequences);
    // Readable without tenantry: CSV with a header, one line per row here, none of another
    // tenant.
    let customers = std::fs::read_to_string(dir.join(&manifest.tables[0].file)).unwrap();
    let lines: Vec<&str> = customers.lines().collect();
    assert_eq!(lines[0], manifest.tables[0].columns.join(","));
    assert_eq!(lines.len(), 13);
    assert!(lines[1..].iter().all(|l| l.contains(&tenant.to_string())));
    assert!(!customers.contains(&other.to_string()));
    // A directory that is not empty is refused, and left as it was.
    let e = provisioner
        .export_tenant(tenant, &dir, &|_, _| {})
        .await
        .unwrap_err();
    assert!(
        matches!(e, tenantry_migration::Error::ExportRefused { .. }),
        "{e}"
    );
    assert_eq!(read_manifest(&dir).unwrap(), manifest);

    // Erase: refused without a reason; then through the CLI.
    let e = provisioner
        .erase_tenant(tenant, "  ", DEFAULT_FENCE_TIMEOUT)
        .await
        .unwrap_err();
    assert!(matches!(e, tenantry_migration::Error::MissingReason), "{e}");
    let out = cli_output(
        &db,
        &[
            "tenants",
            "erase",
            &tenant.to_string(),
            "--reason",
            "customer request #42",
            "--format",
            "json",
        ],
    );
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(report["rows"], 36, "{report}");
    assert_eq!(report["reason"], "customer request #42");
    assert_eq!(
        provisioner.show(tenant).await.unwrap().state,
        TenantState::Deleted
    );
    assert_eq!(rows_in(&db, &Placement::Shared, tenant).await, 0);
    // The app, whose cache still says `shared, active`, is turned away by the fence, then by
    // the directory.
    let e = app.begin(tenant).await.err().unwrap();
    assert!(
        matches!(refusal(&e), Some(tenantry::Error::PlacementChanged { .. })),
        "{e}"
    );
    let e = app.begin(tenant).await.err().unwrap();
    assert!(
        matches!(refusal(&e), Some(tenantry::Error::TenantUnavailable { .. })),
        "{e}"
    );
    assert_eq!(fingerprint(&db, &Placement::Shared, other).await, others);

    // A tampered export is refused, and leaves the tenant deleted and no schema behind.
    std::fs::create_dir_all(&bad).unwrap();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, bad.join(path.file_name().unwrap())).unwrap();
    }
    let orders_file = bad.join(&manifest.tables[1].file);
    let text = std::fs::read_to_string(&orders_file).unwrap();
    std::fs::write(&orders_file, text.replacen(",open,", ",shut,", 1)).unwrap();
    let to = Placement::schema(&format!("{}_i", db.name)).unwrap();
    let e = provisioner
        .import_tenant(tenant, &bad, Some(to.clone()), &|_, _| {})
        .await
        .unwrap_err();
    assert!(
        matches!(&e, tenantry_migration::Error::ImportRefused { why } if why.contains("checksum")),
        "{e}"
    );
    assert_eq!(
        provisioner.show(tenant).await.unwrap().state,
        TenantState::Deleted
    );
    assert!(!home_exists(&db, &to).await);

    // The reference row changed since the export: reported, left as it is.
    db.owner_exec("UPDATE products SET price = 2.5").await;
    // Import into a schema of its own.
    let report = provisioner
        .import_tenant(tenant, &dir, Some(to.clone()), &|_, _| {})
        .await
        .unwrap();
    assert!(report.created);
    assert_eq!(report.placement, to.to_string());
    let loaded: Vec<(String, i64, String)> = report
        .tables
        .iter()
        .map(|t| (t.table.clone(), t.rows, t.checksum.clone()))
        .collect();
    let exported: Vec<(String, i64, String)> = manifest
        .tables
        .iter()
        .map(|t| (t.table.clone(), t.rows, t.checksum.clone()))
        .collect();
    assert_eq!(loaded, exported);
    assert_eq!((report.reference_added, report.reference_differing), (0, 1));
    assert_eq!(report.sequences, 3);
    assert_eq!(fingerprint(&db, &to, tenant).await, before);
    let record = provisioner.show(tenant).await.unwrap();
    assert_eq!(
        (record.placement, record.state),
        (to.clone(), TenantState::Active)
    );
    // Served there; its ids go on from the exported ones.
    app.invalidate(tenant);
    fill(&app, tenant, 1, product).await;
    assert_eq!(rows_in(&db, &to, tenant).await, 13);
    assert!(max_order_id(&app, tenant).await > high);
    let doctor = doctor::run(&db.admin, &DoctorOptions::default())
        .await
        .unwrap();
    assert!(doctor.is_clean(), "{doctor:?}");
    // A second import is refused: the placement holds the tenant's rows.
    let e = provisioner
        .import_tenant(tenant, &dir, None, &|_, _| {})
        .await
        .unwrap_err();
    assert!(
        matches!(&e, tenantry_migration::Error::ImportRefused { why } if why.contains("already holds")),
        "{e}"
    );
    assert_eq!(rows_in(&db, &to, tenant).await, 13);
    assert_eq!(fingerprint(&db, &Placement::Shared, other).await, others);

    drop(app);
    provisioner
        .drop_tenant(tenant, "test done", true)
        .await
        .unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    std::fs::remove_dir_all(&bad).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn erase_waits_for_the_tenants_transactions_and_reaches_every_placement() {
    let (db, provisioner, [tenant, other, _], product) = setup().await;
    let app = app(&db, Duration::from_secs(3600));
    fill(&app, tenant, 5, product).await;
    fill(&app, other, 3, product).await;
    let others = fingerprint(&db, &Placement::Shared, other).await;
    // Moved to a database on the second server, the source not cleaned up: rows in both.
    let to = Placement::database("two", &format!("{}_m", db.name)).unwrap();
    provisioner
        .move_tenant(tenant, to.clone(), &MoveOptions::default(), &|_| {})
        .await
        .unwrap();
    assert_eq!(rows_in(&db, &Placement::Shared, tenant).await, 5);
    app.invalidate(tenant);
    // A transaction of the tenant in flight when the erase starts: it finishes first, and
    // its row is erased too.
    let txn = app.begin(tenant).await.unwrap();
    customers::ActiveModel {
        name: Set("late".into()),
        email: Set(format!("late@{tenant}.test")),
        ..Default::default()
    }
    .insert(&txn)
    .await
    .unwrap();
    let erase = {
        let provisioner = self::provisioner(&db).await;
        tokio::spawn(async move {
            provisioner
                .erase_tenant(tenant, "contract ended", Duration::from_secs(30))
                .await
        })
    };
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(!erase.is_finished(), "the erase waits for the transaction");
    txn.commit().await.unwrap();
    let report = erase.await.unwrap().unwrap();
    let rows: Vec<(String, bool, u64)> = report
        .placements
        .iter()
        .map(|p| {
            (
                p.placement.clone(),
                p.dropped,
                p.tables
                    .iter()
                    .find(|t| t.table == "customers")
                    .map_or(0, |t| t.rows),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [(to.to_string(), true, 6), ("shared".to_owned(), false, 5)],
        "{report:?}"
    );
    assert!(!home_exists(&db, &to).await);
    assert_eq!(rows_in(&db, &Placement::Shared, tenant).await, 0);
    let e = app.begin(tenant).await.err().unwrap();
    assert!(refusal(&e).is_some(), "{e}");
    assert_eq!(fingerprint(&db, &Placement::Shared, other).await, others);
    // Erasing again finds nothing left.
    let again = provisioner
        .erase_tenant(tenant, "contract ended", Duration::from_secs(5))
        .await
        .unwrap();
    assert_eq!(again.rows, 0, "{again:?}");
}
