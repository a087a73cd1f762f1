"""Redis Cluster: a 3-master cluster on loopback, every node with luax loaded. LUAX.EVAL is
routed by its declared keys, and a script's own key access follows native EVAL's rules
(non-local keys, cross-slot access, the no-cluster and allow-cross-slot-keys flags)."""

import subprocess

import pytest

from conftest import wait_until, only_on_redis_70

SCRIPTS = [
    "return redis.pcall('get', KEYS[1])",
    "return redis.pcall('set', KEYS[1], 'v')",
    "return redis.pcall('get', ARGV[1])",
    "return redis.pcall('set', ARGV[1], 'v')",
    "return redis.pcall('mget', ARGV[1], ARGV[2])",
    "redis.call('get', ARGV[1]) return redis.pcall('get', ARGV[2])",
    "return redis.pcall('ping')",
    "return redis.pcall('dbsize')",
]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    from conftest import Server, free_cluster_port
    base = tmp_path_factory.mktemp("cluster")
    nodes = []
    try:
        for i in range(3):
            nodes.append(Server(str(base / f"node{i}"), port=free_cluster_port(), extra_args=[
                "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf", "--cluster-node-timeout", "5000"]))
        addrs = [f"127.0.0.1:{n.port}" for n in nodes]
        subprocess.run(["redis-cli", "--cluster", "create", *addrs, "--cluster-yes"], check=True,
                       capture_output=True, timeout=60)
        for n in nodes:
            wait_until(lambda n=n: b"cluster_state:ok" in n.raw().call("CLUSTER", "INFO"), timeout=30,
                       what="cluster ok")
        yield nodes
    finally:
        for n in nodes:
            n.stop()


def owner(nodes, key):
    conn = nodes[0].raw()
    slot = int(conn.call("CLUSTER", "KEYSLOT", key)[1:].split(b"\r\n")[0])
    for n in nodes:
        if n.raw().call("CLUSTER", "COUNTKEYSINSLOT", slot).startswith(b":"):
            reply = n.raw().call("GET", key)
            if not reply.startswith(b"-MOVED"):
                return n, slot
    raise AssertionError(f"no owner for {key}")


def keys_by_node(nodes):
    """For each node: two keys it owns in different slots; plus a key owned elsewhere."""
    found = {}
    i = 0
    while any(len(found.get(n.port, [])) < 2 for n in nodes):
        key = f"key{i}"
        i += 1
        n, slot = owner(nodes, key)
        have = found.setdefault(n.port, [])
        if len(have) < 2 and all(s != slot for _, s in have):
            have.append((key, slot))
    return found


def both(conn, script, keys, args):
    native = conn.call("EVAL", script, len(keys), *keys, *args)
    ours = conn.call("LUAX.EVAL", script, len(keys), *keys, *args)
    assert ours == native, (script, keys, args)
    return native


def test_routing_by_declared_keys(cluster):
    for key in ("foo", "bar", "{user}1"):
        holder, slot = owner(cluster, key)
        for n in cluster:
            conn = n.raw()
            reply = both(conn, "return 1", [key], [])
            if n is holder:
                assert reply == b":1\r\n"
            else:
                assert reply.startswith(b"-MOVED %d " % slot)
            sha_native = conn.call("SCRIPT", "LOAD", "return 2").split(b"\r\n")[1]
            sha_luax = conn.call("LUAX.SCRIPT", "LOAD", "return 2").split(b"\r\n")[1]
            assert conn.call("LUAX.EVALSHA", sha_luax, 1, key) == conn.call("EVALSHA", sha_native, 1, key)


def test_cross_slot_declared_keys(cluster):
    conn = cluster[0].raw()
    reply = both(conn, "return 1", ["a", "b"], [])
    assert reply == b"-CROSSSLOT Keys in request don't hash to the same slot\r\n"


@only_on_redis_70("compares with the host's own EVAL replies; Valkey words script errors its own way (9.1 leaves the SHA out of them) (README, Valkey)")
@pytest.mark.parametrize("shebang", ["", "#!lua\n", "#!lua flags=allow-cross-slot-keys\n", "#!lua flags=no-writes\n"])
def test_undeclared_access(cluster, shebang):
    by_node = keys_by_node(cluster)
    for n in cluster:
        conn = n.raw()
        (local1, _), (local2, _) = by_node[n.port]
        remote = next(k for port, ks in by_node.items() if port != n.port for k, _ in ks)
        for script in SCRIPTS:
            body = shebang + script
            both(conn, body, [local1], [local2, remote])
            both(conn, body, [local1], [local1, local2])
            both(conn, body, [], [local1, local2])
            both(conn, body, [], [remote, local1])


def test_no_cluster_flag(cluster):
    conn = cluster[0].raw()
    reply = both(conn, "#!lua flags=no-cluster\nreturn 1", [], [])
    assert reply == b"-ERR Can not run script on cluster, 'no-cluster' flag is set.\r\n"
