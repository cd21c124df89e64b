#!/bin/sh
# Bad peers and bad frames get clear errors, are logged, and do not stop
# the daemon from serving everyone else.
. "$top_srcdir/tests/integration/lib.sh"

RAW="python3 $top_srcdir/tests/integration/rawframe.py"
ws_setup
ws_start

# A peer the policy does not know (uid 65534 via setpriv) is refused and logged.
expect_exit 1 setpriv --reuid=65534 --regid=65534 --clear-groups "$WAVESIGN" -s "$SOCK" status
expect_line "$T/err" "wavesign: status: the connecting user is not a client in the policy: uid 65534 (nobody), gid 65534 matches no client of $T/policy.yaml [unknown-peer] (signing log record 1)"

# A malformed frame: wrong magic.
expect_exit 0 $RAW "$SOCK" magic
expect_line "$T/out" "False"
expect_line "$T/out" "frame-bad-magic"
expect_line "$T/out" 'the message does not start with the wavesign magic: got bytes 58 58 58 58, expected "WSGN"'

# An unsupported protocol version.
expect_exit 0 $RAW "$SOCK" version
expect_line "$T/out" "frame-bad-version"
expect_line "$T/out" "unsupported protocol version: version 2, this side speaks 1"

# An oversized frame (the test config caps frames at 1 MiB): refused from its header alone.
expect_exit 0 $RAW "$SOCK" oversize 1048577
expect_line "$T/out" "frame-too-large"
expect_line "$T/out" "the message is larger than the daemon accepts: 1048577 bytes announced, at most 1048576 accepted"

# Valid frames whose JSON is not a request.
expect_exit 0 $RAW "$SOCK" json '{"op":"status","extra":1}'
expect_line "$T/out" "request-malformed"
expect_line "$T/out" "the request is not a valid wavesign request: request: unknown member 'extra' (allowed: op, id, args)"
expect_exit 0 $RAW "$SOCK" json '{"op":"status","op":"status"}'
expect_line "$T/out" "json-duplicate-key"
expect_exit 0 $RAW "$SOCK" json '[1.5]'
expect_line "$T/out" "json-float"
expect_exit 0 $RAW "$SOCK" json '{"op":"no.such.op"}'
expect_line "$T/out" "unknown-op"
expect_line "$T/out" "unknown operation: 'no.such.op' is not an operation"

# The log's own reserved ops are not requests either; still logged.
expect_exit 0 $RAW "$SOCK" json '{"op":"log.checkpoint"}'
expect_line "$T/out" "unknown-op"

# A frame cut short: the daemon closes without an answer.
expect_exit 0 $RAW "$SOCK" short
expect_line "$T/out" "closed"

# A stalled client holds only its own connection: the others are served
# meanwhile, and the daemon drops it after its io-timeout (5 s here).
$RAW "$SOCK" stall >"$T/stall.out" 2>&1 &
stall_pid=$!
sleep 0.5
expect_exit 0 ws status
expect_line "$T/out" "factory: acme"
wait $stall_pid || true
expect_line "$T/stall.out" "closed"

# After all that, the daemon still serves.
expect_exit 0 ws status

# Every one of those decisions is in the signing log.
python3 - "$T/state/log" >"$T/decisions" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    r = json.loads(line)
    if "decision" in r:
        print(r["decision"], r.get("error", "-"), r["peer"]["uid"], r["peer"]["client"])
PY
expect_line "$T/decisions" "denied unknown-peer 65534 None"
expect_line "$T/decisions" "failed frame-bad-magic 0 None"
expect_line "$T/decisions" "failed frame-bad-version 0 None"
expect_line "$T/decisions" "failed frame-too-large 0 None"
expect_line "$T/decisions" "failed request-malformed 0 None"
expect_line "$T/decisions" "failed json-duplicate-key 0 None"
expect_line "$T/decisions" "failed unknown-op 0 root"
grep -q '"decision":"failed","error":"unknown-op".*"op":"request".*"requested_op":"log.checkpoint"' "$T/state/log" ||
	fail "the reserved op request is not logged as op request"
ws_stop
expect_eq "daemon exit status" "$DAEMON_STATUS" 0
ws_finish
