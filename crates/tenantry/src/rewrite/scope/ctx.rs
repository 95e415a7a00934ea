//! The state of one rewrite: dialect, registry, visible CTE names and what was collected.

use sqlparser::ast::{BinaryOperator, Expr, Ident, ObjectName, Value};

use super::names::{self, Flavor};
use crate::error::Result;
use crate::registry::{Registry, ScopedTable};
use crate::rewrite::cache::plan::{Check, TypeCheck};
use crate::tenant::TenantId;

/// The state of one rewrite.
pub(crate) struct Ctx<'r> {
    pub(crate) flavor: Flavor,
    pub(crate) registry: &'r Registry,
    tenant: Expr,
    /// Names of the CTEs visible here (folded).
    pub(crate) ctes: Vec<String>,
    /// Whether the tenant placeholder was used.
    pub(crate) used: bool,
    /// Values that must denote the tenant.
    pub(crate) checks: Vec<Check>,
    touched: Vec<&'r ScopedTable>,
    /// Scoped table references in FROM positions handled so far (shadowed ones included).
    pub(crate) seen: usize,
}

impl<'r> Ctx<'r> {
    pub(crate) fn new(flavor: Flavor, registry: &'r Registry, tenant: Expr) -> Self {
        Self {
            flavor,
            registry,
            tenant,
            ctes: Vec::new(),
            used: false,
            checks: Vec::new(),
            touched: Vec::new(),
            seen: 0,
        }
    }

    /// The tenant value (placeholder, or literal in inline mode).
    pub(crate) fn tenant(&mut self) -> Expr {
        self.used = true;
        self.tenant.clone()
    }

    /// The scoped table a FROM-position name denotes (CTE names shadow tables).
    pub(crate) fn lookup(&mut self, name: &ObjectName) -> Result<Option<&'r ScopedTable>> {
        let Some(table) = names::resolve(self.flavor, self.registry, name)? else {
            return Ok(None);
        };
        self.seen += 1;
        if self.is_cte(name) {
            return Ok(None);
        }
        self.touch(table);
        Ok(Some(table))
    }

    /// The scoped table an UPDATE/DELETE target denotes. CTE names do not shadow write
    /// targets (`WITH orders AS (…) UPDATE orders …` updates the table), so none is honoured.
    pub(crate) fn lookup_written(&mut self, name: &ObjectName) -> Result<Option<&'r ScopedTable>> {
        let table = names::resolve(self.flavor, self.registry, name)?;
        if let Some(t) = table {
            self.seen += 1;
            self.touch(t);
        }
        Ok(table)
    }

    /// The scoped table an INSERT target denotes (never a CTE).
    pub(crate) fn lookup_target(&mut self, name: &ObjectName) -> Result<Option<&'r ScopedTable>> {
        let table = names::resolve(self.flavor, self.registry, name)?;
        if let Some(t) = table {
            self.touch(t);
        }
        Ok(table)
    }

    fn is_cte(&self, name: &ObjectName) -> bool {
        match names::idents(name).as_deref() {
            Some([one]) => {
                let folded = self.flavor.fold(one);
                self.ctes.iter().any(|c| *c == folded)
            }
            _ => false,
        }
    }

    /// Declares a CTE name visible.
    pub(crate) fn push_cte(&mut self, name: &Ident) {
        let folded = self.flavor.fold(name).into_owned();
        self.ctes.push(folded);
    }

    fn touch(&mut self, table: &'r ScopedTable) {
        if !self.touched.iter().any(|t| std::ptr::eq(*t, table)) {
            self.touched.push(table);
        }
    }

    /// `<qualifier>.<tenant column> = <tenant>`.
    pub(crate) fn predicate(&mut self, mut qualifier: Vec<Ident>, table: &ScopedTable) -> Expr {
        qualifier.push(self.flavor.ident(table.column()));
        Expr::BinaryOp {
            left: Box::new(Expr::CompoundIdentifier(qualifier)),
            op: BinaryOperator::Eq,
            right: Box::new(self.tenant()),
        }
    }

    /// The declared id types of the tables touched.
    pub(crate) fn type_checks(&self) -> Vec<TypeCheck> {
        self.touched
            .iter()
            .filter_map(|t| {
                t.id_type().map(|expected| TypeCheck {
                    table: t.to_string(),
                    column: t.column().to_owned(),
                    expected,
                })
            })
            .collect()
    }
}

/// The tenant as a SQL literal (inline display mode only).
pub(crate) fn literal(tenant: &TenantId) -> Expr {
    let v = match tenant {
        TenantId::I32(i) => Value::Number(i.to_string(), false),
        TenantId::I64(i) => Value::Number(i.to_string(), false),
        other => Value::SingleQuotedString(other.to_string()),
    };
    Expr::Value(v.with_empty_span())
}

/// A placeholder expression.
pub(crate) fn placeholder(text: String) -> Expr {
    Expr::Value(Value::Placeholder(text).with_empty_span())
}

/// `existing AND p1 AND p2 …`, with `existing` parenthesised when it could otherwise escape.
pub(crate) fn and_all(existing: Option<Expr>, preds: Vec<Expr>) -> Option<Expr> {
    let mut acc = existing.map(parenthesise);
    for p in preds {
        acc = Some(match acc {
            None => p,
            Some(a) => Expr::BinaryOp {
                left: Box::new(a),
                op: BinaryOperator::And,
                right: Box::new(p),
            },
        });
    }
    acc
}

/// ANDs `preds` into an `ON` condition.
pub(crate) fn and_into(on: &mut Expr, preds: Vec<Expr>) {
    if preds.is_empty() {
        return;
    }
    let old = std::mem::replace(on, Expr::Value(Value::Null.with_empty_span()));
    if let Some(new) = and_all(Some(old), preds) {
        *on = new;
    }
}

fn parenthesise(e: Expr) -> Expr {
    use BinaryOperator as B;
    let tight = match &e {
        Expr::BinaryOp { op, .. } => matches!(
            op,
            B::Eq | B::NotEq | B::Lt | B::LtEq | B::Gt | B::GtEq | B::And
        ),
        Expr::Nested(_)
        | Expr::Identifier(_)
        | Expr::CompoundIdentifier(_)
        | Expr::IsNull(_)
        | Expr::IsNotNull(_)
        | Expr::IsTrue(_)
        | Expr::IsFalse(_)
        | Expr::InList { .. }
        | Expr::InSubquery { .. }
        | Expr::Between { .. }
        | Expr::Like { .. }
        | Expr::ILike { .. }
        | Expr::Exists { .. }
        | Expr::Function(_)
        | Expr::Value(_) => true,
        _ => false,
    };
    if tight { e } else { Expr::Nested(Box::new(e)) }
}
