#!/usr/bin/env python3
"""burst.py -- test tooling: many concurrent clients, one request each time.

usage: burst.py SOCKET THREADS SECONDS OP [ARGS_JSON [PREFIX]]
Each thread opens a connection and sends requests "OP" with ARGS and a
unique id (PREFIX-THREAD-N), one after another, until SECONDS pass or the
daemon goes away. Every acknowledged request is printed at once as
"ID SEQ OK|ERRORCODE" (flushed), so a killed daemon leaves the list of what
it acknowledged. Exits 0; the counts are on stderr at the end.
"""
import json
import socket
import struct
import sys
import threading
import time

path, nthreads, seconds, op = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
args = json.loads(sys.argv[5]) if len(sys.argv) > 5 else {}
prefix = sys.argv[6] if len(sys.argv) > 6 else "burst"
lock = threading.Lock()
counts = {"ok": 0, "error": 0, "gone": 0}


def read_exact(s, n):
    buf = b""
    while len(buf) < n:
        chunk = s.recv(n - len(buf))
        if not chunk:
            raise ConnectionError("closed")
        buf += chunk
    return buf


def worker(t):
    deadline = time.time() + seconds
    n = 0
    s = None
    while time.time() < deadline:
        try:
            if s is None:
                s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                s.settimeout(30)
                s.connect(path)
            rid = "%s-%d-%d" % (prefix, t, n)
            n += 1
            body = json.dumps({"op": op, "id": rid, "args": args}).encode()
            s.sendall(b"WSGN" + struct.pack(">HHI", 1, 0, len(body)) + body)
            hdr = read_exact(s, 12)
            (length,) = struct.unpack(">I", hdr[8:12])
            r = json.loads(read_exact(s, length))
        except (OSError, ConnectionError):
            with lock:
                counts["gone"] += 1
            if s is not None:
                s.close()
            s = None
            time.sleep(0.05)
            continue
        with lock:
            if r["ok"]:
                counts["ok"] += 1
                sys.stdout.write("%s %d OK\n" % (rid, r["result"]["record"]))
            else:
                counts["error"] += 1
                sys.stdout.write("%s %d %s\n" % (rid, r["error"].get("record", -1), r["error"]["code"]))
            sys.stdout.flush()


threads = [threading.Thread(target=worker, args=(t,)) for t in range(nthreads)]
for th in threads:
    th.start()
for th in threads:
    th.join()
sys.stderr.write("burst: %d ok, %d errors, %d connection failures\n" % (counts["ok"], counts["error"], counts["gone"]))
