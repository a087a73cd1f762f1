//! The scripting engine, independent of the module API: the SHA1-keyed script dictionary,
//! compile-once caching, the checks before a run, and the run itself.

pub mod busy;
pub mod checks;
pub mod cluster;
pub mod counters;
#[cfg(test)]
mod fake;
pub mod flags;
pub mod prepare;
pub mod registry_sync;
pub mod run;
pub mod script_client;
pub mod server;
pub mod shebang;
pub mod stats;
#[cfg(test)]
mod tests;

use std::rc::Rc;

use rustc_hash::FxHashMap;

use crate::convert::sink::ReplySink;
use crate::error::ReplyError;
use crate::util::sha1_hex;
use crate::vm::{Call, FunctionRef, HookMode, ServerVersion, Vm};
use busy::RunGuard;
use flags::ScriptFlags;
use run::Run;
use server::Server;
use stats::{Counts, RunRecord, ScriptStats};

/// Instructions between two timeout checks, as in Redis.
const HOOK_INSTRUCTIONS: i32 = 100_000;

/// A SHA1 in lowercase hex: the script's name.
pub type Sha = [u8; 40];

/// A cached script, as `load` and `find` hand it to `run`.
#[derive(Clone, Copy)]
pub struct Script {
    func: FunctionRef,
    flags: ScriptFlags,
}

/// How a script entered the cache: `SCRIPT LOAD` (also of a script first seen by EVAL) or
/// only ever through `EVAL`/`EVAL_RO`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    Eval,
    Load,
}

/// A script in the dictionary: the compiled function with its flags, the body it was
/// compiled from, how it got there, and its run statistics.
struct Entry {
    script: Script,
    body: Box<[u8]>,
    origin: Origin,
    stats: Rc<ScriptStats>,
}

/// A cached script as `load` and `find` hand it to `run`: its name, the script, and the
/// counters its runs add to (no second lookup to record a run).
pub struct Found {
    pub sha: Sha,
    pub script: Script,
    pub stats: Rc<ScriptStats>,
}

/// One line of `SCRIPT STATS`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScriptReport {
    pub sha: Sha,
    pub origin: Origin,
    pub counts: Counts,
    pub body_bytes: usize,
}

/// Settings that survive a SCRIPT FLUSH.
#[derive(Debug, Clone, Copy)]
pub struct Settings {
    pub version: ServerVersion,
    /// Lua heap ceiling in bytes (0: none).
    pub heap_limit: usize,
    /// `busy-kill-readonly`: runs that have not written are stopped after this long (0: never).
    pub kill_readonly_after_ms: u64,
}

pub struct Engine {
    vm: Vm,
    scripts: FxHashMap<Sha, Entry>,
    bodies_bytes: usize,
    settings: Settings,
}

/// What a caller asks to run.
pub struct Invocation<'a> {
    pub keys: &'a [&'a [u8]],
    pub args: &'a [&'a [u8]],
    /// EVAL_RO / EVALSHA_RO.
    pub read_only: bool,
}

impl Engine {
    pub fn new(settings: Settings) -> Result<Engine, ReplyError> {
        let vm = Vm::new(settings.version, settings.heap_limit).ok_or(ReplyError::VmUnavailable)?;
        Ok(Engine { vm, scripts: FxHashMap::default(), bodies_bytes: 0, settings })
    }

    /// Compiles and caches `body` unless already cached; returns its SHA and the script
    /// (SCRIPT LOAD, and every EVAL of a body). Loading with `Origin::Load` marks a script
    /// first seen by EVAL as loaded.
    pub fn load(&mut self, body: &[u8], origin: Origin) -> Result<Found, ReplyError> {
        let sha = sha1_hex(body);
        if let Some(entry) = self.scripts.get_mut(&sha) {
            if origin == Origin::Load {
                entry.origin = Origin::Load;
            }
            return Ok(Found { sha, script: entry.script, stats: Rc::clone(&entry.stats) });
        }
        let (flags, shebang_len) = shebang::parse(body).map_err(ReplyError::Shebang)?;
        // The shebang line is left out but its newline kept, so line numbers do not move.
        let func = self.vm.compile(&body[shebang_len..]).map_err(ReplyError::Compile)?;
        let script = Script { func, flags };
        let stats = Rc::new(ScriptStats::default());
        self.scripts.insert(sha, Entry { script, body: body.into(), origin, stats: Rc::clone(&stats) });
        self.bodies_bytes += body.len();
        Ok(Found { sha, script, stats })
    }

    /// The cached script named `sha` (any case), if any.
    pub fn find(&self, sha: &[u8]) -> Option<Found> {
        let key = normalize_sha(sha)?;
        self.scripts.get(&key).map(|entry| Found { sha: key, script: entry.script, stats: Rc::clone(&entry.stats) })
    }

    /// The body and origin of the cached script named `sha` (any case), if any.
    pub fn source(&self, sha: &[u8]) -> Option<(&[u8], Origin)> {
        let key = normalize_sha(sha)?;
        self.scripts.get(&key).map(|entry| (&*entry.body, entry.origin))
    }

