//! `cjson.encode`.
//!
//! The C encoder recurses; this one walks the value with an explicit frame stack but keeps
//! exactly the C code's Lua stack layout (array element, or object key and value, per open
//! table), because `lua_checkstack` failing is what ends very deep encodes when the depth
//! limit is raised, and the depth it fails at is visible in the error.

use std::ffi::c_int;

use super::strtod::POW10;
use super::{return_buffer, settings_and_buffer, Settings};
use crate::lua::callback::{LuaResult, Raise};
use crate::lua::state::{Lua, Type};
use crate::util::numfmt::{c_double_to_i32, write_g, write_i64};

/// Escape for each byte, or empty when the byte is copied as is.
static ESCAPES: [&[u8]; 256] = escape_table();

const fn escape_table() -> [&'static [u8]; 256] {
    const CONTROL: [&[u8]; 32] = [
        b"\\u0000", b"\\u0001", b"\\u0002", b"\\u0003", b"\\u0004", b"\\u0005", b"\\u0006", b"\\u0007", b"\\b", b"\\t",
        b"\\n", b"\\u000b", b"\\f", b"\\r", b"\\u000e", b"\\u000f", b"\\u0010", b"\\u0011", b"\\u0012", b"\\u0013",
        b"\\u0014", b"\\u0015", b"\\u0016", b"\\u0017", b"\\u0018", b"\\u0019", b"\\u001a", b"\\u001b", b"\\u001c",
        b"\\u001d", b"\\u001e", b"\\u001f",
    ];
    let mut t: [&[u8]; 256] = [b""; 256];
    let mut i = 0;
    while i < 32 {
        t[i] = CONTROL[i];
        i += 1;
    }
    t[b'"' as usize] = b"\\\"";
    t[b'/' as usize] = b"\\/";
    t[b'\\' as usize] = b"\\\\";
    t[0x7f] = b"\\u007f";
    t
}

/// The C library's `strbuf` aborts the process when it cannot grow; we raise instead.
fn out_of_memory() -> Raise {
    Raise::located("not enough memory")
}

#[inline]
fn reserve(out: &mut Vec<u8>, extra: usize) -> LuaResult<()> {
    if out.capacity() - out.len() < extra {
        out.try_reserve(extra).map_err(|_| out_of_memory())?;
    }
    Ok(())
}

#[inline]
fn push_bytes(out: &mut Vec<u8>, b: &[u8]) -> LuaResult<()> {
    reserve(out, b.len())?;
    out.extend_from_slice(b);
    Ok(())
}

/// Bytes that `ESCAPES` rewrites.
static NEEDS_ESCAPE: [bool; 256] = {
    let mut t = [false; 256];
    let mut i = 0;
    while i < 256 {
        t[i] = !ESCAPES[i].is_empty();
        i += 1;
    }
    t
};

/// Whether any byte of `x` is below 0x20 or one of `"` `/` `\\` 0x7f (the `ESCAPES` set).
#[inline]
fn word_needs_escape(x: u64) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // Any byte below n (n <= 128): the classic "hasless" test.
    let below = |n: u64| x.wrapping_sub(ONES * n) & !x & HIGH;
    let equal = |c: u64| {
        let y = x ^ (ONES * c);
        y.wrapping_sub(ONES) & !y & HIGH
    };
    (below(0x20) | equal(0x22) | equal(0x2f) | equal(0x5c) | equal(0x7f)) != 0
}

#[inline]
fn load_word(s: &[u8], at: usize) -> Option<u64> {
    let mut word = [0u8; 8];
    word.copy_from_slice(s.get(at..at + 8)?);
    Some(u64::from_le_bytes(word))
}

/// The first byte at or after `from` that needs an escape. Plain ASCII and UTF-8 are
/// skipped eight bytes at a time; the last word may overlap bytes already found plain.
#[inline(always)]
fn next_escape(s: &[u8], from: usize) -> Option<usize> {
    let n = s.len();
    let scan = |a: usize, b: usize| (a..b).find(|&k| s.get(k).is_some_and(|&c| NEEDS_ESCAPE[usize::from(c)]));
    let len = n.checked_sub(from)?;
    if len < 8 {
        // Up to seven bytes in one word: two overlapping halves, or three bytes, padded
        // with a plain one.
        let byte = |k: usize| u64::from(s.get(k).copied().unwrap_or(b'a'));
        let half = |k: usize| (0..4).fold(0u64, |w, j| w | byte(k + j) << (8 * j));
        let word = match len {
            0 => return None,
            1..=3 => byte(from) | byte(from + len / 2) << 8 | byte(n - 1) << 16 | 0x6161_6161_6100_0000,
            _ => half(from) | half(n - 4) << 32,
        };
        return if word_needs_escape(word) { scan(from, n) } else { None };
    }
    let mut i = from;
    while let Some(word) = load_word(s, i) {
        if word_needs_escape(word) {
            return scan(i, i + 8);
        }
        i += 8;
    }
    match load_word(s, n - 8) {
        Some(word) if i < n && word_needs_escape(word) => scan(i, n),
        _ => None,
    }
}

