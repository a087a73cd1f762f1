//! The Lua heap's accounting (the allocator itself is in `state`): libc memory (as Redis 7.0 gives its Lua), with a byte count for
//! INFO and a ceiling so that a script building huge tables gets a Lua "not enough memory"
//! error instead of taking the server down.

use std::cell::Cell;

/// Accounting for one VM; lives in a Box whose address is the allocator's user data.
#[derive(Debug, Default)]
pub struct Heap {
    used: Cell<usize>,
    /// 0 = no limit.
    limit: Cell<usize>,
    /// The limit only applies while a script runs inside a protected call: a Lua memory
    /// error anywhere else (building KEYS/ARGV, converting the reply) would be unprotected,
    /// and Lua ends the process on those.
    enforced: Cell<bool>,
}

impl Heap {
    pub fn new(limit: usize) -> Heap {
        Heap { used: Cell::new(0), limit: Cell::new(limit), enforced: Cell::new(false) }
    }

    /// Applies the limit for the duration of `f` (a protected call).
    pub fn enforced<R>(&self, f: impl FnOnce() -> R) -> R {
        let before = self.enforced.replace(true);
        let out = f();
        self.enforced.set(before);
        out
    }

    pub fn used(&self) -> usize {
        self.used.get()
    }

    /// Within a quarter of the limit.
    pub fn near_limit(&self) -> bool {
        let limit = self.limit.get();
        limit != 0 && self.used.get() > limit - limit / 4
    }

    pub fn set_limit(&self, limit: usize) {
        self.limit.set(limit);
    }

    /// Whether a block may go from `old` to `new` bytes: growing past the limit fails (Lua
    /// then raises "not enough memory"); shrinking and freeing always succeed, as Lua requires.
    pub fn admit(&self, old: usize, new: usize) -> bool {
        let limit = self.limit.get();
        let after = self.used.get().saturating_sub(old).saturating_add(new);
        new <= old || limit == 0 || after <= limit || !self.enforced.get()
    }

    /// Records that a block went from `old` to `new` bytes.
    pub fn record(&self, old: usize, new: usize) {
        self.used.set(self.used.get().saturating_sub(old).saturating_add(new));
    }
}
