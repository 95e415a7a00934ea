//! Whether a statement's references to scoped tables are constrained to one tenant — read
//! from its text alone, as `pg_stat_statements` normalises it (`$n` for constants).
//!
//! A reference to a scoped table is **constrained** when, in its own query level:
//!
//! - a conjunct (an `AND` operand, at the top of the condition) of the `WHERE`, or of the
//!   `ON` of a join that filters it, compares its tenant column with a constant (`$n`, a
//!   literal, or a cast of one) — `t.tenant_id = $1`, or `t.tenant_id IN ($1)`; an `ON`
//!   filters both sides of an inner join, the right side of a `LEFT JOIN`, the left side of a
//!   `RIGHT JOIN`, neither side of a `FULL JOIN`; or
//! - such a conjunct equates its tenant column with that of a constrained reference
//!   (`o.tenant_id = c.tenant_id`).
//!
//! An `INSERT` into a scoped table is constrained when every row's tenant column is a
//! constant (a `VALUES` row, or the matching item of the `SELECT` list), and its `ON CONFLICT
//! DO UPDATE` has the target's tenant predicate in its `WHERE`. `UPDATE` and `DELETE` targets
//! need it in their `WHERE`. A `TRUNCATE` of a scoped table is never constrained. Every
//! nested query (subqueries, derived tables, CTEs, the branches of a `UNION`) is its own
//! level, checked the same way; CTE names shadow tables in their scope.
//!
//! Statements of any other kind that name a scoped table are *not analysed* (reported as
//! such), as are texts that do not parse.

use std::ops::ControlFlow;

use sqlparser::ast::{
    BinaryOperator, CastKind, Delete, Expr, FromTable, Insert, JoinConstraint, JoinOperator,
    ObjectName, OnConflictAction, OnInsert, Query, Select, SelectItem, SetExpr, Statement,
    TableFactor, TableObject, TableWithJoins, UnaryOperator, Update, UpdateTableFromKind, Value,
    Visit, Visitor,
};

use crate::registry::Registry;
use crate::rewrite::scope::names::{Flavor, idents, resolve};

/// What the analysis found in one statement.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Analysis {
    /// Every reference to a scoped table is constrained (or there is none).
    Clean,
    /// These references are not constrained to one tenant.
    Unconstrained(Vec<String>),
    /// The statement could not be analysed: why.
    NotAnalysed(String),
}

/// Analyses one PostgreSQL statement text against `registry`'s scoped tables.
pub fn analyse(sql: &str, registry: &Registry) -> Analysis {
    let statements = match Flavor::Postgres
        .parser()
        .try_with_sql(sql)
        .and_then(|mut p| p.parse_statements())
    {
        Ok(s) => s,
        Err(e) => return Analysis::NotAnalysed(format!("the parser cannot read it: {e}")),
    };
    let mut found = Vec::new();
    for statement in &statements {
        let mut walker = Walker {
            registry,
            ctes: Vec::new(),
            found: Vec::new(),
            not_analysed: None,
        };
        walker.top(statement);
        let _ = statement.visit(&mut walker);
        if let Some(why) = walker.not_analysed {
            return Analysis::NotAnalysed(why);
        }
        found.extend(walker.found);
    }
    if found.is_empty() {
        Analysis::Clean
    } else {
        found.dedup();
        Analysis::Unconstrained(found)
    }
}

/// A reference to a scoped table in one query level.
struct Ref {
    /// How it is shown: `orders`, `orders (as o)`.
    shown: String,
    /// The folded parts predicates qualify it with: `[o]`, `[orders]`, `[public, orders]`.
    qualifier: Vec<String>,
    /// Its tenant column, folded.
    column: String,
    constrained: bool,
}

/// The CTEs of one query: their names, which of them the part being read sees (a CTE's own
/// definition sees only the CTEs before it, unless the `WITH` is `RECURSIVE`), and the
/// definitions' queries, to tell when one is entered.
struct Ctes {
    names: Vec<String>,
    visible: usize,
    recursive: bool,
    queries: Vec<*const Query>,
}

struct Walker<'r> {
    registry: &'r Registry,
    /// The CTEs in scope, innermost last.
    ctes: Vec<Ctes>,
    found: Vec<String>,
    not_analysed: Option<String>,
}

