"""One script registry for a whole Redis Cluster: a script loaded on any node runs by SHA on
every node (masters and replicas), nodes that were away catch up, a flush empties every node.
A real 6-node cluster (3 masters, 3 replicas) in drop-in mode, built by redis-cli."""

import hashlib
import re
import subprocess
import threading
import time

import pytest
import redis
import redis.cluster

from conftest import MEASUREMENTS, Server, free_cluster_port, wait_until

CLUSTER_ARGS = ["--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf", "--cluster-node-timeout", "3000"]
SPREAD_TIMEOUT = 15


class Cluster:
    def __init__(self, base):
        self.base = base
        self.nodes = []

    def start_node(self, name, port=None):
        node = Server(str(self.base / name), port=port or free_cluster_port(), extra_args=CLUSTER_ARGS,
                      module_args=["dropin", "yes"])
        node.name = name
        return node

    def restart(self, node):
        """Stops `node` and starts it again on its port and directory (its cluster identity)."""
        node.stop()
        fresh = self.start_node(node.name, port=node.port)
        self.nodes[self.nodes.index(node)] = fresh
        wait_cluster_ok(fresh)
        return fresh

    def stop(self):
        for n in self.nodes:
            n.stop()


def cluster_info(node):
    return node.client().execute_command("CLUSTER", "INFO").decode()


def wait_cluster_ok(node):
    wait_until(lambda: "cluster_state:ok" in cluster_info(node), timeout=60, what=f"cluster ok on {node.port}")


def role(node):
    return node.client().execute_command("ROLE")[0].decode()


def exists(node, sha):
    return node.client().execute_command("LUAX.SCRIPT", "EXISTS", sha) == [1]


def wait_everywhere(nodes, sha, present=True):
    """Polls until every node has (or lacks) `sha`; returns the seconds it took."""
    start = time.monotonic()
    wait_until(lambda: all(exists(n, sha) == present for n in nodes), timeout=SPREAD_TIMEOUT,
               what=f"{sha} {'on' if present else 'gone from'} every node")
    return time.monotonic() - start


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    c = Cluster(tmp_path_factory.mktemp("registry-cluster"))
    try:
        for i in range(6):
            c.nodes.append(c.start_node(f"node{i}"))
        addrs = [f"127.0.0.1:{n.port}" for n in c.nodes]
        subprocess.run(["redis-cli", "--cluster", "create", *addrs, "--cluster-replicas", "1", "--cluster-yes"],
                       check=True, capture_output=True, timeout=120)
        for n in c.nodes:
            wait_cluster_ok(n)
        wait_until(lambda: sorted(role(n) for n in c.nodes) == ["master"] * 3 + ["slave"] * 3, timeout=30,
                   what="3 masters and 3 replicas")
        yield c
    finally:
        c.stop()


def load(node, body):
    return node.client().execute_command("LUAX.SCRIPT", "LOAD", body).decode()


def test_load_on_one_node_runs_on_every_node(cluster):
    body = "return 'everywhere'"
    sha = load(cluster.nodes[4], body)
    took = wait_everywhere(cluster.nodes, sha)
    MEASUREMENTS["cluster: SCRIPT LOAD on one node until all 6 nodes have it"] = f"{took * 1000:.0f} ms"
    for n in cluster.nodes:
        assert n.client().execute_command("LUAX.EVALSHA_RO", sha, 0) == b"everywhere"
        # Drop-in: the native name finds it too.
        assert n.client().execute_command("EVALSHA_RO", sha, 0) == b"everywhere"


def test_loading_the_same_script_on_two_nodes_is_one_script(cluster):
    body = "return 'twice'"
    sha = load(cluster.nodes[0], body)
    assert load(cluster.nodes[1], body) == sha
    wait_everywhere(cluster.nodes, sha)
    counts = {n.client().info("luax")["luax_cached_scripts"] for n in cluster.nodes}
    assert len(counts) == 1, counts


