//! Redis reply (raw RESP2/RESP3 bytes) → Lua value, for `redis.call` and `redis.pcall`.
//!
//! Mirrors Redis 7.0's `redisProtocolToLuaType`: the same Lua types and the same table shapes.
//! Tables are built so that their internal layout (array size, node order) equals what
//! Redis's incremental inserts produce, which keeps `#t` and `pairs()` order identical.

use std::ffi::c_int;

use crate::lua::state::{Lua, Type};
use crate::util::cut_at_nul;
use crate::util::integer::parse_strict_i64;

/// The reply could not be converted: malformed bytes, or nesting deeper than the Lua stack.
#[derive(Debug, PartialEq, Eq)]
pub enum ConvertError {
    Malformed,
    TooDeep,
}

/// Pushes the Lua value of the single RESP reply in `proto`; `resp3` tells whether the
/// command ran with RESP3 (after `redis.setresp(3)`).
pub fn push_reply(lua: &mut Lua, proto: &[u8], resp3: bool) -> Result<(), ConvertError> {
    // The replies most commands give, without the general parser (a C function has room
    // for a few values on its stack).
    if let Some(body) = proto.strip_suffix(b"\r\n") {
        match body.split_first() {
            Some((b':', digits)) => {
                if let Some(v) = parse_strict_i64(digits) {
                    lua.push_number(v as f64);
                    return Ok(());
                }
            }
            Some((b'+', text)) if !text.contains(&b'\r') => {
                lua.create_table(0, 1);
                lua.push_bytes(text);
                lua.raw_set_str(-2, b"ok");
                return Ok(());
            }
            _ => {}
        }
    }
    let mut parser = Parser { buf: proto, pos: 0, resp3 };
    parser.value(lua, true)
}

/// Pushes an error table the way Redis's `luaPushErrorBuff` builds it from either
/// "-CODE message" or a bare "message" (which gets the code ERR).
pub fn push_error_table(lua: &mut Lua, raw: &[u8]) {
    let text = error_table_text(raw);
    lua.create_table(0, 1);
    lua.push_bytes(&text);
    lua.raw_set_str(-2, b"err");
}

/// The `err` text of `push_error_table`.
pub fn error_table_text(raw: &[u8]) -> Vec<u8> {
    let (code, msg): (&[u8], &[u8]) = if raw.first() == Some(&b'-') {
        let rest = cut_at_nul(&raw[1..]);
        match rest.iter().position(|&c| c == b' ') {
            Some(sp) => (&rest[..sp], &rest[sp + 1..]),
            None => (b"ERR", rest),
        }
    } else {
        (b"ERR", raw)
    };
    let msg = cut_at_nul(trim_crlf(msg));
    let mut text = Vec::with_capacity(code.len() + 1 + msg.len());
    text.extend_from_slice(code);
    text.push(b' ');
    text.extend_from_slice(msg);
    text
}

/// Marks the error table on top as already counted in error statistics, as Redis does for
/// errors coming from commands.
pub fn mark_error_counted(lua: &mut Lua) {
    lua.push_bool(true);
    lua.raw_set_str(-2, b"ignore_error_stats_update");
}

fn trim_crlf(b: &[u8]) -> &[u8] {
    let is_crlf = |c: &u8| *c == b'\r' || *c == b'\n';
    let start = b.iter().position(|c| !is_crlf(c)).unwrap_or(b.len());
    let end = b.iter().rposition(|c| !is_crlf(c)).map_or(start, |p| p + 1);
    &b[start..end]
}

/// Smallest power of two >= n (0 for 0): the array size Lua reaches by appending n items.
fn grown_array_size(n: usize) -> c_int {
    if n == 0 {
        0
    } else {
        n.next_power_of_two().min(1 << 30) as c_int
    }
}

struct Parser<'a> {
    buf: &'a [u8],
    pos: usize,
    resp3: bool,
}

