//! The reply for a script that raised an error, built from the error object the handler
//! left: `-<err> script: <sha>, on <source>:<line>.` (Redis 7.0 + Debian's CR/LF fix).

use std::ffi::c_int;

use crate::convert::sink::ReplySink;
use crate::convert::to_reply::{crlf_to_spaces, error_text};
use crate::error::{vm, ReplyError};
use crate::lua::callback::LuaResult;
use crate::lua::state::{Lua, Status, Type};
use crate::lua_fn;
use crate::util::cut_at_nul;

/// Fields of an error table, read as Redis reads them (metamethods included).
#[derive(Debug, Default)]
struct ErrorFields {
    msg: Option<Vec<u8>>,
    source: Option<Vec<u8>>,
    line: Option<Vec<u8>>,
}

/// Reads `err`, `source`, `line` with `lua_getfield` semantics; returns them as 3 values.
fn read_fields(lua: &mut Lua) -> LuaResult<c_int> {
    lua.get_field(1, c"err");
    lua.get_field(1, c"source");
    lua.get_field(1, c"line");
    Ok(3)
}

fn text_at(lua: &mut Lua, idx: c_int) -> Option<Vec<u8>> {
    if lua.is_string(idx) {
        lua.bytes_at(idx).map(|b| cut_at_nul(b).to_vec())
    } else {
        None
    }
}

/// Extracts the fields of the error table on top. Redis reads them with metamethods and
/// crashes when one raises; here a raising metamethod falls back to raw reads.
fn extract(lua: &mut Lua) -> ErrorFields {
    lua.check_stack(5);
    lua.push_cfunction(lua_fn!(read_fields));
    lua.push_value(-2);
    if lua.pcall(1, 3, 0) == Status::Ok {
        let fields = ErrorFields { msg: text_at(lua, -3), source: text_at(lua, -2), line: text_at(lua, -1) };
        lua.pop(3);
        return fields;
    }
    lua.pop(1);
    let mut fields = ErrorFields::default();
    for (key, slot) in [(&b"err"[..], &mut fields.msg), (b"source", &mut fields.source), (b"line", &mut fields.line)] {
        lua.raw_get_str(-1, key);
        *slot = text_at(lua, -1);
        lua.pop(1);
    }
    fields
}

/// Sends the error reply for the failed run whose error object is on top, and pops it.
pub fn reply_error(lua: &mut Lua, sha: &[u8; 40], sink: &mut dyn ReplySink) {
    if lua.type_of(-1) != Type::Table {
        let msg = if lua.is_string(-1) {
            cut_at_nul(lua.bytes_at(-1).unwrap_or_default()).to_vec()
        } else {
            b"execution failure".to_vec()
        };
        let wire = ReplyError::ErrorRunning { sha: *sha, msg }.to_wire();
        sink.error(&error_text(&wire));
        lua.pop(1);
        return;
    }
    let fields = extract(lua);
    let mut out = fields.msg.unwrap_or_else(|| vm::ERROR_WITHOUT_MESSAGE.as_bytes().to_vec());
    if let (Some(source), Some(line)) = (fields.source, fields.line) {
        out.extend_from_slice(b" script: ");
        out.extend_from_slice(sha);
        out.extend_from_slice(b", on ");
        out.extend_from_slice(&source);
        out.push(b':');
        out.extend_from_slice(&line);
        out.push(b'.');
    }
    sink.error(&crlf_to_spaces(&out));
    lua.pop(1);
}
