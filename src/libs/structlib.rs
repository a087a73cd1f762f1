//! `struct`: binary packing and unpacking (Roberto Ierusalimschy's struct 1.7 as bundled by
//! Redis, including Redis's fixes for CVE-2018-11218 and CVE-2020-14147).
//!
//! Formats are read byte by byte up to the first NUL, as the C library reads a C string.
//! Everything that depends on the C compiler on x86-64 (`long` is 8 bytes, maximum alignment
//! 8, out-of-range double to integer casts, shift counts taken modulo 64) is reproduced here
//! so results match the native server bit for bit.

use std::ffi::c_int;

use crate::lua::args::{check_bytes, check_c_string, check_number, check_stack, opt_integer};
use crate::lua::callback::{LuaResult, Raise};
use crate::lua::state::Lua;
use crate::lua_fn;
use crate::util::cut_at_nul;
use crate::util::numfmt::c_double_to_i64;

/// Largest `i`/`I` size accepted.
const MAX_INT_SIZE: i32 = 32;
/// Alignment used by a bare `!` (that of `double` in a struct on x86-64).
const MAX_ALIGN: i32 = 8;

pub fn luaopen(lua: &mut Lua) -> LuaResult<c_int> {
    lua.register_lib(c"struct", &[(c"pack", lua_fn!(pack)), (c"unpack", lua_fn!(unpack)), (c"size", lua_fn!(size))]);
    Ok(1)
}

/// Parsing state shared by the three functions: format cursor, byte order and alignment.
/// The format itself is passed to each step: `pack` and `unpack` push results between
/// steps, so they read it again from the stack each time.
struct Format {
    at: usize,
    little: bool,
    align: usize,
}

impl Format {
    fn new() -> Format {
        Format { at: 0, little: true, align: 1 }
    }

    fn next_opt(&mut self, fmt: &[u8]) -> Option<u8> {
        let opt = *fmt.get(self.at)?;
        self.at += 1;
        Some(opt)
    }

    /// Optional decimal count after an option; C `int` with an explicit overflow check.
    fn number(&mut self, fmt: &[u8], default: i32) -> LuaResult<i32> {
        let mut value: i32 = 0;
        let mut any = false;
        while let Some(&c) = fmt.get(self.at) {
            if !c.is_ascii_digit() {
                break;
            }
            let digit = i32::from(c - b'0');
            value = value
                .checked_mul(10)
                .and_then(|v| v.checked_add(digit))
                .ok_or_else(|| Raise::located("integral size overflow"))?;
            self.at += 1;
            any = true;
        }
        Ok(if any { value } else { default })
    }

    /// Size in bytes of option `opt` (0 for options that take no room), consuming its count.
    fn size_of(&mut self, fmt: &[u8], opt: u8) -> LuaResult<usize> {
        Ok(match opt {
            b'b' | b'B' => 1,
            b'h' | b'H' => 2,
            b'l' | b'L' | b'T' | b'd' => 8,
            b'f' => 4,
            b'x' => 1,
            // The count is never negative: digits only, overflow rejected.
            b'c' => self.number(fmt, 1)?.unsigned_abs() as usize,
            b'i' | b'I' => {
                let size = self.number(fmt, 4)?;
                if size > MAX_INT_SIZE {
                    return Err(Raise::located(format!("integral size {size} is larger than limit of {MAX_INT_SIZE}")));
                }
                size.unsigned_abs() as usize
            }
            _ => 0,
        })
    }

    /// Padding needed before an item of `size` bytes at offset `len`. Sizes that are not
    /// powers of two (`i3`) go through the same bit arithmetic as the C code.
    fn padding(&self, len: usize, opt: u8, size: usize) -> usize {
        if size == 0 || opt == b'c' {
            return 0;
        }
        let size = size.min(self.align);
        (size.wrapping_sub(len & (size - 1))) & (size - 1)
    }

