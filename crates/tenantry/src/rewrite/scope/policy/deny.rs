//! The built-in function deny-lists, per backend and category.
//!
//! Each list is a string of names separated by white space; a name ending in `*` is a prefix.
//! Names are lower case and compared with a call's last name part, lower-cased (any schema,
//! any quoting). Prefixes are deliberately broad (`lo_*`, `pg_stat_*`, `pg_wal_*`): a pure
//! function caught by one (`pg_wal_lsn_diff`) can still run through
//! `TenantDatabase::unscoped`.

use super::super::names::Flavor;

/// Why a function is denied.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Category {
    /// Changes session state the tenant context depends on.
    SessionState,
    /// Runs SQL given as text, or reads or writes tables, cursors, files or extensions named
    /// by its arguments.
    ByName,
    /// Large objects, raw pages, the write-ahead log: data below the rows' scope.
    Storage,
    /// Notifications every listening session receives.
    Notify,
    /// Locks named by value, shared by every tenant's sessions.
    Locks,
    /// Backend, replication and server control.
    Server,
    /// Other sessions' statements, locks and statistics.
    Activity,
}

impl Category {
    /// The refusal's reason (without the unscoped hint).
    pub(crate) fn reason(self) -> &'static str {
        match self {
            Self::SessionState => "it changes session state the tenant context depends on",
            Self::ByName => "it reads tables or files by name, out of tenantry's sight",
            Self::Storage => {
                "it reads or writes large objects, raw pages or the write-ahead log, which belong to no tenant and which neither a tenant predicate nor Row-Level Security covers"
            }
            Self::Notify => {
                "it sends a notification that every listening session receives, whatever its tenant"
            }
            Self::Locks => {
                "it takes, releases or inspects a lock named by value, shared by every tenant's sessions (tenantry fences tenant moves with such a lock)"
            }
            Self::Server => "it controls the server, replication or other sessions",
            Self::Activity => {
                "it reads other sessions' statements, locks or statistics, which carry other tenants' values"
            }
        }
    }
}

// PostgreSQL ---------------------------------------------------------------------------------

/// Runs SQL given as text, or reads a table, cursor, schema or database named by an argument;
/// `dblink*` runs SQL text in another database, `pg_background_*` in a background worker,
/// Citus's `run_command_on_*` on other nodes.
const PG_SQL_TEXT: &str = "query_to_xml* table_to_xml* cursor_to_xml* schema_to_xml* \
    database_to_xml* ts_stat ts_rewrite dblink* pg_background_* run_command_on_* \
    query_export_to_s3 table_import_from_s3";
/// Reads or writes the server's files (core, adminpack), imports and exports large objects
/// from files.
const PG_FILES: &str = "pg_read_file pg_read_binary_file pg_ls_* pg_stat_file pg_file_* \
    pg_logdir_ls pg_current_logfile lo_import lo_export";
/// Large objects; raw pages (pageinspect), forced tuple surgery (pg_surgery); WAL contents.
const PG_STORAGE: &str = "lo_* loread lowrite get_raw_page heap_page_items \
    heap_page_item_attrs tuple_data_split bt_page_items brin_page_items gin_leafpage_items \
    gist_page_items gist_page_items_bytea hash_page_items heap_force_kill heap_force_freeze \
    pg_get_wal_* pg_logical_slot_*";
/// Session state the tenant context (Row-Level Security's setting) depends on.
const PG_SESSION: &str = "set_config";
/// Notifications.
const PG_NOTIFY: &str = "pg_notify";
/// Advisory locks (tenant moves fence writes with a transaction-level one).
const PG_LOCKS: &str = "pg_advisory_* pg_try_advisory_*";
/// Backend control, configuration, backups, WAL and replication.
const PG_SERVER: &str = "pg_cancel_backend pg_terminate_backend pg_reload_conf \
    pg_rotate_logfile* pg_promote pg_switch_wal pg_switch_xlog pg_create_* \
    pg_drop_replication_slot pg_copy_* pg_replication_* pg_sync_replication_slots \
    pg_get_replication_slots pg_show_replication_origin_status pg_backup_* pg_start_backup \
    pg_stop_backup pg_wal_* pg_xlog_* pg_current_wal_* pg_current_xlog_* pg_last_wal_* \
    pg_last_xlog_* pg_last_xact_replay_timestamp pg_is_wal_replay_paused pg_walfile_name* \
    pg_split_walfile_name pg_available_wal_summaries pg_log_* pg_import_system_collations \
    brin_summarize_* brin_desummarize_range gin_clean_pending_list postgres_fdw_disconnect* \
    pg_logical_*";
/// Other sessions' activity and statistics (`pg_stat_get_*`, `pg_stat_statements*`,
/// `pg_stat_reset*`), locks, prepared transactions and statements; the statement and
/// predicate stores of pg_qualstats, pg_store_plans, PoWA and Citus.
const PG_ACTIVITY: &str = "pg_stat_* pg_qualstats* pg_store_plans* powa_* citus_stat* \
    pg_lock_status pg_prepared_xact pg_prepared_statement \
    pg_cursor pg_show_all_file_settings pg_hba_file_rules pg_ident_file_mappings";
