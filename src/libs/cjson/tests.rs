//! Unit tests. Every expected reply below was produced by Redis 7.0.15's own EVAL (with the
//! script hash zeroed), each script on a fresh scripting VM.

use crate::vm::testing::{
    colliding_keys, eval, eval_with, lua_list, new_vm, shared_key_sets, FakeHost, XorShift, DEEP_DUMP_LUA,
    SAME_LAYOUT_LUA,
};

#[track_caller]
fn check(script: &str, expected: &str) {
    assert_eq!(eval(script), expected, "script: {script}");
}

#[test]
fn registration() {
    check("local r={} for k in pairs(cjson.new()) do r[#r+1]=k end return r", "*13\r\n$5\r\n_NAME\r\n$6\r\nencode\r\n$16\r\ndecode_max_depth\r\n$8\r\n_VERSION\r\n$22\r\ndecode_invalid_numbers\r\n$18\r\nencode_keep_buffer\r\n$4\r\nnull\r\n$23\r\nencode_number_precision\r\n$3\r\nnew\r\n$16\r\nencode_max_depth\r\n$22\r\nencode_invalid_numbers\r\n$6\r\ndecode\r\n$19\r\nencode_sparse_array\r\n");
    check("local r={} for k, v in pairs(cjson) do r[#r+1]=type(v) end return r", "*13\r\n$6\r\nstring\r\n$8\r\nfunction\r\n$8\r\nfunction\r\n$6\r\nstring\r\n$8\r\nfunction\r\n$8\r\nfunction\r\n$8\r\nuserdata\r\n$8\r\nfunction\r\n$8\r\nfunction\r\n$8\r\nfunction\r\n$8\r\nfunction\r\n$8\r\nfunction\r\n$8\r\nfunction\r\n");
    check(
        "return {cjson._NAME, cjson._VERSION, type(cjson.null), tostring(cjson.null)}",
        "*4\r\n$5\r\ncjson\r\n$5\r\n2.1.0\r\n$8\r\nuserdata\r\n$15\r\nuserdata: (nil)\r\n",
    );
    check("return {cjson.null == cjson.decode(\"null\"), cjson.new().null == cjson.null}", "*2\r\n:1\r\n:1\r\n");
    check(
        "return {cjson.new() ~= cjson, cjson.new().encode ~= cjson.encode, cjson.new().new ~= cjson.new}",
        "*3\r\n:1\r\n:1\r\n:1\r\n",
    );
    check("cjson.x = 1", "-ERR user_script:1: Attempt to modify a readonly table script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n");
    check("cjson.encode = 1", "-ERR user_script:1: Attempt to modify a readonly table script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n");
    check("return rawequal(cjson.null, cjson.null)", ":1\r\n");
}

#[test]
fn encode_scalars() {
    check("return cjson.encode(1)", "$1\r\n1\r\n");
    check("return cjson.encode(-1)", "$2\r\n-1\r\n");
    check("return cjson.encode(0)", "$1\r\n0\r\n");
    check("return cjson.encode(-0.0)", "$2\r\n-0\r\n");
    check("return cjson.encode(0.1)", "$3\r\n0.1\r\n");
    check("return cjson.encode(1/3)", "$16\r\n0.33333333333333\r\n");
    check("return cjson.encode(-2/3)", "$17\r\n-0.66666666666667\r\n");
    check("return cjson.encode(1e100)", "$6\r\n1e+100\r\n");
    check("return cjson.encode(123456789012345)", "$19\r\n1.2345678901234e+14\r\n");
    check("return cjson.encode(12345678901234)", "$14\r\n12345678901234\r\n");
    check("return cjson.encode(99999999999999)", "$14\r\n99999999999999\r\n");
    check("return cjson.encode(99999999999999.5)", "$5\r\n1e+14\r\n");
    check("return cjson.encode(2^53)", "$18\r\n9.007199254741e+15\r\n");
    check("return cjson.encode(-2^63)", "$20\r\n-9.2233720368548e+18\r\n");
    check("return cjson.encode(2^63)", "$19\r\n9.2233720368548e+18\r\n");
    check("return cjson.encode(1e-7)", "$5\r\n1e-07\r\n");
    check("return cjson.encode(0.0001)", "$6\r\n0.0001\r\n");
    check("return cjson.encode(1e15)", "$5\r\n1e+15\r\n");
    check("return cjson.encode(1e14)", "$5\r\n1e+14\r\n");
    check("return cjson.encode(123.456)", "$7\r\n123.456\r\n");
    check("return cjson.encode(5e-324)", "$20\r\n4.9406564584125e-324\r\n");
    check("return cjson.encode(1.7976931348623157e308)", "$20\r\n1.7976931348623e+308\r\n");
    check("return cjson.encode(true)", "$4\r\ntrue\r\n");
    check("return cjson.encode(false)", "$5\r\nfalse\r\n");
    check("return cjson.encode(nil)", "$4\r\nnull\r\n");
    check("return cjson.encode(cjson.null)", "$4\r\nnull\r\n");
    check("return cjson.encode(\"\")", "$2\r\n\"\"\r\n");
    check("return cjson.encode(\"hello\")", "$7\r\n\"hello\"\r\n");
    check("return cjson.encode(\"12\")", "$4\r\n\"12\"\r\n");
    check("return cjson.encode(\"\\0\\1\\2\\3\\4\\5\\6\\7\\8\\9\\10\\11\\12\\13\\14\\15\\16\\17\\18\\19\\20\\21\\22\\23\\24\\25\\26\\27\\28\\29\\30\\31\")", "$174\r\n\"\\u0000\\u0001\\u0002\\u0003\\u0004\\u0005\\u0006\\u0007\\b\\t\\n\\u000b\\f\\r\\u000e\\u000f\\u0010\\u0011\\u0012\\u0013\\u0014\\u0015\\u0016\\u0017\\u0018\\u0019\\u001a\\u001b\\u001c\\u001d\\u001e\\u001f\"\r\n");
    check(
        "return cjson.encode(\" !\\\"#$%&'()*+,-./:;<=>?@[\\\\]^_`{|}~\\127\")",
        "$44\r\n\" !\\\"#$%&'()*+,-.\\/:;<=>?@[\\\\]^_`{|}~\\u007f\"\r\n",
    );
    check("return cjson.encode(\"caf\\195\\169 \\226\\130\\172\")", "$11\r\n\"café €\"\r\n");
}

#[test]
fn encode_errors() {
    check("return cjson.encode(1/0)", "-ERR user_script:1: Cannot serialise number: must not be NaN or Inf script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n");
    check("return cjson.encode(-1/0)", "-ERR user_script:1: Cannot serialise number: must not be NaN or Inf script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n");
    check("return cjson.encode(0/0)", "-ERR user_script:1: Cannot serialise number: must not be NaN or Inf script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n");
    check("return cjson.encode(function() end)", "-ERR user_script:1: Cannot serialise function: type not supported script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n");
    check("return cjson.encode(coroutine.create(function() end))", "-ERR user_script:1: Cannot serialise thread: type not supported script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n");
    check("return cjson.encode({a=function() end})", "-ERR user_script:1: Cannot serialise function: type not supported script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n");
    check("return cjson.encode({1, 2, {3, function() end}})", "-ERR user_script:1: Cannot serialise function: type not supported script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n");
    check("return cjson.encode({[true]=1})", "-ERR user_script:1: Cannot serialise boolean: table key must be a number or string script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n");
    check("return cjson.encode({[{}]=1})", "-ERR user_script:1: Cannot serialise table: table key must be a number or string script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n");
    check("return cjson.encode({[cjson.null]=1})", "-ERR user_script:1: Cannot serialise userdata: table key must be a number or string script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n");
    check("return cjson.encode({[1/0]=1})", "-ERR user_script:1: Cannot serialise number: must not be NaN or Inf script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n");
    check("return cjson.encode({[-1/0]=1})", "-ERR user_script:1: Cannot serialise number: must not be NaN or Inf script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n");
    check("return cjson.encode()", "-ERR user_script:1: bad argument #1 to 'encode' (expected 1 argument) script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n");
    check("return cjson.encode(1, 2)", "-ERR user_script:1: bad argument #1 to 'encode' (expected 1 argument) script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n");
    check("return cjson.encode(nil, nil)", "-ERR user_script:1: bad argument #1 to 'encode' (expected 1 argument) script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n");
    check("return {pcall(cjson.encode)}", "*2\r\n$-1\r\n$44\r\nbad argument #1 to '?' (expected 1 argument)\r\n");
    check("local f = cjson.encode return f()", "-ERR user_script:1: bad argument #1 to 'f' (expected 1 argument) script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n");
    check("local t = {f = cjson.encode} return t.f()", "-ERR user_script:1: bad argument #1 to 'f' (expected 1 argument) script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n");
    check("return pcall(cjson.encode, 1/0)", "$-1\r\n");
    check(
        "return {pcall(cjson.encode, {[11]=1})}",
        "*2\r\n$-1\r\n$48\r\nCannot serialise table: excessively sparse array\r\n",
    );
    check(
        "local t={} t[1]=t return {pcall(cjson.encode, t)}",
        "*2\r\n$-1\r\n$42\r\nCannot serialise, excessive nesting (1001)\r\n",
    );
    check(
        "local t={} t.a=t return {pcall(cjson.encode, t)}",
        "*2\r\n$-1\r\n$42\r\nCannot serialise, excessive nesting (1001)\r\n",
    );
}

