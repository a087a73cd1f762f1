"""Long-running scripts: other clients get BUSY after busy-reply-threshold, LUAX.SCRIPT KILL
stops scripts that have not written, UNKILLABLE ones leave SHUTDOWN NOSAVE, and each text
is the one native EVAL / SCRIPT KILL gives on the same server."""

import re

import pytest

from conftest import wait_until, only_on_redis_70
from support.busy import BUSY, NOTBUSY, UNKILLABLE, Background, kill_flow, wait_busy

LOOPS = {
    "plain": "local i = 0 while true do i = i + 1 end",
    "pcall": "while true do pcall(function() while true do end end) end",
    "nested-pcall": "while true do pcall(pcall, function() while true do pcall(function() end) end end) end",
    "redis-calls": "while true do redis.call('get', 'x') end",
    "ro-loop": "#!lua flags=no-writes\nwhile true do end",
}


@pytest.fixture
def busy_server(start_server):
    return start_server("busy", extra_args=["--busy-reply-threshold", "100"])


@only_on_redis_70("expects Redis 7.0's BUSY and SCRIPT KILL texts; Valkey says 'Valkey is busy ...' (README, Valkey)")
@pytest.mark.parametrize("name", sorted(LOOPS))
def test_kill_matches_native(busy_server, name):
    script = LOOPS[name]
    native = kill_flow(busy_server, "EVAL", "SCRIPT KILL", script)
    ours = kill_flow(busy_server, "LUAX.EVAL", "LUAX.SCRIPT KILL", script)
    assert ours == native
    assert ours[0] == b"+OK\r\n"
    assert re.match(rb"^-ERR Script killed by user with SCRIPT KILL\.\.\. script: [0-9a-f]{40}, on @user_script:\d+\.\r\n$",
                    ours[1])


def test_kill_then_serve(busy_server):
    kill_flow(busy_server, "LUAX.EVAL", "LUAX.SCRIPT KILL", LOOPS["pcall"])
    conn = busy_server.raw()
    # The VM is clean: globals untouched, the next scripts run normally.
    assert conn.call("LUAX.EVAL", "return redis.call('set', 'a', 'b')", 0) == b"+OK\r\n"
    assert conn.call("LUAX.EVAL", "return select('#', pcall(error, 'x'))", 0) == b":2\r\n"
    assert conn.call("LUAX.EVAL", "return 40 + 2", 0) == b":42\r\n"


def test_resp3_clients(busy_server):
    kill, reply = kill_flow(busy_server, "LUAX.EVAL", "LUAX.SCRIPT KILL", LOOPS["plain"], protocol=3)
    assert kill == b"+OK\r\n"
    assert reply.startswith(b"-ERR Script killed by user with SCRIPT KILL...")


def test_native_script_kill_does_not_see_luax_scripts(busy_server):
    job = Background(busy_server, "LUAX.EVAL", LOOPS["plain"], 0)
    other = busy_server.raw()
    wait_busy(other)
    assert other.call("SCRIPT", "KILL") == NOTBUSY
    assert other.call("LUAX.SCRIPT", "KILL") == b"+OK\r\n"
    job.join()


@only_on_redis_70("expects Redis 7.0's BUSY and SCRIPT KILL texts; Valkey says 'Valkey is busy ...' (README, Valkey)")
def test_write_then_loop_is_unkillable_and_shutdown_nosave_works(start_server):
    texts = []
    for eval_cmd, kill_cmd in (("EVAL", "SCRIPT KILL"), ("LUAX.EVAL", "LUAX.SCRIPT KILL")):
        server = start_server("unkillable", extra_args=["--busy-reply-threshold", "100"])
        job = Background(server, eval_cmd, "redis.call('set', 'x', 1) while true do end", 0)
        other = server.raw()
        wait_busy(other)
        texts.append(other.call(*kill_cmd.split()))
        other.send("SHUTDOWN", "NOSAVE")
        server.proc.wait(timeout=20)
        assert not server.alive()
        assert isinstance(job.join(), Exception)
    assert texts == [UNKILLABLE, UNKILLABLE]


def test_notbusy_when_idle(server):
    assert server.raw().call("LUAX.SCRIPT", "KILL") == NOTBUSY


def test_shutdown_without_nosave_is_refused(busy_server):
    job = Background(busy_server, "LUAX.EVAL", LOOPS["plain"], 0)
    other = busy_server.raw()
    wait_busy(other)
    assert other.call("SHUTDOWN") == BUSY
    assert other.call("LUAX.SCRIPT", "KILL") == b"+OK\r\n"
    job.join()
    assert busy_server.alive()


def test_blocked_client_survives(busy_server):
    blocked = Background(busy_server, "BLPOP", "queue", 0)
    other = busy_server.raw()
    wait_until(lambda: b"blocked_clients:1" in other.call("INFO", "clients"), what="blocked client")
    job = Background(busy_server, "LUAX.EVAL", LOOPS["plain"], 0)
    wait_busy(other)
    assert other.call("LPUSH", "queue", "x") == BUSY
    assert other.call("LUAX.SCRIPT", "KILL") == b"+OK\r\n"
    job.join()
    assert other.call("LPUSH", "queue", "item") == b":1\r\n"
    assert blocked.join() == b"*2\r\n$5\r\nqueue\r\n$4\r\nitem\r\n"


@only_on_redis_70("expects Redis 7.0's BUSY and SCRIPT KILL texts; Valkey says 'Valkey is busy ...' (README, Valkey)")
def test_threshold_zero_disables_the_hook(start_server):
    server = start_server("nohook", extra_args=["--busy-reply-threshold", "0"])
    other = server.raw()
    cpu_before = server.cpu_seconds()
    job = Background(server, "LUAX.EVAL", "local t = redis.call('time') local s = t[1] "
                     "while true do local n = redis.call('time') if n[1] - s >= 2 then break end end return 'done'", 0)
    # The script is running once the (otherwise idle) server has spun for a while.
    wait_until(lambda: server.cpu_seconds() - cpu_before >= 0.2, timeout=10, what="the script running")
    # No yielding: the other client is not told BUSY; it waits for the script to end.
    assert job.alive()
    assert other.call("PING") == b"+PONG\r\n"
    assert job.join() == b"$4\r\ndone\r\n"


def test_threshold_is_read_at_run_time(server):
    conn = server.raw()
    assert conn.call("CONFIG", "SET", "busy-reply-threshold", "100") == b"+OK\r\n"
    job = Background(server, "LUAX.EVAL", LOOPS["plain"], 0)
    wait_busy(conn)
    assert conn.call("LUAX.SCRIPT", "KILL") == b"+OK\r\n"
    job.join()
    assert conn.call("CONFIG", "SET", "lua-time-limit", "5000") == b"+OK\r\n"
    assert conn.call("CONFIG", "GET", "busy-reply-threshold") == b"*2\r\n$20\r\nbusy-reply-threshold\r\n$4\r\n5000\r\n"


def test_slow_script_is_logged(busy_server):
    kill_flow(busy_server, "LUAX.EVAL", "LUAX.SCRIPT KILL", LOOPS["plain"])
    log = busy_server.log()
    assert "Slow script detected: still in execution after" in log
    assert "Lua script killed by user with SCRIPT KILL." in log
