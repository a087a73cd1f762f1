"""A minimal RESP client that returns replies as raw bytes, for byte-exact comparisons."""

import socket


class RespError(Exception):
    pass


def encode(*args) -> bytes:
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        if isinstance(a, str):
            a = a.encode()
        elif isinstance(a, int):
            a = str(a).encode()
        out.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(out)


class RawConnection:
    """One connection; `call` returns the complete raw reply (RESP2 or RESP3)."""

    def __init__(self, port, protocol=2, timeout=30.0, user=None, password=None):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.buf = b""
        if user is not None:
            self.call("AUTH", user, password)
        if protocol == 3:
            reply = self.call("HELLO", "3")
            if reply.startswith(b"-"):
                raise RespError(reply)

    def close(self):
        self.sock.close()

    def send(self, *args):
        self.sock.sendall(encode(*args))

    def call(self, *args) -> bytes:
        self.send(*args)
        return self.read_reply()

    def _fill(self):
        chunk = self.sock.recv(1 << 20)
        if not chunk:
            raise ConnectionError("connection closed")
        self.buf += chunk

    def _line_end(self, pos):
        while True:
            end = self.buf.find(b"\r\n", pos)
            if end >= 0:
                return end
            self._fill()

    def _skip(self, pos):
        """Returns the position right after the value starting at pos (iterative: replies
        may nest thousands deep)."""
        pending = 1
        while pending:
            pending -= 1
            end = self._line_end(pos)
            kind = self.buf[pos:pos + 1]
            head = self.buf[pos + 1:end]
            pos = end + 2
            if kind in (b"$", b"=", b"!"):
                n = int(head)
                if n >= 0:
                    while len(self.buf) < pos + n + 2:
                        self._fill()
                    pos += n + 2
            elif kind in (b"*", b"~", b">", b"%", b"|"):
                n = int(head)
                if n > 0:
                    pending += n * 2 if kind in (b"%", b"|") else n
                if kind == b"|":
                    pending += 1
        return pos

    def read_reply(self) -> bytes:
        if not self.buf:
            self._fill()
        end = self._skip(0)
        reply, self.buf = self.buf[:end], self.buf[end:]
        return reply
