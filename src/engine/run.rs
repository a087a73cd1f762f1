//! One script run: the state Redis keeps in its `scriptRunCtx` (flags, protocol, replication
//! target, timing, slot) and the bridge from the Lua side to the server (`Host`). What is seen
//! from outside the run (busy, dirty, kill) is in `busy`; the INFO counters in `counters`.

use std::cell::Cell;

use super::busy::STATUS;
use super::checks::{self, RunFlags};
use super::cluster;
use super::counters::bump;
use super::prepare::RunMode;
use super::script_client;
use super::server::CommandKind;
use super::server::{ExecOptions, Server, ServerState};
use crate::error::LuaApiError;
use crate::util::integer::parse_strict_i64;
use crate::util::LOG_WARNING;
use crate::vm::host::{Host, Interrupt};

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
    /// Monotonic clock at the start, microseconds (the run's statistics use it too).
    started_us: u64,
    threshold_ms: u64,
    /// `busy-kill-readonly` (0: off).
    kill_readonly_after_ms: u64,
    /// `redis.call`/`redis.pcall` made, for the script's statistics.
    redis_calls: Cell<u64>,
    resp3: Cell<bool>,
    repl: Cell<i32>,
    /// Database the script selected (restored by the caller afterwards).
    db_changed: Cell<bool>,
    /// The kill was counted (the hook raises it again on every line; INFO counts runs).
    kill_counted: Cell<bool>,
    /// The kill came from `busy-kill-readonly`, not SCRIPT KILL.
    auto_killed: Cell<bool>,
}

impl<'a> Run<'a> {
    pub fn new(
        server: &'a dyn Server,
        state: ServerState,
        mode: RunMode,
        keys: &[&[u8]],
        sha: [u8; 40],
        kill_readonly_after_ms: u64,
    ) -> Run<'a> {
        let one_slot = state.cluster && !state.obey_client && !mode.allow_cross_slot;
        Run {
            server,
            state,
            read_only: mode.read_only,
            allow_oom: mode.allow_oom,
            one_slot,
            slot: Cell::new(if one_slot { keys.first().map(|k| cluster::key_slot(k)) } else { None }),
            sha,
            started_us: server.now_us(),
            threshold_ms: server.busy_threshold_ms(),
            kill_readonly_after_ms,
            redis_calls: Cell::new(0),
            resp3: Cell::new(false),
            repl: Cell::new(3),
            db_changed: Cell::new(false),
            kill_counted: Cell::new(false),
            auto_killed: Cell::new(false),
        }
    }

    /// Whether the instruction-count hook must check on the run (a busy threshold or the
    /// automatic kill is set).
    pub fn needs_hook(&self) -> bool {
        self.threshold_ms > 0 || self.kill_readonly_after_ms > 0
    }

    pub fn started_us(&self) -> u64 {
        self.started_us
    }

    pub fn redis_calls(&self) -> u64 {
        self.redis_calls.get()
    }

    /// The run was ended by a kill (SCRIPT KILL or `busy-kill-readonly`).
    pub fn killed(&self) -> bool {
        self.kill_counted.get()
    }

    /// The run went past `busy-reply-threshold`.
    pub fn went_busy(&self) -> bool {
        STATUS.with(|s| s.timed_out.get())
    }

    pub fn db_changed(&self) -> bool {
        self.db_changed.get()
    }

    fn dirty(&self) -> bool {
        STATUS.with(|s| s.dirty.get())
    }

    /// `busy-kill-readonly`: a run past the limit that has not written (and does not come
    /// from the master, whose scripts must run to the end) is killed as SCRIPT KILL would.
    fn kill_if_readonly_runaway(&self, elapsed_ms: u64) {
        if self.kill_readonly_after_ms == 0 || elapsed_ms < self.kill_readonly_after_ms || self.auto_killed.get() {
            return;
        }
        let killable = STATUS.with(|s| !s.killed.get() && !s.dirty.get() && !s.from_master.get());
        if !killable {
            return;
        }
        STATUS.with(|s| s.killed.set(true));
        self.auto_killed.set(true);
        bump(|c| &c.auto_kills);
        let sha = String::from_utf8_lossy(&self.sha);
        let limit = self.kill_readonly_after_ms;
        self.server.log(
            LOG_WARNING,
            format!(
                "Lua script {sha} killed after {elapsed_ms} milliseconds: it made no write and ran past busy-kill-readonly ({limit} ms)."
            )
            .as_bytes(),
        );
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
        self.redis_calls.set(self.redis_calls.get() + 1);
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
        let elapsed_ms = self.server.now_us().saturating_sub(self.started_us) / 1000;
        self.kill_if_readonly_runaway(elapsed_ms);
        let timed_out = STATUS.with(|s| s.timed_out.get());
        if !timed_out && self.threshold_ms > 0 && elapsed_ms >= self.threshold_ms {
            let sha = String::from_utf8_lossy(&self.sha);
            self.server.log(
                LOG_WARNING,
                format!(
                    "Slow script detected: still in execution after {elapsed_ms} milliseconds. You can try killing the script using the SCRIPT KILL command. Script name is: {sha}."
                )
                .as_bytes(),
            );
            STATUS.with(|s| s.timed_out.set(true));
            bump(|c| &c.busy_events);
        }
        if STATUS.with(|s| s.timed_out.get()) {
            self.server.yield_busy();
        }
        if !STATUS.with(|s| s.killed.get()) {
            return Interrupt::Continue;
        }
        if !self.kill_counted.replace(true) {
            bump(|c| &c.kills);
        }
        if !self.auto_killed.get() {
            self.server.log(LOG_WARNING, b"Lua script killed by user with SCRIPT KILL.");
        }
        Interrupt::Kill
    }
}
