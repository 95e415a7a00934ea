//! Class 3 — comments. The rewriter drops comments when it prints a statement, so a comment
//! the database executes (MariaDB's `/*M! … */`, MySQL's `/*! … */`) is lost, and a statement
//! in which the parser sees no scoped table is sent as written — comments included — so what
//! the database reads inside them runs unscoped. The dialects also disagree on comment
//! syntax: PostgreSQL nests `/* /* */ */` and ends `--` at `\r`, MySQL and SQLite do not nest,
//! MySQL needs whitespace after `--`, has `#`; unterminated comments.
//!
//! Cases are `Same` unless they write B's rows (then `Contained`) or the database itself
//! rejects the statement (unterminated comments: `Contained`, refused or no effect).

use super::case::{Case, q, s, x};

pub(crate) fn cases() -> Vec<Case> {
    let mut v = executable();
    v.extend(dialect_syntax());
    v
}

/// MariaDB/MySQL executable comments.
fn executable() -> Vec<Case> {
    vec![
        q("cmt/mariadb_exec_subquery")
            .my("SELECT 1 AS x /*M! , (SELECT group_concat(name ORDER BY name) FROM customers) AS y */"),
        q("cmt/mariadb_exec_versioned_subquery")
            .my("SELECT 1 AS x /*M!100101 , (SELECT group_concat(name ORDER BY name) FROM customers) AS y */"),
        q("cmt/mariadb_exec_future_version")
            .my("SELECT 1 AS x /*M!999999 , (SELECT group_concat(name ORDER BY name) FROM customers) AS y */"),
        q("cmt/mariadb_exec_hides_table")
            .my("SELECT count(*) AS n FROM products /*M! , customers */"),
        q("cmt/mariadb_exec_hides_join")
            .my("SELECT p.sku /*M! , c.name */ FROM products p /*M! JOIN customers c ON c.id > 0 */"),
        q("cmt/mariadb_exec_hides_union")
            .my("SELECT sku FROM products /*M! UNION SELECT name FROM customers */"),
        q("cmt/mariadb_exec_hides_union_versioned")
            .my("SELECT sku FROM products /*M!100000 UNION SELECT name FROM customers */"),
        q("cmt/mariadb_exec_hides_or")
            .my("SELECT name FROM customers WHERE id = 2001 /*M! OR 1=1 */"),
        q("cmt/mariadb_exec_hides_subquery_in_where")
            .my("SELECT sku FROM products WHERE id > 0 /*M! AND EXISTS (SELECT 1 FROM customers WHERE name = 'B-bob') */"),
        s("cmt/mariadb_exec_after_semicolon")
            .my("SELECT 1 AS x; /*M! UPDATE customers SET name = 'A-pwned' */")
            .contained(),
        x("cmt/mariadb_exec_hides_update_join")
            .my("UPDATE products p /*M! JOIN customers c ON c.id > 0 */ SET p.price = p.price /*M! , c.name = 'A-pwned' */")
            .contained(),
        x("cmt/mariadb_exec_insert_select_shared")
            .my("INSERT INTO products (sku, name, price) SELECT 'p9', name, 1 FROM products WHERE id = 1 /*M! UNION ALL SELECT 'p8', max(name), 1 FROM customers */"),
        x("cmt/mariadb_exec_in_update_where")
            .my("UPDATE customers SET name = 'A-x' WHERE id = 2001 /*M! OR 1=1 */"),
        x("cmt/mariadb_exec_in_delete_where")
            .my("DELETE FROM order_items WHERE id = 2201 /*M! OR 1=1 */"),
        x("cmt/mariadb_exec_in_insert_values")
            .my("INSERT INTO orders (customer_id, status, total) VALUES (2001, 'x', 1) /*M! , (2002, 'y', 2) */")
            .oracle_my("INSERT INTO orders (customer_id, status, total, tenant_id) VALUES (2001, 'x', 1, $A) /*M! , (2002, 'y', 2, $A) */"),
        q("cmt/mysql_exec_subquery")
            .my("SELECT 1 AS x /*! , (SELECT group_concat(name ORDER BY name) FROM customers) AS y */"),
        q("cmt/mysql_exec_versioned")
            .my("SELECT 1 AS x /*!50000 , (SELECT group_concat(name ORDER BY name) FROM customers) AS y */"),
        q("cmt/mysql_exec_future_version")
            .my("SELECT 1 AS x /*!999999 , (SELECT group_concat(name ORDER BY name) FROM customers) AS y */"),
        q("cmt/mysql_exec_union")
            .my("SELECT sku FROM products /*!UNION SELECT name FROM customers*/"),
        q("cmt/mysql_exec_or_scoped")
            .my("SELECT name FROM customers WHERE id = 2001 /*! OR 1=1 */"),
        q("cmt/mysql_exec_table_hint")
            .my("SELECT name FROM customers /*!40000 USE INDEX (PRIMARY) */ WHERE id > 0"),
    ]
}

