//! The function and catalogue policy: which function calls and which system catalogues a
//! statement sent through a tenant handle may use.
//!
//! # Functions
//! Every call is judged — in an expression (select list, `WHERE`, `VALUES`, `RETURNING`,
//! `ON CONFLICT`, …) or as a table function in `FROM`/`JOIN`/`LATERAL`
//! (`FROM f(…)`, `LATERAL f(…)`, `TABLE(f(…))`) — by its name, with each part lower-cased and
//! unquoted whatever the backend's rules (fail closed: `"SET_CONFIG"`, `Set_Config` and
//! `pg_catalog.set_config` are all `set_config`). Comments between the name and `(` are gone
//! by the time the parser has read the call.
//!
//! 1. The built-in deny-list of the backend ([`deny`]), matched on the last name part in any
//!    schema: functions that run SQL given as text or read tables and files by name, change
//!    session state, reach large objects, raw pages or the write-ahead log, notify, take named
//!    locks, control the server, or read other sessions' statements and statistics. Some
//!    schemas are denied whole: `cron`, `aws_s3`, `aws_lambda` on PostgreSQL; `sys`,
//!    `mysql`, `performance_schema`, `information_schema` on MySQL/MariaDB.
//! 2. The application's [`FunctionPolicy::deny`] entries.
//! 3. In allow-list mode ([`FunctionPolicy::allow_list`]), everything else must be on the
//!    backend's built-in allow-list ([`allow`]) — called unqualified, or qualified with the
//!    built-in schema (`pg_catalog`) — or on the application's [`FunctionPolicy::allow`]
//!    entries. A built-in name called with another qualification (`app.lower(x)`) is an
//!    application function and must be allowed as such (`"app.lower"`).
//!
//! Syntactic built-ins the parser reads as their own expressions (`CAST`, `EXTRACT`,
//! `SUBSTRING(x FROM n)`, `TRIM`, `POSITION`, `CEIL`, `OVERLAY`, `CONVERT`, `CASE`,
//! `ARRAY[…]`, `MATCH … AGAINST`) and table factors (`UNNEST`, `JSON_TABLE`, `XMLTABLE`) are
//! not calls and run in both modes; the calls inside their arguments are judged.
//!
//! # Catalogues
//! Reads ([`catalogue::check_read`]) of catalogues holding values — not only names — are
//! refused wherever the relation appears (FROM, JOIN, subquery, CTE, write source):
//! - PostgreSQL: a deny-list, matched on the last name part in any schema
//!   (`pg_stat*`, `pg_statistic*`, `pg_largeobject*`, `pg_locks`, `pg_prepared_*`,
//!   `pg_cursors`, replication, subscriptions, credentials, configuration files, TOAST, and
//!   `pg_class`, whose `reltuples` counts every tenant's rows). The catalogue is fixed per
//!   release, value-carrying views follow the `pg_stat*` naming, and Row-Level Security backs
//!   the rewriter; the metadata the application and its tools read (`pg_attribute`,
//!   `pg_namespace`, `pg_settings`, `information_schema.*`) stays readable.
//! - MySQL/MariaDB: `mysql`, `performance_schema` and `sys` are refused whole, and
//!   `information_schema` through an allow-list of metadata tables (not `TABLES`,
//!   `STATISTICS`, `PARTITIONS`: row counts and `AUTO_INCREMENT`): plugins add tables there
//!   (InnoDB, query cache, user statistics, user variables, Galera…), many holding values,
//!   so an unknown name is refused.
//! - SQLite: `sqlite_*` names are reserved, so an allow-list of the schema tables
//!   (`sqlite_master`, `sqlite_schema`, `sqlite_temp_*`, `sqlite_sequence`); every other
//!   `sqlite_*` (`sqlite_stat1`/`3`/`4`, `sqlite_dbpage`, `sqlite_stmt`) and `dbstat` are
//!   refused. `pragma_table_info(…)` and its siblings have no side effects and stay allowed.
//!
//! Writes ([`catalogue::check_write`]): an INSERT, UPDATE or DELETE whose target is in a
//! system schema (`pg_catalog`, `information_schema`, `pg_*`, or any `pg_*` name, on
//! PostgreSQL; `mysql`, `information_schema`, `performance_schema`, `sys` on MySQL; any
//! `sqlite_*` name or `dbstat` on SQLite) is refused: `UPDATE pg_settings SET setting = …`
//! is `set_config` in disguise.
//!
//! [`FunctionPolicy::deny`]: crate::FunctionPolicy::deny
//! [`FunctionPolicy::allow`]: crate::FunctionPolicy::allow
//! [`FunctionPolicy::allow_list`]: crate::FunctionPolicy::allow_list

