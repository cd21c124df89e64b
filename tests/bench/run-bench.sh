#!/bin/sh
# run-bench.sh -- `make bench`: every speed goal of PERF.md measured beside
# its limit, in one run, on this machine; prints one table.
#
# usage: run-bench.sh [--quick] [--seconds S] [--clients LIST] [--targets LIST]
#                     [--records LIST] [--repeat N] [--workers N]
#                     [--parts certs,waves,audit] [--profile DIR] [--out FILE] [--keep]
#
#   --quick          a short run for CI (under a minute): 1 s per load level,
#                    1,000 and 10,000 targets, 10,000 and 100,000 records,
#                    one round
#   --seconds S      seconds per load level and round (default 3)
#   --clients LIST   concurrent socket clients (default 1,2,4,8)
#   --targets LIST   CI targets files, in targets (default 1000,10000,100000)
#   --records LIST   signing logs, in records (default 10000,100000,1000000)
#   --repeat N       rounds of the load levels, and runs of each timed command,
#                    interleaved with their limits; medians (default 3)
#   --workers N      wavesignd's limits.workers (default: the daemon's default)
#   --parts LIST     run only these parts (default certs,waves,audit)
#   --profile DIR    perf record -g the daemon during the cert.issue load and
#                    the largest wave, and wavesign-audit on the largest log,
#                    into DIR/*.perf.data (figures taken then are perturbed)
#   --out FILE       also write the table (markdown) to FILE
#   --keep           keep the temporary directory
#
# Like tests/integration/lib.sh, it makes its own appliance in a fresh
# temporary directory: a SoftHSM2 token made by hsm/wavesign-token-init,
# a state directory, tests/bench/policy.yaml, a config, and the real
# wavesignd on a real Unix socket; keys and the factory CA are made by
# the officer (root) through the real CLI. The peers (cfssl, yajl's
# json_verify) are Debian packages: golang-cfssl, yajl-tools; a row whose
# peer is missing says so.
#
# The machine is shared and noisy: only the ratios of figures measured
# side by side in this run mean anything. Nothing here asserts a time.
set -eu

: "${top_builddir:?run through make bench (top_builddir unset)}"
: "${top_srcdir:?run through make bench (top_srcdir unset)}"

BENCH=$top_builddir/tests/bench/wavesign-bench
WAVESIGND=$top_builddir/src/wavesignd/wavesignd
WAVESIGN=$top_builddir/src/wavesign/wavesign
WAVESIGN_AUDIT=$top_builddir/src/wavesign-audit/wavesign-audit
TOKEN_INIT=$top_builddir/hsm/wavesign-token-init
LOG_FIXTURE=$top_builddir/tests/integration/log-fixture
GEN_CI=$top_srcdir/tests/bench/gen-ci-targets.py
export WAVESIGN_SOFTHSM2_CONF_IN="$top_srcdir/hsm/softhsm2.conf.in"
export WAVESIGN
MODULE=${SOFTHSM2_MODULE:-/usr/lib/softhsm/libsofthsm2.so}

SECONDS_PER_LEVEL=3
CLIENTS=1,2,4,8
TARGETS=1000,10000,100000
RECORDS=10000,100000,1000000
REPEAT=3
WORKERS=
PARTS=certs,waves,audit
PROFILE=
PERF_PID=
OUT=
KEEP=${KEEP:-0}
MODE=full

while [ $# -gt 0 ]; do
	case $1 in
	--quick)
		MODE=quick SECONDS_PER_LEVEL=1 TARGETS=1000,10000 RECORDS=10000,100000 REPEAT=1 ;;
	--seconds) SECONDS_PER_LEVEL=$2; shift ;;
	--clients) CLIENTS=$2; shift ;;
	--targets) TARGETS=$2; shift ;;
	--records) RECORDS=$2; shift ;;
	--repeat) REPEAT=$2; shift ;;
	--workers) WORKERS=$2; shift ;;
	--parts) PARTS=$2; shift ;;
	--profile) PROFILE=$2; shift ;;
	--out) OUT=$2; shift ;;
	--keep) KEEP=1 ;;
	-h | --help) sed -n '2,33p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "run-bench.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
	esac
	shift
done

for p in "$BENCH" "$WAVESIGND" "$WAVESIGN" "$WAVESIGN_AUDIT" "$TOKEN_INIT" "$LOG_FIXTURE"; do
	[ -x "$p" ] || { echo "run-bench.sh: $p is not built (run: make bench)" >&2; exit 2; }
done

T=$(mktemp -d /tmp/wavesign-bench.XXXXXX)
chmod 0755 "$T"
SOCK=$T/run/wavesignd.sock
R=$T/results
DAEMON_PID=
CFSSL_PID=
: >"$R"

