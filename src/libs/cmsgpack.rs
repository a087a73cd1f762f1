//! Placeholder until the library lands.

use std::ffi::c_int;

use crate::lua::callback::LuaResult;
use crate::lua::state::Lua;

pub fn luaopen(lua: Lua) -> LuaResult<c_int> {
    lua.create_table(0, 0);
    lua.set_field(crate::lua::state::GLOBALS, c"cmsgpack");
    Ok(0)
}
