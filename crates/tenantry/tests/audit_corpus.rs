//! No false positives, no misses on the rewriter's own corpus: every PostgreSQL statement the
//! rewriter's snapshot suites show it producing (`tests/snapshots/*.snap`, the `=>` text after
//! `-- postgres`) is clean for the audit's analysis, and the input of every shape it had to
//! scope (on the default tables) is not.
#![allow(clippy::unwrap_used)]

use tenantry::Registry;
use tenantry::audit::{Analysis, analyse};

fn registry() -> Registry {
    Registry::new()
        .table("orders", "tenant_id")
        .table("customers", "tenant_id")
        .table("order_items", "tenant_id")
}

/// (input, output) of each PostgreSQL case in the snapshots.
fn cases() -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/snapshots");
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        for (i, line) in lines.iter().enumerate() {
            if *line != "-- postgres" {
                continue;
            }
            let Some(arrow) = lines[i + 1..].iter().position(|l| l.starts_with("=> ")) else {
                continue;
            };
            let input = lines[i + 1..i + 1 + arrow].join("\n");
            // The output runs to the next `-- ` line (`-- values`, the next backend).
            let start = i + 1 + arrow;
            let end = lines[start + 1..]
                .iter()
                .position(|l| l.starts_with("-- "))
                .map_or(lines.len(), |p| start + 1 + p);
            let output = lines[start..end]
                .join("\n")
                .trim_start_matches("=> ")
                .to_owned();
            out.push((
                path.file_name().unwrap().to_string_lossy().into_owned(),
                input,
                output,
            ));
        }
    }
    out
}

#[test]
fn every_rewritten_statement_is_clean() {
    let registry = registry();
    let mut checked = 0;
    let mut failures = Vec::new();
    for (file, input, output) in cases() {
        if output.starts_with("REFUSED") {
            continue;
        }
        let sql = if output == "(unchanged)" {
            &input
        } else {
            &output
        };
        checked += 1;
        match analyse(sql, &registry) {
            Analysis::Clean => {}
            Analysis::NotAnalysed(why) if output == "(unchanged)" => {
                // Unchanged statements that are not queries (e.g. SET) are not the point.
                let _ = why;
            }
            other => failures.push(format!("{file}: {sql}\n  {other:?}")),
        }
    }
    assert!(checked > 100, "only {checked} statements found");
    assert!(
        failures.is_empty(),
        "{} of {checked}:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn the_inputs_the_rewriter_had_to_scope_are_not_clean() {
    let registry = registry();
    let mut clean = Vec::new();
    let mut checked = 0;
    for (file, input, output) in cases() {
        if output.starts_with("REFUSED") || output == "(unchanged)" {
            continue;
        }
        // Cases of suites with other registries (`accounts`, `billing.invoices`, `"Mixed"`).
        let names_default_table = ["orders", "customers", "order_items"].iter().any(|t| {
            input
                .split(|c: char| !c.is_alphanumeric() && c != '_')
                .any(|w| w == *t)
        });
        if !names_default_table {
            continue;
        }
        checked += 1;
        if analyse(&input, &registry) == Analysis::Clean {
            clean.push(format!("{file}: {input}"));
        }
    }
    assert!(checked > 80, "only {checked} statements found");
    assert!(
        clean.is_empty(),
        "{} of {checked}:\n{}",
        clean.len(),
        clean.join("\n")
    );
}
