//! Class 2 — precedence. On MariaDB `XOR` and (without `PIPES_AS_CONCAT`) `||` are logical
//! operators binding looser than `AND`; the parser reads `XOR` as binding tighter than `AND`
//! and `||` as concatenation, so a condition whose top operator is one of them is not
//! parenthesised and the appended `AND tenant` binds to its last operand only. The MariaDB
//! cases run in sqlx's default mode (with `PIPES_AS_CONCAT`), without it, and with
//! `HIGH_NOT_PRECEDENCE`; the oracle runs in the same mode. `!`, `&&`, `NOT`, `BETWEEN … AND …`
//! and `CASE` are checked in WHERE and ON; PostgreSQL and SQLite get the same positions as
//! controls.
//!
//! All cases are `Same` (a faithful rewrite gives the oracle's result) unless they write
//! another tenant's rows on purpose.

use super::case::{Case, q, x};
use super::env::Mode;

pub(crate) fn cases() -> Vec<Case> {
    let mut v = logical_or_like();
    v.extend(not_and_friends());
    v.extend(controls());
    v
}

/// `||` and `XOR` in each position.
fn logical_or_like() -> Vec<Case> {
    vec![
        q("prec/pipes_where").my("SELECT id, name FROM customers WHERE id = 1001 || id = 2001"),
        q("prec/xor_where").my("SELECT id, name FROM customers WHERE id = 1001 XOR id = 2001"),
        q("prec/pipes_where_parenthesised")
            .my("SELECT id, name FROM customers WHERE (id = 1001) || (id = 2001)"),
        q("prec/xor_where_parenthesised")
            .my("SELECT id, name FROM customers WHERE (id = 1001) XOR (id = 2001)"),
        q("prec/pipes_chain").my("SELECT id, name FROM customers WHERE id > 0 || id = 0 || id = 1"),
        q("prec/xor_chain").my("SELECT id, name FROM customers WHERE id > 0 XOR id = 0 XOR id = 1"),
        q("prec/pipes_then_and")
            .my("SELECT id, name FROM customers WHERE id = 1001 || id = 2001 AND 1 = 1"),
        q("prec/pipes_in_lists")
            .my("SELECT id, name FROM customers WHERE id IN (1001, 1002) || id IN (2001)")
            .modes(&[Mode::NoPipesAsConcat]),
        q("prec/pipes_is_true").my("SELECT id, name FROM customers WHERE id > 0 || id = 0 IS TRUE"),
        q("prec/xor_between")
            .my("SELECT id, name FROM customers WHERE id BETWEEN 1000 AND 1500 XOR id BETWEEN 2000 AND 2001"),
        q("prec/pipes_between")
            .my("SELECT id, name FROM customers WHERE id BETWEEN 1000 AND 1500 || id BETWEEN 2000 AND 2001"),
        q("prec/pipes_case")
            .my("SELECT id, name FROM customers WHERE CASE WHEN id > 0 THEN 1 ELSE 0 END || id = 0"),
        q("prec/xor_case")
            .my("SELECT id, name FROM customers WHERE CASE WHEN id > 0 THEN 1 ELSE 0 END XOR id = 0"),
        q("prec/xor_div").my("SELECT id, name FROM customers WHERE id = 1001 DIV 1 XOR 1"),
        q("prec/pipes_join_on")
            .my("SELECT o.id, c.name FROM orders o JOIN customers c ON c.id > 0 || c.id = 0"),
        q("prec/xor_join_on")
            .my("SELECT o.id, c.name FROM orders o JOIN customers c ON c.id > 0 XOR c.id = 0"),
        q("prec/xor_left_join_on")
            .my("SELECT c.name, o.id FROM customers c LEFT JOIN orders o ON o.id > 0 XOR o.id = 0"),
        q("prec/pipes_derived")
            .my("SELECT x.id FROM (SELECT id FROM orders WHERE id > 0 || id = 0) x"),
        q("prec/xor_derived")
            .my("SELECT x.id, x.name FROM (SELECT id, name FROM customers WHERE id > 0 XOR id = 0) x"),
        q("prec/xor_cte")
            .my("WITH c AS (SELECT id, name FROM customers WHERE id > 0 XOR id = 0) SELECT id, name FROM c"),
        q("prec/pipes_scalar_subquery")
            .my("SELECT (SELECT count(*) FROM orders WHERE id > 0 || id = 0) AS n"),
        q("prec/xor_scalar_subquery")
            .my("SELECT (SELECT group_concat(name ORDER BY name) FROM customers WHERE id > 0 XOR id = 0) AS n"),
        q("prec/xor_exists")
            .my("SELECT p.id FROM products p WHERE EXISTS (SELECT 1 FROM order_items i WHERE i.product_id = p.id XOR i.id = 0)"),
        q("prec/xor_union_branch")
            .my("SELECT name FROM customers WHERE id > 0 XOR id = 0 UNION SELECT sku FROM products"),
        x("prec/xor_update").my("UPDATE customers SET name = 'A-x' WHERE id > 0 XOR id = 0"),
        x("prec/pipes_update").my("UPDATE customers SET name = 'A-x' WHERE id > 0 || id = 0"),
        x("prec/xor_update_join")
            .my("UPDATE orders o JOIN customers c ON c.id = o.customer_id SET o.status = 'x' WHERE o.id > 0 XOR o.id = 0"),
        x("prec/xor_delete").my("DELETE FROM order_items WHERE id > 0 XOR id = 0"),
        x("prec/pipes_delete").my("DELETE FROM order_items WHERE id > 0 || id = 0"),
        x("prec/xor_delete_join")
            .my("DELETE i FROM order_items i JOIN orders o ON o.id = i.order_id WHERE i.id > 0 XOR i.id = 0"),
        x("prec/xor_insert_select")
            .my("INSERT INTO orders (customer_id, status, total) SELECT id, name, 1 FROM customers WHERE id > 0 XOR id = 0")
            .oracle_my("INSERT INTO orders (customer_id, status, total, tenant_id) SELECT id, name, 1, $A FROM customers WHERE id > 0 XOR id = 0"),
        q("prec/pipes_select_list")
            .my("SELECT id, id = 1 || id = 2101 AS f FROM orders"),
        q("prec/assignment_operator")
            .my("SELECT id, name FROM customers WHERE @adv_a := id > 0 OR id = 0"),
    ]
}