#[test]
fn encode_tables() {
    check("return cjson.encode({})", "$2\r\n{}\r\n");
    check("return cjson.encode({{}})", "$4\r\n[{}]\r\n");
    check("return cjson.encode({1,2,3})", "$7\r\n[1,2,3]\r\n");
    check("return cjson.encode({\"a\",{\"b\",{\"c\"}}})", "$17\r\n[\"a\",[\"b\",[\"c\"]]]\r\n");
    check("return cjson.encode({[1]=1,[2]=2,[4]=4})", "$12\r\n[1,2,null,4]\r\n");
    check("return cjson.encode({[10]=1})", "$48\r\n[null,null,null,null,null,null,null,null,null,1]\r\n");
    check("return cjson.encode({[11]=1})", "-ERR user_script:1: Cannot serialise table: excessively sparse array script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n");
    check("return cjson.encode({[1]=1,[20]=2})", "-ERR user_script:1: Cannot serialise table: excessively sparse array script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n");
    check(
        "return cjson.encode({[1]=1,[2]=1,[3]=1,[4]=1,[5]=1,[6]=1,[12]=1})",
        "$40\r\n[1,1,1,1,1,1,null,null,null,null,null,1]\r\n",
    );
    check("return cjson.encode({[1.5]=1})", "$9\r\n{\"1.5\":1}\r\n");
    check("return cjson.encode({1,2,x=3})", "$19\r\n{\"1\":1,\"2\":2,\"x\":3}\r\n");
    check("return cjson.encode({[1]=\"a\",[\"1\"]=\"b\"})", "$17\r\n{\"1\":\"a\",\"1\":\"b\"}\r\n");
    check("return cjson.encode({[0]=1})", "$7\r\n{\"0\":1}\r\n");
    check("return cjson.encode({[-1]=1, [0]=2})", "$14\r\n{\"-1\":1,\"0\":2}\r\n");
    check("return cjson.encode({[2^31]=1})", "$16\r\n{\"2147483648\":1}\r\n");
    check("return cjson.encode({[2^40]=1})", "$19\r\n{\"1099511627776\":1}\r\n");
    check("return cjson.encode({[2^31]=1, [1]=2})", "$3\r\n[2]\r\n");
    check("return cjson.encode({[2^31-1]=1})", "-ERR user_script:1: Cannot serialise table: excessively sparse array script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n");
    check("return cjson.encode({[1e300]=1})", "$12\r\n{\"1e+300\":1}\r\n");
    check("return cjson.encode({a=1,b=2,c=3,d=4})", "$25\r\n{\"a\":1,\"d\":4,\"c\":3,\"b\":2}\r\n");
    check("return cjson.encode({a={b={c={d={}}}}})", "$26\r\n{\"a\":{\"b\":{\"c\":{\"d\":{}}}}}\r\n");
    check("return cjson.encode({x=cjson.null, y=false})", "$20\r\n{\"y\":false,\"x\":null}\r\n");
    check("return cjson.encode({1, nil, 3})", "$10\r\n[1,null,3]\r\n");
    check("return cjson.encode({nil, nil, 3})", "$13\r\n[null,null,3]\r\n");
    check(
        "return cjson.encode({n=1, [1]=2, [2.5]=3, [\"k\\0\"]=4})",
        "$33\r\n{\"1\":2,\"k\\u0000\":4,\"2.5\":3,\"n\":1}\r\n",
    );
    check("return cjson.encode(cjson.decode(\"[]\"))", "$2\r\n{}\r\n");
    check("return cjson.encode(cjson.decode(\"{}\"))", "$2\r\n{}\r\n");
    check("local t = {} for i=1,100 do t[i]=i*1.5 end return cjson.encode(t)", "$429\r\n[1.5,3,4.5,6,7.5,9,10.5,12,13.5,15,16.5,18,19.5,21,22.5,24,25.5,27,28.5,30,31.5,33,34.5,36,37.5,39,40.5,42,43.5,45,46.5,48,49.5,51,52.5,54,55.5,57,58.5,60,61.5,63,64.5,66,67.5,69,70.5,72,73.5,75,76.5,78,79.5,81,82.5,84,85.5,87,88.5,90,91.5,93,94.5,96,97.5,99,100.5,102,103.5,105,106.5,108,109.5,111,112.5,114,115.5,117,118.5,120,121.5,123,124.5,126,127.5,129,130.5,132,133.5,135,136.5,138,139.5,141,142.5,144,145.5,147,148.5,150]\r\n");
    check("local t = {} for i=1,40 do t[\"key\"..i]=i end return cjson.encode(t)", "$423\r\n{\"key16\":16,\"key9\":9,\"key35\":35,\"key24\":24,\"key14\":14,\"key8\":8,\"key31\":31,\"key26\":26,\"key17\":17,\"key39\":39,\"key13\":13,\"key21\":21,\"key4\":4,\"key32\":32,\"key2\":2,\"key1\":1,\"key27\":27,\"key40\":40,\"key38\":38,\"key22\":22,\"key33\":33,\"key3\":3,\"key25\":25,\"key15\":15,\"key6\":6,\"key34\":34,\"key11\":11,\"key5\":5,\"key30\":30,\"key10\":10,\"key19\":19,\"key29\":29,\"key7\":7,\"key37\":37,\"key20\":20,\"key12\":12,\"key18\":18,\"key23\":23,\"key36\":36,\"key28\":28}\r\n");
    check(
        "local t = setmetatable({}, {__index=function() return 1 end}) t[2]=5 return cjson.encode(t)",
        "$8\r\n[null,5]\r\n",
    );
    check("local t = setmetatable({1,2}, {__len=function() return 10 end}) return cjson.encode(t)", "$5\r\n[1,2]\r\n");
    check("return cjson.encode({[\"\\0\"]=1})", "$12\r\n{\"\\u0000\":1}\r\n");
    check("return cjson.encode({[\"/\"]=\"/\"})", "$11\r\n{\"\\/\":\"\\/\"}\r\n");
}

#[test]
fn encode_depth() {
    check("local t = {} local x = t for i=1,999 do x[1] = {} x = x[1] end return #cjson.encode(t)", ":2000\r\n");
    check(
        "local t = {} local x = t for i=1,1000 do x[1] = {} x = x[1] end return {pcall(cjson.encode, t)}",
        "*2\r\n$-1\r\n$42\r\nCannot serialise, excessive nesting (1001)\r\n",
    );
    check(
        "local c=cjson.new() c.encode_max_depth(3) return {pcall(c.encode, {{{1}}}), pcall(c.encode, {{{{1}}}})}",
        "*3\r\n:1\r\n$-1\r\n$39\r\nCannot serialise, excessive nesting (4)\r\n",
    );
    check(
        "local c=cjson.new() c.encode_max_depth(1) return {pcall(c.encode, {}), pcall(c.encode, {{}})}",
        "*3\r\n:1\r\n$-1\r\n$39\r\nCannot serialise, excessive nesting (2)\r\n",
    );
    check("local c=cjson.new() c.encode_max_depth(7000) local t={} local x=t for i=1,9000 do x[1]={} x=x[1] end return {pcall(c.encode, t)}", "*2\r\n$-1\r\n$42\r\nCannot serialise, excessive nesting (7001)\r\n");
    check("local c=cjson.new() c.encode_max_depth(70000) local t={} local x=t for i=1,9000 do x[1]={} x=x[1] end return {pcall(c.encode, t)}", "*2\r\n$-1\r\n$42\r\nCannot serialise, excessive nesting (7998)\r\n");
    check("local c=cjson.new() c.encode_max_depth(70000) local t={} local x=t for i=1,9000 do x.a={} x=x.a end return {pcall(c.encode, t)}", "*2\r\n$-1\r\n$42\r\nCannot serialise, excessive nesting (4000)\r\n");
    check(
        "local c=cjson.new() c.encode_max_depth(70000) local t={} t[1]=t return {pcall(c.encode, t)}",
        "*2\r\n$-1\r\n$42\r\nCannot serialise, excessive nesting (7998)\r\n",
    );
    check("local c=cjson.new() c.encode_max_depth(70000) local t={} local x=t for i=1,9000 do x[1]={} x=x[1] end return {pcall(function() return c.encode(t) end)}", "*2\r\n$-1\r\n$57\r\nuser_script:1: Cannot serialise, excessive nesting (7998)\r\n");
}

