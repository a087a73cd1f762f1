//! Module load: API initialisation, options, the engine, command registration.

use std::ffi::c_int;
use std::panic::{catch_unwind, AssertUnwindSafe};

use crate::commands::{self, cluster_sync, eval, install_engine, script};
use crate::engine::counters;
use crate::engine::{Engine, Settings};
use crate::event_fn;
use crate::redis::api::{self, Ctx, RawCtx, RawString, KEY_ACCESS, KEY_RO, KEY_RW, KEY_UPDATE};
use crate::redis::register::{self, CommandDef};
use crate::redis::{cmdtable, config, dropin, info, persist};
use crate::vm::host;
use crate::vm::ServerVersion;

pub const MODULE_NAME: &std::ffi::CStr = c"luax";
/// Shown by MODULE LIST: the crate version as major*10000 + minor*100 + patch.
pub const MODULE_VERSION: c_int = encode_version(env!("CARGO_PKG_VERSION"));

/// Default ceiling of the Lua heap.
const DEFAULT_HEAP_LIMIT: usize = 1 << 30;
/// Default cap on scripts known only from EVAL (Redis 7.4's fixed figure).
const DEFAULT_MAX_EVAL_SCRIPTS: usize = 500;

/// "1.2.3" -> 10203 (parts past the third, and anything after a non-digit, are ignored).
const fn encode_version(version: &str) -> c_int {
    let bytes = version.as_bytes();
    let mut parts = [0 as c_int; 3];
    let (mut i, mut part) = (0, 0);
    while i < bytes.len() {
        match bytes[i] {
            b'.' if part < 2 => part += 1,
            d @ b'0'..=b'9' => parts[part] = parts[part] * 10 + (d - b'0') as c_int,
            _ => break,
        }
        i += 1;
    }
    parts[0] * 10000 + parts[1] * 100 + parts[2]
}

/// Module arguments: `loadmodule libluax.so [dropin yes|no] [heap-limit <bytes>]
/// [busy-kill-readonly <ms>] [persist-scripts yes|no] [max-eval-scripts <n>]`, names and values
/// case-insensitive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// Serve EVAL, EVALSHA, EVAL_RO, EVALSHA_RO and SCRIPT (see `redis::dropin`).
    pub dropin: bool,
    /// Ceiling of the Lua heap in bytes (0: none).
    pub heap_limit: usize,
    /// Runs that have made no write are killed after this many milliseconds (0: never).
    pub busy_kill_readonly_ms: u64,
    /// Save the script registry with the dataset and propagate its changes.
    pub persist_scripts: bool,
    /// Scripts known only from EVAL kept at most (0: no cap).
    pub max_eval_scripts: usize,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            dropin: false,
            heap_limit: DEFAULT_HEAP_LIMIT,
            busy_kill_readonly_ms: 0,
            persist_scripts: true,
            max_eval_scripts: DEFAULT_MAX_EVAL_SCRIPTS,
        }
    }
}

impl Options {
    pub fn parse(args: &[&[u8]]) -> Result<Options, String> {
        let mut options = Options::default();
        let mut rest = args;
        while let [name, tail @ ..] = rest {
            let shown = String::from_utf8_lossy(name);
            let [value, tail @ ..] = tail else {
                return Err(format!("luax: module argument '{shown}' needs a value"));
            };
            let bad = || format!("luax: invalid value '{}' for '{shown}'", String::from_utf8_lossy(value));
            match name.to_ascii_lowercase().as_slice() {
                b"dropin" => options.dropin = parse_yes_no(value).ok_or_else(bad)?,
                b"heap-limit" => options.heap_limit = parse_memory(value).ok_or_else(bad)?,
                b"busy-kill-readonly" => options.busy_kill_readonly_ms = parse_ms(value).ok_or_else(bad)?,
                b"persist-scripts" => options.persist_scripts = parse_yes_no(value).ok_or_else(bad)?,
                b"max-eval-scripts" => options.max_eval_scripts = parse_count(value).ok_or_else(bad)?,
                _ => return Err(format!("luax: unknown module argument '{shown}' (known: {KNOWN_ARGUMENTS})")),
            }
            rest = tail;
        }
        Ok(options)
    }
}

const KNOWN_ARGUMENTS: &str = "dropin, heap-limit, busy-kill-readonly, persist-scripts, max-eval-scripts";

/// A plain decimal count.
fn parse_count(value: &[u8]) -> Option<usize> {
    if value.is_empty() || !value.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(value).ok()?.parse().ok()
}

fn parse_yes_no(value: &[u8]) -> Option<bool> {
    match value.to_ascii_lowercase().as_slice() {
        b"yes" => Some(true),
        b"no" => Some(false),
        _ => None,
    }
}

