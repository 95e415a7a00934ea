//! Exporting every row of a tenant to files, and importing such files into an empty placement
//! (PostgreSQL).
//!
//! # The format (version 1)
//!
//! A directory with one file per table and a manifest, readable without tenantry:
//!
//! - `NN_TABLE.csv`, one per scoped table of the tenant's placement, numbered parents first
//!   (foreign-key order): the tenant's rows, as PostgreSQL's `COPY … TO STDOUT (FORMAT csv,
//!   HEADER true)` writes them — a header line with the column names, then one record per row
//!   ordered by primary key; `NULL` is an empty unquoted field, an empty string `""`, `bytea`
//!   hex (`\x…`), arrays and `jsonb` their text forms;
//! - `reference_NN_TABLE.csv`, the same for each table without the tenant column that the
//!   tenant's rows point at through a foreign key (reference data such as products): only
//!   the rows pointed at;
//! - `manifest.json` ([`ExportManifest`]), written last: the tenant, the placement it was
//!   exported from, the time (the database's `now()` of the export's snapshot), the last
//!   migration applied there, each file's table, columns, row count and checksum, and the
//!   owned sequences' values.
//!
//! Every file is read from one `REPEATABLE READ` snapshot, so the files agree with each other.
//! The checksum is the one moves verify with: `sum(hashtextextended(ROW(columns)::text, 0))`
//! over the rows, as numeric text — recomputable in PostgreSQL over the loaded rows.
//!
//! # Import
//!
//! [`Provisioner::import_tenant`] loads such a directory as the same tenant into a placement
//! that holds none of its rows: a new tenant (or one whose entry is `deleted`) is created
//! there first. Everything loads in one transaction with the tenant's setting set (Row-Level
//! Security checks every row): reference rows that are missing are added, then the tenant's
//! rows parents first; each table's count and checksum must equal the manifest's, or nothing
//! is kept. The sequences are then set at or above their exported values.

use std::path::{Path, PathBuf};
use std::time::Instant;

use sea_orm_migration::sea_orm::DbBackend;
use sea_orm_migration::sea_orm::sqlx::{self, PgConnection};
use serde::{Deserialize, Serialize};
use tenantry::TenantId;
use tenantry::catalog::postgres as catalog;
use tenantry::placement::{Placement, TenantState};
use tenantry::sql::{QualifiedName, quote_ident, quote_literal};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::data::{self, Table};
use super::{Side, TableReport};
use crate::error::{Error, Result};
use crate::tenants::Provisioner;
use crate::tenants::copy::pg_err;

/// The manifest's file name in an export directory.
pub const MANIFEST: &str = "manifest.json";

/// The version of the export format this crate writes and reads.
pub const FORMAT_VERSION: u32 = 1;

/// What the manifest's checksums are.
pub const CHECKSUM: &str =
    "sum(hashtextextended(ROW(columns)::text, 0)) over the rows, as numeric text";

/// The manifest of an export directory.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportManifest {
    /// [`FORMAT_VERSION`].
    pub format: u32,
    /// The tenant, as its tenant column holds it.
    pub tenant: String,
    /// The tenant column.
    pub tenant_column: String,
    /// The placement the rows were exported from.
    pub placement: String,
    /// The database's `now()` in the export's snapshot.
    pub exported_at: String,
    /// The last migration applied in that placement (its sea-orm ledger), if it has one.
    pub schema_version: Option<String>,
    /// How the checksums are computed ([`CHECKSUM`]).
    pub checksum: String,
    /// The tenant's tables, parents first.
    pub tables: Vec<ExportedTable>,
    /// The reference rows the tenant's rows point at.
    pub reference: Vec<ExportedTable>,
    /// The sequences the tenant's tables own, with their values at the export.
    pub sequences: Vec<ExportedSequence>,
}

/// One file of an export.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportedTable {
    /// The table's name (without schema: a placement has its own).
    pub table: String,
    /// The file, relative to the export directory.
    pub file: String,
    /// The columns, in the file's order.
    pub columns: Vec<String>,
    /// Rows in the file.
    pub rows: i64,
    /// Their checksum ([`CHECKSUM`]).
    pub checksum: String,
}