/// `NOT`, `!`, `&&` under `HIGH_NOT_PRECEDENCE` and not.
fn not_and_friends() -> Vec<Case> {
    vec![
        q("prec/not_comparison").all("SELECT id, name FROM customers WHERE NOT id = 2001"),
        q("prec/not_then_or")
            .all("SELECT id, name FROM customers WHERE NOT id > 2001 OR id = 1001"),
        q("prec/not_between")
            .all("SELECT id, name FROM customers WHERE NOT id BETWEEN 2002 AND 2003"),
        q("prec/not_xor").my("SELECT id, name FROM customers WHERE NOT id > 0 XOR id = 0"),
        q("prec/not_in_join_on")
            .all("SELECT o.id, c.name FROM orders o JOIN customers c ON NOT c.id <> o.customer_id"),
        q("prec/bang").my("SELECT id, name FROM customers WHERE ! id = 1001"),
        q("prec/bang_parenthesised").my("SELECT id, name FROM customers WHERE !(id = 1001)"),
        q("prec/double_ampersand")
            .my("SELECT id, name FROM customers WHERE id = 1001 && 1 = 1 || id = 2001"),
        q("prec/double_ampersand_or")
            .my("SELECT id, name FROM customers WHERE id > 0 && id < 5000 OR id = 1001"),
        q("prec/bang_in_join_on")
            .my("SELECT o.id, c.name FROM orders o JOIN customers c ON ! (c.id <> o.customer_id)"),
        q("prec/double_ampersand_in_join_on")
            .my("SELECT o.id, c.name FROM orders o JOIN customers c ON c.id = o.customer_id && c.id > 0 || c.id = 1001"),
        q("prec/not_xor_in_join_on")
            .my("SELECT o.id, c.name FROM orders o JOIN customers c ON NOT c.id <> o.customer_id XOR c.id = 1001"),
        q("prec/between_xor_in_join_on")
            .my("SELECT o.id, c.name FROM orders o JOIN customers c ON c.id BETWEEN 1000 AND 1500 XOR c.id = 0"),
        q("prec/case_xor_in_join_on")
            .my("SELECT o.id, c.name FROM orders o JOIN customers c ON CASE WHEN c.id > 0 THEN 1 ELSE 0 END XOR c.id = 0"),
        q("prec/pg_overlap_operator")
            .pg("SELECT id FROM orders WHERE ARRAY[id] && ARRAY[1101, 2101] OR id = 1102"),
    ]
}

/// The same positions where every backend agrees with the parser.
fn controls() -> Vec<Case> {
    vec![
        q("prec/or_where").all("SELECT id, name FROM customers WHERE id = 1001 OR id = 2001"),
        q("prec/or_join_on")
            .all("SELECT o.id, c.name FROM orders o JOIN customers c ON c.id > 0 OR c.id = 0"),
        q("prec/between_or_between")
            .all("SELECT id, name FROM customers WHERE id BETWEEN 1000 AND 1500 OR id BETWEEN 2000 AND 2001"),
        q("prec/between_with_and_bounds")
            .all("SELECT id, name FROM customers WHERE id BETWEEN 1000 AND 1500 AND id > 0 OR id = 2001"),
        q("prec/case_or")
            .all("SELECT id, name FROM customers WHERE CASE WHEN id > 0 THEN 1 ELSE 0 END = 1 OR id = 0"),
        q("prec/between_in_join_on")
            .all("SELECT o.id, c.name FROM orders o JOIN customers c ON c.id BETWEEN 1000 AND 1500 OR c.id = o.customer_id"),
        q("prec/case_in_join_on")
            .all("SELECT o.id, c.name FROM orders o JOIN customers c ON CASE WHEN c.id = o.customer_id THEN true ELSE c.id = 1001 END"),
        q("prec/case_with_or_inside")
            .all("SELECT id, name FROM customers WHERE CASE WHEN id = 1001 OR id = 2001 THEN true ELSE false END"),
        q("prec/pipes_concat_pg_sqlite")
            .pg_lite("SELECT id, name FROM customers WHERE name || 'x' = 'A-annx' OR id = 1001"),
        q("prec/is_not_distinct")
            .pg("SELECT id, name FROM customers WHERE id IS NOT DISTINCT FROM 1001 OR id = 2001"),
        q("prec/comparison_chain_is_null")
            .pg_lite("SELECT id, name FROM customers WHERE id = 1001 IS NULL OR id = 2001"),
    ]
}
