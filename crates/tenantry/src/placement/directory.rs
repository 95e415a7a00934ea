//! The [`Directory`] trait and the in-memory directory.

use std::collections::BTreeMap;
use std::sync::RwLock;

use async_trait::async_trait;

use super::model::{Placement, TenantRecord, TenantState};
use crate::error::{Error, Result};
use crate::tenant::TenantId;

/// Where each tenant lives and whether it is served.
///
/// Tenants are keyed by their text form ([`TenantId`]'s `Display`): `7_i32` and `7_i64` are
/// the same tenant. Writes are for provisioning and moves; `begin` only reads, through
/// [`TenantDatabase`](crate::TenantDatabase)'s cache.
#[async_trait]
pub trait Directory: Send + Sync + std::fmt::Debug {
    /// The tenant's entry, or `None` when the directory does not know it.
    async fn get(&self, tenant: &TenantId) -> Result<Option<TenantRecord>>;

    /// Every entry, ordered by tenant.
    async fn list(&self) -> Result<Vec<TenantRecord>>;

    /// Adds an entry; [`Error::TenantExists`] when the tenant has one.
    async fn create(&self, record: &TenantRecord) -> Result<()>;

    /// Changes the tenant's state; returns the new entry. [`Error::UnknownTenant`] when it has
    /// none.
    async fn set_state(&self, tenant: &TenantId, state: TenantState) -> Result<TenantRecord>;

    /// Changes the tenant's placement if its version is still `expected_version`, bumping the
    /// version; returns the new entry. [`Error::StalePlacement`] when another change came
    /// first.
    async fn set_placement(
        &self,
        tenant: &TenantId,
        placement: &Placement,
        expected_version: i64,
    ) -> Result<TenantRecord>;

    /// Removes the entry; [`Error::UnknownTenant`] when there is none.
    async fn remove(&self, tenant: &TenantId) -> Result<()>;
}

/// A [`Directory`] in memory, for tests and single-binary apps.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> tenantry::Result<()> {
/// use tenantry::placement::{Directory, MemoryDirectory, Placement, TenantRecord, TenantState};
/// let directory = MemoryDirectory::new();
/// directory
///     .create(&TenantRecord::new(7_i64, Placement::schema("tenant_7")?, TenantState::Active))
///     .await?;
/// let record = directory.get(&7_i64.into()).await?.unwrap();
/// assert_eq!(record.placement.to_string(), "schema:tenant_7");
/// # Ok(()) }
/// ```
#[derive(Debug, Default)]
pub struct MemoryDirectory {
    entries: RwLock<BTreeMap<String, TenantRecord>>,
}

impl MemoryDirectory {
    /// An empty directory.
    pub fn new() -> Self {
        Self::default()
    }

    /// A directory holding `records`.
    pub fn with(records: impl IntoIterator<Item = TenantRecord>) -> Self {
        let directory = Self::new();
        if let Ok(mut entries) = directory.entries.write() {
            for r in records {
                entries.insert(r.tenant.to_string(), r);
            }
        }
        directory
    }

    fn write<T>(
        &self,
        f: impl FnOnce(&mut BTreeMap<String, TenantRecord>) -> Result<T>,
    ) -> Result<T> {
        let mut entries = self.entries.write().map_err(|_| poisoned())?;
        f(&mut entries)
    }
}

fn poisoned() -> Error {
    Error::Directory {
        message: "the in-memory directory's lock was poisoned by a panic".into(),
    }
}

fn unknown(tenant: &TenantId) -> Error {
    Error::UnknownTenant {
        tenant: tenant.to_string(),
    }
}

#[async_trait]
impl Directory for MemoryDirectory {
    async fn get(&self, tenant: &TenantId) -> Result<Option<TenantRecord>> {
        let entries = self.entries.read().map_err(|_| poisoned())?;
        Ok(entries.get(&tenant.to_string()).cloned())
    }

    async fn list(&self) -> Result<Vec<TenantRecord>> {
        let entries = self.entries.read().map_err(|_| poisoned())?;
        Ok(entries.values().cloned().collect())
    }

    async fn create(&self, record: &TenantRecord) -> Result<()> {
        record.placement.check()?;
        self.write(|entries| {
            let key = record.tenant.to_string();
            if entries.contains_key(&key) {
                return Err(Error::TenantExists { tenant: key });
            }
            entries.insert(key, record.clone());
            Ok(())
        })
    }

    async fn set_state(&self, tenant: &TenantId, state: TenantState) -> Result<TenantRecord> {
        self.write(|entries| {
            let entry = entries
                .get_mut(&tenant.to_string())
                .ok_or_else(|| unknown(tenant))?;
            entry.state = state;
            Ok(entry.clone())
        })
    }

    async fn set_placement(
        &self,
        tenant: &TenantId,
        placement: &Placement,
        expected_version: i64,
    ) -> Result<TenantRecord> {
        placement.check()?;
        self.write(|entries| {
            let entry = entries
                .get_mut(&tenant.to_string())
                .ok_or_else(|| unknown(tenant))?;
            if entry.version != expected_version {
                return Err(Error::StalePlacement {
                    tenant: tenant.to_string(),
                    expected: expected_version,
                    found: entry.version,
                });
            }
            entry.placement = placement.clone();
            entry.version += 1;
            Ok(entry.clone())
        })
    }

    async fn remove(&self, tenant: &TenantId) -> Result<()> {
        self.write(|entries| {
            entries
                .remove(&tenant.to_string())
                .map(|_| ())
                .ok_or_else(|| unknown(tenant))
        })
    }
}
