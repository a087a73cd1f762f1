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


@pytest.fixture
def heap_8mb(start_server):
    server = start_server("heap8", module_args=["heap-limit", "8mb"])
    # 20,000 distinct strings: each LRANGE reply is a few MB as Lua values.
    server.client().rpush("big", *[b"x" * 100 + b"%d" % i for i in range(20_000)])
    return server


# Holds replies until the heap is full, then keeps asking: every later reply crosses the limit.
HOARD_REPLIES = """
local hold, errors, last = {}, 0, ''
for i = 1, 60 do
  local ok, reply = pcall(redis.call, 'lrange', 'big', 0, -1)
  if ok then hold[#hold + 1] = reply else errors = errors + 1 last = reply end
end
return {#hold, errors, last}
"""


def test_a_reply_over_the_limit_is_an_error_the_script_catches_and_leaks_nothing(heap_8mb):
    client = heap_8mb.client()
    before = client.info("memory")["used_memory"]
    for _ in range(3):
        held, errors, last = client.execute_command("LUAX.EVAL", HOARD_REPLIES, 0)
        assert held > 0 and errors > 0 and held + errors == 60, (held, errors)
        assert last == b"not enough memory"
    # Each refused reply (~1 MB of protocol) used to stay allocated in the server.
    growth = client.info("memory")["used_memory"] - before
    assert growth < 8 << 20, growth
    assert client.execute_command("LUAX.EVAL", "return #redis.call('lrange', 'big', 0, 9)", 0) == 10


def test_the_limit_still_applies_after_an_error_left_a_library_function(heap_8mb):
    # The error raised in the metamethod leaves Redis's `pcall` (a C function) through
    # Lua's own `xpcall`; a runaway table after it must still be stopped.
    script = """
    local catch = function(e) return e end
    local inner = setmetatable({}, {__index = function() error('from the metamethod') end})
    local ok, e = xpcall(function() return pcall(error, inner) end, catch)
    local grown, why = xpcall(function() local t = {} for i = 1, 1e7 do t[i] = i end end, catch)
    return {tostring(ok), tostring(e):match('from the metamethod') and 1 or 0, tostring(grown), why}
    """
    conn = heap_8mb.raw()
    assert conn.call("LUAX.EVAL", script, 0) == (
        b"*4\r\n$5\r\nfalse\r\n:1\r\n$5\r\nfalse\r\n$17\r\nnot enough memory\r\n"
    )


def test_garbage_over_the_limit_is_collected_before_a_reply_is_refused(heap_8mb):
    # With the collector stopped, garbage fills the heap up to the limit; a reply that
    # crosses it is then kept once a collection makes room (before, it was refused).
    script = """
    collectgarbage('stop')
    pcall(function() local t = {} while true do t[#t + 1] = {} end end)
    local reply = redis.call('lrange', 'big', 0, 999)
    collectgarbage('restart')
    return #reply
    """
    assert heap_8mb.raw().call("LUAX.EVAL", script, 0) == b":1000\r\n"
