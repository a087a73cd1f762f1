"""Hostile scripts: whatever a script does, the server keeps answering.

Each case runs on one server through native EVAL and through LUAX.EVAL and compares the raw
reply bytes (and, unless the data is large, the keyspace). Scripts that crash or wedge native
redis-server 7.0.15 run through LUAX.EVAL only and must get an error reply. After every case
the server must answer PING and INFO and run a trivial script through both engines.

Cases that would take the server down (or that test the Lua heap ceiling) run on a server of
their own. Every wait has a deadline; a server that stops answering is killed, not waited on.

Sizes are scaled to keep the suite quick: inputs stay in the tens of MB, except for the few
cases about the 1 GiB heap ceiling itself. Where luax deliberately differs from native (it
stops where native crashes or hangs), the test says so.
"""

import re
import time

import pytest

from conftest import Server, wait_until, only_on_redis_70
from parity.corpus import hostile as hostile_corpus
from resp import RawConnection
from support.busy import BUSY, Background
from support.keyspace import keyspace

# How long one script may run before the server counts as wedged.
SCRIPT_DEADLINE = 60.0
# How long a health probe may take.
PROBE_DEADLINE = 5.0

ADDRESS = re.compile(rb"0x[0-9a-f]+")
SHA = rb"[0-9a-f]{40}"
HEAP_ERROR = re.compile(rb"^-ERR Error running script " + SHA + rb", not enough memory\r\n$")


# ---- servers ---------------------------------------------------------------------------------

def kill_server(server):
    """Stops a server that may be wedged: no SHUTDOWN round trip, just SIGKILL."""
    if server.proc.poll() is None:
        server.proc.kill()
    server.proc.wait(timeout=10)


def log_tail(server, lines=40):
    return "\n".join(server.log().splitlines()[-lines:])


def probe(server, *args, protocol=2, timeout=PROBE_DEADLINE):
    conn = RawConnection(server.port, protocol=protocol, timeout=timeout)
    try:
        return conn.call(*args)
    finally:
        conn.close()


def server_problem(server, scripts=True, timeout=PROBE_DEADLINE):
    """None when the server answers PING and INFO (and, with `scripts`, runs `return 1`
    through both engines); otherwise what is wrong."""
    if server.proc.poll() is not None:
        return f"redis-server exited with status {server.proc.returncode}"
    try:
        pong = probe(server, "PING", timeout=timeout)
        if pong != b"+PONG\r\n":
            return f"PING replied {pong[:200]!r}"
        for section in ((), ("everything",)):
            info = probe(server, "INFO", *section, timeout=timeout)
            if not info.startswith(b"$") or b"redis_version:" not in info:
                return f"INFO {' '.join(section)} replied {info[:200]!r}"
        if scripts:
            for cmd in ("EVAL", "LUAX.EVAL"):
                one = probe(server, cmd, "return 1", 0, timeout=timeout)
                if one != b":1\r\n":
                    return f"{cmd} 'return 1' replied {one[:200]!r}"
    except (OSError, ConnectionError) as e:
        return f"no answer: {e!r}"
    return None


def assert_healthy(server, scripts=True):
    problem = server_problem(server, scripts=scripts)
    assert problem is None, f"{problem}\n--- server log ---\n{log_tail(server)}"


class Target:
    """One server with luax loaded; runs scripts through both engines."""

    def __init__(self, server):
        self.server = server
        self.conns = {}

    def conn(self, protocol=2, timeout=SCRIPT_DEADLINE):
        if protocol not in self.conns:
            self.conns[protocol] = RawConnection(self.server.port, protocol=protocol, timeout=timeout)
        conn = self.conns[protocol]
        conn.sock.settimeout(timeout)
        return conn

    def close(self):
        for conn in self.conns.values():
            conn.close()
        self.conns.clear()

    def call(self, *args, protocol=2, timeout=SCRIPT_DEADLINE):
        try:
            return self.conn(protocol, timeout).call(*args)
        except OSError as e:
            self.close()
            status = self.server.proc.poll()
            state = "still running" if status is None else f"exited with status {status}"
            raise AssertionError(f"{args[0]} got no reply ({e!r}; deadline {timeout}s; redis-server {state}): "
                                 f"{str(args[1:])[:300]}\n--- server log ---\n{log_tail(self.server)}") from e

    def eval(self, cmd, script, keys=(), args=(), protocol=2, timeout=SCRIPT_DEADLINE):
        return self.call(cmd, script, len(keys), *keys, *args, protocol=protocol, timeout=timeout)

    def prepare(self, setup):
        self.call("FLUSHALL")
        for cmd in setup:
            reply = self.call(*cmd)
            assert not reply.startswith(b"-"), (cmd, reply)

    def parity(self, script, keys=(), args=(), setup=(), protocols=(2,), check_keyspace=True, normalize=None,
               timeout=SCRIPT_DEADLINE):
        """Native and luax replies (and keyspaces) must be equal; returns the luax reply."""
        ours = None
        for protocol in protocols:
            replies = []
            for cmd in ("EVAL", "LUAX.EVAL"):
                self.prepare(setup)
                reply = self.eval(cmd, script, keys, args, protocol=protocol, timeout=timeout)
                replies.append((reply, keyspace(self.conn()) if check_keyspace else None))
            (native, native_keys), (ours, our_keys) = replies
            if normalize:
                native, ours = normalize(native), normalize(ours)
            assert ours == native, (f"RESP{protocol} reply differs for {script[:300]!r}\n"
                                    f"native: {native[:400]!r}{'...' if len(native) > 400 else ''}\n"
                                    f"luax:   {ours[:400]!r}{'...' if len(ours) > 400 else ''}")
            assert our_keys == native_keys, f"RESP{protocol} keyspace differs for {script[:300]!r}"
            assert_healthy(self.server)
        return ours

    def sequence(self, scripts, setup=(), protocol=2):
        """Runs the scripts one after the other on one connection through each engine (from the
        same starting data); the lists of replies must be equal."""
        results = []
        for cmd in ("EVAL", "LUAX.EVAL"):
            self.prepare(setup)
            results.append([self.eval(cmd, script, protocol=protocol) for script in scripts])
        native, ours = results
        assert ours == native, f"RESP{protocol} replies differ for {scripts}\nnative: {native}\nluax:   {ours}"
        assert_healthy(self.server)

    def luax(self, script, keys=(), args=(), protocol=2, timeout=SCRIPT_DEADLINE):
        return self.eval("LUAX.EVAL", script, keys, args, protocol=protocol, timeout=timeout)

    def reset(self):
        self.call("SCRIPT", "FLUSH")
        self.call("LUAX.SCRIPT", "FLUSH")
        self.call("FLUSHALL")


