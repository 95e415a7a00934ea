//! Class 1 — printing fidelity. The rewriter prints the parsed statement back; where the
//! printed text means something else to the database than the input did, the database runs
//! another statement. `- -x` printed as `--x` starts a comment on PostgreSQL and SQLite that
//! runs to the end of the line: a newline inside a later string literal ends it, and what the
//! literal held becomes code while the tenant predicate (printed after it) becomes comment.
//! The payloads below are built so that this yields a complete unscoped statement whether the
//! predicate is appended (`(orig) AND tenant`) or put first (`tenant AND (orig)`).
//!
//! All cases are `Same`: a faithful rewrite gives exactly what the oracle gives.

use super::case::{Case, q, qw, x};
use super::env::Mode;

/// Backslash escapes only mean something in the default mode.
const DEFAULT: &[Mode] = &[Mode::SqlxDefault];

pub(crate) fn cases() -> Vec<Case> {
    let mut v = double_minus();
    v.extend(operators());
    v.extend(mysql_literals());
    v.extend(other_literals());
    v
}

/// `- -x` → `--x` in every position.
fn double_minus() -> Vec<Case> {
    vec![
        q("print/double_minus_where")
            .all("SELECT id, status FROM orders WHERE - -1 = 1 AND status = '\n1=1) OR 1=1 --' OR status = 'nothing'"),
        q("print/double_minus_select_list")
            .all("SELECT - -1 AS k, '\nname FROM customers --' AS s FROM customers"),
        q("print/double_minus_join_on")
            .all("SELECT o.id, c.name FROM orders o JOIN customers c ON c.id = o.customer_id AND (- -1 = 1 AND c.name = '\n1=1) OR 1=1 --' OR c.name = 'nothing')"),
        q("print/double_minus_left_join_on")
            .all("SELECT c.name, o.id FROM customers c LEFT JOIN orders o ON o.customer_id = c.id AND (- -1 = 1 AND o.status = '\n1=1) OR 1=1 --' OR o.status = 'nothing')"),
        q("print/double_minus_subquery_in")
            .all("SELECT id, name FROM customers WHERE id IN (SELECT customer_id FROM orders WHERE - -1 = 1 AND status = '\n1=1)) OR 1=1 --' OR status = 'nothing')"),
        q("print/double_minus_exists")
            .all("SELECT name FROM customers c WHERE EXISTS (SELECT 1 FROM orders o WHERE o.customer_id = c.id AND (- -1 = 1 AND o.status = '\n1=1)) OR 1=1 --' OR o.status = 'nothing'))"),
        q("print/double_minus_scalar_subquery")
            .all("SELECT id, (SELECT max(name) FROM customers WHERE - -1 = 1 AND name = '\n1=1) OR 1=1) AS n FROM orders --' OR name = 'nothing') AS n FROM orders"),
        q("print/double_minus_cte")
            .all("WITH c AS (SELECT id, name FROM customers WHERE - -1 = 1 AND name = '\n1=1)) SELECT id, name FROM customers --' OR name = 'nothing') SELECT id, name FROM c"),
        q("print/double_minus_derived")
            .all("SELECT x.name FROM (SELECT name FROM customers WHERE - -1 = 1 AND name = '\n1=1) OR 1=1) x --' OR name = 'nothing') x"),
        q("print/double_minus_union_branch")
            .all("SELECT name FROM customers WHERE - -1 = 1 AND name = '\n1=1) OR 1=1 --' OR name = 'nothing' UNION SELECT status FROM orders WHERE id = 2101"),
        q("print/double_minus_group_by_having")
            .all("SELECT customer_id, count(*) AS n FROM orders WHERE - -1 = 1 AND status = '\n1=1) OR 1=1 GROUP BY customer_id --' OR status = 'nothing' GROUP BY customer_id"),
        q("print/double_minus_after_prefix_abs")
            .pg("SELECT id FROM orders WHERE @ - -total > 15 OR status = '\n1=1) OR 1=1 --'"),
        q("print/triple_minus_select_list").all("SELECT - - -total AS t, id FROM orders"),
        q("print/double_minus_literal_comparison").all("SELECT id FROM orders WHERE total > - -15"),
        q("print/double_minus_order_by_limit").all("SELECT id FROM orders ORDER BY - -id LIMIT 2"),
        q("print/double_minus_case")
            .all("SELECT id, CASE WHEN - -total > 15 THEN 'big' ELSE 'small' END AS size FROM orders"),
        q("print/double_minus_in_function_arg").all("SELECT id, abs(- -total) AS t FROM orders"),
        x("print/double_minus_insert_select")
            .all("INSERT INTO orders (customer_id, total, status) SELECT id, - -1, '\n1, name, tenant_id FROM customers --' FROM customers")
            .oracle("INSERT INTO orders (customer_id, total, status, tenant_id) SELECT id, - -1, '\n1, name, tenant_id FROM customers --', $A FROM customers"),
        x("print/double_minus_insert_values")
            .all("INSERT INTO orders (customer_id, status, total) VALUES (2001, 'v', - -1)")
            .oracle("INSERT INTO orders (customer_id, status, total, tenant_id) VALUES (2001, 'v', - -1, $A)"),
        x("print/double_minus_update_where")
            .all("UPDATE orders SET status = 'x' WHERE - -1 = 1 AND status = '\n1=1) OR 1=1 --' OR status = 'nothing'"),
        x("print/double_minus_update_set")
            .all("UPDATE orders SET total = - -total, status = '\ntotal + 1 --'"),
        x("print/double_minus_update_subquery")
            .all("UPDATE customers SET name = 'A-x' WHERE id IN (SELECT customer_id FROM orders WHERE - -1 = 1 AND status = '\n1=1)) OR 1=1 --' OR status = 'nothing')"),
        x("print/double_minus_delete_where")
            .all("DELETE FROM order_items WHERE - -quantity = 7 OR '\n1=1) OR 1=1 --' = 'x'"),
        qw("print/double_minus_update_returning_subquery")
            .pg_lite("UPDATE orders SET status = 'r' WHERE total > 15 RETURNING id, (SELECT max(name) FROM customers WHERE - -1 = 1 AND name = '\n1=1) OR 1=1) AS n --' OR name = 'nothing') AS n"),
        qw("print/double_minus_insert_returning_subquery")
            .pg_lite("INSERT INTO customers (name, email) VALUES ('A-r', 'r@x.test') RETURNING id, (SELECT max(name) FROM customers WHERE - -1 = 1 AND name = '\n1=1) OR 1=1) AS n --' OR name = 'nothing') AS n")
            .oracle("INSERT INTO customers (name, email, tenant_id) VALUES ('A-r', 'r@x.test', $A) RETURNING id, (SELECT max(name) FROM customers WHERE - -1 = 1 AND name = '\n1=1) OR 1=1) AS n --' OR name = 'nothing') AS n"),
        qw("print/double_minus_delete_returning")
            .pg_lite("DELETE FROM order_items WHERE quantity > 100 RETURNING id, - -1 AS k, '\nx' AS s"),
    ]
}

