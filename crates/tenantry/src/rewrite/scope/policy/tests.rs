//! Unit tests of the policy: lists and matching rules.
#![cfg_attr(test, allow(clippy::unwrap_used))]

use sqlparser::ast::{Ident, ObjectName, ObjectNamePart};

use super::deny::{Category, denied, listed};
use super::{Position, allow, catalogue, check_call};
use crate::error::Error;
use crate::registry::FunctionPolicy;
use crate::rewrite::scope::names::Flavor::{self, MySql, Postgres, Sqlite};

/// A name from parts; a part starting with `"` or `` ` `` is quoted.
fn name(parts: &[&str]) -> ObjectName {
    ObjectName(
        parts
            .iter()
            .map(|p| {
                ObjectNamePart::Identifier(match p.chars().next() {
                    Some(q @ ('"' | '`')) => Ident::with_quote(q, p.trim_matches(q)),
                    _ => Ident::new(*p),
                })
            })
            .collect(),
    )
}

fn call(flavor: Flavor, policy: &FunctionPolicy, parts: &[&str]) -> Result<(), String> {
    check_call(flavor, policy, &name(parts), Position::Expr).map_err(|e| e.to_string())
}

fn deny_mode(flavor: Flavor, parts: &[&str]) -> Result<(), String> {
    call(flavor, &FunctionPolicy::deny_list(), parts)
}

#[test]
fn lists_match_names_and_prefixes() {
    assert!(listed("a b_* c", "a"));
    assert!(listed("a b_* c", "b_x"));
    assert!(listed("a b_* c", "b_"));
    assert!(!listed("a b_* c", "b"));
    assert!(!listed("a b_* c", "ab"));
    assert!(listed("x\n    y", "y"));
}

#[test]
fn categories_per_backend() {
    let cases: &[(Flavor, &str, Category)] = &[
        (Postgres, "set_config", Category::SessionState),
        (Postgres, "query_to_xml_and_xmlschema", Category::ByName),
        (Postgres, "table_to_xmlschema", Category::ByName),
        (Postgres, "cursor_to_xml", Category::ByName),
        (Postgres, "ts_stat", Category::ByName),
        (Postgres, "ts_rewrite", Category::ByName),
        (Postgres, "dblink_exec", Category::ByName),
        (Postgres, "pg_ls_waldir", Category::ByName),
        (Postgres, "pg_stat_file", Category::ByName),
        (Postgres, "pg_file_write", Category::ByName),
        (Postgres, "lo_import", Category::ByName),
        (Postgres, "lo_get", Category::Storage),
        (Postgres, "loread", Category::Storage),
        (Postgres, "get_raw_page", Category::Storage),
        (Postgres, "pg_logical_slot_peek_changes", Category::Storage),
        (Postgres, "pg_notify", Category::Notify),
        (Postgres, "pg_advisory_xact_lock", Category::Locks),
        (Postgres, "pg_try_advisory_lock_shared", Category::Locks),
        (Postgres, "pg_terminate_backend", Category::Server),
        (Postgres, "pg_reload_conf", Category::Server),
        (
            Postgres,
            "pg_create_logical_replication_slot",
            Category::Server,
        ),
        (Postgres, "pg_switch_wal", Category::Server),
        (Postgres, "pg_logical_emit_message", Category::Server),
        (Postgres, "pg_stat_get_activity", Category::Activity),
        (Postgres, "pg_stat_statements", Category::Activity),
        (Postgres, "pg_stat_statements_reset", Category::Activity),
        (MySql, "load_file", Category::ByName),
        (MySql, "spider_direct_sql", Category::ByName),
        (MySql, "get_lock", Category::Locks),
        (MySql, "release_all_locks", Category::Locks),
        (MySql, "is_used_lock", Category::Locks),
        (MySql, "sys_exec", Category::Server),
        (MySql, "source_pos_wait", Category::Server),
        (MySql, "master_pos_wait", Category::Server),
        (MySql, "wsrep_last_seen_gtid", Category::Server),
        (MySql, "audit_log_read", Category::Activity),
        (MySql, "sys_set", Category::SessionState),
        (Sqlite, "load_extension", Category::ByName),
        (Sqlite, "readfile", Category::ByName),
        (Sqlite, "writefile", Category::ByName),
        (Sqlite, "edit", Category::ByName),
        (Sqlite, "fts3_tokenizer", Category::ByName),
        (Sqlite, "sha3_query", Category::ByName),
        (Sqlite, "sqlite_dbpage", Category::Storage),
        (Sqlite, "sqlite_stmt", Category::Activity),
    ];
    for (flavor, n, c) in cases {
        assert_eq!(denied(*flavor, n), Some(*c), "{flavor:?} {n}");
    }
    for (flavor, n) in [
        (Postgres, "lower"),
        (Postgres, "log"),
        (Postgres, "current_setting"),
        (Postgres, "pg_typeof"),
        (Postgres, "xpath"),
        (MySql, "set_config"),
        (MySql, "concat"),
        (Sqlite, "set_config"),
        (Sqlite, "json_each"),
    ] {
        assert_eq!(denied(flavor, n), None, "{flavor:?} {n}");
    }
}

