#!/usr/bin/env python3
"""tuf_foundries_check.py -- checks a foundries-dialect TUF repository the
way aktualizr does, independently of wavesign: python3-cryptography for the
signatures, hashlib for keyids and meta hashes, and either jsoncpp's bytes
(from tests/integration/jsoncpp-canon, what aktualizr itself signs over) or
Python's own compact sorted encoding for the signed part.

usage: tuf_foundries_check.py DIR [--jsoncpp-dir D] [--trusted DIR]

  DIR            root.json, N.root.json (1..), targets.json, snapshot.json,
                 timestamp.json
  --jsoncpp-dir  D/<file>.signed holds jsoncpp-canon --signed <file>; those
                 bytes must equal Python's encoding and are what is verified
  --trusted      a repository the client accepted before: no role may be
                 older there (rollback)

Prints "ok ..." and exits 0, or prints the first problem and exits 1.
"""
import base64
import datetime
import hashlib
import json
import os
import sys

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, padding

TYPES = {"root": "Root", "targets": "Targets", "snapshot": "Snapshot", "timestamp": "Timestamp"}


class Refused(Exception):
    pass


def encode(value):
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


def load_key(keyid, obj):
    pub = obj["keyval"]["public"]
    if obj["keytype"] == "ED25519":
        key = ed25519.Ed25519PublicKey.from_public_bytes(bytes.fromhex(pub))
    elif obj["keytype"] == "RSA":
        key = serialization.load_pem_public_key(pub.encode())
    else:
        raise Refused(f"key {keyid}: keytype {obj['keytype']!r} is not ED25519 or RSA")
    der = key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    if hashlib.sha256(der).hexdigest() != keyid:
        raise Refused(f"key {keyid}: keyid is not the SHA-256 of its SubjectPublicKeyInfo")
    return obj["keytype"], key


class Repo:
    def __init__(self, path, jsoncpp_dir, now):
        self.path = path
        self.jsoncpp_dir = jsoncpp_dir
        self.now = now

    def read(self, name):
        with open(os.path.join(self.path, name), "rb") as f:
            data = f.read()
        doc = json.loads(data)
        if encode(doc) != data:
            raise Refused(f"{name}: the file is not compact sorted JSON (file bytes != canonical bytes)")
        return data, doc

    def signed_bytes(self, name, doc):
        mine = encode(doc["signed"])
        if self.jsoncpp_dir:
            with open(os.path.join(self.jsoncpp_dir, name + ".signed"), "rb") as f:
                theirs = f.read()
            if theirs != mine:
                raise Refused(f"{name}: jsoncpp and Python serialise `signed` differently")
            return theirs
        return mine

    def check(self, name, role, doc, root):
        signed = doc["signed"]
        if signed.get("_type") != TYPES[role]:
            raise Refused(f"{name}: _type {signed.get('_type')!r}, expected {TYPES[role]!r}")
        if len(signed["expires"]) != 20:
            raise Refused(f"{name}: expires {signed['expires']!r} is not YYYY-MM-DDTHH:MM:SSZ")
        expires = datetime.datetime.strptime(signed["expires"], "%Y-%m-%dT%H:%M:%SZ")
        if expires.replace(tzinfo=datetime.timezone.utc) <= self.now:
            raise Refused(f"{name}: expired at {signed['expires']}")
        self.verify(name, role, doc, root)

    def verify(self, name, role, doc, root):
        keys = {k: load_key(k, v) for k, v in root["signed"]["keys"].items()}
        spec = root["signed"]["roles"][role]
        msg = self.signed_bytes(name, doc)
        seen, valid = set(), set()
        for sig in doc["signatures"]:
            keyid = sig["keyid"]
            if keyid in seen:
                raise Refused(f"{name}: keyid {keyid} signed twice (aktualizr: non-unique signatures)")
            seen.add(keyid)
            if keyid not in spec["keyids"]:
                continue
            keytype, key = keys[keyid]
            raw = base64.b64decode(sig["sig"], validate=True)
            try:
                if keytype == "ED25519" and sig["method"] == "ed25519":
                    key.verify(raw, msg)
                elif keytype == "RSA" and sig["method"] == "rsassa-pss-sha256":
                    key.verify(raw, msg, padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32),
                               hashes.SHA256())
                else:
                    raise Refused(f"{name}: method {sig['method']!r} does not fit a {keytype} key")
            except InvalidSignature:
                raise Refused(f"{name}: the signature of {keyid[:16]}... does not verify")
            valid.add(keyid)
        if len(valid) < spec["threshold"]:
            raise Refused(f"{name}: {len(valid)} of {spec['threshold']} signatures by {role} keys")


