#!/bin/sh
# t-tuf-foundries.sh -- the foundries dialect as aktualizr sees it.
#
# tuf-repo-gen writes a foundries repository (root rotation v1 -> v2,
# Ed25519 and RSA-PSS keys -- an RSA key's PEM in root.json --, a targets
# threshold of 2, target entries with unknown custom fields, quotes and
# backslashes) and one copy per attack. Then:
#   1. wavesign's own ws_tuf_repo_verify() accepts good and refuses each
#      attack with its exact code;
#   2. Debian's libjsoncpp, the serializer aktualizr canonicalises with,
#      re-serialises every file of good: its output must be the file's
#      bytes exactly, and its serialisation of `signed` is kept;
#   3. tuf_foundries_check.py (python3-cryptography) verifies good as
#      aktualizr does -- keyids = SHA-256 of the SPKI DER, Ed25519 and
#      RSA-PSS signatures over jsoncpp's bytes, distinct keyids, thresholds,
#      expiry, meta hashes -- and refuses every attack.
. "$top_srcdir/tests/integration/tuf-lib.sh"

JSONCPP=$top_builddir/tests/integration/jsoncpp-canon
[ -x "$JSONCPP" ] || missing "jsoncpp-canon (configure found no jsoncpp)" \
	"apt-get install libjsoncpp-dev, then re-run configure"
PY=$(find_python "cryptography") || missing python3-cryptography "apt-get install python3-cryptography"

"$GEN" repos foundries "$T/repos"

verify_expect foundries good ok
verify_expect foundries wrong-key tuf-threshold
verify_expect foundries expired tuf-bad-expiry
verify_expect foundries duplicate-signature tuf-bad-signature
verify_expect foundries tampered-targets tuf-invalid
verify_expect foundries tampered-signed tuf-bad-signature
verify_expect foundries stale-root tuf-stale-version
verify_expect foundries stale-timestamp tuf-stale-version good

mkdir -p "$T/jsoncpp"
for f in "$T"/repos/good/*.json; do
	name=$(basename "$f")
	"$JSONCPP" "$f" > "$T/jsoncpp/$name"
	"$JSONCPP" --signed "$f" > "$T/jsoncpp/$name.signed"
	if cmp -s "$f" "$T/jsoncpp/$name"; then
		pass "jsoncpp re-serialises $name to the same $(wc -c < "$f") bytes"
	else
		fail "jsoncpp re-serialises $name differently: $(cmp "$f" "$T/jsoncpp/$name" 2>&1 || true)"
	fi
done
grep -q 'BEGIN PUBLIC KEY-----\\n' "$T/repos/good/root.json" &&
	pass "root.json carries an RSA key's PEM (escaped newlines) and still matches jsoncpp" ||
	fail "root.json has no RSA PEM key: the newline case is not exercised"

CHECK=$top_srcdir/tests/integration/tuf_foundries_check.py
out=$("$PY" "$CHECK" "$T/repos/good" --jsoncpp-dir "$T/jsoncpp" 2>&1) && rc=0 || rc=$?
[ $rc -eq 0 ] && pass "python3-cryptography over jsoncpp's bytes: $out" ||
	fail "python3-cryptography refused good: $out"
for scenario in wrong-key expired duplicate-signature tampered-targets tampered-signed stale-root; do
	out=$("$PY" "$CHECK" "$T/repos/$scenario" 2>&1) && rc=0 || rc=$?
	[ $rc -eq 1 ] && pass "python3-cryptography $scenario: $out" ||
		fail "python3-cryptography accepted $scenario (exit $rc): $out"
done
out=$("$PY" "$CHECK" "$T/repos/stale-timestamp" --trusted "$T/repos/good" 2>&1) && rc=0 || rc=$?
[ $rc -eq 1 ] && pass "python3-cryptography stale-timestamp after good: $out" ||
	fail "python3-cryptography accepted a timestamp rollback (exit $rc): $out"
finish
