//! What an attack is — its SQL per backend, what the oracle runs, what proves containment
//! (errors that do, `must_refuse`), the hooks and `sql_mode`s it needs — and the builders the
//! class files write cases with.

use super::env::Mode;
use crate::isolation::shapes::{Expect, Run};

/// Separates the statements of a multi-step case (run one after the other in one transaction,
/// the last one's result judged).
pub(crate) const THEN: &str = "\n;;\n";

/// Backend index: PostgreSQL, MariaDB, SQLite.
pub(crate) const PG: usize = 0;
pub(crate) const MY: usize = 1;
pub(crate) const LITE: usize = 2;
pub(crate) const BACKENDS: [&str; 3] = ["PostgreSQL", "MariaDB", "SQLite"];

/// A database error that proves containment for one case.
#[derive(Clone, Debug)]
pub(crate) struct Allow {
    /// A substring of the error message.
    pub(crate) pattern: &'static str,
    /// Why this error shows nothing of B was read or written.
    pub(crate) reason: &'static str,
    /// Also accepted through the tenant handle (else: only in the raw RLS column).
    pub(crate) through_tenantry: bool,
}

/// Background sessions of tenant B a case needs while it runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Hook {
    /// Tenant B runs `SELECT … WHERE email = 'B-ben@x.test' FOR UPDATE` through its own tenant
    /// handle and waits on a row lock the admin holds, so the statement is running (and its
    /// text visible to the server's session views) while the case runs.
    BlockedB,
}

/// One attack.
#[derive(Clone, Debug)]
pub(crate) struct Case {
    pub(crate) name: &'static str,
    pub(crate) run: Run,
    pub(crate) expect: Expect,
    pub(crate) sql: [Option<&'static str>; 3],
    pub(crate) oracle: [Option<&'static str>; 3],
    pub(crate) writes: bool,
    pub(crate) allow: Vec<Allow>,
    pub(crate) must_refuse: Option<&'static str>,
    pub(crate) hook: Option<Hook>,
    /// The MariaDB `sql_mode`s the case is valid in (`None`: all the class runs).
    pub(crate) modes: Option<&'static [Mode]>,
}

fn case(name: &'static str, run: Run) -> Case {
    Case {
        name,
        run,
        expect: Expect::Same,
        sql: [None; 3],
        oracle: [None; 3],
        writes: run != Run::Query,
        allow: Vec::new(),
        must_refuse: None,
        hook: None,
        modes: None,
    }
}

/// A read (rows compared).
pub(crate) fn q(name: &'static str) -> Case {
    case(name, Run::Query)
}

/// A write run with `execute_raw` (rows affected compared).
pub(crate) fn x(name: &'static str) -> Case {
    case(name, Run::Exec)
}

/// Raw SQL run with `execute_unprepared` (possibly several statements; state compared).
pub(crate) fn s(name: &'static str) -> Case {
    case(name, Run::Script)
}

/// A write whose result rows are compared (`RETURNING`).
pub(crate) fn qw(name: &'static str) -> Case {
    let mut c = case(name, Run::Query);
    c.writes = true;
    c
}

impl Case {
    pub(crate) fn pg(mut self, sql: &'static str) -> Self {
        self.sql[PG] = Some(sql);
        self
    }
    pub(crate) fn my(mut self, sql: &'static str) -> Self {
        self.sql[MY] = Some(sql);
        self
    }
    pub(crate) fn lite(mut self, sql: &'static str) -> Self {
        self.sql[LITE] = Some(sql);
        self
    }
    /// The same SQL on every backend.
    pub(crate) fn all(self, sql: &'static str) -> Self {
        self.pg(sql).my(sql).lite(sql)
    }
    /// PostgreSQL and SQLite.
    pub(crate) fn pg_lite(self, sql: &'static str) -> Self {
        self.pg(sql).lite(sql)
    }
    /// PostgreSQL and MariaDB.
    pub(crate) fn pg_my(self, sql: &'static str) -> Self {
        self.pg(sql).my(sql)
    }
    /// MariaDB and SQLite.
    pub(crate) fn my_lite(self, sql: &'static str) -> Self {
        self.my(sql).lite(sql)
    }
    /// What the oracle runs on every backend (the statement with what tenantry fills in
    /// written out).
    pub(crate) fn oracle(mut self, sql: &'static str) -> Self {
        self.oracle = [Some(sql); 3];
        self
    }
    pub(crate) fn oracle_pg(mut self, sql: &'static str) -> Self {
        self.oracle[PG] = Some(sql);
        self
    }
    pub(crate) fn oracle_my(mut self, sql: &'static str) -> Self {
        self.oracle[MY] = Some(sql);
        self
    }
    /// An attempt on B: refused, or run with no effect at all.
    pub(crate) fn contained(mut self) -> Self {
        self.expect = Expect::Contained;
        self
    }
    /// The case writes (databases are reset after it).
    pub(crate) fn writes(mut self) -> Self {
        self.writes = true;
        self
    }
    /// A database error (in the raw RLS column only) that proves containment.
    pub(crate) fn allow(mut self, pattern: &'static str, reason: &'static str) -> Self {
        self.allow.push(Allow {
            pattern,
            reason,
            through_tenantry: false,
        });
        self
    }
    /// A database error that proves containment in every column.
    pub(crate) fn allow_all(mut self, pattern: &'static str, reason: &'static str) -> Self {
        self.allow.push(Allow {
            pattern,
            reason,
            through_tenantry: true,
        });
        self
    }
    /// Through tenantry, only a refusal passes: the effect is outside what the judge sees.
    pub(crate) fn must_refuse(mut self, reason: &'static str) -> Self {
        self.must_refuse = Some(reason);
        self
    }
    /// Runs on MariaDB only in these `sql_mode`s (the SQL is not valid in the others).
    pub(crate) fn modes(mut self, modes: &'static [Mode]) -> Self {
        self.modes = Some(modes);
        self
    }
    pub(crate) fn hook(mut self, hook: Hook) -> Self {
        self.hook = Some(hook);
        self
    }
}
