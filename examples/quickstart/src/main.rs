//! tenantry in two minutes: two tenants share one database and never see each other.
//!
//! `cargo run -p quickstart` uses an in-memory SQLite database. With
//! `DATABASE_URL=postgres://…` it also installs Row-Level Security and shows the database
//! itself refusing a statement that bypasses the app layer.
#![allow(clippy::print_stdout)]

use anyhow::{Context, Result, bail};
use entity::{customers, orders, tenants};
use migration::{Migrator, MigratorTrait};
use rust_decimal::Decimal;
use sea_orm::{
    ActiveModelTrait, ConnectionTrait, Database, DatabaseConnection, DbBackend, EntityTrait,
    PaginatorTrait, QueryTrait, Set, Statement, TransactionTrait,
};
use tenantry::{Error, TenantDatabase, TenantId};
use uuid::Uuid;

#[tokio::main]
async fn main() -> Result<()> {
    let url = std::env::var("DATABASE_URL").unwrap_or_else(|_| "sqlite::memory:".to_owned());
    let db = connect(&url).await?;
    let backend = db.get_database_backend();
    println!("tenantry quickstart on {}", backend_name(backend));

    Migrator::up(&db, None)
        .await
        .context("running the reference migrations")?;
    let (acme, globex) = (Uuid::new_v4(), Uuid::new_v4());
    for (id, name) in [(acme, "Acme"), (globex, "Globex")] {
        tenants::ActiveModel {
            id: Set(id),
            name: Set(name.to_owned()),
            slug: Set(format!(
                "{}-{}",
                name.to_lowercase(),
                &id.simple().to_string()[..8]
            )),
        }
        .insert(&db)
        .await?;
    }
    println!("tenants: Acme {acme}\n         Globex {globex}");

    // The app layer: every statement through `txn` is rewritten for its tenant.
    let tdb = TenantDatabase::new(db.clone());
    for (tenant, name, totals) in [(acme, "Alice", &[10, 20][..]), (globex, "Bob", &[99][..])] {
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
    } else {
        println!(
            "\n{} has no Row-Level Security: the app layer is the only wall here.",
            backend_name(backend)
        );
        println!("Run with DATABASE_URL=postgres://… to see the database layer too.");
    }
    Ok(())
}

/// PostgreSQL: statements that bypass tenantry entirely, run as the non-superuser app role,
/// still see one tenant only — or nothing.
async fn database_layer(db: &DatabaseConnection, acme: Uuid, globex: Uuid) -> Result<()> {
    let role = "tenantry_quickstart_app";
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
    let who = db
        .query_one_raw(raw("SELECT current_user::text, rolsuper, rolbypassrls \
             FROM pg_roles WHERE rolname = current_user"))
        .await?
        .context("no row for current_user in pg_roles")?;
    let user: String = who.try_get_by_index(0)?;
    let kind = match (who.try_get_by_index(1)?, who.try_get_by_index(2)?) {
        (true, _) => Some("a superuser"),
        (false, true) => Some("a BYPASSRLS role"),
        (false, false) => None,
    };
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

async fn connect(url: &str) -> Result<DatabaseConnection> {
    let mut opts = sea_orm::ConnectOptions::new(url.to_owned());
    opts.sqlx_logging(false);
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
