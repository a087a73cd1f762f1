//! `INFO luax`: the script cache, the Lua VM's memory and the run counters.
//!
//! INFO can run inside a script (`redis.call('INFO')`), while the engine is in use, so this
//! reads only thread-local cells: the counters the engine keeps and the snapshot recorded
//! after every luax command (`engine::counters::record_snapshot`).

use super::api::{Ctx, InfoCtx};
use super::{dropin, persist};
use crate::engine::counters::{self, Counters, COUNTERS};
use crate::info_fn;

/// The crate version, as `INFO luax` shows it.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Registers the `luax` INFO section.
pub fn register(ctx: Ctx) -> Result<(), String> {
    if ctx.register_info(Some(info_callback)) {
        Ok(())
    } else {
        Err("cannot register the INFO section".into())
    }
}

info_fn!(info_callback => add_section);

fn add_section(ctx: InfoCtx, _for_crash_report: bool) {
    let snap = counters::snapshot();
    let counter = |field: fn(&Counters) -> u64| COUNTERS.with(field);
    // Redis prefixes each field with "luax_"; an empty section name means "luax".
    ctx.section(c"");
    ctx.field_str(c"version", VERSION);
    ctx.field_str(c"dropin", if dropin::enabled() { "yes" } else { "no" });
    ctx.field_u64(c"cached_scripts", snap.scripts);
    ctx.field_u64(c"used_memory_vm", snap.vm_memory);
    ctx.field_str(c"used_memory_vm_human", &bytes_to_human(snap.vm_memory));
    ctx.field_u64(c"used_memory_vm_limit", snap.vm_memory_limit);
    ctx.field_u64(c"used_memory_scripts", snap.scripts_memory);
    ctx.field_u64(c"calls", counter(|c| c.calls.get()));
    ctx.field_u64(c"errors", counter(|c| c.errors.get()));
    ctx.field_u64(c"kills", counter(|c| c.kills.get()));
    ctx.field_u64(c"busy_events", counter(|c| c.busy_events.get()));
    ctx.field_u64(c"auto_kills", counter(|c| c.auto_kills.get()));
    ctx.field_u64(c"evicted_scripts", counter(|c| c.evicted_scripts.get()));
    ctx.field_u64(c"unloadable_scripts", snap.broken_scripts);
    ctx.field_str(c"persist_scripts", if persist::enabled() { "yes" } else { "no" });
}

/// Redis's `bytesToHuman`: `123B`, `1.50K`, `2.00M`, ... (powers of 1024, two decimals).
pub fn bytes_to_human(n: u64) -> String {
    const UNITS: [(u32, &str); 5] = [(1, "K"), (2, "M"), (3, "G"), (4, "T"), (5, "P")];
    if n < 1024 {
        return format!("{n}B");
    }
    for (power, unit) in UNITS {
        if u128::from(n) < 1024u128.pow(power + 1) {
            return format!("{:.2}{unit}", n as f64 / 1024f64.powi(power as i32));
        }
    }
    format!("{n}B")
}

#[cfg(test)]
mod tests {
    use super::bytes_to_human;

    #[test]
    fn human_sizes_match_redis() {
        // Expected strings as Redis 7.0's bytesToHuman prints them.
        let cases: [(u64, &str); 10] = [
            (0, "0B"),
            (1023, "1023B"),
            (1024, "1.00K"),
            (1536, "1.50K"),
            (31744, "31.00K"),
            (1048575, "1024.00K"),
            (1048576, "1.00M"),
            (3 << 30, "3.00G"),
            (1 << 50, "1.00P"),
            (u64::MAX, "18446744073709551615B"),
        ];
        for (n, want) in cases {
            assert_eq!(bytes_to_human(n), want, "{n}");
        }
    }
}
