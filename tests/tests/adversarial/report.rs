//! What a class ran: one record per case and column, the class summary and the verdict —
//! with the class's documented database-layer gaps: cases the "RLS only" column cannot stop by
//! design, asserted to still fail there (and excused nowhere else).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::case::{BACKENDS, LITE, MY, PG};
use super::env::RLS_ONLY;
use crate::isolation::run::Cell;

/// A documented database-layer gap: `(case, reason)`. The case is raw SQL the app role itself
/// may run, which no row security policy governs (the reason names the PostgreSQL mechanism);
/// the app layer refuses it. Listed per class, applied to the "RLS only" column only, and
/// asserted to still fail there: a database-side hardening that stops one fails the class until
/// its entry is removed.
pub(crate) type Gap = (&'static str, &'static str);

/// The outcome of one case in one column.
#[derive(Clone, Debug)]
pub(crate) struct Record {
    pub(crate) case: &'static str,
    pub(crate) backend: usize,
    pub(crate) column: String,
    pub(crate) cell: Cell,
    pub(crate) sql: String,
    /// A failing cell's documented gap (its reason), set by [`Report::document`].
    pub(crate) gap: Option<&'static str>,
}

impl Record {
    /// 0 refused, 1 isolated, 2 failing, 3 a documented gap.
    fn kind(&self) -> usize {
        match (&self.cell, self.gap) {
            (Cell::Refused(_), _) => 0,
            (Cell::Pass, _) => 1,
            (Cell::Fail(_), None) => 2,
            (Cell::Fail(_), Some(_)) => 3,
        }
    }
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

    /// Marks the "RLS only" cells of `gaps` as documented gaps; a listed cell that no longer
    /// fails there fails instead (the entry must go), and an entry naming no case that ran in
    /// that column is a problem with the suite.
    pub(crate) fn document(&mut self, gaps: &'static [Gap]) {
        for (i, (case, reason)) in gaps.iter().enumerate() {
            if gaps[..i].iter().any(|(c, _)| c == case) {
                self.broken
                    .push(format!("RLS_ONLY_GAPS lists {case} twice"));
            }
            let mut ran = false;
            for r in self
                .records
                .iter_mut()
                .filter(|r| r.case == *case && r.column == RLS_ONLY)
            {
                ran = true;
                let now = match &r.cell {
                    Cell::Fail(_) => {
                        r.gap = Some(reason);
                        continue;
                    }
                    Cell::Pass => "isolated".to_owned(),
                    Cell::Refused(kind) => format!("refused ({kind})"),
                };
                r.cell = Cell::Fail(format!(
                    "listed in RLS_ONLY_GAPS ({reason}), but now {now} in this column: the \
                     database layer stops it, remove the entry"
                ));
            }
            if !ran {
                self.broken.push(format!(
                    "RLS_ONLY_GAPS lists {case}, which did not run in the {RLS_ONLY} column"
                ));
            }
        }
    }

    /// The failing records (documented gaps excluded).
    pub(crate) fn failures(&self) -> Vec<&Record> {
        self.records.iter().filter(|r| r.kind() == 2).collect()
    }

    /// Prints the class summary to stderr and returns it.
    pub(crate) fn summary(&self, class: &str) -> String {
        let mut out = String::new();
        let mut per_backend = [[0usize; 4]; 3];
        let mut names: [Vec<&str>; 3] = Default::default();
        for r in &self.records {
            per_backend[r.backend][r.kind()] += 1;
            names[r.backend].push(r.case);
        }
        for n in &mut names {
            n.sort_unstable();
            n.dedup();
        }
        let total: usize = names.iter().map(Vec::len).sum();
        let mut sum = [0usize; 4];
        for e in &per_backend {
            for (s, n) in sum.iter_mut().zip(e) {
                *s += n;
            }
        }
        let [refused, isolated, failing, gaps] = sum;
        let cells: usize = sum.iter().sum();
        let documented = if gaps > 0 {
            format!(", {gaps} documented database-layer gaps")
        } else {
            String::new()
        };
        let _ = writeln!(
            out,
            "== {class}: {total} case runs ({} PostgreSQL, {} MariaDB, {} SQLite), {cells} cells: \
             {refused} refused, {isolated} isolated, {failing} failing{documented}",
            names[PG].len(),
            names[MY].len(),
            names[LITE].len()
        );
        let mut per_column: BTreeMap<&str, [usize; 4]> = BTreeMap::new();
        for r in &self.records {
            per_column.entry(r.column.as_str()).or_default()[r.kind()] += 1;
        }
        for (col, [r, p, f, g]) in per_column {
            let gaps = if g > 0 {
                format!("  documented gaps {g:>3}")
            } else {
                String::new()
            };
            let _ = writeln!(
                out,
                "   {col:<45} refused {r:>3}  isolated {p:>3}  failing {f:>3}{gaps}"
            );
        }
        if std::env::var_os("ADVERSARIAL_CELLS").is_some() {
            for r in &self.records {
                let label = match (&r.cell, r.gap) {
                    (Cell::Pass, _) => "isolated".to_owned(),
                    (Cell::Refused(kind), _) => format!("refused ({kind})"),
                    (Cell::Fail(why), Some(_)) => format!("documented gap: {why}"),
                    (Cell::Fail(_), None) => "FAIL".to_owned(),
                };
                let label = label.replace('\n', "\n        ");
                let _ = writeln!(out, "   cell {} [{}]: {label}", r.case, r.column);
            }
        }
        if gaps > 0 {
            let _ = writeln!(
                out,
                "   documented database-layer gaps ({RLS_ONLY}; each still fails there, as \
                 RLS_ONLY_GAPS lists):"
            );
            let mut by_reason: Vec<(&str, Vec<&str>)> = Vec::new();
            for r in self.records.iter().filter(|r| r.kind() == 3) {
                let reason = r.gap.unwrap_or_default();
                match by_reason.iter_mut().find(|(why, _)| *why == reason) {
                    Some((_, cases)) => cases.push(r.case),
                    None => by_reason.push((reason, vec![r.case])),
                }
            }
            for (reason, cases) in by_reason {
                let _ = writeln!(out, "     - {reason}:");
                let mut line = String::new();
                for case in cases {
                    if !line.is_empty() && line.len() + case.len() > 90 {
                        let _ = writeln!(out, "         {line}");
                        line.clear();
                    }
                    if !line.is_empty() {
                        line.push(' ');
                    }
                    line.push_str(case);
                }
                let _ = writeln!(out, "         {line}");
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

    /// Prints the summary, then fails the test if any case failed (documented gaps aside) or
    /// the suite is broken.
    pub(crate) fn finish(mut self, class: &str, floor: [usize; 3], gaps: &'static [Gap]) {
        self.require(class, floor);
        self.document(gaps);
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
