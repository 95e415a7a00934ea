//! Class 7 — catalogue and statistics views that carry other tenants' values: planner
//! statistics (`pg_stats`, `pg_statistic`, `pg_stats_ext`, `pg_class.reltuples`; MariaDB's
//! `mysql.column_stats`, `information_schema.tables` / `statistics`; SQLite's `sqlite_stat1`,
//! `sqlite_stat4`, `dbstat`), filled by `ANALYZE` run as admin after every reset, and the
//! session views that show another session's statement text (`pg_stat_activity`,
//! `information_schema.processlist`, `performance_schema`), with tenant B's session running
//! (or having run) a statement whose text holds B's values.
//!
//! No case text holds a B value itself, so a B value in a result came from the catalogue.
//! Views whose rows differ between databases for reasons other than B (session lists) are
//! `Contained` (judged on B's values appearing); counts and statistics are `Same`.

use super::case::{Case, Hook, q, s, x};
use super::report::Gap;

/// Why another session's statement text is open to raw SQL under RLS alone.
const ACTIVITY: &str = "pg_stat_activity (over pg_stat_get_activity) shows the query text of every session of the same role, B's included; row security does not apply to it";

/// What the "RLS only" column cannot stop by design: raw SQL run as the app role itself. The
/// app layer refuses every one; the class asserts each still fails in that column.
pub(crate) const RLS_ONLY_GAPS: &[Gap] = &[
    (
        "cat/pg_class_reltuples",
        "pg_class is readable by every role and row security does not apply to system catalogues: reltuples counts every tenant's rows",
    ),
    ("cat/pg_stat_activity_idle_session", ACTIVITY),
    ("cat/pg_stat_activity_running_session", ACTIVITY),
    ("cat/pg_stat_activity_qualified", ACTIVITY),
    ("cat/pg_stat_get_activity_in_from", ACTIVITY),
    (
        "cat/pg_stat_get_backend_activity",
        "pg_stat_get_backend_activity() returns the query text of any backend of the same role, B's included",
    ),
    ("cat/pg_stat_activity_joined_with_scoped_table", ACTIVITY),
    ("cat/pg_stat_activity_in_exists", ACTIVITY),
];

pub(crate) const PG_PREPARE: &[&str] = &["ANALYZE"];
pub(crate) const MY_PREPARE: &[&str] =
    &["ANALYZE TABLE customers, orders, order_items PERSISTENT FOR ALL"];
pub(crate) const LITE_PREPARE: &[&str] = &["ANALYZE"];

/// The statement tenant B's idle session ran last (PostgreSQL), set up by the test.
pub(crate) const B_IDLE_STATEMENT: &str =
    "SELECT id, name FROM customers WHERE email = 'B-ben@x.test'";

pub(crate) fn cases() -> Vec<Case> {
    let mut v = postgres();
    v.extend(mariadb());
    v.extend(sqlite());
    v
}