@pytest.fixture(scope="module")
def shared(tmp_path_factory):
    holder = {"server": Server(str(tmp_path_factory.mktemp("hostile")))}
    yield holder
    if server_problem(holder["server"], scripts=False) is None:
        holder["server"].stop()
    else:
        kill_server(holder["server"])


@pytest.fixture
def target(shared, tmp_path_factory):
    """The module's shared server; replaced by a fresh one when a test leaves it unhealthy."""
    t = Target(shared["server"])
    yield t
    t.close()
    if server_problem(t.server) is None:
        t.reset()
        t.close()
    else:
        kill_server(t.server)
        shared["server"] = Server(str(tmp_path_factory.mktemp("hostile")))


@pytest.fixture
def fresh(tmp_path):
    """Factory of servers for cases that may crash or wedge them; all are killed at the end."""
    servers = []

    def start(extra_args=()):
        s = Server(str(tmp_path / f"fresh{len(servers)}"), extra_args=list(extra_args))
        servers.append(s)
        return Target(s)

    yield start
    for s in servers:
        if server_problem(s, scripts=False) is None:
            s.stop()
        else:
            kill_server(s)


@pytest.fixture(scope="module")
def cjson_ready(shared):
    reply = probe(shared["server"], "LUAX.EVAL", "return type(cjson) == 'table' and type(cjson.encode) == 'function'", 0)
    return reply == b":1\r\n"


@pytest.fixture
def cjson_target(target, cjson_ready):
    """`target`, for tests of cjson itself: skipped when luax's cjson has no encode."""
    if not cjson_ready:
        pytest.skip("cjson.encode is missing from luax's cjson library")
    return target


def cases(table):
    """parametrize arguments for a {name: script} dict."""
    return pytest.mark.parametrize("script", list(table.values()), ids=list(table))


def sans_addresses(reply):
    return ADDRESS.sub(b"0x?", reply)


# ---- every cheap parity case of the hostile corpus, with the health check -------------------

@only_on_redis_70("compares with the host's own EVAL replies; Valkey words script errors its own way (9.1 leaves the SHA out of them) (README, Valkey)")
@pytest.mark.parametrize("case", hostile_corpus.CASES, ids=[c.name for c in hostile_corpus.CASES])
def test_corpus_case_leaves_server_healthy(target, case):
    target.parity(case.script, case.keys, case.args, case.setup)


# ---- section 10 triggers that need more than a corpus case ---------------------------------

@only_on_redis_70("cmsgpack packs tables in the host Lua's hash order, which Valkey changed (README, Valkey)")
def test_cve_2022_24834_scaled_msgpack_and_struct(target):
    target.parity("local s = cmsgpack.pack(string.rep('x', 2e7)) return {#s, #cmsgpack.unpack(s)}", check_keyspace=False)
    target.parity("local t = {} for i = 1, 1e6 do t[i] = i end local s = cmsgpack.pack(t) return {#s, redis.sha1hex(s)}",
                  check_keyspace=False)
    target.parity("local t = {} for i = 1, 1e5 do t['k' .. i] = {i, 'v' .. i} end local s = cmsgpack.pack(t) "
                  "return {#s, redis.sha1hex(s), select('#', cmsgpack.unpack(s))}", check_keyspace=False)
    target.parity("local s = string.rep('x', 1e7) return #struct.pack('s', s .. s)", check_keyspace=False)


def test_cve_2022_24834_scaled_cjson(cjson_target):
    # Each control byte becomes six bytes: a 10 MB input gives 60 MB of JSON.
    cjson_target.parity("local e = cjson.encode(string.rep('\\1', 1e7)) return {#e, redis.sha1hex(e)}",
                        check_keyspace=False)
    cjson_target.parity("local s = string.rep('x', 1e7) return #cjson.encode({s, s, s})", check_keyspace=False)
    cjson_target.parity("local s = string.rep('\\127', 4e6) local e = cjson.encode(s .. s .. s) "
                        "return {#e, redis.sha1hex(e)}", check_keyspace=False)


