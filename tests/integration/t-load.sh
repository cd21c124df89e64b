#!/bin/sh
# Load: eight registrars (uid 65534) issue certificates back to back for a
# bounded time while an officer runs a whole wave. Afterwards the signing
# log verifies offline, and every count agrees: certificates acknowledged
# to clients = allowed cert.issue records = lines of the certificate index,
# every acknowledged serial is in the log at the seq it was answered with,
# and the wave's three steps are each recorded once.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/waves-lib.sh"
need_tools

ws_setup "$FIXTURES/load.yaml"
ws_start
expect_exit 0 ws keys init
expect_exit 0 ws ca init --owner load --out "$T/ca"
online_keys
# shellcheck disable=SC2086
expect_exit 0 ws tuf root sign --production $ONLINE_KEYS --out "$T/prod"
$GEN_CI --builds 7 --hwids 8 "$T/ci.json"

setpriv --reuid=65534 --regid=65534 --clear-groups /usr/bin/python3 "$top_srcdir/tests/integration/issue_load.py" \
	"$SOCK" 8 20 acme >"$T/issued" 2>"$T/load.err" &
load=$!
sleep 2
expect_exit 0 ws waves init load-7 7 master --ci-targets "$T/ci.json" --out "$T/load-7.json"
expect_exit 0 ws waves rollout load-7 emea --limit 100
expect_exit 0 ws waves complete load-7
wait "$load" || fail "the load generator failed: $(cat "$T/load.err")"
expect_exit 0 ws status
ws_stop

acked=$(grep -c '^OK ' "$T/issued" || true)
refused=$(grep -c '^ERR ' "$T/issued" || true)
[ "$acked" -ge 50 ] || fail "only $acked certificates were issued under load"
expect_eq "refusals under load" "$refused" 0
expect_exit 0 "$WAVESIGN_AUDIT" -d "$T/state" --key "$T/state/audit.vkey" verify
python3 - "$T/state/log" "$T/issued" >"$T/counts" <<'PY'
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
by_seq = {r["seq"]: r for r in recs}
issued = [l.split() for l in open(sys.argv[2]) if l.startswith("OK ")]
bad = 0
for _, seq, serial, cn in issued:
    r = by_seq.get(int(seq))
    if (r is None or r["op"] != "cert.issue" or r["decision"] != "allowed"
            or r["outputs"]["serial"] != serial or r["subject"]["cn"] != cn):
        bad += 1
print("allowed cert.issue records", sum(1 for r in recs if r["op"] == "cert.issue" and r.get("decision") == "allowed"))
print("acknowledged but not in the log as answered", bad)
for op in ("waves.init", "waves.rollout", "waves.complete"):
    print(op, "allowed records", sum(1 for r in recs if r["op"] == op and r.get("decision") == "allowed"))
PY
expect_line "$T/counts" "allowed cert.issue records $acked"
expect_line "$T/counts" "acknowledged but not in the log as answered 0"
expect_line "$T/counts" "waves.init allowed records 1"
expect_line "$T/counts" "waves.rollout allowed records 1"
expect_line "$T/counts" "waves.complete allowed records 1"
expect_eq "lines of the certificate index" "$(grep -c . "$T/state/index/certs.jsonl")" "$acked"
ws_finish
