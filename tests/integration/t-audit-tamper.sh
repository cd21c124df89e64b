#!/bin/sh
# t-audit-tamper.sh -- every tamper case through the real wavesign-audit
# verify, each asserting the exact first-bad-record message and exit 1.
#
# The log of each case (log-fixture create S 20 10): seq 0 log.create,
# seq 1..10 records, seq 11 checkpoint (tree size 11), seq 12..21 records,
# seq 22 checkpoint (tree size 22, also in S/checkpoints). 23 lines.
. "$top_srcdir/tests/integration/audit-lib.sh"

S=$T/s
ORIGIN=wavesign/acme/0123456789abcdef
verify() { run "$AUDIT" -d "$S" --key "$KEY" verify "$@"; }
fresh() { fresh_log "$S" 20 10; KEYID=${KEY%+*}; }

# Replaces line $2 of file $1 by the output of the sed expression $3 on it.
edit() {
	sed -i "$2$3" "$1"
}

fresh
verify
expect_rc "untouched log verifies" 0
[ "$(printf '%s\n' "$OUT" | head -n 1)" = OK ] || fail "untouched: first line is not OK: $OUT"

fresh
edit "$S/log" 5 's/dev-000004/dev-000005/'
verify
expect "flipped byte" 1 "FAILED: seq 5: prev does not match the hash of record 4"

fresh
sed -i '7d' "$S/log"
verify
expect "removed record" 1 "FAILED: seq 6: found seq 7 (a record is missing, duplicated or out of order)"

fresh
head -n 15 "$S/log" >"$T/short" && cat "$T/short" >"$S/log"
verify
expect "truncated tail vs checkpoint" 1 \
    "FAILED: $S/checkpoints: the checkpoint covers 22 records but the log has only 15 (the log was truncated)"

fresh
awk 'NR == 4 { held = $0; next } { print } NR == 5 { print held }' "$S/log" >"$T/swapped"
cat "$T/swapped" >"$S/log"
verify
expect "reordered records" 1 "FAILED: seq 3: found seq 4 (a record is missing, duplicated or out of order)"

fresh
edit "$S/log" 4 's/"decision":"[a-z]*"/"decision":"allowed"/; 4s/dev-000003/dev-999999/'
"$FIXTURE" rechain "$S/log" 3
verify
expect "edited field, chain recomputed, old checkpoint" 1 \
    "FAILED: seq 11: the checkpoint for tree size 11 does not match the log (root hash differs)"

fresh
LC_ALL=C awk -v n="$(wc -l <"$S/checkpoints")" 'NR == n {
	c = substr($0, length($0) - 9, 1); r = (c == "A") ? "B" : "A"
	$0 = substr($0, 1, length($0) - 10) r substr($0, length($0) - 8) } { print }' \
    "$S/checkpoints" >"$T/forged"
cat "$T/forged" >"$S/checkpoints"
verify
expect "forged checkpoint signature" 1 "FAILED: $S/checkpoints: signature by $KEYID does not verify"

fresh
mkdir -m 0700 "$T/other"
FIXTURE_ORIGIN=wavesign/acme/ffffffffffffffff FIXTURE_SEED=9 "$FIXTURE" create "$T/other" 20 10 >/dev/null
cp "$T/other/checkpoints" "$S/checkpoints"
verify
expect "checkpoint from another log (origin and key)" 1 \
    "FAILED: $S/checkpoints: the checkpoint is for origin wavesign/acme/ffffffffffffffff, not this log's origin $ORIGIN"

fresh
rm -rf "$T/copy" && cp -a "$S" "$T/copy"
"$FIXTURE" append "$T/copy" 1
FIXTURE_SEED=9 "$FIXTURE" checkpoint "$T/copy"
cp "$T/copy/checkpoints" "$S/checkpoints"
verify
want="FAILED: $S/checkpoints: signed by a different key named $ORIGIN (key hash "
case "$OUT" in
"$want"*", expected ${KEYID##*+})") expect_rc "checkpoint signed by another key" 1 ;;
*) fail "checkpoint signed by another key: printed $OUT" ;;
esac

fresh
printf '{"op":"cert.iss' >>"$S/log"
verify
expect "partial last line refused" 1 "FAILED: seq 23: incomplete last line (15 bytes without a newline: a crash during a write; wavesignd removes it when it next opens the log)"
verify --ignore-partial-tail
expect_rc "partial last line ignored on request" 0
"$FIXTURE" open "$S" 2>/dev/null
verify
expect_rc "partial last line recovered by the log's open" 0

fresh
run "$AUDIT" -d "$S" --key "$KEY" --origin wavesign/acme/ffffffffffffffff verify
expect "log of another origin" 1 \
    "FAILED: seq 0: the log's origin is $ORIGIN, expected wavesign/acme/ffffffffffffffff"

fresh
printf 'x%.0s' $(seq 1 10) >/dev/null
head -c 1048577 /dev/zero | tr '\0' 'x' >>"$S/log"
echo >>"$S/log"
verify
expect "overlong line" 1 "FAILED: seq 23: the line is longer than 1048576 bytes"

audit_done