    /// Byte order, alignment and blanks; any other option is invalid here.
    fn control(&mut self, fmt: &[u8], opt: u8) -> LuaResult<()> {
        match opt {
            b' ' => {}
            b'>' => self.little = false,
            b'<' => self.little = true,
            b'!' => {
                let align = self.number(fmt, MAX_ALIGN)?;
                if align <= 0 || align & (align - 1) != 0 {
                    return Err(Raise::located(format!("alignment {align} is not a power of 2")));
                }
                self.align = align.unsigned_abs() as usize;
            }
            _ => return Err(invalid_option(opt)),
        }
        Ok(())
    }
}

/// `bad argument #1 to 'f' (invalid format option 'X')`, X being the raw byte.
fn invalid_option(opt: u8) -> Raise {
    let mut msg = b"invalid format option '".to_vec();
    msg.push(opt);
    msg.push(b'\'');
    Raise::arg(1, msg)
}

/// C's `(unsigned long)d` as gcc compiles it on x86-64: truncation below 2^63, a subtract
/// and flip of the top bit above; NaN and values out of range come out as the CPU's
/// "integer indefinite" pattern run through that sequence.
fn c_double_to_u64(d: f64) -> u64 {
    const TWO_63: f64 = 9_223_372_036_854_775_808.0;
    if d >= TWO_63 {
        (c_double_to_i64(d - TWO_63) as u64) ^ (1 << 63)
    } else {
        c_double_to_i64(d) as u64
    }
}

/// The bytes of an integer option: `size` bytes of the C `unsigned long` conversion.
fn integer_bytes(n: f64, little: bool, size: usize) -> [u8; MAX_INT_SIZE as usize] {
    let mut value = if n < 0.0 { c_double_to_i64(n) as u64 } else { c_double_to_u64(n) };
    let mut bytes = [0u8; MAX_INT_SIZE as usize];
    // Bytes beyond the eighth are zero (the C value is shifted out), even for negatives.
    for k in 0..size.min(8) {
        let slot = if little { k } else { size - 1 - k };
        bytes[slot] = (value & 0xff) as u8;
        value >>= 8;
    }
    bytes
}

/// Scratch size before output moves to the Lua stack. Small, since it is zeroed on every
/// call and most packed structures are a few dozen bytes.
const SCRATCH: usize = 1024;
/// Pieces kept on the Lua stack before they are merged (luaL_Buffer's limit).
const MAX_PIECES: c_int = 10;

/// The packed result, built as luaL_Buffer builds it: a scratch area on the Rust stack,
/// flushed into strings on the Lua stack. Nothing lives on the Rust heap, so a Lua error
/// (out of memory) in the middle loses nothing.
struct Output {
    scratch: [u8; SCRATCH],
    len: usize,
    pieces: c_int,
}

impl Output {
    fn new() -> Output {
        Output { scratch: [0; SCRATCH], len: 0, pieces: 0 }
    }

    fn add(&mut self, lua: &mut Lua, bytes: &[u8]) {
        if bytes.len() > SCRATCH - self.len {
            self.flush(lua);
            if bytes.len() >= SCRATCH {
                lua.push_bytes(bytes);
                self.piece_pushed(lua);
                return;
            }
        }
        self.scratch[self.len..self.len + bytes.len()].copy_from_slice(bytes);
        self.len += bytes.len();
    }

    /// `add` for the first `len` bytes of the string argument at `idx` (checked to be that
    /// long): read where it is, since adding may push and merge pieces.
    fn add_arg(&mut self, lua: &mut Lua, idx: c_int, len: usize) {
        if len > SCRATCH - self.len {
            self.flush(lua);
            if len >= SCRATCH {
                lua.push_bytes(&lua.bytes_at(idx).unwrap_or_default()[..len]);
                self.piece_pushed(lua);
                return;
            }
        }
        let bytes = &lua.bytes_at(idx).unwrap_or_default()[..len];
        self.scratch[self.len..self.len + len].copy_from_slice(bytes);
        self.len += len;
    }

    fn add_zeros(&mut self, lua: &mut Lua, n: usize) {
        const ZEROS: [u8; 64] = [0; 64];
        let mut left = n;
        while left > 0 {
            let k = left.min(ZEROS.len());
            self.add(lua, &ZEROS[..k]);
            left -= k;
        }
    }

    fn flush(&mut self, lua: &mut Lua) {
        if self.len > 0 {
            lua.push_bytes(&self.scratch[..self.len]);
            self.len = 0;
            self.piece_pushed(lua);
        }
    }

