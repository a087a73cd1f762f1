//! What the Lua side needs from the server while a script runs, as a trait: the engine
//! implements it over Redis, tests implement it over canned replies.

use std::cell::Cell;
use std::ptr::NonNull;

use crate::util::LOG_WARNING;

/// Outcome of the periodic interrupt check made by the instruction-count hook.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Interrupt {
    Continue,
    Kill,
}

pub trait Host {
    /// Runs one command for `redis.call`/`redis.pcall`. On success hands the raw RESP reply
    /// to `on_reply`; on a refusal before execution returns the error text (either
    /// "-CODE message" or a bare message, as Redis's `luaPushError` accepts).
    fn call(&self, argv: &[&[u8]], on_reply: &mut dyn FnMut(&[u8])) -> Result<(), Vec<u8>>;

    /// `redis.acl_check_cmd`: `None` for an unknown command.
    fn acl_check(&self, argv: &[&[u8]]) -> Option<bool>;

    /// Whether the script's commands talk RESP3 (`redis.setresp`).
    fn resp3(&self) -> bool;
    fn set_resp3(&self, on: bool);

    /// `redis.set_repl` flags (bit 0: AOF, bit 1: replicas).
    fn set_repl(&self, flags: i32);

    /// `redis.log`: `level` is already validated.
    fn log(&self, level: i32, msg: &[u8]);

    /// Called by the hook every N instructions.
    fn interrupt(&self) -> Interrupt;
}

thread_local! {
    static CURRENT: Cell<Option<NonNull<dyn Host>>> = const { Cell::new(None) };
}

/// Makes `host` the current host for the duration of `f` (one script run).
pub fn with_current<R>(host: &dyn Host, f: impl FnOnce() -> R) -> R {
    struct Reset(Option<NonNull<dyn Host>>);
    impl Drop for Reset {
        fn drop(&mut self) {
            CURRENT.with(|c| c.set(self.0));
        }
    }
    // SAFETY: only the pointer's lifetime is erased; `Reset` restores the previous value
    // before `host` goes out of scope, so the pointer is never read after that.
    let erased: NonNull<dyn Host> = unsafe { std::mem::transmute(NonNull::from(host)) };
    let _reset = Reset(CURRENT.with(|c| c.replace(Some(erased))));
    f()
}

/// Runs `f` with the current host, or returns `None` outside a script run.
#[inline]
pub fn current<R>(f: impl FnOnce(&dyn Host) -> R) -> Option<R> {
    let ptr = CURRENT.with(|c| c.get())?;
    // SAFETY: set by `with_current` from a reference that outlives the run; cleared after.
    Some(f(unsafe { ptr.as_ref() }))
}

/// Where log lines go when no script runs (VM construction); set once at module load.
pub type LogSink = fn(level: i32, msg: &[u8]);

thread_local! {
    static LOGGER: Cell<Option<LogSink>> = const { Cell::new(None) };
}

pub fn set_logger(sink: LogSink) {
    LOGGER.with(|l| l.set(Some(sink)));
}

pub fn log_warning(msg: &str) {
    if let Some(sink) = LOGGER.with(|l| l.get()) {
        sink(LOG_WARNING, msg.as_bytes());
    }
}
