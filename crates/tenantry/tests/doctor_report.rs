//! The doctor report's text and JSON forms (snapshots).

use insta::assert_snapshot;
use tenantry::doctor::{Check, Finding, Report, Severity};

fn report() -> Report {
    Report {
        backend: "postgres".into(),
        database: Some("shop".into()),
        app_role: Some("tenantry_app".into()),
        findings: vec![
            Finding {
                severity: Severity::Error,
                check: Check::RlsNotForced,
                object: "public.orders".into(),
                message: "Row-Level Security is not forced: the owner (shop_owner) and anyone \
                          acting as it bypass the policies"
                    .into(),
                fix: Some("ALTER TABLE \"public\".\"orders\" FORCE ROW LEVEL SECURITY;\n".into()),
            },
            Finding {
                severity: Severity::Warning,
                check: Check::TenantIndexMissing,
                object: "public.notes".into(),
                message: "no index starts with tenant_id".into(),
                fix: Some(
                    "CREATE INDEX IF NOT EXISTS \"notes_tenant_id_idx\" ON \"public\".\"notes\" (\"tenant_id\");\n"
                        .into(),
                ),
            },
        ],
    }
}

#[test]
fn text() {
    assert_snapshot!(report().to_text());
}

#[test]
fn json() {
    assert_snapshot!(report().to_json());
}

#[test]
fn clean_text() {
    let clean = Report {
        findings: Vec::new(),
        ..report()
    };
    assert!(clean.is_clean());
    assert_snapshot!(clean.to_text());
}

#[test]
fn fix_script() {
    assert_snapshot!(report().fix_script());
}

#[test]
fn check_codes_are_snake_case() {
    assert_eq!(Check::AppRoleBypassRls.code(), "app_role_bypass_rls");
    assert_eq!(Check::RlsDisabled.code(), "rls_disabled");
}
