//! Small helpers shared across the layers: Redis's number formats and integer parsing, the
//! C view of a byte string, script names.

pub mod integer;
pub mod numfmt;

use sha1::{Digest, Sha1};

/// Log levels as Redis numbers them (`redis.LOG_*`, `RedisModule_Log`): debug to warning.
pub const LOG_DEBUG: i32 = 0;
pub const LOG_WARNING: i32 = 3;

/// The bytes before the first NUL: what C code sees of a Lua string (Redis copies texts with
/// `sdsnew` or `strchr`/`strlen`, which stop there).
pub fn cut_at_nul(b: &[u8]) -> &[u8] {
    match b.iter().position(|&c| c == 0) {
        Some(at) => &b[..at],
        None => b,
    }
}

/// Lowercase hex SHA1, as Redis names scripts.
pub fn sha1_hex(data: &[u8]) -> [u8; 40] {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let digest = Sha1::digest(data);
    let mut out = [0u8; 40];
    for (i, b) in digest.iter().enumerate() {
        out[i * 2] = HEX[usize::from(b >> 4)];
        out[i * 2 + 1] = HEX[usize::from(b & 0xf)];
    }
    out
}
