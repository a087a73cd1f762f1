"""The script registry: luax's scripts survive restarts (RDB, AOF), reach replicas (full sync
and stream) and a promoted replica, and the EVAL cache stays bounded (LRU, SCRIPT LOAD pins).
Also the way back to a server without luax (`persist-scripts no`), and damaged files."""

import hashlib
import os

import pytest
import redis

from conftest import HOSTS, Host, Server, wait_until

DURABLE_HOSTS = ["redis-7.0", "valkey-9.1"]
# A master starts the full sync at once.
MASTER = ["--repl-diskless-sync-delay", "0"]


@pytest.fixture(params=DURABLE_HOSTS)
def durable_host(request):
    binary = HOSTS[request.param]()
    if not binary:
        pytest.fail(f"no server binary for {request.param}; install tests/requirements.txt")
    return Host(request.param, binary)


def sha(body):
    return hashlib.sha1(body.encode()).hexdigest()


LOADED = "return 'loaded:' .. ARGV[1]"
EVALED = "return 'evaled:' .. ARGV[1]"
WRITER = "return redis.call('incr', KEYS[1])"


def fill(r):
    """A pinned script, an EVAL-born one, a writer, and a key; returns the SHAs."""
    assert r.execute_command("LUAX.SCRIPT", "LOAD", LOADED) == sha(LOADED).encode()
    assert r.execute_command("LUAX.EVAL", EVALED, 0, "x") == b"evaled:x"
    assert r.execute_command("LUAX.SCRIPT", "LOAD", WRITER) == sha(WRITER).encode()
    r.set("data", "kept")
    return [sha(LOADED), sha(EVALED), sha(WRITER)]


def runs_all(r, read_only=False):
    evalsha = "LUAX.EVALSHA_RO" if read_only else "LUAX.EVALSHA"
    assert r.execute_command(evalsha, sha(LOADED), 0, "a") == b"loaded:a"
    assert r.execute_command(evalsha, sha(EVALED), 0, "b") == b"evaled:b"
    if not read_only:
        assert r.execute_command("LUAX.EVALSHA", sha(WRITER), 1, "n") >= 1


def failed_start_log(**kw):
    """Starts a server that must refuse to start; returns its log."""
    try:
        s = Server(**kw)
    except RuntimeError:
        with open(os.path.join(kw["tmp_path"], "server.log"), errors="replace") as f:
            return f.read()
    s.stop()
    pytest.fail("the server started")


def assert_no_crash(log):
    for sign in ("crashed by signal", "BUG REPORT", "Assertion", "panicked"):
        assert sign not in log, log


# ---- durability ----

def test_scripts_survive_save_and_restart(start_server, durable_host):
    s = start_server("rdb", binary=durable_host.binary)
    r = s.client()
    fill(r)
    r.execute_command("SAVE")
    s.stop()
    s = start_server(in_dir=s.dir, binary=durable_host.binary)
    r = s.client()
    assert r.get("data") == b"kept"
    assert r.execute_command("LUAX.SCRIPT", "EXISTS", sha(LOADED), sha(EVALED), sha(WRITER)) == [1, 1, 1]
    runs_all(r)
    assert "luax: restored 3 of 3 saved scripts" in s.log()


def test_scripts_survive_debug_reload(start_server, durable_host):
    s = start_server("reload", binary=durable_host.binary)
    r = s.client()
    fill(r)
    r.execute_command("DEBUG", "RELOAD")
    runs_all(r)
    assert r.info("luax")["luax_cached_scripts"] == 3


def test_scripts_survive_shutdown_with_save(start_server, durable_host):
    s = start_server("shutdown", binary=durable_host.binary)
    fill(s.client())
    try:
        s.client().execute_command("SHUTDOWN", "SAVE")
    except redis.exceptions.ConnectionError:
        pass
    s.proc.wait(timeout=10)
    s = start_server(in_dir=s.dir, binary=durable_host.binary)
    runs_all(s.client())


def test_native_cache_is_untouched_by_a_restart(start_server, durable_host):
    s = start_server("native", binary=durable_host.binary)
    r = s.client()
    native = r.script_load("return 'native'")
    r.execute_command("LUAX.SCRIPT", "LOAD", "return 'native'")
    r.execute_command("SAVE")
    s.stop()
    s = start_server(in_dir=s.dir, binary=durable_host.binary)
    r = s.client()
    # As on a plain server: native scripts are not saved ...
    assert r.script_exists(native) == [False]
    # ... and luax's are its own, not the native cache's.
    assert r.execute_command("LUAX.SCRIPT", "EXISTS", native) == [1]
    with pytest.raises(redis.exceptions.NoScriptError):
        r.evalsha(native, 0)