def test_cve_2024_46981_flush_with_live_objects(target, cjson_ready):
    """Closures, suspended coroutines, cyclic garbage, cjson instances and metatables alive in
    the VM when the cache is flushed (SYNC and ASYNC), over and over."""
    make_garbage = (
        "local keep = {} for i = 1, 2000 do local t = setmetatable({}, {__index = function() return i end, __mode = 'k'}) "
        "t[1] = t keep[i] = {t, function() return t end, coroutine.create(function() coroutine.yield(t) end)} "
        "coroutine.resume(keep[i][3]) end "
        + ("for i = 1, 50 do keep[#keep + 1] = cjson.new() end " if cjson_ready else "")
        + "return #keep"
    )
    for round_ in range(10):
        mode = ("SYNC", "ASYNC")[round_ % 2]
        target.parity(make_garbage, check_keyspace=False)
        assert target.call("SCRIPT", "FLUSH", mode) == b"+OK\r\n"
        assert target.call("LUAX.SCRIPT", "FLUSH", mode) == b"+OK\r\n"
        target.parity("collectgarbage('collect') return {type(redis), type(cjson), #KEYS}", check_keyspace=False)


def test_cve_2025_49844_gc_while_compiling(target):
    # Aggressive GC while loadstring compiles large chunks with long, fresh chunk names and
    # plenty of garbage around; the GC settings are restored before returning.
    script = (
        "local pause, mul = collectgarbage('setpause', 10), collectgarbage('setstepmul', 1000) "
        "local ok, res = pcall(function() local n = 0 for round = 1, 20 do local parts = {} "
        "for i = 1, 2000 do parts[i] = '\"' .. string.rep('s', i % 40) .. round .. '_' .. i .. '\"' end "
        "local junk = {} for i = 1, 1000 do junk[i] = string.rep('j', 100) .. i end "
        "local f = assert(loadstring('return {' .. table.concat(parts, ',') .. '}', string.rep('n', 1000) .. round)) "
        "collectgarbage('collect') n = n + #f() end return n end) "
        "collectgarbage('setpause', pause) collectgarbage('setstepmul', mul) return {tostring(ok), res, pause, mul}"
    )
    target.parity(script, check_keyspace=False)
    target.parity(
        "local pause = collectgarbage('setpause', 0) local ok, f = pcall(loadstring, "
        "string.rep('local x = \"' .. string.rep('y', 100) .. '\"\\n', 50000), '=' .. string.rep('c', 100000)) "
        "collectgarbage('setpause', pause) return {tostring(ok), type(f)}", check_keyspace=False)


def test_cve_2025_46819_long_brackets_at_scale(target):
    n = 1_000_000
    target.parity(f"return loadstring('return [' .. string.rep('=', {n}) .. '[x]' .. string.rep('=', {n}) .. ']')()")
    target.parity(f"return {{loadstring('return [' .. string.rep('=', {n}) .. 'x')}}")
    target.parity(f"local f = loadstring(string.rep('\\n', {n}) .. 'error(\"at end\")') return {{pcall(f)}}")
    target.parity("return {loadstring('return \"' .. string.rep('x', 1e7) .. '\"')}")


# ---- deep recursion that needs big inputs or a server of its own ------------------------

def test_pattern_recursion_native_survives(target):
    # Below luax's pattern depth limit (80000) both engines agree; native dies somewhere past
    # 150000 levels, luax refuses more than 80000 (see test_pattern_recursion_does_not_crash).
    target.parity("return {string.find(string.rep('a', 75000), string.rep('a?', 75000))}", check_keyspace=False)


PATTERN_CRASHERS = {
    "find": "return string.find(string.rep('a', 1000000), string.rep('a?', 1000000))",
    "match": "return string.match(string.rep('a', 1000000), string.rep('a?', 1000000))",
    "gmatch": "for m in string.gmatch(string.rep('a', 1000000), string.rep('a*', 1000000)) do return #m end",
    "gsub": "return string.gsub(string.rep('a', 1000000), '^' .. string.rep('a-', 1000000), '')",
}


@cases(PATTERN_CRASHERS)
def test_pattern_recursion_does_not_crash(fresh, script):
    t = fresh()
    reply = t.luax(script, timeout=30)
    assert reply.startswith(b"-ERR user_script:1: pattern too complex script: "), reply[:200]
    assert_healthy(t.server)


# ---- cjson: 100k-deep input and output --------------------------------------------------

CJSON_DEEP = {
    "decode-arrays": "return {pcall(cjson.decode, string.rep('[', 100000) .. string.rep(']', 100000))}",
    "decode-objects": "return {pcall(cjson.decode, string.rep('{\"a\":', 100000) .. '1' .. string.rep('}', 100000))}",
    "decode-unclosed": "return {pcall(cjson.decode, string.rep('[1,', 100000))}",
    "decode-mixed": "return {pcall(cjson.decode, string.rep('[{\"k\":', 50000) .. 'null' .. string.rep('}]', 50000))}",
    "encode-deep": "local t = {} local c = t for i = 1, 100000 do c[1] = {} c = c[1] end return {pcall(cjson.encode, t)}",
    "encode-deep-objects": "local t = {} local c = t for i = 1, 100000 do c.k = {} c = c.k end return {pcall(cjson.encode, t)}",
    "encode-self": "local t = {} t[1] = t return {pcall(cjson.encode, t)}",
    "encode-self-object": "local t = {} t.me = t return {pcall(cjson.encode, t)}",
    "decode-max-depth-unlimited": "cjson.decode_max_depth(2147483647) "
                                  "local r = {pcall(cjson.decode, string.rep('[', 100000) .. string.rep(']', 100000))} "
                                  "cjson.decode_max_depth(1000) return r",
    "encode-max-depth-unlimited": "cjson.encode_max_depth(2147483647) local t = {} local c = t "
                                  "for i = 1, 100000 do c[1] = {} c = c[1] end local r = {pcall(cjson.encode, t)} "
                                  "cjson.encode_max_depth(1000) return r",
    "encode-self-unlimited": "cjson.encode_max_depth(2147483647) local t = {} t[1] = t "
                             "local r = {pcall(cjson.encode, t)} cjson.encode_max_depth(1000) return r",
    "roundtrip-wide": "local t = {} for i = 1, 1e6 do t[i] = i end return #cjson.decode(cjson.encode(t))",
    "decode-nul-escapes": "return #cjson.decode('\"' .. string.rep('\\\\u0000', 1e6) .. '\"')",
    "decode-surrogates": "return #cjson.decode('\"' .. string.rep('\\\\ud83d\\\\ude00', 1e5) .. '\"')",
    "decode-long-number": "return {pcall(cjson.decode, string.rep('9', 1e6))}",
    "error-null": "error(cjson.null)",
    "return-null-nested": "local t = {} t[1] = t t[2] = cjson.null return t",
}