bench_cleanup() {
	rc=$?
	for pid in $PERF_PID $DAEMON_PID $CFSSL_PID; do
		if kill -0 "$pid" 2>/dev/null; then
			kill -TERM "$pid" 2>/dev/null || true
			wait "$pid" 2>/dev/null || true
		fi
	done
	if [ "$KEEP" = 1 ] || [ "$rc" -ne 0 ]; then
		echo "bench directory kept: $T" >&2
		[ "$rc" -eq 0 ] || [ ! -f "$T/daemon.log" ] || { echo "--- daemon log" >&2; tail -n 20 "$T/daemon.log" >&2; }
	else
		rm -rf "$T"
	fi
}
trap bench_cleanup EXIT
trap 'exit 130' INT TERM

note() {
	echo "bench: $*" >&2
}

# result NAME VALUE: a figure the driver itself found.
result() {
	echo "RESULT $1 $2" >>"$R"
}

# run ARGS...: wavesign-bench, its RESULT lines kept, its messages shown.
run() {
	"$BENCH" "$@" >>"$R"
}

ws() {
	"$WAVESIGN" -s "$SOCK" "$@"
}

has() {
	command -v "$1" >/dev/null 2>&1
}

# profile_start NAME PID | profile_stop: perf record -g of one process (--profile).
profile_start() {
	[ -n "$PROFILE" ] || return 0
	has perf || { note "perf is not installed: no profile"; return 0; }
	mkdir -p "$PROFILE"
	perf record -F 999 -g -p "$2" -o "$PROFILE/$1.perf.data" >"$T/perf-$1.log" 2>&1 &
	PERF_PID=$!
	sleep 0.5
}

profile_stop() {
	[ -n "$PERF_PID" ] || return 0
	kill -INT "$PERF_PID" 2>/dev/null || true
	wait "$PERF_PID" 2>/dev/null || true
	PERF_PID=
}

# ------------------------------------------------------------ the appliance

appliance_start() {
	mkdir -p "$T/run"
	chmod 0755 "$T/run"
	mkdir -m 0700 "$T/state"
	"$TOKEN_INIT" "$T/state" wavesign-bench >"$T/token-init.out" 2>&1 ||
		{ cat "$T/token-init.out" >&2; echo "run-bench.sh: token init failed" >&2; exit 1; }
	cp "$top_srcdir/tests/bench/policy.yaml" "$T/policy.yaml"
	cat >"$T/wavesignd.yaml" <<CONF
socket:
  path: $SOCK
  mode: "0666"
state-dir: $T/state
policy: $T/policy.yaml
token:
  uri: "pkcs11:token=wavesign-bench"
  module: $MODULE
  pin-file: $T/state/token/pin
  softhsm2-conf: $T/state/token/softhsm2.conf
limits:
  max-frame: 512MiB
  io-timeout: 60s
CONF
	[ -z "$WORKERS" ] || echo "  workers: $WORKERS" >>"$T/wavesignd.yaml"
	"$WAVESIGND" -c "$T/wavesignd.yaml" >>"$T/daemon.log" 2>&1 &
	DAEMON_PID=$!
	i=0
	until grep -q "wavesignd\[$DAEMON_PID\]: info: serving " "$T/daemon.log" 2>/dev/null; do
		if ! kill -0 "$DAEMON_PID" 2>/dev/null || [ $i -ge 200 ]; then
			tail -n 20 "$T/daemon.log" >&2
			echo "run-bench.sh: wavesignd did not start" >&2
			exit 1
		fi
		sleep 0.05
		i=$((i + 1))
	done
	ws keys init >"$T/keys.out"
	ws ca init --owner bench --out "$T/ca" >"$T/ca.out"
	if waves_available; then
		# The production root waves sign under; openssl Ed25519 keys stand in
		# for the OTA back end's online keys (as tests/integration/waves-lib.sh).
		online=
		for role in targets snapshot timestamp; do
			openssl genpkey -algorithm ed25519 -out "$T/online-$role.key" 2>/dev/null
			openssl pkey -in "$T/online-$role.key" -pubout -out "$T/online-$role.pem"
			online="$online --online-key $role=$T/online-$role.pem"
		done
		# shellcheck disable=SC2086
		ws tuf root sign --production $online --out "$T/prod" >"$T/root.out"
	fi
	result workers "$(sed -n 's/.*serving .* with \([0-9]*\) workers.*/\1/p' "$T/daemon.log")"
}

# crypto_limit THREADS SECONDS: the limit loop, on the daemon's own token (a
# second process, as a second PKCS#11 application would) with the daemon idle.
crypto_limit() {
	SOFTHSM2_CONF=$T/state/token/softhsm2.conf run limit "$T/csrs.pem" --module "$MODULE" \
		--uri "pkcs11:token=wavesign-bench" --pin-file "$T/state/token/pin" --key device-ca \
		--threads "$1" --seconds "$2"
}

