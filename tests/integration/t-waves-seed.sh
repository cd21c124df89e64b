#!/bin/sh
# t-waves-seed.sh -- the seed's whole example (waves-release-on-demand.txt)
# against a real daemon and token, foundries dialect, every output checked
# by a verifier that is not wavesign:
#
#   fioctl waves init beta-42 42 beta; rollout emea, apac, americas; complete
#   fioctl waves init beta-43 43 beta; rollout emea; cancel
#   fioctl waves init beta-44 44 beta; rollout emea, apac; complete
#   fioctl waves init ga-42 42 public; rollout emea, apac, americas; complete
#
# The production root (the OTA back end's online keys stand in as openssl
# Ed25519 keys) and the CI root: wave_check.py root + jsoncpp bytes. Each
# wave payload: wave_check.py targets (signatures by targets keys of the
# production root, python3-cryptography over Python's compact sorted
# bytes), wave_check.py wave (content exactly as built from the CI file:
# previous production targets + the build's, re-tagged), jsoncpp byte
# compare of targets.json. beta-42 gets its second offline key with waves
# sign. Every decision record: wave_check.py decision. The offline bundle
# of a tag and of a wave: wave_check.py bundle (as aktualizr-lite checks).
# Then the state survives a restart, a lost snapshot, and a kill -9 right
# after an acknowledged waves init.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/waves-lib.sh"
need_tools jsoncpp

ws_setup "$FIXTURES/waves-foundries.yaml"
ws_start
expect_exit 0 ws keys init
online_keys

# --- the roots
expect_exit 0 ws tuf root sign --production $ONLINE_KEYS --out "$T/prod"
expect_line "$T/out" "production root v1 (foundries dialect)"
verified "production root" $WAVE_CHECK root "$T/prod" --targets-threshold 2 --targets-keys 3
same_as_jsoncpp "$T/prod/1.root.json"
expect_exit 0 ws tuf root sign --ci $ONLINE_KEYS --out "$T/ci"
expect_line "$T/out" "ci root v1 (foundries dialect)"
verified "CI root" $WAVE_CHECK root "$T/ci" --targets-threshold 1 --targets-keys 3
same_as_jsoncpp "$T/ci/1.root.json"
ROOT=$T/prod/root.json

# A CI targets file as CI writes it: builds 1..45 for 4 hardware ids.
$GEN_CI --builds 45 --hwids 4 "$T/ci.json"

# init_wave NAME VERSION TAG [PREV_PAYLOAD]: waves init, then the checks.
init_wave() {
	name=$1 version=$2 tag=$3 prev=${4:-}
	expect_exit 0 ws waves init "$name" "$version" "$tag" --ci-targets "$T/ci.json" \
		--out "$T/$name.json" --repo "$T/$name" || return 0
	expect_line "$T/out" "wave $name: version $version, tag $tag, $(ntargets "$version" "$prev") targets, expires $(expires_of "$T/$name.json")"
	verified "$name payload signatures" $WAVE_CHECK targets "$T/$name.json" "$ROOT" --min-sigs 1
	verified "$name targets.json" $WAVE_CHECK targets "$T/$name/targets.json" "$ROOT" --min-sigs 1
	verified "$name content" $WAVE_CHECK wave "$T/$name.json" --ci "$T/ci.json" --name "$name" \
		--version "$version" --tag "$tag" ${prev:+--prev "$prev"}
	same_as_jsoncpp "$T/$name/targets.json"
}

