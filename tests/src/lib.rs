//! Test databases for tenantry's integration tests.
//!
//! Each [`TestDb`] is a fresh, uniquely named database (PostgreSQL, MariaDB/MySQL) or an
//! in-memory SQLite database, with an owner connection and a connection as a non-owner,
//! `NOSUPERUSER NOBYPASSRLS` app role. Everything it created is dropped when it is dropped.
//!
//! Servers are found through `TENANTRY_PG_URL` (default
//! `postgres://postgres@127.0.0.1:5432/test`) and `TENANTRY_MYSQL_URL` (default
//! `mysql://root@127.0.0.1:3306/test`). When a server cannot be reached the test fails with
//! a message naming the variable: a missing database never lets a test pass.
#![allow(clippy::unwrap_used, clippy::print_stdout)]

pub mod next;
pub mod placed;
pub mod wire;

use std::sync::atomic::{AtomicU32, Ordering};

use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend, Statement,
};
use sea_orm_migration::MigratorTrait;

/// Environment variable naming the PostgreSQL server (an admin URL).
pub const PG_URL_VAR: &str = "TENANTRY_PG_URL";
/// Environment variable naming the MariaDB/MySQL server (an admin URL).
pub const MYSQL_URL_VAR: &str = "TENANTRY_MYSQL_URL";
/// The environment variable naming the second PostgreSQL server's admin URL.
pub const PG2_URL_VAR: &str = "TENANTRY_PG2_URL";
const PG_DEFAULT: &str = "postgres://postgres@127.0.0.1:5432/test";
const PG2_DEFAULT: &str = "postgres://postgres@127.0.0.1:5433/postgres";
const MYSQL_DEFAULT: &str = "mysql://root@127.0.0.1:3306/test";

/// The PostgreSQL admin URL in use.
pub fn pg_admin_url() -> String {
    std::env::var(PG_URL_VAR).unwrap_or_else(|_| PG_DEFAULT.to_owned())
}

/// The second PostgreSQL server's admin URL in use (`scripts/servers` starts it on 5433).
pub fn pg2_admin_url() -> String {
    std::env::var(PG2_URL_VAR).unwrap_or_else(|_| PG2_DEFAULT.to_owned())
}

/// `url` with its database replaced by `db`.
pub fn url_on(url: &str, db: &str) -> String {
    let (server, _) = url.rsplit_once('/').unwrap();
    format!("{server}/{db}")
}

/// A two-connection pool on `url` (an admin URL, usually), without statement logging.
pub async fn pool_on(url: &str) -> DatabaseConnection {
    let mut options = ConnectOptions::new(url.to_owned());
    options.max_connections(4).sqlx_logging(false);
    Database::connect(options).await.unwrap()
}

/// The first column of the one row a PostgreSQL query on `conn` returns.
pub async fn scalar<T: sea_orm::TryGetable>(conn: &impl ConnectionTrait, sql: &str) -> T {
    conn.query_one_raw(Statement::from_string(DbBackend::Postgres, sql.to_owned()))
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("no row: {sql}"))
        .try_get_by_index(0)
        .unwrap()
}

/// Both PostgreSQL servers as tenant-database servers: `one` (the first) and `two` (the
/// second), with their admin URLs.
pub fn both_servers() -> tenantry::placement::Servers {
    tenantry::placement::Servers::new()
        .with("one", &pg_admin_url())
        .unwrap()
        .with("two", &pg2_admin_url())
        .unwrap()
}

/// The admin URL `admin` with its user replaced by `user` and its database by `db`.
pub fn url_as(admin: &str, user: &str, db: &str) -> String {
    let (scheme, rest) = admin.split_once("://").unwrap();
    let host = rest.rsplit_once('@').map_or(rest, |(_, h)| h);
    let host = host.split('/').next().unwrap();
    format!("{scheme}://{user}@{host}/{db}")
}

