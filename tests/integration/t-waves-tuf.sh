#!/bin/sh
# t-waves-tuf.sh -- a self-hosted tuf-dialect repository made only by the
# daemon's ops (tuf root sign, waves init, tuf snapshot, tuf timestamp,
# tuf root sign --rotate), read by clients that are not wavesign:
#   - the npm tuf-js client, as a device: refresh root -> timestamp ->
#     snapshot -> targets and download a target (consistent snapshots,
#     hash-prefixed target files), across a second wave, a root rotation
#     and a restart of the daemon, and refusing a timestamp rollback;
#   - python3-securesystemslib (keyids, expires, signatures);
#   - wave_check.py (python3-cryptography: Ed25519, ECDSA P-256 and
#     RSA-PSS over OLPC canonical JSON, the wave's content from the CI file).
# Also wavesign tuf verify, and the TUF ops' own refusals: a snapshot over
# targets the appliance did not sign, a timestamp over a snapshot that is
# not its last, a version that does not increase.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/waves-lib.sh"
need_tools
NODE_DIR=$top_srcdir/tests/integration/tuf-js
command -v node >/dev/null 2>&1 || skip_or_fail "node is not installed (Debian package nodejs)"
[ -f "$NODE_DIR/node_modules/tuf-js/package.json" ] ||
	{ echo "FAIL: the tuf-js client is not installed: npm install --prefix tests/integration/tuf-js --no-audit --no-fund"; exit 1; }

ws_setup "$FIXTURES/waves-tuf.yaml"
ws_start
# tuf keys init makes the TUF roles' keys only; keys init the rest.
expect_refusal tuf.keys invalid-argument \
	"invalid argument: 'audit' is not a key of a TUF role in the policy ($T/policy.yaml)" ws tuf keys init audit
expect_exit 0 ws tuf keys init
expect_line "$T/out" "created tuf-targets-2"
expect_exit 0 ws tuf keys init
expect_line "$T/out" "kept    tuf-snapshot (already in the token)"
expect_exit 0 ws keys init
expect_line "$T/out" "created audit"
R=$T/repo

# A CI targets file whose targets are real files (hashes and lengths of
# $T/files/NAME): builds 41..44 for two boards; unknown custom fields kept.
python3 - "$T" <<'PY'
import hashlib, json, os, sys
t = sys.argv[1]
os.mkdir(os.path.join(t, "files"))
targets = {}
for v in range(41, 45):
    for board in ("rpi4", "imx8mm"):
        name = f"{board}-lmp-{v}"
        data = f"{board} image, build {v}\n".encode()
        open(os.path.join(t, "files", name), "wb").write(data)
        targets[name] = {"hashes": {"sha256": hashlib.sha256(data).hexdigest()}, "length": len(data),
                         "custom": {"name": f"{board}-lmp", "version": str(v), "hardwareIds": [board],
                                    "tags": ["main"], "targetFormat": "BINARY", "x-ci": {"job": v * 10}}}
json.dump({"signed": {"_type": "Targets", "expires": "2031-01-01T00:00:00Z", "targets": targets,
                      "version": 44}, "signatures": []}, open(os.path.join(t, "ci.json"), "w"))
PY

