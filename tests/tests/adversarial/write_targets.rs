//! Class 6 — write targets inside nested joins. MariaDB's multi-table `UPDATE (a JOIN b ON …)
//! SET b.col = …` and `DELETE t FROM ((a JOIN b …) JOIN c …)`, PostgreSQL's and SQLite's
//! `UPDATE … FROM (a JOIN b …)` and `DELETE … USING (a JOIN b …)`: every table inside the
//! parentheses must be scoped and every assignment to a tenant column checked, at any depth.
//!
//! Rows chosen so that the foreign keys do not stop the attack by themselves: A's customer
//! 2003 and A's order 2102 have no rows referring to them; B's customer 1001 exists.

use super::case::{Case, q, qw, x};

pub(crate) fn cases() -> Vec<Case> {
    let mut v = mysql();
    v.extend(from_joins());
    v
}

/// MariaDB multi-table UPDATE and DELETE.
fn mysql() -> Vec<Case> {
    vec![
        x("wt/update_nested_join_sets_tenant")
            .my("UPDATE (products p JOIN customers c ON c.id = 2003) SET c.tenant_id = $B")
            .contained(),
        x("wt/update_nested_join_sets_tenant_and_key")
            .my("UPDATE (products p JOIN orders o ON o.id = 2102) SET o.tenant_id = $B, o.customer_id = 1001")
            .contained(),
        x("wt/update_deeper_nesting_sets_tenant")
            .my("UPDATE ((products p JOIN customers c ON c.id = 2003) JOIN tenants t ON t.id = c.tenant_id) SET c.tenant_id = $B")
            .contained(),
        x("wt/update_nested_right_side_sets_tenant")
            .my("UPDATE products p JOIN (tenants t JOIN customers c ON c.id = 2003) ON p.id = 1 SET c.tenant_id = $B")
            .contained(),
        x("wt/update_brief_shape_sets_tenant")
            .my("UPDATE (orders o JOIN customers c ON c.id = o.customer_id) SET c.tenant_id = $B WHERE o.id = 2101")
            .contained(),
        x("wt/update_nested_join_other_tenants_rows")
            .my("UPDATE (products p JOIN customers c ON c.id > 0) SET c.name = 'A-pwned'"),
        x("wt/update_nested_left_join")
            .my("UPDATE (products p LEFT JOIN customers c ON c.id = 1001) SET c.name = 'A-pwned'"),
        x("wt/update_deeper_nesting_other_tenants_rows")
            .my("UPDATE ((products p JOIN orders o ON o.id > 0) JOIN order_items i ON i.order_id = o.id) SET i.quantity = 99"),
        x("wt/update_nested_right_side_other_tenants_rows")
            .my("UPDATE orders o JOIN (customers c JOIN order_items i ON i.id > 0) ON c.id = o.customer_id SET i.quantity = 99"),
        x("wt/update_comma_and_parenthesised_table")
            .my("UPDATE products p, (customers c) SET c.name = 'A-pwned' WHERE c.id = 1001"),
        x("wt/update_sets_tenant_from_joined_column")
            .my("UPDATE customers c JOIN (SELECT $B AS t) x SET c.tenant_id = x.t WHERE c.id = 2003")
            .contained(),
        x("wt/update_nested_sets_value_from_other_tenant")
            .my("UPDATE (orders o JOIN customers c ON c.id = 1001) SET o.status = c.name WHERE o.id = 2101"),
        x("wt/update_parenthesised_single_table_sets_tenant")
            .my("UPDATE (customers c) SET c.tenant_id = $B WHERE c.id = 2003")
            .contained(),
        x("wt/update_double_parenthesised_sets_tenant")
            .my("UPDATE ((customers c)) SET c.tenant_id = $B WHERE c.id = 2003")
            .contained(),
        x("wt/update_comma_then_nested_join_sets_tenant")
            .my("UPDATE customers c, (products p JOIN orders o ON o.id = 2102) SET o.tenant_id = $B, o.customer_id = 1001 WHERE c.id = 2003")
            .contained(),
        x("wt/delete_double_parenthesised_target")
            .my("DELETE i FROM ((order_items i)) WHERE i.id = 1201"),
        x("wt/delete_nested_join")
            .my("DELETE i FROM (products p JOIN order_items i ON i.product_id = p.id)"),
        x("wt/delete_deeper_nesting")
            .my("DELETE i FROM ((products p JOIN order_items i ON i.product_id = p.id) JOIN orders o ON o.id = i.order_id)"),
        x("wt/delete_using_nested_join")
            .my("DELETE FROM i USING (products p JOIN order_items i ON i.product_id = p.id)"),
        x("wt/delete_two_targets_nested")
            .my("DELETE o, i FROM (orders o JOIN order_items i ON i.order_id = o.id) WHERE o.id = 1101"),
        x("wt/delete_target_in_right_nested_join")
            .my("DELETE c FROM products p JOIN (tenants t JOIN customers c ON c.tenant_id = t.id) ON p.id = 1 WHERE c.id IN (1001, 2003)"),
        x("wt/delete_nested_join_condition_on_other_tenant")
            .my("DELETE i FROM (order_items i JOIN orders o ON o.customer_id = 1001) WHERE i.id = 2201"),
    ]
}

