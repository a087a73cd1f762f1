//! Building a string-keyed table at its final size with the node layout (hence the `pairs()`
//! order) it gets when its keys are set one by one into an empty table, as the C decoders
//! do. Used by `cjson.decode` and `cmsgpack.unpack` for small objects whose members are all
//! known before the table is made.
//!
//! Set one by one, the hash part grows through sizes 1, 2, 4, ...: each growth allocates
//! the new node array, re-inserts the old nodes from the last one to the first, then the key
//! that did not fit. The final layout is therefore that of a fresh table of the final size
//! into which those re-inserted keys and then the later ones are set, in that order. We
//! replay Lua's placement rules (main position, moving a colliding node that is not in its
//! own main position, free slot searched downwards from the end) on the intermediate sizes
//! to find the order; the table can then be created at its final size and filled in it.
//!
//! This holds for distinct string keys with non-nil values (so no slot is ever freed and
//! the array part stays empty); callers check that, and treat equal hashes as possibly equal
//! keys, falling back to the one-by-one insertion.

/// Largest number of keys handled here.
pub(crate) const MAX_KEYS: usize = 32;

const NONE: u8 = u8::MAX;

/// Lua's string hash, as Redis builds Lua (every byte hashed).
#[inline]
pub(crate) fn lua_hash(s: &[u8]) -> u32 {
    // The length seeds the hash; C truncates `size_t` to `unsigned int`.
    let mut h = s.len() as u32;
    for &c in s.iter().rev() {
        h ^= (h << 5).wrapping_add(h >> 2).wrapping_add(u32::from(c));
    }
    h
}

/// The node array of one hash part: which key (index into the hash list) each node holds,
/// the collision chains, and the free-slot cursor.
struct Nodes {
    key: [u8; MAX_KEYS],
    next: [u8; MAX_KEYS],
    size: usize,
    lastfree: usize,
}

impl Nodes {
    fn new(size: usize) -> Nodes {
        Nodes { key: [NONE; MAX_KEYS], next: [NONE; MAX_KEYS], size, lastfree: size }
    }

    /// Lua's `newkey` for a key that is not in the table and fits. False if the replay
    /// meets a state it does not expect (then the caller does not use it).
    fn insert(&mut self, hashes: &[u32], k: u8) -> bool {
        let mask = self.size - 1;
        let main = |h: &[u32], key: u8| h.get(usize::from(key)).map(|&x| x as usize & mask);
        let Some(mut mp) = main(hashes, k) else {
            return false;
        };
        if self.key[mp] != NONE {
            // getfreepos: downwards from the cursor, to the first node without a key.
            let free = loop {
                if self.lastfree == 0 {
                    return false;
                }
                self.lastfree -= 1;
                if self.key[self.lastfree] == NONE {
                    break self.lastfree;
                }
            };
            let Some(other) = main(hashes, self.key[mp]) else {
                return false;
            };
            if other != mp {
                // The occupant is not in its main position: move it to the free node, and
                // the new key takes its place.
                let mut prev = other;
                let mut steps = 0;
                while usize::from(self.next[prev]) != mp {
                    prev = usize::from(self.next[prev]);
                    steps += 1;
                    if prev >= self.size || steps > self.size {
                        return false;
                    }
                }
                self.next[prev] = free as u8;
                self.key[free] = self.key[mp];
                self.next[free] = self.next[mp];
                self.next[mp] = NONE;
            } else {
                // The occupant is at home: the new key goes to the free node, chained after it.
                self.next[free] = self.next[mp];
                self.next[mp] = free as u8;
                mp = free;
            }
        }
        self.key[mp] = k;
        true
    }
}

/// For distinct string keys with these hashes (in the order they are set one by one), fills
/// `order` with the order in which to set them into a table created with room for
/// `hashes.len()` hash entries so that it ends up laid out identically. None when there are
/// no keys or too many.
fn fill_order<'a>(hashes: &[u32], order: &'a mut [u8; MAX_KEYS]) -> Option<&'a [u8]> {
    let n = hashes.len();
    if n == 0 || n > MAX_KEYS {
        return None;
    }
    let size = n.next_power_of_two();
    // The table just before the last growth (half the final size), built by replaying every
    // earlier growth; with one key there is no earlier table.
    let mut half = Nodes::new(1);
    half.key[0] = 0;
    let mut s = 2;
    while s < size {
        let mut grown = Nodes::new(s);
        for i in (0..s / 2).rev() {
            if !grown.insert(hashes, half.key[i]) {
                return None;
            }
        }
        for k in s / 2..s {
            if !grown.insert(hashes, k as u8) {
                return None;
            }
        }
        half = grown;
        s *= 2;
    }
    let mut len = 0;
    if size == 1 {
        order[0] = 0;
        len = 1;
    } else {
        for i in (0..size / 2).rev() {
            order[len] = half.key[i];
            len += 1;
        }
        for k in size / 2..n {
            order[len] = k as u8;
            len += 1;
        }
    }
    Some(&order[..len])
}

/// Collects the key hashes of one object, checks that they differ, and gives the fill
/// order, remembering the last one computed: objects in a list often share their keys.
pub(crate) struct Planner {
    hashes: [u32; MAX_KEYS],
    len: usize,
    /// Whether the hashes so far are a prefix of the remembered ones.
    same: bool,
    memo_hashes: [u32; MAX_KEYS],
    memo_len: usize,
    memo_order: [u8; MAX_KEYS],
}

impl Planner {
    pub(crate) fn new() -> Planner {
        Planner {
            hashes: [0; MAX_KEYS],
            len: 0,
            same: true,
            memo_hashes: [0; MAX_KEYS],
            memo_len: 0,
            memo_order: [0; MAX_KEYS],
        }
    }

    /// Starts a new object.
    #[inline]
    pub(crate) fn clear(&mut self) {
        self.len = 0;
        self.same = true;
    }

    /// Adds the next key's hash; false if the key may repeat an earlier one, or if there
    /// are too many keys.
    #[inline(always)]
    pub(crate) fn add(&mut self, hash: u32) -> bool {
        let i = self.len;
        if i >= MAX_KEYS {
            return false;
        }
        // The remembered hashes all differ, so a key matching them needs no check.
        if !(self.same && i < self.memo_len && self.memo_hashes[i] == hash) {
            self.same = false;
            if self.hashes[..i].contains(&hash) {
                return false;
            }
        }
        self.hashes[i] = hash;
        self.len = i + 1;
        true
    }

    /// `fill_order` for the keys added: the order, and how much of it is used.
    #[inline]
    pub(crate) fn order(&mut self) -> Option<([u8; MAX_KEYS], usize)> {
        if !(self.same && self.len == self.memo_len) {
            self.memo_len = 0;
            let n = fill_order(&self.hashes[..self.len], &mut self.memo_order)?.len();
            self.memo_hashes[..n].copy_from_slice(&self.hashes[..n]);
            self.memo_len = n;
        }
        Some((self.memo_order, self.len))
    }
}
