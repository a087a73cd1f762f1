"""Core parity cases: reply conversion both ways, errors, KEYS/ARGV, the redis.* helpers,
argument validation, SCRIPT subcommands, and writes."""

import os

from parity.case import CommandCase, registry

CASES = []
case = registry(CASES, "core-")
command = registry(CASES, "core-cmd-", CommandCase)


# ---- Lua value -> reply ----
RETURNS = {
    "int": "return 1", "zero": "return 0", "neg": "return -7", "float-trunc": "return 3.99",
    "neg-float-trunc": "return -3.99", "big": "return 2^53+1", "huge": "return 2^63",
    "neg-huge": "return -2^63", "beyond": "return -2^64", "nan": "return 0/0", "inf": "return 1/0",
    "neg-inf": "return -1/0", "half": "return 0.5", "neg-zero": "return -0",
    "string": "return 'hello'", "empty-string": "return ''", "binary": "return 'a\\0b\\r\\n'",
    "long-string": "return string.rep('x', 10000)", "true": "return true", "false": "return false",
    "nil": "return nil", "nothing": "", "bare-return": "return", "multi": "return 1, 2",
    "table-empty": "return {}", "array": "return {1, 2, 3}", "array-strings": "return {'a', 'b'}",
    "array-hole": "return {1, 2, nil, 4}", "array-sparse": "return {[1]=1, [3]=3}",
    "hash-only": "return {a=1}", "mixed": "return {1, 2, a=3}", "nested": "return {1, {2, {3, {4}}}}",
    "nested-empty": "return {{}, {{}}}", "bool-in-array": "return {true, false, true}",
    "nil-first": "return {nil, 1}", "array-float": "return {1.5, -2.5}",
    "ok": "return {ok='fine'}", "ok-crlf": "return {ok='a\\r\\nb'}", "ok-nul": "return {ok='a\\0b'}",
    "ok-empty": "return {ok=''}", "ok-number": "return {ok=1}", "err": "return {err='MYERR custom'}",
    "err-nocode": "return {err='no code here'}", "err-dash": "return {err='-MYERR with dash'}",
    "err-empty": "return {err=''}", "err-nul": "return {err='a\\0b'}", "err-crlf": "return {err='E x\\r\\ny'}",
    "err-trailing-nl": "return {err='E x\\n'}", "err-number": "return {err=1}",
    "err-and-ok": "return {ok='x', err='y'}", "ok-and-double": "return {ok='x', double=1}",
    "double": "return {double=3.14}", "double-int": "return {double=1}", "double-inf": "return {double=1/0}",
    "double-neg-inf": "return {double=-1/0}", "double-nan": "return {double=0/0}",
    "double-string": "return {double='3.14'}", "double-small": "return {double=1e-300}",
    "double-neg-zero": "return {double=-0.0}", "big-number": "return {big_number='1234567890123456789012345'}",
    "big-number-crlf": "return {big_number='12\\r\\n34'}", "big-number-int": "return {big_number=1}",
    "verbatim": "return {verbatim_string={format='txt', string='hello'}}",
    "verbatim-long-format": "return {verbatim_string={format='markdown', string='hi'}}",
    "verbatim-short-format": "return {verbatim_string={format='x', string='hi'}}",
    "verbatim-no-string": "return {verbatim_string={format='txt'}}",
    "verbatim-not-table": "return {verbatim_string='x'}", "map": "return {map={a=1}}",
    "map-number-key": "return {map={[1]='x'}}", "map-nested": "return {map={a={1,2}, b={map={c=3}}}}",
    "map-empty": "return {map={}}", "map-not-table": "return {map=1}", "set": "return {set={a=true, b=false}}",
    "set-empty": "return {set={}}", "set-numbers": "return {set={[1]=true, [2]=true}}",
    "double-and-map": "return {double=1, map={a=1}}", "array-and-map": "return {1, 2, map={a=1}}",
    "array-and-set": "return {1, set={x=true}}", "nested-status": "return {1, {ok='x'}, {err='E y'}}",
    "function": "return function() end", "coroutine": "return coroutine.create(function() end)",
    "cjson-null": "return cjson.null", "globals": "return _G", "array-of-nil-err": "return {1, {err=1}}",
    "mixed-deep": "return {{ok='a'}, {map={x={double=1.5}}}, {set={y=1}}, {big_number='9'}}",
    "many": "local t = {} for i = 1, 1000 do t[i] = i end return t",
    "keys-order": "return {map={aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa1=1, aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa2=2, "
                  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa3=3, aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa4=4}}",
    "self-ref": "local t = {} t[1] = t return t",
    "self-ref-map": "local t = {} t[1] = t return {map={a=t}}",
    "metatable-ignored": "return setmetatable({}, {__index=function() return 1 end})",
    "string-number": "return '123'",
}
for name, body in RETURNS.items():
    case(f"ret-{name}", body)