/// A byte count as redis.conf writes memory sizes: digits, then an optional unit
/// (b, k, kb, m, mb, g, gb; k = 1000, kb = 1024), any case.
fn parse_memory(value: &[u8]) -> Option<usize> {
    let lower = value.to_ascii_lowercase();
    let digits = lower.iter().take_while(|b| b.is_ascii_digit()).count();
    let (number, unit) = lower.split_at(digits);
    let multiplier: usize = match unit {
        b"" | b"b" => 1,
        b"k" => 1000,
        b"kb" => 1024,
        b"m" => 1000 * 1000,
        b"mb" => 1024 * 1024,
        b"g" => 1000 * 1000 * 1000,
        b"gb" => 1024 * 1024 * 1024,
        _ => return None,
    };
    let number: usize = std::str::from_utf8(number).ok()?.parse().ok()?;
    number.checked_mul(multiplier)
}

/// Milliseconds: plain digits.
fn parse_ms(value: &[u8]) -> Option<u64> {
    if value.is_empty() || !value.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(value).ok()?.parse().ok()
}

/// Panics are caught at every C edge (a command then answers "internal error in luax (see the
/// server log)"); this hook writes each one to the Redis log, once, so that is true.
fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| host::log_warning(&panic_line(info))));
}

fn panic_line(info: &std::panic::PanicHookInfo<'_>) -> String {
    let payload = info
        .payload()
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| info.payload().downcast_ref::<String>().map(String::as_str))
        .unwrap_or("(no message)");
    match info.location() {
        Some(at) => format!("luax: internal error (panic) at {}:{}: {payload}", at.file(), at.line()),
        None => format!("luax: internal error (panic): {payload}"),
    }
}

fn log_sink(level: i32, msg: &[u8]) {
    api::log_raw(None, level, msg);
}

/// Entry point called by `MODULE LOAD` / `loadmodule`.
///
/// # Safety
/// Called by Redis with a valid load context and arguments.
#[allow(unsafe_code)] // the entry point Redis looks up by name; it receives raw pointers
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

