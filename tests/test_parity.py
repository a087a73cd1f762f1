"""The differential suite: every corpus case through native scripting and through luax on
the same server, under RESP2 and RESP3; raw reply bytes and the keyspace must be equal."""

import pytest

from conftest import only_on_redis_70
from parity.runner import COMMAND_CASES, SCRIPT_CASES, Env, normalize, prepare, reset_caches, run_sha, run_script

# tests/test_valkey.py runs these corpora on Valkey 8.1, with the differences listed there.
pytestmark = only_on_redis_70("the corpora compare with Redis 7.0.15's own EVAL (README, Valkey)")


@pytest.fixture(scope="module")
def env(shared_server):
    e = Env(shared_server)
    yield e
    for c in e.conns.values():
        c.close()


@pytest.mark.parametrize("case", SCRIPT_CASES, ids=[c.name for c in SCRIPT_CASES])
def test_script_parity(env, case):
    for protocol in case.protocols:
        conn = env.conn(protocol)
        try:
            native = run_script(conn, case, "EVAL")
            ours = run_script(conn, case, "LUAX.EVAL")
            assert ours[0] == native[0], f"RESP{protocol} reply differs"
            assert ours[1] == native[1], f"RESP{protocol} keyspace differs"
            if case.via_sha:
                native = run_sha(conn, case, "SCRIPT LOAD", "EVALSHA")
                ours = run_sha(conn, case, "LUAX.SCRIPT LOAD", "LUAX.EVALSHA")
                assert ours == native, f"RESP{protocol} EVALSHA path differs"
        finally:
            reset_caches(conn)
    assert env.server.alive()


@pytest.mark.parametrize("case", COMMAND_CASES, ids=[c.name for c in COMMAND_CASES])
def test_command_parity(env, case):
    for protocol in case.protocols:
        conn = env.conn(protocol)
        try:
            prepare(conn, case.setup)
            native = conn.call(*case.native.split(), *case.args)
            prepare(conn, case.setup)
            ours = conn.call(*case.luax.split(), *case.args)
            assert normalize(ours) == native, f"RESP{protocol}"
        finally:
            reset_caches(conn)
