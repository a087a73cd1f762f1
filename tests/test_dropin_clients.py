"""Widely used client libraries, unmodified, against a drop-in server: their Lua scripts go
through redis-py's Script objects (EVALSHA, then SCRIPT LOAD on NOSCRIPT) and so through luax."""

import pytest
import redis
import redis_lock
from rq import Queue, SimpleWorker
from rq.exceptions import DuplicateJobError

from conftest import Server


@pytest.fixture(scope="module")
def dropin(tmp_path_factory):
    s = Server(str(tmp_path_factory.mktemp("clients")), module_args=["dropin", "yes"])
    yield s
    s.stop()


@pytest.fixture
def r(dropin):
    client = dropin.client()
    client.flushall()
    client.script_flush()
    yield client
    client.close()


def calls(client, command):
    return client.info("commandstats").get(f"cmdstat_{command}", {}).get("calls", 0)


def assert_scripts_ran_in_luax(client, at_least):
    assert calls(client, "luax.evalsha") >= at_least
    for native in ("eval", "evalsha", "script|load"):
        assert calls(client, native) == 0, native


# ---- python-redis-lock ----

def test_redis_lock_acquire_extend_release(r):
    lock = redis_lock.Lock(r, "orders", expire=30, id="worker-1")
    assert lock.acquire(blocking=False)
    rival = redis_lock.Lock(r, "orders", expire=30, id="worker-2")
    assert not rival.acquire(blocking=False)
    assert lock.locked() and lock.get_owner_id() == "worker-1"

    before = calls(r, "luax.evalsha")
    lock.extend(expire=120)  # EXTEND_SCRIPT
    assert 60 < r.ttl("lock:orders") <= 120
    with pytest.raises(redis_lock.NotAcquired):
        rival.release()  # UNLOCK_SCRIPT refuses another owner
    lock.release()  # UNLOCK_SCRIPT: deletes the lock and signals waiters
    assert r.exists("lock:orders") == 0
    assert r.lrange("lock-signal:orders", 0, -1) == [b"1"]
    assert rival.acquire(blocking=False)
    assert calls(r, "luax.evalsha") >= before + 3
    assert_scripts_ran_in_luax(r, 3)


def test_redis_lock_recovers_from_a_flushed_cache(r):
    lock = redis_lock.Lock(r, "report", expire=10, id="a")
    assert lock.acquire(blocking=False)
    r.script_flush()
    lock.release()  # NOSCRIPT, then SCRIPT LOAD and EVALSHA again, inside redis-py
    assert not lock.locked()
    assert r.info("errorstats")["errorstat_NOSCRIPT"]["count"] >= 1
    assert r.info("luax")["luax_cached_scripts"] >= 1


def test_redis_lock_blocking_waiter_is_woken(r):
    holder = redis_lock.Lock(r, "shared", expire=30, id="holder")
    assert holder.acquire(blocking=False)
    holder.release()
    waiter = redis_lock.Lock(redis.Redis(port=r.connection_pool.connection_kwargs["port"]), "shared", expire=30)
    assert waiter.acquire(timeout=5)
    waiter.release()
    redis_lock.reset_all(r)  # RESET_ALL_SCRIPT
    assert r.keys("lock:*") == []


# ---- rq ----

def double(x):
    return x * 2


def test_rq_unique_jobs_and_empty(r):
    queue = Queue("default", connection=r)
    job = queue.enqueue(double, 21, job_id="job-1", unique=True)  # UNIQUE_ENQUEUE_SCRIPT
    with pytest.raises(DuplicateJobError):
        queue.enqueue(double, 1, job_id="job-1", unique=True)
    assert queue.count == 1

    worker = SimpleWorker([queue], connection=r)
    assert worker.work(burst=True)
    job.refresh()
    assert job.get_status() == "finished"
    assert job.return_value() == 42

    for i in range(5):
        queue.enqueue(double, i)
    assert queue.count == 5
    assert queue.empty() == 5  # Lua: pops every job id and deletes the job hashes
    assert queue.count == 0
    assert_scripts_ran_in_luax(r, 2)
