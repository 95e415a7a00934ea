//! Class 9 — name resolution. A reference the rewriter takes for a CTE (and leaves unscoped)
//! while the database reads the table, or the reverse: CTEs named like scoped tables in
//! PostgreSQL `DELETE … USING`, MariaDB's case-insensitive CTE names, SQLite's forward
//! references between CTEs without `RECURSIVE` (and PostgreSQL's, which it does not allow),
//! CTE names shadowing (or not) in subqueries and derived tables, schema-qualified names a CTE
//! can never be, quoted vs unquoted folding, statement forms that name a table without FROM.
//!
//! All cases are `Same`: resolved as the database does, the statement gives the oracle's
//! result.

use super::case::{Case, q, x};

pub(crate) fn cases() -> Vec<Case> {
    let mut v = ctes();
    v.extend(qualification());
    v
}

fn ctes() -> Vec<Case> {
    vec![
        // PostgreSQL: USING items see the CTE; the CTE's own body reads the table.
        x("name/pg_delete_using_cte_named_like_table")
            .pg("WITH orders AS (SELECT id, customer_id FROM orders) DELETE FROM order_items i USING orders o WHERE o.customer_id = 1001 AND i.id = 2201"),
        x("name/pg_delete_using_cte_shadowing_with_other_columns")
            .pg("WITH orders AS (SELECT id AS order_id FROM products) DELETE FROM order_items i USING orders o WHERE o.order_id = 1 AND i.id = 2201"),
        x("name/pg_update_from_cte_named_like_table")
            .pg("WITH customers AS (SELECT id, name FROM customers) UPDATE orders o SET status = c.name FROM customers c WHERE c.id = 1001 AND o.id = 2101"),
        x("name/update_target_named_like_cte")
            .pg_lite("WITH orders AS (SELECT 1 AS id) UPDATE orders SET status = 'x' WHERE id > 0"),
        x("name/delete_target_named_like_cte")
            .pg_lite("WITH order_items AS (SELECT 1 AS id) DELETE FROM order_items WHERE id > 0"),
        // A CTE inside a subquery shadows only there.
        q("name/cte_in_exists_does_not_shadow_outer")
            .all("SELECT o.id, o.status FROM orders o WHERE EXISTS (WITH orders AS (SELECT 1 AS x) SELECT 1 FROM orders)"),
        q("name/cte_in_scalar_subquery_does_not_shadow_outer")
            .all("SELECT c.name, (WITH customers AS (SELECT 'x' AS name) SELECT max(name) FROM customers) AS m FROM customers c"),
        q("name/cte_in_derived_table_does_not_shadow_sibling")
            .all("SELECT x.n, c.name FROM (WITH customers AS (SELECT 1 AS n) SELECT n FROM customers) x, customers c"),
        q("name/cte_in_derived_table_after_join")
            .all("SELECT c.name, x.n FROM customers c JOIN (WITH customers AS (SELECT 2001 AS n) SELECT n FROM customers) x ON x.n = c.id OR x.n > 0"),
        q("name/cte_in_union_branch_does_not_shadow_other_branch")
            .all("SELECT name FROM customers UNION ALL SELECT * FROM (WITH customers AS (SELECT 'x' AS name) SELECT name FROM customers) s"),
        q("name/outer_cte_shadows_in_subquery")
            .all("WITH customers AS (SELECT id, sku AS name FROM products) SELECT (SELECT max(name) FROM customers) AS m"),
        q("name/inner_cte_body_reads_outer_cte")
            .pg_lite("WITH c AS (SELECT id, name FROM customers) SELECT * FROM (WITH customers AS (SELECT id, name FROM c) SELECT name FROM customers) s"),
        // Forward references: SQLite resolves them without RECURSIVE; PostgreSQL and MariaDB
        // read the table.
        q("name/forward_reference_to_cte_named_like_table")
            .all("WITH a AS (SELECT id, name FROM customers), customers AS (SELECT 1 AS id, 'x' AS name) SELECT id, name FROM a"),
        q("name/forward_reference_chain")
            .lite("WITH b AS (SELECT id, name FROM a), a AS (SELECT id, name FROM customers) SELECT id, name FROM b"),
        q("name/recursive_forward_reference")
            .pg_my("WITH RECURSIVE a AS (SELECT id, name FROM customers), customers AS (SELECT 1 AS id, 'x' AS name) SELECT id, name FROM a"),
        q("name/cte_body_reads_table_of_same_name")
            .pg_my("WITH orders AS (SELECT id, status FROM orders WHERE total > 0) SELECT id, status FROM orders"),
        q("name/sibling_cte_reads_shadowed_name")
            .pg_my("WITH customers AS (SELECT id, name FROM customers), x AS (SELECT name FROM customers) SELECT name FROM x"),
        // Case: MariaDB CTE names are case-insensitive, table names are not.
        q("name/mariadb_cte_case_insensitive_shadow")
            .my("WITH Orders AS (SELECT id, sku AS status FROM products) SELECT id, status FROM orders"),
        q("name/mariadb_cte_upper_case_reference")
            .my("WITH orders AS (SELECT id, sku AS status FROM products) SELECT id, status FROM ORDERS"),
        q("name/mariadb_cte_mixed_case_body_reads_table")
            .my("WITH Customers AS (SELECT id, name FROM customers) SELECT id, name FROM CUSTOMERS"),
        // Quoting and folding.
        q("name/pg_quoted_cte_not_folded")
            .pg("WITH \"Orders\" AS (SELECT 1 AS id, 'x' AS status) SELECT id, status FROM Orders"),
        q("name/pg_unquoted_cte_quoted_reference")
            .pg("WITH orders AS (SELECT 1 AS id, 'x' AS status) SELECT id, status FROM \"orders\""),
        q("name/pg_upper_case_cte_folds_to_table_name")
            .pg("WITH ORDERS AS (SELECT 1 AS id, 'x' AS status) SELECT id, status FROM orders"),
        q("name/sqlite_cte_case_insensitive")
            .lite("WITH Orders AS (SELECT 1 AS id, 'x' AS status) SELECT id, status FROM ORDERS"),
        q("name/sqlite_quoted_cte_reference")
            .lite("WITH \"orders\" AS (SELECT 1 AS id, 'x' AS status) SELECT id, status FROM [ORDERS]"),
    ]
}

