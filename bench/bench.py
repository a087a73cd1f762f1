#!/usr/bin/env python3
"""Native EVALSHA vs LUAX.EVALSHA on one redis-server, in one run.

For each workload, rounds alternate native and luax redis-benchmark runs; the reported
figure is the median of the per-round ratios (luax / native requests per second), since
absolute numbers on a shared machine mean little.
"""

import argparse
import csv
import io
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests"))
from conftest import Server  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def example(name):
    with open(os.path.join(ROOT, "examples", name)) as f:
        return f.read()


# name, script, benchmark arguments after the SHA, redis-benchmark options, goal
WORKLOADS = [
    ("rate-limit, pipelined", example("rate_limit.lua"), ["1", "user:__rand_int__", "1000000", "60"],
     ["-P", "16", "-c", "20", "-r", "100000"], 1.00),
    ("lock-acquire, pipelined", example("lock_acquire.lua"), ["1", "lock:__rand_int__", "owner", "30"],
     ["-P", "16", "-c", "20", "-r", "100000"], 1.00),
]


def rps(port, argv, options, requests):
    cmd = ["redis-benchmark", "-p", str(port), "-n", str(requests), "--csv", *options, *argv]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    rows = list(csv.reader(io.StringIO(out)))
    return float(rows[-1][1])


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=int(os.environ.get("BENCH_ROUNDS", 5)))
    parser.add_argument("--requests", type=int, default=int(os.environ.get("BENCH_REQUESTS", 200000)))
    opts = parser.parse_args()
    if shutil.which("redis-benchmark") is None:
        sys.exit("redis-benchmark not found (apt-get install redis-tools)")

    tmp = tempfile.mkdtemp(prefix="luax-bench-")
    server = Server(os.path.join(tmp, "server"))
    try:
        r = server.client()
        print(f"redis-server {r.info('server')['redis_version']} on port {server.port}; "
              f"{opts.rounds} rounds of {opts.requests} requests per side; {os.cpu_count()} CPUs")
        print(f"{'workload':<40} {'native rps':>12} {'luax rps':>12} {'ratio':>7} {'goal':>6}")
        for name, script, argv, options, goal in WORKLOADS:
            native_sha = r.script_load(script)
            luax_sha = r.execute_command("LUAX.SCRIPT", "LOAD", script).decode()
            ratios, natives, ours = [], [], []
            for _ in range(opts.rounds):
                r.flushall()
                n = rps(server.port, ["EVALSHA", native_sha, *argv], options, opts.requests)
                r.flushall()
                x = rps(server.port, ["LUAX.EVALSHA", luax_sha, *argv], options, opts.requests)
                natives.append(n)
                ours.append(x)
                ratios.append(x / n)
            ratio = statistics.median(ratios)
            print(f"{name:<40} {statistics.median(natives):>12.0f} {statistics.median(ours):>12.0f} "
                  f"{ratio:>7.2f} {goal:>6.2f}")
    finally:
        server.stop()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