@only_on_redis_70("compares with the host's own EVAL replies; Valkey words script errors its own way (9.1 leaves the SHA out of them) (README, Valkey)")
@cases(CJSON_DEEP)
def test_cjson_deep(cjson_target, script):
    cjson_target.parity(script, check_keyspace=False)


# ---- cmsgpack: 100k-deep input and output ------------------------------------------------

MSGPACK_DEEP = {
    "unpack-arrays": "return {pcall(cmsgpack.unpack, string.rep('\\145', 100000) .. '\\192')}",
    "unpack-arrays-7000": "local ok, v = pcall(cmsgpack.unpack, string.rep('\\145', 7000) .. '\\192') return {tostring(ok), type(v)}",
    "unpack-maps": "return {pcall(cmsgpack.unpack, string.rep('\\129\\161k', 100000) .. '\\192')}",
    "unpack-array16": "return {pcall(cmsgpack.unpack, string.rep('\\220\\0\\1', 100000) .. '\\1')}",
    "unpack-truncated": "return {pcall(cmsgpack.unpack, string.rep('\\145', 100000))}",
    "unpack-many-values": "return {pcall(cmsgpack.unpack, string.rep('\\1', 100000))}",
    "unpack-7990-values": "return {pcall(cmsgpack.unpack, string.rep('\\1', 7990))}",
    "unpack-limit-many": "return {pcall(cmsgpack.unpack_limit, string.rep('\\1', 100000), 100000)}",
    "unpack-limit-7990": "return {pcall(cmsgpack.unpack_limit, string.rep('\\1', 100000), 7990)}",
    "unpack-one-walk": "local s = string.rep('\\145', 50000) .. '\\192' local off, n = 0, 0 "
                       "local ok, e = pcall(function() while off >= 0 do off = cmsgpack.unpack_one(s, off) n = n + 1 end end) "
                       "return {tostring(ok), n, e}",
    "pack-deep": "local t = {} local c = t for i = 1, 100000 do c[1] = {} c = c[1] end return cmsgpack.pack(t)",
    "pack-deep-maps": "local t = {} local c = t for i = 1, 100000 do c.k = {} c = c.k end return cmsgpack.pack(t)",
    "pack-self": "local t = {} t[1] = t return cmsgpack.pack(t)",
    "pack-self-map": "local t = {} t.k = t return cmsgpack.pack(t)",
    "pack-self-key": "local t = {} t[t] = 1 return cmsgpack.pack(t)",
    "pack-too-many-args": "local t = {} for i = 1, 7000 do t[i] = i end return {pcall(cmsgpack.pack, unpack(t))}",
    "roundtrip-wide": "local t = {} for i = 1, 1e6 do t[i] = i end return #cmsgpack.unpack(cmsgpack.pack(t))",
}


@cases(MSGPACK_DEEP)
def test_cmsgpack_deep(target, script):
    target.parity(script, check_keyspace=False)


# ---- protected tables: nothing an attempt does survives into the next script ----------

FINGERPRINT = (
    "local with_addr = ARGV[1] == 'addr' local out = {} "
    "local function show(k, v) if with_addr and k ~= 'KEYS' and k ~= 'ARGV' or type(v) ~= 'function' and type(v) ~= 'table' "
    "then return tostring(v) end return type(v) end "
    "local function walk(name, t) if type(t) ~= 'table' then out[#out + 1] = name .. '=' .. type(t) return end "
    "local keys = {} for k, v in pairs(t) do keys[#keys + 1] = tostring(k) .. ':' .. show(k, v) end table.sort(keys) "
    "out[#out + 1] = name .. '=' .. table.concat(keys, ',') end "
    "walk('_G', _G) for _, lib in ipairs({'string', 'math', 'table', 'coroutine', 'redis', LIBS}) do walk(lib, rawget(_G, lib)) end "
    "walk('mt_G', getmetatable(_G)) walk('mt_string', getmetatable('')) "
    "out[#out + 1] = 'string.index=' .. tostring(getmetatable('').__index == string) "
    "out[#out + 1] = 'upper=' .. ('abc'):upper() "
    "out[#out + 1] = 'nonexistent=' .. tostring(select(2, pcall(function() return nonexistent_global end))) "
    "return out"
)

ATTACK_TARGETS = ("_G", "redis", "string", "math", "table", "coroutine", "cmsgpack", "struct", "bit",
                  "getmetatable(_G)", "getmetatable('')")
