//! System catalogues: which may be read through a tenant handle, and that none may be written.
//!
//! Names are compared part by part, lower-cased and unquoted, whatever the backend's rules
//! (fail closed: `"PG_STATS"` is treated as `pg_stats`).

use sqlparser::ast::ObjectName;

use super::super::names::Flavor;
use super::deny::listed;
use super::{lowered, shown};
use crate::error::{Error, Result};

/// PostgreSQL relations, in any schema, that hold other tenants' values or the server's
/// secrets: statistics with sampled column values and every cumulative-statistics view
/// (`pg_stat*`: `pg_stats`, `pg_statistic`, `pg_stats_ext[_exprs]`, `pg_statistic_ext_data`,
/// `pg_stat_activity` with other sessions' statement texts, `pg_stat_statements`, …), large
/// objects, locks (advisory lock keys), prepared transactions, statements and cursors,
/// replication and subscription state (connection strings), credentials, and the server's
/// configuration files, TOAST tables (out-of-line values of every row, outside Row-Level
/// Security); `information_schema.user_mapping_options` (foreign-server passwords); and the
/// statement and predicate stores of common extensions (pg_qualstats keeps the constants of
/// other sessions' predicates, pg_store_plans their plans, PoWA both, Citus its statement
/// statistics and distributed activity). `pg_class` too: its `reltuples`/`relpages` count
/// every tenant's rows (metadata by name is in `information_schema` and `pg_attribute`).
const PG_READ: &str = "pg_class pg_toast* pg_stat* pg_qualstats* pg_store_plans* powa_* citus_stat* \
    citus_dist_stat_activity citus_lock_waits pg_largeobject* pg_locks pg_prepared_xacts \
    pg_prepared_statements pg_cursors pg_replication_* pg_subscription* pg_authid pg_shadow \
    pg_user_mapping pg_user_mappings pg_file_settings pg_hba_file_rules \
    pg_ident_file_mappings user_mapping_options";

/// MySQL/MariaDB schemas never read through a tenant handle: `mysql` (EITS statistics with
/// column min/max values, grants, logs), `performance_schema` and `sys` (statement texts).
const MY_SCHEMAS_READ: &str = "mysql performance_schema sys";

/// The `information_schema` tables MySQL/MariaDB may read: metadata (names, definitions,
/// privileges, character sets). Not `TABLES`, `STATISTICS` or `PARTITIONS`: their row counts,
/// cardinalities, sizes and `AUTO_INCREMENT` values count every tenant's rows. Anything else (`PROCESSLIST`, `INNODB_*` with lock
/// data, full-text words and `trx_query`, `COLUMN_STATISTICS` histograms, `OPTIMIZER_TRACE`,
/// `QUERY_CACHE_INFO`, `USER_VARIABLES`, status and variables, plugin tables) is refused.
const MY_INFORMATION_SCHEMA: &str = "schemata schemata_extensions tables_extensions \
    columns columns_extensions views view_table_usage view_routine_usage \
    key_column_usage key_period_usage table_constraints table_constraints_extensions \
    referential_constraints check_constraints routines parameters triggers events \
    periods sequences character_sets collations collation_character_set_applicability engines \
    plugins all_plugins keywords sql_functions locales geometry_columns spatial_ref_sys \
    st_geometry_columns st_spatial_reference_systems st_units_of_measure schema_privileges \
    table_privileges column_privileges user_privileges applicable_roles enabled_roles \
    administrable_role_authorizations role_column_grants role_routine_grants \
    role_table_grants";

/// MySQL/MariaDB schemas never written through a tenant handle.
const MY_SCHEMAS_WRITE: &str = "mysql performance_schema sys information_schema";

/// The SQLite `sqlite_*` tables that may be read: the schema and AUTOINCREMENT counters.
/// Every other `sqlite_*` name is refused (`sqlite_stat1`/`3`/`4`, whose stat4 samples are
/// rows; `sqlite_dbpage`; `sqlite_stmt`; `sqlite_dbdata`), and so is `dbstat`.
const LITE_METADATA: &str = "sqlite_master sqlite_schema sqlite_temp_master \
    sqlite_temp_schema sqlite_sequence";