# ------------------------------------------------------------ cfssl

# cfssl_start: `cfssl serve` on 127.0.0.1 with a P-256 CA whose key it
# holds in memory (CFSSL_PORT); nothing when cfssl is not installed.
CFSSL_PORT=
cfssl_start() {
	if ! has cfssl; then
		result cfssl.missing 1
		note "cfssl is not installed (apt-get install golang-cfssl): no cfssl row"
		return 0
	fi
	mkdir -p "$T/cfssl"
	cat >"$T/cfssl/ca-csr.json" <<'JSON'
{"CN": "bench device CA", "key": {"algo": "ecdsa", "size": 256}, "names": [{"OU": "acme"}]}
JSON
	(cd "$T/cfssl" && cfssl gencert -initca ca-csr.json 2>/dev/null >ca.json)
	python3 - "$T/cfssl" <<'PY'
import json, sys
d = json.load(open(sys.argv[1] + "/ca.json"))
open(sys.argv[1] + "/ca.pem", "w").write(d["cert"])
open(sys.argv[1] + "/ca-key.pem", "w").write(d["key"])
PY
	CFSSL_PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	# Errors only (-loglevel 3): cfssl writes no line per request, as the appliance writes none to its log file.
	cfssl serve -address 127.0.0.1 -port "$CFSSL_PORT" -ca "$T/cfssl/ca.pem" -ca-key "$T/cfssl/ca-key.pem" \
		-loglevel 3 >"$T/cfssl.log" 2>&1 &
	CFSSL_PID=$!
	i=0
	until python3 -c 'import socket, sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1)' \
		"$CFSSL_PORT" 2>/dev/null; do
		if ! kill -0 "$CFSSL_PID" 2>/dev/null || [ $i -ge 100 ]; then
			tail -n 20 "$T/cfssl.log" >&2
			echo "run-bench.sh: cfssl serve did not start" >&2
			exit 1
		fi
		sleep 0.1
		i=$((i + 1))
	done
	result cfssl.version "$(cfssl version | sed -n 's/^Version: //p')"
}

cfssl_stop() {
	[ -n "$CFSSL_PID" ] || return 0
	kill -TERM "$CFSSL_PID"
	wait "$CFSSL_PID" 2>/dev/null || true
	CFSSL_PID=
}

# ------------------------------------------------------------ certificates

# REPEAT rounds, each: the crypto limit on 2 threads, wavesignd at every
# level of --clients, cfssl at 8 clients; side by side in time, so that
# the machine's noise hits figure and limit alike. Medians over rounds.
certs_bench() {
	levels=$(echo "$CLIENTS" | tr ',' ' ' | wc -w)
	# Every CSR is issued once (the policy denies reissue): enough for every
	# level of every round at up to 6,000 certificates a second, plus warm-ups.
	per_round=$(python3 -c "import sys; print(int(float(sys.argv[1]) * $levels * 6000 * 1.01) + 200)" \
		"$SECONDS_PER_LEVEL")
	n=$((per_round * REPEAT))
	note "making $n device CSRs"
	"$BENCH" csrs "$n" "$T/csrs.pem" --threads 2
	note "the floor of one issuance: crypto on 1 thread, one fdatasync in the state directory"
	crypto_limit 1 1
	run fsync "$T/state" --seconds 1
	cfssl_start
	from=0
	round=1
	while [ "$round" -le "$REPEAT" ]; do
		note "round $round of $REPEAT: crypto limit; wavesignd cert.issue at $CLIENTS clients; cfssl at 8; $SECONDS_PER_LEVEL s each"
		crypto_limit 2 "$SECONDS_PER_LEVEL"
		[ "$round" -ne 1 ] || profile_start cert-issue "$DAEMON_PID"
		run issue "$SOCK" "$T/csrs.pem" --clients "$CLIENTS" --seconds "$SECONDS_PER_LEVEL" \
			--pid "$DAEMON_PID" --from "$from" --count "$per_round"
		profile_stop
		from=$((from + per_round))
		if [ -n "$CFSSL_PORT" ]; then
			run cfssl "127.0.0.1:$CFSSL_PORT" "$T/csrs.pem" --clients 8 --seconds "$SECONDS_PER_LEVEL" \
				--pid "$CFSSL_PID" --count "$per_round"
		fi
		round=$((round + 1))
	done
	crypto_limit 2 "$SECONDS_PER_LEVEL"
	cfssl_stop
}

# ------------------------------------------------------------ waves init

WAVES=no

waves_available() {
	"$WAVESIGN" waves init --help >/dev/null 2>&1
}