fn postgres() -> Vec<Case> {
    const NOT_LOADED: &str = "pg_stat_statements is not loaded on this server: nothing is read";
    vec![
        q("cat/pg_stats_values")
            .pg("SELECT attname, most_common_vals::text AS mcv, histogram_bounds::text AS h FROM pg_stats WHERE tablename = 'customers'")
            .contained(),
        q("cat/pg_stats_quoted_qualified")
            .pg("SELECT histogram_bounds::text AS h FROM \"pg_catalog\".\"pg_stats\" WHERE tablename = 'customers' AND attname = 'name'")
            .contained(),
        q("cat/pg_stats_upper_case")
            .pg("SELECT MOST_COMMON_VALS::TEXT AS v FROM PG_CATALOG.PG_STATS WHERE TABLENAME = 'orders' AND ATTNAME = 'tenant_id'")
            .contained(),
        q("cat/pg_stats_in_scalar_subquery_beside_scoped_table")
            .pg("SELECT c.name, (SELECT histogram_bounds::text FROM pg_stats WHERE tablename = 'customers' AND attname = 'name') AS h FROM customers c")
            .contained(),
        q("cat/pg_stats_in_cte")
            .pg("WITH s AS (SELECT most_common_vals::text AS v FROM pg_stats WHERE tablename = 'orders' AND attname = 'tenant_id') SELECT v FROM s")
            .contained(),
        q("cat/pg_stats_in_join_with_scoped_table")
            .pg("SELECT o.id, s.most_common_vals::text AS v FROM orders o JOIN pg_stats s ON s.tablename = 'orders' AND s.attname = 'tenant_id'")
            .contained(),
        q("cat/pg_stats_in_exists")
            .pg("SELECT sku FROM products WHERE EXISTS (SELECT 1 FROM pg_stats WHERE tablename = 'customers' AND attname = 'name' AND histogram_bounds::text LIKE '%bob%')"),
        x("cat/pg_stats_in_insert_select")
            .pg("INSERT INTO orders (customer_id, status, total) SELECT 2001, 'seen', 1 FROM pg_stats WHERE tablename = 'customers' AND attname = 'name' AND histogram_bounds::text LIKE '%bob%'")
            .oracle_pg("INSERT INTO orders (customer_id, status, total, tenant_id) SELECT 2001, 'seen', 1, $A FROM pg_stats WHERE tablename = 'customers' AND attname = 'name' AND histogram_bounds::text LIKE '%bob%'"),
        q("cat/pg_statistic").pg("SELECT stavalues1::text AS v FROM pg_statistic"),
        q("cat/pg_stats_ext")
            .pg("SELECT most_common_vals::text AS v FROM pg_stats_ext WHERE tablename = 'customers'")
            .contained(),
        q("cat/pg_stats_ext_exprs")
            .pg("SELECT most_common_vals::text AS v FROM pg_stats_ext_exprs WHERE tablename = 'customers'")
            .contained(),
        q("cat/pg_class_reltuples")
            .pg("SELECT relname, reltuples FROM pg_class WHERE relname IN ('customers', 'orders', 'order_items') ORDER BY relname"),
        q("cat/pg_stat_activity_idle_session")
            .pg("SELECT query FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND state = 'idle'")
            .contained(),
        q("cat/pg_stat_activity_running_session")
            .pg("SELECT query FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND state = 'active'")
            .contained()
            .hook(Hook::BlockedB),
        q("cat/pg_stat_activity_qualified")
            .pg("SELECT query FROM pg_catalog.pg_stat_activity WHERE pid <> pg_backend_pid()")
            .contained()
            .hook(Hook::BlockedB),
        q("cat/pg_stat_get_activity_in_from")
            .pg("SELECT query FROM pg_stat_get_activity(NULL) a WHERE pid <> pg_backend_pid()")
            .contained(),
        q("cat/pg_stat_get_backend_activity")
            .pg("SELECT pg_stat_get_backend_activity(s) AS q FROM pg_stat_get_backend_idset() s WHERE pg_stat_get_backend_pid(s) <> pg_backend_pid()")
            .contained(),
        q("cat/pg_stat_activity_joined_with_scoped_table")
            .pg("SELECT c.name, a.query FROM customers c JOIN pg_stat_activity a ON a.pid <> pg_backend_pid() AND a.state = 'idle'")
            .contained(),
        q("cat/pg_stat_activity_in_exists")
            .pg("SELECT sku FROM products WHERE EXISTS (SELECT 1 FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND query LIKE concat('%', 'ben', '@%'))"),
        q("cat/pg_stat_statements")
            .pg("SELECT query FROM pg_stat_statements")
            .contained()
            .allow_all("pg_stat_statements must be loaded via shared_preload_libraries", NOT_LOADED),
    ]
}

