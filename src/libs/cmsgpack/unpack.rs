//! `cmsgpack.unpack(s)`, `cmsgpack.unpack_one(s [, offset])`,
//! `cmsgpack.unpack_limit(s, limit [, offset])`.

use std::ffi::c_int;

use super::ensure_stack;
use crate::libs::key_cache::{same_bytes, KeyCache};
use crate::libs::layout::{lua_hash, Planner, MAX_KEYS};
use crate::lua::args::{check_bytes, check_integer, check_stack, opt_integer};
use crate::lua::callback::{LuaResult, Raise};
use crate::lua::state::{Lua, Pinned, Type};

const TOO_MANY: &str = "too many return values at once; use unpack_one or unpack_limit instead.";

/// Arrays up to this length get their final array part up front (see `Decoder::open_array`).
const PRESIZE_MAX: u32 = 1 << 12;

pub fn unpack(lua: &mut Lua) -> LuaResult<c_int> {
    unpack_full(lua, 0, 0)
}

pub fn unpack_one(lua: &mut Lua) -> LuaResult<c_int> {
    let offset = opt_integer(lua, 2, 0)?;
    keep_first_arg(lua);
    unpack_full(lua, 1, offset)
}

pub fn unpack_limit(lua: &mut Lua) -> LuaResult<c_int> {
    let limit = check_integer(lua, 2)?;
    let offset = opt_integer(lua, 3, 0)?;
    keep_first_arg(lua);
    unpack_full(lua, limit, offset)
}

/// The C functions drop the optional arguments before decoding: they would take stack room.
fn keep_first_arg(lua: &mut Lua) {
    if lua.top() > 1 {
        lua.set_top(1);
    }
}

/// Decodes from `offset` up to `limit` values and returns them after the next offset (-1
/// at the end of the input); `limit == 0 && offset == 0` decodes everything and returns the
/// values alone.
fn unpack_full(lua: &mut Lua, limit: i64, offset: i64) -> LuaResult<c_int> {
    let decode_all = limit == 0 && offset == 0;
    // A number at index 1 becomes a string, which stays there while the tables are built
    // above it.
    let len = check_bytes(lua, 1)?.len();
    let Some((input, stack)) = lua.pin_string(1) else {
        return Err(Raise::type_error(lua, 1, "string"));
    };
    // The messages print C ints, and the first one prints the length as the limit.
    if offset < 0 || limit < 0 {
        return Err(Raise::located(format!(
            "Invalid request to unpack with offset of {} and limit of {}.",
            offset as i32, len as i32
        )));
    }
    if offset as u64 > len as u64 {
        return Err(Raise::located(format!(
            "Start offset {} greater than input length {}.",
            offset as i32, len as i32
        )));
    }
    let limit = if decode_all { i64::from(i32::MAX) } else { limit };
    let mut dec = Decoder {
        lua: stack,
        input,
        pos: offset as usize,
        frames: Vec::new(),
        open_arrays: 0,
        ensured: 0,
        keys: [(0, 0); MAX_KEYS],
        planner: Planner::new(),
        last_keys: [(0, 0); MAX_KEYS],
        last_len: 0,
        last_order: [0; MAX_KEYS],
        cache: KeyCache::new(),
    };
    let mut count: c_int = 0;
    while dec.pos < len && i64::from(count) < limit {
        match dec.value() {
            Ok(()) => {}
            Err(Fail::Eof) => return Err(Raise::located("Missing bytes in input.")),
            Err(Fail::BadFormat) => return Err(Raise::located("Bad data format in input.")),
            Err(Fail::Lua(raise)) => return Err(raise),
        }
        count += 1;
    }
    let Decoder { lua: mut stack, pos, .. } = dec;
    if !decode_all {
        check_stack(&stack, 1, "in function mp_unpack_full")?;
        stack.push_number(if pos == len { -1.0 } else { pos as f64 });
        stack.insert(2);
        count += 1;
    }
    Ok(count)
}

enum Fail {
    /// "Missing bytes in input."
    Eof,
    /// "Bad data format in input."
    BadFormat,
    Lua(Raise),
}

impl From<Raise> for Fail {
    fn from(r: Raise) -> Fail {
        Fail::Lua(r)
    }
}

/// A table being filled; its table is on the Lua stack, below its pending children.
struct Frame {
    remaining: u32,
    state: State,
}

