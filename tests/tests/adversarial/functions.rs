//! Class 4 — functions that run SQL or reach outside the statement, in expressions and as
//! table functions in FROM / JOIN / LATERAL, qualified, quoted, in any case.
//!
//! - `set_config` and `UPDATE pg_settings` change `tenantry.tenant_id`, the setting RLS reads:
//!   each such case reads the setting (or the customers) afterwards in the same transaction,
//!   so a switch shows up as B's id (or B's rows) in the result.
//! - `query_to_xml` & co., `ts_stat`, `ts_rewrite` run query text the rewriter never sees.
//! - File functions, large objects (B's large object holds `B-secret-lob`), `dblink` (installed
//!   in the RLS database, absent from the app-layer database: it must be refused either way).
//! - Shared server state: `pg_notify` (a notification channel is every tenant's; the judge
//!   cannot see a notification, so only a refusal passes), advisory / named locks (tenant B
//!   holds one for the whole run: probing it reveals B's activity), MariaDB `load_file`,
//!   SQLite `load_extension`, `readfile`, `writefile`, `ATTACH`.
//! - Table functions whose arguments read scoped tables (`unnest`, `jsonb_array_elements_text`,
//!   `JSON_TABLE`, `json_each`): scoped or refused.

use super::case::{Case, q, qw, s, x};
use super::report::Gap;

/// Why raw `set_config` switches the tenant under RLS alone.
const SET_CONFIG: &str = "`tenantry.tenant_id` is a custom GUC the app role may set itself: set_config() switches the tenant the policies read through current_setting()";
/// Why B's large object is open to raw SQL under RLS alone.
const LARGE_OBJECT: &str = "large objects have no row security: the app role owns B's (it created it), so lo_get / loread / lo_put / lo_unlink reach it";

/// What the "RLS only" column cannot stop by design: raw SQL run as the app role itself. The
/// app layer refuses every one; the class asserts each still fails in that column.
pub(crate) const RLS_ONLY_GAPS: &[Gap] = &[
    ("fn/set_config_in_from_same_statement", SET_CONFIG),
    ("fn/set_config_in_from", SET_CONFIG),
    ("fn/set_config_in_from_then_read", SET_CONFIG),
    ("fn/set_config_in_from_qualified", SET_CONFIG),
    ("fn/set_config_in_from_quoted", SET_CONFIG),
    ("fn/set_config_in_from_upper_case", SET_CONFIG),
    ("fn/set_config_in_from_session_level", SET_CONFIG),
    ("fn/set_config_join_lateral", SET_CONFIG),
    ("fn/set_config_cross_join", SET_CONFIG),
    ("fn/set_config_rows_from", SET_CONFIG),
    ("fn/set_config_in_derived_table", SET_CONFIG),
    ("fn/set_config_in_cte", SET_CONFIG),
    ("fn/set_config_in_exists", SET_CONFIG),
    ("fn/set_config_in_delete_using", SET_CONFIG),
    ("fn/set_config_in_select_list", SET_CONFIG),
    ("fn/set_config_in_where", SET_CONFIG),
    ("fn/set_config_in_join_on", SET_CONFIG),
    ("fn/set_config_in_case", SET_CONFIG),
    ("fn/set_config_in_order_by", SET_CONFIG),
    ("fn/set_config_as_function_argument", SET_CONFIG),
    ("fn/set_config_quoted_qualified_expression", SET_CONFIG),
    ("fn/set_config_upper_case_expression", SET_CONFIG),
    ("fn/set_config_in_returning", SET_CONFIG),
    ("fn/lo_get_other_tenants_object", LARGE_OBJECT),
    ("fn/loread_other_tenants_object", LARGE_OBJECT),
    ("fn/lo_get_in_lateral", LARGE_OBJECT),
    ("fn/lo_put", LARGE_OBJECT),
    ("fn/lo_unlink", LARGE_OBJECT),
    (
        "fn/pg_advisory_lock_probe",
        "advisory locks are one namespace per database, not per tenant: pg_try_advisory_xact_lock() fails while B's session holds the key",
    ),
    (
        "fn/pg_advisory_lock_probe_in_from",
        "advisory locks are one namespace per database, not per tenant: pg_try_advisory_xact_lock() fails while B's session holds the key",
    ),
    (
        "fn/pg_locks_shows_other_tenants_lock",
        "the pg_locks view is readable by every role and lists every session's locks, B's advisory lock included",
    ),
];