def test_kill_9_with_aof_loses_no_script(start_server, durable_host):
    aof = ["--appendonly", "yes", "--appendfsync", "always"]
    s = start_server("aof", binary=durable_host.binary, extra_args=aof)
    r = s.client()
    fill(r)
    # A rewrite keeps them (in the RDB preamble), loads after it are in the AOF tail.
    r.execute_command("BGREWRITEAOF")
    wait_until(lambda: r.info("persistence")["aof_rewrite_in_progress"] == 0
               and r.info("persistence")["aof_rewrite_scheduled"] == 0, what="AOF rewrite")
    after = "return 'after rewrite'"
    r.execute_command("LUAX.SCRIPT", "LOAD", after)
    r.execute_command("LUAX.EVAL", "return 'eval after rewrite'", 0)
    s.proc.kill()
    s.proc.wait()
    s = start_server(in_dir=s.dir, binary=durable_host.binary, extra_args=aof)
    r = s.client()
    runs_all(r)
    assert r.execute_command("LUAX.EVALSHA", sha(after), 0) == b"after rewrite"
    assert r.execute_command("LUAX.EVALSHA", sha("return 'eval after rewrite'"), 0) == b"eval after rewrite"
    # A flush in the AOF tail is replayed too.
    r.execute_command("LUAX.SCRIPT", "FLUSH")
    s.proc.kill()
    s.proc.wait()
    s = start_server(in_dir=s.dir, binary=durable_host.binary, extra_args=aof)
    assert s.client().execute_command("LUAX.SCRIPT", "EXISTS", sha(LOADED)) == [0]


def test_aof_without_preamble_is_warned_about(start_server):
    s = start_server("nopreamble", extra_args=["--appendonly", "yes", "--aof-use-rdb-preamble", "no"])
    assert "an AOF rewrite keeps no scripts" in s.log()
    quiet = start_server("preamble", extra_args=["--appendonly", "yes"])
    assert "keeps no scripts" not in quiet.log()


# ---- replication ----

def replica_of(start_server, master, host, extra_args=(), **kw):
    replica = start_server("replica", binary=host.binary,
                           extra_args=["--replicaof", "127.0.0.1", str(master.port), *extra_args], **kw)
    wait_until(lambda: replica.client().info("replication")["master_link_status"] == "up", timeout=20,
               what="replica link up")
    return replica


def test_replica_gets_registry_by_full_sync_and_stream(start_server, durable_host):
    master = start_server("master", binary=durable_host.binary, extra_args=MASTER)
    m = master.client()
    fill(m)
    replica = replica_of(start_server, master, durable_host)
    r = replica.client()
    wait_until(lambda: r.get("data") == b"kept", what="full sync")
    runs_all(r, read_only=True)
    # Streaming: loads and EVAL-born scripts after the sync.
    later = "return 'later:' .. ARGV[1]"
    m.execute_command("LUAX.SCRIPT", "LOAD", later)
    m.execute_command("LUAX.EVAL", "return 'eval later'", 0)
    wait_until(lambda: r.execute_command("LUAX.SCRIPT", "EXISTS", sha(later), sha("return 'eval later'")) == [1, 1],
               what="scripts streamed")
    assert r.execute_command("LUAX.EVALSHA_RO", sha(later), 0, "z") == b"later:z"
    # Flush reaches the replica.
    m.execute_command("LUAX.SCRIPT", "FLUSH")
    wait_until(lambda: r.execute_command("LUAX.SCRIPT", "EXISTS", sha(LOADED), sha(later)) == [0, 0],
               what="flush streamed")


def test_diskless_full_sync_carries_the_registry(start_server):
    master = start_server("master", extra_args=["--repl-diskless-sync", "yes", *MASTER])
    fill(master.client())
    replica = replica_of(start_server, master, Host("redis-7.0", HOSTS["redis-7.0"]()),
                         extra_args=["--repl-diskless-load", "on-empty-db"])
    r = replica.client()
    wait_until(lambda: r.get("data") == b"kept", what="full sync")
    runs_all(r, read_only=True)
    # Diskless loading needs every data type to handle read errors, as the registry's does.
    assert "Skipping diskless-load" not in replica.log()


