//! A small multi-tenant JSON API over the reference domain: the tenant of each request is
//! named by the `X-Tenant-ID` header and checked against the directory by
//! [`tenantry_axum::TenantLayer`]; every handler works in the request's tenant transaction.
//!
//! | route | what |
//! |---|---|
//! | `GET /products` | the shared reference data (no tenant needed) |
//! | `GET /customers`, `POST /customers` (`{"name", "email"}`) | the tenant's customers |
//! | `GET /orders`, `POST /orders` (`{"customer_id", "total", "status"?}`) | the tenant's orders |
//!
//! `POST /customers` also takes an optional `tenant_id`, as an API that trusts its client
//! would: a value other than the request's tenant is refused (403), not written.

use std::sync::Arc;

use anyhow::{Context, Result};
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use entity::{customers, orders, products, tenants};
use migration::{Migrator, MigratorTrait};
use rust_decimal::Decimal;
use sea_orm::{
    ActiveModelTrait, ConnectOptions, Database, DatabaseConnection, DbBackend, EntityTrait,
    QueryOrder, Set,
};
use serde::{Deserialize, Serialize};
use tenantry::placement::{Directory, MemoryDirectory, Placement, TenantRecord, TenantState};
use tenantry::{TenantDatabase, TenantIdType};
use tenantry_axum::{Problem, TenantLayer, Tx};
use uuid::Uuid;

/// The API: `/products` over `shared` (a plain connection), the tenant routes over `tdb`
/// behind the tenant layer.
pub fn router(tdb: TenantDatabase, shared: DatabaseConnection) -> Router {
    let tenant_routes = Router::new()
        .route("/customers", get(list_customers).post(create_customer))
        .route("/orders", get(list_orders).post(create_order))
        .layer(TenantLayer::new(tdb).id_type(TenantIdType::Uuid));
    Router::new()
        .route("/products", get(list_products))
        .with_state(shared)
        .merge(tenant_routes)
}

/// A customer as the API shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Customer {
    /// Its id.
    pub id: i32,
    /// Its name.
    pub name: String,
    /// Its email address.
    pub email: String,
}

impl From<customers::Model> for Customer {
    fn from(m: customers::Model) -> Self {
        Self {
            id: m.id,
            name: m.name,
            email: m.email,
        }
    }
}

/// A new customer.
#[derive(Debug, Deserialize)]
pub struct NewCustomer {
    name: String,
    email: String,
    #[serde(default)]
    tenant_id: Option<Uuid>,
}

/// An order as the API shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Order {
    /// Its id.
    pub id: i32,
    /// The customer's id.
    pub customer_id: i32,
    /// `open`, `paid`, …
    pub status: String,
    /// The total, as a decimal string with two places.
    pub total: String,
}

impl From<orders::Model> for Order {
    fn from(m: orders::Model) -> Self {
        Self {
            id: m.id,
            customer_id: m.customer_id,
            status: m.status,
            total: format!("{:.2}", m.total),
        }
    }
}

/// A new order.
#[derive(Debug, Deserialize)]
pub struct NewOrder {
    customer_id: i32,
    total: serde_json::Value,
    #[serde(default = "open")]
    status: String,
}

fn open() -> String {
    "open".to_owned()
}

/// A product as the API shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Product {
    /// Its id.
    pub id: i32,
    /// Its stock-keeping unit.
    pub sku: String,
    /// Its name.
    pub name: String,
    /// Its price, as a decimal string.
    pub price: String,
}

async fn list_products(
    State(db): State<DatabaseConnection>,
) -> Result<Json<Vec<Product>>, Problem> {
    let all = products::Entity::find()
        .order_by_asc(products::Column::Id)
        .all(&db)
        .await?;
    Ok(Json(
        all.into_iter()
            .map(|p| Product {
                id: p.id,
                sku: p.sku,
                name: p.name,
                price: format!("{:.2}", p.price),
            })
            .collect(),
    ))
}

async fn list_customers(tx: Tx) -> Result<Json<Vec<Customer>>, Problem> {
    let txn = tx.get().await?;
    let all = customers::Entity::find()
        .order_by_asc(customers::Column::Id)
        .all(&*txn)
        .await?;
    Ok(Json(all.into_iter().map(Customer::from).collect()))
}

