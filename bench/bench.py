#!/usr/bin/env python3
"""Native EVALSHA vs LUAX.EVALSHA on the same redis-server, in one run.

Each workload gets a fresh server, with the module loaded; rounds alternate native and luax redis-benchmark runs (each round
starting with the other side); the reported figure is the median of the per-round ratios
(luax / native requests per second), since absolute numbers on a shared machine mean little.
"""

import argparse
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


FIVE_CALLS = """redis.call('SET', KEYS[1], ARGV[1])
redis.call('INCR', KEYS[2])
redis.call('HSET', KEYS[3], 'field', ARGV[1])
redis.call('EXPIRE', KEYS[1], 100)
return redis.call('GET', KEYS[1])"""

# A ~2 KB JSON document: decoded, modified, encoded again on every call.
JSON_DOC = (
    '{"id":12345,"name":"order-12345","status":"pending","customer":{"id":987,"name":"Ada Lovelace",'
    '"email":"ada@example.com","tags":["vip","early","beta"]},"items":['
    + ",".join(f'{{"sku":"SKU-{i:04d}","qty":{i % 5 + 1},"price":{i * 3.25:.2f},"title":"Item number {i} with a name"}}'
               for i in range(18))
    + '],"totals":{"net":1234.5,"tax":234.56,"gross":1469.06},"notes":"leave at the door, ring twice",'
    '"flags":{"gift":false,"express":true}}'
)

CJSON = """local doc = cjson.decode(ARGV[1])
doc.status = 'paid'
doc.items[1].qty = doc.items[1].qty + 1
doc.customer.tags[#doc.customer.tags + 1] = 'repeat'
return cjson.encode(doc)"""

CMSGPACK = """local doc = cjson.decode(ARGV[1])
local packed
for i = 1, 4 do
    packed = cmsgpack.pack(doc)
    doc = cmsgpack.unpack(packed)
end
return #packed"""

ARITH = """local acc = 0
for i = 1, 20000 do
    acc = (acc + i * 7) % 1000003
end
return acc"""

FORMAT = """local parts = {}
for i = 1, 200 do
    parts[i] = string.format('%s:%d:%.2f', ARGV[1], i, i / 3)
end
return #table.concat(parts, ',')"""

PIPELINED = ["-P", "16", "-c", "20", "-r", "100000"]
UNPIPELINED = ["-c", "20", "-r", "100000"]

# name, script, benchmark arguments after the SHA, redis-benchmark options, goal
WORKLOADS = [
    ("rate-limit, pipelined", example("rate_limit.lua"), ["1", "user:__rand_int__", "1000000", "60"], PIPELINED, 1.00),
    ("lock-acquire, pipelined", example("lock_acquire.lua"), ["1", "lock:__rand_int__", "owner", "30"], PIPELINED, 1.00),
    ("five redis.calls, pipelined", FIVE_CALLS, ["3", "a:__rand_int__", "b:__rand_int__", "c:__rand_int__", "v"],
     PIPELINED, 1.00),
    ("return ARGV[1], pipelined", "return ARGV[1]", ["0", "hello"], PIPELINED, 1.00),
    ("rate-limit, not pipelined", example("rate_limit.lua"), ["1", "user:__rand_int__", "1000000", "60"], UNPIPELINED,
     1.00),
    ("cjson decode+modify+encode (2 KB)", CJSON, ["0", JSON_DOC], PIPELINED, 1.50),
    ("cmsgpack pack/unpack x4 (2 KB)", CMSGPACK, ["0", JSON_DOC], PIPELINED, 1.50),
    ("Lua arithmetic loop (20k)", ARITH, ["0"], ["-c", "20"], 0.95),
    ("string.format + table.concat (200)", FORMAT, ["0", "item"], PIPELINED, 1.00),
]


def rps(port, argv, options, requests):
    cmd = ["redis-benchmark", "-p", str(port), "-n", str(requests), "--csv", *options, *argv]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    # The last CSV line ends with rps and 6 latency columns; the first column (the command
    # text) is not escaped, so split from the right.
    fields = out.strip().splitlines()[-1].rsplit(",", 7)
    return float(fields[1].strip('"'))


def calibrate(port, argv, options, seconds):
    """Requests for a run of about `seconds` (measured natively)."""
    probe = rps(port, argv, options, 2000)
    return max(2000, int(probe * seconds))


def memory(server):
    info = server.client().info("memory")
    return info["used_memory"], info["used_memory_rss"]


def script_variant(i):
    return example("rate_limit.lua").replace('"rate.limit:"', f'"rate.limit.{i}:"')


