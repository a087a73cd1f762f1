"""Parity corpus for the `struct` library (Redis's lua_struct.c)."""

import random

from parity.case import registry
from parity.lua import SHOW, TRY, lua_str

# Hex dump of a packed string, so replies show every byte.
HX = (
    "local function hx(s) return (s:gsub('.', function(c) "
    "return string.format('%02x', c:byte()) end)) end "
)

CASES = []
case = registry(CASES, "struct/")


# --- library table -----------------------------------------------------------------------
case("pairs-order", "local t = {} for k, v in pairs(struct) do t[#t + 1] = k .. '=' .. type(v) end "
     "return table.concat(t, ' ')")
case("global-type", "return type(struct)")
case("readonly", "struct.pack = nil return 1")
case("readonly-new-field", "struct.foo = 1 return 1")
case("len", "return #struct")

# --- size --------------------------------------------------------------------------------
for fmt in ["", "b", "B", "h", "H", "l", "L", "T", "i", "I", "f", "d", "x", "c", "c1", "c10",
            "i1", "i2", "i3", "i5", "i8", "i16", "i32", "I0", "i0", "i4 d b", "!8 b d",
            "! b d", "!4 b d", "!2 b i", "!16 b i16", "!1 b d", "b !8 d", "!8 b i3",
            "!8 b i5 b i6 b i7", "!8 b h b l b f b T", "<>  <>", "y", "z", "a5", "5", "9i",
            "!8 c3 d", "!8 x d", "i4i4", "c2147483647", "c2147483647 c2147483647",
            "!1073741824 d", "ZZZ", "b\0s"]:
    case(f"size-{fmt!r}", f"return struct.size({lua_str(fmt.encode())})")
for fmt in ["s", "<s", "s!3", "c0", "b c0", "!3", "!0", "!", "!6 b", "i33", "I99",
            "i99999999999", "c99999999999", "!99999999999", "i2147483647", "i2147483648",
            "c2147483648", "?", "b#", "b\x80", "=", "-", "[", "b\xff"]:
    case(f"size-err-{fmt!r}", TRY + f"return try(struct.size, {lua_str(fmt.encode('latin-1'))})")
case("size-number-fmt", "return struct.size(44)")
case("size-nil", TRY + "return try(struct.size)")
case("size-table", TRY + "return try(struct.size, {})")
case("size-err-direct", "return struct.size('s')")
case("size-err-local-name", "local sz = struct.size return sz('c0')")
case("size-overflow-direct", "return struct.size('i99999999999')")

# --- pack: integers ----------------------------------------------------------------------
INT_VALUES = ["0", "1", "-1", "127", "128", "-128", "255", "256", "-129", "32767", "-32768",
              "65535", "65536", "2147483647", "-2147483648", "4294967295", "4294967296",
              "2^53", "-2^53", "2^63", "-2^63", "2^63+4096", "2^64", "2^64-2048", "-2^64",
              "1e300", "-1e300", "1/0", "-1/0", "0/0", "-(0/0)", "2.7", "-2.7", "0.5", "-0.5",
              "1.8e19", "'12'", "' 0x10 '", "'1e3'", "-0.0"]
for f in ["b", "B", "h", "H", "i", "I", "l", "L", "T"]:
    vals = ", ".join(INT_VALUES)
    case(f"pack-int-{f}", HX + f"local t = {{}} for _, v in ipairs({{{vals}}}) do "
         f"t[#t + 1] = hx(struct.pack('<{f}', v)) .. '/' .. hx(struct.pack('>{f}', v)) end "
         "return table.concat(t, ' ')")
for n in [0, 1, 2, 3, 5, 6, 7, 8, 9, 12, 15, 16, 17, 31, 32]:
    vals = ", ".join(INT_VALUES)
    case(f"pack-i{n}", HX + f"local t = {{}} for _, v in ipairs({{{vals}}}) do "
         f"t[#t + 1] = hx(struct.pack('<i{n}', v)) .. '/' .. hx(struct.pack('>I{n}', v)) end "
         "return table.concat(t, ' ')")
