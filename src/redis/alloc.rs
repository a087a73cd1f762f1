//! Rust's heap in the server's allocator, so that memory luax keeps (the script dictionary,
//! buffers) shows in `used_memory` as Redis's own script cache does. The Lua VM's heap stays
//! outside it, as in Redis 7.0 (see `lua::heap`).

use std::alloc::{GlobalAlloc, Layout, System};
use std::ffi::c_void;

use redis_module::raw;

/// Alignment Redis's allocator guarantees (jemalloc/libc: 16 on x86-64).
const SERVER_ALIGN: usize = 16;

pub struct ServerAllocator;

fn server_fns() -> Option<(
    unsafe extern "C" fn(usize) -> *mut c_void,
    unsafe extern "C" fn(*mut c_void, usize) -> *mut c_void,
    unsafe extern "C" fn(*mut c_void),
)> {
    // SAFETY: plain reads of function pointers that RedisModule_Init fills once, before any
    // command runs; before that (or in a process without Redis) they are None.
    unsafe { Some((raw::RedisModule_Alloc?, raw::RedisModule_Realloc?, raw::RedisModule_Free?)) }
}

// SAFETY: every block is served and released by one allocator, chosen from the layout's
// alignment and from whether the module API is initialised; the module API is initialised
// in RedisModule_OnLoad before luax allocates, and never torn down while the module is
// loaded, so a block's allocator is the same at allocation and release.
unsafe impl GlobalAlloc for ServerAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        match server_fns() {
            // SAFETY: RedisModule_Alloc behaves as malloc.
            Some((alloc, _, _)) if layout.align() <= SERVER_ALIGN => unsafe { alloc(layout.size()).cast() },
            // SAFETY: forwarding the caller's valid layout.
            _ => unsafe { System.alloc(layout) },
        }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        match server_fns() {
            // SAFETY: the block came from RedisModule_Alloc/Realloc (same rule as alloc).
            Some((_, _, free)) if layout.align() <= SERVER_ALIGN => unsafe { free(ptr.cast()) },
            // SAFETY: the block came from System with this layout.
            _ => unsafe { System.dealloc(ptr, layout) },
        }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        match server_fns() {
            // SAFETY: the block came from RedisModule_Alloc/Realloc; realloc keeps alignment.
            Some((_, realloc, _)) if layout.align() <= SERVER_ALIGN => unsafe { realloc(ptr.cast(), new_size).cast() },
            // SAFETY: the block came from System with this layout.
            _ => unsafe { System.realloc(ptr, layout, new_size) },
        }
    }
}
