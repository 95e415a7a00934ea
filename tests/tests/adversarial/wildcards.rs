//! Class 5 — wildcards in `INSERT … SELECT`. The rewriter checks the value written to the
//! tenant column by position in the select list; a `*` stands for as many columns as its
//! source has, so the item in the tenant column's position may not be the one written there:
//! `INSERT INTO customers (id, tenant_id, name, email) SELECT *, '<A>' FROM (SELECT 3001, $B,
//! 'A-w') s` looks like it writes A into `tenant_id` and writes B. With an upsert it moves an
//! existing row of A to B. Wildcard position, qualified wildcards, nesting, unions, `VALUES`,
//! CTEs, composite expansion, `RETURNING`.
//!
//! Attacks are `Contained`; copies of A's own rows through a wildcard are `Same`.

use super::case::{Case, q, qw, x};

/// Tenant A's id as a SQL string literal (what the rewriter compares with the tenant).
macro_rules! a {
    () => {
        "'00000000-0000-4000-8000-00000000000a'"
    };
}

pub(crate) fn cases() -> Vec<Case> {
    let mut v = attacks();
    v.extend(upserts());
    v.extend(own_rows());
    v
}

fn attacks() -> Vec<Case> {
    vec![
        x("wild/star_then_tenant")
            .all(concat!("INSERT INTO customers (id, tenant_id, name, email) SELECT *, ", a!(), " FROM (SELECT 3001, $B, 'A-w') s"))
            .contained(),
        x("wild/brief_example")
            .all(concat!("INSERT INTO orders (id, tenant_id, status, customer_id, total) SELECT *, ", a!(), ", 1001, 1 FROM (SELECT 3101, $B) s"))
            .contained(),
        x("wild/qualified_star_then_tenant")
            .all(concat!("INSERT INTO customers (id, tenant_id, name, email) SELECT s.*, ", a!(), " FROM (SELECT 3001, $B, 'A-w') s"))
            .contained(),
        x("wild/star_in_the_middle")
            .all(concat!("INSERT INTO customers (name, id, tenant_id, email) SELECT 'A-w', s.*, ", a!(), " FROM (SELECT 3001, $B) s"))
            .contained(),
        x("wild/two_qualified_stars")
            .all("INSERT INTO customers (id, tenant_id, name, email) SELECT s.*, t.* FROM (SELECT 3001) s, (SELECT $B, 'A-w', 'w@x.test') t")
            .contained(),
        x("wild/nested_star")
            .all(concat!("INSERT INTO customers (id, tenant_id, name, email) SELECT * FROM (SELECT *, ", a!(), " FROM (SELECT 3001, $B, 'A-w') s1) s2"))
            .contained(),
        x("wild/star_in_union_branch")
            .all(concat!("INSERT INTO customers (id, tenant_id, name, email) SELECT 3002, ", a!(), ", 'A-u', 'u@x.test' UNION ALL SELECT *, ", a!(), " FROM (SELECT 3001, $B, 'A-w') s"))
            .contained(),
        x("wild/star_in_first_union_branch")
            .all(concat!("INSERT INTO customers (id, tenant_id, name, email) SELECT *, ", a!(), " FROM (SELECT 3001, $B, 'A-w') s UNION ALL SELECT 3002, ", a!(), ", 'A-u', 'u@x.test'"))
            .contained(),
        x("wild/no_column_list")
            .all("INSERT INTO customers SELECT * FROM (SELECT 3001, $B, 'A-w', 'w@x.test') s")
            .contained(),
        x("wild/no_column_list_star_then_literals")
            .all(concat!("INSERT INTO customers SELECT *, 'A-w', ", a!(), " FROM (SELECT 3001, $B) s"))
            .contained(),
        x("wild/star_over_values")
            .pg_lite(concat!("INSERT INTO customers (id, tenant_id, name, email) SELECT *, ", a!(), " FROM (VALUES (3001, $B, 'A-w')) v"))
            .my(concat!("INSERT INTO customers (id, tenant_id, name, email) SELECT *, ", a!(), " FROM (VALUES (3001, $B, 'A-w')) v"))
            .contained(),
        x("wild/star_from_cte")
            .pg_lite(concat!("WITH s AS (SELECT 3001 AS i, $B AS t, 'A-w' AS n) INSERT INTO customers (id, tenant_id, name, email) SELECT *, ", a!(), " FROM s"))
            .my(concat!("INSERT INTO customers (id, tenant_id, name, email) WITH s AS (SELECT 3001 AS i, $B AS t, 'A-w' AS n) SELECT *, ", a!(), " FROM s"))
            .contained(),
        x("wild/distinct_star")
            .all(concat!("INSERT INTO customers (id, tenant_id, name, email) SELECT DISTINCT *, ", a!(), " FROM (SELECT 3001, $B, 'A-w') s"))
            .contained(),
        x("wild/star_with_where_and_order")
            .all(concat!("INSERT INTO customers (id, tenant_id, name, email) SELECT *, ", a!(), " FROM (SELECT 3001 AS i, $B AS t, 'A-w' AS n) s WHERE s.i > 0 ORDER BY 1"))
            .contained(),
        x("wild/star_cast_tenant")
            .pg(concat!("INSERT INTO customers (id, tenant_id, name, email) SELECT *, CAST(", a!(), " AS text) FROM (SELECT 3001, $B, 'A-w') s"))
            .my(concat!("INSERT INTO customers (id, tenant_id, name, email) SELECT *, CAST(", a!(), " AS CHAR) FROM (SELECT 3001, $B, 'A-w') s"))
            .lite(concat!("INSERT INTO customers (id, tenant_id, name, email) SELECT *, CAST(", a!(), " AS TEXT) FROM (SELECT 3001, $B, 'A-w') s"))
            .contained(),
        x("wild/composite_expansion")
            .pg("INSERT INTO customers (id, tenant_id, name, email) SELECT (ROW(3001, $B, 'A-w', 'w@x.test')::customers).*")
            .contained(),
        x("wild/composite_expansion_from_subquery")
            .pg("INSERT INTO customers (id, tenant_id, name, email) SELECT (r).* FROM (SELECT ROW(3001, $B, 'A-w', 'w@x.test')::customers AS r) s")
            .contained(),
        qw("wild/star_then_tenant_returning")
            .pg_lite(concat!("INSERT INTO customers (id, tenant_id, name, email) SELECT *, ", a!(), " FROM (SELECT 3001, $B, 'A-w') s RETURNING id, tenant_id"))
            .contained(),
    ]
}

