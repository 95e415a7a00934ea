//! The statement shapes, one small entry each: a name, how it runs, what is expected (and,
//! where it differs, what is expected with the tenants in other placements), and its SQL per
//! backend (`None`: not valid there). `$A` / `$B` are bound tenant ids.

pub(crate) use tenantry_tests::placed::Kind;

/// How a shape is run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Run {
    /// `query_all_raw`: rows compared with the oracle.
    Query,
    /// `execute_raw`: rows affected compared with the oracle.
    Exec,
    /// `execute_unprepared` (raw SQL, possibly several statements).
    Script,
}

/// What a correct outcome is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Expect {
    /// The same result and the same writes as on the oracle database (A's data only), or a
    /// documented refusal.
    Same,
    /// An attempt on B's rows (or a tenant switch): refused, or run with no effect at all.
    Contained,
    /// A statement that can only find rows where A has none: refused, or no rows (none
    /// affected) and no effect at all.
    Nothing,
}

/// Where A's and B's rows are, for the expectations that depend on it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Layout {
    /// A's placement.
    pub(crate) a: Kind,
    /// B's placement.
    pub(crate) b: Kind,
}

impl Layout {
    /// Both in the shared tables.
    pub(crate) const SHARED: Layout = Layout {
        a: Kind::Shared,
        b: Kind::Shared,
    };

    /// Whether A's and B's rows are in different placements (each schema and each database
    /// holds one tenant): A's tables hold A's rows alone, as the oracle's do.
    pub(crate) fn apart(self) -> bool {
        self != Self::SHARED
    }
}

/// One statement shape.
#[derive(Clone, Debug)]
pub(crate) struct Shape {
    /// Unique name (`group/what`), the matrix row.
    pub(crate) name: &'static str,
    /// How it runs.
    pub(crate) run: Run,
    /// What is expected.
    pub(crate) expect: Expect,
    /// PostgreSQL SQL.
    pub(crate) pg: Option<&'static str>,
    /// MariaDB/MySQL SQL.
    pub(crate) my: Option<&'static str>,
    /// SQLite SQL.
    pub(crate) lite: Option<&'static str>,
    /// What the oracle runs instead (the same statement with what tenantry fills in written
    /// out, for every backend), when it differs.
    pub(crate) oracle: Option<&'static str>,
    /// Whether the shape writes (the databases are reset after it).
    pub(crate) writes: bool,
    /// What is expected instead when A's and B's rows are in different placements.
    pub(crate) apart: Option<Expect>,
    /// What is expected instead when A's rows are in a schema of their own (before `apart`).
    pub(crate) own_schema: Option<Expect>,
}

impl Shape {
    fn new(name: &'static str, run: Run, sql: &'static str) -> Self {
        Shape {
            name,
            run,
            expect: Expect::Same,
            pg: Some(sql),
            my: Some(sql),
            lite: Some(sql),
            oracle: None,
            writes: false,
            apart: None,
            own_schema: None,
        }
    }
    fn apart(mut self, expect: Expect) -> Self {
        self.apart = Some(expect);
        self
    }
    fn own_schema(mut self, expect: Expect) -> Self {
        self.own_schema = Some(expect);
        self
    }
    fn oracle(mut self, sql: &'static str) -> Self {
        self.oracle = Some(sql);
        self
    }
    fn contained(mut self) -> Self {
        self.expect = Expect::Contained;
        self
    }
    fn pg_only(mut self) -> Self {
        self.my = None;
        self.lite = None;
        self
    }
    fn no_pg(mut self) -> Self {
        self.pg = None;
        self
    }
    fn my(mut self, sql: Option<&'static str>) -> Self {
        self.my = sql;
        self
    }
    fn lite(mut self, sql: Option<&'static str>) -> Self {
        self.lite = sql;
        self
    }

    /// What is expected with A's and B's rows where `layout` puts them.
    pub(crate) fn expect_in(&self, layout: Layout) -> Expect {
        match (self.own_schema, self.apart) {
            (Some(e), _) if layout.a == Kind::Schema => e,
            (_, Some(e)) if layout.apart() => e,
            _ => self.expect,
        }
    }