pub(crate) mod allow;
pub(crate) mod catalogue;
pub(crate) mod deny;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_rewrite;

use sqlparser::ast::ObjectName;

use super::names::{self, Flavor};
use crate::error::{Error, Result};
use crate::registry::FunctionPolicy;

/// Where a call appears, for messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Position {
    /// In an expression.
    Expr,
    /// As a table function in FROM, JOIN or LATERAL.
    From,
}

/// The parts of a name, lower case and unquoted; `None` when a part is not an identifier.
pub(crate) fn lowered(name: &ObjectName) -> Option<Vec<String>> {
    names::idents(name).map(|parts| parts.iter().map(|i| i.value.to_ascii_lowercase()).collect())
}

/// A name as written, for messages: in backticks unless it holds one (MySQL quoting).
pub(crate) fn shown(name: &ObjectName) -> String {
    let s = name.to_string();
    if s.contains('`') { s } else { format!("`{s}`") }
}

/// How a refused call is named in the message.
fn what(name: &ObjectName, position: Position) -> String {
    match position {
        // The last part as written, as refusals of calls have always read.
        Position::Expr => match names::idents(name).and_then(|p| p.last().copied()) {
            Some(last) => format!("{}()", last.value),
            None => format!("{name}()"),
        },
        Position::From => {
            let s = name.to_string();
            if s.contains('`') {
                format!("{s}() in FROM")
            } else {
                format!("`{s}()` in FROM")
            }
        }
    }
}

/// Whether an application entry (`f`, `prefix*`, `s.f`, `s.*`) matches `name` (lower case).
fn entry_matches(entry: &str, name: &str) -> bool {
    match entry.strip_suffix('*') {
        Some(prefix) => name.starts_with(prefix),
        None => entry == name,
    }
}

/// Whether an application deny entry matches a call: on the last part, whatever the
/// qualification; `s.*` matches every call qualified with `s`.
fn app_denied(policy: &FunctionPolicy, bare: &str, schema: Option<&str>) -> bool {
    policy.denied().any(|entry| match entry.rsplit_once('.') {
        Some((s, "*")) => schema == Some(s),
        Some((_, last)) => entry_matches(last, bare),
        None => entry_matches(entry, bare),
    })
}

/// Whether the allow-list lets a call through.
fn allow_listed(flavor: Flavor, policy: &FunctionPolicy, parts: &[String]) -> bool {
    let Some((bare, rest)) = parts.split_last() else {
        return false;
    };
    let builtin = match rest {
        [] => true,
        [schema] => allow::builtin_schema(flavor) == Some(schema.as_str()),
        _ => false,
    };
    let qualified = parts.join(".");
    (builtin
        && (allow::allowed(flavor, bare)
            || policy
                .allowed()
                .any(|e| !e.contains('.') && entry_matches(e, bare))))
        || policy
            .allowed()
            .any(|e| e.contains('.') && entry_matches(e, &qualified))
}

/// Judges one call of `name` under the registry's function policy.
pub(crate) fn check_call(
    flavor: Flavor,
    policy: &FunctionPolicy,
    name: &ObjectName,
    position: Position,
) -> Result<()> {
    let refuse = |reason: String| {
        Err(Error::Forbidden {
            what: what(name, position),
            reason,
        })
    };
    let hint = crate::error::UNSCOPED_HINT;
    let Some(parts) = lowered(name) else {
        return refuse(format!(
            "its name is not a plain identifier, so tenantry cannot judge it{hint}"
        ));
    };
    let Some((bare, rest)) = parts.split_last() else {
        return refuse(format!("it has no name{hint}"));
    };
    let schema = rest.last().map(String::as_str);
    if let Some(category) =
        deny::denied(flavor, bare).or_else(|| schema.and_then(|s| deny::denied_schema(flavor, s)))
    {
        return refuse(format!("{}{hint}", category.reason()));
    }
    if app_denied(policy, bare, schema) {
        return refuse(format!("the registry's function policy denies it{hint}"));
    }
    if policy.is_allow_list() && !allow_listed(flavor, policy, &parts) {
        let q = parts.join(".");
        return refuse(format!(
            "the registry's function policy is an allow-list and `{q}` is not on it; if it reads nothing but its arguments, allow it with `FunctionPolicy::allow(\"{q}\")` in `Registry::with_function_policy`"
        ));
    }
    Ok(())
}