enum State {
    /// Next index to set; `presized` while the table has its final array part.
    Array { next: u64, presized: bool },
    /// Map waiting for a key.
    Key,
    /// Map with its key on the stack, waiting for the value.
    Value,
}

struct Decoder<'a> {
    /// The stack above the input string (argument 1).
    lua: Pinned<'a>,
    input: &'a [u8],
    pos: usize,
    /// Open tables, innermost last: the nesting lives here, not on the Rust stack.
    frames: Vec<Frame>,
    /// Arrays in `frames`. For each, the C version keeps the element index on the Lua stack
    /// while it decodes the element; we set by index instead, so stack checks add these slots.
    open_arrays: c_int,
    /// Stack height up to which a `lua_checkstack` has succeeded during this call: asking
    /// again for room below it cannot fail and changes nothing, so it is not asked.
    ensured: c_int,
    /// Scratch for `flat_map`: where each pair's key bytes are (its value follows them).
    keys: [(usize, usize); MAX_KEYS],
    planner: Planner,
    /// The keys and fill order of the last map built by `flat_map`: maps in a list often
    /// have the same keys, which then need neither hashing nor planning again.
    last_keys: [(usize, usize); MAX_KEYS],
    last_len: usize,
    last_order: [u8; MAX_KEYS],
    /// Key strings of the maps in the innermost array, while its elements are flat maps or
    /// scalars.
    cache: KeyCache,
}

impl<'a> Decoder<'a> {
    /// Decodes one complete value (with everything nested in it) onto the stack.
    fn value(&mut self) -> Result<(), Fail> {
        loop {
            if self.item()? {
                continue;
            }
            // A value is complete: store it in its parents, closing those it fills.
            if !self.attach()? {
                return Ok(());
            }
        }
    }

    /// `luaL_checkstack(n)` at the current height.
    #[inline]
    fn need(&mut self, n: c_int, what: &'static str) -> Result<(), Fail> {
        Ok(ensure_stack(&self.lua, &mut self.ensured, n, what)?)
    }