/// The same with an upsert: A's row 2003 (no orders refer to it) moved to B.
fn upserts() -> Vec<Case> {
    vec![
        x("wild/upsert_moves_row")
            .pg(concat!("INSERT INTO customers (id, tenant_id, name, email) SELECT *, ", a!(), " FROM (SELECT 2003, $B, 'A-al') s ON CONFLICT (id) DO UPDATE SET tenant_id = excluded.tenant_id, email = excluded.email"))
            .lite(concat!("INSERT INTO customers (id, tenant_id, name, email) SELECT *, ", a!(), " FROM (SELECT 2003, $B, 'A-al') s WHERE true ON CONFLICT (id) DO UPDATE SET tenant_id = excluded.tenant_id, email = excluded.email"))
            .my(concat!("INSERT INTO customers (id, tenant_id, name, email) SELECT *, ", a!(), " FROM (SELECT 2003, $B, 'A-al') s ON DUPLICATE KEY UPDATE tenant_id = VALUES(tenant_id), email = VALUES(email)"))
            .contained(),
        x("wild/upsert_qualified_star_moves_row")
            .pg(concat!("INSERT INTO customers (id, tenant_id, name, email) SELECT s.*, ", a!(), " FROM (SELECT 2003, $B, 'A-al') s ON CONFLICT (id) DO UPDATE SET tenant_id = excluded.tenant_id"))
            .lite(concat!("INSERT INTO customers (id, tenant_id, name, email) SELECT s.*, ", a!(), " FROM (SELECT 2003, $B, 'A-al') s WHERE true ON CONFLICT (id) DO UPDATE SET tenant_id = excluded.tenant_id"))
            .my(concat!("INSERT INTO customers (id, tenant_id, name, email) SELECT s.*, ", a!(), " FROM (SELECT 2003, $B, 'A-al') s ON DUPLICATE KEY UPDATE tenant_id = VALUES(tenant_id)"))
            .contained(),
        x("wild/upsert_moves_order")
            .pg(concat!("INSERT INTO orders (id, tenant_id, status, customer_id, total) SELECT *, ", a!(), ", 1001, 1 FROM (SELECT 2102, $B) s ON CONFLICT (id) DO UPDATE SET tenant_id = excluded.tenant_id, customer_id = excluded.customer_id"))
            .lite(concat!("INSERT INTO orders (id, tenant_id, status, customer_id, total) SELECT *, ", a!(), ", 1001, 1 FROM (SELECT 2102, $B) s WHERE true ON CONFLICT (id) DO UPDATE SET tenant_id = excluded.tenant_id, customer_id = excluded.customer_id"))
            .my(concat!("INSERT INTO orders (id, tenant_id, status, customer_id, total) SELECT *, ", a!(), ", 1001, 1 FROM (SELECT 2102, $B) s ON DUPLICATE KEY UPDATE tenant_id = VALUES(tenant_id), customer_id = VALUES(customer_id)"))
            .contained(),
        x("wild/upsert_union_moves_row")
            .pg(concat!("INSERT INTO customers (id, tenant_id, name, email) SELECT 3002, ", a!(), ", 'A-u', 'u@x.test' UNION ALL SELECT *, ", a!(), " FROM (SELECT 2003, $B, 'A-al') s ON CONFLICT (id) DO UPDATE SET tenant_id = excluded.tenant_id"))
            .my(concat!("INSERT INTO customers (id, tenant_id, name, email) SELECT 3002, ", a!(), ", 'A-u', 'u@x.test' UNION ALL SELECT *, ", a!(), " FROM (SELECT 2003, $B, 'A-al') s ON DUPLICATE KEY UPDATE tenant_id = VALUES(tenant_id)"))
            .contained(),
    ]
}

