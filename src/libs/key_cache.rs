//! Key strings shared by the small objects of a list, as `cjson.decode` and
//! `cmsgpack.unpack` build them: objects in a list often have the same keys, and pushing a
//! copy of a string already on the stack is much cheaper than making it again.
//!
//! While a list's elements are decoded, the cache keeps one stack slot per key position
//! right above the list's table (so the list is set through [`KeyCache::table`]). The
//! decoders open it only with room for everything the elements need, so every stack check
//! meanwhile passes, as it does in the C versions, which have these slots free; anything
//! else decoded in the list closes it first.

use std::ffi::c_int;

use super::layout::MAX_KEYS;
use crate::lua::state::Pinned;

pub(crate) struct KeyCache {
    /// Stack index of the first slot.
    base: c_int,
    /// Slots in use; none while the cache is closed.
    slots: usize,
    /// The input bytes `start..end` whose string each filled slot holds.
    keys: [(usize, usize); MAX_KEYS],
    /// Bit `i` set: slot `i` holds a key.
    filled: u32,
}

impl KeyCache {
    pub(crate) fn new() -> KeyCache {
        KeyCache { base: 0, slots: 0, keys: [(0, 0); MAX_KEYS], filled: 0 }
    }

    #[inline]
    pub(crate) fn is_open(&self) -> bool {
        self.slots > 0
    }

    /// Stack index of the list's table, right below the slots (while open).
    #[inline]
    pub(crate) fn table(&self) -> c_int {
        self.base - 1
    }

    /// Pushes `n` empty slots on top of the list's table; the caller has made room for them.
    pub(crate) fn open(&mut self, lua: &mut Pinned<'_>, n: usize) {
        self.base = lua.top() + 1;
        for _ in 0..n {
            lua.push_nil();
        }
        self.slots = n;
        self.filled = 0;
    }

    /// Removes the slots, with nothing above them on the stack.
    #[inline]
    pub(crate) fn close(&mut self, lua: &mut Pinned<'_>) {
        if self.slots > 0 {
            lua.set_top(self.base - 1);
            self.slots = 0;
        }
    }

    /// Removes the slots from below the value on top of the stack.
    #[inline]
    pub(crate) fn close_under_top(&mut self, lua: &mut Pinned<'_>) {
        if self.slots > 0 {
            lua.replace(self.base);
            lua.set_top(self.base);
            self.slots = 0;
        }
    }

    /// Pushes the key at position `i` of an object, the bytes `input[start..end]`: a copy of
    /// slot `i` if that holds the same bytes, else a new string, kept in the slot if there
    /// is one.
    #[inline]
    pub(crate) fn push_key(&mut self, lua: &mut Pinned<'_>, input: &[u8], i: usize, start: usize, end: usize) {
        if i >= self.slots {
            lua.push_bytes(&input[start..end]);
            return;
        }
        let slot = self.base + i as c_int;
        let (a, b) = self.keys[i];
        if self.filled & (1 << i) != 0 && b - a == end - start && same_bytes(input, a, start, end - start) {
            lua.push_value(slot);
        } else {
            lua.push_bytes(&input[start..end]);
            lua.push_value(-1);
            lua.replace(slot);
            self.keys[i] = (start, end);
            self.filled |= 1 << i;
        }
    }
}

/// Whether the `len` bytes at `a` and at `b` are equal; up to eight compared as one word.
#[inline]
pub(crate) fn same_bytes(input: &[u8], a: usize, b: usize, len: usize) -> bool {
    let word = |at: usize| {
        let mut w = [0u8; 8];
        w.copy_from_slice(input.get(at..at + 8)?);
        Some(u64::from_le_bytes(w))
    };
    if len <= 8 {
        if let (Some(x), Some(y)) = (word(a), word(b)) {
            let mask = if len == 0 { 0 } else { u64::MAX >> (64 - 8 * len) };
            return (x ^ y) & mask == 0;
        }
    }
    input.get(a..a + len) == input.get(b..b + len)
}

#[cfg(test)]
mod tests {
    #[test]
    fn same_bytes_compares_exactly() {
        let input: Vec<u8> = (0..64u8).map(|i| [b'a', b'b', b'c'][usize::from(i % 3)] ^ (i / 21)).collect();
        for len in 0..=12 {
            for a in 0..input.len() {
                for b in 0..input.len() {
                    let want = match (input.get(a..a + len), input.get(b..b + len)) {
                        (Some(x), Some(y)) => x == y,
                        (x, y) => x == y,
                    };
                    assert_eq!(super::same_bytes(&input, a, b, len), want, "{a} {b} {len}");
                }
            }
        }
    }
}