case("pack-spec-example", "return struct.pack('>I2', 258)")
case("pack-native-order", HX + "return hx(struct.pack('i h', 1, 2))")
case("pack-order-switch", HX + "return hx(struct.pack('<i>i<h', 1, 1, 1))")

# --- pack: floats ------------------------------------------------------------------------
FLOATS = ["0", "-0.0", "1", "-1", "0.1", "1/3", "1e38", "3.5e38", "1e-45", "1e-46", "1e300",
          "1/0", "-1/0", "0/0", "-(0/0)", "2^24+1", "'2.5'", "123456789.123"]
for f in ["f", "d"]:
    vals = ", ".join(FLOATS)
    case(f"pack-float-{f}", HX + f"local t = {{}} for _, v in ipairs({{{vals}}}) do "
         f"t[#t + 1] = hx(struct.pack('<{f}', v)) .. '/' .. hx(struct.pack('>{f}', v)) end "
         "return table.concat(t, ' ')")

# --- pack: strings, padding, alignment ---------------------------------------------------
case("pack-c-exact", "return struct.pack('c3', 'abc')")
case("pack-c-longer", "return struct.pack('c3', 'abcdef')")
case("pack-c-default", "return struct.pack('c', 'xyz')")
case("pack-c0", "return struct.pack('c0', 'hello')")
case("pack-c0-empty", "return struct.pack('c0 b', '', 65)")
case("pack-c-number", "return struct.pack('c0', 12.5)")
case("pack-c-number-int", "return struct.pack('c0', 2^53)")
case("pack-s", HX + "return hx(struct.pack('s', 'abc'))")
case("pack-s-embedded-nul", HX + "return hx(struct.pack('s', 'a\\0b'))")
case("pack-s-empty", HX + "return hx(struct.pack('s', ''))")
case("pack-s-number", HX + "return hx(struct.pack('s', 1e100))")
case("pack-s2-digits", HX + "local ok, e = pcall(struct.pack, 's2', 'ab') return tostring(e)")
case("pack-x", HX + "return hx(struct.pack('x b x x', 1))")
case("pack-align-default-none", HX + "return hx(struct.pack('b d', 1, 2))")
case("pack-align-8", HX + "return hx(struct.pack('!8 b d b i b h b l', 1, 2, 3, 4, 5, 6, 7, 8))")
case("pack-align-bare", HX + "return hx(struct.pack('! b d', 1, 2))")
case("pack-align-2", HX + "return hx(struct.pack('!2 b i b d', 1, 2, 3, 4))")
case("pack-align-4", HX + "return hx(struct.pack('!4 b d b h', 1, 2, 3, 4))")
case("pack-align-odd-sizes", HX + "return hx(struct.pack('!8 b i3 b i5 b i6 b i7 i3', 1, 2, 3, 4, 5, 6, 7, 8, 9))")
case("pack-align-c-not-aligned", HX + "return hx(struct.pack('!8 b c3 d', 1, 'abc', 2))")
case("pack-align-after-s", HX + "return hx(struct.pack('!8 s d', 'ab', 1))")
case("pack-align-x", HX + "return hx(struct.pack('!8 x x x i', 7))")
case("pack-align-big", HX + "return hx(struct.pack('!1073741824 b d', 1, 2))")
case("pack-align-i16", HX + "return hx(struct.pack('!16 b i16', 1, 2))")
case("pack-align-f", HX + "return hx(struct.pack('!8 b f', 1, 2))")
case("pack-align-T", HX + "return hx(struct.pack('!4 b T', 1, 2))")
case("pack-align-reset", HX + "return hx(struct.pack('!8 b d', 1, 2)) .. ' ' .. hx(struct.pack('b d', 1, 2))")
case("pack-empty", "return struct.pack('')")
case("pack-spaces", "return struct.pack('   ')")
case("pack-nul-in-format", "return struct.pack('c1\\0c1', 'a', 'b')")
case("pack-number-format", "return struct.pack(3)")
case("pack-extra-args", HX + "return hx(struct.pack('b', 1, 2, 3, {}))")
case("pack-many", HX + "return #struct.pack(string.rep('i', 200), unpack((function() local t = {} "
     "for i = 1, 200 do t[i] = i end return t end)()))")
