//! The tenant layer over real HTTP on loopback against PostgreSQL (the app role, under
//! Row-Level Security): the refusals before a handler runs, one transaction per request
//! committed only on success (rolled back on an error response, a panic, a dropped request),
//! refusals mapped without leaking, concurrent requests of many tenants on a small pool, and
//! the task-local tenant of background work.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::time::Duration;

use axum::Json;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::routing::{get, post};
use entity::customers;
use sea_orm::{ActiveModelTrait, ConnectOptions, ConnectionTrait, Database, EntityTrait, Set};
use tenantry::placement::{
    Directory, MemoryDirectory, Placement, Servers, TenantRecord, TenantState,
};
use tenantry::{TenantDatabase, TenantId, TenantIdType, task};
use tenantry_axum::{Problem, Resolver, Statuses, Tenant, TenantLayer, Tx};
use tenantry_tests::TestDb;
use tower::ServiceExt;
use uuid::Uuid;

async fn add(tx: &Tx, name: &str) -> Result<customers::Model, Problem> {
    let txn = tx.get().await?;
    Ok(customers::ActiveModel {
        name: Set(name.to_owned()),
        email: Set(format!("{name}-{}@{}.test", Uuid::new_v4(), tx.tenant())),
        ..Default::default()
    }
    .insert(&*txn)
    .await?)
}

async fn list(tx: Tx) -> Result<Json<Vec<String>>, Problem> {
    let txn = tx.get().await?;
    Ok(Json(
        customers::Entity::find()
            .all(&*txn)
            .await?
            .into_iter()
            .map(|c| c.email)
            .collect(),
    ))
}

async fn create(tx: Tx, Path(name): Path<String>) -> Result<StatusCode, Problem> {
    add(&tx, &name).await?;
    Ok(StatusCode::CREATED)
}

/// Writes, then answers with an error: the write must not stay.
async fn fail(tx: Tx) -> Result<StatusCode, Problem> {
    add(&tx, "failed").await?;
    Err(Problem::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "nope",
        "refused after writing",
    ))
}

/// Writes, then panics.
async fn panics(tx: Tx) -> StatusCode {
    add(&tx, "panicked").await.unwrap();
    panic!("the handler panics after writing");
}

/// Writes, then takes long: dropped meanwhile, the write must not stay.
async fn slow(tx: Tx) -> StatusCode {
    add(&tx, "slow").await.unwrap();
    tokio::time::sleep(Duration::from_secs(30)).await;
    StatusCode::CREATED
}

/// A write for the tenant in the path, whatever the request's tenant.
async fn foreign(tx: Tx, Path(other): Path<Uuid>) -> Result<StatusCode, Problem> {
    let txn = tx.get().await?;
    customers::ActiveModel {
        tenant_id: Set(other),
        name: Set("x".into()),
        email: Set(format!("x-{}@x.test", Uuid::new_v4())),
        ..Default::default()
    }
    .insert(&*txn)
    .await?;
    Ok(StatusCode::CREATED)
}

/// The tenant of the handler's task, of a task spawned with `spawn_for`, and of one spawned
/// plainly.
async fn tasks(Tenant(tenant): Tenant) -> Json<serde_json::Value> {
    let here = task::current().map(|t| t.to_string());
    let spawned = task::spawn_for(tenant.clone(), async {
        task::current().map(|t| t.to_string())
    })
    .await
    .unwrap();
    let plain = tokio::spawn(async { task::current().map(|t| t.to_string()) })
        .await
        .unwrap();
    Json(serde_json::json!({ "here": here, "spawned": spawned, "plain": plain }))
}

struct App {
    db: TestDb,
    tdb: TenantDatabase,
    directory: Arc<MemoryDirectory>,
    base: String,
    client: reqwest::Client,
}

fn routes(layer: TenantLayer) -> axum::Router {
    axum::Router::new()
        .route("/customers", get(list))
        .route("/customers/{name}", post(create))
        .route("/fail", post(fail))
        .route("/panic", post(panics))
        .route("/slow", post(slow))
        .route("/foreign/{other}", post(foreign))
        .route("/tasks", get(tasks))
        .layer(layer)
}

/// A server on a free loopback port, the app role's pool of `pool` connections.
async fn app(tenants: &[Uuid], pool: u32) -> App {
    let db = TestDb::postgres().await;
    db.migrate().await;
    for t in tenants {
        db.owner_exec(&format!(
            "INSERT INTO tenants (id, name, slug) VALUES ('{t}', 'n', 's-{t}')"
        ))
        .await;
    }
    let directory =
        Arc::new(MemoryDirectory::with(tenants.iter().map(|t| {
            TenantRecord::new(*t, Placement::Shared, TenantState::Active)
        })));
    let mut options = ConnectOptions::new(db.app_url.clone());
    options.max_connections(pool).sqlx_logging(false);
    let conn = Database::connect(options).await.unwrap();
    let tdb = TenantDatabase::new(conn).with_directory(directory.clone(), Servers::new());
    let router = routes(TenantLayer::new(tdb.clone()).id_type(TenantIdType::Uuid));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    App {
        db,
        tdb,
        directory,
        base,
        client: reqwest::Client::new(),
    }
}

