"""ACL in drop-in mode: a call that arrives under a native name (EVAL, EVALSHA, EVAL_RO,
EVALSHA_RO, SCRIPT ...) is allowed exactly when the native command with the same arguments
would be, and refused with native's reply otherwise. The oracle is a server of the same kind
without luax; every server of the matrix is checked.

Differences the README documents, asserted as such here:
- a user granted scripting by category (`+@scripting`) on Redis 7.0, or by native command name
  (`+eval`) anywhere, is refused before luax runs, naming the luax command (fail closed);
- on Redis 7.0 a refused call queued in MULTI is refused at EXEC rather than when queued.
"""

import hashlib

import pytest

from conftest import wait_until
from resp import RawConnection

BODY_RW = "return redis.call('set', KEYS[1], ARGV[1])"
BODY_RO = "return redis.call('get', KEYS[1])"
BODY_UNDECLARED = "return redis.call('get', ARGV[1])"
BODY_PLAIN = "return 1"


def sha1(body):
    return hashlib.sha1(body.encode()).hexdigest()


# name -> ACL rules (after `reset on nopass`)
USERS = {
    "all": ["+@all", "~*", "&*"],
    "noscripting": ["+@all", "-@scripting", "~*"],
    "noeval": ["+@all", "-eval", "-evalsha", "-eval_ro", "-evalsha_ro", "~*"],
    "noevalsha": ["+@all", "-evalsha", "~*"],
    "noscript": ["+@all", "-script", "~*"],
    "noflush": ["+@all", "-script|flush", "~*"],
    "appkeys": ["+@all", "~app:*"],
    "appread": ["+@all", "%R~app:*"],
    "scripting": ["+@scripting", "~*"],
    "readscripting": ["+@read", "+@scripting", "~*"],
    "evalonly": ["+eval", "~*"],
}

# Users whose rules grant scripting by a category that module commands are not in (Redis 7.0)
# or by native command name: luax refuses them before it runs (README: the rule to add).
CATEGORY_GRANTS = {"scripting", "readscripting"}
NAME_GRANTS = {"evalonly"}

CASES = [
    ("EVAL", BODY_PLAIN, 0),
    ("EVAL", BODY_RW, 1, "app:1", "v"),
    ("EVAL", BODY_RW, 1, "other:1", "v"),
    ("EVAL", BODY_RO, 1, "app:1"),
    ("EVAL", BODY_UNDECLARED, 0, "app:2"),
    ("EVAL", BODY_UNDECLARED, 0, "other:2"),
    ("EVAL_RO", BODY_RO, 1, "app:1"),
    ("EVAL_RO", BODY_RO, 1, "other:1"),
    ("EVALSHA", sha1(BODY_PLAIN), 0),
    ("EVALSHA", sha1(BODY_RW), 1, "app:1", "v"),
    ("EVALSHA", sha1(BODY_RW), 1, "other:1", "v"),
    ("EVALSHA", sha1(BODY_UNDECLARED), 0, "other:2"),
    ("EVALSHA_RO", sha1(BODY_RO), 1, "app:1"),
    ("EVALSHA_RO", sha1(BODY_RO), 1, "other:1"),
    ("SCRIPT", "LOAD", BODY_PLAIN),
    ("SCRIPT", "EXISTS", sha1(BODY_PLAIN), "0" * 40),
    ("SCRIPT", "KILL"),
    ("SCRIPT", "FLUSH"),
    ("SCRIPT", "FLUSH", "ASYNC"),
]


