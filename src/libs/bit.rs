//! `bit`: LuaBitOp 1.0.2 as bundled by Redis (32-bit operations on Lua numbers), with the
//! CVE-2024-31449 fix to `bit.tohex` that Debian applies to 7.0.15.

use std::ffi::c_int;

use crate::lua::args::check_number;
use crate::lua::callback::LuaResult;
use crate::lua::state::{Lua, Type};
use crate::lua_fn;

pub fn luaopen(lua: &mut Lua) -> LuaResult<c_int> {
    lua.register_lib(
        c"bit",
        &[
            (c"tobit", lua_fn!(tobit)),
            (c"bnot", lua_fn!(bnot)),
            (c"band", lua_fn!(band)),
            (c"bor", lua_fn!(bor)),
            (c"bxor", lua_fn!(bxor)),
            (c"lshift", lua_fn!(lshift)),
            (c"rshift", lua_fn!(rshift)),
            (c"arshift", lua_fn!(arshift)),
            (c"rol", lua_fn!(rol)),
            (c"ror", lua_fn!(ror)),
            (c"bswap", lua_fn!(bswap)),
            (c"tohex", lua_fn!(tohex)),
        ],
    );
    Ok(1)
}

/// An argument as 32 bits: adding 2^52+2^51 puts the integer part (rounded half to even)
/// in the low mantissa bits, whatever the magnitude; those low 32 bits are the value.
fn arg(lua: &Lua, idx: c_int) -> LuaResult<u32> {
    Ok((check_number(lua, idx)? + 6_755_399_441_055_744.0).to_bits() as u32)
}

/// Results are signed 32-bit numbers.
fn ret(lua: &Lua, bits: u32) -> LuaResult<c_int> {
    lua.push_number(f64::from(bits as i32));
    Ok(1)
}

fn tobit(lua: &mut Lua) -> LuaResult<c_int> {
    ret(lua, arg(lua, 1)?)
}

fn bnot(lua: &mut Lua) -> LuaResult<c_int> {
    ret(lua, !arg(lua, 1)?)
}

/// Folds the arguments with `op`: the first, then the others from the last one down (the
/// order decides which bad argument is reported).
fn fold(lua: &mut Lua, op: fn(u32, u32) -> u32) -> LuaResult<c_int> {
    let mut acc = arg(lua, 1)?;
    let mut i = lua.top();
    while i > 1 {
        acc = op(acc, arg(lua, i)?);
        i -= 1;
    }
    ret(lua, acc)
}

fn band(lua: &mut Lua) -> LuaResult<c_int> {
    fold(lua, |a, b| a & b)
}

fn bor(lua: &mut Lua) -> LuaResult<c_int> {
    fold(lua, |a, b| a | b)
}

fn bxor(lua: &mut Lua) -> LuaResult<c_int> {
    fold(lua, |a, b| a ^ b)
}

/// Shifts and rotations take the count modulo 32.
fn shift(lua: &mut Lua, op: fn(u32, u32) -> u32) -> LuaResult<c_int> {
    let b = arg(lua, 1)?;
    let n = arg(lua, 2)? & 31;
    ret(lua, op(b, n))
}

fn lshift(lua: &mut Lua) -> LuaResult<c_int> {
    shift(lua, |b, n| b << n)
}

fn rshift(lua: &mut Lua) -> LuaResult<c_int> {
    shift(lua, |b, n| b >> n)
}

fn arshift(lua: &mut Lua) -> LuaResult<c_int> {
    shift(lua, |b, n| ((b as i32) >> n) as u32)
}

fn rol(lua: &mut Lua) -> LuaResult<c_int> {
    shift(lua, u32::rotate_left)
}

fn ror(lua: &mut Lua) -> LuaResult<c_int> {
    shift(lua, u32::rotate_right)
}

fn bswap(lua: &mut Lua) -> LuaResult<c_int> {
    ret(lua, arg(lua, 1)?.swap_bytes())
}

