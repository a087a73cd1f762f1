//! luax: Redis's Lua scripting (EVAL, EVALSHA, EVAL_RO, EVALSHA_RO, SCRIPT) as a module,
//! served by its own embedded Lua 5.1.
//!
//! Map of the crate, outermost first; each layer uses only those below it:
//! * [`module`]: load (arguments, engine, command registration, drop-in, cluster registry).
//! * [`commands`]: the LUAX.* commands and the cluster registry's messages; argument parsing
//!   and replies, the work done by the engine.
//! * [`redis`]: the module API (`redis::api` is the only code calling it), the engine's
//!   `Server` over Redis, reply sinks, the drop-in filter and its ACL check, the registry's
//!   RDB records and propagation, INFO.
//! * [`engine`]: the script registry (the bounded EVAL cache, what is saved, the cluster
//!   registry's rules), flags, the checks before and during a run, busy and kill state,
//!   counters and per-script statistics. Reaches Redis through its `Server` trait (faked in
//!   its tests).
//! * [`vm`]: the Lua VM as Redis builds it: sandbox, the `redis` library, hook, error replies.
//! * [`convert`]: Redis reply ⇄ Lua value, RESP2 and RESP3.
//! * [`libs`]: cjson, cmsgpack, struct and bit, behaving as Redis's C versions.
//! * [`lua`]: Lua 5.1 bindings (`lua::state` is the only code calling the Lua C API; its
//!   handle lends string slices that the borrow checker ends before any pop); a leaf but for
//!   `util` and `error`.
//! * [`util`]: number formats, integer parsing, C strings, SHA1 names.
//! * [`error`]: every error text.
//!
//! Test-only edge: the unit tests of `libs` run Lua through `vm::testing`.
//!
//! `unsafe` is denied everywhere but at the FFI edges: `redis::api` (the module API),
//! `redis::alloc` (the global allocator), `lua::state` (the Lua C API), `vm::host` (the
//! running script's host, reached from Lua callbacks) and `module`'s `RedisModule_OnLoad`.

#![deny(unsafe_code)]

mod commands;
mod convert;
mod engine;
mod error;
mod libs;
mod lua;
mod module;
mod redis;
mod util;
mod vm;

/// Rust allocations go to the server's allocator when loaded in Redis (tests use the system's).
#[cfg(not(test))]
#[global_allocator]
static ALLOCATOR: redis::alloc::ServerAllocator = redis::alloc::ServerAllocator;