fn mariadb() -> Vec<Case> {
    const DENIED: &str = "the app user has no privilege on the mysql schema: nothing is read";
    const PS_DENIED: &str = "the app user has no privilege on performance_schema: nothing is read";
    const PROCESS: &str = "the view needs the PROCESS privilege, which the app user lacks";
    vec![
        q("cat/my_column_stats")
            .my("SELECT column_name, min_value, max_value FROM mysql.column_stats WHERE table_name = 'customers'")
            .contained()
            .allow_all("command denied", DENIED),
        q("cat/my_column_stats_quoted")
            .my("SELECT `min_value`, `max_value` FROM `mysql`.`column_stats` WHERE `column_name` = 'name'")
            .contained()
            .allow_all("command denied", DENIED),
        q("cat/my_column_stats_in_subquery")
            .my("SELECT c.name, (SELECT max(max_value) FROM mysql.column_stats) AS m FROM customers c")
            .contained()
            .allow_all("command denied", DENIED),
        q("cat/my_table_stats")
            .my("SELECT cardinality FROM mysql.table_stats WHERE table_name = 'customers'")
            .contained()
            .allow_all("command denied", DENIED),
        q("cat/my_index_stats")
            .my("SELECT index_name, avg_frequency FROM mysql.index_stats WHERE table_name = 'customers'")
            .contained()
            .allow_all("command denied", DENIED),
        q("cat/my_information_schema_table_rows")
            .my("SELECT table_name, table_rows FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name IN ('customers', 'orders') ORDER BY table_name"),
        q("cat/my_information_schema_statistics")
            .my("SELECT index_name, cardinality FROM information_schema.statistics WHERE table_schema = DATABASE() AND table_name = 'customers' ORDER BY index_name, seq_in_index"),
        q("cat/my_processlist")
            .my("SELECT info FROM information_schema.processlist WHERE id <> CONNECTION_ID() AND info IS NOT NULL")
            .contained()
            .hook(Hook::BlockedB),
        q("cat/my_processlist_upper_quoted")
            .my("SELECT INFO FROM `INFORMATION_SCHEMA`.`PROCESSLIST` WHERE ID <> CONNECTION_ID() AND INFO IS NOT NULL")
            .contained()
            .hook(Hook::BlockedB),
        q("cat/my_processlist_joined_with_scoped_table")
            .my("SELECT c.name, p.info FROM customers c JOIN information_schema.processlist p ON p.id <> CONNECTION_ID() AND p.info IS NOT NULL")
            .contained()
            .hook(Hook::BlockedB),
        q("cat/my_processlist_in_exists")
            .my("SELECT sku FROM products WHERE EXISTS (SELECT 1 FROM information_schema.processlist WHERE id <> CONNECTION_ID() AND info LIKE CONCAT('%', 'ben', '@%'))")
            .hook(Hook::BlockedB),
        q("cat/my_show_processlist")
            .my("SHOW FULL PROCESSLIST")
            .contained()
            .hook(Hook::BlockedB),
        q("cat/my_performance_schema_current")
            .my("SELECT sql_text FROM performance_schema.events_statements_current")
            .contained()
            .allow_all("command denied", PS_DENIED),
        q("cat/my_performance_schema_history")
            .my("SELECT sql_text FROM performance_schema.events_statements_history")
            .contained()
            .allow_all("command denied", PS_DENIED),
        q("cat/my_innodb_trx")
            .my("SELECT trx_query FROM information_schema.innodb_trx")
            .contained()
            .allow_all("PROCESS privilege", PROCESS)
            .hook(Hook::BlockedB),
        s("cat/my_analyze_statement")
            .my("ANALYZE TABLE customers PERSISTENT FOR ALL")
            .contained(),
        q("cat/my_show_table_status").my("SHOW TABLE STATUS LIKE 'customers'").contained(),
        q("cat/my_show_index").my("SHOW INDEX FROM customers").contained(),
    ]
}

fn sqlite() -> Vec<Case> {
    vec![
        q("cat/lite_stat1").lite("SELECT tbl, idx, stat FROM sqlite_stat1 ORDER BY tbl, idx"),
        q("cat/lite_stat1_qualified")
            .lite("SELECT stat FROM main.sqlite_stat1 WHERE tbl = 'customers' ORDER BY idx"),
        q("cat/lite_stat1_quoted_upper_case")
            .lite("SELECT STAT FROM \"SQLITE_STAT1\" WHERE TBL = 'customers' ORDER BY IDX"),
        q("cat/lite_stat1_in_cte")
            .lite("WITH s AS (SELECT stat FROM sqlite_stat1 WHERE tbl = 'customers') SELECT stat FROM s ORDER BY stat"),
        q("cat/lite_stat4")
            .lite("SELECT tbl, idx, neq, nlt, ndlt, hex(sample) AS s FROM sqlite_stat4 ORDER BY tbl, idx, nlt"),
        q("cat/lite_stat4_holds_other_tenants_values")
            .lite("SELECT count(*) AS n FROM sqlite_stat4 WHERE instr(sample, CAST('ben@' AS BLOB)) > 0"),
        q("cat/lite_stat4_joined_with_scoped_table")
            .lite("SELECT c.name, s.neq FROM customers c JOIN sqlite_stat4 s ON s.tbl = 'customers' AND s.idx = 'customers_tenant_id_email_key'"),
        q("cat/lite_dbstat")
            .lite("SELECT name, sum(ncell) AS cells, sum(payload) AS bytes FROM dbstat WHERE name = 'customers' GROUP BY name"),
        s("cat/lite_analyze_statement").lite("ANALYZE").contained(),
    ]
}
