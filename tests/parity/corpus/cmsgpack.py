"""Parity cases for `cmsgpack` (lua-cmsgpack 0.4.0 as bundled with Redis 7.0).

Hand-written cases cover every function, encoding, error text and the stack-limit edges; a
seeded generator adds random documents (pack, unpack, repack) and random byte strings
(unpack, unpack_one, unpack_limit).
"""

import random

from parity import lua
from parity.case import registry
from parity.lua import lua_str

CASES = []
add = registry(CASES, "cmsgpack/")

# dump(v), and show(...): every result of a call, dumped.
DUMP = lua.DUMP + (
    "local function show(...) local o = {} for i = 1, select('#', ...) do o[i] = dump((select(i, ...))) end return o end "
)

# ---- the library table -------------------------------------------------------------------

add("fields_pairs_order", "local t = {} for k, v in pairs(cmsgpack) do t[#t+1] = k .. ':' .. type(v) end return t")
add("fields_values", "return {cmsgpack._NAME, cmsgpack._VERSION, cmsgpack._COPYRIGHT, cmsgpack._DESCRIPTION}")
add("global_readonly_set", "cmsgpack.x = 1")
add("global_readonly_replace", "cmsgpack.pack = nil")
add("functions_distinct", "return {cmsgpack.pack ~= cmsgpack.unpack, cmsgpack.unpack_one ~= cmsgpack.unpack_limit}")

# ---- pack: numbers ------------------------------------------------------------------------

INTS = ["0", "1", "127", "128", "255", "256", "65535", "65536", "4294967295", "4294967296", "2^53", "2^53+1",
        "2^62", "2^63-1024", "-1", "-31", "-32", "-33", "-127", "-128", "-129", "-32767", "-32768", "-32769",
        "-2147483647", "-2147483648", "-2147483649", "-2^53", "-2^63", "-0.0"]
for i, v in enumerate(INTS):
    add("pack_int_%02d" % i, "return cmsgpack.pack(%s)" % v)
FLOATS = ["2^63", "2^64", "1e19", "-2^63-2048", "-2^64", "0.5", "-0.5", "0.1", "1/3", "3.14", "1e-45", "1e-46",
          "1e38", "3.4028234663852886e38", "3.5e38", "1e300", "-1e300", "1/0", "-1/0", "0/0", "-(0/0)",
          "2^-149", "2^-150", "2^-1074", "1.5", "123456.5", "16777216.5", "2^31+0.5"]
for i, v in enumerate(FLOATS):
    add("pack_float_%02d" % i, "return cmsgpack.pack(%s)" % v)
add("pack_numeric_string_stays_string", "return cmsgpack.pack('12')")

# ---- pack: strings and other scalars ------------------------------------------------------

for n in [0, 1, 31, 32, 255, 256, 65535, 65536]:
    add("pack_str_len_%d" % n, "return cmsgpack.pack(string.rep('x', %d))" % n)
add("pack_str_binary", "return cmsgpack.pack('\\0\\1\\2\\255')")
for name, v in [("true", "true"), ("false", "false"), ("nil", "nil"), ("function", "print"),
                ("thread", "coroutine.create(print)"), ("lightuserdata", "cjson.null")]:
    add("pack_scalar_" + name, "return cmsgpack.pack(%s)" % v)

# ---- pack: tables -------------------------------------------------------------------------

