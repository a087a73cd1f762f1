"""Parity cases for `cjson` (lua-cjson 2.1.0 as bundled with Redis 7.0, with its strbuf and
fpconv helpers).

Hand-written cases cover every function, option, error text and limit; a seeded generator
adds random documents (encode, decode, round trips) and randomly damaged JSON texts.
"""

import json
import random

from parity.case import registry
from parity.lua import DUMP, lua_str

CASES = []
add = registry(CASES, "cjson/")


def decode_case(name, text, prefix=""):
    """Decode `text` and show the result (or the error) without losing type detail."""
    add(name, DUMP + prefix + "local ok, v = pcall(cjson.decode, %s) "
        "if not ok then return {'err', v} end return {'ok', dump(v)}" % lua_str(text))


def encode_case(name, expr, prefix=""):
    add(name, prefix + "local ok, v = pcall(cjson.encode, %s) return {ok and 'ok' or 'err', v}" % expr)


# ---- the library table -------------------------------------------------------------------

add("fields_pairs_order", "local t = {} for k, v in pairs(cjson) do t[#t+1] = k .. ':' .. type(v) end return t")
add("new_pairs_order", "local t = {} for k, v in pairs(cjson.new()) do t[#t+1] = k .. ':' .. type(v) end return t")
add("fields_values", "return {cjson._NAME, cjson._VERSION, type(cjson.null), tostring(cjson.null)}")
add("null_identity", "return {cjson.null == cjson.decode('null'), cjson.new().null == cjson.null, "
    "rawequal(cjson.null, cjson.decode('[null]')[1])}")
add("new_is_independent", "local c = cjson.new() return {c ~= cjson, c.encode ~= cjson.encode, c.new ~= cjson.new, "
    "c._NAME, c._VERSION}")
add("global_readonly_set", "cjson.x = 1")
add("global_readonly_replace", "cjson.encode = nil")
add("new_table_writable", "local c = cjson.new() c.encode = 1 c.x = 2 return {c.encode, c.x}")
add("new_from_new", "local c = cjson.new().new() c.encode_number_precision(2) return {c.encode(math.pi), cjson.encode(math.pi)}")
add("config_survives_collect", "local c = cjson.new() c.encode_number_precision(4) collectgarbage('collect') "
    "return c.encode(math.pi)")
add("many_instances", "local r = {} for i = 1, 200 do local c = cjson.new() c.encode_number_precision(1 + i % 14) "
    "r[#r+1] = c.encode(math.pi) end collectgarbage('collect') return r")
add("memory_of_new", "collectgarbage('collect') collectgarbage('stop') local a = collectgarbage('count') "
    "local c = cjson.new() local b = collectgarbage('count') collectgarbage('restart') return tostring((b - a) * 1024)")

# ---- encode: scalars ----------------------------------------------------------------------

NUMBERS = ["0", "-0.0", "1", "-1", "0.1", "1/3", "-2/3", "1e100", "1e-100", "123456789012345", "12345678901234",
           "99999999999999", "99999999999999.5", "2^53", "-2^63", "2^63", "1e-7", "0.0001", "0.00001", "1e15",
           "1e14", "123.456", "5e-324", "2.2250738585072014e-308", "1.7976931348623157e308", "0.5", "2.5", "1.25",
           "98.6", "1234.5", "-0.001", "1e21", "123456.7890123", "0.000123456789012345", "math.pi", "-math.pi",
           "1/0", "-1/0", "0/0", "-(0/0)", "2^31", "2^32", "-2^31", "4503599627370496.5", "0.1 + 0.2"]
for i, v in enumerate(NUMBERS):
    encode_case("number_%02d" % i, v)
for i, v in enumerate(["true", "false", "nil", "cjson.null", "''", "'hello'", "'12'", "'caf\\195\\169'"]):
    encode_case("scalar_%d" % i, v)
for start in range(0, 256, 32):
    encode_case("bytes_%03d" % start, "(function() local t = {} for i = %d, %d do t[#t+1] = string.char(i) end "
                "return table.concat(t) end)()" % (start, start + 31))
