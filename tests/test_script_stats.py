"""Per-script statistics (LUAX.SCRIPT STATS), script source (LUAX.SCRIPT SHOW) and the
automatic kill of read-only runaway scripts (module argument busy-kill-readonly), on every
server of the matrix."""

import hashlib
import re
import time

import pytest
import redis

from support.busy import UNKILLABLE, Background, wait_busy

FIELDS = [b"sha", b"origin", b"calls", b"errors", b"kills", b"busy", b"usec", b"max_usec", b"redis_calls",
          b"last_run_ms", b"body_bytes"]
NOSCRIPT = b"-NOSCRIPT No matching script. Please use EVAL.\r\n"
KILLED = re.compile(rb"^-ERR Script killed by user with SCRIPT KILL\.\.\. script: [0-9a-f]{40}, on @user_script:\d+\.\r\n$")
# Runs ARGV[1] empty loop turns (TIME cannot measure: Valkey freezes it during a script).
SPIN = "for i = 1, tonumber(ARGV[1]) do end return 'done'"
LUA_LOOP = "local i = 0 while true do i = i + 1 end"
GET_LOOP = "while true do redis.call('GET', KEYS[1]) end"


def sha1(body):
    return hashlib.sha1(body if isinstance(body, bytes) else body.encode()).hexdigest()


def entries(reply):
    """A RESP2 STATS reply (through redis-py) as dicts, checking the field order."""
    out = []
    for flat in reply:
        assert flat[::2] == FIELDS
        out.append(dict(zip((k.decode() for k in flat[::2]), flat[1::2])))
    return out


def stats(r, *args):
    return entries(r.execute_command("LUAX.SCRIPT", "STATS", *args))


def by_sha(r):
    return {e["sha"].decode(): e for e in stats(r)}


def counters(entry, *names):
    return tuple(entry[n] for n in names)


def load(r, body):
    return r.execute_command("LUAX.SCRIPT", "LOAD", body).decode()


def unix_ms():
    return int(time.time() * 1000)


def auto_kill_lines(server):
    return [line for line in server.log().splitlines() if "busy-kill-readonly" in line]


@pytest.fixture
def host_server(host, start_server):
    return start_server(host.name, binary=host.binary)


def test_counts_per_entry_point(host_server):
    r = host_server.client()
    r.set("s", "text")
    t0 = unix_ms()
    reader = "redis.call('GET', KEYS[1]) redis.call('EXISTS', KEYS[1]) return 1"
    loaded = load(r, reader)
    assert r.execute_command("LUAX.EVALSHA", loaded, 1, "k") == 1
    assert r.execute_command("LUAX.EVALSHA_RO", loaded.upper(), 1, "k") == 1
    assert r.execute_command("LUAX.EVAL", reader, 1, "k") == 1
    catcher = "local e = redis.pcall('INCR', KEYS[1]) return 'caught'"
    assert r.execute_command("LUAX.EVAL", catcher, 1, "s") == b"caught"
    assert r.execute_command("LUAX.EVAL_RO", catcher, 1, "s") == b"caught"
    failing = "return redis.call('INCR', KEYS[1])"
    for _ in range(2):
        with pytest.raises(redis.ResponseError, match="not an integer"):
            r.execute_command("LUAX.EVAL", failing, 1, "s")
    # Not runs: NOSCRIPT, a compile error, a script with the write flag through EVAL_RO.
    with pytest.raises(redis.exceptions.NoScriptError):
        r.execute_command("LUAX.EVALSHA", "f" * 40, 0)
    with pytest.raises(redis.ResponseError, match="Error compiling"):
        r.execute_command("LUAX.EVAL", "return +", 0)
    flagged = "#!lua\nreturn 1"
    with pytest.raises(redis.ResponseError, match="write flag"):
        r.execute_command("LUAX.EVAL_RO", flagged, 0)
    t1 = unix_ms()

    got = by_sha(r)
    assert set(got) == {loaded, sha1(catcher), sha1(failing), sha1(flagged)}
    names = ("origin", "calls", "errors", "kills", "busy", "redis_calls", "body_bytes")
    assert counters(got[loaded], *names) == (b"load", 3, 0, 0, 0, 6, len(reader))
    assert counters(got[sha1(catcher)], *names) == (b"eval", 2, 0, 0, 0, 2, len(catcher))
    assert counters(got[sha1(failing)], *names) == (b"eval", 2, 2, 0, 0, 2, len(failing))
    assert counters(got[sha1(flagged)], *names) == (b"eval", 0, 0, 0, 0, 0, len(flagged))
    assert counters(got[sha1(flagged)], "usec", "max_usec", "last_run_ms") == (0, 0, 0)
    for sha in (loaded, sha1(catcher), sha1(failing)):
        entry = got[sha]
        assert 0 < entry["max_usec"] <= entry["usec"] < 1_000_000
        assert t0 - 5 <= entry["last_run_ms"] <= t1 + 5


