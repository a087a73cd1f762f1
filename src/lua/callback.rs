//! How Rust functions given to Lua fail, and [`lua_fn!`](crate::lua_fn) to give them.
//!
//! Every C function we give Lua is a Rust `fn(Lua) -> LuaResult<c_int>`; the trampoline in
//! `state` catches panics and raises Lua errors only after the Rust function has returned
//! and dropped everything it owned, so the `longjmp` inside `lua_error` never skips a
//! destructor.

use std::ffi::c_int;

use super::state::Lua;

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
    pub fn type_error(lua: &Lua, narg: c_int, expected: &str) -> Raise {
        let got = lua.type_of(narg).name();
        Raise::Arg(narg, format!("{expected} expected, got {got}").into_bytes())
    }
}

/// Wraps a `fn(Lua) -> LuaResult<c_int>` as a Lua C function (see `state::c_function`).
#[macro_export]
macro_rules! lua_fn {
    ($f:expr) => {{
        struct Function;
        impl $crate::lua::state::LuaFunction for Function {
            const FUNC: fn(&mut $crate::lua::state::Lua) -> $crate::lua::callback::LuaResult<::std::ffi::c_int> = $f;
        }
        $crate::lua::state::c_function::<Function>()
    }};
}