ATTACK_ROUTES = (
    "T.x = 1", "T.pairs = nil", "T.call = nil", "T.format = nil", "T.__index = nil", "rawset(T, 'x', 1)",
    "rawset(T, 1, 1)", "rawset(T, next(T), nil)", "setmetatable(T, {})", "setmetatable(T, nil)",
    "table.insert(T, 1)", "table.insert(T, 1, 1)", "table.remove(T)", "table.remove(T, 1)", "table.sort(T)",
    "for k in pairs(T) do T[k] = nil end", "table.foreach(T, function(k) T[k] = 1 end)",
    "loadstring('local T = ... T.x = 1')(T)", "coroutine.wrap(function() T.x = 1 end)()",
    "setmetatable({}, {__newindex = T}).x = 1", "T[true] = 1", "T[1.5] = 1",
)


def attack_script(targets):
    lines = ["local failures, n = {}, 0"]
    for t in targets:
        for route in ATTACK_ROUTES:
            lines.append(f"n = n + 1 do local T = {t} local ok, e = pcall(function() {route} end) "
                         f"if ok then failures[#failures + 1] = {t!r} .. ' ' .. {route!r} end end")
    lines.append("setmetatable(KEYS, {__index = function() return 'leaked' end}) KEYS[5] = 'x' ARGV[9] = 'y'")
    lines.append("return {n, failures}")
    return " ".join(lines)


@only_on_redis_70("Valkey's Lua environment has globals of its own (__server__err__handler, server) (README, Valkey)")
def test_protected_tables_every_route_leaves_no_trace(target, cjson_ready):
    libs = "'cjson', 'cmsgpack', 'struct', 'bit'" if cjson_ready else "'cmsgpack', 'struct', 'bit'"
    fingerprint = FINGERPRINT.replace("LIBS", libs)
    targets = ATTACK_TARGETS + (("cjson",) if cjson_ready else ())

    def snapshot(cmd):
        return target.eval(cmd, fingerprint, args=["addr"])

    before = {cmd: snapshot(cmd) for cmd in ("EVAL", "LUAX.EVAL")}
    target.parity(fingerprint, check_keyspace=False)
    # Routes that do not raise (table.sort or table.remove of a table without array items)
    # change nothing either; the fingerprints below check that.
    target.parity(attack_script(targets), keys=["k1"], args=["a1"], check_keyspace=False)
    target.parity("return {KEYS[1], tostring(KEYS[5]), tostring(ARGV[9]), tostring(getmetatable(KEYS))}",
                  keys=["k2"], args=["a2"], check_keyspace=False)
    for cmd in ("EVAL", "LUAX.EVAL"):
        assert snapshot(cmd) == before[cmd], f"{cmd}: the environment changed"
    target.parity(fingerprint, check_keyspace=False)


PROTECTED_CJSON = {
    "assign": "cjson.x = 1", "replace": "cjson.encode = function() end", "rawset": "rawset(cjson, 'x', 1)",
    "rawset-existing": "rawset(cjson, 'decode', nil)", "setmetatable": "setmetatable(cjson, {})",
    "insert": "table.insert(cjson, 1)", "next-clear": "local k = next(cjson) cjson[k] = nil",
    "foreach-clear": "table.foreach(cjson, function(k) cjson[k] = nil end)",
    "config-persists-not-table": "cjson.encode_max_depth(5) local ok = pcall(rawset, cjson, 'x', 1) cjson.encode_max_depth(1000) return {tostring(ok)}",
}


@only_on_redis_70("compares with the host's own EVAL replies; Valkey words script errors its own way (9.1 leaves the SHA out of them) (README, Valkey)")
@cases(PROTECTED_CJSON)
def test_protected_cjson(cjson_target, script):
    cjson_target.parity(script, check_keyspace=False)


# ---- error objects of every Lua type ----------------------------------------------------

ERRORS_WITH_ADDRESSES = {
    "function": "error(function() end)",
    "c-function": "error(string.len)",
    "thread": "error(coroutine.create(function() end))",
    "table-with-tostring-no-err-via-pcall": "local ok, e = pcall(error, setmetatable({}, {__tostring = function() return 'ts' end})) return tostring(e) == 'ts'",
    "function-in-coroutine": "coroutine.wrap(function() error(function() end) end)()",
}


@only_on_redis_70("compares with the host's own EVAL replies; Valkey words script errors its own way (9.1 leaves the SHA out of them) (README, Valkey)")
@cases(ERRORS_WITH_ADDRESSES)
def test_error_objects_with_addresses(target, script):
    target.parity(script, protocols=(2, 3), normalize=sans_addresses)


# Native 7.0.15 dies on these (SIGSEGV on a NULL message, or a Lua panic on an unprotected
# error while it reads the error table); luax must reply with an error and carry on.
NATIVE_CRASHERS = {
    "table-no-err": "error({x=1})",
    "empty-table": "error({})",
    "err-true": "error({err=true})",
    "err-false": "error({err=false})",
    "err-table": "error({err={}})",
    "err-function": "error({err=function() end})",
    "err-thread": "error({err=coroutine.create(function() end)})",
    "err-tostring-table": "error({err=setmetatable({}, {__tostring=function() return 'x' end})})",
    "status-reply": "error(redis.status_reply('OK'))",
    "err-status-table": "error({err=redis.status_reply('OK')})",
    "tostring-only": "error(setmetatable({}, {__tostring=function() return 'custom' end}))",
    "index-raises": "error(setmetatable({}, {__index=function() error('x') end}))",
    "index-raises-after-err": "error(setmetatable({err='MYERR x'}, {__index=function() error('boom') end}))",
    "index-err-then-raises": "error(setmetatable({}, {__index = function(t, k) if k == 'err' then return 'E' end error('x') end}))",
    "index-returns-table": "error(setmetatable({}, {__index = function(t, k) if k == 'err' then return {} end end}))",
    "index-loops": "error(setmetatable({}, {__index = function(t, k) return t[k] end}))",
    "in-coroutine": "coroutine.wrap(function() error({x=1}) end)()",
    "after-write": "redis.call('set', 'k', 'v') error({x=1})",
    "huge-no-err": "local t = {} for i = 1, 100000 do t[i] = i end error(t)",
}