def test_multi_and_pipelines(host_server):
    r = host_server.client()
    body = "return redis.call('INCR', KEYS[1])"
    sha = load(r, body)
    tx = r.pipeline(transaction=True)
    for _ in range(3):
        tx.execute_command("LUAX.EVALSHA", sha, 1, "n")
    tx.execute_command("LUAX.EVAL", body, 1, "n")
    assert tx.execute() == [1, 2, 3, 4]
    pipe = r.pipeline(transaction=False)
    for cmd in ("LUAX.EVALSHA", "LUAX.EVALSHA_RO", "LUAX.EVALSHA", "LUAX.EVALSHA_RO", "LUAX.EVALSHA"):
        pipe.execute_command(cmd, sha, 1, "n")
    replies = pipe.execute(raise_on_error=False)
    assert [isinstance(x, redis.ResponseError) for x in replies] == [False, True, False, True, False]
    assert "Write commands are not allowed from read-only scripts" in str(replies[1])
    entry = by_sha(r)[sha]
    assert counters(entry, "calls", "errors", "kills", "busy", "redis_calls") == (9, 2, 0, 0, 9)


def test_slowest_first_and_sha_filter(host_server):
    r = host_server.client()
    slow, medium, fast = load(r, SPIN), load(r, SPIN + " "), load(r, "return 1")
    idle = sorted([load(r, "return 'a'"), load(r, "return 'b'")])
    assert r.execute_command("LUAX.EVALSHA", slow, 0, 4_000_000) == b"done"
    assert r.execute_command("LUAX.EVALSHA", medium, 0, 200_000) == b"done"
    for _ in range(5):
        r.execute_command("LUAX.EVALSHA", fast, 0)
    listed = stats(r)
    order = [e["sha"].decode() for e in listed]
    assert order[:2] == [slow, medium]
    assert order[-2:] == idle  # no run time: ordered by SHA
    assert listed == sorted(listed, key=lambda e: (-e["usec"], e["sha"]))
    assert listed[0]["usec"] > listed[1]["usec"] > 0
    # Only those asked for, each once, still slowest first; unknown ones are left out.
    picked = stats(r, "SHA", fast, slow.upper(), "0" * 40, fast)
    assert [e["sha"].decode() for e in picked] == [slow, fast]
    assert stats(r, "sha", "0" * 40) == []


def expected_stats(sha, protocol):
    values = [b"$40\r\n" + sha.encode() + b"\r\n", b"$4\r\nload\r\n"] + [b":0\r\n"] * 8 + [b":8\r\n"]
    pairs = b"".join(b"$%d\r\n%s\r\n" % (len(f), f) + v for f, v in zip(FIELDS, values))
    head = b"%11\r\n" if protocol == 3 else b"*22\r\n"
    return b"*1\r\n" + head + pairs


@pytest.mark.parametrize("protocol", [2, 3])
def test_reply_shapes(host_server, protocol):
    conn = host_server.raw(protocol=protocol)
    assert conn.call("LUAX.SCRIPT", "STATS") == b"*0\r\n"
    sha = conn.call("LUAX.SCRIPT", "LOAD", "return 1").split(b"\r\n")[1].decode()
    assert conn.call("LUAX.SCRIPT", "STATS") == expected_stats(sha, protocol)
    assert conn.call("LUAX.SCRIPT", "STATS", "SHA", sha) == expected_stats(sha, protocol)
    assert conn.call("LUAX.SCRIPT", "SHOW", sha) == b"$8\r\nreturn 1\r\n"
    assert conn.call("LUAX.SCRIPT", "STATS", "RESET") == b"+OK\r\n"


def test_reset_keeps_scripts_and_flush_drops_counters(host_server):
    r = host_server.client()
    sha = load(r, "return redis.call('PING')")
    r.execute_command("LUAX.EVAL", "return 2", 0)
    r.execute_command("LUAX.EVALSHA", sha, 0)
    before = by_sha(r)
    assert before[sha]["calls"] == 1
    assert r.execute_command("LUAX.SCRIPT", "STATS", "RESET") in (b"OK", True)
    after = by_sha(r)
    assert set(after) == set(before)
    for entry in after.values():
        assert counters(entry, "calls", "errors", "kills", "busy", "usec", "max_usec", "redis_calls",
                        "last_run_ms") == (0,) * 8
    assert counters(after[sha], "origin", "body_bytes") == counters(before[sha], "origin", "body_bytes")
    assert r.execute_command("LUAX.SCRIPT", "SHOW", sha) == b"return redis.call('PING')"
    r.execute_command("LUAX.EVALSHA", sha, 0)
    assert counters(by_sha(r)[sha], "calls", "redis_calls") == (1, 1)
    r.execute_command("LUAX.SCRIPT", "FLUSH")
    assert stats(r) == []
    load(r, "return redis.call('PING')")
    assert by_sha(r)[sha]["calls"] == 0


