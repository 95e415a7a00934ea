//! tenantry in two minutes: two tenants share one database and never see each other.
//!
//! `cargo run -p quickstart` uses an in-memory SQLite database. With
//! `DATABASE_URL=postgres://…` it also installs Row-Level Security and shows the database
//! itself refusing a statement that bypasses the app layer. Then it shows placements: three
//! more tenants, one in the shared tables, one in a schema of its own, one in a database of
//! its own, provisioned with the reference app's migrations, run by the same code through one
//! `TenantDatabase`, and counted where their rows physically are. (Placements other than
//! shared need PostgreSQL.)
//!
//! - The tenant database goes on the first server of `TENANTRY_SERVERS` (`name=url,…`) when it
//!   is set, otherwise on the control database's own server: the `DATABASE_URL` server, in a
//!   database of its own.
//! - The `DATABASE_URL` role provisions, so it must be allowed to create schemas and
//!   databases (and, on a `TENANTRY_SERVERS` server, the app role). The app connects with the
//!   same credentials but runs as the non-superuser role `tenantry_quickstart_app`
//!   (`options=-c role=…`), so Row-Level Security binds it in every placement.
//! - Names are unique per run, and what the run provisions is dropped at its end, after a
//!   failure too: the tenants (`drop_tenant(…, "quickstart done", force)`: the shared tenant's
//!   rows, the schema, the database), their `tenants` rows, and the app role on a tenant
//!   server where the provisioner had to create it.
#![allow(clippy::print_stdout)]

use std::sync::Arc;

use anyhow::{Context, Result, bail};
use entity::{customers, orders, tenants};
use migration::{Migrator, MigratorTrait};
use rust_decimal::Decimal;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, Database, DatabaseConnection, DbBackend,
    EntityTrait, PaginatorTrait, QueryFilter, QueryTrait, Set, Statement, TransactionTrait,
};
use tenantry::placement::{Placement, SERVERS_ENV, Servers, TableDirectory};
use tenantry::sql::quote_ident;
use tenantry::{Error, TenantDatabase, TenantId};
use tenantry_migration::Provisioner;
use uuid::Uuid;

/// The non-superuser role the app's statements run as on PostgreSQL.
const APP_ROLE: &str = "tenantry_quickstart_app";