# publish: the target files under their consistent-snapshot names.
publish() {
	mkdir -p "$R/targets"
	for f in "$T"/files/*; do
		cp "$f" "$R/targets/$(sha256sum "$f" | cut -d' ' -f1).$(basename "$f")"
	done
}

# device TARGET [expect-fail]: tuf-js updates from $R with the device's cache.
device() {
	CHECKS=$((CHECKS + 1))
	if out=$(node "$NODE_DIR/check-wave.js" "$R" "$T/device" "$1" "$T/files/$1" ${2:-} 2>&1); then
		ok "tuf-js ${2:+($2) }$1: $out"
	else
		fail "tuf-js ${2:+($2) }$1: $out"
	fi
}

# sslib: Debian's python3-securesystemslib (the system python3 has it).
sslib() {
	for py in /usr/bin/python3 python3; do
		if "$py" -c 'import securesystemslib, cryptography' 2>/dev/null; then
			verified "securesystemslib" "$py" "$top_srcdir/tests/integration/tuf_sslib_check.py" "$R"
			return 0
		fi
	done
	skip_or_fail "python3-securesystemslib is missing (apt-get install python3-securesystemslib)"
}

# --- root v1, wave beta-42, snapshot, timestamp
expect_exit 0 ws tuf root sign --out "$R"
expect_line "$T/out" "production root v1 (tuf dialect)"
verified "root v1" $WAVE_CHECK root "$R" --targets-threshold 2 --targets-keys 2
expect_exit 0 ws waves init beta-42 42 beta --ci-targets "$T/ci.json" --out "$T/beta-42.json" --repo "$R"
expect_line "$T/out" "wave beta-42: version 42, tag beta, 2 targets, expires $(json_get "$T/beta-42.json" targets.signed.expires)"
verified "beta-42 targets: Ed25519 and ECDSA signatures" $WAVE_CHECK targets "$R/42.targets.json" "$R/root.json" --min-sigs 2
verified "beta-42 content" $WAVE_CHECK wave "$T/beta-42.json" --ci "$T/ci.json" --name beta-42 --version 42 --tag beta
expect_eq "targets.json = 42.targets.json" "$(cat "$R/targets.json")" "$(cat "$R/42.targets.json")"
expect_exit 0 ws tuf snapshot --targets "$R/targets.json" --out "$R"
expect_line "$T/out" "snapshot.json v1 (production root) expires $(json_get "$R/snapshot.json" signed.expires) sha256 $(sha256sum "$R/snapshot.json" | cut -d' ' -f1)"
expect_exit 0 ws tuf timestamp --snapshot "$R/snapshot.json" --out "$R"
cp "$R/timestamp.json" "$T/timestamp-v1.json"
publish
expect_exit 0 ws tuf verify "$R"
expect_line "$T/out" "$R: verified (tuf): root v1 (1 versions walked), timestamp v1, snapshot v1, targets v42 with 2 targets"
sslib
device rpi4-lmp-42

# --- refusals of the TUF ops
python3 - "$R/targets.json" "$T/tampered-targets.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["signed"]["targets"]["rpi4-lmp-42"]["length"] += 1
json.dump(d, open(sys.argv[2], "w"), sort_keys=True, separators=(",", ":"))
PY
expect_refusal tuf.snapshot tuf-invalid \
	"~the TUF metadata is invalid: targets.json v42 \\(signed part SHA-256 [0-9a-f]{64}\\) was not signed by this appliance; a snapshot only lists targets it signed" \
	ws tuf snapshot --targets "$T/tampered-targets.json"
expect_refusal tuf.snapshot tuf-stale-version \
	"the metadata version does not increase: snapshot version 1 does not exceed the current version 1" \
	ws tuf snapshot --targets "$R/targets.json" --version 1
expect_refusal tuf.timestamp tuf-stale-version \
	"the metadata version does not increase: timestamp version 1 does not exceed the current version 1" \
	ws tuf timestamp --snapshot "$R/snapshot.json" --version 1
cp "$R/1.snapshot.json" "$T/snapshot-v1.json"

# --- beta-42 completes; beta-43 adds build 43 on top
expect_exit 0 ws waves rollout beta-42 emea
expect_exit 0 ws waves complete beta-42
expect_exit 0 ws waves init beta-43 43 beta --ci-targets "$T/ci.json" --out "$T/beta-43.json" --repo "$R"
verified "beta-43 content" $WAVE_CHECK wave "$T/beta-43.json" --ci "$T/ci.json" --name beta-43 --version 43 --tag beta \
	--prev "$T/beta-42.json"
expect_exit 0 ws tuf snapshot --targets "$R/targets.json" --out "$R"
expect_refusal tuf.timestamp tuf-invalid \
	"~the TUF metadata is invalid: snapshot.json v1 \\(SHA-256 [0-9a-f]{64}\\) is not the last snapshot this appliance signed under the production root \\(v2\\)" \
	ws tuf timestamp --snapshot "$T/snapshot-v1.json"
expect_exit 0 ws tuf timestamp --snapshot "$R/snapshot.json" --out "$R"
expect_exit 0 ws tuf verify "$R"
expect_line "$T/out" "$R: verified (tuf): root v1 (1 versions walked), timestamp v2, snapshot v2, targets v43 with 4 targets"
device rpi4-lmp-43
device imx8mm-lmp-42

# --- root rotation: the policy's root key becomes tuf-root-2 (SIGHUP)
sed 's/root:      { keys: \[tuf-root-1\] }/root:      { keys: [tuf-root-2] }/' "$FIXTURES/waves-tuf.yaml" >"$T/policy.yaml"
kill -HUP "$DAEMON_PID"
i=0
until grep -q "policy reloaded" "$T/daemon.log" || [ $i -ge 100 ]; do sleep 0.05; i=$((i + 1)); done
expect_exit 0 ws tuf root sign --rotate --out "$R"
expect_line "$T/out" "production root v2 (tuf dialect)"
verified "root chain v1 -> v2 (signed by tuf-root-1 and tuf-root-2)" $WAVE_CHECK root "$R" --targets-threshold 2 \
	--targets-keys 2
ws_stop
ws_start
expect_exit 0 ws tuf timestamp --snapshot "$R/snapshot.json" --out "$R"
expect_line "$T/out" "timestamp.json v3 (production root) expires $(json_get "$R/timestamp.json" signed.expires) sha256 $(sha256sum "$R/timestamp.json" | cut -d' ' -f1)"
expect_exit 0 ws tuf verify "$R"
expect_line "$T/out" "$R: verified (tuf): root v2 (2 versions walked), timestamp v3, snapshot v2, targets v43 with 4 targets"
sslib
device imx8mm-lmp-43

# --- a rollback: the device, now at timestamp v3, is served timestamp v1
cp "$R/timestamp.json" "$T/timestamp-v3.json"
cp "$T/timestamp-v1.json" "$R/timestamp.json"
device rpi4-lmp-43 expect-fail
expect_exit 1 ws tuf verify "$R"
expect_line "$T/err" "wavesign: tuf verify: the TUF metadata is invalid: snapshot.json: snapshot.json is not the same file as 1.snapshot.json, which timestamp v1 names [tuf-invalid]"
cp "$T/timestamp-v3.json" "$R/timestamp.json"
ws_finish