/// Prefix operators printed without the space that kept them apart.
fn operators() -> Vec<Case> {
    vec![
        // `@-` is lexed as one (nonexistent) operator.
        q("print/abs_of_negative").pg("SELECT id FROM orders WHERE @ -total > 15"),
        // `~-` likewise.
        q("print/bitnot_of_negative").pg("SELECT id FROM orders WHERE ~ -id < 2102"),
        // `-~` likewise on PostgreSQL; SQLite and MariaDB lex two operators.
        q("print/negative_of_bitnot").pg_lite("SELECT id FROM orders WHERE - ~id > 2102"),
        q("print/sqrt_prefix").pg("SELECT id FROM orders WHERE |/ total > 4"),
        q("print/cbrt_of_negative").pg("SELECT id FROM orders WHERE ||/ -total < -2"),
        q("print/minus_of_parenthesised_negative")
            .all("SELECT id FROM orders WHERE -(-total) > 15"),
        q("print/operator_syntax")
            .pg("SELECT id FROM orders WHERE total OPERATOR(pg_catalog.>) 15"),
        q("print/xor_operator").pg("SELECT id FROM orders WHERE total::int # 1 = 11"),
        q("print/exponent_negative").pg("SELECT id, 2 ^ -1 AS h FROM orders"),
        // MariaDB: `--1` is not a comment (a comment needs whitespace after `--`).
        q("print/mysql_dash_dash_no_space").my("SELECT id FROM orders WHERE id = 2101 --1"),
        q("print/mysql_dash_dash_tab").my("SELECT id FROM orders WHERE id = 2101 --\t OR 1 = 1\n"),
    ]
}

