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
//! need it in their `WHERE`; an `UPDATE` or upsert that assigns a scoped target's tenant
//! column anything but a constant (or, in an upsert of constant rows, the inserted row's
//! value) is not constrained either. A `TRUNCATE` of a scoped table is never constrained. Every
//! nested query (subqueries, derived tables, CTEs, the branches of a `UNION`) is its own
//! level, checked the same way; CTE names shadow tables in their scope.
//!
//! Statements of any other kind that name a scoped table are *not analysed* (reported as
//! such), as are texts that do not parse.
//!
//! [`analyse`] reads PostgreSQL texts whose constants are hidden, so any constant counts.
//! [`analyse_for`] reads a statement as it is sent — any backend, with its values — for one
//! tenant, and is stricter: a tenant column counts as constrained only when compared with
//! *that tenant's* id (a placeholder bound to it, or a literal of it), inserted rows must
//! carry that id, an assignment to a scoped target's tenant column must assign it (or, in an
//! upsert, the inserted row's), and MySQL's `ON DUPLICATE KEY UPDATE` must guard every
//! assignment with `IF(<tenant column> = <tenant>, …)`.

use std::ops::ControlFlow;

use sqlparser::ast::{
    Assignment, AssignmentTarget, BinaryOperator, CastKind, Delete, Expr, FromTable, FunctionArg,
    FunctionArgExpr, FunctionArguments, Insert, JoinConstraint, JoinOperator, ObjectName,
    OnConflictAction, OnInsert, Query, Select, SelectItem, SetExpr, Statement, TableFactor,
    TableObject, TableWithJoins, UnaryOperator, Update, UpdateTableFromKind, Value, Visit, Visitor,
};
use sqlparser::tokenizer::{Location, Token, Tokenizer};

use crate::registry::Registry;
use crate::rewrite::scope::names::{Flavor, idents, resolve};
use crate::tenant::TenantId;

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

/// Analyses one PostgreSQL statement text against `registry`'s scoped tables; any constant
/// (`$n`, a literal) counts as a tenant's id.
pub fn analyse(sql: &str, registry: &Registry) -> Analysis {
    run(Flavor::Postgres, sql, registry, &Pin::Any)
}

/// Analyses a statement as it is sent to the database (any backend, with its values) for
/// `tenant`, by the rules of [`analyse`] with these differences:
///
/// - a tenant column counts as constrained only when compared with `tenant`'s own id — a
///   literal of it, or a placeholder bound to it (`$n` by number, `?` by its place) — never
///   merely with some constant;
/// - inserted rows must carry that id;
/// - an `UPDATE` or upsert assigning a scoped target's tenant column must assign that id (or,
///   in an upsert of such rows, the inserted row's: `excluded.<column>`, `VALUES(<column>)`,
///   the row alias's column);
/// - every assignment of MySQL's `ON DUPLICATE KEY UPDATE` must be guarded by
///   `IF(<tenant column> = <tenant>, …)`, since without it the conflicting row of whichever
///   tenant owns it is written;
/// - names fold, resolve and see CTEs as the statement's backend does.
///
/// This is the property tenantry's rewriter promises for every statement it accepts; the
/// fuzz target and the property tests check its output with it.
pub fn analyse_for(
    statement: &sea_orm::Statement,
    registry: &Registry,
    tenant: &TenantId,
) -> Analysis {
    let flavor = match Flavor::of(statement.db_backend) {
        Ok(f) => f,
        Err(e) => return Analysis::NotAnalysed(e.to_string()),
    };
    let positions = match Tokenizer::new(flavor.dialect(), &statement.sql).tokenize_with_location()
    {
        Ok(tokens) => tokens
            .iter()
            .filter(|t| matches!(&t.token, Token::Placeholder(p) if p == "?"))
            .map(|t| t.span.start)
            .collect(),
        Err(e) => return Analysis::NotAnalysed(format!("the tokenizer cannot read it: {e}")),
    };
    let values = statement.values.as_ref().map_or(&[][..], |v| &v.0[..]);
    let pin = Pin::Tenant {
        tenant,
        values,
        positions,
    };
    run(flavor, &statement.sql, registry, &pin)
}

