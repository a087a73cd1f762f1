"""Scripts whose errors crash native redis-server 7.0.15: luax answers them with an error
and keeps serving (tested against luax alone, since native EVAL would take the server down)."""

import re

import pytest
import redis

CRASHERS = [
    "error({x=1})",
    "error({err=true})",
    "error({})",
    "error(redis.status_reply('OK'))",
    "error(setmetatable({}, {__tostring=function() return 'custom' end}))",
    "error(setmetatable({}, {__index=function() error('x') end}))",
    "error(setmetatable({}, {__index=function() error('x') end, __newindex=function() end}))",
]

MESSAGE = re.compile(
    rb"^-ERR Script raised an error table without an 'err' string( script: [0-9a-f]{40}, on @user_script:1\.)?\r\n$"
)


@pytest.mark.parametrize("script", CRASHERS)
def test_table_errors_without_message_reply_cleanly(server, script):
    conn = server.raw()
    reply = conn.call("LUAX.EVAL", script, 0)
    assert MESSAGE.match(reply), reply
    assert conn.call("PING") == b"+PONG\r\n"
    assert server.alive()


def test_error_table_with_raising_index_still_reports_err(server):
    # The err field is present raw, so the raising __index is never consulted.
    r = server.client()
    script = "error(setmetatable({err='MYERR x'}, {__index=function() error('boom') end}))"
    with pytest.raises(redis.ResponseError, match=r"^MYERR x script: [0-9a-f]{40}, on @user_script:1\.$"):
        r.execute_command("LUAX.EVAL", script, 0)
    assert r.ping()


def test_pcall_of_table_error_without_message(server):
    r = server.client()
    assert r.execute_command("LUAX.EVAL", "local ok, e = pcall(error, {x=1}) return {tostring(ok), type(e)}", 0) == [
        b"false", b"table"]
