//! Server configuration values luax reads (`busy-reply-threshold`,
//! `replica-serve-stale-data`), cached and re-read after any CONFIG SET.

use std::cell::Cell;
use std::thread::LocalKey;

use super::api::Ctx;
use super::resp;

/// Settings that decide whether Redis refuses writes.
#[derive(Debug, Clone, Copy, Default)]
pub struct WriteSafety {
    pub stop_writes_on_bgsave_error: bool,
    pub has_save_points: bool,
    pub min_replicas_to_write: u64,
    pub min_replicas_max_lag: u64,
}

thread_local! {
    static BUSY_THRESHOLD_MS: Cell<Option<u64>> = const { Cell::new(None) };
    static SERVE_STALE: Cell<Option<bool>> = const { Cell::new(None) };
    static WRITE_SAFETY: Cell<Option<WriteSafety>> = const { Cell::new(None) };
}

/// Forgets cached values (a configuration changed).
pub fn invalidate() {
    BUSY_THRESHOLD_MS.with(|c| c.set(None));
    SERVE_STALE.with(|c| c.set(None));
    WRITE_SAFETY.with(|c| c.set(None));
}

/// The cached value of `cell`, loaded first if it was invalidated.
fn cached<T: Copy + 'static>(cell: &'static LocalKey<Cell<Option<T>>>, load: impl FnOnce() -> T) -> T {
    if let Some(v) = cell.with(Cell::get) {
        return v;
    }
    let v = load();
    cell.with(|c| c.set(Some(v)));
    v
}

fn config_get(ctx: Ctx, name: &[u8]) -> Option<Vec<u8>> {
    let reply = ctx.call(&[b"CONFIG", b"GET", name], b"").ok()?;
    let value = resp::parse(reply.proto())?;
    value.as_array()?.get(1)?.as_bytes().map(<[u8]>::to_vec)
}

fn config_u64(ctx: Ctx, name: &[u8], default: u64) -> u64 {
    config_get(ctx, name).and_then(|b| std::str::from_utf8(&b).ok()?.parse().ok()).unwrap_or(default)
}

pub fn write_safety(ctx: Ctx) -> WriteSafety {
    cached(&WRITE_SAFETY, || WriteSafety {
        stop_writes_on_bgsave_error: config_get(ctx, b"stop-writes-on-bgsave-error").is_some_and(|b| b == b"yes"),
        has_save_points: config_get(ctx, b"save").is_some_and(|b| !b.trim_ascii().is_empty()),
        min_replicas_to_write: config_u64(ctx, b"min-replicas-to-write", 0),
        min_replicas_max_lag: config_u64(ctx, b"min-replicas-max-lag", 0),
    })
}

/// `appendonly yes` with `aof-use-rdb-preamble no`: an AOF rewrite then writes commands
/// only, and the module API has no way to add the script registry to them.
pub fn aof_without_preamble(ctx: Ctx) -> bool {
    config_get(ctx, b"appendonly").is_some_and(|b| b == b"yes")
        && config_get(ctx, b"aof-use-rdb-preamble").is_some_and(|b| b == b"no")
}

pub fn busy_threshold_ms(ctx: Ctx) -> u64 {
    cached(&BUSY_THRESHOLD_MS, || config_u64(ctx, b"busy-reply-threshold", 5000))
}

pub fn serve_stale_data(ctx: Ctx) -> bool {
    cached(&SERVE_STALE, || config_get(ctx, b"replica-serve-stale-data").is_none_or(|b| b.as_slice() == b"yes"))
}
