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
pub mod registry;
pub mod registry_sync;
pub mod run;
pub mod script_client;
pub mod server;
pub mod shebang;
pub mod stats;
#[cfg(test)]
mod tests;

use std::cell::{Cell, OnceCell};
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

/// A script's key in the dictionary: its SHA1 as 20 bytes, half the hex name's size (the
/// dictionary holds every script, so the key is much of its per-script overhead).
type Key = [u8; 20];

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
/// compiled from, how it got there, when it last ran (for the EVAL cache's LRU) and its
/// run statistics.
struct Entry {
    script: Script,
    body: Box<[u8]>,
    origin: Origin,
    /// Run statistics, made at the script's first run: a script loaded and never run costs
    /// no more than its entry.
    stats: OnceCell<Rc<ScriptStats>>,
    /// The engine's clock at the last EVAL/EVALSHA of this script (see `registry`).
    last_used: Cell<u64>,
    /// Replicas and the AOF have been told of this script (see `registry::Admitted`).
    announced: bool,
}

impl Entry {
    fn new(script: Script, body: &[u8], origin: Origin, last_used: u64, announced: bool) -> Entry {
        let (body, stats) = (body.into(), OnceCell::new());
        Entry { script, body, origin, stats, last_used: Cell::new(last_used), announced }
    }

    /// The counters a run of this script adds to (made at its first run, counted in `ran`).
    fn run_stats(&self, ran: &Cell<usize>) -> Rc<ScriptStats> {
        Rc::clone(self.stats.get_or_init(|| {
            ran.set(ran.get() + 1);
            Rc::default()
        }))
    }

    fn counts(&self) -> Counts {
        self.stats.get().map(|s| s.counts()).unwrap_or_default()
    }
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
    /// Scripts known only from EVAL kept at most (least recently used evicted; 0: no cap).
    pub max_eval_scripts: usize,
}