@cases(NATIVE_CRASHERS)
def test_native_crashers_reply_an_error(target, script):
    for protocol in (2, 3):
        reply = target.luax(script, protocol=protocol)
        assert reply.startswith(b"-") and reply.count(b"\r\n") == 1, reply[:300]
        assert_healthy(target.server)


# ---- growth: string.rep, table.concat, .. -----------------------------------------------

GROWTH = {
    "rep-30mb": "return #string.rep('abc', 1e7)",
    "concat-500k": "local t = {} for i = 1, 5e5 do t[i] = 'item' .. i end local s = table.concat(t, ',') return {#s, redis.sha1hex(s)}",
    "concat-wide-separator": "local t = {} for i = 1, 3e4 do t[i] = i end return #table.concat(t, string.rep('-', 1000))",
    "doubling-64mb": "local s = 'x' for i = 1, 26 do s = s .. s end return #s",
    "format-many-long": "local t = {} for i = 1, 100 do t[i] = string.rep('s', 1e5) end return #string.format(string.rep('%s', 100), unpack(t))",
    "gsub-expansion": "local s = string.rep('a', 1e6) return #s:gsub('a', 'bbbbbbbbbb')",
    "rep-in-loop-garbage": "local n = 0 for i = 1, 50 do n = n + #string.rep('x', 1e6) end return n",
}


@cases(GROWTH)
def test_growth(target, script):
    target.parity(script, check_keyspace=False)


# ---- huge argument counts, huge arguments -----------------------------------------------

def test_huge_argument_values(target):
    target.parity("redis.call('set', 'big', string.rep('x', 2e7)) return #redis.call('get', 'big')", check_keyspace=False)
    target.parity("return redis.sha1hex(string.rep('x', 2e7))", check_keyspace=False)
    target.parity("redis.log(redis.LOG_WARNING, string.rep('L', 1e6)) return 1", check_keyspace=False)
    target.parity("return redis.status_reply(string.rep('s', 1e6))", check_keyspace=False)


@only_on_redis_70("compares with the host's own EVAL replies; Valkey words script errors its own way (9.1 leaves the SHA out of them) (README, Valkey)")
def test_argument_counts_below_the_stack_limit(target):
    for n in (1000, 5000, 7900, 7990, 7993):
        target.parity(f"local t = {{}} for i = 1, {n} do t[i] = 'm' .. i end return redis.call('sadd', 'bigset', unpack(t))")
    target.parity("local t = {} for i = 1, 8000 do t[i] = 'm' .. i end return redis.call('sadd', 'bigset', unpack(t))")


@pytest.mark.parametrize("n", [7994, 7999])
def test_argument_counts_at_the_stack_limit(target, n):
    target.parity(f"local t = {{}} for i = 1, {n} do t[i] = 'm' .. i end return redis.call('sadd', 'bigset', unpack(t))")


def test_many_calls_with_many_arguments(target):
    target.parity("local t = {} for i = 1, 7000 do t[i] = i end for i = 1, 50 do redis.call('rpush', 'l', unpack(t)) end "
                  "return redis.call('llen', 'l')", check_keyspace=False)


# ---- huge replies ------------------------------------------------------------------------

HUGE_REPLIES = {
    "array-500k": "local t = {} for i = 1, 5e5 do t[i] = i end return t",
    "map-100k": "local t = {} for i = 1, 1e5 do t['k' .. i] = i end return {map=t}",
    "set-100k": "local t = {} for i = 1, 1e5 do t['k' .. i] = true end return {set=t}",
    "bulk-20mb": "return string.rep('x', 2e7)",
    "nested-wide": "local t = {} for i = 1, 500 do local r = {} for j = 1, 500 do r[j] = j end t[i] = r end return t",
    "doubles": "local t = {} for i = 1, 1e5 do t[i] = {double = i / 7} end return t",
    "statuses": "local t = {} for i = 1, 1e5 do t[i] = {ok = 'x' .. i} end return t",
    "errors": "local t = {} for i = 1, 1e5 do t[i] = {err = 'E' .. i} end return t",
    "lrange-500k": "local t = {} for i = 1, 7000 do t[i] = i end for i = 1, 72 do redis.call('rpush', 'l', unpack(t)) end "
                 "return redis.call('lrange', 'l', 0, -1)",
    "hgetall-resp3": "for i = 1, 300 do local t = {} for j = 1, 100 do t[#t + 1] = 'f' .. i .. '_' .. j t[#t + 1] = j end "
                     "redis.call('hset', 'h', unpack(t)) end redis.setresp(3) return redis.call('hgetall', 'h')",
}


@only_on_redis_70("tables are visited in the host Lua's hash order, which Valkey changed (README, Valkey)")
@cases(HUGE_REPLIES)
def test_huge_replies(target, script):
    target.parity(script, protocols=(2, 3), check_keyspace=False)


# ---- memory-hungry scripts --------------------------------------------------------------

