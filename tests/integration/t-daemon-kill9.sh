#!/bin/sh
# kill -9 in the middle of a burst of requests from eight concurrent
# clients: after a restart the signing log verifies, and every request
# the daemon acknowledged is in it, with the seq it was acknowledged with.
. "$top_srcdir/tests/integration/lib.sh"

ws_setup
ws_start
expect_exit 0 ws keys init
for round in 1 2; do
	: >"$T/acks$round"
	python3 "$top_srcdir/tests/integration/burst.py" "$SOCK" 8 30 keys.list '{}' "r$round" >"$T/acks$round" 2>"$T/burst$round.err" &
	burst=$!
	n=0
	while [ "$(wc -l <"$T/acks$round")" -lt 300 ] && [ $n -lt 300 ]; do
		sleep 0.1
		n=$((n + 1))
	done
	kill -9 "$DAEMON_PID"
	wait "$DAEMON_PID" 2>/dev/null || true
	DAEMON_PID=
	wait "$burst" || true
	acked=$(grep -c ' OK$' "$T/acks$round" || true)
	[ "$acked" -ge 100 ] || fail "round $round: only $acked requests were acknowledged before the kill"
	# Restart: the log is checked at start (a partial last line is cut off).
	ws_start
	expect_exit 0 ws status
	ws_stop
	expect_exit 0 "$WAVESIGN_AUDIT" -d "$T/state" --key "$T/state/audit.vkey" verify
	# Every acknowledged id is in the log at its seq.
	python3 - "$T/state/log" "$T/acks$round" >"$T/missing$round" <<'PY'
import json, sys
by_seq = {}
for line in open(sys.argv[1]):
    r = json.loads(line)
    by_seq[r["seq"]] = r
for line in open(sys.argv[2]):
    rid, seq, status = line.split()
    r = by_seq.get(int(seq))
    if r is None or r.get("id") != rid or r.get("decision") != "allowed":
        print("missing or different: %s at %s" % (rid, seq))
PY
	expect_eq "round $round: acknowledged requests missing from the log" "$(wc -l <"$T/missing$round")" 0
	ws_start
done
ws_stop
ws_finish