    /// Bytes `pos..pos + n`, consumed; `Eof` if the input is shorter.
    #[inline]
    fn take(&mut self, n: usize) -> Result<&'a [u8], Fail> {
        let end = self.pos.checked_add(n).filter(|&e| e <= self.input.len()).ok_or(Fail::Eof)?;
        let bytes: &'a [u8] = &self.input[self.pos..end];
        self.pos = end;
        Ok(bytes)
    }

    /// Decodes one item. A scalar or an empty table is pushed complete (false); a non-empty
    /// table is pushed and opened, its children come next (true).
    fn item(&mut self) -> Result<bool, Fail> {
        let Some(&tag) = self.input.get(self.pos) else {
            return Err(Fail::Eof);
        };
        self.need(1 + self.open_arrays, TOO_MANY)?;
        match tag {
            0x80..=0x8f => {
                self.pos += 1;
                self.open_map(u32::from(tag & 0x0f))
            }
            0x90..=0x9f => {
                self.pos += 1;
                self.open_array(u32::from(tag & 0x0f))
            }
            0xdc | 0xdd => {
                let size = if tag == 0xdc { 3 } else { 5 };
                let len = self.header(size)?;
                self.pos += size;
                self.open_array(len as u32)
            }
            0xde | 0xdf => {
                let size = if tag == 0xde { 3 } else { 5 };
                let len = self.header(size)?;
                self.pos += size;
                self.open_map(len as u32)
            }
            _ => {
                self.scalar(tag)?;
                Ok(false)
            }
        }
    }

    /// Pushes the item at `pos` (with tag `tag`), which is not a table.
    fn scalar(&mut self, tag: u8) -> Result<(), Fail> {
        match tag {
            0x00..=0x7f => {
                self.lua.push_number(f64::from(tag));
                self.pos += 1;
            }
            0xa0..=0xbf => self.string(1, usize::from(tag & 0x1f))?,
            0xc0 => {
                self.lua.push_nil();
                self.pos += 1;
            }
            0xc2 | 0xc3 => {
                self.lua.push_bool(tag == 0xc3);
                self.pos += 1;
            }
            0xca => {
                let b = self.take(5)?;
                self.lua.push_number(widen(f32::from_bits(be32(&b[1..]))));
            }
            0xcb => {
                let b = self.take(9)?;
                self.lua.push_number(f64::from_bits(be64(&b[1..])));
            }
            0xcc => {
                let b = self.take(2)?;
                self.lua.push_number(f64::from(b[1]));
            }
            0xcd => {
                let b = self.take(3)?;
                self.lua.push_number(f64::from(u16::from_be_bytes([b[1], b[2]])));
            }
            0xce => {
                let b = self.take(5)?;
                self.lua.push_number(f64::from(be32(&b[1..])));
            }
            // Both 64-bit kinds go through a signed 64-bit integer, so uint64 values of 2^63
            // and more come out negative, as in the C version.
            0xcf | 0xd3 => {
                let b = self.take(9)?;
                self.lua.push_number(be64(&b[1..]) as i64 as f64);
            }
            0xd0 => {
                let b = self.take(2)?;
                self.lua.push_number(f64::from(b[1] as i8));
            }
            0xd1 => {
                let b = self.take(3)?;
                self.lua.push_number(f64::from(i16::from_be_bytes([b[1], b[2]])));
            }
            0xd2 => {
                let b = self.take(5)?;
                self.lua.push_number(f64::from(be32(&b[1..]) as i32));
            }
            0xd9 => {
                let len = self.header(2)?;
                self.string(2, len)?;
            }
            0xda => {
                let len = self.header(3)?;
                self.string(3, len)?;
            }
            0xdb => {
                let len = self.header(5)?;
                self.string(5, len)?;
            }
            0xe0..=0xff => {
                self.lua.push_number(f64::from(tag as i8));
                self.pos += 1;
            }
            // 0xc1 (never used), bin 8/16/32, ext and fixext: not supported by the C version;
            // tables are not for here.
            _ => return Err(Fail::BadFormat),
        }
        Ok(())
    }

    /// The big-endian length in the `size - 1` bytes after the tag (not consumed).
    fn header(&self, size: usize) -> Result<usize, Fail> {
        let b = self.input.get(self.pos + 1..self.pos + size).ok_or(Fail::Eof)?;
        Ok(b.iter().fold(0usize, |acc, &x| (acc << 8) | usize::from(x)))
    }

    /// A string of `len` bytes after a `head`-byte header.
    fn string(&mut self, head: usize, len: usize) -> Result<(), Fail> {
        let bytes = self.take(head.checked_add(len).ok_or(Fail::Eof)?)?;
        self.lua.push_bytes(&bytes[head..]);
        Ok(())
    }

    /// Pushes a new table for `len` elements; true if elements follow.
    ///
    /// The C version starts from an empty table and lets Lua grow it element by element.
    /// With elements 1..n all non-nil that ends with an array part of the next power of two
    /// and no hash part, so we allocate that at once (capped, and only when the input can
    /// hold `len` elements). A nil element breaks the pattern: see `unpresize`.
    fn open_array(&mut self, len: u32) -> Result<bool, Fail> {
        self.cache.close(&mut self.lua);
        let left = self.input.len() - self.pos;
        let presized = len > 0 && len <= PRESIZE_MAX && len as usize <= left;
        let narr = if presized { len.next_power_of_two() as c_int } else { 0 };
        self.lua.create_table(narr, 0);
        self.need(1 + self.open_arrays, "in function mp_decode_to_lua_array")?;
        if len == 0 {
            return Ok(false);
        }
        self.frames.push(Frame { remaining: len, state: State::Array { next: 1, presized } });
        self.open_arrays += 1;
        Ok(true)
    }

    /// Pushes a new, empty table for `len` pairs (inserted as decoded, like the C version:
    /// the hash layout, hence `pairs()` order, depends on the insertion history); true if
    /// pairs follow.
    fn open_map(&mut self, len: u32) -> Result<bool, Fail> {
        if len > 0 && len as usize <= MAX_KEYS && self.flat_map(len as usize)? {
            return Ok(false);
        }
        self.cache.close(&mut self.lua);
        self.lua.create_table(0, 0);
        if len == 0 {
            return Ok(false);
        }
        self.frames.push(Frame { remaining: len, state: State::Key });
        Ok(true)
    }

    /// A map of `n` (at most `MAX_KEYS`) pairs of string keys with differing hashes and
    /// values that are neither nil nor tables, all present in the input: pushed complete,
    /// as a table built at its final size with the layout pair-by-pair insertion gives (see
    /// `cjson::layout`), and true returned. Otherwise nothing is consumed and false returned,
    /// for the general path (errors included).
    fn flat_map(&mut self, n: usize) -> Result<bool, Fail> {
        let input = self.input;
        if n > MAX_KEYS {
            return Ok(false);
        }
        // Whether the keys so far are those of the last map (then not yet hashed).
        let mut same = n == self.last_len;
        let mut pos = self.pos;
        for i in 0..n {
            let Some((start, end)) = string_at(input, pos) else {
                return Ok(false);
            };
            let Some(next) = scalar_end(input, end) else {
                return Ok(false);
            };
            self.keys[i] = (start, end);
            pos = next;
            if same {
                let (a, b) = self.last_keys[i];
                if b - a == end - start && same_bytes(input, a, start, end - start) {
                    continue;
                }
                same = false;
                self.planner.clear();
                for &(a, b) in &self.keys[..i] {
                    // Distinct: they are the last map's keys.
                    self.planner.add(lua_hash(&input[a..b]));
                }
            } else if i == 0 {
                self.planner.clear();
            }
            if !self.planner.add(lua_hash(&input[start..end])) {
                return Ok(false);
            }
        }
        let order = if same {
            self.last_order
        } else {
            let Some((order, _)) = self.planner.order() else {
                return Ok(false);
            };
            order
        };
        // The general path checks for one slot (plus the array indices the C version keeps)
        // before each key with the table on top, and before each value with the key above
        // it: room for the table, a key and a value here means every one of those passes.
        // Otherwise the general path raises where the C version does.
        let room = 3 + self.open_arrays;
        let top = self.lua.top();
        let list = matches!(self.frames.last(), Some(f) if f.remaining >= 2 && matches!(f.state, State::Array { .. }));
        if list && !self.cache.is_open() {
            // An element of a list with more to come: start a key cache, if there is room
            // for it on top of everything this and the next elements need.
            let slots = n as c_int;
            if top + slots + room <= self.ensured || self.lua.check_stack(slots + room) {
                self.ensured = self.ensured.max(top + slots + room);
                self.cache.open(&mut self.lua, n);
            }
        }
        let top = self.lua.top();
        if top + room > self.ensured {
            if !self.lua.check_stack(room) {
                return Ok(false);
            }
            self.ensured = top + room;
        }
        self.lua.create_table(0, n as c_int);
        for &i in &order[..n] {
            let i = usize::from(i);
            let Some(&(start, end)) = self.keys.get(i) else {
                continue;
            };
            self.cache.push_key(&mut self.lua, input, i, start, end);
            // The value, checked complete above; the usual kinds directly.
            match input.get(end).copied().ok_or(Fail::Eof)? {
                tag @ 0x00..=0x7f => self.lua.push_number(f64::from(tag)),
                tag @ 0xa0..=0xbf => {
                    let from = end + 1;
                    self.lua.push_bytes(input.get(from..from + usize::from(tag & 0x1f)).ok_or(Fail::Eof)?);
                }
                0xca => {
                    self.lua.push_number(widen(f32::from_bits(be32(input.get(end + 1..end + 5).ok_or(Fail::Eof)?))))
                }
                0xcb => self.lua.push_number(f64::from_bits(be64(input.get(end + 1..end + 9).ok_or(Fail::Eof)?))),
                tag => {
                    self.pos = end;
                    self.scalar(tag)?;
                }
            }
            self.lua.raw_set(-3);
        }
        self.pos = pos;
        self.last_keys[..n].copy_from_slice(&self.keys[..n]);
        self.last_len = n;
        self.last_order = order;
        Ok(true)
    }

    /// Stores the complete value on top into the innermost open table, closing every table
    /// this completes. Returns whether more input belongs to an open table.
    fn attach(&mut self) -> Result<bool, Fail> {
        loop {
            let Some(frame) = self.frames.last_mut() else {
                return Ok(false);
            };
            match &mut frame.state {
                State::Array { next, presized } => {
                    let index = *next;
                    *next += 1;
                    if *presized && self.lua.is_nil(-1) {
                        *presized = false;
                        self.cache.close_under_top(&mut self.lua);
                        unpresize(&mut self.lua, index);
                    }
                    match c_int::try_from(index) {
                        Ok(i) if self.cache.is_open() => self.lua.raw_seti(self.cache.table(), i),
                        _ => {
                            self.cache.close_under_top(&mut self.lua);
                            set_index(&mut self.lua, index);
                        }
                    }
                }
                State::Key => {
                    frame.state = State::Value;
                    return Ok(true);
                }
                State::Value => {
                    // Stack: table, key, value. Check what lua_settable would raise on.
                    match self.lua.type_of(-2) {
                        Type::Nil => return Err(raise_plain(&self.lua, "table index is nil")),
                        Type::Number if self.lua.to_number(-2).is_nan() => {
                            return Err(raise_plain(&self.lua, "table index is NaN"))
                        }
                        _ => {}
                    }
                    self.lua.raw_set(-3);
                    frame.state = State::Key;
                }
            }
            frame.remaining -= 1;
            if frame.remaining > 0 {
                return Ok(true);
            }
            if matches!(frame.state, State::Array { .. }) {
                self.open_arrays -= 1;
                self.cache.close(&mut self.lua);
            }
            self.frames.pop();
        }
    }
}

