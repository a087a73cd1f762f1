//! The instruction-count hook: asks the host whether to go on, and kills the script when
//! told to. After a kill the hook fires on every line, so `pcall` cannot swallow it.

use std::panic::{catch_unwind, AssertUnwindSafe};

use super::host::{self, Interrupt};
use crate::convert::to_lua::push_error_table;
use crate::error::KILLED_TEXT;
use crate::lua::state::{Debug, Lua, RawState, MASK_LINE};

/// Chunk name of Redis's error handler (see `vm::ERROR_HANDLER_SOURCE`).
const ERROR_HANDLER_CHUNK: &[u8] = b"@err_handler_def";

/// `lua_Hook` installed for the duration of a run.
///
/// # Safety
/// Called by Lua with its live state.
pub unsafe extern "C-unwind" fn count_hook(l: *mut RawState, ar: *mut Debug) {
    // SAFETY: Lua passes its live state to hooks.
    let lua = unsafe { Lua::from_raw(l) };
    let verdict = catch_unwind(AssertUnwindSafe(|| host::current(|h| h.interrupt())));
    if let Ok(Some(Interrupt::Kill)) = verdict {
        // Redis's error handler must finish turning the kill into its error reply; user
        // code, including error handlers of its own, is stopped at every line.
        // SAFETY: `ar` is what Lua passed to this hook.
        if unsafe { lua.hook_source(ar) } == ERROR_HANDLER_CHUNK {
            return;
        }
        lua.set_hook(Some(count_hook), MASK_LINE, 0);
        lua.check_stack(3);
        push_error_table(lua, KILLED_TEXT.as_bytes());
        // SAFETY: raising from a hook is allowed; no Rust value needing drop is alive here.
        unsafe { lua.raise() }
    }
}