for resp in (2, 3):
    for name, body in {"true": "return true", "false": "return false", "nested": "return {true, false}",
                       "map-bool": "return {map={a=false}}", "nil": "return nil"}.items():
        case(f"setresp{resp}-{name}", f"redis.setresp({resp}) {body}")

# ---- reply -> Lua value (redis.call) ----
SETUP = (
    ("SET", "str", "hello"), ("SET", "num", "10"), ("RPUSH", "list", "a", "b", "c"),
    ("HSET", "hash", "f1", "v1", "f2", "v2"), ("SADD", "set", "x", "y", "z"),
    ("ZADD", "zset", "1.5", "a", "2", "b", "-3.25", "c"), ("SET", "float", "3.14"),
    ("XADD", "stream", "1-1", "field", "value"), ("PFADD", "hll", "a", "b"),
)
CALLS = {
    "get": "redis.call('GET', 'str')", "get-missing": "redis.call('GET', 'missing')",
    "incr": "redis.call('INCR', 'num')", "incrbyfloat": "redis.call('INCRBYFLOAT', 'float', '0.1')",
    "lrange": "redis.call('LRANGE', 'list', 0, -1)", "lrange-empty": "redis.call('LRANGE', 'missing', 0, -1)",
    "hgetall": "redis.call('HGETALL', 'hash')", "hget": "redis.call('HGET', 'hash', 'f1')",
    "hmget": "redis.call('HMGET', 'hash', 'f1', 'nope', 'f2')", "smembers": "redis.call('SMEMBERS', 'set')",
    "sismember": "redis.call('SISMEMBER', 'set', 'x')", "zrange": "redis.call('ZRANGE', 'zset', 0, -1)",
    "zrange-withscores": "redis.call('ZRANGE', 'zset', 0, -1, 'WITHSCORES')",
    "zscore": "redis.call('ZSCORE', 'zset', 'a')", "zscore-missing": "redis.call('ZSCORE', 'zset', 'q')",
    "zincrby": "redis.call('ZINCRBY', 'zset', 1, 'a')", "type": "redis.call('TYPE', 'list')",
    "ping": "redis.call('PING')", "ping-arg": "redis.call('PING', 'hi')", "echo": "redis.call('ECHO', 'e')",
    "exists": "redis.call('EXISTS', 'str', 'missing', 'list')", "mget": "redis.call('MGET', 'str', 'missing', 'num')",
    "set": "redis.call('SET', 'k', 'v')", "set-nx-fail": "redis.call('SET', 'str', 'v', 'NX')",
    "set-get": "redis.call('SET', 'str', 'new', 'GET')", "del": "redis.call('DEL', 'str', 'list')",
    "object-encoding": "redis.call('OBJECT', 'ENCODING', 'list')", "strlen": "redis.call('STRLEN', 'str')",
    "xrange": "redis.call('XRANGE', 'stream', '-', '+')", "pfcount": "redis.call('PFCOUNT', 'hll')",
    "lpop-count": "redis.call('LPOP', 'list', 2)", "lpop-missing": "redis.call('LPOP', 'missing')",
    "hrandfield-none": "redis.call('HRANDFIELD', 'missing')", "getrange": "redis.call('GETRANGE', 'str', 1, 3)",
    "config-get": "redis.call('CONFIG', 'GET', 'maxmemory-policy')", "hello-no": "redis.call('PING', 'x')",
    "sinter": "redis.call('SINTER', 'set', 'set')", "zrangebyscore": "redis.call('ZRANGEBYSCORE', 'zset', '-inf', '+inf', 'WITHSCORES')",
    "ttl": "redis.call('TTL', 'str')", "lindex": "redis.call('LINDEX', 'list', 5)",
    "geoadd-pos": "(function() redis.call('GEOADD', 'geo', 13.361389, 38.115556, 'p') return redis.call('GEOPOS', 'geo', 'p', 'q') end)()",
    "blmpop": "redis.call('BLMPOP', 0, 1, 'missing', 'LEFT')", "zmpop": "redis.call('ZMPOP', 1, 'zset', 'MIN')",
    "xinfo": "redis.call('XLEN', 'stream')", "command-count-type": "type(redis.call('COMMAND', 'COUNT'))",
    "lpos": "redis.call('LPOS', 'list', 'b')", "smismember": "redis.call('SMISMEMBER', 'set', 'x', 'q')",
}
for resp in (2, 3):
    for name, expr in CALLS.items():
        prefix = "redis.setresp(3) " if resp == 3 else ""
        case(f"call{resp}-{name}", f"{prefix}return {expr}", setup=SETUP)
        case(f"call{resp}-{name}-types",
             f"{prefix}local r = {expr} local function d(v) if type(v) == 'table' then local s = '{{' "
             f"local keys = {{}} for k in pairs(v) do keys[#keys+1] = k end table.sort(keys, function(a, b) return tostring(a) < tostring(b) end) "
             f"for _, k in ipairs(keys) do s = s .. tostring(k) .. '=' .. d(v[k]) .. ',' end return s .. '}}' "
             f"else return type(v) .. ':' .. tostring(v) end end return d(r)", setup=SETUP)

