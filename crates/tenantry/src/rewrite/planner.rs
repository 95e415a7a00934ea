//! Planning: parse, check, rewrite, print, and record how to bind the tenant.

use std::fmt::Write as _;

use sqlparser::parser::Parser;

use crate::error::{Error, Result};
use crate::registry::Registry;
use crate::rewrite::cache::plan::{Plan, Slots};
use crate::rewrite::scope::ctx::{self, Ctx};
use crate::rewrite::scope::names::Flavor;
use crate::rewrite::scope::prepass;
use crate::rewrite::scope::statement::scope_statement;
use crate::rewrite::text::params::{self, TENANT_MARK};
use crate::rewrite::text::plain_insert;
use crate::tenant::TenantId;

/// The statements of a string, printed one by one.
pub(crate) fn split(flavor: Flavor, sql: &str) -> Result<Vec<String>> {
    let stmts = Parser::parse_sql(flavor.dialect(), sql).map_err(|e| Error::Parse {
        message: e.to_string(),
        sql: sql.to_owned(),
    })?;
    Ok(stmts.iter().map(ToString::to_string).collect())
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
    let mut stmts = Parser::parse_sql(flavor.dialect(), sql).map_err(|e| Error::Parse {
        message: e.to_string(),
        sql: sql.to_owned(),
    })?;
    if stmts.is_empty() {
        return Err(Error::Parse {
            message: "no statement".into(),
            sql: sql.to_owned(),
        });
    }
    let found = prepass::run(flavor, registry, &stmts)?;
    let params = params::number(flavor, &mut stmts)?;
    let tenant = match (inline, flavor) {
        (Some(t), _) => ctx::literal(t),
        (None, Flavor::Postgres) => ctx::placeholder(format!("${}", params + 1)),
        (None, Flavor::MySql | Flavor::Sqlite) => ctx::placeholder(TENANT_MARK.to_owned()),
    };
    let mut ctx = Ctx::new(flavor, registry, tenant);
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
    if !ctx.used {
        return Ok(Plan {
            sql: None,
            params,
            slots: Slots::Unused,
            checks: ctx.checks,
            types,
        });
    }
    let mut printed = String::with_capacity(sql.len() + 64);
    for (i, s) in stmts.iter().enumerate() {
        if i > 0 {
            printed.push_str("; ");
        }
        let _ = write!(printed, "{s}");
    }
    let (sql, slots) = match flavor {
        Flavor::Postgres => (
            printed,
            if inline.is_some() {
                Slots::Unused
            } else {
                Slots::Append
            },
        ),
        Flavor::MySql | Flavor::Sqlite => {
            let (sql, slots) = params::finish(flavor, &printed)?;
            (sql, Slots::from_slots(slots))
        }
    };
    Ok(Plan {
        sql: Some(sql),
        params,
        slots,
        checks: ctx.checks,
        types,
    })
}