class Side:
    """One server with the matrix users, an admin connection and a connection per user."""

    def __init__(self, server):
        self.server = server
        self.admin = server.raw()
        for user, rules in USERS.items():
            assert self.admin.call("ACL", "SETUSER", user, "reset", "on", "nopass", *rules) == b"+OK\r\n"
        self.users = {user: RawConnection(server.port, user=user, password="x") for user in USERS}

    def prepare(self):
        """The same starting point for every case: the scripts cached, keys in place."""
        for body in (BODY_PLAIN, BODY_RW, BODY_RO, BODY_UNDECLARED):
            assert self.admin.call("SCRIPT", "LOAD", body) == b"$40\r\n" + sha1(body).encode() + b"\r\n"
        self.admin.call("MSET", "app:1", "a", "app:2", "b", "other:1", "c", "other:2", "d")
        self.admin.call("ACL", "LOG", "RESET")

    def acl_log(self):
        """(reason, object, username) of the newest ACL LOG entry, or None."""
        reply = self.server.client().acl_log(count=1)
        if not reply:
            return None
        entry = reply[0]
        return entry["reason"], entry["object"], entry["username"]

    def close(self):
        self.admin.close()
        for conn in self.users.values():
            conn.close()


@pytest.fixture
def sides(host, start_server):
    native = Side(start_server("native", binary=host.binary, load_module=False))
    dropin = Side(start_server("dropin", binary=host.binary, module_args=["dropin", "yes"]))
    yield host, native, dropin
    native.close()
    dropin.close()


def refused(reply):
    """Refused before running (an ACL refusal raised inside a script names the script)."""
    return reply.startswith(b"-NOPERM") and b" script: " not in reply


def names_luax_command(reply):
    return b"'luax." in reply


def test_dropin_calls_obey_the_native_commands_acl_rules(sides):
    host, native, dropin = sides
    expected_differences = NAME_GRANTS | (set() if not host.is_redis else CATEGORY_GRANTS)
    identical = differing = 0
    for user in USERS:
        for case in CASES:
            outcome = {}
            for name, side in (("native", native), ("dropin", dropin)):
                side.prepare()
                reply = side.users[user].call(*case)
                outcome[name] = (reply, side.acl_log() if refused(reply) else None)
            (ours, our_log), (theirs, their_log) = outcome["dropin"], outcome["native"]
            what = f"{host} user {user}: {case}\n  luax: {ours!r}\n  native: {theirs!r}"
            # Never allow what native refuses.
            if refused(theirs):
                assert refused(ours), what
            if user in expected_differences and ours != theirs:
                # Fail closed: refused before luax runs, naming the luax command.
                assert refused(ours) and names_luax_command(ours), what
                differing += 1
                continue
            if not host.is_redis and ours.startswith(b"-") and not refused(ours):
                # Script errors: Valkey words them its own way (README, "Valkey").
                assert theirs.startswith(b"-") and not refused(theirs), what
            else:
                assert ours == theirs, what
            if refused(theirs):
                # The ACL LOG entry names the native command (or the key), for the same user.
                assert our_log == their_log, what
            identical += 1
    assert identical > 150
    if host.is_redis:
        assert differing > 0  # the 7.0 category grants are exercised


def test_a_refused_call_runs_nothing(sides):
    host, native, dropin = sides
    for side in (native, dropin):
        side.prepare()
        conn = side.users["noscripting"]
        assert refused(conn.call("EVAL", BODY_RW, 1, "app:1", "changed"))
        assert refused(conn.call("SCRIPT", "FLUSH"))
        assert side.admin.call("GET", "app:1") == b"$1\r\na\r\n"
        assert side.admin.call("SCRIPT", "EXISTS", sha1(BODY_RW)) == b"*1\r\n:1\r\n"
    assert int(dropin.server.client().info("luax")["luax_calls"]) == 0


