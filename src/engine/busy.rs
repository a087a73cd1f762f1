//! The running script as seen from outside the run: whether one runs, whether it wrote,
//! timed out or was asked to stop. `SCRIPT KILL` and `INFO` read it while a script runs
//! (re-entrantly, from inside the timeout hook, as Redis yields to its event loop), so it is
//! a thread-local of plain cells, never the engine itself.

use std::cell::Cell;

use crate::error::ReplyError;

/// The running script, as seen from outside the run.
#[derive(Default)]
pub struct RunStatus {
    pub(super) running: Cell<bool>,
    pub(super) killed: Cell<bool>,
    pub(super) dirty: Cell<bool>,
    pub(super) timed_out: Cell<bool>,
    /// The caller is the master link or AOF: its scripts cannot be killed.
    pub(super) from_master: Cell<bool>,
}

thread_local! {
    pub(super) static STATUS: RunStatus = RunStatus::default();
}

/// Whether a script is running now.
pub fn is_running() -> bool {
    STATUS.with(|s| s.running.get())
}

/// `SCRIPT KILL`: flags the running script so the hook stops it at its next check.
pub fn request_kill() -> Result<(), ReplyError> {
    STATUS.with(|s| {
        if !s.running.get() {
            Err(ReplyError::NotBusy)
        } else if s.from_master.get() {
            Err(ReplyError::UnkillableMaster)
        } else if s.dirty.get() {
            Err(ReplyError::Unkillable)
        } else {
            s.killed.set(true);
            Ok(())
        }
    })
}

/// Marks a run as started for the duration of the guard.
pub struct RunGuard(());

impl RunGuard {
    pub fn start(from_master: bool) -> RunGuard {
        STATUS.with(|s| {
            s.running.set(true);
            s.killed.set(false);
            s.dirty.set(false);
            s.timed_out.set(false);
            s.from_master.set(from_master);
        });
        RunGuard(())
    }
}

impl Drop for RunGuard {
    fn drop(&mut self) {
        STATUS.with(|s| {
            s.running.set(false);
            s.killed.set(false);
        });
    }
}
