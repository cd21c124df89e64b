#!/bin/sh
# The policy decides every request; SIGHUP swaps it atomically, and a bad
# new policy leaves the old one in force, the daemon saying why.
. "$top_srcdir/tests/integration/lib.sh"

# wait_log TEXT: waits (up to 10 s) until the daemon log has a line with TEXT.
wait_log() {
	i=0
	while ! grep -qF -- "$1" "$T/daemon.log"; do
		i=$((i + 1))
		[ $i -lt 200 ] || { fail "daemon log never said: $1"; return 1; }
		sleep 0.05
	done
}

ws_setup
ws_start
old_sha=$(sha256sum <"$T/policy.yaml" | cut -d' ' -f1)
expect_exit 0 ws --json status
expect_eq "policy hash in status" "$(json_get "$T/out" policy.sha256)" "$old_sha"

# A broken policy: refused, the old one stays.
cp "$T/policy.yaml" "$T/policy.good"
printf 'factory: acme\nfactory: other\n' >"$T/policy.yaml"
kill -HUP "$DAEMON_PID"
wait_log "policy reload refused; the old policy stays in force"
grep -qF "error: policy reload: the YAML document is malformed or uses a refused feature: $T/policy.yaml:2:1: factory: duplicate key (first at line 1, column 1)" "$T/daemon.log" ||
	fail "reload reason: $(grep 'policy reload' "$T/daemon.log")"
expect_exit 0 ws --json status
expect_eq "policy hash after a bad reload" "$(json_get "$T/out" policy.sha256)" "$old_sha"

# A valid policy that allows root only keys.list: status is now denied,
# with the rule named, and keys list still works.
sed -e 's/allow: \["\*"\]/allow: [keys.list]/' -e '/production: allow/d' "$T/policy.good" >"$T/policy.yaml"
new_sha=$(sha256sum <"$T/policy.yaml" | cut -d' ' -f1)
kill -HUP "$DAEMON_PID"
wait_log "policy reloaded: $T/policy.yaml sha256 $new_sha (was $old_sha)"
expect_exit 1 ws status
expect_line "$T/err" "wavesign: status: the policy does not allow this request: client 'root' (clients.root.allow) does not allow 'status' [policy-denied] (signing log record 3)"
expect_exit 0 ws keys list
expect_line "$T/out" "audit            ed25519  missing"
ws_stop

# Each record carries the policy in force when it was decided.
python3 - "$T/state/log" >"$T/records" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    r = json.loads(line)
    if "decision" in r:
        print(r["seq"], r["op"], r["decision"], r.get("error", "-"), r["policy"])
PY
expect_line "$T/records" "1 status allowed - $old_sha"
expect_line "$T/records" "2 status allowed - $old_sha"
expect_line "$T/records" "3 status denied policy-denied $new_sha"
expect_line "$T/records" "4 keys.list allowed - $new_sha"
ws_finish
