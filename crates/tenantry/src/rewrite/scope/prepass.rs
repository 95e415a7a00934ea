//! Checks made on the whole statement before rewriting: function calls and system
//! catalogues (the [`policy`](super::policy) module), PostgreSQL's temporary schema, and a
//! count of scoped table references (the rewrite must account for every one of them).

use std::ops::ControlFlow;

use sqlparser::ast::{
    Expr, FromTable, FunctionArg, FunctionArgExpr, ObjectName, Statement, TableFactor, TableObject,
    TableWithJoins, UpdateTableFromKind, Visit, Visitor,
};

use super::names::{self, Flavor};
use super::policy::{self, Position, catalogue};
use crate::error::{Error, Result};
use crate::registry::Registry;

/// The visitor: what it checks against, and what it counted.
struct Prepass<'r> {
    /// The backend.
    flavor: Flavor,
    /// Scoped tables and the function policy.
    registry: &'r Registry,
    /// Scoped table references seen in FROM positions.
    scoped: usize,
    /// Their names, for messages.
    names: Vec<String>,
}

impl Prepass<'_> {
    /// Refuses names in PostgreSQL's per-session temporary schema.
    fn check_name(&self, name: &ObjectName) -> ControlFlow<Error> {
        if self.flavor == Flavor::Postgres && names::is_pg_temp(self.flavor, name) {
            return ControlFlow::Break(Error::Forbidden {
                what: format!("a reference to `{name}`"),
                reason: format!(
                    "pg_temp objects are per-session and shadow scoped tables{}",
                    crate::error::UNSCOPED_HINT
                ),
            });
        }
        ControlFlow::Continue(())
    }

    /// Judges a call under the registry's function policy.
    fn check_call(&self, name: &ObjectName, position: Position) -> ControlFlow<Error> {
        brk(policy::check_call(
            self.flavor,
            self.registry.function_policy(),
            name,
            position,
        ))
    }

    /// Refuses writes to system catalogues.
    fn check_targets(&self, stmt: &Statement) -> ControlFlow<Error> {
        let check =
            |verb: &str, name: &ObjectName| brk(catalogue::check_write(self.flavor, verb, name));
        match stmt {
            Statement::Insert(i) => {
                if let TableObject::TableName(name) = &i.table {
                    check("INSERT into", name)?;
                }
            }
            Statement::Update(u) => {
                let mut targets = Vec::new();
                written(&u.table, &mut targets);
                // `UPDATE t1 FROM t2 SET …`: fail closed, those may be written too.
                if let Some(UpdateTableFromKind::BeforeSet(list)) = &u.from {
                    list.iter().for_each(|t| written(t, &mut targets));
                }
                for name in targets {
                    check("UPDATE of", name)?;
                }
            }
            Statement::Delete(d) => {
                let mut targets: Vec<&ObjectName> = d.tables.iter().collect();
                let (FromTable::WithFromKeyword(list) | FromTable::WithoutKeyword(list)) = &d.from;
                list.iter().for_each(|t| written(t, &mut targets));
                for name in targets {
                    check("DELETE from", name)?;
                }
            }
            _ => {}
        }
        ControlFlow::Continue(())
    }
}

/// The table names of a FROM item and its joins (the tables a MySQL multi-table write may
/// write).
fn written<'a>(twj: &'a TableWithJoins, out: &mut Vec<&'a ObjectName>) {
    let mut factors = vec![&twj.relation];
    factors.extend(twj.joins.iter().map(|j| &j.relation));
    for f in factors {
        match f {
            TableFactor::Table { name, .. } => out.push(name),
            TableFactor::NestedJoin {
                table_with_joins, ..
            } => written(table_with_joins, out),
            _ => {}
        }
    }
}

/// A result as a visitor's control flow.
fn brk(r: Result<()>) -> ControlFlow<Error> {
    match r {
        Ok(()) => ControlFlow::Continue(()),
        Err(e) => ControlFlow::Break(e),
    }
}

impl Prepass<'_> {
    /// A call like `ONLY(orders)`: a keyword used as a table function on a scoped table name.
    fn keyword_call_on_scoped(&self, name: &ObjectName, args: &[FunctionArg]) -> Option<String> {
        let parts = names::idents(name)?;
        let [kw] = parts.as_slice() else {
            return None;
        };
        if kw.quote_style.is_some() || !names::is_keyword(&kw.value) {
            return None;
        }
        args.iter().find_map(|a| {
            let FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) = a else {
                return None;
            };
            let parts = match e {
                Expr::Identifier(i) => vec![i.clone()],
                Expr::CompoundIdentifier(p) => p.clone(),
                _ => return None,
            };
            let arg = ObjectName::from(parts);
            match names::resolve(self.flavor, self.registry, &arg) {
                Ok(None) => None,
                Ok(Some(_)) | Err(_) => Some(arg.to_string()),
            }
        })
    }
}