/// Both servers as the app reaches them: `one` and `two`, logging in as `role`.
pub fn app_servers(role: &str) -> tenantry::placement::Servers {
    tenantry::placement::Servers::new()
        .with("one", &url_as(&pg_admin_url(), role, "postgres"))
        .unwrap()
        .with("two", &url_as(&pg2_admin_url(), role, "postgres"))
        .unwrap()
}

/// A customer named `name` (a unique email under `tenant`'s domain) with one open order of
/// `quantity` × `product` at 1.50, written through `txn` (a tenant transaction fills the
/// tenant column); returns the customer and the order.
pub async fn customer_with_order(
    txn: &impl ConnectionTrait,
    tenant: uuid::Uuid,
    name: &str,
    product: i32,
    quantity: i32,
) -> (entity::customers::Model, entity::orders::Model) {
    use sea_orm::{ActiveModelTrait, Set};
    let customer = entity::customers::ActiveModel {
        name: Set(name.to_owned()),
        email: Set(format!("{name}-{}@{tenant}.test", uuid::Uuid::new_v4())),
        ..Default::default()
    }
    .insert(txn)
    .await
    .unwrap();
    let order = entity::orders::ActiveModel {
        customer_id: Set(customer.id),
        status: Set("open".into()),
        total: Set(rust_decimal::Decimal::new(1500, 2)),
        ..Default::default()
    }
    .insert(txn)
    .await
    .unwrap();
    entity::order_items::ActiveModel {
        order_id: Set(order.id),
        product_id: Set(product),
        quantity: Set(quantity),
        unit_price: Set(rust_decimal::Decimal::new(150, 2)),
        ..Default::default()
    }
    .insert(txn)
    .await
    .unwrap();
    (customer, order)
}

/// Helpers of the fault suites: a table of marked rows, what was stored, the app role's
/// sessions, the second server's cluster.
pub mod faults {
    use std::collections::HashMap;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::time::Duration;

    use sea_orm::{ConnectionTrait, DbBackend, DbErr, Statement};

    use super::TestDb;

    fn pg(sql: impl Into<String>) -> Statement {
        Statement::from_string(DbBackend::Postgres, sql.into())
    }

    /// Creates `marks (id, tenant_id, marker, half)`, which the app role may read and write.
    pub async fn marks_table(db: &TestDb) {
        db.owner_exec(
            "CREATE TABLE marks (id bigserial PRIMARY KEY, tenant_id uuid NOT NULL, \
             marker bigint NOT NULL, half int NOT NULL)",
        )
        .await;
        db.owner_exec(&format!(
            "GRANT SELECT, INSERT ON marks TO \"{0}\"; GRANT USAGE ON SEQUENCE marks_id_seq TO \"{0}\"",
            db.app_role
        ))
        .await;
    }

    /// The stored transactions of `marks`: marker → tenant, asserting that each has exactly
    /// `halves` rows with `half` 0 and 1 (nothing applied by halves), all under one tenant,
    /// and no row with `half` 9 (a rolled-back savepoint's).
    pub async fn stored_marks(db: &TestDb, halves: i64) -> HashMap<i64, String> {
        let rows = db
            .admin
            .query_all_raw(pg(
                "SELECT marker, count(*) FILTER (WHERE half IN (0, 1)) AS n, \
                   count(*) FILTER (WHERE half = 9) AS savepoint, \
                   min(tenant_id::text) AS t, max(tenant_id::text) AS u \
                 FROM marks GROUP BY marker",
            ))
            .await
            .unwrap();
        let mut stored = HashMap::new();
        for r in &rows {
            let marker: i64 = r.try_get("", "marker").unwrap();
            let n: i64 = r.try_get("", "n").unwrap();
            let savepoint: i64 = r.try_get("", "savepoint").unwrap();
            let (t, u): (String, String) =
                (r.try_get("", "t").unwrap(), r.try_get("", "u").unwrap());
            assert_eq!(n, halves, "marker {marker}: half a transaction");
            assert_eq!(
                savepoint, 0,
                "marker {marker}: a rolled-back savepoint's row stayed"
            );
            assert_eq!(t, u, "marker {marker}: rows under two tenants");
            stored.insert(marker, t);
        }
        stored
    }