# Lengths and holes of converted arrays.
case("resp3-null-holes", "redis.setresp(3) local r = redis.call('MGET', 'a', 'missing', 'b') return {#r, r[1], r[3]}",
     setup=(("SET", "a", "1"), ("SET", "b", "2")))
# Integer replies at the ends of the 64-bit range (inside Lua they become doubles).
case("reply-int-extremes", "redis.call('SET', 'lo', '-9223372036854775808') redis.call('SET', 'hi', '9223372036854775807') "
     "local lo, hi = redis.call('INCRBY', 'lo', 0), redis.call('INCRBY', 'hi', 0) "
     "return {string.format('%.17g', lo), string.format('%.17g', hi), redis.call('INCRBY', 'lo', 0)}")
case("resp2-false-holes", "local r = redis.call('MGET', 'a', 'missing', 'b') return {#r, type(r[2])}",
     setup=(("SET", "a", "1"), ("SET", "b", "2")))
case("hgetall-pairs-order",
     "redis.setresp(3) local r = redis.call('HGETALL', 'h') local s = '' for k, v in pairs(r.map) do s = s .. k .. v end return s",
     setup=(("HSET", "h", *[x for i in range(40) for x in (f"field{i}", str(i))]),))

# ---- arguments to redis.call ----
ARGS = {
    "float": "0.1", "int": "42", "neg": "-1", "huge": "1e20", "big-int": "123456789012345678",
    "neg-zero": "-0", "inf": "1/0", "neg-inf": "-1/0", "nan": "0/0", "frac": "1/3", "tiny": "1e-10",
    "string": "'plain'", "binary": "'a\\0b'", "empty": "''",
}
for name, expr in ARGS.items():
    case(f"arg-{name}", f"redis.call('SET', 'k', {expr}) return redis.call('GET', 'k')")
case("arg-bool", "return redis.pcall('SET', 'k', true)")
case("arg-nil", "return redis.pcall('SET', 'k', nil)")
case("arg-table", "return redis.pcall('SET', 'k', {})")
case("arg-none", "return redis.pcall()")
case("arg-none-call", "return redis.call()")
case("arg-bool-call", "redis.call('SET', 'k', false)")
case("arg-cmd-number", "return redis.pcall(1)")
case("cmd-case", "return redis.call('sEt', 'k', 'v')")
case("unknown-cmd", "return redis.pcall('nosuchcommand')")
case("unknown-cmd-call", "redis.call('nosuchcommand', 'a')")
case("unknown-subcmd", "return redis.pcall('client', 'no-touch')")
case("container-alone", "return redis.pcall('config')")
case("wrong-arity", "return redis.pcall('get')")
case("wrong-arity-call", "redis.call('set', 'a')")
case("noscript", "return redis.pcall('multi')")
case("noscript-eval", "return redis.pcall('eval', 'return 1', 0)")
case("noscript-luax", "return redis.pcall('luax.eval', 'return 1', 0)")
case("noscript-script", "return redis.pcall('script', 'flush')")
case("noscript-blpop", "return redis.pcall('blpop', 'x', 0)")
case("noscript-subscribe", "return redis.pcall('subscribe', 'x')")
case("noscript-client", "return redis.pcall('client', 'list')")
case("wrongtype-call", "\n\nredis.call('LPUSH', 'str', 'a')", setup=SETUP)
case("wrongtype-pcall", "return redis.pcall('LPUSH', 'str', 'a')", setup=SETUP)
case("wrongtype-pcall-fields",
     "local r = redis.pcall('LPUSH', 'str', 'a') return {r.err, tostring(r.ignore_error_stats_update)}", setup=SETUP)
