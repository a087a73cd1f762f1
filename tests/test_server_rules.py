"""Scripts obey the server's rules as native EVAL does: script flags and *_RO, maxmemory,
persistence errors, missing replicas, read-only and stale replicas, ACL. Each scenario runs
the same scripts through native EVAL and LUAX.EVAL on the same server and compares the raw
replies."""

import shutil

import pytest

from conftest import wait_until, only_on_redis_70

SHEBANG_FLAGS = ["", "flags=no-writes", "flags=allow-oom", "flags=allow-stale", "flags=no-writes,allow-oom",
                 "flags=allow-stale,no-writes"]

# Scripts exercised in every scenario: reads, writes, writes after a write, publish, pcall.
BODIES = [
    "return redis.pcall('get', 'k')",
    "return redis.pcall('set', 'k', 'v')",
    "return redis.call('set', 'k', 'v')",
    "redis.call('get', 'k') return redis.pcall('set', 'k', 'v')",
    "return redis.pcall('publish', 'ch', 'm')",
    "return redis.pcall('pfcount', 'h')",
    "return redis.pcall('incr', 'n')",
    "return {redis.pcall('del', 'x'), redis.pcall('set', 'k', 1)}",
    "return 1",
]


def scripts():
    out = list(BODIES)
    for flags in SHEBANG_FLAGS:
        for body in BODIES:
            out.append(f"#!lua {flags}\n{body}")
    return out


def reset(conn, state):
    """Puts the keyspace back to `state` (a list of SET commands) where the server allows it."""
    if conn.call("FLUSHALL").startswith(b"+OK"):
        for key, value in state:
            conn.call("SET", key, value)


def compare(conn, script, ro=False, state=()):
    """Runs the script natively and through luax from the same keyspace; the raw replies
    must be equal."""
    suffix = "_RO" if ro else ""
    reset(conn, state)
    native = conn.call("EVAL" + suffix, script, 0)
    reset(conn, state)
    ours = conn.call("LUAX.EVAL" + suffix, script, 0)
    assert ours == native, script
    return native


def run_all(conn, ro=False, state=()):
    return [compare(conn, script, ro=ro, state=state) for script in scripts()]


@only_on_redis_70("compares with the host's own EVAL replies; Valkey words script errors its own way (9.1 leaves the SHA out of them) (README, Valkey)")
def test_eval_ro_refuses_writes(server):
    conn = server.raw()
    replies = run_all(conn, ro=True)
    assert b"-ERR Write commands are not allowed from read-only scripts." in b"".join(replies)
    assert b"-ERR Can not execute a script with write flag using *_ro command.\r\n" in replies


@only_on_redis_70("compares with the host's own EVAL replies; Valkey words script errors its own way (9.1 leaves the SHA out of them) (README, Valkey)")
def test_maxmemory(server):
    conn = server.raw()
    assert conn.call("CONFIG", "SET", "maxmemory", "1") == b"+OK\r\n"
    assert conn.call("CONFIG", "SET", "maxmemory-policy", "noeviction") == b"+OK\r\n"
    replies = run_all(conn, state=[("filler", "x" * 100000)])
    joined = b"".join(replies)
    assert b"-OOM command not allowed when used memory > 'maxmemory'.\r\n" in replies
    assert b"OOM command not allowed when used memory > 'maxmemory'. script:" in joined
    conn.call("CONFIG", "SET", "maxmemory", "0")


@only_on_redis_70("compares with the host's own EVAL replies; Valkey words script errors its own way (9.1 leaves the SHA out of them) (README, Valkey)")
def test_persistence_error(start_server, tmp_path):
    doomed = tmp_path / "doomed"
    doomed.mkdir()
    server = start_server("misconf", extra_args=["--save", "3600 1", "--dir", str(doomed)])
    conn = server.raw()
    # The RDB directory disappears: the next BGSAVE fails and writes are refused.
    shutil.rmtree(doomed, ignore_errors=True)
    conn.call("BGSAVE")
    wait_until(lambda: b"rdb_last_bgsave_status:err" in conn.call("INFO", "persistence"), what="failed BGSAVE")
    replies = run_all(conn)
    assert any(r.startswith(b"-MISCONF Redis is configured to save RDB snapshots") for r in replies)


