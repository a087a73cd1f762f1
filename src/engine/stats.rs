//! Per-script run statistics (`SCRIPT STATS`): counters kept in the script's dictionary entry
//! and updated once at the end of each run, from figures the run gathers anyway.
//!
//! Each entry holds its counters behind an `Rc`, so that `find`/`load` hand the run a handle
//! to them with the script: recording costs no second lookup. Plain cells suffice, as the
//! whole engine lives on Redis's main thread.

use std::cell::Cell;

/// The counters of one cached script.
#[derive(Debug, Default)]
pub struct ScriptStats {
    calls: Cell<u64>,
    errors: Cell<u64>,
    kills: Cell<u64>,
    busy: Cell<u64>,
    usec: Cell<u64>,
    max_usec: Cell<u64>,
    redis_calls: Cell<u64>,
    /// Monotonic microseconds at the start of the last run (0: never run).
    last_start_us: Cell<u64>,
}

/// What one run adds to its script's counters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RunRecord {
    /// Monotonic microseconds at the start of the run.
    pub started_us: u64,
    pub elapsed_us: u64,
    /// The run replied with an error.
    pub error: bool,
    /// The run was ended by SCRIPT KILL or the automatic kill.
    pub killed: bool,
    /// The run went past `busy-reply-threshold`.
    pub busy: bool,
    pub redis_calls: u64,
}

/// The counters as numbers, for a reply.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub calls: u64,
    pub errors: u64,
    pub kills: u64,
    pub busy: u64,
    pub usec: u64,
    pub max_usec: u64,
    pub redis_calls: u64,
    /// Monotonic microseconds at the start of the last run (0: never run).
    pub last_start_us: u64,
}

fn add(cell: &Cell<u64>, n: u64) {
    cell.set(cell.get().saturating_add(n));
}

impl ScriptStats {
    pub fn record(&self, run: &RunRecord) {
        add(&self.calls, 1);
        add(&self.errors, u64::from(run.error));
        add(&self.kills, u64::from(run.killed));
        add(&self.busy, u64::from(run.busy));
        add(&self.usec, run.elapsed_us);
        self.max_usec.set(self.max_usec.get().max(run.elapsed_us));
        add(&self.redis_calls, run.redis_calls);
        self.last_start_us.set(run.started_us);
    }

    /// `SCRIPT STATS RESET`: as if the script had never run.
    pub fn reset(&self) {
        for cell in [
            &self.calls,
            &self.errors,
            &self.kills,
            &self.busy,
            &self.usec,
            &self.max_usec,
            &self.redis_calls,
            &self.last_start_us,
        ] {
            cell.set(0);
        }
    }

    pub fn counts(&self) -> Counts {
        Counts {
            calls: self.calls.get(),
            errors: self.errors.get(),
            kills: self.kills.get(),
            busy: self.busy.get(),
            usec: self.usec.get(),
            max_usec: self.max_usec.get(),
            redis_calls: self.redis_calls.get(),
            last_start_us: self.last_start_us.get(),
        }
    }
}

/// Unix milliseconds of a monotonic instant, given both clocks read now; 0 stays 0 (never).
///
/// Converting when asked, rather than reading the wall clock at every run, keeps the run to
/// the one clock read it needs, and stays right across wall-clock steps made since.
pub fn unix_ms_of(monotonic_us: u64, now_monotonic_us: u64, now_unix_ms: u64) -> u64 {
    if monotonic_us == 0 {
        return 0;
    }
    let ago_ms = now_monotonic_us.saturating_sub(monotonic_us) / 1000;
    now_unix_ms.saturating_sub(ago_ms)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(elapsed_us: u64) -> RunRecord {
        RunRecord { started_us: 1_000_000, elapsed_us, ..RunRecord::default() }
    }

    #[test]
    fn runs_add_up() {
        let stats = ScriptStats::default();
        stats.record(&run(30));
        stats.record(&RunRecord {
            error: true,
            killed: true,
            busy: true,
            redis_calls: 4,
            started_us: 2_000_000,
            ..run(50)
        });
        stats.record(&RunRecord { redis_calls: 1, ..run(10) });
        let want = Counts {
            calls: 3,
            errors: 1,
            kills: 1,
            busy: 1,
            usec: 90,
            max_usec: 50,
            redis_calls: 5,
            last_start_us: 1_000_000,
        };
        assert_eq!(stats.counts(), want);
    }

    #[test]
    fn reset_forgets_everything() {
        let stats = ScriptStats::default();
        stats.record(&RunRecord { error: true, redis_calls: 2, ..run(7) });
        stats.reset();
        assert_eq!(stats.counts(), Counts::default());
    }

    #[test]
    fn last_run_is_converted_to_unix_time_when_asked() {
        assert_eq!(unix_ms_of(0, 5_000_000, 1_700_000_000_000), 0);
        // Started 2.5 s before now.
        assert_eq!(unix_ms_of(2_500_000, 5_000_000, 1_700_000_000_000), 1_699_999_997_500);
        assert_eq!(unix_ms_of(5_000_000, 5_000_000, 1_700_000_000_000), 1_700_000_000_000);
    }
}