MEMORY_HUNGRY = {
    "array-4m": "local t = {} for i = 1, 4e6 do t[i] = i end return #t",
    "hash-500k-strings": "local t = {} for i = 1, 5e5 do t['k' .. i] = i end local n = 0 for _ in pairs(t) do n = n + 1 end return n",
    "tables-1m": "local t = {} for i = 1, 1e6 do t[i] = {i} end return #t",
    "closures-500k": "local t = {} for i = 1, 5e5 do t[i] = function() return i end end return t[12345]()",
    "coroutines-100k": "local t = {} for i = 1, 1e5 do t[i] = coroutine.create(function() coroutine.yield() end) coroutine.resume(t[i]) end return #t",
    "garbage-churn": "local n = 0 for i = 1, 1e6 do local t = {i, tostring(i)} n = n + #t end return n",
}


@cases(MEMORY_HUNGRY)
def test_memory_hungry(target, script):
    target.parity(script, check_keyspace=False)


# Fills the Lua heap to its ceiling with small tables (about 2 s); the last allocation fails.
FILL_WITH_TABLES = "local t = {} local i = 0 while true do i = i + 1 t[i] = {i} end"
# Holds almost all of the heap for the rest of the script.
HOLD_HEAP = ("local hold, s = {}, string.rep('x', 2^20) "
             "pcall(function() while true do hold[#hold + 1] = s .. #hold end end) ")


@pytest.mark.parametrize("script", [
    "local t = {} local i = 0 while true do i = i + 1 t[i] = i end",
    "local s = string.rep('x', 2^20) local t = {} while true do t[#t + 1] = s .. #t end",
], ids=["array", "strings"])
def test_heap_limit_gives_a_clean_error(fresh, script):
    """A script that would take all the machine's memory natively (so native is not run):
    luax stops it at its heap ceiling with Lua's memory error and the next script runs."""
    t = fresh()
    assert HEAP_ERROR.match(t.luax(script))
    assert_healthy(t.server)


def test_vm_recovers_after_heap_limit(fresh):
    t = fresh()
    assert HEAP_ERROR.match(t.luax(FILL_WITH_TABLES))
    assert_healthy(t.server, scripts=False)
    assert t.luax("return 2") == b":2\r\n"


def test_cached_script_after_heap_limit(fresh):
    t = fresh()
    loaded = t.call("LUAX.SCRIPT", "LOAD", "return 1")
    sha = loaded.split(b"\r\n")[1]
    assert HEAP_ERROR.match(t.luax(FILL_WITH_TABLES))
    reply = t.call("LUAX.EVALSHA", sha, 0)
    assert reply.startswith((b":", b"-")), reply
    assert_healthy(t.server, scripts=False)


@pytest.mark.parametrize("prepare, call", [
    ("", "redis.call('lrange', 'biglist', 0, -1)"),
    ("local big = redis.call('lrange', 'biglist', 0, -1) ", "cmsgpack.pack(big)"),
    ("local packed = cmsgpack.pack(redis.call('lrange', 'biglist', 0, -1)) ", "cmsgpack.unpack(packed)"),
    ("local big = string.rep('y', 1e8) ", "struct.pack('s', big)"),
], ids=["redis-call-reply", "cmsgpack-pack", "cmsgpack-unpack", "struct-pack"])
def test_heap_limit_inside_api_calls(fresh, prepare, call):
    """Memory runs out inside redis.call's reply conversion, cmsgpack or struct while the script
    holds almost all of the heap: Lua's memory error, catchable with pcall."""
    t = fresh()
    t.call("EVAL", "for i = 1, 3e5 do redis.call('rpush', 'biglist', 'item' .. i) end return 1", 0)
    reply = t.luax(prepare + HOLD_HEAP + f"local r = {{pcall(function() return {call} end)}} "
                   "hold = nil collectgarbage('collect') return {tostring(r[1]), type(r[2]) == 'string' and r[2] or type(r[2])}")
    assert reply == b"*2\r\n$5\r\nfalse\r\n$17\r\nnot enough memory\r\n", reply[:300]
    assert_healthy(t.server)


# ---- coroutines: killable wherever the loop is ------------------------------------------

KILLABLE = {
    "coroutine-loop": "local co = coroutine.wrap(function() while true do end end) co()",
    "resumed-loop": "local co = coroutine.create(function() while true do end end) while true do coroutine.resume(co) end",
    "new-coroutines": "while true do coroutine.resume(coroutine.create(function() while true do end end)) end",
    "yield-loop": "local co = coroutine.wrap(function() while true do coroutine.yield() end end) while true do co() end",
    "sort-comparator": "while true do pcall(table.sort, {3, 2, 1}, function(a, b) while true do end end) end",
    "gsub-callback": "while true do pcall(string.gsub, 'abc', '%w', function() while true do end end) end",
    "index-metamethod": "local t = setmetatable({}, {__index = function() while true do end end}) while true do pcall(function() return t.x end) end",
    "loadstring-chunk": "while true do pcall(loadstring('while true do end')) end",
    "error-table-newindex": "error(setmetatable({}, {__newindex = function() while true do end end}))",
    "pcall-index-metamethod": "while true do pcall(error, setmetatable({}, {__index = function() while true do end end})) end",
    "tostring-metamethod": "local t = setmetatable({}, {__tostring = function() while true do end end}) while true do pcall(tostring, t) end",
    "redis-call-in-coroutine": "local co = coroutine.wrap(function() while true do redis.call('get', 'x') end end) co()",
}