case("pack-big-c", "return #struct.pack('c100000', string.rep('x', 100000))")
# Results larger than the C library's 8 KB buffer, digested.
case("pack-big-ints", "local t = {} for i = 1, 5000 do t[i] = i * 7919 - 2^20 end "
     "local s = struct.pack(string.rep('<i', 5000), unpack(t)) return {#s, redis.sha1hex(s)}")
case("pack-big-mixed", "local s = struct.pack('c0 i s c0 d', string.rep('ab', 5000), 7, string.rep('z', 8190), "
     "string.rep('q', 8192), 1.5) return {#s, redis.sha1hex(s)}")
case("pack-big-many-strings", "local t, f = {}, {} for i = 1, 300 do t[i] = string.rep(string.char(65 + i % 26), i * 37) f[i] = 's' end "
     "local s = struct.pack(table.concat(f), unpack(t)) return {#s, redis.sha1hex(s)}")
case("pack-big-padding", "local s = struct.pack('!8 ' .. string.rep('b d ', 2000), unpack((function() local t = {} "
     "for i = 1, 4000 do t[i] = i end return t end)())) return {#s, redis.sha1hex(s)}")
case("pack-big-x", "local s = struct.pack(string.rep('x', 20000)) return {#s, redis.sha1hex(s)}")
case("pack-big-missing-arg", "return struct.pack('c0 c0 b', string.rep('x', 9000), string.rep('y', 9000))")
case("pack-i0-then-b", HX + "return hx(struct.pack('i0 b', 5, 6))")
case("pack-i0-missing", TRY + "return try(struct.pack, 'i0')")
case("pack-huge-c-short", TRY + "return try(struct.pack, 'c2147483647', 'abc')")

# --- pack: errors ------------------------------------------------------------------------
for name, args in [
    ("no-args", ""),
    ("fmt-table", "{}"),
    ("fmt-nil", "nil"),
    ("fmt-bool", "true"),
    ("missing-number", "'b'"),
    ("nil-number", "'b', nil"),
    ("string-number", "'b', 'abc'"),
    ("table-number", "'i', {}"),
    ("bool-number", "'h', false"),
    ("second-missing", "'b b', 1"),
    ("third-bad", "'b b b', 1, 2, 'x'"),
    ("float-bad", "'f', 'z'"),
    ("double-bad", "'d', {}"),
    ("string-missing", "'c1'"),
    ("string-table", "'s', {}"),
    ("string-bool", "'c0', true"),
    ("c3-short", "'c3', 'ab'"),
    ("c3-short-later", "'b c3', 1, 'ab'"),
    ("invalid-y", "'y'"),
    ("invalid-after", "'bbq', 1, 2"),
    ("invalid-digit", "'5'"),
    ("invalid-digit-after-b", "'b5', 1"),
    ("invalid-hash", "'#'"),
    ("invalid-high-byte", "'\\200'"),
    ("invalid-equal", "'='"),
    ("invalid-newline", "'\\n'"),
    ("invalid-tab", "'\\t'"),
    ("align-3", "'!3'"),
    ("align-0", "'!0'"),
    ("align-huge", "'!99999999999'"),
    ("align-2^31", "'!2147483648'"),
    ("i33", "'i33', 1"),
    ("i40", "'I40', 1"),
    ("int-overflow", "'i99999999999', 1"),
    ("c-overflow", "'c99999999999', 'a'"),
    ("c-2^31", "'c2147483648', 'a'"),
    ("i-2^31-1", "'i2147483647', 1"),
    ("error-before-value", "'b y', 1"),
    ("value-before-error", "'b y'"),
]:
    case(f"pack-err-{name}", TRY + f"return try(struct.pack, {args})" if args else TRY + "return try(struct.pack)")
