//! The loop behind the ignored timing tests of the rewriter's internals, which criterion
//! (outside the crate) cannot reach. They measure wall time, so their figures mean something
//! only in a release build on an idle machine
//! (`cargo test --release -p tenantry --lib -- --ignored --nocapture`); they assert nothing
//! about time and are not part of the test run. Their figures are in `benches/FINDINGS.md`.

use std::hint::black_box;
use std::time::{Duration, Instant};

/// Runs `f` on each of `inputs`, `rounds` times over; the mean time per call.
pub(crate) fn per_call<T, R>(rounds: u32, inputs: &[T], mut f: impl FnMut(&T) -> R) -> Duration {
    let start = Instant::now();
    for _ in 0..rounds {
        for input in inputs {
            black_box(f(black_box(input)));
        }
    }
    let calls = u32::try_from(inputs.len()).map_or(u32::MAX, |n| n.saturating_mul(rounds));
    start.elapsed() / calls.max(1)
}
