//! `tenantry doctor` as a process: exit codes, text and JSON output, on a real PostgreSQL
//! database created (and dropped) by the test. `TENANTRY_PG_URL` names the server (default
//! `postgres://postgres@127.0.0.1:5432/test`); the test fails when it is unreachable.
#![allow(clippy::unwrap_used, clippy::print_stdout)]

use std::process::{Command, Output};

use sea_orm::{ConnectionTrait, Database, DatabaseConnection};
use tenantry::policy::{self, ColumnType, PolicyConfig, QualifiedName, script, to_postgres};

fn admin_url() -> String {
    std::env::var("TENANTRY_PG_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned())
}

fn url_for(db: &str) -> String {
    let base = admin_url();
    match base.rsplit_once('/') {
        Some((server, _)) => format!("{server}/{db}"),
        None => base,
    }
}

/// A uniquely named database, dropped (with `WITH (FORCE)`) when the guard goes.
struct Scratch {
    name: String,
}

impl Scratch {
    async fn new() -> (Self, DatabaseConnection) {
        let name = format!(
            "tcli_{}_{}",
            std::process::id(),
            &uuid::Uuid::new_v4().simple().to_string()[..8]
        );
        let admin = Database::connect(admin_url())
            .await
            .unwrap_or_else(|e| panic!("PostgreSQL needed at {} ({e})", admin_url()));
        admin
            .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
            .await
            .unwrap();
        admin.close().await.ok();
        let db = Database::connect(url_for(&name)).await.unwrap();
        (Self { name }, db)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let name = self.name.clone();
        let joined = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                let admin = Database::connect(admin_url()).await.unwrap();
                admin
                    .execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                    .await
                    .unwrap();
                admin.close().await.ok();
            });
        })
        .join();
        if joined.is_err() && !std::thread::panicking() {
            panic!("dropping the scratch database failed");
        }
    }
}

fn doctor(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tenantry"))
        .arg("doctor")
        .args(args)
        .env_remove("DATABASE_URL")
        .output()
        .unwrap()
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn findings_exit_1_then_clean_exits_0() {
    let (scratch, db) = Scratch::new().await;
    db.execute_unprepared("CREATE TABLE orders (id serial PRIMARY KEY, tenant_id uuid NOT NULL)")
        .await
        .unwrap();
    let url = url_for(&scratch.name);

    let out = doctor(&["--database-url", &url]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("FAIL: 4 errors, 1 warning"), "{text}");
    assert!(
        text.contains("ERROR   public.orders  rls_disabled"),
        "{text}"
    );
    assert!(
        text.contains("ALTER TABLE \"public\".\"orders\" ENABLE ROW LEVEL SECURITY;"),
        "{text}"
    );

    let out = doctor(&["--database-url", &url, "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(json["format_version"], 1);
    assert_eq!(json["backend"], "postgres");
    assert_eq!(json["clean"], false);
    assert_eq!(json["errors"], 4);
    let first = &json["findings"][0];
    assert_eq!(first["severity"], "error");
    assert_eq!(first["object"], "public.orders");
    assert!(first["fix"].as_str().unwrap().ends_with(";\n"));

    let out = doctor(&["--database-url", &url, "--format", "sql"]);
    assert_eq!(out.status.code(), Some(1));
    let sql = stdout(&out);
    assert!(sql.starts_with("-- error "), "{sql}");
    assert!(sql.contains("FORCE ROW LEVEL SECURITY;"), "{sql}");

    let orders = QualifiedName::qualified("public", "orders");
    let mut fix = policy::isolate(
        &orders,
        "tenant_id",
        &ColumnType::default(),
        &PolicyConfig::default(),
    );
    fix.push(to_postgres(&policy::tenant_index(
        &orders,
        "tenant_id",
        &[],
    )));
    db.execute_unprepared(&script(&fix)).await.unwrap();
    db.close().await.ok();

    // DATABASE_URL works too; no app role gives a notice, which does not fail the run.
    let out = Command::new(env!("CARGO_BIN_EXE_tenantry"))
        .args(["doctor"])
        .env("DATABASE_URL", &url)
        .output()
        .unwrap();
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("OK: no problems found (1 notice)"), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn app_role_checks_from_the_command_line() {
    let (scratch, db) = Scratch::new().await;
    db.close().await.ok();
    let url = url_for(&scratch.name);
    // The connecting superuser as "app role": the doctor must refuse it.
    let out = doctor(&["--database-url", &url, "--app-role", "postgres"]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("app_role_superuser"), "{text}");
    assert!(
        text.contains("ALTER ROLE \"postgres\" NOSUPERUSER;"),
        "{text}"
    );
}

#[test]
fn unreachable_database_exits_2() {
    let out = doctor(&["--database-url", "postgres://nobody@127.0.0.1:1/none"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot connect"));
}

#[test]
fn missing_url_exits_2() {
    let out = doctor(&[]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn sqlite_says_only_the_app_layer_protects_it() {
    let out = doctor(&["--database-url", "sqlite::memory:", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0));
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(json["backend"], "sqlite");
    assert_eq!(json["findings"][0]["check"], "app_layer_only");
    assert_eq!(json["findings"][0]["severity"], "notice");
}