case("pack-err-direct-short", "return struct.pack('c3', 'ab')")
case("pack-err-direct-invalid", "return struct.pack('y')")
case("pack-err-direct-overflow", "return struct.pack('c99999999999', 'a')")
case("pack-err-direct-align", "return struct.pack('!3')")
case("pack-err-direct-number", "return struct.pack('i', 'x')")
case("pack-err-method-call", "return struct:pack('b')")
case("pack-err-local-alias", "local p = struct.pack return p('b', nil)")
case("pack-err-direct-high-byte", "return struct.pack('\\200')")
case("size-err-local-high-byte", "local sz = struct.size return sz('\\255')")
case("unpack-err-field-high-byte", "local t = {u = struct.unpack} return t.u('\\128', '')")
case("pack-err-upvalue-high-byte", "local p = struct.pack local function f() return p('b\\200', 1) end return f()")
case("pack-err-method-high-byte", "local t = setmetatable({}, {__index = {p = struct.pack}}) return t:p()")

# --- unpack ------------------------------------------------------------------------------
case("unpack-spec-example", SHOW + "return show(struct.unpack('<i4', '\\254\\255\\255\\255'))")
case("unpack-table-reply", "return {struct.unpack('<i4 B', '\\254\\255\\255\\255\\7')}")
ALLBYTES = lua_str(bytes([0x80, 0xff, 0x01, 0x7f, 0x00, 0xfe, 0x55, 0xaa] * 5))
for f in ["b", "B", "h", "H", "i", "I", "l", "L", "T", "i1", "I1", "i3", "I3", "i5", "I5",
          "i6", "i7", "I7", "i8", "I8", "i9", "I9", "i10", "i12", "i15", "I16", "i16", "i31",
          "i32", "I32", "i0", "I0"]:
    case(f"unpack-int-{f}", SHOW + f"local s = {ALLBYTES} local t = {{}} "
         f"for p = 1, 8 do t[#t + 1] = show(struct.unpack('<{f}', s, p)) .. '|' .. "
         f"show(struct.unpack('>{f}', s, p)) end return table.concat(t, ' ')")
case("unpack-sign-ext-9", SHOW + "return show(struct.unpack('<i9', '\\128' .. ('\\0'):rep(8)))")
case("unpack-sign-ext-12", SHOW + "return show(struct.unpack('<i12', '\\0\\0\\0\\0\\1' .. ('\\0'):rep(7)))")
case("unpack-sign-ext-16", SHOW + "return show(struct.unpack('<i16', '\\1' .. ('\\0'):rep(6) .. '\\128' .. ('\\0'):rep(8)))")
case("unpack-all-ff", SHOW + "local s = ('\\255'):rep(32) local t = {} for _, f in ipairs({'i8','I8','i32','I32','I7','i7','L','l','T'}) do "
     "t[#t + 1] = show(struct.unpack(f, s)) end return table.concat(t, ' ')")
case("unpack-int-reply-I8", "return {struct.unpack('<I8', ('\\255'):rep(8))}")
case("unpack-int-reply-I32", "return {struct.unpack('<I32', ('\\255'):rep(32))}")
for f in ["f", "d"]:
    case(f"unpack-float-{f}", SHOW + f"local t = {{}} for _, v in ipairs({{{', '.join(FLOATS)}}}) do "
         f"t[#t + 1] = show(struct.unpack('<{f}', struct.pack('<{f}', v))) .. '|' .. "
         f"show(struct.unpack('>{f}', struct.pack('>{f}', v))) end return table.concat(t, ' ')")