def test_plain_luax_commands_keep_their_own_rules(host, start_server):
    # Rules naming luax.* still decide calls made under the luax names, in either mode.
    server = start_server("dropin", binary=host.binary, module_args=["dropin", "yes"])
    admin = server.raw()
    admin.call("ACL", "SETUSER", "app", "reset", "on", "nopass", "+@all", "-eval", "-luax.evalsha", "~*")
    conn = RawConnection(server.port, user="app", password="x")
    # -eval does not reach LUAX.EVAL; -luax.evalsha does not reach EVALSHA (native allows it).
    assert conn.call("LUAX.EVAL", "return 1", 0) == b":1\r\n"
    assert refused(conn.call("EVAL", "return 1", 0))
    assert refused(conn.call("LUAX.EVALSHA", sha1(BODY_PLAIN), 0))
    # EVALSHA arrives as EVALSHA: the native rules allow it; Redis checks luax.evalsha first.
    assert refused(conn.call("EVALSHA", sha1(BODY_PLAIN), 0))
    # A client spelling a luax command the way the filter marks drop-in calls gets the native
    # rules checked on top of the luax command's own.
    assert conn.call("luax.EVAL", "return 2", 0) == b"-NOPERM this user has no permissions to run the 'eval' command\r\n"
    conn.close()
    admin.close()


def test_transactions(sides):
    host, native, dropin = sides
    replies = {}
    for name, side in (("native", native), ("dropin", dropin)):
        side.prepare()
        conn = side.users["noscripting"]
        replies[name] = [conn.call("MULTI"), conn.call("SET", "app:1", "t"),
                         conn.call("EVAL", BODY_PLAIN, 0), conn.call("EXEC")]
        replies[name].append(side.admin.call("GET", "app:1"))
    native_text = replies["native"][2]
    assert refused(native_text)
    assert replies["native"][3].startswith(b"-EXECABORT")
    if host.is_redis:
        # Redis 7.0 does not tell the filter whose command it is: the call is refused when
        # EXEC runs it, with native's text (README).
        assert replies["dropin"][2] == b"+QUEUED\r\n"
        assert replies["dropin"][3] == b"*2\r\n+OK\r\n" + native_text
    else:
        assert replies["dropin"] == replies["native"]


def test_acl_categories_of_the_luax_commands(host, start_server):
    server = start_server("dropin", binary=host.binary, module_args=["dropin", "yes"])
    client = server.client()
    scripting = set(client.acl_cat("scripting"))
    luax = {b"luax.eval", b"luax.evalsha", b"luax.eval_ro", b"luax.evalsha_ro", b"luax.script|load",
            b"luax.script|exists", b"luax.script|flush", b"luax.script|kill", b"luax.script|help"}
    if host.is_redis:
        # Redis 7.0 has no RedisModule_SetCommandACLCategories.
        assert not (luax & {c.encode() if isinstance(c, str) else c for c in scripting})
        return
    names = {c.encode() if isinstance(c, str) else c for c in scripting}
    assert luax <= names
    admin = server.raw()
    admin.call("ACL", "SETUSER", "s", "reset", "on", "nopass", "+@scripting", "~*")
    admin.call("ACL", "SETUSER", "n", "reset", "on", "nopass", "+@all", "-@scripting", "~*")
    s = RawConnection(server.port, user="s", password="x")
    n = RawConnection(server.port, user="n", password="x")
    assert s.call("LUAX.EVAL", "return 1", 0) == b":1\r\n"
    assert s.call("LUAX.SCRIPT", "LOAD", "return 1") == b"$40\r\n" + sha1("return 1").encode() + b"\r\n"
    assert refused(n.call("LUAX.EVAL", "return 1", 0))
    assert refused(n.call("LUAX.SCRIPT", "FLUSH"))
    s.close()
    n.close()
    admin.close()


def test_rename_command_keeps_native_names_disabled(host, start_server):
    for name in ("EVAL", "SCRIPT"):
        renamed = ["--rename-command", name, ""]
        native = start_server("native", binary=host.binary, load_module=False, extra_args=renamed)
        dropin = start_server("dropin", binary=host.binary, module_args=["dropin", "yes"], extra_args=renamed)
        argv = ("EVAL", "return 1", 0) if name == "EVAL" else ("SCRIPT", "LOAD", "return 1")
        ours, theirs = dropin.raw().call(*argv), native.raw().call(*argv)
        assert theirs.startswith(b"-ERR unknown command")
        assert ours == theirs
        # The other names are still served by luax.
        assert dropin.raw().call("EVAL_RO", "return 'luax'", 0) == b"$4\r\nluax\r\n"
        assert int(dropin.client().info("luax")["luax_calls"]) == 1
        assert f"not serving {name.lower()}" in dropin.log()