def test_show_returns_the_body_as_cached(host_server):
    conn = host_server.raw()
    body = b"#!lua flags=no-writes\nreturn '\x00\xff\\r\\n'\r\n-- \xe9t\xe9\n"
    sha = sha1(body)
    assert conn.call("LUAX.EVAL", body, 0) == b"$4\r\n\x00\xff\r\n\r\n"
    shown = b"$%d\r\n%s\r\n" % (len(body), body)
    assert conn.call("LUAX.SCRIPT", "SHOW", sha) == shown
    assert conn.call("LUAX.SCRIPT", "SHOW", sha.upper()) == shown
    for unknown in ("0" * 40, "abc", sha + "0"):
        assert conn.call("LUAX.EVALSHA", unknown, 0) == NOSCRIPT
        assert conn.call("LUAX.SCRIPT", "SHOW", unknown) == NOSCRIPT


def test_bad_arguments(host_server):
    conn = host_server.raw()
    sha = conn.call("LUAX.SCRIPT", "LOAD", "return 1").split(b"\r\n")[1]
    no_sha = b"-ERR SCRIPT STATS SHA needs at least one SHA1 digest\r\n"
    syntax = b"-ERR syntax error, SCRIPT STATS takes no argument, SHA <sha1> [<sha1> ...] or RESET\r\n"
    assert conn.call("LUAX.SCRIPT", "STATS", "SHA") == no_sha
    assert conn.call("LUAX.SCRIPT", "STATS", "FOO") == syntax
    assert conn.call("LUAX.SCRIPT", "STATS", "RESET", "now") == syntax
    assert conn.call("LUAX.SCRIPT", "STATS", sha) == syntax
    for bad in ("abc", sha.decode() + "0", "z" * 40):
        assert conn.call("LUAX.SCRIPT", "STATS", "SHA", sha, bad) == \
            b"-ERR Invalid SHA1 digest '%s': 40 hexadecimal digits expected\r\n" % bad.encode()
    for argv in (("LUAX.SCRIPT", "SHOW"), ("LUAX.SCRIPT", "SHOW", sha, sha)):
        assert conn.call(*argv) == b"-ERR wrong number of arguments for 'luax.script|show' command\r\n"
    # Nothing was reset by the refused calls.
    assert conn.call("LUAX.EVALSHA", sha, 0) == b":1\r\n"
    assert b":1\r\n" in conn.call("LUAX.SCRIPT", "STATS")


def test_dropin_routes_show_and_stats(host, start_server):
    server = start_server("dropin", binary=host.binary, module_args=["dropin", "yes"])
    r = server.client()
    body = "return 'only in luax'"
    assert r.eval(body, 0) == b"only in luax"
    sha = sha1(body)
    assert r.execute_command("SCRIPT", "SHOW", sha) == body.encode()
    assert counters(entries(r.execute_command("SCRIPT", "STATS", "SHA", sha))[0], "sha", "origin", "calls") == \
        (sha.encode(), b"eval", 1)
    assert counters(stats(r)[0], "sha", "calls") == (sha.encode(), 1)
    assert r.execute_command("SCRIPT", "STATS", "RESET") in (b"OK", True)
    assert stats(r)[0]["calls"] == 0
    with pytest.raises(redis.exceptions.NoScriptError):
        r.execute_command("SCRIPT", "SHOW", "0" * 40)
    help_lines = r.execute_command("SCRIPT", "HELP")
    assert b"SHOW <sha1>" in help_lines
    assert b"STATS [SHA <sha1> [<sha1> ...]|RESET]" in help_lines


def test_kill_and_busy_are_counted_per_script(host, start_server):
    server = start_server("busy", binary=host.binary, extra_args=["--busy-reply-threshold", "100"])
    r = server.client()
    sha = load(r, LUA_LOOP)
    other_sha = load(r, "return 1")
    job = Background(server, "LUAX.EVALSHA_RO", sha, 0)
    other = server.raw()
    wait_busy(other)
    assert other.call("LUAX.SCRIPT", "KILL") == b"+OK\r\n"
    assert KILLED.match(job.join())
    got = by_sha(r)
    assert counters(got[sha], "calls", "errors", "kills", "busy", "redis_calls") == (1, 1, 1, 1, 0)
    assert got[sha]["usec"] >= 100_000
    assert counters(got[other_sha], "calls", "kills", "busy") == (0, 0, 0)
    info = r.info("luax")
    assert (info["luax_kills"], info["luax_busy_events"], info["luax_auto_kills"]) == (1, 1, 0)