    /// Merges the top pieces while the one below is smaller (or too many are kept), which
    /// keeps both the stack use and the copying bounded.
    fn piece_pushed(&mut self, lua: &mut Lua) {
        self.pieces += 1;
        if self.pieces < 2 {
            return;
        }
        let mut take: c_int = 1;
        let mut top_len = lua.objlen(-1);
        while take < self.pieces {
            let below = lua.objlen(-(take + 1));
            if self.pieces - take + 1 >= MAX_PIECES || top_len > below {
                top_len += below;
                take += 1;
            } else {
                break;
            }
        }
        lua.concat(take);
        self.pieces = self.pieces - take + 1;
    }

    /// Leaves the whole result as one string on top of the stack.
    fn finish(mut self, lua: &mut Lua) {
        self.flush(lua);
        // Concatenating no pieces pushes the empty string.
        lua.concat(self.pieces);
    }
}

/// The format, argument 1, once `check_c_string` accepted it: as the C code walks it, a
/// NUL-terminated string (anything after an embedded NUL is unseen).
fn format(lua: &Lua) -> &[u8] {
    cut_at_nul(lua.bytes_at(1).unwrap_or_default())
}

fn pack(lua: &mut Lua) -> LuaResult<c_int> {
    check_c_string(lua, 1)?;
    let mut fmt = Format::new();
    // The C version pushes a nil mark above the arguments before building its result, so
    // the first missing value is reported as "got nil" rather than "got no value".
    lua.push_nil();
    let mut arg: c_int = 2;
    let mut out = Output::new();
    let mut total: usize = 0;
    while let Some(opt) = fmt.next_opt(format(lua)) {
        let mut size = fmt.size_of(format(lua), opt)?;
        let pad = fmt.padding(total, opt, size);
        total = total.wrapping_add(pad);
        out.add_zeros(lua, pad);
        match opt {
            b'b' | b'B' | b'h' | b'H' | b'l' | b'L' | b'T' | b'i' | b'I' => {
                let n = check_number(lua, arg)?;
                arg = arg.saturating_add(1);
                out.add(lua, &integer_bytes(n, fmt.little, size)[..size]);
            }
            b'x' => out.add(lua, &[0]),
            b'f' => {
                let f = check_number(lua, arg)? as f32;
                arg = arg.saturating_add(1);
                out.add(lua, &if fmt.little { f.to_le_bytes() } else { f.to_be_bytes() });
            }
            b'd' => {
                let d = check_number(lua, arg)?;
                arg = arg.saturating_add(1);
                out.add(lua, &if fmt.little { d.to_le_bytes() } else { d.to_be_bytes() });
            }
            b'c' | b's' => {
                let idx = arg;
                let len = check_bytes(lua, idx)?.len();
                arg = arg.saturating_add(1);
                if size == 0 {
                    size = len;
                }
                if size > len {
                    // The C check names the argument after the string (already advanced).
                    return Err(Raise::arg(arg, "string too short"));
                }
                out.add_arg(lua, idx, size);
                if opt == b's' {
                    out.add(lua, &[0]);
                    size += 1;
                }
            }
            _ => fmt.control(format(lua), opt)?,
        }
        total = total.wrapping_add(size);
    }
    out.finish(lua);
    Ok(1)
}

/// Reads an integer of `bytes.len()` bytes into the C `unsigned long` / `long` result.
fn read_integer(bytes: &[u8], little: bool, signed: bool) -> f64 {
    let mut value: u64 = 0;
    // Shifting left by 8 each step keeps only the last eight bytes folded in.
    if little {
        for &b in bytes.iter().rev() {
            value = (value << 8) | u64::from(b);
        }
    } else {
        for &b in bytes {
            value = (value << 8) | u64::from(b);
        }
    }
    if !signed {
        return value as f64;
    }
    // x86-64 takes the shift count modulo 64, which matters for sizes 0 and above 8.
    let shift = (bytes.len().wrapping_mul(8).wrapping_sub(1) & 63) as u32;
    let mask = u64::MAX << shift;
    if value & mask != 0 {
        value |= mask;
    }
    value as i64 as f64
}