TABLES = [
    ("empty", "{}"), ("array3", "{1, 2, 3}"), ("hole_middle", "{1, nil, 3}"), ("hole_first", "{nil, 2}"),
    ("sparse", "{[1] = 1, [3] = 3}"), ("key0", "{[0] = 1}"), ("key_neg", "{[-1] = 1}"), ("key_frac", "{[1.5] = 1}"),
    ("key_numeric_string", "{['1'] = 1}"), ("map1", "{a = 1}"), ("map3", "{a = 1, b = 2, c = 3}"),
    ("mixed", "{1, 2, a = 3}"), ("key_2_31", "{[2^31] = 1}"), ("key_int_max", "{[2^31 - 1] = 1}"),
    ("key_bool", "{[true] = false}"), ("hash_part_array", "{[3] = 3, [1] = 1, [2] = 2}"),
    ("nested", "{x = {y = {z = {1}}}}"), ("table_key", "{[{1, 2}] = {3, 4}}"), ("empties", "{{}, {{}}}"),
    ("strings", "{[1] = 'a', [2] = 'b', [3] = 'c', x = 'y'}"),
    ("long_keys", "{abcdefghijabcdefghijabcdefghijabcdefghij1 = 1, abcdefghijabcdefghijabcdefghijabcdefghij2 = 2, "
                  "abcdefghijabcdefghijabcdefghijabcdefghij3 = 3, abcdefghijabcdefghijabcdefghijabcdefghij4 = 4}"),
    ("eight_keys", "{a = 1, b = 2, c = 3, d = 4, e = 5, f = 6, g = 7, h = 8}"),
    ("removed_last", "(function() local t = {1, 2, 3, 4, 5} t[5] = nil return t end)()"),
    ("removed_middle", "(function() local t = {1, 2, 3, 4, 5} t[3] = nil return t end)()"),
    ("array_plus_key", "(function() local t = {} for i = 1, 20 do t[i] = i end t.x = 1 return t end)()"),
    ("metatable_index", "setmetatable({}, {__index = function() return 1 end})"),
    ("metatable_len", "setmetatable({1, 2}, {__index = function() return 1 end, __len = function() return 9 end})"),
]
for name, v in TABLES:
    add("pack_table_" + name, "return cmsgpack.pack(%s)" % v)
for n, key in [(15, "i"), (16, "i"), (65535, "i"), (65536, "i"), (15, "'k' .. i"), (16, "'k' .. i"),
               (65535, "'k' .. i"), (65536, "'k' .. i")]:
    kind = "array" if key == "i" else "map"
    add("pack_%s_%d" % (kind, n),
        "local t = {} for i = 1, %d do t[%s] = i end local s = cmsgpack.pack(t) return {s:sub(1, 16), #s}" % (n, key))

# ---- pack: nesting, self references, several arguments -------------------------------------

add("pack_self_ref_array", "local t = {} t[1] = t return cmsgpack.pack(t)")
add("pack_self_ref_map", "local t = {} t.a = t return cmsgpack.pack(t)")
add("pack_self_ref_key", "local t = {} t[t] = 1 return #cmsgpack.pack(t)")
add("pack_self_ref_twice", "local t = {} t[1] = t return cmsgpack.pack(t, t)")
for depth in [15, 16, 17]:
    add("pack_depth_%d" % depth,
        "local t = {} local c = t for i = 1, %d do c[1] = {} c = c[1] end c[1] = 5 return cmsgpack.pack(t)" % depth)
add("pack_depth_map", "local t = {} local c = t for i = 1, 16 do c.k = {} c = c.k end return cmsgpack.pack(t)")
add("pack_args_numbers", "return cmsgpack.pack(1, 2, 3)")
add("pack_args_mixed", "return cmsgpack.pack('a', {1}, nil, true)")
add("pack_args_nils", "return cmsgpack.pack(nil, nil)")
add("pack_args_4000", "local t = {} for i = 1, 4000 do t[i] = i end return #cmsgpack.pack(unpack(t))")
add("pack_args_from_argv", "return cmsgpack.pack(unpack(ARGV))", args=("a", "bb", "1"))

# ---- pack: errors -------------------------------------------------------------------------

add("pack_no_args", "return cmsgpack.pack()")
add("pack_no_args_local_name", "local f = cmsgpack.pack return f()")
add("pack_no_args_pcall", "local ok, e = pcall(cmsgpack.pack) return {tostring(ok), e}")
add("pack_too_many_args", "local t = {} for i = 1, 4001 do t[i] = i end return #cmsgpack.pack(unpack(t))")
for pos, val, name in [(4000, "{}", "last_table"), (3999, "{}", "table_3999"), (3998, "{a = 1}", "map_3998"),
                       (3998, "{1}", "array_3998"), (3997, "{[2] = 1}", "sparse_3997"),
                       (3998, "{[2] = 1}", "sparse_3998"), (3998, "{{}}", "nested_3998"), (3997, "{{}}", "nested_3997"),
                       (3996, "{a = {}}", "map_nested_3996"), (3995, "{a = {b = 1}}", "map_nested_3995"),
                       (3996, "{[{}] = 1}", "table_key_3996"), (3995, "{[{}] = 1}", "table_key_3995"),
                       (3994, "{[{1}] = {2}}", "table_key_3994")]:
    add("pack_stack_edge_" + name,
        "local t = {} for i = 1, 4000 do t[i] = i end t[%d] = %s return #cmsgpack.pack(unpack(t))" % (pos, val))

