//! `math.random` / `math.randomseed` backed by Redis's `redisLrand48()`.
//!
//! One 48-bit linear congruential state for the whole process, as in Redis 7.0: it starts at
//! the same value as a fresh redis-server and is never reseeded per script or by SCRIPT FLUSH.

use std::cell::Cell;
use std::ffi::c_int;

use super::host;
use crate::lua::args::check_integer;
use crate::lua::callback::{LuaResult, Raise};
use crate::lua::state::Lua;

const MULTIPLIER: u64 = 0x5_DEEC_E66D;
const ADDEND: u64 = 0xB;
const MASK48: u64 = (1 << 48) - 1;
const INITIAL_STATE: u64 = 0x1234_ABCD_330E;
/// `REDIS_LRAND48_MAX`.
const LRAND48_MAX: u64 = 2_147_483_647;

thread_local! {
    static STATE: Cell<u64> = const { Cell::new(INITIAL_STATE) };
}

/// Next 31-bit value of the generator.
pub fn lrand48() -> u64 {
    STATE.with(|s| {
        let next = MULTIPLIER.wrapping_mul(s.get()).wrapping_add(ADDEND) & MASK48;
        s.set(next);
        next >> 17
    })
}

pub fn srand48(seed: i32) {
    let seed = seed as u32 as u64;
    STATE.with(|s| s.set(((seed >> 16) << 32) | ((seed & 0xFFFF) << 16) | 0x330E));
}

/// `luaL_checkint`: `luaL_checkinteger` narrowed to `int`.
fn check_int(lua: &mut Lua, narg: c_int) -> LuaResult<i32> {
    Ok(check_integer(lua, narg)? as i32)
}

fn ensure_in_script(what: &'static str) -> LuaResult<()> {
    match host::current(|_| ()) {
        Some(()) => Ok(()),
        None => Err(Raise::located(what)),
    }
}

pub fn math_random(lua: &mut Lua) -> LuaResult<c_int> {
    ensure_in_script("math.random can only be called inside a script invocation")?;
    let r = (lrand48() % LRAND48_MAX) as f64 / LRAND48_MAX as f64;
    match lua.top() {
        0 => lua.push_number(r),
        1 => {
            let u = check_int(lua, 1)?;
            if u < 1 {
                return Err(Raise::arg(1, "interval is empty"));
            }
            lua.push_number((r * f64::from(u)).floor() + 1.0);
        }
        2 => {
            let l = check_int(lua, 1)?;
            let u = check_int(lua, 2)?;
            if l > u {
                return Err(Raise::arg(2, "interval is empty"));
            }
            // Same int arithmetic as C (u-l+1 may wrap).
            let span = u.wrapping_sub(l).wrapping_add(1);
            lua.push_number((r * f64::from(span)).floor() + f64::from(l));
        }
        _ => return Err(Raise::located("wrong number of arguments")),
    }
    Ok(1)
}

pub fn math_randomseed(lua: &mut Lua) -> LuaResult<c_int> {
    ensure_in_script("math.randomseed can only be called inside a script invocation")?;
    srand48(check_int(lua, 1)?);
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn next_random() -> f64 {
        (lrand48() % LRAND48_MAX) as f64 / LRAND48_MAX as f64
    }

    #[test]
    fn sequence_matches_fresh_redis() {
        // From a fresh redis-server 7.0.15: the first math.random() values, as tostring().
        STATE.with(|s| s.set(INITIAL_STATE));
        let want = ["0.39646477363839", "0.84048536971234", "0.35333609737146", "0.44658343468168"];
        for w in want {
            assert_eq!(crate::util::numfmt::format_g(next_random(), 14), w);
        }
        srand48(1);
        assert_eq!(crate::util::numfmt::format_g(next_random(), 14), "0.041630344484761");
        srand48(10);
        assert_eq!(crate::util::numfmt::format_g(next_random(), 14), "0.87885112309775");
        assert_eq!(crate::util::numfmt::format_g(next_random(), 14), "0.7958066229689");
    }
}
