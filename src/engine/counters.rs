//! Figures for `INFO luax`: counters bumped as runs go, and the cache and VM figures recorded
//! after every luax command (INFO may run inside a script, when the engine is in use).

use std::cell::Cell;

/// Counters for INFO: script runs, runs that replied with an error, runs stopped by SCRIPT
/// KILL (or `busy-kill-readonly`), runs that went past `busy-reply-threshold`, and runs
/// stopped by `busy-kill-readonly`.
#[derive(Default)]
pub struct Counters {
    pub calls: Cell<u64>,
    pub errors: Cell<u64>,
    pub kills: Cell<u64>,
    pub busy_events: Cell<u64>,
    pub auto_kills: Cell<u64>,
    /// EVAL-born scripts dropped by the cache's cap (`engine::registry`).
    pub evicted_scripts: Cell<u64>,
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
    /// Restored scripts that no longer compile (kept, see `engine::registry`).
    pub broken_scripts: u64,
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
