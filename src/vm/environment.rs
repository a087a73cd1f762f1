//! The environment a script runs in, built as Redis builds it: the same libraries loaded in
//! the same order, the same `redis` table, the same error handler, `_G` locked the same way.

use std::ffi::c_int;

use super::{random, redis_lib, sandbox, ServerVersion};
use crate::lua::callback::{LuaResult, Raise};
use crate::lua::state::{libs, CFunction, Lua, Status, Type, GLOBALS};
use crate::lua_fn;

/// Redis's error handler, byte for byte (its line numbers show up in error replies).
const ERROR_HANDLER_SOURCE: &str = "local dbg = debug\n\
debug = nil\n\
function __redis__err__handler(err)\n  \
local i = dbg.getinfo(2,'nSl')\n  \
if i and i.what == 'C' then\n    \
i = dbg.getinfo(3,'nSl')\n  \
end\n  \
if type(err) ~= 'table' then\n    \
err = {err='ERR ' .. tostring(err)}  \
end  \
if i then\n    \
err['source'] = i.source\n    \
err['line'] = i.currentline\n  \
end  \
return err\n\
end\n";

/// Protected part of `Vm::new` (any Lua error, e.g. out of memory, aborts construction).
pub fn build_environment(lua: &mut Lua) -> LuaResult<c_int> {
    let part = |idx| lua.to_number(idx) as u32;
    let version = ServerVersion { major: part(1), minor: part(2), patch: part(3) };
    lua.set_top(0);

    // While libraries load, only allow-listed names become globals.
    lua.push_value(GLOBALS);
    lua.create_table(0, 0);
    lua.push_cfunction(lua_fn!(sandbox::newindex_allow_list));
    lua.set_field(-2, c"__newindex");
    lua.set_metatable(-2);
    lua.pop(1);

    lua.open_lib(c"", libs::luaopen_base);
    lua.open_lib(c"table", libs::luaopen_table);
    lua.open_lib(c"string", libs::luaopen_string);
    lua.open_lib(c"math", libs::luaopen_math);
    lua.open_lib(c"debug", libs::luaopen_debug);
    lua.open_lib(c"cjson", lua_fn!(crate::libs::cjson::luaopen));
    lua.open_lib(c"struct", lua_fn!(crate::libs::structlib::luaopen));
    lua.open_lib(c"cmsgpack", lua_fn!(crate::libs::cmsgpack::luaopen));
    lua.open_lib(c"bit", lua_fn!(crate::libs::bit::luaopen));

    lua.push_cfunction(lua_fn!(redis_lib::pcall));
    lua.set_field(GLOBALS, c"pcall");

    register_redis_table(lua, version);

    lua.get_field(GLOBALS, c"math");
    lua.push_cfunction(lua_fn!(random::math_random));
    lua.set_field(-2, c"random");
    lua.push_cfunction(lua_fn!(random::math_randomseed));
    lua.set_field(-2, c"randomseed");
    lua.set_field(GLOBALS, c"math");

    lua.get_field(GLOBALS, c"redis");
    lua.push_cfunction(lua_fn!(redis_lib::breakpoint));
    lua.set_field(-2, c"breakpoint");
    lua.push_cfunction(lua_fn!(redis_lib::debug));
    lua.set_field(-2, c"debug");
    lua.push_cfunction(lua_fn!(redis_lib::replicate_commands));
    lua.set_field(-2, c"replicate_commands");
    lua.set_field(GLOBALS, c"redis");

    if lua.load_buffer(ERROR_HANDLER_SOURCE.as_bytes(), c"@err_handler_def") != Status::Ok {
        return Err(Raise::Pushed);
    }
    lua.call(0, 0);

    // Lock `_G`: reading an undefined global raises; `_G`, everything reachable from it and
    // the string metatable become read-only.
    lua.push_value(GLOBALS);
    lua.create_table(0, 0);
    lua.push_cfunction(lua_fn!(sandbox::protected_table_error));
    lua.set_field(-2, c"__index");
    lua.set_metatable(-2);
    sandbox::protect_recursively(lua);
    lua.pop(1);
    lua.push_bytes(b"");
    if lua.get_metatable(-1) {
        sandbox::protect_recursively(lua);
        lua.pop(1);
    }
    lua.pop(1);
    debug_assert_eq!(lua.type_of(GLOBALS), Type::Table);
    Ok(0)
}

fn register_redis_table(lua: &mut Lua, version: ServerVersion) {
    enum Field {
        Function(CFunction),
        Number(f64),
        Text(String),
    }
    use Field::{Function, Number, Text};
    let version_num = f64::from((version.major << 16) | (version.minor << 8) | version.patch);
    let version_text = format!("{}.{}.{}", version.major, version.minor, version.patch);
    // In Redis's order, which `pairs(redis)` shows.
    let fields = [
        (c"call", Function(lua_fn!(redis_lib::redis_call))),
        (c"pcall", Function(lua_fn!(redis_lib::redis_pcall))),
        (c"log", Function(lua_fn!(redis_lib::log))),
        (c"LOG_DEBUG", Number(0.0)),
        (c"LOG_VERBOSE", Number(1.0)),
        (c"LOG_NOTICE", Number(2.0)),
        (c"LOG_WARNING", Number(3.0)),
        (c"REDIS_VERSION_NUM", Number(version_num)),
        (c"REDIS_VERSION", Text(version_text)),
        (c"setresp", Function(lua_fn!(redis_lib::setresp))),
        (c"sha1hex", Function(lua_fn!(redis_lib::sha1hex))),
        (c"error_reply", Function(lua_fn!(redis_lib::error_reply))),
        (c"status_reply", Function(lua_fn!(redis_lib::status_reply))),
        (c"set_repl", Function(lua_fn!(redis_lib::set_repl))),
        (c"REPL_NONE", Number(0.0)),
        (c"REPL_AOF", Number(1.0)),
        (c"REPL_SLAVE", Number(2.0)),
        (c"REPL_REPLICA", Number(2.0)),
        (c"REPL_ALL", Number(3.0)),
        (c"acl_check_cmd", Function(lua_fn!(redis_lib::acl_check_cmd))),
    ];
    lua.create_table(0, 0);
    for (name, field) in fields {
        match field {
            Function(f) => lua.push_cfunction(f),
            Number(n) => lua.push_number(n),
            Text(t) => lua.push_str(&t),
        }
        lua.set_field(-2, name);
    }
    lua.set_field(GLOBALS, c"redis");
}
