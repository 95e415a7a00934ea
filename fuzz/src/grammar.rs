//! A grammar of the SQL tenantry rewrites, for structure-aware fuzzing: libFuzzer's bytes
//! become a statement tree through [`arbitrary`], rendered for one backend with its bound
//! values. The tree covers what the rewriter scopes — selects with joins of every kind,
//! derived tables, `LATERAL`, `VALUES` as a table, CTEs (recursive too), set operations,
//! subqueries in every expression position (window definitions, `DISTINCT ON`, `LIMIT` and
//! `OFFSET` too), inserts (`VALUES`, `SELECT`, upserts, `INSERT IGNORE`/`OR …`, `REPLACE`),
//! updates and deletes with `FROM`/`USING` (MySQL's multi-table forms too), `RETURNING`,
//! several statements in one string — over scoped and unscoped
//! tables spelled in every way the backend resolves to the same table (quoted, upper case,
//! schema-qualified), with placeholders bound to the tenant, to another tenant or to neither.
//!
//! Every variant list starts with a leaf, so that a tree stops growing when the bytes run
//! out; rendering also stops nesting at [`MAX_DEPTH`].

use arbitrary::Arbitrary;
use sea_orm::{DbBackend, Statement, Value, Values};

/// The tenant the fuzz targets rewrite for, and another one.
pub const TENANT: i64 = 42;
const OTHER: i64 = 7;

/// Past this depth, every nested query or expression renders as a leaf.
pub const MAX_DEPTH: u8 = 8;

/// The scoped tables (in the targets' registry), then unscoped ones.
const TABLES: [&str; 5] = ["orders", "customers", "order_items", "products", "tenants"];
const COLUMNS: [&str; 7] = [
    "id",
    "tenant_id",
    "customer_id",
    "order_id",
    "total",
    "status",
    "name",
];

/// A script: one to three statements for one backend.
#[derive(Arbitrary, Debug)]
pub struct Script {
    backend: Backend,
    first: Stmt,
    rest: Vec<Stmt>,
}

#[derive(Arbitrary, Debug, Clone, Copy)]
enum Backend {
    Postgres,
    MySql,
    Sqlite,
}

#[derive(Arbitrary, Debug)]
enum Stmt {
    Query(Query),
    Insert(Insert),
    Update(Update),
    Delete(Delete),
}

#[derive(Arbitrary, Debug)]
struct Query {
    with: Option<With>,
    body: Body,
    order_by: Option<Expr>,
    limit: Option<Limit>,
}

#[derive(Arbitrary, Debug)]
enum Limit {
    Count(u8),
    CountOffset(u8, u8),
    /// PostgreSQL and SQLite take an expression (a subquery too); MySQL only a number.
    Expr(Box<Expr>, Option<Box<Expr>>),
}

#[derive(Arbitrary, Debug)]
struct With {
    recursive: bool,
    first: Cte,
    rest: Vec<Cte>,
}

#[derive(Arbitrary, Debug)]
struct Cte {
    name: u8,
    columns: bool,
    query: Box<Query>,
}

#[derive(Arbitrary, Debug)]
enum Body {
    Select(Box<Select>),
    SetOp(SetOp, Box<Body>, Box<Body>),
    Nested(Box<Query>),
}

#[derive(Arbitrary, Debug, Clone, Copy)]
enum SetOp {
    Union,
    UnionAll,
    Intersect,
    Except,
}

#[derive(Arbitrary, Debug)]
struct Select {
    distinct: Distinct,
    items: Vec<Item>,
    from: From,
    more_from: Vec<From>,
    selection: Option<Expr>,
    group_by: Option<Col>,
    having: Option<Expr>,
}

#[derive(Arbitrary, Debug)]
enum Distinct {
    No,
    All,
    /// PostgreSQL's `DISTINCT ON (…)`; plain `DISTINCT` elsewhere.
    On(Box<Expr>),
}

#[derive(Arbitrary, Debug)]
enum Item {
    Star,
    Expr(Expr, Option<u8>),
    QualifiedStar(Qual),
}

#[derive(Arbitrary, Debug)]
struct From {
    factor: Factor,
    joins: Vec<Join>,
}

