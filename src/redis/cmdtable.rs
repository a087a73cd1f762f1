//! Command metadata for `redis.call`, read from `COMMAND INFO` once per command and cached.
//!
//! In front of the name-keyed cache sits a small cache of names exactly as scripts spell
//! them: a hit costs a short hash and one comparison instead of lowercasing, hashing and a
//! map lookup.

use std::cell::RefCell;
use std::rc::Rc;

use rustc_hash::FxHashMap;
use smallvec::SmallVec;

use super::api::Ctx;
use super::resp::{self, Value};
use crate::engine::server::{CommandKind, CommandSpec};

/// Commands a script may call that carry Redis's `may_replicate` flag, which COMMAND INFO
/// does not report in 7.0 (a read-only script may not call them). The other commands with
/// the flag (EVAL, EVALSHA, FCALL) are `noscript` anyway.
const MAY_REPLICATE: &[&[u8]] = &[b"pfcount", b"publish", b"spublish"];

struct Entry {
    spec: CommandSpec,
    has_subcommands: bool,
}

/// Slots of the spelling-keyed cache.
const FAST_BITS: u32 = 6;
const FAST_SLOTS: usize = 1 << FAST_BITS;

/// One slot: a name as spelled (up to 24 bytes) and its command.
#[derive(Clone, Copy)]
struct FastSlot {
    len: usize,
    name: [u8; 24],
    spec: CommandSpec,
}

thread_local! {
    static CACHE: RefCell<FxHashMap<Box<[u8]>, Rc<Entry>>> = RefCell::new(FxHashMap::default());
    static FAST: RefCell<[Option<FastSlot>; FAST_SLOTS]> = const { RefCell::new([None; FAST_SLOTS]) };
}

/// The slot of a name: its length and its first and last two bytes, which tell apart the
/// few commands one script uses.
fn fast_index(name: &[u8]) -> usize {
    let (first, last) = match name {
        [a, b, .., y, z] => (u16::from_le_bytes([*a, *b]), u16::from_le_bytes([*y, *z])),
        [a, .., z] => (u16::from(*a), u16::from(*z)),
        [a] => (u16::from(*a), 0),
        [] => (0, 0),
    };
    let mixed = (u64::from(first) << 24 | u64::from(last) << 8 | name.len() as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    (mixed >> (64 - FAST_BITS)) as usize
}

fn fast_get(name: &[u8]) -> Option<CommandSpec> {
    FAST.with(|f| {
        let slot = f.borrow()[fast_index(name)]?;
        (slot.len == name.len() && slot.name[..slot.len] == *name).then_some(slot.spec)
    })
}

fn fast_put(name: &[u8], spec: CommandSpec) {
    if name.len() > 24 {
        return;
    }
    let mut slot = FastSlot { len: name.len(), name: [0; 24], spec };
    slot.name[..name.len()].copy_from_slice(name);
    FAST.with(|f| f.borrow_mut()[fast_index(name)] = Some(slot));
}

/// A lowercased command name, kept on the stack.
type Name = SmallVec<[u8; 32]>;

/// The command `argv` names, as Redis's `lookupCommand` resolves it: a container with
/// arguments resolves to its subcommand (or nothing, if unknown).
pub fn lookup(ctx: Ctx, argv: &[&[u8]]) -> Option<CommandSpec> {
    let raw = *argv.first()?;
    if let Some(spec) = fast_get(raw) {
        return Some(spec);
    }
    let mut name: Name = raw.iter().map(u8::to_ascii_lowercase).collect();
    let base = entry(ctx, &name)?;
    if !base.has_subcommands {
        fast_put(raw, base.spec);
        return Some(base.spec);
    }
    if argv.len() == 1 {
        return Some(base.spec);
    }
    name.push(b'|');
    name.extend(argv[1].iter().map(u8::to_ascii_lowercase));
    entry(ctx, &name).map(|e| e.spec)
}

fn entry(ctx: Ctx, name: &[u8]) -> Option<Rc<Entry>> {
    if let Some(e) = CACHE.with(|c| c.borrow().get(name).cloned()) {
        return Some(e);
    }
    if name.iter().filter(|&&b| b == b'|').count() > 1 {
        return None;
    }
    let reply = ctx.call(&[b"COMMAND", b"INFO", name], b"").ok()?;
    let parsed = resp::parse(reply.proto())?;
    let info = parsed.as_array()?.first()?.as_array()?;
    let entry = Rc::new(parse_info(info)?);
    // Only known commands are cached: a module loaded later may add the others.
    CACHE.with(|c| c.borrow_mut().insert(name.into(), entry.clone()));
    Some(entry)
}

/// Drops the cache (after MODULE LOAD/UNLOAD could change the command table).
pub fn clear() {
    CACHE.with(|c| c.borrow_mut().clear());
    FAST.with(|f| *f.borrow_mut() = [None; FAST_SLOTS]);
}

fn parse_info(info: &[Value]) -> Option<Entry> {
    let name = info.first()?.as_bytes()?.to_ascii_lowercase();
    let arity = i32::try_from(info.get(1)?.as_int()?).ok()?;
    let may_replicate = MAY_REPLICATE.contains(&name.as_slice());
    let kind = match name.as_slice() {
        b"select" => CommandKind::Select,
        b"sort" | b"sort_ro" => CommandKind::Sort,
        b"xread" => CommandKind::Xread,
        b"xreadgroup" => CommandKind::XreadGroup,
        _ => CommandKind::Plain,
    };
    let mut spec = CommandSpec { arity, may_replicate, kind, ..CommandSpec::default() };
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
    Some(Entry { spec, has_subcommands })
}