#[test]
fn decode_values() {
    check("local ok, v = pcall(cjson.decode, \"nan\") if not ok then return {\"err\", v} end if type(v) == \"number\" then return {\"num\", tostring(v)} end if type(v) == \"table\" then return {\"table\", cjson.encode(v)} end return {type(v), tostring(v)}", "*2\r\n$3\r\nnum\r\n$3\r\nnan\r\n");
    check("local ok, v = pcall(cjson.decode, \"-nan\") if not ok then return {\"err\", v} end if type(v) == \"number\" then return {\"num\", tostring(v)} end if type(v) == \"table\" then return {\"table\", cjson.encode(v)} end return {type(v), tostring(v)}", "*2\r\n$3\r\nnum\r\n$4\r\n-nan\r\n");
    check("local ok, v = pcall(cjson.decode, \"NaN\") if not ok then return {\"err\", v} end if type(v) == \"number\" then return {\"num\", tostring(v)} end if type(v) == \"table\" then return {\"table\", cjson.encode(v)} end return {type(v), tostring(v)}", "*2\r\n$3\r\nnum\r\n$3\r\nnan\r\n");
    check("local ok, v = pcall(cjson.decode, \"nan(123)\") if not ok then return {\"err\", v} end if type(v) == \"number\" then return {\"num\", tostring(v)} end if type(v) == \"table\" then return {\"table\", cjson.encode(v)} end return {type(v), tostring(v)}", "*2\r\n$3\r\nnum\r\n$3\r\nnan\r\n");
    check("local ok, v = pcall(cjson.decode, \"nan(\") if not ok then return {\"err\", v} end if type(v) == \"number\" then return {\"num\", tostring(v)} end if type(v) == \"table\" then return {\"table\", cjson.encode(v)} end return {type(v), tostring(v)}", "*2\r\n$3\r\nerr\r\n$55\r\nExpected the end but found invalid token at character 4\r\n");
    check("local ok, v = pcall(cjson.decode, \"Infinity\") if not ok then return {\"err\", v} end if type(v) == \"number\" then return {\"num\", tostring(v)} end if type(v) == \"table\" then return {\"table\", cjson.encode(v)} end return {type(v), tostring(v)}", "*2\r\n$3\r\nnum\r\n$3\r\ninf\r\n");
    check("local ok, v = pcall(cjson.decode, \"-Infinity\") if not ok then return {\"err\", v} end if type(v) == \"number\" then return {\"num\", tostring(v)} end if type(v) == \"table\" then return {\"table\", cjson.encode(v)} end return {type(v), tostring(v)}", "*2\r\n$3\r\nnum\r\n$4\r\n-inf\r\n");
    check("local ok, v = pcall(cjson.decode, \"inf\") if not ok then return {\"err\", v} end if type(v) == \"number\" then return {\"num\", tostring(v)} end if type(v) == \"table\" then return {\"table\", cjson.encode(v)} end return {type(v), tostring(v)}", "*2\r\n$3\r\nnum\r\n$3\r\ninf\r\n");
    check("local ok, v = pcall(cjson.decode, \"infx\") if not ok then return {\"err\", v} end if type(v) == \"number\" then return {\"num\", tostring(v)} end if type(v) == \"table\" then return {\"table\", cjson.encode(v)} end return {type(v), tostring(v)}", "*2\r\n$3\r\nerr\r\n$55\r\nExpected the end but found invalid token at character 4\r\n");
    check("local ok, v = pcall(cjson.decode, \"+1\") if not ok then return {\"err\", v} end if type(v) == \"number\" then return {\"num\", tostring(v)} end if type(v) == \"table\" then return {\"table\", cjson.encode(v)} end return {type(v), tostring(v)}", "*2\r\n$3\r\nnum\r\n$1\r\n1\r\n");
    check("local ok, v = pcall(cjson.decode, \"+-1\") if not ok then return {\"err\", v} end if type(v) == \"number\" then return {\"num\", tostring(v)} end if type(v) == \"table\" then return {\"table\", cjson.encode(v)} end return {type(v), tostring(v)}", "*2\r\n$3\r\nerr\r\n$54\r\nExpected value but found invalid number at character 1\r\n");
    check("local ok, v = pcall(cjson.decode, \"- 1\") if not ok then return {\"err\", v} end if type(v) == \"number\" then return {\"num\", tostring(v)} end if type(v) == \"table\" then return {\"table\", cjson.encode(v)} end return {type(v), tostring(v)}", "*2\r\n$3\r\nerr\r\n$54\r\nExpected value but found invalid number at character 1\r\n");
    check("local ok, v = pcall(cjson.decode, \"-\") if not ok then return {\"err\", v} end if type(v) == \"number\" then return {\"num\", tostring(v)} end if type(v) == \"table\" then return {\"table\", cjson.encode(v)} end return {type(v), tostring(v)}", "*2\r\n$3\r\nerr\r\n$54\r\nExpected value but found invalid number at character 1\r\n");
    check("local ok, v = pcall(cjson.decode, \"-.5\") if not ok then return {\"err\", v} end if type(v) == \"number\" then return {\"num\", tostring(v)} end if type(v) == \"table\" then return {\"table\", cjson.encode(v)} end return {type(v), tostring(v)}", "*2\r\n$3\r\nnum\r\n$4\r\n-0.5\r\n");
    check("local ok, v = pcall(cjson.decode, \".5\") if not ok then return {\"err\", v} end if type(v) == \"number\" then return {\"num\", tostring(v)} end if type(v) == \"table\" then return {\"table\", cjson.encode(v)} end return {type(v), tostring(v)}", "*2\r\n$3\r\nerr\r\n$53\r\nExpected value but found invalid token at character 1\r\n");
    check("local ok, v = pcall(cjson.decode, \"0x10\") if not ok then return {\"err\", v} end if type(v) == \"number\" then return {\"num\", tostring(v)} end if type(v) == \"table\" then return {\"table\", cjson.encode(v)} end return {type(v), tostring(v)}", "*2\r\n$3\r\nnum\r\n$2\r\n16\r\n");
    check("local ok, v = pcall(cjson.decode, \"0X1p3\") if not ok then return {\"err\", v} end if type(v) == \"number\" then return {\"num\", tostring(v)} end if type(v) == \"table\" then return {\"table\", cjson.encode(v)} end return {type(v), tostring(v)}", "*2\r\n$3\r\nnum\r\n$1\r\n8\r\n");
    check("local ok, v = pcall(cjson.decode, \"0x\") if not ok then return {\"err\", v} end if type(v) == \"number\" then return {\"num\", tostring(v)} end if type(v) == \"table\" then return {\"table\", cjson.encode(v)} end return {type(v), tostring(v)}", "*2\r\n$3\r\nerr\r\n$55\r\nExpected the end but found invalid token at character 2\r\n");
    check("local ok, v = pcall(cjson.decode, \"0x.8\") if not ok then return {\"err\", v} end if type(v) == \"number\" then return {\"num\", tostring(v)} end if type(v) == \"table\" then return {\"table\", cjson.encode(v)} end return {type(v), tostring(v)}", "*2\r\n$3\r\nnum\r\n$3\r\n0.5\r\n");
    check("local ok, v = pcall(cjson.decode, \"0x1.8p1\") if not ok then return {\"err\", v} end if type(v) == \"number\" then return {\"num\", tostring(v)} end if type(v) == \"table\" then return {\"table\", cjson.encode(v)} end return {type(v), tostring(v)}", "*2\r\n$3\r\nnum\r\n$1\r\n3\r\n");
    check("local ok, v = pcall(cjson.decode, \"1e\") if not ok then return {\"err\", v} end if type(v) == \"number\" then return {\"num\", tostring(v)} end if type(v) == \"table\" then return {\"table\", cjson.encode(v)} end return {type(v), tostring(v)}", "*2\r\n$3\r\nerr\r\n$55\r\nExpected the end but found invalid token at character 2\r\n");
    check("local ok, v = pcall(cjson.decode, \"1e+\") if not ok then return {\"err\", v} end if type(v) == \"number\" then return {\"num\", tostring(v)} end if type(v) == \"table\" then return {\"table\", cjson.encode(v)} end return {type(v), tostring(v)}", "*2\r\n$3\r\nerr\r\n$55\r\nExpected the end but found invalid token at character 2\r\n");
    check("local ok, v = pcall(cjson.decode, \"1.\") if not ok then return {\"err\", v} end if type(v) == \"number\" then return {\"num\", tostring(v)} end if type(v) == \"table\" then return {\"table\", cjson.encode(v)} end return {type(v), tostring(v)}", "*2\r\n$3\r\nnum\r\n$1\r\n1\r\n");
    check("local ok, v = pcall(cjson.decode, \"1.e5\") if not ok then return {\"err\", v} end if type(v) == \"number\" then return {\"num\", tostring(v)} end if type(v) == \"table\" then return {\"table\", cjson.encode(v)} end return {type(v), tostring(v)}", "*2\r\n$3\r\nnum\r\n$6\r\n100000\r\n");
    check("local ok, v = pcall(cjson.decode, \"007\") if not ok then return {\"err\", v} end if type(v) == \"number\" then return {\"num\", tostring(v)} end if type(v) == \"table\" then return {\"table\", cjson.encode(v)} end return {type(v), tostring(v)}", "*2\r\n$3\r\nnum\r\n$1\r\n7\r\n");
    check("local ok, v = pcall(cjson.decode, \"1e400\") if not ok then return {\"err\", v} end if type(v) == \"number\" then return {\"num\", tostring(v)} end if type(v) == \"table\" then return {\"table\", cjson.encode(v)} end return {type(v), tostring(v)}", "*2\r\n$3\r\nnum\r\n$3\r\ninf\r\n");
    check("local ok, v = pcall(cjson.decode, \"-1e400\") if not ok then return {\"err\", v} end if type(v) == \"number\" then return {\"num\", tostring(v)} end if type(v) == \"table\" then return {\"table\", cjson.encode(v)} end return {type(v), tostring(v)}", "*2\r\n$3\r\nnum\r\n$4\r\n-inf\r\n");
    check("local ok, v = pcall(cjson.decode, \"1e-400\") if not ok then return {\"err\", v} end if type(v) == \"number\" then return {\"num\", tostring(v)} end if type(v) == \"table\" then return {\"table\", cjson.encode(v)} end return {type(v), tostring(v)}", "*2\r\n$3\r\nnum\r\n$1\r\n0\r\n");
    check("local ok, v = pcall(cjson.decode, \"\\\"\\\\u00e9\\\"\") if not ok then return {\"err\", v} end if type(v) == \"number\" then return {\"num\", tostring(v)} end if type(v) == \"table\" then return {\"table\", cjson.encode(v)} end return {type(v), tostring(v)}", "*2\r\n$6\r\nstring\r\n$2\r\né\r\n");
    check("local ok, v = pcall(cjson.decode, \"\\\"\\\\ud83d\\\\ude00\\\"\") if not ok then return {\"err\", v} end if type(v) == \"number\" then return {\"num\", tostring(v)} end if type(v) == \"table\" then return {\"table\", cjson.encode(v)} end return {type(v), tostring(v)}", "*2\r\n$6\r\nstring\r\n$4\r\n😀\r\n");
    check("local ok, v = pcall(cjson.decode, \"\\\"\\\\ud83d\\\"\") if not ok then return {\"err\", v} end if type(v) == \"number\" then return {\"num\", tostring(v)} end if type(v) == \"table\" then return {\"table\", cjson.encode(v)} end return {type(v), tostring(v)}", "*2\r\n$3\r\nerr\r\n$67\r\nExpected value but found invalid unicode escape code at character 2\r\n");
    check("local ok, v = pcall(cjson.decode, \"\\\"\\\\ude00\\\"\") if not ok then return {\"err\", v} end if type(v) == \"number\" then return {\"num\", tostring(v)} end if type(v) == \"table\" then return {\"table\", cjson.encode(v)} end return {type(v), tostring(v)}", "*2\r\n$3\r\nerr\r\n$67\r\nExpected value but found invalid unicode escape code at character 2\r\n");
    check("local ok, v = pcall(cjson.decode, \"\\\"\\\\ud83dx\\\"\") if not ok then return {\"err\", v} end if type(v) == \"number\" then return {\"num\", tostring(v)} end if type(v) == \"table\" then return {\"table\", cjson.encode(v)} end return {type(v), tostring(v)}", "*2\r\n$3\r\nerr\r\n$67\r\nExpected value but found invalid unicode escape code at character 2\r\n");
    check("local ok, v = pcall(cjson.decode, \"\\\"\\\\ud83d\\\\u0041\\\"\") if not ok then return {\"err\", v} end if type(v) == \"number\" then return {\"num\", tostring(v)} end if type(v) == \"table\" then return {\"table\", cjson.encode(v)} end return {type(v), tostring(v)}", "*2\r\n$3\r\nerr\r\n$67\r\nExpected value but found invalid unicode escape code at character 2\r\n");
    check("local ok, v = pcall(cjson.decode, \"\\\"\\\\u12\\\"\") if not ok then return {\"err\", v} end if type(v) == \"number\" then return {\"num\", tostring(v)} end if type(v) == \"table\" then return {\"table\", cjson.encode(v)} end return {type(v), tostring(v)}", "*2\r\n$3\r\nerr\r\n$67\r\nExpected value but found invalid unicode escape code at character 2\r\n");
    check("local ok, v = pcall(cjson.decode, \"\\\"\\\\u12g4\\\"\") if not ok then return {\"err\", v} end if type(v) == \"number\" then return {\"num\", tostring(v)} end if type(v) == \"table\" then return {\"table\", cjson.encode(v)} end return {type(v), tostring(v)}", "*2\r\n$3\r\nerr\r\n$67\r\nExpected value but found invalid unicode escape code at character 2\r\n");
    check("local ok, v = pcall(cjson.decode, \"\\\"\\\\x\\\"\") if not ok then return {\"err\", v} end if type(v) == \"number\" then return {\"num\", tostring(v)} end if type(v) == \"table\" then return {\"table\", cjson.encode(v)} end return {type(v), tostring(v)}", "*2\r\n$3\r\nerr\r\n$59\r\nExpected value but found invalid escape code at character 2\r\n");
    check("local ok, v = pcall(cjson.decode, \"\\\"\\\\\") if not ok then return {\"err\", v} end if type(v) == \"number\" then return {\"num\", tostring(v)} end if type(v) == \"table\" then return {\"table\", cjson.encode(v)} end return {type(v), tostring(v)}", "*2\r\n$3\r\nerr\r\n$59\r\nExpected value but found invalid escape code at character 2\r\n");
    check("local ok, v = pcall(cjson.decode, \"\\\"abc\") if not ok then return {\"err\", v} end if type(v) == \"number\" then return {\"num\", tostring(v)} end if type(v) == \"table\" then return {\"table\", cjson.encode(v)} end return {type(v), tostring(v)}", "*2\r\n$3\r\nerr\r\n$64\r\nExpected value but found unexpected end of string at character 5\r\n");
    check("local ok, v = pcall(cjson.decode, \"\\\"\\\\u0000\\\"\") if not ok then return {\"err\", v} end if type(v) == \"number\" then return {\"num\", tostring(v)} end if type(v) == \"table\" then return {\"table\", cjson.encode(v)} end return {type(v), tostring(v)}", "*2\r\n$6\r\nstring\r\n$1\r\n\u{0}\r\n");
    check("local ok, v = pcall(cjson.decode, \"\\\"\\\\uD83D\\\\uDE00\\\"\") if not ok then return {\"err\", v} end if type(v) == \"number\" then return {\"num\", tostring(v)} end if type(v) == \"table\" then return {\"table\", cjson.encode(v)} end return {type(v), tostring(v)}", "*2\r\n$6\r\nstring\r\n$4\r\n😀\r\n");
    check("local ok, v = pcall(cjson.decode, \"\\\"\\\\u0041\\\\u00\\\"\") if not ok then return {\"err\", v} end if type(v) == \"number\" then return {\"num\", tostring(v)} end if type(v) == \"table\" then return {\"table\", cjson.encode(v)} end return {type(v), tostring(v)}", "*2\r\n$3\r\nerr\r\n$67\r\nExpected value but found invalid unicode escape code at character 8\r\n");
    check("local ok, v = pcall(cjson.decode, \"\\\"\\\\u007f\\\\u0080\\\\u07ff\\\\u0800\\\\uffff\\\"\") if not ok then return {\"err\", v} end if type(v) == \"number\" then return {\"num\", tostring(v)} end if type(v) == \"table\" then return {\"table\", cjson.encode(v)} end return {type(v), tostring(v)}", "*2\r\n$6\r\nstring\r\n$11\r\n\u{7f}߿ࠀ￿\r\n");
    check("local ok, v = pcall(cjson.decode, \"tru\") if not ok then return {\"err\", v} end if type(v) == \"number\" then return {\"num\", tostring(v)} end if type(v) == \"table\" then return {\"table\", cjson.encode(v)} end return {type(v), tostring(v)}", "*2\r\n$3\r\nerr\r\n$53\r\nExpected value but found invalid token at character 1\r\n");
    check("local ok, v = pcall(cjson.decode, \"true \") if not ok then return {\"err\", v} end if type(v) == \"number\" then return {\"num\", tostring(v)} end if type(v) == \"table\" then return {\"table\", cjson.encode(v)} end return {type(v), tostring(v)}", "*2\r\n$7\r\nboolean\r\n$4\r\ntrue\r\n");
    check("local ok, v = pcall(cjson.decode, \"nul\") if not ok then return {\"err\", v} end if type(v) == \"number\" then return {\"num\", tostring(v)} end if type(v) == \"table\" then return {\"table\", cjson.encode(v)} end return {type(v), tostring(v)}", "*2\r\n$3\r\nerr\r\n$53\r\nExpected value but found invalid token at character 1\r\n");
    check("local ok, v = pcall(cjson.decode, \"null\") if not ok then return {\"err\", v} end if type(v) == \"number\" then return {\"num\", tostring(v)} end if type(v) == \"table\" then return {\"table\", cjson.encode(v)} end return {type(v), tostring(v)}", "*2\r\n$8\r\nuserdata\r\n$15\r\nuserdata: (nil)\r\n");
    check("local ok, v = pcall(cjson.decode, \"false\") if not ok then return {\"err\", v} end if type(v) == \"number\" then return {\"num\", tostring(v)} end if type(v) == \"table\" then return {\"table\", cjson.encode(v)} end return {type(v), tostring(v)}", "*2\r\n$7\r\nboolean\r\n$5\r\nfalse\r\n");
    check("local ok, v = pcall(cjson.decode, \"falsey\") if not ok then return {\"err\", v} end if type(v) == \"number\" then return {\"num\", tostring(v)} end if type(v) == \"table\" then return {\"table\", cjson.encode(v)} end return {type(v), tostring(v)}", "*2\r\n$3\r\nerr\r\n$55\r\nExpected the end but found invalid token at character 6\r\n");
    check("local ok, v = pcall(cjson.decode, \"[1,2\") if not ok then return {\"err\", v} end if type(v) == \"number\" then return {\"num\", tostring(v)} end if type(v) == \"table\" then return {\"table\", cjson.encode(v)} end return {type(v), tostring(v)}", "*2\r\n$3\r\nerr\r\n$58\r\nExpected comma or array end but found T_END at character 5\r\n");
    check("local ok, v = pcall(cjson.decode, \"\") if not ok then return {\"err\", v} end if type(v) == \"number\" then return {\"num\", tostring(v)} end if type(v) == \"table\" then return {\"table\", cjson.encode(v)} end return {type(v), tostring(v)}", "*2\r\n$3\r\nerr\r\n$45\r\nExpected value but found T_END at character 1\r\n");
    check("local ok, v = pcall(cjson.decode, \"  \") if not ok then return {\"err\", v} end if type(v) == \"number\" then return {\"num\", tostring(v)} end if type(v) == \"table\" then return {\"table\", cjson.encode(v)} end return {type(v), tostring(v)}", "*2\r\n$3\r\nerr\r\n$45\r\nExpected value but found T_END at character 3\r\n");
    check("local ok, v = pcall(cjson.decode, \" [1 , 2 ] \") if not ok then return {\"err\", v} end if type(v) == \"number\" then return {\"num\", tostring(v)} end if type(v) == \"table\" then return {\"table\", cjson.encode(v)} end return {type(v), tostring(v)}", "*2\r\n$5\r\ntable\r\n$5\r\n[1,2]\r\n");
    check("local ok, v = pcall(cjson.decode, \"{1:2}\") if not ok then return {\"err\", v} end if type(v) == \"number\" then return {\"num\", tostring(v)} end if type(v) == \"table\" then return {\"table\", cjson.encode(v)} end return {type(v), tostring(v)}", "*2\r\n$3\r\nerr\r\n$60\r\nExpected object key string but found T_NUMBER at character 2\r\n");
    check("local ok, v = pcall(cjson.decode, \"{\\\"a\\\" 1}\") if not ok then return {\"err\", v} end if type(v) == \"number\" then return {\"num\", tostring(v)} end if type(v) == \"table\" then return {\"table\", cjson.encode(v)} end return {type(v), tostring(v)}", "*2\r\n$3\r\nerr\r\n$48\r\nExpected colon but found T_NUMBER at character 6\r\n");
    check("local ok, v = pcall(cjson.decode, \"{\\\"a\\\":1 \\\"b\\\"}\") if not ok then return {\"err\", v} end if type(v) == \"number\" then return {\"num\", tostring(v)} end if type(v) == \"table\" then return {\"table\", cjson.encode(v)} end return {type(v), tostring(v)}", "*2\r\n$3\r\nerr\r\n$62\r\nExpected comma or object end but found T_STRING at character 8\r\n");
    check("local ok, v = pcall(cjson.decode, \"[1 2]\") if not ok then return {\"err\", v} end if type(v) == \"number\" then return {\"num\", tostring(v)} end if type(v) == \"table\" then return {\"table\", cjson.encode(v)} end return {type(v), tostring(v)}", "*2\r\n$3\r\nerr\r\n$61\r\nExpected comma or array end but found T_NUMBER at character 4\r\n");
    check("local ok, v = pcall(cjson.decode, \"{\\\"a\\\":}\") if not ok then return {\"err\", v} end if type(v) == \"number\" then return {\"num\", tostring(v)} end if type(v) == \"table\" then return {\"table\", cjson.encode(v)} end return {type(v), tostring(v)}", "*2\r\n$3\r\nerr\r\n$49\r\nExpected value but found T_OBJ_END at character 6\r\n");
    check("local ok, v = pcall(cjson.decode, \"[,]\") if not ok then return {\"err\", v} end if type(v) == \"number\" then return {\"num\", tostring(v)} end if type(v) == \"table\" then return {\"table\", cjson.encode(v)} end return {type(v), tostring(v)}", "*2\r\n$3\r\nerr\r\n$47\r\nExpected value but found T_COMMA at character 2\r\n");
    check("local ok, v = pcall(cjson.decode, \"[1,]\") if not ok then return {\"err\", v} end if type(v) == \"number\" then return {\"num\", tostring(v)} end if type(v) == \"table\" then return {\"table\", cjson.encode(v)} end return {type(v), tostring(v)}", "*2\r\n$3\r\nerr\r\n$49\r\nExpected value but found T_ARR_END at character 4\r\n");
    check("local ok, v = pcall(cjson.decode, \"{\\\"a\\\":1,}\") if not ok then return {\"err\", v} end if type(v) == \"number\" then return {\"num\", tostring(v)} end if type(v) == \"table\" then return {\"table\", cjson.encode(v)} end return {type(v), tostring(v)}", "*2\r\n$3\r\nerr\r\n$61\r\nExpected object key string but found T_OBJ_END at character 8\r\n");
    check("local ok, v = pcall(cjson.decode, \"]\") if not ok then return {\"err\", v} end if type(v) == \"number\" then return {\"num\", tostring(v)} end if type(v) == \"table\" then return {\"table\", cjson.encode(v)} end return {type(v), tostring(v)}", "*2\r\n$3\r\nerr\r\n$49\r\nExpected value but found T_ARR_END at character 1\r\n");
    check("local ok, v = pcall(cjson.decode, \"}\") if not ok then return {\"err\", v} end if type(v) == \"number\" then return {\"num\", tostring(v)} end if type(v) == \"table\" then return {\"table\", cjson.encode(v)} end return {type(v), tostring(v)}", "*2\r\n$3\r\nerr\r\n$49\r\nExpected value but found T_OBJ_END at character 1\r\n");
    check("local ok, v = pcall(cjson.decode, \":\") if not ok then return {\"err\", v} end if type(v) == \"number\" then return {\"num\", tostring(v)} end if type(v) == \"table\" then return {\"table\", cjson.encode(v)} end return {type(v), tostring(v)}", "*2\r\n$3\r\nerr\r\n$47\r\nExpected value but found T_COLON at character 1\r\n");
    check("local ok, v = pcall(cjson.decode, \",\") if not ok then return {\"err\", v} end if type(v) == \"number\" then return {\"num\", tostring(v)} end if type(v) == \"table\" then return {\"table\", cjson.encode(v)} end return {type(v), tostring(v)}", "*2\r\n$3\r\nerr\r\n$47\r\nExpected value but found T_COMMA at character 1\r\n");
    check("local ok, v = pcall(cjson.decode, \"[]x\") if not ok then return {\"err\", v} end if type(v) == \"number\" then return {\"num\", tostring(v)} end if type(v) == \"table\" then return {\"table\", cjson.encode(v)} end return {type(v), tostring(v)}", "*2\r\n$3\r\nerr\r\n$55\r\nExpected the end but found invalid token at character 3\r\n");
    check("local ok, v = pcall(cjson.decode, \"1 2\") if not ok then return {\"err\", v} end if type(v) == \"number\" then return {\"num\", tostring(v)} end if type(v) == \"table\" then return {\"table\", cjson.encode(v)} end return {type(v), tostring(v)}", "*2\r\n$3\r\nerr\r\n$50\r\nExpected the end but found T_NUMBER at character 3\r\n");
    check("local ok, v = pcall(cjson.decode, \"\\\"\\\\/\\\\b\\\\f\\\\n\\\\r\\\\t\\\\\\\"\\\\\\\\\\\"\") if not ok then return {\"err\", v} end if type(v) == \"number\" then return {\"num\", tostring(v)} end if type(v) == \"table\" then return {\"table\", cjson.encode(v)} end return {type(v), tostring(v)}", "*2\r\n$6\r\nstring\r\n$8\r\n/\u{8}\u{c}\n\r\t\"\\\r\n");
    check("local ok, v = pcall(cjson.decode, \"infinity\") if not ok then return {\"err\", v} end if type(v) == \"number\" then return {\"num\", tostring(v)} end if type(v) == \"table\" then return {\"table\", cjson.encode(v)} end return {type(v), tostring(v)}", "*2\r\n$3\r\nnum\r\n$3\r\ninf\r\n");
    check("local ok, v = pcall(cjson.decode, \"INF\") if not ok then return {\"err\", v} end if type(v) == \"number\" then return {\"num\", tostring(v)} end if type(v) == \"table\" then return {\"table\", cjson.encode(v)} end return {type(v), tostring(v)}", "*2\r\n$3\r\nnum\r\n$3\r\ninf\r\n");
    check("local ok, v = pcall(cjson.decode, \"iNf\") if not ok then return {\"err\", v} end if type(v) == \"number\" then return {\"num\", tostring(v)} end if type(v) == \"table\" then return {\"table\", cjson.encode(v)} end return {type(v), tostring(v)}", "*2\r\n$3\r\nnum\r\n$3\r\ninf\r\n");
    check("local ok, v = pcall(cjson.decode, \"nAn\") if not ok then return {\"err\", v} end if type(v) == \"number\" then return {\"num\", tostring(v)} end if type(v) == \"table\" then return {\"table\", cjson.encode(v)} end return {type(v), tostring(v)}", "*2\r\n$3\r\nnum\r\n$3\r\nnan\r\n");
    check("local ok, v = pcall(cjson.decode, \"NAN(abc_1)\") if not ok then return {\"err\", v} end if type(v) == \"number\" then return {\"num\", tostring(v)} end if type(v) == \"table\" then return {\"table\", cjson.encode(v)} end return {type(v), tostring(v)}", "*2\r\n$3\r\nnum\r\n$3\r\nnan\r\n");
    check("local ok, v = pcall(cjson.decode, \"nan()\") if not ok then return {\"err\", v} end if type(v) == \"number\" then return {\"num\", tostring(v)} end if type(v) == \"table\" then return {\"table\", cjson.encode(v)} end return {type(v), tostring(v)}", "*2\r\n$3\r\nnum\r\n$3\r\nnan\r\n");
    check("local ok, v = pcall(cjson.decode, \"nan(-)\") if not ok then return {\"err\", v} end if type(v) == \"number\" then return {\"num\", tostring(v)} end if type(v) == \"table\" then return {\"table\", cjson.encode(v)} end return {type(v), tostring(v)}", "*2\r\n$3\r\nerr\r\n$55\r\nExpected the end but found invalid token at character 4\r\n");
    check("local ok, v = pcall(cjson.decode, \"0x1p-1074\") if not ok then return {\"err\", v} end if type(v) == \"number\" then return {\"num\", tostring(v)} end if type(v) == \"table\" then return {\"table\", cjson.encode(v)} end return {type(v), tostring(v)}", "*2\r\n$3\r\nnum\r\n$20\r\n4.9406564584125e-324\r\n");
    check("local ok, v = pcall(cjson.decode, \"0x1p-1075\") if not ok then return {\"err\", v} end if type(v) == \"number\" then return {\"num\", tostring(v)} end if type(v) == \"table\" then return {\"table\", cjson.encode(v)} end return {type(v), tostring(v)}", "*2\r\n$3\r\nnum\r\n$1\r\n0\r\n");
    check("local ok, v = pcall(cjson.decode, \"0x1.fffffffffffff8p1023\") if not ok then return {\"err\", v} end if type(v) == \"number\" then return {\"num\", tostring(v)} end if type(v) == \"table\" then return {\"table\", cjson.encode(v)} end return {type(v), tostring(v)}", "*2\r\n$3\r\nnum\r\n$3\r\ninf\r\n");
    check("local ok, v = pcall(cjson.decode, \"1e309\") if not ok then return {\"err\", v} end if type(v) == \"number\" then return {\"num\", tostring(v)} end if type(v) == \"table\" then return {\"table\", cjson.encode(v)} end return {type(v), tostring(v)}", "*2\r\n$3\r\nnum\r\n$3\r\ninf\r\n");
    check("local ok, v = pcall(cjson.decode, \"4.9e-324\") if not ok then return {\"err\", v} end if type(v) == \"number\" then return {\"num\", tostring(v)} end if type(v) == \"table\" then return {\"table\", cjson.encode(v)} end return {type(v), tostring(v)}", "*2\r\n$3\r\nnum\r\n$20\r\n4.9406564584125e-324\r\n");
    check("local ok, v = pcall(cjson.decode, \"0123.5e2\") if not ok then return {\"err\", v} end if type(v) == \"number\" then return {\"num\", tostring(v)} end if type(v) == \"table\" then return {\"table\", cjson.encode(v)} end return {type(v), tostring(v)}", "*2\r\n$3\r\nnum\r\n$5\r\n12350\r\n");
    check("local ok, v = pcall(cjson.decode, \"-0\") if not ok then return {\"err\", v} end if type(v) == \"number\" then return {\"num\", tostring(v)} end if type(v) == \"table\" then return {\"table\", cjson.encode(v)} end return {type(v), tostring(v)}", "*2\r\n$3\r\nnum\r\n$2\r\n-0\r\n");
    check("local ok, v = pcall(cjson.decode, \"-0.0\") if not ok then return {\"err\", v} end if type(v) == \"number\" then return {\"num\", tostring(v)} end if type(v) == \"table\" then return {\"table\", cjson.encode(v)} end return {type(v), tostring(v)}", "*2\r\n$3\r\nnum\r\n$2\r\n-0\r\n");
    check("local ok, v = pcall(cjson.decode, \"00\") if not ok then return {\"err\", v} end if type(v) == \"number\" then return {\"num\", tostring(v)} end if type(v) == \"table\" then return {\"table\", cjson.encode(v)} end return {type(v), tostring(v)}", "*2\r\n$3\r\nnum\r\n$1\r\n0\r\n");
    check("local ok, v = pcall(cjson.decode, \"-00\") if not ok then return {\"err\", v} end if type(v) == \"number\" then return {\"num\", tostring(v)} end if type(v) == \"table\" then return {\"table\", cjson.encode(v)} end return {type(v), tostring(v)}", "*2\r\n$3\r\nnum\r\n$2\r\n-0\r\n");
    check("local ok, v = pcall(cjson.decode, \"1E5\") if not ok then return {\"err\", v} end if type(v) == \"number\" then return {\"num\", tostring(v)} end if type(v) == \"table\" then return {\"table\", cjson.encode(v)} end return {type(v), tostring(v)}", "*2\r\n$3\r\nnum\r\n$6\r\n100000\r\n");
    check("local ok, v = pcall(cjson.decode, \"1e05\") if not ok then return {\"err\", v} end if type(v) == \"number\" then return {\"num\", tostring(v)} end if type(v) == \"table\" then return {\"table\", cjson.encode(v)} end return {type(v), tostring(v)}", "*2\r\n$3\r\nnum\r\n$6\r\n100000\r\n");
    check("local ok, v = pcall(cjson.decode, \"0.000001\") if not ok then return {\"err\", v} end if type(v) == \"number\" then return {\"num\", tostring(v)} end if type(v) == \"table\" then return {\"table\", cjson.encode(v)} end return {type(v), tostring(v)}", "*2\r\n$3\r\nnum\r\n$5\r\n1e-06\r\n");
    check("local ok, v = pcall(cjson.decode, \"{\\\"a\\\":1,\\\"b\\\":[1,2,{\\\"c\\\":null}]}\") if not ok then return {\"err\", v} end if type(v) == \"number\" then return {\"num\", tostring(v)} end if type(v) == \"table\" then return {\"table\", cjson.encode(v)} end return {type(v), tostring(v)}", "*2\r\n$5\r\ntable\r\n$28\r\n{\"a\":1,\"b\":[1,2,{\"c\":null}]}\r\n");
    check("local ok, v = pcall(cjson.decode, \"[true,false,null]\") if not ok then return {\"err\", v} end if type(v) == \"number\" then return {\"num\", tostring(v)} end if type(v) == \"table\" then return {\"table\", cjson.encode(v)} end return {type(v), tostring(v)}", "*2\r\n$5\r\ntable\r\n$17\r\n[true,false,null]\r\n");
    check("local ok, v = pcall(cjson.decode, \"{\\\"\\\":\\\"\\\"}\") if not ok then return {\"err\", v} end if type(v) == \"number\" then return {\"num\", tostring(v)} end if type(v) == \"table\" then return {\"table\", cjson.encode(v)} end return {type(v), tostring(v)}", "*2\r\n$5\r\ntable\r\n$7\r\n{\"\":\"\"}\r\n");
    check("local ok, v = pcall(cjson.decode, \"{\\\"a\\\":1,\\\"a\\\":2}\") if not ok then return {\"err\", v} end if type(v) == \"number\" then return {\"num\", tostring(v)} end if type(v) == \"table\" then return {\"table\", cjson.encode(v)} end return {type(v), tostring(v)}", "*2\r\n$5\r\ntable\r\n$7\r\n{\"a\":2}\r\n");
    check("local ok, v = pcall(cjson.decode, \"[[[[]]]]\") if not ok then return {\"err\", v} end if type(v) == \"number\" then return {\"num\", tostring(v)} end if type(v) == \"table\" then return {\"table\", cjson.encode(v)} end return {type(v), tostring(v)}", "*2\r\n$5\r\ntable\r\n$8\r\n[[[{}]]]\r\n");
    check("local ok, v = pcall(cjson.decode, \"\\\\t\\\\r\\\\n [ ] \\\\n\") if not ok then return {\"err\", v} end if type(v) == \"number\" then return {\"num\", tostring(v)} end if type(v) == \"table\" then return {\"table\", cjson.encode(v)} end return {type(v), tostring(v)}", "*2\r\n$3\r\nerr\r\n$53\r\nExpected value but found invalid token at character 1\r\n");
    check("local ok, v = pcall(cjson.decode, \"\\\\f[]\") if not ok then return {\"err\", v} end if type(v) == \"number\" then return {\"num\", tostring(v)} end if type(v) == \"table\" then return {\"table\", cjson.encode(v)} end return {type(v), tostring(v)}", "*2\r\n$3\r\nerr\r\n$53\r\nExpected value but found invalid token at character 1\r\n");
    check("local ok, v = pcall(cjson.decode, \"[1]\\\\u0000\") if not ok then return {\"err\", v} end if type(v) == \"number\" then return {\"num\", tostring(v)} end if type(v) == \"table\" then return {\"table\", cjson.encode(v)} end return {type(v), tostring(v)}", "*2\r\n$3\r\nerr\r\n$55\r\nExpected the end but found invalid token at character 4\r\n");
    check("local ok, v = pcall(cjson.decode, \"True\") if not ok then return {\"err\", v} end if type(v) == \"number\" then return {\"num\", tostring(v)} end if type(v) == \"table\" then return {\"table\", cjson.encode(v)} end return {type(v), tostring(v)}", "*2\r\n$3\r\nerr\r\n$53\r\nExpected value but found invalid token at character 1\r\n");
    check("local ok, v = pcall(cjson.decode, \"NULL\") if not ok then return {\"err\", v} end if type(v) == \"number\" then return {\"num\", tostring(v)} end if type(v) == \"table\" then return {\"table\", cjson.encode(v)} end return {type(v), tostring(v)}", "*2\r\n$3\r\nerr\r\n$53\r\nExpected value but found invalid token at character 1\r\n");
    check("local ok, v = pcall(cjson.decode, \"\\\"\\\\u0000abc\\\"\") if not ok then return {\"err\", v} end if type(v) == \"number\" then return {\"num\", tostring(v)} end if type(v) == \"table\" then return {\"table\", cjson.encode(v)} end return {type(v), tostring(v)}", "*2\r\n$6\r\nstring\r\n$4\r\n\u{0}abc\r\n");
    check("local ok, v = pcall(cjson.decode, \"1.5e300\") if not ok then return {\"err\", v} end if type(v) == \"number\" then return {\"num\", tostring(v)} end if type(v) == \"table\" then return {\"table\", cjson.encode(v)} end return {type(v), tostring(v)}", "*2\r\n$3\r\nnum\r\n$8\r\n1.5e+300\r\n");
    check("local ok, v = pcall(cjson.decode, \"-1.5e-300\") if not ok then return {\"err\", v} end if type(v) == \"number\" then return {\"num\", tostring(v)} end if type(v) == \"table\" then return {\"table\", cjson.encode(v)} end return {type(v), tostring(v)}", "*2\r\n$3\r\nnum\r\n$9\r\n-1.5e-300\r\n");
    check("local ok, v = pcall(cjson.decode, \"123456789012345678901234567890\") if not ok then return {\"err\", v} end if type(v) == \"number\" then return {\"num\", tostring(v)} end if type(v) == \"table\" then return {\"table\", cjson.encode(v)} end return {type(v), tostring(v)}", "*2\r\n$3\r\nnum\r\n$19\r\n1.2345678901235e+29\r\n");
    check("local ok, v = pcall(cjson.decode, \"0.1\") if not ok then return {\"err\", v} end if type(v) == \"number\" then return {\"num\", tostring(v)} end if type(v) == \"table\" then return {\"table\", cjson.encode(v)} end return {type(v), tostring(v)}", "*2\r\n$3\r\nnum\r\n$3\r\n0.1\r\n");
    check("local ok, v = pcall(cjson.decode, \"3.14159\") if not ok then return {\"err\", v} end if type(v) == \"number\" then return {\"num\", tostring(v)} end if type(v) == \"table\" then return {\"table\", cjson.encode(v)} end return {type(v), tostring(v)}", "*2\r\n$3\r\nnum\r\n$7\r\n3.14159\r\n");
    check("local ok, v = pcall(cjson.decode, \"1e2\") if not ok then return {\"err\", v} end if type(v) == \"number\" then return {\"num\", tostring(v)} end if type(v) == \"table\" then return {\"table\", cjson.encode(v)} end return {type(v), tostring(v)}", "*2\r\n$3\r\nnum\r\n$3\r\n100\r\n");
    check("local ok, v = pcall(cjson.decode, \"-\") if not ok then return {\"err\", v} end if type(v) == \"number\" then return {\"num\", tostring(v)} end if type(v) == \"table\" then return {\"table\", cjson.encode(v)} end return {type(v), tostring(v)}", "*2\r\n$3\r\nerr\r\n$54\r\nExpected value but found invalid number at character 1\r\n");
    check("local ok, v = pcall(cjson.decode, \"--1\") if not ok then return {\"err\", v} end if type(v) == \"number\" then return {\"num\", tostring(v)} end if type(v) == \"table\" then return {\"table\", cjson.encode(v)} end return {type(v), tostring(v)}", "*2\r\n$3\r\nerr\r\n$54\r\nExpected value but found invalid number at character 1\r\n");
    check("local ok, v = pcall(cjson.decode, \"0x1P-2\") if not ok then return {\"err\", v} end if type(v) == \"number\" then return {\"num\", tostring(v)} end if type(v) == \"table\" then return {\"table\", cjson.encode(v)} end return {type(v), tostring(v)}", "*2\r\n$3\r\nnum\r\n$4\r\n0.25\r\n");
    check("local ok, v = pcall(cjson.decode, \"0x1.Gp1\") if not ok then return {\"err\", v} end if type(v) == \"number\" then return {\"num\", tostring(v)} end if type(v) == \"table\" then return {\"table\", cjson.encode(v)} end return {type(v), tostring(v)}", "*2\r\n$3\r\nerr\r\n$55\r\nExpected the end but found invalid token at character 5\r\n");
    check("local ok, v = pcall(cjson.decode, \"+inf\") if not ok then return {\"err\", v} end if type(v) == \"number\" then return {\"num\", tostring(v)} end if type(v) == \"table\" then return {\"table\", cjson.encode(v)} end return {type(v), tostring(v)}", "*2\r\n$3\r\nnum\r\n$3\r\ninf\r\n");
    check("local ok, v = pcall(cjson.decode, \"+nan\") if not ok then return {\"err\", v} end if type(v) == \"number\" then return {\"num\", tostring(v)} end if type(v) == \"table\" then return {\"table\", cjson.encode(v)} end return {type(v), tostring(v)}", "*2\r\n$3\r\nnum\r\n$3\r\nnan\r\n");
    check("local ok, v = pcall(cjson.decode, \"-0x10\") if not ok then return {\"err\", v} end if type(v) == \"number\" then return {\"num\", tostring(v)} end if type(v) == \"table\" then return {\"table\", cjson.encode(v)} end return {type(v), tostring(v)}", "*2\r\n$3\r\nnum\r\n$3\r\n-16\r\n");
    check("local ok, v = pcall(cjson.decode, \"+0x10\") if not ok then return {\"err\", v} end if type(v) == \"number\" then return {\"num\", tostring(v)} end if type(v) == \"table\" then return {\"table\", cjson.encode(v)} end return {type(v), tostring(v)}", "*2\r\n$3\r\nnum\r\n$2\r\n16\r\n");
    check("local ok, v = pcall(cjson.decode, \"1.5.5\") if not ok then return {\"err\", v} end if type(v) == \"number\" then return {\"num\", tostring(v)} end if type(v) == \"table\" then return {\"table\", cjson.encode(v)} end return {type(v), tostring(v)}", "*2\r\n$3\r\nerr\r\n$55\r\nExpected the end but found invalid token at character 4\r\n");
    check("local ok, v = pcall(cjson.decode, \"12e3.5\") if not ok then return {\"err\", v} end if type(v) == \"number\" then return {\"num\", tostring(v)} end if type(v) == \"table\" then return {\"table\", cjson.encode(v)} end return {type(v), tostring(v)}", "*2\r\n$3\r\nerr\r\n$55\r\nExpected the end but found invalid token at character 5\r\n");
    check("local ok, v = pcall(cjson.decode, \"[1,2,3,]\") if not ok then return {\"err\", v} end if type(v) == \"number\" then return {\"num\", tostring(v)} end if type(v) == \"table\" then return {\"table\", cjson.encode(v)} end return {type(v), tostring(v)}", "*2\r\n$3\r\nerr\r\n$49\r\nExpected value but found T_ARR_END at character 8\r\n");
}