/// Wildcards copying A's own rows: the same as on the oracle.
fn own_rows() -> Vec<Case> {
    vec![
        x("wild/copy_own_rows_through_derived_star")
            .all("INSERT INTO orders (id, tenant_id, customer_id, status, total) SELECT * FROM (SELECT id + 5000, tenant_id, customer_id, status, total FROM orders) s"),
        x("wild/copy_own_rows_qualified_star_do_nothing")
            .pg("INSERT INTO orders (id, tenant_id, customer_id, status, total) SELECT o.* FROM orders o ON CONFLICT DO NOTHING")
            .lite("INSERT INTO orders (id, tenant_id, customer_id, status, total) SELECT o.* FROM orders o WHERE true ON CONFLICT DO NOTHING")
            .my("INSERT IGNORE INTO orders (id, tenant_id, customer_id, status, total) SELECT o.* FROM orders o"),
        x("wild/star_without_tenant_column")
            .all("INSERT INTO customers (id, name, email) SELECT * FROM (SELECT 3001, 'A-w', 'w@x.test') s")
            .oracle("INSERT INTO customers (id, name, email, tenant_id) SELECT *, $A FROM (SELECT 3001, 'A-w', 'w@x.test') s"),
        q("wild/select_star_of_scoped_table").all("SELECT * FROM customers"),
        q("wild/select_qualified_star_join")
            .all("SELECT o.*, c.* FROM orders o JOIN customers c ON c.id = o.customer_id"),
    ]
}
