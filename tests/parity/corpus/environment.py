"""The Lua environment: globals, library contents and iteration order, protections, the VM's
Redis-specific behaviour, math.random, and error line information."""

from parity.case import registry

CASES = []
case = registry(CASES, "env-")


def keys_of(expr):
    return f"local t = {{}} for k in pairs({expr}) do t[#t + 1] = tostring(k) end return t"


for lib in ("_G", "string", "math", "table", "coroutine", "redis", "cjson", "cmsgpack", "struct", "bit",
            "getmetatable(_G)", "getmetatable('')"):
    case(f"pairs-{lib}", keys_of(lib))
case("types-of-globals", "local t = {} for k, v in pairs(_G) do t[#t + 1] = k .. ':' .. type(v) end return t")

ABSENT = ("os", "io", "package", "require", "module", "dofile", "loadfile", "print", "debug", "setfenv",
          "getfenv", "newproxy", "f_e0e1f9fabfc9d4800c877a703b823ac0578ff8db", "__redis__compare_helper")
for name in ABSENT:
    case(f"absent-{name}", f"return {name}")
    case(f"absent-raw-{name}", f"return type(rawget(_G, '{name}'))")

# Every protected table, by every route.
PROTECTED = ("_G", "redis", "string", "math", "table", "coroutine", "cjson", "cmsgpack", "struct", "bit",
             "getmetatable(_G)", "getmetatable('')")
ROUTES = {
    "assign": "{t}.x = 1", "assign-existing": "{t}.{existing} = nil", "rawset": "rawset({t}, 'x', 1)",
    "setmetatable": "setmetatable({t}, {{}})", "setmetatable-nil": "setmetatable({t}, nil)",
    "table-insert": "table.insert({t}, 1)", "table-remove": "table.remove({t})", "table-sort": "table.sort({t})",
    "rawset-number": "rawset({t}, 1, 1)", "newindex-loop": "for k in pairs({t}) do {t}[k] = nil break end",
}
EXISTING = {"_G": "pairs", "redis": "call", "string": "format", "math": "floor", "table": "concat",
            "coroutine": "wrap", "cjson": "encode", "cmsgpack": "pack", "struct": "pack", "bit": "band",
            "getmetatable(_G)": "__index", "getmetatable('')": "__index"}
for t in PROTECTED:
    for route, template in ROUTES.items():
        body = template.format(t=t, existing=EXISTING[t])
        if "getmetatable(" in t and route in ("assign-existing",):
            body = f"local m = {t} m.{EXISTING[t]} = nil"
        case(f"protect-{t}-{route}", body)