fn data_too_short() -> Raise {
    Raise::arg(2, "data string too short")
}

fn fits(pos: usize, size: usize, len: usize) -> bool {
    size <= len && pos <= len - size
}

fn unpack(lua: &mut Lua) -> LuaResult<c_int> {
    check_c_string(lua, 1)?;
    let mut fmt = Format::new();
    let len = check_bytes(lua, 2)?.len();
    let start = opt_integer(lua, 3, 1)?;
    // The C code keeps the offset in a size_t: negative offsets wrap to huge ones.
    let mut pos = start as u64 as usize;
    if pos == 0 {
        return Err(Raise::arg(3, "offset must be 1 or greater"));
    }
    pos -= 1;
    // Results stay on top of the arguments, exactly as the C version leaves them.
    let mut results: c_int = 0;
    while let Some(opt) = fmt.next_opt(format(lua)) {
        let mut size = fmt.size_of(format(lua), opt)?;
        pos = pos.wrapping_add(fmt.padding(pos, opt, size));
        if !fits(pos, size, len) {
            return Err(data_too_short());
        }
        check_stack(lua, 2, "too many results")?;
        // Read again each time: the string stays at index 2, but a 'c0' pops a result.
        let data = lua.bytes_at(2).unwrap_or_default();
        match opt {
            b'b' | b'B' | b'h' | b'H' | b'l' | b'L' | b'T' | b'i' | b'I' => {
                let signed = opt.is_ascii_lowercase();
                lua.push_number(read_integer(&data[pos..pos + size], fmt.little, signed));
                results += 1;
            }
            b'x' => {}
            b'f' => {
                let mut raw = [0u8; 4];
                raw.copy_from_slice(&data[pos..pos + 4]);
                let f = if fmt.little { f32::from_le_bytes(raw) } else { f32::from_be_bytes(raw) };
                lua.push_number(f64::from(f));
                results += 1;
            }
            b'd' => {
                let mut raw = [0u8; 8];
                raw.copy_from_slice(&data[pos..pos + 8]);
                let d = if fmt.little { f64::from_le_bytes(raw) } else { f64::from_be_bytes(raw) };
                lua.push_number(d);
                results += 1;
            }
            b'c' => {
                if size == 0 {
                    // The length is the previous result (numeric strings count), consumed.
                    if results == 0 || !lua.is_number(-1) {
                        return Err(Raise::located("format 'c0' needs a previous size"));
                    }
                    size = c_double_to_u64(lua.to_number(-1)) as usize;
                    if !fits(pos, size, len) {
                        return Err(data_too_short());
                    }
                    // The string takes the place of the size it consumes.
                    lua.push_bytes(&data[pos..pos + size]);
                    lua.remove(-2);
                } else {
                    lua.push_bytes(&data[pos..pos + size]);
                    results += 1;
                }
            }
            b's' => {
                let rest = &data[pos..];
                let Some(nul) = rest.iter().position(|&b| b == 0) else {
                    return Err(Raise::located("unfinished string in data"));
                };
                lua.push_bytes(&rest[..nul]);
                size = nul + 1;
                results += 1;
            }
            _ => fmt.control(format(lua), opt)?,
        }
        pos = pos.wrapping_add(size);
    }
    // lua_pushinteger of the size_t position: reinterpreted as signed, then a double.
    lua.push_number(pos.wrapping_add(1) as u64 as i64 as f64);
    Ok(results + 1)
}

fn size(lua: &mut Lua) -> LuaResult<c_int> {
    let format = check_c_string(lua, 1)?;
    let mut fmt = Format::new();
    let mut pos: usize = 0;
    while let Some(opt) = fmt.next_opt(format) {
        let size = fmt.size_of(format, opt)?;
        pos = pos.wrapping_add(fmt.padding(pos, opt, size));
        if opt == b's' {
            return Err(Raise::arg(1, "option 's' has no fixed size"));
        }
        if opt == b'c' && size == 0 {
            return Err(Raise::arg(1, "option 'c0' has no fixed size"));
        }
        // Unknown letters and digits are silently ignored here (they only take no room).
        if !opt.is_ascii_alphanumeric() {
            fmt.control(format, opt)?;
        }
        pos = pos.wrapping_add(size);
    }
    lua.push_number(pos as u64 as i64 as f64);
    Ok(1)
}