#[tokio::main]
async fn main() -> Result<()> {
    let url = std::env::var("DATABASE_URL").unwrap_or_else(|_| "sqlite::memory:".to_owned());
    let db = connect(&url).await?;
    let backend = db.get_database_backend();
    if backend == DbBackend::Postgres {
        // Checked before anything runs, so a bad TENANTRY_SERVERS fails first.
        Servers::from_env().with_context(|| format!("reading {SERVERS_ENV}"))?;
    }
    println!("tenantry quickstart on {}", backend_name(backend));

    Migrator::up(&db, None)
        .await
        .context("running the reference migrations")?;
    let (acme, globex) = (Uuid::new_v4(), Uuid::new_v4());
    for (id, name) in [(acme, "Acme"), (globex, "Globex")] {
        add_tenant(&db, id, name).await?;
    }
    println!("tenants: Acme {acme}\n         Globex {globex}");

    // The app layer: every statement through `txn` is rewritten for its tenant.
    let tdb = TenantDatabase::new(db.clone());
    for (tenant, name, totals) in [(acme, "Alice", &[10, 20][..]), (globex, "Bob", &[99][..])] {
        take_orders(&tdb, tenant, name, totals).await?;
    }

    println!("\nEach tenant sees only its own orders:");
    for (label, tenant) in [("Acme", acme), ("Globex", globex)] {
        let txn = tdb.begin(tenant).await?;
        let mine = orders::Entity::find().all(&txn).await?;
        let totals: Vec<String> = mine.iter().map(|o| o.total.to_string()).collect();
        println!(
            "  {label:<7} {} orders, totals [{}]",
            mine.len(),
            totals.join(", ")
        );
        assert!(mine.iter().all(|o| o.tenant_id == tenant));
        txn.commit().await?;
    }

    let sql = orders::Entity::find_by_id(1).build(backend).to_string();
    let scoped = tdb.rewriter().rewrite(
        orders::Entity::find_by_id(1).build(backend),
        &TenantId::from(acme),
    )?;
    println!("\nThe SQL SeaORM built:  {sql}");
    println!("What tenantry ran:     {}", scoped.statement.sql);

    println!("\nA cross-tenant write is refused:");
    let txn = tdb.begin(acme).await?;
    let attempt = orders::ActiveModel {
        tenant_id: Set(globex),
        customer_id: Set(1),
        status: Set("open".to_owned()),
        total: Set(Decimal::ONE),
        ..Default::default()
    }
    .insert(&txn)
    .await;
    match attempt {
        Err(e) if matches!(Error::from_db_err(&e), Some(Error::CrossTenantWrite { .. })) => {
            println!(
                "  refused: {}",
                Error::from_db_err(&e)
                    .map(ToString::to_string)
                    .unwrap_or_default()
            );
        }
        Err(e) => bail!("unexpected error: {e}"),
        Ok(_) => bail!("a write for another tenant went through"),
    }
    txn.rollback().await?;

    if backend == DbBackend::Postgres {
        database_layer(&db, acme, globex).await?;
        placements(&db, &url).await?;
        // Leave the database as it was found: Acme's and Globex's rows go again, through
        // their own tenant transactions (scoped, and allowed by the policies).
        for tenant in [acme, globex] {
            let txn = tdb.begin(tenant).await?;
            orders::Entity::delete_many().exec(&txn).await?;
            customers::Entity::delete_many().exec(&txn).await?;
            txn.commit().await?;
        }
        tenants::Entity::delete_many()
            .filter(tenants::Column::Id.is_in([acme, globex]))
            .exec(&db)
            .await?;
        println!("\nAcme's and Globex's rows removed again: the database is as it was.");
    } else {
        println!(
            "\n{} has no Row-Level Security: the app layer is the only wall here.",
            backend_name(backend)
        );
        println!("Run with DATABASE_URL=postgres://… to see the database layer too.");
        println!(
            "Schema and database placements (a tenant's rows in a schema or a database of its own) need PostgreSQL too: DATABASE_URL=postgres://…"
        );
    }
    Ok(())
}

/// A row in `tenants`, the reference table the scoped tables' foreign keys point at.
async fn add_tenant(db: &DatabaseConnection, id: Uuid, name: &str) -> Result<()> {
    tenants::ActiveModel {
        id: Set(id),
        name: Set(name.to_owned()),
        slug: Set(format!(
            "{}-{}",
            name.to_lowercase(),
            &id.simple().to_string()[..8]
        )),
    }
    .insert(db)
    .await
    .with_context(|| format!("adding tenant {name}"))?;
    Ok(())
}

