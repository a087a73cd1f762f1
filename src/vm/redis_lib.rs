//! The `redis` table a script sees: `redis.call`, `redis.pcall` and the helper functions,
//! with Redis 7.0's argument rules and error texts.

use std::cell::Cell;
use std::ffi::c_int;

use crate::util::sha1_hex;
use smallvec::SmallVec;

use super::host::{self, Host};
use crate::convert::to_lua::{mark_error_counted, push_error_table, push_reply, ConvertError};
use crate::error::LuaApiError;
use crate::lua::callback::{LuaResult, Raise};
use crate::lua::state::{Lua, Type};
use crate::util::numfmt::{c_double_to_i32, write_g};
use crate::util::{LOG_DEBUG, LOG_WARNING};

/// Pushes an error table for `err` and raises it.
fn raise_error_table(lua: &mut Lua, err: LuaApiError) -> LuaResult<c_int> {
    push_error_table(lua, err.text().as_bytes());
    Err(Raise::Pushed)
}

/// Arguments whose slices are kept inline (most commands have fewer).
const INLINE_ARGS: usize = 8;
/// Argument bytes kept between calls; a larger buffer is given back after its call.
const KEPT_ARG_BYTES: usize = 64 * 1024;

thread_local! {
    // Taken while in use: a Lua error unwinding past a call only loses the buffer.
    static ARG_BYTES: Cell<Vec<u8>> = const { Cell::new(Vec::new()) };
}

/// Calls `f` with the arguments of a `redis.call`-like function: strings as they are, numbers
/// as `%.17g`. The arguments are popped before `f` runs, as Redis does, so a call with
/// thousands of arguments still has stack room for its reply; `f` therefore reads copies,
/// and may use the stack freely.
fn with_command_args<R>(lua: &mut Lua, f: impl FnOnce(&mut Lua, &[&[u8]]) -> R) -> Result<R, LuaApiError> {
    let argc = lua.top();
    if argc == 0 {
        return Err(LuaApiError::NoArguments);
    }
    let mut bytes = ARG_BYTES.take();
    bytes.clear();
    let mut ends: SmallVec<[usize; INLINE_ARGS]> = SmallVec::new();
    for idx in 1..=argc {
        match lua.type_of(idx) {
            Type::String => bytes.extend_from_slice(lua.bytes_at(idx).unwrap_or_default()),
            Type::Number => write_g(&mut bytes, lua.to_number(idx), 17),
            _ => {
                ARG_BYTES.set(bytes);
                return Err(LuaApiError::BadArgumentType);
            }
        }
        ends.push(bytes.len());
    }
    lua.set_top(0);
    let mut argv: SmallVec<[&[u8]; INLINE_ARGS]> = SmallVec::new();
    let mut start = 0;
    for &end in &ends {
        argv.push(&bytes[start..end]);
        start = end;
    }
    let out = f(lua, &argv);
    drop(argv);
    if bytes.capacity() <= KEPT_ARG_BYTES {
        ARG_BYTES.set(bytes);
    }
    Ok(out)
}

fn generic_call(lua: &mut Lua, raise: bool) -> LuaResult<c_int> {
    let outcome = host::current(|host| call_with_host(lua, host, raise));
    match outcome {
        None => raise_error_table(lua, LuaApiError::CallOutsideScript),
        Some(result) => result,
    }
}

fn call_with_host(lua: &mut Lua, host: &dyn Host, raise: bool) -> LuaResult<c_int> {
    let resp3 = host.resp3();
    let mut is_error = false;
    let mut converted = Ok(());
    let outcome = with_command_args(lua, |lua, argv| {
        host.call(argv, &mut |proto| {
            is_error = proto.first() == Some(&b'-');
            converted = push_reply(lua, proto, resp3);
        })
    });
    let result = match outcome {
        Ok(result) => result,
        Err(e) => {
            lua.set_top(0);
            push_error_table(lua, e.text().as_bytes());
            return if raise { Err(Raise::Pushed) } else { Ok(1) };
        }
    };
    match result {
        Err(text) => {
            lua.set_top(0);
            push_error_table(lua, &text);
            mark_error_counted(lua);
            is_error = true;
        }
        Ok(()) => {
            if let Err(e) = converted {
                lua.set_top(0);
                let err = match e {
                    ConvertError::TooDeep => LuaApiError::ReplyTooDeep,
                    ConvertError::Malformed => LuaApiError::ReplyMalformed,
                };
                push_error_table(lua, err.text().as_bytes());
                is_error = true;
            }
        }
    }
    if raise && is_error {
        Err(Raise::Pushed)
    } else {
        Ok(1)
    }
}

pub fn redis_call(lua: &mut Lua) -> LuaResult<c_int> {
    generic_call(lua, true)
}

pub fn redis_pcall(lua: &mut Lua) -> LuaResult<c_int> {
    generic_call(lua, false)
}

/// `redis.sha1hex(s)`: numbers hash as their `%.14g` text, other non-strings as "".
pub fn sha1hex(lua: &mut Lua) -> LuaResult<c_int> {
    if lua.top() != 1 {
        return raise_error_table(lua, LuaApiError::WrongArgs);
    }
    let data = lua.bytes_at(1).unwrap_or_default();
    let hex = sha1_hex(data);
    lua.push_bytes(&hex);
    Ok(1)
}