case("pcall-error-reraise", "local r = redis.pcall('LPUSH', 'str', 'a') error(r)", setup=SETUP)
case("call-error-in-function", "local function f()\n  redis.call('LPUSH', 'str', 'a')\nend\nf()", setup=SETUP)
case("syntax-error-reply", "return redis.pcall('INCR', 'str')", setup=SETUP)
case("incr-overflow", "return redis.pcall('INCRBY', 'num', '9223372036854775807')", setup=SETUP)
case("select-db", "redis.call('SELECT', 1) redis.call('SET', 'in1', 'x') return redis.call('DBSIZE')")
case("select-then-back", "redis.call('SELECT', 2) redis.call('SET', 'a', 1) redis.call('SELECT', 0) return redis.call('GET', 'a')")
case("select-bad", "return redis.pcall('SELECT', 99)")

# ---- KEYS and ARGV ----
case("keys-argv", "return {KEYS[1], KEYS[2], ARGV[1], ARGV[2], #KEYS, #ARGV}", keys=("k1", "k2"), args=("a1", "a2"))
case("keys-empty", "return {#KEYS, #ARGV}")
case("argv-binary", "return ARGV[1]", args=(b"\x00\xff\r\n",))
case("keys-mutate", "KEYS[1] = 'changed' KEYS[5] = 'x' return {KEYS[1], #KEYS}", keys=("k",))
case("keys-reassign", "KEYS = {}")
case("argv-type", "return type(ARGV)")
case("argv-number-string", "return ARGV[1] + 1", args=("41",))
case("keys-many", "return #KEYS", keys=tuple(f"k{i}" for i in range(100)))
case("argv-many", "return ARGV[500]", args=tuple(str(i) for i in range(1000)))
case("keys-not-shared", "return KEYS[1]", keys=("first",))

# ---- errors ----
# (Error tables without an `err` string crash redis-server 7.0.15; they are tested against
# luax alone in test_errors.py.)
ERRORS = {
    "string": "error('boom')", "level0": "error('boom', 0)", "nil": "error(nil)", "none": "error()",
    "code": "error('WRONGTYPE x', 0)", "table": "error({err='MYERR custom'})", "table-nocode": "error({err='no code here'})",
    "table-err-only": "error({err='ERR'})", "table-number": "error({err=1})",
    "table-source-line": "error({err='E', source='src', line=7})", "error-reply": "error(redis.error_reply('MYERR x'))",
    "crlf": "error('x\\r\\ny')", "nul": "error('a\\0b')", "index-nil": "local t = nil return t.x",
    "arith": "return 1 + {}", "call-nil": "local f f()", "concat": "return 'a' .. {}", "compare": "return {} < 1",
    "loadstring-runtime": "loadstring(\"error('x')\")()", "loadstring-name": "loadstring(\"error('x')\", '=mychunk')()",
    "coroutine": "coroutine.wrap(function() error('in coro') end)()", "deep-recursion": "local function f() return f() + 1 end return f()",
    "c-stack": "local t = setmetatable({}, {}) getmetatable(t).__index = function(t, k) return t[k] end return t.x",
    "number": "error(42)", "table-metaindex": "error(setmetatable({}, {__index={err='FROMIDX x'}}))",
    "newindex-raises": "error(setmetatable({err='E'}, {__newindex=function() error('y') end}))",
    "readonly-error-object": "error(redis)", "trailing-newline": "error('boom\\n')",
    "line3": "local a = 1\nlocal b = 2\nerror('third')", "assert": "assert(false, 'assertion text')",
    "assert-nil": "assert(nil)",
    "pcall-swallows": "local ok, e = pcall(error, 'x') return {tostring(ok), e}",
    "pcall-table": "local ok, e = pcall(error, {err='T'}) return {tostring(ok), e}",
    "pcall-table-noerr": "local ok, e = pcall(error, {x=1}) return {tostring(ok), type(e)}",
    "pcall-redis-call": "local ok, e = pcall(redis.call, 'lpush', 'str', 'a') return {tostring(ok), e}",
    "pcall-noargs": "return {pcall()}", "pcall-count": "return select('#', pcall(error, {x=1}))",
    "xpcall-keeps-table": "local ok, e = xpcall(function() redis.call('lpush', 'str', 'a') end, function(e) return e end) error(e)",
    "pcall-reraise-string": "local ok, e = pcall(redis.call, 'lpush', 'str', 'a') error(e)",
    "compile": "return +", "compile-eof": "if true then", "compile-string": "return 'unterminated",
    "compile-long": "x = [==[ abc", "compile-line": "\n\nlocal x = = 1",
}
for name, body in ERRORS.items():
    case(f"err-{name}", body, setup=SETUP)

