#!/bin/sh
# The optional seccomp filter (issue 8, privilege): with sandbox.seccomp on
# (lib.sh turns it on for every integration test, so the whole suite runs
# under it) the kernel reports the filter on the daemon and on every one of
# its threads; a system call outside the list -- here a network socket,
# made inside the running daemon by gdb -- kills it with SIGSYS, and the
# next start finds the signing log whole. With the switch off there is no
# filter. A value that is not a boolean is a configuration error.
. "$top_srcdir/tests/integration/lib.sh"

ws_setup
ws_start
expect_exit 0 ws keys init
sed 's/^[^ ]* //' "$T/daemon.log" >"$T/daemon.lines"
expect_line "$T/daemon.lines" "wavesignd[$DAEMON_PID]: info: sandbox: seccomp filter installed; a system call serving does not need kills the daemon"

# Mode 2 (filter) on the process and on each thread (event loop and workers).
expect_line /proc/"$DAEMON_PID"/status "$(printf 'Seccomp:\t2')"
threads=0
for t in /proc/"$DAEMON_PID"/task/*; do
	threads=$((threads + 1))
	expect_line "$t/status" "$(printf 'Seccomp:\t2')"
done
expect_eq "threads seen (event loop + 16 workers)" "$threads" 17

# A network socket from inside the daemon: killed by the kernel.
if command -v gdb >/dev/null 2>&1; then
	gdb -p "$DAEMON_PID" -batch -ex 'call (long)syscall(41, 2, 1, 0)' >"$T/gdb.out" 2>&1 || true
	status=0
	wait "$DAEMON_PID" || status=$?
	DAEMON_PID=
	expect_eq "daemon killed by SIGSYS (128 + 31)" "$status" 159
	# The log is whole: the next start verifies it, and it verifies offline.
	ws_start
	expect_exit 0 ws status
	ws_stop
	expect_exit 0 "$WAVESIGN_AUDIT" -d "$T/state" --key "$T/state/audit.vkey" verify
else
	fail "gdb is not installed (scripts/install-deps.sh installs it)"
	ws_stop
fi

# Off: no filter.
sed -i 's/^  seccomp: .*/  seccomp: false/' "$T/wavesignd.yaml"
ws_start
expect_line /proc/"$DAEMON_PID"/status "$(printf 'Seccomp:\t0')"
ws_stop

# Not a boolean: refused with the place and the reason.
sed -i 's/^  seccomp: .*/  seccomp: sometimes/' "$T/wavesignd.yaml"
expect_exit 1 "$WAVESIGND" -c "$T/wavesignd.yaml" --check
line=$(grep -n '^  seccomp: ' "$T/wavesignd.yaml" | cut -d: -f1)
sed 's/^[^ ]* [^ ]* //' "$T/err" >"$T/err.lines"
expect_line "$T/err.lines" "error: config: the configuration file is invalid: $T/wavesignd.yaml:$line:12: sandbox.seccomp: expected true or false, got \"sometimes\""
ws_finish
