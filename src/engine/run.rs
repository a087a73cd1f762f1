//! One script run: the state Redis keeps in its `scriptRunCtx` (flags, dirty, protocol,
//! replication target, timing, kill) and the bridge from the Lua side to the server.
//!
//! The part that `SCRIPT KILL` and `INFO` need while a script is running lives in a
//! thread-local [`Status`] of plain cells: those commands run re-entrantly from inside the
//! timeout hook (Redis yields to its event loop), so they must not touch the engine itself.

use std::cell::Cell;

use super::checks::{self, RunFlags};
use super::cluster;
use super::prepare::RunMode;
use super::script_client;
use super::server::CommandKind;
use super::server::{ExecOptions, Server, ServerState};
use crate::convert::integer::parse_strict_i64;
use crate::error::{LuaApiError, ReplyError};
use crate::lua::host::{Host, Interrupt, LOG_WARNING};

/// The running script, as seen from outside the run.
#[derive(Default)]
pub struct Status {
    running: Cell<bool>,
    killed: Cell<bool>,
    dirty: Cell<bool>,
    timed_out: Cell<bool>,
    /// The caller is the master link or AOF: its scripts cannot be killed.
    from_master: Cell<bool>,
}

thread_local! {
    static STATUS: Status = Status::default();
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

/// Counters for INFO: script runs, runs that replied with an error, runs stopped by SCRIPT
/// KILL, and runs that went past `busy-reply-threshold`.
#[derive(Default)]
pub struct Counters {
    pub calls: Cell<u64>,
    pub errors: Cell<u64>,
    pub kills: Cell<u64>,
    pub busy_events: Cell<u64>,
}

thread_local! {
    pub static COUNTERS: Counters = Counters::default();
}

pub fn bump(field: fn(&Counters) -> &Cell<u64>) {
    COUNTERS.with(|c| {
        let cell = field(c);
        cell.set(cell.get() + 1);
    });
}

/// Cache and VM figures for INFO, recorded after every luax command: INFO may run inside a
/// script, while the engine itself is in use and cannot be asked.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Snapshot {
    pub scripts: u64,
    pub vm_memory: u64,
    pub vm_memory_limit: u64,
    pub scripts_memory: u64,
}

thread_local! {
    static SNAPSHOT: Cell<Snapshot> = Cell::new(Snapshot::default());
}

pub fn record_snapshot(snapshot: Snapshot) {
    SNAPSHOT.with(|s| s.set(snapshot));
}

/// The figures as of the end of the last luax command.
pub fn snapshot() -> Snapshot {
    SNAPSHOT.with(Cell::get)
}

/// The host a script talks to during one run.
pub struct Run<'a> {
    server: &'a dyn Server,
    state: ServerState,
    read_only: bool,
    allow_oom: bool,
    /// Cluster scripts without `allow-cross-slot-keys` keep to the first slot they touch
    /// (that of the declared keys, if any).
    one_slot: bool,
    slot: Cell<Option<u16>>,
    sha: [u8; 40],
    started_ms: u64,
    threshold_ms: u64,
    resp3: Cell<bool>,
    repl: Cell<i32>,
    /// Database the script selected (restored by the caller afterwards).
    db_changed: Cell<bool>,
    /// The kill was counted (the hook raises it again on every line; INFO counts runs).
    kill_counted: Cell<bool>,
}