OTHER = {
    "cve-2022-24735-g": "_G = {}", "redis-replace": "redis = function() end", "cjson-replace": "cjson.encode = function() end",
    "string-mt-index": "getmetatable('').__index = function() return 1 end",
    "string-mt-index-table": "getmetatable('').__index.upper = function() return 1 end",
    "nil-metatable": "return getmetatable(nil)", "number-metatable": "return getmetatable(1)",
    "bool-metatable": "return getmetatable(true)", "fn-metatable": "return getmetatable(print)",
    "index-nil-metatable": "getmetatable(nil).__index = 1",
    "loadstring-assign": "local f = loadstring('x = 1') local ok, e = pcall(f) return e",
    "loadstring-global-read": "local f = loadstring('return y') local ok, e = pcall(f) return e",
    "new-tables-writable": "local t = setmetatable({}, {__index = function() return 1 end}) t.x = 2 return {t.x, t.y}",
    "keys-writable": "KEYS[1] = 'x' ARGV[1] = 'y' return {KEYS[1], ARGV[1]}",
    "string-hash-order": "local t = {abcdefghijabcdefghijabcdefghijabcdefghij1=1, abcdefghijabcdefghijabcdefghijabcdefghij2=2, "
                         "abcdefghijabcdefghijabcdefghijabcdefghij3=3, abcdefghijabcdefghijabcdefghijabcdefghij4=4} "
                         "local s = '' for k in pairs(t) do s = s .. k:sub(-1) end return s",
    "short-key-order": "local t = {a=1,b=2,c=3,d=4,e=5,f=6,g=7,h=8} local s = '' for k in pairs(t) do s = s .. k end return s",
    "long-keys-order": "local t = {} for i = 1, 50 do t[string.rep('k', 40) .. i] = i end "
                       "local s = {} for k, v in pairs(t) do s[#s + 1] = v end return s",
    "binary-chunk": "local f, e = loadstring(string.dump(function() return 1 end)) return {tostring(f), e}",
    "binary-chunk-load": "local s = string.dump(function() return 1 end) local f, e = load(function() local r = s s = nil return r end) return {tostring(f), e}",
    "tostring-big": "return tostring(123456789012345)", "tostring-nan": "return tostring(0/0)",
    "tostring-inf": "return tostring(1/0)", "tostring-neg-zero": "return tostring(-0)",
    "number-format": "return string.format('%.3f %d %s %5.1f', 1/3, 42, 1e100, 2.25)",
    "string-format-huge-width": "return pcall(string.format, '%999999999d', 1)",
    "string-format-width-99": "return #string.format('%99d', 1)",
    "string-format-q": "return string.format('%q', 'a\\0b\\r\\n\"')",
    # Plain %d/%i and %s are written without sprintf: every value class they can meet.
    "string-format-d-values": "local t = {} for _, v in ipairs({0, -0, 7, -7, 3.7, -3.7, 0.5, -0.5, 2^31, -2^31, "
                              "2^53 + 1, 2^62, 2^63, -2^63, 2^64, -2^64, 1e300, -1e300, 1/0, -1/0}) do "
                              "t[#t + 1] = string.format('%d|%i', v, v) end return t",
    "string-format-d-nan": "return string.format('%d %i', 0/0, -(0/0))",
    "string-format-d-strings": "return string.format('%d %d %i', '12', ' 0x1F ', '-4e2')",
    "string-format-d-bad": "return {pcall(string.format, '%d', 'x')}",
    "string-format-d-missing": "return {pcall(string.format, '%d %d', 1)}",
    "string-format-d-flags": "return string.format('[%5d][%-5d][%05d][%+d][% d][%.3d][%5.3i]', 42, 42, 42, 42, 42, 42, -4)",
    "string-format-s-values": "return string.format('%s|%s|%s|%s|%s', 'abc', '', 12, 1.5, -0.0)",
    "string-format-s-nul-short": "return string.format('[%s][%s]', 'a\\0b', '\\0')",
    "string-format-s-nul-99": "local s = string.rep('x', 98) .. '\\0y' return {#string.format('%s', s), "
                               "#string.format('%s', s .. 'z')}",
    "string-format-s-long": "local s = string.rep('ab', 60) return string.format('<%s>', s) == '<' .. s .. '>'",
    "string-format-s-flags": "return string.format('[%5s][%-5s][%.2s][%5.1s]', 'ab', 'ab', 'abc', 'abc')",
    "string-format-s-bad": "return {pcall(string.format, '%s', {})}",
    "string-format-s-nil": "return {pcall(string.format, '%s', nil)}",
    "string-format-mixed-many": "local t = {} for i = -3, 3 do t[#t + 1] = string.format('%s:%d:%.2f:%i%%', 'k' .. i, i * 1000, i / 3, i) end "
                                "return table.concat(t, ',')",
    "string-rep-huge": "return pcall(string.rep, 'x', -1)",
    "string-byte-range": "return {string.byte('abc', -10, 10)}", "string-char": "return string.char(104, 105)",
    "string-find-special": "return {string.find('a.b', '.', 1, true)}",
    "gsub-pattern": "return (string.gsub('hello world', '(%w+)', '<%1>'))",
    "gmatch": "local t = {} for w in string.gmatch('one two three', '%a+') do t[#t+1] = w end return t",
    "string-methods": "return ('abc'):upper()", "string-len-binary": "return #'\\0\\0\\0'",
    "unpack-basic": "return {unpack({1, 2, 3})}", "unpack-range": "return {unpack({1, 2, 3}, 2, 3)}",
    "unpack-empty-range": "return {unpack({1, 2, 3}, 1, -1)}",
    "unpack-cve-1": "return unpack({1, 2, 3}, -2, 2147483647)",
    "unpack-cve-2": "return unpack({}, 0, 2147483647)",
    "unpack-cve-3": "return unpack({}, -2147483648, -2)",
    "unpack-min-nils": "return select('#', unpack({}, -2147483648, -2147483646))",
    "unpack-too-many": "return unpack({}, 1, 10000)",
    "select-neg": "return select(-1, 1, 2, 3)", "select-count": "return select('#', 1, nil, 3)",
    "long-bracket": "return [==[x]==]", "long-bracket-unfinished": "return [==",
    "long-bracket-nested": "return [[ a [[ b ]]",
    "long-comment": "--[==[ comment ]==] return 1", "long-bracket-bad": "return [=x",
    "loadstring-long-bracket": "return loadstring('return [==[y]==]')()",
    "loadstring-error": "return {loadstring('return +')}", "loadstring-name": "return {loadstring('x +', '=mychunk')}",
    "math-basic": "return {math.floor(2.5), math.ceil(2.5), math.abs(-3), math.max(1, 5, 3), math.min(4, 2), math.fmod(7, 3)}",
    "math-huge": "return tostring(math.huge)", "math-pi": "return tostring(math.pi)",
    "math-sqrt": "return tostring(math.sqrt(2))", "math-modf": "return {math.modf(3.7)}",
    "math-frexp": "return {math.frexp(8)}", "math-log": "return tostring(math.log(10))",
    "math-random-args": "return pcall(math.random, 1, 2, 3)", "math-random-empty": "return pcall(math.random, 0)",
    "math-random-empty2": "return pcall(math.random, 3, 1)", "math-random-string": "return pcall(math.random, 'x')",
    "math-randomseed-none": "return pcall(math.randomseed)",
    "table-concat": "return table.concat({1, 2, 'x'}, '-')", "table-concat-bad": "return pcall(table.concat, {1, {}})",
    "table-sort": "local t = {5, 2, 8, 1} table.sort(t) return t",
    "table-sort-cmp": "local t = {5, 2, 8, 1} table.sort(t, function(a, b) return a > b end) return t",
    "table-sort-invalid": "local t = {} for i = 1, 100 do t[i] = i % 7 end return pcall(table.sort, t, function(a, b) return true end)",
    "table-getn": "return {table.getn({1, 2, 3}), table.maxn({1, 2, [10] = 3})}",
    "table-insert-pos": "local t = {1, 2} table.insert(t, 1, 0) return t",
    "table-foreach": "local s = 0 table.foreachi({1, 2, 3}, function(i, v) s = s + v end) return s",
    "coroutine-basic": "local co = coroutine.create(function(a) local b = coroutine.yield(a + 1) return b * 2 end) "
                       "local _, x = coroutine.resume(co, 1) local _, y = coroutine.resume(co, 10) return {x, y, coroutine.status(co)}",
    "coroutine-wrap": "local f = coroutine.wrap(function() coroutine.yield(1) coroutine.yield(2) end) return {f(), f()}",
    "coroutine-redis-call": "local co = coroutine.create(function() return redis.call('ping') end) local ok, r = coroutine.resume(co) return {tostring(ok), r}",
    "coroutine-redis-call-error": "local co = coroutine.wrap(function() return redis.call('nosuch') end) return co()",
    "coroutine-running": "return type(coroutine.running())",
    "coroutine-error": "coroutine.wrap(function() error('in coro') end)()",
    "collectgarbage-count": "return type(collectgarbage('count'))", "collectgarbage-step": "return type(collectgarbage('step'))",
    "gcinfo": "return type(gcinfo())", "xpcall-handler": "return {xpcall(function() error('x') end, function(e) return 'h:' .. e end)}",
    "getmetatable-protected": "return getmetatable(setmetatable({}, {__metatable = 'locked'}))",
    "tonumber": "return {tonumber('0x10'), tonumber('10', 2), tonumber('  5  '), tonumber('z', 36), tonumber('1e2')}",
    "tostring-bool": "return tostring(true) .. tostring(nil)",
    "type-all": "return {type(nil), type(1), type('s'), type({}), type(print), type(true)}",
    "ipairs-stop": "local t = {1, 2, nil, 4} local n = 0 for _ in ipairs(t) do n = n + 1 end return n",
    "next-basic": "return next({}) == nil", "rawequal": "return rawequal('a', 'a')",
    "error-levels": "local function f() error('lvl2', 2) end f()",
    "error-line-c-function": "local x = 1\nlocal y = 2\nstring.rep()",
    "err-handler-global": "return type(__redis__err__handler)",
    "err-handler-call": "return __redis__err__handler('x')",
    "err-handler-table": "local t = __redis__err__handler({err='E'}) return {t.err, t.source, t.line}",
    "version-vars": "return {_VERSION, type(redis.REDIS_VERSION_NUM)}",
    "deep-recursion": "local function f(n) return f(n + 1) + 1 end return f(1)",
    "deep-recursion-pcall": "local function f(n) return f(n + 1) + 1 end local ok, e = pcall(f, 1) return {tostring(ok), e}",
    "c-stack-overflow": "local t = setmetatable({}, {__index = function(t, k) return t[k] end}) return t.x",
    "string-concat-loop": "local s = '' for i = 1, 1000 do s = s .. i end return #s",
    "varargs": "local function f(...) return select('#', ...), ... end return {f(1, nil, 3)}",
    "many-locals": "local a1,a2,a3,a4,a5,a6,a7,a8,a9,a10 = 1,2,3,4,5,6,7,8,9,10 return a10",
    "closure": "local function c() local n = 0 return function() n = n + 1 return n end end local f = c() f() return f()",
    "metamethods": "local mt = {__add = function(a, b) return 42 end, __call = function() return 'called' end} "
                   "local t = setmetatable({}, mt) return {t + t, t()}",
    "setfenv-absent": "return setfenv == nil",
}
for name, body in OTHER.items():
    case(f"vm-{name}", body)

# math.random: one generator, never reseeded between calls; both sides consume it equally.
for n in range(3):
    case(f"random-seq-{n}", "local t = {} for i = 1, 5 do t[i] = tostring(math.random()) end return t")
case("random-int", "local t = {} for i = 1, 10 do t[i] = math.random(100) end return t")
case("random-range", "local t = {} for i = 1, 10 do t[i] = math.random(-5, 5) end return t")
case("random-seeded", "math.randomseed(1) return tostring(math.random())")
case("random-seeded-10", "math.randomseed(10) return {tostring(math.random()), tostring(math.random())}")
case("random-seeded-big", "math.randomseed(2^40) return math.random(1000)")
case("random-float-args", "return math.random(2.9)")
case("random-string-args", "return math.random('5')")

# Logging reaches the server without changing the reply.
case("log-levels", "for l = 0, 3 do redis.log(l, 'level', l) end return 'logged'")
