//! Module load: API initialisation, options, the engine, command registration.

use std::ffi::{c_int, c_void};
use std::panic::{catch_unwind, AssertUnwindSafe};

use crate::commands::{eval, install_engine, script};
use crate::engine::{Engine, Settings};
use crate::lua::host;
use crate::lua::vm::ServerVersion;
use crate::redis::api::{self, Ctx, RawCtx, RawString, KEY_ACCESS, KEY_RO, KEY_RW, KEY_UPDATE};
use crate::redis::register::{self, CommandDef, SubcommandDef};
use crate::redis::{cmdtable, config};

pub const MODULE_NAME: &std::ffi::CStr = c"luax";
/// Shown by MODULE LIST: major*10000 + minor*100 + patch.
pub const MODULE_VERSION: c_int = 100;

/// Default ceiling of the Lua heap.
const DEFAULT_HEAP_LIMIT: usize = 1 << 30;

fn log_sink(level: i32, msg: &[u8]) {
    api::log_raw(None, level, msg);
}

/// Entry point called by `MODULE LOAD` / `loadmodule`.
///
/// # Safety
/// Called by Redis with a valid load context and arguments.
#[no_mangle]
pub unsafe extern "C" fn RedisModule_OnLoad(ctx: RawCtx, argv: *mut RawString, argc: c_int) -> c_int {
    // SAFETY: called once by Redis with its load context.
    if !unsafe { api::init(ctx, MODULE_NAME, MODULE_VERSION) } {
        return 1;
    }
    if let Some(missing) = api::check_api() {
        api::log_raw(None, 3, format!("luax: this server lacks {missing}; luax needs Redis 7.0 or later").as_bytes());
        return 1;
    }
    // SAFETY: Redis passes its load context and the module arguments.
    let (Some(ctx), args) = (unsafe { Ctx::from_raw(ctx) }, unsafe { api::args(argv, argc) }) else {
        return 1;
    };
    match catch_unwind(AssertUnwindSafe(|| load(ctx, &args))) {
        Ok(Ok(())) => 0,
        Ok(Err(msg)) => {
            ctx.log(3, msg.as_bytes());
            1
        }
        Err(_) => 1,
    }
}

fn load(ctx: Ctx, _args: &[&[u8]]) -> Result<(), String> {
    host::set_logger(log_sink);
    let (major, minor, patch) = ctx.server_version();
    let settings = Settings { version: ServerVersion { major, minor, patch }, heap_limit: DEFAULT_HEAP_LIMIT };
    let engine = Engine::new(settings).map_err(|e| String::from_utf8_lossy(&e.to_wire()).into_owned())?;
    install_engine(engine);

    // getkeys-api: Redis 7.0 finds module command keys for cluster routing by asking the
    // command (its key specs serve COMMAND INFO / GETKEYS).
    let eval_flags = c"deny-script may-replicate allow-stale no-mandatory-keys getkeys-api";
    let ro_flags = c"readonly deny-script allow-stale no-mandatory-keys getkeys-api";
    let rw_keys = Some(KEY_RW | KEY_ACCESS | KEY_UPDATE);
    let ro_keys = Some(KEY_RO | KEY_ACCESS);
    for def in [
        CommandDef {
            name: c"luax.eval",
            handler: Some(eval::eval_command),
            flags: eval_flags,
            arity: -3,
            summary: c"Executes a server-side Lua script.",
            key_flags: rw_keys,
        },
        CommandDef {
            name: c"luax.evalsha",
            handler: Some(eval::evalsha_command),
            flags: eval_flags,
            arity: -3,
            summary: c"Executes a server-side Lua script by SHA1 digest.",
            key_flags: rw_keys,
        },
        CommandDef {
            name: c"luax.eval_ro",
            handler: Some(eval::eval_ro_command),
            flags: ro_flags,
            arity: -3,
            summary: c"Executes a read-only server-side Lua script.",
            key_flags: ro_keys,
        },
        CommandDef {
            name: c"luax.evalsha_ro",
            handler: Some(eval::evalsha_ro_command),
            flags: ro_flags,
            arity: -3,
            summary: c"Executes a read-only server-side Lua script by SHA1 digest.",
            key_flags: ro_keys,
        },
    ] {
        register::command(ctx, &def)?;
    }
    register::container(
        ctx,
        c"luax.script",
        c"A container for Lua scripts management commands.",
        &[
            SubcommandDef {
                name: c"load",
                handler: Some(script::load_command),
                flags: c"deny-script allow-stale",
                arity: 3,
                summary: c"Loads a server-side Lua script to the script cache.",
            },
            SubcommandDef {
                name: c"exists",
                handler: Some(script::exists_command),
                flags: c"deny-script",
                arity: -3,
                summary: c"Determines whether server-side Lua scripts exist in the script cache.",
            },
            SubcommandDef {
                name: c"flush",
                handler: Some(script::flush_command),
                flags: c"deny-script",
                arity: -2,
                summary: c"Removes all server-side Lua scripts from the script cache.",
            },
            SubcommandDef {
                name: c"kill",
                handler: Some(script::kill_command),
                flags: c"deny-script allow-busy",
                arity: 2,
                summary: c"Terminates a server-side Lua script during execution.",
            },
            SubcommandDef {
                name: c"help",
                handler: Some(script::help_command),
                flags: c"allow-loading allow-stale",
                arity: 2,
                summary: c"Returns helpful text about the different subcommands.",
            },
        ],
    )?;
    if !ctx.subscribe(api::EVENT_CONFIG, Some(on_config_change)) {
        return Err("cannot subscribe to configuration changes".into());
    }
    if !ctx.subscribe(api::EVENT_MODULE_CHANGE, Some(on_module_change)) {
        return Err("cannot subscribe to module changes".into());
    }
    Ok(())
}

extern "C" fn on_config_change(_ctx: RawCtx, _event: api::RawEvent, _sub: u64, _data: *mut c_void) {
    config::invalidate();
}

extern "C" fn on_module_change(_ctx: RawCtx, _event: api::RawEvent, _sub: u64, _data: *mut c_void) {
    cmdtable::clear();
}
