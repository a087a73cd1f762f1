//! Drop-in mode (`dropin yes`): a command filter that sends `EVAL`, `EVALSHA`, `EVAL_RO`,
//! `EVALSHA_RO` and `SCRIPT` to the luax commands by renaming them before Redis looks the
//! command up, so cluster routing, MULTI queueing and the busy check all see the luax command.
//!
//! ACL: a call that arrived under a native name is allowed exactly when the native command
//! with the same arguments would be (see [`admit`]). The filter renames such a call to the
//! luax command spelled as a *marker* (`luax.EVAL`): command lookup ignores case, so the
//! marker is the luax command, and the argument vector, which Redis keeps with a queued
//! MULTI command until EXEC, carries the native name to the command itself. The filter
//! leaves markers as they are: Redis runs it again on a command it postponed (CLIENT PAUSE),
//! which must keep its marker. A client that sends a marker spelling itself only gets the
//! native rules checked on top of the luax command's own.
//! Where the filter can tell the client (Redis 7.2+, Valkey), it also leaves a call the
//! native rules refuse to Redis itself, which refuses it natively (reply, ACL LOG entry, and
//! EXECABORT for a transaction it was queued in).
//!
//! Calls the native command would refuse for their argument count (and `SCRIPT` with an
//! unknown subcommand) are left alone: Redis itself then answers with the error that names
//! the command the client sent, exactly as without luax. Such calls never run anything. So
//! are the native names the server does not have (`rename-command EVAL ""`).

use std::cell::Cell;
use std::sync::atomic::{AtomicBool, Ordering};

use super::api::{Argv, Ctx, FilterCtx, User, CMDFILTER_NOSELF};
use super::cmdtable;
use crate::command_filter_fn;
use crate::engine::server::AclDenied;
use crate::error::ReplyError;

/// Drop-in mode is on (read on every luax command: an atomic, not a thread-local).
static ENABLED: AtomicBool = AtomicBool::new(false);

thread_local! {
    /// Which native commands the server has (bit per `Native as usize`), read at load.
    static PRESENT: Cell<u8> = const { Cell::new(0) };
    /// The module's own context, for user lookups in the filter.
    static OWN_CTX: Cell<Option<Ctx>> = const { Cell::new(None) };
    /// Which of luax's own SCRIPT subcommands (`LUAX_SUBCOMMANDS`) the server's SCRIPT has
    /// too (bit per index), read at load: Valkey 8 and later have SHOW.
    static NATIVE_SUBCOMMANDS: Cell<u8> = const { Cell::new(0) };
}

/// SCRIPT subcommands luax adds to Redis 7.0's.
const LUAX_SUBCOMMANDS: [&[u8]; 2] = [b"show", b"stats"];

/// Whether `args` call a SCRIPT subcommand of luax's that the server's own SCRIPT lacks: no
/// native rule names it, so it answers to the rules of SCRIPT EXISTS, the native
/// subcommand closest to it (it too tells which scripts are cached).
fn luax_only_subcommand(native: Native, args_1: Option<&[u8]>) -> bool {
    let Some(sub) = args_1.filter(|_| native == Native::Script) else {
        return false;
    };
    let native_subs = NATIVE_SUBCOMMANDS.with(Cell::get);
    LUAX_SUBCOMMANDS.iter().enumerate().any(|(i, own)| sub.eq_ignore_ascii_case(own) && native_subs & (1 << i) == 0)
}

/// Whether drop-in mode is on (for INFO).
pub fn enabled() -> bool {
    ENABLED.load(Ordering::Relaxed)
}

/// A native scripting command that drop-in mode serves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Native {
    Eval,
    EvalSha,
    EvalRo,
    EvalShaRo,
    Script,
}

impl Native {
    const ALL: [Native; 5] = [Native::Eval, Native::EvalSha, Native::EvalRo, Native::EvalShaRo, Native::Script];