/// The app's code: a customer and their orders, for whichever tenant, wherever its rows are.
async fn take_orders(tdb: &TenantDatabase, tenant: Uuid, name: &str, totals: &[i64]) -> Result<()> {
    let txn = tdb.begin(tenant).await?;
    let customer = customers::ActiveModel {
        name: Set(name.to_owned()),
        email: Set(format!("{}@example.com", name.to_lowercase())),
        ..Default::default() // tenant_id: filled by tenantry
    }
    .insert(&txn)
    .await?;
    for total in totals {
        orders::ActiveModel {
            customer_id: Set(customer.id),
            status: Set("open".to_owned()),
            total: Set(Decimal::from(*total)),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
    }
    txn.commit().await?;
    Ok(())
}

/// PostgreSQL: statements that bypass tenantry entirely, run as the non-superuser app role,
/// still see one tenant only — or nothing.
async fn database_layer(db: &DatabaseConnection, acme: Uuid, globex: Uuid) -> Result<()> {
    let role = APP_ROLE;
    db.execute_unprepared(&format!(
        "DO $$ BEGIN
           IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{role}') THEN
             CREATE ROLE {role} NOLOGIN NOSUPERUSER NOBYPASSRLS NOINHERIT;
           END IF;
         END $$;
         GRANT SELECT, INSERT, UPDATE, DELETE ON customers, orders, order_items TO {role};"
    ))
    .await?;
    println!("\nThe database layer (RLS, FORCE) — raw SQL as role {role}, no rewriter:");
    let raw = |sql: &str| Statement::from_string(DbBackend::Postgres, sql.to_owned());
    let count = |rows: Vec<sea_orm::QueryResult>| -> Result<i64> {
        Ok(rows.first().context("no row")?.try_get_by_index::<i64>(0)?)
    };
    let mut seen = Vec::new();
    for (label, context) in [("no tenant set", None), ("tenant = Acme", Some(acme))] {
        let txn = db.begin().await?;
        txn.execute_unprepared(&format!("SET LOCAL ROLE {role}"))
            .await?;
        if let Some(t) = context {
            txn.execute_raw(Statement::from_sql_and_values(
                DbBackend::Postgres,
                "SELECT set_config('tenantry.tenant_id', $1, true)",
                [t.to_string().into()],
            ))
            .await?;
        }
        let n = count(
            txn.query_all_raw(raw("SELECT count(*) FROM orders"))
                .await?,
        )?;
        println!("  {label:<14} SELECT count(*) FROM orders  -> {n}");
        seen.push(n);
        txn.rollback().await?;
    }
    let txn = db.begin().await?;
    txn.execute_unprepared(&format!("SET LOCAL ROLE {role}"))
        .await?;
    txn.execute_unprepared(&format!(
        "SELECT set_config('tenantry.tenant_id', '{acme}', true)"
    ))
    .await?;
    let sql = format!(
        "INSERT INTO customers (tenant_id, name, email) VALUES ('{globex}', 'Mallory', 'm@example.com')"
    );
    match txn.execute_unprepared(&sql).await {
        Err(e) => println!("  as Acme, INSERT a Globex customer -> refused by PostgreSQL: {e}"),
        Ok(_) => bail!("RLS let a cross-tenant insert through"),
    }
    txn.rollback().await?;
    if seen.first() != Some(&0) {
        bail!(
            "without a tenant the app role saw {:?} rows; is RLS installed?",
            seen.first()
        );
    }
    // The DATABASE_URL connection itself, no SET ROLE. FORCE binds the tables' owner too: only
    // a superuser or a BYPASSRLS role counts every tenant's rows.
    let (user, kind) = role_of(db).await?;
    let total = orders::Entity::find().count(db).await?;
    match kind {
        Some(kind) => println!(
            "  ({user}, the DATABASE_URL role, is {kind}, so RLS does not bind it: it counts {total} orders in all)"
        ),
        None => println!(
            "  ({user}, the DATABASE_URL role, is bound by RLS even as the tables' owner (FORCE): it counts {total} orders with no tenant set)"
        ),
    }
    Ok(())
}

/// Where the tenant database goes: a server's name, and the servers as the provisioner (and
/// the row counts) reach them.
struct TenantServer {
    name: String,
    servers: Servers,
    origin: &'static str,
}

impl TenantServer {
    /// The first server of `TENANTRY_SERVERS`, else the control database's own server.
    fn choose(control_url: &str) -> Result<Self> {
        let servers = Servers::from_env().with_context(|| format!("reading {SERVERS_ENV}"))?;
        let spec = std::env::var(SERVERS_ENV).unwrap_or_default();
        let first = spec
            .split(',')
            .map(str::trim)
            .find(|item| !item.is_empty())
            .and_then(|item| item.split_once('='))
            .map(|(name, _)| name.trim().to_owned());
        if let Some(name) = first {
            return Ok(Self {
                name,
                servers,
                origin: "the first server in TENANTRY_SERVERS",
            });
        }
        let name = "local".to_owned();
        let servers = Servers::new().with(&name, control_url).with_context(|| {
            format!(
                "using the DATABASE_URL server for the tenant database \
                     ({SERVERS_ENV}=name=postgres://… names another)"
            )
        })?;
        Ok(Self {
            name,
            servers,
            origin: "the control database's own server; TENANTRY_SERVERS=name=url,… picks another",
        })
    }

    fn url(&self) -> Result<String> {
        Ok(self.servers.url(&self.name)?)
    }

    fn database_url(&self, database: &str) -> Result<String> {
        Ok(self.servers.database_url(&self.name, database)?)
    }

    /// The server as the app reaches it: the same URL, its sessions running as the app role.
    fn for_app(&self) -> Result<Servers> {
        Ok(Servers::new().with(&self.name, &as_app_role(&self.url()?))?)
    }
}

/// `url` with its sessions running as [`APP_ROLE`]: a `role` startup setting, which (as
/// `SET ROLE`) needs the URL's user to be a member of the role.
fn as_app_role(url: &str) -> String {
    let sep = if url.contains('?') { '&' } else { '?' };
    format!("{url}{sep}options=-c%20role%3D{APP_ROLE}")
}

/// The `host:port` of a URL, never its credentials.
fn host_of(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let authority = rest.split(['/', '?']).next().unwrap_or(rest);
    authority
        .rsplit_once('@')
        .map_or(authority, |(_, host)| host)
}

/// A tenant of the placement demonstration, and what the app does for it.
struct Placed {
    name: &'static str,
    id: Uuid,
    placement: Placement,
    customer: &'static str,
    totals: &'static [i64],
}

/// What a run provisioned, to be removed again.
#[derive(Default)]
struct Made {
    /// Tenants with a row in `tenants`.
    registered: Vec<Uuid>,
    /// Tenants the provisioner created.
    created: Vec<Uuid>,
}

/// PostgreSQL: three tenants in the three placements, the same code for each, where their
/// rows are, and everything dropped again.
async fn placements(db: &DatabaseConnection, url: &str) -> Result<()> {
    let server = TenantServer::choose(url)?;
    println!("\nPlacements: three tenants, the same code, their rows in three places.");
    println!(
        "  The tenant database goes on server `{}` ({}): {}.",
        server.name,
        host_of(&server.url()?),
        server.origin
    );
    // The app reads the directory; the provisioner (the DATABASE_URL role) writes it.
    db.execute_unprepared(&format!("GRANT SELECT ON tenantry_tenants TO {APP_ROLE}"))
        .await
        .context("granting the app role the tenant directory")?;
    let provisioner =
        Provisioner::builder::<migration::TenantMigrator, migration::TenantDatabaseMigrator>()
            .reference_tables(&migration::REFERENCE_TABLES)
            .app_role(APP_ROLE)
            .connect(url, server.servers.clone())
            .await
            .context("connecting the provisioner")?;
    let server_admin = connect(&server.url()?)
        .await
        .with_context(|| format!("reaching server `{}` for the tenant database", server.name))?;
    let role_was_there = role_exists(&server_admin).await?;

    let [hooli, initech, umbrella]: [Uuid; 3] = std::array::from_fn(|_| Uuid::new_v4());
    let own = |id: Uuid| format!("tenant_{}", &id.simple().to_string()[..8]);
    let tenants = [
        Placed {
            name: "Hooli",
            id: hooli,
            placement: Placement::Shared,
            customer: "Gavin",
            totals: &[12],
        },
        Placed {
            name: "Initech",
            id: initech,
            placement: Placement::schema(&own(initech))?,
            customer: "Peter",
            totals: &[7, 8],
        },
        Placed {
            name: "Umbrella",
            id: umbrella,
            placement: Placement::database(&server.name, &own(umbrella))?,
            customer: "Jill",
            totals: &[30, 40, 50],
        },
    ];
    let mut made = Made::default();
    let outcome = provision_and_run(db, url, &server, &provisioner, &tenants, &mut made).await;
    let cleaned = clean_up(
        db,
        &provisioner,
        &server,
        &server_admin,
        &tenants,
        &made,
        role_was_there,
    )
    .await;
    let _ = server_admin.close().await;
    match (outcome, cleaned) {
        (Ok(()), cleaned) => cleaned,
        (Err(e), Ok(())) => Err(e),
        (Err(e), Err(cleaning)) => {
            eprintln!("cleaning up failed too: {cleaning:#}");
            Err(e)
        }
    }
}

async fn provision_and_run(
    db: &DatabaseConnection,
    url: &str,
    server: &TenantServer,
    provisioner: &Provisioner,
    tenants: &[Placed],
    made: &mut Made,
) -> Result<()> {
    for t in tenants {
        add_tenant(db, t.id, t.name).await?;
        made.registered.push(t.id);
        provisioner
            .create(t.id, t.placement.clone())
            .await
            .with_context(|| format!("provisioning {} ({})", t.name, t.placement))?;
        made.created.push(t.id);
    }
    println!(
        "  Provisioned with the reference app's own migrations, {APP_ROLE} granted what it needs:"
    );
    for t in tenants {
        println!("    {:<9} {}", t.name, t.placement);
    }

    let app = connect(&as_app_role(url)).await?;
    let tdb = TenantDatabase::new(app.clone()).with_directory(
        Arc::new(TableDirectory::new(app.clone())),
        server.for_app()?,
    );
    println!(
        "\n  The app, as role {APP_ROLE}: one TenantDatabase following the directory, the same code for each tenant:"
    );
    for t in tenants {
        take_orders(&tdb, t.id, t.customer, t.totals).await?;
    }
    for t in tenants {
        let txn = tdb.begin(t.id).await?;
        let (user, _) = role_of(&txn).await?;
        if user != APP_ROLE {
            bail!("{}'s transaction ran as {user}, not as {APP_ROLE}", t.name);
        }
        let customers = customers::Entity::find().count(&txn).await?;
        let mine = orders::Entity::find().all(&txn).await?;
        if mine.iter().any(|o| o.tenant_id != t.id) {
            bail!("{} was shown another tenant's order", t.name);
        }
        let totals: Vec<String> = mine.iter().map(|o| o.total.to_string()).collect();
        println!(
            "    {:<9} on {:<32} customers {customers}, orders {}, totals [{}]",
            t.name,
            txn.placement().to_string(),
            mine.len(),
            totals.join(", ")
        );
        txn.commit().await?;
    }
    drop(tdb); // its tenant database pool
    let _ = app.close().await;

    where_the_rows_are(db, server, tenants).await
}

/// Counts each tenant's rows in each of the three places, with raw SQL on the tables
/// themselves, as the provisioning role.
async fn where_the_rows_are(
    db: &DatabaseConnection,
    server: &TenantServer,
    tenants: &[Placed],
) -> Result<()> {
    let control_db = text(db, "SELECT current_database()::text").await?;
    // Per tenant: its place, the connection to it (None: the control database), the schema.
    let mut places = Vec::new();
    for t in tenants {
        places.push(match &t.placement {
            Placement::Schema { schema } => {
                (format!("in database {control_db}"), None, schema.clone())
            }
            Placement::Database {
                server: name,
                database,
            } => (
                format!("in database {database} on server {name}"),
                Some(connect(&server.database_url(database)?).await?),
                "public".to_owned(),
            ),
            _ => (
                format!("in database {control_db}"),
                None,
                "public".to_owned(),
            ),
        });
    }
    let mut who = vec![describe(role_of(db).await?)];
    for (_, conn, _) in &places {
        if let Some(conn) = conn {
            let other = describe(role_of(conn).await?);
            if !who.contains(&other) {
                who.push(other);
            }
        }
    }
    println!(
        "\n  Where the rows physically are: raw SQL on each place's tables, as {}:",
        who.join(" and ")
    );
    for (i, t) in tenants.iter().enumerate() {
        for (j, (place, conn, schema)) in places.iter().enumerate() {
            let (customers, orders) = rows_of(conn.as_ref().unwrap_or(db), schema, t.id).await?;
            if i == j {
                println!(
                    "    {:<9} {:<9} {schema}.customers {}, {schema}.orders {}, {place}",
                    t.name,
                    t.placement.kind(),
                    rows(customers),
                    rows(orders)
                );
                if customers != 1 || orders != i64::try_from(t.totals.len())? {
                    bail!("{}'s rows are not all in {schema}.* {place}", t.name);
                }
            } else if customers + orders > 0 {
                bail!(
                    "{} has {} and {} in {schema}.* {place}",
                    t.name,
                    rows(customers),
                    rows(orders)
                );
            }
        }
    }
    println!("    and nowhere else: each tenant has 0 rows in the other two places.");
    for (_, conn, _) in places {
        if let Some(conn) = conn {
            let _ = conn.close().await;
        }
    }
    Ok(())
}

/// `1 row`, `2 rows`.
fn rows(n: i64) -> String {
    if n == 1 {
        "1 row".to_owned()
    } else {
        format!("{n} rows")
    }
}

/// `postgres (a superuser: RLS hides nothing)`.
fn describe((user, kind): (String, Option<&'static str>)) -> String {
    match kind {
        Some(kind) => format!("{user} ({kind}: RLS hides nothing)"),
        None => format!("{user} (bound by RLS: each count sets the tenant)"),
    }
}

/// The tenant's customers and orders in `schema` on `conn`. The tenant is set, so the counts
/// are the same for a role Row-Level Security binds; a superuser is not bound and would see
/// any row of the tenant's anyway.
async fn rows_of(conn: &DatabaseConnection, schema: &str, tenant: Uuid) -> Result<(i64, i64)> {
    let txn = conn.begin().await?;
    txn.execute_raw(Statement::from_sql_and_values(
        DbBackend::Postgres,
        "SELECT set_config('tenantry.tenant_id', $1, true)",
        [tenant.to_string().into()],
    ))
    .await?;
    let s = quote_ident(schema);
    let row = txn
        .query_one_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            format!(
                "SELECT (SELECT count(*) FROM {s}.customers WHERE tenant_id = $1), \
                        (SELECT count(*) FROM {s}.orders WHERE tenant_id = $1)"
            ),
            [tenant.into()],
        ))
        .await?
        .context("no row")?;
    let counts = (row.try_get_by_index(0)?, row.try_get_by_index(1)?);
    txn.rollback().await?;
    Ok(counts)
}

