"""What operators see: INFO luax, MODULE LIST, redis.log lines in the server log, and the
heap-limit module argument."""

import re

import pytest
import redis

from conftest import only_on_redis_70
from support.busy import Background, wait_busy
from support.crate import crate_version

FIELDS = ["luax_version", "luax_dropin", "luax_cached_scripts", "luax_used_memory_vm", "luax_used_memory_vm_human",
          "luax_used_memory_vm_limit", "luax_used_memory_scripts", "luax_calls", "luax_errors", "luax_kills",
          "luax_busy_events", "luax_auto_kills", "luax_evicted_scripts", "luax_unloadable_scripts",
          "luax_persist_scripts"]


def bytes_to_human(n):
    """Redis's bytesToHuman."""
    for power, unit in ((1, "K"), (2, "M"), (3, "G"), (4, "T"), (5, "P")):
        if n < 1024 ** (power + 1):
            return f"{n / 1024 ** power:.2f}{unit}" if n >= 1024 else f"{n}B"
    return f"{n}B"


def raw_info(text):
    """INFO text -> (section headers, ordered (field, value) pairs)."""
    headers = [line for line in text.splitlines() if line.startswith("#")]
    pairs = [tuple(line.split(":", 1)) for line in text.splitlines() if ":" in line and not line.startswith("#")]
    return headers, pairs


def info_text(server, *section):
    """INFO's text, read raw (redis-py would parse it)."""
    conn = server.raw()
    try:
        reply = conn.call("INFO", *section)
    finally:
        conn.close()
    head, body = reply.split(b"\r\n", 1)
    assert head.startswith(b"$") and body.endswith(b"\r\n")
    return body[:-2].decode()


def luax_info_section(server):
    text = info_text(server, "luax")
    headers, pairs = raw_info(text)
    assert headers == ["# luax"]
    return dict(pairs)


def test_section_layout(server):
    headers, pairs = raw_info(info_text(server, "luax"))
    assert headers == ["# luax"]
    assert [name for name, _ in pairs] == FIELDS
    info = dict(pairs)
    assert info["luax_version"] == crate_version()
    assert info["luax_dropin"] == "no"
    assert info["luax_used_memory_vm_limit"] == str(1 << 30)
    vm = int(info["luax_used_memory_vm"])
    assert 1024 < vm < 1 << 20
    assert info["luax_used_memory_vm_human"] == bytes_to_human(vm)
    assert [info[f] for f in ("luax_cached_scripts", "luax_used_memory_scripts", "luax_calls", "luax_errors",
                              "luax_kills", "luax_busy_events", "luax_auto_kills")] == ["0"] * 7


def test_section_is_in_modules_and_everything(server):
    for section in ("modules", "everything"):
        assert "# luax" in info_text(server, section), section
    # Like every module section, not in the default INFO nor in INFO all.
    for section in ((), ("all",)):
        assert "luax_calls" not in info_text(server, *section), section


def test_cache_and_counters_follow_commands(server):
    r = server.client()
    r.execute_command("LUAX.SCRIPT", "LOAD", "return 1")
    r.execute_command("LUAX.SCRIPT", "LOAD", "return 1")
    r.execute_command("LUAX.SCRIPT", "LOAD", "return 2")
    info = luax_info_section(server)
    assert info["luax_cached_scripts"] == "2"
    assert int(info["luax_used_memory_scripts"]) >= len("return 1") + len("return 2")
    assert info["luax_calls"] == "0"

    assert r.execute_command("LUAX.EVAL", "return 3", 0) == 3
    assert r.execute_command("LUAX.EVALSHA", "e0e1f9fabfc9d4800c877a703b823ac0578ff8db", 0) == 1
    with pytest.raises(redis.ResponseError):
        r.execute_command("LUAX.EVAL", "return redis.call('nosuch')", 0)
    with pytest.raises(redis.ResponseError):
        r.execute_command("LUAX.EVAL", "return {err='MYERR x'}", 0)
    with pytest.raises(redis.exceptions.NoScriptError):
        r.execute_command("LUAX.EVALSHA", "a" * 40, 0)  # not a run
    with pytest.raises(redis.ResponseError):
        r.execute_command("LUAX.EVAL", "return +", 0)  # compile error: not a run
    info = luax_info_section(server)
    assert info["luax_cached_scripts"] == "5"
    assert (info["luax_calls"], info["luax_errors"]) == ("4", "2")
    loaded_memory = int(info["luax_used_memory_vm"])

    assert r.execute_command("LUAX.SCRIPT", "FLUSH") == b"OK"
    info = luax_info_section(server)
    assert (info["luax_cached_scripts"], info["luax_used_memory_scripts"]) == ("0", "0")
    assert int(info["luax_used_memory_vm"]) < loaded_memory
    assert info["luax_calls"] == "4"  # counters survive a flush, as Redis's stats do