#[derive(Arbitrary, Debug)]
enum Factor {
    Table(Table, Option<u8>),
    Cte(u8, Option<u8>),
    Function(u8),
    Derived {
        lateral: bool,
        query: Box<Query>,
        alias: u8,
    },
    Nested(Box<From>),
    /// `(VALUES (…), …) AS v…`, a table of rows.
    Values(Vec<Vec<Expr>>, u8),
}

#[derive(Arbitrary, Debug, Clone, Copy)]
struct Table {
    which: u8,
    spelling: u8,
}

#[derive(Arbitrary, Debug)]
struct Join {
    kind: JoinKind,
    factor: Factor,
    constraint: Constraint,
}

#[derive(Arbitrary, Debug, Clone, Copy)]
enum JoinKind {
    Inner,
    Left,
    Right,
    Full,
    Cross,
    Plain,
    LeftOuter,
}

#[derive(Arbitrary, Debug)]
enum Constraint {
    On(Expr),
    Using(Col),
    Natural,
}

#[derive(Arbitrary, Debug, Clone, Copy)]
enum Qual {
    Table(u8),
    Alias(u8),
    Cte(u8),
    Derived(u8),
    Excluded,
}

#[derive(Arbitrary, Debug, Clone, Copy)]
struct Col {
    qual: Option<Qual>,
    which: u8,
    upper: bool,
}

#[derive(Arbitrary, Debug, Clone, Copy)]
enum Param {
    Tenant,
    Other,
    Text,
}

#[derive(Arbitrary, Debug)]
enum Expr {
    Col(Col),
    Int(i8),
    Str(u8),
    Null,
    Param(Param),
    Binary(BinOp, Box<Expr>, Box<Expr>),
    Not(Box<Expr>),
    IsNull(Box<Expr>, bool),
    Exists(Box<Query>),
    InQuery(Box<Expr>, Box<Query>),
    InList(Box<Expr>, Vec<Expr>),
    Scalar(Box<Query>),
    Func(Func, Vec<Expr>),
    Case(Box<Expr>, Box<Expr>, Box<Expr>),
    Between(Box<Expr>, Box<Expr>, Box<Expr>),
    Cast(Box<Expr>),
    /// An aggregate over a window: `f(…) OVER (PARTITION BY … ORDER BY …)`.
    Window(Func, Vec<Expr>, Option<Box<Expr>>, Option<Box<Expr>>),
}

#[derive(Arbitrary, Debug, Clone, Copy)]
enum BinOp {
    Eq,
    NotEq,
    Lt,
    And,
    Or,
    Plus,
    Concat,
}

#[derive(Arbitrary, Debug, Clone, Copy)]
enum Func {
    Count,
    Coalesce,
    Lower,
    Max,
    Abs,
}

#[derive(Arbitrary, Debug)]
struct Insert {
    modifier: Modifier,
    table: Table,
    alias: bool,
    columns: Vec<Col>,
    source: Source,
    upsert: Option<Upsert>,
    returning: Option<Item>,
}

/// What an insert does with a row whose key exists: MySQL's `INSERT IGNORE` and `REPLACE`,
/// SQLite's `INSERT OR …` and `REPLACE`.
#[derive(Arbitrary, Debug, Clone, Copy)]
enum Modifier {
    None,
    Ignore,
    Replace,
    OrAbort,
    OrReplace,
}

#[derive(Arbitrary, Debug)]
enum Source {
    Values(Vec<Vec<Expr>>),
    Query(Box<Query>),
    Default,
}

#[derive(Arbitrary, Debug)]
enum Upsert {
    Nothing(Option<Col>),
    Update {
        target: Option<Col>,
        assignments: Vec<(Col, Expr)>,
        selection: Option<Expr>,
        row_alias: bool,
    },
}

#[derive(Arbitrary, Debug)]
struct Update {
    table: Table,
    alias: Option<u8>,
    joins: Vec<Join>,
    first: (Col, Expr),
    rest: Vec<(Col, Expr)>,
    from: Vec<From>,
    selection: Option<Expr>,
    returning: Option<Item>,
}

#[derive(Arbitrary, Debug)]
struct Delete {
    table: Table,
    alias: Option<u8>,
    using: Vec<From>,
    selection: Option<Expr>,
    returning: Option<Item>,
    /// MySQL's multi-table forms: `DELETE t… FROM …` and `DELETE FROM t… USING …`.
    multi: Option<Multi>,
}

