//! What a class ran: one record per case and column, the class summary and the verdict.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::case::{BACKENDS, LITE, MY, PG};
use crate::isolation::run::Cell;

/// The outcome of one case in one column.
#[derive(Clone, Debug)]
pub(crate) struct Record {
    pub(crate) case: &'static str,
    pub(crate) backend: usize,
    pub(crate) column: String,
    pub(crate) cell: Cell,
    pub(crate) sql: String,
}

/// Everything one class ran.
#[derive(Default)]
pub(crate) struct Report {
    pub(crate) records: Vec<Record>,
    /// Problems with the suite itself (a case failing on the oracle, a floor not met).
    pub(crate) broken: Vec<String>,
}

impl Report {
    /// Checks that at least `floor[b]` cases ran on backend `b`.
    pub(crate) fn require(&mut self, class: &str, floor: [usize; 3]) {
        for (b, min) in floor.iter().enumerate() {
            let mut names: Vec<&str> = self
                .records
                .iter()
                .filter(|r| r.backend == b)
                .map(|r| r.case)
                .collect();
            names.sort_unstable();
            names.dedup();
            if names.len() < *min {
                self.broken.push(format!(
                    "{class}: only {} case(s) ran on {}, at least {min} required",
                    names.len(),
                    BACKENDS[b]
                ));
            }
        }
    }

    /// The failing records.
    pub(crate) fn failures(&self) -> Vec<&Record> {
        self.records
            .iter()
            .filter(|r| matches!(r.cell, Cell::Fail(_)))
            .collect()
    }

    /// Prints the class summary to stderr and returns it.
    pub(crate) fn summary(&self, class: &str) -> String {
        let mut out = String::new();
        let mut per_backend = [(0usize, 0usize, 0usize, 0usize); 3];
        let mut names: [Vec<&str>; 3] = Default::default();
        for r in &self.records {
            let e = &mut per_backend[r.backend];
            e.0 += 1;
            match r.cell {
                Cell::Refused(_) => e.1 += 1,
                Cell::Pass => e.2 += 1,
                Cell::Fail(_) => e.3 += 1,
            }
            names[r.backend].push(r.case);
        }
        for n in &mut names {
            n.sort_unstable();
            n.dedup();
        }
        let total: usize = names.iter().map(Vec::len).sum();
        let (cells, refused, isolated, failing) = per_backend.iter().fold((0, 0, 0, 0), |a, e| {
            (a.0 + e.0, a.1 + e.1, a.2 + e.2, a.3 + e.3)
        });
        let _ = writeln!(
            out,
            "== {class}: {total} case runs ({} PostgreSQL, {} MariaDB, {} SQLite), {cells} cells: \
             {refused} refused, {isolated} isolated, {failing} failing",
            names[PG].len(),
            names[MY].len(),
            names[LITE].len()
        );
        let mut per_column: BTreeMap<&str, (usize, usize, usize)> = BTreeMap::new();
        for r in &self.records {
            let e = per_column.entry(r.column.as_str()).or_default();
            match r.cell {
                Cell::Refused(_) => e.0 += 1,
                Cell::Pass => e.1 += 1,
                Cell::Fail(_) => e.2 += 1,
            }
        }
        for (col, (r, p, f)) in per_column {
            let _ = writeln!(
                out,
                "   {col:<45} refused {r:>3}  isolated {p:>3}  failing {f:>3}"
            );
        }
        if std::env::var_os("ADVERSARIAL_CELLS").is_some() {
            for r in &self.records {
                let label = match &r.cell {
                    Cell::Pass => "isolated".to_owned(),
                    Cell::Refused(kind) => format!("refused ({kind})"),
                    Cell::Fail(_) => "FAIL".to_owned(),
                };
                let _ = writeln!(out, "   cell {} [{}]: {label}", r.case, r.column);
            }
        }
        for r in self.failures() {
            if let Cell::Fail(why) = &r.cell {
                let why = why.replace('\n', "\n        ");
                let _ = writeln!(out, "   FAIL {} [{}]: {why}", r.case, r.column);
            }
        }
        for b in &self.broken {
            let _ = writeln!(out, "   BROKEN {b}");
        }
        eprint!("{out}");
        out
    }

    /// Prints the summary, then fails the test if any case failed or the suite is broken.
    pub(crate) fn finish(mut self, class: &str, floor: [usize; 3]) {
        self.require(class, floor);
        self.summary(class);
        let failures = self.failures();
        let mut msg = String::new();
        for r in &failures {
            if let Cell::Fail(why) = &r.cell {
                let _ = writeln!(
                    msg,
                    "{} [{}]: {why}\n    SQL: {}",
                    r.case,
                    r.column,
                    r.sql.replace('\n', "\\n")
                );
            }
        }
        for b in &self.broken {
            let _ = writeln!(msg, "BROKEN: {b}");
        }
        assert!(
            failures.is_empty() && self.broken.is_empty(),
            "{class}: {} failing cell(s), {} problem(s) with the suite:\n{msg}",
            failures.len(),
            self.broken.len()
        );
    }
}
