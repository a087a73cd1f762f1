//! Every error text luax sends or raises, in one place, worded exactly as Redis 7.0 words it.
//!
//! Two families: [`ReplyError`] is what a command replies to the client (the text after the
//! leading '-'), and [`LuaApiError`] is what the `redis.*` functions raise or return inside a
//! script (turned into `{err=...}` tables with Redis's normalisation, so "ERR " is added when
//! the text has no code of its own).

use std::borrow::Cow;
use std::ffi::CStr;

/// Errors a luax command replies with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReplyError {
    NotAnInteger,
    NegativeKeys,
    TooManyKeys,
    NoScript,
    /// Compilation failed; the Lua message follows.
    Compile(Vec<u8>),
    /// EVALSHA of a script restored from a saved registry that no longer compiles; the
    /// reason is the compile error as it was logged at the restore.
    NoLongerCompiles {
        sha: [u8; 40],
        reason: Vec<u8>,
    },
    /// Shebang problems, with their detail text.
    Shebang(ShebangError),
    FlushOption,
    /// `SCRIPT STATS SHA` with no SHA after it.
    StatsNoSha,
    /// `SCRIPT STATS` with words it does not take.
    StatsSyntax,
    /// Not 40 hexadecimal digits where a SHA1 is expected; the argument follows.
    BadSha(Vec<u8>),
    NotBusy,
    Unkillable,
    UnkillableMaster,
    /// A luax command reached while another runs (a module calling back into luax).
    Reentrant,
    /// The Lua VM could not be created (allocator refused).
    VmUnavailable,
    /// A panic caught in a command.
    Internal,
    /// `Error running script <sha>, <msg>`: the error object was not a table.
    ErrorRunning {
        sha: [u8; 40],
        msg: Vec<u8>,
    },
    /// Shebang-flag checks done before a script runs (§5.2 of the spec).
    NoClusterFlag,
    WriteFlagOnRoCommand,
    NoReplicas,
    /// Same checks as processCommand does them for a command.
    OomCommand,
    ReadonlyReplica,
    MasterDown,
    MisconfRdb,
    MisconfAof(String),
    /// A drop-in call the native command's ACL rules refuse: the command, by its full name
    /// (`eval`, `script|flush`).
    AclCommand(Vec<u8>),
    /// A drop-in call whose declared keys the native command's ACL rules refuse.
    AclKey,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ShebangError {
    NoNewline,
    BadEngineSyntax,
    UnexpectedEngine(Vec<u8>),
    UnexpectedFlag(Vec<u8>),
    UnknownOption(Vec<u8>),
}

/// What other clients get while a script holds the server, after "-BUSY " (Redis's yield adds it).
pub const BUSY_MESSAGE: &CStr = c"Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.";
/// A reply nested deeper than the Lua stack allows (script result conversion).
pub const STACK_LIMIT_REPLY: &[u8] = b"ERR reached lua stack limit";
/// After the command name, as the script wrote it: XREAD/XREADGROUP with BLOCK.
pub const BLOCK_FROM_SCRIPT: &str = " command is not allowed with BLOCK option from scripts";
/// A panic caught at the boundary to Redis or Lua (the details go to the server log).
pub const INTERNAL_ERROR: &str = "internal error in luax (see the server log)";
/// An element standing for the rest of a reply that would never end (see convert::to_reply).
pub const RUNAWAY_REPLY: &[u8] = b"ERR reply too large: a table contains itself more than once";
pub const KILLED_TEXT: &str = "Script killed by user with SCRIPT KILL...";
pub const MISCONF_RDB_TEXT: &str = "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk. Commands that may modify the data set are disabled, because this instance is configured to report errors during writes if RDB snapshotting fails (stop-writes-on-bgsave-error option). Please check the Redis logs for details about the RDB error.";