# ---- the redis.* helpers ----
HELPERS = {
    "sha1hex": "return redis.sha1hex('abc')", "sha1hex-empty": "return redis.sha1hex('')",
    "sha1hex-number": "return redis.sha1hex(1.5)", "sha1hex-nil": "return redis.sha1hex(nil)",
    "sha1hex-table": "return redis.sha1hex({})", "sha1hex-none": "return redis.sha1hex()",
    "sha1hex-two": "return redis.sha1hex('a', 'b')",
    "error-reply": "return redis.error_reply('MYERR custom')", "error-reply-dash": "return redis.error_reply('-MYERR custom')",
    "error-reply-nocode": "return redis.error_reply('nocode')", "error-reply-dash-nocode": "return redis.error_reply('-nocode')",
    "error-reply-empty": "return redis.error_reply('')", "error-reply-crlf": "return redis.error_reply('x\\r\\n+INJECTED')",
    "error-reply-number": "return redis.error_reply(1)", "error-reply-none": "return redis.error_reply()",
    "error-reply-table": "local t = redis.error_reply('E x') return {t.err, tostring(t.ignore_error_stats_update)}",
    "error-reply-raised": "error(redis.error_reply('X\\r\\n+INJECTED'))",
    "status-reply": "return redis.status_reply('FINE')", "status-reply-number": "return redis.status_reply(5)",
    "status-reply-two": "return redis.status_reply('a', 'b')",
    "log": "redis.log(redis.LOG_WARNING, 'hello', 'world', 1, {}, nil, 'end') return 1",
    "log-one-arg": "redis.log(redis.LOG_NOTICE)", "log-bad-level": "redis.log('x', 'y')",
    "log-level-range": "redis.log(9, 'y')", "log-neg": "redis.log(-1, 'y')",
    "log-string-level": "redis.log('3', 'ok') return 1", "log-nil-first": "redis.log(0, nil, 'a') return 1",
    "log-constants": "return {redis.LOG_DEBUG, redis.LOG_VERBOSE, redis.LOG_NOTICE, redis.LOG_WARNING}",
    "setresp-none": "redis.setresp()", "setresp-bad": "redis.setresp(4)", "setresp-string": "redis.setresp('3') return true",
    "setresp-float": "redis.setresp(2.9) return true", "setresp-two": "redis.setresp(2, 3)",
    "set-repl-none": "redis.set_repl()", "set-repl-bad": "redis.set_repl(4)", "set-repl-neg": "redis.set_repl(-1)",
    "set-repl-string": "redis.set_repl('x') return 1", "set-repl-ok": "redis.set_repl(redis.REPL_ALL) return 1",
    "repl-constants": "return {redis.REPL_NONE, redis.REPL_AOF, redis.REPL_SLAVE, redis.REPL_REPLICA, redis.REPL_ALL}",
    "replicate-commands": "return redis.replicate_commands()", "breakpoint": "return redis.breakpoint()",
    "debug": "return redis.debug('x')", "acl-check": "return redis.acl_check_cmd('get', 'x')",
    "acl-check-arity": "return redis.acl_check_cmd('get')", "acl-check-unknown": "return redis.acl_check_cmd('nosuch')",
    "acl-check-none": "return redis.acl_check_cmd()", "acl-check-table": "return redis.acl_check_cmd('get', {})",
    "version": "return redis.REDIS_VERSION", "version-num": "return redis.REDIS_VERSION_NUM",
    "pcall-no-args-table": "return redis.pcall()",
}
for name, body in HELPERS.items():
    case(f"helper-{name}", body)

