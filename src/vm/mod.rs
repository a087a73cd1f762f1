//! One Lua VM as Redis builds it: the same libraries loaded in the same order, the same
//! `redis` table, the same error handler, `_G` locked the same way; then compiling a script
//! body and running it.

pub mod errinfo;
pub mod hook;
#[allow(unsafe_code)]
pub mod host;
pub mod random;
pub mod redis_lib;
pub mod sandbox;

#[cfg(test)]
pub mod testing;
#[cfg(test)]
mod tests;

use std::cell::Cell;
use std::ffi::c_int;

use crate::lua::callback::{LuaResult, Raise};
use crate::lua::state::{libs, GcOp, Lua, OwnedState, Status, Type, GLOBALS, MASK_COUNT, REGISTRY};
use host::Host;

use crate::convert::sink::ReplySink;
use crate::convert::to_reply::reply_from_lua;
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

/// Redis runs a GC step (of this many KB of work) every this many script calls.
const GC_PERIOD: u32 = 50;
/// ... and luax only when the heap grew by at least that much since the previous step: a
/// forced step walks the live heap whether or not there is garbage, which for scripts that
/// make little garbage (most scripts calling Redis) cost ~6% of a run. Lua's own incremental
/// collector still runs as usual, so at most this much extra garbage waits.
const GC_STEP_BYTES: usize = GC_PERIOD as usize * 1024;

thread_local! {
    /// Shared by every VM of the process, as Redis's static counter is.
    static CALLS_SINCE_GC: Cell<u32> = const { Cell::new(0) };
}

/// A compiled script: its function, kept in the registry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FunctionRef(c_int);

/// The server identity scripts see in `redis.REDIS_VERSION(_NUM)`.
#[derive(Debug, Clone, Copy)]
pub struct ServerVersion {
    pub major: u32,
    pub minor: u32,
    pub patch: u32,
}

/// One script invocation.
#[derive(Clone, Copy)]
pub struct Call<'a> {
    pub func: FunctionRef,
    pub sha: &'a [u8; 40],
    pub keys: &'a [&'a [u8]],
    pub args: &'a [&'a [u8]],
    pub hook: HookMode,
}

/// How the instruction-count hook is armed for one run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HookMode {
    Off,
    /// Check for timeout and kill every this many VM instructions.
    Count(c_int),
}

pub struct Vm {
    /// The state's handle (a copy of `state.lua()`, for brevity).
    lua: Lua,
    state: OwnedState,
    /// Registry reference to the error handler, pushed by every run.
    handler: c_int,
    keys: ArgTable,
    argv: ArgTable,
    /// Heap size after the last periodic GC step.
    used_after_gc_step: Cell<usize>,
    periodic_gc_steps: Cell<u64>,
}

/// The KEYS or ARGV global. Redis builds a new table for every run; when the previous
/// run's table was not touched by the script (its write counter did not move and it got
/// no metatable) and has the array size a new one would have, it is refilled instead:
/// the same contents in the same layout, without the allocations.
struct ArgTable {
    /// Registry references: the global's name, and the current table (0 = none yet).
    name: c_int,
    table: Cell<c_int>,
    capacity: Cell<usize>,
    len: Cell<usize>,
    writes: Cell<u32>,
}

impl ArgTable {
    fn new(lua: Lua, name: &[u8]) -> ArgTable {
        lua.push_bytes(name);
        let name = lua.registry_ref();
        ArgTable { name, table: Cell::new(0), capacity: Cell::new(0), len: Cell::new(0), writes: Cell::new(0) }
    }

    /// Makes the global hold `items`.
    fn fill(&self, lua: Lua, items: &[&[u8]]) {
        let capacity = if items.is_empty() { 0 } else { items.len().next_power_of_two().min(1 << 26) };
        if self.table.get() != 0 && self.capacity.get() == capacity {
            lua.raw_geti(REGISTRY, self.table.get());
            if lua.get_metatable(-1) {
                lua.pop(2);
            } else if lua.table_writes(-1) == self.writes.get() {
                refill_items(lua, items, self.len.get());
                self.remember(lua, items.len());
                lua.pop(1);
                return;
            } else {
                lua.pop(1);
            }
        }
        lua.create_table(capacity as c_int, 0);
        store_items(lua, items);
        self.remember(lua, items.len());
        lua.push_value(-1);
        let old = self.table.replace(lua.registry_ref());
        if old != 0 {
            lua.registry_unref(old);
        }
        self.capacity.set(capacity);
        lua.raw_geti(REGISTRY, self.name);
        lua.insert(-2);
        lua.set_readonly(GLOBALS, false);
        lua.raw_set(GLOBALS);
        lua.set_readonly(GLOBALS, true);
    }

