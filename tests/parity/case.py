"""Differential cases: the same input to native scripting and to luax on the same server."""

from dataclasses import dataclass
from typing import Sequence, Union

Bytes = Union[str, bytes]


@dataclass(frozen=True)
class Case:
    """A script run by EVAL / EVALSHA and by LUAX.EVAL / LUAX.EVALSHA."""

    # Unique, readable id (shows up in pytest output).
    name: str
    # The script body, exactly as sent.
    script: Bytes
    keys: Sequence[Bytes] = ()
    args: Sequence[Bytes] = ()
    # Commands run before each side (after FLUSHALL), e.g. (("SET", "k", "v"),).
    setup: Sequence[Sequence[Bytes]] = ()
    # Client protocols to compare under.
    protocols: Sequence[int] = (2, 3)
    # Compare the keyspace after the run.
    check_keyspace: bool = True
    # Also run through SCRIPT LOAD + EVALSHA.
    via_sha: bool = True


@dataclass(frozen=True)
class CommandCase:
    """A command line sent as native (e.g. EVAL ...) and as luax (LUAX.EVAL ...).

    `native` and `luax` are the command names (possibly "SCRIPT LOAD" style, space separated);
    `args` follow them. Replies must be equal once the command names inside error texts are
    put side by side (Redis names the command it ran, e.g. 'eval' vs 'luax.eval').
    """

    name: str
    native: str
    luax: str
    args: Sequence[Bytes] = ()
    setup: Sequence[Sequence[Bytes]] = ()
    protocols: Sequence[int] = (2, 3)


def registry(cases, prefix, kind=Case):
    """A function add(name, ...) that appends kind(prefix + name, ...) to `cases`; a corpus
    that gives a name twice fails as it is imported, naming the case."""
    names = set()

    def add(name, *args, **kw):
        full = prefix + name
        assert full not in names, f"duplicate case name {full}"
        names.add(full)
        cases.append(kind(full, *args, **kw))

    return add
