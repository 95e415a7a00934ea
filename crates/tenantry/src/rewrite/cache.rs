//! The plan cache: SQL text → plan, per backend, bounded, shared between threads.
//!
//! Eviction is CLOCK (second chance): a hit sets the entry's reference bit without taking the
//! write lock; when full, the oldest entry is evicted unless referenced since the last sweep,
//! in which case it is spared once and moved to the back.

use std::collections::{HashMap, VecDeque};
use std::hash::{BuildHasher, Hasher, RandomState};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

use super::names::Flavor;
use super::plan::Plan;

/// A word-at-a-time multiplicative hasher (FxHash's mix), seeded per cache.
///
/// SQL texts are long and come from the application, not from its users; SipHash's
/// flooding resistance costs ~4× the time on the hot path, and the cache is bounded anyway.
/// The per-cache random seed keeps collisions from being precomputed.
#[derive(Clone, Copy)]
struct SqlHasher(u64);

const K: u64 = 0xf135_7aea_2e62_a9c5;

impl SqlHasher {
    #[inline]
    fn mix(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(K);
    }
}

impl Hasher for SqlHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.mix(u64::from_le_bytes(w));
        }
        let rest = chunks.remainder();
        let mut w = [0u8; 8];
        w[..rest.len()].copy_from_slice(rest);
        self.mix(u64::from_le_bytes(w) ^ ((rest.len() as u64) << 56));
    }

    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.mix(u64::from(i));
    }

    #[inline]
    fn finish(&self) -> u64 {
        // Final avalanche so that the bucket (low) bits depend on every input bit.
        let mut h = self.0;
        h ^= h >> 33;
        h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
        h ^= h >> 33;
        h
    }
}

/// Builds [`SqlHasher`]s with one random seed.
#[derive(Clone, Copy)]
struct SeededState(u64);

impl SeededState {
    fn new() -> Self {
        Self(RandomState::new().hash_one(0x7465_6e61_6e74_7279_u64))
    }
}

impl BuildHasher for SeededState {
    type Hasher = SqlHasher;

    fn build_hasher(&self) -> SqlHasher {
        SqlHasher(self.0)
    }
}

struct Entry {
    plan: Arc<Plan>,
    referenced: AtomicBool,
}

struct Inner {
    maps: [HashMap<Arc<str>, Entry, SeededState>; 3],
    order: VecDeque<(Flavor, Arc<str>)>,
}

impl Inner {
    fn new() -> Self {
        let state = SeededState::new();
        Self {
            maps: [
                HashMap::with_hasher(state),
                HashMap::with_hasher(state),
                HashMap::with_hasher(state),
            ],
            order: VecDeque::new(),
        }
    }
}

/// A bounded, thread-safe plan cache with hit/miss counters.
pub(crate) struct PlanCache {
    inner: RwLock<Inner>,
    capacity: usize,
    hits: AtomicU64,
    misses: AtomicU64,
}

impl std::fmt::Debug for PlanCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PlanCache")
            .field("capacity", &self.capacity)
            .field("len", &self.len())
            .finish()
    }
}

impl PlanCache {
    /// A cache holding at most `capacity` plans (0 disables caching).
    pub(crate) fn new(capacity: usize) -> Self {
        Self {
            inner: RwLock::new(Inner::new()),
            capacity,
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
        }
    }

    /// The plan for `sql`, counting a hit or a miss.
    pub(crate) fn get(&self, flavor: Flavor, sql: &str) -> Option<Arc<Plan>> {
        let found = match self.inner.read() {
            Ok(inner) => inner.maps[flavor.index()].get(sql).map(|e| {
                e.referenced.store(true, Ordering::Relaxed);
                Arc::clone(&e.plan)
            }),
            Err(_) => None,
        };
        let counter = if found.is_some() {
            &self.hits
        } else {
            &self.misses
        };
        counter.fetch_add(1, Ordering::Relaxed);
        found
    }

    /// The plan for `sql`, counting nothing.
    pub(crate) fn peek(&self, flavor: Flavor, sql: &str) -> Option<Arc<Plan>> {
        let inner = self.inner.read().ok()?;
        inner.maps[flavor.index()].get(sql).map(|e| {
            e.referenced.store(true, Ordering::Relaxed);
            Arc::clone(&e.plan)
        })
    }