def test_registry_changes_wait_out_a_write_pause(start_server):
    """Loads and flushes propagate, so they are held by CLIENT PAUSE WRITE like writes; Redis
    would abort on a propagation during the pause."""
    s = start_server("pause", extra_args=["--appendonly", "yes"])
    r = s.client()
    r.execute_command("CLIENT", "PAUSE", 300, "WRITE")
    # EVAL_RO may run during the pause: it registers the script without propagating it.
    assert r.execute_command("LUAX.EVAL_RO", "return 'ro'", 0) == b"ro"
    assert r.execute_command("LUAX.SCRIPT", "LOAD", LOADED) == sha(LOADED).encode()
    assert r.execute_command("LUAX.SCRIPT", "FLUSH") == b"OK"
    assert s.alive()


def test_promoted_replica_runs_every_script(start_server, durable_host):
    master = start_server("master", binary=durable_host.binary, extra_args=MASTER)
    m = master.client()
    fill(m)
    replica = replica_of(start_server, master, durable_host)
    m.execute_command("LUAX.EVAL", "return 'streamed eval'", 0)
    r = replica.client()
    wait_until(lambda: r.execute_command("LUAX.SCRIPT", "EXISTS", sha("return 'streamed eval'")) == [1],
               what="script streamed")
    master.stop()
    r.execute_command("REPLICAOF", "NO", "ONE")
    runs_all(r)
    assert r.execute_command("LUAX.EVALSHA", sha("return 'streamed eval'"), 0) == b"streamed eval"
    # Origins came along: the pinned ones survive a flood of EVALs on the new master.
    for i in range(600):
        r.execute_command("LUAX.EVAL", f"return {i}", 0)
    assert r.execute_command("LUAX.SCRIPT", "EXISTS", sha(LOADED), sha(WRITER), sha(EVALED)) == [1, 1, 0]


def test_dropin_script_object_needs_no_reload_after_failover(start_server):
    master = start_server("master", module_args=["dropin", "yes"], extra_args=MASTER)
    m = master.client()
    script = m.register_script("return redis.call('incr', KEYS[1])")
    assert script(keys=["n"]) == 1
    replica = replica_of(start_server, master, Host("redis-7.0", HOSTS["redis-7.0"]()),
                         module_args=["dropin", "yes"])
    r = replica.client()
    wait_until(lambda: r.get("n") == b"1", what="sync")
    master.stop()
    r.execute_command("REPLICAOF", "NO", "ONE")
    promoted_script = r.register_script("return redis.call('incr', KEYS[1])")
    assert promoted_script(keys=["n"]) == 2
    assert r.script_exists(script.sha) == [True]
    # redis-py tried EVALSHA first and it worked: no NOSCRIPT round trip.
    assert "errorstat_NOSCRIPT" not in r.info("errorstats")


# ---- the bounded EVAL cache ----

def test_eval_scripts_are_evicted_least_recently_used_and_loads_pin(start_server):
    s = start_server("lru", module_args=["max-eval-scripts", "3"])
    r = s.client()
    bodies = [f"return {i}" for i in range(8)]
    for body in bodies[:3]:
        r.execute_command("LUAX.EVAL", body, 0)
    r.execute_command("LUAX.EVALSHA", sha(bodies[0]), 0)      # 1 is now the least recently used
    r.execute_command("LUAX.EVAL", bodies[3], 0)
    assert r.execute_command("LUAX.SCRIPT", "EXISTS", *map(sha, bodies[:4])) == [1, 0, 1, 1]
    assert r.info("luax")["luax_evicted_scripts"] == 1
    # SCRIPT LOAD pins one first seen by EVAL; plain loads are pinned too and not counted.
    r.execute_command("LUAX.SCRIPT", "LOAD", bodies[2])
    r.execute_command("LUAX.SCRIPT", "LOAD", "return 'pinned'")
    for body in bodies[4:8]:
        r.execute_command("LUAX.EVAL", body, 0)
    assert r.execute_command("LUAX.SCRIPT", "EXISTS", *map(sha, bodies)) == [0, 0, 1, 0, 0, 1, 1, 1]
    assert r.execute_command("LUAX.SCRIPT", "EXISTS", sha("return 'pinned'")) == [1]
    assert r.info("luax")["luax_evicted_scripts"] == 4
    assert r.info("luax")["luax_cached_scripts"] == 5
    with pytest.raises(redis.exceptions.NoScriptError):
        r.execute_command("LUAX.EVALSHA", sha(bodies[0]), 0)
    # The LRU order survives a restart.
    r.execute_command("LUAX.EVALSHA", sha(bodies[5]), 0)
    r.execute_command("SAVE")
    s.stop()
    s = start_server(in_dir=s.dir, module_args=["max-eval-scripts", "3"])
    r = s.client()
    r.execute_command("LUAX.EVAL", "return 'new'", 0)
    assert r.execute_command("LUAX.SCRIPT", "EXISTS", *map(sha, bodies[5:8])) == [1, 0, 1]


