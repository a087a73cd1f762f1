//! `cmsgpack.pack(v1, ...)`.

use std::cell::Cell;
use std::ffi::c_int;

use super::ensure_stack;
use crate::lua::callback::{LuaResult, Raise};
use crate::lua::state::{Lua, Type};
use crate::util::numfmt::c_double_to_i64;

/// Tables nested deeper than this are packed as nil (so self-references terminate).
const MAX_NESTING: u32 = 16;

const MAP_CHECK: &str = "in function mp_encode_lua_table_as_map";

/// Largest output buffer kept for the next call.
const KEEP_BUFFER: usize = 1 << 20;

thread_local! {
    // Taken out while in use, so a Lua error unwinding past us only loses the buffer.
    static BUFFER: Cell<Vec<u8>> = const { Cell::new(Vec::new()) };
}

pub fn pack(lua: &mut Lua) -> LuaResult<c_int> {
    let nargs = lua.top();
    if nargs == 0 {
        return Err(Raise::arg(0, "MessagePack pack needs input."));
    }
    // The C version keeps one result string per argument on the stack until it concatenates
    // them, so it needs (and checks for) room for `nargs` more slots.
    if !lua.check_stack(nargs) {
        return Err(Raise::arg(0, "Too many arguments for MessagePack pack."));
    }
    let mut enc = Encoder { lua, out: Packed(BUFFER.take()), phantom: 0, ensured: nargs + nargs };
    enc.out.0.clear();
    for i in 1..=nargs {
        // Results of the previous arguments, which we do not push: they count for the
        // stack checks.
        enc.phantom = i - 1;
        if let Err(e) = enc.value(i, 0) {
            BUFFER.set(enc.out.0);
            return Err(e);
        }
    }
    enc.lua.push_bytes(&enc.out.0);
    if enc.out.0.capacity() <= KEEP_BUFFER {
        BUFFER.set(enc.out.0);
    }
    Ok(1)
}

struct Encoder<'l> {
    lua: &'l mut Lua,
    out: Packed,
    /// Stack slots the C version would be using on top of ours.
    phantom: c_int,
    /// Stack height up to which a `lua_checkstack` has succeeded during this call.
    ensured: c_int,
}

impl Encoder<'_> {
    /// `luaL_checkstack` as the C version would call it at the current stack height.
    #[inline]
    fn check_stack(&mut self, n: c_int, what: &'static str) -> LuaResult<()> {
        self.room(n + self.phantom, what)
    }

    /// `luaL_checkstack(size)` at our stack height.
    #[inline]
    fn room(&mut self, size: c_int, what: &'static str) -> LuaResult<()> {
        ensure_stack(self.lua, &mut self.ensured, size, what)
    }

    /// Encodes the value at `idx`. Tables are walked from the top of the stack, where the C
    /// version has them, so a table elsewhere is first copied there.
    fn value(&mut self, idx: c_int, level: u32) -> LuaResult<()> {
        if self.leaf(idx) {
            return self.nested(idx, level);
        }
        Ok(())
    }

    /// Encodes the value at `idx` unless it is a table; returns whether it is one.
    #[inline(always)]
    fn leaf(&mut self, idx: c_int) -> bool {
        match self.lua.type_of(idx) {
            Type::Number => self.out.number(self.lua.to_number(idx)),
            // A string: bytes_at converts nothing.
            Type::String => self.out.bytes(self.lua.bytes_at(idx).unwrap_or_default()),
            Type::Boolean => self.out.0.push(if self.lua.to_boolean(idx) { 0xc3 } else { 0xc2 }),
            Type::Table => return true,
            _ => self.out.0.push(0xc0),
        }
        false
    }

    /// The table at `idx`, `level` tables deep.
    fn nested(&mut self, idx: c_int, level: u32) -> LuaResult<()> {
        if level >= MAX_NESTING {
            self.out.0.push(0xc0);
            return Ok(());
        }
        if idx == -1 {
            return self.table(level);
        }
        self.lua.push_value(idx);
        let r = self.table(level);
        self.lua.pop(1);
        r
    }

    /// The table on top of the stack: an array if its keys are exactly 1..N, else a map.
    fn table(&mut self, level: u32) -> LuaResult<()> {
        self.check_stack(2, "in function table_is_an_array")?;
        let t = self.lua.top();
        self.lua.push_nil();
        let mut count: i32 = 0;
        let mut max: i32 = 0;
        while self.lua.next(t) {
            match array_index(self.lua) {
                Some(k) => {
                    self.lua.pop(1);
                    count += 1;
                    max = max.max(k);
                }
                None if count == 0 => {
                    // A map, and its first pair is already on the stack: encode from there.
                    // The check is the one the C version makes with the table on top.
                    self.room(3 + self.phantom - 2, MAP_CHECK)?;
                    return self.map(t, level);
                }
                None => {
                    self.lua.pop(2);
                    self.check_stack(3, MAP_CHECK)?;
                    return self.map_from_start(t, level);
                }
            }
        }
        if count != max {
            self.check_stack(3, MAP_CHECK)?;
            return self.map_from_start(t, level);
        }
        // Keys are exactly 1..count: that is also the length (`lua_objlen`) the C version
        // uses, and every slot is set, so raw reads see what its `lua_gettable` sees.
        self.out.array_header(count as u64);
        for j in 1..=count {
            self.lua.raw_geti(t, j);
            if self.leaf(-1) {
                self.nested(-1, level + 1)?;
            }
            self.lua.pop(1);
        }
        Ok(())
    }

    /// Encodes the map at `t` in `next` order, from its first pair.
    fn map_from_start(&mut self, t: c_int, level: u32) -> LuaResult<()> {
        self.lua.push_nil();
        if self.lua.next(t) {
            return self.map(t, level);
        }
        self.out.0.push(0x80);
        Ok(())
    }

    /// Encodes the map at `t` in `next` order, its first pair on the stack. The pair count is
    /// only known at the end (the C version counts in an extra pass), so the header is
    /// patched in afterwards.
    fn map(&mut self, t: c_int, level: u32) -> LuaResult<()> {
        let header = self.out.0.len();
        self.out.0.push(0x80);
        let mut n: u64 = 0;
        loop {
            // Stack: key, value; the C version encodes a copy of the key pushed on top.
            n += 1;
            if self.leaf(-2) {
                self.nested(-2, level + 1)?;
            }
            if self.leaf(-1) {
                self.nested(-1, level + 1)?;
            }
            self.lua.pop(1);
            if !self.lua.next(t) {
                break;
            }
        }
        self.out.patch_map_header(header, n);
        Ok(())
    }
}