# ---- coroutines, numeric-string arguments, metatables, bigger documents ---------------------

MISC = [
    "return coroutine.wrap(function() return cmsgpack.pack({1, {a = 2}}) end)()",
    "return {coroutine.resume(coroutine.create(function() return cmsgpack.unpack(string.rep('\\145', 5000)) end))}",
    "return {coroutine.resume(coroutine.create(function() return select('#', cmsgpack.unpack(string.rep('\\1', 7999))) end))}",
    "return {coroutine.resume(coroutine.create(function() return select('#', cmsgpack.unpack(string.rep('\\1', 8000))) end))}",
    "return {coroutine.resume(coroutine.create(function() local t = {} for i = 1, 4001 do t[i] = i end "
    "return cmsgpack.pack(unpack(t)) end))}",
    "return {coroutine.resume(coroutine.create(cmsgpack.unpack), '\\147\\1\\2\\3')}",
    "return {coroutine.resume(coroutine.create(cmsgpack.unpack_one), '\\1\\2', 1)}",
    "return {coroutine.resume(coroutine.create(cmsgpack.pack))}",
    "return {pcall(cmsgpack.unpack_limit, '\\1', nil)}",
    "return {cmsgpack.unpack_limit('\\1\\2', '0')}",
    "return {cmsgpack.unpack_limit('\\1\\2', '0', '0')}",
    "return {cmsgpack.unpack_limit('\\1\\2', 0, '1')}",
    "return {cmsgpack.unpack_one('\\1\\2', '0x1')}",
    "return {cmsgpack.unpack_one('\\1\\2', '1e0')}",
    "return {cmsgpack.unpack_one('\\1\\2', true)}",
    "return {cmsgpack.unpack_one('\\1\\2', {})}",
    "return cmsgpack.unpack_one()",
    "return cmsgpack.unpack_limit()",
    "return cmsgpack.unpack_limit('x')",
    "local t = setmetatable({}, {__newindex = function() error('x') end}) return cmsgpack.pack(t)",
    "return cmsgpack.pack(setmetatable({1, 2, 3}, {__pairs = function() error('x') end}))",
    "local s = cmsgpack.pack(string.rep('a', 70000)) return {#s, s:byte(1), s:byte(2), s:byte(3), s:byte(4), s:byte(5)}",
    "local s = cmsgpack.pack({string.rep('a', 70000), string.rep('b', 300)}) "
    "return {#s, #cmsgpack.unpack(s)[1], #cmsgpack.unpack(s)[2]}",
    "local big = {} for i = 1, 100 do big[i] = {i, tostring(i), {x = i}} end local s = cmsgpack.pack(big) "
    "local t = cmsgpack.unpack(s) return {#s, #t, t[50][2], t[100][3].x}",
    "local t = {} for i = 1, 300 do t['key' .. i] = i end local u = cmsgpack.unpack(cmsgpack.pack(t)) "
    "local o = {} for k, v in pairs(u) do o[#o+1] = k end return table.concat(o, ',')",
    "local t = {} for i = 1, 300 do t[i * 2] = i end local u = cmsgpack.unpack(cmsgpack.pack(t)) "
    "local o = {} for k, v in pairs(u) do o[#o+1] = k end return table.concat(o, ',')",
    "local t = {} for i = 1, 40 do t[i] = i end t[20] = nil local s = cmsgpack.pack(t) local u = cmsgpack.unpack(s) "
    "local o = {} for k, v in pairs(u) do o[#o+1] = k end return {s:byte(1), #u, table.concat(o, ',')}",
    "return cmsgpack.pack(0/0 == 0/0, -0.0, 1e-310, -1e-310, 2^1023, 4.9e-324)",
    "return tostring(cmsgpack.unpack('\\203\\0\\0\\0\\0\\0\\0\\0\\1'))",
    "return tostring(cmsgpack.unpack('\\203\\128\\0\\0\\0\\0\\0\\0\\0'))",
    "return tostring(cmsgpack.unpack('\\202\\128\\0\\0\\0'))",
    "return tostring(cmsgpack.unpack('\\202\\0\\0\\0\\1'))",
    "return tostring(cmsgpack.unpack('\\202\\127\\128\\0\\0'))",
    "local t = {} for i = 1, 10 do t[i] = i end for i = 1, 10 do t[i] = nil end t[1] = 1 return cmsgpack.pack(t)",
    "local t = {1, 2, 3} t[2] = nil t[2] = 2 return cmsgpack.pack(t)",
    "local t = {} t[1] = 1 t[2] = 2 t[4] = 4 t[3] = 3 return cmsgpack.pack(t)",
    "local t = {n = 1} t.n = nil t[1] = 1 return cmsgpack.pack(t)",
]
for i, script in enumerate(MISC):
    add("misc_%02d" % i, script)