fn run(flavor: Flavor, sql: &str, registry: &Registry, pin: &Pin<'_>) -> Analysis {
    let statements = match flavor
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
            flavor,
            pin,
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

/// What pins a tenant column to one tenant.
enum Pin<'a> {
    /// Any constant: `pg_stat_statements` hides the values.
    Any,
    /// This tenant's id: a literal of it, or a placeholder bound to it (`$n` by number, `?`
    /// by its place among the text's `?`s, at `positions`).
    Tenant {
        tenant: &'a TenantId,
        values: &'a [sea_orm::Value],
        positions: Vec<Location>,
    },
}

impl Pin<'_> {
    fn value(&self, v: &sqlparser::ast::ValueWithSpan) -> bool {
        let (tenant, values, positions) = match self {
            Self::Any => return !matches!(v.value, Value::Null),
            Self::Tenant {
                tenant,
                values,
                positions,
            } => (tenant, values, positions),
        };
        match &v.value {
            Value::Placeholder(p) => {
                let index = match p.strip_prefix('$') {
                    Some(n) => n.parse::<usize>().ok().and_then(|n| n.checked_sub(1)),
                    None if p == "?" => positions.iter().position(|l| *l == v.span.start),
                    None => None,
                };
                index
                    .and_then(|i| values.get(i))
                    .is_some_and(|b| tenant.matches_value(b))
            }
            Value::Number(n, _) => {
                matches!(tenant, TenantId::I32(_) | TenantId::I64(_))
                    && n.parse::<i64>().ok().map(|n| n.to_string()) == Some(tenant.to_setting())
            }
            Value::SingleQuotedString(s) => *s == tenant.to_setting(),
            _ => false,
        }
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

impl Ref {
    /// Whether the column `col` qualified by `prefix` (folded parts; empty when unqualified)
    /// may name this reference's tenant column.
    fn is_tenant_column(&self, col: &str, prefix: &[String]) -> bool {
        self.column == col && self.qualifier.ends_with(prefix)
    }
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
    flavor: Flavor,
    pin: &'r Pin<'r>,
    registry: &'r Registry,
    /// The CTEs in scope, innermost last.
    ctes: Vec<Ctes>,
    found: Vec<String>,
    not_analysed: Option<String>,
}

/// What an assignment may write into a tenant column besides a pinned constant.
enum Inserted {
    /// Nothing: a plain `UPDATE`.
    None,
    /// `excluded.<tenant column>`, in `ON CONFLICT DO UPDATE` of pinned rows.
    Excluded,
    /// MySQL's `ON DUPLICATE KEY UPDATE`: every value guarded by the tenant's `IF`; inside
    /// it, when the inserted rows are `pinned`, `VALUES(<tenant column>)` or the row alias's
    /// column (`row`: alias, column).
    Guarded {
        pinned: bool,
        row: Option<(String, String)>,
    },
}

/// A table factor of one level: a scoped reference (index into the level's refs) or
/// something else (a derived table, a CTE, a function, an unscoped table).
type Factors = Vec<Option<usize>>;

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

/// A constant pinned to a tenant: a placeholder or literal `pin` accepts, a cast or sign of
/// one.
fn pinned(pin: &Pin<'_>, e: &Expr) -> bool {
    match e {
        Expr::Value(v) => pin.value(v),
        Expr::Cast {
            expr,
            kind: CastKind::Cast | CastKind::DoubleColon | CastKind::TryCast | CastKind::SafeCast,
            ..
        } => pinned(pin, expr),
        Expr::Nested(inner) => pinned(pin, inner),
        Expr::UnaryOp {
            op: UnaryOperator::Plus,
            expr,
        } => pinned(pin, expr),
        Expr::UnaryOp {
            op: UnaryOperator::Minus,
            expr,
        } => matches!(pin, Pin::Any) && pinned(pin, expr),
        Expr::TypedString(t) => match pin {
            Pin::Any => true,
            Pin::Tenant { .. } => pin.value(&t.value),
        },
        _ => false,
    }
}

impl Walker<'_> {
    fn fold(&self, i: &sqlparser::ast::Ident) -> String {
        self.flavor.fold(i).into_owned()
    }

    fn fold_cte(&self, i: &sqlparser::ast::Ident) -> String {
        self.flavor.fold_cte(i).into_owned()
    }

    fn constant(&self, e: &Expr) -> bool {
        pinned(self.pin, e)
    }

    fn is_cte(&self, name: &ObjectName) -> bool {
        let Some(parts) = idents(name) else {
            return false;
        };
        if parts.len() != 1 {
            return false;
        }
        let n = self.fold_cte(parts[0]);
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
        let table = resolve(self.flavor, self.registry, name).ok().flatten()?;
        let written: Vec<String> = idents(name)?.into_iter().map(|i| self.fold(i)).collect();
        let (qualifier, shown) = match alias {
            Some(a) => (vec![self.fold(a)], format!("{name} (as {})", a.value)),
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
                let Some((col, prefix)) = self.split_column(parts) else {
                    return Vec::new();
                };
                set.iter()
                    .copied()
                    .filter(|&i| !prefix.is_empty() && refs[i].is_tenant_column(&col, &prefix))
                    .collect()
            }
            // Unqualified: only when the level reads that one table.
            Expr::Identifier(col) if all == 1 && set.len() == 1 => {
                let i = set[0];
                if refs[i].column == self.fold(col) {
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
                    if r.is_empty() && self.constant(right) {
                        l.iter().for_each(|&i| refs[i].constrained = true);
                    } else if l.is_empty() && self.constant(left) {
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
                } if list.len() == 1 && self.constant(&list[0]) => {
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
        self.level_targets(from, targets, selection).0
    }

    /// [`level`](Self::level), and how many of the references the first `targets` items hold.
    fn level_targets(
        &mut self,
        from: &[TableWithJoins],
        targets: usize,
        selection: Option<&Expr>,
    ) -> (Vec<Ref>, usize) {
        let mut refs = Vec::new();
        let mut factors = Vec::new();
        let mut ons = Vec::new();
        let mut in_targets = 0;
        for (i, twj) in from.iter().enumerate() {
            self.join_tree(twj, i < targets, &mut refs, &mut factors, &mut ons);
            if i < targets {
                in_targets = refs.len();
            }
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
        (refs, in_targets)
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
                    if resolve(self.flavor, self.registry, name)
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
            idents(c)
                .and_then(|p| p.last().map(|x| self.fold(x)))
                .as_deref()
                == Some(target.column.as_str())
        });
        let rows_constant = match (position, i.source.as_deref()) {
            (Some(p), Some(q)) => source_constant(self.pin, q, p, i.columns.len()),
            _ => false,
        };
        if !rows_constant {
            self.found.push(format!("{} (inserted rows)", target.shown));
        }
        match &i.on {
            Some(OnInsert::OnConflict(c)) => {
                if let OnConflictAction::DoUpdate(u) = &c.action {
                    let constrained = u.selection.as_ref().is_some_and(|w| self.pins(w, &target));
                    let inserted = if rows_constant {
                        Inserted::Excluded
                    } else {
                        Inserted::None
                    };
                    self.assignments(&u.assignments, std::slice::from_ref(&target), &inserted);
                    if !constrained {
                        target.shown.push_str(" (ON CONFLICT DO UPDATE)");
                        self.found.push(target.shown);
                    }
                }
            }
            Some(OnInsert::DuplicateKeyUpdate(list)) => {
                // Every assignment must be guarded, not only the tenant column's: an
                // unguarded one writes the conflicting row of whichever tenant owns it.
                for a in list {
                    if self.guarded(&a.value, &target).is_none() {
                        self.found
                            .push(format!("{} (ON DUPLICATE KEY UPDATE)", target.shown));
                        break;
                    }
                }
                let row = i.insert_alias.as_ref().and_then(|alias| {
                    let name = idents(&alias.row_alias)?.last().map(|n| self.fold(n))?;
                    let column = match (alias.col_aliases.as_deref(), position) {
                        (None | Some([]), _) => target.column.clone(),
                        (Some(cols), Some(p)) => self.fold(cols.get(p)?),
                        (Some(_), None) => return None,
                    };
                    Some((name, column))
                });
                let inserted = Inserted::Guarded {
                    pinned: rows_constant,
                    row,
                };
                self.assignments(list, std::slice::from_ref(&target), &inserted);
            }
            _ => {}
        }
    }

    fn update(&mut self, u: &Update) {
        let mut from = vec![u.table.clone()];
        if let Some(UpdateTableFromKind::BeforeSet(l) | UpdateTableFromKind::AfterSet(l)) = &u.from
        {
            from.extend(l.iter().cloned());
        }
        let (refs, targets) = self.level_targets(&from, 1, u.selection.as_ref());
        self.assignments(&u.assignments, &refs[..targets], &Inserted::None);
        self.report(refs);
    }

    /// Records the assignments of `list` that write a tenant column of `targets` with
    /// anything but a pinned constant or, in an upsert, the inserted row's own tenant value.
    fn assignments(&mut self, list: &[Assignment], targets: &[Ref], inserted: &Inserted) {
        for a in list {
            let pairs: Vec<(&ObjectName, Option<&Expr>)> = match &a.target {
                AssignmentTarget::ColumnName(name) => vec![(name, Some(&a.value))],
                AssignmentTarget::Tuple(names) => match &a.value {
                    Expr::Tuple(values) if values.len() == names.len() => {
                        names.iter().zip(values.iter().map(Some)).collect()
                    }
                    _ => names.iter().map(|n| (n, None)).collect(),
                },
            };
            for (name, value) in pairs {
                for r in self.assigned(name, targets) {
                    let ok = value.is_some_and(|v| {
                        let v = match inserted {
                            Inserted::Guarded { .. } => match self.guarded(v, r) {
                                Some(inner) => inner,
                                None => return false,
                            },
                            _ => v,
                        };
                        self.constant(v)
                            || self.inserted_value(v, r, inserted)
                            || self.own_value(v, r)
                    });
                    if !ok {
                        self.found
                            .push(format!("{} (tenant column assigned)", r.shown));
                    }
                }
            }
        }
    }

    /// The references of `targets` whose tenant column the assignment target `name` is.
    fn assigned<'t>(&self, name: &ObjectName, targets: &'t [Ref]) -> Vec<&'t Ref> {
        let Some(parts) = idents(name) else {
            return targets.iter().collect();
        };
        let Some((col, prefix)) = self.split_column(&parts) else {
            return Vec::new();
        };
        targets
            .iter()
            .filter(|r| r.is_tenant_column(&col, &prefix))
            .collect()
    }

    /// A column name's parts, folded: the column and its qualifier.
    fn split_column<I: std::borrow::Borrow<sqlparser::ast::Ident>>(
        &self,
        parts: &[I],
    ) -> Option<(String, Vec<String>)> {
        let (col, prefix) = parts.split_last()?;
        let prefix = prefix.iter().map(|p| self.fold(p.borrow())).collect();
        Some((self.fold(col.borrow()), prefix))
    }

    /// Whether `v` is `r`'s own tenant column (`tenant_id = tenant_id`): the row keeps its
    /// tenant, which the statement's predicate on `r` pins. Unqualified, the name can only be
    /// `r`'s column (another table's would make it ambiguous, an error); in an upsert it is
    /// the existing row's.
    fn own_value(&self, v: &Expr, r: &Ref) -> bool {
        match v {
            Expr::Nested(inner) => self.own_value(inner, r),
            Expr::Identifier(c) => self.fold(c) == r.column,
            Expr::CompoundIdentifier(parts) => self
                .split_column(parts)
                .is_some_and(|(col, prefix)| r.is_tenant_column(&col, &prefix)),
            _ => false,
        }
    }

    /// Whether `v` is the inserted row's tenant value (`excluded.tenant_id`,
    /// `VALUES(tenant_id)`, `new.tenant_id`) in an upsert whose inserted rows are pinned.
    fn inserted_value(&self, v: &Expr, r: &Ref, inserted: &Inserted) -> bool {
        let row = match inserted {
            Inserted::None | Inserted::Guarded { pinned: false, .. } => return false,
            Inserted::Excluded => Some(("excluded".to_owned(), r.column.clone())),
            Inserted::Guarded { row, .. } => row.clone(),
        };
        match v {
            Expr::Nested(inner) => self.inserted_value(inner, r, inserted),
            Expr::CompoundIdentifier(parts) if parts.len() == 2 => {
                row.is_some_and(|(alias, column)| {
                    self.fold(&parts[0]) == alias && self.fold(&parts[1]) == column
                })
            }
            Expr::Function(f) if matches!(inserted, Inserted::Guarded { .. }) => {
                f.name.to_string().eq_ignore_ascii_case("values")
                    && matches!(
                        &f.args,
                        FunctionArguments::List(l) if l.args.len() == 1
                            && matches!(
                                &l.args[0],
                                FunctionArg::Unnamed(FunctionArgExpr::Expr(Expr::Identifier(c)))
                                    if self.fold(c) == r.column
                            )
                    )
            }
            _ => false,
        }
    }

    /// The value `v` assigns when it is `IF(<r's tenant column> = <pinned>, value, …)`, the
    /// guard tenantry puts on every assignment of MySQL's `ON DUPLICATE KEY UPDATE`.
    fn guarded<'e>(&self, v: &'e Expr, r: &Ref) -> Option<&'e Expr> {
        let Expr::Function(f) = v else {
            return None;
        };
        if !f.name.to_string().eq_ignore_ascii_case("if") {
            return None;
        }
        let FunctionArguments::List(l) = &f.args else {
            return None;
        };
        let [
            FunctionArg::Unnamed(FunctionArgExpr::Expr(cond)),
            FunctionArg::Unnamed(FunctionArgExpr::Expr(value)),
            _,
        ] = &l.args[..]
        else {
            return None;
        };
        self.pins(cond, r).then_some(value)
    }

    /// Whether `cond` pins `r`'s tenant column, `r` being the one reference of its level.
    fn pins(&self, cond: &Expr, r: &Ref) -> bool {
        let mut refs = vec![Ref {
            shown: String::new(),
            qualifier: r.qualifier.clone(),
            column: r.column.clone(),
            constrained: false,
        }];
        self.apply(cond, &mut refs, &[0], 1, &mut Vec::new());
        refs[0].constrained
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
/// do not have `n` values cannot run (every backend refuses it), so it inserts nothing: a
/// select list with more items than `n` besides its wildcards (each of which may stand for
/// no column at all, a PostgreSQL table may have none) is one.
fn source_constant(pin: &Pin<'_>, q: &Query, p: usize, n: usize) -> bool {
    match q.body.as_ref() {
        SetExpr::Values(v) => v
            .rows
            .iter()
            .all(|row| row.len() != n || row.get(p).is_some_and(|e| pinned(pin, e))),
        SetExpr::Select(s) => {
            let items = &s.projection;
            let is_wildcard = |i: &SelectItem| {
                matches!(
                    i,
                    SelectItem::Wildcard(_) | SelectItem::QualifiedWildcard(..)
                )
            };
            if items.iter().filter(|i| !is_wildcard(i)).count() > n {
                return true;
            }
            let first = items.iter().position(is_wildcard);
            let last = items.iter().rposition(is_wildcard);
            let item = match (first, last) {
                // Items before the first wildcard are the first columns, items after the last
                // one the last columns; a column in between is a wildcard's, not a constant.
                (Some(w), _) if p < w => items.get(p),
                (_, Some(w)) => {
                    let after = items.len() - w - 1;
                    // `after` ≤ the items besides wildcards ≤ `n`, checked above.
                    (p >= n - after).then(|| &items[items.len() - (n - p)])
                }
                (_, None) if items.len() != n => return true,
                (_, None) => items.get(p),
            };
            match item {
                Some(SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. }) => {
                    pinned(pin, e)
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
            // SQLite resolves a CTE's definition against every CTE of its `WITH`, itself
            // and later ones included, `RECURSIVE` or not.
            parent.visible = if parent.recursive || self.flavor == Flavor::Sqlite {
                parent.names.len()
            } else {
                i
            };
        }
        let ctes = q.with.iter().flat_map(|w| &w.cte_tables);
        let names: Vec<String> = ctes.clone().map(|c| self.fold_cte(&c.alias.name)).collect();
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
            // More items besides the wildcards than columns: the database refuses it, so it
            // inserts nothing (found by the grammar fuzz target: first the analysis
            // underflowed on the first, then it flagged the second).
            "INSERT INTO orders (tenant_id) SELECT *, $1, $2 FROM orders o WHERE o.tenant_id = $1",
            "INSERT INTO orders (id, tenant_id) SELECT $1 AS a2, $2 IS NOT NULL AS a1, *, $2 FROM c0",
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
            "INSERT INTO orders (tenant_id, id, total) SELECT $1, * FROM (SELECT 1, 2) AS s",
            "INSERT INTO orders (id, total, tenant_id) SELECT *, s.*, $1 FROM (SELECT 1) AS s",
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
        // A column only a wildcard can fill.
        assert_eq!(
            bad("INSERT INTO orders (id, tenant_id, total) SELECT $1, *, * FROM (SELECT 1) AS s"),
            ["orders (inserted rows)"]
        );
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

    fn for_tenant(backend: sea_orm::DatabaseBackend, sql: &str, values: &[i64]) -> Analysis {
        let statement = sea_orm::Statement {
            sql: sql.to_owned(),
            values: (!values.is_empty()).then(|| {
                sea_orm::Values(
                    values
                        .iter()
                        .map(|v| sea_orm::Value::BigInt(Some(*v)))
                        .collect(),
                )
            }),
            db_backend: backend,
        };
        analyse_for(&statement, &registry(), &TenantId::from(42_i64))
    }

    #[test]
    fn for_a_tenant_only_its_own_id_constrains() {
        use sea_orm::DatabaseBackend::{MySql, Postgres, Sqlite};
        for (backend, sql, values) in [
            (
                Postgres,
                "SELECT * FROM orders WHERE orders.tenant_id = $2 AND id = $1",
                &[7, 42][..],
            ),
            (Postgres, "SELECT * FROM orders WHERE tenant_id = 42", &[]),
            (Postgres, "SELECT * FROM orders WHERE tenant_id = '42'", &[]),
            (
                MySql,
                "SELECT * FROM orders o JOIN customers c ON c.tenant_id = ? AND 7 = ? WHERE o.tenant_id = ?",
                &[42, 7, 42],
            ),
            (
                Sqlite,
                "INSERT INTO orders (id, tenant_id) VALUES (?, ?), (?, ?)",
                &[1, 42, 2, 42],
            ),
            (
                Postgres,
                "INSERT INTO orders (id, tenant_id) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET tenant_id = excluded.tenant_id WHERE orders.tenant_id = $2",
                &[1, 42],
            ),
            (
                Postgres,
                "UPDATE orders SET tenant_id = $1, total = $2 WHERE orders.tenant_id = $1",
                &[42, 7],
            ),
            (
                Sqlite,
                "INSERT INTO [orders] (id, tenant_id) SELECT ? AS a2, ? IS NOT NULL AS a1, *, ? FROM c0",
                &[7, 42, 42],
            ),
            // A row assigned its own tenant keeps it (found by the grammar fuzzer).
            (
                Postgres,
                "INSERT INTO orders (id, tenant_id) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET tenant_id = tenant_id WHERE orders.tenant_id = $2",
                &[1, 42],
            ),
            (
                Postgres,
                "UPDATE orders o SET tenant_id = (o.tenant_id) WHERE o.tenant_id = $1",
                &[42],
            ),
            (
                MySql,
                "UPDATE orders o JOIN customers c ON c.tenant_id = ? AND c.id = o.customer_id SET o.tenant_id = o.tenant_id WHERE o.tenant_id = ?",
                &[42, 42],
            ),
            (
                MySql,
                "UPDATE orders o JOIN customers c ON c.tenant_id = ? AND c.id = o.customer_id SET c.tenant_id = ?, o.total = ? WHERE o.tenant_id = ?",
                &[42, 42, 7, 42],
            ),
            (
                MySql,
                "INSERT INTO orders (id, total, tenant_id) VALUES (?, ?, ?) AS new ON DUPLICATE KEY UPDATE total = IF(tenant_id = ?, new.total, total), tenant_id = IF(tenant_id = ?, new.tenant_id, tenant_id)",
                &[1, 2, 42, 42, 42],
            ),
            (
                MySql,
                "INSERT INTO orders (id, total, tenant_id) VALUES (?, ?, ?) ON DUPLICATE KEY UPDATE tenant_id = IF(tenant_id = ?, VALUES(tenant_id), tenant_id)",
                &[1, 2, 42, 42],
            ),
        ] {
            assert_eq!(for_tenant(backend, sql, values), Analysis::Clean, "{sql}");
        }
    }

    #[test]
    fn a_sqlite_cte_sees_every_cte_of_its_with() {
        use sea_orm::DatabaseBackend::{Postgres, Sqlite};
        // On SQLite this names the CTE itself (and fails: circular reference), so it reads no
        // table; on PostgreSQL it reads the table.
        let sql = "WITH orders AS (SELECT id FROM orders) SELECT id FROM orders";
        assert_eq!(for_tenant(Sqlite, sql, &[]), Analysis::Clean);
        assert!(matches!(
            for_tenant(Postgres, sql, &[]),
            Analysis::Unconstrained(_)
        ));
        let later = "WITH x AS (SELECT * FROM orders), orders AS (SELECT 1 AS id) SELECT * FROM x";
        assert_eq!(for_tenant(Sqlite, later, &[]), Analysis::Clean);
    }

    #[test]
    fn for_a_tenant_other_ids_and_unguarded_writes_are_named() {
        use sea_orm::DatabaseBackend::{MySql, Postgres, Sqlite};
        let bad = |backend, sql: &str, values: &[i64]| match for_tenant(backend, sql, values) {
            Analysis::Unconstrained(v) => v,
            other => panic!("{sql}: {other:?}"),
        };
        // Another tenant's id, bound or literal, constrains nothing.
        assert_eq!(
            bad(Postgres, "SELECT * FROM orders WHERE tenant_id = $1", &[7]),
            ["orders"]
        );
        assert_eq!(
            bad(Postgres, "SELECT * FROM orders WHERE tenant_id = 7", &[]),
            ["orders"]
        );
        assert_eq!(
            bad(Postgres, "SELECT * FROM orders WHERE tenant_id = -42", &[]),
            ["orders"]
        );
        // `?` are told apart by their place.
        assert_eq!(
            bad(
                MySql,
                "SELECT * FROM orders o JOIN customers c ON c.tenant_id = ? WHERE o.tenant_id = ?",
                &[42, 7]
            ),
            ["orders (as o)"]
        );
        assert_eq!(
            bad(
                Sqlite,
                "INSERT INTO orders (id, tenant_id) VALUES (?, ?), (?, ?)",
                &[1, 42, 2, 7]
            ),
            ["orders (inserted rows)"]
        );
        assert_eq!(
            bad(
                Postgres,
                "UPDATE orders SET tenant_id = $1 WHERE orders.tenant_id = $2",
                &[7, 42]
            ),
            ["orders (tenant column assigned)"]
        );
        assert_eq!(
            bad(
                Postgres,
                "UPDATE orders o SET tenant_id = o.tenant_id + 1 WHERE o.tenant_id = $1",
                &[42]
            ),
            ["orders (as o) (tenant column assigned)"]
        );
        assert_eq!(
            bad(
                MySql,
                "UPDATE orders o JOIN customers c ON c.tenant_id = ? SET c.tenant_id = c.id WHERE o.tenant_id = ?",
                &[42, 42]
            ),
            ["customers (as c) (tenant column assigned)"]
        );
        // `excluded` is the inserted row: another tenant's when the rows are.
        assert_eq!(
            bad(
                Postgres,
                "INSERT INTO orders (id, tenant_id) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET tenant_id = excluded.tenant_id WHERE orders.tenant_id = $3",
                &[1, 7, 42]
            ),
            ["orders (inserted rows)", "orders (tenant column assigned)"]
        );
        // An unguarded duplicate-key assignment writes whichever tenant's row conflicts.
        assert_eq!(
            bad(
                MySql,
                "INSERT INTO orders (id, total, tenant_id) VALUES (?, ?, ?) ON DUPLICATE KEY UPDATE total = VALUES(total)",
                &[1, 2, 42]
            ),
            ["orders (ON DUPLICATE KEY UPDATE)"]
        );
        assert_eq!(
            bad(
                MySql,
                "INSERT INTO orders (id, total, tenant_id) VALUES (?, ?, ?) ON DUPLICATE KEY UPDATE total = IF(tenant_id = ?, VALUES(total), total)",
                &[1, 2, 42, 7]
            ),
            ["orders (ON DUPLICATE KEY UPDATE)"]
        );
    }
}
