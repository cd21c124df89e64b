#!/usr/bin/env python3
"""wave_check.py -- checks what the waves and bundle ops hand out, independently
of wavesign: python3-cryptography for the signatures, hashlib for keyids, and
its own encoders for the bytes that are signed (Python's compact sorted JSON
for the foundries dialect, as aktualizr's jsoncpp writes it; OLPC canonical
JSON for the tuf dialect).

usage:
  wave_check.py targets FILE ROOT --min-sigs N
      FILE is a wave payload {"name","version","tag","targets":{...}} or a
      targets.json; every signature is by a distinct targets key of ROOT (a
      root.json) and verifies; at least N of them. A targets.json file in the
      foundries dialect must be its own compact sorted encoding.
  wave_check.py wave PAYLOAD --ci CI --name N --version V --tag T
                     [--prev PAYLOAD] [--prune V1,V2] [--source-tag S]
      The payload's content is exactly what `waves init` must build: the
      previous production targets (those of the --prev payload, minus the
      pruned versions) plus every CI target of version V (and source tag S),
      with custom.tags = [T] and every other member as CI wrote it.
  wave_check.py decision FILE ROOT --wave W --op OP [--group G] [--targets-sha256 H]
      A signed decision record: one valid signature by a targets key of ROOT
      over the record, and the record names the wave, op, group and targets.
  wave_check.py root DIR --targets-threshold N --targets-keys K
      DIR/1.root.json .. N.root.json: each file its own compact sorted encoding
      (foundries), 1.root.json signed by a threshold of its own root keys, each
      next one by a threshold of the previous root's keys and of its own; the
      newest has K targets keys with threshold N, and root.json is the newest.
  wave_check.py bundle DIR --tag T --targets N1,N2,...
      DIR/bundle-targets.json as aktualizr-lite checks an offline bundle: the
      newest DIR/N.root.json (chain from 1.root.json), every signature by a
      targets key of that root and valid, at least the root's targets
      threshold of them, not expired, x-fio-offline-bundle type prod, tag T,
      exactly the targets named.

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
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding


class Refused(Exception):
    pass


def compact(value):
    """What aktualizr signs over (jsoncpp's compact sorted output, for printable ASCII)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


def olpc(value):
    """OLPC canonical JSON, as TUF 1.0 signs: only '"' and '\\' escaped."""
    if isinstance(value, bool):
        return b"true" if value else b"false"
    if value is None:
        return b"null"
    if isinstance(value, int):
        return str(value).encode()
    if isinstance(value, str):
        return b'"' + value.replace("\\", "\\\\").replace('"', '\\"').encode() + b'"'
    if isinstance(value, list):
        return b"[" + b",".join(olpc(v) for v in value) + b"]"
    if isinstance(value, dict):
        items = sorted(value.items(), key=lambda kv: kv[0].encode())
        return b"{" + b",".join(olpc(k) + b":" + olpc(v) for k, v in items) + b"}"
    raise Refused(f"not canonical JSON: {type(value).__name__}")


def dialect_of(root):
    return "foundries" if root["signed"]["_type"] == "Root" else "tuf"


def signed_bytes(dialect, value):
    return compact(value) if dialect == "foundries" else olpc(value)


def load_key(dialect, keyid, obj):
    pub = obj["keyval"]["public"]
    kt = obj["keytype"]
    if kt in ("ED25519", "ed25519"):
        key = ed25519.Ed25519PublicKey.from_public_bytes(bytes.fromhex(pub))
    elif kt in ("RSA", "rsa", "ecdsa"):
        key = serialization.load_pem_public_key(pub.encode())
    else:
        raise Refused(f"key {keyid}: keytype {kt!r}")
    if dialect == "foundries":
        der = key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
        want = hashlib.sha256(der).hexdigest()
    else:
        want = hashlib.sha256(olpc(obj)).hexdigest()
    if want != keyid:
        raise Refused(f"key {keyid}: not its keyid in the {dialect} dialect (computed {want})")
    return kt.lower(), key


def verify_sig(dialect, keytype, key, sig, msg):
    raw = base64.b64decode(sig["sig"], validate=True) if dialect == "foundries" else bytes.fromhex(sig["sig"])
    if dialect == "foundries":
        want = {"ed25519": "ed25519", "rsa": "rsassa-pss-sha256"}.get(keytype)
        if sig.get("method") != want:
            raise Refused(f"signature method {sig.get('method')!r} does not fit a {keytype} key")
    try:
        if keytype == "ed25519":
            key.verify(raw, msg)
        elif keytype == "rsa":
            key.verify(raw, msg, padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32), hashes.SHA256())
        else:
            key.verify(raw, msg, ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        raise Refused(f"the signature of {sig['keyid'][:16]}... does not verify")


def role_keys(root, role):
    dialect = dialect_of(root)
    spec = root["signed"]["roles"][role]
    keys = {k: load_key(dialect, k, root["signed"]["keys"][k]) for k in spec["keyids"]}
    return dialect, keys, spec["threshold"]


def check_signatures(env, root, role, what):
    """Every signature distinct, by a key of the role, valid; returns the keyids."""
    dialect, keys, _ = role_keys(root, role)
    msg = signed_bytes(dialect, env["signed"])
    seen = []
    for sig in env["signatures"]:
        keyid = sig["keyid"]
        if keyid in seen:
            raise Refused(f"{what}: keyid {keyid} signed twice")
        if keyid not in keys:
            raise Refused(f"{what}: signed by {keyid[:16]}..., not a {role} key of root v{root['signed']['version']}")
        verify_sig(dialect, keys[keyid][0], keys[keyid][1], sig, msg)
        seen.append(keyid)
    return seen


def load(path):
    with open(path, "rb") as f:
        data = f.read()
    return data, json.loads(data)


def opts(args):
    out = {}
    while args:
        a = args.pop(0)
        if not a.startswith("--"):
            raise Refused(f"unexpected argument {a!r}")
        out[a[2:]] = args.pop(0)
    return out


def not_expired(signed, what):
    expires = signed["expires"]
    if len(expires) != 20:
        raise Refused(f"{what}: expires {expires!r} is not YYYY-MM-DDTHH:MM:SSZ")
    t = datetime.datetime.strptime(expires, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.timezone.utc)
    if t <= datetime.datetime.now(datetime.timezone.utc):
        raise Refused(f"{what}: expired at {expires}")


def cmd_targets(path, root_path, o):
    data, doc = load(path)
    _, root = load(root_path)
    env = doc["targets"] if "targets" in doc and "signed" in doc.get("targets", {}) else doc
    if env is doc and dialect_of(root) == "foundries" and compact(doc) != data:
        raise Refused(f"{path}: the file is not compact sorted JSON (file bytes != signed bytes)")
    want_type = "Targets" if dialect_of(root) == "foundries" else "targets"
    if env["signed"]["_type"] != want_type:
        raise Refused(f"{path}: _type {env['signed']['_type']!r}")
    not_expired(env["signed"], path)
    ids = check_signatures(env, root, "targets", path)
    if len(ids) < int(o["min-sigs"]):
        raise Refused(f"{path}: {len(ids)} signatures, expected at least {o['min-sigs']}")
    return f"targets v{env['signed']['version']}: {len(ids)} valid signatures by targets keys of root " \
           f"v{root['signed']['version']}"


def ci_targets(path):
    _, doc = load(path)
    return doc["signed"]["targets"] if "signed" in doc else doc["targets"]


def cmd_wave(path, o):
    _, doc = load(path)
    for k in ("name", "tag"):
        if doc[k] != o[k]:
            raise Refused(f"payload {k} {doc[k]!r}, expected {o[k]!r}")
    version = int(o["version"])
    signed = doc["targets"]["signed"]
    if doc["version"] != version or signed["version"] != version:
        raise Refused(f"payload version {doc['version']} / targets version {signed['version']}, expected {version}")
    want = {}
    if "prev" in o:
        _, prev = load(o["prev"])
        pruned = {p for p in o.get("prune", "").split(",") if p}
        for name, t in prev["targets"]["signed"]["targets"].items():
            if t["custom"]["version"] not in pruned:
                want[name] = t
    n_new = 0
    for name, t in ci_targets(o["ci"]).items():
        custom = t.get("custom", {})
        if custom.get("version") != str(version):
            continue
        if "source-tag" in o and o["source-tag"] not in custom.get("tags", []):
            continue
        t = json.loads(json.dumps(t))
        t["custom"]["tags"] = [o["tag"]]
        want[name] = t
        n_new += 1
    if n_new == 0:
        raise Refused("the CI file has no target of that version: nothing to compare")
    if signed["targets"] != want:
        extra = sorted(set(signed["targets"]) - set(want))
        missing = sorted(set(want) - set(signed["targets"]))
        changed = sorted(n for n in set(want) & set(signed["targets"]) if want[n] != signed["targets"][n])
        raise Refused(f"targets differ: extra {extra}, missing {missing}, changed {changed}")
    return f"wave {doc['name']} v{version} tag {doc['tag']}: {len(want)} targets ({n_new} from CI build " \
           f"{version}) exactly as built from the CI file"


def cmd_decision(path, root_path, o):
    _, env = load(path)
    _, root = load(root_path)
    ids = check_signatures(env, root, "targets", path)
    if len(ids) != 1:
        raise Refused(f"{path}: {len(ids)} signatures, expected 1")
    rec = env["signed"]
    if rec.get("_type") != "WaveDecision" or rec.get("wave") != o["wave"] or rec.get("decision") != o["op"]:
        raise Refused(f"{path}: record {rec.get('_type')} {rec.get('decision')} of {rec.get('wave')}")
    if "group" in o and rec.get("group") != o["group"]:
        raise Refused(f"{path}: group {rec.get('group')!r}, expected {o['group']!r}")
    if "targets-sha256" in o and rec.get("targets_sha256") != o["targets-sha256"]:
        raise Refused(f"{path}: targets_sha256 {rec.get('targets_sha256')}, expected {o['targets-sha256']}")
    return f"{rec['decision']} of {rec['wave']} (v{rec['version']}, tag {rec['tag']}) signed by {ids[0][:16]}..."


def cmd_bundle(path, o):
    _, root = load(os.path.join(path, "1.root.json"))
    check_signatures_threshold(root, root, "root", "1.root.json")
    n = 2
    while os.path.exists(os.path.join(path, f"{n}.root.json")):
        _, new = load(os.path.join(path, f"{n}.root.json"))
        check_signatures_threshold(new, root, "root", f"{n}.root.json", partial_ok=True)
        check_signatures_threshold(new, new, "root", f"{n}.root.json")
        root, n = new, n + 1
    _, bundle = load(os.path.join(path, "bundle-targets.json"))
    dialect, keys, threshold = role_keys(root, "targets")
    msg = signed_bytes(dialect, bundle["signed"])
    valid = 0
    for sig in bundle["signatures"]:
        if sig["keyid"] not in keys:
            raise Refused(f"the bundle is signed with an unknown key: {sig['keyid']}")
        verify_sig(dialect, keys[sig["keyid"]][0], keys[sig["keyid"]][1], sig, msg)
        valid += 1
    if valid < threshold:
        raise Refused(f"an insufficient number of signatures for the bundle: required {threshold}, found {valid}")
    not_expired(bundle["signed"], "bundle-targets.json")
    meta = bundle["signed"]["x-fio-offline-bundle"]
    if meta["type"] != "prod" or meta["tag"] != o["tag"] or meta["targets"] != o["targets"].split(","):
        raise Refused(f"bundle meta {meta}")
    return f"bundle for tag {meta['tag']}: {valid} of {threshold} required signatures by targets keys of root " \
           f"v{root['signed']['version']}, {len(meta['targets'])} targets"


def check_signatures_threshold(doc, root, role, what, partial_ok=False):
    dialect, keys, threshold = role_keys(root, role)
    msg = signed_bytes(dialect, doc["signed"])
    valid = set()
    for sig in doc["signatures"]:
        if sig["keyid"] in keys:
            verify_sig(dialect, keys[sig["keyid"]][0], keys[sig["keyid"]][1], sig, msg)
            valid.add(sig["keyid"])
    if len(valid) < threshold:
        raise Refused(f"{what}: {len(valid)} of {threshold} {role} signatures")


def cmd_root(path, o):
    data, root = load(os.path.join(path, "1.root.json"))
    check_signatures_threshold(root, root, "root", "1.root.json")
    n, newest = 2, data
    while os.path.exists(os.path.join(path, f"{n}.root.json")):
        data, new = load(os.path.join(path, f"{n}.root.json"))
        if new["signed"]["version"] != n:
            raise Refused(f"{n}.root.json holds version {new['signed']['version']}")
        check_signatures_threshold(new, root, "root", f"{n}.root.json (by root v{n - 1})")
        check_signatures_threshold(new, new, "root", f"{n}.root.json (by itself)")
        root, n, newest = new, n + 1, data
    if dialect_of(root) == "foundries" and compact(root) != newest:
        raise Refused("the newest root is not compact sorted JSON")
    with open(os.path.join(path, "root.json"), "rb") as f:
        if f.read() != newest:
            raise Refused("root.json is not the newest N.root.json")
    not_expired(root["signed"], "root.json")
    spec = root["signed"]["roles"]["targets"]
    if spec["threshold"] != int(o["targets-threshold"]) or len(spec["keyids"]) != int(o["targets-keys"]):
        raise Refused(f"targets role: {len(spec['keyids'])} keys, threshold {spec['threshold']}")
    return f"root v{root['signed']['version']} ({dialect_of(root)}): chain of {n - 1} verified, targets " \
           f"{spec['threshold']} of {len(spec['keyids'])}"


def main(argv):
    try:
        cmd, args = argv[1], argv[2:]
        if cmd == "targets":
            msg = cmd_targets(args[0], args[1], opts(args[2:]))
        elif cmd == "wave":
            msg = cmd_wave(args[0], opts(args[1:]))
        elif cmd == "decision":
            msg = cmd_decision(args[0], args[1], opts(args[2:]))
        elif cmd == "root":
            msg = cmd_root(args[0], opts(args[1:]))
        elif cmd == "bundle":
            msg = cmd_bundle(args[0], opts(args[1:]))
        else:
            raise Refused(f"unknown command {cmd!r}")
    except Refused as e:
        print(f"refused: {e}")
        return 1
    except (KeyError, ValueError, TypeError, IndexError, OSError) as e:
        print(f"refused: {type(e).__name__}: {e}")
        return 1
    print("ok " + msg)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
