//! The luax commands: argument parsing and replies; the work is done by the engine.

pub mod eval;
pub mod script;

use std::cell::RefCell;
use std::ffi::c_int;
use std::panic::{catch_unwind, AssertUnwindSafe};

use crate::engine::registry::{RecordSink, SavedScript, Unloadable};
use crate::engine::{run, Engine};
use crate::error::ReplyError;
use crate::redis::api::{self, Ctx, RawCtx, RawString};

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

/// Hands the scripts to `write` for an RDB save; false if the engine is in use (a save
/// forked while a script ran).
pub fn save_registry(write: &mut RecordSink<'_>) -> bool {
    ENGINE.with(|cell| {
        let Ok(guard) = cell.try_borrow() else {
            return false;
        };
        let Some(engine) = guard.as_ref() else {
            return false;
        };
        write(&engine.records());
        true
    })
}

/// Replaces the registry with saved scripts; returns those that no longer compile.
pub fn restore_registry(records: Vec<SavedScript>) -> Result<Vec<Unloadable>, ReplyError> {
    with_engine(|engine| engine.restore(records))
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
    match catch_unwind(AssertUnwindSafe(|| handler(ctx, &args))) {
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
