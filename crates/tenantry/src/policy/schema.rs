//! Schema shapes that keep tenants apart: a tenant-leading index, per-tenant uniqueness and
//! composite foreign keys `(tenant_id, x_id) → (tenant_id, id)`.
//!
//! Builders return sea-query statements, ready for `SchemaManager::create_index` /
//! `create_foreign_key` or [`to_postgres`](super::to_postgres); they work on every backend.

use sea_orm::sea_query::{
    Alias, ColumnDef, ForeignKey, ForeignKeyAction, ForeignKeyCreateStatement, Index,
    IndexCreateStatement, IndexDropStatement, TableRef,
};

use crate::sql::{QualifiedName, quote_ident};
use crate::tenant::TenantIdType;

/// The sea-query table reference for a name.
pub fn table_ref(table: &QualifiedName) -> TableRef {
    match table.schema() {
        Some(s) => (Alias::new(s), Alias::new(table.name())).into(),
        None => Alias::new(table.name()).into(),
    }
}

/// A `NOT NULL` tenant column of the given id type.
pub fn tenant_column(name: &str, id_type: TenantIdType) -> ColumnDef {
    let mut def = ColumnDef::new(Alias::new(name));
    match id_type {
        TenantIdType::I32 => def.integer(),
        TenantIdType::I64 => def.big_integer(),
        TenantIdType::String => def.text(),
        _ => def.uuid(),
    };
    def.not_null().to_owned()
}