# ntargets VERSION [PREV]: 4 new targets plus the previous production ones.
ntargets() {
	n=4
	[ -n "${2:-}" ] && n=$((n + $(json_get "$2" targets.signed.targets | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')))
	echo $n
}

expires_of() {
	json_get "$1" targets.signed.expires
}

# decide OP NAME [GROUP]: rollout/complete/cancel, the signed decision checked.
decide() {
	op=$1 name=$2 group=${3:-}
	expect_exit 0 ws waves "$op" "$name" $group --out "$T/$name-$op-$group.json" || return 0
	sha=$(json_get "$T/$name.json" targets.signed | python3 -c 'import hashlib,json,sys
print(hashlib.sha256(json.dumps(json.load(sys.stdin), sort_keys=True, separators=(",", ":")).encode()).hexdigest())')
	verified "$name $op $group decision" $WAVE_CHECK decision "$T/$name-$op-$group.json" "$ROOT" --wave "$name" \
		--op "$op" ${group:+--group "$group"} --targets-sha256 "$sha"
}

# --- beta-42: init, a second offline key, three groups, complete
expect_exit 0 ws status
expect_line "$T/out" "waves:   none active"
init_wave beta-42 42 beta
expect_exit 0 ws status
expect_line "$T/out" "waves:   beta-42 active: version 42, tag beta, expires $(expires_of "$T/beta-42.json")"
expect_exit 0 ws waves sign beta-42 --key tuf-targets-2 --out "$T/beta-42.json" --repo "$T/beta-42"
verified "beta-42 after waves sign: both offline keys" $WAVE_CHECK targets "$T/beta-42.json" "$ROOT" --min-sigs 2
verified "beta-42 targets.json after waves sign" $WAVE_CHECK targets "$T/beta-42/targets.json" "$ROOT" --min-sigs 2
same_as_jsoncpp "$T/beta-42/targets.json"
decide rollout beta-42 emea
expect_line "$T/out" "decision sha256 $(python3 -c 'import hashlib,json,sys
print(hashlib.sha256(json.dumps(json.load(open(sys.argv[1]))["signed"], sort_keys=True, separators=(",", ":")).encode()).hexdigest())' "$T/beta-42-rollout-emea.json")"
decide rollout beta-42 apac
decide rollout beta-42 americas
decide complete beta-42
expect_line "$T/out" "tag beta production targets: version 42"
expect_exit 0 ws status
expect_line "$T/out" "waves:   none active"

# --- beta-43: something went wrong with this update
init_wave beta-43 43 beta "$T/beta-42.json"
decide rollout beta-43 emea
decide cancel beta-43

# --- beta-44: on top of beta-42's production targets, not the canceled beta-43's
init_wave beta-44 44 beta "$T/beta-42.json"
decide rollout beta-44 emea
# fioctl's selections: part of a group, by percentage, by count or by device.
expect_exit 0 ws waves rollout beta-44 apac --percentage 25 --out "$T/beta-44-apac.json"
expect_line "$T/out" "wave beta-44: rollout to group apac (25% of it), version 44, tag beta at $(json_get "$T/beta-44-apac.json" signed.time)"
verified "beta-44 apac 25%" $WAVE_CHECK decision "$T/beta-44-apac.json" "$ROOT" --wave beta-44 --op rollout --group apac
expect_eq "selection" "$(json_get "$T/beta-44-apac.json" signed.selection)" '{"percentage": 25, "type": "percentage"}'
expect_exit 0 ws waves rollout beta-44 americas --limit 100 --out "$T/beta-44-americas.json"
expect_eq "selection" "$(json_get "$T/beta-44-americas.json" signed.selection)" '{"limit": 100, "type": "limit"}'
printf '0b6f4a5e-2c1d-4e8f-9a7b-3c2d1e0f9a8b\n1c7e5b6f-3d2e-4f90-8b8c-4d3e2f1a0b9c,2d8f6c70-4e3f-4a01-9c9d-5e4f3a2b1cad\n' >"$T/uuids"
expect_exit 0 ws waves rollout beta-44 lab --uuids "$T/uuids" --out "$T/beta-44-lab.json"
expect_line "$T/out" "wave beta-44: rollout to group lab (3 devices), version 44, tag beta at $(json_get "$T/beta-44-lab.json" signed.time)"
verified "beta-44 lab by uuids" $WAVE_CHECK decision "$T/beta-44-lab.json" "$ROOT" --wave beta-44 --op rollout --group lab
expect_eq "selection" "$(json_get "$T/beta-44-lab.json" signed.selection.uuids)" \
	'["0b6f4a5e-2c1d-4e8f-9a7b-3c2d1e0f9a8b", "1c7e5b6f-3d2e-4f90-8b8c-4d3e2f1a0b9c", "2d8f6c70-4e3f-4a01-9c9d-5e4f3a2b1cad"]'
expect_exit 0 ws waves complete beta-44 --repo "$T/beta-prod"
verified "beta production targets after beta-44" $WAVE_CHECK targets "$T/beta-prod/targets.json" "$ROOT" --min-sigs 1
expect_eq "beta production targets are beta-44's" "$(cat "$T/beta-prod/targets.json")" "$(cat "$T/beta-44/targets.json")"

# --- ga-42: the old update to the general public, on its own tag
init_wave ga-42 42 public
decide rollout ga-42 emea
decide rollout ga-42 apac
decide rollout ga-42 americas
decide complete ga-42

expect_eq "waves list" "$(wave_list)" "beta-42 Complete 42 beta
beta-43 Canceled 43 beta
beta-44 Complete 44 beta
ga-42 Complete 42 public"
expect_exit 0 ws waves list
expect_line "$T/out" "beta-43              Canceled        43 beta               8 $(expires_of "$T/beta-43.json")"
expect_exit 0 ws waves show beta-42
expect_line "$T/out" "wave beta-42: Complete, version 42, tag beta, expires $(expires_of "$T/beta-42.json")"
expect_line "$T/out" "  rollout to americas at $(json_get "$T/beta-42-rollout-americas.json" signed.time) by uid 0"
expect_line "$T/out" "  target imx8mm-003-lmp-42"
expect_line "$T/out" "ended (complete) at $(json_get "$T/beta-42-complete-.json" signed.time) by uid 0"

# --- offline bundles: a tag's production targets, and a wave's
beta44_names=$(json_get "$T/beta-44.json" targets.signed.targets | python3 -c 'import json,sys; print(",".join(sorted(json.load(sys.stdin))))')
expect_exit 0 ws bundle sign --tag beta --out "$T/bundle-beta"
verified "bundle of tag beta" $WAVE_CHECK bundle "$T/bundle-beta" --tag beta --targets "$beta44_names"
same_as_jsoncpp "$T/bundle-beta/bundle-targets.json"
expect_exit 0 ws bundle sign --wave ga-42 --target imx8mm-001-lmp-42 --out "$T/bundle-ga"
verified "bundle of wave ga-42, one target" $WAVE_CHECK bundle "$T/bundle-ga" --tag public --targets imx8mm-001-lmp-42
python3 - "$T/bundle-ga/bundle-targets.json" "$T/bundle-ga-forged.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["signed"]["x-fio-offline-bundle"]["targets"].append("imx8mm-002-lmp-42")
json.dump(d, open(sys.argv[2], "w"), sort_keys=True, separators=(",", ":"))
PY
mkdir "$T/bundle-forged" && cp "$T"/bundle-ga/*.root.json "$T/bundle-forged/" &&
	cp "$T/bundle-ga-forged.json" "$T/bundle-forged/bundle-targets.json"
refused_by "a bundle with a target added after signing" $WAVE_CHECK bundle "$T/bundle-forged" --tag public \
	--targets imx8mm-001-lmp-42,imx8mm-002-lmp-42

# --- durability: a restart, a lost snapshot, a kill -9 after an acknowledged init
before=$(wave_list)
ws_stop
expect_eq "daemon stopped" "$DAEMON_STATUS" 0
ws_start
expect_eq "waves after a restart" "$(wave_list)" "$before"
ws_stop
rm "$T/state/index/waves.json"
ws_start
expect_eq "waves rebuilt from the signing log alone" "$(wave_list)" "$before"

cp "$T/state/index/waves.json" "$T/waves-before-45.json"
expect_exit 0 ws waves init beta-45 45 beta --ci-targets "$T/ci.json" --out "$T/beta-45.json"
kill -KILL "$DAEMON_PID"
wait "$DAEMON_PID" 2>/dev/null || true
DAEMON_PID=
# As if the crash came between the record and the snapshot: only the log has beta-45.
cp "$T/waves-before-45.json" "$T/state/index/waves.json"
ws_start
expect_eq "waves after kill -9" "$(wave_list)" "$before
beta-45 Active 45 beta"
# The wave carries on where it was: its second key, a rollout, completion.
expect_exit 0 ws waves sign beta-45 --key tuf-targets-2 --out "$T/beta-45.json"
verified "beta-45 after the crash: both keys" $WAVE_CHECK targets "$T/beta-45.json" "$ROOT" --min-sigs 2
verified "beta-45 content" $WAVE_CHECK wave "$T/beta-45.json" --ci "$T/ci.json" --name beta-45 --version 45 \
	--tag beta --prev "$T/beta-44.json"
decide rollout beta-45 emea
ws_stop
ws_start
expect_exit 0 ws waves complete beta-45 --repo "$T/beta-prod-45"
verified "beta production targets after beta-45 (restarted between)" $WAVE_CHECK targets \
	"$T/beta-prod-45/targets.json" "$ROOT" --min-sigs 2

# The signing log verifies offline, and holds one allowed record per wave step.
expect_exit 0 "$WAVESIGN_AUDIT" -d "$T/state" --key "$T/state/audit.vkey" verify
expect_eq "allowed waves.* records" "$(python3 - "$T/state/log" <<'PY'
import json, sys
from collections import Counter
c = Counter(r["op"] for r in map(json.loads, open(sys.argv[1])) if r.get("decision") == "allowed" and r["op"].startswith("waves.") and r["op"] not in ("waves.list", "waves.show"))
print(" ".join(f"{k}={v}" for k, v in sorted(c.items())))
PY
)" "waves.cancel=1 waves.complete=4 waves.init=5 waves.rollout=12 waves.sign=2"
ws_finish