fn tohex(lua: &mut Lua) -> LuaResult<c_int> {
    let mut b = arg(lua, 1)?;
    // Only a missing argument means the default; an explicit nil is a bad argument.
    let n = if lua.type_of(2) == Type::None { 8 } else { arg(lua, 2)? as i32 };
    // i32::MIN would not negate; the fixed C code treats it as -(2^31 - 1).
    let (digits, n): (&[u8; 16], i32) =
        if n < 0 { (b"0123456789ABCDEF", n.checked_neg().unwrap_or(i32::MAX)) } else { (b"0123456789abcdef", n) };
    let n = n.min(8).unsigned_abs() as usize;
    let mut buf = [0u8; 8];
    for slot in buf[..n].iter_mut().rev() {
        *slot = digits[(b & 15) as usize];
        b >>= 4;
    }
    lua.push_bytes(&buf[..n]);
    Ok(1)
}

#[cfg(test)]
mod tests {
    use crate::vm::testing::check_replies;

    // Expected replies below were recorded from native redis-server 7.0.15 (Debian), with
    // the script SHA in error replies zeroed as the test VM reports it.

    #[test]
    fn registration_order() {
        check_replies(REGISTRATION);
    }

    #[test]
    fn examples() {
        check_replies(EXAMPLES);
    }

    #[test]
    fn value_normalisation() {
        check_replies(VALUES);
    }

    #[test]
    fn errors() {
        check_replies(ERRORS);
    }

    #[test]
    fn nan_payloads_reach_the_low_bits() {
        check_replies(NAN_PAYLOADS);
    }