    /// Asserts that every `(marker, tenant)` acknowledged is stored under that tenant.
    pub fn assert_acknowledged(stored: &HashMap<i64, String>, acknowledged: &[(i64, uuid::Uuid)]) {
        for (marker, tenant) in acknowledged {
            assert_eq!(
                stored.get(marker),
                Some(&tenant.to_string()),
                "marker {marker}: acknowledged, then missing"
            );
        }
    }

    /// Sessions of the app role on the test database (`state` a `LIKE` pattern, `%` for all).
    pub async fn app_sessions(db: &TestDb, state: &str) -> i64 {
        super::scalar(
            &db.admin,
            &format!(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = '{}' AND usename = '{}' \
                 AND coalesce(state, '') LIKE '{state}'",
                db.name, db.app_role
            ),
        )
        .await
    }

    /// Waits (up to 10 s) until no session of the app role is inside a transaction.
    pub async fn nothing_left_open(db: &TestDb) {
        let started = std::time::Instant::now();
        loop {
            let open = app_sessions(db, "idle in transaction%").await;
            if open == 0 {
                return;
            }
            assert!(
                started.elapsed() < std::time::Duration::from_secs(10),
                "{open} left in a transaction"
            );
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    }

    /// What one worker of a fault test saw: the rounds acknowledged, how many failed.
    pub struct Tally {
        /// The rounds whose commit returned `Ok`.
        pub acknowledged: Vec<i64>,
        /// The rounds that failed.
        pub failed: usize,
    }

    /// One worker of a fault test: runs round `work(0)`, `work(1)`, … — each a tenant
    /// transaction, which must end (either way) within 20 s — pausing `pause` between rounds,
    /// until `recovered` is set and five rounds have been acknowledged since.
    pub async fn until_recovered<F, Fut>(
        worker: usize,
        recovered: &AtomicBool,
        pause: Duration,
        mut work: F,
    ) -> Tally
    where
        F: FnMut(i64) -> Fut,
        Fut: Future<Output = Result<(), DbErr>>,
    {
        let mut tally = Tally {
            acknowledged: Vec::new(),
            failed: 0,
        };
        let mut after = 0;
        for round in 0.. {
            match tokio::time::timeout(Duration::from_secs(20), work(round)).await {
                Ok(Ok(())) => {
                    tally.acknowledged.push(round);
                    if recovered.load(Ordering::Relaxed) {
                        after += 1;
                    }
                }
                Ok(Err(_)) => tally.failed += 1,
                Err(_) => panic!("worker {worker}: a transaction hung past 20 s"),
            }
            if recovered.load(Ordering::Relaxed) && after >= 5 {
                break;
            }
            tokio::time::sleep(pause).await;
        }
        tally
    }

    /// Runs `pg_ctlcluster … tenants ACTION` on the second server's cluster (`stop` and
    /// `restart` in fast mode).
    pub fn second_cluster(action: &str) {
        let version = std::fs::read_dir("/etc/postgresql")
            .unwrap()
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .max_by_key(|v| v.parse::<u32>().unwrap_or(0))
            .unwrap();
        let mut args = vec![
            "--skip-systemctl-redirect",
            version.as_str(),
            "tenants",
            action,
        ];
        if action != "start" {
            args.extend(["-m", "fast"]);
        }
        let status = std::process::Command::new("pg_ctlcluster")
            .args(&args)
            .status()
            .unwrap();
        assert!(status.success(), "pg_ctlcluster {action} failed");
    }
}

/// Holds every connection of `pool` (of `size`, PostgreSQL) at once and asserts that none is
/// inside a transaction or carries a tenant setting (`setting`); first shows on one
/// connection that the check sees an open transaction.
pub async fn assert_pool_clean(pool: &DatabaseConnection, size: u32, setting: &str) {
    use sea_orm::sqlx::{Row, raw_sql};
    // A simple query: outside a transaction its implicit one starts with it, so now() equals
    // statement_timestamp(); inside an open one, now() is that one's start.
    let probe = format!(
        "SELECT coalesce(current_setting('{setting}', true), ''), now() <> statement_timestamp()"
    );
    let sqlx_pool = pool.get_postgres_connection_pool();
    {
        let mut conn = sqlx_pool.acquire().await.unwrap();
        raw_sql("BEGIN; SELECT 1")
            .execute(&mut *conn)
            .await
            .unwrap();
        let row = raw_sql(sea_orm::sqlx::AssertSqlSafe(probe.clone()))
            .fetch_one(&mut *conn)
            .await
            .unwrap();
        assert!(
            row.get::<bool, _>(1),
            "the check must see an open transaction"
        );
        raw_sql("ROLLBACK").execute(&mut *conn).await.unwrap();
    }
    let mut held = Vec::new();
    for _ in 0..size {
        held.push(sqlx_pool.acquire().await.unwrap());
    }
    for conn in &mut held {
        let row = raw_sql(sea_orm::sqlx::AssertSqlSafe(probe.clone()))
            .fetch_one(&mut **conn)
            .await
            .unwrap();
        let (tenant, in_txn): (String, bool) = (row.get(0), row.get(1));
        assert_eq!(tenant, "", "a pooled connection carries a tenant");
        assert!(!in_txn, "a pooled connection is inside a transaction");
    }
}

/// The MySQL admin URL in use.
pub fn mysql_admin_url() -> String {
    std::env::var(MYSQL_URL_VAR).unwrap_or_else(|_| MYSQL_DEFAULT.to_owned())
}

/// A fresh test database.
pub struct TestDb {
    /// Which backend.
    pub backend: DbBackend,
    /// Connection as the owner of the database's objects (runs migrations).
    pub owner: DatabaseConnection,
    /// Connection as the app role: not superuser, no BYPASSRLS, owns nothing.
    pub app: DatabaseConnection,
    /// Connection that sees every row (PostgreSQL: the superuser, which bypasses RLS even
    /// where it is forced on the owner). For checking what really is in the tables.
    pub admin: DatabaseConnection,
    /// The database name (`:memory:` for SQLite).
    pub name: String,
    /// The app role's name.
    pub app_role: String,
    /// The owner role's name.
    pub owner_role: String,
    /// URL connecting as the owner.
    pub owner_url: String,
    /// URL connecting as the app role.
    pub app_url: String,
    /// Dropped after the connections above.
    _cleanup: Guard,
}

/// Drops what a [`TestDb`] made when the `TestDb` is dropped — or when making the rest of it
/// fails half-way.
struct Guard(Option<Cleanup>);

/// What a [`TestDb`] made.
enum Cleanup {
    Sqlite {
        path: std::path::PathBuf,
    },
    Postgres {
        admin_url: String,
        db: String,
        roles: Vec<String>,
    },
    MySql {
        admin_url: String,
        db: String,
        user: String,
    },
}

fn unique_name(prefix: &str) -> String {
    static SEQ: AtomicU32 = AtomicU32::new(0);
    let n = SEQ.fetch_add(1, Ordering::Relaxed);
    let rand = uuid::Uuid::new_v4().simple().to_string();
    format!("{prefix}_{}_{}_{n}", std::process::id(), &rand[..8])
}

/// Replaces the user/password and database of a URL.
fn with_user_and_db(url: &str, user: &str, db: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("postgres", url));
    let host_part = rest.rsplit_once('@').map_or(rest, |(_, h)| h);
    let host = host_part.split('/').next().unwrap_or(host_part);
    format!("{scheme}://{user}@{host}/{db}")
}

