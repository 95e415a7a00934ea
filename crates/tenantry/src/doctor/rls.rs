//! Row-Level Security on every scoped table and partition: enabled, forced, both policies
//! complete, no other permissive policy.

use std::collections::HashMap;

use sea_orm::ConnectionTrait;

use super::report::{Check, Finding, Severity};
use crate::catalog::postgres::{self as catalog, Policy, TenantTable};
use crate::error::Result;
use crate::policy::{self, ColumnType, PolicyConfig, script};

/// Compares predicates as PostgreSQL deparses them: without whitespace, parentheses, quotes
/// and `::text` casts (which the deparser adds or drops depending on the types).
fn normalise(expr: &str) -> String {
    expr.replace("::text", "")
        .chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '(' | ')' | '"'))
        .collect()
}

/// Whether the policy is the tenant predicate for all commands, to everyone, in both `USING`
/// and `WITH CHECK`.
fn is_tenant_policy(p: &Policy, expected: &str) -> bool {
    p.all_commands
        && p.to_public
        && p.using.as_deref().map(normalise).as_deref() == Some(expected)
        && p.with_check.as_deref().map(normalise).as_deref() == Some(expected)
}

pub(crate) async fn check<C: ConnectionTrait>(
    db: &C,
    tables: &[TenantTable],
    config: &PolicyConfig,
) -> Result<Vec<Finding>> {
    let mut by_table: HashMap<i64, Vec<Policy>> = HashMap::new();
    for p in catalog::policies(db, tables).await? {
        by_table.entry(p.table_oid).or_default().push(p);
    }
    let mut out = Vec::new();
    for t in tables {
        let object = t.name.to_string();
        let what = if t.is_partition { "partition" } else { "table" };
        if !t.rls {
            out.push(Finding::new(
                Severity::Error,
                Check::RlsDisabled,
                &object,
                format!(
                    "{what} has tenant column `{}` but Row-Level Security is off: the database \
                     does not stop one tenant reading another's rows",
                    t.column
                ),
                Some(script(&[policy::enable_rls(&t.name)])),
            ));
        }
        if !t.forced {
            out.push(Finding::new(
                Severity::Error,
                Check::RlsNotForced,
                &object,
                format!(
                    "Row-Level Security is not forced: the owner ({}) and anyone acting as it \
                     bypass the policies",
                    t.owner
                ),
                Some(script(&[policy::force_rls(&t.name)])),
            ));
        }
        let ty = match ColumnType::from_catalog(t.column_type.clone()) {
            Ok(ty) => ty,
            Err(_) => continue,
        };
        let expected = normalise(&policy::tenant_predicate(&t.column, &ty, config));
        let policies = by_table.get(&t.oid).map(Vec::as_slice).unwrap_or_default();
        let base_ok = policies
            .iter()
            .any(|p| p.permissive && is_tenant_policy(p, &expected));
        let guard_ok = policies
            .iter()
            .any(|p| !p.permissive && is_tenant_policy(p, &expected));
        if !base_ok {
            let exists = policies.iter().any(|p| p.name == config.policy_name());
            out.push(Finding::new(
                Severity::Error,
                if exists {
                    Check::PolicyIncomplete
                } else {
                    Check::PolicyMissing
                },
                &object,
                if exists {
                    format!(
                        "policy `{}` is not the tenant predicate for all commands in both USING \
                         and WITH CHECK",
                        config.policy_name()
                    )
                } else {
                    "no permissive tenant policy (FOR ALL, USING and WITH CHECK on the tenant \
                     setting): the app role sees no rows, or other policies decide"
                        .to_owned()
                },
                Some(script(&policy::replace_base_policy(
                    &t.name, &t.column, &ty, config,
                ))),
            ));
        }
        if !guard_ok {
            let exists = policies.iter().any(|p| p.name == config.guard_name());
            out.push(Finding::new(
                Severity::Error,
                if exists {
                    Check::GuardIncomplete
                } else {
                    Check::GuardMissing
                },
                &object,
                if exists {
                    format!(
                        "guard policy `{}` is not a RESTRICTIVE tenant predicate for all \
                         commands in both USING and WITH CHECK",
                        config.guard_name()
                    )
                } else {
                    "no RESTRICTIVE tenant guard: any permissive policy added to this table \
                     widens access beyond the tenant"
                        .to_owned()
                },
                Some(script(&policy::replace_guard_policy(
                    &t.name, &t.column, &ty, config,
                ))),
            ));
        }
        for p in policies {
            if !p.permissive || p.name == config.policy_name() || is_tenant_policy(p, &expected) {
                continue;
            }
            let (severity, message) = if guard_ok {
                (
                    Severity::Warning,
                    format!(
                        "permissive policy `{}` is OR-ed with the tenant policy; the guard keeps \
                         it inside the tenant, but it widens access within it",
                        p.name
                    ),
                )
            } else {
                (
                    Severity::Error,
                    format!(
                        "permissive policy `{}` is OR-ed with the tenant policy and no \
                         restrictive guard limits it: it widens access across tenants",
                        p.name
                    ),
                )
            };
            out.push(Finding::new(
                severity,
                Check::PermissivePolicyWidens,
                &object,
                message,
                Some(script(&[policy::drop_policy(&t.name, &p.name)])),
            ));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::normalise;

    #[test]
    fn deparsed_predicates_match_generated_ones() {
        let generated = normalise(
            "(\"tenant_id\" = NULLIF(current_setting('tenantry.tenant_id', true), '')::uuid)",
        );
        let deparsed = normalise(
            "(tenant_id = (NULLIF(current_setting('tenantry.tenant_id'::text, true), ''::text))::uuid)",
        );
        assert_eq!(generated, deparsed);
        let varchar = normalise(
            "((tenant_id)::text = ((NULLIF(current_setting('tenantry.tenant_id'::text, true), ''::text))::character varying)::text)",
        );
        assert_eq!(
            varchar,
            normalise(
                "(\"tenant_id\" = NULLIF(current_setting('tenantry.tenant_id', true), '')::character varying)"
            )
        );
    }
}