    fn remember(&self, lua: Lua, len: usize) {
        self.len.set(len);
        self.writes.set(lua.table_writes(-1));
    }
}

/// Like `store_items` for a table already holding the previous run's items: a slot that
/// already holds the same bytes keeps its string (an argument repeated from call to call,
/// such as a large document, is then not hashed and interned again).
fn refill_items(lua: Lua, items: &[&[u8]], old_len: usize) {
    for (i, item) in items.iter().enumerate() {
        let slot = i as c_int + 1;
        if i < old_len {
            lua.raw_geti(-1, slot);
            let same = lua.string_bytes(-1) == Some(*item);
            lua.pop(1);
            if same {
                continue;
            }
        }
        lua.push_bytes(item);
        lua.raw_seti(-2, slot);
    }
    for i in items.len()..old_len {
        lua.push_nil();
        lua.raw_seti(-2, i as c_int + 1);
    }
}

/// `t[1..] = items` for the (new) table on top.
fn store_items(lua: Lua, items: &[&[u8]]) {
    for (i, item) in items.iter().enumerate() {
        lua.push_bytes(item);
        lua.raw_seti(-2, i as c_int + 1);
    }
}

impl Vm {
    /// Builds a VM; `None` if the allocator refuses even that.
    pub fn new(version: ServerVersion, heap_limit: usize) -> Option<Vm> {
        let state = OwnedState::new()?;
        let lua = state.lua();
        lua.push_cfunction(lua_fn!(build_environment));
        for part in [version.major, version.minor, version.patch] {
            lua.push_number(f64::from(part));
        }
        if lua.pcall(3, 0, 0) != Status::Ok {
            return None;
        }
        lua.raw_get_str(GLOBALS, b"__redis__err__handler");
        let handler = lua.registry_ref();
        let vm = Vm {
            lua,
            handler,
            keys: ArgTable::new(lua, b"KEYS"),
            argv: ArgTable::new(lua, b"ARGV"),
            used_after_gc_step: Cell::new(state.heap().used()),
            periodic_gc_steps: Cell::new(0),
            state,
        };
        vm.state.heap().set_limit(heap_limit);
        Some(vm)
    }

    /// Bytes the VM currently holds.
    pub fn memory(&self) -> usize {
        self.state.heap().used()
    }

    /// GC steps taken by the every-`GC_PERIOD`-runs rule (not Lua's own collector).
    #[cfg(test)]
    pub fn periodic_gc_steps(&self) -> u64 {
        self.periodic_gc_steps.get()
    }

    /// Compiles a script body (shebang line already blanked out) as chunk `@user_script`.
    pub fn compile(&self, body: &[u8]) -> Result<FunctionRef, Vec<u8>> {
        let lua = self.lua;
        match self.state.heap().enforced(|| lua.load_buffer(body, c"@user_script")) {
            Status::Ok => Ok(FunctionRef(lua.registry_ref())),
            status => {
                let msg = lua.to_bytes(-1).map(<[u8]>::to_vec).unwrap_or_else(|| b"unknown error".to_vec());
                lua.pop(1);
                if status == Status::Memory {
                    self.reclaim();
                }
                Err(msg)
            }
        }
    }

    /// A full collection after a script ran out of memory: Lua 5.1 does not collect on a
    /// failed allocation, so without it the garbage would keep refusing the next scripts.
    fn reclaim(&self) {
        self.lua.gc(GcOp::Collect, 0);
    }

    pub fn release(&self, f: FunctionRef) {
        self.lua.registry_unref(f.0);
    }