/// Tenant B's id as a SQL string literal.
macro_rules! b {
    () => {
        "'00000000-0000-4000-8000-00000000000b'"
    };
}

/// Appended to a switching attempt: reads the tenant setting in the same transaction.
macro_rules! then_setting {
    () => {
        "\n;;\nSELECT current_setting('tenantry.tenant_id') AS t"
    };
}

/// Appended to a switching attempt: reads the customers in the same transaction.
macro_rules! then_customers {
    () => {
        "\n;;\nSELECT id, name FROM customers"
    };
}

pub(crate) fn cases() -> Vec<Case> {
    let mut v = settings();
    v.extend(query_text());
    v.extend(files_and_objects());
    v.extend(shared_state());
    v.extend(table_functions());
    v.extend(mysql_sqlite());
    // Last: it deletes B's large object when it runs.
    v.push(
        q("fn/lo_unlink")
            .pg("SELECT lo_unlink(oid) AS r FROM pg_largeobject_metadata")
            .writes()
            .must_refuse(
                "it deletes a large object, which belongs to no tenant the rewriter can see",
            ),
    );
    v
}

/// `set_config` and `pg_settings`: switching the tenant RLS reads.
fn settings() -> Vec<Case> {
    vec![
        q("fn/set_config_in_from_same_statement")
            .pg(concat!("SELECT c.id, c.name FROM set_config('tenantry.tenant_id', ", b!(), ", true) s, customers c"))
            .contained(),
        q("fn/set_config_in_from")
            .pg(concat!("SELECT s FROM set_config('tenantry.tenant_id', ", b!(), ", true) s", then_setting!()))
            .contained(),
        q("fn/set_config_in_from_then_read")
            .pg(concat!("SELECT s FROM set_config('tenantry.tenant_id', ", b!(), ", true) s", then_customers!()))
            .contained(),
        q("fn/set_config_in_from_qualified")
            .pg(concat!("SELECT s FROM pg_catalog.set_config('tenantry.tenant_id', ", b!(), ", true) s", then_setting!()))
            .contained(),
        q("fn/set_config_in_from_quoted")
            .pg(concat!("SELECT s FROM \"pg_catalog\".\"set_config\"('tenantry.tenant_id', ", b!(), ", true) s", then_setting!()))
            .contained(),
        q("fn/set_config_in_from_upper_case")
            .pg(concat!("SELECT s FROM SET_CONFIG('tenantry.tenant_id', ", b!(), ", true) s", then_setting!()))
            .contained(),
        q("fn/set_config_in_from_session_level")
            .pg(concat!("SELECT s FROM set_config('tenantry.tenant_id', ", b!(), ", false) s", then_customers!()))
            .contained(),
        q("fn/set_config_join_lateral")
            .pg(concat!("SELECT c.name FROM customers c JOIN LATERAL set_config('tenantry.tenant_id', ", b!(), ", true) s ON true", then_setting!()))
            .contained(),
        q("fn/set_config_cross_join")
            .pg(concat!("SELECT p.sku FROM products p CROSS JOIN set_config('tenantry.tenant_id', ", b!(), ", true) s", then_setting!()))
            .contained(),
        q("fn/set_config_rows_from")
            .pg(concat!("SELECT s FROM ROWS FROM (set_config('tenantry.tenant_id', ", b!(), ", true)) s", then_setting!()))
            .contained(),
        q("fn/set_config_in_derived_table")
            .pg(concat!("SELECT v FROM (SELECT * FROM set_config('tenantry.tenant_id', ", b!(), ", true) s) d(v)", then_setting!()))
            .contained(),
        q("fn/set_config_in_cte")
            .pg(concat!("WITH s AS MATERIALIZED (SELECT * FROM set_config('tenantry.tenant_id', ", b!(), ", true) v) SELECT count(*) AS n FROM s", then_setting!()))
            .contained(),
        q("fn/set_config_in_exists")
            .pg(concat!("SELECT name FROM customers WHERE EXISTS (SELECT 1 FROM set_config('tenantry.tenant_id', ", b!(), ", true) v)", then_setting!()))
            .contained(),
        x("fn/set_config_in_insert_select")
            .pg(concat!("INSERT INTO orders (customer_id, status, total) SELECT 2001, 'x', 1 FROM set_config('tenantry.tenant_id', ", b!(), ", true) v", then_setting!()))
            .contained(),
        x("fn/set_config_in_update_from")
            .pg(concat!("UPDATE orders SET status = 'x' FROM set_config('tenantry.tenant_id', ", b!(), ", true) v WHERE orders.id = 2101", then_setting!()))
            .contained(),
        x("fn/set_config_in_delete_using")
            .pg(concat!("DELETE FROM order_items USING set_config('tenantry.tenant_id', ", b!(), ", true) v WHERE order_items.id = 2201", then_setting!()))
            .contained(),
        q("fn/set_config_in_select_list")
            .pg(concat!("SELECT set_config('tenantry.tenant_id', ", b!(), ", true) AS s", then_setting!()))
            .contained(),
        q("fn/set_config_in_where")
            .pg(concat!("SELECT id FROM customers WHERE set_config('tenantry.tenant_id', ", b!(), ", true) IS NOT NULL", then_setting!()))
            .contained(),
        q("fn/set_config_in_join_on")
            .pg(concat!("SELECT o.id FROM orders o JOIN customers c ON c.id = o.customer_id AND set_config('tenantry.tenant_id', ", b!(), ", true) <> ''", then_setting!()))
            .contained(),
        q("fn/set_config_in_case")
            .pg(concat!("SELECT CASE WHEN id > 0 THEN set_config('tenantry.tenant_id', ", b!(), ", true) END AS s FROM products", then_setting!()))
            .contained(),
        q("fn/set_config_in_order_by")
            .pg(concat!("SELECT id FROM products ORDER BY set_config('tenantry.tenant_id', ", b!(), ", true)", then_setting!()))
            .contained(),
        q("fn/set_config_as_function_argument")
            .pg(concat!("SELECT length(set_config('tenantry.tenant_id', ", b!(), ", true)) AS n", then_setting!()))
            .contained(),
        q("fn/set_config_quoted_qualified_expression")
            .pg(concat!("SELECT \"pg_catalog\".\"set_config\"('tenantry.tenant_id', ", b!(), ", true) AS s", then_setting!()))
            .contained(),
        q("fn/set_config_upper_case_expression")
            .pg(concat!("SELECT PG_CATALOG.SET_CONFIG('tenantry.tenant_id', ", b!(), ", true) AS s", then_setting!()))
            .contained(),
        qw("fn/set_config_in_returning")
            .pg(concat!("UPDATE orders SET status = status WHERE id = 2101 RETURNING set_config('tenantry.tenant_id', ", b!(), ", true) AS s", then_setting!()))
            .contained(),
        q("fn/update_pg_settings")
            .writes()
            .pg(concat!("UPDATE pg_settings SET setting = ", b!(), " WHERE name = 'tenantry.tenant_id'", then_setting!()))
            .contained(),
        q("fn/update_pg_settings_then_read")
            .writes()
            .pg(concat!("UPDATE pg_settings SET setting = ", b!(), " WHERE name = 'tenantry.tenant_id'", then_customers!()))
            .contained(),
        q("fn/update_pg_settings_qualified")
            .writes()
            .pg(concat!("UPDATE pg_catalog.pg_settings SET setting = ", b!(), " WHERE name = 'tenantry.tenant_id'", then_setting!()))
            .contained(),
        q("fn/update_pg_settings_quoted")
            .writes()
            .pg(concat!("UPDATE \"pg_settings\" AS s SET setting = ", b!(), " WHERE s.name = 'tenantry.tenant_id'", then_setting!()))
            .contained(),
        q("fn/update_pg_settings_in_cte")
            .pg(concat!("WITH u AS (UPDATE pg_settings SET setting = ", b!(), " WHERE name = 'tenantry.tenant_id') SELECT 1 AS n", then_setting!()))
            .contained(),
        // Both layers at once: the setting switched to B, the app predicate commented out.
        q("fn/set_config_plus_double_minus")
            .pg(concat!("SELECT c.name FROM set_config('tenantry.tenant_id', ", b!(), ", true) s, customers c WHERE - -1 = 1 AND c.name = '\n1=1) OR 1=1 --' OR c.name = 'nothing'"))
            .contained(),
    ]
}

