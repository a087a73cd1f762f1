//! The edge where Lua calls Rust.
//!
//! Every C function we give Lua is a Rust `fn(Lua) -> LuaResult<c_int>` wrapped by
//! [`lua_fn!`](crate::lua_fn). The wrapper catches panics, and raises Lua errors only after
//! the Rust function has returned and dropped everything it owned, so the `longjmp` inside
//! `lua_error` never skips a destructor.

use std::ffi::c_int;
use std::panic::{catch_unwind, AssertUnwindSafe};

use super::state::{Lua, RawState};

/// How a Rust C function fails.
#[derive(Debug)]
pub enum Raise {
    /// The error value is already on top of the stack.
    Pushed,
    /// `luaL_error` style: "<chunk>:<line>: " of the calling Lua code, then the message.
    Located(Vec<u8>),
    /// `luaL_argerror` style: "bad argument #n to 'f' (msg)".
    Arg(c_int, Vec<u8>),
}

pub type LuaResult<T> = Result<T, Raise>;

impl Raise {
    /// Messages are bytes: Lua strings need not be UTF-8.
    pub fn located(msg: impl AsRef<[u8]>) -> Raise {
        Raise::Located(msg.as_ref().to_vec())
    }

    pub fn arg(narg: c_int, msg: impl AsRef<[u8]>) -> Raise {
        Raise::Arg(narg, msg.as_ref().to_vec())
    }

    /// `luaL_typerror`: "bad argument #n to 'f' (<expected> expected, got <actual>)".
    pub fn type_error(lua: Lua, narg: c_int, expected: &str) -> Raise {
        let got = lua.type_of(narg).name();
        Raise::Arg(narg, format!("{expected} expected, got {got}").into_bytes())
    }
}

/// Runs `f` for Lua and turns its outcome into what Lua expects: a result count, or an error
/// raised after all Rust state is gone.
///
/// # Safety
/// `l` must be the state Lua passed to a C function of ours.
#[inline]
pub unsafe fn dispatch(l: *mut RawState, f: fn(Lua) -> LuaResult<c_int>) -> c_int {
    // SAFETY: Lua calls C functions with its live state.
    let lua = unsafe { Lua::from_raw(l) };
    let raise = match catch_unwind(AssertUnwindSafe(|| f(lua))) {
        Ok(Ok(n)) => return n,
        Ok(Err(raise)) => raise,
        Err(_) => Raise::located(crate::error::INTERNAL_ERROR),
    };
    raise_now(lua, raise)
}

#[cold]
#[inline(never)]
fn raise_now(lua: Lua, raise: Raise) -> ! {
    match raise {
        Raise::Pushed => {}
        Raise::Located(msg) => {
            lua.push_where(1);
            lua.push_bytes(&msg);
            drop(msg);
            lua.concat(2);
        }
        Raise::Arg(narg, msg) => {
            // Keep the message in Lua memory so nothing Rust-owned outlives this frame (Lua
            // strings are NUL-terminated).
            lua.push_bytes(&msg);
            drop(msg);
            let text = lua.to_bytes(-1).map_or(std::ptr::null(), |b| b.as_ptr().cast());
            // SAFETY: we are directly inside a C function called by Lua; nothing in this
            // frame needs dropping (the message lives on the Lua stack).
            unsafe { lua.raise_arg_error(narg, text) }
        }
    }
    // SAFETY: as above; the error value is on top of the stack.
    unsafe { lua.raise() }
}

/// Wraps a `fn(Lua) -> LuaResult<c_int>` as a Lua C function.
#[macro_export]
macro_rules! lua_fn {
    ($f:expr) => {{
        unsafe extern "C-unwind" fn trampoline(l: *mut $crate::lua::state::RawState) -> ::std::ffi::c_int {
            let f: fn($crate::lua::state::Lua) -> $crate::lua::callback::LuaResult<::std::ffi::c_int> = $f;
            // SAFETY: Lua calls C functions with its live state.
            unsafe { $crate::lua::callback::dispatch(l, f) }
        }
        trampoline as $crate::lua::state::CFunction
    }};
}
