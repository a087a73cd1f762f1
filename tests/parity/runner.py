"""Running corpus cases: the case registry, and each way a case is run and compared."""

import importlib
import os
import pkgutil

import parity.corpus
from parity.case import Case, CommandCase
from support.keyspace import keyspace


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


def normalize(reply):
    """Redis names the command it ran in some errors ('luax.eval' for 'eval')."""
    return reply.replace(b"luax.", b"").replace(b"LUAX.", b"")