/// Schemas whose every function is denied: pg_cron schedules SQL text, the RDS extensions
/// export queries and invoke functions outside the database.
const PG_SCHEMAS: &str = "cron aws_s3 aws_lambda aws_commons";

// MySQL / MariaDB ----------------------------------------------------------------------------

/// Runs SQL text on other servers (MariaDB Spider).
const MY_SQL_TEXT: &str = "spider_direct_sql spider_bg_direct_sql spider_copy_tables";
/// Reads the server's files.
const MY_FILES: &str = "load_file";
/// Session and server environment (lib_mysqludf_sys).
const MY_SESSION: &str = "sys_get sys_set";
/// Named locks: user-level, locking service, version tokens.
const MY_LOCKS: &str = "get_lock release_lock release_all_locks is_free_lock is_used_lock \
    service_get_read_locks service_get_write_locks service_release_locks version_tokens_*";
/// Shell commands (lib_mysqludf_sys), replication waits and control, Galera, group replication, firewall, rewriter, keyring,
/// masking dictionaries, Spider maintenance.
const MY_SERVER: &str = "sys_exec sys_eval master_pos_wait source_pos_wait master_gtid_wait \
    wait_for_executed_gtid_set wait_until_sql_thread_after_gtids binlog_gtid_pos wsrep_* \
    group_replication_* asynchronous_connection_failover_* mysql_firewall_* set_firewall_* \
    load_rewrite_rules keyring_* masking_dictionary_* gen_dictionary_* spider_ping_table \
    spider_flush_table_mon_cache audit_api_message_emit_udf";
/// Other sessions' statements: the audit log, information_schema internals.
const MY_ACTIVITY: &str = "audit_log_* internal_*";
/// System schemas: a function qualified with one reads server state (`sys.ps_thread_trx_info`
/// returns other sessions' statements).
pub(crate) const MY_SCHEMAS: &str = "sys mysql performance_schema information_schema";

// SQLite -------------------------------------------------------------------------------------

/// Runs or compiles SQL given as text (`eval`, shathree's `sha3_query`, the bytecode tables).
const LITE_SQL_TEXT: &str = "eval sha3_query bytecode tables_used";
/// Files, extensions and programs (fileio, zipfile, the shell's `edit`), and
/// `fts3_tokenizer`, which registers a tokenizer from a pointer.
const LITE_FILES: &str = "load_extension readfile writefile edit fsdir zipfile* \
    fts3_tokenizer";
/// Raw pages and records (dbstat, sqlite_dbpage, recovery's sqlite_dbdata/sqlite_dbptr).
const LITE_STORAGE: &str = "dbstat sqlite_dbpage sqlite_dbdata sqlite_dbptr";
/// Statements prepared on the connection (shared by every tenant using it from the pool).
const LITE_ACTIVITY: &str = "sqlite_stmt";
/// Schema internals of ALTER TABLE.
const LITE_SERVER: &str = "sqlite_rename_* sqlite_drop_column";

/// The lists of a backend, with their categories.
fn families(flavor: Flavor) -> &'static [(Category, &'static str)] {
    match flavor {
        Flavor::Postgres => &[
            (Category::SessionState, PG_SESSION),
            (Category::ByName, PG_SQL_TEXT),
            (Category::ByName, PG_FILES),
            (Category::Storage, PG_STORAGE),
            (Category::Notify, PG_NOTIFY),
            (Category::Locks, PG_LOCKS),
            (Category::Activity, PG_ACTIVITY),
            (Category::Server, PG_SERVER),
        ],
        Flavor::MySql => &[
            (Category::SessionState, MY_SESSION),
            (Category::ByName, MY_SQL_TEXT),
            (Category::ByName, MY_FILES),
            (Category::Locks, MY_LOCKS),
            (Category::Activity, MY_ACTIVITY),
            (Category::Server, MY_SERVER),
        ],
        Flavor::Sqlite => &[
            (Category::ByName, LITE_SQL_TEXT),
            (Category::ByName, LITE_FILES),
            (Category::Storage, LITE_STORAGE),
            (Category::Activity, LITE_ACTIVITY),
            (Category::Server, LITE_SERVER),
        ],
    }
}

/// Whether `name` (lower case) is on `list` (names and `prefix*` entries).
pub(crate) fn listed(list: &str, name: &str) -> bool {
    list.split_ascii_whitespace()
        .any(|entry| match entry.strip_suffix('*') {
            Some(prefix) => name.starts_with(prefix),
            None => entry == name,
        })
}

/// The category of a denied function, by its last name part (lower case).
pub(crate) fn denied(flavor: Flavor, bare: &str) -> Option<Category> {
    families(flavor)
        .iter()
        .find(|(_, list)| listed(list, bare))
        .map(|(c, _)| *c)
}

/// Whether every function of `schema` (lower case) is denied.
pub(crate) fn denied_schema(flavor: Flavor, schema: &str) -> Option<Category> {
    match flavor {
        Flavor::Postgres if listed(PG_SCHEMAS, schema) => Some(Category::ByName),
        Flavor::MySql if listed(MY_SCHEMAS, schema) => Some(Category::Activity),
        _ => None,
    }
}
