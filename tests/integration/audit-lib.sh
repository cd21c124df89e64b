# audit-lib.sh -- sourced by the signing-log tests (t-audit-*.sh, t-log-*.sh).
#
# They need no token and no daemon: logs are made by tests/integration/
# log-fixture (the library with an in-memory Ed25519 key) and checked with
# the real wavesign-audit program. Each test works in its own temporary
# directory, removed at exit unless a check failed (or KEEP=1).

set -eu

: "${top_builddir:?run through make check (top_builddir unset)}"

AUDIT=$top_builddir/src/wavesign-audit/wavesign-audit
FIXTURE=$top_builddir/tests/integration/log-fixture
T=$(mktemp -d /tmp/wavesign-log-it.XXXXXX)
FAILS=0

audit_cleanup() {
	if [ "${KEEP:-0}" = 1 ] || [ "$FAILS" -ne 0 ]; then
		echo "test directory kept: $T"
	else
		rm -rf "$T"
	fi
}
trap audit_cleanup EXIT

fail() {
	FAILS=$((FAILS + 1))
	echo "FAIL: $*"
}

ok() {
	echo "ok: $*"
}

# run CMD...: runs a command, keeping its exit code in RC and its stdout in OUT
# (stderr in ERR).
run() {
	set +e
	"$@" >"$T/.out" 2>"$T/.err"
	RC=$?
	set -e
	OUT=$(cat "$T/.out")
	ERR=$(cat "$T/.err")
}

# expect NAME RC TEXT: the last run exited RC and printed exactly TEXT on stdout.
expect() {
	if [ "$RC" -ne "$2" ]; then
		fail "$1: exit $RC, expected $2 (stdout: $OUT; stderr: $ERR)"
	elif [ "$OUT" != "$3" ]; then
		fail "$1: printed
$OUT
expected
$3"
	else
		ok "$1"
	fi
}

# expect_rc NAME RC: only the exit code matters.
expect_rc() {
	if [ "$RC" -ne "$2" ]; then
		fail "$1: exit $RC, expected $2 (stdout: $OUT; stderr: $ERR)"
	else
		ok "$1"
	fi
}

# fresh_log DIR N [K]: a new state dir DIR with N records and a checkpoint
# every K; sets KEY to its verifier key.
fresh_log() {
	rm -rf "$1"
	mkdir -m 0700 "$1"
	KEY=$("$FIXTURE" create "$1" "$2" "${3:-10}")
}

audit_done() {
	if [ "$FAILS" -ne 0 ]; then
		echo "$FAILS check(s) failed"
		exit 1
	fi
	exit 0
}