async fn connect(url: &str, var: &str) -> DatabaseConnection {
    let mut opts = ConnectOptions::new(url.to_owned());
    opts.max_connections(8)
        .min_connections(0)
        .sqlx_logging(false)
        .connect_timeout(std::time::Duration::from_secs(10));
    match Database::connect(opts).await {
        Ok(db) => db,
        Err(e) => panic!(
            "cannot connect to {url}: {e}\n\
             The integration tests need this server; start it or set {var} to a reachable one."
        ),
    }
}

async fn exec(db: &DatabaseConnection, sql: &str) {
    if let Err(e) = db.execute_unprepared(sql).await {
        panic!("test setup statement failed: {sql}\n{e}");
    }
}

impl TestDb {
    /// A fresh PostgreSQL database owned by a fresh `NOSUPERUSER` owner role, with a
    /// `NOSUPERUSER NOBYPASSRLS NOINHERIT` app role that may connect and use `public`.
    pub async fn postgres() -> TestDb {
        Self::postgres_at(pg_admin_url(), PG_URL_VAR).await
    }

    /// [`postgres`](Self::postgres) on the second PostgreSQL server.
    pub async fn postgres_second_server() -> TestDb {
        Self::postgres_at(pg2_admin_url(), PG2_URL_VAR).await
    }