# ---- unpack: every type -------------------------------------------------------------------

UNPACK = [
    "\x00", "\x7f", "\xe0", "\xff", "\xc0", "\xc2", "\xc3", "\xa3abc", "\xd9\x03abc", "\xda\x00\x03abc",
    "\xdb\x00\x00\x00\x03abc", "\x90", "\x80", "\x93\x01\x02\x03", "\xdc\x00\x02\x01\x02", "\xdd\x00\x00\x00\x02\x01\x02",
    "\x82\xa1a\x01\xa1b\x02", "\xde\x00\x01\x01\x02", "\xdf\x00\x00\x00\x01\x01\x02", "\xca\x3f\x80\x00\x00",
    "\xca\xff\xc0\x00\x00", "\xcb\x3f\xf0\x00\x00\x00\x00\x00\x00", "\xcc\xff", "\xcd\xff\xff", "\xce\xff\xff\xff\xff",
    "\xcf\x00\x00\x00\x00\x00\x00\x00\x01", "\xcf\x00\x20\x00\x00\x00\x00\x00\x01", "\xcf\x7f\xff\xff\xff\xff\xff\xff\xff",
    "\xcf\x80\x00\x00\x00\x00\x00\x00\x00", "\xcf\xff\xff\xff\xff\xff\xff\xff\xff", "\xd0\x80", "\xd1\x80\x00",
    "\xd1\xff\x01", "\xd2\x80\x00\x00\x00", "\xd3\x80\x00\x00\x00\x00\x00\x00\x00",
    "\xd3\xff\xff\xff\xff\xff\xff\xff\xff", "\x01\x02\x03", "", "\x91\x91\x91\x01", "\x81\x91\x01\x81\x02\x03",
    "\x93\xc0\xc0\x03", "\x81\x01\xc0",
]
for i, s in enumerate(UNPACK):
    add("unpack_type_%02d" % i, DUMP + "return show(cmsgpack.unpack(%s))" % lua_str(s.encode("latin-1")))
add("unpack_returned_nested", "return cmsgpack.unpack(cmsgpack.pack({1, 2, {3, {4}}}))")
add("unpack_returned_multi", "return {cmsgpack.unpack(cmsgpack.pack(1, 'two', {3}, {a = 1}))}")
add("unpack_returned_float", "return cmsgpack.unpack(cmsgpack.pack(3.7))")
add("unpack_number_argument", "return {cmsgpack.unpack(123)}")
add("unpack_float_argument", "return {cmsgpack.unpack(12.5)}")
for i, s in enumerate(["\xca\x7f\x80\x00\x01", "\xca\xff\x80\x00\x01", "\xca\x7f\xff\xff\xff",
                       "\xcb\x7f\xf0\x00\x00\x00\x00\x00\x01"]):
    add("unpack_nan_payload_%d" % i, "return cmsgpack.pack(cmsgpack.unpack(%s))" % lua_str(s.encode("latin-1")))

# ---- unpack: errors -----------------------------------------------------------------------