# ---- writes and the keyspace ----
WRITES = {
    "set-expire": "redis.call('SET', 'k', 'v') redis.call('EXPIRE', 'k', 100) return redis.call('TTL', 'k')",
    "hash": "redis.call('HSET', 'h', 'a', 1, 'b', 2) redis.call('HINCRBY', 'h', 'a', 5) return redis.call('HGETALL', 'h')",
    "list": "for i = 1, 50 do redis.call('RPUSH', 'l', i) end return redis.call('LLEN', 'l')",
    "set": "redis.call('SADD', 's', 'a', 'b', 'c') redis.call('SREM', 's', 'b') return redis.call('SCARD', 's')",
    "zset": "redis.call('ZADD', 'z', 1, 'a', 2, 'b') redis.call('ZINCRBY', 'z', 5, 'a') return redis.call('ZRANGE', 'z', 0, -1, 'WITHSCORES')",
    "partial-then-error": "redis.call('SET', 'a', '1') redis.call('LPUSH', 'a', 'x')",
    "delete": "redis.call('DEL', 'str') return redis.call('EXISTS', 'str')",
    "rename": "redis.call('RENAME', 'str', 'str2') return redis.call('GET', 'str2')",
    "incr-loop": "for i = 1, 100 do redis.call('INCR', 'n') end return redis.call('GET', 'n')",
    "big-value": "redis.call('SET', 'big', string.rep('ab', 50000)) return redis.call('STRLEN', 'big')",
    "pexpireat": "redis.call('SET', 'k', 1, 'PXAT', 99999999999999) return redis.call('PTTL', 'k') > 0",
    "persist": "redis.call('SET', 'k', 1, 'EX', 100) redis.call('PERSIST', 'k') return redis.call('TTL', 'k')",
    "flushdb-in-script": "redis.call('FLUSHDB') return redis.call('DBSIZE')",
    "copy": "redis.call('COPY', 'list', 'list2') return redis.call('LRANGE', 'list2', 0, -1)",
    "append": "redis.call('APPEND', 'str', ' world') return redis.call('GET', 'str')",
}
for name, body in WRITES.items():
    case(f"write-{name}", body, setup=SETUP)

# The scripts users start with: the ones in examples/, read as shipped (comments included).
EXAMPLES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "examples")


def example(name):
    with open(os.path.join(EXAMPLES, name), encoding="utf-8") as f:
        return f.read()


RATE_LIMIT = example("rate_limit.lua")
LOCK_ACQUIRE = example("lock_acquire.lua")
LOCK_RELEASE = example("lock_release.lua")
case("rate-limit-first", RATE_LIMIT, keys=("user1",), args=("3", "60"))
case("rate-limit-under", RATE_LIMIT, keys=("user1",), args=("3", "60"), setup=(("SET", "rate.limit:user1", "1", "EX", "60"),))
case("rate-limit-over", RATE_LIMIT, keys=("user1",), args=("3", "60"), setup=(("SET", "rate.limit:user1", "3", "EX", "60"),))
case("rate-limit-bad-limit", RATE_LIMIT, keys=("user1",), args=("x", "60"), setup=(("SET", "rate.limit:user1", "3"),))
case("lock-acquire-free", LOCK_ACQUIRE, keys=("lock",), args=("me", "30"))
case("lock-acquire-held", LOCK_ACQUIRE, keys=("lock",), args=("me", "30"), setup=(("SET", "lock", "other", "EX", "30"),))
case("lock-acquire-no-ttl", LOCK_ACQUIRE, keys=("lock",), args=("me", "30"), setup=(("SET", "lock", "other"),))
case("lock-release-mine", LOCK_RELEASE, keys=("lock",), args=("me",), setup=(("SET", "lock", "me"),))
case("lock-release-other", LOCK_RELEASE, keys=("lock",), args=("me",), setup=(("SET", "lock", "other"),))
case("lock-release-free", LOCK_RELEASE, keys=("lock",), args=("me",))

