//! Conversions between Redis replies and Lua values, RESP2 and RESP3.

pub mod sink;
pub mod to_lua;
pub mod to_reply;
