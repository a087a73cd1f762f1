"""Snapshots of a server's keyspace, to compare what two runs left behind."""


def keyspace(conn, value=("DUMP",)):
    """Every key of every database: type, the `value` command's reply (DUMP payload by
    default), and whether it has a TTL."""
    snap = {}
    info = conn.call("INFO", "keyspace")
    dbs = [int(line.split(b":")[0][2:]) for line in info.split(b"\r\n") if line.startswith(b"db")]
    for db in dbs:
        conn.call("SELECT", db)
        for key in sorted(bulk_strings(conn.call("KEYS", "*"))):
            pttl = int(conn.call("PTTL", key)[1:].split(b"\r\n")[0])
            snap[(db, key)] = (conn.call("TYPE", key), conn.call(*value, key), pttl > 0)
    conn.call("SELECT", 0)
    return snap


def bulk_strings(raw):
    """Bulk strings of a flat array (RESP2 array or RESP3 set), read by their lengths: key
    names may hold CR, LF or a leading '$'."""
    out = []
    pos = raw.index(b"\r\n") + 2
    while pos < len(raw):
        end = raw.index(b"\r\n", pos)
        size = int(raw[pos + 1:end])
        out.append(raw[end + 2:end + 2 + size])
        pos = end + 2 + size + 2
    return out


def digest_keyspace(conn):
    """The keyspace with an order-independent digest of each value: DUMP would do on one
    server, but hash-table order depends on each server's random hash seed."""
    return keyspace(conn, value=("DEBUG", "DIGEST-VALUE"))