#[inline]
fn append_string(out: &mut Vec<u8>, s: &[u8]) -> LuaResult<()> {
    reserve(out, s.len().checked_add(2).ok_or_else(out_of_memory)?)?;
    out.push(b'"');
    match next_escape(s, 0) {
        None => out.extend_from_slice(s),
        Some(first) => append_escaped(out, s, first)?,
    }
    out.push(b'"');
    Ok(())
}

/// `s` from its first byte that needs an escape (at `first`) on.
#[inline(never)]
fn append_escaped(out: &mut Vec<u8>, s: &[u8], first: usize) -> LuaResult<()> {
    let mut run = 0;
    let mut at = Some(first);
    while let Some(i) = at {
        out.extend_from_slice(&s[run..i]);
        let esc = ESCAPES[usize::from(s[i])];
        // Room for this escape, the rest copied plainly, and the closing quote.
        reserve(out, esc.len() + (s.len() - i) + 1)?;
        out.extend_from_slice(esc);
        run = i + 1;
        at = next_escape(s, run);
    }
    out.extend_from_slice(&s[run..]);
    Ok(())
}

/// Whether `d` (finite, |d| < 2^63) has no fractional part; cheaper than `fract`, which is a
/// libm call on baseline x86-64.
#[inline]
fn is_integral(d: f64) -> bool {
    (d as i64) as f64 == d
}

/// The decimal digits of `n` (> 0), written at the end of `buf`.
fn u64_digits(buf: &mut [u8; 20], mut n: u64) -> &[u8] {
    let mut i = buf.len();
    while n > 0 {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
    }
    &buf[i..]
}

/// `%.<precision>g` (precision 1..=14), as glibc prints it.
fn append_g(out: &mut Vec<u8>, d: f64, precision: c_int) -> LuaResult<()> {
    reserve(out, 32)?;
    let prec = precision.clamp(1, 14) as usize;
    // Integers that fit in `prec` digits print as themselves.
    if d.abs() < POW10[prec] && is_integral(d) {
        if d == 0.0 && d.is_sign_negative() {
            out.extend_from_slice(b"-0");
        } else {
            write_i64(out, d as i64);
        }
        return Ok(());
    }
    if !d.is_normal() || !(append_short_decimal(out, d, prec) || append_g_from_shortest(out, d, prec)) {
        // Subnormals have too few significant bits for the shortcuts.
        write_g(out, d, prec);
    }
    Ok(())
}

/// Fixed-notation `%.<prec>g` for a normal double that is the nearest double to a decimal
/// of at most `prec` significant digits (1.25, 98.6, 0.001): that decimal is then exactly
/// what printf prints. False (nothing written) for other values.
fn append_short_decimal(out: &mut Vec<u8>, d: f64, prec: usize) -> bool {
    let a = d.abs();
    if !(1e-4..1e15).contains(&a) {
        return false;
    }
    let limit = POW10[prec];
    for (k, &scale) in POW10[..=14].iter().enumerate().skip(1) {
        let m = a * scale;
        if m >= limit {
            return false;
        }
        if !is_integral(m) || m / scale != a {
            continue;
        }
        // a = m / 10^k exactly, with m < 10^prec < 2^53.
        let mut m = m as u64;
        let mut k = k;
        while k > 0 && m % 10 == 0 {
            m /= 10;
            k -= 1;
        }
        if d < 0.0 {
            out.push(b'-');
        }
        let mut buf = [0u8; 20];
        let digits = u64_digits(&mut buf, m);
        let n = digits.len();
        if n > k {
            out.extend_from_slice(&digits[..n - k]);
            out.push(b'.');
            out.extend_from_slice(&digits[n - k..]);
        } else {
            // 0.00ddd: `a` >= 1e-4 keeps this within %g's fixed range.
            out.extend_from_slice(b"0.");
            out.extend_from_slice(b"0000".get(..k - n).unwrap_or_default());
            out.extend_from_slice(digits);
        }
        return true;
    }
    false
}

