//! Checks made before a script starts, from its flags and the server state: what Redis's
//! `processCommand` does with a shebang script's flags, then `scriptPrepareForRun`.

use super::flags::ScriptFlags;
use super::server::ServerState;
use crate::error::ReplyError;

/// How the run may behave, once allowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunMode {
    pub read_only: bool,
    pub allow_oom: bool,
    pub allow_cross_slot: bool,
}

/// `ro_command`: called as EVAL_RO / EVALSHA_RO. `write_denial` reports persistence errors
/// and missing replicas; it is only asked for scripts that may write.
pub fn prepare(
    flags: ScriptFlags,
    ro_command: bool,
    state: &ServerState,
    write_denial: impl FnOnce() -> Option<ReplyError>,
) -> Result<RunMode, ReplyError> {
    if flags.compat {
        // EVAL without a shebang keeps EVAL's own command flags: only a stale replica stops it.
        if state.stale {
            return Err(ReplyError::MasterDown);
        }
    } else {
        let writes = !flags.no_writes;
        // processCommand, with the flags a shebang gives the command.
        if state.oom && writes && !flags.allow_oom && !state.obey_client {
            return Err(ReplyError::OomCommand);
        }
        if writes && !state.obey_client {
            if let Some(denied) = write_denial() {
                return Err(denied);
            }
        }
        if writes && state.readonly_replica && !state.obey_client {
            return Err(ReplyError::ReadonlyReplica);
        }
        if state.stale && !flags.allow_stale {
            return Err(ReplyError::MasterDown);
        }
        // scriptPrepareForRun.
        if flags.no_cluster && state.cluster {
            return Err(ReplyError::NoClusterFlag);
        }
        if writes && ro_command {
            return Err(ReplyError::WriteFlagOnRoCommand);
        }
    }
    Ok(RunMode {
        read_only: ro_command || (!flags.compat && flags.no_writes),
        allow_oom: state.obey_client || (!flags.compat && flags.allow_oom),
        allow_cross_slot: flags.compat || flags.allow_cross_slot_keys,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shebang() -> ScriptFlags {
        ScriptFlags::default()
    }

    #[test]
    fn shebang_scripts_get_write_command_checks() {
        let oom = ServerState { oom: true, ..ServerState::default() };
        assert_eq!(prepare(shebang(), false, &oom, || None), Err(ReplyError::OomCommand));
        assert!(prepare(ScriptFlags { allow_oom: true, ..shebang() }, false, &oom, || None).is_ok());
        assert!(prepare(ScriptFlags { no_writes: true, ..shebang() }, false, &oom, || None).is_ok());
        assert!(prepare(ScriptFlags::COMPAT, false, &oom, || Some(ReplyError::NoReplicas)).is_ok());
        assert_eq!(prepare(shebang(), true, &ServerState::default(), || None), Err(ReplyError::WriteFlagOnRoCommand));
        let mode = prepare(ScriptFlags { no_writes: true, ..shebang() }, false, &ServerState::default(), || None);
        assert_eq!(mode.map(|m| m.read_only), Ok(true));
        let cluster = ServerState { cluster: true, ..ServerState::default() };
        assert_eq!(
            prepare(ScriptFlags { no_cluster: true, ..shebang() }, false, &cluster, || None),
            Err(ReplyError::NoClusterFlag)
        );
    }
}
