//! The plan cache: SQL text → plan, per backend, shared between threads, bounded both in
//! plans and in bytes (the texts and the plans' own weight), so that distinct huge statements
//! cannot make it hold more than its byte budget.
//!
//! Eviction is CLOCK (second chance): a hit sets the entry's reference bit without taking the
//! write lock; when full, the oldest entry is evicted unless referenced since the last sweep,
//! in which case it is spared once and moved to the back.

pub(crate) mod plan;

use std::collections::{HashMap, VecDeque};
use std::hash::{BuildHasher, Hasher, RandomState};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, RwLock, RwLockReadGuard};

use self::plan::Plan;
use crate::rewrite::scope::names::Flavor;

/// Plans kept by [`Rewriter::new`](super::Rewriter::new).
pub const DEFAULT_CACHE_CAPACITY: usize = 4096;

/// The bytes (SQL texts and plans, roughly) the plans kept by
/// [`Rewriter::new`](super::Rewriter::new) and
/// [`Rewriter::with_capacity`](super::Rewriter::with_capacity) may weigh together: 32 MiB.
/// Distinct huge statements evict others rather than grow the cache; a plan heavier than the
/// whole budget is not kept.
pub const DEFAULT_CACHE_BYTES: usize = 32 << 20;

/// A multiplicative hasher for SQL texts, seeded per cache: 32 bytes per step in two
/// independent lanes, each mixed by a folded 64×64→128-bit multiply (foldhash's mix).
///
/// SQL texts are long and come from the application, not from its users; SipHash's
/// flooding resistance costs several times the time on the hot path, and the cache is
/// bounded anyway. The per-cache random seed keeps collisions from being precomputed.
#[derive(Clone, Copy)]
struct SqlHasher(u64);

const K1: u64 = 0xf135_7aea_2e62_a9c5;
const K2: u64 = 0x2436_94a9_8e2d_1f3b;
const K3: u64 = 0x9e37_79b9_7f4a_7c15;

#[inline]
fn fold(a: u64, b: u64) -> u64 {
    let p = u128::from(a) * u128::from(b);
    #[allow(clippy::cast_possible_truncation, reason = "the two halves are folded")]
    let (lo, hi) = (p as u64, (p >> 64) as u64);
    lo ^ hi
}

#[inline]
fn word(b: &[u8], at: usize) -> u64 {
    let mut w = [0u8; 8];
    w.copy_from_slice(&b[at..at + 8]);
    u64::from_le_bytes(w)
}

impl Hasher for SqlHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut a = self.0;
        let mut b = self.0.rotate_left(29) ^ K3;
        let mut blocks = bytes.chunks_exact(32);
        for c in &mut blocks {
            a = fold(a ^ word(c, 0), K1 ^ word(c, 8));
            b = fold(b ^ word(c, 16), K2 ^ word(c, 24));
        }
        let rest = blocks.remainder();
        let mut words = rest.chunks_exact(8);
        for w in &mut words {
            a = fold(a ^ word(w, 0), K1);
            std::mem::swap(&mut a, &mut b);
        }
        let tail = words.remainder();
        let mut w = [0u8; 8];
        w[..tail.len()].copy_from_slice(tail);
        let last = u64::from_le_bytes(w) ^ ((bytes.len() as u64) << 56);
        self.0 = fold(a ^ last, b ^ K2);
    }

    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.0 = fold(self.0 ^ u64::from(i), K3);
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
    /// The key's and the plan's bytes, counted against the budget.
    weight: usize,
}

impl Entry {
    /// Marks the entry referenced (without writing when it already is) and returns its plan.
    fn touch(&self) -> &Arc<Plan> {
        if !self.referenced.load(Ordering::Relaxed) {
            self.referenced.store(true, Ordering::Relaxed);
        }
        &self.plan
    }
}

struct Inner {
    maps: [HashMap<Arc<str>, Entry, SeededState>; 3],
    order: VecDeque<(Flavor, Arc<str>)>,
    /// The entries' weights, summed.
    bytes: usize,
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
            bytes: 0,
        }
    }
}

/// A bounded, thread-safe plan cache with hit/miss counters.
pub(crate) struct PlanCache {
    inner: RwLock<Inner>,
    capacity: usize,
    max_bytes: usize,
    hits: AtomicU64,
    misses: AtomicU64,
}

impl std::fmt::Debug for PlanCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PlanCache")
            .field("capacity", &self.capacity)
            .field("max_bytes", &self.max_bytes)
            .field("len", &self.len())
            .finish()
    }
}

impl PlanCache {
    /// A cache holding at most `capacity` plans (0 disables caching) and the default byte
    /// budget.
    #[cfg(test)]
    pub(crate) fn new(capacity: usize) -> Self {
        Self::with_budget(capacity, DEFAULT_CACHE_BYTES)
    }

    /// A cache holding at most `capacity` plans weighing at most `max_bytes` together; a plan
    /// heavier than the whole budget is not cached.
    pub(crate) fn with_budget(capacity: usize, max_bytes: usize) -> Self {
        Self {
            inner: RwLock::new(Inner::new()),
            capacity,
            max_bytes,
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
        }
    }