/// Functions that run query text.
fn query_text() -> Vec<Case> {
    vec![
        q("fn/query_to_xml_select_list")
            .pg("SELECT query_to_xml('SELECT name FROM customers ORDER BY name', true, false, '')::text AS x"),
        q("fn/query_to_xml_in_from")
            .pg("SELECT x::text AS x FROM query_to_xml('SELECT name FROM customers ORDER BY name', true, false, '') AS x"),
        q("fn/query_to_xml_in_from_qualified")
            .pg("SELECT x::text AS x FROM pg_catalog.query_to_xml('SELECT name FROM customers ORDER BY name', true, false, '') AS x"),
        q("fn/query_to_xml_quoted")
            .pg("SELECT \"query_to_xml\"('SELECT name FROM customers ORDER BY name', true, false, '')::text AS x"),
        q("fn/query_to_xml_upper_case_in_from")
            .pg("SELECT x::text AS x FROM QUERY_TO_XML('SELECT name FROM customers ORDER BY name', true, false, '') AS x"),
        q("fn/query_to_xml_lateral")
            .pg("SELECT p.sku, x::text AS x FROM products p, LATERAL query_to_xml('SELECT name FROM customers ORDER BY name', true, false, '') x WHERE p.id = 1"),
        q("fn/query_to_xml_join")
            .pg("SELECT p.sku, x::text AS x FROM products p JOIN query_to_xml('SELECT name FROM customers ORDER BY name', true, false, '') x ON p.id = 1"),
        q("fn/query_to_xml_nested_argument")
            .pg("SELECT xpath('//name/text()', query_to_xml('SELECT name FROM customers ORDER BY name', true, false, ''))::text AS x"),
        q("fn/query_to_xml_built_text")
            .pg("SELECT query_to_xml(concat('SELECT name FROM ', 'customers ORDER BY name'), true, false, '')::text AS x"),
        q("fn/query_to_xml_in_cte")
            .pg("WITH x AS (SELECT * FROM query_to_xml('SELECT name FROM customers ORDER BY name', true, false, '') v) SELECT v::text AS v FROM x"),
        q("fn/query_to_xml_and_xmlschema_in_from")
            .pg("SELECT length(x::text) > 0 AS ok, x::text LIKE '%B-%' AS b FROM query_to_xml_and_xmlschema('SELECT name FROM customers', true, false, '') x"),
        q("fn/table_to_xml_in_from")
            .pg("SELECT x::text AS x FROM table_to_xml('customers', true, false, '') x"),
        q("fn/table_to_xml_regclass")
            .pg("SELECT table_to_xml('customers'::regclass, true, false, '')::text AS x"),
        q("fn/schema_to_xml_in_from")
            .pg("SELECT x::text LIKE '%B-%' AS b FROM schema_to_xml('public', true, false, '') x"),
        q("fn/database_to_xml_in_from")
            .pg("SELECT x::text LIKE '%B-%' AS b FROM database_to_xml(true, false, '') x"),
        q("fn/cursor_to_xml")
            .pg("DECLARE adv_c CURSOR FOR SELECT name FROM customers ORDER BY name\n;;\nSELECT cursor_to_xml('adv_c', 10, true, false, '')::text AS x"),
        q("fn/cursor_to_xml_in_from")
            .pg("DECLARE adv_c CURSOR FOR SELECT name FROM customers ORDER BY name\n;;\nSELECT x::text AS x FROM cursor_to_xml('adv_c', 10, true, false, '') x"),
        q("fn/ts_stat_in_from")
            .pg("SELECT word, ndoc FROM ts_stat('SELECT to_tsvector(''simple'', name) FROM customers') ORDER BY word"),
        q("fn/ts_stat_qualified_in_from")
            .pg("SELECT count(*) AS n FROM pg_catalog.ts_stat('SELECT to_tsvector(''simple'', name) FROM customers')"),
        q("fn/ts_stat_select_list")
            .pg("SELECT count(*) AS n FROM (SELECT ts_stat('SELECT to_tsvector(''simple'', name) FROM customers')) s"),
        q("fn/ts_stat_in_where")
            .pg("SELECT sku FROM products WHERE (SELECT count(*) FROM ts_stat('SELECT to_tsvector(''simple'', name) FROM customers')) > 8"),
        q("fn/ts_rewrite_query_text")
            .pg("SELECT ts_rewrite('bob'::tsquery, 'SELECT ''bob''::tsquery, ''found''::tsquery FROM customers WHERE name LIKE ''%bob''')::text AS r"),
        q("fn/ts_rewrite_in_from")
            .pg("SELECT r::text AS r FROM ts_rewrite('bob'::tsquery, 'SELECT ''bob''::tsquery, ''found''::tsquery FROM customers WHERE name LIKE ''%bob''') r"),
    ]
}