case("unpack-float-snan", SHOW + "return show(struct.unpack('<f', '\\1\\0\\128\\127'), struct.unpack('>f', '\\255\\128\\0\\1'))")
case("unpack-double-snan", SHOW + "return show(struct.unpack('<d', '\\1\\0\\0\\0\\0\\0\\240\\127'))")
case("pack-nan-payload", HX + "local v = struct.unpack('<d', '\\171\\205\\239\\1\\0\\0\\248\\255') "
     "local w = struct.unpack('<d', '\\5\\0\\0\\0\\0\\0\\240\\127') "
     "return hx(struct.pack('<d f >d f', v, v, w, w))")
case("unpack-float-denormal", SHOW + "return show(struct.unpack('<f', '\\1\\0\\0\\0'), struct.unpack('<d', '\\1\\0\\0\\0\\0\\0\\0\\0'))")
case("unpack-float-raw", SHOW + f"local s = {ALLBYTES} local t = {{}} for p = 1, 8 do "
     "t[#t + 1] = show(struct.unpack('<f >f <d >d', s, p)) end return table.concat(t, ' ')")
case("unpack-c", SHOW + "return show(struct.unpack('c3 c1 c', 'abcdefgh'))")
case("unpack-c0", SHOW + "return show(struct.unpack('b c0', '\\2abc'))")
case("unpack-c0-string-size", SHOW + "return show(struct.unpack('c1 c0', '2abc'))")
case("unpack-c0-space-size", SHOW + "return show(struct.unpack('c2 c0', ' 2abc'))")
case("unpack-c0-hex-size", SHOW + "return show(struct.unpack('c3 c0', '0x2abc'))")
case("unpack-c0-frac-size", SHOW + "return show(struct.unpack('c4 c0', '1.99abc'))")
case("unpack-c0-zero", SHOW + "return show(struct.unpack('c1c0', '0abc'))")
case("unpack-c0-float-size", SHOW + "return show(struct.unpack('f c0', '\\0\\0\\0\\64abc'))")
case("unpack-c0-neg", TRY + "return try(struct.unpack, 'b c0', '\\255abc')")
case("unpack-c0-nan", TRY + "return try(struct.unpack, 'd c0', struct.pack('d', 0/0) .. 'abc')")
case("unpack-c0-inf", TRY + "return try(struct.unpack, 'd c0', struct.pack('d', 1/0) .. 'abc')")
case("unpack-c0-huge", TRY + "return try(struct.unpack, 'd c0', struct.pack('d', 2^64) .. 'abc')")
case("unpack-c0-2^63", TRY + "return try(struct.unpack, 'd c0', struct.pack('d', 2^63) .. 'abc')")
case("unpack-c0-too-long", TRY + "return try(struct.unpack, 'b c0', '\\9abc')")
case("unpack-c0-first", TRY + "return try(struct.unpack, 'c0', 'abc')")
case("unpack-c0-after-string", TRY + "return try(struct.unpack, 'c1 c0', 'xabc')")
case("unpack-c0-after-x", TRY + "return try(struct.unpack, 'x c0', 'xabc')")
case("unpack-c0-with-pos-arg", TRY + "return try(struct.unpack, 'c0', 'abc', 1)")
case("unpack-c0-chain", TRY + "return try(struct.unpack, 'B c0 c0', '\\2\\49abc')")
case("unpack-c0-chain-ok", SHOW + "return show(struct.unpack('B c0 c0', '\\2\\49\\50abc'))")
case("unpack-c0-b-then", SHOW + "return show(struct.unpack('b c0 b', '\\1x\\5'))")
case("unpack-c0-direct", "return struct.unpack('c0', 'abc')")
case("unpack-s", SHOW + "return show(struct.unpack('s s', 'abc\\0\\0def\\0'))")
case("unpack-s-unfinished", TRY + "return try(struct.unpack, 's', 'abc')")
case("unpack-s-unfinished-direct", "return struct.unpack('s', 'abc')")
case("unpack-s-at-end", TRY + "return try(struct.unpack, 'b s', 'a')")
case("unpack-s-past-end", TRY + "return try(struct.unpack, 's', 'abc', 5)")
case("unpack-s-align", SHOW + "return show(struct.unpack('!8 s d', 'ab\\0\\0\\0\\0\\0\\0' .. struct.pack('d', 1.5)))")
case("unpack-x", SHOW + "return show(struct.unpack('x b x', 'abc'))")
case("unpack-x-short", TRY + "return try(struct.unpack, 'b x', 'a')")
case("unpack-empty", SHOW + "return show(struct.unpack('', ''))")
case("unpack-empty-pos", SHOW + "return show(struct.unpack('', 'abc', 3))")
case("unpack-empty-far-pos", SHOW + "return show(struct.unpack('', 'abc', 100))")
case("unpack-empty-neg-pos", SHOW + "return show(struct.unpack('', 'x', -5))")
case("unpack-empty-huge-pos", SHOW + "return show(struct.unpack('', '', 1e30))")
case("unpack-empty-nan-pos", SHOW + "return show(struct.unpack('', '', 0/0))")
case("unpack-pos-2", SHOW + "return show(struct.unpack('b', 'ab', 2))")
case("unpack-pos-end", SHOW + "return show(struct.unpack('b', 'ab', 3))")
case("unpack-pos-past", TRY + "return try(struct.unpack, 'b', 'ab', 4)")
case("unpack-pos-control", TRY + "return try(struct.unpack, '>', '', 5)")
case("unpack-pos-control-ok", SHOW + "return show(struct.unpack('>', '', 1))")
case("unpack-pos-space-past", TRY + "return try(struct.unpack, ' ', 'ab', 4)")
case("unpack-pos-zero", TRY + "return try(struct.unpack, 'b', 'a', 0)")
case("unpack-pos-zero-direct", "return struct.unpack('b', 'a', 0)")
case("unpack-pos-half", TRY + "return try(struct.unpack, 'b', 'a', 0.5)")
case("unpack-pos-frac", SHOW + "return show(struct.unpack('b', 'ab', 1.9))")
case("unpack-pos-neg", TRY + "return try(struct.unpack, 'b', 'a', -1)")
case("unpack-pos-string", SHOW + "return show(struct.unpack('b', 'ab', '2'))")
case("unpack-pos-bad-string", TRY + "return try(struct.unpack, 'b', 'ab', 'x')")
case("unpack-pos-table", TRY + "return try(struct.unpack, 'b', 'ab', {})")
case("unpack-pos-nil", SHOW + "return show(struct.unpack('b', 'ab', nil))")
case("unpack-pos-bool", TRY + "return try(struct.unpack, 'b', 'ab', false)")
case("unpack-pos-huge", TRY + "return try(struct.unpack, 'b', 'ab', 2^63)")
case("unpack-pos-neg-huge", TRY + "return try(struct.unpack, 'b', 'ab', -2^63)")
case("unpack-extra-args", SHOW + "return show(struct.unpack('b c0', '\\1xyz', 1, 'extra', {}))")
case("unpack-extra-args-c0", TRY + "return try(struct.unpack, 'c0', 'abc', 1, 5)")
case("unpack-data-number", SHOW + "return show(struct.unpack('c3 c0', 12345))")
case("unpack-fmt-number", SHOW + "return show(struct.unpack(8, 'abc'))")
case("unpack-align", SHOW + "local s = struct.pack('!8 b d b i b h b l', 1, 2, 3, 4, 5, 6, 7, 8) "
     "return show(struct.unpack('!8 b d b i b h b l', s))")