/// Why a catalogue read is refused.
const VALUES: &str = "it holds values of every tenant or of the server (column statistics and samples, other sessions' statement texts, locks, raw pages, credentials), which neither a tenant predicate nor Row-Level Security filters";

/// Whether a relation read through a tenant handle is refused; the reason if so.
fn read_refusal(flavor: Flavor, parts: &[String]) -> Option<String> {
    let (bare, rest) = parts.split_last()?;
    let schema = rest.last().map(String::as_str);
    match flavor {
        Flavor::Postgres => (listed(PG_READ, bare)
            || schema.is_some_and(|s| s.starts_with("pg_toast")))
        .then(|| VALUES.to_owned()),
        Flavor::MySql => match schema {
            Some(s) if listed(MY_SCHEMAS_READ, s) => Some(VALUES.to_owned()),
            Some("information_schema") if !listed(MY_INFORMATION_SCHEMA, bare) => Some(format!(
                "only the metadata tables of information_schema (columns, key_column_usage, table_constraints, …) are read through a tenant handle, and `{bare}` is not one of them: it may hold values of every tenant or of the server"
            )),
            _ => None,
        },
        Flavor::Sqlite => ((bare.starts_with("sqlite_") && !listed(LITE_METADATA, bare))
            || bare == "dbstat")
            .then(|| VALUES.to_owned()),
    }
}

/// Refuses a relation read (FROM, JOIN, subquery, CTE body…) of a catalogue holding values.
pub(crate) fn check_read(flavor: Flavor, name: &ObjectName) -> Result<()> {
    // A name that is not plain identifiers cannot be judged: refuse it.
    let reason = match lowered(name) {
        Some(parts) => read_refusal(flavor, &parts),
        None => Some("its name is not plain identifiers, so tenantry cannot judge it".to_owned()),
    };
    match reason {
        Some(reason) => Err(Error::Forbidden {
            what: format!("a reference to {}", shown(name)),
            reason: format!("{reason}{}", crate::error::UNSCOPED_HINT),
        }),
        None => Ok(()),
    }
}

/// Whether a write target is a system catalogue.
fn is_system(flavor: Flavor, parts: &[String]) -> bool {
    let Some((bare, rest)) = parts.split_last() else {
        return false;
    };
    let schema = rest.last().map(String::as_str);
    match flavor {
        Flavor::Postgres => {
            bare.starts_with("pg_")
                || schema.is_some_and(|s| s == "information_schema" || s.starts_with("pg_"))
        }
        Flavor::MySql => schema.is_some_and(|s| listed(MY_SCHEMAS_WRITE, s)),
        Flavor::Sqlite => bare.starts_with("sqlite_") || bare == "dbstat",
    }
}

/// Refuses an INSERT/UPDATE/DELETE (`verb`: "INSERT into", …) of a system catalogue.
pub(crate) fn check_write(flavor: Flavor, verb: &str, name: &ObjectName) -> Result<()> {
    // A name that is not plain identifiers cannot be judged: refuse it.
    let system = lowered(name).is_none_or(|parts| is_system(flavor, &parts));
    if !system {
        return Ok(());
    }
    let changes = match flavor {
        Flavor::Postgres => {
            "settings, statistics or the schema (an UPDATE of pg_settings is a SET)"
        }
        Flavor::MySql => "accounts and grants, server settings, statistics or instrumentation",
        Flavor::Sqlite => "the schema, AUTOINCREMENT counters, planner statistics or raw pages",
    };
    Err(Error::Forbidden {
        what: format!("{verb} {}", shown(name)),
        reason: format!(
            "it writes a system catalogue, shared by every tenant: {changes}{}",
            crate::error::UNSCOPED_HINT
        ),
    })
}