fn load(ctx: Ctx, args: &[&[u8]]) -> Result<(), String> {
    let options = Options::parse(args)?;
    host::set_logger(log_sink);
    install_panic_hook();
    let (major, minor, patch) = ctx.server_version();
    let settings = Settings {
        version: ServerVersion { major, minor, patch },
        heap_limit: options.heap_limit,
        kill_readonly_after_ms: options.busy_kill_readonly_ms,
        max_eval_scripts: options.max_eval_scripts,
    };
    let engine = Engine::new(settings).map_err(|e| String::from_utf8_lossy(&e.to_wire()).into_owned())?;
    counters::record_snapshot(engine.snapshot());
    install_engine(engine);
    let store = persist::Store { save: commands::save_registry, restore: commands::restore_registry };
    persist::register(ctx, options.persist_scripts, store)?;
    // Commands that propagate a registry change must say so, or Redis would let them run
    // while writes are paused (and abort when they propagate).
    let (load_flags, flush_flags) = if options.persist_scripts {
        (c"deny-script allow-stale may-replicate", c"deny-script may-replicate")
    } else {
        (c"deny-script allow-stale", c"deny-script")
    };

    // getkeys-api: Redis 7.0 finds module command keys for cluster routing by asking the
    // command (its key specs serve COMMAND INFO / GETKEYS).
    let eval_flags = c"deny-script may-replicate allow-stale no-mandatory-keys getkeys-api";
    let ro_flags = c"readonly deny-script allow-stale no-mandatory-keys getkeys-api";
    let rw_keys = Some(KEY_RW | KEY_ACCESS | KEY_UPDATE);
    let ro_keys = Some(KEY_RO | KEY_ACCESS);
    // The native commands' categories (COMMAND INFO eval, script|load, ...); the container
    // SCRIPT is in @slow only.
    const SCRIPTING: &std::ffi::CStr = c"slow scripting";
    for def in [
        CommandDef {
            name: c"luax.eval",
            handler: Some(eval::eval_command),
            flags: eval_flags,
            arity: -3,
            summary: c"Executes a server-side Lua script.",
            key_flags: rw_keys,
            acl_categories: SCRIPTING,
        },
        CommandDef {
            name: c"luax.evalsha",
            handler: Some(eval::evalsha_command),
            flags: eval_flags,
            arity: -3,
            summary: c"Executes a server-side Lua script by SHA1 digest.",
            key_flags: rw_keys,
            acl_categories: SCRIPTING,
        },
        CommandDef {
            name: c"luax.eval_ro",
            handler: Some(eval::eval_ro_command),
            flags: ro_flags,
            arity: -3,
            summary: c"Executes a read-only server-side Lua script.",
            key_flags: ro_keys,
            acl_categories: SCRIPTING,
        },
        CommandDef {
            name: c"luax.evalsha_ro",
            handler: Some(eval::evalsha_ro_command),
            flags: ro_flags,
            arity: -3,
            summary: c"Executes a read-only server-side Lua script by SHA1 digest.",
            key_flags: ro_keys,
            acl_categories: SCRIPTING,
        },
    ] {
        register::command(ctx, &def)?;
    }
    register::container(
        ctx,
        c"luax.script",
        c"A container for Lua scripts management commands.",
        c"slow",
        &[
            CommandDef {
                name: c"load",
                handler: Some(script::load_command),
                flags: load_flags,
                arity: 3,
                summary: c"Loads a server-side Lua script to the script cache.",
                key_flags: None,
                acl_categories: SCRIPTING,
            },
            CommandDef {
                name: c"cache",
                handler: Some(script::cache_command),
                flags: load_flags,
                arity: 3,
                summary: c"Adds a server-side Lua script to the script cache as EVAL does (evictable).",
                key_flags: None,
                acl_categories: SCRIPTING,
            },
            CommandDef {
                name: c"exists",
                handler: Some(script::exists_command),
                flags: c"deny-script",
                arity: -3,
                summary: c"Determines whether server-side Lua scripts exist in the script cache.",
                key_flags: None,
                acl_categories: SCRIPTING,
            },
            CommandDef {
                name: c"flush",
                handler: Some(script::flush_command),
                flags: flush_flags,
                arity: -2,
                summary: c"Removes all server-side Lua scripts from the script cache.",
                key_flags: None,
                acl_categories: SCRIPTING,
            },
            CommandDef {
                name: c"kill",
                handler: Some(script::kill_command),
                flags: c"deny-script allow-busy",
                arity: 2,
                summary: c"Terminates a server-side Lua script during execution.",
                key_flags: None,
                acl_categories: SCRIPTING,
            },
            CommandDef {
                name: c"show",
                handler: Some(script::show_command),
                flags: c"deny-script allow-stale",
                arity: 3,
                summary: c"Returns the body of a cached server-side Lua script.",
                key_flags: None,
                acl_categories: SCRIPTING,
            },
            CommandDef {
                name: c"stats",
                handler: Some(script::stats_command),
                flags: c"deny-script allow-stale",
                arity: -2,
                summary: c"Returns run statistics of the cached server-side Lua scripts, or resets them.",
                key_flags: None,
                acl_categories: SCRIPTING,
            },
            CommandDef {
                name: c"help",
                handler: Some(script::help_command),
                flags: c"allow-loading allow-stale",
                arity: 2,
                summary: c"Returns helpful text about the different subcommands.",
                key_flags: None,
                acl_categories: SCRIPTING,
            },
        ],
    )?;
    if !ctx.subscribe(api::EVENT_CONFIG, Some(on_config_change)) {
        return Err("cannot subscribe to configuration changes".into());
    }
    if !ctx.subscribe(api::EVENT_MODULE_CHANGE, Some(on_module_change)) {
        return Err("cannot subscribe to module changes".into());
    }
    info::register(ctx)?;
    if ctx.context_flags() & api::CTX_FLAGS_CLUSTER != 0 {
        cluster_sync::enable(ctx);
    }
    persist::check_aof(ctx);
    if options.dropin {
        let missing = dropin::enable(ctx)?;
        ctx.log(2, b"drop-in mode: EVAL, EVALSHA, EVAL_RO, EVALSHA_RO and SCRIPT are served by luax");
        if !missing.is_empty() {
            let names = missing.join(", ");
            ctx.log(
                2,
                format!("drop-in mode: not serving {names}, which this server does not have (rename-command)")
                    .as_bytes(),
            );
        }
    }
    Ok(())
}

event_fn!(on_config_change => config_changed);
event_fn!(on_module_change => modules_changed);

fn config_changed(ctx: Ctx) {
    config::invalidate();
    persist::check_aof(ctx);
}