#[test]
fn decode_misc() {
    check("return {pcall(cjson.decode)}", "*2\r\n$-1\r\n$44\r\nbad argument #1 to '?' (expected 1 argument)\r\n");
    check(
        "return {pcall(cjson.decode, \"1\", 2)}",
        "*2\r\n$-1\r\n$44\r\nbad argument #1 to '?' (expected 1 argument)\r\n",
    );
    check(
        "return {pcall(cjson.decode, {})}",
        "*2\r\n$-1\r\n$51\r\nbad argument #1 to '?' (string expected, got table)\r\n",
    );
    check(
        "return {pcall(cjson.decode, nil)}",
        "*2\r\n$-1\r\n$49\r\nbad argument #1 to '?' (string expected, got nil)\r\n",
    );
    check(
        "return {pcall(cjson.decode, true)}",
        "*2\r\n$-1\r\n$53\r\nbad argument #1 to '?' (string expected, got boolean)\r\n",
    );
    check("return cjson.decode(123)", ":123\r\n");
    check("return cjson.decode(0.5) * 2", ":1\r\n");
    check("return cjson.decode(-7)", ":-7\r\n");
    check("return cjson.decode(1e100) == 1e100", ":1\r\n");
    check("return {pcall(cjson.decode, \"[1]\\0x\")}", "*2\r\n:1\r\n*1\r\n:1\r\n");
    check(
        "return {pcall(cjson.decode, \"1\\0\")}",
        "*2\r\n$-1\r\n$45\r\nJSON parser does not support UTF-16 or UTF-32\r\n",
    );
    check(
        "return {pcall(cjson.decode, \"\\0\")}",
        "*2\r\n$-1\r\n$45\r\nExpected value but found T_END at character 1\r\n",
    );
    check(
        "return {pcall(cjson.decode, \"\\0\\0\")}",
        "*2\r\n$-1\r\n$45\r\nJSON parser does not support UTF-16 or UTF-32\r\n",
    );
    check(
        "return {pcall(cjson.decode, \"\\\"a\\0b\\\"\")}",
        "*2\r\n$-1\r\n$64\r\nExpected value but found unexpected end of string at character 3\r\n",
    );
    check(
        "return {pcall(cjson.decode, \"[\\\"a\\\\\\0\\\"]\")}",
        "*2\r\n$-1\r\n$59\r\nExpected value but found invalid escape code at character 4\r\n",
    );
    check(
        "return {pcall(cjson.decode, \" \\0\")}",
        "*2\r\n$-1\r\n$45\r\nJSON parser does not support UTF-16 or UTF-32\r\n",
    );
    check("local t = cjson.decode(\"[1,2,3]\") return {#t, t[1], t[3]}", "*3\r\n:3\r\n:1\r\n:3\r\n");
    check("local t = cjson.decode(\"{\\\"b\\\":1,\\\"a\\\":2,\\\"c\\\":3,\\\"d\\\":4}\") local r = {} for k, v in pairs(t) do r[#r+1] = k end return r", "*4\r\n$1\r\na\r\n$1\r\nd\r\n$1\r\nc\r\n$1\r\nb\r\n");
    check("local t = cjson.decode(\"[1,null,3]\") return {#t, t[2] == cjson.null}", "*2\r\n:3\r\n:1\r\n");
    check(
        "local t = cjson.decode(\"{\\\"1\\\":\\\"x\\\"}\") return {t[1] == nil, t[\"1\"]}",
        "*2\r\n:1\r\n$1\r\nx\r\n",
    );
    check("return cjson.decode(\"\\\"\\\\u0000\\\"\") == \"\\0\"", ":1\r\n");
    check("return cjson.decode(string.rep(\"[\", 1001))", "-ERR user_script:1: Found too many nested data structures (1001) at character 1001 script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n");
    check("return cjson.decode(string.rep(\"[\", 100000))", "-ERR user_script:1: Found too many nested data structures (1001) at character 1001 script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n");
    check("return cjson.decode(string.rep(\"{\\\"a\\\":\", 1001))", "-ERR user_script:1: Found too many nested data structures (1001) at character 5001 script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n");
    check("return cjson.decode(string.rep(\"[\", 1000) .. string.rep(\"]\", 1000)) ~= nil", ":1\r\n");
    check(
        "local c=cjson.new() c.decode_max_depth(70000) return {pcall(c.decode, string.rep(\"[\", 9000))}",
        "*2\r\n$-1\r\n$62\r\nFound too many nested data structures (7999) at character 7999\r\n",
    );
    check(
        "local c=cjson.new() c.decode_max_depth(70000) return {pcall(c.decode, string.rep(\"{\\\"a\\\":\", 9000))}",
        "*2\r\n$-1\r\n$63\r\nFound too many nested data structures (4000) at character 19996\r\n",
    );
    check(
        "local c=cjson.new() c.decode_max_depth(70000) return {pcall(c.decode, string.rep(\"[{\\\"a\\\":\", 9000))}",
        "*2\r\n$-1\r\n$63\r\nFound too many nested data structures (5333) at character 15997\r\n",
    );
    check(
        "local c=cjson.new() c.decode_max_depth(2) return {pcall(c.decode, \"[[1]]\"), pcall(c.decode, \"[[[1]]]\")}",
        "*3\r\n:1\r\n$-1\r\n$56\r\nFound too many nested data structures (3) at character 3\r\n",
    );
    check(
        "local c=cjson.new() c.decode_max_depth(2) return {pcall(c.decode, \"{\\\"a\\\":{\\\"b\\\":{}}}\")}",
        "*2\r\n$-1\r\n$57\r\nFound too many nested data structures (3) at character 11\r\n",
    );
    check(
        "local c=cjson.new() c.decode_max_depth(1) return {pcall(c.decode, \"[]\"), pcall(c.decode, \"[[]]\")}",
        "*3\r\n:1\r\n$-1\r\n$56\r\nFound too many nested data structures (2) at character 2\r\n",
    );
    check("return cjson.decode(\"[1,2\")", "-ERR user_script:1: Expected comma or array end but found T_END at character 5 script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n");
    check("return cjson.decode(\"{\")", "-ERR user_script:1: Expected object key string but found T_END at character 2 script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n");
    check("return cjson.decode(\"{\\\"a\\\"\")", "-ERR user_script:1: Expected colon but found T_END at character 5 script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n");
    check("return cjson.decode(\"{\\\"a\\\":1\")", "-ERR user_script:1: Expected comma or object end but found T_END at character 7 script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n");
    check("local s = string.rep(\"x\", 10000) return cjson.decode(cjson.encode(s)) == s", ":1\r\n");
    check("local t = cjson.decode(\"[\" .. string.rep(\"1,\", 9999) .. \"1]\") return #t", ":10000\r\n");
}