def test_command_and_keys_both_refused(sides):
    host, native, dropin = sides
    replies = []
    for side in (native, dropin):
        side.prepare()
        assert side.admin.call("ACL", "SETUSER", "mixed", "reset", "on", "nopass", "+@all", "-eval", "~app:*") == b"+OK\r\n"
        conn = RawConnection(side.server.port, user="mixed", password="x")
        replies.append((conn.call("EVAL", BODY_PLAIN, 1, "app:1"), conn.call("EVAL", BODY_PLAIN, 1, "other:1")))
        conn.close()
    (their_command, their_both), (our_command, our_both) = replies
    # The command alone refused: native's reply.
    assert refused(their_command) and our_command == their_command
    if host.is_redis:
        assert their_both == b"-NOPERM this user has no permissions to run the 'eval' command\r\n"
        # Redis 7.0 checks the luax command's keys before luax runs (README).
        assert our_both == b"-NOPERM this user has no permissions to access one of the keys used as arguments\r\n"
    else:
        assert our_both == their_both


def test_each_call_of_a_pipeline_answers_to_its_own_name(host, start_server):
    # Which name a call arrived under travels with the call itself: in a pipeline, and queued
    # in MULTI until EXEC, calls under native and luax names interleave without mixing.
    server = start_server("dropin", binary=host.binary, module_args=["dropin", "yes"])
    admin = server.raw()
    admin.call("ACL", "SETUSER", "app", "reset", "on", "nopass", "+@all", "-eval", "~*")
    conn = RawConnection(server.port, user="app", password="x")
    calls = [("EVAL", "return 1", 0), ("LUAX.EVAL", "return 2", 0), ("EVAL_RO", "return 3", 0),
             ("EVAL", "return 4", 0), ("luax.EVAL", "return 5", 0)]  # the last spelled as a marker
    for argv in calls:
        conn.send(*argv)
    replies = [conn.read_reply() for _ in calls]
    assert [refused(r) for r in replies] == [True, False, False, True, True]
    assert replies[1:3] == [b":2\r\n", b":3\r\n"]
    admin.call("ACL", "SETUSER", "app", "+eval")
    admin.call("ACL", "SETUSER", "app", "-eval_ro")
    assert conn.call("MULTI") == b"+OK\r\n"
    for argv in (("LUAX.EVAL_RO", "return 6", 0), ("EVAL", "return 7", 0)):
        assert conn.call(*argv) == b"+QUEUED\r\n"
    assert conn.call("EXEC") == b"*2\r\n:6\r\n:7\r\n"
    conn.close()
    admin.close()


def test_a_call_postponed_by_client_pause_keeps_its_native_rules(host, start_server):
    # Redis runs the command filter again on a command it postponed during CLIENT PAUSE: the
    # call keeps the native name it arrived under.
    server = start_server("dropin", binary=host.binary, module_args=["dropin", "yes"])
    admin = server.raw()
    admin.call("ACL", "SETUSER", "app", "reset", "on", "nopass", "+@all", "-eval", "~*")
    conn = RawConnection(server.port, user="app", password="x")
    assert admin.call("CLIENT", "PAUSE", "100000", "WRITE") == b"+OK\r\n"
    conn.send("EVAL", "return 1", 0)
    if host.is_redis:
        # (Where the filter knows the client, Redis refuses the call before pausing it.)
        wait_until(lambda: b"blocked_clients:1\r\n" in admin.call("INFO", "clients"), what="EVAL postponed")
    assert admin.call("CLIENT", "UNPAUSE") == b"+OK\r\n"
    assert refused(conn.read_reply())
    assert int(server.client().info("luax")["luax_calls"]) == 0
    conn.close()
    admin.close()
