//! Paired measurement: a variant and its baseline run in alternating chunks on the same
//! tenants and rows, so both see the same machine load; the ratio per chunk pair is robust to
//! bursts of other work.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::note;
use crate::request::{Rng, Target, Workload};

static SEED: AtomicU64 = AtomicU64::new(0x9E37_79B9_7F4A_7C15);

/// Runs `n` requests with `workers` concurrent workers; returns the wall time.
pub async fn phase(
    target: &Target,
    w: &Workload,
    k: usize,
    n: u64,
    workers: u64,
    seed: u64,
) -> Duration {
    let start = Instant::now();
    if workers == 1 {
        let mut rng = Rng::new(seed);
        for _ in 0..n {
            target.request(w, k, &mut rng).await.unwrap();
        }
        return start.elapsed();
    }
    let next = Arc::new(AtomicU64::new(0));
    let mut set = tokio::task::JoinSet::new();
    for i in 0..workers {
        let (target, w, next) = (target.clone(), w.clone(), Arc::clone(&next));
        set.spawn(async move {
            let mut rng = Rng::new(seed.wrapping_add(i));
            while next.fetch_add(1, Ordering::Relaxed) < n {
                target.request(&w, k, &mut rng).await.unwrap();
            }
        });
    }
    while let Some(done) = set.join_next().await {
        done.unwrap();
    }
    start.elapsed()
}

/// Baseline and variant time (ns) of each chunk, per `group/variant/k`, measured in
/// alternating chunks so both see the same machine load.
static PAIRED: Mutex<BTreeMap<String, Vec<(u128, u128)>>> = Mutex::new(BTreeMap::new());

/// Requests per chunk when a variant alternates with the baseline.
pub const CHUNK: u64 = 16;

/// Runs `iters` requests of `target`, returning their wall time; with a `baseline`, runs as
/// many baseline requests in alternating chunks (same tenants, same rows) and records both.
pub async fn drive(
    target: &Target,
    baseline: Option<&Target>,
    key: &str,
    w: &Workload,
    k: usize,
    iters: u64,
    workers: u64,
) -> Duration {
    let Some(baseline) = baseline else {
        let seed = SEED.fetch_add(0x6A09_E667, Ordering::Relaxed);
        return phase(target, w, k, iters, workers, seed).await;
    };
    let chunk = CHUNK * workers;
    let (mut chunks, mut total, mut done) = (Vec::new(), Duration::ZERO, 0);
    while done < iters {
        let n = chunk.min(iters - done);
        let seed = SEED.fetch_add(0x6A09_E667, Ordering::Relaxed);
        let base = phase(baseline, w, k, n, workers, seed).await;
        let var = phase(target, w, k, n, workers, seed).await;
        total += var;
        done += n;
        // Only full chunks: a short one weighs as much as a full one in the median.
        if n == chunk {
            chunks.push((base.as_nanos(), var.as_nanos()));
        }
    }
    PAIRED
        .lock()
        .unwrap()
        .entry(key.to_owned())
        .or_default()
        .extend(chunks);
    total
}

/// Writes the note `name`: per key, the median over chunks of (baseline time / variant
/// time), i.e. the variant's throughput relative to the baseline, then the totals.
pub fn note_paired(name: &str) {
    let paired: Vec<String> = PAIRED
        .lock()
        .unwrap()
        .iter()
        .map(|(key, chunks)| {
            let mut r: Vec<f64> = chunks
                .iter()
                .map(|&(b, v)| b as f64 / (v as f64).max(1.0))
                .collect();
            r.sort_by(f64::total_cmp);
            let median = r.get(r.len() / 2).copied().unwrap_or(f64::NAN);
            let (b, v): (u128, u128) = chunks.iter().fold((0, 0), |a, c| (a.0 + c.0, a.1 + c.1));
            format!("{key} {median:.4} {b} {v} {}", chunks.len())
        })
        .collect();
    note(name, &paired.join("\n"));
}
