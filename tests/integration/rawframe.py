#!/usr/bin/env python3
"""rawframe.py -- test tooling: speak (or mis-speak) the wavesign protocol.

usage: rawframe.py SOCKET MODE [ARG]
  MODE json TEXT       send TEXT in a well-formed frame
  MODE magic           send a header with a wrong magic
  MODE version         send a header with protocol version 2
  MODE oversize N      announce a payload of N bytes (sends only the header)
  MODE short           announce 10 bytes, send 3, then close the write side
  MODE stall           open a connection and send nothing (prints when closed)
Prints the response's ok flag, error code and message, one per line, or
"closed" when the daemon closed without answering.
"""
import json
import socket
import struct
import sys


def frame(payload, magic=b"WSGN", version=1, length=None):
    n = len(payload) if length is None else length
    return magic + struct.pack(">HHI", version, 0, n) + payload


def read_exact(s, n):
    buf = b""
    while len(buf) < n:
        chunk = s.recv(n - len(buf))
        if not chunk:
            return None
        buf += chunk
    return buf


def read_response(s):
    hdr = read_exact(s, 12)
    if hdr is None:
        return None
    if hdr[:4] != b"WSGN":
        raise SystemExit("bad magic in response")
    (n,) = struct.unpack(">I", hdr[8:12])
    body = read_exact(s, n)
    return json.loads(body)


def main():
    path, mode = sys.argv[1], sys.argv[2]
    arg = sys.argv[3] if len(sys.argv) > 3 else None
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(20)
    s.connect(path)
    if mode == "json":
        s.sendall(frame(arg.encode()))
    elif mode == "magic":
        s.sendall(frame(b'{"op":"status"}', magic=b"XXXX"))
    elif mode == "version":
        s.sendall(frame(b'{"op":"status"}', version=2))
    elif mode == "oversize":
        s.sendall(frame(b"", length=int(arg)))
    elif mode == "short":
        s.sendall(frame(b"{\"o", length=10))
        s.shutdown(socket.SHUT_WR)
    elif mode == "stall":
        pass
    else:
        raise SystemExit("unknown mode " + mode)
    r = read_response(s)
    if r is None:
        print("closed")
        return
    print(r["ok"])
    if not r["ok"]:
        print(r["error"]["code"])
        print(r["error"]["message"])
    else:
        print(json.dumps(r["result"], sort_keys=True))


main()