case("unpack-align-from-pos", SHOW + "return show(struct.unpack('!4 i', 'xxxxxxxx\\1\\0\\0\\0', 2))")
case("unpack-align-odd", SHOW + "local s = struct.pack('!8 b i3 b i5 b i6', 1, 2, 3, 4, 5, 6) "
     "return show(#s, struct.unpack('!8 b i3 b i5 b i6', s))")
case("unpack-align-neg-pos", TRY + "return try(struct.unpack, '!8 d', 'abc', -3)")
case("unpack-nul-in-format", SHOW + "return show(struct.unpack('b\\0b', 'ab'))")
case("unpack-order", SHOW + "return show(struct.unpack('>h<h', '\\1\\2\\1\\2'))")
case("unpack-many", "local t = {struct.unpack(string.rep('b', 7996), string.rep('a', 8000))} return #t")
case("unpack-many-max", "local t = {struct.unpack(string.rep('b', 7997), string.rep('a', 8000))} return #t")
case("unpack-many-direct", "return struct.unpack(string.rep('b', 7997), string.rep('a', 8000))")
case("unpack-too-many", TRY + "return try(struct.unpack, string.rep('b', 8000), string.rep('a', 8000))")
case("unpack-too-many-direct", "return struct.unpack(string.rep('b', 8000), string.rep('a', 8000))")
case("unpack-too-many-spaces", TRY + "return try(struct.unpack, string.rep('b', 7997) .. '    ', string.rep('a', 8000))")
case("unpack-too-many-x", "local t = {struct.unpack(string.rep('x', 9000), string.rep('a', 9000))} return #t")
case("unpack-full-stack-high-byte", "return struct.unpack(string.rep('b', 7996) .. '\\200', string.rep('a', 8000))")
case("unpack-full-stack-invalid", "return struct.unpack(string.rep('b', 7996) .. 'y', string.rep('a', 8000))")
case("unpack-full-stack-overflow-first", "return struct.unpack(string.rep('b', 7997) .. '\\200', string.rep('a', 8000))")
case("unpack-too-many-extra", TRY + "return try(struct.unpack, string.rep('b', 7996), string.rep('a', 8000), 1, 2, 3)")

