#!/usr/bin/env python3
"""issue_load.py -- test tooling: many registrars issuing certificates at once.

usage: issue_load.py SOCKET THREADS SECONDS FACTORY
Each thread makes EC P-256 keys and CSRs (python3-cryptography; CN = a
fresh UUID, OU = FACTORY, half of them with businessCategory=production)
and sends cert.issue requests back to back on its own connection until
SECONDS pass. Every answer is printed at once, flushed:
"OK SEQ SERIAL CN" or "ERR SEQ CODE CN". Ends with "done N" on stderr.
"""
import json
import socket
import struct
import sys
import threading
import time
import uuid

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

path, nthreads, seconds, factory = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
lock = threading.Lock()
total = [0]


def csr_pem(cn, production):
    key = ec.generate_private_key(ec.SECP256R1())
    attrs = [x509.NameAttribute(NameOID.COMMON_NAME, cn),
             x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, factory)]
    if production:
        attrs.append(x509.NameAttribute(NameOID.BUSINESS_CATEGORY, "production"))
    csr = x509.CertificateSigningRequestBuilder().subject_name(x509.Name(attrs)).sign(key, hashes.SHA256())
    return csr.public_bytes(serialization.Encoding.PEM).decode()


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
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(60)
    s.connect(path)
    n = 0
    while time.time() < deadline:
        cn = str(uuid.uuid4())
        production = n % 2 == 0
        n += 1
        body = json.dumps({"op": "cert.issue", "args": {"csr": csr_pem(cn, production),
                                                         "production": production}}).encode()
        s.sendall(b"WSGN" + struct.pack(">HHI", 1, 0, len(body)) + body)
        hdr = read_exact(s, 12)
        (length,) = struct.unpack(">I", hdr[8:12])
        r = json.loads(read_exact(s, length))
        with lock:
            total[0] += 1
            if r["ok"]:
                sys.stdout.write("OK %d %s %s\n" % (r["result"]["record"], r["result"]["serial"], cn))
            else:
                sys.stdout.write("ERR %d %s %s\n" % (r["error"].get("record", -1), r["error"]["code"], cn))
            sys.stdout.flush()
    s.close()


threads = [threading.Thread(target=worker, args=(t,)) for t in range(nthreads)]
for th in threads:
    th.start()
for th in threads:
    th.join()
sys.stderr.write("done %d\n" % total[0])
