"""The module as a whole: loading, symbol hygiene, command metadata."""

import shutil
import subprocess

import pytest
import redis

from conftest import MODULE


def nm(*flags):
    out = subprocess.run(["nm", "-D", *flags, MODULE], check=True, capture_output=True, text=True).stdout
    return [line.split()[-1] for line in out.splitlines() if line.strip()]


@pytest.mark.skipif(shutil.which("nm") is None, reason="nm not installed")
def test_no_lua_symbols_exported_or_imported():
    # Debian's redis-server exports its own Lua: the module must neither use nor shadow it.
    lua = lambda names: [n for n in names if n.startswith(("lua_", "luaL_", "luaopen_"))]
    assert lua(nm("--defined-only")) == []
    assert lua(nm("--undefined-only")) == []
    assert "RedisModule_OnLoad" in nm("--defined-only")


def raw_client(server):
    """A client that returns replies unparsed by redis-py's per-command callbacks."""
    r = server.client()
    for name in ("MODULE LIST", "COMMAND INFO", "COMMAND GETKEYS", "COMMAND"):
        r.response_callbacks.pop(name, None)
    return r


def test_module_list_and_commands(server):
    r = raw_client(server)
    modules = {m[1]: dict(zip(m[0::2], m[1::2])) for m in r.execute_command("MODULE", "LIST")}
    assert b"luax" in modules
    assert modules[b"luax"][b"ver"] > 0
    info = r.execute_command("COMMAND", "INFO", "luax.eval", "luax.eval_ro", "luax.script")
    assert info[0][1] == -3 and info[1][1] == -3 and info[2][1] == -2
    assert b"noscript" in info[0][2] and b"movablekeys" in info[0][2]
    assert b"readonly" in info[1][2]


def test_declared_keys_are_the_command_keys(server):
    r = raw_client(server)
    assert r.execute_command("COMMAND", "GETKEYS", "luax.eval", "return 1", "2", "a", "b", "c") == [b"a", b"b"]
    assert r.execute_command("COMMAND", "GETKEYS", "luax.evalsha_ro", "x" * 40, "1", "k") == [b"k"]


def test_arity_errors_name_the_command(server):
    r = server.client()
    with pytest.raises(redis.ResponseError, match="wrong number of arguments for 'luax.eval' command"):
        r.execute_command("LUAX.EVAL", "return 1")
    with pytest.raises(redis.ResponseError, match=r"unknown subcommand 'FOO'. Try LUAX.SCRIPT HELP."):
        r.execute_command("LUAX.SCRIPT", "FOO")


def test_script_cache_is_separate_from_native(server):
    r = server.client()
    sha = r.execute_command("LUAX.SCRIPT", "LOAD", "return 7")
    assert r.execute_command("LUAX.EVALSHA", sha.upper(), 0) == 7
    assert r.execute_command("LUAX.SCRIPT", "EXISTS", sha, sha.upper(), "x") == [1, 1, 0]
    assert r.execute_command("SCRIPT", "EXISTS", sha) == [0]
    assert r.execute_command("LUAX.SCRIPT", "FLUSH") == b"OK"
    with pytest.raises(redis.exceptions.NoScriptError):
        r.execute_command("LUAX.EVALSHA", sha, 0)


def test_cached_function_is_not_recompiled(server):
    # A script body is compiled once: its upvalue-free local state is fresh per call, but
    # the SHA maps to the same function and the cache size stays 1.
    r = server.client()
    for _ in range(3):
        assert r.execute_command("LUAX.EVAL", "return 1", 0) == 1
    assert r.execute_command("LUAX.SCRIPT", "EXISTS", "e0e1f9fabfc9d4800c877a703b823ac0578ff8db") == [1]


def test_help_lists_subcommands(server):
    lines = server.client().execute_command("LUAX.SCRIPT", "HELP")
    assert lines[0] == b"LUAX.SCRIPT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:"
    assert b"LOAD <script>" in lines and b"KILL" in lines and lines[-1] == b"    Prints this help."


def test_repository_redis_conf_loads_the_module(tmp_path):
    """`make run` starts redis-server with redis.conf and a copy of the module in its dir."""
    import os
    import subprocess

    from conftest import ROOT, free_port, wait_until

    # The layout `make run` creates, in a scratch checkout directory.
    run_dir = tmp_path / "target" / "run"
    run_dir.mkdir(parents=True)
    shutil.copy(MODULE, run_dir / "libluax.so")
    port = free_port()
    proc = subprocess.Popen(["redis-server", os.path.join(ROOT, "redis.conf"), "--port", str(port)], cwd=tmp_path,
                            stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    try:
        client = redis.Redis(port=port, socket_timeout=2)

        def answers():
            try:
                return client.ping()
            except redis.exceptions.ConnectionError:
                assert proc.poll() is None, "redis-server exited"
                return False

        wait_until(answers, what="redis-server with redis.conf")
        assert client.execute_command("LUAX.EVAL", "return 'loaded'", 0) == b"loaded"
    finally:
        proc.terminate()
        proc.wait(timeout=10)