/// Files, large objects, dblink.
fn files_and_objects() -> Vec<Case> {
    vec![
        q("fn/pg_read_file").pg("SELECT pg_read_file('/etc/hostname') AS f"),
        q("fn/pg_read_file_in_from").pg("SELECT f FROM pg_read_file('/etc/hostname') f"),
        q("fn/pg_read_binary_file").pg("SELECT length(pg_read_binary_file('/etc/hostname')) AS n"),
        q("fn/pg_ls_dir_in_from").pg("SELECT f FROM pg_ls_dir('.') f"),
        q("fn/pg_stat_file").pg("SELECT (pg_stat_file('/etc/hostname')).size AS s"),
        q("fn/lo_import").pg("SELECT lo_import('/etc/hostname') AS o"),
        q("fn/lo_export")
            .pg("SELECT lo_export(oid, '/tmp/tenantry-adversarial-lo') AS r FROM pg_largeobject_metadata"),
        q("fn/lo_get_other_tenants_object")
            .pg("SELECT convert_from(lo_get(oid), 'UTF8') AS v FROM pg_largeobject_metadata"),
        q("fn/loread_other_tenants_object")
            .pg("SELECT convert_from(loread(lo_open(oid, 262144), 100), 'UTF8') AS v FROM pg_largeobject_metadata"),
        q("fn/lo_get_in_lateral")
            .pg("SELECT convert_from(v, 'UTF8') AS v FROM pg_largeobject_metadata m, LATERAL lo_get(m.oid) v"),
        q("fn/pg_largeobject_table").pg("SELECT convert_from(data, 'UTF8') AS v FROM pg_largeobject"),
        q("fn/lo_put")
            .pg("SELECT lo_put(oid, 0, convert_to('A-', 'UTF8')) AS r FROM pg_largeobject_metadata")
            .writes()
            .must_refuse("it writes a large object, which belongs to no tenant the rewriter can see"),
        q("fn/dblink_in_from")
            .pg("SELECT r FROM dblink_exec('dbname=postgres', 'SELECT 1') r")
            .contained()
            .allow(
                "password is required",
                "dblink refuses a connection without a password for a non-superuser: nothing ran",
            ),
        q("fn/dblink_select_list")
            .pg("SELECT dblink_exec('dbname=postgres', 'SELECT 1') AS r")
            .contained()
            .allow(
                "password is required",
                "dblink refuses a connection without a password for a non-superuser: nothing ran",
            ),
        q("fn/dblink_connect_quoted")
            .pg("SELECT \"dblink_connect\"('adv', 'dbname=postgres') AS r")
            .contained()
            .allow(
                "password is required",
                "dblink refuses a connection without a password for a non-superuser: nothing ran",
            ),
    ]
}

