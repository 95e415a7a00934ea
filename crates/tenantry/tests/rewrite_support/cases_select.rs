//! The SELECT shapes of the rewriter corpus, shared by the snapshot tests and the
//! differential oracle (`tests/tests/snapshot_oracle.rs`).
//!
//! `select_cases!(m)` invokes `m!(name, sql)`, `m!(name, sql, [values])` or
//! `m!(name, sql, [values], [backends])` once per case, in the form of `case!`; the caller
//! has `MySql`, `Postgres` and `Sqlite` (`sea_orm::DatabaseBackend`) in scope.

/// Invokes `$case!` once per case.
#[macro_export]
macro_rules! select_cases {
    ($case:ident) => {
        $case!(select_one, "SELECT 1");
        $case!(
            select_unscoped,
            r#"SELECT "id", "name" FROM "products" WHERE "price" > $1"#,
            [10]
        );
        $case!(
            select_simple,
            r#"SELECT "orders"."id", "orders"."total" FROM "orders""#
        );
        $case!(
            select_where_param,
            r#"SELECT "id" FROM "orders" WHERE "id" = $1"#,
            [7]
        );
        $case!(
            select_or_parenthesised,
            r#"SELECT "id" FROM "orders" WHERE "status" = $1 OR "total" > $2"#,
            ["open", 100]
        );
        $case!(
            select_alias,
            r#"SELECT "o"."id" FROM "orders" AS "o" WHERE "o"."total" > $1 ORDER BY "o"."id" LIMIT $2"#,
            [5, 10]
        );
        $case!(select_alias_without_as, "SELECT o.id FROM orders o");
        $case!(
            select_comma_join,
            "SELECT o.id, c.name FROM orders o, customers c WHERE o.customer_id = c.id"
        );
        $case!(
            select_self_join,
            "SELECT a.id, b.id FROM orders a JOIN orders b ON a.parent_id = b.id"
        );
        $case!(
            select_inner_join,
            r#"SELECT "orders"."id" FROM "orders" INNER JOIN "customers" ON "orders"."customer_id" = "customers"."id" WHERE "customers"."name" LIKE $1"#,
            ["A%"]
        );
        $case!(
            select_left_join,
            "SELECT c.id, o.id FROM customers c LEFT JOIN orders o ON o.customer_id = c.id"
        );
        $case!(
            select_right_join,
            "SELECT c.id, o.id FROM orders o RIGHT JOIN customers c ON o.customer_id = c.id",
            [],
            [Postgres, MySql, Sqlite]
        );
        $case!(
            select_full_join,
            "SELECT c.id, o.id FROM orders o FULL OUTER JOIN customers c ON o.customer_id = c.id",
            [],
            [Postgres, Sqlite]
        );
        $case!(
            select_cross_join,
            "SELECT o.id, p.id FROM orders o CROSS JOIN products p"
        );
        $case!(
            select_join_using,
            "SELECT * FROM orders JOIN order_items USING (order_id)"
        );
        $case!(
            select_left_join_using,
            "SELECT * FROM orders LEFT JOIN order_items USING (order_id)"
        );
        $case!(
            select_natural_join,
            "SELECT * FROM orders NATURAL JOIN customers"
        );
        $case!(
            select_join_unscoped_side,
            "SELECT o.id, p.name FROM orders o JOIN products p ON p.id = o.product_id"
        );
        $case!(
            select_three_joins,
            "SELECT o.id FROM orders o JOIN order_items i ON i.order_id = o.id LEFT JOIN products p ON p.id = i.product_id LEFT JOIN customers c ON c.id = o.customer_id"
        );
        $case!(
            select_nested_join,
            "SELECT * FROM products p LEFT JOIN (orders o JOIN customers c ON c.id = o.customer_id) ON o.product_id = p.id",
            [],
            [Postgres, MySql, Sqlite]
        );
        $case!(
            select_subquery_in_where_in,
            "SELECT id FROM customers WHERE id IN (SELECT customer_id FROM orders WHERE total > $1)",
            [100]
        );
        $case!(
            select_exists,
            "SELECT c.id FROM customers c WHERE EXISTS (SELECT 1 FROM orders o WHERE o.customer_id = c.id)"
        );
        $case!(
            select_not_exists_unscoped_outer,
            "SELECT p.id FROM products p WHERE NOT EXISTS (SELECT 1 FROM orders o WHERE o.product_id = p.id)"
        );
        $case!(
            select_scalar_subquery,
            "SELECT c.id, (SELECT count(*) FROM orders o WHERE o.customer_id = c.id) AS n FROM customers c"
        );
        $case!(
            select_having_subquery,
            "SELECT customer_id, sum(total) FROM orders GROUP BY customer_id HAVING sum(total) > (SELECT avg(total) FROM orders)"
        );
        $case!(
            select_derived_table,
            "SELECT t.customer_id FROM (SELECT customer_id, total FROM orders WHERE total > $1) AS t WHERE t.total < $2",
            [1, 1000]
        );
        $case!(
            select_lateral,
            "SELECT c.id, l.total FROM customers c CROSS JOIN LATERAL (SELECT o.total FROM orders o WHERE o.customer_id = c.id ORDER BY o.total DESC LIMIT 1) AS l",
            [],
            [Postgres, MySql]
        );
        $case!(
            select_cte,
            "WITH big AS (SELECT id, customer_id FROM orders WHERE total > $1) SELECT b.id FROM big b JOIN customers c ON c.id = b.customer_id",
            [100]
        );
        $case!(
            select_cte_shadows_table,
            "WITH orders AS (SELECT id FROM products) SELECT id FROM orders"
        );
        $case!(
            select_cte_named_like_table_reads_table,
            "WITH orders AS (SELECT id FROM orders) SELECT id FROM orders"
        );
        $case!(
            select_recursive_cte,
            "WITH RECURSIVE tree AS (SELECT id, parent_id FROM orders WHERE parent_id IS NULL UNION ALL SELECT o.id, o.parent_id FROM orders o JOIN tree t ON o.parent_id = t.id) SELECT id FROM tree"
        );
        $case!(
            select_cte_in_subquery_scope,
            "SELECT (WITH x AS (SELECT 1 AS v) SELECT v FROM x) AS a, id FROM orders"
        );
        $case!(
            select_union,
            "SELECT id FROM orders UNION SELECT id FROM customers"
        );
        $case!(
            select_union_all_with_unscoped,
            "SELECT id FROM orders WHERE total > $1 UNION ALL SELECT id FROM products WHERE price > $2",
            [1, 2]
        );
        $case!(
            select_intersect,
            "SELECT customer_id FROM orders INTERSECT SELECT id FROM customers"
        );
        $case!(
            select_except,
            "SELECT id FROM customers EXCEPT SELECT customer_id FROM orders",
            [],
            [Postgres, Sqlite]
        );
        $case!(
            select_case_folding,
            "SELECT id FROM ORDERS WHERE Orders.total > 0"
        );
        $case!(select_quoted_exact, r#"SELECT id FROM "Orders""#);
        $case!(select_mixed_case_table, r#"SELECT id FROM "Mixed""#);
        $case!(select_mixed_unquoted, "SELECT id FROM Mixed");
        $case!(
            select_schema_public,
            "SELECT id FROM public.orders",
            [],
            [Postgres]
        );
        $case!(
            select_schema_main,
            "SELECT id FROM main.orders",
            [],
            [Sqlite]
        );
        $case!(select_schema_unknown, r#"SELECT id FROM app."orders""#);
        $case!(
            select_schema_registered,
            "SELECT id FROM billing.invoices WHERE amount > $1",
            [5],
            [Postgres, MySql]
        );
        $case!(
            select_schema_unregistered_other,
            "SELECT id FROM archive.invoices",
            [],
            [Postgres, MySql]
        );
        $case!(
            select_string_and_comment,
            "SELECT id FROM orders WHERE note = 'FROM customers' -- FROM customers\n AND id > $1",
            [3]
        );
        $case!(
            select_in_list,
            "SELECT id FROM orders WHERE id IN ($1, $2, $3)",
            [1, 2, 3]
        );
        $case!(
            select_for_update,
            "SELECT id FROM orders WHERE id = $1 FOR UPDATE",
            [1],
            [Postgres, MySql]
        );
        $case!(
            select_distinct_order_limit_offset,
            r#"SELECT DISTINCT "customer_id" FROM "orders" ORDER BY "customer_id" LIMIT $1 OFFSET $2"#,
            [10, 20]
        );
        $case!(
            select_count_group,
            r#"SELECT "status", COUNT("id") AS "n" FROM "orders" GROUP BY "status" HAVING COUNT("id") > $1"#,
            [1]
        );
        $case!(
            select_window,
            "SELECT id, row_number() OVER (PARTITION BY customer_id ORDER BY total) FROM orders"
        );
        $case!(
            select_subquery_in_join_on,
            "SELECT c.id FROM customers c JOIN products p ON p.id IN (SELECT product_id FROM orders o WHERE o.customer_id = c.id)"
        );
        $case!(
            select_deep_nesting,
            "SELECT * FROM (SELECT * FROM (SELECT id FROM orders) a WHERE a.id IN (SELECT order_id FROM order_items)) b"
        );
        $case!(
            select_no_values_statement,
            "SELECT id FROM orders WHERE status = 'open'"
        );
        $case!(
            select_multiple_statements,
            "SELECT id FROM orders WHERE id = $1; SELECT id FROM customers WHERE id = $2",
            [1, 2]
        );
        $case!(
            select_multiple_statements_unscoped,
            "SELECT 1; SELECT id FROM products"
        );
        $case!(
            select_alias_renames_columns,
            "SELECT o.tenant_id FROM orders AS o(tenant_id, x) WHERE o.x > 1",
            [],
            [Postgres]
        );
        $case!(
            select_full_join_three_way,
            "SELECT * FROM orders a FULL JOIN customers b ON a.id = b.id LEFT JOIN products p ON p.id = a.id",
            [],
            [Postgres, Sqlite]
        );
        $case!(
            select_right_join_after_inner,
            "SELECT * FROM orders o JOIN customers c ON c.id = o.customer_id RIGHT JOIN products p ON p.id = o.product_id"
        );
        $case!(
            select_in_subquery_with_union,
            "SELECT id FROM products WHERE id IN (SELECT product_id FROM orders UNION SELECT product_id FROM order_items)"
        );
        $case!(
            select_case_with_subquery,
            "SELECT CASE WHEN EXISTS (SELECT 1 FROM orders o WHERE o.customer_id = c.id) THEN 1 ELSE 0 END FROM customers c"
        );
        $case!(
            select_function_arg_subquery,
            "SELECT coalesce((SELECT max(total) FROM orders), 0)"
        );
        $case!(
            select_nested_cte_scopes,
            "WITH a AS (SELECT id FROM orders), b AS (SELECT id FROM a UNION SELECT id FROM customers) SELECT * FROM b WHERE id IN (SELECT id FROM a)"
        );
        $case!(
            select_cte_shadow_only_inside,
            "SELECT * FROM (WITH orders AS (SELECT 1 AS id) SELECT id FROM orders) x JOIN orders o ON o.id = x.id"
        );
        $case!(
            select_table_function_unscoped,
            "SELECT * FROM generate_series(1, 3) AS g(n) JOIN orders o ON o.id = g.n",
            [],
            [Postgres]
        );
        $case!(
            select_unnest,
            "SELECT * FROM orders o, unnest(o.tags) AS t(tag)",
            [],
            [Postgres]
        );
        $case!(
            select_quoted_tenant_column_registry,
            r#"SELECT * FROM "Mixed" AS m WHERE m."Value" = $1"#,
            [1]
        );
        $case!(
            select_limit_subquery,
            "SELECT id FROM products LIMIT (SELECT count(*) FROM orders)",
            [],
            [Postgres]
        );
        $case!(
            select_order_by_subquery,
            "SELECT id FROM products p ORDER BY (SELECT count(*) FROM order_items i WHERE i.product_id = p.id)"
        );
        $case!(
            select_group_by_rollup_unscoped,
            "SELECT category, count(*) FROM products GROUP BY category"
        );
        $case!(
            select_exists_in_join_on_left,
            "SELECT * FROM customers c LEFT JOIN orders o ON o.customer_id = c.id AND EXISTS (SELECT 1 FROM order_items i WHERE i.order_id = o.id)"
        );
        $case!(
            select_tenant_column_needs_quotes,
            "SELECT a.id FROM accounts a JOIN orders o ON o.account_id = a.id"
        );
        $case!(explain_select, "EXPLAIN SELECT id FROM orders");
        $case!(
            select_sqlite_quoting_styles,
            "SELECT * FROM 'orders' JOIN [customers] ON 1 = 1 JOIN `order_items` ON 2 = 2",
            [],
            [Sqlite]
        );
    };
}
