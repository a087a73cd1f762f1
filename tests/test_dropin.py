"""Drop-in mode (`loadmodule libluax.so dropin yes`): EVAL, EVALSHA, EVAL_RO, EVALSHA_RO and
SCRIPT reach luax under their native names. The oracle is native scripting on a server without
luax: replies are compared byte for byte, and each difference the README lists is tested."""

import hashlib
import os
import re
import shutil
import subprocess

import pytest
import redis

from conftest import MODULE, Server, wait_until, only_on_redis_70
from parity.case import Case, CommandCase
from resp import encode
from parity.runner import COMMAND_CASES, SCRIPT_CASES, prepare
from support.busy import BUSY, NOTBUSY, UNKILLABLE, Background, kill_flow, wait_busy
from support.keyspace import digest_keyspace

# The native server has no luax: cases calling LUAX.* from a script have no native twin.
CORE_SCRIPT_CASES = [c for c in SCRIPT_CASES if c.name.startswith("core-") and "luax" not in str(c.script)]


class Pair:
    """A drop-in server and a native one, with raw connections by protocol."""

    def __init__(self, dropin, native):
        self.dropin, self.native = dropin, native
        self.conns = {}

    def conns_for(self, protocol):
        if protocol not in self.conns:
            self.conns[protocol] = (self.dropin.raw(protocol=protocol), self.native.raw(protocol=protocol))
        return self.conns[protocol]

    def close(self):
        for pair in self.conns.values():
            for c in pair:
                c.close()


@pytest.fixture(scope="module")
def pair(tmp_path_factory):
    dropin = Server(str(tmp_path_factory.mktemp("dropin")), module_args=["dropin", "yes"])
    native = Server(str(tmp_path_factory.mktemp("native")), load_module=False)
    p = Pair(dropin, native)
    yield p
    p.close()
    dropin.stop()
    native.stop()


def calls(client, command):
    """Calls of `command` in INFO commandstats (0 if absent)."""
    return client.info("commandstats").get(f"cmdstat_{command}", {}).get("calls", 0)


def error_count(client, code):
    return client.info("errorstats").get(f"errorstat_{code}", {}).get("count", 0)


# ---- routing ----

def test_native_names_reach_luax(pair):
    r = pair.dropin.client()
    before = int(r.info("luax")["luax_calls"])
    assert r.eval("return {KEYS[1], ARGV[1]}", 1, "k", "v") == [b"k", b"v"]
    assert r.eval_ro("return 1", 0) == 1
    sha = r.script_load("return 'loaded'")
    assert r.evalsha(sha, 0) == b"loaded"
    assert r.evalsha_ro(sha, 0) == b"loaded"
    assert r.script_exists(sha) == [True]
    assert int(r.info("luax")["luax_calls"]) == before + 4
    assert r.info("luax")["luax_dropin"] == "yes"
    for name in ("luax.eval", "luax.eval_ro", "luax.evalsha", "luax.evalsha_ro", "luax.script|load",
                 "luax.script|exists"):
        assert calls(r, name) >= 1, name
    for native in ("eval", "evalsha", "eval_ro", "evalsha_ro", "script|load", "script|exists"):
        assert calls(r, native) == 0, native
    # The script cache is luax's: the LUAX.* names see it too.
    assert r.execute_command("LUAX.SCRIPT", "EXISTS", sha) == [1]


def test_scripts_that_crash_native_redis_are_answered(pair):
    # error({x=1}) takes redis-server 7.0.15 down; through drop-in it gets luax's error reply.
    r = pair.dropin.client()
    with pytest.raises(redis.ResponseError, match="error table without an 'err' string"):
        r.eval("error({x=1})", 0)
    assert r.ping()


def test_functions_stay_native(pair):
    r = pair.dropin.client()
    lib = "#!lua name=dropinlib\nredis.register_function('twice', function(keys, args) return args[1] * 2 end)"
    assert r.function_load(lib, replace=True) == b"dropinlib"
    assert r.fcall("twice", 0, 21) == 42
    assert calls(r, "fcall") == 1