/// The MessagePack bytes written so far.
struct Packed(Vec<u8>);

impl Packed {
    fn patch_map_header(&mut self, at: usize, n: u64) {
        if n <= 15 {
            self.0[at] = 0x80 | n as u8;
            return;
        }
        let mut head = [0u8; 5];
        let head: &[u8] = if n <= 0xffff {
            head[0] = 0xde;
            head[1..3].copy_from_slice(&(n as u16).to_be_bytes());
            &head[..3]
        } else {
            head[0] = 0xdf;
            head[1..5].copy_from_slice(&(n as u32).to_be_bytes());
            &head
        };
        let extra = head.len() - 1;
        let old_len = self.0.len();
        self.0.resize(old_len + extra, 0);
        self.0.copy_within(at + 1..old_len, at + 1 + extra);
        self.0[at..at + head.len()].copy_from_slice(head);
    }

    fn array_header(&mut self, n: u64) {
        if n <= 15 {
            self.0.push(0x90 | n as u8);
        } else if n <= 0xffff {
            self.0.push(0xdc);
            self.0.extend_from_slice(&(n as u16).to_be_bytes());
        } else {
            self.0.push(0xdd);
            // The C code writes the low 32 bits whatever the size.
            self.0.extend_from_slice(&(n as u32).to_be_bytes());
        }
    }

    #[inline(always)]
    fn bytes(&mut self, s: &[u8]) {
        let len = s.len();
        let out = &mut self.0;
        out.reserve(len.saturating_add(5));
        if len < 32 {
            out.push(0xa0 | len as u8);
        } else if len <= 0xff {
            out.extend_from_slice(&[0xd9, len as u8]);
        } else if len <= 0xffff {
            out.push(0xda);
            out.extend_from_slice(&(len as u16).to_be_bytes());
        } else {
            out.push(0xdb);
            out.extend_from_slice(&(len as u32).to_be_bytes());
        }
        out.extend_from_slice(s);
    }

    #[inline(always)]
    fn number(&mut self, d: f64) {
        // An integer iff C's (int64_t) cast gives it back: 2^63 converts to INT64_MIN on
        // x86-64, so it is packed as a float.
        let i = c_double_to_i64(d);
        if i as f64 == d {
            self.int(i);
            return;
        }
        let f = d as f32;
        if f64::from(f) == d {
            self.0.push(0xca);
            self.0.extend_from_slice(&f.to_bits().to_be_bytes());
        } else {
            self.0.push(0xcb);
            self.0.extend_from_slice(&d.to_bits().to_be_bytes());
        }
    }

    fn int(&mut self, n: i64) {
        let out = &mut self.0;
        if n >= 0 {
            if n <= 127 {
                out.push(n as u8);
            } else if n <= 0xff {
                out.extend_from_slice(&[0xcc, n as u8]);
            } else if n <= 0xffff {
                out.push(0xcd);
                out.extend_from_slice(&(n as u16).to_be_bytes());
            } else if n <= 0xffff_ffff {
                out.push(0xce);
                out.extend_from_slice(&(n as u32).to_be_bytes());
            } else {
                out.push(0xcf);
                out.extend_from_slice(&n.to_be_bytes());
            }
        } else if n >= -32 {
            out.push(n as u8);
        } else if n >= -128 {
            out.extend_from_slice(&[0xd0, n as u8]);
        } else if n >= -32768 {
            out.push(0xd1);
            out.extend_from_slice(&(n as i16).to_be_bytes());
        } else if n >= -2_147_483_648 {
            out.push(0xd2);
            out.extend_from_slice(&(n as i32).to_be_bytes());
        } else {
            out.push(0xd3);
            out.extend_from_slice(&n.to_be_bytes());
        }
    }
}

/// The key at -2 as an array index, if it is one for the C check: a number (not a numeric
/// string) that is a positive C `int`.
#[inline]
fn array_index(lua: &Lua) -> Option<i32> {
    if lua.type_of(-2) != Type::Number {
        return None;
    }
    let n = lua.to_number(-2);
    if n > 0.0 && n <= i32::MAX as f64 && n.trunc() == n {
        Some(n as i32)
    } else {
        None
    }
}
