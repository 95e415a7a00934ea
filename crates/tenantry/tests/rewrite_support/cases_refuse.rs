//! The Statements a tenant handle refuses (and a few near misses it accepts) of the rewriter corpus, shared by the snapshot tests and the
//! differential oracle (`tests/tests/snapshot_oracle.rs`).
//!
//! `refuse_cases!(m)` invokes `m!(name, sql)`, `m!(name, sql, [values])` or
//! `m!(name, sql, [values], [backends])` once per case, in the form of `case!`; the caller
//! has `MySql`, `Postgres` and `Sqlite` (`sea_orm::DatabaseBackend`) in scope.

/// Invokes `$case!` once per case.
#[macro_export]
macro_rules! refuse_cases {
    ($case:ident) => {
        $case!(refuse_unparseable, "SELEC id FROM orders");
        $case!(refuse_empty, "");
        $case!(refuse_create_table, "CREATE TABLE t (id int)");
        $case!(refuse_drop_table, "DROP TABLE orders");
        $case!(refuse_alter_table, "ALTER TABLE orders ADD COLUMN x int");
        $case!(refuse_create_index, "CREATE INDEX i ON orders (total)");
        $case!(refuse_create_view, "CREATE VIEW v AS SELECT * FROM orders");
        $case!(
            refuse_create_temp,
            "CREATE TEMP TABLE orders (id int)",
            [],
            [Postgres, Sqlite]
        );
        $case!(refuse_set, "SET search_path = other", [], [Postgres]);
        $case!(refuse_set_mysql_variable, "SET @x = 1", [], [MySql]);
        $case!(refuse_set_role, "SET ROLE admin", [], [Postgres]);
        $case!(refuse_reset_role, "RESET ROLE", [], [Postgres]);
        $case!(refuse_reset_all, "RESET ALL", [], [Postgres]);
        $case!(
            refuse_set_session_authorization,
            "SET SESSION AUTHORIZATION admin",
            [],
            [Postgres]
        );
        $case!(
            refuse_set_config_select,
            "SELECT set_config('tenantry.tenant_id', $1, true)",
            ["7"],
            [Postgres]
        );
        $case!(
            refuse_set_config_nested,
            "SELECT id FROM orders WHERE id = (SELECT length(set_config('tenantry.tenant_id', '7', true)))",
            [],
            [Postgres]
        );
        $case!(
            refuse_set_config_qualified,
            "SELECT pg_catalog.set_config('x', 'y', false)",
            [],
            [Postgres]
        );
        $case!(
            refuse_query_to_xml,
            "SELECT query_to_xml('select * from orders', true, false, '')",
            [],
            [Postgres]
        );
        $case!(refuse_copy, "COPY orders TO STDOUT", [], [Postgres]);
        $case!(refuse_truncate, "TRUNCATE orders", [], [Postgres, MySql]);
        $case!(refuse_listen, "LISTEN events", [], [Postgres]);
        $case!(refuse_notify, "NOTIFY events, 'x'", [], [Postgres]);
        $case!(
            refuse_pg_temp_table,
            "SELECT * FROM pg_temp.orders",
            [],
            [Postgres]
        );
        $case!(
            refuse_pg_temp_function,
            "SELECT pg_temp.f(1)",
            [],
            [Postgres]
        );
        $case!(refuse_begin, "BEGIN");
        $case!(refuse_commit, "COMMIT");
        $case!(refuse_rollback, "ROLLBACK");
        $case!(refuse_savepoint, "SAVEPOINT s1");
        $case!(refuse_release, "RELEASE SAVEPOINT s1");
        $case!(refuse_pragma, "PRAGMA foreign_keys = 0", [], [Sqlite]);
        $case!(
            refuse_load_extension,
            "SELECT load_extension('x')",
            [],
            [Sqlite]
        );
        $case!(
            refuse_select_into,
            "SELECT * INTO copy FROM orders",
            [],
            [Postgres]
        );
        $case!(refuse_table_statement, "TABLE orders", [], [Postgres]);
        $case!(
            refuse_multi_statement_with_ddl,
            "SELECT id FROM orders; DROP TABLE orders"
        );
        $case!(
            refuse_multi_statement_with_set,
            "UPDATE orders SET total = 0; SET search_path = x",
            [],
            [Postgres]
        );
        $case!(refuse_mysql_show, "SHOW TABLES", [], [MySql]);
        $case!(refuse_call, "CALL cleanup()", [], [Postgres, MySql]);
        $case!(refuse_lock_table, "LOCK TABLE orders", [], [Postgres]);
        $case!(
            refuse_wrong_placeholder_style,
            "SELECT id FROM orders WHERE id = :id",
            [1],
            [Sqlite]
        );
        $case!(
            refuse_value_count_mismatch,
            "SELECT id FROM orders WHERE id = $1 AND total = $2",
            [1]
        );
        $case!(
            full_join_in_update_from_is_wrapped,
            "UPDATE orders o SET total = 1 FROM customers c FULL JOIN order_items i ON i.id = c.id",
            [],
            [Postgres]
        );
        $case!(
            refuse_mysql_update_left_join_using,
            "UPDATE orders LEFT JOIN customers USING (customer_id) SET orders.total = 1",
            [],
            [MySql]
        );
        $case!(
            refuse_merge,
            "MERGE INTO orders o USING customers c ON o.customer_id = c.id WHEN MATCHED THEN DELETE",
            [],
            [Postgres]
        );
        $case!(
            refuse_only_select,
            "SELECT * FROM ONLY orders",
            [],
            [Postgres]
        );
        $case!(
            refuse_only_update,
            "UPDATE ONLY orders SET total = 1",
            [],
            [Postgres]
        );
        $case!(
            refuse_only_delete,
            "DELETE FROM ONLY orders WHERE id = $1",
            [1],
            [Postgres]
        );
        $case!(
            table_named_only_is_a_table,
            "SELECT * FROM only",
            [],
            [Postgres]
        );
        $case!(
            refuse_only_parenthesised,
            "SELECT * FROM ONLY (orders) WHERE id = 1",
            [],
            [Postgres]
        );
        $case!(
            refuse_mysql_update_ignore,
            "UPDATE IGNORE orders SET total = 1",
            [],
            [MySql]
        );
        $case!(
            refuse_mysql_update_low_priority,
            "UPDATE LOW_PRIORITY orders SET total = 1",
            [],
            [MySql]
        );
        // Functions: table functions in FROM/JOIN/LATERAL, every clause, qualification, quoting,
        // case, comments between name and `(`.
        $case!(refuse_fn_set_config_in_from,
            "SELECT * FROM set_config('tenantry.tenant_id', '7', true)", [], [Postgres]);
        $case!(refuse_fn_set_config_lateral,
            "SELECT o.id FROM orders o, LATERAL set_config('tenantry.tenant_id', '7', true) s",
            [], [Postgres]);
        $case!(refuse_fn_set_config_in_join,
            "SELECT o.id FROM orders o JOIN pg_catalog.set_config('tenantry.tenant_id', '7', true) \
            s ON true", [], [Postgres]);
        $case!(refuse_fn_set_config_quoted_upper,
            "SELECT \"SET_CONFIG\"('tenantry.tenant_id', '7', true)", [], [Postgres]);
        $case!(refuse_fn_set_config_quoted_qualified_from,
            "SELECT * FROM \"pg_catalog\".\"set_config\"('tenantry.tenant_id', '7', true)",
            [], [Postgres]);
        $case!(refuse_fn_set_config_comment_before_paren,
            "SELECT Set_Config /* x */ ('tenantry.tenant_id', '7', true)", [], [Postgres]);
        $case!(refuse_fn_set_config_line_comment,
            "SELECT id FROM orders WHERE set_config -- x\n('tenantry.tenant_id', '7', true) IS NOT \
            NULL", [], [Postgres]);
        $case!(refuse_fn_set_config_in_cte,
            "WITH s AS (SELECT set_config('tenantry.tenant_id', '7', true) AS v) SELECT o.id FROM \
            orders o, s", [], [Postgres]);
        $case!(refuse_fn_set_config_in_insert_select,
            "INSERT INTO orders (id, note) SELECT 1, set_config('tenantry.tenant_id', '7', true)",
            [], [Postgres]);
        $case!(refuse_fn_set_config_in_update_from,
            "UPDATE orders SET total = 1 FROM set_config('tenantry.tenant_id', '7', true) s",
            [], [Postgres]);
        $case!(refuse_fn_set_config_in_returning,
            "DELETE FROM orders WHERE id = 1 RETURNING set_config('tenantry.tenant_id', '7', true)",
            [], [Postgres]);
        $case!(refuse_fn_set_config_table_keyword,
            "SELECT * FROM TABLE(set_config('tenantry.tenant_id', '7', true))", [], [Postgres]);
        $case!(refuse_fn_query_to_xml_in_from,
            "SELECT * FROM query_to_xml('select * from orders', true, true, '')", [], [Postgres]);
        $case!(refuse_fn_table_to_xml,
            "SELECT table_to_xml('orders', true, false, '')", [], [Postgres]);
        $case!(refuse_fn_ts_stat_in_from,
            "SELECT * FROM ts_stat('SELECT to_tsvector(note) FROM orders')", [], [Postgres]);
        $case!(refuse_fn_dblink,
            "SELECT * FROM dblink('dbname=other', 'select id from orders') AS t(id)",
            [], [Postgres]);
        $case!(refuse_fn_pg_read_file, "SELECT pg_read_file('/etc/passwd')", [], [Postgres]);
        $case!(refuse_fn_pg_ls_dir_in_from, "SELECT * FROM pg_ls_dir('.')", [], [Postgres]);
        $case!(refuse_fn_lo_get, "SELECT lo_get(16400)", [], [Postgres]);
        $case!(refuse_fn_pg_notify, "SELECT pg_notify('events', 'x')", [], [Postgres]);
        $case!(refuse_fn_advisory_xact_lock, "SELECT pg_advisory_xact_lock(42)", [], [Postgres]);
        $case!(refuse_fn_try_advisory_in_where,
            "SELECT id FROM orders WHERE pg_try_advisory_lock(id)", [], [Postgres]);
        $case!(refuse_fn_advisory_in_order_by,
            "SELECT id FROM orders ORDER BY PG_CATALOG.PG_ADVISORY_LOCK(id)", [], [Postgres]);
        $case!(refuse_fn_advisory_in_exists,
            "SELECT id FROM orders WHERE EXISTS (SELECT 1 FROM pg_advisory_lock(1))",
            [], [Postgres]);
        $case!(refuse_fn_in_on_conflict,
            "INSERT INTO orders (id, total) VALUES (1, 2) ON CONFLICT (id) DO UPDATE SET note = \
            pg_read_file('x')", [], [Postgres]);
        $case!(refuse_fn_terminate_backend, "SELECT pg_terminate_backend(1)", [], [Postgres]);
        $case!(refuse_fn_reload_conf, "SELECT pg_reload_conf()", [], [Postgres]);
        $case!(refuse_fn_stat_get_activity_in_from,
            "SELECT * FROM pg_stat_get_activity(NULL)", [], [Postgres]);
        $case!(refuse_fn_logical_slot_in_from,
            "SELECT * FROM pg_logical_slot_peek_changes('s', NULL, NULL)", [], [Postgres]);
        $case!(refuse_fn_load_file, "SELECT LOAD_FILE('/etc/passwd')", [], [MySql]);
        $case!(refuse_fn_load_file_in_insert,
            "INSERT INTO orders (id, note) VALUES (1, load_file('/etc/passwd'))", [], [MySql]);
        $case!(refuse_fn_load_file_in_update,
            "UPDATE orders SET note = Load_File('/etc/passwd') WHERE id = 1", [], [MySql]);
        $case!(refuse_fn_get_lock, "SELECT GET_LOCK('tenant-move', 10)", [], [MySql]);
        $case!(refuse_fn_get_lock_quoted_comment,
            "SELECT \"GET_LOCK\" /* x */ ('tenant-move', 10)", [], [MySql]);
        $case!(refuse_fn_is_used_lock_in_where,
            "SELECT id FROM orders WHERE IS_USED_LOCK('x') IS NULL", [], [MySql]);
        $case!(refuse_fn_release_all_locks_in_subquery,
            "SELECT id FROM orders WHERE id > (SELECT RELEASE_ALL_LOCKS())", [], [MySql]);
        $case!(refuse_fn_sys_exec, "SELECT sys_exec('id')", [], [MySql]);
        $case!(refuse_fn_source_pos_wait,
            "SELECT SOURCE_POS_WAIT('binlog.000001', 4)", [], [MySql]);
        $case!(refuse_fn_sys_schema, "SELECT sys.format_statement(note) FROM orders", [], [MySql]);
        $case!(refuse_fn_readfile, "SELECT readfile('/etc/passwd')", [], [Sqlite]);
        $case!(refuse_fn_writefile_in_update,
            "UPDATE orders SET note = writefile('/tmp/x', note)", [], [Sqlite]);
        $case!(refuse_fn_load_extension_quoted_upper,
            "SELECT \"LOAD_EXTENSION\" /* x */ ('x')", [], [Sqlite]);
        $case!(refuse_fn_fts3_tokenizer, "SELECT fts3_tokenizer('simple')", [], [Sqlite]);
        $case!(refuse_fn_edit_in_cte,
            "WITH e AS (SELECT edit(note, 'vi') FROM orders) SELECT * FROM e", [], [Sqlite]);
        $case!(refuse_fn_fsdir_in_from, "SELECT name FROM fsdir('/')", [], [Sqlite]);
        $case!(refuse_fn_sqlite_dbpage_in_join,
            "SELECT o.id FROM orders o JOIN sqlite_dbpage('main') p ON p.pgno = o.id",
            [], [Sqlite]);
        // Catalogues that hold values, anywhere in the statement.
        $case!(refuse_catalogue_pg_stats,
            "SELECT most_common_vals FROM pg_stats WHERE tablename = 'orders'", [], [Postgres]);
        $case!(refuse_catalogue_pg_stats_quoted_qualified,
            "SELECT * FROM \"pg_catalog\".\"pg_stats\"", [], [Postgres]);
        $case!(refuse_catalogue_pg_statistic_upper,
            "SELECT * FROM PG_CATALOG.PG_STATISTIC", [], [Postgres]);
        $case!(refuse_catalogue_pg_stats_ext_in_join,
            "SELECT o.id FROM orders o JOIN pg_stats_ext s ON s.tablename = 'orders'",
            [], [Postgres]);
        $case!(refuse_catalogue_pg_stat_activity_in_subquery,
            "SELECT id FROM orders WHERE note IN (SELECT query FROM pg_stat_activity)",
            [], [Postgres]);
        $case!(refuse_catalogue_pg_stat_statements_in_cte,
            "WITH q AS (SELECT query FROM pg_stat_statements) SELECT * FROM q", [], [Postgres]);
        $case!(refuse_catalogue_pg_largeobject, "SELECT data FROM pg_largeobject", [], [Postgres]);
        $case!(refuse_catalogue_pg_prepared_xacts_derived,
            "SELECT * FROM (SELECT gid FROM pg_prepared_xacts) x", [], [Postgres]);
        $case!(refuse_catalogue_in_insert_select,
            "INSERT INTO orders (id, note) SELECT 1, query FROM pg_stat_activity", [], [Postgres]);
        $case!(refuse_catalogue_in_update_from,
            "UPDATE orders SET note = s.query FROM pg_stat_activity s WHERE s.pid = 1",
            [], [Postgres]);
        $case!(refuse_catalogue_mysql_column_stats,
            "SELECT min_value, max_value FROM mysql.column_stats", [], [MySql]);
        $case!(refuse_catalogue_performance_schema,
            "SELECT SQL_TEXT FROM performance_schema.events_statements_history", [], [MySql]);
        $case!(refuse_catalogue_sys_quoted_upper,
            "SELECT * FROM \"SYS\".\"statement_analysis\"", [], [MySql]);
        $case!(refuse_catalogue_processlist,
            "SELECT INFO FROM information_schema.PROCESSLIST", [], [MySql]);
        $case!(refuse_catalogue_innodb_trx_in_join,
            "SELECT o.id FROM orders o JOIN INFORMATION_SCHEMA.INNODB_TRX t ON t.trx_query LIKE \
            '%'", [], [MySql]);
        $case!(refuse_catalogue_innodb_ft_in_subquery,
            "SELECT id FROM orders WHERE note IN (SELECT word FROM \
            information_schema.innodb_ft_index_table)", [], [MySql]);
        $case!(refuse_catalogue_column_statistics,
            "SELECT HISTOGRAM FROM information_schema.COLUMN_STATISTICS", [], [MySql]);
        $case!(refuse_catalogue_sqlite_stat4, "SELECT sample FROM sqlite_stat4", [], [Sqlite]);
        $case!(refuse_catalogue_sqlite_stat1_qualified_upper,
            "SELECT * FROM MAIN.SQLITE_STAT1", [], [Sqlite]);
        $case!(refuse_catalogue_sqlite_stat1_quoted_in_cte,
            "WITH s AS (SELECT * FROM \"sqlite_stat1\") SELECT o.id FROM orders o, s",
            [], [Sqlite]);
        $case!(refuse_catalogue_dbstat, "SELECT name FROM dbstat", [], [Sqlite]);
        // Writes to system catalogues (`SET` in disguise).
        $case!(refuse_write_pg_settings,
            "UPDATE pg_settings SET setting = '7' WHERE name = 'tenantry.tenant_id'",
            [], [Postgres]);
        $case!(refuse_write_pg_settings_qualified_upper,
            "UPDATE PG_CATALOG.PG_SETTINGS SET setting = 'x' WHERE name = 'search_path'",
            [], [Postgres]);
        $case!(refuse_write_pg_settings_in_cte,
            "WITH u AS (UPDATE pg_settings SET setting = 'x' WHERE name = 'work_mem' RETURNING \
            name) SELECT * FROM u", [], [Postgres]);
        $case!(refuse_write_pg_catalog_delete_quoted,
            "DELETE FROM \"pg_catalog\".\"pg_statistic\"", [], [Postgres]);
        $case!(refuse_write_information_schema,
            "INSERT INTO information_schema.sql_features (feature_id) VALUES ('x')",
            [], [Postgres, MySql]);
        $case!(refuse_write_mysql_user,
            "UPDATE mysql.user SET authentication_string = '' WHERE User = 'root'", [], [MySql]);
        $case!(refuse_write_mysql_user_in_join,
            "UPDATE orders o JOIN mysql.user u ON u.User = o.note SET u.Host = '%'", [], [MySql]);
        $case!(refuse_write_mysql_delete_multi_table,
            "DELETE u FROM mysql.user u JOIN orders o ON o.note = u.User", [], [MySql]);
        $case!(refuse_write_performance_schema,
            "UPDATE performance_schema.setup_consumers SET ENABLED = 'YES'", [], [MySql]);
        $case!(refuse_write_sqlite_sequence,
            "UPDATE sqlite_sequence SET seq = 0 WHERE name = 'orders'", [], [Sqlite]);
        $case!(refuse_write_sqlite_master,
            "INSERT INTO SQLITE_MASTER (type) VALUES ('table')", [], [Sqlite]);
        $case!(refuse_write_sqlite_stat1, "DELETE FROM main.sqlite_stat1", [], [Sqlite]);
        // Accepted controls: metadata views and ordinary functions.
        $case!(policy_metadata_information_schema_tables,
            "SELECT table_name FROM information_schema.tables WHERE table_name = 'orders'",
            [], [Postgres]);
        $case!(refuse_information_schema_tables_row_counts,
            "SELECT table_rows, auto_increment FROM information_schema.TABLES WHERE table_name = 'orders'",
            [], [MySql]);
        $case!(policy_metadata_information_schema_columns_upper,
            "SELECT COLUMN_NAME FROM INFORMATION_SCHEMA.COLUMNS WHERE TABLE_NAME = 'orders'",
            [], [Postgres, MySql]);
        $case!(refuse_pg_class_row_counts,
            "SELECT c.reltuples FROM pg_catalog.pg_class c WHERE c.relname = 'orders'", [], [Postgres]);
        $case!(policy_metadata_pg_attribute,
            "SELECT a.attname FROM pg_attribute a JOIN pg_namespace n ON n.oid = a.attnum \
            WHERE a.attname = 'tenant_id'", [], [Postgres]);
        $case!(policy_metadata_pg_settings_read,
            "SELECT setting FROM pg_settings WHERE name = 'work_mem'", [], [Postgres]);
        $case!(policy_metadata_sqlite_master,
            "SELECT name FROM sqlite_master WHERE type = 'table'", [], [Sqlite]);
        $case!(policy_metadata_pragma_table_info,
            "SELECT name FROM pragma_table_info('orders')", [], [Sqlite]);
        $case!(policy_ordinary_table_function,
            "SELECT g FROM generate_series(1, 3) AS g", [], [Postgres]);
        $case!(policy_ordinary_functions_scoped,
            "SELECT lower(status), count(*) FROM orders GROUP BY lower(status)");
        $case!(policy_function_name_in_literal,
            "SELECT id FROM orders WHERE lower(note) = 'set_config(load_file(get_lock))'");
        $case!(policy_function_name_as_alias,
            "SELECT o.note AS set_config, o.id AS load_extension FROM orders o");
    };
}
