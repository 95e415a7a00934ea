//! Snapshots: INSERT, UPDATE, DELETE and upserts on each backend.

mod rewrite_support;

use sea_orm::DatabaseBackend::{MySql, Postgres, Sqlite};

write_cases!(case);
