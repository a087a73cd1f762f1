//! LUAX.EVAL, LUAX.EVALSHA, LUAX.EVAL_RO, LUAX.EVALSHA_RO.

use super::with_engine;
use crate::command_fn;
use crate::engine::Invocation;
use crate::error::ReplyError;
use crate::redis::api::Ctx;
use crate::redis::persist;
use crate::redis::reply::ClientReply;
use crate::redis::server::RedisServer;
use crate::util::integer::parse_strict_i64;

/// `LUAX.EVAL script numkeys [key ...] [arg ...]`
fn eval(ctx: Ctx, argv: &[&[u8]]) -> Result<(), ReplyError> {
    run(ctx, argv, Source::Body, false)
}

/// `LUAX.EVALSHA sha1 numkeys [key ...] [arg ...]`
fn evalsha(ctx: Ctx, argv: &[&[u8]]) -> Result<(), ReplyError> {
    run(ctx, argv, Source::Sha, false)
}

/// `LUAX.EVAL_RO script numkeys [key ...] [arg ...]`
fn eval_ro(ctx: Ctx, argv: &[&[u8]]) -> Result<(), ReplyError> {
    run(ctx, argv, Source::Body, true)
}

/// `LUAX.EVALSHA_RO sha1 numkeys [key ...] [arg ...]`
fn evalsha_ro(ctx: Ctx, argv: &[&[u8]]) -> Result<(), ReplyError> {
    run(ctx, argv, Source::Sha, true)
}

command_fn!(eval_command => eval);
command_fn!(evalsha_command => evalsha);
command_fn!(eval_ro_command => eval_ro);
command_fn!(evalsha_ro_command => evalsha_ro);

#[derive(Clone, Copy, PartialEq, Eq)]
enum Source {
    Body,
    Sha,
}

fn run(ctx: Ctx, argv: &[&[u8]], source: Source, read_only: bool) -> Result<(), ReplyError> {
    if ctx.is_keys_position_request() {
        // Redis (cluster routing, ACL) asks for the declared keys: numkeys after the script.
        let declared = argv.get(2).and_then(|n| parse_numkeys(n, argv.len().saturating_sub(3)).ok());
        for pos in 3..3 + declared.unwrap_or(0) {
            ctx.key_at(pos);
        }
        return Ok(());
    }
    // Arity (at least 3) is enforced by Redis from the command info.
    let (Some(&script), Some(&numkeys)) = (argv.get(1), argv.get(2)) else {
        return Err(ReplyError::NotAnInteger);
    };
    // A SHA of the wrong length cannot match: Redis answers before looking at numkeys.
    if source == Source::Sha && script.len() != 40 {
        return Err(ReplyError::NoScript);
    }
    let rest = &argv[3..];
    let numkeys = parse_numkeys(numkeys, rest.len())?;
    let (keys, args) = rest.split_at(numkeys);
    with_engine(|engine| {
        let found = match source {
            Source::Body => {
                // Not from EVAL_RO: a read-only command may run while writes are paused,
                // when Redis forbids any propagation (the next EVAL of it announces it).
                let (admitted, found) = engine.admit_to_run(script, !read_only)?;
                if let Some(origin) = admitted.announce {
                    persist::propagate_script(ctx, script, origin);
                }
                found
            }
            Source::Sha => match engine.find(script) {
                Some(found) => found,
                None => return Err(engine.missing(script)),
            },
        };
        let server = RedisServer::new(ctx);
        let inv = Invocation { keys, args, read_only };
        engine.run(&found, &inv, &server, &mut ClientReply(ctx));
        Ok(())
    })
}

/// numkeys as Redis checks it: a strict integer, not more than the arguments left, not
/// negative (in that order).
fn parse_numkeys(raw: &[u8], available: usize) -> Result<usize, ReplyError> {
    let n = parse_strict_i64(raw).ok_or(ReplyError::NotAnInteger)?;
    if n > available as i64 {
        return Err(ReplyError::TooManyKeys);
    }
    usize::try_from(n).map_err(|_| ReplyError::NegativeKeys)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numkeys_is_strict() {
        for bad in ["abc", "1.5", "+1", "-0", "00", "01", "0x1", " 0", "0 ", "1e0", "", "9223372036854775808"] {
            assert_eq!(parse_numkeys(bad.as_bytes(), 5), Err(ReplyError::NotAnInteger), "{bad:?}");
        }
        assert_eq!(parse_numkeys(b"0", 0), Ok(0));
        assert_eq!(parse_numkeys(b"2", 3), Ok(2));
        assert_eq!(parse_numkeys(b"4", 3), Err(ReplyError::TooManyKeys));
        assert_eq!(parse_numkeys(b"-1", 3), Err(ReplyError::NegativeKeys));
        assert_eq!(parse_strict_i64(b"-9223372036854775808"), Some(i64::MIN));
        assert_eq!(parse_strict_i64(b"9223372036854775807"), Some(i64::MAX));
    }
}