#[cfg(test)]
mod tests {
    use crate::vm::testing::check_replies;

    // Expected replies below were recorded from native redis-server 7.0.15 (Debian), with
    // the script SHA in error replies zeroed as the test VM reports it.

    #[test]
    fn registration_order() {
        check_replies(REGISTRATION);
    }

    #[test]
    fn pack() {
        check_replies(PACK);
    }

    #[test]
    fn unpack() {
        check_replies(UNPACK);
    }

    #[test]
    fn size() {
        check_replies(SIZE);
    }

    #[test]
    fn double_to_unsigned_matches_gcc() {
        use super::c_double_to_u64;
        assert_eq!(c_double_to_u64(f64::NAN), 1 << 63);
        assert_eq!(c_double_to_u64(f64::INFINITY), 0);
        assert_eq!(c_double_to_u64(9_223_372_036_854_775_808.0), 1 << 63);
        assert_eq!(c_double_to_u64(18_446_744_073_709_551_616.0), 0);
        assert_eq!(c_double_to_u64(-1.0), u64::MAX);
        assert_eq!(c_double_to_u64(2.9), 2);
    }

    const PACK: &[(&str, &[u8])] = &[
        ("return struct.pack('>I2', 258)",
         b"$2\r\n\x01\x02\r\n"),
        ("@hex return hex(struct.pack('<i h b', -2, 513, 65))",
         b"$14\r\nfeffffff010241\r\n"),
        ("@hex return hex(struct.pack('>i h b', -2, 513, 65))",
         b"$14\r\nfffffffe020141\r\n"),
        ("@hex return hex(struct.pack('<l', -2.7) .. struct.pack('<L', 2.7))",
         b"$32\r\nfeffffffffffffff0200000000000000\r\n"),
        ("@hex return hex(struct.pack('<l', 2^63) .. struct.pack('<l', 2^64) .. struct.pack('<l', 1e300))",
         b"$48\r\n000000000000008000000000000000000000000000000000\r\n"),
        ("@hex return hex(struct.pack('<l', -1e300) .. struct.pack('<l', 0/0) .. struct.pack('<L', -1/0))",
         b"$48\r\n000000000000008000000000000000800000000000000080\r\n"),
        ("@hex return hex(struct.pack('<l', 1.8e19) .. struct.pack('<T', 2^64-2048))",
         b"$32\r\n000008c5a1d8ccf900f8ffffffffffff\r\n"),
        ("@hex return hex(struct.pack('<i16', -1) .. struct.pack('>i16', -1))",
         b"$64\r\nffffffffffffffff00000000000000000000000000000000ffffffffffffffff\r\n"),
        ("@hex return hex(struct.pack('<i3 >i3', 2^24+5, -2))",
         b"$12\r\n050000fffffe\r\n"),
        ("@hex return hex(struct.pack('i0 b', 5, 6))",
         b"$2\r\n06\r\n"),
        ("@hex return hex(struct.pack('<f >f <d', 1/3, -0.0, 0.1))",
         b"$32\r\nabaaaa3e800000009a9999999999b93f\r\n"),
        ("@hex return hex(struct.pack('<f f', 3.5e38, 0/0))",
         b"$16\r\n0000807f0000c0ff\r\n"),
        ("@hex local v = struct.unpack('<d', '\\171\\205\\239\\1\\0\\0\\248\\255') return hex(struct.pack('<d f', v, v))",
         b"$24\r\nabcdef010000f8ff0000c0ff\r\n"),
        ("@hex local t = {} for i = 1, 3000 do t[i] = i * 7919 - 2^20 end return redis.sha1hex(struct.pack(string.rep('<i', 3000), unpack(t)))",
         b"$40\r\n5b29deafef18f8327dd5cbb6abdbd9a798343faa\r\n"),
        ("@hex return redis.sha1hex(struct.pack('c0 i s c0 d', string.rep('ab', 5000), 7, string.rep('z', 8190), string.rep('q', 1500), 1.5))",
         b"$40\r\n0eb35a45820fbac4a0686d3ca14915e6aff94879\r\n"),
        ("@hex return hex(struct.pack('!8 b d b i b h b l', 1, 2, 3, 4, 5, 6, 7, 8))",
         b"$80\r\n01000000000000000000000000000040030000000400000005000600070000000800000000000000\r\n"),
        ("@hex return hex(struct.pack('! b d', 1, 2) .. '|' .. struct.pack('!2 b i', 1, 2))",
         b"$46\r\n010000000000000000000000000000407c010002000000\r\n"),
        ("@hex return hex(struct.pack('!8 b i3 b i5 b i6 b i7 i3', 1, 2, 3, 4, 5, 6, 7, 8, 9))",
         b"$66\r\n010000020000030400000000050006000000000007000008000000000000090000\r\n"),
        ("@hex return hex(struct.pack('!8 b c3 d', 1, 'abc', 2))",
         b"$32\r\n01616263000000000000000000000040\r\n"),
        ("@hex return hex(struct.pack('s x c0 c2', 'a\\0b', 'xyz', 'pqr'))",
         b"$20\r\n610062000078797a7071\r\n"),
        ("return struct.pack('c0 c1\\0c1', 12.5, 'a', 'b')",
         b"$5\r\n12.5a\r\n"),
        ("@hex return hex(struct.pack('b h', '12', ' 0x10 '))",
         b"$6\r\n0c1000\r\n"),
        ("return struct.pack('b', nil)",
         b"-ERR user_script:1: bad argument #2 to 'pack' (number expected, got nil) script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n"),
        ("return struct.pack('b')",
         b"-ERR user_script:1: bad argument #2 to 'pack' (number expected, got nil) script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n"),
        ("return struct.pack('b b', 1)",
         b"-ERR user_script:1: bad argument #3 to 'pack' (number expected, got nil) script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n"),
        ("return struct.pack('c1')",
         b"-ERR user_script:1: bad argument #2 to 'pack' (string expected, got nil) script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n"),
        ("return struct.pack('i', 'x')",
         b"-ERR user_script:1: bad argument #2 to 'pack' (number expected, got string) script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n"),
        ("return struct.pack('c3', 'ab')",
         b"-ERR user_script:1: bad argument #3 to 'pack' (string too short) script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n"),
        ("return struct.pack('b c3', 1, 'ab')",
         b"-ERR user_script:1: bad argument #4 to 'pack' (string too short) script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n"),
        ("return struct.pack('y')",
         b"-ERR user_script:1: bad argument #1 to 'pack' (invalid format option 'y') script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n"),
        ("return struct.pack('b5', 1)",
         b"-ERR user_script:1: bad argument #1 to 'pack' (invalid format option '5') script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n"),
        ("return struct.pack('\\200')",
         b"-ERR user_script:1: bad argument #1 to 'pack' (invalid format option '\xc8') script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n"),
        ("local p = struct.pack local function f() return p('b\\255', 1) end return f()",
         b"-ERR user_script:1: bad argument #1 to 'p' (invalid format option '\xff') script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n"),
        ("return struct.pack('!3')",
         b"-ERR user_script:1: alignment 3 is not a power of 2 script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n"),
        ("return struct.pack('!0')",
         b"-ERR user_script:1: alignment 0 is not a power of 2 script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n"),
        ("return struct.pack('i33', 1)",
         b"-ERR user_script:1: integral size 33 is larger than limit of 32 script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n"),
        ("return struct.pack('c99999999999', 'a')",
         b"-ERR user_script:1: integral size overflow script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n"),
        ("return struct.pack('i2147483648', 1)",
         b"-ERR user_script:1: integral size overflow script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n"),
        ("return struct.pack('c2147483647', 'abc')",
         b"-ERR user_script:1: bad argument #3 to 'pack' (string too short) script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n"),
        ("return struct.pack({})",
         b"-ERR user_script:1: bad argument #1 to 'pack' (string expected, got table) script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n"),
        ("return struct:pack('b')",
         b"-ERR user_script:1: calling 'pack' on bad self (string expected, got table) script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n"),
    ];
    const UNPACK: &[(&str, &[u8])] = &[
        ("@show return show(struct.unpack('<i4', '\\254\\255\\255\\255'))",
         b"$4\r\n-2 5\r\n"),
        ("return {struct.unpack('<i4 B', '\\254\\255\\255\\255\\7')}",
         b"*3\r\n:-2\r\n:7\r\n:6\r\n"),
        ("@show return show(struct.unpack('>h <h H', '\\1\\2\\1\\2\\255\\254'))",
         b"$15\r\n258 513 65279 7\r\n"),
        ("@show return show(struct.unpack('<i9', '\\128' .. ('\\0'):rep(8)))",
         b"$7\r\n-128 10\r\n"),
        ("@show return show(struct.unpack('<i12', '\\0\\0\\0\\0\\1' .. ('\\0'):rep(7)))",
         b"$14\r\n-2147483648 13\r\n"),
        ("@show return show(struct.unpack('<i16', '\\1' .. ('\\0'):rep(6) .. '\\128' .. ('\\0'):rep(8)))",
         b"$26\r\n-9.2233720368547758e+18 17\r\n"),
        ("@show return show(struct.unpack('<i0 I0', ''))",
         b"$5\r\n0 0 1\r\n"),
        ("@show return show(struct.unpack('<I8 i8 I7', ('\\255'):rep(23)))",
         b"$46\r\n1.8446744073709552e+19 -1 72057594037927936 24\r\n"),
        ("@show return show(struct.unpack('<f >f <d', '\\1\\0\\128\\127\\255\\128\\0\\1\\1\\0\\0\\0\\0\\0\\240\\127'))",
         b"$15\r\nnan -nan nan 17\r\n"),
        ("@show return show(struct.unpack('!8 b d b i', struct.pack('!8 b d b i', 1, 2.5, 3, 4)))",
         b"$12\r\n1 2.5 3 4 25\r\n"),
        ("@show return show(struct.unpack('c3 c1 c s s', 'abcdefgh\\0\\0'))",
         b"$15\r\nabc d e fgh  11\r\n"),
        ("@show return show(struct.unpack('b c0 b', '\\2ab\\5'))",
         b"$6\r\nab 5 5\r\n"),
        ("@show return show(struct.unpack('c1 c0', '2abc'))",
         b"$4\r\nab 4\r\n"),
        ("@show return show(struct.unpack('c3 c0', '0x2abc'))",
         b"$4\r\nab 6\r\n"),
        ("@show return show(struct.unpack('c4 c0', '1.99abc'))",
         b"$3\r\na 6\r\n"),
        ("@show return show(struct.unpack('d c0', struct.pack('d', 2^64) .. 'abc'))",
         b"$2\r\n 9\r\n"),
        ("return struct.unpack('b c0', '\\255abc')",
         b"-ERR user_script:1: bad argument #2 to 'unpack' (data string too short) script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n"),
        ("return struct.unpack('c0', 'abc')",
         b"-ERR user_script:1: format 'c0' needs a previous size script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n"),
        ("return struct.unpack('c1 c0', 'xabc')",
         b"-ERR user_script:1: format 'c0' needs a previous size script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n"),
        ("return struct.unpack('c0', 'abc', 1, 5)",
         b"-ERR user_script:1: format 'c0' needs a previous size script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n"),
        ("return struct.unpack('s', 'abc')",
         b"-ERR user_script:1: unfinished string in data script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n"),
        ("@show return show(struct.unpack('b', 'ab', 2))",
         b"$4\r\n98 3\r\n"),
        ("@show return show(struct.unpack('b', 'ab', 1.9))",
         b"$4\r\n97 2\r\n"),
        ("@show return show(struct.unpack('b', 'ab', '2'))",
         b"$4\r\n98 3\r\n"),
        ("@show return show(struct.unpack('', 'x', -5))",
         b"$2\r\n-5\r\n"),
        ("@show return show(struct.unpack('', '', 1e30))",
         b"$23\r\n-9.2233720368547758e+18\r\n"),
        ("return struct.unpack('b', 'ab', 4)",
         b"-ERR user_script:1: bad argument #2 to 'unpack' (data string too short) script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n"),
        ("return struct.unpack('>', '', 5)",
         b"-ERR user_script:1: bad argument #2 to 'unpack' (data string too short) script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n"),
        ("return struct.unpack('b', 'a', 0)",
         b"-ERR user_script:1: bad argument #3 to 'unpack' (offset must be 1 or greater) script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n"),
        ("return struct.unpack('b', 'a', 0.5)",
         b"-ERR user_script:1: bad argument #3 to 'unpack' (offset must be 1 or greater) script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n"),
        ("return struct.unpack('b', 'a', -1)",
         b"-ERR user_script:1: bad argument #2 to 'unpack' (data string too short) script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n"),
        ("return struct.unpack('b', 'a', 'x')",
         b"-ERR user_script:1: bad argument #3 to 'unpack' (number expected, got string) script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n"),
        ("return struct.unpack('b')",
         b"-ERR user_script:1: bad argument #2 to 'unpack' (string expected, got no value) script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n"),
        ("return struct.unpack('b', {})",
         b"-ERR user_script:1: bad argument #2 to 'unpack' (string expected, got table) script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n"),
        ("return struct.unpack('i', 'abc')",
         b"-ERR user_script:1: bad argument #2 to 'unpack' (data string too short) script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n"),
        ("return struct.unpack('q', 'abc')",
         b"-ERR user_script:1: bad argument #1 to 'unpack' (invalid format option 'q') script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n"),
        ("return struct.unpack('c2147483647 c2147483647', 'a')",
         b"-ERR user_script:1: bad argument #2 to 'unpack' (data string too short) script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n"),
        ("return struct.unpack('i99999999999', 'a')",
         b"-ERR user_script:1: integral size overflow script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n"),
        ("local t = {u = struct.unpack} return t.u('\\128', '')",
         b"-ERR user_script:1: bad argument #1 to 'u' (invalid format option '\x80') script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n"),
        ("local t = {struct.unpack(string.rep('b', 7997), string.rep('a', 8000))} return #t",
         b":7998\r\n"),
        ("return struct.unpack(string.rep('b', 8000), string.rep('a', 8000))",
         b"-ERR user_script:1: stack overflow (too many results) script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n"),
        ("local t = {struct.unpack(string.rep('x', 9000), string.rep('a', 9000))} return #t",
         b":1\r\n"),
    ];
    const SIZE: &[(&str, &[u8])] = &[
        ("return struct.size('i4 d b')",
         b":13\r\n"),
        ("return struct.size('!8 b d')",
         b":16\r\n"),
        ("return struct.size('! b d')",
         b":16\r\n"),
        ("return struct.size('!8 b i5 b i6 b i7')",
         b":30\r\n"),
        ("return struct.size('b T l h f x c10 i32')",
         b":66\r\n"),
        ("return struct.size('y z 5 a9')",
         b":0\r\n"),
        ("return struct.size('c2147483647 c2147483647')",
         b":4294967294\r\n"),
        ("return struct.size(44)",
         b":0\r\n"),
        ("return struct.size('s')",
         b"-ERR user_script:1: bad argument #1 to 'size' (option 's' has no fixed size) script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n"),
        ("return struct.size('c0')",
         b"-ERR user_script:1: bad argument #1 to 'size' (option 'c0' has no fixed size) script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n"),
        ("return struct.size('!3')",
         b"-ERR user_script:1: alignment 3 is not a power of 2 script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n"),
        ("return struct.size('i33')",
         b"-ERR user_script:1: integral size 33 is larger than limit of 32 script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n"),
        ("return struct.size('i99999999999')",
         b"-ERR user_script:1: integral size overflow script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n"),
        ("return struct.size('b#')",
         b"-ERR user_script:1: bad argument #1 to 'size' (invalid format option '#') script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n"),
        ("local sz = struct.size return sz('\\255')",
         b"-ERR user_script:1: bad argument #1 to 'sz' (invalid format option '\xff') script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n"),
        ("return struct.size()",
         b"-ERR user_script:1: bad argument #1 to 'size' (string expected, got no value) script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n"),
    ];
    const REGISTRATION: &[(&str, &[u8])] = &[(
        "local t = {} for k, v in pairs(struct) do t[#t + 1] = k .. '=' .. type(v) end return table.concat(t, ' ')",
        b"$43\r\npack=function size=function unpack=function\r\n",
    )];
}