#[derive(Arbitrary, Debug)]
struct Multi {
    using_form: bool,
    /// Which of the tables named in `FROM` to delete from (the first when empty).
    targets: Vec<u8>,
    joins: Vec<Join>,
}

/// The unqualified name of table number `which`.
fn table_name(which: u8) -> &'static str {
    TABLES[usize::from(which) % TABLES.len()]
}

/// The table alias number `a` stands for.
fn alias_name(a: u8) -> String {
    format!("t{}", a % 4)
}

/// Renders one tree for its backend, collecting the values its placeholders bind.
struct Writer {
    backend: DbBackend,
    sql: String,
    values: Vec<Value>,
    depth: u8,
}

impl Script {
    /// The statement the tree stands for, with its values.
    pub fn statement(&self) -> Statement {
        let backend = match self.backend {
            Backend::Postgres => DbBackend::Postgres,
            Backend::MySql => DbBackend::MySql,
            Backend::Sqlite => DbBackend::Sqlite,
        };
        let mut w = Writer {
            backend,
            sql: String::new(),
            values: Vec::new(),
            depth: 0,
        };
        let statements = std::iter::once(&self.first).chain(self.rest.iter().take(2));
        w.list(statements, "", "; ", |w, s| w.stmt(s));
        Statement {
            sql: w.sql,
            values: (!w.values.is_empty()).then_some(Values(w.values)),
            db_backend: backend,
        }
    }
}

impl Writer {
    fn push(&mut self, s: &str) {
        self.sql.push_str(s);
    }

    /// Writes `items` with `sep` between them, or `empty` when there are none.
    fn list<I: IntoIterator>(
        &mut self,
        items: I,
        empty: &str,
        sep: &str,
        mut each: impl FnMut(&mut Self, I::Item),
    ) {
        let mut any = false;
        for item in items {
            if any {
                self.push(sep);
            }
            any = true;
            each(self, item);
        }
        if !any {
            self.push(empty);
        }
    }

    fn pg(&self) -> bool {
        self.backend == DbBackend::Postgres
    }

    fn mysql(&self) -> bool {
        self.backend == DbBackend::MySql
    }

    /// Runs `f` one level deeper, or writes `leaf` past [`MAX_DEPTH`].
    fn nested(&mut self, leaf: &str, f: impl FnOnce(&mut Self)) {
        if self.depth >= MAX_DEPTH {
            self.push(leaf);
            return;
        }
        self.depth += 1;
        f(self);
        self.depth -= 1;
    }

    fn stmt(&mut self, s: &Stmt) {
        match s {
            Stmt::Query(q) => self.query(q),
            Stmt::Insert(i) => self.insert(i),
            Stmt::Update(u) => self.update(u),
            Stmt::Delete(d) => self.delete(d),
        }
    }

    fn query(&mut self, q: &Query) {
        if let Some(with) = &q.with {
            self.push(if with.recursive {
                "WITH RECURSIVE "
            } else {
                "WITH "
            });
            let ctes = std::iter::once(&with.first).chain(with.rest.iter().take(2));
            self.list(ctes, "", ", ", |w, cte| {
                w.push(&format!("c{}", cte.name % 3));
                if cte.columns {
                    w.push(" (id)");
                }
                w.push(" AS (");
                w.nested("SELECT 1", |w| w.query(&cte.query));
                w.push(")");
            });
            self.push(" ");
        }
        self.body(&q.body);
        if let Some(e) = &q.order_by {
            self.push(" ORDER BY ");
            self.expr(e);
        }
        match &q.limit {
            None => {}
            Some(Limit::Count(n)) => self.push(&format!(" LIMIT {}", n % 10)),
            // PostgreSQL takes OFFSET alone and in either order; the others after LIMIT.
            Some(Limit::CountOffset(n, o)) if self.pg() && n % 2 == 0 => {
                self.push(&format!(" OFFSET {}", o % 10));
            }
            Some(Limit::CountOffset(n, o)) => {
                self.push(&format!(" LIMIT {} OFFSET {}", n % 10, o % 10));
            }
            Some(Limit::Expr(..)) if self.mysql() => self.push(" LIMIT 1"),
            Some(Limit::Expr(n, offset)) => {
                self.push(" LIMIT ");
                self.expr(n);
                if let Some(o) = offset {
                    self.push(" OFFSET ");
                    self.expr(o);
                }
            }
        }
    }

