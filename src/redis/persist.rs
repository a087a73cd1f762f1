//! The script registry as data: saved in the RDB (module aux data, before the keys) and
//! sent to replicas and the AOF as it changes.
//!
//! Record (encoding version 1): the number of scripts, then for each its origin
//! (0: EVAL, 1: SCRIPT LOAD) and its body; last, the cluster registry's epoch (0: none yet,
//! else the epoch plus one), so a node restarted after a flush it missed does not bring the
//! flushed scripts back. Every read is checked: a truncated or corrupt
//! record fails the load with a log line naming the problem, never a crash.
//!
//! With `persist-scripts no` the type is registered without a save callback: existing
//! records are still read (the way back to a server without luax), none is written, and
//! nothing is propagated.

use std::cell::Cell;
use std::ffi::CStr;

use super::api::{self, Ctx, Io};
use super::config;
use crate::engine::registry::{Record, RecordSink, SavedScript, SavedSync, Unloadable};
use crate::engine::Origin;
use crate::error::ReplyError;
use crate::{aux_load_fn, aux_save_fn};

/// The data type's name in the RDB (9 characters, as Redis requires).
const TYPE_NAME: &CStr = c"luax-scrp";
/// The record format written; records of a later format are refused with a clear line.
const ENCODING_VERSION: i32 = 1;

/// The engine side of saving and restoring, handed over at load (`module.rs`).
#[derive(Clone, Copy)]
pub struct Store {
    /// Hands every script to save, in order, to the sink; false if the registry cannot be
    /// read now.
    pub save: fn(each: &mut RecordSink<'_>) -> bool,
    /// Replaces the registry; returns the scripts that no longer compile, with the reason.
    pub restore: fn(Vec<SavedScript>, SavedSync) -> Result<Vec<Unloadable>, ReplyError>,
}

thread_local! {
    static ENABLED: Cell<bool> = const { Cell::new(false) };
    static STORE: Cell<Option<Store>> = const { Cell::new(None) };
    static AOF_WARNED: Cell<bool> = const { Cell::new(false) };
}

/// Whether luax saves and propagates its registry (`persist-scripts yes`).
pub fn enabled() -> bool {
    ENABLED.with(Cell::get)
}

/// Registers the data type: reading always, saving only with `persist`.
pub fn register(ctx: Ctx, persist: bool, store: Store) -> Result<(), String> {
    STORE.with(|s| s.set(Some(store)));
    ENABLED.with(|e| e.set(persist));
    ctx.handle_io_errors();
    if !ctx.create_aux_type(TYPE_NAME, ENCODING_VERSION, Some(aux_load), persist.then_some(aux_save)) {
        return Err("cannot register the script registry's data type".into());
    }
    Ok(())
}

/// Warns once (until the setting changes back) when an AOF rewrite would drop the scripts.
pub fn check_aof(ctx: Ctx) {
    if !enabled() {
        return;
    }
    let exposed = config::aof_without_preamble(ctx);
    if exposed && !AOF_WARNED.with(Cell::get) {
        log(
            WARNING,
            b"appendonly is on without aof-use-rdb-preamble: an AOF rewrite keeps no scripts (they stay in RDB \
              files and replicas); set aof-use-rdb-preamble yes to keep them in the AOF",
        );
    }
    AOF_WARNED.with(|w| w.set(exposed));
}

/// Sends a script the registry just took in to replicas and the AOF: `load` pins it there
/// too, `cache` adds it as EVAL would.
pub fn propagate_script(ctx: Ctx, body: &[u8], origin: Origin) {
    if enabled() {
        let sub: &[u8] = if origin == Origin::Load { b"load" } else { b"cache" };
        ctx.replicate(c"luax.script", &[sub, body]);
    }
}

/// Sends SCRIPT FLUSH to replicas and the AOF.
pub fn propagate_flush(ctx: Ctx) {
    if enabled() {
        ctx.replicate(c"luax.script", &[b"flush"]);
    }
}

aux_save_fn!(aux_save => save);
aux_load_fn!(aux_load => load);

fn save(io: Io) {
    let Some(store) = STORE.with(Cell::get) else {
        return;
    };
    let write = |records: &[Record<'_>], sync: SavedSync| {
        io.save_unsigned(records.len() as u64);
        for record in records {
            io.save_unsigned(u64::from(record.origin == Origin::Load));
            io.save_bytes(record.body);
        }
        io.save_unsigned(sync);
    };
    if !(store.save)(&mut |records, sync| write(records, sync)) {
        // A section must hold a record: an empty one stands in, and says so in the log.
        write(&[], 0);
        log(WARNING, b"the script registry was in use during the save: this RDB holds none of its scripts");
    }
}

/// Reads a record back into the registry; false (after a log line saying why) fails the load.
fn load(io: Io, encver: i32) -> bool {
    match read_and_restore(io, encver) {
        Ok(()) => true,
        Err(why) => {
            log(WARNING, why.as_bytes());
            false
        }
    }
}

fn read_and_restore(io: Io, encver: i32) -> Result<(), String> {
    if encver > ENCODING_VERSION {
        return Err(format!(
            "the saved script registry has format version {encver}; this luax reads up to {ENCODING_VERSION}: \
             load a newer luax"
        ));
    }
    let corrupt = |what: &str| format!("the saved script registry is truncated or corrupt ({what}); loading stops");
    let count = io.load_unsigned().ok_or_else(|| corrupt("cannot read the script count"))?;
    let mut records = Vec::new();
    for i in 0..count {
        let origin = match io.load_unsigned() {
            Some(0) => Origin::Eval,
            Some(1) => Origin::Load,
            Some(other) => return Err(corrupt(&format!("script {i} of {count} has unknown origin {other}"))),
            None => return Err(corrupt(&format!("cannot read script {i} of {count}"))),
        };
        let body = io.load_bytes().ok_or_else(|| corrupt(&format!("cannot read the body of script {i} of {count}")))?;
        records.push((body, origin));
    }
    let sync = io.load_unsigned().ok_or_else(|| corrupt("cannot read the cluster registry's epoch"))?;
    let store = STORE.with(Cell::get).ok_or("the script registry is not ready")?;
    let total = records.len();
    let failed = (store.restore)(records, sync).map_err(|e| String::from_utf8_lossy(&e.to_wire()).into_owned())?;
    for (sha, reason) in &failed {
        let mut line = b"restored script ".to_vec();
        line.extend_from_slice(sha);
        line.extend_from_slice(b" no longer compiles; it is kept (EVALSHA reports why): ");
        line.extend_from_slice(reason);
        log(WARNING, &line);
    }
    log(NOTICE, format!("restored {} of {total} saved scripts", total - failed.len()).as_bytes());
    Ok(())
}

const NOTICE: i32 = 2;
const WARNING: i32 = 3;

fn log(level: i32, msg: &[u8]) {
    let mut line = b"luax: ".to_vec();
    line.extend_from_slice(msg);
    api::log_raw(None, level, &line);
}