    /// The name Redis gives the command (in ACL errors and logs).
    pub fn name(self) -> &'static [u8] {
        match self {
            Native::Eval => b"eval",
            Native::EvalSha => b"evalsha",
            Native::EvalRo => b"eval_ro",
            Native::EvalShaRo => b"evalsha_ro",
            Native::Script => b"script",
        }
    }

    /// The luax command serving it, spelled as the filter's marker.
    fn marker(self) -> &'static [u8] {
        match self {
            Native::Eval => b"luax.EVAL",
            Native::EvalSha => b"luax.EVALSHA",
            Native::EvalRo => b"luax.EVAL_RO",
            Native::EvalShaRo => b"luax.EVALSHA_RO",
            Native::Script => b"luax.SCRIPT",
        }
    }

    /// The luax command serving it, as a client may spell it.
    #[cfg(test)]
    fn luax_name(self) -> &'static [u8] {
        match self {
            Native::Eval => b"luax.eval",
            Native::EvalSha => b"luax.evalsha",
            Native::EvalRo => b"luax.eval_ro",
            Native::EvalShaRo => b"luax.evalsha_ro",
            Native::Script => b"luax.script",
        }
    }

    fn present(self) -> bool {
        PRESENT.with(Cell::get) & (1 << self as u8) != 0
    }
}

/// The native command a luax command's call arrived as, from its name argument: `None` for
/// a call made under a luax name (or any call, out of drop-in mode).
pub fn arrived_as(name: &[u8]) -> Option<Native> {
    if !enabled() {
        return None;
    }
    marker_of(name)
}

fn marker_of(name: &[u8]) -> Option<Native> {
    // Markers are 9, 11, 12 or 15 bytes long; most names are ruled out by length.
    if !matches!(name.len(), 9 | 11 | 12 | 15) || !name.starts_with(b"luax.") {
        return None;
    }
    Native::ALL.into_iter().find(|n| n.marker() == name)
}

/// Registers the filter; commands luax itself runs through `RedisModule_Call` skip it.
/// Native names the server lacks (renamed or disabled with `rename-command`) stay unrouted.
pub fn enable(ctx: Ctx) -> Result<Vec<&'static str>, String> {
    let mut present = 0u8;
    let mut missing = Vec::new();
    for native in Native::ALL {
        if cmdtable::lookup(ctx, &[native.name()]).is_some() {
            present |= 1 << native as u8;
        } else {
            missing.push(std::str::from_utf8(native.name()).unwrap_or("?"));
        }
    }
    PRESENT.with(|p| p.set(present));
    let mut native_subs = 0u8;
    for (i, sub) in LUAX_SUBCOMMANDS.iter().enumerate() {
        if cmdtable::lookup(ctx, &[Native::Script.name(), sub]).is_some() {
            native_subs |= 1 << i;
        }
    }
    NATIVE_SUBCOMMANDS.with(|n| n.set(native_subs));
    OWN_CTX.with(|c| c.set(ctx.detached()));
    if !ctx.register_command_filter(Some(filter), CMDFILTER_NOSELF) {
        return Err("cannot register the drop-in command filter".into());
    }
    ENABLED.store(true, Ordering::Relaxed);
    Ok(missing)
}

command_filter_fn!(filter => rewrite);

/// Lengths of the names routed: "eval", "script", "evalsha" and "eval_ro", "evalsha_ro".
fn may_route(name: &[u8]) -> bool {
    matches!(name.len(), 4 | 6 | 7 | 10)
}

fn rewrite(mut fctx: FilterCtx<'_>) {
    // Runs before every command: most are ruled out by the length of their name alone.
    let Some(name) = fctx.arg(0) else {
        return;
    };
    if !may_route(name) {
        return;
    }
    let Some(native) = route(name, fctx.arg(1), fctx.args_count()).filter(|n| n.present()) else {
        return;
    };
    if refused_natively(&fctx, native) {
        // Redis refuses the native command itself, as without luax.
        return;
    }
    fctx.replace_arg(0, native.marker());
}

/// Whether the native rules refuse the call to its client, where the server names the
/// client to the filter (Redis 7.2+, Valkey). Commands other modules run (unknown client
/// ids) and clients without a user are left to the check in [`admit`].
fn refused_natively(fctx: &FilterCtx<'_>, native: Native) -> bool {
    let Some(own) = OWN_CTX.with(Cell::get) else {
        return false;
    };
    if luax_only_subcommand(native, fctx.arg(1)) {
        // No native rule names it: `admit` checks it when it runs.
        return false;
    }
    let Some(user) = fctx.client_id().and_then(|id| User::of_client(own, id)) else {
        return false;
    };
    !fctx.with_argv(|argv| user.may_run_as(native.name(), argv))
}