/// A table factor of one level: a scoped reference (index into the level's refs) or
/// something else (a derived table, a CTE, a function, an unscoped table).
type Factors = Vec<Option<usize>>;

fn fold(i: &sqlparser::ast::Ident) -> String {
    Flavor::Postgres.fold(i).into_owned()
}

fn conjuncts(e: &Expr) -> Vec<&Expr> {
    match e {
        Expr::BinaryOp {
            left,
            op: BinaryOperator::And,
            right,
        } => {
            let mut v = conjuncts(left);
            v.extend(conjuncts(right));
            v
        }
        Expr::Nested(inner) => conjuncts(inner),
        other => vec![other],
    }
}

/// A constant: a placeholder, a literal, a cast or sign of one.
fn constant(e: &Expr) -> bool {
    match e {
        Expr::Value(v) => !matches!(v.value, Value::Null),
        Expr::Cast {
            expr,
            kind: CastKind::Cast | CastKind::DoubleColon | CastKind::TryCast | CastKind::SafeCast,
            ..
        } => constant(expr),
        Expr::Nested(inner) => constant(inner),
        Expr::UnaryOp {
            op: UnaryOperator::Minus | UnaryOperator::Plus,
            expr,
        } => constant(expr),
        Expr::TypedString(_) => true,
        _ => false,
    }
}

