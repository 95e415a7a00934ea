//! The rewriter's snapshot corpus as data, read from the case lists the snapshot tests use
//! (`crates/tenantry/tests/rewrite_support/cases_*.rs`).

use sea_orm::{DbBackend, Value};

/// One snapshot case.
pub(crate) struct Case {
    /// The snapshot's name.
    pub(crate) name: &'static str,
    /// Which snapshot test holds it.
    pub(crate) file: &'static str,
    /// The SQL as written in the corpus (PostgreSQL style; see `dialect_sql`).
    pub(crate) sql: &'static str,
    /// The bound values.
    pub(crate) values: Vec<Value>,
    /// The backends it is snapshotted on.
    pub(crate) backends: Vec<DbBackend>,
}

/// Every case of `rewrite_select`, `rewrite_write` and `rewrite_refuse`.
pub(crate) fn all() -> Vec<Case> {
    use sea_orm::DatabaseBackend::{MySql, Postgres, Sqlite};
    let mut out: Vec<Case> = Vec::new();
    let mut file: &str;
    macro_rules! oracle_case {
        ($name:ident, $sql:expr) => {
            oracle_case!($name, $sql, [], [Postgres, MySql, Sqlite])
        };
        ($name:ident, $sql:expr, [$($v:expr),*]) => {
            oracle_case!($name, $sql, [$($v),*], [Postgres, MySql, Sqlite])
        };
        ($name:ident, $sql:expr, [$($v:expr),*], $backends:expr) => {
            out.push(Case {
                name: stringify!($name),
                file,
                sql: $sql,
                values: vec![$(Value::from($v)),*],
                backends: $backends.to_vec(),
            })
        };
    }
    file = "rewrite_select";
    crate::select_cases!(oracle_case);
    file = "rewrite_write";
    crate::write_cases!(oracle_case);
    file = "rewrite_refuse";
    crate::refuse_cases!(oracle_case);
    out
}