/// The check a call that arrived as `native` passes before it runs (at EXEC for a queued
/// one, as Redis re-checks ACL there): the calling user may run the native command with
/// these arguments. A refusal is logged in ACL LOG naming the native command (or the key)
/// and answered with native's text.
pub fn admit(ctx: Ctx, native: Native, argv: Argv<'_>, args: &[&[u8]]) -> Result<(), ReplyError> {
    let Some(user) = ctx.current_user() else {
        // No user: a master, AOF loading or a module call without ACL, which native skips too.
        return Ok(());
    };
    if luax_only_subcommand(native, args.get(1).copied()) {
        if user.may_run(&[native.name(), b"exists"]) {
            return Ok(());
        }
        let mut full = native.name().to_vec();
        full.push(b'|');
        full.extend(args.get(1).copied().unwrap_or_default().iter().map(u8::to_ascii_lowercase));
        ctx.acl_log(&user, &full, AclDenied::Command);
        return Err(ReplyError::AclCommand(full));
    }
    if user.may_run_as(native.name(), argv) {
        return Ok(());
    }
    // Refused: find what native would name (the command, else the first key refused) with
    // checks that cannot run anything, then log it as native does.
    let (denied, object) = refusal(&user, native, args);
    ctx.acl_log(&user, &object, denied);
    Err(match denied {
        AclDenied::Key => ReplyError::AclKey,
        _ => ReplyError::AclCommand(object),
    })
}

/// What the native rules refuse in a call `args` (its name argument aside) that they refuse:
/// the command, by its full name, or else the first declared key refused.
fn refusal(user: &User, native: Native, args: &[&[u8]]) -> (AclDenied, Vec<u8>) {
    let arg = |i: usize| args.get(i).copied().unwrap_or_default();
    let mut full = native.name().to_vec();
    if native == Native::Script {
        full.push(b'|');
        full.extend(arg(1).iter().map(u8::to_ascii_lowercase));
        return (AclDenied::Command, full);
    }
    if !user.may_run(&[native.name(), arg(1), b"0"]) {
        return (AclDenied::Command, full);
    }
    // The declared keys: numkeys (already accepted by the native rules' key check) at 2.
    let declared = std::str::from_utf8(arg(2)).ok().and_then(|n| n.parse::<usize>().ok()).unwrap_or(0);
    let keys = args.get(3..).unwrap_or_default();
    keys.iter()
        .take(declared)
        .find(|key| !user.may_run(&[native.name(), arg(1), b"1", key]))
        .map_or((AclDenied::Command, full), |key| (AclDenied::Key, key.to_vec()))
}

/// The native command a call of `argc` arguments (name included) whose name is `name` and
/// second argument `sub` is, if luax serves it; `None` to leave the call to Redis.
pub fn route(name: &[u8], sub: Option<&[u8]>, argc: usize) -> Option<Native> {
    if !may_route(name) {
        return None;
    }
    let is = |s: &[u8], lit: &str| s.eq_ignore_ascii_case(lit.as_bytes());
    if is(name, "script") {
        let sub = sub?;
        // SHOW and STATS are luax's own (Valkey 8 has SHOW): LUAX.SCRIPT checks their
        // arguments.
        let arity_ok = if is(sub, "load") || is(sub, "debug") || is(sub, "show") {
            argc == 3
        } else if is(sub, "exists") {
            argc >= 3
        } else if is(sub, "flush") || is(sub, "stats") {
            argc >= 2
        } else if is(sub, "kill") || is(sub, "help") {
            argc == 2
        } else {
            false
        };
        return arity_ok.then_some(Native::Script);
    }
    if argc < 3 {
        return None;
    }
    [Native::Eval, Native::EvalSha, Native::EvalRo, Native::EvalShaRo]
        .into_iter()
        .find(|n| name.eq_ignore_ascii_case(n.name()))
}