@only_on_redis_70("compares with the host's own EVAL replies; Valkey words script errors its own way (9.1 leaves the SHA out of them) (README, Valkey)")
def test_not_enough_replicas(server):
    conn = server.raw()
    assert conn.call("CONFIG", "SET", "min-replicas-to-write", "1") == b"+OK\r\n"
    replies = run_all(conn)
    assert b"-NOREPLICAS Not enough good replicas to write.\r\n" in replies
    assert conn.call("CONFIG", "SET", "min-replicas-to-write", "0") == b"+OK\r\n"


@pytest.fixture
def replica_pair(start_server):
    master = start_server("master")
    replica = start_server("replica", extra_args=["--replicaof", "127.0.0.1", str(master.port)])
    wait_until(lambda: b"master_link_status:up" in replica.raw().call("INFO", "replication"), what="replica link")
    return master, replica


def wait_synced(master, replica):
    def offsets():
        m = master.raw().call("INFO", "replication")
        r = replica.raw().call("INFO", "replication")
        mo = [l for l in m.split(b"\r\n") if l.startswith(b"master_repl_offset:")]
        ro = [l for l in r.split(b"\r\n") if l.startswith(b"master_repl_offset:")]
        return mo == ro
    wait_until(offsets, what="replica catching up")


WORKLOAD = [
    ("redis.call('rpush', KEYS[1], unpack(ARGV)) return redis.call('llen', KEYS[1])", ["list"], ["a", "b", "c"]),
    ("redis.call('hset', KEYS[1], 'f', ARGV[1]) redis.call('hincrby', KEYS[1], 'n', 5) return 1", ["hash"], ["v"]),
    ("redis.call('sadd', KEYS[1], 'a', 'b', 'c', 'd') return redis.call('spop', KEYS[1])", ["set"], []),
    ("redis.call('set', KEYS[1], 'x', 'EX', 1000) redis.call('expire', KEYS[1], 2000) return 1", ["ttl"], []),
    ("redis.call('zadd', KEYS[1], 1, 'a', 2, 'b') redis.call('zincrby', KEYS[1], 1.5, 'a') return 1", ["zset"], []),
    ("redis.call('set', KEYS[1], 1) redis.call('lpush', KEYS[1], 'x')", ["partial"], []),
    ("redis.call('incr', KEYS[1]) error('after the write')", ["counter"], []),
    ("redis.call('select', 2) redis.call('set', KEYS[1], 'in-db-2') return 1", ["db2"], []),
    ("redis.set_repl(redis.REPL_ALL) redis.call('set', KEYS[1], 1) return 1", ["all"], []),
    ("redis.set_repl(redis.REPL_REPLICA) redis.call('set', KEYS[1], 1) return 1", ["replica-only"], []),
    ("redis.call('getset', KEYS[1], 'new') redis.call('append', KEYS[1], '!') return 1", ["getset"], []),
    ("for i = 1, 100 do redis.call('rpush', KEYS[1], i) end redis.call('ltrim', KEYS[1], 10, 20) return 1", ["trim"], []),
]


def test_replica_dataset_matches_master(replica_pair):
    master, replica = replica_pair
    conn = master.raw()
    for script, keys, args in WORKLOAD:
        conn.call("LUAX.EVAL", script, len(keys), *keys, *args)
    wait_synced(master, replica)
    assert replica.raw().call("DEBUG", "DIGEST") == conn.call("DEBUG", "DIGEST")
    assert conn.call("DEBUG", "DIGEST") != b"$40\r\n" + b"0" * 40 + b"\r\n"


def test_repl_none_writes_stay_local(replica_pair):
    master, replica = replica_pair
    conn = master.raw()
    conn.call("LUAX.EVAL", "redis.set_repl(redis.REPL_NONE) redis.call('set', 'local-only', 1) "
                           "redis.set_repl(redis.REPL_ALL) redis.call('set', 'everywhere', 1)", 0)
    wait_synced(master, replica)
    r = replica.raw()
    assert r.call("EXISTS", "local-only") == b":0\r\n"
    assert r.call("EXISTS", "everywhere") == b":1\r\n"
    assert conn.call("EXISTS", "local-only") == b":1\r\n"


