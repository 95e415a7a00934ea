//! Erasing a tenant: every row of it, in every placement that holds some (PostgreSQL).
//!
//! [`Provisioner::erase_tenant`], given a reason:
//!
//! 1. refuses while a move of the tenant is unfinished (abort or finish it first);
//! 2. marks the directory entry `deleted` (new lookups refuse the tenant) and fences each
//!    placement that holds its rows — the fence lock taken exclusively, so in-flight
//!    transactions finish first, then the fence row `erased` written, so that no process, even
//!    one with a stale directory cache, opens a transaction of the tenant there again;
//! 3. deletes its rows of the shared tables (children first, in one transaction), drops its
//!    schema or database — the placements are the directory's, the source of a flipped move
//!    not cleaned up yet, and the shared tables always;
//! 4. verifies that no row of the tenant remains in the shared tables and that the schema or
//!    database is gone, and logs the erase with its reason to `tenantry::audit`.
//!
//! The directory entry stays, `deleted`: [`Provisioner::import_tenant`] may bring the tenant
//! back from an export.

use std::time::{Duration, Instant};

use serde::Serialize;
use tenantry::TenantId;
use tenantry::placement::{Placement, TenantState};

use super::{MovePhase, Side};
use crate::connect::{DATABASE_EXISTS, SCHEMA_EXISTS, exists};
use crate::error::{Error, Result};
use crate::tenants::{Provisioner, connect};

/// How long an erase waits for the tenant's transactions to finish, by default.
pub const DEFAULT_FENCE_TIMEOUT: Duration = Duration::from_secs(10);

/// What an erase removed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct EraseReport {
    /// The tenant.
    pub tenant: String,
    /// Why (as given).
    pub reason: String,
    /// Each placement that held rows of the tenant.
    pub placements: Vec<ErasedPlacement>,
    /// Rows removed in all.
    pub rows: u64,
    /// How long it took, in milliseconds.
    pub duration_ms: u128,
}

/// One placement an erase emptied.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ErasedPlacement {
    /// The placement.
    pub placement: String,
    /// Rows removed per table.
    pub tables: Vec<ErasedTable>,
    /// Whether its schema or database was dropped.
    pub dropped: bool,
}

/// Rows of one table an erase removed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ErasedTable {
    /// The table.
    pub table: String,
    /// Rows removed.
    pub rows: u64,
}

impl Provisioner {
    /// Erases `tenant` (see the [module docs](crate::moves::erase)); `reason` is required and
    /// logged. The tenant's transactions get `fence_timeout` to finish.
    pub async fn erase_tenant(
        &self,
        tenant: impl Into<TenantId>,
        reason: &str,
        fence_timeout: Duration,
    ) -> Result<EraseReport> {
        let tenant = tenant.into();
        if reason.trim().is_empty() {
            return Err(Error::MissingReason);
        }
        self.postgres_only("erase tenants")?;
        let started = Instant::now();
        let record = self.show(tenant.clone()).await?;
        let mut placements = vec![record.placement.clone()];
        if let Some(m) = self.move_status(tenant.clone()).await? {
            if !m.phase.finished() {
                return Err(Error::TenantInUse {
                    tenant: tenant.to_string(),
                    why: format!(
                        "its move to {} is unfinished: abort it (`tenants move {tenant} --abort`) \
                         or finish it first",
                        m.target
                    ),
                });
            }
            if m.phase == MovePhase::Flipped {
                placements.push(m.source.parse()?);
            }
        }
        placements.push(Placement::Shared);
        placements.dedup();
        let mut unique: Vec<Placement> = Vec::new();
        for p in placements {
            if !unique.contains(&p) {
                unique.push(p);
            }
        }
        tracing::warn!(
            target: "tenantry::audit",
            tenant = %tenant,
            reason,
            placement = %record.placement,
            "erasing tenant"
        );
        if record.state != TenantState::Deleted {
            self.directory
                .set_state(&tenant, TenantState::Deleted)
                .await?;
        }
        let mut erased = Vec::new();
        for placement in &unique {
            if !self.placement_exists(placement).await? {
                continue;
            }
            let dropped = !matches!(placement, Placement::Shared);
            let side = self.side(placement).await?;
            let result = self.erase_on(&side, &tenant, fence_timeout, dropped).await;
            side.close().await;
            let tables = result?;
            let tables = if dropped {
                self.remove_placement(&tenant, placement, true).await?;
                tables
            } else {
                self.delete_shared_rows(&tenant)
                    .await?
                    .into_iter()
                    .map(|(table, rows)| ErasedTable { table, rows })
                    .collect()
            };
            erased.push(ErasedPlacement {
                placement: placement.to_string(),
                tables,
                dropped,
            });
        }
        self.verify_erased(&tenant, &unique).await?;
        let rows = erased.iter().flat_map(|p| &p.tables).map(|t| t.rows).sum();
        tracing::warn!(
            target: "tenantry::audit",
            tenant = %tenant,
            reason,
            rows,
            placements = %erased.iter().map(|p| p.placement.as_str()).collect::<Vec<_>>().join(","),
            "tenant erased"
        );
        Ok(EraseReport {
            tenant: tenant.to_string(),
            reason: reason.to_owned(),
            placements: erased,
            rows,
            duration_ms: started.elapsed().as_millis(),
        })
    }