/// MariaDB literals: backslash escapes, hex, bit, introducers.
fn mysql_literals() -> Vec<Case> {
    vec![
        // `'a\\'` printed as `'a\'`: the quote is escaped, the next literal's text is code.
        q("print/mysql_backslash_then_hash_comment")
            .my("SELECT name FROM customers WHERE name = 'a\\\\' OR name = ') OR 1=1 #'"),
        q("print/mysql_backslash_then_dash_comment")
            .my("SELECT name FROM customers WHERE name = 'a\\\\' OR name = ') OR 1=1 -- '"),
        q("print/mysql_backslash_in_select_list")
            .my("SELECT 'x\\\\' AS a, ', name FROM customers #' AS b FROM customers"),
        q("print/mysql_backslash_in_join_on")
            .my("SELECT o.id, c.name FROM orders o JOIN customers c ON c.id = o.customer_id AND (c.name = 'a\\\\' OR c.name = ') OR 1=1 #')"),
        x("print/mysql_backslash_in_update")
            .my("UPDATE customers SET name = 'A-x' WHERE name = 'a\\\\' OR name = ') OR 1=1 #'"),
        x("print/mysql_backslash_in_delete")
            .my("DELETE FROM order_items WHERE unit_price = 'a\\\\' OR unit_price = ') OR 1=1 #'"),
        q("print/mysql_escaped_quote")
            .my("SELECT id FROM customers WHERE name <> 'it\\'s'")
            .modes(DEFAULT),
        q("print/mysql_nul_and_ctrl_z_escapes")
            .my("SELECT id FROM customers WHERE name <> '\\0' AND name <> '\\Z' AND name <> 'a\\tb'"),
        q("print/mysql_like_escapes")
            .my("SELECT id FROM customers WHERE email LIKE '%\\_%' OR name LIKE '%\\%%'"),
        // `0x1` printed as `X'1'`, which MariaDB rejects (odd digit count).
        q("print/mysql_hex_odd_digits").my("SELECT id FROM orders WHERE total > 0x1"),
        q("print/mysql_hex_number_context").my("SELECT id FROM orders WHERE total + 0x10 > 30"),
        q("print/mysql_hex_string_context").my("SELECT id FROM customers WHERE name <> 0x41"),
        q("print/mysql_bit_literals")
            .my("SELECT id FROM orders WHERE total > b'101' OR id = 0b101"),
        q("print/mysql_introducer_and_national")
            .my("SELECT id FROM orders WHERE status = _utf8mb4'open' OR status = N'paid'"),
        q("print/mysql_adjacent_strings").my("SELECT id FROM customers WHERE name = 'A-' 'ann'"),
        q("print/mysql_double_quoted_string").my("SELECT id FROM orders WHERE status = \"open\""),
        // With NO_BACKSLASH_ESCAPES the database ends the string at `\'`; the parser does not,
        // sees no table and passes the text through unchanged.
        q("print/mysql_backslash_hides_subquery")
            .my("SELECT 'a\\' AS x, (SELECT group_concat(name) FROM customers) AS y -- '"),
        q("print/mysql_backslash_hides_or")
            .my("SELECT id, name FROM customers WHERE name = 'x\\' OR 1=1 -- '"),
        // Placeholders next to strings that hold `?`.
        q("print/placeholder_after_question_mark_string")
            .my_lite("SELECT id FROM customers WHERE name <> '?' AND tenant_id = $A"),
        q("print/placeholder_after_escaped_quote")
            .my("SELECT id FROM customers WHERE name <> 'it\\'s ?' AND tenant_id = $A")
            .modes(DEFAULT),
        q("print/placeholder_in_comment")
            .my_lite("SELECT id FROM customers /* ? */ WHERE tenant_id = $A -- ?\n"),
    ]
}

/// PostgreSQL and SQLite literal and identifier forms.
fn other_literals() -> Vec<Case> {
    vec![
        q("print/pg_escape_strings")
            .pg("SELECT id FROM orders WHERE status = E'\\x6fpen' OR status = E'p\\141id' OR status = E'\\u0073hipped'"),
        q("print/pg_escape_newline_and_quote")
            .pg("SELECT id FROM orders WHERE status <> E'a\\nb\\'c'"),
        q("print/pg_unicode_escape").pg("SELECT id FROM orders WHERE status = U&'op\\0065n'"),
        q("print/pg_unicode_uescape")
            .pg("SELECT id FROM orders WHERE status = U&'op!0065n' UESCAPE '!'"),
        q("print/pg_dollar_quotes")
            .pg("SELECT id FROM orders WHERE status = $$open$$ OR status = $t$paid$t$"),
        q("print/pg_dollar_quote_with_dash_dash")
            .pg("SELECT id FROM orders WHERE status <> $$x\n-- y$$ AND - -1 = 1"),
        q("print/pg_adjacent_strings_newline")
            .pg("SELECT id FROM customers WHERE name = 'A-'\n'ann'"),
        q("print/pg_bit_strings")
            .pg("SELECT id FROM orders WHERE total::int & B'1010'::int > 0 OR total::int = X'1E'::int"),
        q("print/numeric_forms")
            .all("SELECT id FROM orders WHERE total > 1e1 OR total > .5e1 OR total = 5."),
        q("print/sqlite_hex_integer").lite("SELECT id FROM orders WHERE total > 0x1F"),
        q("print/quoted_identifier_with_quote")
            .pg_lite("SELECT \"o\"\"x\".id FROM orders AS \"o\"\"x\" WHERE \"o\"\"x\".status = 'open'")
            .my("SELECT `o``x`.id FROM orders AS `o``x` WHERE `o``x`.status = 'open'"),
        q("print/sqlite_bracket_identifiers")
            .lite("SELECT [o].[id] FROM orders AS [o] WHERE [o].[status] = 'open'"),
        q("print/pg_dollar_one_in_string")
            .pg("SELECT id FROM customers WHERE name <> '$1' AND tenant_id = $A"),
        q("print/string_with_newline_then_dash_dash")
            .all("SELECT id FROM orders WHERE status <> 'a\n-- b' OR id = 1101"),
    ]
}