#[cfg(test)]
mod tests {
    use super::{marker_of, route, Native};

    #[test]
    fn markers_are_the_luax_commands_spelled_apart() {
        for native in Native::ALL {
            // Command lookup ignores case: the marker names the luax command.
            assert!(native.marker().eq_ignore_ascii_case(native.luax_name()));
            assert_eq!(marker_of(native.marker()), Some(native));
            // The spellings clients use are not markers.
            assert_eq!(marker_of(native.luax_name()), None);
            assert_eq!(marker_of(&native.marker().to_ascii_uppercase()), None);
            assert_eq!(marker_of(native.name()), None);
        }
    }

    fn r(argv: &[&str]) -> Option<&'static str> {
        let name = argv[0].as_bytes();
        let sub = argv.get(1).map(|s| s.as_bytes());
        route(name, sub, argv.len()).map(|n| std::str::from_utf8(n.luax_name()).unwrap_or("?"))
    }

    #[test]
    fn eval_family_is_renamed_when_the_arity_holds() {
        assert_eq!(r(&["EVAL", "return 1", "0"]), Some("luax.eval"));
        assert_eq!(r(&["eval", "return 1", "0", "k"]), Some("luax.eval"));
        assert_eq!(r(&["EvalSha", "x", "0"]), Some("luax.evalsha"));
        assert_eq!(r(&["eval_ro", "s", "0"]), Some("luax.eval_ro"));
        assert_eq!(r(&["EVALSHA_RO", "s", "1", "k"]), Some("luax.evalsha_ro"));
        // Too few arguments: Redis answers with its own arity error naming 'eval'.
        assert_eq!(r(&["EVAL"]), None);
        assert_eq!(r(&["EVAL", "return 1"]), None);
        assert_eq!(r(&["evalsha_ro", "x"]), None);
    }

    #[test]
    fn script_subcommands_follow_native_arity() {
        assert_eq!(r(&["SCRIPT", "LOAD", "return 1"]), Some("luax.script"));
        assert_eq!(r(&["script", "exists", "a", "b"]), Some("luax.script"));
        assert_eq!(r(&["script", "flush"]), Some("luax.script"));
        assert_eq!(r(&["script", "flush", "async", "x"]), Some("luax.script"));
        assert_eq!(r(&["Script", "Kill"]), Some("luax.script"));
        assert_eq!(r(&["SCRIPT", "HELP"]), Some("luax.script"));
        assert_eq!(r(&["SCRIPT", "DEBUG", "YES"]), Some("luax.script"));
        assert_eq!(r(&["script", "show", "a"]), Some("luax.script"));
        assert_eq!(r(&["SCRIPT", "STATS"]), Some("luax.script"));
        assert_eq!(r(&["SCRIPT", "Stats", "SHA", "a", "b"]), Some("luax.script"));
        assert_eq!(r(&["script", "stats", "reset"]), Some("luax.script"));
        for native in [
            &["SCRIPT"][..],
            &["SCRIPT", "LOAD"],
            &["SCRIPT", "LOAD", "a", "b"],
            &["SCRIPT", "EXISTS"],
            &["SCRIPT", "KILL", "x"],
            &["SCRIPT", "HELP", "x"],
            &["SCRIPT", "DEBUG"],
            &["SCRIPT", "FOO"],
            &["SCRIPT", "LOADX", "a"],
            &["SCRIPT", "SHOW"],
            &["SCRIPT", "SHOW", "a", "b"],
            &["SCRIPT", "STAT"],
        ] {
            assert_eq!(r(native), None, "{native:?}");
        }
    }

    #[test]
    fn other_commands_are_untouched() {
        for argv in [
            &["GET", "k", "x"][..],
            &["FCALL", "f", "0"],
            &["EVALX", "a", "0"],
            &["LUAX.EVAL", "return 1", "0"],
            &["EVA", "a", "b"],
            &["FUNCTION", "LOAD", "x"],
            &["SCRIPTS", "LOAD", "x"],
        ] {
            assert_eq!(r(argv), None, "{argv:?}");
        }
    }
}