async fn create_customer(
    tx: Tx,
    Json(input): Json<NewCustomer>,
) -> Result<(StatusCode, Json<Customer>), Problem> {
    let txn = tx.get().await?;
    let mut customer = customers::ActiveModel {
        name: Set(input.name),
        email: Set(input.email),
        ..Default::default() // tenant_id: filled by tenantry
    };
    if let Some(tenant) = input.tenant_id {
        customer.tenant_id = Set(tenant);
    }
    let created = customer.insert(&*txn).await?;
    Ok((StatusCode::CREATED, Json(created.into())))
}

async fn list_orders(tx: Tx) -> Result<Json<Vec<Order>>, Problem> {
    let txn = tx.get().await?;
    let all = orders::Entity::find()
        .order_by_asc(orders::Column::Id)
        .all(&*txn)
        .await?;
    Ok(Json(all.into_iter().map(Order::from).collect()))
}

async fn create_order(
    tx: Tx,
    Json(input): Json<NewOrder>,
) -> Result<(StatusCode, Json<Order>), Problem> {
    let total: Decimal = match &input.total {
        serde_json::Value::Number(n) => n.to_string().parse().ok(),
        serde_json::Value::String(s) => s.parse().ok(),
        _ => None,
    }
    .ok_or_else(|| {
        Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_total",
            "`total` must be a decimal number",
        )
    })?;
    let txn = tx.get().await?;
    // Another tenant's customer is not found: the lookup is scoped too.
    if customers::Entity::find_by_id(input.customer_id)
        .one(&*txn)
        .await?
        .is_none()
    {
        return Err(Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown_customer",
            "no such customer",
        ));
    }
    let created = orders::ActiveModel {
        customer_id: Set(input.customer_id),
        status: Set(input.status),
        total: Set(total),
        ..Default::default()
    }
    .insert(&*txn)
    .await?;
    Ok((StatusCode::CREATED, Json(created.into())))
}

/// Connects with sensible pool settings (one connection for an in-memory SQLite database,
/// where each connection is a database of its own).
pub async fn connect(url: &str) -> Result<DatabaseConnection> {
    let mut options = ConnectOptions::new(url.to_owned());
    options
        .sqlx_logging(false)
        .acquire_timeout(std::time::Duration::from_secs(10));
    if url.starts_with("sqlite::memory:") {
        options.max_connections(1);
    }
    Database::connect(options)
        .await
        .with_context(|| format!("connecting to {url}"))
}

/// The embedded demo: an in-memory SQLite database with the reference schema, two products,
/// and two tenants (`Acme`, `Globex`) in an in-memory directory. Returns the router and the
/// tenants' ids.
pub async fn sqlite_demo() -> Result<(Router, [(String, Uuid); 2])> {
    let db = connect("sqlite::memory:").await?;
    debug_assert_eq!(db.get_database_backend(), DbBackend::Sqlite);
    Migrator::up(&db, None)
        .await
        .context("running the reference migrations")?;
    for (sku, name, cents) in [("pen", "Pen", 150), ("pad", "Notepad", 420)] {
        products::ActiveModel {
            sku: Set(sku.to_owned()),
            name: Set(name.to_owned()),
            price: Set(Decimal::new(cents, 2)),
            ..Default::default()
        }
        .insert(&db)
        .await?;
    }
    let directory = Arc::new(MemoryDirectory::new());
    let mut demo = Vec::new();
    for name in ["Acme", "Globex"] {
        let id = Uuid::new_v4();
        tenants::ActiveModel {
            id: Set(id),
            name: Set(name.to_owned()),
            slug: Set(name.to_lowercase()),
        }
        .insert(&db)
        .await?;
        directory
            .create(&TenantRecord::new(
                id,
                Placement::Shared,
                TenantState::Active,
            ))
            .await?;
        demo.push((name.to_owned(), id));
    }
    let tdb = TenantDatabase::new(db.clone())
        .with_directory(directory, tenantry::placement::Servers::new());
    let demo: [(String, Uuid); 2] = demo
        .try_into()
        .map_err(|_| anyhow::anyhow!("two demo tenants"))?;
    Ok((router(tdb, db), demo))
}
