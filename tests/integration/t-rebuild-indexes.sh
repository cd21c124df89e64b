#!/bin/sh
# wavesignd --rebuild-indexes: every index in STATE/index is rebuilt from
# the verified signing log alone — the same content as the daemon kept —
# and it refuses to run beside a running daemon.
. "$top_srcdir/tests/integration/lib.sh"

ws_setup "$FIXTURES/pki.yaml"
ws_start
expect_exit 0 ws keys init
expect_exit 0 ws ca init --owner rebuild --out "$T/ca"
for n in 1 2 3; do
	expect_exit 0 ws register --factory acme --uuid "00000000-0000-4000-8000-00000000000$n" --out "$T/dev$n"
done

# Refused while the daemon runs (it holds the state directory).
expect_exit 1 "$WAVESIGND" -c "$T/wavesignd.yaml" --rebuild-indexes
grep -q "error: state directory: another daemon holds the state directory" "$T/err" ||
	fail "rebuild beside a running daemon: $(cat "$T/err")"
ws_stop

cp "$T/state/index/certs.jsonl" "$T/certs.before"
expect_eq "certificates in the index" "$(grep -c . "$T/certs.before")" 3
# A damaged index file: the rebuild takes the log's word for it.
echo "garbage" >"$T/state/index/certs.jsonl"
expect_exit 0 "$WAVESIGND" -c "$T/wavesignd.yaml" --rebuild-indexes
expect_line "$T/out" "wavesignd: indexes rebuilt from the signing log ($(grep -c . "$T/state/log") records)"
CHECKS=$((CHECKS + 1))
cmp -s "$T/certs.before" "$T/state/index/certs.jsonl" || fail "the rebuilt certs.jsonl differs from the daemon's"

# The rebuilt state serves: reissue for an issued CN is still refused.
ws_start
expect_exit 1 ws register --factory acme --uuid "00000000-0000-4000-8000-000000000001" --out "$T/again"
grep -q "\[already-issued\]" "$T/err" || fail "reissue after rebuild: $(cat "$T/err")"
ws_stop
ws_finish