# wave_init SIZE VERSION K: one timed waves init over the SIZE file, then canceled.
wave_init() {
	run time "waves.$1.init" --pid "$DAEMON_PID" -- "$WAVESIGN" -s "$SOCK" waves init "bench-$1-$3" "$2" master \
		--ci-targets "$T/ci-$1.json" --out "$T/wave.json"
	ws waves cancel "bench-$1-$3" >/dev/null
}

waves_bench() {
	if waves_available; then
		WAVES=yes
	else
		result waves.missing 1
		note "this wavesignd has no waves.init yet: no waves rows"
	fi
	has json_verify || { result json_verify.missing 1; note "json_verify is not installed (apt-get install yajl-tools)"; }
	for size in $(echo "$TARGETS" | tr ',' ' '); do
		builds=$((size / 100))
		[ "$builds" -ge "$REPEAT" ] || builds=$REPEAT
		note "CI targets file: $size targets ($builds builds x 100 hardware ids)"
		python3 "$GEN_CI" --builds "$builds" --hwids 100 "$T/ci-$size.json"
		result "waves.$size.bytes" "$(wc -c <"$T/ci-$size.json")"
		if [ "$WAVES" = yes ] && [ "$size" = "$RSS_TARGETS" ]; then
			echo 5 >"/proc/$DAEMON_PID/clear_refs" 2>/dev/null || true	# VmHWM := VmRSS now
			"$BENCH" rss "$DAEMON_PID" | sed 's/^RESULT rss\./RESULT rss.wave-before./' >>"$R"
			profile_start "waves-init-$size" "$DAEMON_PID"
		fi
		k=1
		while [ $k -le "$REPEAT" ]; do
			version=$((builds - REPEAT + k))
			if [ "$WAVES" = yes ]; then
				wave_init "$size" "$version" "$k"
				[ "$size" != "$RSS_TARGETS" ] || profile_stop
			fi
			run time "waves.$size.python" -- python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
sys.stdout.write(json.dumps(d, sort_keys=True, separators=(",", ":")))' "$T/ci-$size.json"
			if has json_verify; then
				run time "waves.$size.yajl" --in "$T/ci-$size.json" -- json_verify -q
			fi
			run time "waves.$size.validate" -- "$BENCH" ci-validate "$T/ci-$size.json"
			k=$((k + 1))
		done
		if [ "$WAVES" = yes ] && [ "$size" = "$RSS_TARGETS" ]; then
			"$BENCH" rss "$DAEMON_PID" | sed 's/^RESULT rss\./RESULT rss.wave./' >>"$R"
			result rss.wave.targets "$size"
		fi
		rm -f "$T/ci-$size.json"
	done
}

# ------------------------------------------------------------ audit verify

audit_bench() {
	for n in $(echo "$RECORDS" | tr ',' ' '); do
		note "signing log of $n records"
		mkdir -p "$T/log-$n"
		vkey=$("$LOG_FIXTURE" gen "$T/log-$n" "$n" 1000)
		result "audit.$n.bytes" "$(wc -c <"$T/log-$n/log")"
		if [ -n "$PROFILE" ] && [ "$n" = "$(echo "$RECORDS" | tr ',' '\n' | sort -n | tail -n 1)" ] && has perf; then
			perf record -F 999 -g -o "$PROFILE/audit-verify-$n.perf.data" -- \
				"$WAVESIGN_AUDIT" -d "$T/log-$n" -k "$vkey" verify >"$T/perf-audit.log" 2>&1
		fi
		k=1
		while [ $k -le "$REPEAT" ]; do
			run time "audit.$n.verify" -- "$WAVESIGN_AUDIT" -d "$T/log-$n" -k "$vkey" verify
			run time "audit.$n.sha256sum" -- sha256sum "$T/log-$n/log"
			run time "audit.$n.openssl" -- openssl dgst -sha256 "$T/log-$n/log"
			k=$((k + 1))
		done
		rm -rf "$T/log-$n"
	done
}

# ------------------------------------------------------------ the run

RSS_TARGETS=$(echo "$TARGETS" | tr ',' '\n' | sort -n | tail -n 1)
started=$(date +%s)
result mode "$MODE"
result seconds_per_level "$SECONDS_PER_LEVEL"
result repeat "$REPEAT"
result cpus "$(nproc)"
result cpu "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1 | tr ' ' '_')"

note "appliance in $T"
appliance_start
sleep 1
"$BENCH" rss "$DAEMON_PID" | sed 's/^RESULT rss\./RESULT rss.idle./' >>"$R"

# part NAME: is NAME among --parts?
part() {
	case ",$PARTS," in *",$1,"*) return 0 ;; esac
	return 1
}
part certs && certs_bench
part waves && waves_bench
part audit && audit_bench
result elapsed "$(($(date +%s) - started))"

python3 "$top_srcdir/tests/bench/table.py" "$R" ${OUT:+"$OUT"}
