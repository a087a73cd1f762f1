//! The global-table rules, as data: which globals the libraries may create while the VM is
//! built, and the metamethods that guard `_G` afterwards.

use std::ffi::c_int;

use super::host;
use crate::error::vm as msg;
use crate::lua::callback::{LuaResult, Raise};
use crate::lua::state::{Lua, Type};

/// Globals the libraries may define while the VM is built (Redis 7.0's allow lists, minus
/// `setfenv`, `getfenv` and `newproxy`, which Debian's CVE-2025-46818 fix removes).
pub const ALLOWED_GLOBALS: &[&str] = &[
    // libraries
    "string",
    "cjson",
    "bit",
    "cmsgpack",
    "math",
    "table",
    "struct",
    // the Redis API
    "redis",
    "__redis__err__handler",
    // Lua builtins
    "xpcall",
    "tostring",
    "setmetatable",
    "next",
    "assert",
    "tonumber",
    "rawequal",
    "collectgarbage",
    "getmetatable",
    "rawset",
    "pcall",
    "coroutine",
    "type",
    "_G",
    "select",
    "unpack",
    "gcinfo",
    "pairs",
    "rawget",
    "loadstring",
    "ipairs",
    "_VERSION",
    "load",
    "error",
    // allowed while building, removed right after
    "debug",
];

/// Globals dropped silently; anything else not allowed is dropped with a warning.
pub const DENIED_GLOBALS: &[&str] = &["dofile", "loadfile", "print", "setfenv", "getfenv", "newproxy"];

/// `__newindex` of `_G` while the VM is built: only allowed names get through.
pub fn newindex_allow_list(lua: &mut Lua) -> LuaResult<c_int> {
    if lua.top() != 3 {
        host::log_warning("malicious code trying to call luaNewIndexAllowList with wrong arguments");
        return Err(Raise::located(msg::NEWINDEX_ARGS));
    }
    if lua.type_of(-3) != Type::Table {
        return Err(Raise::located(msg::NEWINDEX_TABLE));
    }
    if !lua.is_string(-2) {
        return Err(Raise::located(msg::NEWINDEX_KEY_TYPE));
    }
    let name = lua.bytes_at(-2).unwrap_or_default();
    if ALLOWED_GLOBALS.iter().any(|g| g.as_bytes() == name) {
        lua.raw_set(-3);
    } else if !DENIED_GLOBALS.iter().any(|g| g.as_bytes() == name) {
        let name = String::from_utf8_lossy(name);
        host::log_warning(&format!(
            "A key '{name}' was added to Lua globals which is not on the globals allow list nor listed on the deny list."
        ));
    }
    Ok(0)
}

/// `__index` of `_G` once built: reading an undefined global is an error.
pub fn protected_table_error(lua: &mut Lua) -> LuaResult<c_int> {
    if lua.top() != 2 {
        host::log_warning("malicious code trying to call luaProtectedTableError with wrong arguments");
        return Err(Raise::located(msg::PROTECTED_ARGS));
    }
    if !lua.is_string(-1) {
        return Err(Raise::located(msg::PROTECTED_KEY_TYPE));
    }
    let name = String::from_utf8_lossy(crate::util::cut_at_nul(lua.bytes_at(-1).unwrap_or_default())).into_owned();
    Err(Raise::located(format!("{} '{name}'", msg::NONEXISTENT_GLOBAL)))
}

/// Marks the table on top, every table reachable from it and their metatables read-only.
pub fn protect_recursively(lua: &mut Lua) {
    if lua.is_readonly(-1) {
        return;
    }
    lua.set_readonly(-1, true);
    lua.check_stack(2);
    lua.push_nil();
    while lua.next(-2) {
        if lua.type_of(-1) == Type::Table {
            protect_recursively(lua);
        }
        lua.pop(1);
    }
    if lua.get_metatable(-1) {
        protect_recursively(lua);
        lua.pop(1);
    }
}