impl<'a> Parser<'a> {
    fn line(&mut self) -> Result<&'a [u8], ConvertError> {
        let rest = &self.buf[self.pos.min(self.buf.len())..];
        // Lines of a reply Redis generated hold no CR of their own.
        let end = rest.iter().position(|&b| b == b'\r').ok_or(ConvertError::Malformed)?;
        if rest.get(end + 1) != Some(&b'\n') {
            return Err(ConvertError::Malformed);
        }
        self.pos += end + 2;
        Ok(&rest[..end])
    }

    fn int_line(&mut self) -> Result<i64, ConvertError> {
        parse_strict_i64(self.line()?).ok_or(ConvertError::Malformed)
    }

    fn bytes(&mut self, len: usize) -> Result<&'a [u8], ConvertError> {
        let end = self.pos.checked_add(len).ok_or(ConvertError::Malformed)?;
        if end + 2 > self.buf.len() {
            return Err(ConvertError::Malformed);
        }
        let b = &self.buf[self.pos..end];
        self.pos = end + 2;
        Ok(b)
    }

    /// Parses one value; pushes it when `emit` (attributes are parsed and dropped).
    fn value(&mut self, lua: &mut Lua, emit: bool) -> Result<(), ConvertError> {
        let kind = *self.buf.get(self.pos).ok_or(ConvertError::Malformed)?;
        self.pos += 1;
        if emit && !lua.check_stack(5) {
            return Err(ConvertError::TooDeep);
        }
        match kind {
            b':' => {
                let v = self.int_line()?;
                if emit {
                    lua.push_number(v as f64);
                }
            }
            b'$' => {
                let len = self.int_line()?;
                if len < 0 {
                    if emit {
                        lua.push_bool(false);
                    }
                } else {
                    let b = self.bytes(len as usize)?;
                    if emit {
                        lua.push_bytes(b);
                    }
                }
            }
            b'+' => {
                let s = self.line()?;
                if emit {
                    lua.create_table(0, 1);
                    lua.push_bytes(s);
                    lua.raw_set_str(-2, b"ok");
                }
            }
            b'-' => {
                let s = self.line()?;
                if emit {
                    let mut raw = Vec::with_capacity(s.len() + 1);
                    raw.push(b'-');
                    raw.extend_from_slice(s);
                    lua.create_table(0, 2);
                    lua.push_bytes(&error_table_text(&raw));
                    lua.raw_set_str(-2, b"err");
                    mark_error_counted(lua);
                }
            }
            b'*' | b'>' => {
                let n = self.int_line()?;
                if n < 0 {
                    if emit {
                        lua.push_bool(false);
                    }
                } else {
                    self.array(lua, emit, n as usize)?;
                }
            }
            b'%' => {
                let n = self.int_line()?;
                self.map(lua, emit, n.max(0) as usize)?;
            }
            b'~' => {
                let n = self.int_line()?;
                self.set(lua, emit, n.max(0) as usize)?;
            }
            b'_' => {
                self.line()?;
                if emit {
                    lua.push_nil();
                }
            }
            b'#' => {
                let s = self.line()?;
                if emit {
                    lua.push_bool(s == b"t");
                }
            }
            b',' => {
                let s = self.line()?;
                let d = std::str::from_utf8(s).ok().and_then(|s| s.parse::<f64>().ok()).unwrap_or(0.0);
                if emit {
                    lua.create_table(0, 1);
                    lua.push_number(d);
                    lua.raw_set_str(-2, b"double");
                }
            }
            b'(' => {
                let s = self.line()?;
                if emit {
                    lua.create_table(0, 1);
                    lua.push_bytes(s);
                    lua.raw_set_str(-2, b"big_number");
                }
            }
            b'=' => {
                let len = self.int_line()?;
                let b = self.bytes(len.max(0) as usize)?;
                if emit {
                    let (format, text) = if b.len() >= 4 { (&b[..3], &b[4..]) } else { (b, &b[b.len()..]) };
                    lua.create_table(0, 1);
                    lua.create_table(0, 2);
                    lua.push_bytes(text);
                    lua.raw_set_str(-2, b"string");
                    lua.push_bytes(format);
                    lua.raw_set_str(-2, b"format");
                    lua.raw_set_str(-2, b"verbatim_string");
                }
            }
            b'|' => {
                let n = self.int_line()?;
                for _ in 0..n.max(0) {
                    self.value(lua, false)?;
                    self.value(lua, false)?;
                }
                self.value(lua, emit)?;
            }
            _ => return Err(ConvertError::Malformed),
        }
        Ok(())
    }

    fn array(&mut self, lua: &mut Lua, emit: bool, n: usize) -> Result<(), ConvertError> {
        if !emit {
            for _ in 0..n {
                self.value(lua, false)?;
            }
            return Ok(());
        }
        // RESP2 elements are never nil, so the table is filled densely and can be created
        // at the size Lua would have grown it to. A RESP3 null element leaves a hole, and
        // Lua still inserts the key, so those arrays are filled exactly as Redis does.
        let dense = !self.resp3;
        lua.create_table(if dense { grown_array_size(n) } else { 0 }, 0);
        for j in 1..=n {
            if dense {
                self.value(lua, true)?;
                lua.raw_seti(-2, j as c_int);
            } else {
                lua.push_number(j as f64);
                self.value(lua, true)?;
                lua.raw_set(-3);
            }
        }
        Ok(())
    }

    fn map(&mut self, lua: &mut Lua, emit: bool, n: usize) -> Result<(), ConvertError> {
        if emit {
            lua.create_table(0, 1);
            lua.push_bytes(b"map");
            lua.create_table(0, 0);
        }
        for _ in 0..n {
            self.value(lua, emit)?;
            self.value(lua, emit)?;
            if emit {
                set_pair(lua);
            }
        }
        if emit {
            lua.raw_set(-3);
        }
        Ok(())
    }

    fn set(&mut self, lua: &mut Lua, emit: bool, n: usize) -> Result<(), ConvertError> {
        if emit {
            lua.create_table(0, 1);
            lua.push_bytes(b"set");
            lua.create_table(0, 0);
        }
        for _ in 0..n {
            self.value(lua, emit)?;
            if emit {
                lua.push_bool(true);
                set_pair(lua);
            }
        }
        if emit {
            lua.raw_set(-3);
        }
        Ok(())
    }
}

/// `t[k] = v` for t, k, v on top; a nil or NaN key (which Lua refuses) drops the pair.
fn set_pair(lua: &mut Lua) {
    let key_ok = match lua.type_of(-2) {
        Type::Nil => false,
        Type::Number => !lua.to_number(-2).is_nan(),
        _ => true,
    };
    if key_ok {
        lua.raw_set(-3);
    } else {
        lua.pop(2);
    }
}