encode_case("string_escapes", "' \"/\\\\\\b\\f\\n\\r\\t\\0\\127\\128\\255~'")
encode_case("string_long", "string.rep('ab\"c/', 20000)")
encode_case("string_binary_key", "{['\\0\\255/'] = '\\1'}")
add("encode_function", "return cjson.encode(function() end)")
add("encode_thread", "return cjson.encode(coroutine.create(function() end))")
add("encode_in_table_function", "return cjson.encode({1, {a = function() end}})")
add("encode_no_args", "return cjson.encode()")
add("encode_two_args", "return cjson.encode(1, 2)")
add("encode_nil_nil", "return cjson.encode(nil, nil)")
add("encode_pcall_no_args", "return {pcall(cjson.encode)}")
add("encode_local_name", "local f = cjson.encode return f()")
add("encode_field_name", "local t = {g = cjson.encode} return t.g(1, 2)")
add("encode_method_call", "local t = {encode = cjson.encode} return t:encode()")
add("encode_nan_error", "return cjson.encode(0/0)")
add("encode_inf_error_in_table", "return cjson.encode({a = {1, 2, -1/0}})")

# ---- encode: tables -----------------------------------------------------------------------

TABLES = [
    ("empty", "{}"), ("nested_empty", "{{}, {{}}}"), ("array", "{1, 2, 3}"), ("nested", "{'a', {'b', {'c'}}}"),
    ("hole", "{[1] = 1, [2] = 2, [4] = 4}"), ("sparse_10", "{[10] = 1}"), ("sparse_11", "{[11] = 1}"),
    ("sparse_1_20", "{[1] = 1, [20] = 2}"), ("half_full", "{[1] = 1, [2] = 1, [3] = 1, [4] = 1, [5] = 1, [6] = 1, [12] = 1}"),
    ("frac_key", "{[1.5] = 1}"), ("mixed", "{1, 2, x = 3}"), ("dup_keys", "{[1] = 'a', ['1'] = 'b'}"),
    ("key0", "{[0] = 1}"), ("key_neg", "{[-1] = 1, [0] = 2}"), ("key_2_31", "{[2^31] = 1}"),
    ("key_2_40", "{[2^40] = 1}"), ("key_2_31_and_1", "{[2^31] = 1, [1] = 2}"), ("key_1e300", "{[1e300] = 1}"),
    ("key_inf", "{[1/0] = 1}"), ("key_neg_zero", "{[-0.0] = 1}"),
    ("key_neg_zero_var", "(function() local z = -0.0 return {[z] = 1} end)()"), ("key_bool", "{[true] = 1}"),
    ("key_table", "{[{}] = 1}"),
    ("key_null", "{[cjson.null] = 1}"), ("map4", "{a = 1, b = 2, c = 3, d = 4}"),
    ("deep_map", "{a = {b = {c = {d = {}}}}}"), ("null_false", "{x = cjson.null, y = false}"),
    ("nil_middle", "{1, nil, 3}"), ("nil_start", "{nil, nil, 3}"),
    ("odd_keys", "{n = 1, [1] = 2, [2.5] = 3, ['k\\0'] = 4}"), ("decoded_array", "cjson.decode('[]')"),
    ("decoded_object", "cjson.decode('{}')"), ("floats", "(function() local t = {} for i = 1, 100 do t[i] = i * 1.5 end return t end)()"),
    ("keys40", "(function() local t = {} for i = 1, 40 do t['key' .. i] = i end return t end)()"),
    ("long_keys", "{abcdefghijabcdefghijabcdefghijabcdefghij1 = 1, abcdefghijabcdefghijabcdefghijabcdefghij2 = 2}"),
    ("metatable_ignored", "setmetatable({}, {__index = function() return 1 end, __len = function() return 9 end})"),
    ("metatable_array", "setmetatable({1, 2}, {__len = function() return 10 end})"),
    ("removed_last", "(function() local t = {1, 2, 3, 4, 5} t[5] = nil return t end)()"),
    ("removed_middle", "(function() local t = {1, 2, 3, 4, 5} t[3] = nil return t end)()"),
    ("big_array", "(function() local t = {} for i = 1, 5000 do t[i] = i end return t end)()"),
    ("big_map", "(function() local t = {} for i = 1, 2000 do t['k' .. i] = i end return t end)()"),
    ("self_ref", "(function() local t = {} t[1] = t return t end)()"),
    ("self_ref_map", "(function() local t = {} t.a = t return t end)()"),
    ("depth_1000", "(function() local t = {} local x = t for i = 1, 999 do x[1] = {} x = x[1] end return t end)()"),
    ("depth_1001", "(function() local t = {} local x = t for i = 1, 1000 do x[1] = {} x = x[1] end return t end)()"),
]
for name, expr in TABLES:
    encode_case("table_" + name, expr)