    /// The SQL for a backend.
    pub(crate) fn sql(&self, backend: sea_orm::DbBackend) -> Option<&'static str> {
        match backend {
            sea_orm::DbBackend::Postgres => self.pg,
            sea_orm::DbBackend::MySql => self.my,
            _ => self.lite,
        }
    }
}

fn q(name: &'static str, sql: &'static str) -> Shape {
    Shape::new(name, Run::Query, sql)
}
fn x(name: &'static str, sql: &'static str) -> Shape {
    Shape::new(name, Run::Exec, sql)
}
fn script(name: &'static str, sql: &'static str) -> Shape {
    Shape::new(name, Run::Script, sql)
}

/// Every shape, in matrix order.
pub(crate) fn all() -> Vec<Shape> {
    let mut v = reads();
    v.extend(writes().into_iter().chain(raw()).map(|mut s| {
        s.writes = true;
        s
    }));
    v
}

/// Reads.
pub(crate) fn reads() -> Vec<Shape> {
    vec![
        q("read/all_rows", "SELECT id, name, email FROM customers"),
        q("read/where_or", "SELECT id FROM orders WHERE status = 'open' OR total > 0"),
        q("read/other_tenant_id_guess", "SELECT id, name FROM customers WHERE id = 1001"),
        q("read/other_tenant_filter", "SELECT id FROM customers WHERE tenant_id = $B"),
        q("read/own_tenant_filter", "SELECT id FROM customers WHERE tenant_id = $A"),
        q("read/in_list_mixed_ids", "SELECT id FROM orders WHERE id IN (1101, 2101)"),
        q("read/quoted_alias", "SELECT \"o\".\"id\" FROM \"orders\" AS \"o\" WHERE \"o\".\"status\" = 'open'")
            .my(Some("SELECT `o`.`id` FROM `orders` AS `o` WHERE `o`.`status` = 'open'")),
        // `public` is the control database's shared schema, and in a tenant database that
        // database's own. For A in a schema of its own, `public.customers` holds none of A's rows
        // (B's, when B is shared): finding nothing, or a refusal, is right there. With A in a
        // database of its own or shared, the table is A's and the oracle's result is expected.
        q("read/schema_qualified", "SELECT id FROM public.customers").pg_only()
            .own_schema(Expect::Nothing),
        q("read/for_update", "SELECT id FROM orders WHERE status = 'open' FOR UPDATE").lite(None),
        q("read/shared_table", "SELECT id, sku FROM products"),
        q("read/tenants_catalogue", "SELECT slug FROM tenants"),
        q("read/only_table", "SELECT id FROM ONLY orders").pg_only(),
        q("read/row_compare_other_tenant", "SELECT id FROM orders WHERE (tenant_id, id) = ($B, 1101)")
            .lite(None),
        q("read/index_hint", "SELECT id FROM orders USE INDEX (PRIMARY) WHERE id > 0")
            .no_pg().lite(None).my(Some("SELECT id FROM orders USE INDEX (PRIMARY) WHERE id > 0")),
        q("join/straight", "SELECT o.id AS oid, c.id AS cid FROM orders o STRAIGHT_JOIN customers c ON c.id = o.customer_id")
            .no_pg().lite(None).my(Some("SELECT o.id AS oid, c.id AS cid FROM orders o STRAIGHT_JOIN customers c ON c.id = o.customer_id")),
        // joins
        q("join/inner", "SELECT o.id AS oid, c.name FROM orders o JOIN customers c ON c.id = o.customer_id"),
        q("join/left", "SELECT c.id AS cid, o.id AS oid FROM customers c LEFT JOIN orders o ON o.customer_id = c.id"),
        q("join/right", "SELECT c.id AS cid, o.id AS oid FROM orders o RIGHT JOIN customers c ON o.customer_id = c.id"),
        q("join/full", "SELECT c.id AS cid, o.id AS oid FROM customers c FULL JOIN orders o ON o.customer_id = c.id")
            .my(None),
        q("join/full_using", "SELECT tenant_id IS NOT NULL AS t, count(*) AS n FROM customers FULL JOIN orders USING (tenant_id) GROUP BY 1")
            .my(None),
        q("join/cross", "SELECT c.id AS cid, p.id AS pid FROM customers c CROSS JOIN products p"),
        q("join/comma", "SELECT o.id AS oid, c.id AS cid FROM orders o, customers c WHERE o.customer_id = c.id OR c.id = 1001"),
        q("join/left_using_tenant", "SELECT count(*) AS n FROM orders o LEFT JOIN customers c USING (tenant_id)"),
        q("join/natural", "SELECT count(*) AS n FROM orders NATURAL JOIN order_items"),
        q("join/self", "SELECT a.id AS x, b.id AS y FROM customers a JOIN customers b ON a.id < b.id"),
        q("join/shared_table", "SELECT i.id AS iid, p.sku FROM order_items i JOIN products p ON p.id = i.product_id"),
        q("join/shared_left_scoped", "SELECT p.sku, i.id AS iid FROM products p LEFT JOIN order_items i ON i.product_id = p.id"),
        q("join/four_tables", "SELECT c.name, o.id AS oid, i.id AS iid, p.sku FROM customers c JOIN orders o ON o.customer_id = c.id JOIN order_items i ON i.order_id = o.id JOIN products p ON p.id = i.product_id"),
        q("join/derived", "SELECT c.id FROM customers c JOIN (SELECT customer_id FROM orders GROUP BY customer_id) o ON o.customer_id = c.id"),
        q("join/values", "SELECT v.x, c.name FROM (VALUES (1001), (2001)) AS v(x) LEFT JOIN customers c ON c.id = v.x")
            .my(None).lite(None),
        // subqueries in each clause
        q("subquery/where_in", "SELECT id FROM customers WHERE id IN (SELECT customer_id FROM orders)"),
        q("subquery/exists_shared_outer", "SELECT p.id FROM products p WHERE EXISTS (SELECT 1 FROM order_items i WHERE i.product_id = p.id)"),
        q("subquery/not_exists", "SELECT p.id FROM products p WHERE NOT EXISTS (SELECT 1 FROM order_items i WHERE i.product_id = p.id)"),
        q("subquery/select_list", "SELECT p.id, (SELECT count(*) FROM order_items i WHERE i.product_id = p.id) AS n FROM products p"),
        q("subquery/from", "SELECT x.cid FROM (SELECT customer_id AS cid FROM orders) x"),
        q("subquery/nested_from", "SELECT y.n FROM (SELECT count(*) AS n FROM (SELECT id FROM order_items) x) y"),
        q("subquery/having", "SELECT customer_id, count(*) AS n FROM orders GROUP BY customer_id HAVING count(*) < (SELECT count(*) FROM customers)"),
        q("subquery/order_by", "SELECT p.id FROM products p ORDER BY (SELECT count(*) FROM order_items i WHERE i.product_id = p.id), p.id"),
        q("subquery/join_on", "SELECT c.id AS cid, o.id AS oid FROM customers c JOIN orders o ON o.customer_id = c.id AND o.total > (SELECT min(total) FROM orders)"),
        q("subquery/any", "SELECT id FROM orders WHERE customer_id = ANY (SELECT id FROM customers)")
            .lite(None),
        q("subquery/case", "SELECT c.id, CASE WHEN EXISTS (SELECT 1 FROM orders o WHERE o.customer_id = c.id) THEN 'buyer' ELSE 'none' END AS kind FROM customers c"),
        q("subquery/exists_other_tenant", "SELECT count(*) AS n FROM customers c WHERE EXISTS (SELECT 1 FROM orders o WHERE o.tenant_id = $B)"),
        q("subquery/lateral", "SELECT c.id AS cid, l.oid FROM customers c CROSS JOIN LATERAL (SELECT o.id AS oid FROM orders o WHERE o.customer_id = c.id ORDER BY o.id DESC LIMIT 1) l")
            .my(None).lite(None),
        q("subquery/left_lateral", "SELECT p.id AS pid, l.n FROM products p LEFT JOIN LATERAL (SELECT count(*) AS n FROM order_items i WHERE i.product_id = p.id) l ON true")
            .my(None).lite(None),
        // CTEs
        q("cte/plain", "WITH big AS (SELECT id, customer_id FROM orders WHERE total >= 20) SELECT b.id FROM big b"),
        q("cte/two_chained", "WITH o AS (SELECT id, customer_id FROM orders), c AS (SELECT id FROM customers WHERE id IN (SELECT customer_id FROM o)) SELECT id FROM c"),
        q("cte/shadows_scoped_name", "WITH customers AS (SELECT id, name FROM products) SELECT id, name FROM customers"),
        // SQLite reads `orders` inside its own definition as a circular reference.
        q("cte/shadow_reads_table", "WITH orders AS (SELECT id, status FROM orders WHERE total > 0) SELECT id FROM orders")
            .lite(None),
        q("cte/recursive", "WITH RECURSIVE r(n, id) AS (SELECT 1, (SELECT min(id) FROM orders) UNION ALL SELECT n + 1, (SELECT min(o.id) FROM orders o WHERE o.id > r.id) FROM r WHERE r.id IS NOT NULL) SELECT n, id FROM r"),
        q("cte/materialized", "WITH m AS MATERIALIZED (SELECT id FROM order_items) SELECT count(*) AS n FROM m").pg_only(),
        // set operations
        q("set/union", "SELECT id FROM customers UNION SELECT id FROM orders"),
        q("set/union_all_shared", "SELECT name FROM customers UNION ALL SELECT name FROM products"),
        q("set/intersect", "SELECT customer_id FROM orders INTERSECT SELECT id FROM customers"),
        q("set/except", "SELECT id FROM customers EXCEPT SELECT customer_id FROM orders"),
        q("set/union_in_subquery", "SELECT count(*) AS n FROM (SELECT id FROM order_items UNION ALL SELECT id FROM order_items) x"),
        // window functions, aggregates, distinct
        q("window/row_number", "SELECT id, row_number() OVER (ORDER BY id) AS rn, sum(total) OVER () AS t FROM orders"),
        q("window/partition", "SELECT id, rank() OVER (PARTITION BY customer_id ORDER BY total DESC) AS rk FROM orders"),
        q("agg/count", "SELECT count(*) AS n FROM orders"),
        q("agg/group_by", "SELECT status, count(*) AS n, sum(total) AS s FROM orders GROUP BY status"),
        q("agg/min_max", "SELECT min(id) AS lo, max(id) AS hi FROM customers"),
        q("agg/over_shared_join", "SELECT p.sku, sum(i.quantity) AS q FROM products p LEFT JOIN order_items i ON i.product_id = p.id GROUP BY p.sku"),
        q("agg/string_agg", "SELECT string_agg(name, ',' ORDER BY name) AS names FROM customers")
            .my(Some("SELECT GROUP_CONCAT(name ORDER BY name SEPARATOR ',') AS names FROM customers"))
            .lite(None),
        q("distinct/plain", "SELECT DISTINCT status FROM orders"),
        q("distinct/on", "SELECT DISTINCT ON (customer_id) customer_id, id FROM orders ORDER BY customer_id, id DESC").pg_only(),
        q("distinct/count", "SELECT count(DISTINCT customer_id) AS n FROM orders"),
        // pagination
        q("page/limit_offset", "SELECT id FROM orders ORDER BY id LIMIT 2 OFFSET 1"),
        q("page/fetch_first", "SELECT id FROM orders ORDER BY id DESC FETCH FIRST 1 ROWS ONLY").pg_only(),
        q("page/keyset", "SELECT id FROM orders WHERE id > 0 ORDER BY id LIMIT 2"),
    ]
}