@only_on_redis_70("compares with the host's own EVAL replies; Valkey words script errors its own way (9.1 leaves the SHA out of them) (README, Valkey)")
@pytest.mark.parametrize("case", COMMAND_CASES, ids=[c.name for c in COMMAND_CASES])
def test_command_replies_match_native(pair, case: CommandCase):
    # No normalisation: arity and subcommand errors name the command the client sent.
    for protocol in case.protocols:
        ours_conn, native_conn = pair.conns_for(protocol)
        try:
            prepare(ours_conn, case.setup)
            prepare(native_conn, case.setup)
            ours = ours_conn.call(*case.native.split(), *case.args)
            native = native_conn.call(*case.native.split(), *case.args)
            assert ours == native, f"RESP{protocol}"
        finally:
            ours_conn.call("SCRIPT", "FLUSH")
            native_conn.call("SCRIPT", "FLUSH")


def run_both(pair, protocol, case, via_sha):
    """Runs `case` with EVAL (or SCRIPT LOAD + EVALSHA) on both servers: (drop-in, native)."""
    results = []
    for conn in pair.conns_for(protocol):
        prepare(conn, case.setup)
        numkeys_keys_args = (len(case.keys), *case.keys, *case.args)
        if not via_sha:
            replies = [conn.call("EVAL", case.script, *numkeys_keys_args)]
        else:
            replies = [conn.call("SCRIPT", "LOAD", case.script)]
            if not replies[0].startswith(b"-"):
                replies.append(conn.call("EVALSHA", replies[0].split(b"\r\n")[1], *numkeys_keys_args))
        results.append(comparable(case, (replies, digest_keyspace(conn) if case.check_keyspace else None)))
    return results


# Members of a hash-table set come out in an order set by each server's random hash seed:
# these replies are compared as multisets of bytes.
UNORDERED = re.compile(r"^core-call[23]-(smembers|sinter)")


def comparable(case, result):
    replies, keys = result
    if UNORDERED.match(case.name):
        replies = [bytes(sorted(r)) for r in replies]
    return replies, keys


@only_on_redis_70("compares with the host's own EVAL replies; Valkey words script errors its own way (9.1 leaves the SHA out of them) (README, Valkey)")
@pytest.mark.parametrize("case", CORE_SCRIPT_CASES, ids=[c.name for c in CORE_SCRIPT_CASES])
def test_script_replies_match_native(pair, case: Case):
    for protocol in case.protocols:
        ours_conn, native_conn = pair.conns_for(protocol)
        try:
            ours, native = run_both(pair, protocol, case, via_sha=False)
            assert ours == native, f"RESP{protocol}"
            if case.via_sha:
                ours, native = run_both(pair, protocol, case, via_sha=True)
                assert ours == native, f"RESP{protocol} EVALSHA"
        finally:
            ours_conn.call("SCRIPT", "FLUSH")
            native_conn.call("SCRIPT", "FLUSH")


ARITY_CALLS = [
    ("EVAL",), ("eval", "return 1"), ("EVALSHA", "x"), ("EVAL_RO",), ("evalsha_ro", "x"),
    ("SCRIPT",), ("SCRIPT", "LOAD"), ("script", "load", "a", "b"), ("SCRIPT", "EXISTS"),
    ("SCRIPT", "KILL", "now"), ("SCRIPT", "HELP", "me"), ("SCRIPT", "DEBUG"), ("SCRIPT", "DEBUG", "a", "b"),
    ("SCRIPT", "FOO"), ("script", "loadx", "a"), ("SCRIPT", "FLUSH", "NOW"), ("SCRIPT", "FLUSH", "SYNC", "x"),
]


@pytest.mark.parametrize("argv", ARITY_CALLS, ids=[" ".join(a) for a in ARITY_CALLS])
def test_malformed_calls_get_the_native_error(pair, argv):
    ours_conn, native_conn = pair.conns_for(2)
    ours = ours_conn.call(*argv)
    assert ours.startswith(b"-ERR ")
    assert b"luax" not in ours.lower()
    assert ours == native_conn.call(*argv)


# ---- differences (listed in the README) ----

@only_on_redis_70("Valkey's SCRIPT HELP lists more subcommands")
def test_script_help_lists_what_luax_serves(pair):
    ours = pair.dropin.client().execute_command("SCRIPT", "HELP")
    native = pair.native.client().execute_command("SCRIPT", "HELP")
    assert ours[0] == b"LUAX.SCRIPT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:"
    without_debug = [line for line in native[1:] if b"DEBUG" not in line and b"Set the debug mode" not in line]
    # luax's own subcommands (SHOW, STATS) come after LOAD's two lines.
    lines = ours[1:]
    load_end = without_debug.index(b"LOAD <script>") + 2
    assert lines[load_end:load_end + 4] == [
        b"SHOW <sha1>",
        b"    Return the body of a cached script.",
        b"STATS [SHA <sha1> [<sha1> ...]|RESET]",
        b"    Return run statistics of the cached scripts, largest total run time first; RESET zeroes them.",
    ]
    assert lines[:load_end] + lines[load_end + 4:] == without_debug