# Limits past the default depth: the Lua stack runs out first, at depths the C code shares.
DEEP = "local c = cjson.new() c.encode_max_depth(%s) local t = {} local x = t for i = 1, %d do x%s = {} x = x%s end "
add("encode_stack_limit_array", DEEP % ("70000", 9000, "[1]", "[1]") + "return {pcall(c.encode, t)}")
add("encode_stack_limit_map", DEEP % ("70000", 9000, ".a", ".a") + "return {pcall(c.encode, t)}")
add("encode_depth_7000", DEEP % ("7000", 9000, "[1]", "[1]") + "return {pcall(c.encode, t)}")
add("encode_stack_limit_nested_call", DEEP % ("70000", 9000, "[1]", "[1]") +
    "return {pcall(function() return c.encode(t) end)}")
add("encode_stack_limit_raised", DEEP % ("70000", 9000, "[1]", "[1]") + "return c.encode(t)")
add("encode_self_ref_unlimited", "local c = cjson.new() c.encode_max_depth(2^31 - 1) local t = {} t[1] = t "
    "return {pcall(c.encode, t)}")
add("encode_depth_3", "local c = cjson.new() c.encode_max_depth(3) return {pcall(c.encode, {{{1}}}), pcall(c.encode, {{{{1}}}})}")
add("encode_depth_1", "local c = cjson.new() c.encode_max_depth(1) return {pcall(c.encode, {}), pcall(c.encode, {{}})}")

# ---- decode -------------------------------------------------------------------------------