@pytest.mark.parametrize("threshold, script", [("0", LUA_LOOP), ("100", GET_LOOP)], ids=["lua-loop", "get-loop"])
def test_auto_kill_stops_read_only_runaways(host, start_server, threshold, script):
    server = start_server("autokill", binary=host.binary, module_args=["busy-kill-readonly", "300"],
                          extra_args=["--busy-reply-threshold", threshold])
    r = server.client()
    started = time.monotonic()
    job = Background(server, "LUAX.EVAL", script, 1, "k")
    reply = job.join()
    took = time.monotonic() - started
    assert KILLED.match(reply), reply
    assert 0.3 <= took < 10
    entry = by_sha(r)[sha1(script)]
    busy = 0 if threshold == "0" else 1
    assert counters(entry, "calls", "errors", "kills", "busy") == (1, 1, 1, busy)
    assert entry["usec"] >= 300_000
    assert (entry["redis_calls"] > 0) == (script == GET_LOOP)
    info = r.info("luax")
    assert (info["luax_calls"], info["luax_kills"], info["luax_auto_kills"], info["luax_busy_events"]) == \
        (1, 1, 1, busy)
    lines = auto_kill_lines(server)
    assert len(lines) == 1 and sha1(script) in lines[0]
    assert int(re.search(r"after (\d+) milliseconds", lines[0]).group(1)) >= 300
    # The server carries on; runs within the limit, long enough to meet the hook, are untouched.
    assert r.execute_command("LUAX.EVAL", SPIN, 0, 2_000_000) == b"done"
    assert r.execute_command("LUAX.EVAL", "return redis.call('PING')", 0) == b"PONG"
    assert r.info("luax")["luax_auto_kills"] == 1


def test_auto_kill_spares_scripts_that_wrote(host, start_server):
    server = start_server("writer", binary=host.binary, module_args=["busy-kill-readonly", "200"],
                          extra_args=["--busy-reply-threshold", "100"])
    job = Background(server, "LUAX.EVAL", "redis.call('SET', KEYS[1], 1) while true do end", 1, "k")
    other = server.raw()
    wait_busy(other)
    # Proving an absence takes time: well past the limit, the script still runs.
    time.sleep(0.8)
    assert other.call("LUAX.SCRIPT", "KILL") == UNKILLABLE
    assert other.call("PING").startswith(b"-BUSY ")
    assert auto_kill_lines(server) == []
    other.send("SHUTDOWN", "NOSAVE")
    server.proc.wait(timeout=20)
    assert isinstance(job.join(), Exception)


def test_busy_kill_readonly_argument_is_checked(start_server):
    with pytest.raises(RuntimeError, match="invalid value 'soon' for 'busy-kill-readonly'"):
        start_server("badarg", module_args=["busy-kill-readonly", "soon"])


def test_dropin_show_and_stats_follow_the_acl_rules_of_script(host, start_server):
    """SCRIPT STATS (and SCRIPT SHOW where the server has none) answer to the rules of
    SCRIPT EXISTS: a user refused SCRIPT is refused them too, with native's text."""
    server = start_server("dropin-acl", binary=host.binary, module_args=["dropin", "yes"])
    admin = server.client()
    admin.execute_command("ACL", "SETUSER", "noscript", "on", ">pw", "+@all", "-script", "~*")
    admin.execute_command("ACL", "SETUSER", "noflush", "on", ">pw", "+@all", "-script|flush", "~*")
    sha = admin.execute_command("SCRIPT", "LOAD", "return 1").decode()
    refused = server.client(username="noscript", password="pw")
    for args in (("SCRIPT", "STATS"), ("SCRIPT", "SHOW", sha)):
        with pytest.raises(redis.exceptions.NoPermissionError) as refusal:
            refused.execute_command(*args)
        # Valkey has SCRIPT SHOW, and refuses it itself, in its own words.
        native_show = args[1] == "SHOW" and not host.is_redis
        who = "User noscript" if native_show else "this user"
        assert str(refusal.value) == f"{who} has no permissions to run the 'script|{args[1].lower()}' command"
    allowed = server.client(username="noflush", password="pw")
    assert allowed.execute_command("SCRIPT", "SHOW", sha) == b"return 1"
    assert counters(entries(allowed.execute_command("SCRIPT", "STATS", "SHA", sha))[0], "sha") == (sha.encode(),)