/// Drops what the run made and checks nothing is left.
async fn clean_up(
    db: &DatabaseConnection,
    provisioner: &Provisioner,
    server: &TenantServer,
    server_admin: &DatabaseConnection,
    tenants: &[Placed],
    made: &Made,
    role_was_there: bool,
) -> Result<()> {
    println!("\n  Cleaning up: drop_tenant(…, \"quickstart done\", force), then the tenants rows:");
    let mut failed = Vec::new();
    for t in tenants
        .iter()
        .rev()
        .filter(|t| made.created.contains(&t.id))
    {
        match provisioner.drop_tenant(t.id, "quickstart done", true).await {
            Ok(()) => println!(
                "    dropped {:<9} {}",
                t.name,
                match &t.placement {
                    Placement::Schema { schema } => format!("schema {schema} with its tables"),
                    Placement::Database { server, database } =>
                        format!("database {database} on server {server}"),
                    _ => "its rows in the shared tables".to_owned(),
                }
            ),
            Err(e) => failed.push(format!("dropping {}: {e}", t.name)),
        }
    }
    for id in &made.registered {
        if let Err(e) = tenants::Entity::delete_by_id(*id).exec(db).await {
            failed.push(format!("deleting tenant {id}: {e}"));
        }
    }
    if !role_was_there && role_exists(server_admin).await? {
        match server_admin
            .execute_unprepared(&format!("DROP ROLE {}", quote_ident(APP_ROLE)))
            .await
        {
            Ok(_) => println!(
                "    dropped role {APP_ROLE} on server {}: the provisioner had created it there",
                server.name
            ),
            Err(e) => failed.push(format!("dropping role {APP_ROLE} on {}: {e}", server.name)),
        }
    }
    if !failed.is_empty() {
        bail!("cleaning up: {}", failed.join("; "));
    }

    // Nothing left: no directory entries, no schema, no database, no tenants rows.
    let ids: Vec<Uuid> = tenants.iter().map(|t| t.id).collect();
    let entries = provisioner
        .list()
        .await?
        .into_iter()
        .filter(|r| ids.iter().any(|id| r.tenant == TenantId::from(*id)))
        .count();
    let mut left = Vec::new();
    if entries > 0 {
        left.push(format!("{entries} directory entries"));
    }
    for t in tenants {
        if count(
            db,
            "SELECT count(*) FROM tenants WHERE id = $1",
            t.id.into(),
        )
        .await?
            > 0
        {
            left.push(format!("the tenants row of {}", t.name));
        }
        let (conn, sql, name) = match &t.placement {
            Placement::Schema { schema } => (
                db,
                "SELECT count(*) FROM pg_namespace WHERE nspname = $1",
                schema,
            ),
            Placement::Database { database, .. } => (
                server_admin,
                "SELECT count(*) FROM pg_database WHERE datname = $1",
                database,
            ),
            _ => continue,
        };
        if count(conn, sql, name.as_str().into()).await? > 0 {
            left.push(format!("{} {name}", t.placement.kind()));
        }
    }
    if !role_was_there && role_exists(server_admin).await? {
        left.push(format!("role {APP_ROLE} on server {}", server.name));
    }
    if !left.is_empty() {
        bail!("cleaning up left {}", left.join(", "));
    }
    println!(
        "    left behind: nothing (directory, schema, database, tenants rows and roles checked)"
    );
    Ok(())
}

