//! Lua 5.1 bindings: the state and its C API (`state`, the only module that calls it), Rust
//! functions as Lua C functions (`callback`), argument checks as lauxlib makes them (`args`),
//! and the heap with its ceiling (`heap`). Knows nothing of Redis.

pub mod args;
pub mod callback;
pub mod heap;
#[allow(unsafe_code)]
pub mod state;

#[cfg(test)]
mod tests;
