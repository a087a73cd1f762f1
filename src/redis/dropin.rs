//! Drop-in mode (`dropin yes`): a command filter that sends `EVAL`, `EVALSHA`, `EVAL_RO`,
//! `EVALSHA_RO` and `SCRIPT` to the luax commands by renaming them before Redis looks the
//! command up, so ACL, cluster routing, MULTI queueing and the busy check all see the luax
//! command.
//!
//! Calls the native command would refuse for their argument count (and `SCRIPT` with an
//! unknown subcommand) are left alone: Redis itself then answers with the error that names
//! the command the client sent, exactly as without luax. Such calls never run anything.

use std::cell::Cell;

use super::api::{Ctx, FilterCtx, CMDFILTER_NOSELF};
use crate::command_filter_fn;

thread_local! {
    static ENABLED: Cell<bool> = const { Cell::new(false) };
}

/// Whether drop-in mode is on (for INFO).
pub fn enabled() -> bool {
    ENABLED.with(Cell::get)
}

/// Registers the filter; commands luax itself runs through `RedisModule_Call` skip it.
pub fn enable(ctx: Ctx) -> Result<(), String> {
    if !ctx.register_command_filter(Some(filter), CMDFILTER_NOSELF) {
        return Err("cannot register the drop-in command filter".into());
    }
    ENABLED.with(|e| e.set(true));
    Ok(())
}

command_filter_fn!(filter => rewrite);

/// Lengths of the names routed: "eval", "script", "evalsha" and "eval_ro", "evalsha_ro".
fn may_route(name: &[u8]) -> bool {
    matches!(name.len(), 4 | 6 | 7 | 10)
}

fn rewrite(fctx: FilterCtx) {
    // Runs before every command: most are ruled out by the length of their name alone.
    let Some(name) = fctx.arg(0).filter(|n| may_route(n)) else {
        return;
    };
    if let Some(target) = route(name, fctx.arg(1), fctx.args_count()) {
        fctx.replace_arg(0, target);
    }
}

/// The luax command that serves a native call of `argc` arguments (name included) whose
/// name is `name` and second argument `sub`, or `None` to leave the call to Redis.
pub fn route(name: &[u8], sub: Option<&[u8]>, argc: usize) -> Option<&'static [u8]> {
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
        return arity_ok.then_some(b"luax.script".as_slice());
    }
    if argc < 3 {
        return None;
    }
    [
        ("eval", b"luax.eval".as_slice()),
        ("evalsha", b"luax.evalsha".as_slice()),
        ("eval_ro", b"luax.eval_ro".as_slice()),
        ("evalsha_ro", b"luax.evalsha_ro".as_slice()),
    ]
    .into_iter()
    .find(|(native, _)| is(name, native))
    .map(|(_, target)| target)
}

#[cfg(test)]
mod tests {
    use super::route;

    fn r(argv: &[&str]) -> Option<&'static str> {
        let name = argv[0].as_bytes();
        let sub = argv.get(1).map(|s| s.as_bytes());
        route(name, sub, argv.len()).map(|t| std::str::from_utf8(t).unwrap_or("?"))
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