    fn body(&mut self, b: &Body) {
        match b {
            Body::Select(s) => self.select(s),
            Body::SetOp(op, l, r) => {
                self.nested("SELECT 1", |w| w.body(l));
                self.push(match op {
                    SetOp::Union => " UNION ",
                    SetOp::UnionAll => " UNION ALL ",
                    SetOp::Intersect => " INTERSECT ",
                    SetOp::Except => " EXCEPT ",
                });
                self.nested("SELECT 1", |w| w.body(r));
            }
            Body::Nested(q) => {
                self.push("(");
                self.nested("SELECT 1", |w| w.query(q));
                self.push(")");
            }
        }
    }

    fn select(&mut self, s: &Select) {
        self.push("SELECT ");
        match &s.distinct {
            Distinct::No => {}
            Distinct::On(e) if self.pg() => {
                self.push("DISTINCT ON (");
                self.expr(e);
                self.push(") ");
            }
            Distinct::All | Distinct::On(_) => self.push("DISTINCT "),
        }
        self.list(s.items.iter().take(4), "*", ", ", Self::item);
        self.push(" FROM ");
        self.from(&s.from);
        for f in s.more_from.iter().take(2) {
            self.push(", ");
            self.from(f);
        }
        if let Some(e) = &s.selection {
            self.push(" WHERE ");
            self.expr(e);
        }
        if let Some(c) = &s.group_by {
            self.push(" GROUP BY ");
            self.col(c);
            if let Some(h) = &s.having {
                self.push(" HAVING ");
                self.expr(h);
            }
        }
    }

    fn item(&mut self, item: &Item) {
        match item {
            Item::Star => self.push("*"),
            Item::Expr(e, alias) => {
                self.expr(e);
                if let Some(a) = alias {
                    self.push(&format!(" AS a{}", a % 4));
                }
            }
            Item::QualifiedStar(q) => {
                self.qual(*q);
                self.push(".*");
            }
        }
    }

    fn table(&mut self, t: Table) {
        let name = table_name(t.which);
        let upper = name.to_uppercase();
        // Spellings that all name the same table on their backend.
        let spellings: Vec<String> = match self.backend {
            DbBackend::Postgres => vec![
                name.to_owned(),
                format!("\"{name}\""),
                format!("public.{name}"),
                upper.clone(),
                format!("\"public\".\"{name}\""),
                format!("PUBLIC.{upper}"),
            ],
            DbBackend::MySql => vec![
                name.to_owned(),
                format!("`{name}`"),
                format!("shop.{name}"),
                format!("`shop`.`{name}`"),
            ],
            _ => vec![
                name.to_owned(),
                format!("\"{name}\""),
                format!("main.{name}"),
                upper.clone(),
                format!("\"{upper}\""),
                format!("[{name}]"),
                format!("`{name}`"),
            ],
        };
        let spelled = &spellings[usize::from(t.spelling) % spellings.len()];
        self.push(spelled);
    }

    fn from(&mut self, f: &From) {
        self.factor(&f.factor);
        for j in f.joins.iter().take(3) {
            self.join(j);
        }
    }

    fn join(&mut self, j: &Join) {
        let kind = match j.kind {
            JoinKind::Inner => " INNER JOIN ",
            JoinKind::Left => " LEFT JOIN ",
            JoinKind::Right => " RIGHT JOIN ",
            // MySQL has no FULL JOIN.
            JoinKind::Full if self.mysql() => " JOIN ",
            JoinKind::Full => " FULL JOIN ",
            JoinKind::Cross => " CROSS JOIN ",
            JoinKind::Plain => " JOIN ",
            JoinKind::LeftOuter => " LEFT OUTER JOIN ",
        };
        if matches!(j.constraint, Constraint::Natural) && !matches!(j.kind, JoinKind::Cross) {
            self.push(" NATURAL");
        }
        self.push(kind);
        self.factor(&j.factor);
        match &j.constraint {
            _ if matches!(j.kind, JoinKind::Cross) => {}
            Constraint::On(e) => {
                self.push(" ON ");
                self.expr(e);
            }
            Constraint::Using(c) => {
                self.push(" USING (");
                self.push(COLUMNS[usize::from(c.which) % COLUMNS.len()]);
                self.push(")");
            }
            Constraint::Natural => {}
        }
    }