impl Visitor for Prepass<'_> {
    type Break = Error;

    fn pre_visit_statement(&mut self, stmt: &Statement) -> ControlFlow<Error> {
        self.check_targets(stmt)
    }

    fn pre_visit_relation(&mut self, relation: &ObjectName) -> ControlFlow<Error> {
        self.check_name(relation)
    }

    fn pre_visit_table_factor(&mut self, factor: &TableFactor) -> ControlFlow<Error> {
        if let TableFactor::Table {
            name,
            args: Some(args),
            ..
        } = factor
            && let Some(table) = self.keyword_call_on_scoped(name, &args.args)
        {
            // `ONLY (orders)` reads as a call of a table function named `ONLY`.
            return ControlFlow::Break(Error::Unprovable {
                table,
                reason: format!(
                    "`{name}(…)` is not understood by tenantry's SQL parser; write the statement without `{name}`"
                ),
            });
        }
        // Calls in FROM: `f(…)` (a `Table` with arguments), `LATERAL f(…)` (`Function`),
        // `TABLE(f(…))` (`TableFunction`). `UNNEST`, `JSON_TABLE`, `OPENJSON`, `XMLTABLE` are
        // syntax, not calls; the expressions inside them and inside `PIVOT`/`UNPIVOT`/
        // `MATCH_RECOGNIZE` are visited as expressions. `Derived` and `NestedJoin` hold
        // factors visited in turn. `SemanticView` is Snowflake's, not parsed for these
        // backends.
        match factor {
            TableFactor::Table { name, args, .. } => {
                if args.is_some() {
                    self.check_call(name, Position::From)?;
                }
                brk(catalogue::check_read(self.flavor, name))?;
            }
            TableFactor::Function { name, .. } => self.check_call(name, Position::From)?,
            TableFactor::TableFunction {
                expr: Expr::Function(f),
                ..
            } => self.check_call(&f.name, Position::From)?,
            _ => {}
        }
        if let TableFactor::Table {
            name,
            alias,
            args: None,
            ..
        } = factor
        {
            // `ONLY orders` (and any `KEYWORD table`) the parser does not know reads as a
            // table named after the keyword, aliased as the real table: refuse it.
            if let (Some([kw]), Some(a)) = (names::idents(name).as_deref(), alias)
                && kw.quote_style.is_none()
                && !a.explicit
                && names::is_keyword(&kw.value)
                && !matches!(
                    names::resolve(
                        self.flavor,
                        self.registry,
                        &ObjectName::from(vec![a.name.clone()])
                    ),
                    Ok(None)
                )
            {
                return ControlFlow::Break(Error::Unprovable {
                    table: a.name.value.clone(),
                    reason: format!(
                        "`{} {}` is not understood by tenantry's SQL parser; write the statement without `{}`",
                        kw.value, a.name, kw.value
                    ),
                });
            }
            match names::resolve(self.flavor, self.registry, name) {
                Ok(Some(t)) => {
                    self.scoped += 1;
                    let shown = t.to_string();
                    if !self.names.contains(&shown) {
                        self.names.push(shown);
                    }
                }
                Ok(None) => {}
                Err(e) => return ControlFlow::Break(e),
            }
        }
        ControlFlow::Continue(())
    }

    fn pre_visit_expr(&mut self, expr: &Expr) -> ControlFlow<Error> {
        if let Expr::Function(f) = expr {
            self.check_name(&f.name)?;
            self.check_call(&f.name, Position::Expr)?;
        }
        ControlFlow::Continue(())
    }
}

/// What the checks found.
pub(crate) struct Found {
    /// FROM-position references naming a scoped table.
    pub(crate) scoped: usize,
    /// The scoped tables named, for messages.
    pub(crate) names: Vec<String>,
}

/// Runs the checks; returns the scoped table references found.
pub(crate) fn run(flavor: Flavor, registry: &Registry, stmts: &[Statement]) -> Result<Found> {
    let mut p = Prepass {
        flavor,
        registry,
        scoped: 0,
        names: Vec::new(),
    };
    for s in stmts {
        if let ControlFlow::Break(e) = s.visit(&mut p) {
            return Err(e);
        }
    }
    Ok(Found {
        scoped: p.scoped,
        names: p.names,
    })
}
