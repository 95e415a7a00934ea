//! The directory lookup cache: bounded, entries expire after a TTL, explicit invalidation.

use std::collections::HashMap;
use std::sync::RwLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use super::model::TenantRecord;

struct Entry {
    record: TenantRecord,
    fetched: Instant,
    last_used: AtomicU64,
}

/// Lookups of the directory, kept for `ttl`, at most `capacity` of them (the least recently
/// used goes first). A hit takes a read lock and a clock reading.
pub(crate) struct PlacementCache {
    entries: RwLock<HashMap<String, Entry>>,
    capacity: usize,
    ttl: Duration,
    tick: AtomicU64,
    hits: AtomicU64,
    misses: AtomicU64,
}

impl std::fmt::Debug for PlacementCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PlacementCache")
            .field("capacity", &self.capacity)
            .field("ttl", &self.ttl)
            .finish_non_exhaustive()
    }
}

impl PlacementCache {
    pub(crate) fn new(capacity: usize, ttl: Duration) -> Self {
        Self {
            entries: RwLock::new(HashMap::new()),
            capacity: capacity.max(1),
            ttl,
            tick: AtomicU64::new(0),
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
        }
    }

    /// The cached entry, if fresh.
    pub(crate) fn get(&self, key: &str) -> Option<TenantRecord> {
        let found = self.entries.read().ok().and_then(|entries| {
            let e = entries.get(key)?;
            if e.fetched.elapsed() >= self.ttl {
                return None;
            }
            e.last_used
                .store(self.tick.fetch_add(1, Ordering::Relaxed), Ordering::Relaxed);
            Some(e.record.clone())
        });
        let counter = if found.is_some() {
            &self.hits
        } else {
            &self.misses
        };
        counter.fetch_add(1, Ordering::Relaxed);
        found
    }

    pub(crate) fn insert(&self, key: String, record: TenantRecord) {
        let Ok(mut entries) = self.entries.write() else {
            return;
        };
        if entries.len() >= self.capacity && !entries.contains_key(&key) {
            // Expired entries first, then the least recently used.
            entries.retain(|_, e| e.fetched.elapsed() < self.ttl);
            if entries.len() >= self.capacity
                && let Some(oldest) = entries
                    .iter()
                    .min_by_key(|(_, e)| e.last_used.load(Ordering::Relaxed))
                    .map(|(k, _)| k.clone())
            {
                entries.remove(&oldest);
            }
        }
        let tick = self.tick.fetch_add(1, Ordering::Relaxed);
        entries.insert(
            key,
            Entry {
                record,
                fetched: Instant::now(),
                last_used: AtomicU64::new(tick),
            },
        );
    }

    pub(crate) fn invalidate(&self, key: &str) {
        if let Ok(mut entries) = self.entries.write() {
            entries.remove(key);
        }
    }

    pub(crate) fn clear(&self) {
        if let Ok(mut entries) = self.entries.write() {
            entries.clear();
        }
    }

    /// (hits, misses) so far.
    pub(crate) fn counts(&self) -> (u64, u64) {
        (
            self.hits.load(Ordering::Relaxed),
            self.misses.load(Ordering::Relaxed),
        )
    }

    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.entries.read().map_or(0, |e| e.len())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::placement::{Placement, TenantState};

    fn record(i: i64) -> TenantRecord {
        TenantRecord::new(i, Placement::Shared, TenantState::Active)
    }

    #[test]
    fn bounded_least_recently_used_first() {
        let cache = PlacementCache::new(2, Duration::from_secs(60));
        cache.insert("1".into(), record(1));
        cache.insert("2".into(), record(2));
        assert!(cache.get("1").is_some()); // 2 is now the least recently used
        cache.insert("3".into(), record(3));
        assert_eq!(cache.len(), 2);
        assert!(cache.get("2").is_none());
        assert!(cache.get("1").is_some() && cache.get("3").is_some());
        cache.invalidate("1");
        assert!(cache.get("1").is_none());
        assert_eq!(cache.counts(), (3, 2));
    }

    #[test]
    fn entries_expire() {
        let cache = PlacementCache::new(8, Duration::from_millis(0));
        cache.insert("1".into(), record(1));
        assert!(cache.get("1").is_none());
    }
}