# --- unpack: errors ----------------------------------------------------------------------
for name, args in [
    ("no-args", ""),
    ("fmt-only", "'b'"),
    ("data-nil", "'b', nil"),
    ("data-table", "'b', {}"),
    ("fmt-table", "{}, 'a'"),
    ("short-b", "'b', ''"),
    ("short-h", "'h', 'a'"),
    ("short-i", "'i', 'abc'"),
    ("short-l", "'l', 'abcdefg'"),
    ("short-d", "'d', 'abcdefg'"),
    ("short-f", "'f', 'abc'"),
    ("short-c", "'c5', 'abcd'"),
    ("short-later", "'b b b', 'ab'"),
    ("short-huge-c", "'c2147483647', 'abc'"),
    ("short-align", "'!8 b d', 'a'"),
    ("invalid", "'q', 'abc'"),
    ("invalid-after-values", "'b b y', 'abc'"),
    ("invalid-high", "'\\255', 'abc'"),
    ("invalid-digit", "'7', 'abc'"),
    ("align-3", "'!3', 'abc'"),
    ("i33", "'i33', 'abc'"),
    ("int-overflow", "'i99999999999', 'abc'"),
    ("c-overflow", "'c99999999999', 'abc'"),
    ("short-before-invalid", "'d y', 'abc'"),
]:
    case(f"unpack-err-{name}", TRY + f"return try(struct.unpack, {args})" if args else TRY + "return try(struct.unpack)")
case("unpack-err-direct-short", "return struct.unpack('i', 'ab')")
case("unpack-err-direct-invalid", "return struct.unpack('y', 'ab')")
case("unpack-err-direct-overflow", "return struct.unpack('i99999999999', 'ab')")