    /// Stores a plan, evicting if full.
    pub(crate) fn insert(&self, flavor: Flavor, sql: &str, plan: Arc<Plan>) {
        if self.capacity == 0 {
            return;
        }
        let Ok(mut inner) = self.inner.write() else {
            return;
        };
        if inner.maps[flavor.index()].contains_key(sql) {
            return;
        }
        let mut sweeps = 2 * inner.order.len() + 1;
        while inner.order.len() >= self.capacity && sweeps > 0 {
            sweeps -= 1;
            let Some((f, key)) = inner.order.pop_front() else {
                break;
            };
            let spared = inner.maps[f.index()]
                .get(&key)
                .is_some_and(|e| e.referenced.swap(false, Ordering::Relaxed));
            if spared {
                inner.order.push_back((f, key));
            } else {
                inner.maps[f.index()].remove(&key);
            }
        }
        let key: Arc<str> = Arc::from(sql);
        inner.order.push_back((flavor, Arc::clone(&key)));
        inner.maps[flavor.index()].insert(
            key,
            Entry {
                plan,
                referenced: AtomicBool::new(false),
            },
        );
    }

    /// Lookups that found a plan.
    pub(crate) fn hits(&self) -> u64 {
        self.hits.load(Ordering::Relaxed)
    }

    /// Lookups that did not.
    pub(crate) fn misses(&self) -> u64 {
        self.misses.load(Ordering::Relaxed)
    }

    /// Plans held.
    pub(crate) fn len(&self) -> usize {
        self.inner.read().map_or(0, |i| i.order.len())
    }
}

#[cfg(test)]
#[cfg_attr(test, allow(clippy::unwrap_used))]
mod tests {
    use super::*;
    use crate::rewrite::plan::Slots;

    fn plan() -> Arc<Plan> {
        Arc::new(Plan {
            sql: None,
            params: 0,
            slots: Slots::Unused,
            checks: vec![],
            types: vec![],
        })
    }

    #[test]
    fn counts_hits_and_misses_per_backend() {
        let c = PlanCache::new(4);
        assert!(c.get(Flavor::Postgres, "a").is_none());
        c.insert(Flavor::Postgres, "a", plan());
        assert!(c.get(Flavor::Postgres, "a").is_some());
        assert!(c.get(Flavor::Sqlite, "a").is_none());
        assert_eq!((c.hits(), c.misses(), c.len()), (1, 2, 1));
    }

    #[test]
    fn evicts_unreferenced_entries_first() {
        let c = PlanCache::new(2);
        c.insert(Flavor::MySql, "a", plan());
        c.insert(Flavor::MySql, "b", plan());
        assert!(c.get(Flavor::MySql, "a").is_some());
        c.insert(Flavor::MySql, "c", plan());
        assert_eq!(c.len(), 2);
        assert!(
            c.get(Flavor::MySql, "a").is_some(),
            "a was referenced, b was not"
        );
        assert!(c.get(Flavor::MySql, "b").is_none());
        assert!(c.get(Flavor::MySql, "c").is_some());
    }

    #[test]
    fn stays_bounded_when_everything_is_hot() {
        let c = PlanCache::new(3);
        for i in 0..50 {
            let k = i.to_string();
            c.insert(Flavor::Sqlite, &k, plan());
            let _ = c.get(Flavor::Sqlite, &k);
        }
        assert_eq!(c.len(), 3);
    }

    #[test]
    fn the_hasher_separates_similar_texts() {
        let state = SeededState::new();
        let a = state.hash_one("SELECT id FROM orders WHERE id = $1");
        let b = state.hash_one("SELECT id FROM orders WHERE id = $2");
        let c = state.hash_one("SELECT id FROM orders WHERE id = $1 ");
        assert_ne!(a, b);
        assert_ne!(a, c);
        assert_eq!(a, state.hash_one("SELECT id FROM orders WHERE id = $1"));
    }

    #[test]
    fn zero_capacity_disables_caching() {
        let c = PlanCache::new(0);
        c.insert(Flavor::Sqlite, "a", plan());
        assert!(c.get(Flavor::Sqlite, "a").is_none());
    }
}
