//! Placements on a live PostgreSQL: tenants in the shared tables, in schemas of their own and
//! in databases of their own, served by the same `TenantDatabase::begin` and the same SQL;
//! the directory on every backend; lifecycle states; unreachable servers; the pool budget.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};
use sea_orm_migration::SchemaManager;
use sea_orm_migration::prelude::Alias;
use tenantry::placement::{
    Directory, MemoryDirectory, Placement, Servers, TableDirectory, TenantRecord, TenantState,
};
use tenantry::{Error, Registry, TenantDatabase, TenantId};
use tenantry_migration::TenantMigrationExt;
use tenantry_tests::TestDb;
use tenantry_tests::wire::{Switch, host_port};

const NOTES: &str = "id serial PRIMARY KEY, tenant_id bigint NOT NULL, body text NOT NULL";

/// `notes` in `schema` of `db`, isolated by RLS, usable by the app role; in `public`, also the
/// fence every placed tenant transaction checks (which the directory migration and
/// provisioning install).
async fn notes_in(db: &TestDb, schema: &str) {
    if schema == "public" && db.backend == DbBackend::Postgres {
        for sql in tenantry::placement::fence::install_sql("public") {
            db.owner_exec(&sql).await;
        }
    }
    if schema != "public" {
        db.owner_exec(&format!("CREATE SCHEMA \"{schema}\"")).await;
        db.owner_exec(&format!(
            "GRANT USAGE ON SCHEMA \"{schema}\" TO \"{}\"",
            db.app_role
        ))
        .await;
    }
    db.owner_exec(&format!("CREATE TABLE \"{schema}\".notes ({NOTES})"))
        .await;
    SchemaManager::new(&db.owner)
        .enable_tenant_isolation((Alias::new(schema), Alias::new("notes")), "tenant_id")
        .await
        .unwrap();
    SchemaManager::new(&db.owner)
        .grant_app_role(&db.app_role, [(Alias::new(schema), Alias::new("notes"))])
        .await
        .unwrap();
}

fn registry() -> Registry {
    Registry::new().table("notes", "tenant_id")
}

fn stmt(sql: &str) -> Statement {
    Statement::from_string(DbBackend::Postgres, sql)
}

async fn one_text(conn: &impl ConnectionTrait, sql: &str) -> String {
    let row = conn.query_one_raw(stmt(sql)).await.unwrap().unwrap();
    row.try_get_by_index::<String>(0).unwrap()
}

async fn bodies(conn: &impl ConnectionTrait, sql: &str) -> Vec<String> {
    conn.query_all_raw(stmt(sql))
        .await
        .unwrap()
        .iter()
        .map(|r| r.try_get_by_index::<String>(0).unwrap())
        .collect()
}

fn active(tenant: i64, placement: Placement) -> TenantRecord {
    TenantRecord::new(tenant, placement, TenantState::Active)
}

/// Tenant 1 shared, 2 and 3 in schemas, 4 in a database of its own.
struct World {
    control: TestDb,
    silo: TestDb,
    directory: Arc<MemoryDirectory>,
}

impl World {
    async fn new() -> World {
        let control = TestDb::postgres().await;
        for schema in ["public", "tenant_2", "tenant_3"] {
            notes_in(&control, schema).await;
        }
        let silo = TestDb::postgres_second_server().await;
        notes_in(&silo, "public").await;
        let directory = Arc::new(MemoryDirectory::with([
            active(1, Placement::Shared),
            active(2, Placement::schema("tenant_2").unwrap()),
            active(3, Placement::schema("tenant_3").unwrap()),
            active(4, Placement::database("silo", &silo.name).unwrap()),
        ]));
        World {
            control,
            silo,
            directory,
        }
    }

    fn servers(&self) -> Servers {
        Servers::new().with("silo", &self.silo.app_url).unwrap()
    }