/// Writes.
pub(crate) fn writes() -> Vec<Shape> {
    vec![
        // inserts
        x("insert/single", "INSERT INTO customers (name, email) VALUES ('A-new', 'new@x.test')")
            .oracle("INSERT INTO customers (tenant_id, name, email) VALUES ($A, 'A-new', 'new@x.test')"),
        x("insert/own_tenant_column", "INSERT INTO customers (tenant_id, name, email) VALUES ($A, 'A-new', 'new@x.test')"),
        x("insert/other_tenant_column", "INSERT INTO customers (tenant_id, name, email) VALUES ($B, 'A-new', 'new@x.test')").contained(),
        x("insert/multi_row", "INSERT INTO orders (customer_id, status, total) VALUES (2001, 'new', 1), (2002, 'new', 2)")
            .oracle("INSERT INTO orders (tenant_id, customer_id, status, total) VALUES ($A, 2001, 'new', 1), ($A, 2002, 'new', 2)"),
        x("insert/multi_row_mixed_tenants", "INSERT INTO customers (tenant_id, name, email) VALUES ($A, 'A-x', 'x@x.test'), ($B, 'A-y', 'y@x.test')").contained(),
        x("insert/select", "INSERT INTO orders (customer_id, status, total) SELECT id, 'copy', 1 FROM customers ORDER BY id")
            .oracle("INSERT INTO orders (tenant_id, customer_id, status, total) SELECT $A, id, 'copy', 1 FROM customers ORDER BY id"),
        x("insert/select_tenant_column", "INSERT INTO orders (tenant_id, customer_id, status, total) SELECT tenant_id, customer_id, 'dup', total FROM orders ORDER BY id"),
        x("insert/select_shared", "INSERT INTO order_items (order_id, product_id, quantity, unit_price) SELECT 2101, id, 1, price FROM products ORDER BY id")
            .oracle("INSERT INTO order_items (tenant_id, order_id, product_id, quantity, unit_price) SELECT $A, 2101, id, 1, price FROM products ORDER BY id"),
        q("insert/returning", "INSERT INTO customers (name, email) VALUES ('A-r', 'r@x.test') RETURNING id, name")
            .oracle("INSERT INTO customers (tenant_id, name, email) VALUES ($A, 'A-r', 'r@x.test') RETURNING id, name"),
        x("insert/points_at_other_tenant", "INSERT INTO orders (customer_id, status, total) VALUES (1001, 'x', 1)")
            .oracle("INSERT INTO orders (tenant_id, customer_id, status, total) VALUES ($A, 1001, 'x', 1)"),
        // upserts
        x("upsert/do_nothing", "INSERT INTO customers (tenant_id, name, email) VALUES ($A, 'A-dup', 'shared@x.test') ON CONFLICT (tenant_id, email) DO NOTHING")
            .my(Some("INSERT IGNORE INTO customers (tenant_id, name, email) VALUES ($A, 'A-dup', 'shared@x.test')")),
        x("upsert/do_nothing_no_target", "INSERT INTO customers (tenant_id, name, email) VALUES ($A, 'A-dup', 'shared@x.test') ON CONFLICT DO NOTHING")
            .my(None),
        x("upsert/do_update", "INSERT INTO customers (tenant_id, name, email) VALUES ($A, 'A-up', 'shared@x.test') ON CONFLICT (tenant_id, email) DO UPDATE SET name = excluded.name")
            .my(Some("INSERT INTO customers (tenant_id, name, email) VALUES ($A, 'A-up', 'shared@x.test') ON DUPLICATE KEY UPDATE name = VALUES(name)")),
        x("upsert/do_update_where", "INSERT INTO customers (tenant_id, name, email) VALUES ($A, 'A-up', 'shared@x.test') ON CONFLICT (tenant_id, email) DO UPDATE SET name = excluded.name WHERE customers.name <> 'nobody'")
            .my(None),
        x("upsert/on_constraint", "INSERT INTO customers (tenant_id, name, email) VALUES ($A, 'A-up', 'shared@x.test') ON CONFLICT ON CONSTRAINT customers_tenant_id_email_key DO UPDATE SET name = excluded.name")
            .pg_only(),
        x("upsert/tenant_from_excluded", "INSERT INTO customers (tenant_id, name, email) VALUES ($A, 'A-up', 'shared@x.test') ON CONFLICT (tenant_id, email) DO UPDATE SET tenant_id = excluded.tenant_id, name = excluded.name")
            .my(Some("INSERT INTO customers (tenant_id, name, email) VALUES ($A, 'A-up', 'shared@x.test') ON DUPLICATE KEY UPDATE tenant_id = VALUES(tenant_id), name = VALUES(name)")),
        x("upsert/insert_or_ignore_other_tenant_key", "INSERT OR IGNORE INTO orders (tenant_id, id, customer_id, status, total) VALUES ($A, 1101, 2001, 'A-hijack', 0)")
            .no_pg().my(None).lite(Some("INSERT OR IGNORE INTO orders (tenant_id, id, customer_id, status, total) VALUES ($A, 1101, 2001, 'A-hijack', 0)"))
            .contained(),
        // Key 1101 is B's order. With B's rows in another placement, 1101 is a free key of A's
        // own table (as on the oracle, which holds A alone): the upsert is a plain insert of an
        // order of A's, judged against the oracle; B's rows, in B's place, must stay untouched.
        x("upsert/other_tenant_key_do_update", "INSERT INTO orders (tenant_id, id, customer_id, status, total) VALUES ($A, 1101, 2001, 'A-hijack', 0) ON CONFLICT (id) DO UPDATE SET status = excluded.status")
            .my(Some("INSERT INTO orders (tenant_id, id, customer_id, status, total) VALUES ($A, 1101, 2001, 'A-hijack', 0) ON DUPLICATE KEY UPDATE status = VALUES(status)"))
            .contained().apart(Expect::Same),
        x("upsert/other_tenant_key_do_nothing", "INSERT INTO orders (tenant_id, id, customer_id, status, total) VALUES ($A, 1101, 2001, 'A-hijack', 0) ON CONFLICT (id) DO NOTHING")
            .my(Some("INSERT IGNORE INTO orders (tenant_id, id, customer_id, status, total) VALUES ($A, 1101, 2001, 'A-hijack', 0)"))
            .contained().apart(Expect::Same),
        x("upsert/assigns_tenant_column", "INSERT INTO customers (tenant_id, name, email) VALUES ($A, 'A-dup', 'shared@x.test') ON CONFLICT (tenant_id, email) DO UPDATE SET tenant_id = $B")
            .my(Some("INSERT INTO customers (tenant_id, name, email) VALUES ($A, 'A-dup', 'shared@x.test') ON DUPLICATE KEY UPDATE tenant_id = $B"))
            .contained(),
        x("upsert/replace", "REPLACE INTO orders (tenant_id, id, customer_id, status, total) VALUES ($A, 1101, 2001, 'A-hijack', 0)")
            .no_pg().my(Some("REPLACE INTO orders (tenant_id, id, customer_id, status, total) VALUES ($A, 1101, 2001, 'A-hijack', 0)"))
            .lite(Some("INSERT OR REPLACE INTO orders (tenant_id, id, customer_id, status, total) VALUES ($A, 1101, 2001, 'A-hijack', 0)"))
            .contained(),
        // updates
        x("update/all", "UPDATE orders SET status = 'touched'"),
        x("update/where_or", "UPDATE orders SET total = total + 1 WHERE status = 'open' OR id > 0"),
        x("update/other_tenant_id_guess", "UPDATE customers SET name = 'A-pwned' WHERE id = 1001"),
        x("update/other_tenant_filter", "UPDATE customers SET name = 'A-pwned' WHERE tenant_id = $B"),
        x("update/from", "UPDATE orders SET status = c.name FROM customers c WHERE c.id = (SELECT min(id) FROM customers)")
            .my(Some("UPDATE orders o JOIN customers c ON c.id = o.customer_id SET o.status = c.name")),
        x("update/from_scoped_join", "UPDATE orders o SET total = i.quantity FROM order_items i WHERE i.order_id = o.id")
            .my(Some("UPDATE orders o JOIN order_items i ON i.order_id = o.id SET o.total = i.quantity"))
            .lite(Some("UPDATE orders AS o SET total = i.quantity FROM order_items AS i WHERE i.order_id = o.id")),
        x("update/order_by_limit", "UPDATE orders SET status = 'first' ORDER BY id LIMIT 1")
            .no_pg().lite(None).my(Some("UPDATE orders SET status = 'first' ORDER BY id LIMIT 1")),
        x("update/subquery_set", "UPDATE orders SET total = (SELECT count(*) FROM customers)"),
        x("update/tenant_column_other", "UPDATE customers SET tenant_id = $B WHERE id = 2001").contained(),
        x("update/tenant_column_own", "UPDATE customers SET tenant_id = $A, name = 'A-same' WHERE id = 2001"),
        q("update/returning", "UPDATE orders SET status = 'r' WHERE total > 0 RETURNING id, status").my(None),
        // deletes
        x("delete/all", "DELETE FROM order_items"),
        x("delete/other_tenant_filter", "DELETE FROM order_items WHERE tenant_id = $B"),
        x("delete/other_tenant_id_guess", "DELETE FROM order_items WHERE id = 1201"),
        x("delete/using", "DELETE FROM order_items i USING orders o WHERE o.id = i.order_id AND o.status = 'open'")
            .my(Some("DELETE i FROM order_items i JOIN orders o ON o.id = i.order_id WHERE o.status = 'open'"))
            .lite(None),
        x("delete/using_shared", "DELETE FROM order_items i USING products p WHERE p.id = i.product_id AND p.sku = 'p2'")
            .my(Some("DELETE i FROM order_items i JOIN products p ON p.id = i.product_id WHERE p.sku = 'p2'"))
            .lite(None),
        x("delete/order_by_limit", "DELETE FROM order_items ORDER BY id LIMIT 1")
            .no_pg().lite(None).my(Some("DELETE FROM order_items ORDER BY id LIMIT 1")),
        x("delete/subquery", "DELETE FROM order_items WHERE order_id IN (SELECT id FROM orders WHERE status = 'open')"),
        q("delete/returning", "DELETE FROM order_items WHERE quantity > 0 RETURNING id"),
        // data-modifying CTEs
        q("cte_write/insert", "WITH n AS (INSERT INTO customers (tenant_id, name, email) VALUES ($A, 'A-cte', 'cte@x.test') RETURNING id) SELECT count(*) AS k FROM n").pg_only(),
        q("cte_write/update", "WITH u AS (UPDATE orders SET status = 'cte' RETURNING id) SELECT count(*) AS k FROM u").pg_only(),
        q("cte_write/delete", "WITH d AS (DELETE FROM order_items RETURNING id) SELECT count(*) AS k FROM d").pg_only(),
        x("cte_write/delete_then_insert", "WITH d AS (DELETE FROM order_items WHERE quantity = 1 RETURNING order_id, product_id, unit_price) INSERT INTO order_items (tenant_id, order_id, product_id, quantity, unit_price) SELECT $A, order_id, product_id, 9, unit_price FROM d").pg_only(),
        x("cte_write/read_then_update", "WITH t AS (SELECT id FROM orders WHERE total > 10) UPDATE orders SET status = 'big' WHERE id IN (SELECT id FROM t)")
            .my(None),
    ]
}

/// Raw SQL as applications write it by hand.
pub(crate) fn raw() -> Vec<Shape> {
    vec![
        script(
            "raw/two_statements",
            "UPDATE orders SET status = 'm1'; DELETE FROM order_items WHERE quantity > 1",
        ),
        script("raw/unprepared_read", "SELECT id FROM customers"),
        q(
            "raw/comments",
            "/* list */ SELECT id FROM customers -- all of them",
        ),
        q(
            "raw/mixed_case",
            "select ID, Name from Customers where NAME like 'A-%'",
        )
        .pg_only(),
        q(
            "raw/cast_tenant_text",
            "SELECT id FROM customers WHERE tenant_id::text <> ''",
        )
        .pg_only(),
        script("raw/truncate", "TRUNCATE order_items")
            .lite(None)
            .contained(),
        script("raw/drop_table", "DROP TABLE order_items").contained(),
    ]
}
