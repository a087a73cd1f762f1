//! The instruction-count hook: asks the host whether to go on, and kills the script when
//! told to. After a kill the hook fires on every line, so `pcall` cannot swallow it.

use std::panic::{catch_unwind, AssertUnwindSafe};

use super::host::{self, Interrupt};
use super::state::{Debug, Lua, RawState, MASK_LINE};
use crate::convert::to_lua::push_error_table;
use crate::error::KILLED_TEXT;

/// `lua_Hook` installed for the duration of a run.
///
/// # Safety
/// Called by Lua with its live state.
pub unsafe extern "C-unwind" fn count_hook(l: *mut RawState, _ar: *mut Debug) {
    // SAFETY: Lua passes its live state to hooks.
    let lua = unsafe { Lua::from_raw(l) };
    let verdict = catch_unwind(AssertUnwindSafe(|| host::current(|h| h.interrupt())));
    if let Ok(Some(Interrupt::Kill)) = verdict {
        lua.set_hook(Some(count_hook), MASK_LINE, 0);
        lua.check_stack(3);
        push_error_table(lua, KILLED_TEXT.as_bytes());
        // SAFETY: raising from a hook is allowed; no Rust value needing drop is alive here.
        unsafe { lua.raise() }
    }
}
