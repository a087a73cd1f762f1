//! The lauxlib checks the C libraries make on their arguments and on the Lua stack
//! (`luaL_checknumber` and friends), with the same error messages.

use std::ffi::c_int;

use super::callback::{LuaResult, Raise};
use super::state::{Lua, Type};
use crate::util::cut_at_nul;
use crate::util::numfmt::c_double_to_i64;

/// `luaL_checknumber`: a number, or a string that converts to one.
#[inline]
pub fn check_number(lua: &Lua, idx: c_int) -> LuaResult<f64> {
    let n = lua.to_number(idx);
    // lua_tonumber gives 0 for anything else: only a zero needs the type check.
    if n == 0.0 && !lua.is_number(idx) {
        return Err(Raise::type_error(lua, idx, "number"));
    }
    Ok(n)
}

/// `luaL_checkinteger`: `luaL_checknumber` cast to `ptrdiff_t` as x86-64 casts it.
#[inline]
pub fn check_integer(lua: &Lua, idx: c_int) -> LuaResult<i64> {
    Ok(c_double_to_i64(check_number(lua, idx)?))
}

/// `luaL_optinteger`: `default` when the argument is missing or nil.
pub fn opt_integer(lua: &Lua, idx: c_int, default: i64) -> LuaResult<i64> {
    match lua.type_of(idx) {
        Type::None | Type::Nil => Ok(default),
        _ => check_integer(lua, idx),
    }
}

/// `luaL_checklstring`: a string, or a number (converted to a string in place).
#[inline]
pub fn check_bytes(lua: &Lua, idx: c_int) -> LuaResult<&[u8]> {
    lua.bytes_at(idx).ok_or_else(|| Raise::type_error(lua, idx, "string"))
}

/// `luaL_checkstring` as the C code then reads the string: up to its first NUL, if any.
#[inline]
pub fn check_c_string(lua: &Lua, idx: c_int) -> LuaResult<&[u8]> {
    Ok(cut_at_nul(check_bytes(lua, idx)?))
}

/// `luaL_checkstack(L, n, what)`: room for `n` more slots, or "stack overflow (what)".
#[inline]
pub fn check_stack(lua: &Lua, n: c_int, what: &str) -> LuaResult<()> {
    if lua.check_stack(n) {
        Ok(())
    } else {
        Err(Raise::located(format!("stack overflow ({what})")))
    }
}
