"""The Lua heap ceiling (module argument heap-limit): a script that wants more memory gets
Lua's "not enough memory" error instead of taking the server's memory, and the VM keeps
serving afterwards. Work done outside the script (KEYS/ARGV, the reply) is never refused."""

import re

import pytest

OOM = re.compile(rb"^-ERR Error running script [0-9a-f]{40}, not enough memory\r\n$")


@pytest.fixture
def small_heap(start_server):
    return start_server("heap", module_args=["heap-limit", "32mb"])


def test_runaway_table_is_stopped(small_heap):
    conn = small_heap.raw()
    reply = conn.call("LUAX.EVAL", "local t = {} for i = 1, 1e9 do t[i] = i end return #t", 0)
    assert OOM.match(reply), reply
    assert conn.call("LUAX.EVAL", "return 40 + 2", 0) == b":42\r\n"
    assert conn.call("PING") == b"+PONG\r\n"


def test_runaway_string_is_stopped(small_heap):
    conn = small_heap.raw()
    reply = conn.call("LUAX.EVAL", "local s = 'x' while true do s = s .. s end", 0)
    assert OOM.match(reply), reply
    assert conn.call("LUAX.EVAL", "return #string.rep('ab', 1000)", 0) == b":2000\r\n"


def test_pcall_sees_the_memory_error(small_heap):
    conn = small_heap.raw()
    script = "local ok, e = pcall(function() local t = {} for i = 1, 1e9 do t[i] = i end end) return {tostring(ok), e}"
    assert conn.call("LUAX.EVAL", script, 0) == b"*2\r\n$5\r\nfalse\r\n$17\r\nnot enough memory\r\n"


def test_large_arguments_and_replies_are_not_limited(small_heap):
    conn = small_heap.raw()
    big = b"y" * (40 << 20)
    assert conn.call("LUAX.EVAL", "return #ARGV[1]", 0, big) == b":%d\r\n" % len(big)


def test_oversized_script_body_fails_to_compile(small_heap):
    conn = small_heap.raw()
    body = "return {" + ",".join("'%08d'" % i for i in range(3_000_000)) + "}"
    reply = conn.call("LUAX.EVAL", body, 0)
    assert reply.startswith(b"-ERR Error compiling script (new function): ")
    assert b"not enough memory" in reply
    assert conn.call("LUAX.EVAL", "return 'still here'", 0) == b"$10\r\nstill here\r\n"


def test_memory_error_caught_by_the_script_does_not_starve_the_next_one(small_heap):
    conn = small_heap.raw()
    script = "pcall(function() local t = {} for i = 1, 1e9 do t[i] = i end end) return 'survived'"
    assert conn.call("LUAX.EVAL", script, 0) == b"$8\r\nsurvived\r\n"
    assert conn.call("LUAX.EVAL", "local t = {} for i = 1, 1e5 do t[i] = i end return #t", 0) == b":100000\r\n"