TEXTS = [
    "nan", "-nan", "NaN", "nan(123)", "nan(", "nan()", "nan(-)", "NAN(abc_1)", "Infinity", "-Infinity", "inf",
    "infx", "infinity", "INF", "iNf", "+inf", "+nan", "+1", "+-1", "- 1", "-", "--1", "-.5", ".5", "0x10",
    "0X1p3", "0x", "0x.8", "0x1.8p1", "0x1p-1074", "0x1p-1075", "0x1.fffffffffffff8p1023", "0x1P-2", "0x1.Gp1",
    "-0x10", "+0x10", "1e", "1e+", "1.", "1.e5", "007", "00", "-00", "-0", "-0.0", "0123.5e2", "1E5", "1e05",
    "1e400", "-1e400", "1e-400", "1e309", "4.9e-324", "2.4703282292062328e-324", "0.000001", "1.5e300",
    "-1.5e-300", "123456789012345678901234567890", "0.1", "3.14159", "1.5.5", "12e3.5", "9007199254740993",
    "1" + "0" * 400, "0." + "0" * 400 + "1",
    '"\\u00e9"', '"\\ud83d\\ude00"', '"\\uD83D\\uDE00"', '"\\ud83d"', '"\\ude00"', '"\\ud83dx"',
    '"\\ud83d\\u0041"', '"\\ud83d\\u"', '"\\u12"', '"\\u12g4"', '"\\u0041\\u00"', '"\\u007f\\u0080\\u07ff\\u0800\\uffff"',
    '"\\u0000"', '"\\u0000abc"', '"\\x"', '"\\', '"abc', '"\\/\\b\\f\\n\\r\\t\\"\\\\"', '"a\\u0062c"', '"\\U0041"',
    '"tab\there"', '"\x01\x1f"', '"\xc3\xa9\xff\x80"',
    "tru", "true ", "nul", "null", "false", "falsey", "True", "NULL", "t", "f", "n",
    "[1,2", "", "  ", " [1 , 2 ] ", "{1:2}", '{"a" 1}', '{"a":1 "b"}', "[1 2]", '{"a":}', "[,]", "[1,]",
    '{"a":1,}', "]", "}", ":", ",", "[]x", "1 2", "[1,2,3,]", "{", '{"a"', '{"a":1', "[", "[[[[]]]]",
    '{"a":1,"b":[1,2,{"c":null}]}', "[true,false,null]", '{"":""}', '{"a":1,"a":2}', "\t\r\n [ ] \n", "\f[]",
    "\v1", "[1]\x00", "[1]\x00garbage", "1\x00", "\x00", "\x00\x00", ' \x00', '"a\x00b"', '["a\\\x00"]',
    '{"b":1,"a":2,"c":3,"d":4}', '{"1":"x","2":"y"}', "[1,null,3]", "[null]", "[[],{}]", '{"a":[]}',
    "\xef\xbb\xbf[]", '{"a\\u0000b":1}', '{"\\u00e9":"\\ud83d\\ude00"}', "'a'", "[01]", "[-]", "[1e]", '[1,"a",true,null,{"x":[]}]',
]
for i, text in enumerate(TEXTS):
    decode_case("text_%03d" % i, text)

add("decode_no_args", "return {pcall(cjson.decode)}")
add("decode_two_args", "return {pcall(cjson.decode, '1', 2)}")
add("decode_table_arg", "return cjson.decode({})")
add("decode_nil_arg", "return cjson.decode(nil)")
add("decode_bool_arg", "return {pcall(cjson.decode, true)}")
add("decode_number_arg", "return {cjson.decode(123), cjson.decode(-7), cjson.decode(0.5) * 2, cjson.decode(1e100) == 1e100}")
add("decode_local_name", "local d = cjson.decode return d()")
add("decode_error_raised", "return cjson.decode('[1,2')")
add("decode_utf16_raised", "return cjson.decode('\\0[')")
add("decode_array_layout", "local t = cjson.decode('[1,2,3]') return {#t, t[1], t[3]}")
add("decode_key_order", "local t = cjson.decode('{\"b\":1,\"a\":2,\"c\":3,\"d\":4,\"e\":5}') "
    "local r = {} for k in pairs(t) do r[#r+1] = k end return r")
add("decode_null_element", "local t = cjson.decode('[1,null,3]') return {#t, t[2] == cjson.null, type(t[2])}")
add("decode_numeric_key", "local t = cjson.decode('{\"1\":\"x\"}') return {t[1] == nil, t['1']}")
add("decode_big_array", "local t = cjson.decode('[' .. string.rep('1,', 9999) .. '1]') return #t")
add("decode_long_string", "local s = string.rep('x\\n\"', 10000) return cjson.decode(cjson.encode(s)) == s")
add("decode_reply_conversion", "return cjson.decode('[1,\"two\",[3.5],{\"k\":\"v\"},true,false]')")
add("decode_depth_1000", "return #cjson.decode(string.rep('[', 1000) .. string.rep(']', 1000))")
add("decode_depth_1001", "return cjson.decode(string.rep('[', 1001))")
add("decode_depth_1001_map", "return cjson.decode(string.rep('{\"a\":', 1001))")
add("decode_depth_100k", "return cjson.decode(string.rep('[', 100000))")
add("decode_depth_100k_map", "return {pcall(cjson.decode, string.rep('{\"a\":', 100000))}")
add("decode_depth_100k_closed", "return {pcall(cjson.decode, string.rep('[', 100000) .. string.rep(']', 100000))}")
DEEPD = "local c = cjson.new() c.decode_max_depth(%s) return {pcall(c.decode, string.rep(%s, 9000))}"
add("decode_stack_limit_array", DEEPD % ("70000", "'['"))
add("decode_stack_limit_map", DEEPD % ("70000", "'{\"a\":'"))
add("decode_stack_limit_mixed", DEEPD % ("70000", "'[{\"a\":'"))
add("decode_depth_2", "local c = cjson.new() c.decode_max_depth(2) return {pcall(c.decode, '[[1]]'), "
    "pcall(c.decode, '[[[1]]]'), pcall(c.decode, '{\"a\":{\"b\":{}}}')}")
