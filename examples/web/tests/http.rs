//! The example API over real HTTP on loopback: on PostgreSQL (the app role, Row-Level
//! Security, tenants in the shared tables, in a schema and in a database on the second server,
//! served by the same handlers), and the embedded SQLite demo.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use reqwest::{Client, Method, StatusCode};
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};
use tenantry::TenantDatabase;
use tenantry::placement::{Placement, TableDirectory};
use tenantry_tests::{
    TestDb, app_servers, both_servers, pg_admin_url, pg2_admin_url, pool_on, url_on,
};
use uuid::Uuid;

struct Api {
    base: String,
    client: Client,
}

impl Api {
    async fn serve(router: axum::Router) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
        Self {
            base,
            client: Client::new(),
        }
    }

    async fn call(
        &self,
        method: Method,
        path: &str,
        tenant: Option<Uuid>,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut request = self.client.request(method, format!("{}{path}", self.base));
        if let Some(t) = tenant {
            request = request.header("X-Tenant-ID", t.to_string());
        }
        if let Some(b) = body {
            request = request.json(&b);
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        let text = response.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    async fn post(&self, path: &str, tenant: Uuid, body: Value) -> (StatusCode, Value) {
        self.call(Method::POST, path, Some(tenant), Some(body))
            .await
    }

    async fn get(&self, path: &str, tenant: Uuid) -> Vec<Value> {
        let (status, body) = self.call(Method::GET, path, Some(tenant), None).await;
        assert_eq!(status, StatusCode::OK, "{path}: {body}");
        body.as_array().unwrap().clone()
    }

    /// A customer and an order of hers, for `tenant`; returns the customer's id.
    async fn shop(&self, tenant: Uuid, name: &str) -> i64 {
        let (status, customer) = self
            .post(
                "/customers",
                tenant,
                json!({ "name": name, "email": format!("{name}@{tenant}.test") }),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{customer}");
        let id = customer["id"].as_i64().unwrap();
        let (status, order) = self
            .post(
                "/orders",
                tenant,
                json!({ "customer_id": id, "total": 12.5 }),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{order}");
        assert_eq!(order["total"], "12.50");
        id
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tenants_in_every_placement_see_only_their_rows() {
    let db = TestDb::postgres().await;
    db.migrate().await;
    let [shared, schema, database, suspended, neighbour] = [(); 5].map(|_| Uuid::new_v4());
    for t in [shared, schema, database, suspended, neighbour] {
        db.owner_exec(&format!(
            "INSERT INTO tenants (id, name, slug) VALUES ('{t}', 'n', 's-{t}')"
        ))
        .await;
    }
    db.owner_exec("INSERT INTO products (sku, name, price) VALUES ('pen', 'Pen', 1.5)")
        .await;
    let provisioner = db.provisioner(both_servers()).await;
    let placements = [
        (shared, Placement::Shared),
        (
            schema,
            Placement::schema(&format!("{}_w", db.name)).unwrap(),
        ),
        (
            database,
            Placement::database("two", &format!("{}_w", db.name)).unwrap(),
        ),
        (suspended, Placement::Shared),
        (neighbour, Placement::Shared),
    ];
    for (t, p) in &placements {
        provisioner.create(*t, p.clone()).await.unwrap();
    }
    provisioner.suspend(suspended).await.unwrap();

    let tdb = TenantDatabase::new(db.app.clone()).with_directory(
        Arc::new(TableDirectory::new(db.app.clone())),
        app_servers(&db.app_role),
    );
    let api = Api::serve(web::router(tdb, db.app.clone())).await;

    let (status, products) = api.call(Method::GET, "/products", None, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(products[0]["sku"], "pen");

    for (t, _) in &placements[..3] {
        api.shop(*t, &format!("c{}", &t.to_string()[..4])).await;
    }
    let neighbours = api.shop(neighbour, "n").await;
    for (t, _) in &placements[..3] {
        let mine = api.get("/customers", *t).await;
        assert_eq!(mine.len(), 1, "{mine:?}");
        assert!(
            mine[0]["email"]
                .as_str()
                .unwrap()
                .ends_with(&format!("@{t}.test"))
        );
        assert_eq!(api.get("/orders", *t).await.len(), 1);
    }
    // The rows are where the directory places each tenant.
    let count = |conn: sea_orm::DatabaseConnection, sql: String| async move {
        let n = conn
            .query_one_raw(sea_orm::Statement::from_string(
                sea_orm::DbBackend::Postgres,
                sql,
            ))
            .await
            .unwrap()
            .unwrap()
            .try_get_by_index::<i64>(0)
            .unwrap();
        conn.close().await.unwrap();
        n
    };
    assert_eq!(
        count(
            pool_on(&url_on(&pg_admin_url(), &db.name)).await,
            format!("SELECT count(*) FROM \"{}_w\".customers", db.name)
        )
        .await,
        1
    );
    assert_eq!(
        count(
            pool_on(&url_on(&pg2_admin_url(), &format!("{}_w", db.name))).await,
            "SELECT count(*) FROM customers".into()
        )
        .await,
        1
    );

    // A customer for another tenant's id is refused, and not written.
    let (status, body) = api
        .post(
            "/customers",
            shared,
            json!({ "name": "x", "email": "x@x.test", "tenant_id": schema }),
        )
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("cross_tenant_write")),
        "{body}"
    );
    assert_eq!(api.get("/customers", schema).await.len(), 1);
    // An order for the customer of another tenant in the same tables: not found.
    let (status, body) = api
        .post(
            "/orders",
            shared,
            json!({ "customer_id": neighbours, "total": "1.00" }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    // The same email twice for one tenant: a conflict.
    let email = format!("dup@{shared}.test");
    api.post("/customers", shared, json!({ "name": "d", "email": email }))
        .await;
    let (status, _) = api
        .post("/customers", shared, json!({ "name": "d", "email": email }))
        .await;
    assert_eq!(status, StatusCode::CONFLICT);

    // Missing, malformed, unknown, suspended.
    let (status, _) = api.call(Method::GET, "/customers", None, None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let malformed = api
        .client
        .get(format!("{}/customers", api.base))
        .header("X-Tenant-ID", "acme")
        .send()
        .await
        .unwrap();
    assert_eq!(malformed.status(), StatusCode::BAD_REQUEST);
    let (status, _) = api
        .call(Method::GET, "/customers", Some(Uuid::new_v4()), None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, body) = api
        .call(Method::GET, "/customers", Some(suspended), None)
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("tenant_suspended"))
    );

    for (t, _) in &placements {
        provisioner
            .drop_tenant(*t, "test done", true)
            .await
            .unwrap();
    }
    let two = pool_on(&pg2_admin_url()).await;
    two.execute_unprepared(&format!("DROP ROLE IF EXISTS \"{}\"", db.app_role))
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_embedded_demo_serves_two_tenants_apart() {
    let (router, [(_, acme), (_, globex)]) = web::sqlite_demo().await.unwrap();
    let api = Api::serve(router).await;
    let (status, products) = api.call(Method::GET, "/products", None, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(products.as_array().unwrap().len(), 2);
    api.shop(acme, "alice").await;
    let bob = api.shop(globex, "bob").await;
    let names = |v: Vec<Value>| -> Vec<String> {
        v.iter()
            .map(|c| c["name"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(names(api.get("/customers", acme).await), ["alice"]);
    assert_eq!(names(api.get("/customers", globex).await), ["bob"]);
    let (status, _) = api
        .post("/orders", acme, json!({ "customer_id": bob, "total": 1 }))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, body) = api
        .post(
            "/customers",
            acme,
            json!({ "name": "x", "email": "x@x.test", "tenant_id": globex }),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(names(api.get("/customers", globex).await), ["bob"]);
    let (status, _) = api
        .call(Method::GET, "/customers", Some(Uuid::new_v4()), None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}