/// `%.<prec>g` derived from the shortest round-trip digits, which for `prec` <= 14 are the
/// correctly rounded ones unless the digits cut off lie too close to a tie (then false is
/// returned and nothing written, for the exact formatter to do it).
fn append_g_from_shortest(out: &mut Vec<u8>, d: f64, prec: usize) -> bool {
    use std::io::Write;
    let mut text = [0u8; 32];
    let len = {
        let mut cursor = &mut text[..];
        if write!(cursor, "{:e}", d.abs()).is_err() {
            return false;
        }
        32 - cursor.len()
    };
    let text = &text[..len];
    let Some(e_pos) = text.iter().position(|&c| c == b'e') else {
        return false;
    };
    let Some(mut exp) = std::str::from_utf8(&text[e_pos + 1..]).ok().and_then(|e| e.parse::<i32>().ok()) else {
        return false;
    };
    let mut digits = [0u8; 24];
    let mut n = 0;
    for &c in &text[..e_pos] {
        if c.is_ascii_digit() && n < digits.len() {
            digits[n] = c;
            n += 1;
        }
    }
    if n > prec {
        // The double is within 1.2e-16 * 10^prec units of the last kept digit from these
        // digits: only tails near one half need the exact value.
        let next2 = (digits[prec] - b'0') * 10 + if n > prec + 1 { digits[prec + 1] - b'0' } else { 0 };
        if (48..=51).contains(&next2) {
            return false;
        }
        n = prec;
        if next2 >= 50 {
            let mut i = n;
            loop {
                if i == 0 {
                    // All nines: 9.99 -> 10.0
                    digits[0] = b'1';
                    n = 1;
                    exp += 1;
                    break;
                }
                i -= 1;
                if digits[i] == b'9' {
                    digits[i] = b'0';
                } else {
                    digits[i] += 1;
                    break;
                }
            }
        }
    }
    while n > 1 && digits[n - 1] == b'0' {
        n -= 1;
    }
    let digits = &digits[..n];
    if d.is_sign_negative() {
        out.push(b'-');
    }
    if exp < -4 || exp >= prec as i32 {
        out.push(digits[0]);
        if n > 1 {
            out.push(b'.');
            out.extend_from_slice(&digits[1..]);
        }
        out.push(b'e');
        out.push(if exp < 0 { b'-' } else { b'+' });
        let e = exp.unsigned_abs();
        if e >= 100 {
            out.push(b'0' + (e / 100) as u8);
        }
        out.push(b'0' + (e / 10 % 10) as u8);
        out.push(b'0' + (e % 10) as u8);
    } else if exp < 0 {
        out.extend_from_slice(b"0.");
        for _ in 0..(-exp - 1) {
            out.push(b'0');
        }
        out.extend_from_slice(digits);
    } else {
        let int_len = exp as usize + 1;
        if n <= int_len {
            out.extend_from_slice(digits);
            for _ in n..int_len {
                out.push(b'0');
            }
        } else {
            out.extend_from_slice(&digits[..int_len]);
            out.push(b'.');
            out.extend_from_slice(&digits[int_len..]);
        }
    }
    true
}

/// Appends the number at `idx`, or fails per `encode_invalid_numbers`.
fn append_number(lua: &mut Lua, s: &Settings, out: &mut Vec<u8>, idx: c_int) -> LuaResult<()> {
    let d = lua.to_number(idx);
    match s.encode_invalid_numbers {
        0 if !d.is_finite() => return Err(unsupported(lua, idx, "must not be NaN or Inf")),
        0 => {}
        // Written as "nan" whatever the sign bit, as the C code does.
        1 if d.is_nan() => return push_bytes(out, b"nan"),
        1 => {}
        _ if !d.is_finite() => return push_bytes(out, b"null"),
        _ => {}
    }
    append_g(out, d, s.encode_number_precision)
}

fn unsupported(lua: &mut Lua, idx: c_int, reason: &str) -> Raise {
    Raise::located(format!("Cannot serialise {}: {reason}", lua.type_of(idx).name()))
}

/// How a table is written.
enum Shape {
    Array(c_int),
    Object,
    /// An object whose first `lua_next` pair is already on the stack (key, value).
    ObjectFromFirstPair,
}

