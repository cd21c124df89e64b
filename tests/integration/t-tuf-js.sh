#!/bin/sh
# t-tuf-js.sh -- the tuf dialect read by clients that are not wavesign.
#
# tuf-repo-gen writes a repository (root rotation v1 -> v2, Ed25519, ECDSA
# P-256 and RSA-PSS keys, a targets threshold of 2, consistent snapshots,
# a target file) and one copy per attack. Then:
#   1. wavesign's own ws_tuf_repo_verify() accepts good and refuses each
#      attack with its exact code;
#   2. python3-securesystemslib checks what tuf-js does not: keyids,
#      the strict expires format, every signature;
#   3. the npm tuf-js 5.x client refreshes root -> timestamp -> snapshot ->
#      targets, gets and downloads hello.txt from good, and refuses every
#      attack (tests/integration/tuf-js/check-repos.js).
# Skips (77) only when node itself is missing.
. "$top_srcdir/tests/integration/tuf-lib.sh"

NODE_DIR=$top_srcdir/tests/integration/tuf-js
if ! command -v node >/dev/null 2>&1; then
	echo "SKIP: node is not installed (Debian package nodejs; tuf-js 5.x needs Node >= 20.17)"
	exit 77
fi
if [ ! -f "$NODE_DIR/node_modules/tuf-js/package.json" ]; then
	echo "FAIL: the tuf-js client is not installed: run"
	echo "  npm install --prefix tests/integration/tuf-js --no-audit --no-fund"
	exit 1
fi

"$GEN" repos tuf "$T/repos"

verify_expect tuf good ok
verify_expect tuf wrong-key tuf-threshold
verify_expect tuf expired tuf-bad-expiry
verify_expect tuf duplicate-signature tuf-bad-signature
verify_expect tuf tampered-targets tuf-invalid
verify_expect tuf tampered-signed tuf-bad-signature
verify_expect tuf stale-root tuf-stale-version
verify_expect tuf stale-timestamp ok
verify_expect tuf stale-timestamp tuf-stale-version good
# The metadata of tampered-target is intact; its target file is not (tuf-js checks that below).
verify_expect tuf tampered-target ok

PY=$(find_python "securesystemslib, cryptography") ||
	missing python3-securesystemslib "apt-get install python3-securesystemslib"
for scenario in good wrong-key tampered-signed; do
	out=$("$PY" "$top_srcdir/tests/integration/tuf_sslib_check.py" "$T/repos/$scenario" 2>&1) && rc=0 || rc=$?
	want=$([ "$scenario" = good ] && echo 0 || echo 1)
	if [ "$rc" = "$want" ]; then
		pass "securesystemslib $scenario: $out"
	else
		fail "securesystemslib $scenario: exit $rc (expected $want): $out"
	fi
done

if node "$NODE_DIR/check-repos.js" "$T/repos"; then
	pass "tuf-js: good accepted, every attack refused"
else
	fail "tuf-js (see the lines above)"
fi
finish