impl Walker<'_> {
    fn is_cte(&self, name: &ObjectName) -> bool {
        let Some(parts) = idents(name) else {
            return false;
        };
        if parts.len() != 1 {
            return false;
        }
        let n = fold(parts[0]);
        self.ctes.iter().any(|c| c.names[..c.visible].contains(&n))
    }

    /// The scoped reference a FROM table name denotes, if any.
    /// The scoped reference a table name denotes, if any. A CTE name shadows a table in a
    /// FROM position, never as the target of an `INSERT`, `UPDATE` or `DELETE` (`target`).
    fn reference(
        &self,
        name: &ObjectName,
        alias: Option<&sqlparser::ast::Ident>,
        target: bool,
    ) -> Option<Ref> {
        if !target && self.is_cte(name) {
            return None;
        }
        let table = resolve(Flavor::Postgres, self.registry, name)
            .ok()
            .flatten()?;
        let written: Vec<String> = idents(name)?.into_iter().map(fold).collect();
        let (qualifier, shown) = match alias {
            Some(a) => (vec![fold(a)], format!("{name} (as {})", a.value)),
            None => (written, name.to_string()),
        };
        Some(Ref {
            shown,
            qualifier,
            column: table.column().to_owned(),
            constrained: false,
        })
    }

    /// The references among `set` whose tenant column `e` is: one in valid SQL (PostgreSQL
    /// refuses a name given to two references of one level), every one a repeated name
    /// matches otherwise.
    fn column_of(&self, e: &Expr, refs: &[Ref], set: &[usize], all: usize) -> Vec<usize> {
        match e {
            Expr::Nested(inner) => self.column_of(inner, refs, set, all),
            Expr::CompoundIdentifier(parts) => {
                let Some((col, prefix)) = parts.split_last() else {
                    return Vec::new();
                };
                let col = fold(col);
                let prefix: Vec<String> = prefix.iter().map(fold).collect();
                set.iter()
                    .copied()
                    .filter(|&i| {
                        let r = &refs[i];
                        r.column == col
                            && !prefix.is_empty()
                            && r.qualifier.len() >= prefix.len()
                            && r.qualifier[r.qualifier.len() - prefix.len()..] == prefix[..]
                    })
                    .collect()
            }
            // Unqualified: only when the level reads that one table.
            Expr::Identifier(col) if all == 1 && set.len() == 1 => {
                let i = set[0];
                if refs[i].column == fold(col) {
                    vec![i]
                } else {
                    Vec::new()
                }
            }
            _ => Vec::new(),
        }
    }

    /// Applies a condition's conjuncts to the references in `set`.
    fn apply(
        &self,
        cond: &Expr,
        refs: &mut [Ref],
        set: &[usize],
        all: usize,
        edges: &mut Vec<(usize, usize)>,
    ) {
        for c in conjuncts(cond) {
            match c {
                Expr::BinaryOp {
                    left,
                    op: BinaryOperator::Eq,
                    right,
                } => {
                    let l = self.column_of(left, refs, set, all);
                    let r = self.column_of(right, refs, set, all);
                    if r.is_empty() && constant(right) {
                        l.iter().for_each(|&i| refs[i].constrained = true);
                    } else if l.is_empty() && constant(left) {
                        r.iter().for_each(|&i| refs[i].constrained = true);
                    } else {
                        for &a in &l {
                            edges.extend(r.iter().map(|&b| (a, b)));
                        }
                    }
                }
                Expr::InList {
                    expr,
                    list,
                    negated: false,
                } if list.len() == 1 && constant(&list[0]) => {
                    for i in self.column_of(expr, refs, set, all) {
                        refs[i].constrained = true;
                    }
                }
                _ => {}
            }
        }
    }

    /// Collects the references of a FROM item, applying its joins' `ON` conditions.
    fn join_tree(
        &self,
        twj: &TableWithJoins,
        target: bool,
        refs: &mut Vec<Ref>,
        factors: &mut Factors,
        ons: &mut Vec<(Expr, Vec<usize>)>,
    ) {
        let mut left = self.factor(&twj.relation, target, refs, factors, ons);
        for join in &twj.joins {
            let right = self.factor(&join.relation, false, refs, factors, ons);
            let (constraint, filtered): (Option<&JoinConstraint>, Vec<usize>) =
                match &join.join_operator {
                    JoinOperator::Join(c) | JoinOperator::Inner(c) => {
                        (Some(c), left.iter().chain(&right).copied().collect())
                    }
                    JoinOperator::Left(c) | JoinOperator::LeftOuter(c) => (Some(c), right.clone()),
                    JoinOperator::Right(c) | JoinOperator::RightOuter(c) => (Some(c), left.clone()),
                    _ => (None, Vec::new()),
                };
            if let Some(JoinConstraint::On(e)) = constraint {
                ons.push((e.clone(), filtered));
            }
            left.extend(right);
        }
        let _ = factors;
    }

    /// The scoped references a table factor holds (a nested join's, recursively).
    fn factor(
        &self,
        f: &TableFactor,
        target: bool,
        refs: &mut Vec<Ref>,
        factors: &mut Factors,
        ons: &mut Vec<(Expr, Vec<usize>)>,
    ) -> Vec<usize> {
        match f {
            // `name(args)` in FROM calls a set-returning function, whatever its name.
            TableFactor::Table {
                name,
                alias,
                args: None,
                ..
            } => match self.reference(name, alias.as_ref().map(|a| &a.name), target) {
                Some(r) => {
                    refs.push(r);
                    factors.push(Some(refs.len() - 1));
                    vec![refs.len() - 1]
                }
                None => {
                    factors.push(None);
                    Vec::new()
                }
            },
            TableFactor::NestedJoin {
                table_with_joins, ..
            } => {
                let before = refs.len();
                self.join_tree(table_with_joins, false, refs, factors, ons);
                (before..refs.len()).collect()
            }
            _ => {
                factors.push(None);
                Vec::new()
            }
        }
    }

    /// Checks one query level: its FROM items, their joins, its WHERE; records what stays
    /// unconstrained.
    /// The first `targets` items of `from` are the targets of an `UPDATE` or `DELETE`.
    fn level(
        &mut self,
        from: &[TableWithJoins],
        targets: usize,
        selection: Option<&Expr>,
    ) -> Vec<Ref> {
        let mut refs = Vec::new();
        let mut factors = Vec::new();
        let mut ons = Vec::new();
        for (i, twj) in from.iter().enumerate() {
            self.join_tree(twj, i < targets, &mut refs, &mut factors, &mut ons);
        }
        let all: Vec<usize> = (0..refs.len()).collect();
        let mut edges = Vec::new();
        let n = factors.len();
        if let Some(w) = selection {
            self.apply(w, &mut refs, &all, n, &mut edges);
        }
        for (on, set) in &ons {
            self.apply(on, &mut refs, set, n, &mut edges);
        }
        loop {
            let mut changed = false;
            for &(a, b) in &edges {
                if refs[a].constrained != refs[b].constrained {
                    refs[a].constrained = true;
                    refs[b].constrained = true;
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
        refs
    }

    fn report(&mut self, refs: Vec<Ref>) {
        for r in refs {
            if !r.constrained {
                self.found.push(r.shown);
            }
        }
    }

    fn select(&mut self, s: &Select) {
        let refs = self.level(&s.from, 0, s.selection.as_ref());
        self.report(refs);
    }

    /// The statement-level checks (targets of writes); nested queries are the visitor's.
    fn top(&mut self, statement: &Statement) {
        match statement {
            Statement::Insert(i) => self.insert(i),
            Statement::Update(u) => self.update(u),
            Statement::Delete(d) => self.delete(d),
            Statement::Query(_) => {}
            Statement::Explain { statement, .. } => self.top(statement),
            Statement::Truncate(t) => {
                for target in &t.table_names {
                    if let Some(r) = self.reference(&target.name, None, true) {
                        self.found.push(format!("{} (TRUNCATE)", r.shown));
                    }
                }
            }
            other => {
                let mut named = false;
                let _ = sqlparser::ast::visit_relations(other, |name| {
                    if resolve(Flavor::Postgres, self.registry, name)
                        .ok()
                        .flatten()
                        .is_some()
                    {
                        named = true;
                        return ControlFlow::Break(());
                    }
                    ControlFlow::Continue(())
                });
                if named {
                    let kind = other.to_string();
                    let kind = kind.split_whitespace().next().unwrap_or("").to_uppercase();
                    self.not_analysed = Some(format!(
                        "a {kind} statement naming a scoped table is not analysed"
                    ));
                }
            }
        }
    }

    fn insert(&mut self, i: &Insert) {
        let TableObject::TableName(name) = &i.table else {
            return;
        };
        let Some(mut target) = self.reference(name, i.table_alias.as_ref().map(|a| &a.alias), true)
        else {
            return;
        };
        let position = i.columns.iter().position(|c| {
            idents(c).and_then(|p| p.last().map(|x| fold(x))).as_deref()
                == Some(target.column.as_str())
        });
        let rows_constant = match (position, i.source.as_deref()) {
            (Some(p), Some(q)) => source_constant(q, p, i.columns.len()),
            _ => false,
        };
        if !rows_constant {
            self.found.push(format!("{} (inserted rows)", target.shown));
        }
        if let Some(OnInsert::OnConflict(c)) = &i.on
            && let OnConflictAction::DoUpdate(u) = &c.action
        {
            let mut refs = vec![Ref {
                shown: String::new(),
                qualifier: target.qualifier.clone(),
                column: target.column.clone(),
                constrained: false,
            }];
            if let Some(w) = &u.selection {
                self.apply(w, &mut refs, &[0], 1, &mut Vec::new());
            }
            if !refs[0].constrained {
                target.shown.push_str(" (ON CONFLICT DO UPDATE)");
                self.found.push(target.shown);
            }
        }
    }

    fn update(&mut self, u: &Update) {
        let mut from = vec![u.table.clone()];
        if let Some(UpdateTableFromKind::BeforeSet(l) | UpdateTableFromKind::AfterSet(l)) = &u.from
        {
            from.extend(l.iter().cloned());
        }
        let refs = self.level(&from, 1, u.selection.as_ref());
        self.report(refs);
    }

    fn delete(&mut self, d: &Delete) {
        let mut from = match &d.from {
            FromTable::WithFromKeyword(l) | FromTable::WithoutKeyword(l) => l.clone(),
        };
        let targets = from.len();
        if let Some(using) = &d.using {
            from.extend(using.iter().cloned());
        }
        let refs = self.level(&from, targets, d.selection.as_ref());
        self.report(refs);
    }

    fn body(&mut self, body: &SetExpr) {
        match body {
            SetExpr::Select(s) => self.select(s),
            SetExpr::SetOperation { left, right, .. } => {
                self.body(left);
                self.body(right);
            }
            SetExpr::Insert(s) | SetExpr::Update(s) | SetExpr::Delete(s) => self.top(s),
            // A nested query (parenthesised) is visited on its own.
            _ => {}
        }
    }
}

/// Whether every row `q` produces has a constant in column `p` of `n`. A source whose rows
/// do not have `n` values cannot run (PostgreSQL refuses it), so it inserts nothing.
fn source_constant(q: &Query, p: usize, n: usize) -> bool {
    match q.body.as_ref() {
        SetExpr::Values(v) => v
            .rows
            .iter()
            .all(|row| row.len() != n || row.get(p).is_some_and(constant)),
        SetExpr::Select(s) => {
            let items = &s.projection;
            let wildcard = items.iter().position(|i| {
                matches!(
                    i,
                    SelectItem::Wildcard(_) | SelectItem::QualifiedWildcard(..)
                )
            });
            let item = match wildcard {
                // Items after a wildcard are the last columns.
                Some(w) => {
                    let after = items.len() - w - 1;
                    (p >= n - after).then(|| &items[items.len() - (n - p)])
                }
                None if items.len() != n => return true,
                None => items.get(p),
            };
            match item {
                Some(SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. }) => {
                    constant(e)
                }
                _ => false,
            }
        }
        _ => false,
    }
}

impl Visitor for Walker<'_> {
    type Break = ();

    fn pre_visit_query(&mut self, q: &Query) -> ControlFlow<()> {
        let me: *const Query = q;
        if let Some(parent) = self.ctes.last_mut()
            && let Some(i) = parent.queries.iter().position(|p| *p == me)
        {
            parent.visible = if parent.recursive {
                parent.names.len()
            } else {
                i
            };
        }
        let ctes = q.with.iter().flat_map(|w| &w.cte_tables);
        let names: Vec<String> = ctes.clone().map(|c| fold(&c.alias.name)).collect();
        self.ctes.push(Ctes {
            visible: names.len(),
            names,
            recursive: q.with.as_ref().is_some_and(|w| w.recursive),
            queries: ctes.map(|c| &*c.query as *const Query).collect(),
        });
        self.body(&q.body);
        ControlFlow::Continue(())
    }

    fn post_visit_query(&mut self, q: &Query) -> ControlFlow<()> {
        self.ctes.pop();
        let me: *const Query = q;
        if let Some(parent) = self.ctes.last_mut()
            && parent.queries.contains(&me)
        {
            parent.visible = parent.names.len();
        }
        ControlFlow::Continue(())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn registry() -> Registry {
        Registry::new()
            .table("orders", "tenant_id")
            .table("customers", "tenant_id")
            .table("order_items", "tenant_id")
    }

    fn check(sql: &str) -> Analysis {
        analyse(sql, &registry())
    }

    fn bad(sql: &str) -> Vec<String> {
        match check(sql) {
            Analysis::Unconstrained(v) => v,
            other => panic!("{sql}: {other:?}"),
        }
    }

    #[test]
    fn constrained_shapes_are_clean() {
        for sql in [
            "SELECT * FROM orders WHERE orders.tenant_id = $1",
            "SELECT * FROM orders WHERE tenant_id = $1 AND total > $2",
            "SELECT * FROM orders o WHERE o.tenant_id = $1::uuid",
            "SELECT * FROM public.orders WHERE orders.tenant_id = $1",
            "SELECT \"orders\".\"id\" FROM \"orders\" INNER JOIN \"customers\" ON \"customers\".tenant_id = $2 AND (\"orders\".\"customer_id\" = \"customers\".\"id\") WHERE \"orders\".tenant_id = $2",
            "SELECT * FROM orders o JOIN customers c ON c.tenant_id = $1 AND (c.id = o.customer_id) RIGHT JOIN products p ON o.tenant_id = $1 AND (p.id = o.product_id)",
            "SELECT * FROM (SELECT * FROM orders WHERE orders.tenant_id = $1) a FULL JOIN (SELECT * FROM customers WHERE customers.tenant_id = $1) b ON a.id = b.id",
            "SELECT * FROM orders o JOIN customers c ON c.tenant_id = o.tenant_id WHERE o.tenant_id = $1",
            "SELECT c.id FROM customers c WHERE c.tenant_id = $1 AND (EXISTS (SELECT 1 FROM orders o WHERE o.tenant_id = $1 AND (o.customer_id = c.id)))",
            "WITH o AS (SELECT * FROM orders WHERE orders.tenant_id = $1) SELECT * FROM o",
            "WITH orders AS (SELECT 1 AS id) SELECT id FROM orders",
            "SELECT id FROM orders WHERE orders.tenant_id = $1 UNION SELECT id FROM customers WHERE customers.tenant_id = $1",
            "SELECT * FROM products",
            "INSERT INTO \"orders\" (\"customer_id\", \"total\", tenant_id) VALUES ($1, $2, $7), ($3, $4, $7)",
            "INSERT INTO orders (id, total, tenant_id) VALUES ($1, $2, $3) ON CONFLICT (id) DO UPDATE SET total = excluded.total WHERE orders.tenant_id = $3",
            "INSERT INTO orders AS o (id, total, tenant_id) VALUES ($1, $2, $3) ON CONFLICT (id) DO UPDATE SET total = excluded.total WHERE o.tenant_id = $3",
            "INSERT INTO orders (customer_id, total, tenant_id) SELECT c.id, $1, $3 FROM customers c WHERE c.tenant_id = $3",
            "INSERT INTO orders (customer_id, total, tenant_id) SELECT tenantry_src.*, $1 FROM (SELECT id, 0 FROM customers WHERE customers.tenant_id = $1) AS tenantry_src",
            "UPDATE orders o SET total = $1 FROM customers c WHERE o.tenant_id = $2 AND c.tenant_id = $2 AND c.id = o.customer_id",
            "DELETE FROM orders o USING customers c WHERE o.tenant_id = $2 AND c.tenant_id = $2",
            "SELECT public.tenantry_fence($1, $2)",
            "SET LOCAL tenantry.tenant_id = '7'",
        ] {
            assert_eq!(check(sql), Analysis::Clean, "{sql}");
        }
    }

    #[test]
    fn unconstrained_references_are_named() {
        assert_eq!(bad("SELECT * FROM orders"), ["orders"]);
        assert_eq!(
            bad(
                "SELECT * FROM orders o JOIN customers c ON c.id = o.customer_id WHERE c.tenant_id = $1"
            ),
            ["orders (as o)"]
        );
        // An ON of a LEFT JOIN does not filter its left side.
        assert_eq!(
            bad(
                "SELECT * FROM orders o LEFT JOIN customers c ON o.tenant_id = $1 AND c.tenant_id = $1"
            ),
            ["orders (as o)"]
        );
        assert_eq!(
            bad("SELECT * FROM orders WHERE orders.tenant_id = $1 OR total > $2"),
            ["orders"]
        );
        assert_eq!(
            bad("UPDATE orders SET total = $1 WHERE id = $2"),
            ["orders"]
        );
        assert_eq!(
            bad(
                "SELECT * FROM customers c WHERE c.tenant_id = $1 AND c.id IN (SELECT customer_id FROM orders)"
            ),
            ["orders"]
        );
        assert_eq!(
            bad("INSERT INTO orders (customer_id, total) VALUES ($1, $2)"),
            ["orders (inserted rows)"]
        );
        assert_eq!(
            bad(
                "INSERT INTO orders (id, tenant_id) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET total = excluded.total"
            ),
            ["orders (ON CONFLICT DO UPDATE)"]
        );
        assert_eq!(bad("DELETE FROM order_items"), ["order_items"]);
        assert_eq!(bad("TRUNCATE orders"), ["orders (TRUNCATE)"]);
        // A CTE of another level does not shadow the table.
        assert_eq!(
            bad(
                "SELECT * FROM (WITH orders AS (SELECT 1 AS id) SELECT id FROM orders) x JOIN orders o ON o.id = x.id"
            ),
            ["orders (as o)"]
        );
        // A CTE's own definition reads the table it is named like.
        assert_eq!(
            bad("WITH orders AS (SELECT id FROM orders) SELECT id FROM orders"),
            ["orders"]
        );
        assert_eq!(
            check(
                "WITH orders AS (SELECT id FROM orders WHERE orders.tenant_id = $1) SELECT id FROM orders"
            ),
            Analysis::Clean
        );
        assert_eq!(
            bad("WITH a AS (SELECT 1), b AS (SELECT * FROM a, orders) SELECT * FROM b"),
            ["orders"]
        );
        // A function named like a table is not the table (found by the fuzz target).
        assert_eq!(check("SELECT * FROM orders(1)"), Analysis::Clean);
        assert!(matches!(check("SELEC orders"), Analysis::NotAnalysed(_)));
        assert!(matches!(
            check("MERGE INTO orders USING customers c ON false WHEN MATCHED THEN DELETE"),
            Analysis::NotAnalysed(_)
        ));
    }
}