pub struct Engine {
    vm: Vm,
    scripts: FxHashMap<Key, Entry>,
    bodies_bytes: usize,
    settings: Settings,
    /// Ticks on every use of a script; an entry's `last_used` is a reading of it.
    clock: Cell<u64>,
    /// The scripts known only from EVAL, which the cap applies to (see `registry`).
    evictable: Vec<Key>,
    /// Scripts restored from a saved registry that no longer compile: kept (and saved
    /// again) so that nothing is dropped silently; EVALSHA reports why they cannot run.
    broken: FxHashMap<Key, registry::Broken>,
    /// The cluster registry's epoch (kept through flushes, saved with the scripts).
    sync: registry_sync::SyncState,
    /// Scripts whose statistics exist (they have run): INFO's memory figure, kept up to date
    /// here because it is recorded after every command.
    ran: Cell<usize>,
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
        Ok(Engine {
            vm,
            scripts: FxHashMap::default(),
            bodies_bytes: 0,
            settings,
            clock: Cell::new(0),
            evictable: Vec::new(),
            broken: FxHashMap::default(),
            sync: registry_sync::SyncState::default(),
            ran: Cell::new(0),
        })
    }

    /// The script ready to run, admitted as the commands admit it (announcing).
    #[cfg(test)]
    pub fn load(&mut self, body: &[u8], origin: Origin) -> Result<Found, ReplyError> {
        if origin == Origin::Eval {
            return self.admit_to_run(body, true).map(|(_, found)| found);
        }
        let admitted = self.admit(body, origin, true)?;
        self.find(&admitted.sha).ok_or(ReplyError::Internal)
    }

    /// The cached script named `sha` (any case), if any; counts as a use for the LRU.
    pub fn find(&self, sha: &[u8]) -> Option<Found> {
        let name = normalize_sha(sha)?;
        self.scripts.get(&key_of(&name)?).map(|entry| {
            entry.last_used.set(self.tick());
            Found { sha: name, script: entry.script, stats: entry.run_stats(&self.ran) }
        })
    }

    /// The next reading of the use clock.
    #[inline]
    fn tick(&self) -> u64 {
        let now = self.clock.get() + 1;
        self.clock.set(now);
        now
    }

    /// The body and origin of the cached script named `sha` (any case), if any.
    pub fn source(&self, sha: &[u8]) -> Option<(&[u8], Origin)> {
        self.scripts.get(&key_of(sha)?).map(|entry| (&*entry.body, entry.origin))
    }

    /// The scripts pinned by SCRIPT LOAD, with their names and bodies: what a cluster shares.
    pub fn loaded(&self) -> impl Iterator<Item = (Sha, &[u8])> + '_ {
        self.scripts
            .iter()
            .filter(|(_, entry)| entry.origin == Origin::Load)
            .map(|(key, entry)| (name_of(key), &*entry.body))
    }

    /// This node's view of the cluster registry's epoch.
    pub fn sync_state(&self) -> registry_sync::SyncState {
        self.sync
    }

    pub fn set_sync_state(&mut self, sync: registry_sync::SyncState) {
        self.sync = sync;
    }

    /// SCRIPT EXISTS: a lookup that is not a use.
    pub fn exists(&self, sha: &[u8]) -> bool {
        key_of(sha).is_some_and(|key| self.scripts.contains_key(&key))
    }

    /// `SCRIPT STATS`: the cached scripts (only those named in `only`, when given; unknown
    /// names are left out), largest total run time first, then by SHA.
    pub fn stats(&self, only: Option<&[Sha]>) -> Vec<ScriptReport> {
        let report = |(key, entry): (&Key, &Entry)| ScriptReport {
            sha: name_of(key),
            origin: entry.origin,
            counts: entry.counts(),
            body_bytes: entry.body.len(),
        };
        let mut out: Vec<ScriptReport> = match only {
            None => self.scripts.iter().map(report).collect(),
            Some(shas) => {
                let mut shas = shas.to_vec();
                shas.sort_unstable();
                shas.dedup();
                shas.iter().filter_map(|sha| self.scripts.get_key_value(&key_of(sha)?)).map(report).collect()
            }
        };
        out.sort_unstable_by(|a, b| b.counts.usec.cmp(&a.counts.usec).then(a.sha.cmp(&b.sha)));
        out
    }

    /// `SCRIPT STATS RESET`: every script's counters back to zero; the scripts stay.
    pub fn reset_stats(&self) {
        for stats in self.scripts.values().filter_map(|entry| entry.stats.get()) {
            stats.reset();
        }
    }

    /// Bytes of script bodies cached (for INFO, as Redis's `used_memory_scripts_eval`).
    fn scripts_memory(&self) -> usize {
        // A script's statistics, once it has run, sit in their own `Rc` allocation.
        let stats = std::mem::size_of::<ScriptStats>() + 2 * std::mem::size_of::<usize>();
        self.bodies_bytes + self.scripts.len() * std::mem::size_of::<(Key, Entry)>() + self.ran.get() * stats
    }

    /// The figures `INFO luax` shows.
    pub fn snapshot(&self) -> counters::Snapshot {
        counters::Snapshot {
            scripts: self.scripts.len() as u64,
            vm_memory: self.vm.memory() as u64,
            vm_memory_limit: self.settings.heap_limit as u64,
            scripts_memory: self.scripts_memory() as u64,
            broken_scripts: self.broken_count() as u64,
        }
    }

    /// SCRIPT FLUSH: forget every script and start a fresh VM (library settings reset).
    pub fn flush(&mut self) -> Result<(), ReplyError> {
        let fresh = Vm::new(self.settings.version, self.settings.heap_limit).ok_or(ReplyError::VmUnavailable)?;
        self.scripts.clear();
        self.ran.set(0);
        self.evictable.clear();
        self.broken.clear();
        self.bodies_bytes = 0;
        // The old VM is closed when replaced (after a full collection, see OwnedState::drop).
        self.vm = fresh;
        Ok(())
    }

    /// Runs `found` (from `load` or `find` on this engine), sends its reply (or error) to
    /// `sink`, and adds the run to the script's statistics.
    pub fn run(&mut self, found: &Found, inv: &Invocation<'_>, server: &dyn Server, sink: &mut dyn ReplySink) {
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

/// The name (lowercase hex) of the script whose key is `key`.
fn name_of(key: &Key) -> Sha {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut name = [0u8; 40];
    for (pair, byte) in name.chunks_exact_mut(2).zip(key) {
        pair[0] = HEX[usize::from(byte >> 4)];
        pair[1] = HEX[usize::from(byte & 0x0f)];
    }
    name
}

/// The key of the script named `sha` (40 hex digits, any case), if it names one. This runs on
/// every EVALSHA, so it decodes eight digits at a time in a u64 (SWAR) rather than one by one.
fn key_of(sha: &[u8]) -> Option<Key> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    // High bit of each byte lane set where lo <= byte <= hi (bytes below 0x80: no carries).
    let in_range = |x: u64, lo: u8, hi: u8| {
        let at_least_lo = x.wrapping_add(u64::from(0x80 - lo) * ONES);
        let above_hi = x.wrapping_add(u64::from(0x7f - hi) * ONES);
        at_least_lo & !above_hi & HIGHS
    };
    let hex: &[u8; 40] = sha.try_into().ok()?;
    let mut key = [0u8; 20];
    let mut invalid = 0u64;
    for (digits, out) in hex.chunks_exact(8).zip(key.chunks_exact_mut(4)) {
        let x = u64::from_le_bytes(digits.try_into().ok()?);
        let decimal = in_range(x, b'0', b'9');
        let letter = in_range(x | (0x20 * ONES), b'a', b'f');
        invalid |= (x & HIGHS) | ((decimal | letter) ^ HIGHS);
        // Each lane's value: its low four bits, plus 9 for a letter ('a' & 0x0f = 1).
        let values = (x & (0x0f * ONES)) + (letter >> 7) * 9;
        // Lanes come in (high, low) pairs, the first digit in the lowest byte.
        let pairs = ((values & 0x000f_000f_000f_000f) << 4) | ((values >> 8) & 0x000f_000f_000f_000f);
        let packed =
            (pairs & 0xff) | ((pairs >> 8) & 0xff00) | ((pairs >> 16) & 0x00ff_0000) | ((pairs >> 24) & 0xff00_0000);
        out.copy_from_slice(&(packed as u32).to_le_bytes());
    }
    (invalid == 0).then_some(key)
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