/// Where the dialects' comment syntax differs.
fn dialect_syntax() -> Vec<Case> {
    vec![
        // Nesting: PostgreSQL nests, MySQL and SQLite end at the first `*/`.
        q("cmt/nested_block_hides_subquery")
            .pg("SELECT 1 AS x /* /* */ , (SELECT string_agg(name, ',' ORDER BY name) FROM customers) AS y -- */")
            .my("SELECT 1 AS x /* /* */ , (SELECT group_concat(name ORDER BY name) FROM customers) AS y # */")
            .lite("SELECT 1 AS x /* /* */ , (SELECT count(*) FROM customers) AS y -- */"),
        q("cmt/nested_block_in_scoped_statement")
            .pg("SELECT name FROM customers /* a /* b */ OR 1=1 */ WHERE id = 2001")
            .my("SELECT name FROM customers /* a /* b */ WHERE id = 2001 OR 1 = 1 # */ WHERE id = 2001\n")
            .lite("SELECT name FROM customers /* a /* b */ WHERE id = 2001 OR 1 = 1 -- */ WHERE id = 2001\n"),
        q("cmt/nested_block_hides_or")
            .pg("SELECT name FROM customers WHERE id = 2001 /* /* */ OR id > 0 */")
            .my("SELECT name FROM customers WHERE id = 2001 /* /* */ OR id > 0 # */\n")
            .lite("SELECT name FROM customers WHERE id = 2001 /* /* */ OR id > 0 -- */\n"),
        // `--` ends at `\r` on PostgreSQL only.
        q("cmt/dash_comment_ended_by_cr")
            .pg("SELECT 1 AS x -- c\r, (SELECT string_agg(name, ',' ORDER BY name) FROM customers) AS y")
            .my("SELECT 1 AS x -- c\r, (SELECT group_concat(name ORDER BY name) FROM customers) AS y")
            .lite("SELECT 1 AS x -- c\r, (SELECT count(*) FROM customers) AS y"),
        q("cmt/dash_comment_cr_in_where")
            .all("SELECT name FROM customers WHERE id = 2001 -- c\rOR id > 0"),
        q("cmt/dash_comment_vertical_tab")
            .pg("SELECT 1 AS x -- c\x0b, (SELECT string_agg(name, ',' ORDER BY name) FROM customers) AS y")
            .my("SELECT 1 AS x -- c\x0b, (SELECT group_concat(name ORDER BY name) FROM customers) AS y")
            .lite("SELECT 1 AS x -- c\x0b, (SELECT count(*) FROM customers) AS y"),
        q("cmt/dash_comment_form_feed")
            .pg("SELECT name FROM customers WHERE id = 2001 -- c\x0cOR id > 0")
            .my("SELECT name FROM customers WHERE id = 2001 -- c\x0cOR id > 0")
            .lite("SELECT name FROM customers WHERE id = 2001 -- c\x0cOR id > 0"),
        // Comments between the tokens of a name or a statement.
        q("cmt/comments_between_every_token")
            .all("SELECT/**/name/**/FROM/**/customers/**/WHERE/**/id/**/>/**/0"),
        q("cmt/comment_inside_qualified_name")
            .pg("SELECT name FROM public/**/./**/customers")
            .lite("SELECT name FROM main/**/./**/customers"),
        q("cmt/comment_between_alias_and_column")
            .all("SELECT c/**/./**/name FROM customers c"),
        q("cmt/comment_splits_double_minus")
            .all("SELECT -/**/-total AS t, id FROM orders"),
        q("cmt/mysql_optimizer_hint_comment")
            .my("SELECT /*+ NO_RANGE_OPTIMIZATION(customers) */ name FROM customers WHERE id > 0"),
        q("cmt/mariadb_exec_comment_inside_string")
            .my("SELECT '/*M! , (SELECT 1) */' AS a, name FROM customers"),
        // MySQL: `--x` is not a comment, `-- ` and `#` are.
        q("cmt/mysql_dash_dash_no_space_is_minus")
            .my("SELECT name FROM customers WHERE id = 2002 --1"),
        q("cmt/mysql_dash_dash_no_space_then_subquery")
            .my("SELECT 1 --1 AS x, (SELECT group_concat(name ORDER BY name) FROM customers) AS y"),
        q("cmt/mysql_hash_comment")
            .my("SELECT name FROM customers WHERE id = 2001 # OR 1=1\n"),
        q("cmt/mysql_hash_hides_subquery")
            .my("SELECT 1 AS x # , (SELECT count(*) FROM customers) AS y"),
        q("cmt/mysql_hash_then_newline_subquery")
            .my("SELECT 1 AS x # c\n, (SELECT group_concat(name ORDER BY name) FROM customers) AS y"),
        // `#` is PostgreSQL's XOR operator, not a comment.
        q("cmt/pg_hash_is_an_operator")
            .pg("SELECT 1 # 3 AS x, (SELECT count(*) FROM customers) AS n"),
        q("cmt/pg_comment_between_minus_signs")
            .pg("SELECT id FROM orders WHERE total > -/**/-15"),
        q("cmt/block_comment_marker_in_string")
            .all("SELECT name FROM customers WHERE name <> '/*' AND id > 0 OR id = 1001 -- */"),
        q("cmt/comment_markers_in_quoted_identifier")
            .pg_lite("SELECT name AS \"/*\", id AS \"*/\" FROM customers WHERE id = 2001")
            .my("SELECT name AS `/*`, id AS `*/` FROM customers WHERE id = 2001"),
        q("cmt/pg_comment_inside_dollar_quotes")
            .pg("SELECT 1 AS x, $$ /* $$ AS y, (SELECT string_agg(name, ',' ORDER BY name) FROM customers) AS z -- */"),
        // Unterminated comments: PostgreSQL and MariaDB reject them, SQLite accepts them.
        q("cmt/unterminated_block_comment")
            .pg("SELECT name FROM customers /* open")
            .my("SELECT name FROM customers /* open")
            .contained()
            .allow(
                "unterminated /* comment",
                "PostgreSQL rejects the statement before running anything",
            ),
        q("cmt/sqlite_unterminated_block_comment")
            .lite("SELECT name FROM customers /* open"),
        q("cmt/sqlite_unterminated_block_hides_or")
            .lite("SELECT name FROM customers WHERE id = 2001 /* OR 1=1"),
        q("cmt/only_a_comment")
            .pg_lite("/* SELECT name FROM customers */")
            .my("/* SELECT name FROM customers */")
            .contained(),
    ]
}
