//! A small RESP reader for the replies luax inspects itself (COMMAND INFO, CONFIG GET).

use crate::util::integer::parse_strict_i64;

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Int(i64),
    Bulk(Vec<u8>),
    Status(Vec<u8>),
    Error(Vec<u8>),
    Array(Vec<Value>),
    Null,
    Other,
}

impl Value {
    pub fn as_bytes(&self) -> Option<&[u8]> {
        match self {
            Value::Bulk(b) | Value::Status(b) => Some(b),
            _ => None,
        }
    }

    pub fn as_int(&self) -> Option<i64> {
        match self {
            Value::Int(i) => Some(*i),
            _ => None,
        }
    }

    pub fn as_array(&self) -> Option<&[Value]> {
        match self {
            Value::Array(a) => Some(a),
            _ => None,
        }
    }
}

/// Parses one value; `None` if malformed. Nesting is bounded to keep recursion shallow.
pub fn parse(buf: &[u8]) -> Option<Value> {
    let mut pos = 0;
    value(buf, &mut pos, 0)
}

fn line<'a>(buf: &'a [u8], pos: &mut usize) -> Option<&'a [u8]> {
    let rest = buf.get(*pos..)?;
    let end = rest.windows(2).position(|w| w == b"\r\n")?;
    *pos += end + 2;
    Some(&rest[..end])
}

fn int(buf: &[u8], pos: &mut usize) -> Option<i64> {
    parse_strict_i64(line(buf, pos)?)
}

fn value(buf: &[u8], pos: &mut usize, depth: usize) -> Option<Value> {
    if depth > 16 {
        return None;
    }
    let kind = *buf.get(*pos)?;
    *pos += 1;
    Some(match kind {
        b':' => Value::Int(int(buf, pos)?),
        b'+' => Value::Status(line(buf, pos)?.to_vec()),
        b'-' => Value::Error(line(buf, pos)?.to_vec()),
        b'$' => {
            let len = int(buf, pos)?;
            if len < 0 {
                Value::Null
            } else {
                let start = *pos;
                let end = start.checked_add(len as usize)?;
                let b = buf.get(start..end)?.to_vec();
                *pos = end + 2;
                Value::Bulk(b)
            }
        }
        b'*' | b'~' | b'%' => {
            let n = int(buf, pos)?;
            if n < 0 {
                Value::Null
            } else {
                let n = if kind == b'%' { n * 2 } else { n };
                let mut items = Vec::with_capacity(n.min(1024) as usize);
                for _ in 0..n {
                    items.push(value(buf, pos, depth + 1)?);
                }
                Value::Array(items)
            }
        }
        b'_' => {
            line(buf, pos)?;
            Value::Null
        }
        _ => {
            line(buf, pos)?;
            Value::Other
        }
    })
}
