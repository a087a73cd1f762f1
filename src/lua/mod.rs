//! The Lua VM: construction and sandbox, the `redis` API, the hook, error replies.
//! `state` is the only module that calls the Lua C API.

pub mod api;
pub mod args;
pub mod callback;
pub mod errinfo;
pub mod heap;
pub mod hook;
pub mod host;
pub mod random;
pub mod sandbox;
pub mod state;
pub mod vm;

#[cfg(test)]
pub mod testing;
#[cfg(test)]
mod tests;
