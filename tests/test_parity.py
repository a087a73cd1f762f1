"""The differential suite: every corpus case through native scripting and through luax on
the same server, under RESP2 and RESP3; raw reply bytes and the keyspace must be equal."""

import importlib
import os
import pkgutil

import pytest

from conftest import only_on_redis_70
from parity.case import Case, CommandCase
import parity.corpus

# tests/test_valkey.py runs these corpora on Valkey 8.1, with the differences listed there.
pytestmark = only_on_redis_70("the corpora compare with Redis 7.0.15's own EVAL (README, Valkey)")


def load_cases():
    cases = []
    path = os.path.dirname(parity.corpus.__file__)
    for info in sorted(pkgutil.iter_modules([path]), key=lambda m: m.name):
        module = importlib.import_module(f"parity.corpus.{info.name}")
        cases.extend(getattr(module, "CASES", []))
    names = [c.name for c in cases]
    dupes = {n for n in names if names.count(n) > 1}
    assert not dupes, f"duplicate case names: {sorted(dupes)[:10]}"
    return cases


ALL_CASES = load_cases()
SCRIPT_CASES = [c for c in ALL_CASES if isinstance(c, Case)]
COMMAND_CASES = [c for c in ALL_CASES if isinstance(c, CommandCase)]


class Env:
    def __init__(self, server):
        self.server = server
        self.conns = {}

    def conn(self, protocol):
        if protocol not in self.conns:
            self.conns[protocol] = self.server.raw(protocol=protocol)
        return self.conns[protocol]


@pytest.fixture(scope="module")
def env(shared_server):
    e = Env(shared_server)
    yield e
    for c in e.conns.values():
        c.close()


def keyspace(conn, value=("DUMP",)):
    """Every key of every database: type, the `value` command's reply (DUMP payload by
    default), and whether it has a TTL."""
    snap = {}
    info = conn.call("INFO", "keyspace")
    dbs = [int(line.split(b":")[0][2:]) for line in info.split(b"\r\n") if line.startswith(b"db")]
    for db in dbs:
        conn.call("SELECT", db)
        for key in sorted(bulk_strings(conn.call("KEYS", "*"))):
            pttl = int(conn.call("PTTL", key)[1:].split(b"\r\n")[0])
            snap[(db, key)] = (conn.call("TYPE", key), conn.call(*value, key), pttl > 0)
    conn.call("SELECT", 0)
    return snap


def bulk_strings(raw):
    """Bulk strings of a flat array (RESP2 array or RESP3 set), read by their lengths: key
    names may hold CR, LF or a leading '$'."""
    out = []
    pos = raw.index(b"\r\n") + 2
    while pos < len(raw):
        end = raw.index(b"\r\n", pos)
        size = int(raw[pos + 1:end])
        out.append(raw[end + 2:end + 2 + size])
        pos = end + 2 + size + 2
    return out


def prepare(conn, setup):
    conn.call("FLUSHALL")
    for cmd in setup:
        reply = conn.call(*cmd)
        assert not reply.startswith(b"-"), (cmd, reply)


def run_script(conn, case, command):
    prepare(conn, case.setup)
    reply = conn.call(command, case.script, len(case.keys), *case.keys, *case.args)
    return reply, keyspace(conn) if case.check_keyspace else None


def run_sha(conn, case, load, evalsha):
    prepare(conn, case.setup)
    loaded = conn.call(*load.split(), case.script)
    if loaded.startswith(b"-"):
        return loaded, None, None
    sha = loaded.split(b"\r\n")[1]
    reply = conn.call(evalsha, sha, len(case.keys), *case.keys, *case.args)
    return loaded, reply, keyspace(conn) if case.check_keyspace else None


def reset_caches(conn):
    conn.call("SCRIPT", "FLUSH")
    conn.call("LUAX.SCRIPT", "FLUSH")


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


def normalize(reply):
    """Redis names the command it ran in some errors ('luax.eval' for 'eval')."""
    return reply.replace(b"luax.", b"").replace(b"LUAX.", b"")


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