/// `lua_array_length`: for the table on top, the array length to encode, or an object.
/// Mirrors the C arithmetic on `int`s, overflows included. When the very first key rules
/// out an array, its pair is left on the stack: the object is written from it, visiting the
/// pairs as a fresh traversal does.
fn array_length(lua: &mut Lua, s: &Settings) -> LuaResult<Shape> {
    let mut max: c_int = 0;
    let mut items: c_int = 0;
    lua.push_nil();
    while lua.next(-2) {
        if lua.type_of(-2) == Type::Number {
            let k = lua.to_number(-2);
            // floor(k) == k && k >= 1, knowing every double from 2^52 up is integral.
            if k >= 1.0 && (k >= 4_503_599_627_370_496.0 || is_integral(k)) {
                if k > f64::from(max) {
                    max = c_double_to_i32(k);
                }
                items = items.wrapping_add(1);
                lua.pop(1);
                continue;
            }
        }
        if items == 0 {
            return Ok(Shape::ObjectFromFirstPair);
        }
        lua.pop(2);
        return Ok(Shape::Object);
    }
    if s.sparse_ratio > 0 && max > items.wrapping_mul(s.sparse_ratio) && max > s.sparse_safe {
        if s.sparse_convert == 0 {
            return Err(unsupported(lua, -1, "excessively sparse array"));
        }
        return Ok(Shape::Object);
    }
    Ok(if max > 0 { Shape::Array(max) } else { Shape::Object })
}

enum Frame {
    /// Emitting elements 1..=len; `i` is the one on top of the stack.
    Array { len: c_int, i: c_int },
    /// Emitting `lua_next` pairs; key and value are on top of the stack.
    Object,
}

/// Serialises the value on top of the stack into `out`.
fn append_value(lua: &mut Lua, s: &Settings, out: &mut Vec<u8>) -> LuaResult<()> {
    let mut frames: Vec<Frame> = Vec::new();
    'value: loop {
        match lua.type_of(-1) {
            Type::String => append_string(out, lua.bytes_at(-1).unwrap_or_default())?,
            Type::Number => append_number(lua, s, out, -1)?,
            Type::Boolean => push_bytes(out, if lua.to_boolean(-1) { b"true" } else { b"false" })?,
            Type::Nil => push_bytes(out, b"null")?,
            Type::LightUserdata if lua.to_userdata(-1).is_null() => push_bytes(out, b"null")?,
            Type::Table => {
                let depth = frames.len() as c_int + 1;
                if depth > s.encode_max_depth || !lua.check_stack(3) {
                    return Err(Raise::located(format!("Cannot serialise, excessive nesting ({depth})")));
                }
                let shape = array_length(lua, s)?;
                if let Shape::Array(len) = shape {
                    push_bytes(out, b"[")?;
                    frames.push(Frame::Array { len, i: 1 });
                    lua.raw_geti(-1, 1);
                    continue 'value;
                }
                push_bytes(out, b"{")?;
                frames.push(Frame::Object);
                let more = if let Shape::ObjectFromFirstPair = shape {
                    member_key(lua, s, out, true)?;
                    true
                } else {
                    lua.push_nil();
                    next_member(lua, s, out, true)?
                };
                if more {
                    continue 'value;
                }
                frames.pop();
            }
            _ => return Err(unsupported(lua, -1, "type not supported")),
        }
        // The value on top is written: move on in the enclosing tables.
        loop {
            match frames.last_mut() {
                None => return Ok(()),
                Some(Frame::Array { len, i }) => {
                    lua.pop(1);
                    if *i < *len {
                        *i += 1;
                        push_bytes(out, b",")?;
                        lua.raw_geti(-1, *i);
                        continue 'value;
                    }
                    push_bytes(out, b"]")?;
                }
                Some(Frame::Object) => {
                    lua.pop(1);
                    if next_member(lua, s, out, false)? {
                        continue 'value;
                    }
                }
            }
            frames.pop();
        }
    }
}

/// Advances the object traversal (key on top); writes the separator and key of the next
/// member and leaves its value on top, or writes `}` and returns false at the end.
fn next_member(lua: &mut Lua, s: &Settings, out: &mut Vec<u8>, first: bool) -> LuaResult<bool> {
    if !lua.next(-2) {
        push_bytes(out, b"}")?;
        return Ok(false);
    }
    member_key(lua, s, out, first)?;
    Ok(true)
}

