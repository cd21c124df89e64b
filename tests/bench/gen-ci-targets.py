#!/usr/bin/env python3
"""gen-ci-targets.py -- write a FoundriesFactory-style CI targets file.

BUILDS builds x HWIDS hardware ids targets (default 1,000 x 100 = 100,000
targets, about 66 MB), compact as CI writes it, signed form by default:

    {"signatures":[...],"signed":{"_type":"Targets","expires":...,
     "targets":{"<custom.name>-<version>":{...}},"version":BUILDS}}

Target "<hwid>-lmp-<build>" has custom.version "<build>" and custom.tags
["main"], plus "devel" for odd hardware ids, so selecting one build gives
HWIDS targets and HWIDS/2 with source tag "devel". Output is deterministic.
tests/unit/test-ci-targets.c builds the same shape in memory.

usage: gen-ci-targets.py [--builds N] [--hwids N] [--unsigned] OUT
"""
import argparse
import hashlib
import json


def hexof(*parts, n=64):
    return hashlib.sha256("/".join(str(p) for p in parts).encode()).hexdigest()[:n]


def target(build, h):
    hwid = "imx8mm-%03d" % h
    tags = ["main", "devel"] if h % 2 else ["main"]
    return "%s-lmp-%d" % (hwid, build), {
        "hashes": {"sha256": hexof("ostree", build, h)},
        "length": 0,
        "custom": {
            "name": hwid + "-lmp",
            "version": str(build),
            "hardwareIds": [hwid],
            "targetFormat": "OSTREE",
            "uri": "https://ci.foundries.io/projects/acme/lmp/builds/%d" % build,
            "tags": tags,
            "docker_compose_apps": {
                "shellhttpd": {"uri": "hub.foundries.io/acme/shellhttpd@sha256:" + hexof("app1", build)},
            },
            "containers-sha": hexof("containers", build, n=40),
            "lmp-manifest-sha": hexof("manifest", build, n=40),
            "image-file": "lmp-factory-image-%s.wic.gz" % hwid,
            "createdAt": "2021-03-23T10:%02d:%02dZ" % (build // 60 % 60, build % 60),
        },
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--builds", type=int, default=1000)
    ap.add_argument("--hwids", type=int, default=100)
    ap.add_argument("--unsigned", action="store_true", help="write the signed body only")
    ap.add_argument("out")
    a = ap.parse_args()
    targets = {}
    for b in range(1, a.builds + 1):
        for h in range(a.hwids):
            name, t = target(b, h)
            targets[name] = t
    body = {"_type": "Targets", "expires": "2031-01-01T00:00:00Z", "targets": targets, "version": a.builds}
    doc = body if a.unsigned else {
        "signatures": [{"keyid": hexof("key"), "method": "ed25519", "sig": "A" * 86 + "=="}],
        "signed": body,
    }
    with open(a.out, "w") as f:
        json.dump(doc, f, separators=(",", ":"))


if __name__ == "__main__":
    main()
