//! Conversions between Redis replies and Lua values, RESP2 and RESP3.

pub mod integer;
pub mod numfmt;
pub mod sink;
pub mod to_lua;
pub mod to_reply;

/// The bytes before the first NUL: what C code sees of a Lua string (Redis copies texts with
/// `sdsnew` or `strchr`/`strlen`, which stop there).
pub fn cut_at_nul(b: &[u8]) -> &[u8] {
    match b.iter().position(|&c| c == 0) {
        Some(at) => &b[..at],
        None => b,
    }
}