def test_unbounded_when_zero(start_server):
    r = start_server("unbounded", module_args=["max-eval-scripts", "0"]).client()
    pipe = r.pipeline(transaction=False)
    for i in range(1200):
        pipe.execute_command("LUAX.EVAL", f"return {i}", 0)
    pipe.execute()
    assert r.info("luax")["luax_cached_scripts"] == 1200
    assert r.info("luax")["luax_evicted_scripts"] == 0


def script_memory(r):
    """used_memory, plus both Lua heaps, which live outside it (native: used_memory_lua; luax:
    luax_used_memory_vm; libc memory both)."""
    memory = r.info("memory")
    return memory["used_memory"] + memory["used_memory_lua"] + r.info("luax").get("luax_used_memory_vm", 0)


def memory_growth(server, command, count):
    r = server.client()
    before = script_memory(r)
    pipe = r.pipeline(transaction=False)
    for i in range(count):
        pipe.execute_command(command, f"return {i}", 0)
        if i % 10000 == 9999:
            pipe.execute()
    pipe.execute()
    return script_memory(r) - before


def test_100k_distinct_evals_leave_a_small_fraction_of_natives_growth(start_server):
    count = 100_000
    native = memory_growth(start_server("native", load_module=False), "EVAL", count)
    ours = memory_growth(start_server("luax"), "LUAX.EVAL", count)
    assert native > 10_000_000
    print(f"memory growth for {count} distinct scripts: luax {ours}, native {native}")
    assert ours < native / 10, (ours, native)


# ---- the way back, and damaged files ----

def test_persist_scripts_no_is_the_way_back_to_a_server_without_luax(start_server, durable_host):
    s = start_server("leave", binary=durable_host.binary)
    fill(s.client())
    s.client().execute_command("SAVE")
    s.stop()
    # Without luax, the file is refused, naming the module it needs.
    log = failed_start_log(tmp_path=s.dir, binary=durable_host.binary, load_module=False)
    assert "luax-scrp" in log or "luax" in log
    assert "AUX module data" in log, log
    # With persist-scripts no, the registry is still read ...
    s = start_server(in_dir=s.dir, binary=durable_host.binary, module_args=["persist-scripts", "no"])
    r = s.client()
    runs_all(r)
    assert r.info("luax")["luax_persist_scripts"] == "no"
    # ... but neither saved nor propagated.
    r.execute_command("SAVE")
    s.stop()
    s = start_server(in_dir=s.dir, binary=durable_host.binary, load_module=False)
    assert s.client().get("data") == b"kept"


def test_persist_scripts_no_propagates_nothing(start_server):
    master = start_server("master", module_args=["persist-scripts", "no"], extra_args=MASTER)
    replica = replica_of(start_server, master, Host("redis-7.0", HOSTS["redis-7.0"]()))
    m = master.client()
    m.execute_command("LUAX.SCRIPT", "LOAD", LOADED)
    m.set("marker", 1)
    r = replica.client()
    wait_until(lambda: r.get("marker") == b"1", what="stream")
    assert r.execute_command("LUAX.SCRIPT", "EXISTS", sha(LOADED)) == [0]


def saved_rdb(start_server, host, bodies):
    """An RDB (uncompressed, so bodies can be found) holding `bodies` as loaded scripts."""
    s = start_server("damaged", binary=host.binary, extra_args=["--rdbcompression", "no"])
    r = s.client()
    for body in bodies:
        r.execute_command("LUAX.SCRIPT", "LOAD", body)
    r.set("data", "kept")
    r.execute_command("SAVE")
    s.stop()
    path = os.path.join(s.dir, "dump.rdb")
    with open(path, "rb") as f:
        return s, path, f.read()