    async fn postgres_at(admin_url: String, var: &str) -> TestDb {
        let admin = connect(&admin_url, var).await;
        let name = unique_name("tt");
        let owner_role = format!("{name}_owner");
        let app_role = format!("{name}_app");
        let cleanup = Guard(Some(Cleanup::Postgres {
            admin_url: admin_url.clone(),
            db: name.clone(),
            roles: vec![app_role.clone(), owner_role.clone()],
        }));
        exec(
            &admin,
            &format!(
                "CREATE ROLE \"{owner_role}\" LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE"
            ),
        )
        .await;
        exec(&admin, &format!("CREATE ROLE \"{app_role}\" LOGIN NOSUPERUSER NOBYPASSRLS NOINHERIT NOCREATEDB NOCREATEROLE")).await;
        exec(
            &admin,
            &format!("CREATE DATABASE \"{name}\" OWNER \"{owner_role}\""),
        )
        .await;
        admin.close().await.ok();
        // As superuser inside the new database: hand `public` to the owner, let the app in.
        let super_db = connect(
            &with_user_and_db(&admin_url, &user_of(&admin_url), &name),
            var,
        )
        .await;
        exec(
            &super_db,
            &format!("ALTER SCHEMA public OWNER TO \"{owner_role}\""),
        )
        .await;
        exec(
            &super_db,
            &format!("REVOKE ALL ON DATABASE \"{name}\" FROM PUBLIC"),
        )
        .await;
        exec(
            &super_db,
            &format!("GRANT CONNECT ON DATABASE \"{name}\" TO \"{app_role}\""),
        )
        .await;
        exec(
            &super_db,
            &format!("GRANT USAGE ON SCHEMA public TO \"{app_role}\""),
        )
        .await;
        let owner_url = with_user_and_db(&admin_url, &owner_role, &name);
        let app_url = with_user_and_db(&admin_url, &app_role, &name);
        let owner = connect(&owner_url, var).await;
        let app = connect(&app_url, var).await;
        TestDb {
            backend: DbBackend::Postgres,
            owner,
            app,
            admin: super_db,
            name,
            app_role,
            owner_role,
            owner_url,
            app_url,
            _cleanup: cleanup,
        }
    }

