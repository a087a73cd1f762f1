//! The checks Redis makes before a script's `redis.call` runs a command, in Redis 7.0's
//! order (`scriptCall`): lookup and arity, `noscript`, stale replica, ACL, writes, OOM.

use super::server::{AclDenied, CommandSpec, ServerState};
use crate::error::LuaApiError;

/// Per-run facts the checks depend on.
#[derive(Debug, Clone, Copy, Default)]
pub struct RunFlags {
    /// EVAL_RO, or a `no-writes` script.
    pub read_only: bool,
    pub allow_oom: bool,
    /// The script already executed a write command.
    pub dirty: bool,
}

/// The error for an ACL refusal.
pub fn acl_error(denied: AclDenied) -> LuaApiError {
    match denied {
        AclDenied::Command => LuaApiError::AclCommand,
        AclDenied::Key => LuaApiError::AclKey,
        AclDenied::Channel => LuaApiError::AclChannel,
    }
}

/// Whether `spec` may run now. Redis checks ACL permissions between the stale-replica and
/// the write checks; executing with an ACL check does the same for commands that pass, so
/// `acl` is only consulted when a later check would refuse, to report the ACL error first.
pub fn check(
    spec: Option<&CommandSpec>,
    argc: usize,
    run: RunFlags,
    state: &ServerState,
    acl: impl FnOnce() -> Result<(), AclDenied>,
) -> Result<(), LuaApiError> {
    let spec = spec.ok_or(LuaApiError::UnknownCommand)?;
    if !spec.arity_ok(argc) {
        return Err(LuaApiError::WrongArity);
    }
    if spec.no_script {
        return Err(LuaApiError::NotAllowedFromScript);
    }
    if state.stale && !spec.stale {
        return Err(LuaApiError::StaleReplica);
    }
    let refusal = if run.read_only && (spec.write || spec.may_replicate) {
        Some(LuaApiError::WriteInReadOnlyScript)
    } else if spec.write && !run.dirty && state.readonly_replica && !state.obey_client {
        Some(LuaApiError::ReadonlyReplica)
    } else if !run.allow_oom && !run.dirty && state.oom && spec.deny_oom {
        Some(LuaApiError::OomCommand)
    } else {
        None
    };
    match refusal {
        None => Ok(()),
        Some(refusal) => {
            acl().map_err(acl_error)?;
            Err(refusal)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(arity: i32) -> CommandSpec {
        CommandSpec { arity, ..CommandSpec::default() }
    }

    #[test]
    fn order_matches_redis() {
        let ok = || Ok(());
        let state = ServerState::default();
        let run = RunFlags::default();
        assert_eq!(check(None, 1, run, &state, ok), Err(LuaApiError::UnknownCommand));
        assert_eq!(check(Some(&spec(2)), 3, run, &state, ok), Err(LuaApiError::WrongArity));
        assert_eq!(check(Some(&spec(-2)), 1, run, &state, ok), Err(LuaApiError::WrongArity));
        let noscript = CommandSpec { no_script: true, ..spec(-1) };
        // noscript is reported before an ACL refusal.
        assert_eq!(
            check(Some(&noscript), 1, run, &state, || Err(AclDenied::Command)),
            Err(LuaApiError::NotAllowedFromScript)
        );
        let write = CommandSpec { write: true, deny_oom: true, ..spec(-1) };
        // Commands that pass are ACL-checked when they execute.
        assert_eq!(check(Some(&write), 1, run, &state, || Err(AclDenied::Key)), Ok(()));
        let ro = RunFlags { read_only: true, ..run };
        // The ACL refusal comes before the write refusal.
        assert_eq!(check(Some(&write), 1, ro, &state, || Err(AclDenied::Key)), Err(LuaApiError::AclKey));
        assert_eq!(check(Some(&write), 1, ro, &state, ok), Err(LuaApiError::WriteInReadOnlyScript));
        let replica = ServerState { readonly_replica: true, oom: true, ..state };
        assert_eq!(check(Some(&write), 1, run, &replica, ok), Err(LuaApiError::ReadonlyReplica));
        let oom = ServerState { oom: true, ..state };
        assert_eq!(check(Some(&write), 1, run, &oom, ok), Err(LuaApiError::OomCommand));
        // Once the script has written, state errors no longer stop it.
        let dirty = RunFlags { dirty: true, ..run };
        assert_eq!(check(Some(&write), 1, dirty, &oom, ok), Ok(()));
        assert_eq!(check(Some(&write), 1, dirty, &replica, ok), Ok(()));
        let may_replicate = CommandSpec { may_replicate: true, ..spec(-1) };
        assert_eq!(check(Some(&may_replicate), 1, ro, &state, ok), Err(LuaApiError::WriteInReadOnlyScript));
    }
}
