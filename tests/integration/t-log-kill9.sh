#!/bin/sh
# t-log-kill9.sh -- kill -9 in the middle of a burst of appends from four
# threads: the log still verifies (after the open that removes a partial
# last line) and holds every record whose append was acknowledged.
# wavesignd's own kill -9 test does the same through the daemon.
. "$top_srcdir/tests/integration/audit-lib.sh"

KEY=$("$FIXTURE" vkey)
for round in 1 2 3; do
	S=$T/s$round
	mkdir -m 0700 "$S"
	: >"$T/acks$round"
	"$FIXTURE" burst "$S" 100000 4 >>"$T/acks$round" &
	pid=$!
	# Let a few hundred appends be acknowledged, then pull the plug.
	n=0
	while [ "$(wc -l <"$T/acks$round")" -lt $((200 * round)) ] && [ $n -lt 300 ]; do
		sleep 0.1
		n=$((n + 1))
	done
	kill -9 "$pid"
	wait "$pid" 2>/dev/null || true
	acked=$(grep -c . "$T/acks$round")
	max=$(sort -n "$T/acks$round" | tail -n 1)
	[ "$acked" -ge 1 ] || { fail "round $round: nothing was acknowledged"; continue; }
	[ "$(sort -n "$T/acks$round" | uniq -d | wc -l)" -eq 0 ] || fail "round $round: a seq acknowledged twice"

	run "$AUDIT" --log "$S/log" --key "$KEY" verify --ignore-partial-tail --json
	expect_rc "round $round: the log verifies as left by kill -9" 0
	size=$(printf '%s\n' "$OUT" | sed 's/.*"size":\([0-9]*\).*/\1/')
	[ "$max" -lt "$size" ] || fail "round $round: acknowledged seq $max is not in the log of $size records"
	[ "$acked" -lt "$size" ] || fail "round $round: $acked acknowledged, log has $size records"
	ok "round $round: $acked acknowledged appends (highest seq $max) all in the log of $size records"

	"$FIXTURE" open "$S" 2>/dev/null
	run "$AUDIT" --log "$S/log" --key "$KEY" verify
	expect_rc "round $round: verifies after the log's open" 0
done

audit_done
