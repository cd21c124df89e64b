#!/bin/sh
# t-audit-commands.sh -- wavesign-audit: help, usage and I/O exit codes,
# verify, show, search, prove/verify-proof, consistency; and that it needs
# no PKCS#11 library.
. "$top_srcdir/tests/integration/audit-lib.sh"

S=$T/s
ORIGIN=wavesign/acme/0123456789abcdef
fresh_log "$S" 20 10
cp "$S/checkpoints" "$T/old.cp"

# --- help at every level, usage and I/O errors ---
run "$AUDIT" --help
expect_rc "--help" 0
for c in verify show search prove verify-proof consistency; do
	run "$AUDIT" "$c" --help
	expect_rc "$c --help" 0
	case "$OUT" in "usage: wavesign-audit"*) ;; *) fail "$c --help does not start with usage" ;; esac
done
run "$AUDIT"
expect_rc "no command" 2
run "$AUDIT" -d "$S" frobnicate
expect_rc "unknown command" 2
run "$AUDIT" -d "$S" verify
expect_rc "verify without --key" 2
run "$AUDIT" -d "$S" show x12
expect_rc "show with a bad seq" 2
run "$AUDIT" -d "$S" search --decision maybe
expect_rc "search with a bad decision" 2
run "$AUDIT" -d "$S" --log "$S/log" show
expect_rc "-d and --log together" 2
run "$AUDIT" --log "$T/nonexistent" --key "$KEY" verify
expect_rc "missing log is an I/O error" 3
run "$AUDIT" --key "not+a+key" -d "$S" verify
expect_rc "malformed key is a usage error" 2

# --- no PKCS#11 at run time ---
if ldd "$AUDIT" 2>/dev/null | grep -q 'p11-kit\|softhsm'; then
	fail "wavesign-audit links a PKCS#11 library"
else
	ok "wavesign-audit needs no PKCS#11 library"
fi

# --- verify ---
printf '%s\n' "$KEY" >"$T/audit.vkey"
run "$AUDIT" -d "$S" --key "$T/audit.vkey" verify
expect_rc "verify with the key in a file" 0
run "$AUDIT" -d "$S" --key "$KEY" verify --json
expect_rc "verify --json" 0
case "$OUT" in *'"ok":true'*'"size":23'*) ;; *) fail "verify --json: $OUT" ;; esac
run "$AUDIT" --log "$S/log" --key "$KEY" verify
expect_rc "verify --log without a checkpoints file" 0

# --- show ---
run "$AUDIT" -d "$S" show 0
case "$OUT" in *"op: log.create"*"origin: $ORIGIN"*) ok "show 0" ;; *) fail "show 0: $OUT" ;; esac
run "$AUDIT" -d "$S" show --json 4
expect "show --json prints the line" 0 "$(sed -n 5p "$S/log")"
run "$AUDIT" -d "$S" show 99
expect_rc "show past the end" 1
run "$AUDIT" -d "$S" show
[ "$(printf '%s\n' "$OUT" | wc -l)" -eq 24 ] || fail "show: expected a header and 23 rows"
ok "show all"

# --- search ---
run "$AUDIT" -d "$S" search --op cert.issue --decision denied --json
[ "$(printf '%s\n' "$OUT" | wc -l)" -eq 3 ] || fail "search denied cert.issue: $OUT"
ok "search --op --decision"
run "$AUDIT" -d "$S" search --op 'waves.*' --json
expect "search --op pattern" 0 "$(sed -n 8p "$S/log")"
run "$AUDIT" -d "$S" search --cn dev-000005 --json
expect "search --cn" 0 "$(sed -n 6p "$S/log")"
serial=$(printf '%040x' $((5 * 2654435761)))
run "$AUDIT" -d "$S" search --serial "$serial" --json
expect "search --serial" 0 "$(sed -n 6p "$S/log")"
run "$AUDIT" -d "$S" search --client officers --json
expect "search --client" 0 "$(sed -n 8p "$S/log")"
run "$AUDIT" -d "$S" search --until 2000-01-01 --json
expect "search --until" 0 ""
run "$AUDIT" -d "$S" search --since 2000-01-01 --op 'log.*' --json
[ "$(printf '%s\n' "$OUT" | wc -l)" -eq 3 ] || fail "search --since log.*: $OUT"
ok "search --since"

# --- prove and verify-proof ---
run "$AUDIT" -d "$S" --key "$KEY" prove 5
expect_rc "prove 5" 0
printf '%s\n' "$OUT" >"$T/p5.json"
run "$AUDIT" --key "$KEY" verify-proof "$T/p5.json"
case "$OUT" in "OK: record 5 (cert.issue, "*") is in the log $ORIGIN at tree size 22, checkpoint signed by $ORIGIN")
	ok "verify-proof" ;; *) fail "verify-proof: $RC $OUT" ;; esac
run "$AUDIT" -d "$S" prove 5 --checkpoint 11
printf '%s\n' "$OUT" >"$T/p5-11.json"
run "$AUDIT" --key "$KEY" verify-proof "$T/p5-11.json"
case "$OUT" in *"at tree size 11,"*) ok "prove --checkpoint 11" ;; *) fail "prove --checkpoint 11: $OUT" ;; esac
run "$AUDIT" -d "$S" prove 15 --checkpoint 11
expect_rc "prove a record after the checkpoint" 1
run "$AUDIT" -d "$S" prove 5 --checkpoint 6
expect_rc "prove against a record that is no checkpoint" 1
sed -n 7p "$S/log" >"$T/other-record"
run "$AUDIT" --key "$KEY" verify-proof --record "$T/other-record" "$T/p5.json"
expect "verify-proof with another record" 1 "FAILED: the record does not hash to the proof's leaf_hash"
sed 's/"proof":\["\(.\)/"proof":["f\1/; s/"proof":\["ff/"proof":["0f/' "$T/p5.json" >"$T/bad.json"
run "$AUDIT" --key "$KEY" verify-proof "$T/bad.json"
expect_rc "verify-proof with a changed path" 1
other=$(FIXTURE_SEED=9 "$FIXTURE" vkey)
run "$AUDIT" --key "$other" verify-proof "$T/p5.json"
expect_rc "verify-proof with another key" 1
run "$AUDIT" verify-proof "$T/p5.json"
expect_rc "verify-proof without a key" 2

# --- consistency ---
"$FIXTURE" append "$S" 5
"$FIXTURE" checkpoint "$S"
run "$AUDIT" -d "$S" --key "$KEY" consistency "$T/old.cp" "$S/checkpoints"
expect "consistency" 0 "OK: in the log $ORIGIN, the tree of size 22 ($T/old.cp) is a prefix of the tree of size 28 ($S/checkpoints)"
run "$AUDIT" -d "$S" --key "$KEY" consistency --json "$T/old.cp" "$S/checkpoints"
printf '%s\n' "$OUT" >"$T/c.json"
run "$AUDIT" --key "$KEY" verify-proof "$T/c.json"
expect "verify-proof of a consistency proof" 0 "OK: in the log $ORIGIN, the tree of size 22 is a prefix of the tree of size 28"
run "$AUDIT" -d "$S" --key "$KEY" consistency "$S/checkpoints" "$T/old.cp"
expect_rc "consistency the wrong way round" 1
sed -i '4s/dev-000003/dev-999999/' "$S/log"
"$FIXTURE" rechain "$S/log" 3
run "$AUDIT" -d "$S" --key "$KEY" consistency "$T/old.cp" "$S/checkpoints"
expect "consistency against a rewritten log" 1 \
    "FAILED: the log does not match $T/old.cp: the root hash of its first 22 records differs"

audit_done