    /// Fences `side` for the tenant for good and, if `count`, counts its rows there per
    /// table (a schema or database about to be dropped).
    async fn erase_on(
        &self,
        side: &Side,
        tenant: &TenantId,
        fence_timeout: Duration,
        count: bool,
    ) -> Result<Vec<ErasedTable>> {
        let fence = self
            .take_fence(side, tenant, fence_timeout)
            .await
            .map_err(|e| Error::TenantInUse {
                tenant: tenant.to_string(),
                why: format!(
                    "its transactions in {} did not finish within the fence timeout ({e}); \
                     erase again",
                    side.placement
                ),
            })?;
        let fenced = self.fence_row(side, tenant, "erased").await;
        self.release_fence(fence, tenant).await;
        fenced?;
        let mut tables = Vec::new();
        if !count {
            return Ok(tables);
        }
        for t in self.side_tables(side).await? {
            let (rows, _) =
                super::data::checksum(&side.db, &t.source, &t, &self.config.setting, tenant)
                    .await?;
            tables.push(ErasedTable {
                table: t.name().to_owned(),
                rows: rows as u64,
            });
        }
        Ok(tables)
    }

    async fn placement_exists(&self, placement: &Placement) -> Result<bool> {
        match placement {
            Placement::Schema { schema } => exists(&self.control, SCHEMA_EXISTS, schema).await,
            Placement::Database { server, database } => {
                let admin = connect(&self.servers.url(server)?, None).await?;
                let there = exists(&admin, DATABASE_EXISTS, database).await;
                let _ = admin.close().await;
                there
            }
            _ => Ok(true),
        }
    }

    /// No row of the tenant in the shared tables, and none of its schemas or databases left.
    async fn verify_erased(&self, tenant: &TenantId, placements: &[Placement]) -> Result<()> {
        for placement in placements {
            if matches!(placement, Placement::Shared) {
                let side = self.side(placement).await?;
                let counted = async {
                    let mut left = Vec::new();
                    for t in self.side_tables(&side).await? {
                        let (rows, _) = super::data::checksum(
                            &side.db,
                            &t.source,
                            &t,
                            &self.config.setting,
                            tenant,
                        )
                        .await?;
                        if rows > 0 {
                            left.push(format!("{rows} rows in `{}`", t.name()));
                        }
                    }
                    Ok::<_, Error>(left)
                }
                .await;
                side.close().await;
                let left = counted?;
                if !left.is_empty() {
                    return Err(Error::EraseIncomplete {
                        tenant: tenant.to_string(),
                        why: left.join(", "),
                    });
                }
            } else if self.placement_exists(placement).await? {
                return Err(Error::EraseIncomplete {
                    tenant: tenant.to_string(),
                    why: format!("{placement} still exists"),
                });
            }
        }
        Ok(())
    }
}
