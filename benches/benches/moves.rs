//! Moving a tenant: one with 100,000 orders (1,000 in test mode), their 10,000 customers and
//! 100,000 order items, moved out of the shared tables into a schema
//! (same server) and into a database on the second server, with `Provisioner::move_tenant`.
//! Each measured move has a tenant of its own, filled (untimed) with `INSERT … SELECT` before
//! and removed after.
//!
//! Compared in the same run, `bare_copy`: the same rows streamed with binary `COPY … TO STDOUT`
//! / `COPY … FROM STDIN` into empty tables of the same placement as a superuser (no Row-Level
//! Security, no temporary table, no change capture, no checksums) — the floor a move's copy
//! phase is measured against.
//!
//! Notes: per direction, the moves' total time, copy phase, write-fence duration and rows per
//! second (median and worst over the measured moves).
#![allow(clippy::unwrap_used, reason = "benchmark: a failure must stop the run")]
#![allow(
    missing_docs,
    reason = "criterion's macros generate undocumented items"
)]

use std::cell::RefCell;
use std::time::{Duration, Instant};

use criterion::{
    BenchmarkId, Criterion, SamplingMode, Throughput, criterion_group, criterion_main,
};
use futures_util::TryStreamExt;
use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection};
use tenantry::placement::Placement;
use tenantry_benches::{exec, full_run, note, runtime};
use tenantry_migration::{MoveOptions, MoveReport, Provisioner};
use tenantry_tests::{TestDb, both_servers, pg_admin_url, pg2_admin_url, url_on};
use uuid::Uuid;

/// The scoped tables, parents first.
const TABLES: [&str; 3] = ["customers", "orders", "order_items"];

async fn pool(url: &str) -> DatabaseConnection {
    let mut options = ConnectOptions::new(url.to_owned());
    options.max_connections(2).sqlx_logging(false);
    Database::connect(options).await.unwrap()
}

/// Orders per moved tenant.
fn orders() -> u64 {
    if full_run() { 100_000 } else { 1_000 }
}

/// Rows per moved tenant: a customer per ten orders, an item per order.
fn rows() -> u64 {
    orders() / 10 + 2 * orders()
}

struct Bench {
    db: TestDb,
    provisioner: Provisioner,
    product: i32,
    /// The tenant whose rows the bare copies read.
    source: Uuid,
    next: RefCell<usize>,
}

impl Bench {
    async fn new() -> Self {
        let db = TestDb::postgres().await;
        db.migrate().await;
        exec(
            &db.owner,
            "INSERT INTO products (sku, name, price) VALUES ('p1', 'Pen', 1.5)",
        )
        .await;
        let product = db
            .owner
            .query_one_raw(sea_orm::Statement::from_string(
                sea_orm::DbBackend::Postgres,
                "SELECT id FROM products",
            ))
            .await
            .unwrap()
            .unwrap()
            .try_get_by_index::<i32>(0)
            .unwrap();
        let provisioner = db.provisioner(both_servers()).await;
        let bench = Bench {
            db,
            provisioner,
            product,
            source: Uuid::new_v4(),
            next: RefCell::new(0),
        };
        bench.tenant(bench.source, Placement::Shared).await;
        bench
    }

    /// Creates `tenant` in `placement` and, when shared, fills it (untimed).
    async fn tenant(&self, tenant: Uuid, placement: Placement) {
        exec(
            &self.db.owner,
            &format!("INSERT INTO tenants (id, name, slug) VALUES ('{tenant}', 'm', 'm-{tenant}')"),
        )
        .await;
        let shared = placement == Placement::Shared;
        self.provisioner.create(tenant, placement).await.unwrap();
        if !shared {
            return;
        }
        let customers = orders() / 10;
        exec(
            &self.db.owner,
            &format!(
                "BEGIN; SELECT set_config('tenantry.tenant_id', '{tenant}', true); \
                 INSERT INTO customers (tenant_id, name, email) \
                   SELECT '{tenant}', 'c' || g, 'c' || g || '@m.test' FROM generate_series(1, {customers}) g; \
                 INSERT INTO orders (tenant_id, customer_id, status, total) \
                   SELECT c.tenant_id, c.id, 'open', 15.00 FROM customers c, generate_series(1, 10) \
                   WHERE c.tenant_id = '{tenant}'; \
                 INSERT INTO order_items (tenant_id, order_id, product_id, quantity, unit_price) \
                   SELECT o.tenant_id, o.id, {product}, 1, 1.50 FROM orders o WHERE o.tenant_id = '{tenant}'; \
                 COMMIT; ANALYZE customers, orders, order_items",
                product = self.product
            ),
        )
        .await;
    }

    /// A placement of kind `kind` (`schema`, `database`) not used before.
    fn place(&self, kind: &str) -> Placement {
        let i = {
            let mut n = self.next.borrow_mut();
            *n += 1;
            *n
        };
        let name = format!("{}_v{i}", self.db.name);
        match kind {
            "schema" => Placement::schema(&name).unwrap(),
            _ => Placement::database("two", &name).unwrap(),
        }
    }

    /// One measured move of a fresh tenant out of the shared tables to a new `kind` placement;
    /// the tenant is removed afterwards (untimed).
    async fn one_move(&self, kind: &str) -> MoveReport {
        let tenant = Uuid::new_v4();
        self.tenant(tenant, Placement::Shared).await;
        let to = self.place(kind);
        let report = self
            .provisioner
            .move_tenant(tenant, to, &MoveOptions::default(), &|_| {})
            .await
            .unwrap();
        assert_eq!(report.copied, rows());
        self.provisioner.cleanup_move(tenant).await.unwrap();
        self.provisioner
            .drop_tenant(tenant, "benchmark", true)
            .await
            .unwrap();
        report
    }

