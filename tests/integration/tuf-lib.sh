# tuf-lib.sh -- sourced by the TUF integration tests (t-tuf-*.sh).
#
# They need no token and no daemon: tests/integration/tuf-repo-gen writes
# repositories with the library, and independent verifiers read them.
# A missing verifier fails the test, with the command that installs it;
# only outside CI (CI unset) may a test skip (exit 77) for a missing tool.

set -eu

: "${top_builddir:?run through make check (top_builddir unset)}"
: "${top_srcdir:?run through make check (top_srcdir unset)}"

GEN=$top_builddir/tests/integration/tuf-repo-gen
T=$(mktemp -d /tmp/wavesign-tuf.XXXXXX)
FAILS=0
CHECKS=0

tuf_cleanup() {
	if [ "${KEEP:-0}" = 1 ] || [ "$FAILS" -ne 0 ]; then
		echo "test directory kept: $T"
	else
		rm -rf "$T"
	fi
}
trap tuf_cleanup EXIT

pass() { CHECKS=$((CHECKS + 1)); echo "ok - $*"; }
fail() { CHECKS=$((CHECKS + 1)); FAILS=$((FAILS + 1)); echo "FAIL - $*"; }

# missing WHAT HOW: a prerequisite is absent: skip outside CI, fail in CI.
missing() {
	if [ -n "${CI:-}" ]; then
		echo "FAIL: $1 is missing (CI=$CI): $2"
		exit 1
	fi
	echo "SKIP: $1 is missing: $2"
	exit 77
}

# A python3 that imports every module named.
find_python() {
	for py in /usr/bin/python3 "${PYTHON3:-python3}"; do
		if command -v "$py" >/dev/null 2>&1 && "$py" -c "import $1" 2>/dev/null; then
			echo "$py"
			return 0
		fi
	done
	return 1
}

# verify_expect DIALECT SCENARIO WANT [TRUSTED_SCENARIO]: ws_tuf_repo_verify
# on the scenario gives WANT ("ok" or an error code such as tuf-threshold).
verify_expect() {
	d=$1 scenario=$2 want=$3
	trusted=${4:+$T/repos/$4}
	out=$("$GEN" verify "$d" "$T/repos/$scenario" $trusted 2>&1) && rc=0 || rc=$?
	case $want in
	ok) got=$([ $rc -eq 0 ] && echo ok || echo "${out%%:*}") ;;
	*) got=$([ $rc -eq 1 ] && echo "${out%%:*}" || echo "exit $rc") ;;
	esac
	if [ "$got" = "$want" ]; then
		pass "wavesign verify $scenario${4:+ (trusting $4)}: $out"
	else
		fail "wavesign verify $scenario: expected $want, got: $out"
	fi
}

finish() {
	echo "$(basename "$0"): $((CHECKS - FAILS)) passed, $FAILS failed"
	[ "$FAILS" -eq 0 ]
}