#[test]
fn no_allowed_function_is_denied() {
    for flavor in [Postgres, MySql, Sqlite] {
        let list = match flavor {
            Postgres => "lower count jsonb_set generate_series now",
            MySql => "if values group_concat json_extract now",
            Sqlite => "iif json_each pragma_table_info datetime",
        };
        for n in list.split_whitespace() {
            assert!(allow::allowed(flavor, n), "{flavor:?} {n}");
        }
    }
    // Every built-in allow entry is outside the deny-list (checked by name).
    for flavor in [Postgres, MySql, Sqlite] {
        for n in allow::names(flavor) {
            assert_eq!(n, n.to_ascii_lowercase(), "{flavor:?} {n}");
            assert_eq!(
                denied(flavor, n),
                None,
                "{flavor:?} {n} is both allowed and denied"
            );
        }
    }
}

#[test]
fn qualification_quoting_and_case_do_not_hide_a_denied_call() {
    for parts in [
        &["set_config"][..],
        &["SET_CONFIG"],
        &["\"set_config\""],
        &["\"SET_CONFIG\""],
        &["pg_catalog", "set_config"],
        &["\"pg_catalog\"", "\"set_config\""],
        &["public", "Set_Config"],
        &["db", "pg_catalog", "set_config"],
    ] {
        let e = deny_mode(Postgres, parts).unwrap_err();
        assert!(e.contains("session state"), "{parts:?}: {e}");
    }
    assert!(deny_mode(MySql, &["`GET_LOCK`"]).is_err());
    assert!(deny_mode(MySql, &["Load_File"]).is_err());
    assert!(deny_mode(Sqlite, &["\"LOAD_EXTENSION\""]).is_err());
    assert!(deny_mode(Postgres, &["lower"]).is_ok());
    assert!(deny_mode(Postgres, &["app", "slugify"]).is_ok());
}

#[test]
fn denied_schemas() {
    assert!(deny_mode(MySql, &["sys", "format_statement"]).is_err());
    assert!(deny_mode(MySql, &["`SYS`", "ps_thread_trx_info"]).is_err());
    assert!(deny_mode(MySql, &["performance_schema", "f"]).is_err());
    assert!(deny_mode(MySql, &["shop", "f"]).is_ok());
    assert!(deny_mode(Postgres, &["cron", "schedule"]).is_err());
    assert!(deny_mode(Postgres, &["aws_s3", "query_export_to_s3"]).is_err());
    assert!(deny_mode(Postgres, &["schedule"]).is_ok());
}