add("decode_depth_1", "local c = cjson.new() c.decode_max_depth(1) return {pcall(c.decode, '[]'), pcall(c.decode, '[[]]')}")

# decode_invalid_numbers off: only JSON numbers pass.
for i, text in enumerate(["0x10", "nan", "+1", "-inf", "-.5", "007", "0", "-0x1", "Infinity", "[1,-]", "1.5e3",
                          "01", "-01", "0.5", "-", "-x", "inf", "-nan", "0e5", "00.5", "-0", "1e5", "-Inf", "0X1"]):
    decode_case("strict_%02d" % i, text, prefix="cjson.decode_invalid_numbers(false) ")

# ---- configuration functions ---------------------------------------------------------------

CONFIG = [
    ("defaults_flat", "local t = {cjson.encode_sparse_array()} t[4] = cjson.encode_max_depth() "
                      "t[5] = cjson.decode_max_depth() t[6] = cjson.encode_number_precision() "
                      "t[7] = tostring(cjson.encode_keep_buffer()) t[8] = tostring(cjson.encode_invalid_numbers()) "
                      "t[9] = tostring(cjson.decode_invalid_numbers()) return t"),
    ("invalid_numbers_cycle", "local c = cjson.new() return {c.encode_invalid_numbers('null'), c.encode_invalid_numbers(), "
                              "c.encode_invalid_numbers('on'), tostring(c.encode_invalid_numbers('off')), c.encode_invalid_numbers(true)}"),
    ("invalid_numbers_bad", "local c = cjson.new() return c.encode_invalid_numbers('maybe')"),
    ("invalid_numbers_upper", "local c = cjson.new() return c.encode_invalid_numbers('ON')"),
    ("invalid_numbers_number", "local c = cjson.new() return c.encode_invalid_numbers(1)"),
    ("invalid_numbers_float", "local c = cjson.new() return c.encode_invalid_numbers(1.5)"),
    ("invalid_numbers_nul", "local c = cjson.new() return {c.encode_invalid_numbers('on\\0x')}"),
    ("invalid_numbers_nul_bad", "local c = cjson.new() return c.encode_invalid_numbers('a\\0b')"),
    ("invalid_numbers_binary", "local c = cjson.new() return c.encode_invalid_numbers('\\255\\1')"),
    ("invalid_numbers_nil", "local c = cjson.new() return {tostring(c.encode_invalid_numbers(nil))}"),
    ("invalid_numbers_two", "local c = cjson.new() return c.encode_invalid_numbers(1, 2)"),
    ("invalid_numbers_table", "local c = cjson.new() return c.encode_invalid_numbers({})"),
    ("sparse_four", "local c = cjson.new() return c.encode_sparse_array(1, 2, 3, 4)"),
    ("sparse_strings", "local c = cjson.new() return {c.encode_sparse_array('on', '3', 4.9)}"),
    ("sparse_nils", "local c = cjson.new() return {c.encode_sparse_array(nil, nil, 0)}"),
    ("sparse_number_flag", "local c = cjson.new() return c.encode_sparse_array(1)"),
    ("sparse_neg_safe", "local c = cjson.new() return c.encode_sparse_array(true, 2, -1)"),
    ("sparse_table_safe", "local c = cjson.new() return c.encode_sparse_array(true, 2, {})"),
    ("sparse_table_flag", "local c = cjson.new() return c.encode_sparse_array({}, 2, {})"),
    ("sparse_neg_ratio", "local c = cjson.new() return c.encode_sparse_array(true, -1)"),
    ("sparse_partial_1", "local c = cjson.new() pcall(c.encode_sparse_array, true, -1) return {c.encode_sparse_array()}"),
    ("sparse_partial_2", "local c = cjson.new() pcall(c.encode_sparse_array, true, 5, 'x') return {c.encode_sparse_array()}"),
    ("sparse_2_31", "local c = cjson.new() return c.encode_sparse_array(false, 2^31)"),
    ("sparse_wrap", "local c = cjson.new() return {c.encode_sparse_array(false, 2^32 + 3, 2^33 + 1)}"),
    ("sparse_hex_string", "local c = cjson.new() return {c.encode_sparse_array(nil, ' 0x10 ')}"),
    ("sparse_huge", "local c = cjson.new() return c.encode_sparse_array(nil, 1e20)"),
    ("precision_15", "local c = cjson.new() return c.encode_number_precision(15)"),
    ("precision_0", "local c = cjson.new() return c.encode_number_precision(0)"),
    ("precision_string", "local c = cjson.new() return {c.encode_number_precision('5')}"),
    ("precision_bad_string", "local c = cjson.new() return c.encode_number_precision('x')"),
    ("precision_bool", "local c = cjson.new() return c.encode_number_precision(true)"),
    ("precision_trunc", "local c = cjson.new() return {c.encode_number_precision(14.99), c.encode_number_precision(-0.5)}"),
    ("keep_buffer_cycle", "local c = cjson.new() return {tostring(c.encode_keep_buffer(false)), tostring(c.encode_keep_buffer()), "
                          "c.encode_keep_buffer('on'), c.encode(1)}"),
    ("keep_buffer_number", "local c = cjson.new() return c.encode_keep_buffer(1)"),
    ("keep_buffer_off_encodes", "local c = cjson.new() return {tostring(c.encode_keep_buffer('off')), c.encode({1, 2}), "
                                "c.encode_keep_buffer(true), c.encode({3})}"),
    ("keep_buffer_off_errors", "local c = cjson.new() c.encode_keep_buffer(false) return {pcall(c.encode, {1/0}), c.encode('ok')}"),
    ("decode_invalid_cycle", "local c = cjson.new() return {tostring(c.decode_invalid_numbers(false)), "
                             "tostring(c.decode_invalid_numbers()), c.decode_invalid_numbers('on')}"),
    ("decode_invalid_null", "local c = cjson.new() return c.decode_invalid_numbers('null')"),
    ("max_depth_0", "local c = cjson.new() return c.encode_max_depth(0)"),
    ("max_depth_int_max", "local c = cjson.new() return c.encode_max_depth(2^31 - 1)"),
    ("max_depth_2_31", "local c = cjson.new() return c.encode_max_depth(2^31)"),
    ("max_depth_wrap", "local c = cjson.new() return c.encode_max_depth(2^32 + 5)"),
    ("max_depth_huge", "local c = cjson.new() return c.encode_max_depth(1e20)"),
    ("max_depth_neg", "local c = cjson.new() return c.encode_max_depth(-1)"),
    ("max_depth_two", "local c = cjson.new() return c.encode_max_depth(1, 2)"),
    ("decode_depth_0", "local c = cjson.new() return c.decode_max_depth(0)"),
    ("decode_depth_string", "local c = cjson.new() return {c.decode_max_depth('12')}"),
    ("decode_depth_nil", "local c = cjson.new() return {c.decode_max_depth(nil)}"),
    ("local_name_error", "local f = cjson.new().encode_max_depth return f(0)"),
    ("global_error", "return cjson.encode_max_depth(0)"),
    ("pcall_error", "return {pcall(cjson.encode_max_depth, 0)}"),
    ("pcall_too_many", "local m = cjson.new().encode_max_depth return {pcall(m, 1, 2)}"),
    ("method_call", "local c = cjson.new() return {pcall(function() return c:encode_max_depth() end)}"),
]
for name, script in CONFIG:
    add("config_" + name, script)