def test_info_from_inside_a_script(server):
    r = server.client()
    sha = r.execute_command("LUAX.SCRIPT", "LOAD", "return redis.call('INFO', 'luax')")
    r.execute_command("LUAX.EVAL", "return 1", 0)
    text = r.execute_command("LUAX.EVALSHA", sha, 0).decode()
    headers, pairs = raw_info(text)
    info = dict(pairs)
    assert headers == ["# luax"] and [name for name, _ in pairs] == FIELDS
    # Counters are live (this run is the second); the cache as of the previous command.
    assert (info["luax_calls"], info["luax_cached_scripts"]) == ("2", "2")
    assert int(info["luax_used_memory_vm"]) > 0
    # The whole INFO, too, while the engine is busy running the script.
    everything = r.execute_command("LUAX.EVAL", "return redis.call('INFO', 'everything')", 0).decode()
    assert "# luax" in everything and "luax_calls:3" in everything
    assert r.ping()


def test_kills_and_busy_events(start_server):
    server = start_server("busy", extra_args=["--busy-reply-threshold", "100"])
    job = Background(server, "LUAX.EVAL", "while true do pcall(function() while true do end end) end", 0)
    other = server.raw()
    wait_busy(other)
    assert other.call("LUAX.SCRIPT", "KILL") == b"+OK\r\n"
    job.join()
    info = luax_info_section(server)
    assert (info["luax_calls"], info["luax_errors"], info["luax_kills"], info["luax_busy_events"]) == \
        ("1", "1", "1", "1")


def test_heap_limit_argument(start_server):
    server = start_server("heap", module_args=["HEAP-LIMIT", "4mb"])
    assert luax_info_section(server)["luax_used_memory_vm_limit"] == str(4 << 20)
    r = server.client()
    with pytest.raises(redis.ResponseError, match="not enough memory"):
        r.execute_command("LUAX.EVAL", "local t = {} for i = 1, 1e6 do t[i] = i end return #t", 0)
    assert r.execute_command("LUAX.EVAL", "local t = {} for i = 1, 1e4 do t[i] = i end return #t", 0) == 10000
    assert int(luax_info_section(server)["luax_used_memory_vm"]) < 4 << 20


def test_module_list_shows_the_crate_version(server):
    r = server.client()
    r.response_callbacks.pop("MODULE LIST", None)
    modules = {m[1]: dict(zip(m[0::2], m[1::2])) for m in r.execute_command("MODULE", "LIST")}
    major, minor, patch = (int(p) for p in crate_version().split("-")[0].split(".")[:3])
    assert modules[b"luax"][b"ver"] == major * 10000 + minor * 100 + patch


LEVELS = [("LOG_DEBUG", "."), ("LOG_VERBOSE", "-"), ("LOG_NOTICE", "*"), ("LOG_WARNING", "#")]
LOG_LINE = re.compile(r"^\d+:[A-Z] \d+ \w+ \d+ [\d:.]+ (.) (.*)$")


def log_lines(server, marker):
    """(level character, message) of the log lines whose message contains `marker`."""
    out = []
    for line in server.log().splitlines():
        m = LOG_LINE.match(line)
        if m and marker in m.group(2):
            out.append((m.group(1), m.group(2)))
    return out


@only_on_redis_70("Valkey 9.1's Lua engine is a module: its redis.log lines carry a '<lua> ' prefix")
@pytest.mark.parametrize("loglevel", ["debug", "notice"])
def test_redis_log_levels_match_native(start_server, loglevel):
    server = start_server("log", extra_args=["--loglevel", loglevel])
    r = server.client()
    for command in ("EVAL", "LUAX.EVAL"):
        body = " ".join(f"redis.log(redis.{name}, '{command}-{name}-line')" for name, _ in LEVELS)
        r.execute_command(command, body, 0)
    shown = {"debug": LEVELS, "notice": LEVELS[2:]}[loglevel]
    native = log_lines(server, "EVAL-LOG_")
    ours = log_lines(server, "LUAX.EVAL-LOG_")
    native = [line for line in native if not line[1].startswith("<luax>")]
    assert native == [(char, f"EVAL-{name}-line") for name, char in shown]
    # Same level characters; Redis prefixes every module's log line with its name.
    assert ours == [(char, f"<luax> LUAX.EVAL-{name}-line") for name, char in shown]