/// The default name of an index, constraint or key: `<table>_<col>_<col>_<suffix>`
/// (PostgreSQL's own convention), with every character other than a letter, digit or `_`
/// replaced by `_` (sea-query writes index and key names without escaping them).
/// PostgreSQL truncates names to 63 bytes.
pub fn default_name(table: &QualifiedName, columns: &[&str], suffix: &str) -> String {
    let mut name = table.name().to_owned();
    for c in columns {
        name.push('_');
        name.push_str(c);
    }
    name.push('_');
    name.push_str(suffix);
    name.chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// `CREATE INDEX IF NOT EXISTS <table>_<tenant>_idx ON <table> (<tenant>, <columns>…)`:
/// an index whose leading column is the tenant column.
pub fn tenant_index(
    table: &QualifiedName,
    tenant_column: &str,
    columns: &[&str],
) -> IndexCreateStatement {
    tenant_leading(table, tenant_column, columns, "idx")
}

/// `CREATE UNIQUE INDEX IF NOT EXISTS <table>_<tenant>_<columns>_key ON <table> (<tenant>,
/// <columns>…)`: uniqueness per tenant, e.g. `(tenant_id, id)` as the target of composite
/// foreign keys or `(tenant_id, email)`.
pub fn tenant_unique(
    table: &QualifiedName,
    tenant_column: &str,
    columns: &[&str],
) -> IndexCreateStatement {
    tenant_leading(table, tenant_column, columns, "key")
        .unique()
        .to_owned()
}

/// `CREATE INDEX IF NOT EXISTS <table>_<tenant>_<columns>_<suffix> ON <table> (<tenant>,
/// <columns>…)`, shared by [`tenant_index`] and [`tenant_unique`].
fn tenant_leading(
    table: &QualifiedName,
    tenant_column: &str,
    columns: &[&str],
    suffix: &str,
) -> IndexCreateStatement {
    let mut all = vec![tenant_column];
    all.extend_from_slice(columns);
    let mut stmt = Index::create();
    stmt.if_not_exists()
        .name(default_name(table, &all, suffix))
        .table(table_ref(table));
    for c in all {
        stmt.col(Alias::new(c));
    }
    stmt
}

/// `DROP INDEX IF EXISTS` of an index made by [`tenant_index`] or [`tenant_unique`], by its
/// [`default_name`] (sea-query does not escape index names: pass plain names only).
pub fn drop_index(table: &QualifiedName, name: &str) -> IndexDropStatement {
    Index::drop()
        .if_exists()
        .name(name)
        .table(table_ref(table))
        .to_owned()
}

/// `DROP INDEX IF EXISTS "schema"."name"` for any index name (quoted correctly).
pub fn drop_index_sql(schema: Option<&str>, name: &str) -> String {
    match schema {
        Some(s) => format!(
            "DROP INDEX IF EXISTS {}.{}",
            quote_ident(s),
            quote_ident(name)
        ),
        None => format!("DROP INDEX IF EXISTS {}", quote_ident(name)),
    }
}

/// The composite foreign key `(<tenant>, <columns>…) → <target> (<tenant>, <target
/// columns>…)`, named `<table>_<tenant>_<columns>_fkey`: a row can only point at a row of
/// its own tenant. The target needs a unique index on the same columns
/// ([`tenant_unique`]). Chain `.on_delete(…)` as needed.
pub fn tenant_foreign_key(
    table: &QualifiedName,
    tenant_column: &str,
    columns: &[&str],
    target: &QualifiedName,
    target_columns: &[&str],
) -> ForeignKeyCreateStatement {
    let mut all = vec![tenant_column];
    all.extend_from_slice(columns);
    let mut fk = ForeignKey::create();
    fk.name(default_name(table, &all, "fkey"))
        .from_tbl(table_ref(table))
        .to_tbl(table_ref(target))
        .from_col(Alias::new(tenant_column))
        .to_col(Alias::new(tenant_column));
    for c in columns {
        fk.from_col(Alias::new(*c));
    }
    for c in target_columns {
        fk.to_col(Alias::new(*c));
    }
    fk.to_owned()
}

/// A foreign-key action by its `pg_constraint.confdeltype` / `confupdtype` letter.
pub fn foreign_key_action(code: &str) -> Option<ForeignKeyAction> {
    match code {
        "r" => Some(ForeignKeyAction::Restrict),
        "c" => Some(ForeignKeyAction::Cascade),
        "n" => Some(ForeignKeyAction::SetNull),
        "d" => Some(ForeignKeyAction::SetDefault),
        _ => None,
    }
}

/// `ALTER TABLE … DROP CONSTRAINT …`.
pub fn drop_constraint(table: &QualifiedName, name: &str) -> String {
    format!(
        "ALTER TABLE {} DROP CONSTRAINT {}",
        table.to_sql(),
        quote_ident(name)
    )
}

/// `CREATE UNIQUE INDEX <name> ON <table> (<columns>…)` for any (catalogue) index name.
pub fn create_unique_index_sql(table: &QualifiedName, name: &str, columns: &[&str]) -> String {
    format!(
        "CREATE UNIQUE INDEX {} ON {} ({})",
        quote_ident(name),
        table.to_sql(),
        column_list(columns)
    )
}

/// `ALTER TABLE … ADD CONSTRAINT <name> UNIQUE (<columns>…)`.
pub fn add_unique_constraint_sql(table: &QualifiedName, name: &str, columns: &[&str]) -> String {
    format!(
        "ALTER TABLE {} ADD CONSTRAINT {} UNIQUE ({})",
        table.to_sql(),
        quote_ident(name),
        column_list(columns)
    )
}

/// `ALTER TABLE … ADD CONSTRAINT <name> FOREIGN KEY (…) REFERENCES <target> (…)` with the
/// given `ON DELETE` / `ON UPDATE` actions (`None`: `NO ACTION`), for any (catalogue) name.
pub fn add_foreign_key_sql(
    table: &QualifiedName,
    name: &str,
    columns: &[&str],
    target: &QualifiedName,
    target_columns: &[&str],
    on_delete: Option<ForeignKeyAction>,
    on_update: Option<ForeignKeyAction>,
) -> String {
    let mut sql = format!(
        "ALTER TABLE {} ADD CONSTRAINT {} FOREIGN KEY ({}) REFERENCES {} ({})",
        table.to_sql(),
        quote_ident(name),
        column_list(columns),
        target.to_sql(),
        column_list(target_columns)
    );
    for (clause, action) in [("ON DELETE", on_delete), ("ON UPDATE", on_update)] {
        if let Some(action) = action {
            sql.push(' ');
            sql.push_str(clause);
            sql.push(' ');
            sql.push_str(match action {
                ForeignKeyAction::Restrict => "RESTRICT",
                ForeignKeyAction::Cascade => "CASCADE",
                ForeignKeyAction::SetNull => "SET NULL",
                ForeignKeyAction::SetDefault => "SET DEFAULT",
                _ => "NO ACTION",
            });
        }
    }
    sql
}

fn column_list(columns: &[&str]) -> String {
    columns
        .iter()
        .map(|c| quote_ident(c))
        .collect::<Vec<_>>()
        .join(", ")
}
