//! Shared code of tenantry's benchmarks: the benchmark database and the request shapes of the
//! end-to-end benches (with the single-statement simple-query prototype).
//!
//! - `cargo bench -p tenantry-benches` runs the full benches (1,000 tenants × 1,000 orders
//!   for `e2e`, up to 100,000 tenants for `scale`);
//! - `cargo test -p tenantry-benches --all-targets` runs each bench once on a small dataset
//!   (see [`full_run`]).
#![allow(
    clippy::unwrap_used,
    reason = "benchmark setup: a failure must stop the run"
)]

pub mod data;
pub mod paired;
pub mod placed;
pub mod request;

/// Whether this process runs the benches for real (`cargo bench` passes `--bench`) rather
/// than once in test mode (`cargo test --benches`); test mode loads a small dataset.
pub fn full_run() -> bool {
    std::env::args().any(|a| a == "--bench")
}

/// Criterion settings small enough for a whole `cargo bench` in a few minutes on 2 cores.
pub fn criterion_config(measurement_secs: u64) -> criterion::Criterion {
    criterion::Criterion::default()
        .sample_size(10)
        .warm_up_time(std::time::Duration::from_millis(700))
        .measurement_time(std::time::Duration::from_secs(measurement_secs))
        .without_plots()
}

/// The benches' runtime: two worker threads, as many as the machine's cores.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

/// Runs SQL, panicking with the statement on failure.
pub async fn exec(db: &impl sea_orm::ConnectionTrait, sql: &str) {
    db.execute_unprepared(sql)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
}

/// Writes a note (an `EXPLAIN` plan, a dataset size) where `scripts/bench-report` picks it
/// up: `$TENANTRY_BENCH_NOTES/<name>.txt` when that variable is set; always echoed.
#[allow(clippy::print_stdout, reason = "benchmark output")]
pub fn note(name: &str, text: &str) {
    println!("--- {name}\n{text}");
    if let Ok(dir) = std::env::var("TENANTRY_BENCH_NOTES") {
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(format!("{dir}/{name}.txt"), text).unwrap();
    }
}

/// The scoped tables of the reference schema.
pub fn registry() -> tenantry::Registry {
    tenantry::Registry::new()
        .table("orders", "tenant_id")
        .table("customers", "tenant_id")
        .table("order_items", "tenant_id")
}