#[test]
fn messages_name_the_call_as_written() {
    let e = deny_mode(Postgres, &["pg_catalog", "SET_CONFIG"]).unwrap_err();
    assert!(
        e.starts_with("refused SET_CONFIG(): it changes session state"),
        "{e}"
    );
    assert!(e.ends_with(crate::error::UNSCOPED_HINT), "{e}");
    let r = check_call(
        Postgres,
        &FunctionPolicy::deny_list(),
        &name(&["pg_catalog", "\"set_config\""]),
        Position::From,
    );
    let Err(Error::Forbidden { what, .. }) = r else {
        panic!("not refused: {r:?}");
    };
    assert_eq!(what, "`pg_catalog.\"set_config\"()` in FROM");
}

#[test]
fn application_deny_entries() {
    let p = FunctionPolicy::deny_list()
        .deny("Audit_Row")
        .deny("app.purge")
        .deny("tmp_*")
        .deny("secret.*");
    let refused = |parts: &[&str]| call(Postgres, &p, parts).is_err();
    assert!(refused(&["audit_row"]));
    assert!(refused(&["\"AUDIT_ROW\""]));
    assert!(refused(&["purge"]));
    assert!(refused(&["other", "purge"]));
    assert!(refused(&["tmp_x"]));
    assert!(refused(&["secret", "anything"]));
    assert!(!refused(&["anything"]));
    assert!(!refused(&["lower"]));
    let e = call(Postgres, &p, &["purge"]).unwrap_err();
    assert!(e.contains("function policy denies it"), "{e}");
}

#[test]
fn allow_list_mode() {
    let p = FunctionPolicy::allow_list()
        .allow("slugify")
        .allow("app.Score")
        .allow("st_*")
        .allow("ext.*")
        .allow("set_config");
    let ok = |flavor, parts: &[&str]| call(flavor, &p, parts).is_ok();
    assert!(ok(Postgres, &["lower"]));
    assert!(ok(Postgres, &["COUNT"]));
    assert!(ok(Postgres, &["\"lower\""]));
    assert!(ok(Postgres, &["pg_catalog", "lower"]));
    assert!(!ok(Postgres, &["app", "lower"]));
    assert!(ok(Postgres, &["slugify"]));
    assert!(!ok(Postgres, &["other", "slugify"]));
    assert!(ok(Postgres, &["app", "score"]));
    assert!(!ok(Postgres, &["score"]));
    assert!(ok(Postgres, &["st_distance"]));
    assert!(ok(Postgres, &["ext", "whatever"]));
    assert!(!ok(Postgres, &["pg_sleep"]));
    assert!(!ok(Postgres, &["current_setting"]));
    // Allowing a denied function does not let it through.
    assert!(!ok(Postgres, &["set_config"]));
    assert!(ok(MySql, &["VALUES"]));
    assert!(ok(MySql, &["group_concat"]));
    assert!(!ok(MySql, &["sleep"]));
    assert!(!ok(MySql, &["pg_catalog", "lower"]));
    assert!(ok(Sqlite, &["json_each"]));
    assert!(!ok(Sqlite, &["sqlite_version"]));
    let e = call(MySql, &p, &["benchmark"]).unwrap_err();
    assert!(
        e.contains("allow-list and `benchmark` is not on it")
            && e.contains("FunctionPolicy::allow(\"benchmark\")"),
        "{e}"
    );
    let e = call(Postgres, &p, &["app", "lower"]).unwrap_err();
    assert!(e.contains("FunctionPolicy::allow(\"app.lower\")"), "{e}");
}

fn read(flavor: Flavor, parts: &[&str]) -> bool {
    catalogue::check_read(flavor, &name(parts)).is_ok()
}

