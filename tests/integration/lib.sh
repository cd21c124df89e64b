# lib.sh -- sourced by every integration test.
#
# Each test gets its own appliance in a fresh temporary directory: its own
# SoftHSM2 token (made by hsm/wavesign-token-init, i.e. by the product's own
# `wavesign token init`), its own state directory, policy, config and socket,
# and the real wavesignd listening on a real Unix socket. Nothing is shared
# between tests and everything is removed at exit (kept with KEEP=1).
#
# Assertions compare exact exit codes and exact output lines; each failure
# says what was expected and what came, and the test exits non-zero.

set -eu

: "${top_builddir:?run through make check (top_builddir unset)}"
: "${top_srcdir:?run through make check (top_srcdir unset)}"

WAVESIGND=$top_builddir/src/wavesignd/wavesignd
WAVESIGN=$top_builddir/src/wavesign/wavesign
WAVESIGN_AUDIT=$top_builddir/src/wavesign-audit/wavesign-audit
TOKEN_INIT=$top_builddir/hsm/wavesign-token-init
export WAVESIGN_SOFTHSM2_CONF_IN="$top_srcdir/hsm/softhsm2.conf.in"
FIXTURES=$top_srcdir/tests/integration/fixtures
export WAVESIGN WAVESIGND

T=$(mktemp -d /tmp/wavesign-it.XXXXXX)
chmod 0755 "$T"
SOCK=$T/run/wavesignd.sock
DAEMON_PID=
FAILS=0
CHECKS=0

ws_cleanup() {
	if [ -n "$DAEMON_PID" ] && kill -0 "$DAEMON_PID" 2>/dev/null; then
		kill -TERM "$DAEMON_PID" 2>/dev/null || true
		wait "$DAEMON_PID" 2>/dev/null || true
	fi
	if [ "${KEEP:-0}" = 1 ] || [ "$FAILS" -ne 0 ]; then
		echo "test directory kept: $T"
		[ -f "$T/daemon.log" ] && { echo "--- daemon log"; tail -n 40 "$T/daemon.log"; }
	else
		rm -rf "$T"
	fi
}
trap ws_cleanup EXIT

fail() {
	FAILS=$((FAILS + 1))
	echo "FAIL: $*"
}

ok() {
	echo "ok: $*"
}

# ws_setup [POLICY_FILE]: token, state dir, policy and config for one daemon.
# Every test's daemon runs under its seccomp filter (sandbox.seccomp), so
# that the whole suite proves the filter allows what serving needs;
# WS_TEST_SECCOMP=false turns it off.
ws_setup() {
	policy=${1:-$FIXTURES/policy.yaml}
	mkdir -p "$T/run"
	chmod 0755 "$T/run"
	mkdir -m 0700 "$T/state"
	"$TOKEN_INIT" "$T/state" wavesign-test >"$T/token-init.out" 2>&1 ||
		{ cat "$T/token-init.out"; echo "FAIL: token init"; exit 1; }
	cp "$policy" "$T/policy.yaml"
	cat >"$T/wavesignd.yaml" <<CONF
socket:
  path: $SOCK
  mode: "0666"
state-dir: $T/state
policy: $T/policy.yaml
token:
  uri: "pkcs11:token=wavesign-test"
  module: ${SOFTHSM2_MODULE:-/usr/lib/softhsm/libsofthsm2.so}
  pin-file: $T/state/token/pin
  softhsm2-conf: $T/state/token/softhsm2.conf
limits:
  max-frame: 1MiB
  io-timeout: 5s
sandbox:
  seccomp: ${WS_TEST_SECCOMP:-true}
CONF
}

# ws_start: starts wavesignd and waits until it says it is serving (a
# socket file alone may be a stale one left by a killed daemon).
ws_start() {
	"$WAVESIGND" -c "$T/wavesignd.yaml" >>"$T/daemon.log" 2>&1 &
	DAEMON_PID=$!
	i=0
	while [ $i -lt 200 ]; do
		if grep -q "wavesignd\[$DAEMON_PID\]: info: serving " "$T/daemon.log" 2>/dev/null; then
			return 0
		fi
		if ! kill -0 "$DAEMON_PID" 2>/dev/null; then
			wait "$DAEMON_PID" || true
			DAEMON_PID=
			echo "FAIL: wavesignd exited at start"; tail -n 20 "$T/daemon.log"; exit 1
		fi
		sleep 0.05
		i=$((i + 1))
	done
	echo "FAIL: wavesignd did not create $SOCK within 10 s"
	exit 1
}

# ws_stop: SIGTERM and wait; the exit status is left in $DAEMON_STATUS.
ws_stop() {
	DAEMON_STATUS=0
	kill -TERM "$DAEMON_PID"
	wait "$DAEMON_PID" || DAEMON_STATUS=$?
	DAEMON_PID=
}

ws() {
	"$WAVESIGN" -s "$SOCK" "$@"
}

# expect_exit CODE CMD...: runs CMD, keeps stdout in $T/out and stderr in
# $T/err, and checks its exit status.
expect_exit() {
	want=$1
	shift
	CHECKS=$((CHECKS + 1))
	got=0
	"$@" >"$T/out" 2>"$T/err" || got=$?
	if [ "$got" -ne "$want" ]; then
		fail "$* exited $got, expected $want"
		sed 's/^/  stdout: /' "$T/out" | head -n 20
		sed 's/^/  stderr: /' "$T/err" | head -n 20
		return 1
	fi
	return 0
}

# expect_line FILE LINE: FILE has exactly this line.
expect_line() {
	CHECKS=$((CHECKS + 1))
	if grep -Fxq -- "$2" "$1"; then
		return 0
	fi
	fail "expected the line [$2] in $(basename "$1"), got:"
	sed 's/^/  | /' "$1" | head -n 20
	return 1
}

# expect_eq WHAT GOT WANT
expect_eq() {
	CHECKS=$((CHECKS + 1))
	if [ "$2" = "$3" ]; then
		return 0
	fi
	fail "$1: got [$2], expected [$3]"
	return 1
}

# json_get FILE EXPR: one value out of a JSON file, with python3 (test tooling).
json_get() {
	python3 -c 'import json,sys
v = json.load(open(sys.argv[1]))
for k in sys.argv[2].split("."):
    v = v[int(k)] if isinstance(v, list) else v[k]
print(v if not isinstance(v, (dict, list)) else json.dumps(v, sort_keys=True))' "$1" "$2"
}

# ws_finish: the closing line and status of a test.
ws_finish() {
	echo "$((CHECKS - FAILS)) passed, $FAILS failed"
	[ "$FAILS" -eq 0 ]
}