def test_two_nodes_loading_at_the_same_moment(cluster):
    bodies = [f"return 'race {i}'" for i in range(2)]
    masters = [n for n in cluster.nodes if role(n) == "master"][:2]
    barrier = threading.Barrier(2)
    shas = [None, None]

    def loader(i):
        client = masters[i].client()
        barrier.wait()
        shas[i] = load(masters[i], bodies[i])
        client.close()

    threads = [threading.Thread(target=loader, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for sha in shas:
        wait_everywhere(cluster.nodes, sha)


def test_a_one_megabyte_script(cluster):
    body = "local s = '" + "x" * (1 << 20) + "' return #s"
    sha = load(cluster.nodes[2], body)
    took = wait_everywhere(cluster.nodes, sha)
    MEASUREMENTS["cluster: a 1 MB script until all 6 nodes have it"] = f"{took * 1000:.0f} ms"
    for n in cluster.nodes:
        assert n.client().execute_command("LUAX.EVALSHA_RO", sha, 0) == 1 << 20


def stays_absent(nodes, sha, seconds=2.5):
    """Holds while `sha` stays off every node for a few digest rounds (one a second)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert not any(exists(n, sha) for n in nodes)
        time.sleep(0.1)


def test_eval_born_scripts_stay_on_their_node(cluster):
    node = cluster.nodes[0]
    body = "return 'only here'"
    assert node.client().execute_command("LUAX.EVAL", body, 0) == b"only here"
    sha = hashlib.sha1(body.encode()).hexdigest()
    assert exists(node, sha)
    stays_absent(cluster.nodes[1:], sha)


def test_a_node_that_was_down_catches_up_on_restart(cluster):
    replica = next(n for n in cluster.nodes if role(n) == "slave")
    replica.stop()
    body = "return 'loaded while a node was down'"
    sha = load(cluster.nodes[0], body)
    alive = [n for n in cluster.nodes if n is not replica]
    wait_everywhere(alive, sha)
    back = cluster.restart(replica)
    start = time.monotonic()
    wait_until(lambda: exists(back, sha), timeout=SPREAD_TIMEOUT, what="restarted node catches up")
    MEASUREMENTS["cluster: a restarted node, from cluster ok until it has the script"] = \
        f"{(time.monotonic() - start) * 1000:.0f} ms"
    assert back.client().execute_command("LUAX.EVALSHA_RO", sha, 0) == b"loaded while a node was down"


def test_a_node_that_missed_a_flush_does_not_bring_scripts_back(cluster):
    """A master restarts from its own RDB, which still holds a script flushed while it was
    down (quickly enough to stay a master, so no full sync replaces what it loaded): the
    epoch saved with the scripts tells it that it is behind, so it flushes instead of
    spreading the script again."""
    sha = load(cluster.nodes[0], "return 'flushed while a node was down'")
    wait_everywhere(cluster.nodes, sha)
    away = next(n for n in cluster.nodes if role(n) == "master")
    assert away.client().execute_command("SAVE") is True
    away.stop()
    alive = [n for n in cluster.nodes if n is not away]
    alive[0].client().execute_command("LUAX.SCRIPT", "FLUSH")
    wait_everywhere(alive, sha, present=False)
    back = cluster.restart(away)
    restored = re.search(r"restored (\d+) of \1 saved scripts", back.log())
    assert restored and int(restored.group(1)) >= 1, back.log()
    wait_until(lambda: not exists(back, sha), timeout=SPREAD_TIMEOUT, what="restarted node follows the flush")
    stays_absent(cluster.nodes, sha)


def test_a_promoted_replica_has_every_script(cluster):
    body = "return 'after failover'"
    sha = load(cluster.nodes[1], body)
    wait_everywhere(cluster.nodes, sha)
    replica = next(n for n in cluster.nodes if role(n) == "slave")
    # A manual failover needs the replica in sync with its master.
    wait_until(lambda: replica.client().info("replication").get("master_link_status") == "up", timeout=30,
               what="replica in sync")
    replica.client().execute_command("CLUSTER", "FAILOVER")
    wait_until(lambda: role(replica) == "master", timeout=30, what="replica promoted")
    for n in cluster.nodes:
        wait_cluster_ok(n)
    assert replica.client().execute_command("EVALSHA", sha, 0) == b"after failover"


def test_flush_on_any_node_empties_every_node(cluster):
    sha = load(cluster.nodes[3], "return 'to be flushed'")
    wait_everywhere(cluster.nodes, sha)
    cluster.nodes[5].client().execute_command("LUAX.SCRIPT", "FLUSH")
    wait_everywhere(cluster.nodes, sha, present=False)
    assert {n.client().info("luax")["luax_cached_scripts"] for n in cluster.nodes} == {0}
    # Loads after the flush spread again.
    again = load(cluster.nodes[0], "return 'after the flush'")
    wait_everywhere(cluster.nodes, again)
    stays_absent(cluster.nodes, sha)


def test_redis_py_cluster_scripts_and_pipelines_never_see_noscript(cluster):
    body = "return redis.call('incr', KEYS[1])"
    seed = next(n for n in cluster.nodes if role(n) == "master")
    sha = load(seed, body)
    wait_everywhere(cluster.nodes, sha)
    for n in cluster.nodes:
        n.client().execute_command("CONFIG", "RESETSTAT")
    rc = redis.cluster.RedisCluster(host="127.0.0.1", port=seed.port)
    try:
        incr = rc.register_script(body)
        keys = [f"counter:{i}" for i in range(60)]
        for k in keys:
            assert incr(keys=[k]) == 1
        # A cluster pipeline cannot recover from NOSCRIPT (redis-py blocks its evalsha
        # method for that reason); the command itself goes through.
        pipe = rc.pipeline()
        for k in keys:
            pipe.execute_command("EVALSHA", incr.sha, 1, k)
        assert pipe.execute() == [2] * len(keys)
    finally:
        rc.close()
    for n in cluster.nodes:
        errors = n.client().info("errorstats")
        assert "errorstat_NOSCRIPT" not in errors, (n.port, errors)
    served = sum(int(n.client().info("commandstats").get("cmdstat_luax.evalsha", {}).get("calls", 0))
                 for n in cluster.nodes)
    assert served == 2 * len(keys)


def test_a_new_node_gets_every_script(cluster):
    shas = [load(cluster.nodes[0], f"return 'before add-node {i}'") for i in range(3)]
    for sha in shas:
        wait_everywhere(cluster.nodes, sha)
    newcomer = cluster.start_node("node-added")
    cluster.nodes.append(newcomer)
    subprocess.run(["redis-cli", "--cluster", "add-node", f"127.0.0.1:{newcomer.port}",
                    f"127.0.0.1:{cluster.nodes[0].port}"], check=True, capture_output=True, timeout=60)
    wait_cluster_ok(newcomer)
    start = time.monotonic()
    wait_until(lambda: all(exists(newcomer, sha) for sha in shas), timeout=SPREAD_TIMEOUT,
               what="added node catches up")
    MEASUREMENTS["cluster: an added node, from cluster ok until it has every script"] = \
        f"{(time.monotonic() - start) * 1000:.0f} ms"
    counts = {n.client().info("luax")["luax_cached_scripts"] for n in cluster.nodes}
    assert len(counts) == 1, counts
