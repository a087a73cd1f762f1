"""Redis's `DEBUG set-disable-deny-scripts` (a switch its own test suite uses so scripts may call
`DEBUG PROTOCOL ...`): luax follows the server's switch, and converts every RESP3 type
`DEBUG PROTOCOL` produces as native EVAL does on the same server."""

import pytest

from resp import RawConnection

TYPES = ["bignum", "verbatim", "attrib", "map", "set", "double", "null", "true", "false",
         "array", "integer", "string"]
# Lua tables built from these replies are visited in the host Lua's hash order, which Valkey
# changed (README, "Valkey").
UNORDERED = {"map", "set"}


def scripts(kind, resp):
    call = f"redis.setresp({resp}); local r = redis.call('debug', 'protocol', '{kind}')"
    return [
        f"{call}; return r",
        f"{call}; return type(r) == 'table' and cjson.encode(r) or {{type(r), tostring(r)}}",
    ]


@pytest.fixture
def server(host, start_server):
    s = start_server("luax", binary=host.binary)
    yield host, s


def test_the_switch_is_followed(server):
    host, s = server
    conn = s.raw()
    body = "return redis.call('debug', 'protocol', 'true')"
    off = conn.call("LUAX.EVAL", body, 0)
    assert off.startswith(b"-ERR This Redis command is not allowed from script")
    assert conn.call("DEBUG", "set-disable-deny-scripts", "1") == b"+OK\r\n"
    assert conn.call("LUAX.EVAL", body, 0) == conn.call("EVAL", body, 0) == b":1\r\n"
    assert conn.call("DEBUG", "set-disable-deny-scripts", "0") == b"+OK\r\n"
    assert conn.call("LUAX.EVAL", body, 0) == off


def test_a_refused_switch_changes_nothing(host, start_server):
    s = start_server("dropin", binary=host.binary, module_args=["dropin", "yes"])
    admin = s.raw()
    admin.call("ACL", "SETUSER", "nodebug", "on", "nopass", "+@all", "-debug", "~*")
    user = RawConnection(s.port, user="nodebug", password="x")
    assert user.call("DEBUG", "set-disable-deny-scripts", "1").startswith(b"-NOPERM")
    assert user.call("EVAL", "return redis.call('debug', 'protocol', 'true')", 0).startswith(
        b"-ERR This Redis command is not allowed from script")
    # Once the switch is on, drop-in calls follow it too.
    assert admin.call("DEBUG", "set-disable-deny-scripts", "1") == b"+OK\r\n"
    assert admin.call("EVAL", "return redis.call('debug', 'protocol', 'true')", 0) == b":1\r\n"
    assert int(s.client().info("luax")["luax_calls"]) == 2
    user.close()


@pytest.mark.parametrize("protocol", [2, 3])
def test_debug_protocol_replies_convert_as_native(server, protocol):
    host, s = server
    conn = s.raw(protocol=protocol)
    assert conn.call("DEBUG", "set-disable-deny-scripts", "1") == b"+OK\r\n"
    compared = 0
    for kind in TYPES:
        if kind in UNORDERED and not host.is_redis:
            continue
        for resp in (2, 3):
            for body in scripts(kind, resp):
                native = conn.call("EVAL", body, 0)
                assert not native.startswith(b"-"), native
                assert conn.call("LUAX.EVAL", body, 0) == native, (host, protocol, kind, resp, body)
                compared += 1
    assert compared >= 40