    fn factor(&mut self, f: &Factor) {
        match f {
            Factor::Table(t, alias) => {
                self.table(*t);
                if let Some(a) = alias {
                    self.push(&format!(" AS {}", alias_name(*a)));
                }
            }
            Factor::Cte(n, alias) => {
                self.push(&format!("c{}", n % 3));
                if let Some(a) = alias {
                    self.push(&format!(" {}", alias_name(*a)));
                }
            }
            Factor::Function(n) => self.push(match (self.backend, n % 2) {
                (DbBackend::Postgres, 0) => "generate_series(1, 3) AS g",
                (DbBackend::Postgres, _) => "orders(1) AS g",
                (DbBackend::MySql, _) => "JSON_TABLE('[1]', '$[*]' COLUMNS (v INT PATH '$')) AS g",
                (_, _) => "json_each('[1]') AS g",
            }),
            Factor::Derived {
                lateral,
                query,
                alias,
            } => {
                if *lateral && !self.backend.eq(&DbBackend::Sqlite) {
                    self.push("LATERAL ");
                }
                self.push("(");
                self.nested("SELECT 1", |w| w.query(query));
                self.push(&format!(") AS d{}", alias % 3));
            }
            Factor::Nested(inner) => {
                self.push("(");
                self.nested("products", |w| w.from(inner));
                self.push(")");
            }
            Factor::Values(rows, alias) => {
                // Every row as wide as the first (one to three values).
                let width = rows.first().map_or(1, |r| r.len().clamp(1, 3));
                self.push("(VALUES ");
                self.list(rows.iter().take(3), "(1)", ", ", |w, row| {
                    w.push("(");
                    for i in 0..width {
                        if i > 0 {
                            w.push(", ");
                        }
                        match row.get(i) {
                            Some(e) => w.expr(e),
                            None => w.push("1"),
                        }
                    }
                    w.push(")");
                });
                self.push(&format!(") AS v{}", alias % 2));
                if self.pg() {
                    self.push([" (id)", " (id, total)", " (id, total, name)"][width - 1]);
                }
            }
        }
    }

    fn qual(&mut self, q: Qual) {
        match q {
            Qual::Table(t) => {
                let name = table_name(t);
                self.push(name);
            }
            Qual::Alias(a) => self.push(&alias_name(a)),
            Qual::Cte(c) => self.push(&format!("c{}", c % 3)),
            Qual::Derived(d) => self.push(&format!("d{}", d % 3)),
            Qual::Excluded if self.mysql() => self.push("new"),
            Qual::Excluded => self.push("excluded"),
        }
    }

    fn col(&mut self, c: &Col) {
        if let Some(q) = c.qual {
            self.qual(q);
            self.push(".");
        }
        let name = COLUMNS[usize::from(c.which) % COLUMNS.len()];
        if c.upper {
            self.push(&name.to_uppercase());
        } else {
            self.push(name);
        }
    }

    fn param(&mut self, p: Param) {
        self.values.push(match p {
            Param::Tenant => Value::BigInt(Some(TENANT)),
            Param::Other => Value::BigInt(Some(OTHER)),
            Param::Text => Value::String(Some("x'--".to_owned())),
        });
        if self.pg() {
            let n = self.values.len();
            self.push(&format!("${n}"));
        } else {
            self.push("?");
        }
    }

    fn expr(&mut self, e: &Expr) {
        self.nested("1", |w| w.expr_inner(e));
    }

