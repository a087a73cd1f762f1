//! `engine::Server` over the module API: a script's view of the Redis it runs in, for one
//! command call.

use std::cell::OnceCell;

use super::api::{self, Ctx, User};
use super::resp::{self, Value};
use super::{cmdtable, config};
use crate::engine::cluster::key_slot;
use crate::engine::server::{AclDenied, CommandSpec, ExecOptions, Server, ServerState};
use crate::error::{call_refused, LuaApiError, ReplyError, BUSY_MESSAGE};

pub struct RedisServer {
    ctx: Ctx,
    user: OnceCell<Option<User>>,
}

impl RedisServer {
    pub fn new(ctx: Ctx) -> RedisServer {
        RedisServer { ctx, user: OnceCell::new() }
    }

    fn info(&self, section: &[u8]) -> Vec<u8> {
        match self.ctx.call(&[b"INFO", section], b"") {
            Ok(reply) => match resp::parse(reply.proto()) {
                Some(Value::Bulk(text)) => text,
                _ => Vec::new(),
            },
            Err(_) => Vec::new(),
        }
    }

    /// The MISCONF text for an AOF write error, which names the OS error: Redis's own
    /// check (script mode) on a write command that cannot succeed (a SET with conflicting
    /// options), so nothing is written either way.
    fn aof_error(&self) -> ReplyError {
        let probe: [&[u8]; 5] = [b"SET", b"luax:probe", b"x", b"NX", b"XX"];
        let text = self.ctx.call(&probe, b"ES").ok().map(|r| r.proto().to_vec()).unwrap_or_default();
        match text.strip_prefix(b"-MISCONF Errors writing to the AOF file: ") {
            Some(reason) => ReplyError::MisconfAof(String::from_utf8_lossy(reason.trim_ascii_end()).into_owned()),
            None => ReplyError::MisconfAof("Unknown error".into()),
        }
    }

    fn user(&self) -> Option<&User> {
        self.user.get_or_init(|| self.ctx.current_user()).as_ref()
    }
}

/// `RedisModule_Call` flags for one script command (after the arguments): errors as
/// replies, ACL check as the calling user, replication per `redis.set_repl` ("!" to
/// propagate, "A"/"R" to leave out AOF/replicas), RESP3 after `redis.setresp(3)`, and
/// Redis's own write-state checks ("S": persistence errors, missing replicas) while the
/// script is clean.
fn call_flags(opts: ExecOptions) -> &'static [u8] {
    const FLAGS: [[[&[u8]; 2]; 2]; 4] = [
        // repl 0: no propagation
        [[b"EC", b"ECS"], [b"EC3", b"EC3S"]],
        // repl 1: AOF only
        [[b"EC!R", b"EC!RS"], [b"EC!R3", b"EC!R3S"]],
        // repl 2: replicas only
        [[b"EC!A", b"EC!AS"], [b"EC!A3", b"EC!A3S"]],
        // repl 3: both
        [[b"EC!", b"EC!S"], [b"EC!3", b"EC!3S"]],
    ];
    FLAGS[(opts.repl & 3) as usize][usize::from(opts.resp3)][usize::from(opts.check_write_state)]
}

impl Server for RedisServer {
    fn command(&self, argv: &[&[u8]]) -> Option<CommandSpec> {
        cmdtable::lookup(self.ctx, argv)
    }

    fn acl(&self, argv: &[&[u8]]) -> Result<(), AclDenied> {
        match self.user() {
            Some(user) if !user.may_run(argv) => {
                // Let Redis say which part was refused (and write its ACL log entry); the
                // command is denied, so this call does not run it.
                let reason = match self.ctx.call(argv, b"EC") {
                    Ok(reply) => acl_denial(reply.proto()),
                    Err(_) => None,
                };
                Err(reason.unwrap_or(AclDenied::Command))
            }
            _ => Ok(()),
        }
    }