    /// A fresh MariaDB/MySQL database; the owner connection is the admin user, the app user
    /// has SELECT/INSERT/UPDATE/DELETE on the database only.
    pub async fn mysql() -> TestDb {
        let admin_url = mysql_admin_url();
        let admin = connect(&admin_url, MYSQL_URL_VAR).await;
        let name = unique_name("tt");
        // MySQL user names are limited to 32 characters.
        let app_role = format!("a{}", &name[name.len().saturating_sub(20)..]).replace('_', "");
        let cleanup = Guard(Some(Cleanup::MySql {
            admin_url: admin_url.clone(),
            db: name.clone(),
            user: app_role.clone(),
        }));
        exec(&admin, &format!("CREATE DATABASE `{name}`")).await;
        exec(&admin, &format!("CREATE USER '{app_role}'@'%'")).await;
        exec(&admin, &format!("CREATE USER '{app_role}'@'localhost'")).await;
        for host in ["%", "localhost"] {
            exec(
                &admin,
                &format!(
                    "GRANT SELECT, INSERT, UPDATE, DELETE ON `{name}`.* TO '{app_role}'@'{host}'"
                ),
            )
            .await;
        }
        admin.close().await.ok();
        let owner_user = user_of(&admin_url);
        let owner_url = with_user_and_db(&admin_url, &owner_user, &name);
        let app_url = with_user_and_db(&admin_url, &app_role, &name);
        let owner = connect(&owner_url, MYSQL_URL_VAR).await;
        let app = connect(&app_url, MYSQL_URL_VAR).await;
        TestDb {
            backend: DbBackend::MySql,
            admin: owner.clone(),
            owner,
            app,
            name: name.clone(),
            app_role: app_role.clone(),
            owner_role: owner_user,
            owner_url,
            app_url,
            _cleanup: cleanup,
        }
    }

    /// A fresh SQLite database in a temporary file (WAL, so a reader on another connection
    /// sees committed rows while a transaction is open). SQLite has no roles: `owner`, `app`
    /// and `admin` are connections to the same file.
    pub async fn sqlite() -> TestDb {
        let name = unique_name("tt");
        let path = std::env::temp_dir().join(format!("{name}.sqlite"));
        let url = format!("sqlite://{}?mode=rwc", path.display());
        let owner = connect(&url, "TMPDIR").await;
        let app = owner.clone();
        TestDb {
            backend: DbBackend::Sqlite,
            admin: owner.clone(),
            owner,
            app,
            name,
            app_role: String::new(),
            owner_role: String::new(),
            owner_url: url.clone(),
            app_url: url,
            _cleanup: Guard(Some(Cleanup::Sqlite { path })),
        }
    }

    /// One database of each backend (PostgreSQL, MySQL, SQLite).
    pub async fn all() -> Vec<TestDb> {
        vec![
            Self::postgres().await,
            Self::mysql().await,
            Self::sqlite().await,
        ]
    }

    /// Runs the reference migrations as the owner and grants the app role what it needs.
    pub async fn migrate(&self) {
        migration::Migrator::up(&self.owner, None).await.unwrap();
        if self.backend == DbBackend::Postgres {
            let role = &self.app_role;
            exec(&self.owner, &format!("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO \"{role}\"")).await;
            exec(
                &self.owner,
                &format!("GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO \"{role}\""),
            )
            .await;
        }
    }

    /// `n` new tenants in the reference `tenants` table (names and slugs `t0`, `t1`, …).
    pub async fn add_tenants(&self, n: usize) -> Vec<uuid::Uuid> {
        let ids: Vec<uuid::Uuid> = (0..n).map(|_| uuid::Uuid::new_v4()).collect();
        let values: Vec<String> = ids
            .iter()
            .enumerate()
            .map(|(i, t)| format!("('{t}', 't{i}', 't{i}')"))
            .collect();
        self.owner_exec(&format!(
            "INSERT INTO tenants (id, name, slug) VALUES {}",
            values.join(", ")
        ))
        .await;
        ids
    }

    /// The reference app's provisioner on this database (its tenant migrations, reference
    /// tables and app role), with `servers` for database placements.
    pub async fn provisioner(
        &self,
        servers: tenantry::placement::Servers,
    ) -> tenantry_migration::Provisioner {
        tenantry_migration::Provisioner::builder::<
            migration::TenantMigrator,
            migration::TenantDatabaseMigrator,
        >()
        .reference_tables(&migration::REFERENCE_TABLES)
        .app_role(self.app_role.clone())
        .connect(&self.owner_url, servers)
        .await
        .unwrap()
    }