    const EXAMPLES: &[(&str, &[u8])] = &[
        ("return bit.tobit(0xffffffff)",
         b":-1\r\n"),
        ("return bit.tohex(255, -4)",
         b"$4\r\n00FF\r\n"),
        ("return bit.rshift(-1, 28)",
         b":15\r\n"),
        ("return bit.arshift(-16, 2)",
         b":-4\r\n"),
        ("return bit.rol(0x80000001, 1)",
         b":3\r\n"),
        ("return bit.ror(1, 1)",
         b":-2147483648\r\n"),
        ("return bit.bswap(0x01020304)",
         b":67305985\r\n"),
        ("return bit.lshift(1, 32)",
         b":1\r\n"),
        ("return {bit.tobit(1.5), bit.tobit(2.5), bit.tobit(2^32+1), bit.bnot(0), bit.lshift(1, 31)}",
         b"*5\r\n:2\r\n:2\r\n:1\r\n:-1\r\n:-2147483648\r\n"),
        ("return bit.tohex(0x1234abcd)",
         b"$8\r\n1234abcd\r\n"),
        ("return bit.tohex(65535, -2147483648)",
         b"$8\r\n0000FFFF\r\n"),
        ("return {bit.tohex(65535, -2147483647), bit.tohex(65535, 2147483647), bit.tohex(65535, 2^31), bit.tohex(65535, 0), bit.tohex(-1, 3), bit.tohex(255, '-2')}",
         b"*6\r\n$8\r\n0000FFFF\r\n$8\r\n0000ffff\r\n$8\r\n0000FFFF\r\n$0\r\n\r\n$3\r\nfff\r\n$2\r\nFF\r\n"),
        ("return {bit.band(0x1234), bit.band(-1, 0xff00ff, 0x0ff0f0), bit.bor(1, 2, 4, 2^31), bit.bxor(0xff, 0x0f, 0xf0, 1)}",
         b"*4\r\n:4660\r\n:983280\r\n:-2147483641\r\n:1\r\n"),
        ("@show local t = {} for i = 1, 200 do t[i] = -1 - 2^(i % 32) end return show(bit.band(unpack(t)), bit.bor(unpack(t)), bit.bxor(unpack(t)))",
         b"$8\r\n0 -1 510\r\n"),
        ("@show return show(bit.lshift(1, 2, 'ignored', {}), bit.tobit(3, {}), bit.tohex(3, 2, {}))",
         b"$6\r\n4 3 03\r\n"),
    ];
    const VALUES: &[(&str, &[u8])] = &[
        ("@show local t = {} for _, v in ipairs({0, 1, -1, 0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 3.5, 2^31, -2^31-1, 2^32, 2^32+1, 2^40+7, 2^52+1, 2^53+2, 2^63, 1e300, 1/0, -1/0, 0/0, -0.0, 4294967296.5, '12', '0x10', ' 7 ', '-2.5', '0x80000001'}) do t[#t + 1] = show(bit.tobit(v), bit.bnot(v), bit.bswap(v), bit.tohex(v)) end return table.concat(t, ' ')",
         b"$660\r\n0 -1 0 00000000 1 -2 16777216 00000001 -1 0 -1 ffffffff 0 -1 0 00000000 2 -3 33554432 00000002 2 -3 33554432 00000002 0 -1 0 00000000 -2 1 -16777217 fffffffe -2 1 -16777217 fffffffe 4 -5 67108864 00000004 -2147483648 2147483647 128 80000000 2147483647 -2147483648 -129 7fffffff 0 -1 0 00000000 1 -2 16777216 00000001 7 -8 117440512 00000007 0 -1 0 00000000 1 -2 16777216 00000001 0 -1 0 00000000 -2013235812 2013235811 -1670053752 8800759c 0 -1 0 00000000 0 -1 0 00000000 0 -1 0 00000000 0 -1 0 00000000 0 -1 0 00000000 12 -13 201326592 0000000c 16 -17 268435456 00000010 7 -8 117440512 00000007 -2 1 -16777217 fffffffe -2147483647 2147483646 16777344 80000001\r\n"),
        ("@show local t = {} for _, v in ipairs({0, 1, -1, 0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 3.5, 2^31, -2^31-1, 2^32, 2^32+1, 2^40+7, 2^52+1, 2^53+2, 2^63, 1e300, 1/0, -1/0, 0/0, -0.0, 4294967296.5, '12', '0x10', ' 7 ', '-2.5', '0x80000001'}) do t[#t + 1] = show(bit.band(v, 0x5555aaaa), bit.bor(v, 3), bit.bxor(v, -1)) end return table.concat(t, ' ')",
         b"$326\r\n0 3 -1 0 3 -2 1431677610 -1 0 0 3 -1 2 3 -3 2 3 -3 0 3 -1 1431677610 -1 1 1431677610 -1 1 0 7 -5 0 -2147483645 2147483647 1431677610 2147483647 -2147483648 0 3 -1 0 3 -2 2 7 -8 0 3 -1 0 3 -2 0 3 -1 8328 -2013235809 2013235811 0 3 -1 0 3 -1 0 3 -1 0 3 -1 0 3 -1 8 15 -13 0 19 -17 2 7 -8 1431677610 -1 1 0 -2147483645 2147483646\r\n"),
        ("@show local t = {} for _, n in ipairs({0, 1, -1, 0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 3.5, 2^31, -2^31-1, 2^32, 2^32+1, 2^40+7, 2^52+1, 2^53+2, 2^63, 1e300, 1/0, -1/0, 0/0, -0.0, 4294967296.5, '12', '0x10', ' 7 ', '-2.5', '0x80000001'}) do t[#t + 1] = show(bit.lshift(0x87654321, n), bit.rshift(0x87654321, n), bit.arshift(0x87654321, n), bit.rol(0x87654321, n), bit.ror(0x87654321, n), bit.tohex(0x87654321, n)) end return table.concat(t, ' ')",
         b"$1631\r\n-2023406815 -2023406815 -2023406815 -2023406815 -2023406815  248153666 1135780240 -1011703408 248153667 -1011703408 1 -2147483648 1 -1 -1011703408 248153667 1 -2023406815 -2023406815 -2023406815 -2023406815 -2023406815  496307332 567890120 -505851704 496307334 1641631944 21 496307332 567890120 -505851704 496307334 1641631944 21 -2023406815 -2023406815 -2023406815 -2023406815 -2023406815  1073741824 2 -2 1641631944 496307334 21 1073741824 2 -2 1641631944 496307334 21 1985229328 141972530 -126462926 1985229336 410407986 4321 -2023406815 -2023406815 -2023406815 -2023406815 -2023406815 87654321 -2147483648 1 -1 -1011703408 248153667 87654321 -2023406815 -2023406815 -2023406815 -2023406815 -2023406815  248153666 1135780240 -1011703408 248153667 -1011703408 1 -1298034560 17746566 -15807866 -1298034493 1125042822 7654321 -2023406815 -2023406815 -2023406815 -2023406815 -2023406815  248153666 1135780240 -1011703408 248153667 -1011703408 1 -2023406815 -2023406815 -2023406815 -2023406815 -2023406815  268435456 8 -8 410407986 1985229336 87654321 -2023406815 -2023406815 -2023406815 -2023406815 -2023406815  -2023406815 -2023406815 -2023406815 -2023406815 -2023406815  -2023406815 -2023406815 -2023406815 -2023406815 -2023406815  -2023406815 -2023406815 -2023406815 -2023406815 -2023406815  -2023406815 -2023406815 -2023406815 -2023406815 -2023406815  1412567040 554580 -493996 1412569206 840463956 87654321 1126236160 34661 -30875 1126270821 1126270821 87654321 -1298034560 17746566 -15807866 -1298034493 1125042822 7654321 1073741824 2 -2 1641631944 496307334 21 248153666 1135780240 -1011703408 248153667 -1011703408 87654321\r\n"),
        ("@show local t = {} for n = -40, 40 do t[#t + 1] = show(bit.lshift(0x87654321, n), bit.arshift(0x87654321, n), bit.rol(0x87654321, n), bit.ror(0x87654321, n)) end return table.concat(t, ' ')",
         b"$3234\r\n553648128 -121 562521411 1698898311 1107296256 -61 1125042822 -1298034493 -2080374784 -31 -2044881652 -649017247 134217728 -16 205203993 -324508624 268435456 -8 410407986 1985229336 536870912 -4 820815972 992614668 1073741824 -2 1641631944 496307334 -2147483648 -1 -1011703408 248153667 -2023406815 -2023406815 -2023406815 -2023406815 248153666 -1011703408 248153667 -1011703408 496307332 -505851704 496307334 1641631944 992614664 -252925852 992614668 820815972 1985229328 -126462926 1985229336 410407986 -324508640 -63231463 -324508624 205203993 -649017280 -31615732 -649017247 -2044881652 -1298034560 -15807866 -1298034493 1125042822 1698898176 -7903933 1698898311 562521411 -897170944 -3951967 -897170674 -1866222943 -1794341888 -1975984 -1794341347 -933111472 706283520 -987992 706284603 1680927912 1412567040 -493996 1412569206 840463956 -1469833216 -246998 -1469828884 420231978 1355300864 -123499 1355309529 210115989 -1584365568 -61750 -1584348238 -2042425654 1126236160 -30875 1126270821 1126270821 -2042494976 -15438 -2042425654 -1584348238 209977344 -7719 210115989 1355309529 419954688 -3860 420231978 -1469828884 839909376 -1930 840463956 1412569206 1679818752 -965 1680927912 706284603 -935329792 -483 -933111472 -1794341347 -1870659584 -242 -1866222943 -897170674 553648128 -121 562521411 1698898311 1107296256 -61 1125042822 -1298034493 -2080374784 -31 -2044881652 -649017247 134217728 -16 205203993 -324508624 268435456 -8 410407986 1985229336 536870912 -4 820815972 992614668 1073741824 -2 1641631944 496307334 -2147483648 -1 -1011703408 248153667 -2023406815 -2023406815 -2023406815 -2023406815 248153666 -1011703408 248153667 -1011703408 496307332 -505851704 496307334 1641631944 992614664 -252925852 992614668 820815972 1985229328 -126462926 1985229336 410407986 -324508640 -63231463 -324508624 205203993 -649017280 -31615732 -649017247 -2044881652 -1298034560 -15807866 -1298034493 1125042822 1698898176 -7903933 1698898311 562521411 -897170944 -3951967 -897170674 -1866222943 -1794341888 -1975984 -1794341347 -933111472 706283520 -987992 706284603 1680927912 1412567040 -493996 1412569206 840463956 -1469833216 -246998 -1469828884 420231978 1355300864 -123499 1355309529 210115989 -1584365568 -61750 -1584348238 -2042425654 1126236160 -30875 1126270821 1126270821 -2042494976 -15438 -2042425654 -1584348238 209977344 -7719 210115989 1355309529 419954688 -3860 420231978 -1469828884 839909376 -1930 840463956 1412569206 1679818752 -965 1680927912 706284603 -935329792 -483 -933111472 -1794341347 -1870659584 -242 -1866222943 -897170674 553648128 -121 562521411 1698898311 1107296256 -61 1125042822 -1298034493 -2080374784 -31 -2044881652 -649017247 134217728 -16 205203993 -324508624 268435456 -8 410407986 1985229336 536870912 -4 820815972 992614668 1073741824 -2 1641631944 496307334 -2147483648 -1 -1011703408 248153667 -2023406815 -2023406815 -2023406815 -2023406815 248153666 -1011703408 248153667 -1011703408 496307332 -505851704 496307334 1641631944 992614664 -252925852 992614668 820815972 1985229328 -126462926 1985229336 410407986 -324508640 -63231463 -324508624 205203993 -649017280 -31615732 -649017247 -2044881652 -1298034560 -15807866 -1298034493 1125042822 1698898176 -7903933 1698898311 562521411\r\n"),
        ("@show local t = {} for n = -10, 10 do t[#t + 1] = show(bit.tohex(0x9abcdef0, n)) end return table.concat(t, ' ')",
         b"$124\r\n9ABCDEF0 9ABCDEF0 9ABCDEF0 ABCDEF0 BCDEF0 CDEF0 DEF0 EF0 F0 0  0 f0 ef0 def0 cdef0 bcdef0 abcdef0 9abcdef0 9abcdef0 9abcdef0\r\n"),
    ];
    const ERRORS: &[(&str, &[u8])] = &[
        ("return bit.tobit()",
         b"-ERR user_script:1: bad argument #1 to 'tobit' (number expected, got no value) script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n"),
        ("return bit.bnot(nil)",
         b"-ERR user_script:1: bad argument #1 to 'bnot' (number expected, got nil) script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n"),
        ("return bit.band(1, 'x')",
         b"-ERR user_script:1: bad argument #2 to 'band' (number expected, got string) script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n"),
        ("return bit.bor(1, 'x', {})",
         b"-ERR user_script:1: bad argument #3 to 'bor' (number expected, got table) script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n"),
        ("return bit.bxor('x', {}, nil)",
         b"-ERR user_script:1: bad argument #1 to 'bxor' (number expected, got string) script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n"),
        ("return bit.lshift(1)",
         b"-ERR user_script:1: bad argument #2 to 'lshift' (number expected, got no value) script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n"),
        ("return bit.rshift({}, 1)",
         b"-ERR user_script:1: bad argument #1 to 'rshift' (number expected, got table) script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n"),
        ("return bit.arshift(1, true)",
         b"-ERR user_script:1: bad argument #2 to 'arshift' (number expected, got boolean) script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n"),
        ("return bit.rol('', 1)",
         b"-ERR user_script:1: bad argument #1 to 'rol' (number expected, got string) script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n"),
        ("return bit.ror(1, '0x')",
         b"-ERR user_script:1: bad argument #2 to 'ror' (number expected, got string) script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n"),
        ("return bit.bswap(type)",
         b"-ERR user_script:1: bad argument #1 to 'bswap' (number expected, got function) script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n"),
        ("return bit.tohex(1, nil)",
         b"-ERR user_script:1: bad argument #2 to 'tohex' (number expected, got nil) script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n"),
        ("return bit.tohex('z')",
         b"-ERR user_script:1: bad argument #1 to 'tohex' (number expected, got string) script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n"),
        ("local b = bit.bor return b(1, {})",
         b"-ERR user_script:1: bad argument #2 to 'b' (number expected, got table) script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n"),
        ("local t = {f = bit.bnot} return t.f('z')",
         b"-ERR user_script:1: bad argument #1 to 'f' (number expected, got string) script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n"),
        ("local t = {f = bit.tohex} return t:f()",
         b"-ERR user_script:1: calling 'f' on bad self (number expected, got table) script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n"),
        ("@show return show(pcall(bit.band, 1, 2, 'q', 4))",
         b"$58\r\nfalse bad argument #3 to '?' (number expected, got string)\r\n"),
    ];
    const NAN_PAYLOADS: &[(&str, &[u8])] = &[
        ("@show local v = struct.unpack('<d', '\\1\\0\\0\\0\\0\\0\\248\\127') return show(bit.tobit(v), bit.bnot(v), bit.tohex(v), bit.lshift(1, v))",
         b"$15\r\n1 -2 00000001 2\r\n"),
        ("@show local v = struct.unpack('<d', '\\5\\0\\0\\128\\0\\0\\240\\255') return show(bit.tobit(v), bit.tobit(-v), bit.band(v, v))",
         b"$35\r\n-2147483643 -2147483643 -2147483643\r\n"),
    ];
    const REGISTRATION: &[(&str, &[u8])] = &[
        ("local t = {} for k, v in pairs(bit) do t[#t + 1] = k .. '=' .. type(v) end return table.concat(t, ' ')",
         b"$174\r\nband=function rshift=function bor=function bnot=function bswap=function bxor=function tobit=function ror=function lshift=function tohex=function rol=function arshift=function\r\n"),
    ];
}
