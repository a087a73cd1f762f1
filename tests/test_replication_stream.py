"""Writes replicate as Redis's own scripts do: as effects, several of them wrapped in
MULTI/EXEC, with SELECT when the script changes database, and honouring redis.set_repl.
The stream a replica receives is captured for native EVAL and for LUAX.EVAL and compared.
A script new to luax is announced first (`luax.script cache|load`, see test_registry.py), so
the comparison runs with scripts luax already holds."""

import re

import pytest

from conftest import only_on_redis_70

SCRIPTS = [
    "redis.call('set','a','1') redis.call('set','b','2')",
    "redis.call('set','a','1')",
    "redis.call('incr','n') redis.call('expire','n', 100) redis.call('lpush','l','x')",
    "redis.call('select', 3) redis.call('set', 'x', 1) redis.call('select', 0) redis.call('set', 'y', 1)",
    "redis.set_repl(redis.REPL_NONE) redis.call('set','z',1) redis.set_repl(redis.REPL_ALL) redis.call('set','y',1)",
    "redis.set_repl(redis.REPL_AOF) redis.call('set','only-aof',1)",
    "redis.set_repl(redis.REPL_REPLICA) redis.call('set','only-replica',1)",
    "return redis.call('get','a')",
    "redis.call('set','q',1) redis.call('lpush','q','x')",
    "redis.call('sadd','s','a') redis.call('spop','s')",
    "redis.call('set','k','v','EX',100)",
    "redis.call('hset','h','f','v') return redis.call('hgetall','h')",
]


class Stream:
    """A pseudo replica: SYNC, then read the propagated commands."""

    def __init__(self, server):
        self.conn = server.raw()
        self.conn.send("SYNC")
        while b"\r\n" not in self.conn.buf:
            self.conn._fill()
        end = self.conn.buf.index(b"\r\n")
        size = int(self.conn.buf[1:end])
        while len(self.conn.buf) < end + 2 + size:
            self.conn._fill()
        self.conn.buf = self.conn.buf[end + 2 + size:]

    def until_marker(self):
        out = []
        while True:
            reply = self.conn.read_reply()
            parts = reply.split(b"\r\n")
            words = [parts[i] for i in range(2, len(parts), 2)]
            if [w.lower() for w in words[:2]] == [b"publish", b"marker"]:
                return out
            out.append(b" ".join(words))


def normalize(commands):
    # Absolute expiry times differ by the milliseconds between the two runs.
    return [re.sub(rb"(?i)^(PEXPIREAT \S+|set \S+ \S+ PXAT) \d+$", rb"\1 <t>", c) for c in commands]


@pytest.fixture
def stream(server):
    s = Stream(server)
    conn = server.raw()
    conn.call("PUBLISH", "marker", "x")
    s.until_marker()
    return s, conn


@only_on_redis_70("compares with the host's own EVAL replies; Valkey words script errors its own way (9.1 leaves the SHA out of them) (README, Valkey)")
@pytest.mark.parametrize("script", SCRIPTS)
def test_replication_stream_matches_native(stream, script):
    s, conn = stream
    conn.call("LUAX.SCRIPT", "LOAD", script)
    streams = []
    for command in ("EVAL", "LUAX.EVAL"):
        conn.call("FLUSHALL")
        conn.call("PUBLISH", "marker", "x")
        s.until_marker()
        reply = conn.call(command, script, 0)
        conn.call("PUBLISH", "marker", "x")
        streams.append((reply, normalize(s.until_marker())))
    assert streams[1] == streams[0]


def test_a_new_script_is_announced_before_its_effects(stream):
    """What luax adds to native's stream: the registry's changes, nothing else."""
    s, conn = stream

    def captured(*command):
        conn.call(*command)
        conn.call("PUBLISH", "marker", "x")
        return s.until_marker()

    script = "redis.call('set','a','1')"
    # As native 7.0 wraps a script's several effects, the announcement joins them in MULTI/EXEC.
    assert captured("LUAX.EVAL", script, 0) == [b"MULTI", b"luax.script cache " + script.encode(), b"set a 1",
                                                b"EXEC"]
    assert captured("LUAX.EVAL", script, 0) == [b"set a 1"]
    assert captured("LUAX.EVAL", "return 1", 0) == [b"luax.script cache return 1"]
    # SCRIPT LOAD pins it, on the replicas too; a second load changes nothing.
    assert captured("LUAX.SCRIPT", "LOAD", "return 1") == [b"luax.script load return 1"]
    assert captured("LUAX.SCRIPT", "LOAD", "return 1") == []
    # EVAL_RO may run while writes are paused, so it announces nothing; the next EVAL does.
    assert captured("LUAX.EVAL_RO", "return 2", 0) == []
    assert captured("LUAX.EVAL", "return 2", 0) == [b"luax.script cache return 2"]
    assert captured("LUAX.EVAL", "return 2", 0) == []
    assert captured("LUAX.SCRIPT", "FLUSH") == [b"luax.script flush"]
    # Native scripting is untouched.
    assert captured("SCRIPT", "LOAD", "return 3") == []