    /// Runs SQL as the owner, panicking with the statement on failure.
    pub async fn owner_exec(&self, sql: &str) {
        exec(&self.owner, sql).await;
    }
}

/// Runs `work` to completion on a fresh thread with its own runtime: for cleanup in `Drop`,
/// which cannot await while the test's runtime is blocked in it. Panics with `what` if the
/// work panicked (unless the thread is already panicking).
pub(crate) fn on_fresh_runtime(what: &str, work: impl Future<Output = ()> + Send + 'static) {
    let handle = std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(work);
    });
    if handle.join().is_err() && !std::thread::panicking() {
        panic!("{what}");
    }
}

fn user_of(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    match rest.rsplit_once('@') {
        Some((cred, _)) => cred.split(':').next().unwrap_or(cred).to_owned(),
        None => "postgres".to_owned(),
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        let Some(cleanup) = self.0.take() else {
            return;
        };
        if let Cleanup::Sqlite { path } = &cleanup {
            for suffix in ["", "-wal", "-shm"] {
                let mut file = path.clone().into_os_string();
                file.push(suffix);
                let _ = std::fs::remove_file(file);
            }
            return;
        }
        // Drop cannot await, and the test's runtime is blocked here: do the work on a fresh
        // thread and runtime with its own admin connection. The test's pools are left alone
        // (closing them would need the blocked runtime); `WITH (FORCE)` ends their sessions.
        on_fresh_runtime("dropping the test database failed", async move {
            match cleanup {
                Cleanup::Sqlite { .. } => {}
                Cleanup::Postgres {
                    admin_url,
                    db,
                    roles,
                } => {
                    let admin = connect(&admin_url, PG_URL_VAR).await;
                    exec(
                        &admin,
                        &format!("DROP DATABASE IF EXISTS \"{db}\" WITH (FORCE)"),
                    )
                    .await;
                    for role in roles {
                        exec(&admin, &format!("DROP ROLE IF EXISTS \"{role}\"")).await;
                    }
                    admin.close().await.ok();
                }
                Cleanup::MySql {
                    admin_url,
                    db,
                    user,
                } => {
                    let admin = connect(&admin_url, MYSQL_URL_VAR).await;
                    // Sessions left in a transaction (a test that panicked mid-way) hold
                    // metadata locks that DROP DATABASE would wait for: end them first.
                    let ids = admin
                            .query_all_raw(Statement::from_sql_and_values(
                                DbBackend::MySql,
                                "SELECT id FROM information_schema.processlist WHERE db = ? AND id <> CONNECTION_ID()",
                                [db.clone().into()],
                            ))
                            .await
                            .unwrap_or_default();
                    for row in ids {
                        if let Ok(id) = row.try_get_by_index::<u64>(0) {
                            let _ = admin.execute_unprepared(&format!("KILL {id}")).await;
                        }
                    }
                    exec(&admin, &format!("DROP DATABASE IF EXISTS `{db}`")).await;
                    exec(&admin, &format!("DROP USER IF EXISTS '{user}'@'%'")).await;
                    exec(&admin, &format!("DROP USER IF EXISTS '{user}'@'localhost'")).await;
                    admin.close().await.ok();
                }
            }
        });
    }
}

/// The workspace README's Rust examples, compiled as doctests of this crate so that the README
/// cannot drift from the API.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;

/// The Rust examples of the `tenantry` crate's README.
#[cfg(doctest)]
#[doc = include_str!("../../crates/tenantry/README.md")]
pub struct TenantryReadmeDoctests;

/// The Rust examples of the `tenantry-migration` crate's README.
#[cfg(doctest)]
#[doc = include_str!("../../crates/tenantry-migration/README.md")]
pub struct TenantryMigrationReadmeDoctests;

/// The Rust examples of the `tenantry-macros` crate's README.
#[cfg(doctest)]
#[doc = include_str!("../../crates/tenantry-macros/README.md")]
pub struct TenantryMacrosReadmeDoctests;
