# waves-lib.sh -- sourced after lib.sh by the waves and TUF-op tests
# (t-waves-*.sh).
#
# Outputs are checked by verifiers that share no code with wavesign:
# wave_check.py (python3-cryptography, its own JSON encoders), Debian's
# jsoncpp (tests/integration/jsoncpp-canon: the serializer aktualizr
# verifies over) and, for the tuf dialect, the npm tuf-js client.

WAVE_CHECK="python3 $top_srcdir/tests/integration/wave_check.py"
JSONCPP=$top_builddir/tests/integration/jsoncpp-canon
GEN_CI="python3 $top_srcdir/tests/bench/gen-ci-targets.py"

# need_tools: python3-cryptography (and jsoncpp-canon for the foundries
# dialect) must be there; outside CI a missing one skips the test (77).
need_tools() {
	python3 -c 'import cryptography' 2>/dev/null ||
		skip_or_fail "python3-cryptography is missing (apt-get install python3-cryptography)"
	if [ "${1:-}" = jsoncpp ] && [ ! -x "$JSONCPP" ]; then
		skip_or_fail "jsoncpp-canon was not built (apt-get install libjsoncpp-dev, re-run configure)"
	fi
}

skip_or_fail() {
	if [ -n "${CI:-}" ]; then
		echo "FAIL: $1"
		exit 1
	fi
	echo "SKIP: $1"
	exit 77
}

# verified DESCRIPTION CMD...: an independent verifier must accept (exit 0).
verified() {
	what=$1
	shift
	CHECKS=$((CHECKS + 1))
	if out=$("$@" 2>&1); then
		ok "$what: $out"
	else
		fail "$what: $out"
	fi
}

# refused_by DESCRIPTION CMD...: an independent verifier must refuse (exit 1).
refused_by() {
	what=$1
	shift
	CHECKS=$((CHECKS + 1))
	rc=0
	out=$("$@" 2>&1) || rc=$?
	if [ "$rc" -eq 1 ]; then
		ok "$what: $out"
	else
		fail "$what: exit $rc: $out"
	fi
}

# same_as_jsoncpp FILE: jsoncpp re-serialises FILE to the same bytes.
same_as_jsoncpp() {
	CHECKS=$((CHECKS + 1))
	if "$JSONCPP" "$1" >"$T/jsoncpp.out" 2>&1 && cmp -s "$1" "$T/jsoncpp.out"; then
		ok "jsoncpp re-serialises $(basename "$1") to the same $(wc -c <"$1") bytes"
	else
		fail "jsoncpp re-serialises $1 differently"
	fi
}

# online_keys: Ed25519 key pairs standing in for the OTA back end's online
# targets, snapshot and timestamp keys ($T/online-ROLE.pem, public).
online_keys() {
	for role in targets snapshot timestamp; do
		openssl genpkey -algorithm ed25519 -out "$T/online-$role.key" 2>/dev/null
		openssl pkey -in "$T/online-$role.key" -pubout -out "$T/online-$role.pem"
	done
	ONLINE_KEYS="--online-key targets=$T/online-targets.pem --online-key snapshot=$T/online-snapshot.pem"
	ONLINE_KEYS="$ONLINE_KEYS --online-key timestamp=$T/online-timestamp.pem"
}

# waves_state: the daemon's view of every wave, for before/after comparisons.
waves_state() {
	ws --json waves list 2>&1 | grep -v '"record"' || true
}

# log_record SEQ: "OP DECISION ERROR" of one record of the signing log.
log_record() {
	python3 - "$T/state/log" "$1" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    r = json.loads(line)
    if r["seq"] == int(sys.argv[2]):
        print(r["op"], r.get("decision", "-"), r.get("error", "-"))
PY
}

# expect_refusal OP CODE MESSAGE CMD...: CMD exits 1 with exactly the line
# "wavesign: OP: MESSAGE [CODE] (signing log record N)" (MESSAGE "~ERE": a
# message matching the regular expression); record N is that op, refused
# with CODE; the waves are as they were.
expect_refusal() {
	op=$1
	code=$2
	msg=$3
	shift 3
	before=$(waves_state)
	expect_exit 1 "$@" || return 0
	seq=$(sed -n 's/.*(signing log record \([0-9]*\))$/\1/p' "$T/err")
	if [ -z "$seq" ]; then
		fail "no signing log record named in: $(cat "$T/err")"
		return 0
	fi
	case "$msg" in
	"~"*)	# an extended regular expression for the message (times that move)
		CHECKS=$((CHECKS + 1))
		if ! grep -Exq -- "wavesign: $op: ${msg#\~} \\[$code\\] \\(signing log record $seq\\)" "$T/err"; then
			fail "expected a line matching [${msg#\~}] [$code], got: $(cat "$T/err")"
			return 0
		fi ;;
	*)	expect_line "$T/err" "wavesign: $op: $msg [$code] (signing log record $seq)" || return 0 ;;
	esac
	case "$code" in
	policy-denied|approval-needed) decision=denied ;;
	*) decision=failed ;;
	esac
	expect_eq "signing log record $seq" "$(log_record "$seq")" "$op $decision $code"
	expect_eq "waves after $code" "$(waves_state)" "$before"
}

# wave_list: "NAME STATUS VERSION TAG" per wave, oldest first.
wave_list() {
	ws --json waves list | python3 -c 'import json,sys
for w in json.load(sys.stdin)["waves"]:
    print(w["name"], w["status"], w["version"], w["tag"])'
}
