//! `cargo run -p web [-- --listen ADDR]`: the reference API on `127.0.0.1:3000`.
//!
//! - Without `DATABASE_URL`: an in-memory SQLite database with two demo tenants, whose ids
//!   are printed (the app layer only: SQLite has no Row-Level Security).
//! - With `DATABASE_URL=postgres://…`: the database the reference migrations and the
//!   `tenants …` commands manage (`cargo run -p migration -- up`, `… tenants create ID`); the
//!   tenants are those of its directory, in whichever placement, database placements on the
//!   servers of `TENANTRY_SERVERS`. When `TENANTRY_APP_ROLE` names the app role (as for the
//!   migrations), the API's sessions run as that role (`options=-c role=…`), so Row-Level
//!   Security binds every statement; otherwise they run as the `DATABASE_URL` user, and the
//!   API says so.
#![allow(clippy::print_stdout)]

use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::{Context, Result};
use clap::Parser;
use tenantry::TenantDatabase;
use tenantry::placement::{Directory, SERVERS_ENV, Servers, TableDirectory};

#[derive(Parser)]
#[command(about = "A multi-tenant JSON API over the reference domain")]
struct Args {
    /// Where to listen.
    #[arg(long, default_value = "127.0.0.1:3000")]
    listen: SocketAddr,
}

#[tokio::main]
async fn main() -> Result<()> {
    let args = Args::parse();
    let app = match std::env::var("DATABASE_URL") {
        Ok(url) if url.starts_with("postgres") => postgres(&url).await?,
        Ok(url) => anyhow::bail!(
            "DATABASE_URL `{url}`: the API runs on postgres://… (or without DATABASE_URL, on SQLite)"
        ),
        Err(_) => {
            let (app, tenants) = web::sqlite_demo().await?;
            println!("embedded SQLite, two demo tenants:");
            for (name, id) in tenants {
                println!("  {name:<7} {id}");
            }
            app
        }
    };
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("listening on {}", args.listen))?;
    println!("listening on http://{}", listener.local_addr()?);
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(())
}

/// `url` with its sessions running as `role` (a `role` startup setting: the URL's user must
/// be a member of the role).
fn as_role(url: &str, role: &str) -> String {
    let sep = if url.contains('?') { '&' } else { '?' };
    format!("{url}{sep}options=-c%20role%3D{role}")
}

async fn postgres(url: &str) -> Result<axum::Router> {
    let servers = Servers::from_env().with_context(|| format!("reading {SERVERS_ENV}"))?;
    let role = std::env::var("TENANTRY_APP_ROLE")
        .ok()
        .filter(|r| !r.is_empty());
    let (app_url, app_servers) = match &role {
        Some(role) => {
            let mut app_servers = Servers::new();
            for name in servers.names() {
                app_servers = app_servers.with(name, &as_role(&servers.url(name)?, role))?;
            }
            (as_role(url, role), app_servers)
        }
        None => (url.to_owned(), servers),
    };
    let shared = web::connect(&app_url).await?;
    let directory = Arc::new(TableDirectory::new(shared.clone()));
    let tenants = directory
        .list()
        .await
        .context("reading the tenant directory (run `cargo run -p migration -- up` first)")?;
    match &role {
        Some(role) => {
            println!("PostgreSQL, sessions as role {role} (Row-Level Security binds them)")
        }
        None => println!(
            "PostgreSQL, sessions as the DATABASE_URL user: set TENANTRY_APP_ROLE to run as the app role, under Row-Level Security"
        ),
    }
    println!("{} tenants in the directory:", tenants.len());
    for t in &tenants {
        println!("  {}  {}  {}", t.tenant, t.placement, t.state);
    }
    let tdb = TenantDatabase::new(shared.clone()).with_directory(directory, app_servers);
    Ok(web::router(tdb, shared))
}