impl ReplyError {
    /// The error line, without the leading '-'.
    pub fn to_wire(&self) -> Cow<'static, [u8]> {
        let s: &'static str = match self {
            ReplyError::NotAnInteger => "ERR value is not an integer or out of range",
            ReplyError::NegativeKeys => "ERR Number of keys can't be negative",
            ReplyError::TooManyKeys => "ERR Number of keys can't be greater than number of args",
            ReplyError::NoScript => "NOSCRIPT No matching script. Please use EVAL.",
            ReplyError::FlushOption => "ERR SCRIPT FLUSH only support SYNC|ASYNC option",
            ReplyError::StatsNoSha => "ERR SCRIPT STATS SHA needs at least one SHA1 digest",
            ReplyError::StatsSyntax => {
                "ERR syntax error, SCRIPT STATS takes no argument, SHA <sha1> [<sha1> ...] or RESET"
            }
            ReplyError::NotBusy => "NOTBUSY No scripts in execution right now.",
            ReplyError::Unkillable => "UNKILLABLE Sorry the script already executed write commands against the dataset. You can either wait the script termination or kill the server in a hard way using the SHUTDOWN NOSAVE command.",
            ReplyError::UnkillableMaster => "UNKILLABLE The busy script was sent by a master instance in the context of replication and cannot be killed.",
            ReplyError::Reentrant => "ERR luax cannot run a script from inside a running script",
            ReplyError::VmUnavailable => "ERR luax could not create its Lua VM (out of memory)",
            ReplyError::NoClusterFlag => "ERR Can not run script on cluster, 'no-cluster' flag is set.",
            ReplyError::WriteFlagOnRoCommand => "ERR Can not execute a script with write flag using *_ro command.",
            ReplyError::NoReplicas => "NOREPLICAS Not enough good replicas to write.",
            ReplyError::OomCommand => "OOM command not allowed when used memory > 'maxmemory'.",
            ReplyError::ReadonlyReplica => "READONLY You can't write against a read only replica.",
            ReplyError::MasterDown => "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.",
            ReplyError::MisconfRdb => MISCONF_RDB_TEXT,
            ReplyError::MisconfAof(reason) => {
                return Cow::Owned(format!("MISCONF Errors writing to the AOF file: {reason}").into_bytes())
            }
            ReplyError::AclKey => "NOPERM this user has no permissions to access one of the keys used as arguments",
            ReplyError::AclCommand(name) => {
                let mut out = b"NOPERM this user has no permissions to run the '".to_vec();
                out.extend_from_slice(name);
                out.extend_from_slice(b"' command");
                return Cow::Owned(out);
            }
            ReplyError::Internal => return Cow::Owned(prefixed("ERR ", INTERNAL_ERROR.as_bytes())),
            ReplyError::Compile(msg) => {
                return Cow::Owned(prefixed("ERR Error compiling script (new function): ", msg))
            }
            ReplyError::Shebang(e) => return Cow::Owned(e.to_wire()),
            ReplyError::BadSha(arg) => {
                // Echoed for the operator; an error line cannot carry every byte.
                let shown: Vec<u8> =
                    arg.iter().take(64).map(|&b| if b.is_ascii_graphic() || b == b' ' { b } else { b'?' }).collect();
                let mut out = prefixed("ERR Invalid SHA1 digest '", &shown);
                out.extend_from_slice(b"': 40 hexadecimal digits expected");
                return Cow::Owned(out);
            }
            ReplyError::NoLongerCompiles { sha, reason } => {
                let mut out = b"ERR luax restored script ".to_vec();
                out.extend_from_slice(sha);
                out.extend_from_slice(b" from a saved registry but it no longer compiles: ");
                out.extend_from_slice(reason.strip_prefix(b"ERR ").unwrap_or(reason));
                return Cow::Owned(out);
            }
            ReplyError::ErrorRunning { sha, msg } => {
                let mut out = b"ERR Error running script ".to_vec();
                out.extend_from_slice(sha);
                out.extend_from_slice(b", ");
                out.extend_from_slice(&msg[..msg.len().min(100)]);
                return Cow::Owned(out);
            }
        };
        Cow::Borrowed(s.as_bytes())
    }
}

impl ShebangError {
    fn to_wire(&self) -> Vec<u8> {
        match self {
            ShebangError::NoNewline => b"ERR Invalid script shebang".to_vec(),
            ShebangError::BadEngineSyntax => b"ERR Invalid engine in script shebang".to_vec(),
            ShebangError::UnexpectedEngine(e) => prefixed("ERR Unexpected engine in script shebang: ", e),
            ShebangError::UnexpectedFlag(f) => prefixed("ERR Unexpected flag in script shebang: ", f),
            ShebangError::UnknownOption(o) => prefixed("ERR Unknown lua shebang option: ", o),
        }
    }
}

fn prefixed(prefix: &str, rest: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(prefix.len() + rest.len());
    out.extend_from_slice(prefix.as_bytes());
    out.extend_from_slice(rest);
    out
}

/// Errors of the `redis.*` API inside a script.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LuaApiError {
    NoArguments,
    BadArgumentType,
    CallOutsideScript,
    UnknownCommand,
    WrongArity,
    NotAllowedFromScript,
    StaleReplica,
    AclCommand,
    AclKey,
    AclChannel,
    WriteInReadOnlyScript,
    ReadonlyReplica,
    OomCommand,
    ReplyTooDeep,
    ReplyMalformed,
    WrongArgs,
    WrongArgsOrType,
    SetReplArgs,
    SetReplFlags,
    SetReplOutsideScript,
    SetRespArgs,
    SetRespVersion,
    SetRespOutsideScript,
    AclCheckUnknownCommand,
    AclCheckOutsideScript,
    LogArgs,
    LogLevelType,
    LogLevelRange,
    ClusterDownReadonly,
    ClusterDown,
    ClusterNonLocalKey,
    ClusterCrossSlot,
}

