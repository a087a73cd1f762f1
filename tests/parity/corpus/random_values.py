"""Seeded random Lua values returned by scripts and passed through redis.call, so the
conversion rules are exercised on shapes nobody wrote by hand."""

import random

from parity.case import registry
from parity.lua import lua_str

CASES = []
case = registry(CASES, "random-")
RNG = random.Random(0x1A7A5)

SPECIAL_KEYS = ["ok", "err", "double", "big_number", "verbatim_string", "map", "set"]


def lua_string(rng):
    alphabet = "abcXYZ019 _-\\\"'\r\n\0\x7f\xe9"
    return lua_str("".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12))).encode("latin-1"))


def lua_number(rng):
    return rng.choice([
        str(rng.randint(-1000, 1000)), str(rng.randint(-2**62, 2**62)), repr(rng.uniform(-1e6, 1e6)),
        "0/0", "1/0", "-1/0", "2^53", "2^63", "-2^63", "0.5", "-0.5", "1e300", "-1e-300", "3.99",
    ])


def lua_value(rng, depth):
    kind = rng.random()
    if depth > 3 or kind < 0.25:
        return rng.choice([lua_number(rng), lua_string(rng), "true", "false", "nil"])
    if kind < 0.55:
        items = [lua_value(rng, depth + 1) for _ in range(rng.randint(0, 6))]
        return "{" + ", ".join(items) + "}"
    if kind < 0.75:
        key = rng.choice(SPECIAL_KEYS)
        if key in ("ok", "err", "big_number"):
            inner = lua_string(rng) if rng.random() < 0.8 else lua_number(rng)
        elif key == "double":
            inner = lua_number(rng) if rng.random() < 0.8 else lua_string(rng)
        elif key == "verbatim_string":
            inner = "{format=%s, string=%s}" % (rng.choice(['"txt"', '"mkd"', '"x"', '"markdown"', "1"]), lua_string(rng))
        else:
            inner = lua_table_with_keys(rng, depth + 1)
        extra = ", " + rng.choice(SPECIAL_KEYS) + " = " + lua_value(rng, depth + 1) if rng.random() < 0.3 else ""
        return "{%s = %s%s}" % (key, inner, extra)
    return lua_table_with_keys(rng, depth + 1)


def lua_table_with_keys(rng, depth):
    parts = []
    for _ in range(rng.randint(0, 5)):
        key_kind = rng.random()
        if key_kind < 0.4:
            key = "k%d" % rng.randint(0, 50)
            parts.append("%s = %s" % (key, lua_value(rng, depth + 1)))
        elif key_kind < 0.7:
            parts.append("[%d] = %s" % (rng.randint(-2, 8), lua_value(rng, depth + 1)))
        else:
            parts.append("[%s] = %s" % (lua_string(rng), lua_value(rng, depth + 1)))
    return "{" + ", ".join(parts) + "}"


for i in range(200):
    value = lua_value(RNG, 0)
    case(f"return-{i}", f"return {value}", via_sha=i % 4 == 0)

for i in range(60):
    value = lua_value(RNG, 1)
    resp = RNG.choice([2, 3])
    case(f"setresp{resp}-{i}", f"redis.setresp({resp}) return {value}", via_sha=False)

# Random values stored and read back through commands.
for i in range(60):
    values = [lua_string(RNG) if RNG.random() < 0.6 else lua_number(RNG) for _ in range(RNG.randint(1, 5))]
    script = ("redis.call('del', 'l') redis.call('rpush', 'l', %s) "
              "local r = redis.call('lrange', 'l', 0, -1) "
              "redis.call('hset', 'h', 'f', r[1]) return {r, redis.call('hgetall', 'h')}") % ", ".join(values)
    case(f"roundtrip-{i}", script, via_sha=False)
