//! luax: Redis's Lua scripting (EVAL, EVALSHA, EVAL_RO, EVALSHA_RO, SCRIPT) as a module,
//! served by its own embedded Lua 5.1.
//!
//! Map of the crate, outermost first (dependencies point down):
//! * [`commands`]: the LUAX.* commands; argument parsing and replies only.
//! * [`engine`]: the script dictionary (a registry: the bounded EVAL cache, the records
//!   saved with the dataset), script flags, the checks before and during a run, busy/kill
//!   state. Talks to Redis through its `Server` trait.
//! * [`redis`]: the module API (the only place calling it), the `Server` implementation,
//!   command registration.
//! * [`lua`]: the VM as Redis builds it: sandbox, the `redis` API, hook, error replies.
//!   `lua::state` is the only place calling the Lua C API.
//! * [`convert`]: Redis reply ⇄ Lua value, RESP2 and RESP3.
//! * [`libs`]: cjson, cmsgpack, struct and bit, behaving as Redis's C versions.
//! * [`error`]: every error text.

pub mod commands;
pub mod convert;
pub mod engine;
pub mod error;
pub mod libs;
pub mod lua;
pub mod module;
pub mod redis;

/// Rust allocations go to the server's allocator when loaded in Redis (tests use the system's).
#[cfg(not(test))]
#[global_allocator]
static ALLOCATOR: redis::alloc::ServerAllocator = redis::alloc::ServerAllocator;
