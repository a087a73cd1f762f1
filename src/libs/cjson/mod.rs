//! `cjson`: Redis's lua-cjson 2.1.0 (with its strbuf and fpconv helpers), behaving exactly
//! like the C library: same results, error texts, limits and registration order.
//!
//! Each module table (the global `cjson`, and every `cjson.new()`) owns a configuration. The C
//! library keeps it inside a full userdata that is the first upvalue of every function; we
//! create the same userdata (same size, same `__gc`), and keep the settings themselves in a
//! per-thread map keyed by the userdata's address, so no Rust code writes into Lua memory.
//!
//! Invariant for everything here: the map is never borrowed across a Lua API call, since any
//! allocation may run a `__gc` (which removes an entry) or raise a memory error (which would
//! leave the borrow stuck).

mod decode;
mod encode;
mod strtod;
#[cfg(test)]
mod tests;

use std::cell::RefCell;
use std::collections::HashMap;
use std::ffi::{c_int, CStr};
use std::hash::{BuildHasherDefault, Hasher};

use crate::lua::args::{check_c_string, check_integer};
use crate::lua::callback::{LuaResult, Raise};
use crate::lua::state::{upvalue_index, CFunction, Lua, Type, GLOBALS};
use crate::lua_fn;

/// `sizeof(json_config_t)` on x86-64 Linux: the userdata is the same size as the C one, so
/// the Lua heap (as `collectgarbage("count")` shows it) grows by the same amount.
const CONFIG_USERDATA_SIZE: usize = 1360;

/// Per-instance settings, with the C library's defaults.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Settings {
    pub sparse_convert: c_int,
    pub sparse_ratio: c_int,
    pub sparse_safe: c_int,
    pub encode_max_depth: c_int,
    /// 0 = refuse, 1 = write inf/nan, 2 = write null.
    pub encode_invalid_numbers: c_int,
    pub encode_number_precision: c_int,
    pub encode_keep_buffer: c_int,
    pub decode_invalid_numbers: c_int,
    pub decode_max_depth: c_int,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            sparse_convert: 0,
            sparse_ratio: 2,
            sparse_safe: 10,
            encode_max_depth: 1000,
            encode_invalid_numbers: 0,
            encode_number_precision: 14,
            encode_keep_buffer: 1,
            decode_invalid_numbers: 1,
            decode_max_depth: 1000,
        }
    }
}

#[derive(Default)]
struct Instance {
    settings: Settings,
    /// The encode buffer kept between calls while `encode_keep_buffer` is on.
    buffer: Vec<u8>,
}

/// Userdata addresses are 8-aligned and unique while alive: a multiply is hash enough.
#[derive(Default)]
struct AddressHasher(u64);