#[test]
fn decode_invalid_numbers_off() {
    check(
        "local c=cjson.new() c.decode_invalid_numbers(false) return {pcall(c.decode, \"0x10\")}",
        "*2\r\n$-1\r\n$54\r\nExpected value but found invalid number at character 1\r\n",
    );
    check(
        "local c=cjson.new() c.decode_invalid_numbers(false) return {pcall(c.decode, \"nan\")}",
        "*2\r\n$-1\r\n$53\r\nExpected value but found invalid token at character 1\r\n",
    );
    check(
        "local c=cjson.new() c.decode_invalid_numbers(false) return {pcall(c.decode, \"+1\")}",
        "*2\r\n$-1\r\n$53\r\nExpected value but found invalid token at character 1\r\n",
    );
    check(
        "local c=cjson.new() c.decode_invalid_numbers(false) return {pcall(c.decode, \"-inf\")}",
        "*2\r\n$-1\r\n$54\r\nExpected value but found invalid number at character 1\r\n",
    );
    check(
        "local c=cjson.new() c.decode_invalid_numbers(false) return {pcall(c.decode, \"-.5\")}",
        "*2\r\n:1\r\n:0\r\n",
    );
    check(
        "local c=cjson.new() c.decode_invalid_numbers(false) return {pcall(c.decode, \"007\")}",
        "*2\r\n$-1\r\n$54\r\nExpected value but found invalid number at character 1\r\n",
    );
    check("local c=cjson.new() c.decode_invalid_numbers(false) return {pcall(c.decode, \"0\")}", "*2\r\n:1\r\n:0\r\n");
    check(
        "local c=cjson.new() c.decode_invalid_numbers(false) return {pcall(c.decode, \"-0x1\")}",
        "*2\r\n$-1\r\n$54\r\nExpected value but found invalid number at character 1\r\n",
    );
    check(
        "local c=cjson.new() c.decode_invalid_numbers(false) return {pcall(c.decode, \"Infinity\")}",
        "*2\r\n$-1\r\n$53\r\nExpected value but found invalid token at character 1\r\n",
    );
    check(
        "local c=cjson.new() c.decode_invalid_numbers(false) return {pcall(c.decode, \"[1,-]\")}",
        "*2\r\n$-1\r\n$54\r\nExpected value but found invalid number at character 4\r\n",
    );
    check(
        "local c=cjson.new() c.decode_invalid_numbers(false) return {pcall(c.decode, \"1.5e3\")}",
        "*2\r\n:1\r\n:1500\r\n",
    );
    check(
        "local c=cjson.new() c.decode_invalid_numbers(false) return {pcall(c.decode, \"01\")}",
        "*2\r\n$-1\r\n$54\r\nExpected value but found invalid number at character 1\r\n",
    );
    check(
        "local c=cjson.new() c.decode_invalid_numbers(false) return {pcall(c.decode, \"-01\")}",
        "*2\r\n$-1\r\n$54\r\nExpected value but found invalid number at character 1\r\n",
    );
    check(
        "local c=cjson.new() c.decode_invalid_numbers(false) return {pcall(c.decode, \"0.5\")}",
        "*2\r\n:1\r\n:0\r\n",
    );
    check(
        "local c=cjson.new() c.decode_invalid_numbers(false) return {pcall(c.decode, \"-\")}",
        "*2\r\n$-1\r\n$54\r\nExpected value but found invalid number at character 1\r\n",
    );
    check(
        "local c=cjson.new() c.decode_invalid_numbers(false) return {pcall(c.decode, \"-x\")}",
        "*2\r\n$-1\r\n$54\r\nExpected value but found invalid number at character 1\r\n",
    );
    check(
        "local c=cjson.new() c.decode_invalid_numbers(false) return {pcall(c.decode, \"inf\")}",
        "*2\r\n$-1\r\n$53\r\nExpected value but found invalid token at character 1\r\n",
    );
    check(
        "local c=cjson.new() c.decode_invalid_numbers(false) return {pcall(c.decode, \"-nan\")}",
        "*2\r\n$-1\r\n$54\r\nExpected value but found invalid number at character 1\r\n",
    );
    check(
        "local c=cjson.new() c.decode_invalid_numbers(false) return {pcall(c.decode, \"0e5\")}",
        "*2\r\n:1\r\n:0\r\n",
    );
    check(
        "local c=cjson.new() c.decode_invalid_numbers(false) return {pcall(c.decode, \"00.5\")}",
        "*2\r\n$-1\r\n$54\r\nExpected value but found invalid number at character 1\r\n",
    );
    check("local c=cjson.new() c.decode_invalid_numbers(false) return {pcall(c.decode, \"-0\")}", "*2\r\n:1\r\n:0\r\n");
    check(
        "local c=cjson.new() c.decode_invalid_numbers(false) return {pcall(c.decode, \"1e5\")}",
        "*2\r\n:1\r\n:100000\r\n",
    );
}