BAD = [
    "\xc1", "\xc4\x01a", "\xc5\x00\x01a", "\xc6\x00\x00\x00\x01a", "\xc7\x01\x01a", "\xc8\x00\x01\x01a",
    "\xc9\x00\x00\x00\x01\x01a", "\xd4\x01\x01", "\xd5\x01\x01\x01", "\xd6\x01\x01\x01\x01\x01",
    "\xd7\x01" + "a" * 8, "\xd8\x01" + "a" * 16, "\x91", "\x81\x01", "\xd9\x04abc", "\xdb\xff\xff\xff\xffabc",
    "\xca\x00\x00", "\xcb", "\xdc\x00", "\x91\xc1", "\x01\xc1\x02", "\x81\xc0\x01",
    "\x81\xcb\xff\xf8\x00\x00\x00\x00\x00\x00\x01", "\x81\xc1\xc0", "\x81\xc0\xc1", "\xdd\xff\xff\xff\xff",
    "\xdf\xff\xff\xff\xff", "\xcf\x00", "\xd3\x00\x00",
]
for i, s in enumerate(BAD):
    add("unpack_error_%02d" % i, "return cmsgpack.unpack(%s)" % lua_str(s.encode("latin-1")))
add("unpack_error_huge_array_of_nils", "return cmsgpack.unpack('\\221\\0\\1\\0\\0' .. string.rep('\\192', 5000))")
add("unpack_error_no_args", "return cmsgpack.unpack()")
add("unpack_error_nil", "return cmsgpack.unpack(nil)")
add("unpack_error_table", "return cmsgpack.unpack({})")
add("unpack_error_local_name", "local f = cmsgpack.unpack return f(nil)")
add("unpack_error_pcall", "local ok, e = pcall(cmsgpack.unpack, '\\193') return {tostring(ok), e}")
add("unpack_error_pcall_nil_key", "local ok, e = pcall(cmsgpack.unpack, '\\129\\192\\1') return {tostring(ok), e}")

# ---- unpack: hostile nesting and the Lua stack limit ---------------------------------------

add("deep_array_100k", "return cmsgpack.unpack(string.rep('\\145', 100000) .. '\\1')")
add("deep_map_100k", "return cmsgpack.unpack(string.rep('\\129\\1', 100000) .. '\\1')")
add("deep_array16_100k", "return cmsgpack.unpack(string.rep('\\220\\0\\1', 100000))")
add("deep_map_of_arrays_100k", "return cmsgpack.unpack(string.rep('\\129\\145', 100000) .. '\\1')")
add("deep_array_4000", "return cmsgpack.unpack(string.rep('\\145', 4000) .. '\\1')")
add("deep_array_3999", "local t = cmsgpack.unpack(string.rep('\\145', 3999) .. '\\1') return #t")
add("deep_map_4000", "return cmsgpack.unpack(string.rep('\\129\\1', 4000) .. '\\1')")
add("deep_map_3999", "local t = cmsgpack.unpack(string.rep('\\129\\1', 3999) .. '\\1') return #t")
add("deep_mixed_2666", "local t = cmsgpack.unpack(string.rep('\\129\\145', 2666) .. '\\1') return #t")
add("deep_mixed_2667", "local t = cmsgpack.unpack(string.rep('\\129\\145', 2667) .. '\\1') return #t")
add("deep_pcall", "local ok, e = pcall(cmsgpack.unpack, string.rep('\\145', 5000)) return {tostring(ok), e}")
for name, script in [
    ("7999", "select('#', cmsgpack.unpack(string.rep('\\1', 7999)))"),
    ("8000", "select('#', cmsgpack.unpack(string.rep('\\1', 8000)))"),
    ("7998_then_array", "select('#', cmsgpack.unpack(string.rep('\\1', 7998) .. '\\144'))"),
    ("7997_then_array", "select('#', cmsgpack.unpack(string.rep('\\1', 7997) .. '\\144'))"),
    ("7998_then_bad", "select('#', cmsgpack.unpack(string.rep('\\1', 7998) .. '\\193'))"),
    ("7999_then_bad", "select('#', cmsgpack.unpack(string.rep('\\1', 7999) .. '\\193'))"),
    ("extra_args_7999", "select('#', cmsgpack.unpack(string.rep('\\1', 7999), 1, 2))"),
    ("extra_args_7997", "select('#', cmsgpack.unpack(string.rep('\\1', 7997), 1, 2))"),
    ("limit_7999", "select('#', cmsgpack.unpack_limit(string.rep('\\1', 7999), 7999))"),
    ("limit_7998", "select('#', cmsgpack.unpack_limit(string.rep('\\1', 7999), 7998))"),
    ("limit_0_all", "select('#', cmsgpack.unpack_limit(string.rep('\\1', 8000), 0))"),
    ("one_offset", "select('#', cmsgpack.unpack_one(string.rep('\\1', 8000), 100))"),
]:
    add("too_many_" + name, "return " + script)