def memory_comparison(tmp, count):
    """RSS and used_memory growth for `count` distinct scripts, native vs luax (fresh servers)."""
    rows = []
    for label, load in (("native SCRIPT LOAD", ("SCRIPT", "LOAD")), ("LUAX.SCRIPT LOAD", ("LUAX.SCRIPT", "LOAD"))):
        server = Server(os.path.join(tmp, label.split()[0]))
        try:
            r = server.client()
            r.execute_command(*load, "return 1")
            time.sleep(0.2)
            before = memory(server)
            pipe = r.pipeline(transaction=False)
            for i in range(count):
                pipe.execute_command(*load, script_variant(i))
            pipe.execute()
            time.sleep(0.2)
            after = memory(server)
            info = r.info("luax") if load[0].startswith("LUAX") else r.info("memory")
            rows.append((label, after[0] - before[0], after[1] - before[1], info))
        finally:
            server.stop()
    return rows


def compare(server, script, argv, options, opts):
    """Throughput of native and luax per round, and the per-round ratios."""
    r = server.client()
    native_sha = r.script_load(script)
    luax_sha = r.execute_command("LUAX.SCRIPT", "LOAD", script).decode()
    requests = calibrate(server.port, ["EVALSHA", native_sha, *argv], options, opts.seconds)
    natives, ours, ratios = [], [], []
    for i in range(opts.rounds):
        # Which side goes first alternates, so that neither always follows the other.
        runs = {}
        for side in (("native", "luax") if i % 2 == 0 else ("luax", "native")):
            sha, cmd = (native_sha, "EVALSHA") if side == "native" else (luax_sha, "LUAX.EVALSHA")
            r.flushall()
            runs[side] = rps(server.port, [cmd, sha, *argv], options, requests)
        natives.append(runs["native"])
        ours.append(runs["luax"])
        ratios.append(runs["luax"] / runs["native"])
    return natives, ours, ratios


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=int(os.environ.get("BENCH_ROUNDS", 5)))
    parser.add_argument("--seconds", type=float, default=float(os.environ.get("BENCH_SECONDS", 1.0)),
                        help="approximate length of one redis-benchmark run")
    parser.add_argument("--scripts", type=int, default=10000, help="distinct scripts for the memory comparison")
    parser.add_argument("--only", default="", help="run only the workloads whose name contains this text")
    opts = parser.parse_args()
    if shutil.which("redis-benchmark") is None:
        sys.exit("redis-benchmark not found (apt-get install redis-tools)")

    tmp = tempfile.mkdtemp(prefix="luax-bench-")
    probe = Server(os.path.join(tmp, "ping"))
    try:
        version = probe.client().info("server")["redis_version"]
        print(f"redis-server {version}, a fresh server per workload; {opts.rounds} rounds per workload, "
              f"alternating native/luax, ~{opts.seconds:.1f}s per run; {os.cpu_count()} CPUs")
        print(f"{'workload':<40} {'native rps':>12} {'luax rps':>12} {'ratio':>7} {'goal':>6} {'rounds':>12}")
        ping = rps(probe.port, ["PING"], PIPELINED, calibrate(probe.port, ["PING"], PIPELINED, opts.seconds))
        print(f"{'PING, pipelined (ceiling)':<40} {ping:>12.0f}")
    finally:
        probe.stop()
    for n, (name, script, argv, options, goal) in enumerate(WORKLOADS):
        if opts.only not in name:
            continue
        # A fresh server each: what one workload leaves behind (garbage in the Lua heaps, keys,
        # allocator state) must not weigh on the next.
        server = Server(os.path.join(tmp, f"w{n}"))
        try:
            natives, ours, ratios = compare(server, script, argv, options, opts)
        finally:
            server.stop()
        ratio = statistics.median(ratios)
        mark = "" if ratio >= goal else "  below goal"
        spread = f"{min(ratios):.2f}-{max(ratios):.2f}"
        print(f"{name:<40} {statistics.median(natives):>12.0f} {statistics.median(ours):>12.0f} "
              f"{ratio:>7.2f} {goal:>6.2f} {spread:>12}{mark}")

    print(f"\nMemory for {opts.scripts} distinct scripts (growth after loading them, fresh server each):")
    print(f"{'':<22} {'used_memory':>14} {'RSS':>14}")
    rows = memory_comparison(tmp, opts.scripts)
    for label, used, rss, _ in rows:
        print(f"{label:<22} {used:>14,} {rss:>14,}")
    luax_info = rows[1][3]
    print(f"Lua VM heap: luax {luax_info.get('luax_used_memory_vm', 'n/a')} bytes (INFO luax), "
          f"native {rows[0][3].get('used_memory_lua', 'n/a')} bytes (used_memory_lua)")
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