#[test]
fn config_functions() {
    check("return {cjson.encode_sparse_array()}", "*3\r\n$-1\r\n:2\r\n:10\r\n");
    check("return {cjson.encode_max_depth()}", "*1\r\n:1000\r\n");
    check("return {cjson.decode_max_depth()}", "*1\r\n:1000\r\n");
    check("return {cjson.encode_number_precision()}", "*1\r\n:14\r\n");
    check("return {cjson.encode_keep_buffer()}", "*1\r\n:1\r\n");
    check("return {cjson.encode_invalid_numbers()}", "*1\r\n$-1\r\n");
    check("return {cjson.decode_invalid_numbers()}", "*1\r\n:1\r\n");
    check("local c=cjson.new() return {c.encode_invalid_numbers(\"null\"), c.encode_invalid_numbers(), c.encode_invalid_numbers(\"on\"), c.encode_invalid_numbers(\"off\"), c.encode_invalid_numbers(true)}", "*5\r\n$4\r\nnull\r\n$4\r\nnull\r\n:1\r\n$-1\r\n:1\r\n");
    check("local c=cjson.new() return {c.encode_invalid_numbers(\"maybe\")}", "-ERR user_script:1: bad argument #1 to 'encode_invalid_numbers' (invalid option 'maybe') script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n");
    check("local c=cjson.new() return {c.encode_invalid_numbers(nil)}", "*1\r\n$-1\r\n");
    check("local c=cjson.new() return {c.encode_invalid_numbers(1,2)}", "-ERR user_script:1: bad argument #2 to 'encode_invalid_numbers' (found too many arguments) script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n");
    check("local c=cjson.new() return {c.encode_invalid_numbers({})}", "-ERR user_script:1: bad argument #1 to 'encode_invalid_numbers' (string expected, got table) script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n");
    check("local c=cjson.new() return {c.encode_invalid_numbers(\"on\\0x\")}", "*1\r\n:1\r\n");
    check("local c=cjson.new() return {c.encode_invalid_numbers(\"a\\0b\")}", "-ERR user_script:1: bad argument #1 to 'encode_invalid_numbers' (invalid option 'a') script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n");
    check("local c=cjson.new() return {c.encode_invalid_numbers(1.5)}", "-ERR user_script:1: bad argument #1 to 'encode_invalid_numbers' (invalid option '1.5') script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n");
    check("local c=cjson.new() return {c.encode_invalid_numbers(\"ON\")}", "-ERR user_script:1: bad argument #1 to 'encode_invalid_numbers' (invalid option 'ON') script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n");
    check("local c=cjson.new() return {c.encode_sparse_array(1,2,3,4)}", "-ERR user_script:1: bad argument #4 to 'encode_sparse_array' (found too many arguments) script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n");
    check("local c=cjson.new() return {c.encode_sparse_array(\"on\", \"3\", 4.9)}", "*3\r\n:1\r\n:3\r\n:4\r\n");
    check("local c=cjson.new() return {c.encode_sparse_array(nil, nil, 0)}", "*3\r\n$-1\r\n:2\r\n:0\r\n");
    check("local c=cjson.new() return {c.encode_sparse_array(1)}", "-ERR user_script:1: bad argument #1 to 'encode_sparse_array' (invalid option '1') script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n");
    check("local c=cjson.new() return {c.encode_sparse_array(true, 2, -1)}", "-ERR user_script:1: bad argument #1 to 'encode_sparse_array' (expected integer between 0 and 2147483647) script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n");
    check("local c=cjson.new() return {c.encode_sparse_array(true, 2, {})}", "-ERR user_script:1: bad argument #3 to 'encode_sparse_array' (number expected, got table) script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n");
    check("local c=cjson.new() return {c.encode_sparse_array({}, 2, {})}", "-ERR user_script:1: bad argument #1 to 'encode_sparse_array' (string expected, got table) script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n");
    check("local c=cjson.new() return {c.encode_sparse_array(true, -1)}", "-ERR user_script:1: bad argument #1 to 'encode_sparse_array' (expected integer between 0 and 2147483647) script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n");
    check(
        "local c=cjson.new() pcall(c.encode_sparse_array, true, -1) return {c.encode_sparse_array()}",
        "*3\r\n:1\r\n:2\r\n:10\r\n",
    );
    check(
        "local c=cjson.new() pcall(c.encode_sparse_array, true, 5, \"x\") return {c.encode_sparse_array()}",
        "*3\r\n:1\r\n:5\r\n:10\r\n",
    );
    check("local c=cjson.new() return {c.encode_sparse_array(false, 2^31)}", "-ERR user_script:1: bad argument #1 to 'encode_sparse_array' (expected integer between 0 and 2147483647) script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n");
    check("local c=cjson.new() return {c.encode_sparse_array(false, 2^32 + 3, 2^33 + 1)}", "*3\r\n$-1\r\n:3\r\n:1\r\n");
    check("local c=cjson.new() return {c.encode_sparse_array(nil, \" 0x10 \")}", "*3\r\n$-1\r\n:16\r\n:10\r\n");
    check("local c=cjson.new() return {c.encode_sparse_array(nil, 1e20)}", "*3\r\n$-1\r\n:0\r\n:10\r\n");
    check("local c=cjson.new() return {c.encode_number_precision(15)}", "-ERR user_script:1: bad argument #1 to 'encode_number_precision' (expected integer between 1 and 14) script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n");
    check("local c=cjson.new() return {c.encode_number_precision(0)}", "-ERR user_script:1: bad argument #1 to 'encode_number_precision' (expected integer between 1 and 14) script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n");
    check("local c=cjson.new() return {c.encode_number_precision(\"5\")}", "*1\r\n:5\r\n");
    check("local c=cjson.new() return {c.encode_number_precision(\"x\")}", "-ERR user_script:1: bad argument #1 to 'encode_number_precision' (number expected, got string) script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n");
    check("local c=cjson.new() return {c.encode_number_precision(true)}", "-ERR user_script:1: bad argument #1 to 'encode_number_precision' (number expected, got boolean) script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n");
    check("local c=cjson.new() return {c.encode_number_precision(14.99)}", "*1\r\n:14\r\n");
    check("local c=cjson.new() return {c.encode_number_precision(-0.5)}", "-ERR user_script:1: bad argument #1 to 'encode_number_precision' (expected integer between 1 and 14) script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n");
    check("local c=cjson.new() return {c.encode_keep_buffer(false), c.encode_keep_buffer(), c.encode_keep_buffer(\"on\"), c.encode(1)}", "*4\r\n$-1\r\n$-1\r\n:1\r\n$1\r\n1\r\n");
    check("local c=cjson.new() return {c.encode_keep_buffer(1)}", "-ERR user_script:1: bad argument #1 to 'encode_keep_buffer' (invalid option '1') script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n");
    check("local c=cjson.new() return {c.encode_keep_buffer(\"off\"), c.encode({1,2}), c.encode_keep_buffer(true), c.encode({3})}", "*4\r\n$-1\r\n$5\r\n[1,2]\r\n:1\r\n$3\r\n[3]\r\n");
    check("local c=cjson.new() return {c.decode_invalid_numbers(false), c.decode_invalid_numbers(), c.decode_invalid_numbers(\"on\")}", "*3\r\n$-1\r\n$-1\r\n:1\r\n");
    check("local c=cjson.new() return {c.decode_invalid_numbers(\"null\")}", "-ERR user_script:1: bad argument #1 to 'decode_invalid_numbers' (invalid option 'null') script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n");
    check("local c=cjson.new() return {c.encode_max_depth(0)}", "-ERR user_script:1: bad argument #1 to 'encode_max_depth' (expected integer between 1 and 2147483647) script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n");
    check("local c=cjson.new() return {c.encode_max_depth(2^31-1)}", "*1\r\n:2147483647\r\n");
    check("local c=cjson.new() return {c.encode_max_depth(2^31)}", "-ERR user_script:1: bad argument #1 to 'encode_max_depth' (expected integer between 1 and 2147483647) script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n");
    check("local c=cjson.new() return {c.encode_max_depth(2^32+5)}", "*1\r\n:5\r\n");
    check("local c=cjson.new() return {c.encode_max_depth(1e20)}", "-ERR user_script:1: bad argument #1 to 'encode_max_depth' (expected integer between 1 and 2147483647) script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n");
    check("local c=cjson.new() return {c.encode_max_depth(-1)}", "-ERR user_script:1: bad argument #1 to 'encode_max_depth' (expected integer between 1 and 2147483647) script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n");
    check("local c=cjson.new() return {c.encode_max_depth(1, 2)}", "-ERR user_script:1: bad argument #2 to 'encode_max_depth' (found too many arguments) script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n");
    check("local c=cjson.new() return {c.decode_max_depth(0)}", "-ERR user_script:1: bad argument #1 to 'decode_max_depth' (expected integer between 1 and 2147483647) script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n");
    check("local c=cjson.new() return {c.decode_max_depth(\"12\")}", "*1\r\n:12\r\n");
    check("local c=cjson.new() return {c.decode_max_depth(nil)}", "*1\r\n:1000\r\n");
    check("local f = cjson.new().encode_max_depth return f(0)", "-ERR user_script:1: bad argument #1 to 'f' (expected integer between 1 and 2147483647) script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n");
    check("return cjson.encode_max_depth(0)", "-ERR user_script:1: bad argument #1 to 'encode_max_depth' (expected integer between 1 and 2147483647) script: 0000000000000000000000000000000000000000, on @user_script:1.\r\n");
    check("return pcall(cjson.encode_max_depth, 0)", "$-1\r\n");
    check(
        "local c=cjson.new() local m = c.encode_max_depth return {pcall(m, 1, 2)}",
        "*2\r\n$-1\r\n$49\r\nbad argument #2 to '?' (found too many arguments)\r\n",
    );
}