def test_script_debug_is_refused(pair):
    ours_conn, native_conn = pair.conns_for(2)
    assert ours_conn.call("SCRIPT", "DEBUG", "YES") == b"-ERR unknown subcommand 'DEBUG'. Try LUAX.SCRIPT HELP.\r\n"
    assert native_conn.call("SCRIPT", "DEBUG", "NO") == b"+OK\r\n"


def test_slowlog_and_commandstats_name_luax(pair):
    r = pair.dropin.client()
    r.config_set("slowlog-log-slower-than", 0)
    try:
        r.slowlog_reset()
        r.eval("return 1", 0)
        r.execute_command("LUAX.EVAL", "return 2", 0)
        entries = r.slowlog_get(10)
        # A drop-in call shows the luax command as the filter spells it (the marker that
        # tells luax it arrived as EVAL); a direct call shows what the client sent.
        assert [e["command"] for e in entries if e["command"].lower().startswith(b"luax.")] == [
            b"LUAX.EVAL return 2 0", b"luax.EVAL return 1 0"]
        assert calls(r, "luax.eval") >= 2
    finally:
        r.config_set("slowlog-log-slower-than", 10000)


# ---- redis-py, unmodified ----

def test_registered_script_and_noscript_recovery(pair):
    r = pair.dropin.client()
    r.script_flush()
    incr = r.register_script("return redis.call('INCRBY', KEYS[1], ARGV[1])")
    assert incr.sha == hashlib.sha1(b"return redis.call('INCRBY', KEYS[1], ARGV[1])").hexdigest()
    noscript_before = error_count(r, "NOSCRIPT")
    # First call: EVALSHA fails with NOSCRIPT, redis-py loads the script and retries.
    assert incr(keys=["counter"], args=[5]) == 5
    assert r.script_exists(incr.sha) == [True]
    assert incr(keys=["counter"], args=[2]) == 7
    r.script_flush()
    assert r.script_exists(incr.sha) == [False]
    assert incr(keys=["counter"], args=[1]) == 8
    assert error_count(r, "NOSCRIPT") == noscript_before + 2
    with pytest.raises(redis.exceptions.NoScriptError):
        r.evalsha("f" * 40, 0)


@pytest.mark.parametrize("transaction", [False, True], ids=["pipeline", "multi"])
def test_scripts_in_pipelines(pair, transaction):
    r = pair.dropin.client()
    r.delete("p:list", "p:n")
    push = r.register_script("return redis.call('RPUSH', KEYS[1], ARGV[1])")
    count = r.register_script("return redis.call('LLEN', KEYS[1]) + tonumber(ARGV[1])")
    for _ in range(2):  # the second round starts from an empty cache again
        r.script_flush()
        exists_before = calls(r, "luax.script|exists")
        pipe = r.pipeline(transaction=transaction)
        push(keys=["p:list"], args=["a"], client=pipe)
        pipe.incr("p:n")
        push(keys=["p:list"], args=["b"], client=pipe)
        count(keys=["p:list"], args=[100], client=pipe)
        first, _, second, total = pipe.execute()
        assert second == first + 1 and total == second + 100
        # redis-py checked the cache with SCRIPT EXISTS and loaded both scripts first.
        assert calls(r, "luax.script|exists") == exists_before + 1
        assert r.script_exists(push.sha, count.sha) == [True, True]
    assert r.lrange("p:list", 0, -1) == [b"a", b"b", b"a", b"b"]


def transcript(conn, commands):
    """Sends every command in one write (a pipeline) and reads every reply."""
    conn.sock.sendall(b"".join(encode(*c) for c in commands))
    return [conn.read_reply() for _ in commands]