impl<'a> Run<'a> {
    pub fn new(server: &'a dyn Server, state: ServerState, mode: RunMode, keys: &[&[u8]], sha: [u8; 40]) -> Run<'a> {
        let one_slot = state.cluster && !state.obey_client && !mode.allow_cross_slot;
        Run {
            server,
            state,
            read_only: mode.read_only,
            allow_oom: mode.allow_oom,
            one_slot,
            slot: Cell::new(if one_slot { keys.first().map(|k| cluster::key_slot(k)) } else { None }),
            sha,
            started_ms: server.now_ms(),
            threshold_ms: server.busy_threshold_ms(),
            resp3: Cell::new(false),
            repl: Cell::new(3),
            db_changed: Cell::new(false),
            kill_counted: Cell::new(false),
        }
    }

    pub fn threshold_ms(&self) -> u64 {
        self.threshold_ms
    }

    pub fn db_changed(&self) -> bool {
        self.db_changed.get()
    }

    fn dirty(&self) -> bool {
        STATUS.with(|s| s.dirty.get())
    }

    /// SORT of a set asking for no sorting is sorted lexicographically when a script runs it
    /// (so replicas agree); the arguments that do that, if this is such a call.
    fn sort_for_script(&self, argv: &[&[u8]]) -> Option<Vec<Vec<u8>>> {
        if script_client::sort_without_sorting(argv) != Some(true) {
            return None;
        }
        let key = *argv.get(1)?;
        let opts = ExecOptions { resp3: false, repl: 0, check_write_state: false };
        let mut is_set = false;
        self.server.execute(&[b"TYPE", key], opts, &mut |proto| is_set = proto == b"+set\r\n").ok()?;
        is_set.then(|| script_client::sort_alpha(argv))
    }

    /// The cross-slot rule of cluster scripts (Redis reports a non-local key first).
    fn check_slot(&self, argv: &[&[u8]]) -> Result<(), Vec<u8>> {
        let Some(slot) = self.server.keys_slot(argv) else {
            return Ok(());
        };
        match self.slot.get() {
            None => self.slot.set(Some(slot)),
            Some(pinned) if pinned != slot => {
                let err = if self.server.slot_is_local(slot) {
                    LuaApiError::ClusterCrossSlot
                } else {
                    LuaApiError::ClusterNonLocalKey
                };
                return Err(err.text().as_bytes().to_vec());
            }
            Some(_) => {}
        }
        Ok(())
    }
}

impl Host for Run<'_> {
    fn call(&self, argv: &[&[u8]], on_reply: &mut dyn FnMut(&[u8])) -> Result<(), Vec<u8>> {
        let mut spec = self.server.command(argv);
        if let Some(spec) = spec.as_mut().filter(|s| s.no_script) {
            // Redis's `DEBUG set-disable-deny-scripts 1` lets scripts call them.
            spec.no_script = !self.server.deny_scripts_disabled();
        }
        let dirty = self.dirty();
        let flags = RunFlags { read_only: self.read_only, allow_oom: self.allow_oom, dirty };
        checks::check(spec.as_ref(), argv.len(), flags, &self.state, || self.server.acl(argv))
            .map_err(|e| e.text().as_bytes().to_vec())?;
        let write = spec.is_some_and(|s| s.write);
        if write {
            STATUS.with(|s| s.dirty.set(true));
        }
        if self.one_slot {
            self.check_slot(argv)?;
        }
        let opts = ExecOptions {
            resp3: self.resp3.get(),
            repl: self.repl.get(),
            check_write_state: write && !dirty && !self.state.obey_client,
        };
        let kind = spec.map(|s| s.kind).unwrap_or_default();
        let rewritten = match kind {
            CommandKind::Xread | CommandKind::XreadGroup => {
                if let Some(err) = script_client::xread_block_error(argv, kind == CommandKind::XreadGroup) {
                    return Err(err);
                }
                None
            }
            CommandKind::Sort => self.sort_for_script(argv),
            _ => None,
        };
        let rewritten_argv: Option<Vec<&[u8]>> = rewritten.as_ref().map(|r| r.iter().map(Vec::as_slice).collect());
        let argv = rewritten_argv.as_deref().unwrap_or(argv);
        // Read before executing: `on_reply` may let Lua reclaim the argument strings.
        let select_db: Option<i32> =
            (kind == CommandKind::Select).then(|| i32::try_from(parse_strict_i64(argv.get(1)?)?).ok()).flatten();
        let mut ok = false;
        let executed = self.server.execute(argv, opts, &mut |proto| {
            ok = proto.first() != Some(&b'-');
            on_reply(proto);
        });
        if let Err(refusal) = executed {
            // Refused before running (persistence error, missing replicas): Redis checks
            // these before it marks the script as having written.
            if opts.check_write_state {
                STATUS.with(|s| s.dirty.set(dirty));
            }
            return Err(refusal);
        }
        if let (Some(db), true) = (select_db, ok) {
            // Redis's script client keeps the selected DB for the rest of the run.
            if self.server.select_db(db) {
                self.db_changed.set(true);
            }
        }
        Ok(())
    }

    fn acl_check(&self, argv: &[&[u8]]) -> Option<bool> {
        self.server.command(argv)?;
        Some(self.server.acl_allows(argv))
    }

    fn resp3(&self) -> bool {
        self.resp3.get()
    }

    fn set_resp3(&self, on: bool) {
        self.resp3.set(on);
    }

    fn set_repl(&self, flags: i32) {
        self.repl.set(flags);
    }

    fn log(&self, level: i32, msg: &[u8]) {
        self.server.log(level, msg);
    }

    fn interrupt(&self) -> Interrupt {
        let timed_out = STATUS.with(|s| s.timed_out.get());
        if !timed_out {
            let elapsed = self.server.now_ms().saturating_sub(self.started_ms);
            if self.threshold_ms == 0 || elapsed < self.threshold_ms {
                return Interrupt::Continue;
            }
            let sha = String::from_utf8_lossy(&self.sha);
            self.server.log(
                LOG_WARNING,
                format!(
                    "Slow script detected: still in execution after {elapsed} milliseconds. You can try killing the script using the SCRIPT KILL command. Script name is: {sha}."
                )
                .as_bytes(),
            );
            STATUS.with(|s| s.timed_out.set(true));
            bump(|c| &c.busy_events);
        }
        self.server.yield_busy();
        if STATUS.with(|s| s.killed.get()) {
            self.server.log(LOG_WARNING, b"Lua script killed by user with SCRIPT KILL.");
            if !self.kill_counted.replace(true) {
                bump(|c| &c.kills);
            }
            Interrupt::Kill
        } else {
            Interrupt::Continue
        }
    }
}
