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
    };
}
