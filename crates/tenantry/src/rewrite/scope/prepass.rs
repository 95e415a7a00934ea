//! Checks made on the whole statement before rewriting: functions that change session state
//! or read tables by name, PostgreSQL's temporary schema, and a count of scoped table
//! references (the rewrite must account for every one of them).

use std::ops::ControlFlow;

use sqlparser::ast::{
    Expr, FunctionArg, FunctionArgExpr, ObjectName, Statement, TableFactor, Visit, Visitor,
};

use super::names::{self, Flavor};
use crate::error::{Error, Result};
use crate::registry::Registry;

/// Functions never run through a tenant handle, by backend.
fn forbidden_function(flavor: Flavor, name: &str) -> Option<&'static str> {
    let n = name.to_ascii_lowercase();
    let state = "it changes session state the tenant context depends on";
    let by_name = "it reads tables or files by name, out of tenantry's sight";
    match flavor {
        Flavor::Postgres => match n.as_str() {
            "set_config" => Some(state),
            "query_to_xml"
            | "query_to_xml_and_xmlschema"
            | "query_to_xmlschema"
            | "table_to_xml"
            | "table_to_xml_and_xmlschema"
            | "table_to_xmlschema"
            | "cursor_to_xml"
            | "schema_to_xml"
            | "schema_to_xml_and_xmlschema"
            | "database_to_xml"
            | "database_to_xml_and_xmlschema"
            | "pg_read_file"
            | "pg_read_binary_file"
            | "lo_import"
            | "lo_export" => Some(by_name),
            _ if n.starts_with("dblink") => Some(by_name),
            _ => None,
        },
        Flavor::MySql => match n.as_str() {
            "load_file" => Some(by_name),
            _ => None,
        },
        Flavor::Sqlite => match n.as_str() {
            "load_extension" | "readfile" | "writefile" => Some(by_name),
            _ => None,
        },
    }
}

struct Prepass<'r> {
    flavor: Flavor,
    registry: &'r Registry,
    scoped: usize,
    names: Vec<String>,
}

impl Prepass<'_> {
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
            if let Some(last) =
                names::idents(&f.name).and_then(|p| p.last().map(|i| i.value.clone()))
                && let Some(reason) = forbidden_function(self.flavor, &last)
            {
                return ControlFlow::Break(Error::Forbidden {
                    what: format!("{last}()"),
                    reason: format!("{reason}{}", crate::error::UNSCOPED_HINT),
                });
            }
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
