//! `cjson.encode`.
//!
//! The C encoder recurses; this one walks the value with an explicit frame stack but keeps
//! exactly the C code's Lua stack layout (array element, or object key and value, per open
//! table), because `lua_checkstack` failing is what ends very deep encodes when the depth
//! limit is raised, and the depth it fails at is visible in the error.

use std::ffi::c_int;

use super::{return_buffer, settings_and_buffer, Settings};
use crate::convert::numfmt::write_g;
use crate::lua::callback::{LuaResult, Raise};
use crate::lua::state::{Lua, Type};

/// Escape for each byte, or empty when the byte is copied as is.
static ESCAPES: [&[u8]; 256] = escape_table();

const fn escape_table() -> [&'static [u8]; 256] {
    const CONTROL: [&[u8]; 32] = [
        b"\\u0000", b"\\u0001", b"\\u0002", b"\\u0003", b"\\u0004", b"\\u0005", b"\\u0006",
        b"\\u0007", b"\\b", b"\\t", b"\\n", b"\\u000b", b"\\f", b"\\r", b"\\u000e", b"\\u000f",
        b"\\u0010", b"\\u0011", b"\\u0012", b"\\u0013", b"\\u0014", b"\\u0015", b"\\u0016",
        b"\\u0017", b"\\u0018", b"\\u0019", b"\\u001a", b"\\u001b", b"\\u001c", b"\\u001d",
        b"\\u001e", b"\\u001f",
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

fn append_string(out: &mut Vec<u8>, s: &[u8]) -> LuaResult<()> {
    reserve(out, s.len().checked_add(2).ok_or_else(out_of_memory)?)?;
    out.push(b'"');
    let mut run = 0;
    for (i, &c) in s.iter().enumerate() {
        let esc = ESCAPES[usize::from(c)];
        if !esc.is_empty() {
            out.extend_from_slice(&s[run..i]);
            // Room for this escape and for the rest copied plainly.
            reserve(out, esc.len() + (s.len() - i) + 1)?;
            out.extend_from_slice(esc);
            run = i + 1;
        }
    }
    out.extend_from_slice(&s[run..]);
    out.push(b'"');
    Ok(())
}

const POW10: [f64; 15] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14,
];

/// `%.<precision>g`, with integers that fit in `precision` digits written directly.
fn append_g(out: &mut Vec<u8>, d: f64, precision: c_int) -> LuaResult<()> {
    reserve(out, 32)?;
    let prec = precision.clamp(1, 14) as usize;
    if d.fract() == 0.0 && d.abs() < POW10[prec] {
        if d == 0.0 {
            out.extend_from_slice(if d.is_sign_negative() { b"-0" } else { b"0" });
            return Ok(());
        }
        let mut n = d as i64;
        if n < 0 {
            out.push(b'-');
            n = -n;
        }
        let mut digits = [0u8; 20];
        let mut i = digits.len();
        while n > 0 {
            i -= 1;
            digits[i] = b'0' + (n % 10) as u8;
            n /= 10;
        }
        out.extend_from_slice(&digits[i..]);
        return Ok(());
    }
    write_g(out, d, prec);
    Ok(())
}

/// Appends the number at `idx`, or fails per `encode_invalid_numbers`.
fn append_number(lua: Lua, s: &Settings, out: &mut Vec<u8>, idx: c_int) -> LuaResult<()> {
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

fn unsupported(lua: Lua, idx: c_int, reason: &str) -> Raise {
    Raise::located(format!(
        "Cannot serialise {}: {reason}",
        lua.type_of(idx).name()
    ))
}

/// C's `(int)` conversion of a double on x86-64: out-of-range values give INT_MIN.
fn c_double_to_int(d: f64) -> c_int {
    if d > -2_147_483_649.0 && d < 2_147_483_648.0 {
        d as c_int
    } else {
        c_int::MIN
    }
}

/// `lua_array_length`: for the table on top, the array length to encode, or `None` for an
/// object. Mirrors the C arithmetic on `int`s, overflows included.
fn array_length(lua: Lua, s: &Settings) -> LuaResult<Option<c_int>> {
    let mut max: c_int = 0;
    let mut items: c_int = 0;
    lua.push_nil();
    while lua.next(-2) {
        if lua.type_of(-2) == Type::Number {
            let k = lua.to_number(-2);
            if k != 0.0 && k.floor() == k && k >= 1.0 {
                if k > f64::from(max) {
                    max = c_double_to_int(k);
                }
                items = items.wrapping_add(1);
                lua.pop(1);
                continue;
            }
        }
        lua.pop(2);
        return Ok(None);
    }
    if s.sparse_ratio > 0 && max > items.wrapping_mul(s.sparse_ratio) && max > s.sparse_safe {
        if s.sparse_convert == 0 {
            return Err(unsupported(lua, -1, "excessively sparse array"));
        }
        return Ok(None);
    }
    Ok(if max > 0 { Some(max) } else { None })
}

enum Frame {
    /// Emitting elements 1..=len; `i` is the one on top of the stack.
    Array { len: c_int, i: c_int },
    /// Emitting `lua_next` pairs; key and value are on top of the stack.
    Object,
}

/// Serialises the value on top of the stack into `out`.
pub(crate) fn append_value(lua: Lua, s: &Settings, out: &mut Vec<u8>) -> LuaResult<()> {
    let mut frames: Vec<Frame> = Vec::new();
    'value: loop {
        match lua.type_of(-1) {
            Type::String => append_string(out, lua.string_bytes(-1).unwrap_or_default())?,
            Type::Number => append_number(lua, s, out, -1)?,
            Type::Boolean => push_bytes(
                out,
                if lua.to_boolean(-1) {
                    b"true"
                } else {
                    b"false"
                },
            )?,
            Type::Nil => push_bytes(out, b"null")?,
            Type::LightUserdata if lua.to_userdata(-1).is_null() => push_bytes(out, b"null")?,
            Type::Table => {
                let depth = frames.len() as c_int + 1;
                if depth > s.encode_max_depth || !lua.check_stack(3) {
                    return Err(Raise::located(format!(
                        "Cannot serialise, excessive nesting ({depth})"
                    )));
                }
                if let Some(len) = array_length(lua, s)? {
                    push_bytes(out, b"[")?;
                    frames.push(Frame::Array { len, i: 1 });
                    lua.raw_geti(-1, 1);
                    continue 'value;
                }
                push_bytes(out, b"{")?;
                frames.push(Frame::Object);
                lua.push_nil();
                if next_member(lua, s, out, true)? {
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
fn next_member(lua: Lua, s: &Settings, out: &mut Vec<u8>, first: bool) -> LuaResult<bool> {
    if !lua.next(-2) {
        push_bytes(out, b"}")?;
        return Ok(false);
    }
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
            append_string(out, lua.string_bytes(-2).unwrap_or_default())?;
            push_bytes(out, b":")?;
        }
        _ => return Err(unsupported(lua, -2, "table key must be a number or string")),
    }
    Ok(true)
}

pub fn encode(lua: Lua) -> LuaResult<c_int> {
    let (key, s, mut out) = settings_and_buffer(lua)?;
    let result = if lua.top() != 1 {
        Err(Raise::arg(1, "expected 1 argument"))
    } else {
        append_value(lua, &s, &mut out)
    };
    if result.is_ok() {
        lua.push_bytes(&out);
    }
    return_buffer(key, out);
    result.map(|()| 1)
}
