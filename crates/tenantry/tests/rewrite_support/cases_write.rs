//! The INSERT, UPDATE, DELETE and upsert shapes of the rewriter corpus, shared by the snapshot tests and the
//! differential oracle (`tests/tests/snapshot_oracle.rs`).
//!
//! `write_cases!(m)` invokes `m!(name, sql)`, `m!(name, sql, [values])` or
//! `m!(name, sql, [values], [backends])` once per case, in the form of `case!`; the caller
//! has `MySql`, `Postgres` and `Sqlite` (`sea_orm::DatabaseBackend`) in scope.

/// Invokes `$case!` once per case.
#[macro_export]
macro_rules! write_cases {
    ($case:ident) => {
        // INSERT
        $case!(
            insert_adds_tenant_column,
            r#"INSERT INTO "orders" ("customer_id", "total") VALUES ($1, $2)"#,
            [1, 100]
        );
        $case!(
            insert_multi_row,
            r#"INSERT INTO "orders" ("customer_id", "total") VALUES ($1, $2), ($3, $4), ($5, $6)"#,
            [1, 10, 2, 20, 3, 30]
        );
        $case!(
            insert_returning,
            r#"INSERT INTO "orders" ("customer_id", "total") VALUES ($1, $2) RETURNING "id", "tenant_id""#,
            [1, 100],
            [Postgres, Sqlite]
        );
        $case!(
            insert_tenant_given_same,
            r#"INSERT INTO "orders" ("tenant_id", "total") VALUES ($1, $2)"#,
            [42, 100]
        );
        $case!(
            insert_tenant_given_other,
            r#"INSERT INTO "orders" ("tenant_id", "total") VALUES ($1, $2)"#,
            [7, 100]
        );
        $case!(
            insert_tenant_given_in_second_row_other,
            r#"INSERT INTO "orders" ("tenant_id", "total") VALUES ($1, $2), ($3, $4)"#,
            [42, 1, 7, 2]
        );
        $case!(
            insert_tenant_literal_same,
            "INSERT INTO orders (tenant_id, total) VALUES (42, 1)"
        );
        $case!(
            insert_tenant_literal_other,
            "INSERT INTO orders (tenant_id, total) VALUES (43, 1)"
        );
        $case!(
            insert_tenant_null,
            "INSERT INTO orders (tenant_id, total) VALUES (NULL, 1)"
        );
        $case!(
            insert_tenant_expression,
            "INSERT INTO orders (tenant_id, total) VALUES (40 + 2, 1)"
        );
        $case!(
            insert_tenant_column_uppercase,
            "INSERT INTO orders (TENANT_ID, total) VALUES ($1, $2)",
            [42, 1]
        );
        $case!(
            insert_unscoped,
            r#"INSERT INTO "products" ("name") VALUES ($1)"#,
            ["pen"]
        );
        $case!(
            insert_default_values,
            "INSERT INTO orders DEFAULT VALUES",
            [],
            [Postgres, Sqlite]
        );
        $case!(
            insert_without_columns,
            "INSERT INTO orders VALUES ($1, $2)",
            [1, 2]
        );
        $case!(
            insert_select,
            "INSERT INTO orders (customer_id, total) SELECT c.id, $1 FROM customers c WHERE c.name = $2",
            [0, "x"]
        );
        $case!(
            insert_select_union,
            "INSERT INTO orders (customer_id, total) SELECT id, 0 FROM customers UNION SELECT id, 1 FROM products"
        );
        $case!(
            insert_select_tenant_column_copied,
            "INSERT INTO orders (tenant_id, customer_id) SELECT tenant_id, id FROM customers"
        );
        $case!(
            insert_unscoped_select_scoped,
            "INSERT INTO products (name) SELECT status FROM orders"
        );
        $case!(
            insert_values_with_subquery,
            "INSERT INTO orders (customer_id, total) VALUES ((SELECT max(id) FROM customers), $1)",
            [5]
        );
        $case!(
            insert_mixed_case_table,
            r#"INSERT INTO "Mixed" ("v") VALUES ($1)"#,
            [1]
        );
        $case!(
            insert_schema_qualified,
            "INSERT INTO billing.invoices (amount) VALUES ($1)",
            [9],
            [Postgres, MySql]
        );
        $case!(
            insert_on_conflict_do_nothing,
            r#"INSERT INTO "orders" ("id", "total") VALUES ($1, $2) ON CONFLICT ("id") DO NOTHING"#,
            [1, 2],
            [Postgres, Sqlite]
        );
        $case!(
            insert_on_conflict_do_update,
            r#"INSERT INTO "orders" ("id", "total") VALUES ($1, $2) ON CONFLICT ("id") DO UPDATE SET "total" = "excluded"."total""#,
            [1, 2],
            [Postgres, Sqlite]
        );
        $case!(
            insert_on_conflict_do_update_where,
            "INSERT INTO orders AS o (id, total) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET total = excluded.total WHERE o.total < excluded.total OR o.total IS NULL",
            [1, 2],
            [Postgres]
        );
        $case!(
            insert_on_conflict_sets_tenant_excluded,
            "INSERT INTO orders (id, tenant_id, total) VALUES ($1, $2, $3) ON CONFLICT (id) DO UPDATE SET tenant_id = excluded.tenant_id, total = excluded.total",
            [1, 42, 3],
            [Postgres, Sqlite]
        );
        $case!(
            insert_on_conflict_sets_tenant_param_other,
            "INSERT INTO orders (id, total) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET tenant_id = $3",
            [1, 2, 7],
            [Postgres, Sqlite]
        );
        $case!(
            insert_on_conflict_sets_tenant_expression,
            "INSERT INTO orders (id, total) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET tenant_id = orders.customer_id",
            [1, 2],
            [Postgres, Sqlite]
        );
        $case!(
            insert_on_duplicate_key_update,
            "INSERT INTO orders (id, total) VALUES (?, ?) ON DUPLICATE KEY UPDATE total = VALUES(total), note = 'dup'",
            [1, 2],
            [MySql]
        );
        $case!(
            insert_on_duplicate_key_update_tenant,
            "INSERT INTO orders (id, tenant_id, total) VALUES (?, ?, ?) ON DUPLICATE KEY UPDATE tenant_id = VALUES(tenant_id), total = total + 1",
            [1, 42, 2],
            [MySql]
        );
        $case!(
            insert_on_duplicate_key_row_alias,
            "INSERT INTO orders (id, total) VALUES (?, ?) AS new ON DUPLICATE KEY UPDATE total = new.total",
            [1, 2],
            [MySql]
        );
        $case!(
            insert_mysql_set_form,
            "INSERT INTO orders SET customer_id = ?, total = ?",
            [1, 2],
            [MySql]
        );
        $case!(
            insert_mysql_ignore,
            "INSERT IGNORE INTO orders (id, total) VALUES (?, ?)",
            [1, 2],
            [MySql]
        );
        $case!(
            insert_sqlite_or_ignore,
            "INSERT OR IGNORE INTO orders (id, total) VALUES (?, ?)",
            [1, 2],
            [Sqlite]
        );
        $case!(
            insert_sqlite_or_replace,
            "INSERT OR REPLACE INTO orders (id, total) VALUES (?, ?)",
            [1, 2],
            [Sqlite]
        );
        $case!(
            insert_sqlite_or_replace_unscoped,
            "INSERT OR REPLACE INTO products (id, name) VALUES (?, ?)",
            [1, "pen"],
            [Sqlite]
        );
        $case!(
            insert_replace_into,
            "REPLACE INTO orders (id, total) VALUES (?, ?)",
            [1, 2],
            [MySql, Sqlite]
        );
        $case!(
            insert_sqlite_upsert,
            "INSERT INTO orders (id, total) VALUES (?, ?) ON CONFLICT(id) DO UPDATE SET total = excluded.total",
            [1, 2],
            [Sqlite]
        );
        $case!(
            insert_tenant_column_needs_quotes,
            "INSERT INTO accounts (name) VALUES ($1)",
            ["a"]
        );
        $case!(
            insert_tenant_column_given_case_insensitive,
            "INSERT INTO accounts (name, orgkey) VALUES ($1, $2)",
            ["a", 42]
        );
        // UPDATE
        $case!(
            update_simple,
            r#"UPDATE "orders" SET "total" = $1 WHERE "id" = $2"#,
            [5, 1]
        );
        $case!(
            update_no_where,
            r#"UPDATE "orders" SET "status" = $1"#,
            ["closed"]
        );
        $case!(
            update_or_where,
            "UPDATE orders SET status = $1 WHERE id = $2 OR id = $3",
            ["x", 1, 2]
        );
        $case!(
            update_alias,
            "UPDATE orders AS o SET total = o.total + 1 WHERE o.id = $1",
            [1]
        );
        $case!(
            update_returning,
            "UPDATE orders SET total = $1 WHERE id = $2 RETURNING id, total",
            [5, 1],
            [Postgres, Sqlite]
        );
        $case!(
            update_sets_tenant_same,
            "UPDATE orders SET tenant_id = $1, total = $2 WHERE id = $3",
            [42, 5, 1]
        );
        $case!(
            update_sets_tenant_other,
            "UPDATE orders SET tenant_id = $1 WHERE id = $2",
            [7, 1]
        );
        $case!(
            update_sets_tenant_expression,
            "UPDATE orders SET tenant_id = customer_id WHERE id = $1",
            [1]
        );
        $case!(
            update_subquery_in_set,
            "UPDATE orders SET total = (SELECT sum(price) FROM order_items i WHERE i.order_id = orders.id) WHERE id = $1",
            [1]
        );
        $case!(
            update_subquery_in_where,
            "UPDATE orders SET status = 'vip' WHERE customer_id IN (SELECT id FROM customers WHERE name = $1)",
            ["a"]
        );
        $case!(
            update_from,
            "UPDATE orders SET total = c.credit FROM customers c WHERE c.id = orders.customer_id AND c.name = $1",
            ["a"],
            [Postgres, Sqlite]
        );
        $case!(
            update_from_unscoped,
            "UPDATE orders SET total = p.price FROM products p WHERE p.id = orders.product_id",
            [],
            [Postgres, Sqlite]
        );
        $case!(
            update_mysql_multi_table,
            "UPDATE orders o JOIN customers c ON c.id = o.customer_id SET o.total = c.credit WHERE c.name = ?",
            ["a"],
            [MySql]
        );
        $case!(
            update_mysql_multi_table_sets_tenant,
            "UPDATE orders o JOIN customers c ON c.id = o.customer_id SET o.tenant_id = c.tenant_id",
            [],
            [MySql]
        );
        $case!(
            update_mysql_order_limit,
            "UPDATE orders SET status = ? ORDER BY id LIMIT 10",
            ["x"],
            [MySql]
        );
        $case!(
            update_unscoped,
            "UPDATE products SET price = $1 WHERE id = $2",
            [1, 2]
        );
        $case!(
            update_unscoped_with_scoped_subquery,
            "UPDATE products SET sold = (SELECT count(*) FROM orders WHERE orders.product_id = products.id)"
        );
        $case!(
            update_sqlite_or_replace,
            "UPDATE OR REPLACE orders SET id = ? WHERE id = ?",
            [2, 1],
            [Sqlite]
        );
        // DELETE
        $case!(
            delete_simple,
            r#"DELETE FROM "orders" WHERE "id" = $1"#,
            [1]
        );
        $case!(delete_all, "DELETE FROM orders");
        $case!(
            delete_or_where,
            "DELETE FROM orders WHERE status = $1 OR total < $2",
            ["x", 0]
        );
        $case!(
            delete_returning,
            "DELETE FROM orders WHERE id = $1 RETURNING id",
            [1],
            [Postgres, Sqlite]
        );
        $case!(
            delete_subquery,
            "DELETE FROM orders WHERE customer_id IN (SELECT id FROM customers WHERE name = $1)",
            ["a"]
        );
        $case!(
            delete_using,
            "DELETE FROM orders o USING customers c WHERE c.id = o.customer_id AND c.name = $1",
            ["a"],
            [Postgres]
        );
        $case!(
            delete_mysql_multi_table,
            "DELETE o FROM orders o JOIN customers c ON c.id = o.customer_id WHERE c.name = ?",
            ["a"],
            [MySql]
        );
        $case!(
            delete_mysql_using,
            "DELETE FROM o USING orders AS o JOIN customers AS c ON c.id = o.customer_id WHERE c.name = ?",
            ["a"],
            [MySql]
        );
        $case!(
            delete_mysql_order_limit,
            "DELETE FROM orders WHERE status = ? ORDER BY id LIMIT 5",
            ["x"],
            [MySql]
        );
        $case!(delete_unscoped, "DELETE FROM products WHERE id = $1", [1]);
        // Data-modifying CTEs (PostgreSQL)
        $case!(
            cte_delete_returning,
            "WITH gone AS (DELETE FROM orders WHERE status = $1 RETURNING id) SELECT count(*) FROM gone",
            ["old"],
            [Postgres]
        );
        $case!(
            cte_insert_select,
            "WITH moved AS (UPDATE orders SET status = 'archived' WHERE total < $1 RETURNING id, total) INSERT INTO order_items (order_id, price) SELECT id, total FROM moved",
            [5],
            [Postgres]
        );
        $case!(
            cte_select_into_insert,
            "WITH c AS (SELECT id FROM customers WHERE name = $1) INSERT INTO orders (customer_id) SELECT id FROM c",
            ["a"],
            [Postgres, Sqlite]
        );
        $case!(
            cte_named_like_update_target,
            "WITH orders AS (SELECT 1 AS id) UPDATE orders SET total = 0 WHERE id IN (SELECT id FROM orders)",
            [],
            [Postgres, Sqlite]
        );
        $case!(
            cte_named_like_delete_target,
            "WITH orders AS (SELECT 1 AS id) DELETE FROM orders",
            [],
            [Postgres, Sqlite]
        );
    };
}