# ---- unpack_one / unpack_limit -------------------------------------------------------------

PACKED = "local s = cmsgpack.pack(1, 'ab', {3}) "
ONE = ["s", "s, 1", "s, 4", "s, 6", "s, '1'", "s, 1.9", "s, nil", "''", "12", "s, 1, 'extra', 'args'",
       "s, 7", "s, -1", "s, 8", "s, 'x'", "s, 2^32 + 1", "s, -2^32", "s, 2^63", "s, 0/0", "s, false", "", "nil, 1",
       "{}", "s .. '\\193', 6", "s .. '\\193', 7", "s .. '\\146', 7", "s, 2^31 + 1", "s, ' 4 '"]
for i, a in enumerate(ONE):
    add("unpack_one_%02d" % i, PACKED + "return {cmsgpack.unpack_one(%s)}" % a)
LIMIT = ["s, 0", "s, 0, 1", "s, 0, 6", "s, 2", "s, 2, 1", "s, 5, 1", "s, 2^40, 1", "s, 2^31", "s, 0.5",
         "s, '1', '1'", "s, ' 0x1 '", "'', 0", "'', 1", "s, 1, 6", "s", "s, 0, 7", "s, -1, 1", "s, 1, -5",
         "nil, 'x'", "s, 1, 'x'", "s, 1, 2^40", "s, -2^63", "s, -0.5, -0.9", "nil, 1, 1", "s, 3, 0", "s, 1, 1, 1"]
for i, a in enumerate(LIMIT):
    add("unpack_limit_%02d" % i, PACKED + "return {cmsgpack.unpack_limit(%s)}" % a)
add("unpack_one_loop",
    "local s = cmsgpack.pack(1, {2}, 'three', {a = 4}) local out, off = {}, 0 "
    "while off >= 0 do local v off, v = cmsgpack.unpack_one(s, off) out[#out+1] = type(v) end return out")
add("unpack_limit_loop",
    "local s = string.rep(cmsgpack.pack(1, 2, 3), 5) local out, off = {}, 0 "
    "while off >= 0 do local r = {cmsgpack.unpack_limit(s, 4, off)} off = r[1] out[#out+1] = #r end return out")
add("unpack_limit_zero_quirk", "return {cmsgpack.unpack_limit(cmsgpack.pack(1, 2, 3), 0)}")

# ---- layout of unpacked tables ------------------------------------------------------------

KEYS = ("local function keys(t) local o = {} for k, v in pairs(t) do o[#o+1] = tostring(k) .. '=' .. tostring(v) end "
        "o[#o+1] = '#' .. #t return o end ")
for i, v in enumerate(["{1, 2, 3}", "{1, nil, 3}", "{nil, nil, 3}", "{1, 2, 3, 4, 5, nil, 7, 8, 9}", "{nil}",
                       "{a = 1, b = 2, c = 3, d = 4, e = 5, f = 6, g = 7, h = 8, i = 9}", "{[1] = 1, [3] = 3, [5] = 5}",
                       "{[10] = 1, [9] = 2, [8] = 3}", "{x = 1, [1] = 2, [2] = 3}", TABLES[20][1]]):
    add("layout_roundtrip_%02d" % i, KEYS + "return keys(cmsgpack.unpack(cmsgpack.pack(%s)))" % v)
for n, nilpos in [(1, 1), (2, 1), (2, 2), (3, 2), (5, 3), (8, 8), (9, 1), (9, 5), (16, 9), (17, 17), (33, 17)]:
    add("layout_nil_%d_at_%d" % (n, nilpos),
        KEYS + "local s = string.char(0xdc, 0, %d) for i = 1, %d do s = s .. (i == %d and '\\192' or string.char(i)) end "
        "local t = cmsgpack.unpack(s) t[%d] = 99 t[%d] = 98 return keys(t)" % (n, n, nilpos, n + 1, n + 3))