#[test]
fn config_effects() {
    check(
        "local c=cjson.new() c.encode_invalid_numbers(true) return c.encode({1/0,-1/0,0/0,-(0/0)})",
        "$18\r\n[inf,-inf,nan,nan]\r\n",
    );
    check(
        "local c=cjson.new() c.encode_invalid_numbers(\"null\") return c.encode({1/0,-1/0,0/0})",
        "$16\r\n[null,null,null]\r\n",
    );
    check("local c=cjson.new() c.encode_invalid_numbers(true) return c.encode({[1/0]=1})", "$9\r\n{\"inf\":1}\r\n");
    check(
        "local c=cjson.new() c.encode_invalid_numbers(\"null\") return c.encode({[1/0]=1})",
        "$10\r\n{\"null\":1}\r\n",
    );
    check(
        "local c=cjson.new() c.encode_number_precision(3) return c.encode({math.pi, 1234.5, 100, 1000, 0.0001234})",
        "$34\r\n[3.14,1.23e+03,100,1e+03,0.000123]\r\n",
    );
    check(
        "local c=cjson.new() c.encode_number_precision(1) return c.encode({math.pi, 15, 95, 1e15, 5, -0.0, 0.05})",
        "$31\r\n[3,2e+01,1e+02,1e+15,5,-0,0.05]\r\n",
    );
    check(
        "local c=cjson.new() c.encode_number_precision(14) return c.encode({math.pi, 2^53})",
        "$36\r\n[3.1415926535898,9.007199254741e+15]\r\n",
    );
    check(
        "local c=cjson.new() c.encode_number_precision(10) return c.encode({[math.pi]=1})",
        "$17\r\n{\"3.141592654\":1}\r\n",
    );
    check(
        "local c=cjson.new() c.encode_sparse_array(true) return c.encode({[1]=1,[20]=2})",
        "$14\r\n{\"1\":1,\"20\":2}\r\n",
    );
    check(
        "local c=cjson.new() c.encode_sparse_array(false,0) return c.encode({[1]=1,[20]=2})",
        "$95\r\n[1,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,2]\r\n",
    );
    check(
        "local c=cjson.new() c.encode_sparse_array(false,1,0) return {pcall(c.encode,{[1]=1,[3]=2})}",
        "*2\r\n$-1\r\n$48\r\nCannot serialise table: excessively sparse array\r\n",
    );
    check(
        "local c=cjson.new() c.encode_sparse_array(false,1,0) return {pcall(c.encode,{1,2,3})}",
        "*2\r\n:1\r\n$7\r\n[1,2,3]\r\n",
    );
    check("local c=cjson.new() c.encode_sparse_array(false,3,2) return {pcall(c.encode,{[1]=1,[3]=2}), pcall(c.encode,{[1]=1,[4]=2})}", "*3\r\n:1\r\n:1\r\n$15\r\n[1,null,null,2]\r\n");
    check(
        "local c=cjson.new() c.encode_sparse_array(true,1,0) return c.encode({[1]=1,[3]=2})",
        "$13\r\n{\"1\":1,\"3\":2}\r\n",
    );
    check("local c=cjson.new() c.encode_sparse_array(false,2^30,0) return {pcall(c.encode,{[1]=1,[2]=1,[3]=1,[4]=1,[100]=2})}", "*2\r\n:1\r\n$486\r\n[1,1,1,1,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,2]\r\n");
    check(
        "local c=cjson.new() c.encode_number_precision(3) return {c.encode(math.pi), cjson.encode(math.pi)}",
        "*2\r\n$4\r\n3.14\r\n$15\r\n3.1415926535898\r\n",
    );
    check("local c=cjson.new() local d=c.new() c.encode_number_precision(3) return {c.encode(math.pi), d.encode(math.pi)}", "*2\r\n$4\r\n3.14\r\n$15\r\n3.1415926535898\r\n");
    check("cjson.encode_number_precision(3) return cjson.encode(math.pi)", "$4\r\n3.14\r\n");
    check("local e = cjson.encode cjson.encode_number_precision(5) return e(math.pi)", "$6\r\n3.1416\r\n");
}
#[test]
fn config_persists_across_scripts_per_instance() {
    let mut vm = new_vm();
    let host = FakeHost::default();
    let mut run = |s: &str| eval_with(&mut vm, &host, s, false);
    assert_eq!(
        run("cjson.encode_number_precision(3) cjson.encode_sparse_array(true, 3, 4) \
             cjson.encode_invalid_numbers(\"null\") cjson.decode_max_depth(2) return 1"),
        ":1\r\n"
    );
    assert_eq!(
        run("return {cjson.encode(math.pi), cjson.encode({1/0, [20]=1}), cjson.encode_sparse_array(), \
             pcall(cjson.decode, \"[[[1]]]\")}"),
        "*5\r\n$4\r\n3.14\r\n$17\r\n{\"1\":null,\"20\":1}\r\n:1\r\n$-1\r\n$56\r\nFound too many nested data structures (3) at character 3\r\n"
    );
    assert_eq!(
        run("return {cjson.encode_number_precision(), cjson.encode_invalid_numbers(), cjson.decode_max_depth()}"),
        "*3\r\n:3\r\n$4\r\nnull\r\n:2\r\n"
    );
    assert_eq!(run("return cjson.new().encode(math.pi)"), "$15\r\n3.1415926535898\r\n");
}

