"""How `redis.call` arguments reach the command: the objects a command stores must be encoded as
native EVAL stores them (OBJECT ENCODING is observable, and so is the memory it takes).

Up to 64 arguments after the command name Redis builds each object itself; beyond that luax
hands over a vector of strings it shares with the command while it runs, so values are kept
as strings where native EVAL converts them to `int` (README, "Differences from native EVAL")."""

import pytest

from conftest import only_on_redis_70

# MSET of `pairs` integer values, then each value's encoding and the values themselves.
MSET_SCRIPT = """
local argv = {}
for i = 1, tonumber(ARGV[1]) do argv[#argv + 1] = 'k' .. i argv[#argv + 1] = tostring(i * 1000003) end
redis.call('MSET', unpack(argv))
local out = {}
for i = 1, tonumber(ARGV[1]) do
  out[#out + 1] = redis.call('OBJECT', 'ENCODING', 'k' .. i) .. '=' .. redis.call('GET', 'k' .. i)
end
return out
"""


def run_both(client, pairs):
    client.flushall()
    native = client.eval(MSET_SCRIPT, 0, pairs)
    client.flushall()
    ours = client.execute_command("LUAX.EVAL", MSET_SCRIPT, 0, pairs)
    return native, ours


@only_on_redis_70("native EVAL on Valkey 9.1 stores integer-looking values as embstr; luax keeps Redis 7.0's encoding")
@pytest.mark.parametrize("pairs", [1, 4, 5, 16, 32])
def test_stored_values_are_encoded_as_native(shared_server, pairs):
    native, ours = run_both(shared_server.client(), pairs)
    assert ours == native
    assert all(v.startswith(b"int=") for v in native)


@only_on_redis_70("native EVAL on Valkey 9.1 stores integer-looking values as embstr; luax keeps Redis 7.0's encoding")
def test_beyond_64_arguments_values_stay_strings(shared_server):
    native, ours = run_both(shared_server.client(), 33)
    assert all(v.startswith(b"int=") for v in native)
    assert ours == [v.replace(b"int=", b"embstr=") for v in native]


def test_very_long_argument_lists(shared_server):
    r = shared_server.client()
    script = "local t = {'RPUSH', KEYS[1]} for i = 1, 5000 do t[#t + 1] = i end return redis.call(unpack(t))"
    r.delete("long")
    assert r.execute_command("LUAX.EVAL", script, 1, "long") == 5000
    assert r.lrange("long", 4999, 4999) == [b"5000"]
