#!/usr/bin/env python3
"""tuf_sslib_check.py -- what tuf-js does not check in a tuf-dialect
repository, checked with Debian's python3-securesystemslib: every keyid is
the SHA-256 of its key object's canonical JSON (securesystemslib's encoder),
every `expires` matches securesystemslib's ISO 8601 schema, and every
signature verifies with securesystemslib.keys.verify_signature() over
securesystemslib's canonical encoding of `signed`, to each role's threshold.

usage: tuf_sslib_check.py DIR     (consistent snapshots: N.snapshot.json ...)
Prints "ok ..." and exits 0, or the first problem and exits 1.
"""
import hashlib
import json
import os
import sys

from securesystemslib import formats, keys


class Refused(Exception):
    pass


def read(path, name):
    with open(os.path.join(path, name), "rb") as f:
        return json.loads(f.read())


def check(name, doc, root, role):
    signed = doc["signed"]
    if signed["_type"] != role:
        raise Refused(f"{name}: _type {signed['_type']!r}")
    if not formats.ISO8601_DATETIME_SCHEMA.matches(signed["expires"]):
        raise Refused(f"{name}: expires {signed['expires']!r} fails securesystemslib's schema")
    if not signed["spec_version"].startswith("1."):
        raise Refused(f"{name}: spec_version {signed['spec_version']!r}")
    data = formats.encode_canonical(signed).encode("utf-8")
    spec = root["signed"]["roles"][role]
    valid = set()
    for sig in doc["signatures"]:
        if sig["keyid"] not in spec["keyids"]:
            continue
        key = dict(root["signed"]["keys"][sig["keyid"]], keyid=sig["keyid"])
        if not keys.verify_signature(key, sig, data):
            raise Refused(f"{name}: signature of {sig['keyid'][:16]}... does not verify")
        valid.add(sig["keyid"])
    if len(valid) < spec["threshold"]:
        raise Refused(f"{name}: {len(valid)} of {spec['threshold']} {role} signatures")


def check_keyids(name, root):
    for keyid, obj in root["signed"]["keys"].items():
        digest = hashlib.sha256(formats.encode_canonical(obj).encode("utf-8")).hexdigest()
        if digest != keyid:
            raise Refused(f"{name}: keyid {keyid} is not the hash of its key object ({digest})")


def main(path):
    root = read(path, "1.root.json")
    check_keyids("1.root.json", root)
    check("1.root.json", root, root, "root")
    n = 2
    while os.path.exists(os.path.join(path, f"{n}.root.json")):
        new = read(path, f"{n}.root.json")
        check_keyids(f"{n}.root.json", new)
        check(f"{n}.root.json", new, root, "root")
        check(f"{n}.root.json", new, new, "root")
        root, n = new, n + 1
    ts = read(path, "timestamp.json")
    check("timestamp.json", ts, root, "timestamp")
    sv = ts["signed"]["meta"]["snapshot.json"]["version"]
    snap = read(path, f"{sv}.snapshot.json")
    check(f"{sv}.snapshot.json", snap, root, "snapshot")
    tv = snap["signed"]["meta"]["targets.json"]["version"]
    targets = read(path, f"{tv}.targets.json")
    check(f"{tv}.targets.json", targets, root, "targets")
    return f"ok root={root['signed']['version']} keys={len(root['signed']['keys'])} schemes=" + \
        ",".join(sorted({k["scheme"] for k in root["signed"]["keys"].values()}))


if __name__ == "__main__":
    try:
        print(main(sys.argv[1]))
    except Refused as e:
        print(f"refused: {e}")
        sys.exit(1)