@only_on_redis_70("compares with the host's own EVAL replies; Valkey words script errors its own way (9.1 leaves the SHA out of them) (README, Valkey)")
def test_scripts_on_read_only_replica(replica_pair):
    _, replica = replica_pair
    replies = run_all(replica.raw())
    assert b"-READONLY You can't write against a read only replica.\r\n" in replies
    assert any(r.startswith(b"-READONLY You can't write against a read only replica. script:") for r in replies)


@only_on_redis_70("compares with the host's own EVAL replies; Valkey words script errors its own way (9.1 leaves the SHA out of them) (README, Valkey)")
def test_stale_replica(start_server):
    master = start_server("stale-master")
    replica = start_server("stale-replica", extra_args=["--replicaof", "127.0.0.1", str(master.port),
                                                        "--replica-serve-stale-data", "no"])
    wait_until(lambda: b"master_link_status:up" in replica.raw().call("INFO", "replication"), what="replica link")
    master.stop()
    conn = replica.raw()
    wait_until(lambda: b"master_link_status:down" in conn.call("INFO", "replication"), what="link down")
    replies = run_all(conn)
    assert any(r.startswith(b"-MASTERDOWN") for r in replies)


def test_aof_survives_kill(start_server):
    server = start_server("aof", extra_args=["--appendonly", "yes", "--appendfsync", "always"])
    conn = server.raw()
    for script, keys, args in WORKLOAD:
        conn.call("LUAX.EVAL", script, len(keys), *keys, *args)
    # Writes done with REPL_REPLICA are not in the AOF, as with native scripts.
    conn.call("LUAX.EVAL", "redis.set_repl(redis.REPL_REPLICA) redis.call('set', 'no-aof', 1) "
                           "redis.set_repl(redis.REPL_AOF) redis.call('set', 'aof-only', 1)", 0)
    assert conn.call("DEL", "no-aof", "replica-only") == b":2\r\n"
    digest = conn.call("DEBUG", "DIGEST")
    conn.close()
    server.proc.kill()
    server.proc.wait()
    restarted = start_server("aof-again", extra_args=["--appendonly", "yes", "--dir", server.dir])
    again = restarted.raw()
    assert again.call("DEBUG", "DIGEST") == digest
    assert again.call("EXISTS", "aof-only") == b":1\r\n"


ACL_SCRIPTS = [
    "return redis.pcall('get', 'k')",
    "return redis.pcall('get', 'secret')",
    "return redis.pcall('set', 'k', 'v')",
    "return redis.pcall('del', 'k')",
    "return redis.pcall('publish', 'ch1', 'x')",
    "return redis.pcall('publish', 'other', 'x')",
    "return redis.pcall('mget', 'k', 'secret')",
    "return redis.call('get', 'secret')",
    "return redis.pcall('config', 'get', 'maxmemory')",
    "return {redis.acl_check_cmd('get', 'k'), redis.acl_check_cmd('get', 'secret'), redis.acl_check_cmd('set', 'k', 'v'), "
    "redis.acl_check_cmd('publish', 'ch1', 'x'), redis.acl_check_cmd('publish', 'nope', 'x'), redis.acl_check_cmd('del', 'k')}",
    "#!lua flags=no-writes\nreturn redis.pcall('set', 'secret', 'v')",
    "#!lua flags=no-writes\nreturn redis.pcall('set', 'k', 'v')",
]


@only_on_redis_70("compares with the host's own EVAL replies; Valkey words script errors its own way (9.1 leaves the SHA out of them) (README, Valkey)")
def test_acl_permissions_of_the_calling_user(server):
    admin = server.raw()
    assert admin.call("ACL", "SETUSER", "limited", "on", ">pw", "+@all", "-set", "-config", "~k*", "&ch*") == b"+OK\r\n"
    conn = server.raw(user="limited", password="pw")
    for script in ACL_SCRIPTS:
        compare(conn, script)
        compare(conn, script, ro=True)
    log = admin.call("ACL", "LOG")
    assert b"limited" in log and b"module" in log


def test_acl_denies_the_script_command_itself(server):
    admin = server.raw()
    admin.call("ACL", "SETUSER", "noluax", "on", ">pw", "+@all", "-luax.eval", "~*")
    conn = server.raw(user="noluax", password="pw")
    assert conn.call("LUAX.EVAL", "return 1", 0).startswith(b"-NOPERM")
    assert conn.call("LUAX.SCRIPT", "LOAD", "return 1").startswith(b"$40")