    /// The cache under its read lock, for a lookup whose plan is used while the lock is held
    /// (no reference count taken); `None` if the lock is poisoned.
    pub(crate) fn read(&self) -> Option<ReadCache<'_>> {
        Some(ReadCache {
            inner: self.inner.read().ok()?,
            cache: self,
        })
    }

    /// Counts a lookup that found nothing.
    pub(crate) fn count_miss(&self) {
        self.misses.fetch_add(1, Ordering::Relaxed);
    }

    /// The plan for `sql`, counting nothing.
    pub(crate) fn peek(&self, flavor: Flavor, sql: &str) -> Option<Arc<Plan>> {
        let inner = self.inner.read().ok()?;
        inner.maps[flavor.index()]
            .get(sql)
            .map(|e| Arc::clone(e.touch()))
    }

    /// Stores a plan, evicting if full.
    pub(crate) fn insert(&self, flavor: Flavor, sql: &str, plan: Arc<Plan>) {
        let weight = sql.len() + plan.weight();
        if self.capacity == 0 || weight > self.max_bytes {
            return;
        }
        let Ok(mut inner) = self.inner.write() else {
            return;
        };
        if inner.maps[flavor.index()].contains_key(sql) {
            return;
        }
        let mut sweeps = 2 * inner.order.len() + 1;
        while (inner.order.len() >= self.capacity || inner.bytes + weight > self.max_bytes)
            && sweeps > 0
        {
            sweeps -= 1;
            let Some((f, key)) = inner.order.pop_front() else {
                break;
            };
            let spared = inner.maps[f.index()]
                .get(&key)
                .is_some_and(|e| e.referenced.swap(false, Ordering::Relaxed));
            if spared {
                inner.order.push_back((f, key));
            } else if let Some(gone) = inner.maps[f.index()].remove(&key) {
                inner.bytes -= gone.weight;
            }
        }
        if inner.order.len() >= self.capacity || inner.bytes + weight > self.max_bytes {
            // Every entry was spared twice over: leave the cache as it is.
            return;
        }
        let key: Arc<str> = Arc::from(sql);
        inner.order.push_back((flavor, Arc::clone(&key)));
        inner.bytes += weight;
        inner.maps[flavor.index()].insert(
            key,
            Entry {
                plan,
                referenced: AtomicBool::new(false),
                weight,
            },
        );
    }

    /// The plan for `sql`, counting a hit or a miss.
    #[cfg(test)]
    pub(crate) fn get(&self, flavor: Flavor, sql: &str) -> Option<Arc<Plan>> {
        let found = self
            .read()
            .and_then(|r| r.get(flavor, sql).map(|p| Arc::new(p.clone())));
        if found.is_none() {
            self.count_miss();
        }
        found
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

    /// The bytes the plans held weigh.
    pub(crate) fn bytes(&self) -> usize {
        self.inner.read().map_or(0, |i| i.bytes)
    }
}

/// A [`PlanCache`] under its read lock.
pub(crate) struct ReadCache<'c> {
    inner: RwLockReadGuard<'c, Inner>,
    cache: &'c PlanCache,
}

impl ReadCache<'_> {
    /// The plan for `sql`, counting a hit (a miss is counted by the caller, once it has
    /// released the lock: see [`PlanCache::count_miss`]).
    pub(crate) fn get(&self, flavor: Flavor, sql: &str) -> Option<&Plan> {
        let plan = self.inner.maps[flavor.index()].get(sql)?.touch();
        self.cache.hits.fetch_add(1, Ordering::Relaxed);
        Some(plan)
    }
}

#[cfg(test)]
#[cfg_attr(test, allow(clippy::unwrap_used))]
mod tests {
    use super::*;
    use crate::rewrite::cache::plan::Slots;

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

    fn heavy(n: usize) -> Arc<Plan> {
        Arc::new(Plan {
            sql: Some("x".repeat(n)),
            ..(*plan()).clone()
        })
    }

    #[test]
    fn keeps_within_its_byte_budget() {
        let one = 3 + heavy(1000).weight();
        let c = PlanCache::with_budget(100, 3 * one);
        for key in ["a01", "a02", "a03", "a04", "a05"] {
            c.insert(Flavor::Postgres, key, heavy(1000));
            assert!(c.bytes() <= 3 * one, "{} > {}", c.bytes(), 3 * one);
        }
        assert_eq!((c.len(), c.bytes()), (3, 3 * one));
        assert!(c.get(Flavor::Postgres, "a05").is_some());
        assert!(c.get(Flavor::Postgres, "a01").is_none());
        // Heavier than the whole budget: not kept, nothing evicted for it.
        c.insert(Flavor::Postgres, "big", heavy(10 * one));
        assert!(c.get(Flavor::Postgres, "big").is_none());
        assert_eq!(c.len(), 3);
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
        // Every length through two blocks, each byte position: a one-byte change shows.
        let base: String = (0..80_u8).map(|i| char::from(b'a' + i % 26)).collect();
        for len in 0..base.len() {
            let text = &base[..len];
            let h = state.hash_one(text);
            assert_ne!(h, state.hash_one(&base[..len + 1]), "{len}");
            for at in 0..len {
                let mut changed = text.as_bytes().to_vec();
                changed[at] ^= 1;
                let changed = String::from_utf8(changed).unwrap();
                assert_ne!(h, state.hash_one(&changed), "{len} {at}");
            }
        }
    }

    #[test]
    fn zero_capacity_disables_caching() {
        let c = PlanCache::new(0);
        c.insert(Flavor::Sqlite, "a", plan());
        assert!(c.get(Flavor::Sqlite, "a").is_none());
    }
}