    /// The scripts pinned by SCRIPT LOAD, with their bodies: what a cluster shares.
    pub fn loaded(&self) -> impl Iterator<Item = (&Sha, &[u8])> + '_ {
        self.scripts.iter().filter(|(_, entry)| entry.origin == Origin::Load).map(|(sha, entry)| (sha, &*entry.body))
    }

    pub fn exists(&self, sha: &[u8]) -> bool {
        normalize_sha(sha).is_some_and(|key| self.scripts.contains_key(&key))
    }

    /// `SCRIPT STATS`: the cached scripts (only those named in `only`, when given; unknown
    /// names are left out), largest total run time first, then by SHA.
    pub fn stats(&self, only: Option<&[Sha]>) -> Vec<ScriptReport> {
        let report = |(sha, entry): (&Sha, &Entry)| ScriptReport {
            sha: *sha,
            origin: entry.origin,
            counts: entry.stats.counts(),
            body_bytes: entry.body.len(),
        };
        let mut out: Vec<ScriptReport> = match only {
            None => self.scripts.iter().map(report).collect(),
            Some(shas) => {
                let mut shas = shas.to_vec();
                shas.sort_unstable();
                shas.dedup();
                shas.iter().filter_map(|sha| self.scripts.get_key_value(sha)).map(report).collect()
            }
        };
        out.sort_unstable_by(|a, b| b.counts.usec.cmp(&a.counts.usec).then(a.sha.cmp(&b.sha)));
        out
    }

    /// `SCRIPT STATS RESET`: every script's counters back to zero; the scripts stay.
    pub fn reset_stats(&self) {
        for entry in self.scripts.values() {
            entry.stats.reset();
        }
    }

    /// Bytes of script bodies cached (for INFO, as Redis's `used_memory_scripts_eval`).
    fn scripts_memory(&self) -> usize {
        // Each entry's statistics sit in their own `Rc` allocation (two counts, then the cells).
        let stats = std::mem::size_of::<ScriptStats>() + 2 * std::mem::size_of::<usize>();
        self.bodies_bytes + self.scripts.len() * (std::mem::size_of::<Entry>() + 40 + stats)
    }

    /// The figures `INFO luax` shows.
    pub fn snapshot(&self) -> counters::Snapshot {
        counters::Snapshot {
            scripts: self.scripts.len() as u64,
            vm_memory: self.vm.memory() as u64,
            vm_memory_limit: self.settings.heap_limit as u64,
            scripts_memory: self.scripts_memory() as u64,
        }
    }

    /// SCRIPT FLUSH: forget every script and start a fresh VM (library settings reset).
    pub fn flush(&mut self) -> Result<(), ReplyError> {
        let fresh = Vm::new(self.settings.version, self.settings.heap_limit).ok_or(ReplyError::VmUnavailable)?;
        self.scripts.clear();
        self.bodies_bytes = 0;
        // The old VM is closed when replaced (after a full collection, see OwnedState::drop).
        self.vm = fresh;
        Ok(())
    }

    /// Runs `found` (from `load` or `find` on this engine), sends its reply (or error) to
    /// `sink`, and adds the run to the script's statistics.
    pub fn run(&self, found: &Found, inv: &Invocation<'_>, server: &dyn Server, sink: &mut dyn ReplySink) {
        let Found { sha, script, stats } = found;
        if busy::is_running() {
            sink.error(&ReplyError::Reentrant.to_wire());
            return;
        }
        let state = server.state();
        let mode = match prepare::prepare(script.flags, inv.read_only, &state, || server.write_denial()) {
            Ok(mode) => mode,
            Err(e) => {
                sink.error(&e.to_wire());
                return;
            }
        };
        let _guard = RunGuard::start(state.obey_client);
        let run = Run::new(server, state, mode, inv.keys, *sha, self.settings.kill_readonly_after_ms);
        let hook = if run.needs_hook() { HookMode::Count(HOOK_INSTRUCTIONS) } else { HookMode::Off };
        let db = server.selected_db();
        counters::bump(|c| &c.calls);
        let mut counting = ErrorCounting { inner: sink, errors: 0 };
        let call = Call { func: script.func, sha, keys: inv.keys, args: inv.args, hook };
        self.vm.run(&call, &run, &mut counting);
        if counting.errors > 0 {
            counters::bump(|c| &c.errors);
        }
        // The one clock read a run adds: its start was read by `Run::new`.
        let ended_us = server.now_us();
        stats.record(&RunRecord {
            started_us: run.started_us(),
            elapsed_us: ended_us.saturating_sub(run.started_us()),
            error: counting.errors > 0,
            killed: run.killed(),
            busy: run.went_busy(),
            redis_calls: run.redis_calls(),
        });
        if run.db_changed() {
            server.select_db(db);
        }
    }
}

/// A 40-character SHA lowercased (Redis compares script names case-insensitively).
pub fn normalize_sha(sha: &[u8]) -> Option<Sha> {
    let mut out: Sha = sha.try_into().ok()?;
    out.make_ascii_lowercase();
    Some(out)
}

/// Counts top-level error replies for INFO.
struct ErrorCounting<'a> {
    inner: &'a mut dyn ReplySink,
    errors: u64,
}

impl ReplySink for ErrorCounting<'_> {
    fn integer(&mut self, v: i64) {
        self.inner.integer(v)
    }
    fn bulk(&mut self, b: &[u8]) {
        self.inner.bulk(b)
    }
    fn null(&mut self) {
        self.inner.null()
    }
    fn boolean(&mut self, b: bool) {
        self.inner.boolean(b)
    }
    fn status(&mut self, s: &[u8]) {
        self.inner.status(s)
    }
    fn error(&mut self, s: &[u8]) {
        self.errors += 1;
        self.inner.error(s)
    }
    fn double(&mut self, d: f64) {
        self.inner.double(d)
    }
    fn big_number(&mut self, digits: &[u8]) {
        self.inner.big_number(digits)
    }
    fn verbatim(&mut self, s: &[u8], format: &[u8]) {
        self.inner.verbatim(s, format)
    }
    fn array(&mut self, len: usize) {
        self.inner.array(len)
    }
    fn map(&mut self, len: usize) {
        self.inner.map(len)
    }
    fn set(&mut self, len: usize) {
        self.inner.set(len)
    }
}