# ---- shebang ----
SHEBANGS = {
    "plain": "#!lua\nreturn 1", "no-newline": "#!lua", "flags-empty": "#!lua flags=\nreturn 1",
    "no-writes": "#!lua flags=no-writes\nreturn redis.call('get', 'x')",
    "no-writes-write": "#!lua flags=no-writes\nreturn redis.pcall('set', 'x', 1)",
    "no-writes-publish": "#!lua flags=no-writes\nreturn redis.pcall('publish', 'ch', 1)",
    "unknown-flag": "#!lua flags=bad\nreturn 1", "empty-flag": "#!lua flags=no-writes,,\nreturn 1",
    "option": "#!lua name=x\nreturn 1", "engine": "#!foo\nreturn 1", "space-engine": "#! lua\nreturn 1",
    "bare": "#!\nreturn 1", "quoted": "#!lua \"flags=no-writes\"\nreturn 1", "unbalanced": "#!lua \"flags\nreturn 1",
    "line-numbers": "#!lua\nerror('x')", "all-flags": "#!lua flags=no-writes,allow-oom,allow-stale,no-cluster,allow-cross-slot-keys\nreturn 1",
    "crlf": "#!lua\r\nreturn 1", "write-allowed": "#!lua\nreturn redis.call('set', 'x', 1)",
}
for name, body in SHEBANGS.items():
    case(f"shebang-{name}", body)

# ---- environment basics needed by every script ----
ENV = {
    "version": "return _VERSION", "type-redis": "return type(redis)", "globals-set": "a = 5",
    "globals-rawset": "rawset(_G, 'a', 5)", "undefined": "return undefined_var",
    "undefined-g": "return _G.undefined_var", "rawget-undefined": "return rawget(_G, 'undefined_var')",
    "function-def": "function f() end", "redis-call-replace": "redis.call = nil", "string-x": "string.x = 1",
    "metatable-g": "setmetatable(_G, nil)", "local-table": "local t = {} t.x = 1 return t.x",
    "tostring-number": "return tostring(123456789012345)", "tostring-nan": "return tostring(0/0)",
    "string-methods": "return ('x'):rep(3)", "unpack": "return {unpack({1, 2, 3})}",
    "binary-chunk": "local f, e = loadstring(string.dump(function() return 1 end)) return {tostring(f), e}",
}
for name, body in ENV.items():
    case(f"env-{name}", body)

# ---- argument validation and SCRIPT subcommands (command level) ----
for cmd in ("EVAL", "EVAL_RO"):
    lc = cmd.lower()
    command(f"{lc}-noargs", cmd, f"LUAX.{cmd}")
    command(f"{lc}-onearg", cmd, f"LUAX.{cmd}", ("return 1",))
    for bad in ("abc", "1.5", "+1", "-0", "00", "01", "0x1", " 0", "0 ", "1e0", "", "9223372036854775808", "-1", "2"):
        command(f"{lc}-numkeys-{bad!r}", cmd, f"LUAX.{cmd}", ("return 1", bad, "k"))
    command(f"{lc}-compile-error", cmd, f"LUAX.{cmd}", ("return +", "0"))
    command(f"{lc}-numkeys-before-compile", cmd, f"LUAX.{cmd}", ("return +", "x"))
    command(f"{lc}-empty-body", cmd, f"LUAX.{cmd}", ("", "0"))
for cmd in ("EVALSHA", "EVALSHA_RO"):
    lc = cmd.lower()
    command(f"{lc}-short", cmd, f"LUAX.{cmd}", ("abc", "0"))
    command(f"{lc}-short-bad-numkeys", cmd, f"LUAX.{cmd}", ("abc", "-1"))
    command(f"{lc}-unknown", cmd, f"LUAX.{cmd}", ("a" * 40, "0"))
    command(f"{lc}-unknown-negative", cmd, f"LUAX.{cmd}", ("a" * 40, "-1"))
    command(f"{lc}-unknown-bad", cmd, f"LUAX.{cmd}", ("a" * 40, "x"))
    command(f"{lc}-noargs", cmd, f"LUAX.{cmd}", ("x",))
