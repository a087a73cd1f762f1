//! The Lua VM's allocator: libc memory (as Redis 7.0 gives its Lua), with a byte count for
//! INFO and a ceiling so that a script building huge tables gets a Lua "not enough memory"
//! error instead of taking the server down.

use std::cell::Cell;
use std::ffi::c_void;

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
}

/// `lua_Alloc` over libc. Growing past the limit fails (Lua raises "not enough memory");
/// shrinking and freeing always succeed, as Lua requires.
///
/// # Safety
/// `ud` is the `Heap` given to `lua_newstate`; `ptr`/`osize` describe a block this function
/// returned earlier (or null/0).
pub unsafe extern "C" fn lua_alloc(ud: *mut c_void, ptr: *mut c_void, osize: usize, nsize: usize) -> *mut c_void {
    // SAFETY: `ud` points to the Heap owned by the VM for the state's whole life.
    let heap = unsafe { &*(ud as *const Heap) };
    let old = if ptr.is_null() { 0 } else { osize };
    if nsize == 0 {
        // SAFETY: `ptr` came from realloc below (or is null).
        unsafe { libc::free(ptr) };
        heap.used.set(heap.used.get().saturating_sub(old));
        return std::ptr::null_mut();
    }
    let after = heap.used.get().saturating_sub(old).saturating_add(nsize);
    let limit = heap.limit.get();
    if nsize > old && limit != 0 && after > limit && heap.enforced.get() {
        return std::ptr::null_mut();
    }
    // SAFETY: `ptr` is null or a live block from this allocator.
    let p = unsafe { libc::realloc(ptr, nsize) };
    if !p.is_null() {
        heap.used.set(after);
    }
    p
}