SHA_RETURN_1 = "e0e1f9fabfc9d4800c877a703b823ac0578ff8db"
MULTI_SESSION = [
    ("SCRIPT", "FLUSH"),
    ("MULTI",),
    ("SCRIPT", "LOAD", "return 1"),
    ("SCRIPT", "EXISTS", SHA_RETURN_1, "a" * 40),
    ("EVALSHA", SHA_RETURN_1, "0"),
    ("EVAL", "return redis.call('SET', KEYS[1], ARGV[1])", "1", "m:k", "v"),
    ("EVALSHA", "b" * 40, "0"),
    ("EVAL", "return +", "0"),
    ("SCRIPT", "FLUSH"),
    ("EVALSHA", SHA_RETURN_1, "0"),
    ("EXEC",),
    ("MULTI",),
    ("EVAL",),
    ("SCRIPT", "LOAD", "return 2"),
    ("EXEC",),
    ("SCRIPT", "EXISTS", SHA_RETURN_1),
    ("GET", "m:k"),
]


@only_on_redis_70("compares with the host's own EVAL replies; Valkey words script errors its own way (9.1 leaves the SHA out of them) (README, Valkey)")
@pytest.mark.parametrize("protocol", [2, 3])
def test_multi_and_pipeline_transcript_matches_native(pair, protocol):
    ours_conn, native_conn = pair.conns_for(protocol)
    ours = transcript(ours_conn, MULTI_SESSION)
    native = transcript(native_conn, MULTI_SESSION)
    assert ours == native
    # Sanity: the transaction ran and its queued EVALSHA saw the script loaded in it.
    assert ours[10].startswith(b"*8\r\n$40\r\n" + SHA_RETURN_1.encode())
    assert ours[14].startswith(b"-EXECABORT")


# ---- redis-cli --eval ----

@pytest.mark.skipif(not os.path.exists("/usr/bin/redis-cli"), reason="redis-cli not installed")
@pytest.mark.parametrize("body,keys_args", [
    ("return {redis.call('INCRBY', KEYS[1], ARGV[1]), KEYS[2], ARGV[2]}", ["cli:a", "cli:b", ",", "5", "x"]),
    ("return redis.call('GET', KEYS[1])", ["cli:missing"]),
    ("return redis.error_reply('MYERR custom')", []),
    ("return redis.call('nosuchcommand')", []),
    ("return {1, {2, 'three'}, {ok='fine'}}", []),
], ids=["incrby", "nil", "error-reply", "raised", "nested"])
@only_on_redis_70("compares with the host's own EVAL replies; Valkey words script errors its own way (9.1 leaves the SHA out of them) (README, Valkey)")
def test_redis_cli_eval(pair, tmp_path, body, keys_args):
    script = tmp_path / "script.lua"
    script.write_text(body + "\n")
    outputs = []
    for server in (pair.dropin, pair.native):
        server.client().delete("cli:a")
        run = subprocess.run(["redis-cli", "-p", str(server.port), "--eval", str(script), *keys_args],
                             capture_output=True, text=True, timeout=30)
        outputs.append((run.returncode, run.stdout, run.stderr))
    assert outputs[0] == outputs[1]
    assert outputs[0][1].endswith("\n")


# ---- busy scripts: BUSY, NOTBUSY, UNKILLABLE under the native names ----

@pytest.fixture
def busy_pair(start_server):
    dropin = start_server("busy-dropin", module_args=["dropin", "yes"], extra_args=["--busy-reply-threshold", "100"])
    native = start_server("busy-native", load_module=False, extra_args=["--busy-reply-threshold", "100"])
    return dropin, native


@only_on_redis_70("expects Redis 7.0's BUSY and SCRIPT KILL texts; Valkey says 'Valkey is busy ...' (README, Valkey)")
def test_kill_flow_matches_native(busy_pair):
    dropin, native = busy_pair
    script = "while true do pcall(function() while true do end end) end"
    ours = kill_flow(dropin, "EVAL", "SCRIPT KILL", script)
    assert ours == kill_flow(native, "EVAL", "SCRIPT KILL", script)
    assert ours[0] == b"+OK\r\n"
    assert ours[1].startswith(b"-ERR Script killed by user with SCRIPT KILL... script: ")
    assert dropin.client().info("luax")["luax_kills"] == 1
    for server in busy_pair:
        assert server.raw().call("SCRIPT", "KILL") == NOTBUSY