EFFECTS = [
    ("invalid_on", "c.encode_invalid_numbers(true) return c.encode({1/0, -1/0, 0/0, -(0/0)})"),
    ("invalid_null", "c.encode_invalid_numbers('null') return c.encode({1/0, -1/0, 0/0})"),
    ("invalid_on_key", "c.encode_invalid_numbers(true) return c.encode({[1/0] = 1, [-1/0] = 2})"),
    ("invalid_null_key", "c.encode_invalid_numbers('null') return c.encode({[1/0] = 1})"),
    ("precision_3", "c.encode_number_precision(3) return c.encode({math.pi, 1234.5, 100, 1000, 0.0001234, 1e-5, 999.5})"),
    ("precision_1", "c.encode_number_precision(1) return c.encode({math.pi, 15, 95, 1e15, 5, -0.0, 0.05, 0.15, 0.25})"),
    ("precision_10_key", "c.encode_number_precision(10) return c.encode({[math.pi] = 1})"),
    ("precision_each", "local r = {} for p = 1, 14 do c.encode_number_precision(p) "
                       "r[p] = c.encode({math.pi, 2/3, 1e15 + 0.3, 123456.789, 0.000123456, 5e-324}) end return r"),
    ("sparse_convert", "c.encode_sparse_array(true) return c.encode({[1] = 1, [20] = 2})"),
    ("sparse_ratio_0", "c.encode_sparse_array(false, 0) return c.encode({[1] = 1, [20] = 2})"),
    ("sparse_ratio_1", "c.encode_sparse_array(false, 1, 0) return {pcall(c.encode, {[1] = 1, [3] = 2}), pcall(c.encode, {1, 2, 3})}"),
    ("sparse_ratio_3", "c.encode_sparse_array(false, 3, 2) return {pcall(c.encode, {[1] = 1, [3] = 2}), "
                       "pcall(c.encode, {[1] = 1, [4] = 2})}"),
    ("sparse_convert_ratio_1", "c.encode_sparse_array(true, 1, 0) return c.encode({[1] = 1, [3] = 2})"),
    ("sparse_ratio_overflow", "c.encode_sparse_array(false, 2^30, 0) return {pcall(c.encode, {1, 1, 1, 1, [100] = 2})}"),
    ("independent", "local d = c.new() c.encode_number_precision(3) return {c.encode(math.pi), d.encode(math.pi), "
                    "cjson.encode(math.pi)}"),
    ("strict_decode", "c.decode_invalid_numbers(false) return {pcall(c.decode, '[1, 0x10]'), cjson.decode('0x10')}"),
]
for name, body in EFFECTS:
    add("effect_" + name, "local c = cjson.new() " + body)