/// The byte range of the string item at `pos` (fixstr, str 8/16/32), if complete.
#[inline]
fn string_at(input: &[u8], pos: usize) -> Option<(usize, usize)> {
    let tag = *input.get(pos)?;
    let (head, len) = match tag {
        0xa0..=0xbf => (1, usize::from(tag & 0x1f)),
        0xd9 => (2, usize::from(*input.get(pos + 1)?)),
        0xda => (3, usize::from(u16::from_be_bytes([*input.get(pos + 1)?, *input.get(pos + 2)?]))),
        0xdb => (5, be32(input.get(pos + 1..pos + 5)?) as usize),
        _ => return None,
    };
    let start = pos + head;
    let end = start.checked_add(len).filter(|&e| e <= input.len())?;
    Some((start, end))
}

/// Where the item at `pos` ends, if it is complete and neither nil nor a table.
#[inline]
fn scalar_end(input: &[u8], pos: usize) -> Option<usize> {
    let tag = *input.get(pos)?;
    let size = match tag {
        0x00..=0x7f | 0xe0..=0xff | 0xc2 | 0xc3 => 1,
        0xcc | 0xd0 => 2,
        0xcd | 0xd1 => 3,
        0xca | 0xce | 0xd2 => 5,
        0xcb | 0xcf | 0xd3 => 9,
        0xa0..=0xbf | 0xd9..=0xdb => return string_at(input, pos).map(|(_, end)| end),
        _ => return None,
    };
    Some(pos + size).filter(|&e| e <= input.len())
}

