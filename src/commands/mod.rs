//! The luax commands: argument parsing and replies; the work is done by the engine.

pub mod eval;
pub mod script;

use std::cell::RefCell;
use std::ffi::c_int;
use std::panic::{catch_unwind, AssertUnwindSafe};

use crate::engine::{run, Engine};
use crate::error::ReplyError;
use crate::redis::api::{self, Ctx, RawCtx, RawString};
use crate::redis::dropin;

thread_local! {
    static ENGINE: RefCell<Option<Engine>> = const { RefCell::new(None) };
}

pub fn install_engine(engine: Engine) {
    ENGINE.with(|e| *e.borrow_mut() = Some(engine));
}

/// Runs `f` with the engine, then records the INFO figures; a command reached while the
/// engine is in use (a module calling back into luax from inside a script) gets an error
/// instead.
pub fn with_engine<R>(f: impl FnOnce(&mut Engine) -> Result<R, ReplyError>) -> Result<R, ReplyError> {
    ENGINE.with(|cell| {
        let mut guard = cell.try_borrow_mut().map_err(|_| ReplyError::Reentrant)?;
        let engine = guard.as_mut().ok_or(ReplyError::VmUnavailable)?;
        let out = f(engine);
        // For INFO, which cannot borrow the engine while a script runs.
        run::record_snapshot(engine.snapshot());
        out
    })
}

pub type Handler = fn(Ctx, &[&[u8]]) -> Result<(), ReplyError>;

/// The C entry point of a command: decodes arguments, catches panics, replies errors.
///
/// # Safety
/// `ctx`, `argv` and `argc` must be what Redis passed to the command callback.
pub unsafe fn entry(ctx: RawCtx, argv: *mut RawString, argc: c_int, handler: Handler) -> c_int {
    // SAFETY: Redis passes the current command's context.
    let Some(ctx) = (unsafe { Ctx::from_raw(ctx) }) else {
        return 1;
    };
    // SAFETY: Redis passes the current command's arguments.
    let args = unsafe { api::args(argv, argc) };
    // SAFETY: the same arguments, kept as Redis's objects.
    let objects = unsafe { api::argv(argv, argc) };
    let run = || {
        // A call that arrived under a native name answers to the native command's ACL rules.
        if let Some(native) = args.first().and_then(|name| dropin::arrived_as(name)) {
            if !ctx.is_keys_position_request() {
                dropin::admit(ctx, native, objects, &args)?;
            }
        }
        handler(ctx, &args)
    };
    match catch_unwind(AssertUnwindSafe(run)) {
        Ok(Ok(())) => {}
        Ok(Err(e)) => ctx.reply_error(&e.to_wire()),
        Err(_) => ctx.reply_error(&ReplyError::Internal.to_wire()),
    }
    0
}

/// Declares `extern "C"` command functions for handlers.
#[macro_export]
macro_rules! command_fn {
    ($name:ident => $handler:path) => {
        /// # Safety
        /// Called by Redis with the arguments of a command callback.
        pub unsafe extern "C" fn $name(
            ctx: *mut $crate::redis::api::RedisModuleCtx,
            argv: *mut *mut $crate::redis::api::RedisModuleString,
            argc: ::std::ffi::c_int,
        ) -> ::std::ffi::c_int {
            let handler: $crate::commands::Handler = $handler;
            // SAFETY: these are the arguments Redis passes to a command callback.
            unsafe { $crate::commands::entry(ctx, argv, argc, handler) }
        }
    };
}