# The global instance: its settings last for the rest of the script (and the VM).
add("global_precision", "cjson.encode_number_precision(3) local a = cjson.encode(math.pi) "
    "cjson.encode_number_precision(14) return {a, cjson.encode(math.pi)}")
add("global_alias_sees_change", "local e = cjson.encode cjson.encode_number_precision(5) local r = e(math.pi) "
    "cjson.encode_number_precision(14) return r")
add("global_sparse_partial", "local ok, err = pcall(cjson.encode_sparse_array, true, -1) local r = {cjson.encode_sparse_array()} "
    "cjson.encode_sparse_array(false) return {err, r[1], r[2], r[3]}")

# ---- random documents ---------------------------------------------------------------------

rng = random.Random(20240702)


def rand_string():
    kind = rng.random()
    if kind < 0.5:
        return "".join(rng.choice("abcXYZ019 _-") for _ in range(rng.randint(0, 12)))
    if kind < 0.8:
        return "".join(rng.choice(['"', "\\", "/", "\b", "\f", "\n", "\r", "\t", "\x00", "\x1f", "\x7f", "a", "é", "€", "😀"])
                       for _ in range(rng.randint(1, 8)))
    return bytes(rng.randint(0, 255) for _ in range(rng.randint(1, 10)))


def rand_number():
    kind = rng.random()
    if kind < 0.4:
        return str(rng.randint(-1000, 1000))
    if kind < 0.6:
        return repr(rng.randint(-2 ** 60, 2 ** 60))
    if kind < 0.8:
        return repr(round(rng.uniform(-1e4, 1e4), rng.randint(0, 6)))
    return repr(rng.choice([rng.random(), rng.uniform(-1e300, 1e300), rng.random() * 1e-300, 1 / 3, 2.5e15]))