    /// A superuser connection URL to `placement`'s database, and the schema of its tables.
    fn home(&self, placement: &Placement) -> (String, String) {
        match placement {
            Placement::Schema { schema } => {
                (url_on(&pg_admin_url(), &self.db.name), schema.clone())
            }
            Placement::Database { database, .. } => {
                (url_on(&pg2_admin_url(), database), "public".into())
            }
            _ => unreachable!(),
        }
    }

    /// The source tenant's rows streamed into `placement`'s empty tables with bare binary
    /// `COPY`, parents first; the target's tables emptied again (untimed). Returns the time.
    async fn bare_copy(
        &self,
        source: &DatabaseConnection,
        target: &DatabaseConnection,
        schema: &str,
    ) -> Duration {
        let mut src = source
            .get_postgres_connection_pool()
            .acquire()
            .await
            .unwrap();
        let mut tgt = target
            .get_postgres_connection_pool()
            .acquire()
            .await
            .unwrap();
        let started = Instant::now();
        let mut copied = 0;
        for table in TABLES {
            let mut sink = tgt
                .copy_in_raw(&format!(
                    "COPY \"{schema}\".{table} FROM STDIN (FORMAT binary)"
                ))
                .await
                .unwrap();
            {
                let mut out = src
                    .copy_out_raw(&format!(
                        "COPY (SELECT * FROM public.{table} WHERE tenant_id = '{}') TO STDOUT \
                         (FORMAT binary)",
                        self.source
                    ))
                    .await
                    .unwrap();
                while let Some(chunk) = out.try_next().await.unwrap() {
                    sink.send(chunk).await.unwrap();
                }
            }
            copied += sink.finish().await.unwrap();
        }
        let took = started.elapsed();
        assert_eq!(copied, rows());
        drop((src, tgt));
        exec(
            target,
            &format!(
                "TRUNCATE {}",
                TABLES
                    .iter()
                    .map(|t| format!("\"{schema}\".{t}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )
        .await;
        took
    }
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(f64::NAN)
}

fn moves(c: &mut Criterion) {
    let rt = runtime();
    let bench = rt.block_on(Bench::new());
    let source = rt.block_on(pool(&url_on(&pg_admin_url(), &bench.db.name)));
    let mut notes = vec![format!(
        "a moved tenant: {} orders, {} customers, {} order items ({} rows); PostgreSQL 5432 \
         (shared tables, schemas) and 5433 (databases) on this machine",
        orders(),
        orders() / 10,
        orders(),
        rows()
    )];
    let mut group = c.benchmark_group(format!("move_{}_orders", orders()));
    group
        .sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .warm_up_time(Duration::from_millis(1))
        .measurement_time(Duration::from_secs(1))
        .throughput(Throughput::Elements(rows()));
    for kind in ["schema", "database"] {
        // The bare copy's target: a tenant provisioned there, its tables kept empty.
        let home = bench.place(kind);
        let holder = Uuid::new_v4();
        rt.block_on(bench.tenant(holder, home.clone()));
        let (url, schema) = bench.home(&home);
        let target = rt.block_on(pool(&url));
        group.bench_function(BenchmarkId::new("bare_copy", kind), |b| {
            b.iter_custom(|iters| {
                (0..iters)
                    .map(|_| rt.block_on(bench.bare_copy(&source, &target, &schema)))
                    .sum()
            })
        });
        rt.block_on(target.close()).unwrap();
        rt.block_on(bench.provisioner.drop_tenant(holder, "benchmark", true))
            .unwrap();

        let reports = RefCell::new(Vec::new());
        group.bench_function(BenchmarkId::new("move", kind), |b| {
            b.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    let report = rt.block_on(bench.one_move(kind));
                    total += Duration::from_millis(report.duration_ms as u64);
                    reports.borrow_mut().push(report);
                }
                total
            })
        });
        let reports = reports.into_inner();
        let ms = |f: fn(&MoveReport) -> u128| -> Vec<f64> {
            reports.iter().map(|r| f(r) as f64).collect()
        };
        let fence = ms(|r| r.fence_ms);
        let worst_fence = fence.iter().copied().fold(0.0, f64::max);
        notes.push(format!(
            "shared → {kind}: {} moves; total {:.2} s, copy phase {:.2} s, fence {:.0} ms \
             (worst {worst_fence:.0} ms) — medians; {:.0} rows/s over the whole move",
            reports.len(),
            median(ms(|r| r.duration_ms)) / 1000.0,
            median(ms(|r| r.copy_ms)) / 1000.0,
            median(fence),
            rows() as f64 / (median(ms(|r| r.duration_ms)) / 1000.0),
        ));
        notes.push(format!(
            "shared → {kind} copy_ms {:.0} fence_max_ms {worst_fence:.0}",
            median(ms(|r| r.copy_ms)),
        ));
    }
    group.finish();
    note("moves", &notes.join("\n"));
    rt.block_on(source.close()).unwrap();
    let two = rt.block_on(pool(&pg2_admin_url()));
    rt.block_on(exec(
        &two,
        &format!("DROP ROLE IF EXISTS \"{}\"", bench.db.app_role),
    ));
}

criterion_group!(benches, moves);
criterion_main!(benches);