/// `t[i] = v` for the table below the value on top; pops the value.
#[inline]
fn set_index(lua: &mut Pinned<'_>, i: u64) {
    match c_int::try_from(i) {
        Ok(i) => lua.raw_seti(-2, i),
        Err(_) => {
            lua.push_number(i as f64);
            lua.insert(-2);
            lua.raw_set(-3);
        }
    }
}

/// Stack: presized table, nil (element `next`). Replaces the table with one built from an
/// empty table by setting 1..next-1 again, which is the layout the C version has at this
/// point; later elements then go through the same growth steps as there.
fn unpresize(lua: &mut Pinned<'_>, next: u64) {
    // The nil is dropped and pushed back after, so this uses no more stack than decoding.
    lua.pop(1);
    lua.create_table(0, 0);
    // Presized arrays are at most PRESIZE_MAX long.
    let filled = c_int::try_from(next - 1).unwrap_or(0);
    for j in 1..=filled {
        lua.raw_geti(-2, j);
        lua.raw_seti(-2, j);
    }
    lua.replace(-2);
    lua.push_nil();
}

/// An error raised with a bare message, as the Lua core raises from inside a C function.
fn raise_plain(lua: &Lua, msg: &str) -> Fail {
    lua.push_str(msg);
    Fail::Lua(Raise::Pushed)
}

#[inline]
fn be32(b: &[u8]) -> u32 {
    u32::from_be_bytes([b[0], b[1], b[2], b[3]])
}

#[inline]
fn be64(b: &[u8]) -> u64 {
    u64::from_be_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]])
}

/// float to double as x86-64 converts it: NaNs keep sign and payload and become quiet.
#[inline]
fn widen(f: f32) -> f64 {
    if !f.is_nan() {
        return f64::from(f);
    }
    let b = f.to_bits();
    let sign = u64::from(b >> 31) << 63;
    let mantissa = u64::from((b & 0x007f_ffff) | 0x0040_0000) << 29;
    f64::from_bits(sign | 0x7ff0_0000_0000_0000 | mantissa)
}