    fn deny_scripts_disabled(&self) -> bool {
        // The switch is not readable through the module API, and a command filter seeing
        // `DEBUG set-disable-deny-scripts` go by cannot tell whether it ran (ACL,
        // enable-debug-command): ask a native script whether it may call such a command.
        // It caches this one script in the native script cache.
        self.ctx.call(&[b"EVAL", DENY_SCRIPTS_PROBE, b"0"], b"").is_ok_and(|reply| reply.proto() == b":1\r\n")
    }

    fn acl_allows(&self, argv: &[&[u8]]) -> bool {
        self.user().is_none_or(|user| user.may_run(argv))
    }

    fn execute(&self, argv: &[&[u8]], opts: ExecOptions, on_reply: &mut dyn FnMut(&[u8])) -> Result<(), Vec<u8>> {
        match self.ctx.call(argv, call_flags(opts)) {
            Ok(reply) => {
                let proto = reply.proto();
                if let Some(denied) = acl_denial(proto) {
                    return Err(crate::engine::checks::acl_error(denied).text().as_bytes().to_vec());
                }
                if let Some(err) = cluster_refusal(proto) {
                    return Err(err.text().as_bytes().to_vec());
                }
                if opts.check_write_state && is_write_state_refusal(proto) {
                    return Err(proto.trim_ascii_end().to_vec());
                }
                on_reply(proto);
                Ok(())
            }
            Err(errno) => Err(refusal_text(errno)),
        }
    }

    fn write_denial(&self) -> Option<ReplyError> {
        let safety = config::write_safety(self.ctx);
        let info = self.info(b"persistence");
        let field = |name: &str| info_field(&info, name);
        if safety.stop_writes_on_bgsave_error
            && safety.has_save_points
            && field("rdb_last_bgsave_status") == Some("err")
        {
            return Some(ReplyError::MisconfRdb);
        }
        if field("aof_enabled") == Some("1") && field("aof_last_write_status") == Some("err") {
            return Some(self.aof_error());
        }
        if safety.min_replicas_to_write > 0 && safety.min_replicas_max_lag > 0 {
            let replication = self.info(b"replication");
            let is_master = info_field(&replication, "role") == Some("master");
            let good = info_field(&replication, "min_slaves_good_slaves").and_then(|v| v.parse::<u64>().ok());
            if is_master && good.unwrap_or(0) < safety.min_replicas_to_write {
                return Some(ReplyError::NoReplicas);
            }
        }
        None
    }

    fn keys_slot(&self, argv: &[&[u8]]) -> Option<u16> {
        let mut cmd: Vec<&[u8]> = vec![b"COMMAND", b"GETKEYS"];
        cmd.extend_from_slice(argv);
        let reply = self.ctx.call(&cmd, b"").ok()?;
        let keys = resp::parse(reply.proto())?;
        let mut slots = keys.as_array()?.iter().filter_map(Value::as_bytes).map(key_slot);
        let first = slots.next()?;
        slots.all(|s| s == first).then_some(first)
    }

    fn slot_is_local(&self, slot: u16) -> bool {
        let Some(myid) = self
            .ctx
            .call(&[b"CLUSTER", b"MYID"], b"")
            .ok()
            .and_then(|r| resp::parse(r.proto()).and_then(|v| v.as_bytes().map(<[u8]>::to_vec)))
        else {
            return false;
        };
        let Some(slots) = self.ctx.call(&[b"CLUSTER", b"SLOTS"], b"").ok().and_then(|r| resp::parse(r.proto())) else {
            return false;
        };
        slots.as_array().unwrap_or_default().iter().any(|range| {
            let r = range.as_array().unwrap_or_default();
            let (Some(start), Some(end)) = (r.first().and_then(Value::as_int), r.get(1).and_then(Value::as_int)) else {
                return false;
            };
            let owner = r.get(2).and_then(Value::as_array).and_then(|m| m.get(2)).and_then(Value::as_bytes);
            (start..=end).contains(&i64::from(slot)) && owner == Some(myid.as_slice())
        })
    }

