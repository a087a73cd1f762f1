"""One differential case: a script run by native EVAL and by LUAX.EVAL on the same server."""

from dataclasses import dataclass, field
from typing import Sequence, Union

Bytes = Union[str, bytes]


@dataclass(frozen=True)
class Case:
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
    # Compare the keyspace after the run (DEBUG DIGEST-free dump of every key).
    check_keyspace: bool = True