for n in [1, 3, 8, 9, 100, 4096, 4097, 5000]:
    add("layout_grow_%d" % n,
        "local t = cmsgpack.unpack(string.char(0xdc, %d, %d) .. string.rep('\\1', %d)) t[%d] = 2 t.x = 1 "
        "local c = 0 for k in pairs(t) do c = c + 1 end return {#t, c}" % (n >> 8, n & 255, n, n + 2))
add("layout_after_sets", KEYS + "local t = cmsgpack.unpack('\\147\\1\\2\\3') t[4] = 4 t[6] = 6 t[8] = 8 return keys(t)")
add("layout_all_nil", KEYS + "local t = cmsgpack.unpack('\\147\\192\\192\\192') t[4] = 4 return keys(t)")
add("layout_alternating_nil", KEYS + "local t = cmsgpack.unpack('\\150\\192\\2\\192\\4\\192\\6') t[7] = 7 return keys(t)")
add("layout_trailing_nil", KEYS + "local t = cmsgpack.unpack('\\152\\1\\2\\3\\4\\5\\6\\7\\192') t[10] = 1 t[9] = 1 return keys(t)")

# ---- data from the client and the keyspace ---------------------------------------------------

add("argv_unpack", DUMP + "return show(cmsgpack.unpack(ARGV[1]))", args=(b"\x93\x01\xa1x\x81\xa1k\xc3",))
add("argv_unpack_bad", "return cmsgpack.unpack(ARGV[1])", args=(b"\xc1",))
add("argv_unpack_one", "return {cmsgpack.unpack_one(ARGV[1], tonumber(ARGV[2]))}", args=(b"\x01\x02\x03", "1"))
add("argv_roundtrip", "return cmsgpack.pack(cmsgpack.unpack(ARGV[1]))",
    args=(b"\x82\xa1a\x01\xa1b\xcb\x3f\xb9\x99\x99\x99\x99\x99\x9a",))
add("keyspace_store_packed", "redis.call('SET', KEYS[1], cmsgpack.pack({1, 'two', {three = 3}})) "
    "return redis.call('GET', KEYS[1])", keys=("cm:k",))
add("keyspace_read_packed", DUMP + "return show(cmsgpack.unpack(redis.call('GET', KEYS[1])))", keys=("cm:k",),
    setup=(("SET", "cm:k", b"\x92\xa3abc\xcd\x01\x00"),))
add("keyspace_hash_fields", "local t = cmsgpack.unpack(ARGV[1]) for k, v in pairs(t) do redis.call('HSET', KEYS[1], k, v) end "
    "return redis.call('HLEN', KEYS[1])", keys=("cm:h",), args=(b"\x83\xa1a\x01\xa1b\x02\xa1c\x03",))

# ---- generated: random documents, seeded --------------------------------------------------

rng = random.Random(0x6D7367)


def rand_num():
    k = rng.randrange(10)
    if k == 0:
        return str(rng.randrange(-40, 200))
    if k == 1:
        return str(rng.randrange(-2 ** 40, 2 ** 40))
    if k == 2:
        return repr(rng.uniform(-1e6, 1e6))
    if k == 3:
        return "2^%d" % rng.randrange(0, 70)
    if k == 4:
        return "-2^%d" % rng.randrange(0, 70)
    if k == 5:
        return "%d.5" % rng.randrange(-1000, 1000)
    if k == 6:
        return "%d.25" % rng.randrange(-2 ** 20, 2 ** 20)
    if k == 7:
        return str(rng.choice([0, 127, 128, 255, 256, 65535, 65536, 2 ** 32 - 1, 2 ** 32, -32, -33, -128, -129,
                               -32768, -32769, -2 ** 31, -2 ** 31 - 1]))
    if k == 8:
        return rng.choice(["1e-300", "1e300", "0.1", "(1/3)", "2.5e-8", "(0/0)", "(1/0)"])
    return "(%d/%d)" % (rng.randrange(-100, 100), rng.randrange(1, 50))


