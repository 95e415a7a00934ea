//! Planning: read, check, scope, splice, read again, and record how to bind the tenant.
//!
//! 1. The text is tokenized once and the tokens compared with the database's own lexical
//!    rules (`text::fidelity`); the parser reads the tokens.
//! 2. Checks on the whole statement (functions, catalogues, `pg_temp`), placeholders numbered.
//! 3. The scoper rewrites the AST — the statement as it must be after the rewrite — and
//!    records, for each change, the text to insert at a byte offset of the original.
//! 4. The output is the original text with those insertions (never a reprint).
//! 5. The output is read again and must parse to exactly the rewritten AST; any difference
//!    (an insertion the parser reads otherwise, a comment or string the insertion opened) is
//!    a refusal.

use sqlparser::ast::Statement as Ast;
use sqlparser::tokenizer::{Token, TokenWithSpan, Tokenizer};

use crate::error::{Error, Result};
use crate::registry::Registry;
use crate::rewrite::cache::plan::{Plan, Slot, Slots};
use crate::rewrite::scope::ctx::{self, Ctx};
use crate::rewrite::scope::locate::Source;
use crate::rewrite::scope::names::Flavor;
use crate::rewrite::scope::prepass;
use crate::rewrite::scope::statement::scope_statement;
use crate::rewrite::text::fidelity;
use crate::rewrite::text::params::{self, TENANT_MARK};
use crate::rewrite::text::plain_insert;
use crate::rewrite::text::splice::{self, Edit};
use crate::tenant::TenantId;

fn parse_error(sql: &str, e: impl std::fmt::Display) -> Error {
    Error::Parse {
        message: e.to_string(),
        sql: sql.to_owned(),
    }
}

/// The tokens of `sql` as the parser reads them.
fn tokenize(flavor: Flavor, sql: &str) -> Result<Vec<TokenWithSpan>> {
    Tokenizer::new(flavor.dialect(), sql)
        .with_unescape(true)
        .tokenize_with_location()
        .map_err(|e| parse_error(sql, e))
}

/// Parses `tokens` (of `sql`).
fn parse(flavor: Flavor, sql: &str, tokens: Vec<TokenWithSpan>) -> Result<Vec<Ast>> {
    flavor
        .parser()
        .with_tokens_with_locations(tokens)
        .parse_statements()
        .map_err(|e| parse_error(sql, e))
}

/// The statements of a string, each as written (cut at the `;` between them).
pub(crate) fn split(flavor: Flavor, sql: &str) -> Result<Vec<String>> {
    let tokens = tokenize(flavor, sql)?;
    fidelity::check(flavor, sql, &tokens)?;
    let stmts = parse(flavor, sql, tokens.clone())?;
    let mut src = Source::new(flavor, sql, Vec::new());
    let mut pieces = Vec::new();
    let mut start: Option<usize> = None;
    let mut end = 0;
    for t in &tokens {
        match &t.token {
            Token::SemiColon | Token::EOF => {
                if let Some(s) = start.take() {
                    pieces.push(sql[s..end].to_owned());
                }
            }
            Token::Whitespace(_) => {}
            _ => {
                let Some(range) = src.range(t.span) else {
                    return Err(parse_error(sql, "could not split the statements"));
                };
                start.get_or_insert(range.start);
                end = range.end;
            }
        }
    }
    if let Some(s) = start {
        pieces.push(sql[s..end].to_owned());
    }
    if pieces.len() != stmts.len() {
        return Err(parse_error(sql, "could not split the statements"));
    }
    Ok(pieces)
}

/// Plans `sql`. With `inline`, the tenant is written into the SQL as a literal (display only).
pub(crate) fn plan(
    flavor: Flavor,
    registry: &Registry,
    sql: &str,
    inline: Option<&TenantId>,
) -> Result<Plan> {
    if inline.is_none()
        && let Some(plan) = plain_insert::plan(flavor, registry, sql)
    {
        return plan;
    }
    plan_parsed(flavor, registry, sql, inline)
}

/// Plans `sql` through the parser, whatever its shape.
pub(crate) fn plan_parsed(
    flavor: Flavor,
    registry: &Registry,
    sql: &str,
    inline: Option<&TenantId>,
) -> Result<Plan> {
    plan_spliced(flavor, registry, sql, inline).map(|(plan, _)| plan)
}