/// Notifications and locks.
fn shared_state() -> Vec<Case> {
    const NOTIFY: &str =
        "a notification channel is shared by every tenant (NOTIFY itself is refused)";
    vec![
        q("fn/pg_notify_select_list")
            .pg("SELECT pg_notify('tenant_b_events', 'A was here') AS n")
            .must_refuse(NOTIFY),
        q("fn/pg_notify_in_from")
            .pg("SELECT n FROM pg_notify('tenant_b_events', 'A was here') n")
            .must_refuse(NOTIFY),
        q("fn/pg_notify_qualified_in_where")
            .pg("SELECT id FROM customers WHERE pg_catalog.pg_notify('tenant_b_events', name) IS NOT NULL")
            .must_refuse(NOTIFY),
        q("fn/pg_advisory_lock_probe").pg("SELECT pg_try_advisory_xact_lock(4242) AS got"),
        q("fn/pg_advisory_lock_probe_in_from")
            .pg("SELECT got FROM pg_try_advisory_xact_lock(4242) got"),
        q("fn/pg_locks_shows_other_tenants_lock")
            .pg("SELECT count(*) AS n FROM pg_locks WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"),
        q("fn/mysql_is_used_lock")
            .my("SELECT IS_USED_LOCK(CONCAT(DATABASE(), '-b-nightly')) IS NOT NULL AS held"),
        q("fn/mysql_is_free_lock")
            .my("SELECT IS_FREE_LOCK(CONCAT(DATABASE(), '-b-nightly')) AS free"),
        q("fn/mysql_release_lock")
            .my("SELECT RELEASE_LOCK(CONCAT(DATABASE(), '-b-nightly')) AS r"),
        q("fn/mysql_is_used_lock_in_where")
            .my("SELECT id FROM customers WHERE IS_USED_LOCK(CONCAT(DATABASE(), '-b-nightly')) IS NULL"),
    ]
}

