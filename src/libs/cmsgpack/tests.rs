//! Expected values were produced by native Redis 7.0.15 (`redis-server`, EVAL), with the
//! script SHA in error replies replaced by the zeros the test VM uses.

use crate::vm::testing::{
    colliding_keys, eval_with, lua_list, new_vm, shared_key_sets, FakeHost, XorShift, DEEP_DUMP_LUA, HEX_LUA,
    SAME_LAYOUT_LUA,
};

/// Runs `prelude` + each script in one VM and compares the RESP2 reply.
fn check(prelude: &str, cases: &[(&str, &str)]) {
    let mut vm = new_vm();
    let host = FakeHost::default();
    for (script, expected) in cases {
        let script = format!("{prelude}{script}");
        assert_eq!(eval_with(&mut vm, &host, &script, false), *expected, "script: {script}");
    }
}

const SHOW: &str = r#"local function dump(v) local t = type(v) if t == 'table' then local o = {} for k, x in pairs(v) do o[#o+1] = dump(k) .. '=' .. dump(x) end return '{' .. table.concat(o, ',') .. '}#' .. #v elseif t == 'string' then return string.format('%q', v) elseif t == 'number' then return string.format('%.17g', v) else return tostring(v) end end local function show(...) local o = {} for i = 1, select('#', ...) do o[i] = dump((select(i, ...))) end return o end "#;

const KEYS: &str = r#"local function keys(t) local o = {} for k, v in pairs(t) do o[#o+1] = tostring(k) .. '=' .. tostring(v) end o[#o+1] = '#' .. #t return o end "#;

const PACKED: &str = r#"local s = cmsgpack.pack(1, 'ab', {3}) "#;