def rewrite(path, data):
    with open(path, "wb") as f:
        f.write(data)


BODY = "return 'a script with a body long enough to find'"


def test_truncated_registry_fails_the_load_with_a_clear_line(start_server, durable_host):
    s, path, data = saved_rdb(start_server, durable_host, [BODY])
    rewrite(path, data[:data.index(BODY.encode()) + 10])
    log = failed_start_log(tmp_path=s.dir, binary=durable_host.binary, extra_args=["--rdbcompression", "no"])
    assert "luax: the saved script registry is truncated or corrupt (cannot read the body of script 0 of 1)" in log
    assert_no_crash(log)


def test_corrupt_registry_fails_the_load_with_a_clear_line(start_server, durable_host):
    s, path, data = saved_rdb(start_server, durable_host, [BODY])
    # Module values are typed: UINT (2) 1 for the origin, then STRING (5), length, body.
    at = data.index(b"\x02\x01\x05" + bytes([len(BODY)]) + BODY.encode())
    rewrite(path, data[:at + 1] + b"\x07" + data[at + 2:])
    log = failed_start_log(tmp_path=s.dir, binary=durable_host.binary, extra_args=["--rdbcompression", "no"])
    assert "luax: the saved script registry is truncated or corrupt (script 0 of 1 has unknown origin 7)" in log
    assert_no_crash(log)


def test_a_script_that_no_longer_compiles_is_kept_and_reported(start_server, durable_host):
    good = "return 'still fine'"
    s, path, data = saved_rdb(start_server, durable_host, [BODY, good])
    broken = BODY.replace("return", "return )(", 1)[:len(BODY)]
    assert len(broken) == len(BODY)
    # The checksum no longer matches: zero means "not checked".
    patched = data.replace(BODY.encode(), broken.encode())
    rewrite(path, patched[:-8] + b"\0" * 8)
    s = start_server(in_dir=s.dir, binary=durable_host.binary)
    r = s.client()
    assert r.get("data") == b"kept"
    assert r.execute_command("LUAX.EVALSHA", sha(good), 0) == b"still fine"
    assert f"luax: restored script {sha(broken)} no longer compiles; it is kept" in s.log()
    with pytest.raises(redis.exceptions.ResponseError) as e:
        r.execute_command("LUAX.EVALSHA", sha(broken), 0)
    assert str(e.value).startswith(f"luax restored script {sha(broken)} from a saved registry but it no longer "
                                   "compiles: Error compiling script")
    assert r.info("luax")["luax_unloadable_scripts"] == 1
    # Kept: saved again, still reported after the next restart.
    r.execute_command("SAVE")
    s.stop()
    s = start_server(in_dir=s.dir, binary=durable_host.binary)
    assert s.client().info("luax")["luax_unloadable_scripts"] == 1


def test_replica_without_luax_refuses_the_full_sync(start_server):
    """What the README shows: with persistence on, every replica must load luax."""
    master = start_server("master", extra_args=MASTER)
    master.client().execute_command("LUAX.SCRIPT", "LOAD", LOADED)
    replica = start_server("bare", load_module=False)
    replica.client().execute_command("REPLICAOF", "127.0.0.1", master.port)
    wait_until(lambda: not replica.alive(), timeout=20, what="the replica to give up")
    assert "The RDB file contains AUX module data I can't load: no matching module 'luax-scrp'" in replica.log()


def module_type_id(name, encver):
    """Redis's moduleTypeEncodeId: nine 6-bit characters, then a 10-bit encoding version."""
    charset = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    value = 0
    for c in name:
        value = (value << 6) | charset.index(c)
    return (value << 10) | encver


def test_a_newer_record_format_is_refused_with_a_clear_line(start_server, durable_host):
    s, path, data = saved_rdb(start_server, durable_host, [BODY])
    # The type's id is saved as a 64-bit length: 0x81, then big-endian.
    saved = b"\x81" + module_type_id("luax-scrp", 1).to_bytes(8, "big")
    assert data.count(saved) == 1
    rewrite(path, data.replace(saved, b"\x81" + module_type_id("luax-scrp", 2).to_bytes(8, "big")))
    log = failed_start_log(tmp_path=s.dir, binary=durable_host.binary, extra_args=["--rdbcompression", "no"])
    assert "luax: the saved script registry has format version 2; this luax reads up to 1: load a newer luax" in log
    assert_no_crash(log)