    fn tdb(&self) -> TenantDatabase {
        TenantDatabase::new(self.control.app.clone())
            .with_registry(registry())
            .with_directory(self.directory.clone(), self.servers())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_placement_runs_the_same_code_where_its_rows_are() {
    let world = World::new().await;
    let tdb = world.tdb();
    for tenant in 1_i64..=4 {
        let txn = tdb.begin(tenant).await.unwrap();
        txn.execute_raw(stmt(&format!(
            "INSERT INTO notes (body) VALUES ('note of {tenant}')"
        )))
        .await
        .unwrap();
        txn.commit().await.unwrap();
    }
    for tenant in 1_i64..=4 {
        let txn = tdb.begin(tenant).await.unwrap();
        assert_eq!(
            bodies(&txn, "SELECT body FROM notes").await,
            [format!("note of {tenant}")],
            "tenant {tenant} sees exactly its row"
        );
        let expected = tdb.placement(tenant).await.unwrap();
        assert_eq!(txn.placement(), &expected);
        txn.commit().await.unwrap();
    }
    // Where the rows physically are (the superuser sees every row).
    let admin = &world.control.admin;
    assert_eq!(
        bodies(admin, "SELECT body FROM public.notes").await,
        ["note of 1"]
    );
    assert_eq!(
        bodies(admin, "SELECT body FROM tenant_2.notes").await,
        ["note of 2"]
    );
    assert_eq!(
        bodies(admin, "SELECT body FROM tenant_3.notes").await,
        ["note of 3"]
    );
    assert_eq!(
        bodies(&world.silo.admin, "SELECT body FROM public.notes").await,
        ["note of 4"]
    );
    // Tenant 4's database holds tenant 4 only; the tenant column is filled there too.
    let filled = one_text(
        &world.silo.admin,
        "SELECT string_agg(tenant_id::text, ',') FROM notes",
    )
    .await;
    assert_eq!(filled, "4");
    assert_eq!(tdb.pool_stats().unwrap().pools, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_schema_the_app_role_cannot_use_is_refused_not_skipped_to_the_shared_tables() {
    let world = World::new().await;
    // Without USAGE, PostgreSQL silently leaves the schema out of the search path: `notes`
    // would be the shared schema's.
    world
        .control
        .owner_exec(&format!(
            "REVOKE USAGE ON SCHEMA tenant_2 FROM \"{}\"",
            world.control.app_role
        ))
        .await;
    let tdb = world.tdb();
    let err = tdb.begin(2_i64).await.unwrap_err();
    assert!(
        matches!(
            Error::from_db_err(&err),
            Some(Error::PlacementNotUsable { tenant, placement })
                if tenant == "2" && placement == "schema:tenant_2"
        ),
        "{err}"
    );
    assert_eq!(
        one_text(
            &world.control.admin,
            "SELECT count(*)::text FROM public.notes"
        )
        .await,
        "0"
    );
    // The other tenants are served as before.
    tdb.begin(3_i64).await.unwrap().commit().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_schema_search_path_lives_exactly_as_long_as_the_transaction() {
    let world = World::new().await;
    let tdb = world.tdb();
    let txn = tdb.begin(2_i64).await.unwrap();
    assert_eq!(
        one_text(txn.get_ref(), "SELECT current_setting('search_path')").await,
        "tenant_2, public"
    );
    txn.commit().await.unwrap();
    // A schema tenant explicitly naming another tenant's schema still meets the tenant
    // predicate and RLS: it reads nothing of tenant 3.
    world
        .control
        .admin
        .execute_unprepared("INSERT INTO tenant_3.notes (tenant_id, body) VALUES (3, 'of 3')")
        .await
        .unwrap();
    let txn = tdb.begin(2_i64).await.unwrap();
    assert!(
        bodies(&txn, "SELECT body FROM tenant_3.notes")
            .await
            .is_empty()
    );
    txn.commit().await.unwrap();
    // Back on the pool, no connection carries a schema or a tenant.
    for _ in 0..8 {
        assert_eq!(
            one_text(&world.control.app, "SELECT current_setting('search_path')").await,
            "\"$user\", public"
        );
        assert_eq!(
            one_text(
                &world.control.app,
                "SELECT coalesce(current_setting('tenantry.tenant_id', true), '')"
            )
            .await,
            ""
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn interleaved_tenants_in_every_placement_never_bleed() {
    let world = World::new().await;
    let tdb = world.tdb();
    let mut workers = Vec::new();
    for worker in 0..8_i64 {
        let tdb = tdb.clone();
        workers.push(tokio::spawn(async move {
            for round in 0..25_i64 {
                let tenant = (worker + round) % 4 + 1;
                let txn = tdb.begin(tenant).await.unwrap();
                let path = one_text(txn.get_ref(), "SELECT current_setting('search_path')").await;
                let expected = match tenant {
                    2 | 3 => format!("tenant_{tenant}, public"),
                    _ => "\"$user\", public".to_owned(),
                };
                assert_eq!(path, expected, "tenant {tenant}");
                txn.execute_raw(stmt(&format!(
                    "INSERT INTO notes (body) VALUES ('{worker}/{round}')"
                )))
                .await
                .unwrap();
                let owners = one_text(
                    &txn,
                    "SELECT coalesce(string_agg(DISTINCT tenant_id::text, ','), '') FROM notes",
                )
                .await;
                assert_eq!(owners, tenant.to_string());
                if round % 5 == 0 {
                    txn.rollback().await.unwrap();
                } else {
                    txn.commit().await.unwrap();
                }
            }
        }));
    }
    for w in workers {
        w.await.unwrap();
    }
    // 8 workers × 25 rounds, every 5th rolled back: 160 rows, 40 per tenant.
    let per_tenant =
        |conn: DatabaseConnection, sql: &'static str| async move { one_text(&conn, sql).await };
    assert_eq!(
        per_tenant(
            world.control.admin.clone(),
            "SELECT count(*)::text FROM public.notes"
        )
        .await,
        "40"
    );
    for schema in ["tenant_2", "tenant_3"] {
        assert_eq!(
            one_text(
                &world.control.admin,
                &format!("SELECT count(*)::text FROM {schema}.notes")
            )
            .await,
            "40"
        );
    }
    assert_eq!(
        per_tenant(world.silo.admin.clone(), "SELECT count(*)::text FROM notes").await,
        "40"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn states_unknown_tenants_and_unreachable_servers_are_typed_errors() {
    let world = World::new().await;
    world
        .directory
        .create(&TenantRecord::new(
            5_i64,
            Placement::Shared,
            TenantState::ReadOnly,
        ))
        .await
        .unwrap();
    for (tenant, state) in [
        (6_i64, TenantState::Suspended),
        (7, TenantState::Provisioning),
        (8, TenantState::Deleted),
    ] {
        world
            .directory
            .create(&TenantRecord::new(tenant, Placement::Shared, state))
            .await
            .unwrap();
    }
    world
        .directory
        .create(&active(9, Placement::database("down", "tenant_9").unwrap()))
        .await
        .unwrap();
    world
        .directory
        .create(&active(
            10,
            Placement::database("nowhere", "tenant_10").unwrap(),
        ))
        .await
        .unwrap();
    let servers = world
        .servers()
        .with_options(
            "down",
            "postgres://nobody@127.0.0.1:1/postgres",
            tenantry::placement::ServerOptions::default()
                .connect_timeout(std::time::Duration::from_millis(500)),
        )
        .unwrap();
    let tdb = TenantDatabase::new(world.control.app.clone())
        .with_registry(registry())
        .with_directory(world.directory.clone(), servers);
    let refusal = |e: sea_orm::DbErr| Error::from_db_err(&e).map(ToString::to_string);

    // read_only: reads work, writes are refused by the database.
    let txn = tdb.begin(5_i64).await.unwrap();
    assert!(bodies(&txn, "SELECT body FROM notes").await.is_empty());
    let err = txn
        .execute_raw(stmt("INSERT INTO notes (body) VALUES ('x')"))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("read-only transaction"), "{err}");
    drop(txn);

    for (tenant, message) in [
        (
            6_i64,
            "tenant `6` is suspended: resume it to serve it again",
        ),
        (
            7,
            "tenant `7` is provisioning: its placement is still being created; retry when \
             provisioning is done",
        ),
        (8, "tenant `8` is deleted: it no longer exists"),
        (
            99,
            "unknown tenant `99`: the directory has no entry for it; create it first (`tenants \
             create`)",
        ),
        (
            10,
            "unknown server `nowhere` (configured: down, silo); add it in code or to \
             TENANTRY_SERVERS",
        ),
    ] {
        let err = tdb.begin(tenant).await.unwrap_err();
        assert_eq!(refusal(err).as_deref(), Some(message));
    }
    let err = tdb.begin(9_i64).await.unwrap_err();
    let message = refusal(err).unwrap();
    assert!(
        message.starts_with("server `down` is unavailable for database `tenant_9`"),
        "{message}"
    );
    // Everyone else keeps working.
    for tenant in 1_i64..=4 {
        tdb.begin(tenant).await.unwrap().commit().await.unwrap();
    }
    // A state change reaches the process through invalidation.
    world
        .directory
        .set_state(&TenantId::from(6_i64), TenantState::Active)
        .await
        .unwrap();
    assert!(tdb.begin(6_i64).await.is_err(), "still cached");
    tdb.invalidate(6_i64);
    tdb.begin(6_i64).await.unwrap().commit().await.unwrap();
    let (hits, misses) = tdb.directory_cache_counts().unwrap();
    assert!(hits > 0 && misses > 0, "{hits} hits, {misses} misses");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_pool_budget_closes_idle_pools_least_recently_used_first() {
    let control = TestDb::postgres().await;
    notes_in(&control, "public").await;
    let a = TestDb::postgres().await;
    let b = TestDb::postgres().await;
    for db in [&a, &b] {
        notes_in(db, "public").await;
    }
    let directory = Arc::new(MemoryDirectory::with([
        active(1, Placement::database("a", &a.name).unwrap()),
        active(2, Placement::database("b", &b.name).unwrap()),
    ]));
    let servers = tdb_servers(&a, &b);
    let tdb = TenantDatabase::new(control.app.clone())
        .with_registry(registry())
        .with_directory(directory, servers)
        .with_pool_limits(1, 8);
    // Pools of 4 connections (the default): one pool fits the cap, two the budget.
    for round in 0..3 {
        for tenant in [1_i64, 2] {
            let txn = tdb.begin(tenant).await.unwrap();
            assert!(bodies(&txn, "SELECT body FROM notes").await.is_empty());
            txn.commit().await.unwrap();
            let stats = tdb.pool_stats().unwrap();
            assert_eq!(stats.pools, 1, "round {round}: {stats:?}");
            assert!(stats.connections <= stats.budget);
        }
    }
    let stats = tdb.pool_stats().unwrap();
    assert_eq!((stats.opened, stats.evictions), (6, 5), "{stats:?}");
    // A pool in use is closed for new transactions only: the open one finishes on its
    // connection, which counts against the budget until it is back.
    let held = tdb.begin(1_i64).await.unwrap();
    held.execute_raw(stmt("INSERT INTO notes (body) VALUES ('held')"))
        .await
        .unwrap();
    let other = tdb.begin(2_i64).await.unwrap();
    let stats = tdb.pool_stats().unwrap();
    assert_eq!((stats.pools, stats.connections), (1, 5), "{stats:?}");
    held.commit().await.unwrap();
    other.commit().await.unwrap();
    assert_eq!(
        bodies(&a.admin, "SELECT body FROM notes").await,
        ["held"],
        "the transaction on the closed pool committed"
    );
    tdb.begin(1_i64).await.unwrap().commit().await.unwrap();

    // A budget that cannot hold a new pool beside the connections still in use refuses.
    let tight = TenantDatabase::new(control.app.clone())
        .with_registry(registry())
        .with_directory(tdb.directory().unwrap().clone(), tdb_servers(&a, &b))
        .with_pool_limits(1, 4);
    let held = tight.begin(1_i64).await.unwrap();
    let err = tight.begin(2_i64).await.unwrap_err();
    assert!(
        matches!(
            Error::from_db_err(&err),
            Some(Error::ConnectionBudget { .. })
        ),
        "{err}"
    );
    held.commit().await.unwrap();
    // Once the connection is back (sqlx returns it in the background), there is room.
    let mut opened = None;
    for _ in 0..100 {
        match tight.begin(2_i64).await {
            Ok(txn) => {
                opened = Some(txn);
                break;
            }
            Err(_) => tokio::time::sleep(std::time::Duration::from_millis(20)).await,
        }
    }
    opened.unwrap().commit().await.unwrap();
}

fn tdb_servers(a: &TestDb, b: &TestDb) -> Servers {
    Servers::new()
        .with("a", &a.app_url)
        .unwrap()
        .with("b", &b.app_url)
        .unwrap()
}

/// The table directory on every backend: create, read, state, placement with its version,
/// remove, and the typed errors.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_table_directory_on_every_backend() {
    for db in TestDb::all().await {
        let manager = SchemaManager::new(&db.owner);
        manager
            .create_table(tenantry::placement::directory_table())
            .await
            .unwrap();
        let directory = TableDirectory::new(db.owner.clone());
        let acme = TenantId::from(uuid::Uuid::from_u128(7));
        directory
            .create(&TenantRecord::new(
                acme.clone(),
                Placement::schema("tenant_acme").unwrap(),
                TenantState::Provisioning,
            ))
            .await
            .unwrap();
        directory
            .create(&active(42, Placement::database("east", "t42").unwrap()))
            .await
            .unwrap();
        let err = directory
            .create(&active(42, Placement::Shared))
            .await
            .unwrap_err();
        assert!(matches!(err, Error::TenantExists { .. }), "{err:?}");

        let record = directory.get(&acme).await.unwrap().unwrap();
        assert_eq!(record.tenant, acme);
        assert_eq!(record.placement, Placement::schema("tenant_acme").unwrap());
        assert_eq!(
            (record.state, record.version),
            (TenantState::Provisioning, 1)
        );
        let record = directory
            .set_state(&acme, TenantState::Active)
            .await
            .unwrap();
        assert_eq!(record.state, TenantState::Active);

        let moved = directory
            .set_placement(&acme, &Placement::Shared, 1)
            .await
            .unwrap();
        assert_eq!(
            (moved.placement.clone(), moved.version),
            (Placement::Shared, 2)
        );
        let err = directory
            .set_placement(&acme, &Placement::schema("x").unwrap(), 1)
            .await
            .unwrap_err();
        assert!(
            matches!(
                err,
                Error::StalePlacement {
                    expected: 1,
                    found: 2,
                    ..
                }
            ),
            "{err:?}"
        );
        let listed: Vec<String> = directory
            .list()
            .await
            .unwrap()
            .iter()
            .map(|r| format!("{} {} {}", r.tenant, r.placement, r.state))
            .collect();
        assert_eq!(
            listed,
            [
                "00000000-0000-0000-0000-000000000007 shared active",
                "42 database:east/t42 active"
            ],
            "{:?}",
            db.backend
        );
        directory.remove(&acme).await.unwrap();
        assert!(directory.get(&acme).await.unwrap().is_none());
        let err = directory.remove(&acme).await.unwrap_err();
        assert!(matches!(err, Error::UnknownTenant { .. }), "{err:?}");
    }
}

/// A directory row tenantry cannot use is an error naming it, never a fallback.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broken_directory_row_is_an_error_not_a_fallback() {
    let db = TestDb::postgres().await;
    let manager = SchemaManager::new(&db.owner);
    manager
        .create_table(tenantry::placement::directory_table())
        .await
        .unwrap();
    db.owner_exec(
        "INSERT INTO tenantry_tenants (tenant, id_type, placement, schema_name, state) \
         VALUES ('1', 'i64', 'schema', 'Bad Name', 'active'), \
                ('2', 'i64', 'schema', NULL, 'active'), \
                ('3', 'i64', 'sharded', NULL, 'active')",
    )
    .await;
    let directory: Arc<dyn Directory> = Arc::new(TableDirectory::new(db.owner.clone()));
    let tdb = TenantDatabase::new(db.app.clone())
        .with_registry(registry())
        .with_directory(directory, Servers::new());
    for (tenant, message) in [
        (
            1_i64,
            "invalid schema name `Bad Name`: use lower-case letters, digits and `_` only",
        ),
        (
            2,
            "tenant directory: tenantry_tenants: tenant `2` is placed `schema` but has no schema_name",
        ),
        (
            3,
            "tenant directory: tenantry_tenants: tenant `3` has unknown placement `sharded`",
        ),
    ] {
        let err = tdb.begin(tenant).await.unwrap_err();
        assert_eq!(
            Error::from_db_err(&err).map(ToString::to_string).as_deref(),
            Some(message)
        );
    }
}

/// A tenant database's server going away and coming back: its tenants fail with an error
/// naming the server, everyone else keeps working, and its tenants work again once it is
/// back, with no restart.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_that_goes_away_fails_only_its_tenants_and_recovers() {
    let world = World::new().await;
    let switch = Switch::start(host_port(&world.silo.app_url)).await;
    let servers = Servers::new()
        .with_options(
            "silo",
            &switch.url(&world.silo.app_url),
            tenantry::placement::ServerOptions::default()
                .connect_timeout(std::time::Duration::from_secs(1))
                .acquire_timeout(std::time::Duration::from_secs(2)),
        )
        .unwrap();
    let tdb = TenantDatabase::new(world.control.app.clone())
        .with_registry(registry())
        .with_directory(world.directory.clone(), servers);
    let write = |tenant: i64, body: &'static str| {
        let tdb = tdb.clone();
        async move {
            let txn = tdb.begin(tenant).await?;
            txn.execute_raw(stmt(&format!("INSERT INTO notes (body) VALUES ('{body}')")))
                .await?;
            txn.commit().await
        }
    };
    write(4, "before").await.unwrap();

    switch.cut();
    let started = std::time::Instant::now();
    let err = write(4, "during").await.unwrap_err();
    let message = Error::from_db_err(&err).map(ToString::to_string);
    assert!(
        message
            .as_deref()
            .is_some_and(|m| m.starts_with("server `silo` is unavailable")),
        "{err}"
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
    for tenant in 1_i64..=3 {
        write(tenant, "during").await.unwrap();
    }

    switch.restore();
    let mut recovered = false;
    for _ in 0..50 {
        if write(4, "after").await.is_ok() {
            recovered = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(recovered, "tenant 4 works again once its server is back");
    assert_eq!(
        bodies(&world.silo.admin, "SELECT body FROM notes ORDER BY id").await,
        ["before", "after"]
    );
}

/// A schema tenant's and a database tenant's `begin` cost the round trips of a shared
/// tenant's (and of SeaORM's own `begin`): counted on the wire, warm pools, the acquire ping
/// on (SeaORM's default) for every pool.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_placement_begins_in_the_round_trips_of_a_shared_tenant() {
    use tenantry_tests::wire::RoundTrips;
    let world = World::new().await;
    let control = RoundTrips::start(host_port(&world.control.app_url)).await;
    let silo = RoundTrips::start(host_port(&world.silo.app_url)).await;
    let app = sea_orm::Database::connect(control.url(&world.control.app_url))
        .await
        .unwrap();
    let tdb = TenantDatabase::new(app.clone())
        .with_registry(registry())
        .with_directory(
            world.directory.clone(),
            Servers::new()
                .with("silo", &silo.url(&world.silo.app_url))
                .unwrap(),
        );
    // Warm: directory cache filled, pools and connections open.
    for tenant in 1_i64..=4 {
        tdb.begin(tenant).await.unwrap().commit().await.unwrap();
    }
    let (txn, plain) = control.during(sea_orm::TransactionTrait::begin(&app)).await;
    txn.unwrap().commit().await.unwrap();
    for (tenant, proxy) in [(1_i64, &control), (2, &control), (4, &silo)] {
        let (txn, trips) = proxy.during(tdb.begin(tenant)).await;
        txn.unwrap().commit().await.unwrap();
        assert_eq!(trips, plain, "tenant {tenant}: begin costs SeaORM's begin");
    }
}

/// MariaDB: a tenant in a database of its own (MySQL's databases are its schemas) is served
/// by the same code; a schema placement, which needs a transaction-local search path, is
/// refused with a typed error.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mariadb_serves_database_placements_and_refuses_schema_ones() {
    let control = TestDb::mysql().await;
    let silo = TestDb::mysql().await;
    for db in [&control, &silo] {
        db.owner_exec(
            "CREATE TABLE notes (id INTEGER PRIMARY KEY AUTO_INCREMENT, tenant_id BIGINT NOT NULL, \
             body TEXT NOT NULL)",
        )
        .await;
    }
    let directory = Arc::new(MemoryDirectory::with([
        active(1, Placement::Shared),
        active(2, Placement::database("silo", &silo.name).unwrap()),
        active(3, Placement::schema("tenant_3").unwrap()),
    ]));
    let tdb = TenantDatabase::new(control.app.clone())
        .with_registry(registry())
        .with_directory(
            directory,
            Servers::new().with("silo", &silo.app_url).unwrap(),
        );
    let mysql = |sql: &str| Statement::from_string(DbBackend::MySql, sql);
    for tenant in [1_i64, 2] {
        let txn = tdb.begin(tenant).await.unwrap();
        txn.execute_raw(mysql(&format!(
            "INSERT INTO notes (body) VALUES ('note of {tenant}')"
        )))
        .await
        .unwrap();
        let rows = txn
            .query_all_raw(mysql("SELECT body FROM notes"))
            .await
            .unwrap();
        assert_eq!(rows.len(), 1, "tenant {tenant}");
        txn.commit().await.unwrap();
    }
    for (db, expected) in [(&control, "note of 1"), (&silo, "note of 2")] {
        let rows = db
            .owner
            .query_all_raw(mysql("SELECT CAST(body AS CHAR), tenant_id FROM notes"))
            .await
            .unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].try_get_by_index::<String>(0).unwrap(), expected);
    }
    let err = tdb.begin(3_i64).await.unwrap_err();
    assert_eq!(
        Error::from_db_err(&err).map(ToString::to_string).as_deref(),
        Some("schema placements are not supported on MySql")
    );
}

/// A directory entry naming a schema or a database that does not exist is an error naming the
/// placement: never a fallback to the next schema on the search path (where the shared tables
/// are) or to another database.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_placement_that_does_not_exist_is_an_error_not_a_fallback() {
    let world = World::new().await;
    world
        .directory
        .create(&active(11, Placement::schema("tenant_gone").unwrap()))
        .await
        .unwrap();
    world
        .directory
        .create(&active(12, Placement::database("silo", "gone_db").unwrap()))
        .await
        .unwrap();
    let tdb = world.tdb();
    for (tenant, placement) in [
        (11_i64, "schema:tenant_gone"),
        (12, "database:silo/gone_db"),
    ] {
        let err = tdb.begin(tenant).await.unwrap_err();
        match Error::from_db_err(&err) {
            Some(Error::PlacementMissing {
                placement: found, ..
            }) => assert_eq!(found, placement),
            other => panic!("tenant {tenant}: {other:?} ({err})"),
        }
    }
    assert!(
        bodies(&world.control.admin, "SELECT body FROM public.notes")
            .await
            .is_empty()
    );
    // The others are served as ever.
    for tenant in 1_i64..=4 {
        tdb.begin(tenant).await.unwrap().commit().await.unwrap();
    }
}

/// A schema tenant's transaction takes an isolation level and an access mode like any other:
/// the schema check runs after `BEGIN`, so no query precedes the isolation level.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schema_tenants_begin_with_an_isolation_level() {
    let world = World::new().await;
    let tdb = world.tdb();
    let options = sea_orm::TransactionOptions {
        isolation_level: Some(sea_orm::IsolationLevel::Serializable),
        access_mode: Some(sea_orm::AccessMode::ReadOnly),
        ..Default::default()
    };
    for tenant in [1_i64, 2, 4] {
        let txn = tdb.begin_with_options(tenant, options).await.unwrap();
        assert_eq!(
            one_text(
                txn.get_ref(),
                "SELECT current_setting('transaction_isolation') || ' ' || \
                 current_setting('transaction_read_only')"
            )
            .await,
            "serializable on",
            "tenant {tenant}"
        );
        txn.commit().await.unwrap();
    }
}
