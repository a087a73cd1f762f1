//! Command metadata for `redis.call`, read from `COMMAND INFO` once per command and cached.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use super::api::Ctx;
use super::resp::{self, Value};
use crate::engine::server::CommandSpec;

/// Commands a script may call that carry Redis's `may_replicate` flag, which COMMAND INFO
/// does not report in 7.0 (a read-only script may not call them). The other commands with
/// the flag (EVAL, EVALSHA, FCALL) are `noscript` anyway.
const MAY_REPLICATE: &[&[u8]] = &[b"pfcount", b"publish", b"spublish"];

struct Entry {
    spec: Rc<CommandSpec>,
    has_subcommands: bool,
}

thread_local! {
    static CACHE: RefCell<HashMap<Vec<u8>, Rc<Entry>>> = RefCell::new(HashMap::new());
}

/// The command `argv` names, as Redis's `lookupCommand` resolves it: a container with
/// arguments resolves to its subcommand (or nothing, if unknown).
pub fn lookup(ctx: Ctx, argv: &[&[u8]]) -> Option<Rc<CommandSpec>> {
    let name = argv.first()?.to_ascii_lowercase();
    let base = entry(ctx, name.clone())?;
    if !base.has_subcommands || argv.len() == 1 {
        return Some(base.spec.clone());
    }
    let mut full = name;
    full.push(b'|');
    full.extend(argv[1].to_ascii_lowercase());
    entry(ctx, full).map(|e| e.spec.clone())
}

fn entry(ctx: Ctx, name: Vec<u8>) -> Option<Rc<Entry>> {
    if name.contains(&b'|') && name.iter().filter(|&&b| b == b'|').count() > 1 {
        return None;
    }
    if let Some(e) = CACHE.with(|c| c.borrow().get(&name).cloned()) {
        return Some(e);
    }
    let reply = ctx.call(&[b"COMMAND", b"INFO", &name], c"v").ok()?;
    let parsed = resp::parse(reply.proto())?;
    let info = parsed.as_array()?.first()?.as_array()?;
    let entry = Rc::new(parse_info(info)?);
    // Only known commands are cached: a module loaded later may add the others.
    CACHE.with(|c| c.borrow_mut().insert(name, entry.clone()));
    Some(entry)
}

/// Drops the cache (after MODULE LOAD/UNLOAD could change the command table).
pub fn clear() {
    CACHE.with(|c| c.borrow_mut().clear());
}

fn parse_info(info: &[Value]) -> Option<Entry> {
    let name = info.first()?.as_bytes()?.to_ascii_lowercase();
    let arity = i32::try_from(info.get(1)?.as_int()?).ok()?;
    let may_replicate = MAY_REPLICATE.contains(&name.as_slice());
    let mut spec = CommandSpec { name, arity, may_replicate, ..CommandSpec::default() };
    for flag in info.get(2)?.as_array()? {
        match flag.as_bytes() {
            Some(b"write") => spec.write = true,
            Some(b"denyoom") => spec.deny_oom = true,
            Some(b"noscript") => spec.no_script = true,
            Some(b"stale") => spec.stale = true,
            Some(b"may_replicate") => spec.may_replicate = true,
            Some(b"pubsub") => spec.pubsub = true,
            _ => {}
        }
    }
    let has_subcommands = info.get(9).and_then(Value::as_array).is_some_and(|s| !s.is_empty());
    Some(Entry { spec: Rc::new(spec), has_subcommands })
}