# --- security cases (CVE-2018-11218, CVE-2020-14147) -------------------------------------
case("cve-2020-14147-size", "return struct.size('i99999999999')")
case("cve-2020-14147-pack", "return struct.pack('c99999999999', 'a')")
case("cve-2020-14147-unpack", "return struct.unpack('c99999999999', 'a')")
case("cve-2018-11218-unpack-huge-c", TRY + "return try(struct.unpack, 'c2147483647', string.rep('a', 100))")
case("cve-2018-11218-unpack-wrap", TRY + "return try(struct.unpack, 'c2147483647 c2147483647', 'a')")
case("cve-2018-11218-pos-wrap", TRY + "return try(struct.unpack, 'i4', 'abcd', -1)")
case("cve-2018-11218-pos-wrap-c0", TRY + "return try(struct.unpack, 'b c0', '\\255abcd')")
case("cve-huge-i-pack", TRY + "return try(struct.pack, 'i2147483647', 1)")
case("cve-huge-i-unpack", TRY + "return try(struct.unpack, 'i2147483647', 'a')")

# --- round trips -------------------------------------------------------------------------
case("roundtrip-mixed", SHOW + "local s = struct.pack('>!4 b h i l f d s c3 B H I L T', -1, -2, -3, -4, 1.5, 2.25, "
     "'str', 'abc', 1, 2, 3, 4, 5) return show(#s, struct.unpack('>!4 b h i l f d s c3 B H I L T', s))")
case("roundtrip-c0-length-prefix", SHOW + "local s = struct.pack('>I2 c0', 5, 'hello') "
     "return show(s, struct.unpack('>I2 c0', s))")


# --- seeded random formats ---------------------------------------------------------------
def _random_cases():
    rng = random.Random(0x57C7)
    int_opts = ["b", "B", "h", "H", "i", "I", "l", "L", "T", "i1", "i2", "i3", "I3", "i5",
                "I6", "i7", "i8", "I8", "i9", "i12", "I16"]
    for k in range(40):
        parts, vals = [], []
        for _ in range(rng.randint(1, 10)):
            r = rng.random()
            if r < 0.1:
                parts.append(rng.choice(["<", ">", "!", "!1", "!2", "!4", "!8", "!16", " ", "x"]))
            elif r < 0.55:
                parts.append(rng.choice(int_opts))
                choice = rng.random()
                if choice < 0.3:
                    vals.append(str(rng.randint(-300, 300)))
                elif choice < 0.6:
                    vals.append(str(rng.randint(-2**40, 2**40)))
                elif choice < 0.8:
                    vals.append(repr(rng.uniform(-1e12, 1e12)))
                else:
                    vals.append(str(rng.randint(0, 2**62)))
            elif r < 0.75:
                parts.append(rng.choice(["f", "d"]))
                vals.append(repr(rng.uniform(-1e6, 1e6)))
            elif r < 0.9:
                n = rng.randint(1, 6)
                parts.append(f"c{n}")
                vals.append(lua_str(bytes(rng.randrange(256) for _ in range(n + rng.randint(0, 2)))))
            else:
                parts.append("s")
                vals.append(lua_str(bytes(rng.randrange(1, 256) for _ in range(rng.randint(0, 5)))))
        fmt = "".join(parts)
        args = ", ".join([lua_str(fmt.encode())] + vals)
        case(f"random-{k}", SHOW + HX + f"local s = struct.pack({args}) "
             f"return hx(s) .. ' = ' .. show(struct.unpack({lua_str(fmt.encode())}, s))")
    # Random bytes through random formats (errors included).
    for k in range(20):
        data = bytes(rng.randrange(256) for _ in range(rng.randint(0, 24)))
        fmt = "".join(rng.choice(int_opts + ["f", "d", "x", "c2", "s", "<", ">", "!4"])
                      for _ in range(rng.randint(1, 6)))
        pos = rng.choice(["1", "2", "3", str(rng.randint(1, 20))])
        case(f"random-unpack-{k}", TRY + f"return try(struct.unpack, {lua_str(fmt.encode())}, {lua_str(data)}, {pos})")
        case(f"random-size-{k}", TRY + f"return try(struct.size, {lua_str(fmt.encode())})")


_random_cases()