/// `redis.error_reply(s)`: `{err=...}` normalised like command errors.
pub fn error_reply(lua: &mut Lua) -> LuaResult<c_int> {
    if lua.top() != 1 || lua.type_of(-1) != Type::String {
        push_error_table(lua, LuaApiError::WrongArgsOrType.text().as_bytes());
        return Ok(1);
    }
    let text = crate::util::cut_at_nul(lua.bytes_at(-1).unwrap_or_default()).to_vec();
    if text.first() == Some(&b'-') {
        push_error_table(lua, &text);
    } else {
        let mut raw = Vec::with_capacity(text.len() + 1);
        raw.push(b'-');
        raw.extend_from_slice(&text);
        push_error_table(lua, &raw);
    }
    Ok(1)
}

/// `redis.status_reply(s)`: `{ok=s}`.
pub fn status_reply(lua: &mut Lua) -> LuaResult<c_int> {
    if lua.top() != 1 || lua.type_of(-1) != Type::String {
        push_error_table(lua, LuaApiError::WrongArgsOrType.text().as_bytes());
        return Ok(1);
    }
    lua.create_table(0, 1);
    lua.push_value(-2);
    lua.raw_set_str(-2, b"ok");
    Ok(1)
}

/// A setting only a running script may change: `change` validates the arguments and applies
/// it; outside a script, or on a bad argument, the error table is raised.
fn change_setting(
    lua: &mut Lua,
    outside: LuaApiError,
    change: impl FnOnce(&Lua, &dyn Host) -> Result<(), LuaApiError>,
) -> LuaResult<c_int> {
    match host::current(|host| change(lua, host)) {
        None => raise_error_table(lua, outside),
        Some(Err(e)) => raise_error_table(lua, e),
        Some(Ok(())) => Ok(0),
    }
}

pub fn set_repl(lua: &mut Lua) -> LuaResult<c_int> {
    change_setting(lua, LuaApiError::SetReplOutsideScript, |lua, host| {
        if lua.top() != 1 {
            return Err(LuaApiError::SetReplArgs);
        }
        let flags = c_double_to_i32(lua.to_number(-1));
        if flags & !3 != 0 {
            return Err(LuaApiError::SetReplFlags);
        }
        host.set_repl(flags);
        Ok(())
    })
}

pub fn setresp(lua: &mut Lua) -> LuaResult<c_int> {
    change_setting(lua, LuaApiError::SetRespOutsideScript, |lua, host| {
        if lua.top() != 1 {
            return Err(LuaApiError::SetRespArgs);
        }
        match c_double_to_i32(lua.to_number(1)) {
            2 => host.set_resp3(false),
            3 => host.set_resp3(true),
            _ => return Err(LuaApiError::SetRespVersion),
        }
        Ok(())
    })
}

pub fn acl_check_cmd(lua: &mut Lua) -> LuaResult<c_int> {
    let outcome = host::current(|host| {
        with_command_args(lua, |_, argv| host.acl_check(argv))?.ok_or(LuaApiError::AclCheckUnknownCommand)
    });
    match outcome {
        None => raise_error_table(lua, LuaApiError::AclCheckOutsideScript),
        Some(Err(e)) => {
            lua.set_top(0);
            raise_error_table(lua, e)
        }
        Some(Ok(allowed)) => {
            lua.push_bool(allowed);
            Ok(1)
        }
    }
}

/// `redis.log(level, ...)`: the remaining string/number arguments joined by spaces.
pub fn log(lua: &mut Lua) -> LuaResult<c_int> {
    let argc = lua.top();
    if argc < 2 {
        return raise_error_table(lua, LuaApiError::LogArgs);
    }
    if !lua.is_number(1) {
        return raise_error_table(lua, LuaApiError::LogLevelType);
    }
    let level = c_double_to_i32(lua.to_number(1));
    if !(LOG_DEBUG..=LOG_WARNING).contains(&level) {
        return raise_error_table(lua, LuaApiError::LogLevelRange);
    }
    let mut msg = Vec::new();
    for j in 2..=argc {
        if let Some(s) = lua.bytes_at(j) {
            if j != 2 {
                msg.push(b' ');
            }
            msg.extend_from_slice(s);
        }
    }
    host::current(|host| host.log(level, &msg));
    Ok(0)
}

pub fn breakpoint(lua: &mut Lua) -> LuaResult<c_int> {
    lua.push_bool(false);
    Ok(1)
}

pub fn debug(_lua: &mut Lua) -> LuaResult<c_int> {
    Ok(0)
}

pub fn replicate_commands(lua: &mut Lua) -> LuaResult<c_int> {
    lua.push_bool(true);
    Ok(1)
}

/// Redis's global `pcall`: like Lua's, but an error table with a string `err` is returned as
/// that string, as scripts written for Redis < 7 expect.
pub fn pcall(lua: &mut Lua) -> LuaResult<c_int> {
    let argc = lua.top();
    lua.push_bool(true);
    lua.insert(1);
    if lua.pcall(argc - 1, crate::lua::state::MULTRET, 0) != crate::lua::state::Status::Ok {
        lua.remove(1);
        if lua.type_of(-1) == Type::Table {
            lua.get_field(-1, c"err");
            if lua.is_string(-1) {
                lua.replace(-2);
            }
        }
        lua.push_bool(false);
        lua.insert(1);
    }
    Ok(lua.top())
}
