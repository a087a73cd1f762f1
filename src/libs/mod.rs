//! The libraries Redis bundles with its Lua, written in Rust to behave exactly like Redis's
//! C versions: cjson, cmsgpack, struct and bit.

pub mod bit;
pub mod cjson;
pub mod cmsgpack;
mod key_cache;
mod layout;
pub mod structlib;