def test_busy_replies_to_other_clients(busy_pair):
    dropin, _ = busy_pair
    job = Background(dropin, "EVALSHA_RO", "0" * 40, 0)
    assert job.join() == b"-NOSCRIPT No matching script. Please use EVAL.\r\n"
    job = Background(dropin, "EVAL_RO", "while true do end", 0)
    other = dropin.raw()
    wait_busy(other)
    for argv in (("EVAL", "return 1", 0), ("EVALSHA", "a" * 40, 0), ("SCRIPT", "LOAD", "return 1"),
                 ("SCRIPT", "FLUSH"), ("GET", "x")):
        assert other.call(*argv) == BUSY, argv
    assert other.call("SCRIPT", "KILL") == b"+OK\r\n"
    assert job.join().startswith(b"-ERR Script killed by user with SCRIPT KILL...")


@only_on_redis_70("expects Redis 7.0's BUSY and SCRIPT KILL texts; Valkey says 'Valkey is busy ...' (README, Valkey)")
def test_unkillable_matches_native(busy_pair):
    texts = []
    for server in busy_pair:
        job = Background(server, "EVAL", "redis.call('SET', 'x', 1) while true do end", 0)
        other = server.raw()
        wait_busy(other)
        texts.append(other.call("SCRIPT", "KILL"))
        other.send("SHUTDOWN", "NOSAVE")
        server.proc.wait(timeout=20)
        assert isinstance(job.join(), Exception)
    assert texts == [UNKILLABLE, UNKILLABLE]


# ACL and rename-command in drop-in mode: tests/test_acl.py.


# ---- loading: module arguments and redis.conf ----

def test_dropin_from_redis_conf(tmp_path):
    module = tmp_path / "libluax.so"
    shutil.copy(MODULE, module)
    conf = tmp_path / "redis.conf"
    conf.write_text(f"loadmodule {module} DROPIN Yes\n")
    server = Server(str(tmp_path / "conf"), load_module=False, config_file=str(conf))
    try:
        r = server.client()
        assert r.eval("return 'luax'", 0) == b"luax"
        assert calls(r, "luax.eval") == 1 and calls(r, "eval") == 0
        assert r.info("luax")["luax_dropin"] == "yes"
    finally:
        server.stop()


@pytest.mark.parametrize("args", [[], ["dropin", "no"], ["DropIn", "NO"]], ids=["default", "no", "mixed-case"])
def test_without_dropin_eval_stays_native(start_server, args):
    server = start_server("nodropin", module_args=args)
    r = server.client()
    assert r.eval("return 1", 0) == 1
    assert calls(r, "eval") == 1 and calls(r, "luax.eval") == 0
    assert r.info("luax")["luax_dropin"] == "no"


def test_module_load_at_runtime(start_server):
    server = start_server("runtime", load_module=False, extra_args=["--enable-module-command", "local"])
    r = server.client()
    assert r.eval("return 1", 0) == 1
    assert r.execute_command("MODULE", "LOAD", server.module_copy, "dropin", "yes") == b"OK"
    assert r.eval("return 2", 0) == 2
    assert calls(r, "luax.eval") == 1 and calls(r, "eval") == 1


@pytest.mark.parametrize("args,message", [
    (["dropin", "maybe"], "luax: invalid value 'maybe' for 'dropin'"),
    (["dropin"], "luax: module argument 'dropin' needs a value"),
    (["drop-in", "yes"], "luax: unknown module argument 'drop-in' "
                         "(known: dropin, heap-limit, busy-kill-readonly, persist-scripts, max-eval-scripts)"),
    (["heap-limit", "lots"], "luax: invalid value 'lots' for 'heap-limit'"),
])
def test_bad_arguments_refuse_to_load(start_server, args, message):
    server = start_server("badargs", load_module=False, extra_args=["--enable-module-command", "local"])
    r = server.client()
    with pytest.raises(redis.ResponseError, match="Error loading the extension"):
        r.execute_command("MODULE", "LOAD", server.module_copy, *args)
    wait_until(lambda: message in server.log(), what="load error in the log")
    # Valkey 9.1 has its Lua engine as a module of its own.
    assert [m for m in r.execute_command("MODULE", "LIST") if m[1] != b"lua"] == []
    assert r.eval("return 1", 0) == 1


def test_bad_arguments_stop_startup(tmp_path):
    with pytest.raises(RuntimeError, match="exited early"):
        Server(str(tmp_path / "bad"), module_args=["dropin", "sometimes"])
    with open(tmp_path / "bad" / "server.log") as f:
        assert "luax: invalid value 'sometimes' for 'dropin'" in f.read()