fn modules_changed(_ctx: Ctx) {
    cmdtable::clear();
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Options, String> {
        let args: Vec<&[u8]> = args.iter().map(|a| a.as_bytes()).collect();
        Options::parse(&args)
    }

    #[test]
    fn a_panic_is_written_to_the_log_once() {
        thread_local! {
            static LINES: std::cell::RefCell<Vec<String>> = const { std::cell::RefCell::new(Vec::new()) };
        }
        fn capture(_level: i32, msg: &[u8]) {
            LINES.with(|l| l.borrow_mut().push(String::from_utf8_lossy(msg).into_owned()));
        }
        host::set_logger(capture);
        install_panic_hook();
        let caught = catch_unwind(|| panic!("boom {}", 7));
        drop(std::panic::take_hook());
        assert!(caught.is_err());
        let lines = LINES.with(|l| l.borrow().clone());
        assert_eq!(lines.len(), 1, "{lines:?}");
        assert!(lines[0].starts_with("luax: internal error (panic) at src/module.rs:"), "{}", lines[0]);
        assert!(lines[0].ends_with(": boom 7"), "{}", lines[0]);
    }

    #[test]
    fn version_is_encoded_as_module_list_shows_it() {
        assert_eq!(encode_version("0.1.0"), 100);
        assert_eq!(encode_version("1.2.3"), 10203);
        assert_eq!(encode_version("2.10.7-rc1"), 21007);
        assert_eq!(encode_version("3.4.5.6"), 30405);
    }

    #[test]
    fn arguments_are_case_insensitive_pairs() {
        assert_eq!(parse(&[]), Ok(Options::default()));
        assert!(!Options::default().dropin);
        assert_eq!(parse(&["dropin", "yes"]).map(|o| o.dropin), Ok(true));
        assert_eq!(parse(&["DropIn", "YES"]).map(|o| o.dropin), Ok(true));
        assert_eq!(parse(&["DROPIN", "No"]).map(|o| o.dropin), Ok(false));
        assert_eq!(
            parse(&["heap-limit", "64mb", "dropin", "yes"]),
            Ok(Options { dropin: true, heap_limit: 64 << 20, ..Options::default() })
        );
        assert_eq!(parse(&["Busy-Kill-Readonly", "2500"]).map(|o| o.busy_kill_readonly_ms), Ok(2500));
        assert_eq!(parse(&["busy-kill-readonly", "0"]).map(|o| o.busy_kill_readonly_ms), Ok(0));
        assert_eq!(parse(&[]).map(|o| (o.persist_scripts, o.max_eval_scripts)), Ok((true, 500)));
        assert_eq!(parse(&["Persist-Scripts", "NO"]).map(|o| o.persist_scripts), Ok(false));
        assert_eq!(parse(&["max-eval-scripts", "0"]).map(|o| o.max_eval_scripts), Ok(0));
        assert_eq!(parse(&["MAX-EVAL-SCRIPTS", "12345"]).map(|o| o.max_eval_scripts), Ok(12345));
        assert_eq!(parse(&["HEAP-LIMIT", "0"]).map(|o| o.heap_limit), Ok(0));
        assert_eq!(parse(&["heap-limit", "2G"]).map(|o| o.heap_limit), Ok(2_000_000_000));
        assert_eq!(parse(&["heap-limit", "1Kb"]).map(|o| o.heap_limit), Ok(1024));
    }

    #[test]
    fn bad_arguments_are_refused_with_a_reason() {
        assert_eq!(parse(&["dropin"]), Err("luax: module argument 'dropin' needs a value".into()));
        assert_eq!(parse(&["dropin", "on"]), Err("luax: invalid value 'on' for 'dropin'".into()));
        assert_eq!(parse(&["heap-limit", "-1"]), Err("luax: invalid value '-1' for 'heap-limit'".into()));
        assert_eq!(parse(&["heap-limit", "12xb"]), Err("luax: invalid value '12xb' for 'heap-limit'".into()));
        assert_eq!(parse(&["heap-limit", "mb"]), Err("luax: invalid value 'mb' for 'heap-limit'".into()));
        for bad in ["-1", "1s", "", "+5", "1.5", "99999999999999999999"] {
            assert_eq!(
                parse(&["busy-kill-readonly", bad]),
                Err(format!("luax: invalid value '{bad}' for 'busy-kill-readonly'")),
                "{bad:?}"
            );
        }
        assert_eq!(
            parse(&["drop-in", "yes"]),
            Err("luax: unknown module argument 'drop-in' (known: dropin, heap-limit, busy-kill-readonly, persist-scripts, \
             max-eval-scripts)"
                .into())
        );
        assert_eq!(parse(&["max-eval-scripts", "-1"]), Err("luax: invalid value '-1' for 'max-eval-scripts'".into()));
        assert_eq!(parse(&["max-eval-scripts", "1k"]), Err("luax: invalid value '1k' for 'max-eval-scripts'".into()));
        assert_eq!(
            parse(&["persist-scripts", "maybe"]),
            Err("luax: invalid value 'maybe' for 'persist-scripts'".into())
        );
    }
}
