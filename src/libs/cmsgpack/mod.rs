//! `cmsgpack`: MessagePack for Lua, behaving like lua-cmsgpack 0.4.0 as bundled with Redis 7.0.
//!
//! `pack` walks the values on the Lua stack straight into a byte buffer; `unpack*` decode
//! straight onto the Lua stack. Neither recurses on the Rust stack beyond the 16 table levels
//! `pack` allows. Where the C code asks Lua for stack room (`luaL_checkstack`), we ask at the
//! same stack height so the "stack overflow (...)" errors trigger on exactly the same inputs.

mod pack;
mod unpack;

use std::ffi::{c_int, CStr};

use crate::lua::args::check_stack;
use crate::lua::callback::LuaResult;
use crate::lua::state::{Lua, GLOBALS};
use crate::lua_fn;

/// `luaopen_cmsgpack`: a fresh table filled field by field (the order shows in `pairs()`),
/// also stored as the global `cmsgpack`.
pub fn luaopen(lua: &mut Lua) -> LuaResult<c_int> {
    lua.create_table(0, 0);
    let funcs = [
        (c"pack", lua_fn!(pack::pack)),
        (c"unpack", lua_fn!(unpack::unpack)),
        (c"unpack_one", lua_fn!(unpack::unpack_one)),
        (c"unpack_limit", lua_fn!(unpack::unpack_limit)),
    ];
    for (name, f) in funcs {
        lua.push_cfunction(f);
        lua.set_field(-2, name);
    }
    let fields: [(&CStr, &str); 4] = [
        (c"_NAME", "cmsgpack"),
        (c"_VERSION", "lua-cmsgpack 0.4.0"),
        (c"_COPYRIGHT", "Copyright (C) 2012, Salvatore Sanfilippo"),
        (c"_DESCRIPTION", "MessagePack C implementation for Lua"),
    ];
    for (name, value) in fields {
        lua.push_str(value);
        lua.set_field(-2, name);
    }
    lua.push_value(-1);
    lua.set_field(GLOBALS, c"cmsgpack");
    Ok(1)
}

/// `luaL_checkstack(L, n, what)` at the current stack height. `ensured` is the height up
/// to which a check has succeeded during this call: asking again for room below it cannot
/// fail and changes nothing, so it is not asked.
#[inline]
fn ensure_stack(lua: &Lua, ensured: &mut c_int, n: c_int, what: &str) -> LuaResult<()> {
    let want = lua.top() + n;
    if want > *ensured {
        check_stack(lua, n, what)?;
        *ensured = want;
    }
    Ok(())
}

#[cfg(test)]
mod tests;