impl App {
    async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        tenant: Option<&str>,
    ) -> (StatusCode, serde_json::Value) {
        let mut request = self.client.request(method, format!("{}{path}", self.base));
        if let Some(t) = tenant {
            request = request.header("X-Tenant-ID", t);
        }
        let response = request.send().await.unwrap();
        let status = StatusCode::from_u16(response.status().as_u16()).unwrap();
        let text = response.text().await.unwrap();
        (
            status,
            serde_json::from_str(&text).unwrap_or(serde_json::Value::Null),
        )
    }

    async fn emails(&self, tenant: Uuid) -> Vec<String> {
        let (status, body) = self
            .send(
                reqwest::Method::GET,
                "/customers",
                Some(&tenant.to_string()),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        serde_json::from_value(body).unwrap()
    }

    /// Rows of `tenant` in the table, counted by the superuser (no RLS, no rewriter).
    async fn stored(&self, tenant: Uuid) -> i64 {
        self.db
            .admin
            .query_one_raw(sea_orm::Statement::from_string(
                sea_orm::DbBackend::Postgres,
                format!("SELECT count(*) FROM customers WHERE tenant_id = '{tenant}'"),
            ))
            .await
            .unwrap()
            .unwrap()
            .try_get_by_index::<i64>(0)
            .unwrap()
    }

    /// Sessions of the app role inside a transaction (none once every request is over).
    async fn open_transactions(&self) -> i64 {
        self.db
            .admin
            .query_one_raw(sea_orm::Statement::from_string(
                sea_orm::DbBackend::Postgres,
                format!(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = '{}' \
                     AND usename = '{}' AND state LIKE 'idle in transaction%'",
                    self.db.name, self.db.app_role
                ),
            ))
            .await
            .unwrap()
            .unwrap()
            .try_get_by_index::<i64>(0)
            .unwrap()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_that_cannot_be_served_are_refused_before_the_handler() {
    let (a, suspended, provisioning, deleted) = (
        Uuid::new_v4(),
        Uuid::new_v4(),
        Uuid::new_v4(),
        Uuid::new_v4(),
    );
    let app = app(&[a, suspended, provisioning, deleted], 2).await;
    for (t, state) in [
        (suspended, TenantState::Suspended),
        (provisioning, TenantState::Provisioning),
        (deleted, TenantState::Deleted),
    ] {
        app.directory
            .set_state(&TenantId::from(t), state)
            .await
            .unwrap();
    }
    let get = reqwest::Method::GET;
    let cases = [
        (None, StatusCode::BAD_REQUEST, "missing_tenant"),
        (
            Some("not-a-uuid".to_owned()),
            StatusCode::BAD_REQUEST,
            "malformed_tenant",
        ),
        (
            Some(Uuid::nil().to_string()),
            StatusCode::BAD_REQUEST,
            "malformed_tenant",
        ),
        (
            Some(Uuid::new_v4().to_string()),
            StatusCode::NOT_FOUND,
            "unknown_tenant",
        ),
        (
            Some(suspended.to_string()),
            StatusCode::FORBIDDEN,
            "tenant_suspended",
        ),
        (
            Some(provisioning.to_string()),
            StatusCode::SERVICE_UNAVAILABLE,
            "tenant_unavailable",
        ),
        (
            Some(deleted.to_string()),
            StatusCode::NOT_FOUND,
            "unknown_tenant",
        ),
    ];
    for (tenant, status, code) in cases {
        let (got, body) = app.send(get.clone(), "/customers", tenant.as_deref()).await;
        assert_eq!(
            (got, body["code"].as_str()),
            (status, Some(code)),
            "{tenant:?}: {body}"
        );
        assert_eq!(body["status"], status.as_u16());
    }
    assert_eq!(app.emails(a).await, Vec::<String>::new());

    // Statuses and the resolver are configurable.
    let mut statuses = Statuses::default();
    statuses.missing = StatusCode::UNAUTHORIZED;
    statuses.unknown = StatusCode::FORBIDDEN;
    let router = routes(
        TenantLayer::new(app.tdb.clone())
            .resolver(Resolver::path_segment(1))
            .statuses(statuses),
    );
    let call = |path: String| {
        let router = router.clone();
        async move {
            router
                .oneshot(
                    axum::http::Request::get(path)
                        .body(axum::body::Body::empty())
                        .unwrap(),
                )
                .await
                .unwrap()
                .status()
        }
    };
    assert_eq!(call("/customers".into()).await, StatusCode::UNAUTHORIZED);
    assert_eq!(
        call(format!("/customers/{}", Uuid::new_v4())).await,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_transaction_per_request_committed_only_on_success() {
    let (a, b) = (Uuid::new_v4(), Uuid::new_v4());
    let app = app(&[a, b], 2).await;
    let post = reqwest::Method::POST;
    let (status, _) = app
        .send(post.clone(), "/customers/alice", Some(&a.to_string()))
        .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(app.stored(a).await, 1);

    // An error response rolls back what the handler wrote.
    let (status, body) = app.send(post.clone(), "/fail", Some(&a.to_string())).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("nope"))
    );
    assert_eq!(app.stored(a).await, 1);

    // A panic too; the server goes on serving.
    let (status, body) = app.send(post.clone(), "/panic", Some(&a.to_string())).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::INTERNAL_SERVER_ERROR, Some("handler_panicked"))
    );
    assert_eq!(app.stored(a).await, 1);
    assert_eq!(app.emails(a).await.len(), 1);

    // A write for another tenant is refused with 403; the body names neither the other
    // tenant nor SQL.
    let (status, body) = app
        .send(post.clone(), &format!("/foreign/{b}"), Some(&a.to_string()))
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("cross_tenant_write"))
    );
    let text = body.to_string();
    assert!(
        !text.contains(&b.to_string()) && !text.to_lowercase().contains("insert"),
        "{text}"
    );
    assert_eq!(app.stored(b).await, 0);

    // A request dropped while its handler runs (a client gone away: the server drops the
    // future) rolls back, and leaves no connection inside a transaction.
    let router = routes(TenantLayer::new(app.tdb.clone()));
    let request = axum::http::Request::post("/slow")
        .header("X-Tenant-ID", a.to_string())
        .body(axum::body::Body::empty())
        .unwrap();
    let dropped = tokio::time::timeout(Duration::from_millis(500), router.oneshot(request)).await;
    assert!(dropped.is_err(), "the handler was still running");
    let started = std::time::Instant::now();
    while app.open_transactions().await > 0 {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "a transaction stayed open"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(app.stored(a).await, 1);
    assert_eq!(app.emails(a).await.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_requests_of_many_tenants_on_a_small_pool_never_cross() {
    let tenants: Vec<Uuid> = (0..8).map(|_| Uuid::new_v4()).collect();
    let app = Arc::new(app(&tenants, 2).await);
    let mut workers = Vec::new();
    for (i, t) in tenants.iter().copied().enumerate() {
        let app = app.clone();
        workers.push(tokio::spawn(async move {
            for round in 0..12 {
                let (status, _) = app
                    .send(
                        reqwest::Method::POST,
                        &format!("/customers/w{i}r{round}"),
                        Some(&t.to_string()),
                    )
                    .await;
                assert_eq!(status, StatusCode::CREATED);
                let emails = app.emails(t).await;
                assert_eq!(emails.len(), round + 1);
                assert!(
                    emails.iter().all(|e| e.ends_with(&format!("@{t}.test"))),
                    "{emails:?}"
                );
            }
        }));
    }
    for w in workers {
        w.await.unwrap();
    }
    for t in &tenants {
        assert_eq!(app.stored(*t).await, 12);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn background_work_has_a_tenant_only_when_given_one() {
    let (a, b) = (Uuid::new_v4(), Uuid::new_v4());
    let app = app(&[a, b], 2).await;
    // In a handler: the request's tenant; `spawn_for` passes it on, a plain spawn does not.
    let (status, body) = app
        .send(reqwest::Method::GET, "/tasks", Some(&a.to_string()))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        body,
        serde_json::json!({ "here": a.to_string(), "spawned": a.to_string(), "plain": null })
    );
    app.send(
        reqwest::Method::POST,
        "/customers/ann",
        Some(&a.to_string()),
    )
    .await;
    app.send(
        reqwest::Method::POST,
        "/customers/bob",
        Some(&b.to_string()),
    )
    .await;

    // A job without a tenant fails closed.
    let e = app.tdb.begin_current().await.err().unwrap();
    assert!(
        matches!(
            tenantry::Error::from_db_err(&e),
            Some(tenantry::Error::NoTenantContext)
        ),
        "{e}"
    );
    let tdb = app.tdb.clone();
    let orphan = tokio::spawn(async move { tdb.begin_current().await.is_err() });
    assert!(orphan.await.unwrap());
    // A job for A sees A's rows only.
    let tdb = app.tdb.clone();
    let seen = task::spawn_for(a, async move {
        let txn = tdb.begin_current().await.unwrap();
        let rows = customers::Entity::find().all(&txn).await.unwrap();
        txn.commit().await.unwrap();
        rows.into_iter().map(|c| c.tenant_id).collect::<Vec<_>>()
    })
    .await
    .unwrap();
    assert_eq!(seen, vec![a]);
    let names = task::run_job(&app.tdb, b, |txn| {
        Box::pin(async move {
            assert_eq!(task::current(), Some(TenantId::from(b)));
            let rows = customers::Entity::find().all(txn).await?;
            Ok::<_, sea_orm::DbErr>(rows.into_iter().map(|c| c.name).collect::<Vec<_>>())
        })
    })
    .await
    .unwrap();
    assert_eq!(names, vec!["bob".to_owned()]);
}