/// PostgreSQL and SQLite `UPDATE … FROM` / `DELETE … USING` with parenthesised joins.
fn from_joins() -> Vec<Case> {
    vec![
        x("wt/update_from_nested_join_reads_other_tenant")
            .pg("UPDATE orders o SET status = c.name FROM (products p JOIN customers c ON c.id = 1001) WHERE o.id = 2101")
            .lite("UPDATE orders SET status = c.name FROM (products p JOIN customers c ON c.id = 1001) WHERE orders.id = 2101"),
        x("wt/update_from_deeper_nesting")
            .pg("UPDATE orders o SET status = c.name FROM ((products p JOIN customers c ON c.id = 1001) JOIN tenants t ON t.id = c.tenant_id) WHERE o.id = 2101")
            .lite("UPDATE orders SET status = c.name FROM ((products p JOIN customers c ON c.id = 1001) JOIN tenants t ON t.id = c.tenant_id) WHERE orders.id = 2101"),
        x("wt/update_from_nested_join_sets_tenant")
            .pg("UPDATE customers c SET tenant_id = $B FROM (products p JOIN orders o ON o.id = 2101) WHERE c.id = 2003")
            .lite("UPDATE customers SET tenant_id = $B FROM (products p JOIN orders o ON o.id = 2101) WHERE customers.id = 2003")
            .contained(),
        x("wt/update_from_sets_tenant_from_joined_column")
            .pg("UPDATE customers c SET tenant_id = x.t FROM (SELECT $B::uuid AS t) x WHERE c.id = 2003")
            .lite("UPDATE customers SET tenant_id = x.t FROM (SELECT $B AS t) x WHERE customers.id = 2003")
            .contained(),
        x("wt/update_from_nested_join_target_repeated")
            .pg("UPDATE customers SET name = 'A-x' FROM (products p JOIN customers c2 ON c2.id > 0) WHERE customers.id = c2.id AND p.id = 1")
            .lite("UPDATE customers SET name = 'A-x' FROM (products p JOIN customers c2 ON c2.id > 0) WHERE customers.id = c2.id AND p.id = 1"),
        qw("wt/update_from_nested_join_returning")
            .pg("UPDATE orders o SET status = 'x' FROM (products p JOIN customers c ON c.id = 1001) WHERE o.id = 2101 RETURNING o.id, c.name")
            .lite("UPDATE orders SET status = 'x' FROM (products p JOIN customers c ON c.id = 1001) WHERE orders.id = 2101 RETURNING orders.id, status"),
        x("wt/update_from_lateral_nested")
            .pg("UPDATE orders o SET status = l.name FROM products p CROSS JOIN LATERAL (SELECT c.name FROM (tenants t JOIN customers c ON c.tenant_id = t.id) WHERE c.id = 1001) l WHERE o.id = 2101 AND p.id = 1"),
        x("wt/update_from_parenthesised_table_sets_tenant")
            .lite("UPDATE customers SET tenant_id = $B FROM ((products p)) WHERE customers.id = 2003 AND p.id = 1")
            .contained(),
        x("wt/update_tuple_assignment_sets_tenant")
            .pg_lite("UPDATE customers SET (tenant_id, name) = ($B, 'A-x') WHERE id = 2003")
            .contained(),
        x("wt/update_tuple_assignment_from_subquery_sets_tenant")
            .pg("UPDATE customers SET (tenant_id, name) = (SELECT $B::uuid, 'A-x') WHERE id = 2003")
            .lite("UPDATE customers SET (tenant_id, name) = (SELECT $B, 'A-x') WHERE id = 2003")
            .contained(),
        x("wt/update_tuple_assignment_nested_join")
            .pg("UPDATE orders o SET (status, total) = (c.name, 1) FROM (products p JOIN customers c ON c.id = 1001) WHERE o.id = 2101")
            .lite("UPDATE orders SET (status, total) = (c.name, 1) FROM (products p JOIN customers c ON c.id = 1001) WHERE orders.id = 2101"),
        x("wt/delete_using_nested_join_condition_on_other_tenant")
            .pg("DELETE FROM order_items i USING (products p JOIN orders o ON o.customer_id = 1001) WHERE i.id = 2201 AND p.id = 1"),
        x("wt/delete_using_deeper_nesting")
            .pg("DELETE FROM order_items i USING ((products p JOIN orders o ON o.id > 0) JOIN customers c ON c.id = o.customer_id) WHERE c.name LIKE 'B-%' AND i.id = 2201"),
        qw("wt/delete_using_nested_returning")
            .pg("DELETE FROM order_items i USING (products p JOIN customers c ON c.id = 1001) WHERE i.id = 2201 AND p.id = 1 RETURNING i.id, c.name"),
        x("wt/delete_subquery_nested_join")
            .all("DELETE FROM order_items WHERE order_id IN (SELECT o.id FROM (products p JOIN orders o ON o.id > 0) WHERE p.id = 1)"),
        x("wt/update_subquery_nested_join")
            .all("UPDATE orders SET total = (SELECT count(*) FROM (products p JOIN customers c ON c.id > 0)) WHERE id = 2101"),
        q("wt/select_nested_join_control")
            .all("SELECT p.sku, c.name FROM (products p JOIN customers c ON c.id > 0)"),
    ]
}
