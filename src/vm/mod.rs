//! Redis's Lua VM: one state built as Redis builds it (`environment`), compiling script
//! bodies and running them with KEYS and ARGV (`arg_table`), the hook, the error reply and
//! the periodic GC step (`gc`).

mod arg_table;
mod environment;
pub mod errinfo;
mod gc;
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

use std::ffi::c_int;

use crate::lua::state::{GcOp, OwnedState, Status, GLOBALS, MASK_COUNT, REGISTRY};
use arg_table::ArgTable;
use gc::GcPacer;
use host::Host;

use crate::convert::sink::ReplySink;
use crate::convert::to_reply::reply_from_lua;
use crate::lua_fn;

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
    state: OwnedState,
    /// Registry reference to the error handler, pushed by every run.
    handler: c_int,
    keys: ArgTable,
    argv: ArgTable,
    gc: GcPacer,
}

impl Vm {
    /// Builds a VM; `None` if the allocator refuses even that.
    pub fn new(version: ServerVersion, heap_limit: usize) -> Option<Vm> {
        let mut state = OwnedState::new()?;
        let (lua, heap) = state.parts();
        lua.push_cfunction(lua_fn!(environment::build_environment));
        for part in [version.major, version.minor, version.patch] {
            lua.push_number(f64::from(part));
        }
        if lua.pcall(3, 0, 0) != Status::Ok {
            return None;
        }
        lua.raw_get_str(GLOBALS, b"__redis__err__handler");
        let handler = lua.registry_ref();
        let keys = ArgTable::new(lua, b"KEYS");
        let argv = ArgTable::new(lua, b"ARGV");
        let gc = GcPacer::new(heap.used());
        let vm = Vm { state, handler, keys, argv, gc };
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
        self.gc.steps()
    }

    /// Compiles a script body (shebang line already blanked out) as chunk `@user_script`.
    pub fn compile(&mut self, body: &[u8]) -> Result<FunctionRef, Vec<u8>> {
        let (lua, heap) = self.state.parts();
        match heap.enforced(|| lua.load_buffer(body, c"@user_script")) {
            Status::Ok => Ok(FunctionRef(lua.registry_ref())),
            status => {
                let msg = lua.bytes_at(-1).map(<[u8]>::to_vec).unwrap_or_else(|| b"unknown error".to_vec());
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
        self.state.lua().gc(GcOp::Collect, 0);
    }

    pub fn release(&self, f: FunctionRef) {
        self.state.lua().registry_unref(f.0);
    }

    /// Runs a compiled script with its KEYS and ARGV and sends the converted result (or the
    /// error) to `sink`.
    pub fn run(&mut self, call: &Call<'_>, host: &dyn Host, sink: &mut dyn ReplySink) {
        let Call { func: f, sha, keys, args, hook: hook_mode } = *call;
        let (lua, heap) = self.state.parts();
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
        let status = host::with_current(host, || heap.enforced(|| lua.pcall(0, 1, -2)));
        self.gc.after_run(lua, || heap.used());
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
        if status == Status::Memory || heap.near_limit() {
            self.reclaim();
        }
    }

    /// Compiles and runs `body` with no keys or arguments (unit tests).
    #[cfg(test)]
    pub fn eval_for_test(&mut self, body: &[u8], host: &dyn Host, sink: &mut dyn ReplySink) {
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
