#!/bin/sh
# A request id makes a retry return the recorded answer instead of doing
# the work twice, across restarts; rate limits refuse the excess.
. "$top_srcdir/tests/integration/lib.sh"

ws_setup
ws_start

expect_exit 0 ws --json --id setup-1 keys init
cp "$T/out" "$T/first.json"
first_record=$(json_get "$T/first.json" record)
expect_eq "created in the first run" "$(json_get "$T/first.json" created)" '["root-ca", "device-ca", "tuf-root-1", "tuf-targets-1", "audit"]'

# The retry: the same answer, marked as replayed, the original record named.
expect_exit 0 ws --json --id setup-1 keys init
expect_eq "replayed created" "$(json_get "$T/out" created)" "$(json_get "$T/first.json" created)"
expect_eq "replayed flag" "$(json_get "$T/out" replayed)" "True"
expect_eq "replayed record" "$(json_get "$T/out" record)" "$first_record"

# The same id for another request is refused.
expect_exit 1 ws --id setup-1 status
expect_line "$T/err" "wavesign: status: already exists: request id 'setup-1' was already used by client 'root' for a different request [exists] (signing log record $((first_record + 3)))"

# After a restart the daemon still knows (it rebuilds the table from the log).
ws_stop
ws_start
expect_exit 0 ws --json --id setup-1 keys init
expect_eq "replayed after restart" "$(json_get "$T/out" record)" "$first_record"
expect_eq "replayed after restart, created" "$(json_get "$T/out" created)" "$(json_get "$T/first.json" created)"

# The log: one keys.init that did the work, and replay records pointing at it.
python3 - "$T/state/log" >"$T/records" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    r = json.loads(line)
    if r["op"] == "keys.init":
        print(r["seq"], r.get("id"), r["decision"], r.get("outputs", {}).get("replay_of", "-"))
PY
expect_eq "keys.init records" "$(cat "$T/records" | tr '\n' ';')" "$first_record setup-1 allowed -;$((first_record + 2)) setup-1 allowed $first_record;$(tail -n1 "$T/records" | cut -d' ' -f1) setup-1 allowed $first_record;"
ws_stop

# Rate limit: 3 requests a minute for root.
sed 's/    production: allow/    production: allow\n    rate: 3\/min/' "$FIXTURES/policy.yaml" >"$T/policy.yaml"
ws_start
expect_exit 0 ws status
expect_exit 0 ws status
expect_exit 0 ws status
expect_exit 1 ws status
grep -q "^wavesign: status: the client exceeded its rate limit: client 'root' exceeded its rate of 3/min (clients.root.rate); retry in [0-9]* ms \[rate-limited\] (signing log record [0-9]*)$" "$T/err" ||
	fail "rate limit message: $(cat "$T/err")"
ws_stop
ws_finish