    fn state(&self) -> ServerState {
        let flags = self.ctx.context_flags();
        let replica = flags & api::CTX_FLAGS_SLAVE != 0;
        ServerState {
            readonly_replica: replica && flags & api::CTX_FLAGS_READONLY != 0,
            stale: replica && flags & api::CTX_FLAGS_REPLICA_IS_STALE != 0 && !config::serve_stale_data(self.ctx),
            oom: flags & api::CTX_FLAGS_OOM != 0,
            cluster: flags & api::CTX_FLAGS_CLUSTER != 0,
            obey_client: flags & (api::CTX_FLAGS_REPLICATED | api::CTX_FLAGS_LOADING) != 0,
        }
    }

    fn log(&self, level: i32, msg: &[u8]) {
        self.ctx.log(level, msg);
    }

    fn yield_busy(&self) {
        self.ctx.yield_clients(BUSY_MESSAGE);
    }

    fn now_us(&self) -> u64 {
        api::monotonic_us()
    }

    fn busy_threshold_ms(&self) -> u64 {
        config::busy_threshold_ms(self.ctx)
    }

    fn selected_db(&self) -> i32 {
        self.ctx.selected_db()
    }

    fn select_db(&self, db: i32) -> bool {
        self.ctx.select_db(db)
    }
}

/// A native script answering 1 when it may call a `noscript` command (`SCRIPT EXISTS`, which
/// changes nothing), 0 otherwise.
const DENY_SCRIPTS_PROBE: &[u8] =
    b"local r = redis.pcall('SCRIPT', 'EXISTS', '0') return (type(r) == 'table' and r.err == nil) and 1 or 0";

/// The refusal in an ACL error that `RedisModule_Call` (flags "EC") generated.
fn acl_denial(proto: &[u8]) -> Option<AclDenied> {
    let rest = proto.strip_prefix(b"-ERR acl verification failed, ")?;
    Some(if rest.starts_with(b"can't access at least one of the keys") {
        AclDenied::Key
    } else if rest.starts_with(b"can't publish to the channel") {
        AclDenied::Channel
    } else {
        AclDenied::Command
    })
}

/// A `field:value` line of an INFO section.
fn info_field<'a>(info: &'a [u8], name: &str) -> Option<&'a str> {
    info.split(|&b| b == b'\n').find_map(|line| {
        let line = std::str::from_utf8(line).ok()?.trim_end();
        line.strip_prefix(name)?.strip_prefix(':')
    })
}

/// Cluster refusals that `RedisModule_Call` reports (as error replies with flag "E"),
/// worded as Redis words them for scripts.
fn cluster_refusal(proto: &[u8]) -> Option<LuaApiError> {
    let text = proto.strip_prefix(b"-")?;
    if text.starts_with(b"ERR Attempted to access a non local key in a cluster node") {
        Some(LuaApiError::ClusterNonLocalKey)
    } else if text.starts_with(b"ERR Can not execute a write command") && text.windows(9).any(|w| w == b"readonly") {
        Some(LuaApiError::ClusterDownReadonly)
    } else if text.starts_with(b"ERR Can not execute a command") && text.windows(16).any(|w| w == b"cluster is down") {
        Some(LuaApiError::ClusterDown)
    } else {
        None
    }
}

/// Text for a call Redis refused without a reply (errno only).
fn refusal_text(errno: i32) -> Vec<u8> {
    let err = match errno {
        libc::EPERM => LuaApiError::ClusterNonLocalKey,
        libc::ENETDOWN => LuaApiError::ClusterDown,
        libc::EROFS => LuaApiError::ClusterDownReadonly,
        libc::EACCES => LuaApiError::AclCommand,
        _ => return call_refused(errno),
    };
    err.text().as_bytes().to_vec()
}

/// The refusals of `RedisModule_Call`'s script mode ("S") for a write command, which come
/// before the command runs.
fn is_write_state_refusal(proto: &[u8]) -> bool {
    proto.starts_with(b"-MISCONF ") || proto.starts_with(b"-NOREPLICAS ") || proto.starts_with(b"-READONLY ")
}