/// Plans `sql` through the parser; also returns the edits that made the scoped text.
pub(crate) fn plan_spliced(
    flavor: Flavor,
    registry: &Registry,
    sql: &str,
    inline: Option<&TenantId>,
) -> Result<(Plan, Vec<Edit>)> {
    let tokens = tokenize(flavor, sql)?;
    // The parser must read the text as the database does (comments, strings, quotes).
    fidelity::check(flavor, sql, &tokens)?;
    let mut stmts = parse(flavor, sql, tokens.clone())?;
    if stmts.is_empty() {
        return Err(parse_error(sql, "no statement"));
    }
    let found = prepass::run(flavor, registry, &stmts)?;
    let (params, places) = params::number(flavor, &mut stmts)?;
    let (tenant, tenant_text) = match (inline, flavor) {
        (Some(t), _) => {
            let lit = ctx::literal(t);
            let text = lit.to_string();
            (lit, text)
        }
        (None, Flavor::Postgres) => {
            let p = format!("${}", params + 1);
            (ctx::placeholder(p.clone()), p)
        }
        (None, Flavor::MySql | Flavor::Sqlite) => {
            (ctx::placeholder(TENANT_MARK.to_owned()), "?".to_owned())
        }
    };
    let question_marks = question_marks(&tokens);
    let src = Source::new(flavor, sql, tokens);
    let mut ctx = Ctx::new(flavor, registry, tenant, tenant_text, src);
    for s in &mut stmts {
        scope_statement(&mut ctx, s)?;
    }
    if ctx.seen != found.scoped {
        return Err(Error::Unprovable {
            table: found.names.join(", "),
            reason: "a scoped table is referenced in a position tenantry cannot scope (e.g. PIVOT, a table function's argument)".into(),
        });
    }
    let types = ctx.type_checks();
    if ctx.edits.is_empty() {
        if ctx.used {
            return Err(unfaithful(
                sql,
                "a tenant value was placed without a text edit",
            ));
        }
        return Ok((
            Plan {
                sql: None,
                params,
                slots: Slots::Unused,
                checks: ctx.checks,
                types,
            },
            Vec::new(),
        ));
    }
    // Where the original `?` placeholders stand, to merge the tenant's among them.
    let offsets = places
        .iter()
        .map(|l| ctx.src.offset(*l))
        .collect::<Option<Vec<usize>>>()
        .ok_or_else(|| unfaithful(sql, "a placeholder could not be found in the text"))?;
    if flavor != Flavor::Postgres && offsets.len() != question_marks {
        return Err(unfaithful(
            sql,
            "the statement has `?` placeholders the parser did not read as values",
        ));
    }
    let spliced = splice::splice(sql, std::mem::take(&mut ctx.edits))?;
    params::unnumber(flavor, &mut stmts);
    verify(flavor, &spliced.sql, &stmts)?;
    let slots = match (flavor, inline) {
        (_, Some(_)) => Slots::Unused,
        (Flavor::Postgres, None) => Slots::Append,
        (Flavor::MySql | Flavor::Sqlite, None) => {
            Slots::from_slots(merge_slots(&offsets, &spliced.edits))
        }
    };
    Ok((
        Plan {
            sql: Some(spliced.sql),
            params,
            slots,
            checks: ctx.checks,
            types,
        },
        spliced.edits,
    ))
}

/// How many `?` placeholder tokens the text holds.
fn question_marks(tokens: &[TokenWithSpan]) -> usize {
    tokens
        .iter()
        .filter(|t| matches!(&t.token, Token::Placeholder(p) if p.starts_with('?')))
        .count()
}

/// The values of the rewritten statement in text order: the original placeholders (at
/// `offsets`) with the tenant's (in `edits`) among them.
fn merge_slots(offsets: &[usize], edits: &[Edit]) -> Vec<Slot> {
    let mut out = Vec::with_capacity(offsets.len() + edits.len());
    let mut next = 0;
    for e in edits {
        while next < offsets.len() && offsets[next] < e.start {
            out.push(Slot::Original(next));
            next += 1;
        }
        out.extend(std::iter::repeat_n(Slot::Tenant, e.tenants));
    }
    out.extend((next..offsets.len()).map(Slot::Original));
    out
}

/// Reads the rewritten text again: it must be exactly the rewritten statements.
fn verify(flavor: Flavor, out: &str, expected: &[Ast]) -> Result<()> {
    let tokens = tokenize(flavor, out).map_err(|_| unfaithful(out, "it does not tokenize"))?;
    fidelity::check(flavor, out, &tokens)
        .map_err(|_| unfaithful(out, "the database would read its text differently"))?;
    let reread = parse(flavor, out, tokens).map_err(|_| unfaithful(out, "it does not parse"))?;
    if reread.as_slice() != expected {
        return Err(unfaithful(
            out,
            "it reads back differently from the statement tenantry meant to produce",
        ));
    }
    Ok(())
}

fn unfaithful(sql: &str, why: &str) -> Error {
    Error::Unprovable {
        table: "(statement)".into(),
        reason: format!(
            "the rewritten text failed tenantry's check ({why}), so it is not run; rewritten: {sql}"
        ),
    }
}
