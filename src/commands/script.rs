//! LUAX.SCRIPT LOAD | EXISTS | FLUSH | KILL | SHOW | STATS | HELP, and CACHE (what replicas
//! and the AOF receive for a script first seen by EVAL).

use std::time::{SystemTime, UNIX_EPOCH};

use super::{cluster_sync, with_engine};
use crate::command_fn;
use crate::engine::stats::unix_ms_of;
use crate::engine::{busy, normalize_sha, Origin, ScriptReport, Sha};
use crate::error::ReplyError;
use crate::redis::api::{self, Ctx};
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
    if origin == Origin::Load {
        cluster_sync::announce_load(ctx, body);
    }
    ctx.reply_bulk(&admitted.sha);
    Ok(())
}

/// `LUAX.SCRIPT SHOW sha1`: the body, as cached (Valkey 8's SCRIPT SHOW).
fn show(ctx: Ctx, argv: &[&[u8]]) -> Result<(), ReplyError> {
    let sha = argv.get(2).copied().unwrap_or_default();
    with_engine(|engine| {
        let (body, _) = engine.source(sha).ok_or(ReplyError::NoScript)?;
        ctx.reply_bulk(body);
        Ok(())
    })
}

/// What `SCRIPT STATS` was asked for.
#[derive(Debug, PartialEq, Eq)]
enum StatsRequest {
    All,
    Only(Vec<Sha>),
    Reset,
}

/// The arguments after `STATS`: none, `SHA sha1 [sha1 ...]` or `RESET`.
fn parse_stats(args: &[&[u8]]) -> Result<StatsRequest, ReplyError> {
    match args {
        [] => Ok(StatsRequest::All),
        [word] if word.eq_ignore_ascii_case(b"reset") => Ok(StatsRequest::Reset),
        [word] if word.eq_ignore_ascii_case(b"sha") => Err(ReplyError::StatsNoSha),
        [word, shas @ ..] if word.eq_ignore_ascii_case(b"sha") => shas
            .iter()
            .map(|&sha| {
                normalize_sha(sha)
                    .filter(|s| s.iter().all(u8::is_ascii_hexdigit))
                    .ok_or_else(|| ReplyError::BadSha(sha.to_vec()))
            })
            .collect::<Result<Vec<Sha>, ReplyError>>()
            .map(StatsRequest::Only),
        _ => Err(ReplyError::StatsSyntax),
    }
}

/// `LUAX.SCRIPT STATS [SHA sha1 [sha1 ...] | RESET]`
fn stats(ctx: Ctx, argv: &[&[u8]]) -> Result<(), ReplyError> {
    let reports = match parse_stats(argv.get(2..).unwrap_or_default())? {
        StatsRequest::Reset => {
            with_engine(|engine| {
                engine.reset_stats();
                Ok(())
            })?;
            ctx.reply_status(b"OK");
            return Ok(());
        }
        StatsRequest::All => with_engine(|engine| Ok(engine.stats(None)))?,
        StatsRequest::Only(shas) => with_engine(|engine| Ok(engine.stats(Some(&shas))))?,
    };
    let now_monotonic_us = api::monotonic_us();
    let now_unix_ms = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64);
    ctx.reply_array(reports.len());
    for report in &reports {
        reply_report(ctx, report, unix_ms_of(report.counts.last_start_us, now_monotonic_us, now_unix_ms));
    }
    Ok(())
}

/// One script's line: a map in RESP3, a flat field/value array in RESP2 (as FUNCTION LIST).
fn reply_report(ctx: Ctx, report: &ScriptReport, last_run_ms: u64) {
    let c = &report.counts;
    let numbers: [(&[u8], u64); 9] = [
        (b"calls", c.calls),
        (b"errors", c.errors),
        (b"kills", c.kills),
        (b"busy", c.busy),
        (b"usec", c.usec),
        (b"max_usec", c.max_usec),
        (b"redis_calls", c.redis_calls),
        (b"last_run_ms", last_run_ms),
        (b"body_bytes", report.body_bytes as u64),
    ];
    ctx.reply_map(2 + numbers.len());
    ctx.reply_bulk(b"sha");
    ctx.reply_bulk(&report.sha);
    ctx.reply_bulk(b"origin");
    ctx.reply_bulk(match report.origin {
        Origin::Load => b"load",
        Origin::Eval => b"eval",
    });
    for (name, value) in numbers {
        ctx.reply_bulk(name);
        ctx.reply_integer(i64::try_from(value).unwrap_or(i64::MAX));
    }
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
    cluster_sync::announce_flush(ctx);
    persist::propagate_flush(ctx);
    ctx.reply_status(b"OK");
    Ok(())
}

/// `LUAX.SCRIPT KILL`
fn kill(ctx: Ctx, _argv: &[&[u8]]) -> Result<(), ReplyError> {
    busy::request_kill()?;
    ctx.reply_status(b"OK");
    Ok(())
}

/// `LUAX.SCRIPT HELP`
fn help(ctx: Ctx, argv: &[&[u8]]) -> Result<(), ReplyError> {
    let name = String::from_utf8_lossy(argv.first().copied().unwrap_or(b"luax.script")).to_ascii_uppercase();
    let first = format!("{name} <subcommand> [<arg> [value] [opt] ...]. Subcommands are:");
    let lines: [&str; 18] = [
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
        "SHOW <sha1>",
        "    Return the body of a cached script.",
        "STATS [SHA <sha1> [<sha1> ...]|RESET]",
        "    Return run statistics of the cached scripts, largest total run time first; RESET zeroes them.",
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
command_fn!(show_command => show);
command_fn!(stats_command => stats);
command_fn!(help_command => help);

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<StatsRequest, ReplyError> {
        let args: Vec<&[u8]> = args.iter().map(|a| a.as_bytes()).collect();
        parse_stats(&args)
    }

    #[test]
    fn stats_arguments() {
        let a = "a".repeat(40);
        let mut upper: Sha = [b'0'; 40];
        upper[0] = b'f';
        assert_eq!(parse(&[]), Ok(StatsRequest::All));
        assert_eq!(parse(&["Reset"]), Ok(StatsRequest::Reset));
        assert_eq!(
            parse(&["sha", &a, "F000000000000000000000000000000000000000"]),
            Ok(StatsRequest::Only(vec![[b'a'; 40], upper]))
        );
        assert_eq!(parse(&["SHA"]), Err(ReplyError::StatsNoSha));
        assert_eq!(parse(&["SHA", &a, "abc"]), Err(ReplyError::BadSha(b"abc".to_vec())));
        let not_hex = "g".repeat(40);
        assert_eq!(parse(&["SHA", &not_hex]), Err(ReplyError::BadSha(not_hex.clone().into_bytes())));
        for bad in [&["FOO"][..], &["RESET", "now"], &[&a], &["SHAS", &a]] {
            assert_eq!(parse(bad), Err(ReplyError::StatsSyntax), "{bad:?}");
        }
    }
}