def meta_matches(parent_name, parent, listed, data, doc):
    entry = parent["signed"]["meta"][listed]
    if entry["length"] != len(data):
        raise Refused(f"{listed}: {len(data)} bytes, {parent_name} says {entry['length']}")
    if entry["hashes"]["sha256"] != hashlib.sha256(data).hexdigest():
        raise Refused(f"{listed}: SHA-256 differs from {parent_name}'s meta")
    if entry["version"] != doc["signed"]["version"]:
        raise Refused(f"{listed}: version {doc['signed']['version']}, {parent_name} says {entry['version']}")


def check_repo(repo):
    _, root = repo.read("1.root.json")
    repo.verify("1.root.json", "root", root, root)
    n = 2
    while os.path.exists(os.path.join(repo.path, f"{n}.root.json")):
        name = f"{n}.root.json"
        _, new = repo.read(name)
        if new["signed"]["version"] != n:
            raise Refused(f"{name}: holds root version {new['signed']['version']}")
        repo.verify(name, "root", new, root)
        repo.verify(name, "root", new, new)
        root = new
        n += 1
    repo.check("root.json", "root", repo.read("root.json")[1], root)
    versions = {"root": root["signed"]["version"]}
    ts_data, ts = repo.read("timestamp.json")
    repo.check("timestamp.json", "timestamp", ts, root)
    if list(ts["signed"]["meta"]) != ["snapshot.json"]:
        raise Refused("timestamp.json: meta must hold snapshot.json only")
    snap_data, snap = repo.read("snapshot.json")
    meta_matches("timestamp.json", ts, "snapshot.json", snap_data, snap)
    repo.check("snapshot.json", "snapshot", snap, root)
    targets_data, targets = repo.read("targets.json")
    meta_matches("snapshot.json", snap, "targets.json", targets_data, targets)
    repo.check("targets.json", "targets", targets, root)
    for role, doc in (("timestamp", ts), ("snapshot", snap), ("targets", targets)):
        versions[role] = doc["signed"]["version"]
    return versions, len(targets["signed"]["targets"])


def main(argv):
    args = argv[1:]
    path, jsoncpp_dir, trusted = None, None, None
    while args:
        a = args.pop(0)
        if a == "--jsoncpp-dir":
            jsoncpp_dir = args.pop(0)
        elif a == "--trusted":
            trusted = args.pop(0)
        else:
            path = a
    now = datetime.datetime.now(datetime.timezone.utc)
    try:
        prev = check_repo(Repo(trusted, None, now))[0] if trusted else {}
        versions, ntargets = check_repo(Repo(path, jsoncpp_dir, now))
        for role, v in prev.items():
            if versions[role] < v:
                raise Refused(f"{role}.json: version {versions[role]} is older than {v} (rollback)")
    except Refused as e:
        print(f"refused: {e}")
        return 1
    except (KeyError, ValueError, TypeError) as e:
        print(f"refused: malformed metadata: {type(e).__name__}: {e}")
        return 1
    print("ok " + " ".join(f"{r}={v}" for r, v in sorted(versions.items())) + f" target-entries={ntargets}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
