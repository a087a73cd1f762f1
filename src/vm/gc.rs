//! Redis's periodic GC step, paced: Redis steps the collector every `GC_PERIOD` script runs;
//! luax does so only when the heap grew since the previous step.

use std::cell::Cell;
use std::ffi::c_int;

use crate::lua::state::{GcOp, Lua};

/// Redis runs a GC step (of this many KB of work) every this many script calls.
const GC_PERIOD: u32 = 50;
/// ... and luax only when the heap grew by at least that much since the previous step: a
/// forced step walks the live heap whether or not there is garbage, which for scripts that
/// make little garbage (most scripts calling Redis) cost ~6% of a run. Lua's own incremental
/// collector still runs as usual, so at most this much extra garbage waits.
const GC_STEP_BYTES: usize = GC_PERIOD as usize * 1024;

thread_local! {
    /// Shared by every VM of the process, as Redis's static counter is.
    static CALLS_SINCE_GC: Cell<u32> = const { Cell::new(0) };
}

/// The pacing state of one VM.
pub struct GcPacer {
    /// Heap size after the last periodic step.
    used_after_step: Cell<usize>,
    steps: Cell<u64>,
}

impl GcPacer {
    pub fn new(used: usize) -> GcPacer {
        GcPacer { used_after_step: Cell::new(used), steps: Cell::new(0) }
    }

    /// After every run: a step on every `GC_PERIOD`th run of the process, if the heap (now
    /// `used` bytes) grew by `GC_STEP_BYTES` since the last one.
    pub fn after_run(&self, lua: &Lua, used: impl Fn() -> usize) {
        let due = CALLS_SINCE_GC.with(|c| {
            let n = c.get() + 1;
            c.set(if n == GC_PERIOD { 0 } else { n });
            n == GC_PERIOD
        });
        if due && used() >= self.used_after_step.get().saturating_add(GC_STEP_BYTES) {
            lua.gc(GcOp::Step, GC_PERIOD as c_int);
            self.used_after_step.set(used());
            self.steps.set(self.steps.get() + 1);
        }
    }

    /// Steps taken by this rule (not Lua's own collector).
    #[cfg(test)]
    pub fn steps(&self) -> u64 {
        self.steps.get()
    }
}
