//! Snapshots: what a tenant handle refuses, on each backend.

mod rewrite_support;

use sea_orm::DatabaseBackend::{MySql, Postgres, Sqlite};

refuse_cases!(case);
