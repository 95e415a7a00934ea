//! Shows what the grammar target makes of input files (a crash, a corpus entry): the
//! statement, its values, the rewrite, the analysis, and how long the rewrite took.
//!
//!     cargo run --release --example show -- FILE...
#![allow(clippy::print_stdout, clippy::unwrap_used)]

use std::time::Instant;

use arbitrary::{Arbitrary, Unstructured};
use tenantry::audit::analyse_for;
use tenantry::{Registry, Rewriter, TenantId};
use tenantry_fuzz::grammar::{Script, TENANT};

fn main() {
    let registry = Registry::new()
        .table("orders", "tenant_id")
        .table("customers", "tenant_id")
        .table("order_items", "tenant_id");
    let rewriter = Rewriter::with_capacity(registry.clone(), 0);
    let tenant = TenantId::from(TENANT);
    for path in std::env::args().skip(1) {
        let bytes = std::fs::read(&path).unwrap();
        let script = match Script::arbitrary_take_rest(Unstructured::new(&bytes)) {
            Ok(s) => s,
            Err(e) => {
                println!("{path}: not a script ({e})");
                continue;
            }
        };
        let statement = script.statement();
        println!(
            "{path}: {:?}, {} bytes of SQL",
            statement.db_backend,
            statement.sql.len()
        );
        println!("  in:     {}", statement.sql);
        println!("  values: {:?}", statement.values);
        let started = Instant::now();
        let out = rewriter.rewrite(statement, &tenant);
        println!("  rewrite took {:?}", started.elapsed());
        match out {
            Ok(out) => {
                println!("  out:    {}", out.statement.sql);
                println!("  values: {:?}", out.statement.values);
                println!(
                    "  analysis: {:?}",
                    analyse_for(&out.statement, &registry, &tenant)
                );
            }
            Err(e) => println!("  refused: {e}"),
        }
    }
}