#[test]
fn config_userdata_has_the_c_size() {
    // Lua heap growth for one cjson.new(), as native Redis reports it.
    check(
        "collectgarbage('collect') collectgarbage('stop') local a = collectgarbage('count') \
         local c = cjson.new() local b = collectgarbage('count') collectgarbage('restart') \
         return tostring((b - a) * 1024)",
        "$4\r\n2824\r\n",
    );
}

#[test]
fn instances_are_released_by_the_collector() {
    let before = super::with_instances(|m| m.len()).unwrap_or(0);
    let mut vm = new_vm();
    let host = FakeHost::default();
    let out = eval_with(
        &mut vm,
        &host,
        "for i = 1, 1000 do local c = cjson.new() c.encode_max_depth(i) end collectgarbage('collect') return 1",
        false,
    );
    assert_eq!(out, ":1\r\n");
    // Only the global instance of this VM is left.
    assert_eq!(super::with_instances(|m| m.len()).unwrap_or(0), before + 1);
    drop(vm);
    assert_eq!(super::with_instances(|m| m.len()).unwrap_or(0), before);
}

#[test]
fn library_table_order_matches_native() {
    // /work/notes/pairs-order.md, from a fresh native server.
    let want = "_NAME encode decode_max_depth _VERSION decode_invalid_numbers encode_keep_buffer null \
                encode_number_precision new encode_max_depth encode_invalid_numbers decode encode_sparse_array";
    let mut resp = String::new();
    for name in want.split_whitespace() {
        resp.push_str(&format!("${}\r\n{}\r\n", name.len(), name));
    }
    check("local r = {} for k in pairs(cjson) do r[#r + 1] = k end return r", &format!("*13\r\n{resp}"));
}

/// Random objects of few, short keys (many hash collisions, some repeated keys): the decoded
/// table must be laid out exactly as one filled key by key (same `pairs()` order, also after
/// more keys are added).
#[test]
fn decoded_objects_have_the_one_by_one_layout() {
    let mut vm = new_vm();
    let host = FakeHost::default();
    let mut rng = XorShift::new(0x9E37_79B9_7F4A_7C15);
    for case in 0..3000 {
        let keys = colliding_keys(&mut rng, case);
        // Some keys written with escapes (the same key either way).
        let json: Vec<String> = keys
            .iter()
            .enumerate()
            .map(|(i, k)| {
                let k = if i % 3 == 1 { k.replace('a', "\\\\u0061").replace('_', "\\\\u005f") } else { k.clone() };
                format!("\"{k}\":{}", i + 1)
            })
            .collect();
        let script = format!(
            "{SAME_LAYOUT_LUA} local keys = {} local t = {{}} for i = 1, #keys do t[keys[i]] = i end \
             return tostring(same_layout(t, cjson.decode('{{{}}}')))",
            lua_list(&keys),
            json.join(",")
        );
        assert_eq!(eval_with(&mut vm, &host, &script, false), "$4\r\ntrue\r\n", "keys {keys:?}");
    }
}

/// Arrays of objects sharing keys (the layout of one object is reused for the next when
/// their keys hash alike): each decoded object must still be laid out as one filled key by
/// key.
#[test]
fn objects_sharing_keys_have_the_one_by_one_layout() {
    let mut vm = new_vm();
    let host = FakeHost::default();
    let mut rng = XorShift::new(0x0123_4567_89AB_CDEF);
    for _ in 0..300 {
        let objects = shared_key_sets(&mut rng);
        let json: Vec<String> = objects
            .iter()
            .map(|keys| {
                let members: Vec<String> = keys.iter().enumerate().map(|(i, k)| format!("\"{k}\":{i}")).collect();
                format!("{{{}}}", members.join(","))
            })
            .collect();
        let lists: Vec<String> = objects.iter().map(|keys| lua_list(keys)).collect();
        let script = format!(
            "{SAME_LAYOUT_LUA} local lists = {{{}}} local all = cjson.decode('[{}]') \
             for j, keys in ipairs(lists) do local t = {{}} for i = 1, #keys do t[keys[i]] = i - 1 end \
             local same = same_layout(t, all[j]) if same ~= true then return j .. ': ' .. same end end return 'same'",
            lists.join(","),
            json.join(",")
        );
        assert_eq!(eval_with(&mut vm, &host, &script, false), "$4\r\nsame\r\n", "objects {objects:?}");
    }
}

/// Arrays mixing objects of shared keys (whose key strings are cached while the array is
/// decoded) with scalars, nulls, nested arrays and objects that are not flat: every element
/// must come out as when decoded on its own.
#[test]
fn array_elements_match_their_own_decoding() {
    let mut vm = new_vm();
    let host = FakeHost::default();
    let mut rng = XorShift::new(0x2127_599B_F432_5C37);
    let pool = ["", "a", "b", "ab", "sku", "qty", "x_y", "k\\\\u0041"];
    for _ in 0..300 {
        let n = 1 + rng.below(14) as usize;
        let elements: Vec<String> = (0..n)
            .map(|_| match rng.below(8) {
                0 => "null".to_string(),
                1 => "[1,\"z\"]".to_string(),
                2 => "{\"n\":[7]}".to_string(),
                3 => "42".to_string(),
                _ => {
                    let k = 1 + rng.below(4) as usize;
                    let members: Vec<String> =
                        (0..k).map(|j| format!("\"{}\":{j}", pool[(j + rng.below(2) as usize) % pool.len()])).collect();
                    format!("{{{}}}", members.join(","))
                }
            })
            .collect();
        let singles: Vec<String> = elements.iter().map(|e| format!("'{e}'")).collect();
        let script = format!(
            "{DEEP_DUMP_LUA} local all = cjson.decode('[{}]') local singles = {{{}}} \
             for j = 1, #singles do local a, b = deep_dump(all[j]), deep_dump(cjson.decode(singles[j])) \
             if a ~= b then return j .. ': ' .. a .. ' | ' .. b end end return 'same'",
            elements.join(","),
            singles.join(",")
        );
        assert_eq!(eval_with(&mut vm, &host, &script, false), "$4\r\nsame\r\n", "{elements:?}");
    }
}