    fn expr_inner(&mut self, e: &Expr) {
        match e {
            Expr::Col(c) => self.col(c),
            Expr::Int(i) => self.push(&i.to_string()),
            Expr::Str(n) => self.push(match n % 4 {
                0 => "'x'",
                1 => "'42'",
                2 => "'a''b'",
                _ => "'--'",
            }),
            Expr::Null => self.push("NULL"),
            Expr::Param(p) => self.param(*p),
            Expr::Binary(op, l, r) => {
                self.push("(");
                self.expr(l);
                self.push(match op {
                    BinOp::Eq => " = ",
                    BinOp::NotEq => " <> ",
                    BinOp::Lt => " < ",
                    BinOp::And => " AND ",
                    BinOp::Or => " OR ",
                    BinOp::Plus => " + ",
                    BinOp::Concat if self.mysql() => " + ",
                    BinOp::Concat => " || ",
                });
                self.expr(r);
                self.push(")");
            }
            Expr::Not(inner) => {
                self.push("NOT ");
                self.expr(inner);
            }
            Expr::IsNull(inner, negated) => {
                self.expr(inner);
                self.push(if *negated { " IS NOT NULL" } else { " IS NULL" });
            }
            Expr::Exists(q) => {
                self.push("EXISTS (");
                self.subquery(q);
                self.push(")");
            }
            Expr::InQuery(l, q) => {
                self.expr(l);
                self.push(" IN (");
                self.subquery(q);
                self.push(")");
            }
            Expr::InList(l, list) => {
                self.expr(l);
                self.push(" IN (");
                self.list(list.iter().take(4), "1", ", ", Self::expr);
                self.push(")");
            }
            Expr::Scalar(q) => {
                self.push("(");
                self.subquery(q);
                self.push(")");
            }
            Expr::Func(f, args) => self.call(*f, args),
            Expr::Window(f, args, partition, order) => {
                self.call(*f, args);
                self.push(" OVER (");
                if let Some(p) = partition {
                    self.push("PARTITION BY ");
                    self.expr(p);
                }
                if let Some(o) = order {
                    self.push(if partition.is_some() {
                        " ORDER BY "
                    } else {
                        "ORDER BY "
                    });
                    self.expr(o);
                }
                self.push(")");
            }
            Expr::Case(c, t, e) => {
                self.push("CASE WHEN ");
                self.expr(c);
                self.push(" THEN ");
                self.expr(t);
                self.push(" ELSE ");
                self.expr(e);
                self.push(" END");
            }
            Expr::Between(x, lo, hi) => {
                self.expr(x);
                self.push(" BETWEEN ");
                self.expr(lo);
                self.push(" AND ");
                self.expr(hi);
            }
            Expr::Cast(inner) => {
                self.push("CAST(");
                self.expr(inner);
                self.push(if self.mysql() {
                    " AS SIGNED)"
                } else {
                    " AS INTEGER)"
                });
            }
        }
    }

    fn call(&mut self, f: Func, args: &[Expr]) {
        let name = match f {
            Func::Count => "count",
            Func::Coalesce => "coalesce",
            Func::Lower => "lower",
            Func::Max => "max",
            Func::Abs => "abs",
        };
        self.push(name);
        self.push("(");
        let empty = if matches!(f, Func::Count) { "*" } else { "1" };
        self.list(args.iter().take(3), empty, ", ", Self::expr);
        self.push(")");
    }

    fn subquery(&mut self, q: &Query) {
        self.nested("SELECT 1", |w| w.query(q));
    }

    fn returning(&mut self, r: Option<&Item>) {
        if let Some(item) = r
            && !self.mysql()
        {
            self.push(" RETURNING ");
            self.item(item);
        }
    }