impl Hasher for AddressHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8 | u64::from(b)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }
    fn write_usize(&mut self, n: usize) {
        self.0 = (n as u64 >> 3).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

type InstanceMap = HashMap<usize, Instance, BuildHasherDefault<AddressHasher>>;

thread_local! {
    static INSTANCES: RefCell<InstanceMap> = RefCell::new(InstanceMap::default());
}

fn with_instances<R>(f: impl FnOnce(&mut InstanceMap) -> R) -> Option<R> {
    INSTANCES.try_with(|m| m.try_borrow_mut().ok().map(|mut m| f(&mut m))).ok().flatten()
}

/// The address of the calling function's configuration userdata.
fn config_key(lua: &Lua) -> usize {
    lua.to_pointer(upvalue_index(1)) as usize
}

fn missing_config() -> Raise {
    Raise::located("BUG: Unable to fetch CJSON configuration")
}

fn settings(lua: &Lua) -> LuaResult<Settings> {
    let key = config_key(lua);
    with_instances(|m| m.get(&key).map(|i| i.settings)).flatten().ok_or_else(missing_config)
}

fn store_settings(key: usize, settings: Settings) {
    with_instances(|m| {
        let inst = m.entry(key).or_default();
        if settings.encode_keep_buffer == 0 {
            inst.buffer = Vec::new();
        }
        inst.settings = settings;
    });
}

/// Settings plus the kept encode buffer (taken out of the map; give it back with
/// [`return_buffer`]).
fn settings_and_buffer(lua: &mut Lua) -> LuaResult<(usize, Settings, Vec<u8>)> {
    let key = config_key(lua);
    with_instances(|m| {
        m.get_mut(&key).map(|i| {
            let buf = if i.settings.encode_keep_buffer != 0 { std::mem::take(&mut i.buffer) } else { Vec::new() };
            (key, i.settings, buf)
        })
    })
    .flatten()
    .ok_or_else(missing_config)
}

fn return_buffer(key: usize, mut buf: Vec<u8>) {
    with_instances(|m| {
        if let Some(inst) = m.get_mut(&key) {
            if inst.settings.encode_keep_buffer != 0 {
                buf.clear();
                inst.buffer = buf;
            }
        }
    });
}

// ---- module table ----

const FUNCTIONS: &[(&CStr, CFunction)] = &[
    (c"encode", lua_fn!(encode::encode)),
    (c"decode", lua_fn!(decode::decode)),
    (c"encode_sparse_array", lua_fn!(cfg_encode_sparse_array)),
    (c"encode_max_depth", lua_fn!(cfg_encode_max_depth)),
    (c"decode_max_depth", lua_fn!(cfg_decode_max_depth)),
    (c"encode_number_precision", lua_fn!(cfg_encode_number_precision)),
    (c"encode_keep_buffer", lua_fn!(cfg_encode_keep_buffer)),
    (c"encode_invalid_numbers", lua_fn!(cfg_encode_invalid_numbers)),
    (c"decode_invalid_numbers", lua_fn!(cfg_decode_invalid_numbers)),
    (c"new", lua_fn!(new_instance)),
];

/// Pushes a new module table with its own configuration (`lua_cjson_new`).
fn push_module(lua: &mut Lua) {
    lua.create_table(0, 0);

    let key = lua.new_userdata(CONFIG_USERDATA_SIZE) as usize;
    lua.create_table(0, 0);
    lua.push_cfunction(lua_fn!(destroy_config));
    lua.set_field(-2, c"__gc");
    lua.set_metatable(-2);
    // A stale entry can only belong to a collected userdata at the same address.
    with_instances(|m| m.insert(key, Instance::default()));

    lua.set_funcs(FUNCTIONS, 1);

    lua.push_light_userdata(std::ptr::null_mut());
    lua.set_field(-2, c"null");
    lua.push_str("cjson");
    lua.set_field(-2, c"_NAME");
    lua.push_str("2.1.0");
    lua.set_field(-2, c"_VERSION");
}

/// `luaopen_cjson` as Redis builds it (ENABLE_CJSON_GLOBAL): the table also becomes the
/// global `cjson`.
pub fn luaopen(lua: &mut Lua) -> LuaResult<c_int> {
    push_module(lua);
    lua.push_value(-1);
    lua.set_field(GLOBALS, c"cjson");
    Ok(1)
}

fn new_instance(lua: &mut Lua) -> LuaResult<c_int> {
    push_module(lua);
    Ok(1)
}

fn destroy_config(lua: &mut Lua) -> LuaResult<c_int> {
    let key = lua.to_pointer(1) as usize;
    if key != 0 {
        with_instances(|m| m.remove(&key));
    }
    Ok(0)
}

// ---- configuration functions ----

/// `json_arg_init`: at most `n` arguments, padded with nils.
fn arg_init(lua: &Lua, n: c_int) -> LuaResult<(usize, Settings)> {
    if lua.top() > n {
        return Err(Raise::arg(n + 1, "found too many arguments"));
    }
    while lua.top() < n {
        lua.push_nil();
    }
    Ok((config_key(lua), settings(lua)?))
}

/// `json_integer_option`. The C code names argument #1 in the range error whatever the
/// position, and so do we.
fn integer_option(lua: &Lua, idx: c_int, setting: &mut c_int, min: c_int, max: c_int) -> LuaResult<()> {
    if !lua.is_nil(idx) {
        // luaL_checkinteger into a C `int`: the 64-bit integer truncated to 32 bits.
        let value = check_integer(lua, idx)? as c_int;
        if !(min <= value && value <= max) {
            return Err(Raise::arg(1, format!("expected integer between {min} and {max}")));
        }
        *setting = value;
    }
    Ok(())
}

const BOOL_OPTIONS: &[&str] = &["off", "on"];
const INVALID_NUMBER_OPTIONS: &[&str] = &["off", "on", "null"];

/// `json_enum_option` with `bool_true` = 1: a boolean, or one of `options` by name.
fn enum_option(lua: &Lua, idx: c_int, setting: &mut c_int, options: &[&str]) -> LuaResult<()> {
    if lua.is_nil(idx) {
        return Ok(());
    }
    if lua.type_of(idx) == Type::Boolean {
        *setting = c_int::from(lua.to_boolean(idx));
        return Ok(());
    }
    // luaL_checkoption: numbers are turned into strings; comparison stops at a NUL.
    let name = check_c_string(lua, idx)?;
    match options.iter().position(|o| o.as_bytes() == name) {
        Some(i) => {
            *setting = i as c_int;
            Ok(())
        }
        None => {
            let mut msg = b"invalid option '".to_vec();
            msg.extend_from_slice(name);
            msg.push(b'\'');
            Err(Raise::arg(idx, msg))
        }
    }
}

fn push_enum(lua: &Lua, setting: c_int, options: &[&str]) {
    match setting {
        0 | 1 => lua.push_bool(setting != 0),
        n => lua.push_str(options.get(n as usize).copied().unwrap_or_default()),
    }
}

/// Runs the option updates in order; whatever succeeded before an error stays set, as in C.
fn configure(lua: &Lua, nargs: c_int, update: impl FnOnce(&mut Settings) -> LuaResult<()>) -> LuaResult<Settings> {
    let (key, mut s) = arg_init(lua, nargs)?;
    let result = update(&mut s);
    store_settings(key, s);
    result.map(|()| s)
}

fn cfg_encode_sparse_array(lua: &mut Lua) -> LuaResult<c_int> {
    let s = configure(lua, 3, |s| {
        enum_option(lua, 1, &mut s.sparse_convert, BOOL_OPTIONS)?;
        integer_option(lua, 2, &mut s.sparse_ratio, 0, c_int::MAX)?;
        integer_option(lua, 3, &mut s.sparse_safe, 0, c_int::MAX)
    })?;
    push_enum(lua, s.sparse_convert, BOOL_OPTIONS);
    lua.push_number(f64::from(s.sparse_ratio));
    lua.push_number(f64::from(s.sparse_safe));
    Ok(3)
}

fn cfg_encode_max_depth(lua: &mut Lua) -> LuaResult<c_int> {
    let s = configure(lua, 1, |s| integer_option(lua, 1, &mut s.encode_max_depth, 1, c_int::MAX))?;
    lua.push_number(f64::from(s.encode_max_depth));
    Ok(1)
}

fn cfg_decode_max_depth(lua: &mut Lua) -> LuaResult<c_int> {
    let s = configure(lua, 1, |s| integer_option(lua, 1, &mut s.decode_max_depth, 1, c_int::MAX))?;
    lua.push_number(f64::from(s.decode_max_depth));
    Ok(1)
}

fn cfg_encode_number_precision(lua: &mut Lua) -> LuaResult<c_int> {
    let s = configure(lua, 1, |s| integer_option(lua, 1, &mut s.encode_number_precision, 1, 14))?;
    lua.push_number(f64::from(s.encode_number_precision));
    Ok(1)
}

fn cfg_encode_keep_buffer(lua: &mut Lua) -> LuaResult<c_int> {
    let s = configure(lua, 1, |s| enum_option(lua, 1, &mut s.encode_keep_buffer, BOOL_OPTIONS))?;
    push_enum(lua, s.encode_keep_buffer, BOOL_OPTIONS);
    Ok(1)
}

fn cfg_encode_invalid_numbers(lua: &mut Lua) -> LuaResult<c_int> {
    let s = configure(lua, 1, |s| enum_option(lua, 1, &mut s.encode_invalid_numbers, INVALID_NUMBER_OPTIONS))?;
    push_enum(lua, s.encode_invalid_numbers, INVALID_NUMBER_OPTIONS);
    Ok(1)
}

fn cfg_decode_invalid_numbers(lua: &mut Lua) -> LuaResult<c_int> {
    let s = configure(lua, 1, |s| enum_option(lua, 1, &mut s.decode_invalid_numbers, BOOL_OPTIONS))?;
    push_enum(lua, s.decode_invalid_numbers, BOOL_OPTIONS);
    Ok(1)
}