/// A sequence owned by a column of an exported table.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportedSequence {
    /// The table owning it.
    pub table: String,
    /// The sequence's name (without schema).
    pub sequence: String,
    /// Its `last_value` at the export.
    pub last_value: i64,
}

/// What an import did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ImportReport {
    /// The tenant.
    pub tenant: String,
    /// Where its rows are now.
    pub placement: String,
    /// Whether the tenant was created (or re-created) by the import.
    pub created: bool,
    /// Rows and checksum per table, equal to the manifest's.
    pub tables: Vec<TableReport>,
    /// Reference rows that were missing and were added.
    pub reference_added: u64,
    /// Reference rows present with other contents than the export's (left as they are).
    pub reference_differing: u64,
    /// Sequences set.
    pub sequences: usize,
    /// How long it took, in milliseconds.
    pub duration_ms: u128,
}

/// A table without the tenant column that scoped tables point at, and the foreign keys that
/// point at it.
struct Reference {
    table: QualifiedName,
    columns: Vec<String>,
    /// (referencing table, its columns, the referenced columns)
    links: Vec<(Table, Vec<String>, Vec<String>)>,
}

impl Reference {
    /// The referenced rows, as a parenthesised query.
    fn query(&self, tenant: &TenantId) -> String {
        let tests: Vec<String> = self
            .links
            .iter()
            .map(|(t, from, to)| {
                let pairs: Vec<String> = from
                    .iter()
                    .zip(to)
                    .map(|(f, c)| format!("s.{} = r.{}", quote_ident(f), quote_ident(c)))
                    .collect();
                format!(
                    "EXISTS (SELECT 1 FROM {} s WHERE s.{} AND {})",
                    t.source.to_sql(),
                    data::tenant_filter(t, tenant),
                    pairs.join(" AND ")
                )
            })
            .collect();
        format!(
            "(SELECT {} FROM {} r WHERE {})",
            self.columns
                .iter()
                .map(|c| format!("r.{}", quote_ident(c)))
                .collect::<Vec<_>>()
                .join(", "),
            self.table.to_sql(),
            tests.join(" OR ")
        )
    }
}

fn refused(why: impl Into<String>) -> Error {
    Error::ExportRefused { why: why.into() }
}

fn io(path: &Path, source: std::io::Error) -> Error {
    Error::Io {
        path: path.to_owned(),
        source,
    }
}

/// A file name for a table: its name with anything but ASCII letters, digits, `_` and `-`
/// replaced by `_`, after its position.
fn file_name(prefix: &str, i: usize, table: &str) -> String {
    let clean: String = table
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("{prefix}{i:02}_{clean}.csv")
}

async fn query_one<T>(conn: &mut PgConnection, sql: String) -> Result<T>
where
    T: for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow> + Send + Unpin,
{
    sqlx::query_as::<_, T>(sqlx::AssertSqlSafe(sql))
        .fetch_one(&mut *conn)
        .await
        .map_err(pg_err)
}

/// The tables without the tenant column that `tables` point at, with the foreign keys.
async fn references(side: &Side, tables: &[Table], column: &str) -> Result<Vec<Reference>> {
    let scoped: Vec<_> = catalog::tenant_tables(&side.db, &[column])
        .await?
        .into_iter()
        .filter(|t| tables.iter().any(|m| m.source == t.name))
        .collect();
    let mut out: Vec<Reference> = Vec::new();
    for fk in catalog::foreign_keys(&side.db, &scoped).await? {
        if scoped.iter().any(|t| t.oid == fk.target_oid) {
            continue;
        }
        let Some(from) = tables.iter().find(|t| t.source == fk.table) else {
            continue;
        };
        let link = (from.clone(), fk.columns.clone(), fk.target_columns.clone());
        match out.iter_mut().find(|r| r.table == fk.target) {
            Some(r) => r.links.push(link),
            None => out.push(Reference {
                columns: catalog::columns(&side.db, &fk.target).await?,
                table: fk.target.clone(),
                links: vec![link],
            }),
        }
    }
    out.sort_by_key(|r| r.table.to_sql());
    Ok(out)
}

