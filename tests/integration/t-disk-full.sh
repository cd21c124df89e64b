#!/bin/sh
# Fail closed when the signing log cannot grow: the request fails with
# log-write-failed, nothing half-written stays in the log, every later
# request fails the same way, and after a restart with room again the log
# verifies and holds every acknowledged request. The full disk is made
# with a file size limit (RLIMIT_FSIZE), which fails write() with EFBIG
# exactly where a full disk fails it with ENOSPC.
. "$top_srcdir/tests/integration/lib.sh"

ws_setup
ws_start
expect_exit 0 ws keys init
ws_stop
size=$(stat -c %s "$T/state/log")

# Room for about one more record. The limit applies to every file the
# daemon writes, so its diagnostics go through a pipe, as to journald.
mkfifo "$T/diag"
cat "$T/diag" >>"$T/daemon.log" &
prlimit --fsize=$((size + 700)) "$WAVESIGND" -c "$T/wavesignd.yaml" >"$T/diag" 2>&1 &
DAEMON_PID=$!
i=0
until [ -S "$SOCK" ]; do i=$((i + 1)); [ $i -lt 200 ] || { fail "no socket"; break; }; sleep 0.05; done

acked=0
refused=0
for n in 1 2 3 4 5; do
	if ws --id "disk-$n" status >"$T/out.$n" 2>"$T/err.$n"; then
		acked=$((acked + 1))
		echo "disk-$n" >>"$T/acked"
	else
		refused=$((refused + 1))
		grep -q "\[log-write-failed\]$" "$T/err.$n" || fail "request $n: $(cat "$T/err.$n")"
	fi
done
expect_eq "some requests acknowledged before the log filled" "$([ $acked -ge 1 ] && echo yes)" "yes"
expect_eq "the rest refused" "$refused" "$((5 - acked))"
grep -q "signing log could not be written" "$T/daemon.log" || fail "no diagnostic about the log"

# The log ends with a whole line.
expect_eq "last byte of the log" "$(tail -c 1 "$T/state/log" | od -An -c | tr -d ' ')" '\n'
ws_stop

# Room again: the daemon starts, the log verifies, every acknowledged id is in it.
ws_start
expect_exit 0 ws status
ws_stop
expect_exit 0 "$WAVESIGN_AUDIT" -d "$T/state" --key "$T/state/audit.vkey" verify
while read -r id; do
	grep -q "\"id\":\"$id\"" "$T/state/log" || fail "acknowledged request $id is not in the log"
	CHECKS=$((CHECKS + 1))
done <"$T/acked"
ws_finish
