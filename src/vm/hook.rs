//! The instruction-count hook: asks the host whether to go on, and kills the script when
//! told to. After a kill the hook fires on every line, so `pcall` cannot swallow it.

use super::host::{self, Interrupt};
use crate::convert::to_lua::push_error_table;
use crate::error::KILLED_TEXT;
use crate::lua::state::{HookVerdict, Lua, LuaHook, MASK_LINE};

/// Chunk name of Redis's error handler (see `vm::ERROR_HANDLER_SOURCE`).
const ERROR_HANDLER_CHUNK: &[u8] = b"@err_handler_def";

/// The hook armed for the duration of a run.
pub struct CountHook;

impl LuaHook for CountHook {
    fn on_hook(lua: &mut Lua, source: &dyn Fn() -> Vec<u8>) -> HookVerdict {
        if host::current(|h| h.interrupt()) != Some(Interrupt::Kill) {
            return HookVerdict::Continue;
        }
        // Redis's error handler must finish turning the kill into its error reply; user
        // code, including error handlers of its own, is stopped at every line.
        if source() == ERROR_HANDLER_CHUNK {
            return HookVerdict::Continue;
        }
        lua.set_hook::<CountHook>(MASK_LINE, 0);
        lua.check_stack(3);
        push_error_table(lua, KILLED_TEXT.as_bytes());
        HookVerdict::RaisePushed
    }
}