/// Streams `COPY (query) TO STDOUT` as CSV with a header into `path`.
async fn copy_to_file(conn: &mut PgConnection, query: &str, path: &Path) -> Result<()> {
    use futures_util::TryStreamExt;
    let mut file = tokio::fs::File::create(path)
        .await
        .map_err(|e| io(path, e))?;
    let mut rows = conn
        .copy_out_raw(&format!("COPY {query} TO STDOUT (FORMAT csv, HEADER true)"))
        .await
        .map_err(pg_err)?;
    while let Some(chunk) = rows.try_next().await.map_err(pg_err)? {
        file.write_all(&chunk).await.map_err(|e| io(path, e))?;
    }
    drop(rows);
    file.sync_all().await.map_err(|e| io(path, e))
}

/// Streams `path` (CSV with a header) into `COPY into FROM STDIN`; returns the rows loaded.
async fn copy_from_file(conn: &mut PgConnection, into: &str, path: &Path) -> Result<u64> {
    let mut file = tokio::fs::File::open(path).await.map_err(|e| io(path, e))?;
    let mut sink = conn
        .copy_in_raw(&format!("COPY {into} FROM STDIN (FORMAT csv, HEADER true)"))
        .await
        .map_err(pg_err)?;
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = match file.read(&mut buf).await {
            Ok(n) => n,
            Err(e) => {
                let _ = sink.abort("tenantry: reading the file failed").await;
                return Err(io(path, e));
            }
        };
        if n == 0 {
            break;
        }
        sink.send(&buf[..n]).await.map_err(pg_err)?;
    }
    sink.finish().await.map_err(pg_err)
}

/// The last migration in the sea-orm ledger of `schema`, if there is one.
async fn schema_version(conn: &mut PgConnection, schema: &str) -> Result<Option<String>> {
    let ledger = QualifiedName::qualified(schema, "seaql_migrations");
    let (present,): (bool,) = query_one(
        conn,
        format!(
            "SELECT pg_catalog.to_regclass({}) IS NOT NULL",
            quote_literal(&ledger.to_sql())
        ),
    )
    .await?;
    if !present {
        return Ok(None);
    }
    let (version,): (Option<String>,) = query_one(
        conn,
        format!("SELECT max(version)::text FROM {}", ledger.to_sql()),
    )
    .await?;
    Ok(version)
}

impl Provisioner {
    pub(crate) fn postgres_only(&self, what: &str) -> Result<()> {
        if self.control.get_database_backend() != DbBackend::Postgres {
            return Err(Error::Unsupported {
                backend: "this backend",
                what: what.into(),
                hint: "this needs a PostgreSQL control database".into(),
            });
        }
        Ok(())
    }

    /// The tenant's scoped tables on `side`, parents first.
    pub(super) async fn side_tables(&self, side: &Side) -> Result<Vec<Table>> {
        data::tables(
            &side.db,
            &side.schema,
            &side.db,
            &side.schema,
            &self.config.tenant_column,
        )
        .await
    }