def rand_str():
    n = rng.choice([0, 1, 5, 31, 32, 33, 100, 255, 256, 300])
    if rng.random() < 0.5:
        return "string.rep(%s, %d)" % (lua_str(bytes([rng.randrange(256)])), n)
    return lua_str(bytes(rng.randrange(256) for _ in range(min(n, 40))))


def rand_key():
    k = rng.randrange(6)
    if k == 0:
        num = rand_num()
        return "[%s]" % ("1.5" if num == "(0/0)" else num)
    if k == 1:
        return "[%s]" % rand_str()
    if k == 2:
        return "[%d]" % rng.randrange(1, 20)
    if k == 3:
        return rng.choice(["[true]", "[false]"])
    return "k%d" % rng.randrange(40)


def rand_val(depth=0):
    k = rng.randrange(10 if depth < 4 else 6)
    if k < 2:
        return rand_num()
    if k < 4:
        return rand_str()
    if k == 4:
        return rng.choice(["true", "false", "nil"])
    if k == 5:
        return rng.choice(["'k'", "1", "0.5", "{}"])
    if k in (6, 7):
        n = rng.choice([0, 1, 3, 15, 16, 17])
        return "{" + ",".join(rand_val(depth + 1) for _ in range(n)) + "}"
    n = rng.choice([1, 2, 5, 15, 16, 20])
    return "{" + ",".join("%s=%s" % (rand_key(), rand_val(depth + 1)) for _ in range(n)) + "}"


for i in range(120):
    values = ",".join(rand_val() for _ in range(rng.choice([1, 1, 1, 2, 3])))
    add("random_doc_%03d" % i,
        DUMP + "local ok, p = pcall(cmsgpack.pack, %s) if not ok then return p end "
        "local r = {p} local u = {pcall(cmsgpack.unpack, p)} for i = 1, #u do r[#r+1] = dump(u[i]) end "
        "if u[1] then r[#r+1] = cmsgpack.pack(select(2, unpack(u))) end return r" % values)

# ---- generated: random byte strings, seeded -----------------------------------------------

TAGS = (list(range(0x80, 0xa0)) + [0xc0, 0xc1, 0xc2, 0xc3, 0xc4, 0xca, 0xcb, 0xcc, 0xcd, 0xce, 0xcf, 0xd0, 0xd1,
        0xd2, 0xd3, 0xd4, 0xd9, 0xda, 0xdb, 0xdc, 0xdd, 0xde, 0xdf, 0xe0, 0xff, 0x00, 0x7f, 0xa3])
for i in range(80):
    n = rng.randrange(1, 30)
    data = bytes(rng.choice(TAGS) if rng.random() < 0.6 else rng.randrange(256) for _ in range(n))
    add("random_bytes_%03d" % i,
        DUMP + "local s = ARGV[1] local r = {} "
        "local u = {pcall(cmsgpack.unpack, s)} for i = 1, #u do r[#r+1] = dump(u[i]) end "
        "local o = {pcall(cmsgpack.unpack_one, s, %d)} for i = 1, #o do r[#r+1] = dump(o[i]) end "
        "local l = {pcall(cmsgpack.unpack_limit, s, %d, %d)} for i = 1, #l do r[#r+1] = dump(l[i]) end return r"
        % (rng.randrange(0, n + 2), rng.randrange(0, 4), rng.randrange(0, n + 2)),
        args=(data,))

# Truncations and single-byte corruptions of valid documents.
for i in range(40):
    doc = rand_val(1)
    cut = rng.randrange(1, 40)
    pos = rng.randrange(1, 40)
    add("random_damaged_%03d" % i,
        DUMP + "local p = cmsgpack.pack(%s) local r = {} "
        "local u = {pcall(cmsgpack.unpack, p:sub(1, #p - %d))} for i = 1, #u do r[#r+1] = dump(u[i]) end "
        "local q = p:sub(1, %d - 1) .. string.char(%d) .. p:sub(%d + 1) "
        "local v = {pcall(cmsgpack.unpack, q)} for i = 1, #v do r[#r+1] = dump(v[i]) end return r"
        % (doc, cut, pos, rng.choice(TAGS), pos))
