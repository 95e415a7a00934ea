//! The memory of the `grammar` target's check without the sanitizer: statements generated
//! from the corpus's inputs, each with a few bytes changed so most are new to the plan cache,
//! go through `check` (both rewriters and the analysis); the resident set size and the
//! cache's counters are printed every 20,000 statements. It should stay flat once the cache
//! is full.
//!
//!     cargo run --release --example memory [STATEMENTS] [DIR]
#![allow(clippy::print_stdout, clippy::unwrap_used)]

use arbitrary::{Arbitrary, Unstructured};
use tenantry::TenantId;
use tenantry_fuzz::grammar::{Script, TENANT};
use tenantry_fuzz::{Strict, cache_stats, check};

fn rss() -> String {
    std::fs::read_to_string("/proc/self/status")
        .unwrap()
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .map(|l| l["VmRSS:".len()..].trim().to_owned())
        .unwrap_or_default()
}

fn main() {
    let mut args = std::env::args().skip(1);
    let statements: u64 = args.next().map_or(200_000, |s| s.parse().unwrap());
    let dir = args.next().unwrap_or_else(|| "corpus/grammar".to_owned());
    let inputs: Vec<Vec<u8>> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| std::fs::read(e.unwrap().path()).unwrap())
        .filter(|b| !b.is_empty())
        .collect();
    let tenant = TenantId::from(TENANT);
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    for n in 0..=statements {
        let mut bytes = inputs[next() as usize % inputs.len()].clone();
        for _ in 0..3 {
            let r = next();
            let i = (r >> 8) as usize % bytes.len();
            bytes[i] = (r >> 40) as u8;
        }
        if let Ok(script) = Script::arbitrary_take_rest(Unstructured::new(&bytes)) {
            check(script.statement(), &tenant, Strict::Clean);
        }
        if n % 20_000 == 0 {
            let s = cache_stats();
            println!(
                "{n:>8} statements: RSS {}; plan cache {} plans, ~{} KiB, {} hits, {} misses",
                rss(),
                s.len,
                s.bytes / 1024,
                s.hits,
                s.misses
            );
        }
    }
}