    /// Runs a compiled script with its KEYS and ARGV and sends the converted result (or the
    /// error) to `sink`.
    pub fn run(&self, call: &Call<'_>, host: &dyn Host, sink: &mut dyn ReplySink) {
        let Call { func: f, sha, keys, args, hook: hook_mode } = *call;
        let lua = self.lua;
        let base = lua.top();
        lua.check_stack(4);
        // Stack: error handler, function (the same layout as Redis, which the reply
        // conversion's nesting limit depends on).
        lua.raw_geti(REGISTRY, self.handler);
        lua.raw_geti(REGISTRY, f.0);
        self.keys.fill(lua, keys);
        self.argv.fill(lua, args);
        if let HookMode::Count(n) = hook_mode {
            lua.set_hook::<hook::CountHook>(MASK_COUNT, n);
        }
        let status = host::with_current(host, || self.state.heap().enforced(|| lua.pcall(0, 1, -2)));
        let periodic_gc = CALLS_SINCE_GC.with(|c| {
            let n = c.get() + 1;
            c.set(if n == GC_PERIOD { 0 } else { n });
            n == GC_PERIOD
        });
        if periodic_gc && self.state.heap().used() >= self.used_after_gc_step.get().saturating_add(GC_STEP_BYTES) {
            lua.gc(GcOp::Step, GC_PERIOD as c_int);
            self.used_after_gc_step.set(self.state.heap().used());
            self.periodic_gc_steps.set(self.periodic_gc_steps.get() + 1);
        }
        if status == Status::Ok {
            reply_from_lua(lua, sink, host.resp3());
        } else {
            errinfo::reply_error(lua, sha, sink);
        }
        if hook_mode != HookMode::Off {
            lua.clear_hook();
        }
        lua.set_top(base);
        // Also after a script that caught its own memory error and went on.
        if status == Status::Memory || self.state.heap().near_limit() {
            self.reclaim();
        }
    }

    /// Compiles and runs `body` with no keys or arguments (unit tests).
    #[cfg(test)]
    pub fn eval_for_test(&self, body: &[u8], host: &dyn Host, sink: &mut dyn ReplySink) {
        match self.compile(body) {
            Ok(f) => {
                let call = Call { func: f, sha: &[b'0'; 40], keys: &[], args: &[], hook: HookMode::Off };
                self.run(&call, host, sink);
                self.release(f);
            }
            Err(msg) => sink.error(&msg),
        }
    }
}

/// Protected part of `Vm::new` (any Lua error, e.g. out of memory, aborts construction).
fn build_environment(lua: Lua) -> LuaResult<c_int> {
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

fn register_redis_table(lua: Lua, version: ServerVersion) {
    let set_fn = |name: &std::ffi::CStr, f| {
        lua.push_cfunction(f);
        lua.set_field(-2, name);
    };
    let set_num = |name: &std::ffi::CStr, n: f64| {
        lua.push_number(n);
        lua.set_field(-2, name);
    };
    lua.create_table(0, 0);
    set_fn(c"call", lua_fn!(redis_lib::redis_call));
    set_fn(c"pcall", lua_fn!(redis_lib::redis_pcall));
    set_fn(c"log", lua_fn!(redis_lib::log));
    set_num(c"LOG_DEBUG", 0.0);
    set_num(c"LOG_VERBOSE", 1.0);
    set_num(c"LOG_NOTICE", 2.0);
    set_num(c"LOG_WARNING", 3.0);
    set_num(c"REDIS_VERSION_NUM", f64::from((version.major << 16) | (version.minor << 8) | version.patch));
    lua.push_str(&format!("{}.{}.{}", version.major, version.minor, version.patch));
    lua.set_field(-2, c"REDIS_VERSION");
    set_fn(c"setresp", lua_fn!(redis_lib::setresp));
    set_fn(c"sha1hex", lua_fn!(redis_lib::sha1hex));
    set_fn(c"error_reply", lua_fn!(redis_lib::error_reply));
    set_fn(c"status_reply", lua_fn!(redis_lib::status_reply));
    set_fn(c"set_repl", lua_fn!(redis_lib::set_repl));
    set_num(c"REPL_NONE", 0.0);
    set_num(c"REPL_AOF", 1.0);
    set_num(c"REPL_SLAVE", 2.0);
    set_num(c"REPL_REPLICA", 2.0);
    set_num(c"REPL_ALL", 3.0);
    set_fn(c"acl_check_cmd", lua_fn!(redis_lib::acl_check_cmd));
    lua.set_field(GLOBALS, c"redis");
}