/// Table functions whose arguments read scoped tables.
fn table_functions() -> Vec<Case> {
    vec![
        q("fn/unnest_of_subquery")
            .pg("SELECT n FROM unnest((SELECT array_agg(name) FROM customers)) AS n"),
        q("fn/jsonb_elements_of_subquery")
            .pg("SELECT v FROM jsonb_array_elements_text((SELECT jsonb_agg(name) FROM customers)) AS v"),
        q("fn/generate_series_bound_by_subquery")
            .pg("SELECT g FROM generate_series(1, (SELECT count(*) FROM customers)::int) g"),
        q("fn/lateral_function_of_scoped_column")
            .pg("SELECT c.id, u FROM customers c, LATERAL unnest(ARRAY[c.name]) u"),
        q("fn/json_table_of_subquery")
            .my("SELECT jt.n FROM JSON_TABLE((SELECT JSON_ARRAYAGG(name) FROM customers), '$[*]' COLUMNS (n VARCHAR(50) PATH '$')) AS jt"),
        q("fn/json_each_of_subquery")
            .lite("SELECT value FROM json_each((SELECT json_group_array(name) FROM customers))"),
        q("fn/json_each_of_subquery_in_join")
            .lite("SELECT p.sku, j.value FROM products p JOIN json_each((SELECT json_group_array(name) FROM customers)) j ON p.id = 1"),
    ]
}

/// MariaDB and SQLite file and extension functions.
fn mysql_sqlite() -> Vec<Case> {
    vec![
        q("fn/mysql_load_file").my("SELECT load_file('/etc/hostname') AS f"),
        q("fn/mysql_load_file_mixed_case").my("SELECT Load_File('/etc/hostname') AS f"),
        q("fn/mysql_load_file_in_where")
            .my("SELECT id FROM customers WHERE load_file('/etc/hostname') IS NULL"),
        q("fn/mysql_load_file_in_subquery").my("SELECT (SELECT LOAD_FILE('/etc/hostname')) AS f"),
        q("fn/sqlite_load_extension")
            .lite("SELECT load_extension('/nonexistent/adv') AS x")
            .contained(),
        q("fn/sqlite_load_extension_in_from")
            .lite("SELECT * FROM load_extension('/nonexistent/adv')")
            .contained()
            .allow_all(
                "no such table: load_extension",
                "SQLite has no table-valued load_extension: the statement cannot run",
            ),
        q("fn/sqlite_readfile")
            .lite("SELECT readfile('/etc/hostname') AS f")
            .contained(),
        q("fn/sqlite_readfile_mixed_case")
            .lite("SELECT ReadFile('/etc/hostname') AS f")
            .contained(),
        q("fn/sqlite_writefile")
            .lite("SELECT writefile('/tmp/tenantry-adversarial', name) AS n FROM customers")
            .contained(),
        s("fn/sqlite_attach")
            .lite("ATTACH DATABASE ':memory:' AS adv_other")
            .contained(),
        q("fn/sqlite_dbpage")
            .lite("SELECT pgno FROM sqlite_dbpage")
            .contained()
            .allow_all(
                "no such table: sqlite_dbpage",
                "this SQLite build has no sqlite_dbpage: nothing is read",
            ),
    ]
}
