//! Lua value → Redis reply: the script's return value (and nested values) as the client sees
//! them. Rules and their order follow Redis 7.0's `luaReplyToRedisReply`; the Lua stack is
//! used the same way so the nesting limit ("reached lua stack limit") falls at the same depth.

use super::sink::ReplySink;
use crate::error::{RUNAWAY_REPLY, STACK_LIMIT_REPLY};
use crate::lua::state::{Lua, Type};
use crate::util::cut_at_nul;
use crate::util::numfmt::c_double_to_i64;

/// A reply nested deeper than this that has also grown past `RUNAWAY_VALUES` values can
/// only come from a table that contains itself more than once (each level doubling the
/// output); Redis would write it forever. Ordinary replies, however large, are never this
/// deep, and a table containing itself once stops at the stack limit as in Redis.
const RUNAWAY_DEPTH: u32 = 1000;
const RUNAWAY_VALUES: u64 = 1_000_000;

/// Progress of one conversion.
#[derive(Debug, Default)]
struct Progress {
    depth: u32,
    values: u64,
    /// Stopped as runaway: remaining announced elements are sent as nulls.
    stopped: bool,
}

/// Converts and pops the value on top of the stack. `script_resp3` is the protocol the script
/// selected with `redis.setresp` (it only decides how booleans are sent).
pub fn reply_from_lua(lua: &mut Lua, sink: &mut dyn ReplySink, script_resp3: bool) {
    convert(lua, sink, script_resp3, &mut Progress::default());
}

fn convert(lua: &mut Lua, sink: &mut dyn ReplySink, script_resp3: bool, progress: &mut Progress) {
    progress.values += 1;
    if progress.stopped {
        sink.null();
        lua.pop(1);
        return;
    }
    if progress.depth > RUNAWAY_DEPTH && progress.values > RUNAWAY_VALUES {
        progress.stopped = true;
        sink.error(RUNAWAY_REPLY);
        lua.pop(1);
        return;
    }
    if !lua.check_stack(4) {
        sink.error(STACK_LIMIT_REPLY);
        lua.pop(1);
        return;
    }
    match lua.type_of(-1) {
        Type::String => sink.bulk(lua.bytes_at(-1).unwrap_or_default()),
        Type::Boolean => {
            let b = lua.to_boolean(-1);
            if script_resp3 {
                sink.boolean(b);
            } else if b {
                sink.integer(1);
            } else {
                sink.null();
            }
        }
        Type::Number => sink.integer(c_double_to_i64(lua.to_number(-1))),
        Type::Table => {
            progress.depth += 1;
            table_reply(lua, sink, script_resp3, progress);
            progress.depth -= 1;
            return;
        }
        _ => sink.null(),
    }
    lua.pop(1);
}

fn table_reply(lua: &mut Lua, sink: &mut dyn ReplySink, script_resp3: bool, progress: &mut Progress) {
    if lua.raw_get_str(-1, b"err") == Type::String {
        let msg = error_text(lua.bytes_at(-1).unwrap_or_default());
        sink.error(&msg);
        lua.pop(2);
        return;
    }
    lua.pop(1);

    if lua.raw_get_str(-1, b"ok") == Type::String {
        let text = status_text(lua.bytes_at(-1).unwrap_or_default());
        sink.status(&text);
        lua.pop(2);
        return;
    }
    lua.pop(1);

    if lua.raw_get_str(-1, b"double") == Type::Number {
        sink.double(lua.to_number(-1));
        lua.pop(2);
        return;
    }
    lua.pop(1);

    if lua.raw_get_str(-1, b"big_number") == Type::String {
        let digits = crlf_to_spaces(lua.bytes_at(-1).unwrap_or_default());
        sink.big_number(&digits);
        lua.pop(2);
        return;
    }
    lua.pop(1);

    if lua.raw_get_str(-1, b"verbatim_string") == Type::Table {
        if lua.raw_get_str(-1, b"format") == Type::String {
            if lua.raw_get_str(-2, b"string") == Type::String {
                let text = lua.bytes_at(-1).unwrap_or_default();
                let format = cut_at_nul(lua.bytes_at(-2).unwrap_or_default());
                sink.verbatim(text, &format[..format.len().min(3)]);
                lua.pop(4);
                return;
            }
            lua.pop(1);
        }
        lua.pop(1);
    }
    lua.pop(1);

    if lua.raw_get_str(-1, b"map") == Type::Table {
        sink.map(count_entries(lua));
        lua.push_nil();
        while lua.next(-2) {
            // Stack: table, map, key, value. Convert a copy of the key, then the value.
            lua.push_value(-2);
            convert(lua, sink, script_resp3, progress);
            convert(lua, sink, script_resp3, progress);
        }
        lua.pop(2);
        return;
    }
    lua.pop(1);

    if lua.raw_get_str(-1, b"set") == Type::Table {
        sink.set(count_entries(lua));
        lua.push_nil();
        while lua.next(-2) {
            lua.pop(1);
            lua.push_value(-1);
            convert(lua, sink, script_resp3, progress);
        }
        lua.pop(2);
        return;
    }
    lua.pop(1);

    // A plain array: t[1], t[2], ... up to the first nil; other keys are ignored.
    let mut len = 0;
    while lua.raw_geti(-1, len + 1) != Type::Nil {
        lua.pop(1);
        len += 1;
    }
    lua.pop(1);
    sink.array(len as usize);
    for j in 1..=len {
        lua.raw_geti(-1, j);
        convert(lua, sink, script_resp3, progress);
    }
    lua.pop(1);
}

/// Number of keys in the table on top of the stack.
fn count_entries(lua: &mut Lua) -> usize {
    let mut n = 0;
    lua.push_nil();
    while lua.next(-2) {
        lua.pop(1);
        n += 1;
    }
    n
}

pub fn crlf_to_spaces(b: &[u8]) -> Vec<u8> {
    b.iter().map(|&c| if c == b'\r' || c == b'\n' { b' ' } else { c }).collect()
}

/// An error line as `addReplyErrorFormat("-%s")` writes it: cut at NUL, CR/LF trimmed from
/// the end, the rest turned into spaces.
pub fn error_text(msg: &[u8]) -> Vec<u8> {
    let msg = cut_at_nul(msg);
    let end = msg.iter().rposition(|&c| c != b'\r' && c != b'\n').map_or(0, |p| p + 1);
    crlf_to_spaces(&msg[..end])
}

/// A status line as Redis writes `{ok=...}`: cut at NUL, CR/LF turned into spaces.
pub fn status_text(msg: &[u8]) -> Vec<u8> {
    crlf_to_spaces(cut_at_nul(msg))
}