/// A script command `RedisModule_Call` refused with an errno Redis gives no text for.
pub fn call_refused(errno: i32) -> Vec<u8> {
    format!("luax: Redis refused the command (errno {errno})").into_bytes()
}

impl LuaApiError {
    /// Text as given to Redis's `luaPushError` ("ERR " is added unless it starts with "-").
    pub fn text(self) -> &'static str {
        match self {
            LuaApiError::NoArguments => "Please specify at least one argument for this redis lib call",
            LuaApiError::BadArgumentType => "Lua redis lib command arguments must be strings or integers",
            LuaApiError::CallOutsideScript => "redis.call/pcall can only be called inside a script invocation",
            LuaApiError::UnknownCommand => "Unknown Redis command called from script",
            LuaApiError::WrongArity => "Wrong number of args calling Redis command from script",
            LuaApiError::NotAllowedFromScript => "This Redis command is not allowed from script",
            LuaApiError::StaleReplica => "Can not execute the command on a stale replica",
            LuaApiError::AclCommand => "The user executing the script can't run this command or subcommand",
            LuaApiError::AclKey => {
                "The user executing the script can't access at least one of the keys mentioned in the command arguments"
            }
            LuaApiError::AclChannel => {
                "The user executing the script can't publish to the channel mentioned in the command"
            }
            LuaApiError::WriteInReadOnlyScript => "Write commands are not allowed from read-only scripts.",
            LuaApiError::ReadonlyReplica => "-READONLY You can't write against a read only replica.",
            LuaApiError::OomCommand => "-OOM command not allowed when used memory > 'maxmemory'.",
            LuaApiError::ReplyTooDeep => "reached lua stack limit",
            LuaApiError::ReplyMalformed => "luax could not parse the command reply",
            LuaApiError::WrongArgs => "wrong number of arguments",
            LuaApiError::WrongArgsOrType => "wrong number or type of arguments",
            LuaApiError::SetReplArgs => "redis.set_repl() requires two arguments.",
            LuaApiError::SetReplFlags => {
                "Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE."
            }
            LuaApiError::SetReplOutsideScript => "redis.set_repl can only be called inside a script invocation",
            LuaApiError::SetRespArgs => "redis.setresp() requires one argument.",
            LuaApiError::SetRespVersion => "RESP version must be 2 or 3.",
            LuaApiError::SetRespOutsideScript => "redis.setresp can only be called inside a script invocation",
            LuaApiError::AclCheckUnknownCommand => "Invalid command passed to redis.acl_check_cmd()",
            LuaApiError::AclCheckOutsideScript => "redis.acl_check_cmd can only be called inside a script invocation",
            LuaApiError::LogArgs => "redis.log() requires two arguments or more.",
            LuaApiError::LogLevelType => "First argument must be a number (log level).",
            LuaApiError::LogLevelRange => "Invalid debug level.",
            LuaApiError::ClusterDownReadonly => {
                "Script attempted to execute a write command while the cluster is down and readonly"
            }
            LuaApiError::ClusterDown => "Script attempted to execute a command while the cluster is down",
            LuaApiError::ClusterNonLocalKey => "Script attempted to access a non local key in a cluster node",
            LuaApiError::ClusterCrossSlot => "Script attempted to access keys that do not hash to the same slot",
        }
    }
}

/// Texts raised by the sandbox and the VM (Lua errors, not Redis error tables).
pub mod vm {
    pub const NONEXISTENT_GLOBAL: &str = "Script attempted to access nonexistent global variable";
    pub const PROTECTED_ARGS: &str = "Wrong number of arguments to luaProtectedTableError";
    pub const PROTECTED_KEY_TYPE: &str = "Second argument to luaProtectedTableError must be a string or number";
    pub const NEWINDEX_ARGS: &str = "Wrong number of arguments to luaNewIndexAllowList";
    pub const NEWINDEX_TABLE: &str = "first argument to luaNewIndexAllowList must be a table";
    pub const NEWINDEX_KEY_TYPE: &str = "Second argument to luaNewIndexAllowList must be a string or number";
    /// Error table raised without a usable `err` string (Redis 7.0 crashes on these).
    pub const ERROR_WITHOUT_MESSAGE: &str = "ERR Script raised an error table without an 'err' string";
}