    fn assignments<'a>(&mut self, list: impl Iterator<Item = &'a (Col, Expr)>, empty: &str) {
        self.list(list, empty, ", ", |w, (c, e)| {
            w.col(c);
            w.push(" = ");
            w.expr(e);
        });
    }

    fn insert(&mut self, i: &Insert) {
        let sqlite = self.backend == DbBackend::Sqlite;
        self.push(match i.modifier {
            Modifier::Ignore if self.mysql() => "INSERT IGNORE INTO ",
            Modifier::Ignore if sqlite => "INSERT OR IGNORE INTO ",
            Modifier::Replace if !self.pg() => "REPLACE INTO ",
            Modifier::OrAbort if sqlite => "INSERT OR ABORT INTO ",
            Modifier::OrReplace if sqlite => "INSERT OR REPLACE INTO ",
            _ => "INSERT INTO ",
        });
        self.table(i.table);
        if i.alias && !self.mysql() {
            self.push(" AS t0");
        }
        if !i.columns.is_empty() {
            self.push(" (");
            self.list(i.columns.iter().take(5), "", ", ", |w, c| {
                w.push(COLUMNS[usize::from(c.which) % COLUMNS.len()]);
            });
            self.push(")");
        }
        match &i.source {
            Source::Values(rows) => {
                self.push(" VALUES ");
                self.list(rows.iter().take(3), "(1)", ", ", |w, row| {
                    w.push("(");
                    w.list(row.iter().take(5), "1", ", ", Self::expr);
                    w.push(")");
                });
            }
            Source::Query(q) => {
                self.push(" ");
                self.subquery(q);
            }
            Source::Default => self.push(" DEFAULT VALUES"),
        }
        match &i.upsert {
            None => {}
            Some(Upsert::Nothing(target)) if !self.mysql() => {
                self.push(" ON CONFLICT");
                if let Some(c) = target {
                    self.push(" (");
                    self.push(COLUMNS[usize::from(c.which) % COLUMNS.len()]);
                    self.push(")");
                }
                self.push(" DO NOTHING");
            }
            Some(Upsert::Nothing(_)) => {}
            Some(Upsert::Update {
                target,
                assignments,
                selection,
                row_alias,
            }) => {
                if self.mysql() {
                    if *row_alias && matches!(i.source, Source::Values(_)) {
                        self.push(" AS new");
                    }
                    self.push(" ON DUPLICATE KEY UPDATE ");
                } else {
                    self.push(" ON CONFLICT (");
                    let c = target.map_or(0, |c| usize::from(c.which));
                    self.push(COLUMNS[c % COLUMNS.len()]);
                    self.push(") DO UPDATE SET ");
                }
                self.assignments(assignments.iter().take(3), "total = 1");
                if let Some(e) = selection
                    && !self.mysql()
                {
                    self.push(" WHERE ");
                    self.expr(e);
                }
            }
        }
        self.returning(i.returning.as_ref());
    }

    fn update(&mut self, u: &Update) {
        self.push("UPDATE ");
        self.table(u.table);
        if let Some(a) = u.alias {
            self.push(&format!(" AS {}", alias_name(a)));
        }
        if self.mysql() {
            for j in u.joins.iter().take(2) {
                self.join(j);
            }
        }
        self.push(" SET ");
        self.assignments(std::iter::once(&u.first).chain(u.rest.iter().take(2)), "");
        if !self.mysql() {
            for (i, f) in u.from.iter().take(2).enumerate() {
                self.push(if i == 0 { " FROM " } else { ", " });
                self.from(f);
            }
        }
        if let Some(e) = &u.selection {
            self.push(" WHERE ");
            self.expr(e);
        }
        self.returning(u.returning.as_ref());
    }

    fn delete(&mut self, d: &Delete) {
        if let Some(multi) = &d.multi
            && self.mysql()
        {
            return self.delete_multi(d, multi);
        }
        self.push("DELETE FROM ");
        self.table(d.table);
        if let Some(a) = d.alias
            && !self.mysql()
        {
            self.push(&format!(" AS {}", alias_name(a)));
        }
        if self.pg() {
            for (i, f) in d.using.iter().take(2).enumerate() {
                self.push(if i == 0 { " USING " } else { ", " });
                self.from(f);
            }
        }
        if let Some(e) = &d.selection {
            self.push(" WHERE ");
            self.expr(e);
        }
        self.returning(d.returning.as_ref());
    }

    /// MySQL's `DELETE t0, … FROM orders AS t0 JOIN …` or `DELETE FROM t0, … USING …`,
    /// deleting from tables named in its `FROM` (by alias when they have one).
    fn delete_multi(&mut self, d: &Delete, multi: &Multi) {
        let name = |t: &Table, alias: &Option<u8>| match alias {
            Some(a) => alias_name(*a),
            None => table_name(t.which).to_owned(),
        };
        let mut names = vec![name(&d.table, &d.alias)];
        for j in multi.joins.iter().take(2) {
            if let Factor::Table(t, alias) = &j.factor {
                let n = name(t, alias);
                if !names.contains(&n) {
                    names.push(n);
                }
            }
        }
        let mut targets: Vec<&str> = Vec::new();
        for i in multi.targets.iter().take(2) {
            let n = names[usize::from(*i) % names.len()].as_str();
            if !targets.contains(&n) {
                targets.push(n);
            }
        }
        if targets.is_empty() {
            targets.push(&names[0]);
        }
        let targets = targets.join(", ");
        if multi.using_form {
            self.push(&format!("DELETE FROM {targets} USING "));
        } else {
            self.push(&format!("DELETE {targets} FROM "));
        }
        self.table(d.table);
        if let Some(a) = d.alias {
            self.push(&format!(" AS {}", alias_name(a)));
        }
        for j in multi.joins.iter().take(2) {
            self.join(j);
        }
        if let Some(e) = &d.selection {
            self.push(" WHERE ");
            self.expr(e);
        }
    }
}
