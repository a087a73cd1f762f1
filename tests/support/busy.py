"""Long-running scripts: the replies other clients get, a command run in the background,
and the wait-for-BUSY-then-kill sequence."""

import threading

from conftest import wait_until

BUSY = b"-BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.\r\n"
UNKILLABLE = (b"-UNKILLABLE Sorry the script already executed write commands against the dataset. You can either "
              b"wait the script termination or kill the server in a hard way using the SHUTDOWN NOSAVE command.\r\n")
NOTBUSY = b"-NOTBUSY No scripts in execution right now.\r\n"


class Background:
    """Runs one command on its own connection in a thread."""

    def __init__(self, server, *args, protocol=2, timeout=30.0):
        self.conn = server.raw(protocol=protocol, timeout=timeout)
        self.reply = None
        self.thread = threading.Thread(target=self._run, args=args, daemon=True)
        self.thread.start()

    def _run(self, *args):
        try:
            self.reply = self.conn.call(*args)
        except Exception as e:  # the server may go away (SHUTDOWN NOSAVE), die or wedge
            self.reply = e

    def alive(self):
        return self.thread.is_alive()

    def join(self, timeout=20):
        self.thread.join(timeout)
        assert not self.thread.is_alive(), "script did not end"
        return self.reply


def wait_busy(conn):
    return wait_until(lambda: conn.call("PING") == BUSY, timeout=10, what="BUSY reply")


def kill_flow(server, eval_cmd, kill_cmd, script, protocol=2):
    """Starts `script`, waits for BUSY, kills it; returns (kill reply, script reply)."""
    job = Background(server, eval_cmd, script, 0, protocol=protocol)
    other = server.raw(protocol=protocol)
    wait_busy(other)
    assert other.call(eval_cmd, "return 1", 0) == BUSY
    kill = other.call(*kill_cmd.split())
    reply = job.join()
    assert other.call("PING") == (b"+PONG\r\n")
    return kill, reply
