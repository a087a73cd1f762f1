"""The examples/ folder, run as the README tells a user to run them."""

import os
import subprocess
import sys

import pytest

from conftest import ROOT

EXAMPLE = os.path.join(ROOT, "examples", "redis_py_example.py")


def expected(dropin):
    from support.crate import crate_version
    return [
        f"luax {crate_version()}, drop-in mode: {dropin}",
        "rate limit: [1, 1, 1, 0, 0]",
        "worker-7 acquires: 1",
        "worker-8 acquires: 0",
        "worker-8 releases: 0",
        "worker-7 releases: 1",
        "worker-8 acquires: 1",
    ]


@pytest.mark.parametrize("dropin", ["no", "yes"])
def test_redis_py_example(start_server, dropin):
    server = start_server("example", module_args=["dropin", dropin])
    r = server.client()
    r.script_flush()
    for _ in range(2):  # the second run finds the scripts cached
        run = subprocess.run([sys.executable, EXAMPLE, "--port", str(server.port)], capture_output=True, text=True,
                             timeout=60)
        assert run.returncode == 0, run.stderr
        assert run.stdout.splitlines() == expected(dropin)
    stats = r.info("commandstats")
    # 11 calls a run; the first call of each script met NOSCRIPT and loaded it.
    assert stats["cmdstat_luax.evalsha"]["calls"] == 2 * 11 + 3
    assert stats["cmdstat_luax.evalsha"]["failed_calls"] == 3
    assert stats["cmdstat_luax.script|load"]["calls"] == 3
    assert "cmdstat_evalsha" not in stats
    assert r.info("luax")["luax_cached_scripts"] == 3


@pytest.mark.parametrize("script,keys_args,want", [
    ("rate_limit.lua", ["user1", ",", "3", "60"], ["1", "1", "1", "0"]),
    ("lock_acquire.lua", ["lock:orders", ",", "worker-7", "30"], ["1", "0", "0", "0"]),
])
def test_lua_examples_with_redis_cli_eval(start_server, script, keys_args, want):
    server = start_server("cli", module_args=["dropin", "yes"])
    path = os.path.join(ROOT, "examples", script)
    got = []
    for _ in want:
        run = subprocess.run(["redis-cli", "-p", str(server.port), "--eval", path, *keys_args],
                             capture_output=True, text=True, timeout=30)
        got.append(run.stdout.strip())
    assert got == want
    assert server.client().info("commandstats")["cmdstat_luax.eval"]["calls"] == len(want)