    /// Writes every row of `tenant` (and the reference rows they point at) into the directory
    /// `out`, which must be empty or absent, in the [format](crate::moves::export) this
    /// module describes; `progress` hears each file's table and rows. On failure the files
    /// written are removed again.
    pub async fn export_tenant(
        &self,
        tenant: impl Into<TenantId>,
        out: &Path,
        progress: &(dyn Fn(&str, u64) + Sync),
    ) -> Result<ExportManifest> {
        let tenant = tenant.into();
        self.postgres_only("export tenants")?;
        let record = self.show(tenant.clone()).await?;
        if record.state == TenantState::Deleted {
            return Err(refused(format!("tenant `{tenant}` is deleted")));
        }
        match std::fs::read_dir(out) {
            Ok(mut entries) => {
                if entries.next().is_some() {
                    return Err(refused(format!(
                        "`{}` is not empty; export into a new directory",
                        out.display()
                    )));
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                std::fs::create_dir_all(out).map_err(|e| io(out, e))?;
            }
            Err(e) => return Err(io(out, e)),
        }
        let side = self.side(&record.placement).await?;
        let result = self.export_from(&side, &tenant, out, progress).await;
        side.close().await;
        let written = match result {
            Ok(manifest) => {
                let path = out.join(MANIFEST);
                let text = serde_json::to_string_pretty(&manifest).unwrap_or_default();
                std::fs::write(&path, text + "\n")
                    .map(|()| manifest)
                    .map_err(|e| io(&path, e))
            }
            Err(e) => Err(e),
        };
        match written {
            Ok(manifest) => {
                tracing::info!(
                    target: "tenantry::audit",
                    tenant = %tenant,
                    placement = %record.placement,
                    out = %out.display(),
                    tables = manifest.tables.len(),
                    "tenant exported"
                );
                Ok(manifest)
            }
            Err(e) => {
                // The directory was empty: everything in it is this export's.
                if let Ok(entries) = std::fs::read_dir(out) {
                    for entry in entries.flatten() {
                        let _ = std::fs::remove_file(entry.path());
                    }
                }
                Err(e)
            }
        }
    }

    async fn export_from(
        &self,
        side: &Side,
        tenant: &TenantId,
        out: &Path,
        progress: &(dyn Fn(&str, u64) + Sync),
    ) -> Result<ExportManifest> {
        let tables = self.side_tables(side).await?;
        let references = references(side, &tables, &self.config.tenant_column).await?;
        let mut conn = data::raw(&side.db).await?;
        data::run(
            &mut conn,
            &format!(
                "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; {}",
                data::set_tenant(&self.config.setting, tenant)
            ),
        )
        .await?;
        let result = async {
            let (exported_at,): (String,) =
                query_one(&mut conn, "SELECT now()::text".into()).await?;
            let schema_version = schema_version(&mut conn, &side.schema).await?;
            let mut manifest = ExportManifest {
                format: FORMAT_VERSION,
                tenant: tenant.to_setting(),
                tenant_column: self.config.tenant_column.clone(),
                placement: side.placement.to_string(),
                exported_at,
                schema_version,
                checksum: CHECKSUM.into(),
                tables: Vec::new(),
                reference: Vec::new(),
                sequences: Vec::new(),
            };
            for (i, t) in tables.iter().enumerate() {
                let (rows, checksum) = data::checksum_on(&mut conn, &t.source, t, tenant).await?;
                let file = file_name("", i + 1, t.name());
                let query = format!(
                    "(SELECT {} FROM {} WHERE {} ORDER BY {})",
                    t.column_list(),
                    t.source.to_sql(),
                    data::tenant_filter(t, tenant),
                    t.key_list()
                );
                copy_to_file(&mut conn, &query, &out.join(&file)).await?;
                progress(t.name(), rows as u64);
                manifest.tables.push(ExportedTable {
                    table: t.name().to_owned(),
                    file,
                    columns: t.columns.clone(),
                    rows,
                    checksum,
                });
                for seq in catalog::owned_sequences(&side.db, &t.source).await? {
                    let (last_value,): (i64,) = query_one(
                        &mut conn,
                        format!("SELECT last_value FROM {}", seq.to_sql()),
                    )
                    .await?;
                    manifest.sequences.push(ExportedSequence {
                        table: t.name().to_owned(),
                        sequence: seq.name().to_owned(),
                        last_value,
                    });
                }
            }
            for (i, r) in references.iter().enumerate() {
                let query = r.query(tenant);
                let (rows, checksum): (i64, String) =
                    query_one(&mut conn, data::checksum_sql(&r.columns, &query, "true")).await?;
                let file = file_name("reference_", i + 1, r.table.name());
                copy_to_file(&mut conn, &query, &out.join(&file)).await?;
                progress(r.table.name(), rows as u64);
                manifest.reference.push(ExportedTable {
                    table: r.table.name().to_owned(),
                    file,
                    columns: r.columns.clone(),
                    rows,
                    checksum,
                });
            }
            Ok::<_, Error>(manifest)
        }
        .await;
        data::run(&mut conn, "ROLLBACK").await?;
        result
    }

    /// Loads the export in `from` as `tenant` (the manifest's tenant) into a placement holding
    /// none of its rows: where the tenant lives, or — for a tenant unknown to the directory or
    /// `deleted` there — into `placement` (default [`Placement::Shared`]), creating it there
    /// first (it stays `provisioning`, not served, until the rows are in). In one transaction;
    /// on any failure nothing is kept, and a tenant this call created is removed again.
    pub async fn import_tenant(
        &self,
        tenant: impl Into<TenantId>,
        from: &Path,
        placement: Option<Placement>,
        progress: &(dyn Fn(&str, u64) + Sync),
    ) -> Result<ImportReport> {
        let tenant = tenant.into();
        self.postgres_only("import tenants")?;
        let started = Instant::now();
        let manifest = read_manifest(from)?;
        if manifest.tenant != tenant.to_setting() {
            return Err(import_refused(format!(
                "the export is of tenant `{}`, not `{tenant}`; an import keeps the tenant id",
                manifest.tenant
            )));
        }
        if manifest.tenant_column != self.config.tenant_column {
            return Err(import_refused(format!(
                "the export's tenant column is `{}`, this provisioner's `{}`",
                manifest.tenant_column, self.config.tenant_column
            )));
        }
        for file in manifest.tables.iter().chain(&manifest.reference) {
            let path = from.join(&file.file);
            if Path::new(&file.file).components().count() != 1 || !path.is_file() {
                return Err(import_refused(format!(
                    "the manifest names `{}`, which is not a file of `{}`",
                    file.file,
                    from.display()
                )));
            }
        }
        let existing = self.directory.get(&tenant).await?;
        let (placement, previous) = match &existing {
            Some(r) if r.state != TenantState::Deleted => {
                if let Some(p) = &placement
                    && *p != r.placement
                {
                    return Err(import_refused(format!(
                        "tenant `{tenant}` lives in {}; an import loads it where it lives (move \
                         it afterwards)",
                        r.placement
                    )));
                }
                (r.placement.clone(), None)
            }
            _ => (placement.unwrap_or(Placement::Shared), Some(existing)),
        };
        let created = previous.is_some();
        if let Some(previous) = &previous {
            if previous.is_some() {
                self.directory.remove(&tenant).await?;
            }
            if let Err(e) = self.create(tenant.clone(), placement.clone()).await {
                if let Some(record) = previous {
                    let _ = self.directory.create(record).await;
                }
                return Err(e);
            }
            self.directory
                .set_state(&tenant, TenantState::Provisioning)
                .await?;
        }
        let side = self.side(&placement).await?;
        let result = self
            .import_into(&side, &manifest, from, &tenant, progress)
            .await;
        side.close().await;
        match result {
            Ok((tables, reference_added, reference_differing, sequences)) => {
                if created {
                    self.directory
                        .set_state(&tenant, TenantState::Active)
                        .await?;
                }
                tracing::info!(
                    target: "tenantry::audit",
                    tenant = %tenant,
                    placement = %placement,
                    from = %from.display(),
                    exported_at = %manifest.exported_at,
                    "tenant imported"
                );
                Ok(ImportReport {
                    tenant: tenant.to_string(),
                    placement: placement.to_string(),
                    created,
                    tables,
                    reference_added,
                    reference_differing,
                    sequences,
                    duration_ms: started.elapsed().as_millis(),
                })
            }
            Err(e) => {
                if let Some(previous) = previous {
                    let _ = self
                        .drop_tenant(tenant.clone(), "its import failed", true)
                        .await;
                    if let Some(record) = previous {
                        let _ = self.directory.create(&record).await;
                    }
                }
                Err(e)
            }
        }
    }

    async fn import_into(
        &self,
        side: &Side,
        manifest: &ExportManifest,
        from: &Path,
        tenant: &TenantId,
        progress: &(dyn Fn(&str, u64) + Sync),
    ) -> Result<(Vec<TableReport>, u64, u64, usize)> {
        let tables = self.side_tables(side).await?;
        let names = |ts: &mut dyn Iterator<Item = &str>| ts.collect::<Vec<_>>().join(", ");
        let mut ordered = Vec::new();
        for file in &manifest.tables {
            let Some(t) = tables.iter().find(|t| t.name() == file.table) else {
                return Err(import_refused(format!(
                    "{} has no table `{}` (exported at migration {}); migrate it first",
                    side.placement,
                    file.table,
                    manifest.schema_version.as_deref().unwrap_or("none")
                )));
            };
            if t.columns != file.columns {
                return Err(import_refused(format!(
                    "`{}` has columns ({}) in {}, the export ({}); migrate to the export's version \
                     ({}) first",
                    file.table,
                    t.columns.join(", "),
                    side.placement,
                    file.columns.join(", "),
                    manifest.schema_version.as_deref().unwrap_or("none")
                )));
            }
            ordered.push((t, file));
        }
        let missing: Vec<&str> = tables
            .iter()
            .filter(|t| !manifest.tables.iter().any(|f| f.table == t.name()))
            .map(|t| t.name())
            .collect();
        if !missing.is_empty() {
            return Err(import_refused(format!(
                "the export has no file for {} of {}; it was made at another migration ({})",
                names(&mut missing.into_iter()),
                side.placement,
                manifest.schema_version.as_deref().unwrap_or("none")
            )));
        }
        // Parents first, in this placement's order.
        ordered.sort_by_key(|(t, _)| tables.iter().position(|x| x.name() == t.name()));

        let mut conn = data::raw(&side.db).await?;
        data::run(
            &mut conn,
            &format!("BEGIN; {}", data::set_tenant(&self.config.setting, tenant)),
        )
        .await?;
        let result = async {
            for (t, _) in &ordered {
                let (rows,): (i64,) = query_one(
                    &mut conn,
                    format!(
                        "SELECT count(*) FROM {} WHERE {}",
                        t.source.to_sql(),
                        data::tenant_filter(t, tenant)
                    ),
                )
                .await?;
                if rows > 0 {
                    return Err(import_refused(format!(
                        "{} already holds {rows} rows of tenant `{tenant}` in `{}`; an import \
                         loads into an empty placement (erase the tenant first)",
                        side.placement,
                        t.name()
                    )));
                }
            }
            let (mut added, mut differing) = (0, 0);
            for (i, file) in manifest.reference.iter().enumerate() {
                let table =
                    QualifiedName::qualified(self.config.shared_schema.as_str(), &file.table);
                let temp = data::temp_copy(&mut conn, "import_ref", i, &table).await?;
                let cols = data::list(&file.columns);
                copy_from_file(
                    &mut conn,
                    &format!("{temp} ({cols})"),
                    &from.join(&file.file),
                )
                .await?;
                added += data::run(
                    &mut conn,
                    &format!(
                        "INSERT INTO {} ({cols}) OVERRIDING SYSTEM VALUE SELECT {cols} FROM {temp} \
                         ON CONFLICT DO NOTHING",
                        table.to_sql()
                    ),
                )
                .await?;
                let (n,): (i64,) = query_one(
                    &mut conn,
                    format!(
                        "SELECT count(*) FROM {temp} t WHERE NOT EXISTS (SELECT 1 FROM {} r \
                         WHERE ROW({}) IS NOT DISTINCT FROM ROW({}))",
                        table.to_sql(),
                        prefixed("r", &file.columns),
                        prefixed("t", &file.columns),
                    ),
                )
                .await?;
                differing += n as u64;
                progress(&file.table, added);
            }
            let mut reports = Vec::new();
            for (i, (t, file)) in ordered.iter().enumerate() {
                let temp = data::temp_copy(&mut conn, "import", i, &t.source).await?;
                let cols = t.column_list();
                let n = copy_from_file(
                    &mut conn,
                    &format!("{temp} ({cols})"),
                    &from.join(&file.file),
                )
                .await?;
                data::run(
                    &mut conn,
                    &format!(
                        "INSERT INTO {} ({cols}) OVERRIDING SYSTEM VALUE SELECT {cols} FROM {temp}",
                        t.source.to_sql()
                    ),
                )
                .await?;
                progress(t.name(), n);
            }
            for (t, file) in &ordered {
                let (rows, checksum) = data::checksum_on(&mut conn, &t.source, t, tenant).await?;
                if rows != file.rows || checksum != file.checksum {
                    return Err(import_refused(format!(
                        "`{}` loaded {rows} rows (checksum {checksum}), the manifest says {} \
                         (checksum {}); nothing was kept",
                        t.name(),
                        file.rows,
                        file.checksum
                    )));
                }
                reports.push(TableReport {
                    table: t.name().to_owned(),
                    rows,
                    checksum,
                });
            }
            Ok::<_, Error>((reports, added, differing))
        }
        .await;
        let end = if result.is_ok() { "COMMIT" } else { "ROLLBACK" };
        data::run(&mut conn, end).await?;
        let (reports, added, differing) = result?;
        let mut sequences = 0;
        for seq in &manifest.sequences {
            let Some((t, _)) = ordered.iter().find(|(t, _)| t.name() == seq.table) else {
                continue;
            };
            let name = QualifiedName::qualified(
                t.source.schema().unwrap_or(side.schema.as_str()),
                &seq.sequence,
            );
            data::run(
                &mut conn,
                &format!(
                    "SELECT pg_catalog.setval({0}, greatest({1}, (SELECT last_value FROM {2})), true)",
                    quote_literal(&name.to_sql()),
                    seq.last_value,
                    name.to_sql()
                ),
            )
            .await?;
            sequences += 1;
        }
        Ok((reports, added, differing, sequences))
    }
}

fn prefixed(alias: &str, columns: &[String]) -> String {
    columns
        .iter()
        .map(|c| format!("{alias}.{}", quote_ident(c)))
        .collect::<Vec<_>>()
        .join(", ")
}

fn import_refused(why: impl Into<String>) -> Error {
    Error::ImportRefused { why: why.into() }
}

/// Reads and checks the manifest of the export directory `from`.
pub fn read_manifest(from: &Path) -> Result<ExportManifest> {
    let path: PathBuf = from.join(MANIFEST);
    let text = std::fs::read_to_string(&path).map_err(|e| io(&path, e))?;
    let manifest: ExportManifest = serde_json::from_str(&text).map_err(|e| {
        import_refused(format!(
            "`{}` is not an export manifest: {e}",
            path.display()
        ))
    })?;
    if manifest.format != FORMAT_VERSION {
        return Err(import_refused(format!(
            "the export has format {}, this version reads {FORMAT_VERSION}",
            manifest.format
        )));
    }
    Ok(manifest)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn file_names_keep_the_order_and_only_safe_characters() {
        assert_eq!(file_name("", 1, "customers"), "01_customers.csv");
        assert_eq!(
            file_name("reference_", 12, "Price List/€"),
            "reference_12_Price_List__.csv"
        );
    }

    #[test]
    fn a_manifest_of_another_format_is_refused() {
        let dir = std::env::temp_dir().join(format!("tenantry-manifest-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(MANIFEST), "{\"format\": 2}").unwrap();
        let e = read_manifest(&dir).unwrap_err();
        assert!(e.to_string().contains("not an export manifest"), "{e}");
        std::fs::remove_dir_all(&dir).unwrap();
        let e = read_manifest(&dir).unwrap_err();
        assert!(matches!(e, Error::Io { .. }), "{e}");
    }
}