def kill_until_stopped(t, eval_cmd, kill_cmd, script, deadline=20.0):
    """Runs `script` until others see BUSY, then sends `kill_cmd` until it ends."""
    job = Background(t.server, eval_cmd, script, 0, timeout=SCRIPT_DEADLINE)
    other = RawConnection(t.server.port, timeout=PROBE_DEADLINE)
    try:
        wait_until(lambda: not job.alive() or other.call("PING") == BUSY, timeout=10, what="BUSY reply")
        end = time.monotonic() + deadline
        while job.alive() and time.monotonic() < end:
            other.call(*kill_cmd.split())
            job.thread.join(0.2)
        assert not job.alive(), f"{eval_cmd} still running {deadline}s after the first kill: {script}"
        return job.reply
    finally:
        other.close()


@pytest.fixture(scope="module")
def hostile_busy_server(tmp_path_factory):
    s = Server(str(tmp_path_factory.mktemp("busy")), extra_args=["--busy-reply-threshold", "100"])
    yield {"server": s}
    if server_problem(s, scripts=False) is None:
        s.stop()
    else:
        kill_server(s)


@only_on_redis_70("expects Redis 7.0's BUSY and SCRIPT KILL texts; Valkey says 'Valkey is busy ...' (README, Valkey)")
@cases(KILLABLE)
def test_killable(hostile_busy_server, tmp_path_factory, script):
    s = hostile_busy_server["server"]
    if server_problem(s) is not None:
        kill_server(s)
        s = hostile_busy_server["server"] = Server(str(tmp_path_factory.mktemp("busy")), extra_args=["--busy-reply-threshold", "100"])
    t = Target(s)
    native = kill_until_stopped(t, "EVAL", "SCRIPT KILL", script)
    ours = kill_until_stopped(t, "LUAX.EVAL", "LUAX.SCRIPT KILL", script)
    assert ours == native
    assert_healthy(s)


def test_killable_error_handler_loop(fresh):
    t = fresh(["--busy-reply-threshold", "100"])
    job = Background(t.server, "LUAX.EVAL", "xpcall(error, function() while true do end end)", 0, timeout=SCRIPT_DEADLINE)
    other = RawConnection(t.server.port, timeout=PROBE_DEADLINE)
    try:
        wait_until(lambda: other.call("PING") == BUSY, timeout=10, what="BUSY reply")
        assert other.call("LUAX.SCRIPT", "KILL") == b"+OK\r\n"
    finally:
        other.close()
    job.thread.join(3)
    if job.alive():
        kill_server(t.server)
    assert not job.alive(), "the killed script is still running; the server no longer answers"
    assert_healthy(t.server)


# ---- replies that never finish --------------------------------------------------------------

@pytest.mark.parametrize("script", [
    "local t = {} t[1] = t t[2] = t return t",
    "local t = {} t.map = {a = t, b = t} return t",
], ids=["array", "map"])
def test_exponential_reply_does_not_wedge(fresh, script):
    t = fresh()
    # The reply is never read: only whether the server still answers others matters.
    sender = RawConnection(t.server.port, timeout=PROBE_DEADLINE)
    sender.send("LUAX.EVAL", script, 0)
    # Probe for a while: a probe that the server takes after the script gets no answer.
    end = time.monotonic() + 2
    problem = None
    while problem is None and time.monotonic() < end:
        problem = server_problem(t.server, scripts=False, timeout=2)
    if problem:
        kill_server(t.server)
    sender.close()
    assert problem is None, problem


# ---- commands that would block or re-enter ------------------------------------------------

@pytest.mark.parametrize("script", [
    "return redis.call('xread', 'block', 0, 'streams', 'nostream', '$')",
    "return redis.pcall('xread', 'count', 1, 'block', 100, 'streams', 's', '0')",
], ids=["xread", "xread-pcall"])
@only_on_redis_70("XREAD BLOCK from a script: luax refuses it as Redis 7.0 does, Valkey runs it (README, Valkey)")
def test_blocking_reads_in_scripts(target, script):
    target.parity(script)


# ---- scripts left in strange states between calls ---------------------------------------

@only_on_redis_70("compares with the host's own EVAL replies; Valkey words script errors its own way (9.1 leaves the SHA out of them) (README, Valkey)")
def test_no_state_survives_between_scripts(target):
    for protocol in (2, 3):
        target.sequence(["redis.setresp(3) return redis.call('hgetall', 'none')",
                         "return redis.call('hgetall', 'none')", "return {redis.call('get', 'none')}"], protocol=protocol)
    target.sequence(["redis.call('select', 5) redis.call('set', 'k', 'db5') return redis.call('get', 'k')",
                     "return redis.call('get', 'k')", "return {pcall(redis.call, 'select', 99)}", "return redis.call('get', 'k')"],
                    setup=(("SET", "k", "db0"),))
    target.sequence(["redis.set_repl(redis.REPL_NONE) redis.call('set', 'a', '1') return 1",
                     "redis.call('set', 'b', '2') return redis.call('mget', 'a', 'b')"])
    target.sequence(["local co = coroutine.create(function() redis.call('set', 'c', '1') coroutine.yield() "
                     "redis.call('set', 'c', '2') end) coroutine.resume(co) return redis.call('get', 'c')",
                     "return redis.call('get', 'c')"])
    target.sequence(["setmetatable(KEYS, {__index = function() return 'leaked' end}) rawset(ARGV, 7, 'x') return 1",
                     "return {#KEYS, #ARGV, tostring(KEYS[3]), tostring(ARGV[7]), tostring(getmetatable(KEYS))}"])
    target.sequence(["collectgarbage('stop') return 1", "local n = 0 for i = 1, 1e5 do n = n + #{i} end return n",
                     "collectgarbage('restart') collectgarbage('collect') return 1"])
    target.sequence(["local f = loadstring('return 1') return type(f)", "return type(f)"])