async fn role_exists(conn: &DatabaseConnection) -> Result<bool> {
    Ok(count(
        conn,
        "SELECT count(*) FROM pg_roles WHERE rolname = $1",
        APP_ROLE.into(),
    )
    .await?
        > 0)
}

async fn count(conn: &DatabaseConnection, sql: &str, value: sea_orm::Value) -> Result<i64> {
    let row = conn
        .query_one_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            sql,
            [value],
        ))
        .await?
        .context("no row")?;
    Ok(row.try_get_by_index(0)?)
}

async fn text(conn: &DatabaseConnection, sql: &str) -> Result<String> {
    let row = conn
        .query_one_raw(Statement::from_string(DbBackend::Postgres, sql))
        .await?
        .context("no row")?;
    Ok(row.try_get_by_index(0)?)
}

/// The connection's role, and what lets it past Row-Level Security (`None`: nothing).
async fn role_of(conn: &impl ConnectionTrait) -> Result<(String, Option<&'static str>)> {
    let who = conn
        .query_one_raw(Statement::from_string(
            DbBackend::Postgres,
            "SELECT current_user::text, rolsuper, rolbypassrls \
             FROM pg_roles WHERE rolname = current_user",
        ))
        .await?
        .context("no row for current_user in pg_roles")?;
    let user: String = who.try_get_by_index(0)?;
    let kind = match (who.try_get_by_index(1)?, who.try_get_by_index(2)?) {
        (true, _) => Some("a superuser"),
        (false, true) => Some("a BYPASSRLS role"),
        (false, false) => None,
    };
    Ok((user, kind))
}

async fn connect(url: &str) -> Result<DatabaseConnection> {
    let mut opts = sea_orm::ConnectOptions::new(url.to_owned());
    opts.sqlx_logging(false)
        .acquire_timeout(std::time::Duration::from_secs(10));
    if url.starts_with("sqlite::memory:") {
        opts.max_connections(1); // each in-memory connection is its own database
    }
    Database::connect(opts)
        .await
        .with_context(|| format!("connecting to {url}"))
}

fn backend_name(backend: DbBackend) -> &'static str {
    match backend {
        DbBackend::Postgres => "PostgreSQL",
        DbBackend::MySql => "MySQL/MariaDB",
        _ => "SQLite",
    }
}
