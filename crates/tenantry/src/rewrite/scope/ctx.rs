//! The state of one rewrite: dialect, registry, visible CTE names, what was collected, and
//! the text edits that carry the rewrite into the original SQL.

use sqlparser::ast::{BinaryOperator, Expr, Ident, ObjectName, Value};
use sqlparser::tokenizer::Span;

use super::locate::{Anchor, Source};
use super::names::{self, Flavor};
use crate::error::{Error, Result};
use crate::registry::{Registry, ScopedTable};
use crate::rewrite::cache::plan::{Check, TypeCheck};
use crate::rewrite::text::splice::Edit;
use crate::tenant::TenantId;

/// A tenant predicate: the expression the rewritten statement must contain, and its text.
#[derive(Clone, Debug)]
pub(crate) struct Pred {
    pub(crate) expr: Expr,
    pub(crate) text: String,
}

/// The state of one rewrite.
pub(crate) struct Ctx<'r> {
    pub(crate) flavor: Flavor,
    pub(crate) registry: &'r Registry,
    tenant: Expr,
    /// The tenant value as inserted into the text (`$n`, `?`, or a literal).
    tenant_text: String,
    /// The original text, to locate nodes in.
    pub(crate) src: Source<'r>,
    /// Text edits, in the order they were made.
    pub(crate) edits: Vec<Edit>,
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
    pub(crate) fn new(
        flavor: Flavor,
        registry: &'r Registry,
        tenant: Expr,
        tenant_text: String,
        src: Source<'r>,
    ) -> Self {
        Self {
            flavor,
            registry,
            tenant,
            tenant_text,
            src,
            edits: Vec::new(),
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
                let folded = self.flavor.fold_cte(one);
                self.ctes.iter().any(|c| *c == folded)
            }
            _ => false,
        }
    }

    /// Declares a CTE name visible.
    pub(crate) fn push_cte(&mut self, name: &Ident) {
        let folded = self.flavor.fold_cte(name).into_owned();
        self.ctes.push(folded);
    }

    fn touch(&mut self, table: &'r ScopedTable) {
        if !self.touched.iter().any(|t| std::ptr::eq(*t, table)) {
            self.touched.push(table);
        }
    }

    /// `<qualifier>.<tenant column> = <tenant>`.
    pub(crate) fn predicate(
        &mut self,
        mut qualifier: Vec<Ident>,
        table: &ScopedTable,
    ) -> Result<Pred> {
        qualifier.push(self.flavor.ident(table.column()));
        let mut text = String::new();
        for (i, part) in qualifier.iter().enumerate() {
            if i > 0 {
                text.push('.');
            }
            text.push_str(&ident_text(part)?);
        }
        text.push_str(" = ");
        text.push_str(&self.tenant_text);
        Ok(Pred {
            expr: Expr::BinaryOp {
                left: Box::new(Expr::CompoundIdentifier(qualifier)),
                op: BinaryOperator::Eq,
                right: Box::new(self.tenant()),
            },
            text,
        })
    }

    /// The tenant value as text, counting it used.
    pub(crate) fn tenant_text(&mut self) -> String {
        self.used = true;
        self.tenant_text.clone()
    }

    /// Records an insertion of `text` (holding `tenants` tenant values) at byte `at`.
    pub(crate) fn insert(&mut self, at: usize, text: String, tenants: usize) {
        self.edits.push(Edit {
            start: at,
            end: at,
            text,
            tenants,
        });
    }

    /// Records `, <tenant>` at byte `at` (a new last item of a list) and returns the tenant
    /// as the AST holds it there.
    pub(crate) fn append_tenant(&mut self, at: usize) -> Expr {
        let t = self.tenant_text();
        self.insert(at, format!(", {t}"), 1);
        self.tenant()
    }

    /// Records the replacement of bytes `range` by `text`.
    pub(crate) fn replace(&mut self, range: std::ops::Range<usize>, text: String, tenants: usize) {
        self.edits.push(Edit {
            start: range.start,
            end: range.end,
            text,
            tenants,
        });
    }

    /// ANDs `preds` in front of a condition: `preds AND (existing)`, or `preds` alone where
    /// there is none. `existing_span` is the condition's span before anything in it was
    /// rewritten, `anchor` the token that precedes it; `append_at` says where a new clause
    /// goes when there is no condition (e.g. ` WHERE …` after the FROM list), with its keyword.
    pub(crate) fn and_in_front(
        &mut self,
        slot: &mut Option<Expr>,
        preds: Vec<Pred>,
        existing_span: Option<Span>,
        anchor: Anchor,
        append: impl FnOnce(&mut Self) -> Result<(usize, &'static str)>,
    ) -> Result<()> {
        let Some((expr, text, n)) = conjunction(preds) else {
            return Ok(());
        };
        match slot.take() {
            Some(existing) => {
                let span = existing_span.unwrap_or(Span::empty());
                let range = self.src.expr("a condition", anchor, span)?;
                self.insert(range.start, format!("{text} AND ("), n);
                self.insert(range.end, ")".to_owned(), 0);
                *slot = Some(Expr::BinaryOp {
                    left: Box::new(expr),
                    op: BinaryOperator::And,
                    right: Box::new(Expr::Nested(Box::new(existing))),
                });
            }
            None => {
                let (at, keyword) = append(self)?;
                self.insert(at, format!(" {keyword} {text}"), n);
                *slot = Some(expr);
            }
        }
        Ok(())
    }

    /// ANDs `preds` in front of a join's `ON` condition (`span`: its span before rewriting).
    pub(crate) fn and_into_on(
        &mut self,
        on: &mut Expr,
        span: Span,
        preds: Vec<Pred>,
    ) -> Result<()> {
        if preds.is_empty() {
            return Ok(());
        }
        let old = std::mem::replace(on, Expr::Value(Value::Null.with_empty_span()));
        let mut slot = Some(old);
        let result = self.and_in_front(
            &mut slot,
            preds,
            Some(span),
            Anchor::Keyword(sqlparser::keywords::Keyword::ON),
            |_| Err(crate::rewrite::scope::locate::missing("a join condition")),
        );
        if let Some(new) = slot {
            *on = new;
        }
        result
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

/// `p1 AND p2 …` as an expression, as text, and the number of tenant values in it.
fn conjunction(preds: Vec<Pred>) -> Option<(Expr, String, usize)> {
    let n = preds.len();
    let mut it = preds.into_iter();
    let first = it.next()?;
    let (mut expr, mut text) = (first.expr, first.text);
    for p in it {
        expr = Expr::BinaryOp {
            left: Box::new(expr),
            op: BinaryOperator::And,
            right: Box::new(p.expr),
        };
        text.push_str(" AND ");
        text.push_str(&p.text);
    }
    Some((expr, text, n))
}

/// An identifier as tenantry writes it into a predicate (quotes escaped by doubling).
pub(crate) fn ident_text(ident: &Ident) -> Result<String> {
    match ident.quote_style {
        None => Ok(ident.value.clone()),
        Some('"' | '`' | '\'' | '[') => Ok(ident.to_string()),
        Some(q) => Err(Error::Unprovable {
            table: ident.value.clone(),
            reason: format!("an identifier quoted with `{q}` cannot be written back safely"),
        }),
    }
}
