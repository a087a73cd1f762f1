//! LUAX.SCRIPT LOAD | EXISTS | FLUSH | KILL | HELP, and CACHE (what replicas and the AOF
//! receive for a script first seen by EVAL).

use super::with_engine;
use crate::command_fn;
use crate::engine::{run, Origin};
use crate::error::ReplyError;
use crate::redis::api::Ctx;
use crate::redis::persist;

/// `LUAX.SCRIPT LOAD script`
fn load(ctx: Ctx, argv: &[&[u8]]) -> Result<(), ReplyError> {
    admit(ctx, argv, Origin::Load)
}

/// `LUAX.SCRIPT CACHE script`: registers a script as EVAL does, without running it (evictable).
fn cache(ctx: Ctx, argv: &[&[u8]]) -> Result<(), ReplyError> {
    admit(ctx, argv, Origin::Eval)
}

fn admit(ctx: Ctx, argv: &[&[u8]], origin: Origin) -> Result<(), ReplyError> {
    let body = argv.get(2).copied().unwrap_or_default();
    let admitted = with_engine(|engine| engine.admit(body, origin, true))?;
    if let Some(origin) = admitted.announce {
        persist::propagate_script(ctx, body, origin);
    }
    ctx.reply_bulk(&admitted.sha);
    Ok(())
}

/// `LUAX.SCRIPT EXISTS sha1 [sha1 ...]`
fn exists(ctx: Ctx, argv: &[&[u8]]) -> Result<(), ReplyError> {
    let found: Vec<bool> = with_engine(|engine| Ok(argv[2..].iter().map(|sha| engine.exists(sha)).collect()))?;
    ctx.reply_array(found.len());
    for f in found {
        ctx.reply_integer(i64::from(f));
    }
    Ok(())
}

/// `LUAX.SCRIPT FLUSH [ASYNC|SYNC]`
fn flush(ctx: Ctx, argv: &[&[u8]]) -> Result<(), ReplyError> {
    match argv.len() {
        2 => {}
        3 if argv[2].eq_ignore_ascii_case(b"sync") || argv[2].eq_ignore_ascii_case(b"async") => {}
        _ => return Err(ReplyError::FlushOption),
    }
    with_engine(|engine| engine.flush())?;
    persist::propagate_flush(ctx);
    ctx.reply_status(b"OK");
    Ok(())
}

/// `LUAX.SCRIPT KILL`
fn kill(ctx: Ctx, _argv: &[&[u8]]) -> Result<(), ReplyError> {
    run::request_kill()?;
    ctx.reply_status(b"OK");
    Ok(())
}

/// `LUAX.SCRIPT HELP`
fn help(ctx: Ctx, argv: &[&[u8]]) -> Result<(), ReplyError> {
    let name = String::from_utf8_lossy(argv.first().copied().unwrap_or(b"luax.script")).to_ascii_uppercase();
    let first = format!("{name} <subcommand> [<arg> [value] [opt] ...]. Subcommands are:");
    let lines: [&str; 14] = [
        &first,
        "EXISTS <sha1> [<sha1> ...]",
        "    Return information about the existence of the scripts in the script cache.",
        "FLUSH [ASYNC|SYNC]",
        "    Flush the Lua scripts cache. Very dangerous on replicas.",
        "    When called without the optional mode argument, the behavior is determined by the",
        "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
        "    * ASYNC: Asynchronously flush the scripts cache.",
        "    * SYNC: Synchronously flush the scripts cache.",
        "KILL",
        "    Kill the currently executing Lua script.",
        "LOAD <script>",
        "    Load a script into the scripts cache without executing it.",
        "HELP\n    Prints this help.",
    ];
    let lines: Vec<&str> = lines.iter().flat_map(|l| l.split('\n')).collect();
    ctx.reply_array(lines.len());
    for line in lines {
        ctx.reply_status(line.as_bytes());
    }
    Ok(())
}

command_fn!(load_command => load);
command_fn!(cache_command => cache);
command_fn!(exists_command => exists);
command_fn!(flush_command => flush);
command_fn!(kill_command => kill);
command_fn!(help_command => help);