/// The table is filled like the C luaopen, so pairs() sees the native order.
#[test]
fn registration_order_and_fields() {
    check("", &[
        (r#"local t = {} for k, v in pairs(cmsgpack) do t[#t+1] = k .. ':' .. type(v) end return t"#, "*8\r\n$19\r\n_DESCRIPTION:string\r\n$13\r\npack:function\r\n$12\r\n_NAME:string\r\n$15\r\nunpack:function\r\n$17\r\n_COPYRIGHT:string\r\n$15\r\n_VERSION:string\r\n$19\r\nunpack_one:function\r\n$21\r\nunpack_limit:function\r\n"),
        (r#"return {cmsgpack._NAME, cmsgpack._VERSION, cmsgpack._COPYRIGHT, cmsgpack._DESCRIPTION}"#, "*4\r\n$8\r\ncmsgpack\r\n$18\r\nlua-cmsgpack 0.4.0\r\n$40\r\nCopyright (C) 2012, Salvatore Sanfilippo\r\n$36\r\nMessagePack C implementation for Lua\r\n"),
        (r#"local t = {} for k in pairs(_G) do t[#t+1] = k end return #t"#, ":35\r\n"),
        (r#"cmsgpack.x = 1"#, "-ERR user_script:1: Attempt to modify a readonly table script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n"),
        (r#"cmsgpack.pack = nil"#, "-ERR user_script:1: Attempt to modify a readonly table script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n"),
    ]);
}

/// Integer-valued doubles take the smallest MessagePack integer form.
#[test]
fn pack_integers_smallest_encoding() {
    check(
        HEX_LUA,
        &[
            (r#"return hex(cmsgpack.pack(0))"#, "$2\r\n00\r\n"),
            (r#"return hex(cmsgpack.pack(1))"#, "$2\r\n01\r\n"),
            (r#"return hex(cmsgpack.pack(127))"#, "$2\r\n7f\r\n"),
            (r#"return hex(cmsgpack.pack(128))"#, "$4\r\ncc80\r\n"),
            (r#"return hex(cmsgpack.pack(255))"#, "$4\r\nccff\r\n"),
            (r#"return hex(cmsgpack.pack(256))"#, "$6\r\ncd0100\r\n"),
            (r#"return hex(cmsgpack.pack(65535))"#, "$6\r\ncdffff\r\n"),
            (r#"return hex(cmsgpack.pack(65536))"#, "$10\r\nce00010000\r\n"),
            (r#"return hex(cmsgpack.pack(4294967295))"#, "$10\r\nceffffffff\r\n"),
            (r#"return hex(cmsgpack.pack(4294967296))"#, "$18\r\ncf0000000100000000\r\n"),
            (r#"return hex(cmsgpack.pack(2^53))"#, "$18\r\ncf0020000000000000\r\n"),
            (r#"return hex(cmsgpack.pack(2^62))"#, "$18\r\ncf4000000000000000\r\n"),
            (r#"return hex(cmsgpack.pack(2^63-1024))"#, "$18\r\ncf7ffffffffffffc00\r\n"),
            (r#"return hex(cmsgpack.pack(-1))"#, "$2\r\nff\r\n"),
            (r#"return hex(cmsgpack.pack(-32))"#, "$2\r\ne0\r\n"),
            (r#"return hex(cmsgpack.pack(-33))"#, "$4\r\nd0df\r\n"),
            (r#"return hex(cmsgpack.pack(-128))"#, "$4\r\nd080\r\n"),
            (r#"return hex(cmsgpack.pack(-129))"#, "$6\r\nd1ff7f\r\n"),
            (r#"return hex(cmsgpack.pack(-32768))"#, "$6\r\nd18000\r\n"),
            (r#"return hex(cmsgpack.pack(-32769))"#, "$10\r\nd2ffff7fff\r\n"),
            (r#"return hex(cmsgpack.pack(-2147483648))"#, "$10\r\nd280000000\r\n"),
            (r#"return hex(cmsgpack.pack(-2147483649))"#, "$18\r\nd3ffffffff7fffffff\r\n"),
            (r#"return hex(cmsgpack.pack(-2^53))"#, "$18\r\nd3ffe0000000000000\r\n"),
            (r#"return hex(cmsgpack.pack(-2^63))"#, "$18\r\nd38000000000000000\r\n"),
            (r#"return hex(cmsgpack.pack(-0.0))"#, "$2\r\n00\r\n"),
        ],
    );
}

/// float32 when exact, else float64; 2^63 and beyond are not int64-equivalent.
#[test]
fn pack_floats() {
    check(
        HEX_LUA,
        &[
            (r#"return hex(cmsgpack.pack(2^63))"#, "$10\r\nca5f000000\r\n"),
            (r#"return hex(cmsgpack.pack(2^64))"#, "$10\r\nca5f800000\r\n"),
            (r#"return hex(cmsgpack.pack(-2^63-2048))"#, "$18\r\ncbc3e0000000000001\r\n"),
            (r#"return hex(cmsgpack.pack(1e19))"#, "$18\r\ncb43e158e460913d00\r\n"),
            (r#"return hex(cmsgpack.pack(0.5))"#, "$10\r\nca3f000000\r\n"),
            (r#"return hex(cmsgpack.pack(-1.5))"#, "$10\r\ncabfc00000\r\n"),
            (r#"return hex(cmsgpack.pack(0.1))"#, "$18\r\ncb3fb999999999999a\r\n"),
            (r#"return hex(cmsgpack.pack(1/3))"#, "$18\r\ncb3fd5555555555555\r\n"),
            (r#"return hex(cmsgpack.pack(3.4028234663852886e38))"#, "$10\r\nca7f7fffff\r\n"),
            (r#"return hex(cmsgpack.pack(3.5e38))"#, "$18\r\ncb47f074f8c4d3cd7b\r\n"),
            (r#"return hex(cmsgpack.pack(1e300))"#, "$18\r\ncb7e37e43c8800759c\r\n"),
            (r#"return hex(cmsgpack.pack(2^-149))"#, "$10\r\nca00000001\r\n"),
            (r#"return hex(cmsgpack.pack(2^-150))"#, "$18\r\ncb3690000000000000\r\n"),
            (r#"return hex(cmsgpack.pack(1/0))"#, "$10\r\nca7f800000\r\n"),
            (r#"return hex(cmsgpack.pack(-1/0))"#, "$10\r\ncaff800000\r\n"),
            (r#"return hex(cmsgpack.pack(0/0))"#, "$18\r\ncbfff8000000000000\r\n"),
            (r#"return hex(cmsgpack.pack(-(0/0)))"#, "$18\r\ncb7ff8000000000000\r\n"),
            (r#"return hex(cmsgpack.pack(16777217.5))"#, "$18\r\ncb4170000018000000\r\n"),
            (r#"return hex(cmsgpack.pack(2^31+0.5))"#, "$18\r\ncb41e0000000100000\r\n"),
        ],
    );
}

/// String headers by length; nil, functions and other types pack as nil.
#[test]
fn pack_strings_and_scalars() {
    check(HEX_LUA, &[
        (r#"return hex(cmsgpack.pack(''))"#, "$2\r\na0\r\n"),
        (r#"return hex(cmsgpack.pack('a'))"#, "$4\r\na161\r\n"),
        (r#"return hex(cmsgpack.pack('12'))"#, "$6\r\na23132\r\n"),
        (r#"return hex(cmsgpack.pack('\0\1\255'))"#, "$8\r\na30001ff\r\n"),
        (r#"return hex(cmsgpack.pack(true))"#, "$2\r\nc3\r\n"),
        (r#"return hex(cmsgpack.pack(false))"#, "$2\r\nc2\r\n"),
        (r#"return hex(cmsgpack.pack(nil))"#, "$2\r\nc0\r\n"),
        (r#"return hex(cmsgpack.pack(print))"#, "-ERR user_script:1: Script attempted to access nonexistent global variable 'print' script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n"),
        (r#"return hex(cmsgpack.pack(coroutine.create(print)))"#, "-ERR user_script:1: Script attempted to access nonexistent global variable 'print' script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n"),
        (r#"return hex(cmsgpack.pack(cjson.null))"#, "$2\r\nc0\r\n"),
        (r#"local s = cmsgpack.pack(string.rep('x', 31)) return {hex(s:sub(1, 6)), #s}"#, "*2\r\n$12\r\nbf7878787878\r\n:32\r\n"),
        (r#"local s = cmsgpack.pack(string.rep('x', 32)) return {hex(s:sub(1, 6)), #s}"#, "*2\r\n$12\r\nd92078787878\r\n:34\r\n"),
        (r#"local s = cmsgpack.pack(string.rep('x', 255)) return {hex(s:sub(1, 6)), #s}"#, "*2\r\n$12\r\nd9ff78787878\r\n:257\r\n"),
        (r#"local s = cmsgpack.pack(string.rep('x', 256)) return {hex(s:sub(1, 6)), #s}"#, "*2\r\n$12\r\nda0100787878\r\n:259\r\n"),
        (r#"local s = cmsgpack.pack(string.rep('x', 65535)) return {hex(s:sub(1, 6)), #s}"#, "*2\r\n$12\r\ndaffff787878\r\n:65538\r\n"),
        (r#"local s = cmsgpack.pack(string.rep('x', 65536)) return {hex(s:sub(1, 6)), #s}"#, "*2\r\n$12\r\ndb0001000078\r\n:65541\r\n"),
        (r#"local s = cmsgpack.pack(string.rep('x', 100000)) return {hex(s:sub(1, 6)), #s}"#, "*2\r\n$12\r\ndb000186a078\r\n:100005\r\n"),
    ]);
}

/// Arrays iff the keys are exactly 1..N (numbers only), else maps in next() order.
#[test]
fn pack_tables_array_or_map() {
    check(HEX_LUA, &[
        (r#"return hex(cmsgpack.pack({}))"#, "$2\r\n90\r\n"),
        (r#"return hex(cmsgpack.pack({1, 2, 3}))"#, "$8\r\n93010203\r\n"),
        (r#"return hex(cmsgpack.pack({1, nil, 3}))"#, "$10\r\n8201010303\r\n"),
        (r#"return hex(cmsgpack.pack({nil, 2}))"#, "$6\r\n810202\r\n"),
        (r#"return hex(cmsgpack.pack({[1] = 1, [3] = 3}))"#, "$10\r\n8201010303\r\n"),
        (r#"return hex(cmsgpack.pack({[0] = 1}))"#, "$6\r\n810001\r\n"),
        (r#"return hex(cmsgpack.pack({[-1] = 1}))"#, "$6\r\n81ff01\r\n"),
        (r#"return hex(cmsgpack.pack({[1.5] = 1}))"#, "$14\r\n81ca3fc0000001\r\n"),
        (r#"return hex(cmsgpack.pack({['1'] = 1}))"#, "$8\r\n81a13101\r\n"),
        (r#"return hex(cmsgpack.pack({a = 1}))"#, "$8\r\n81a16101\r\n"),
        (r#"return hex(cmsgpack.pack({1, 2, a = 3}))"#, "$16\r\n8301010202a16103\r\n"),
        (r#"return hex(cmsgpack.pack({[2^31] = 1}))"#, "$14\r\n81ce8000000001\r\n"),
        (r#"return hex(cmsgpack.pack({[2^31 - 1] = 1}))"#, "$14\r\n81ce7fffffff01\r\n"),
        (r#"return hex(cmsgpack.pack({[true] = false}))"#, "$6\r\n81c3c2\r\n"),
        (r#"return hex(cmsgpack.pack({x = {y = {z = {1}}}}))"#, "$22\r\n81a17881a17981a17a9101\r\n"),
        (r#"return hex(cmsgpack.pack({[{1, 2}] = {3, 4}}))"#, "$14\r\n81920102920304\r\n"),
        (r#"return hex(cmsgpack.pack({{}, {{}}}))"#, "$8\r\n92909190\r\n"),
        (r#"return hex(cmsgpack.pack((function() local t = {1, 2, 3, 4, 5} t[5] = nil return t end)()))"#, "$10\r\n9401020304\r\n"),
        (r#"return hex(cmsgpack.pack((function() local t = {1, 2, 3, 4, 5} t[3] = nil return t end)()))"#, "$18\r\n840101020204040505\r\n"),
        (r#"return hex(cmsgpack.pack(setmetatable({1, 2}, {__index = function() return 1 end, __len = function() return 9 end})))"#, "$6\r\n920102\r\n"),
        (r#"return hex(cmsgpack.pack({abcdefghijabcdefghijabcdefghijabcdefghij1 = 1, abcdefghijabcdefghijabcdefghijabcdefghij2 = 2, abcdefghijabcdefghijabcdefghijabcdefghij3 = 3, abcdefghijabcdefghijabcdefghijabcdefghij4 = 4}))"#, "$354\r\n84d9296162636465666768696a6162636465666768696a6162636465666768696a6162636465666768696a3101d9296162636465666768696a6162636465666768696a6162636465666768696a6162636465666768696a3404d9296162636465666768696a6162636465666768696a6162636465666768696a6162636465666768696a3202d9296162636465666768696a6162636465666768696a6162636465666768696a6162636465666768696a3303\r\n"),
        (r#"return hex(cmsgpack.pack({a = 1, b = 2, c = 3, d = 4, e = 5, f = 6, g = 7, h = 8}))"#, "$50\r\n88a16101a16808a16303a16202a16505a16404a16707a16606\r\n"),
        (r#"local t = {} for i = 1, 15 do t[i] = i end local s = cmsgpack.pack(t) return {hex(s:sub(1, 8)), #s}"#, "*2\r\n$16\r\n9f01020304050607\r\n:16\r\n"),
        (r#"local t = {} for i = 1, 16 do t[i] = i end local s = cmsgpack.pack(t) return {hex(s:sub(1, 8)), #s}"#, "*2\r\n$16\r\ndc00100102030405\r\n:19\r\n"),
        (r#"local t = {} for i = 1, 65535 do t[i] = i end local s = cmsgpack.pack(t) return {hex(s:sub(1, 8)), #s}"#, "*2\r\n$16\r\ndcffff0102030405\r\n:196226\r\n"),
        (r#"local t = {} for i = 1, 65536 do t[i] = i end local s = cmsgpack.pack(t) return {hex(s:sub(1, 8)), #s}"#, "*2\r\n$16\r\ndd00010000010203\r\n:196233\r\n"),
        (r#"local t = {} for i = 1, 15 do t['k' .. i] = i end local s = cmsgpack.pack(t) return {hex(s:sub(1, 8)), #s}"#, "*2\r\n$16\r\n8fa36b31320ca26b\r\n:67\r\n"),
        (r#"local t = {} for i = 1, 16 do t['k' .. i] = i end local s = cmsgpack.pack(t) return {hex(s:sub(1, 8)), #s}"#, "*2\r\n$16\r\nde0010a36b31320c\r\n:74\r\n"),
        (r#"local t = {} for i = 1, 65536 do t['k' .. i] = i end local s = cmsgpack.pack(t) return {hex(s:sub(1, 8)), #s}"#, "*2\r\n$16\r\ndf00010000a66b33\r\n:643879\r\n"),
    ]);
}

/// Tables deeper than 16 levels pack as nil, which stops self-references.
#[test]
fn pack_nesting_limit() {
    check(HEX_LUA, &[
        (r#"local t = {} t[1] = t return hex(cmsgpack.pack(t))"#, "$34\r\n91919191919191919191919191919191c0\r\n"),
        (r#"local t = {} t.a = t return hex(cmsgpack.pack(t))"#, "$98\r\n81a16181a16181a16181a16181a16181a16181a16181a16181a16181a16181a16181a16181a16181a16181a16181a161c0\r\n"),
        (r#"local t = {} t[t] = 1 return #cmsgpack.pack(t)"#, ":33\r\n"),
        (r#"local t = {} t[1] = t return hex(cmsgpack.pack(t, t))"#, "$68\r\n91919191919191919191919191919191c091919191919191919191919191919191c0\r\n"),
        (r#"local t = {} local c = t for i = 1, 15 do c[1] = {} c = c[1] end c[1] = 5 return hex(cmsgpack.pack(t))"#, "$34\r\n9191919191919191919191919191919105\r\n"),
        (r#"local t = {} local c = t for i = 1, 16 do c[1] = {} c = c[1] end c[1] = 5 return hex(cmsgpack.pack(t))"#, "$34\r\n91919191919191919191919191919191c0\r\n"),
        (r#"local t = {} local c = t for i = 1, 16 do c.k = {} c = c.k end return hex(cmsgpack.pack(t))"#, "$98\r\n81a16b81a16b81a16b81a16b81a16b81a16b81a16b81a16b81a16b81a16b81a16b81a16b81a16b81a16b81a16b81a16bc0\r\n"),
    ]);
}

/// Each argument is packed and the results concatenated.
#[test]
fn pack_multiple_arguments() {
    check(
        HEX_LUA,
        &[
            (r#"return hex(cmsgpack.pack(1, 2, 3))"#, "$6\r\n010203\r\n"),
            (r#"return hex(cmsgpack.pack('a', {1}, nil, true))"#, "$12\r\na1619101c0c3\r\n"),
            (r#"return hex(cmsgpack.pack(nil, nil))"#, "$4\r\nc0c0\r\n"),
            (r#"local t = {} for i = 1, 4000 do t[i] = i end return #cmsgpack.pack(unpack(t))"#, ":11618\r\n"),
        ],
    );
}

/// Argument errors and the C stack checks, at the same stack heights as native.
#[test]
fn pack_errors() {
    check("", &[
        (r#"return cmsgpack.pack()"#, "-ERR user_script:1: bad argument #0 to 'pack' (MessagePack pack needs input.) script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n"),
        (r#"local f = cmsgpack.pack return f()"#, "-ERR user_script:1: bad argument #0 to 'f' (MessagePack pack needs input.) script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n"),
        (r#"local ok, e = pcall(cmsgpack.pack) return e"#, "$54\r\nbad argument #0 to '?' (MessagePack pack needs input.)\r\n"),
        (r#"local t = {} for i = 1, 4001 do t[i] = i end return #cmsgpack.pack(unpack(t))"#, "-ERR user_script:1: bad argument #0 to 'pack' (Too many arguments for MessagePack pack.) script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n"),
        (r#"local t = {} for i = 1, 4000 do t[i] = i end t[4000] = {} return #cmsgpack.pack(unpack(t))"#, "-ERR user_script:1: stack overflow (in function table_is_an_array) script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n"),
        (r#"local t = {} for i = 1, 4000 do t[i] = i end t[3999] = {} return #cmsgpack.pack(unpack(t))"#, "-ERR user_script:1: stack overflow (in function table_is_an_array) script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n"),
        (r#"local t = {} for i = 1, 4000 do t[i] = i end t[3998] = {a = 1} return #cmsgpack.pack(unpack(t))"#, "-ERR user_script:1: stack overflow (in function mp_encode_lua_table_as_map) script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n"),
        (r#"local t = {} for i = 1, 4000 do t[i] = i end t[3998] = {1} return #cmsgpack.pack(unpack(t))"#, ":11617\r\n"),
        (r#"local t = {} for i = 1, 4000 do t[i] = i end t[3997] = {[2] = 1} return #cmsgpack.pack(unpack(t))"#, ":11618\r\n"),
        (r#"local t = {} for i = 1, 4000 do t[i] = i end t[3998] = {[2] = 1} return #cmsgpack.pack(unpack(t))"#, "-ERR user_script:1: stack overflow (in function mp_encode_lua_table_as_map) script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n"),
    ]);
}

/// Every tag the C decoder knows; 64-bit integers come out as doubles (uint64 wraps).
#[test]
fn unpack_every_type() {
    check(
        SHOW,
        &[
            (r#"return show(cmsgpack.unpack('\0'))"#, "*1\r\n$1\r\n0\r\n"),
            (r#"return show(cmsgpack.unpack('\127'))"#, "*1\r\n$3\r\n127\r\n"),
            (r#"return show(cmsgpack.unpack('\224'))"#, "*1\r\n$3\r\n-32\r\n"),
            (r#"return show(cmsgpack.unpack('\255'))"#, "*1\r\n$2\r\n-1\r\n"),
            (r#"return show(cmsgpack.unpack('\192'))"#, "*1\r\n$3\r\nnil\r\n"),
            (r#"return show(cmsgpack.unpack('\194'))"#, "*1\r\n$5\r\nfalse\r\n"),
            (r#"return show(cmsgpack.unpack('\195'))"#, "*1\r\n$4\r\ntrue\r\n"),
            (r#"return show(cmsgpack.unpack('\163abc'))"#, "*1\r\n$5\r\n\"abc\"\r\n"),
            (r#"return show(cmsgpack.unpack('\217\3abc'))"#, "*1\r\n$5\r\n\"abc\"\r\n"),
            (r#"return show(cmsgpack.unpack('\218\0\3abc'))"#, "*1\r\n$5\r\n\"abc\"\r\n"),
            (r#"return show(cmsgpack.unpack('\219\0\0\0\3abc'))"#, "*1\r\n$5\r\n\"abc\"\r\n"),
            (r#"return show(cmsgpack.unpack('\144'))"#, "*1\r\n$4\r\n{}#0\r\n"),
            (r#"return show(cmsgpack.unpack('\128'))"#, "*1\r\n$4\r\n{}#0\r\n"),
            (r#"return show(cmsgpack.unpack('\147\1\2\3'))"#, "*1\r\n$15\r\n{1=1,2=2,3=3}#3\r\n"),
            (r#"return show(cmsgpack.unpack('\220\0\2\1\2'))"#, "*1\r\n$11\r\n{1=1,2=2}#2\r\n"),
            (r#"return show(cmsgpack.unpack('\221\0\0\0\2\1\2'))"#, "*1\r\n$11\r\n{1=1,2=2}#2\r\n"),
            (r#"return show(cmsgpack.unpack('\130\161a\1\161b\2'))"#, "*1\r\n$15\r\n{\"a\"=1,\"b\"=2}#0\r\n"),
            (r#"return show(cmsgpack.unpack('\222\0\1\1\2'))"#, "*1\r\n$7\r\n{1=2}#1\r\n"),
            (r#"return show(cmsgpack.unpack('\223\0\0\0\1\1\2'))"#, "*1\r\n$7\r\n{1=2}#1\r\n"),
            (r#"return show(cmsgpack.unpack('\202\63\128\0\0'))"#, "*1\r\n$1\r\n1\r\n"),
            (r#"return show(cmsgpack.unpack('\202\255\192\0\0'))"#, "*1\r\n$4\r\n-nan\r\n"),
            (r#"return show(cmsgpack.unpack('\203\63\240\0\0\0\0\0\0'))"#, "*1\r\n$1\r\n1\r\n"),
            (r#"return show(cmsgpack.unpack('\204\255'))"#, "*1\r\n$3\r\n255\r\n"),
            (r#"return show(cmsgpack.unpack('\205\255\255'))"#, "*1\r\n$5\r\n65535\r\n"),
            (r#"return show(cmsgpack.unpack('\206\255\255\255\255'))"#, "*1\r\n$10\r\n4294967295\r\n"),
            (r#"return show(cmsgpack.unpack('\207\0\0\0\0\0\0\0\1'))"#, "*1\r\n$1\r\n1\r\n"),
            (r#"return show(cmsgpack.unpack('\207\0\32\0\0\0\0\0\1'))"#, "*1\r\n$16\r\n9007199254740992\r\n"),
            (
                r#"return show(cmsgpack.unpack('\207\127\255\255\255\255\255\255\255'))"#,
                "*1\r\n$22\r\n9.2233720368547758e+18\r\n",
            ),
            (r#"return show(cmsgpack.unpack('\207\128\0\0\0\0\0\0\0'))"#, "*1\r\n$23\r\n-9.2233720368547758e+18\r\n"),
            (r#"return show(cmsgpack.unpack('\207\255\255\255\255\255\255\255\255'))"#, "*1\r\n$2\r\n-1\r\n"),
            (r#"return show(cmsgpack.unpack('\208\128'))"#, "*1\r\n$4\r\n-128\r\n"),
            (r#"return show(cmsgpack.unpack('\209\128\0'))"#, "*1\r\n$6\r\n-32768\r\n"),
            (r#"return show(cmsgpack.unpack('\209\255\1'))"#, "*1\r\n$4\r\n-255\r\n"),
            (r#"return show(cmsgpack.unpack('\210\128\0\0\0'))"#, "*1\r\n$11\r\n-2147483648\r\n"),
            (r#"return show(cmsgpack.unpack('\211\128\0\0\0\0\0\0\0'))"#, "*1\r\n$23\r\n-9.2233720368547758e+18\r\n"),
            (r#"return show(cmsgpack.unpack('\211\255\255\255\255\255\255\255\255'))"#, "*1\r\n$2\r\n-1\r\n"),
            (r#"return show(cmsgpack.unpack('\1\2\3'))"#, "*3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n"),
            (r#"return show(cmsgpack.unpack(''))"#, "*0\r\n"),
            (r#"return show(cmsgpack.unpack('\145\145\145\1'))"#, "*1\r\n$19\r\n{1={1={1=1}#1}#1}#1\r\n"),
            (r#"return show(cmsgpack.unpack('\129\145\1\129\2\3'))"#, "*1\r\n$19\r\n{{1=1}#1={2=3}#0}#0\r\n"),
        ],
    );
}

/// NaN payloads survive as x86-64 widens floats (quiet bit set).
#[test]
fn unpack_float_nan_payloads() {
    check(
        HEX_LUA,
        &[
            (r#"return hex(cmsgpack.pack(cmsgpack.unpack('\202\127\128\0\1')))"#, "$18\r\ncb7ff8000020000000\r\n"),
            (r#"return hex(cmsgpack.pack(cmsgpack.unpack('\202\255\128\0\1')))"#, "$18\r\ncbfff8000020000000\r\n"),
            (r#"return hex(cmsgpack.pack(cmsgpack.unpack('\202\127\255\255\255')))"#, "$18\r\ncb7fffffffe0000000\r\n"),
            (
                r#"return hex(cmsgpack.pack(cmsgpack.unpack('\203\127\240\0\0\0\0\0\1')))"#,
                "$18\r\ncb7ff0000000000001\r\n",
            ),
        ],
    );
}

/// Bin, ext and 0xc1 are bad data; short input is missing bytes; bad keys raise like lua_settable.
#[test]
fn unpack_errors() {
    check("", &[
        (r#"return cmsgpack.unpack('\193')"#, "-ERR user_script:1: Bad data format in input. script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n"),
        (r#"return cmsgpack.unpack('\196\1a')"#, "-ERR user_script:1: Bad data format in input. script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n"),
        (r#"return cmsgpack.unpack('\197\0\1a')"#, "-ERR user_script:1: Bad data format in input. script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n"),
        (r#"return cmsgpack.unpack('\198\0\0\0\1a')"#, "-ERR user_script:1: Bad data format in input. script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n"),
        (r#"return cmsgpack.unpack('\199\1\1a')"#, "-ERR user_script:1: Bad data format in input. script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n"),
        (r#"return cmsgpack.unpack('\200\0\1\1a')"#, "-ERR user_script:1: Bad data format in input. script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n"),
        (r#"return cmsgpack.unpack('\201\0\0\0\1\1a')"#, "-ERR user_script:1: Bad data format in input. script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n"),
        (r#"return cmsgpack.unpack('\212\1\1')"#, "-ERR user_script:1: Bad data format in input. script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n"),
        (r#"return cmsgpack.unpack('\213\1\1\1')"#, "-ERR user_script:1: Bad data format in input. script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n"),
        (r#"return cmsgpack.unpack('\214\1\1\1\1\1')"#, "-ERR user_script:1: Bad data format in input. script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n"),
        (r#"return cmsgpack.unpack('\215\1' .. string.rep('a', 8))"#, "-ERR user_script:1: Bad data format in input. script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n"),
        (r#"return cmsgpack.unpack('\216\1' .. string.rep('a', 16))"#, "-ERR user_script:1: Bad data format in input. script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n"),
        (r#"return cmsgpack.unpack('\145')"#, "-ERR user_script:1: Missing bytes in input. script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n"),
        (r#"return cmsgpack.unpack('\129\1')"#, "-ERR user_script:1: Missing bytes in input. script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n"),
        (r#"return cmsgpack.unpack('\217\4abc')"#, "-ERR user_script:1: Missing bytes in input. script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n"),
        (r#"return cmsgpack.unpack('\219\255\255\255\255abc')"#, "-ERR user_script:1: Missing bytes in input. script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n"),
        (r#"return cmsgpack.unpack('\202\0\0')"#, "-ERR user_script:1: Missing bytes in input. script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n"),
        (r#"return cmsgpack.unpack('\203')"#, "-ERR user_script:1: Missing bytes in input. script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n"),
        (r#"return cmsgpack.unpack('\220\0')"#, "-ERR user_script:1: Missing bytes in input. script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n"),
        (r#"return cmsgpack.unpack('\145\193')"#, "-ERR user_script:1: Bad data format in input. script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n"),
        (r#"return cmsgpack.unpack('\1\193\2')"#, "-ERR user_script:1: Bad data format in input. script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n"),
        (r#"return cmsgpack.unpack('\129\192\1')"#, "-ERR table index is nil script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n"),
        (r#"return cmsgpack.unpack('\129\203\255\248\0\0\0\0\0\0\1')"#, "-ERR table index is NaN script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n"),
        (r#"return cmsgpack.unpack('\129\193\192')"#, "-ERR user_script:1: Bad data format in input. script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n"),
        (r#"return cmsgpack.unpack('\129\192\193')"#, "-ERR user_script:1: Bad data format in input. script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n"),
        (r#"return cmsgpack.unpack('\221\255\255\255\255')"#, "-ERR user_script:1: Missing bytes in input. script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n"),
        (r#"return cmsgpack.unpack('\223\255\255\255\255')"#, "-ERR user_script:1: Missing bytes in input. script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n"),
        (r#"return cmsgpack.unpack('\221\0\1\0\0' .. string.rep('\192', 5000))"#, "-ERR user_script:1: Missing bytes in input. script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n"),
        (r#"return cmsgpack.unpack()"#, "-ERR user_script:1: bad argument #1 to 'unpack' (string expected, got no value) script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n"),
        (r#"return cmsgpack.unpack(nil)"#, "-ERR user_script:1: bad argument #1 to 'unpack' (string expected, got nil) script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n"),
        (r#"return cmsgpack.unpack({})"#, "-ERR user_script:1: bad argument #1 to 'unpack' (string expected, got table) script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n"),
        (r#"local f = cmsgpack.unpack return f(nil)"#, "-ERR user_script:1: bad argument #1 to 'f' (string expected, got nil) script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n"),
        (r#"return {pcall(cmsgpack.unpack, '\193')}"#, "*2\r\n$-1\r\n$25\r\nBad data format in input.\r\n"),
    ]);
}

/// Hostile nesting fails on Lua's stack limit with the C messages.
#[test]
fn unpack_deep_nesting_hits_the_lua_stack_limit() {
    check("", &[
        (r#"return cmsgpack.unpack(string.rep('\145', 100000) .. '\1')"#, "-ERR user_script:1: stack overflow (in function mp_decode_to_lua_array) script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n"),
        (r#"return cmsgpack.unpack(string.rep('\129\1', 100000) .. '\1')"#, "-ERR user_script:1: stack overflow (too many return values at once; use unpack_one or unpack_limit instead.) script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n"),
        (r#"return cmsgpack.unpack(string.rep('\220\0\1', 100000))"#, "-ERR user_script:1: stack overflow (in function mp_decode_to_lua_array) script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n"),
        (r#"return cmsgpack.unpack(string.rep('\145', 4000) .. '\1')"#, "-ERR user_script:1: stack overflow (in function mp_decode_to_lua_array) script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n"),
        (r#"local t = cmsgpack.unpack(string.rep('\145', 3999) .. '\1') return #t"#, ":1\r\n"),
        (r#"return cmsgpack.unpack(string.rep('\129\1', 4000) .. '\1')"#, "-ERR user_script:1: stack overflow (too many return values at once; use unpack_one or unpack_limit instead.) script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n"),
        (r#"local t = cmsgpack.unpack(string.rep('\129\1', 3999) .. '\1') return #t"#, ":1\r\n"),
        (r#"return cmsgpack.unpack(string.rep('\129\145', 3000) .. '\1')"#, "-ERR user_script:1: stack overflow (too many return values at once; use unpack_one or unpack_limit instead.) script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n"),
        (r#"local t = cmsgpack.unpack(string.rep('\129\145', 2666) .. '\1') return #t"#, "-ERR user_script:1: Missing bytes in input. script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n"),
        (r#"local t = cmsgpack.unpack(string.rep('\129\145', 2667) .. '\1') return #t"#, "-ERR user_script:1: stack overflow (too many return values at once; use unpack_one or unpack_limit instead.) script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n"),
        (r#"return cmsgpack.unpack(string.rep('\129\145', 100000) .. '\1')"#, "-ERR user_script:1: stack overflow (too many return values at once; use unpack_one or unpack_limit instead.) script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n"),
    ]);
}

/// Each value takes a stack slot; the checks run where the C ones do.
#[test]
fn unpack_too_many_results() {
    check("", &[
        (r#"return select('#', cmsgpack.unpack(string.rep('\1', 7999)))"#, ":7999\r\n"),
        (r#"return select('#', cmsgpack.unpack(string.rep('\1', 8000)))"#, "-ERR user_script:1: stack overflow (too many return values at once; use unpack_one or unpack_limit instead.) script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n"),
        (r#"return select('#', cmsgpack.unpack(string.rep('\1', 7998) .. '\144'))"#, "-ERR user_script:1: stack overflow (in function mp_decode_to_lua_array) script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n"),
        (r#"return select('#', cmsgpack.unpack(string.rep('\1', 7997) .. '\144'))"#, ":7998\r\n"),
        (r#"return select('#', cmsgpack.unpack(string.rep('\1', 7998) .. '\193'))"#, "-ERR user_script:1: Bad data format in input. script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n"),
        (r#"return select('#', cmsgpack.unpack(string.rep('\1', 7999) .. '\193'))"#, "-ERR user_script:1: stack overflow (too many return values at once; use unpack_one or unpack_limit instead.) script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n"),
        (r#"return select('#', cmsgpack.unpack(string.rep('\1', 7999), 1, 2))"#, "-ERR user_script:1: stack overflow (too many return values at once; use unpack_one or unpack_limit instead.) script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n"),
        (r#"return select('#', cmsgpack.unpack(string.rep('\1', 7997), 1, 2))"#, ":7997\r\n"),
        (r#"return select('#', cmsgpack.unpack_limit(string.rep('\1', 7999), 7999))"#, "-ERR user_script:1: stack overflow (in function mp_unpack_full) script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n"),
        (r#"return select('#', cmsgpack.unpack_limit(string.rep('\1', 7999), 7998))"#, ":7999\r\n"),
        (r#"return select('#', cmsgpack.unpack_limit(string.rep('\1', 8000), 0))"#, "-ERR user_script:1: stack overflow (too many return values at once; use unpack_one or unpack_limit instead.) script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n"),
        (r#"return select('#', cmsgpack.unpack_one(string.rep('\1', 8000), 100))"#, ":2\r\n"),
    ]);
}

/// unpack_one returns the next offset (-1 at the end) and one value.
#[test]
fn unpack_one_offsets() {
    check(
        PACKED,
        &[
            (r#"return {cmsgpack.unpack_one(s)}"#, "*2\r\n:1\r\n:1\r\n"),
            (r#"return {cmsgpack.unpack_one(s, 1)}"#, "*2\r\n:4\r\n$2\r\nab\r\n"),
            (r#"return {cmsgpack.unpack_one(s, 4)}"#, "*2\r\n:-1\r\n*1\r\n:3\r\n"),
            (r#"return {cmsgpack.unpack_one(s, 6)}"#, "*1\r\n:-1\r\n"),
            (r#"return {cmsgpack.unpack_one(s, '1')}"#, "*2\r\n:4\r\n$2\r\nab\r\n"),
            (r#"return {cmsgpack.unpack_one(s, 1.9)}"#, "*2\r\n:4\r\n$2\r\nab\r\n"),
            (r#"return {cmsgpack.unpack_one(s, nil)}"#, "*2\r\n:1\r\n:1\r\n"),
            (r#"return {cmsgpack.unpack_one('')}"#, "*1\r\n:-1\r\n"),
            (r#"return {cmsgpack.unpack_one(12)}"#, "*2\r\n:1\r\n:49\r\n"),
            (r#"return {cmsgpack.unpack_one(s, 1, 'extra', 'args')}"#, "*2\r\n:4\r\n$2\r\nab\r\n"),
        ],
    );
}

/// Offsets are C casts of the double; messages print C ints.
#[test]
fn unpack_one_errors() {
    check(PACKED, &[
        (r#"return {cmsgpack.unpack_one(s, 7)}"#, "-ERR user_script:1: Start offset 7 greater than input length 6. script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n"),
        (r#"return {cmsgpack.unpack_one(s, -1)}"#, "-ERR user_script:1: Invalid request to unpack with offset of -1 and limit of 6. script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n"),
        (r#"return {cmsgpack.unpack_one(s, 8)}"#, "-ERR user_script:1: Start offset 8 greater than input length 6. script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n"),
        (r#"return {cmsgpack.unpack_one(s, 'x')}"#, "-ERR user_script:1: bad argument #2 to 'unpack_one' (number expected, got string) script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n"),
        (r#"return {cmsgpack.unpack_one(s, 2^32 + 1)}"#, "-ERR user_script:1: Start offset 1 greater than input length 6. script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n"),
        (r#"return {cmsgpack.unpack_one(s, -2^32)}"#, "-ERR user_script:1: Invalid request to unpack with offset of 0 and limit of 6. script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n"),
        (r#"return {cmsgpack.unpack_one(s, 2^63)}"#, "-ERR user_script:1: Invalid request to unpack with offset of 0 and limit of 6. script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n"),
        (r#"return {cmsgpack.unpack_one(s, 0/0)}"#, "-ERR user_script:1: Invalid request to unpack with offset of 0 and limit of 6. script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n"),
        (r#"return {cmsgpack.unpack_one(s, false)}"#, "-ERR user_script:1: bad argument #2 to 'unpack_one' (number expected, got boolean) script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n"),
        (r#"return {cmsgpack.unpack_one()}"#, "-ERR user_script:1: bad argument #1 to 'unpack_one' (string expected, got no value) script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n"),
        (r#"return {cmsgpack.unpack_one(nil, 1)}"#, "-ERR user_script:1: bad argument #1 to 'unpack_one' (string expected, got nil) script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n"),
        (r#"return {cmsgpack.unpack_one({})}"#, "-ERR user_script:1: bad argument #1 to 'unpack_one' (string expected, got table) script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n"),
        (r#"return {cmsgpack.unpack_one(s .. '\193', 6)}"#, "-ERR user_script:1: Bad data format in input. script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n"),
        (r#"return {cmsgpack.unpack_one(s, 2^31 + 1)}"#, "-ERR user_script:1: Start offset -2147483647 greater than input length 6. script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n"),
        (r#"return {cmsgpack.unpack_one(s .. '\193', 7)}"#, "*1\r\n:-1\r\n"),
    ]);
}

/// unpack_limit(s, 0) with offset 0 decodes everything and returns no offset.
#[test]
fn unpack_limit_offsets() {
    check(
        PACKED,
        &[
            (r#"return {cmsgpack.unpack_limit(s, 0)}"#, "*3\r\n:1\r\n$2\r\nab\r\n*1\r\n:3\r\n"),
            (r#"return {cmsgpack.unpack_limit(s, 0, 1)}"#, "*1\r\n:1\r\n"),
            (r#"return {cmsgpack.unpack_limit(s, 0, 6)}"#, "*1\r\n:-1\r\n"),
            (r#"return {cmsgpack.unpack_limit(s, 2)}"#, "*3\r\n:4\r\n:1\r\n$2\r\nab\r\n"),
            (r#"return {cmsgpack.unpack_limit(s, 2, 1)}"#, "*3\r\n:-1\r\n$2\r\nab\r\n*1\r\n:3\r\n"),
            (r#"return {cmsgpack.unpack_limit(s, 5, 1)}"#, "*3\r\n:-1\r\n$2\r\nab\r\n*1\r\n:3\r\n"),
            (r#"return {cmsgpack.unpack_limit(s, 2^40, 1)}"#, "*3\r\n:-1\r\n$2\r\nab\r\n*1\r\n:3\r\n"),
            (r#"return {cmsgpack.unpack_limit(s, 2^31)}"#, "*4\r\n:-1\r\n:1\r\n$2\r\nab\r\n*1\r\n:3\r\n"),
            (r#"return {cmsgpack.unpack_limit(s, 0.5)}"#, "*3\r\n:1\r\n$2\r\nab\r\n*1\r\n:3\r\n"),
            (r#"return {cmsgpack.unpack_limit(s, '1', '1')}"#, "*2\r\n:4\r\n$2\r\nab\r\n"),
            (r#"return {cmsgpack.unpack_limit(s, ' 0x1 ')}"#, "*2\r\n:1\r\n:1\r\n"),
            (r#"return {cmsgpack.unpack_limit('', 0)}"#, "*0\r\n"),
            (r#"return {cmsgpack.unpack_limit('', 1)}"#, "*1\r\n:-1\r\n"),
            (r#"return {cmsgpack.unpack_limit(s, 1, 6)}"#, "*1\r\n:-1\r\n"),
        ],
    );
}

/// Argument 2 is checked before 3, both before the string.
#[test]
fn unpack_limit_errors() {
    check(PACKED, &[
        (r#"return {cmsgpack.unpack_limit(s)}"#, "-ERR user_script:1: bad argument #2 to 'unpack_limit' (number expected, got no value) script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n"),
        (r#"return {cmsgpack.unpack_limit(s, 0, 7)}"#, "-ERR user_script:1: Start offset 7 greater than input length 6. script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n"),
        (r#"return {cmsgpack.unpack_limit(s, -1, 1)}"#, "-ERR user_script:1: Invalid request to unpack with offset of 1 and limit of 6. script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n"),
        (r#"return {cmsgpack.unpack_limit(s, 1, -5)}"#, "-ERR user_script:1: Invalid request to unpack with offset of -5 and limit of 6. script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n"),
        (r#"return {cmsgpack.unpack_limit(nil, 'x')}"#, "-ERR user_script:1: bad argument #2 to 'unpack_limit' (number expected, got string) script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n"),
        (r#"return {cmsgpack.unpack_limit(s, 1, 'x')}"#, "-ERR user_script:1: bad argument #3 to 'unpack_limit' (number expected, got string) script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n"),
        (r#"return {cmsgpack.unpack_limit(s, 1, 2^40)}"#, "-ERR user_script:1: Start offset 0 greater than input length 6. script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n"),
        (r#"return {cmsgpack.unpack_limit(s, -2^63)}"#, "-ERR user_script:1: Invalid request to unpack with offset of 0 and limit of 6. script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n"),
        (r#"return {cmsgpack.unpack_limit(s, -0.5, -0.9)}"#, "*3\r\n:1\r\n$2\r\nab\r\n*1\r\n:3\r\n"),
        (r#"return {cmsgpack.unpack_limit(nil, 1, 1)}"#, "-ERR user_script:1: bad argument #1 to 'unpack_limit' (string expected, got nil) script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n"),
    ]);
}

/// Tables are built by the same insertions as in C: same pairs() order and #t, also after later sets.
#[test]
fn unpacked_table_layout() {
    check(KEYS, &[
        (r#"return keys(cmsgpack.unpack(cmsgpack.pack({1, 2, 3})))"#, "*4\r\n$3\r\n1=1\r\n$3\r\n2=2\r\n$3\r\n3=3\r\n$2\r\n#3\r\n"),
        (r#"return keys(cmsgpack.unpack(cmsgpack.pack({1, nil, 3})))"#, "*3\r\n$3\r\n1=1\r\n$3\r\n3=3\r\n$2\r\n#1\r\n"),
        (r#"return keys(cmsgpack.unpack(cmsgpack.pack({nil, nil, 3})))"#, "*2\r\n$3\r\n3=3\r\n$2\r\n#0\r\n"),
        (r#"return keys(cmsgpack.unpack(cmsgpack.pack({1, 2, 3, 4, 5, nil, 7, 8, 9})))"#, "*9\r\n$3\r\n1=1\r\n$3\r\n2=2\r\n$3\r\n3=3\r\n$3\r\n4=4\r\n$3\r\n5=5\r\n$3\r\n7=7\r\n$3\r\n8=8\r\n$3\r\n9=9\r\n$2\r\n#9\r\n"),
        (r#"return keys(cmsgpack.unpack(cmsgpack.pack({nil})))"#, "*1\r\n$2\r\n#0\r\n"),
        (r#"return keys(cmsgpack.unpack(cmsgpack.pack({a = 1, b = 2, c = 3, d = 4, e = 5, f = 6, g = 7, h = 8, i = 9})))"#, "*10\r\n$3\r\na=1\r\n$3\r\nc=3\r\n$3\r\nb=2\r\n$3\r\ne=5\r\n$3\r\nd=4\r\n$3\r\ng=7\r\n$3\r\nf=6\r\n$3\r\ni=9\r\n$3\r\nh=8\r\n$2\r\n#0\r\n"),
        (r#"return keys(cmsgpack.unpack(cmsgpack.pack({[1] = 1, [3] = 3, [5] = 5})))"#, "*4\r\n$3\r\n1=1\r\n$3\r\n5=5\r\n$3\r\n3=3\r\n$2\r\n#1\r\n"),
        (r#"return keys(cmsgpack.unpack(cmsgpack.pack({[10] = 1, [9] = 2, [8] = 3})))"#, "*4\r\n$3\r\n8=3\r\n$4\r\n10=1\r\n$3\r\n9=2\r\n$2\r\n#0\r\n"),
        (r#"return keys(cmsgpack.unpack(cmsgpack.pack({x = 1, [1] = 2, [2] = 3})))"#, "*4\r\n$3\r\n1=2\r\n$3\r\n2=3\r\n$3\r\nx=1\r\n$2\r\n#2\r\n"),
        (r#"return keys(cmsgpack.unpack(cmsgpack.pack({abcdefghijabcdefghijabcdefghijabcdefghij1 = 1, abcdefghijabcdefghijabcdefghijabcdefghij2 = 2, abcdefghijabcdefghijabcdefghijabcdefghij3 = 3, abcdefghijabcdefghijabcdefghijabcdefghij4 = 4})))"#, "*5\r\n$43\r\nabcdefghijabcdefghijabcdefghijabcdefghij4=4\r\n$43\r\nabcdefghijabcdefghijabcdefghijabcdefghij1=1\r\n$43\r\nabcdefghijabcdefghijabcdefghijabcdefghij2=2\r\n$43\r\nabcdefghijabcdefghijabcdefghijabcdefghij3=3\r\n$2\r\n#0\r\n"),
        (r#"local s = string.char(0xdc, 0, 1) for i = 1, 1 do s = s .. (i == 1 and '\192' or string.char(i)) end local t = cmsgpack.unpack(s) t[2] = 99 t[4] = 98 return keys(t)"#, "*3\r\n$4\r\n2=99\r\n$4\r\n4=98\r\n$2\r\n#0\r\n"),
        (r#"local s = string.char(0xdc, 0, 2) for i = 1, 2 do s = s .. (i == 1 and '\192' or string.char(i)) end local t = cmsgpack.unpack(s) t[3] = 99 t[5] = 98 return keys(t)"#, "*4\r\n$4\r\n3=99\r\n$3\r\n2=2\r\n$4\r\n5=98\r\n$2\r\n#0\r\n"),
        (r#"local s = string.char(0xdc, 0, 2) for i = 1, 2 do s = s .. (i == 2 and '\192' or string.char(i)) end local t = cmsgpack.unpack(s) t[3] = 99 t[5] = 98 return keys(t)"#, "*4\r\n$3\r\n1=1\r\n$4\r\n3=99\r\n$4\r\n5=98\r\n$2\r\n#1\r\n"),
        (r#"local s = string.char(0xdc, 0, 3) for i = 1, 3 do s = s .. (i == 2 and '\192' or string.char(i)) end local t = cmsgpack.unpack(s) t[4] = 99 t[6] = 98 return keys(t)"#, "*5\r\n$3\r\n1=1\r\n$3\r\n3=3\r\n$4\r\n4=99\r\n$4\r\n6=98\r\n$2\r\n#4\r\n"),
        (r#"local s = string.char(0xdc, 0, 5) for i = 1, 5 do s = s .. (i == 3 and '\192' or string.char(i)) end local t = cmsgpack.unpack(s) t[6] = 99 t[8] = 98 return keys(t)"#, "*7\r\n$3\r\n1=1\r\n$3\r\n2=2\r\n$3\r\n4=4\r\n$3\r\n5=5\r\n$4\r\n6=99\r\n$4\r\n8=98\r\n$2\r\n#8\r\n"),
        (r#"local s = string.char(0xdc, 0, 8) for i = 1, 8 do s = s .. (i == 8 and '\192' or string.char(i)) end local t = cmsgpack.unpack(s) t[9] = 99 t[11] = 98 return keys(t)"#, "*10\r\n$3\r\n1=1\r\n$3\r\n2=2\r\n$3\r\n3=3\r\n$3\r\n4=4\r\n$3\r\n5=5\r\n$3\r\n6=6\r\n$3\r\n7=7\r\n$4\r\n9=99\r\n$5\r\n11=98\r\n$2\r\n#7\r\n"),
        (r#"local s = string.char(0xdc, 0, 9) for i = 1, 9 do s = s .. (i == 1 and '\192' or string.char(i)) end local t = cmsgpack.unpack(s) t[10] = 99 t[12] = 98 return keys(t)"#, "*11\r\n$3\r\n2=2\r\n$3\r\n3=3\r\n$3\r\n4=4\r\n$3\r\n5=5\r\n$3\r\n6=6\r\n$3\r\n7=7\r\n$3\r\n8=8\r\n$3\r\n9=9\r\n$5\r\n10=99\r\n$5\r\n12=98\r\n$3\r\n#12\r\n"),
        (r#"local s = string.char(0xdc, 0, 9) for i = 1, 9 do s = s .. (i == 5 and '\192' or string.char(i)) end local t = cmsgpack.unpack(s) t[10] = 99 t[12] = 98 return keys(t)"#, "*11\r\n$3\r\n1=1\r\n$3\r\n2=2\r\n$3\r\n3=3\r\n$3\r\n4=4\r\n$3\r\n6=6\r\n$3\r\n7=7\r\n$3\r\n8=8\r\n$3\r\n9=9\r\n$5\r\n10=99\r\n$5\r\n12=98\r\n$3\r\n#12\r\n"),
        (r#"local s = string.char(0xdc, 0, 16) for i = 1, 16 do s = s .. (i == 9 and '\192' or string.char(i)) end local t = cmsgpack.unpack(s) t[17] = 99 t[19] = 98 return keys(t)"#, "*18\r\n$3\r\n1=1\r\n$3\r\n2=2\r\n$3\r\n3=3\r\n$3\r\n4=4\r\n$3\r\n5=5\r\n$3\r\n6=6\r\n$3\r\n7=7\r\n$3\r\n8=8\r\n$5\r\n10=10\r\n$5\r\n11=11\r\n$5\r\n12=12\r\n$5\r\n13=13\r\n$5\r\n14=14\r\n$5\r\n15=15\r\n$5\r\n16=16\r\n$5\r\n17=99\r\n$5\r\n19=98\r\n$3\r\n#17\r\n"),
        (r#"local s = string.char(0xdc, 0, 17) for i = 1, 17 do s = s .. (i == 17 and '\192' or string.char(i)) end local t = cmsgpack.unpack(s) t[18] = 99 t[20] = 98 return keys(t)"#, "*19\r\n$3\r\n1=1\r\n$3\r\n2=2\r\n$3\r\n3=3\r\n$3\r\n4=4\r\n$3\r\n5=5\r\n$3\r\n6=6\r\n$3\r\n7=7\r\n$3\r\n8=8\r\n$3\r\n9=9\r\n$5\r\n10=10\r\n$5\r\n11=11\r\n$5\r\n12=12\r\n$5\r\n13=13\r\n$5\r\n14=14\r\n$5\r\n15=15\r\n$5\r\n16=16\r\n$5\r\n18=99\r\n$5\r\n20=98\r\n$3\r\n#20\r\n"),
        (r#"local s = string.char(0xdc, 0, 33) for i = 1, 33 do s = s .. (i == 17 and '\192' or string.char(i)) end local t = cmsgpack.unpack(s) t[34] = 99 t[36] = 98 return keys(t)"#, "*35\r\n$3\r\n1=1\r\n$3\r\n2=2\r\n$3\r\n3=3\r\n$3\r\n4=4\r\n$3\r\n5=5\r\n$3\r\n6=6\r\n$3\r\n7=7\r\n$3\r\n8=8\r\n$3\r\n9=9\r\n$5\r\n10=10\r\n$5\r\n11=11\r\n$5\r\n12=12\r\n$5\r\n13=13\r\n$5\r\n14=14\r\n$5\r\n15=15\r\n$5\r\n16=16\r\n$5\r\n18=18\r\n$5\r\n19=19\r\n$5\r\n20=20\r\n$5\r\n21=21\r\n$5\r\n22=22\r\n$5\r\n23=23\r\n$5\r\n24=24\r\n$5\r\n25=25\r\n$5\r\n26=26\r\n$5\r\n27=27\r\n$5\r\n28=28\r\n$5\r\n29=29\r\n$5\r\n30=30\r\n$5\r\n31=31\r\n$5\r\n32=32\r\n$5\r\n33=33\r\n$5\r\n34=99\r\n$5\r\n36=98\r\n$3\r\n#36\r\n"),
        (r#"local s = string.char(0xdc, 0, 1) .. string.rep('\1', 1) local t = cmsgpack.unpack(s) t[3] = 2 t.x = 1 local c = 0 for k in pairs(t) do c = c + 1 end return {#t, c}"#, "*2\r\n:1\r\n:3\r\n"),
        (r#"local s = string.char(0xdc, 0, 3) .. string.rep('\1', 3) local t = cmsgpack.unpack(s) t[5] = 2 t.x = 1 local c = 0 for k in pairs(t) do c = c + 1 end return {#t, c}"#, "*2\r\n:3\r\n:5\r\n"),
        (r#"local s = string.char(0xdc, 0, 8) .. string.rep('\1', 8) local t = cmsgpack.unpack(s) t[10] = 2 t.x = 1 local c = 0 for k in pairs(t) do c = c + 1 end return {#t, c}"#, "*2\r\n:10\r\n:10\r\n"),
        (r#"local s = string.char(0xdc, 0, 9) .. string.rep('\1', 9) local t = cmsgpack.unpack(s) t[11] = 2 t.x = 1 local c = 0 for k in pairs(t) do c = c + 1 end return {#t, c}"#, "*2\r\n:9\r\n:11\r\n"),
        (r#"local s = string.char(0xdc, 0, 100) .. string.rep('\1', 100) local t = cmsgpack.unpack(s) t[102] = 2 t.x = 1 local c = 0 for k in pairs(t) do c = c + 1 end return {#t, c}"#, "*2\r\n:102\r\n:102\r\n"),
        (r#"local s = string.char(0xdc, 16, 0) .. string.rep('\1', 4096) local t = cmsgpack.unpack(s) t[4098] = 2 t.x = 1 local c = 0 for k in pairs(t) do c = c + 1 end return {#t, c}"#, "*2\r\n:4098\r\n:4098\r\n"),
        (r#"local s = string.char(0xdc, 16, 1) .. string.rep('\1', 4097) local t = cmsgpack.unpack(s) t[4099] = 2 t.x = 1 local c = 0 for k in pairs(t) do c = c + 1 end return {#t, c}"#, "*2\r\n:4097\r\n:4099\r\n"),
        (r#"local s = string.char(0xdc, 19, 136) .. string.rep('\1', 5000) local t = cmsgpack.unpack(s) t[5002] = 2 t.x = 1 local c = 0 for k in pairs(t) do c = c + 1 end return {#t, c}"#, "*2\r\n:5002\r\n:5002\r\n"),
        (r#"local t = cmsgpack.unpack('\147\1\2\3') t[4] = 4 t[6] = 6 t[8] = 8 return keys(t)"#, "*7\r\n$3\r\n1=1\r\n$3\r\n2=2\r\n$3\r\n3=3\r\n$3\r\n4=4\r\n$3\r\n6=6\r\n$3\r\n8=8\r\n$2\r\n#8\r\n"),
        (r#"local t = cmsgpack.unpack('\147\192\192\192') t[4] = 4 return keys(t)"#, "*2\r\n$3\r\n4=4\r\n$2\r\n#0\r\n"),
        (r#"local t = cmsgpack.unpack('\150\192\2\192\4\192\6') t[7] = 7 return keys(t)"#, "*5\r\n$3\r\n7=7\r\n$3\r\n6=6\r\n$3\r\n4=4\r\n$3\r\n2=2\r\n$2\r\n#0\r\n"),
        (r#"local t = cmsgpack.unpack('\152\1\2\3\4\5\6\7\192') t[10] = 1 t[9] = 1 return keys(t)"#, "*10\r\n$3\r\n1=1\r\n$3\r\n2=2\r\n$3\r\n3=3\r\n$3\r\n4=4\r\n$3\r\n5=5\r\n$3\r\n6=6\r\n$3\r\n7=7\r\n$3\r\n9=1\r\n$4\r\n10=1\r\n$2\r\n#7\r\n"),
    ]);
}

/// Stack limits are per C call, also on a coroutine; numeric strings are numbers.
#[test]
fn coroutines_and_argument_coercion() {
    check("", &[
        (r#"return {coroutine.resume(coroutine.create(function() return cmsgpack.unpack(string.rep('\145', 5000)) end))}"#, "*2\r\n$-1\r\n$66\r\nuser_script:1: stack overflow (in function mp_decode_to_lua_array)\r\n"),
        (r#"return {coroutine.resume(coroutine.create(function() return select('#', cmsgpack.unpack(string.rep('\1', 7999))) end))}"#, "*2\r\n:1\r\n:7999\r\n"),
        (r#"return {coroutine.resume(coroutine.create(function() return select('#', cmsgpack.unpack(string.rep('\1', 8000))) end))}"#, "*2\r\n$-1\r\n$103\r\nuser_script:1: stack overflow (too many return values at once; use unpack_one or unpack_limit instead.)\r\n"),
        (r#"return {coroutine.resume(coroutine.create(cmsgpack.unpack), '\147\1\2\3')}"#, "-ERR user_script:1: bad argument #1 to 'create' (Lua function expected) script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n"),
        (r#"return {coroutine.resume(coroutine.create(cmsgpack.pack))}"#, "-ERR user_script:1: bad argument #1 to 'create' (Lua function expected) script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n"),
        (r#"return {cmsgpack.unpack_limit('\1\2', '0')}"#, "*2\r\n:1\r\n:2\r\n"),
        (r#"return {cmsgpack.unpack_limit('\1\2', 0, '1')}"#, "*1\r\n:1\r\n"),
        (r#"return {cmsgpack.unpack_one('\1\2', '0x1')}"#, "*2\r\n:-1\r\n:2\r\n"),
        (r#"return {cmsgpack.unpack_one('\1\2', true)}"#, "-ERR user_script:1: bad argument #2 to 'unpack_one' (number expected, got boolean) script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n"),
        (r#"return cmsgpack.unpack_limit('x')"#, "-ERR user_script:1: bad argument #2 to 'unpack_limit' (number expected, got no value) script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n"),
    ]);
}

/// Long strings, many keys, holes: the lengths and orders native gives.
#[test]
fn bigger_documents() {
    check("", &[
        (r#"local s = cmsgpack.pack(string.rep('a', 70000)) return {#s, s:byte(1), s:byte(2), s:byte(3), s:byte(4), s:byte(5)}"#, "*6\r\n:70005\r\n:219\r\n:0\r\n:1\r\n:17\r\n:112\r\n"),
        (r#"local big = {} for i = 1, 100 do big[i] = {i, tostring(i), {x = i}} end local s = cmsgpack.pack(big) local t = cmsgpack.unpack(s) return {#s, #t, t[50][2], t[100][3].x}"#, "*4\r\n:895\r\n:100\r\n$2\r\n50\r\n:100\r\n"),
        (r#"local t = {} for i = 1, 300 do t['key' .. i] = i end local u = cmsgpack.unpack(cmsgpack.pack(t)) local o = {} for k, v in pairs(u) do o[#o+1] = k end return table.concat(o, ',')"#, "$1991\r\nkey16,key106,key290,key59,key43,key136,key275,key17,key25,key29,key96,key2,key105,key206,key22,key235,key233,key115,key255,key175,key262,key53,key242,key35,key100,key86,key120,key168,key269,key179,key225,key133,key291,key259,key209,key46,key27,key112,key79,key182,key12,key217,key92,key19,key104,key167,key270,key188,key198,key130,key240,key61,key151,key248,key54,key281,key85,key65,key81,key298,key13,key147,key161,key125,key244,key148,key71,key174,key38,key247,key131,key140,key11,key49,key44,key114,key90,key37,key80,key288,key154,key195,key98,key52,key292,key58,key144,key89,key62,key278,key87,key142,key64,key1,key273,key166,key77,key211,key226,key108,key91,key93,key146,key257,key48,key261,key76,key118,key51,key141,key245,key143,key7,key41,key229,key299,key221,key243,key4,key32,key165,key5,key109,key264,key228,key203,key6,key265,key176,key272,key241,key266,key223,key173,key238,key149,key232,key220,key14,key127,key31,key189,key202,key26,key184,key201,key21,key260,key200,key137,key45,key276,key287,key3,key279,key39,key23,key274,key139,key152,key42,key157,key172,key158,key300,key207,key121,key83,key256,key138,key36,key111,key171,key20,key178,key267,key50,key297,key135,key181,key163,key250,key66,key33,key185,key196,key194,key237,key224,key119,key101,key186,key187,key132,key190,key124,key68,key123,key63,key60,key191,key213,key47,key192,key193,key153,key268,key234,key97,key99,key296,key170,key197,key34,key113,key164,key199,key284,key219,key128,key205,key285,key15,key162,key94,key159,key155,key271,key230,key239,key107,key283,key210,key289,key116,key74,key56,key156,key9,key294,key70,key40,key282,key57,key160,key117,key293,key110,key216,key215,key95,key122,key8,key254,key169,key208,key84,key214,key236,key69,key75,key78,key227,key249,key253,key218,key88,key231,key286,key295,key280,key204,key277,key55,key102,key180,key246,key72,key126,key150,key212,key177,key82,key134,key251,key252,key30,key103,key67,key10,key73,key263,key183,key129,key258,key222,key18,key145,key24,key28\r\n"),
        (r#"local t = {} for i = 1, 300 do t[i * 2] = i end local u = cmsgpack.unpack(cmsgpack.pack(t)) local o = {} for k, v in pairs(u) do o[#o+1] = k end return table.concat(o, ',')"#, "$1146\r\n158,190,222,254,316,380,444,2,4,6,8,10,12,14,16,20,382,28,32,40,48,56,64,80,96,112,128,160,192,224,256,320,384,448,512,514,258,322,386,450,516,130,162,194,226,260,324,388,452,520,522,262,326,390,454,524,66,82,98,114,132,164,196,228,264,328,392,456,528,530,266,330,394,458,532,134,166,198,230,268,332,396,460,536,538,270,334,398,462,34,42,50,58,68,84,100,116,136,168,200,232,272,336,400,464,544,546,274,338,402,466,548,138,170,202,234,276,340,404,468,552,554,278,342,406,470,556,70,86,102,118,140,172,204,236,280,344,408,472,560,562,282,346,410,474,564,142,174,206,238,284,348,412,476,568,570,286,350,26,30,36,44,52,60,72,88,104,120,144,176,208,240,288,352,416,480,576,578,290,354,418,482,580,146,178,210,242,292,356,420,484,584,586,294,358,422,486,588,74,90,106,122,148,180,212,244,296,360,424,488,592,594,298,362,426,490,596,150,182,214,246,300,364,428,492,600,302,366,430,494,38,46,54,62,76,92,108,124,152,184,216,248,304,368,432,496,306,370,434,498,154,186,218,250,308,372,436,500,310,374,438,502,24,22,78,94,110,126,156,188,220,252,312,376,440,504,18,446,414,318,478,508,542,540,534,526,510,518,314,378,442,506,550,558,566,572,574,582,590,598\r\n"),
        (r#"local t = {} for i = 1, 40 do t[i] = i end t[20] = nil local s = cmsgpack.pack(t) local u = cmsgpack.unpack(s) local o = {} for k, v in pairs(u) do o[#o+1] = k end return {s:byte(1), #u, table.concat(o, ',')}"#, "*3\r\n:222\r\n:40\r\n$107\r\n1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,21,22,23,24,25,26,27,28,29,30,31,32,33,34,35,36,37,38,39,40\r\n"),
    ]);
}

/// Unpacked values as script results.
#[test]
fn returned_to_redis() {
    check(
        "",
        &[
            (
                r#"return cmsgpack.unpack(cmsgpack.pack({1, 2, {3, {4}}}))"#,
                "*3\r\n:1\r\n:2\r\n*2\r\n:3\r\n*1\r\n:4\r\n",
            ),
            (
                r#"return {cmsgpack.unpack(cmsgpack.pack(1, 'two', {3}, {a = 1}))}"#,
                "*4\r\n:1\r\n$3\r\ntwo\r\n*1\r\n:3\r\n*0\r\n",
            ),
            (r#"return {cmsgpack.unpack(cmsgpack.pack(unpack({1, 2, 3}, 1, 3)))}"#, "*3\r\n:1\r\n:2\r\n:3\r\n"),
            (r#"return cmsgpack.unpack(cmsgpack.pack(3.7))"#, ":3\r\n"),
            (r#"return cmsgpack.unpack(cmsgpack.pack('x', 'y'))"#, "$1\r\nx\r\n"),
        ],
    );
}

/// Random maps of few, short string keys (many hash collisions, some repeated keys) with
/// scalar values: the unpacked table must be laid out exactly as one filled pair by pair
/// (same `pairs()` order, also after more keys are added).
#[test]
fn unpacked_maps_have_the_one_by_one_layout() {
    let mut vm = new_vm();
    let host = FakeHost::default();
    let mut rng = XorShift::new(0x2545_F491_4F6C_DD1D);
    for case in 0..3000 {
        let keys = colliding_keys(&mut rng, case);
        let n = keys.len();
        let mut packed: Vec<u8> = if n < 16 { vec![0x80 | n as u8] } else { vec![0xde, 0, n as u8] };
        for (i, key) in keys.iter().enumerate() {
            // Short and 8-bit-length string headers.
            if i % 5 == 2 {
                packed.extend_from_slice(&[0xd9, key.len() as u8]);
            } else {
                packed.push(0xa0 | key.len() as u8);
            }
            packed.extend_from_slice(key.as_bytes());
            // Values of every scalar kind but nil.
            match i % 4 {
                0 => packed.push(i as u8),
                1 => packed.extend_from_slice(&[0xcb, 0x40, 0x09, 0x21, 0xfb, 0x54, 0x44, 0x2d, 0x18]),
                2 => packed.extend_from_slice(&[0xa2, b'h', b'i']),
                _ => packed.push(0xc3),
            }
        }
        let script = format!(
            "{SAME_LAYOUT_LUA} local keys = {} local d = cmsgpack.unpack({}) \
             local u = {{}} for i = 1, #keys do u[keys[i]] = d[keys[i]] end \
             return tostring(same_layout(u, d))",
            lua_list(&keys),
            lua_bytes(&packed)
        );
        assert_eq!(eval_with(&mut vm, &host, &script, false), "$4\r\ntrue\r\n", "keys {keys:?}");
    }
}

/// Arrays of maps sharing keys (the layout of one map is reused for the next when their
/// keys hash alike): each unpacked map must still be laid out as one filled pair by pair.
#[test]
fn maps_sharing_keys_have_the_one_by_one_layout() {
    let mut vm = new_vm();
    let host = FakeHost::default();
    let mut rng = XorShift::new(0x0F1E_2D3C_4B5A_6978);
    for _ in 0..300 {
        let maps = shared_key_sets(&mut rng);
        let mut packed = vec![0x90 | maps.len() as u8];
        for keys in &maps {
            packed.push(0x80 | keys.len() as u8);
            for (i, k) in keys.iter().enumerate() {
                packed.push(0xa0 | k.len() as u8);
                packed.extend_from_slice(k.as_bytes());
                packed.push(i as u8);
            }
        }
        let lists: Vec<String> = maps.iter().map(|keys| lua_list(keys)).collect();
        let script = format!(
            "{SAME_LAYOUT_LUA} local lists = {{{}}} local all = cmsgpack.unpack({}) \
             for j, keys in ipairs(lists) do local t = {{}} for i = 1, #keys do t[keys[i]] = i - 1 end \
             local same = same_layout(t, all[j]) if same ~= true then return j .. ': ' .. same end end return 'same'",
            lists.join(","),
            lua_bytes(&packed)
        );
        assert_eq!(eval_with(&mut vm, &host, &script, false), "$4\r\nsame\r\n", "maps {maps:?}");
    }
}

/// Lists mixing maps of shared keys (whose key strings are cached while the list is
/// decoded) with scalars, nils, nested lists and maps that are not flat: every element must
/// come out as when unpacked on its own.
#[test]
fn list_elements_match_their_own_unpacking() {
    let mut vm = new_vm();
    let host = FakeHost::default();
    let mut rng = XorShift::new(0x5851_F42D_4C95_7F2D);
    let pool = ["", "a", "b", "ab", "sku", "qty", "x_y"];
    for _ in 0..300 {
        let n = 1 + rng.below(14) as usize;
        let mut elements: Vec<Vec<u8>> = Vec::new();
        for _ in 0..n {
            let e = match rng.below(8) {
                0 => vec![0xc0],
                1 => vec![0x92, 0x01, 0xa1, b'z'],
                2 => vec![0x81, 0xa1, b'n', 0x91, 0x07],
                3 => vec![0x2a],
                _ => {
                    let k = 1 + rng.below(4) as usize;
                    let mut m = vec![0x80 | k as u8];
                    for j in 0..k {
                        let key = pool[(j + rng.below(2) as usize) % pool.len()];
                        m.push(0xa0 | key.len() as u8);
                        m.extend_from_slice(key.as_bytes());
                        m.push(j as u8);
                    }
                    m
                }
            };
            elements.push(e);
        }
        let mut packed = vec![0x90 | n as u8];
        for e in &elements {
            packed.extend_from_slice(e);
        }
        let singles: Vec<String> = elements.iter().map(|e| lua_bytes(e)).collect();
        let script = format!(
            "{DEEP_DUMP_LUA} local all = cmsgpack.unpack({}) local singles = {{{}}} \
             for j = 1, #singles do local a, b = deep_dump(all[j]), deep_dump(cmsgpack.unpack(singles[j])) \
             if a ~= b then return j .. ': ' .. a .. ' | ' .. b end end return 'same'",
            lua_bytes(&packed),
            singles.join(",")
        );
        assert_eq!(eval_with(&mut vm, &host, &script, false), "$4\r\nsame\r\n", "{elements:?}");
    }
}

/// A Lua string literal of any bytes.
fn lua_bytes(bytes: &[u8]) -> String {
    format!("\"{}\"", bytes.iter().map(|b| format!("\\{b:03}")).collect::<String>())
}
