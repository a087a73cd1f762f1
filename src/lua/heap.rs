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
    /// Rust code called from Lua is running (and no Lua code it called in turn). The limit
    /// is lifted then: a refused allocation would raise with `longjmp` through Rust frames,
    /// skipping their destructors (a `redis.call` reply, a decoder's buffers). The Rust
    /// function is held to the limit when it returns, where raising skips nothing.
    in_rust: Cell<bool>,
    /// The real limit while `refuse_next_growth` has set it to one byte.
    lowered_from: Cell<Option<usize>>,
}

impl Heap {
    pub fn new(limit: usize) -> Heap {
        Heap {
            used: Cell::new(0),
            limit: Cell::new(limit),
            enforced: Cell::new(false),
            in_rust: Cell::new(false),
            lowered_from: Cell::new(None),
        }
    }

    /// Applies the limit for the duration of `f` (a protected call).
    pub fn enforced<R>(&self, f: impl FnOnce() -> R) -> R {
        let before = self.enforced.replace(true);
        let out = f();
        self.enforced.set(before);
        out
    }

    /// Records whether Rust code (true) or Lua code (false) runs from now on; returns what
    /// ran before, to be set back.
    pub fn set_running_rust(&self, rust: bool) -> bool {
        self.in_rust.replace(rust)
    }

    /// Whether an allocation may be refused now: inside a script's protected call, in Lua code.
    pub fn limit_applies(&self) -> bool {
        self.enforced.get() && !self.in_rust.get() && self.limit.get() != 0
    }

    /// Past the limit (which, while applied, no allocation may grow beyond).
    pub fn over_limit(&self) -> bool {
        let limit = self.limit.get();
        limit != 0 && self.used.get() > limit
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
        if new <= old || limit == 0 || after <= limit || !self.enforced.get() || self.in_rust.get() {
            return true;
        }
        if let Some(limit) = self.lowered_from.take() {
            self.limit.set(limit);
        }
        false
    }

    /// Makes the next growing allocation fail (then the limit is what it was): how Rust code
    /// has Lua raise its own memory error. Only while the limit applies.
    pub fn refuse_next_growth(&self) {
        debug_assert!(self.limit_applies() && self.lowered_from.get().is_none());
        self.lowered_from.set(Some(self.limit.replace(1)));
    }

    /// Records that a block went from `old` to `new` bytes.
    pub fn record(&self, old: usize, new: usize) {
        self.used.set(self.used.get().saturating_sub(old).saturating_add(new));
    }
}
