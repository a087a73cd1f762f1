"""The rate limiter and the lock of this folder, called from Python through redis-py.

With `make run` going (luax on port 6399), from the repository root:

    make deps                                  # once: .venv with redis-py
    .venv/bin/python examples/redis_py_example.py

On a server started with `dropin yes`, redis-py's own `register_script` reaches luax (its
EVALSHA is served by luax); without drop-in mode the same calls go through LUAX.EVALSHA.
"""

import argparse
import hashlib
from pathlib import Path

import redis

HERE = Path(__file__).resolve().parent


class LuaxScript:
    """redis-py's Script (what `register_script` returns), through LUAX.EVALSHA: the script is
    sent once with LUAX.SCRIPT LOAD when the server answers NOSCRIPT."""

    def __init__(self, client, body):
        self.client = client
        self.body = body
        self.sha = hashlib.sha1(body.encode()).hexdigest()

    def __call__(self, keys=(), args=()):
        try:
            return self.client.execute_command("LUAX.EVALSHA", self.sha, len(keys), *keys, *args)
        except redis.exceptions.NoScriptError:
            self.sha = self.client.execute_command("LUAX.SCRIPT", "LOAD", self.body).decode()
            return self.client.execute_command("LUAX.EVALSHA", self.sha, len(keys), *keys, *args)


def luax_script(client, name):
    """The script examples/<name>.lua, run by luax."""
    body = (HERE / f"{name}.lua").read_text()
    if client.info("luax").get("luax_dropin") == "yes":
        return client.register_script(body)  # plain redis-py: EVALSHA reaches luax
    return LuaxScript(client, body)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=6399)
    r = redis.Redis(port=parser.parse_args().port)
    print(f"luax {r.info('luax')['luax_version']}, drop-in mode: {r.info('luax')['luax_dropin']}")

    # At most 3 calls per 60 seconds for user1: 1 = allowed, 0 = refused.
    r.delete("rate.limit:user1")
    rate_limit = luax_script(r, "rate_limit")
    print("rate limit:", [rate_limit(keys=["user1"], args=[3, 60]) for _ in range(5)])

    # A lock: worker-7 takes it, worker-8 cannot, only worker-7 can release it.
    r.delete("lock:orders")
    acquire, release = luax_script(r, "lock_acquire"), luax_script(r, "lock_release")
    print("worker-7 acquires:", acquire(keys=["lock:orders"], args=["worker-7", 30]))
    print("worker-8 acquires:", acquire(keys=["lock:orders"], args=["worker-8", 30]))
    print("worker-8 releases:", release(keys=["lock:orders"], args=["worker-8"]))
    print("worker-7 releases:", release(keys=["lock:orders"], args=["worker-7"]))
    print("worker-8 acquires:", acquire(keys=["lock:orders"], args=["worker-8", 30]))
    release(keys=["lock:orders"], args=["worker-8"])


if __name__ == "__main__":
    main()
