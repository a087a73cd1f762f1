//! `engine::Server` over the module API: a script's view of the Redis it runs in, for one
//! command call.

use std::cell::OnceCell;
use std::ffi::CStr;
use std::rc::Rc;

use super::api::{self, Ctx, User};
use super::{cmdtable, config};
use crate::engine::server::{AclDenied, CommandSpec, ExecOptions, Server, ServerState};

/// Text Redis sends other clients while a script holds the server (after "-BUSY ").
const BUSY_REPLY: &CStr = c"Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.";

pub struct RedisServer {
    ctx: Ctx,
    user: OnceCell<Option<User>>,
}

impl RedisServer {
    pub fn new(ctx: Ctx) -> RedisServer {
        RedisServer { ctx, user: OnceCell::new() }
    }

    fn user(&self) -> Option<&User> {
        self.user.get_or_init(|| self.ctx.current_user()).as_ref()
    }
}

/// `RedisModule_Call` flags for one script command: argv vector, errors as replies, ACL
/// check as the calling user, replication per `redis.set_repl`, RESP3 after
/// `redis.setresp(3)`, and Redis's own write-state checks (persistence errors, missing
/// replicas) while the script is clean.
fn call_flags(opts: ExecOptions) -> Vec<u8> {
    let mut f = b"vEC".to_vec();
    if opts.repl != 0 {
        f.push(b'!');
        if opts.repl & 1 == 0 {
            f.push(b'A');
        }
        if opts.repl & 2 == 0 {
            f.push(b'R');
        }
    }
    if opts.resp3 {
        f.push(b'3');
    }
    if opts.check_write_state {
        f.push(b'S');
    }
    f
}

impl Server for RedisServer {
    fn command(&self, argv: &[&[u8]]) -> Option<Rc<CommandSpec>> {
        cmdtable::lookup(self.ctx, argv)
    }

    fn acl(&self, argv: &[&[u8]]) -> Result<(), AclDenied> {
        match self.user() {
            Some(user) if !user.may_run(argv) => {
                // Let Redis say which part was refused (and write its ACL log entry); the
                // command is denied, so this call does not run it.
                let reason = match self.ctx.call(argv, c"vEC") {
                    Ok(reply) => acl_denial(reply.proto()),
                    Err(_) => None,
                };
                Err(reason.unwrap_or(AclDenied::Command))
            }
            _ => Ok(()),
        }
    }

    fn acl_allows(&self, argv: &[&[u8]]) -> bool {
        self.user().is_none_or(|user| user.may_run(argv))
    }

    fn execute(&self, argv: &[&[u8]], opts: ExecOptions, on_reply: &mut dyn FnMut(&[u8])) -> Result<(), Vec<u8>> {
        let flags = api::c_string(&call_flags(opts));
        match self.ctx.call(argv, &flags) {
            Ok(reply) => {
                let proto = reply.proto();
                match acl_denial(proto) {
                    Some(denied) => Err(crate::engine::checks::acl_error(denied).text().as_bytes().to_vec()),
                    None => {
                        on_reply(proto);
                        Ok(())
                    }
                }
            }
            Err(errno) => Err(format!("luax: Redis refused the command (errno {errno})").into_bytes()),
        }
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
        self.ctx.yield_clients(BUSY_REPLY);
    }

    fn now_ms(&self) -> u64 {
        api::monotonic_us() / 1000
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
