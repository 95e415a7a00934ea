//! The channels of class 8: each statement as an app writes it, and the same with the tenant
//! predicate written first.

use super::Channel;
use crate::isolation::shapes::Run;

fn ch(
    name: &'static str,
    position: &'static str,
    run: Run,
    sql: &'static str,
    first: &'static str,
) -> Channel {
    Channel {
        name,
        position,
        run,
        sql,
        first,
    }
}

/// Every channel measured.
pub(crate) fn channels() -> Vec<Channel> {
    use Run::{Exec, Query};
    // `exp(if(<B's row>, 1000, 0))` overflows — an error — exactly when a row of B is
    // evaluated: an existence oracle in any position. Casts of B's strings in a statement that
    // writes (strict mode turns the warning into an error) carry the value itself.
    vec![
        ch(
            "err/exp_overflow_where",
            "WHERE",
            Query,
            "SELECT id FROM customers WHERE exp(if(left(name, 1) = 'B', 1000, 0)) > 0",
            "SELECT id FROM customers WHERE tenant_id = $A AND (exp(if(left(name, 1) = 'B', 1000, 0)) > 0)",
        ),
        ch(
            "err/exp_overflow_where_or",
            "WHERE (OR)",
            Query,
            "SELECT id FROM customers WHERE id < 0 OR exp(if(left(name, 1) = 'B', 1000, 0)) > 0",
            "SELECT id FROM customers WHERE tenant_id = $A AND (id < 0 OR exp(if(left(name, 1) = 'B', 1000, 0)) > 0)",
        ),
        ch(
            "err/exp_overflow_primary_key_lookup",
            "WHERE (const row)",
            Query,
            "SELECT id FROM customers WHERE id = 1001 AND exp(if(left(name, 1) = 'B', 1000, 0)) > 0",
            "SELECT id FROM customers WHERE tenant_id = $A AND (id = 1001 AND exp(if(left(name, 1) = 'B', 1000, 0)) > 0)",
        ),
        ch(
            "err/exp_overflow_primary_key_range",
            "WHERE (range)",
            Query,
            "SELECT id FROM customers WHERE id IN (1001, 2001) AND exp(if(left(name, 1) = 'B', 1000, 0)) > 0",
            "SELECT id FROM customers WHERE tenant_id = $A AND (id IN (1001, 2001) AND exp(if(left(name, 1) = 'B', 1000, 0)) > 0)",
        ),
        ch(
            "err/bigint_overflow_where",
            "WHERE",
            Query,
            "SELECT id FROM customers WHERE ~0 + (left(name, 1) = 'B') > 0",
            "SELECT id FROM customers WHERE tenant_id = $A AND (~0 + (left(name, 1) = 'B') > 0)",
        ),
        ch(
            "err/exp_overflow_join_on",
            "ON",
            Query,
            "SELECT o.id FROM orders o JOIN customers c ON c.id = o.customer_id AND exp(if(left(c.name, 1) = 'B', 1000, 0)) > 0",
            "SELECT o.id FROM orders o JOIN customers c ON c.tenant_id = $A AND (c.id = o.customer_id AND exp(if(left(c.name, 1) = 'B', 1000, 0)) > 0) WHERE o.tenant_id = $A",
        ),
        ch(
            "err/exp_overflow_join_on_cross",
            "ON (no join key)",
            Query,
            "SELECT o.id, c.id AS cid FROM orders o JOIN customers c ON exp(if(left(c.name, 1) = 'B', 1000, 0)) > 0",
            "SELECT o.id, c.id AS cid FROM orders o JOIN customers c ON c.tenant_id = $A AND (exp(if(left(c.name, 1) = 'B', 1000, 0)) > 0) WHERE o.tenant_id = $A",
        ),
        ch(
            "err/exp_overflow_left_join_on",
            "LEFT JOIN ON",
            Query,
            "SELECT o.id, c.id AS cid FROM orders o LEFT JOIN customers c ON exp(if(left(c.name, 1) = 'B', 1000, 0)) > 0",
            "SELECT o.id, c.id AS cid FROM orders o LEFT JOIN customers c ON c.tenant_id = $A AND (exp(if(left(c.name, 1) = 'B', 1000, 0)) > 0) WHERE o.tenant_id = $A",
        ),
        ch(
            "err/exp_overflow_select_list",
            "select list",
            Query,
            "SELECT exp(if(left(name, 1) = 'B', 1000, 0)) AS v FROM customers",
            "SELECT exp(if(left(name, 1) = 'B', 1000, 0)) AS v FROM customers WHERE tenant_id = $A",
        ),
        ch(
            "err/exp_overflow_order_by",
            "ORDER BY",
            Query,
            "SELECT id FROM customers ORDER BY exp(if(left(name, 1) = 'B', 1000, 0))",
            "SELECT id FROM customers WHERE tenant_id = $A ORDER BY exp(if(left(name, 1) = 'B', 1000, 0))",
        ),
        ch(
            "err/exp_overflow_group_by",
            "GROUP BY",
            Query,
            "SELECT count(*) AS n FROM customers GROUP BY exp(if(left(name, 1) = 'B', 1000, 0))",
            "SELECT count(*) AS n FROM customers WHERE tenant_id = $A GROUP BY exp(if(left(name, 1) = 'B', 1000, 0))",
        ),
        ch(
            "err/exp_overflow_having",
            "HAVING",
            Query,
            "SELECT count(*) AS n FROM customers GROUP BY email HAVING exp(if(left(max(name), 1) = 'B', 1000, 0)) > 0",
            "SELECT count(*) AS n FROM customers WHERE tenant_id = $A GROUP BY email HAVING exp(if(left(max(name), 1) = 'B', 1000, 0)) > 0",
        ),
        ch(
            "err/exp_overflow_exists",
            "subquery",
            Query,
            "SELECT id FROM orders o WHERE EXISTS (SELECT 1 FROM customers c WHERE exp(if(left(c.name, 1) = 'B', 1000, 0)) > 0)",
            "SELECT id FROM orders o WHERE o.tenant_id = $A AND (EXISTS (SELECT 1 FROM customers c WHERE c.tenant_id = $A AND (exp(if(left(c.name, 1) = 'B', 1000, 0)) > 0)))",
        ),
        ch(
            "err/exp_overflow_derived_table",
            "derived table",
            Query,
            "SELECT d.id FROM (SELECT id, name FROM customers) d WHERE exp(if(left(d.name, 1) = 'B', 1000, 0)) > 0",
            "SELECT d.id FROM (SELECT id, name FROM customers WHERE tenant_id = $A) d WHERE exp(if(left(d.name, 1) = 'B', 1000, 0)) > 0",
        ),
        ch(
            "err/exp_overflow_union_branch",
            "UNION branch",
            Query,
            "SELECT sku FROM products UNION SELECT name FROM customers WHERE exp(if(left(name, 1) = 'B', 1000, 0)) > 0",
            "SELECT sku FROM products UNION SELECT name FROM customers WHERE tenant_id = $A AND (exp(if(left(name, 1) = 'B', 1000, 0)) > 0)",
        ),
        // MariaDB accepts only constant XPath: a column cannot reach the message.
        ch(
            "err/extractvalue_column",
            "WHERE",
            Query,
            "SELECT id FROM customers WHERE extractvalue(1, concat('~', name)) = 'x'",
            "SELECT id FROM customers WHERE tenant_id = $A AND (extractvalue(1, concat('~', name)) = 'x')",
        ),
        ch(
            "err/extractvalue_scalar_subquery",
            "select list",
            Query,
            "SELECT extractvalue(1, concat('~', (SELECT max(name) FROM customers))) AS v",
            "SELECT extractvalue(1, concat('~', (SELECT max(name) FROM customers WHERE tenant_id = $A))) AS v",
        ),
        // Conversion warnings are counted: `@@warning_count` after the statement.
        ch(
            "err/warning_count_after_cast_where",
            "WHERE (warnings)",
            Query,
            "SELECT id FROM customers WHERE name + 0 = 1\n;;\nSELECT @@warning_count AS w",
            "SELECT id FROM customers WHERE tenant_id = $A AND (name + 0 = 1)\n;;\nSELECT @@warning_count AS w",
        ),
        ch(
            "err/warning_count_after_cast_join_on",
            "ON (warnings)",
            Query,
            "SELECT o.id FROM orders o JOIN customers c ON c.name + 0 = o.id\n;;\nSELECT @@warning_count AS w",
            "SELECT o.id FROM orders o JOIN customers c ON c.tenant_id = $A AND (c.name + 0 = o.id) WHERE o.tenant_id = $A\n;;\nSELECT @@warning_count AS w",
        ),
        ch(
            "err/json_invalid_where",
            "WHERE (warnings)",
            Query,
            "SELECT id FROM customers WHERE JSON_EXTRACT(name, '$.a') IS NULL\n;;\nSELECT @@warning_count AS w",
            "SELECT id FROM customers WHERE tenant_id = $A AND (JSON_EXTRACT(name, '$.a') IS NULL)\n;;\nSELECT @@warning_count AS w",
        ),
        // Statements that write: strict mode makes conversion warnings errors.
        ch(
            "err/cast_update_where",
            "UPDATE WHERE",
            Exec,
            "UPDATE customers SET name = name WHERE name + 0 = 1",
            "UPDATE customers SET name = name WHERE tenant_id = $A AND (name + 0 = 1)",
        ),
        ch(
            "err/cast_update_where_compare_int",
            "UPDATE WHERE",
            Exec,
            "UPDATE customers SET name = name WHERE name = 0",
            "UPDATE customers SET name = name WHERE tenant_id = $A AND (name = 0)",
        ),
        ch(
            "err/date_update_where",
            "UPDATE WHERE",
            Exec,
            "UPDATE customers SET name = name WHERE DATE(name) IS NULL",
            "UPDATE customers SET name = name WHERE tenant_id = $A AND (DATE(name) IS NULL)",
        ),
        ch(
            "err/cast_update_where_or",
            "UPDATE WHERE (OR)",
            Exec,
            "UPDATE customers SET name = name WHERE id < 0 OR name + 0 = 1",
            "UPDATE customers SET name = name WHERE tenant_id = $A AND (id < 0 OR name + 0 = 1)",
        ),
        ch(
            "err/cast_update_order_by_limit",
            "UPDATE ORDER BY",
            Exec,
            "UPDATE customers SET name = name ORDER BY name + 0 LIMIT 1",
            "UPDATE customers SET name = name WHERE tenant_id = $A ORDER BY name + 0 LIMIT 1",
        ),
        ch(
            "err/cast_delete_where",
            "DELETE WHERE",
            Exec,
            "DELETE FROM customers WHERE name + 0 = 1",
            "DELETE FROM customers WHERE tenant_id = $A AND (name + 0 = 1)",
        ),
        ch(
            "err/date_delete_where",
            "DELETE WHERE",
            Exec,
            "DELETE FROM customers WHERE DATE(name) IS NULL AND id < 0",
            "DELETE FROM customers WHERE tenant_id = $A AND (DATE(name) IS NULL AND id < 0)",
        ),
        ch(
            "err/cast_insert_select_where",
            "INSERT … SELECT WHERE",
            Exec,
            "INSERT INTO orders (customer_id, status, total) SELECT 2001, 'x', 1 FROM customers WHERE name + 0 = 1",
            "INSERT INTO orders (tenant_id, customer_id, status, total) SELECT $A, 2001, 'x', 1 FROM customers WHERE tenant_id = $A AND (name + 0 = 1)",
        ),
        ch(
            "err/division_by_zero_update_where",
            "UPDATE WHERE",
            Exec,
            "UPDATE customers SET name = name WHERE 1 / (left(name, 1) <> 'B') > 0",
            "UPDATE customers SET name = name WHERE tenant_id = $A AND (1 / (left(name, 1) <> 'B') > 0)",
        ),
        ch(
            "err/division_by_zero_delete_where",
            "DELETE WHERE",
            Exec,
            "DELETE FROM customers WHERE 1 / (left(name, 1) <> 'B') < 0",
            "DELETE FROM customers WHERE tenant_id = $A AND (1 / (left(name, 1) <> 'B') < 0)",
        ),
        ch(
            "err/exp_overflow_update_where",
            "UPDATE WHERE",
            Exec,
            "UPDATE customers SET name = name WHERE exp(if(left(name, 1) = 'B', 1000, 0)) > 0",
            "UPDATE customers SET name = name WHERE tenant_id = $A AND (exp(if(left(name, 1) = 'B', 1000, 0)) > 0)",
        ),
        ch(
            "err/exp_overflow_delete_where",
            "DELETE WHERE",
            Exec,
            "DELETE FROM customers WHERE exp(if(left(name, 1) = 'B', 1000, 0)) < 0",
            "DELETE FROM customers WHERE tenant_id = $A AND (exp(if(left(name, 1) = 'B', 1000, 0)) < 0)",
        ),
        ch(
            "err/cast_update_join_where",
            "UPDATE … JOIN WHERE",
            Exec,
            "UPDATE orders o JOIN customers c ON c.id = o.customer_id SET o.status = o.status WHERE c.name + 0 = 1",
            "UPDATE orders o JOIN customers c ON c.tenant_id = $A AND (c.id = o.customer_id) SET o.status = o.status WHERE o.tenant_id = $A AND (c.name + 0 = 1)",
        ),
        ch(
            "err/cast_update_join_on",
            "UPDATE … JOIN ON",
            Exec,
            "UPDATE orders o JOIN customers c ON c.name + 0 = o.id SET o.status = o.status",
            "UPDATE orders o JOIN customers c ON c.tenant_id = $A AND (c.name + 0 = o.id) SET o.status = o.status WHERE o.tenant_id = $A",
        ),
        ch(
            "err/cast_delete_join_where",
            "DELETE … JOIN WHERE",
            Exec,
            "DELETE i FROM order_items i JOIN orders o ON o.id = i.order_id JOIN customers c ON c.id = o.customer_id WHERE c.name + 0 = 1",
            "DELETE i FROM order_items i JOIN orders o ON o.tenant_id = $A AND (o.id = i.order_id) JOIN customers c ON c.tenant_id = $A AND (c.id = o.customer_id) WHERE i.tenant_id = $A AND (c.name + 0 = 1)",
        ),
        ch(
            "err/cast_update_subquery_where",
            "UPDATE WHERE (subquery)",
            Exec,
            "UPDATE orders SET status = status WHERE customer_id IN (SELECT id FROM customers WHERE name + 0 = 1)",
            "UPDATE orders SET status = status WHERE tenant_id = $A AND (customer_id IN (SELECT id FROM customers WHERE tenant_id = $A AND (name + 0 = 1)))",
        ),
        ch(
            "err/cast_update_set_subquery",
            "UPDATE SET (subquery)",
            Exec,
            "UPDATE orders SET total = (SELECT max(name + 0) FROM customers) WHERE id = 2101",
            "UPDATE orders SET total = (SELECT max(name + 0) FROM customers WHERE tenant_id = $A) WHERE tenant_id = $A AND (id = 2101)",
        ),
    ]
}