def rand_lua(depth=0):
    """A Lua expression for a random value."""
    kind = rng.random()
    if depth > 4 or kind < 0.55:
        leaf = rng.random()
        if leaf < 0.35:
            return lua_str(rand_string())
        if leaf < 0.75:
            return "(" + rand_number() + ")"
        return rng.choice(["true", "false", "cjson.null"])
    if kind < 0.78:
        return "{" + ", ".join(rand_lua(depth + 1) for _ in range(rng.randint(0, 6))) + "}"
    items = []
    for _ in range(rng.randint(0, 6)):
        if rng.random() < 0.8:
            key = lua_str(rand_string())
        else:
            key = "(" + rand_number() + ")"
        items.append("[%s] = %s" % (key, rand_lua(depth + 1)))
    return "{" + ", ".join(items) + "}"


def rand_text():
    s = rand_string()
    return s if isinstance(s, str) else s.decode("latin-1")


def rand_json(depth=0):
    """A random JSON value as a Python object."""
    kind = rng.random()
    if depth > 4 or kind < 0.5:
        leaf = rng.random()
        if leaf < 0.3:
            return rand_text()
        if leaf < 0.6:
            return rng.choice([rng.randint(-10 ** 6, 10 ** 6), rng.uniform(-1e6, 1e6), rng.randint(-2 ** 62, 2 ** 62)])
        return rng.choice([True, False, None])
    if kind < 0.75:
        return [rand_json(depth + 1) for _ in range(rng.randint(0, 5))]
    return {rand_text(): rand_json(depth + 1) for _ in range(rng.randint(0, 5))}


def to_text(value):
    text = json.dumps(value, ensure_ascii=rng.random() < 0.5, separators=rng.choice([(",", ":"), (", ", ": ")]))
    return text.encode("utf-8", "surrogatepass")


def damage(text):
    """Delete, insert or replace one byte."""
    b = bytearray(text)
    pos = rng.randrange(len(b) + 1)
    op = rng.random()
    junk = rng.choice(b'{}[],:"\\ x0-+e.nt\x00\xff')
    if op < 0.33 and pos < len(b):
        del b[pos]
    elif op < 0.66:
        b.insert(pos, junk)
    elif pos < len(b):
        b[pos] = junk
    return bytes(b)


for i in range(40):
    encode_case("random_encode_%02d" % i, rand_lua())
for i in range(25):
    expr = rand_lua()
    add("random_round_trip_%02d" % i, DUMP + "local v = %s local ok, s = pcall(cjson.encode, v) if not ok then return {'err', s} end "
        "local ok2, w = pcall(cjson.decode, s) if not ok2 then return {'decode err', s, w} end "
        "return {s, dump(w), cjson.encode(w) == s}" % expr)
for i in range(40):
    decode_case("random_decode_%02d" % i, to_text(rand_json()))
for i in range(40):
    decode_case("random_damaged_%02d" % i, damage(to_text(rand_json())))
for i in range(10):
    prec = rng.randint(1, 14)
    nums = ", ".join(rand_number() for _ in range(12))
    add("random_precision_%02d" % i, "local c = cjson.new() c.encode_number_precision(%d) return c.encode({%s})" % (prec, nums))