/// Writes the separator and the key of the member whose key and value are on top.
#[inline(always)]
fn member_key(lua: &mut Lua, s: &Settings, out: &mut Vec<u8>, first: bool) -> LuaResult<()> {
    if !first {
        push_bytes(out, b",")?;
    }
    match lua.type_of(-2) {
        Type::Number => {
            push_bytes(out, b"\"")?;
            append_number(lua, s, out, -2)?;
            push_bytes(out, b"\":")?;
        }
        Type::String => {
            // A string key: bytes_at cannot convert (and so disturb `next`).
            append_string(out, lua.bytes_at(-2).unwrap_or_default())?;
            push_bytes(out, b":")?;
        }
        _ => return Err(unsupported(lua, -2, "table key must be a number or string")),
    }
    Ok(())
}

pub fn encode(lua: &mut Lua) -> LuaResult<c_int> {
    let (key, s, mut out) = settings_and_buffer(lua)?;
    let result =
        if lua.top() != 1 { Err(Raise::arg(1, "expected 1 argument")) } else { append_value(lua, &s, &mut out) };
    if result.is_ok() {
        lua.push_bytes(&out);
    }
    return_buffer(key, out);
    result.map(|()| 1)
}

#[cfg(test)]
mod tests {
    use super::append_g;
    use crate::util::numfmt::format_g;

    fn g(d: f64, prec: i32) -> String {
        let mut out = Vec::new();
        assert!(append_g(&mut out, d, prec).is_ok());
        String::from_utf8(out).unwrap_or_default()
    }

    #[test]
    fn word_test_matches_table() {
        let mut rng = crate::vm::testing::XorShift::new(0x1234_5678_9ABC_DEF1);
        for _ in 0..200_000 {
            let state = rng.next_u64();
            // Bias bytes towards the interesting values.
            let mut bytes = state.to_le_bytes();
            for b in bytes.iter_mut() {
                if *b & 0x30 == 0 {
                    *b = [0x1f, 0x20, 0x22, 0x2f, 0x5c, 0x7f, 0x80, 0x21][usize::from(*b & 7)];
                }
            }
            let want = bytes.iter().any(|&b| super::NEEDS_ESCAPE[usize::from(b)]);
            assert_eq!(super::word_needs_escape(u64::from_le_bytes(bytes)), want, "{bytes:?}");
        }
    }

    #[test]
    fn next_escape_finds_the_first_byte_to_escape() {
        let mut rng = crate::vm::testing::XorShift::new(0x9E37_79B9_7F4A_7C15);
        for _ in 0..200_000 {
            let state = rng.next_u64();
            let len = (state % 41) as usize;
            let from = if len == 0 { 0 } else { (state >> 8) as usize % (len + 1) };
            let s: Vec<u8> = (0..len)
                .map(|i| {
                    let b = (state >> (i % 7 * 9)) as u8 ^ (i as u8).wrapping_mul(37);
                    if b % 29 == 0 {
                        [b'"', b'/', b'\\', 0x7f, 0x1f, 0][usize::from(b % 6)]
                    } else {
                        b | 0x20
                    }
                })
                .collect();
            let want = (from..len).find(|&k| super::NEEDS_ESCAPE[usize::from(s[k])]);
            assert_eq!(super::next_escape(&s, from), want, "{s:?} from {from}");
        }
    }

    #[test]
    fn fast_g_matches_exact_formatter() {
        let mut rng = crate::vm::testing::XorShift::new(0x2545_F491_4F6C_DD1D);
        let mut next = move || rng.next_u64();
        let mut values = vec![
            0.1,
            0.125,
            0.375,
            2.5,
            1.25,
            1e21,
            1e-5,
            123456.5,
            0.5,
            9.5,
            99.5,
            999999.5,
            1e15,
            1e16,
            5e-324,
            f64::MAX,
            f64::MIN_POSITIVE,
            0.3,
            2.0 / 3.0,
            1e100,
            1.5e-7,
            99999999999999.5,
            9.9999999999999e14,
        ];
        for _ in 0..20000 {
            let r = next();
            // Random bit patterns, short decimals, and integers with fractions.
            values.push(f64::from_bits(r >> 1));
            values.push((r % 100_000) as f64 / [1.0, 4.0, 8.0, 10.0, 100.0, 1000.0][(r >> 40) as usize % 6]);
            values.push((r >> 11) as f64 / 1024.0);
            values.push((r >> 20) as f64 / 10f64.powi((r % 19) as i32));
            values.push((r % 1_000_000_007) as f64 * 10f64.powi((r >> 58) as i32 - 8));
        }
        for &v in &values {
            if !v.is_finite() {
                continue;
            }
            for prec in 1..=14 {
                for v in [v, -v] {
                    assert_eq!(g(v, prec), format_g(v, prec as usize), "{v:e} %.{prec}g");
                }
            }
        }
    }
}