command("script-noargs", "SCRIPT", "LUAX.SCRIPT")
command("script-unknown", "SCRIPT FOO", "LUAX.SCRIPT FOO")
command("script-load", "SCRIPT LOAD", "LUAX.SCRIPT LOAD", ("return 1",))
command("script-load-empty", "SCRIPT LOAD", "LUAX.SCRIPT LOAD", ("",))
command("script-load-error", "SCRIPT LOAD", "LUAX.SCRIPT LOAD", ("return +",))
command("script-load-shebang-error", "SCRIPT LOAD", "LUAX.SCRIPT LOAD", ("#!lua flags=x\nreturn 1",))
command("script-load-noargs", "SCRIPT LOAD", "LUAX.SCRIPT LOAD")
command("script-load-two", "SCRIPT LOAD", "LUAX.SCRIPT LOAD", ("a", "b"))
command("script-exists-noargs", "SCRIPT EXISTS", "LUAX.SCRIPT EXISTS")
command("script-exists-none", "SCRIPT EXISTS", "LUAX.SCRIPT EXISTS", ("a" * 40, "x"))
command("script-flush", "SCRIPT FLUSH", "LUAX.SCRIPT FLUSH")
for mode in ("SYNC", "ASYNC", "sync", "Async"):
    command(f"script-flush-{mode}", "SCRIPT FLUSH", "LUAX.SCRIPT FLUSH", (mode,))
command("script-flush-bad", "SCRIPT FLUSH", "LUAX.SCRIPT FLUSH", ("foo",))
command("script-flush-extra", "SCRIPT FLUSH", "LUAX.SCRIPT FLUSH", ("ASYNC", "x"))
command("script-kill-idle", "SCRIPT KILL", "LUAX.SCRIPT KILL")
command("script-kill-extra", "SCRIPT KILL", "LUAX.SCRIPT KILL", ("x",))
command("script-help-extra", "SCRIPT HELP", "LUAX.SCRIPT HELP", ("x",))

# ---- what Redis does for its script client (CLIENT_SCRIPT) ----
SCRIPT_CLIENT_SETUP = (("SADD", "s", "c", "a", "b", "d", "10", "9"), ("RPUSH", "l", "c", "a", "b"),
                       ("SET", "w_a", "3"), ("SET", "w_b", "1"), ("XADD", "st", "1-1", "f", "v"))
SCRIPT_CLIENT = {
    "sort-set-nosort": "return redis.call('sort', 's', 'by', 'nosort')",
    "sort-set-nosort-desc": "return redis.call('SORT', 's', 'BY', 'nosort', 'DESC')",
    "sort-set-nosort-limit": "return redis.call('sort', 's', 'by', 'x', 'limit', 1, 3)",
    "sort-set-nosort-get": "return redis.call('sort', 's', 'by', 'nosort', 'get', '#', 'get', 'w_*')",
    "sort-set-nosort-store": "redis.call('sort', 's', 'by', 'nosort', 'store', 'dst') return redis.call('lrange', 'dst', 0, -1)",
    "sort-ro-set-nosort": "return redis.call('sort_ro', 's', 'by', 'nosort')",
    "sort-set-pattern": "return redis.pcall('sort', 's', 'by', 'w_*')",
    "sort-list-nosort": "return redis.call('sort', 'l', 'by', 'nosort')",
    "sort-set-alpha": "return redis.call('sort', 's', 'alpha')",
    "sort-set-bad-option": "return redis.pcall('sort', 's', 'by', 'nosort', 'bogus')",
    "sort-missing-nosort": "return redis.call('sort', 'missing', 'by', 'nosort')",
    "xread-block": "return redis.pcall('xread', 'block', 100, 'streams', 'st', '$')",
    "xread-block-upper": "return redis.pcall('XREAD', 'COUNT', 1, 'BLOCK', 0, 'STREAMS', 'st', '$')",
    "xread-bad-count-block": "return redis.pcall('xread', 'count', 'x', 'block', 0, 'streams', 'st', '$')",
    "xread-no-block": "return redis.pcall('xread', 'count', 1, 'streams', 'st', '0')",
    "xreadgroup-block": "return redis.pcall('xreadgroup', 'group', 'g', 'c', 'block', 100, 'streams', 'st', '>')",
    "xreadgroup-noack-block": "return redis.pcall('XREADGROUP', 'GROUP', 'g', 'c', 'NOACK', 'BLOCK', 1, 'STREAMS', 'st', '>')",
    "xread-block-call": "redis.call('xread', 'block', 1, 'streams', 'st', '$')",
}
for name, body in SCRIPT_CLIENT.items():
    case(f"script-client-{name}", body, setup=SCRIPT_CLIENT_SETUP)
