//! How much of the grammar's output the rewriter accepts, per backend and statement kind, and
//! how many of the accepted ones it had to scope (changed), and why it refuses the rest — over the files of a corpus directory (default
//! `corpus/grammar`). A grammar whose statements are mostly refused would test little.
//!
//!     cargo run --release --example grammar_stats [DIR]
#![allow(clippy::print_stdout, clippy::unwrap_used)]

use std::collections::BTreeMap;

use arbitrary::{Arbitrary, Unstructured};
use tenantry::{Registry, Rewriter, TenantId};
use tenantry_fuzz::grammar::{Script, TENANT};

fn main() {
    let dir = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "corpus/grammar".to_owned());
    let rewriter = Rewriter::with_capacity(
        Registry::new()
            .table("orders", "tenant_id")
            .table("customers", "tenant_id")
            .table("order_items", "tenant_id"),
        0,
    );
    let tenant = TenantId::from(TENANT);
    let mut accepted: BTreeMap<String, (u32, u32, u32)> = BTreeMap::new();
    let mut reasons: BTreeMap<String, u32> = BTreeMap::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        let Ok(script) = Script::arbitrary_take_rest(Unstructured::new(&bytes)) else {
            continue;
        };
        let statement = script.statement();
        let kind = statement
            .sql
            .split_whitespace()
            .next()
            .unwrap_or("")
            .to_owned();
        let key = format!("{:?} {kind}", statement.db_backend);
        let slot = accepted.entry(key).or_default();
        slot.2 += 1;
        let sql = statement.sql.clone();
        match rewriter.rewrite(statement, &tenant) {
            Ok(out) => {
                slot.0 += 1;
                if out.statement.sql != sql {
                    slot.1 += 1;
                }
            }
            Err(e) => {
                let text = e.to_string();
                let reason: String = text.chars().take(70).collect();
                *reasons.entry(reason).or_default() += 1;
            }
        }
    }
    for (key, (ok, scoped, all)) in &accepted {
        println!(
            "{key:<20} {ok:>6} of {all:>6} accepted, {scoped:>6} of them scoped by the rewrite"
        );
    }
    let mut reasons: Vec<_> = reasons.into_iter().collect();
    reasons.sort_by_key(|r| std::cmp::Reverse(r.1));
    for (reason, n) in reasons.iter().take(25) {
        println!("{n:>6}  {reason}");
    }
}
