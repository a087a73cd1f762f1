//! The luax commands: argument parsing and replies; the work is done by the engine.

pub mod cluster_sync;
pub mod eval;
pub mod script;

use std::cell::RefCell;

use crate::engine::registry::{RecordSink, SavedScript, SavedSync, Unloadable};
use crate::engine::{counters, Engine};
use crate::error::ReplyError;
use crate::redis::api::{Argv, Ctx};
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
        counters::record_snapshot(engine.snapshot());
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
        write(&engine.records(), engine.sync_state().to_saved());
        true
    })
}

/// Replaces the registry with saved scripts; returns those that no longer compile.
pub fn restore_registry(records: Vec<SavedScript>, sync: SavedSync) -> Result<Vec<Unloadable>, ReplyError> {
    with_engine(|engine| engine.restore(records, sync))
}

pub type Handler = fn(Ctx, &[&[u8]]) -> Result<(), ReplyError>;

/// Every luax command goes through here (see `command_fn!`): a call that arrived under a
/// native name answers to the native command's ACL rules first.
pub fn dispatch(ctx: Ctx, objects: Argv<'_>, args: &[&[u8]], handler: Handler) -> Result<(), ReplyError> {
    if let Some(native) = args.first().and_then(|name| dropin::arrived_as(name)) {
        if !ctx.is_keys_position_request() {
            dropin::admit(ctx, native, objects, args)?;
        }
    }
    handler(ctx, args)
}

/// Declares `$name`, the C callback of the command handler `$handler` (through `dispatch`).
#[macro_export]
macro_rules! command_fn {
    ($name:ident => $handler:path) => {
        $crate::callback!($name: RawCommandFn = command_callback($crate::redis::api::CommandBody)
            <- |ctx, objects, args| $crate::commands::dispatch(ctx, objects, args, $handler));
    };
}