#[test]
fn value_catalogues_are_refused() {
    for parts in [
        &["pg_stats"][..],
        &["pg_catalog", "pg_stats"],
        &["\"PG_STATS\""],
        &["PG_CATALOG", "Pg_Statistic"],
        &["pg_stats_ext_exprs"],
        &["pg_statistic_ext_data"],
        &["pg_stat_activity"],
        &["public", "pg_stat_statements"],
        &["pg_largeobject"],
        &["pg_prepared_xacts"],
        &["pg_locks"],
        &["pg_toast", "pg_toast_16384"],
        &["pg_authid"],
        &["information_schema", "user_mapping_options"],
        &["pg_catalog", "pg_class"],
    ] {
        assert!(!read(Postgres, parts), "{parts:?}");
    }
    for parts in [
        &["pg_catalog", "pg_attribute"][..],
        &["pg_namespace"],
        &["pg_settings"],
        &["information_schema", "tables"],
        &["information_schema", "columns"],
        &["orders"],
    ] {
        assert!(read(Postgres, parts), "{parts:?}");
    }
    for parts in [
        &["mysql", "column_stats"][..],
        &["`MySQL`", "user"],
        &["performance_schema", "events_statements_history"],
        &["sys", "processlist"],
        &["information_schema", "processlist"],
        &["INFORMATION_SCHEMA", "INNODB_TRX"],
        &["information_schema", "innodb_ft_index_table"],
        &["information_schema", "column_statistics"],
        &["information_schema", "optimizer_trace"],
        &["information_schema", "user_variables"],
        &["information_schema", "made_up_plugin_table"],
        &["information_schema", "TABLES"],
        &["information_schema", "statistics"],
    ] {
        assert!(!read(MySql, parts), "{parts:?}");
    }
    for parts in [
        &["`information_schema`", "`columns`"][..],
        &["information_schema", "key_column_usage"],
        &["processlist"],
        &["shop", "orders"],
    ] {
        assert!(read(MySql, parts), "{parts:?}");
    }
    for parts in [
        &["sqlite_stat1"][..],
        &["main", "sqlite_stat4"],
        &["\"SQLITE_STAT3\""],
        &["sqlite_dbpage"],
        &["dbstat"],
        &["sqlite_stmt"],
    ] {
        assert!(!read(Sqlite, parts), "{parts:?}");
    }
    for parts in [
        &["sqlite_master"][..],
        &["main", "sqlite_schema"],
        &["sqlite_sequence"],
        &["orders"],
    ] {
        assert!(read(Sqlite, parts), "{parts:?}");
    }
}

fn write(flavor: Flavor, parts: &[&str]) -> bool {
    catalogue::check_write(flavor, "UPDATE of", &name(parts)).is_ok()
}

#[test]
fn system_catalogues_are_not_written() {
    assert!(!write(Postgres, &["pg_settings"]));
    assert!(!write(Postgres, &["\"PG_SETTINGS\""]));
    assert!(!write(Postgres, &["pg_catalog", "pg_class"]));
    assert!(!write(Postgres, &["information_schema", "sql_features"]));
    assert!(!write(Postgres, &["pg_toast", "t"]));
    assert!(write(Postgres, &["orders"]));
    assert!(write(Postgres, &["billing", "invoices"]));
    assert!(!write(MySql, &["mysql", "user"]));
    assert!(!write(MySql, &["`SYS`", "sys_config"]));
    assert!(!write(MySql, &["performance_schema", "setup_consumers"]));
    assert!(write(MySql, &["shop", "orders"]));
    assert!(write(MySql, &["user"]));
    assert!(!write(Sqlite, &["sqlite_sequence"]));
    assert!(!write(Sqlite, &["main", "SQLITE_MASTER"]));
    assert!(!write(Sqlite, &["sqlite_dbpage"]));
    assert!(write(Sqlite, &["orders"]));
    let e = catalogue::check_write(Postgres, "UPDATE of", &name(&["pg_settings"])).unwrap_err();
    assert!(
        e.to_string()
            .starts_with("refused UPDATE of `pg_settings`: "),
        "{e}"
    );
}