fn qualification() -> Vec<Case> {
    vec![
        // A schema-qualified name is never a CTE.
        q("name/schema_qualified_not_a_cte")
            .pg("WITH orders AS (SELECT 1 AS id, 'x' AS status) SELECT id, status FROM public.orders")
            .lite("WITH orders AS (SELECT 1 AS id, 'x' AS status) SELECT id, status FROM main.orders"),
        q("name/schema_qualified_quoted_not_a_cte")
            .pg("WITH customers AS (SELECT 1 AS id, 'x' AS name) SELECT id, name FROM \"public\".\"customers\"")
            .lite("WITH customers AS (SELECT 1 AS id, 'x' AS name) SELECT id, name FROM \"main\".\"customers\""),
        q("name/schema_qualified_upper_case")
            .pg("SELECT id, name FROM PUBLIC.CUSTOMERS")
            .lite("SELECT id, name FROM MAIN.CUSTOMERS"),
        q("name/pg_catalog_qualified_search_path")
            .pg("SELECT c.id, c.name FROM public.customers c JOIN pg_catalog.pg_class k ON k.relname = 'customers'"),
        q("name/quoted_table_names")
            .pg_lite("SELECT \"id\", \"name\" FROM \"customers\"")
            .my("SELECT `id`, `name` FROM `customers`"),
        q("name/sqlite_bracket_and_backtick_table")
            .lite("SELECT c.id FROM [customers] c UNION ALL SELECT o.id FROM `orders` o"),
        q("name/sqlite_spaced_qualification")
            .lite("SELECT id, name FROM main . customers"),
        // Table forms without FROM.
        q("name/table_statement").pg("TABLE customers"),
        q("name/table_statement_in_union")
            .pg("SELECT id, tenant_id, name, email FROM customers WHERE false UNION ALL TABLE customers"),
        q("name/table_statement_in_cte").pg("WITH c AS (TABLE customers) SELECT name FROM c"),
        q("name/values_with_subquery")
            .pg_lite("VALUES ((SELECT max(name) FROM customers))"),
        q("name/inheritance_star").pg("SELECT id, name FROM customers *"),
        q("name/only_parenthesised").pg("SELECT id, name FROM ONLY (customers)"),
        q("name/tablesample").pg("SELECT id, name FROM customers TABLESAMPLE SYSTEM (100)"),
        q("name/lateral_derived_star").pg("SELECT x.* FROM LATERAL (SELECT id, name FROM customers) x"),
        q("name/whole_row_reference").pg("SELECT c::text AS c FROM customers c"),
        q("name/table_alias_shadows_table_name")
            .all("SELECT customers.id FROM orders customers, customers o WHERE o.id = customers.customer_id"),
        q("name/column_alias_list_renames_tenant_column")
            .pg("SELECT c.t, c.n FROM customers AS c(i, t, n)"),
    ]
}
