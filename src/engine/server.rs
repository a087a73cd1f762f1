//! What the engine needs from Redis, as a trait (implemented over the module API in
//! `crate::redis`, faked by `engine::fake` in the unit tests).

/// Commands a script's run handles specially (see `script_client` and `run`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum CommandKind {
    #[default]
    Plain,
    /// SELECT: the script's later commands use that database.
    Select,
    Sort,
    Xread,
    XreadGroup,
}

/// Static facts about a Redis command, as `COMMAND INFO` reports them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CommandSpec {
    pub arity: i32,
    /// Commands Redis treats specially when a script runs them.
    pub kind: CommandKind,
    pub write: bool,
    pub deny_oom: bool,
    pub no_script: bool,
    pub stale: bool,
    pub may_replicate: bool,
    pub pubsub: bool,
}

impl CommandSpec {
    /// Redis's arity rule: exact when positive, a minimum when negative.
    pub fn arity_ok(&self, argc: usize) -> bool {
        let argc = argc as i64;
        let arity = i64::from(self.arity);
        if arity > 0 {
            argc == arity
        } else {
            argc >= -arity
        }
    }
}

/// Server facts that a script run checks against, sampled when the run starts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ServerState {
    /// A replica with `replica-read-only yes`.
    pub readonly_replica: bool,
    /// A replica whose master link is down while `replica-serve-stale-data` is `no`.
    pub stale: bool,
    /// Used memory was over `maxmemory` before the command ran.
    pub oom: bool,
    pub cluster: bool,
    /// The caller is the master link or the AOF loader (Redis obeys it unconditionally).
    pub obey_client: bool,
}

/// Why an ACL check refused a command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AclDenied {
    Command,
    Key,
    Channel,
}

/// How one command of a script is executed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExecOptions {
    pub resp3: bool,
    /// `redis.set_repl` flags: bit 0 AOF, bit 1 replicas.
    pub repl: i32,
    /// Let Redis refuse the write on persistence errors or missing replicas (only until the
    /// script has written, as Redis does).
    pub check_write_state: bool,
}

pub trait Server {
    /// The command `argv` names (with its subcommand for containers), if it exists.
    fn command(&self, argv: &[&[u8]]) -> Option<CommandSpec>;

    /// Whether the calling client's user may run `argv`, and what was refused if not
    /// (recording the refusal in the ACL log, as a denied command does).
    fn acl(&self, argv: &[&[u8]]) -> Result<(), AclDenied>;

    /// The same question without side effects (`redis.acl_check_cmd`).
    fn acl_allows(&self, argv: &[&[u8]]) -> bool;

    /// Runs `argv` (checking ACL permissions as the calling user) and hands its raw RESP
    /// reply to `on_reply`; `Err` carries the refusal text when Redis would not run it.
    fn execute(&self, argv: &[&[u8]], opts: ExecOptions, on_reply: &mut dyn FnMut(&[u8])) -> Result<(), Vec<u8>>;

    /// Whether the server lets scripts call commands marked `noscript` (Redis's
    /// `DEBUG set-disable-deny-scripts`, a switch its own test suite uses). Asked only when a
    /// script calls such a command.
    fn deny_scripts_disabled(&self) -> bool;

    /// Server facts sampled when a run starts.
    fn state(&self) -> ServerState;

    /// Why a write command would be refused now for persistence errors or missing good
    /// replicas (Redis's MISCONF and NOREPLICAS checks), if it would.
    fn write_denial(&self) -> Option<crate::error::ReplyError>;

    /// The hash slot shared by the keys of `argv`; `None` without keys, or when they span
    /// several slots (Redis then refuses the command itself). For cluster scripts that must
    /// keep to one slot.
    fn keys_slot(&self, argv: &[&[u8]]) -> Option<u16>;

    /// Whether this cluster node serves `slot`.
    fn slot_is_local(&self, slot: u16) -> bool;

    fn log(&self, level: i32, msg: &[u8]);

    /// Lets Redis serve other clients (with a BUSY error) during a long script.
    fn yield_busy(&self);

    /// Monotonic clock, microseconds.
    fn now_us(&self) -> u64;

    /// `busy-reply-threshold` in milliseconds (0: no timeout).
    fn busy_threshold_ms(&self) -> u64;

    /// The database the script's commands use, and switching it (SELECT in a script).
    fn selected_db(&self) -> i32;
    fn select_db(&self, db: i32) -> bool;
}
