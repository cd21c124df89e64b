# pki-lib.sh -- sourced after lib.sh by the factory PKI tests.
#
# CSRs are made by `openssl req` (or python3-cryptography for shapes openssl
# will not write); every certificate is checked by three independent
# verifiers: openssl verify, GnuTLS certtool and python3-cryptography
# (pki_check.py).

PKI_CHECK="python3 $top_srcdir/tests/integration/pki_check.py"
UUID1=0b6f4a5e-2c1d-4e8f-9a7b-3c2d1e0f9a8b
UUID2=1c7e5b6f-3d2e-4f90-8b8c-4d3e2f1a0b9c
UUID3=2d8f6c70-4e3f-4a01-9c9d-5e4f3a2b1cad

# csr NAME SUBJECT [openssl req options...]: $T/NAME.key and $T/NAME.csr, an
# EC P-256 key unless the options say otherwise, requesting what
# lmp-device-register requests.
csr() {
	name=$1
	subj=$2
	shift 2
	if [ $# -eq 0 ]; then
		set -- -newkey ec -pkeyopt ec_paramgen_curve:P-256
	fi
	openssl req -new "$@" -nodes -keyout "$T/$name.key" -subj "$subj" \
		-addext "keyUsage=critical,digitalSignature" -addext "extendedKeyUsage=critical,clientAuth" \
		-out "$T/$name.csr" 2>"$T/openssl.err" ||
		{ cat "$T/openssl.err"; fail "openssl req for $name"; }
}

# check_device DIR CSR yes|no: the files of one issuance, by three verifiers.
check_device() {
	dir=$1
	csr_file=$2
	prod=$3
	CHECKS=$((CHECKS + 1))
	if ! openssl verify -CAfile "$dir/root.crt" -untrusted "$T/ca/device-ca.crt" -purpose sslclient \
		"$dir/client.pem" >"$T/verify.out" 2>&1; then
		fail "openssl verify $dir/client.pem"; cat "$T/verify.out"
	fi
	CHECKS=$((CHECKS + 1))
	if ! certtool --verify --load-ca-certificate "$dir/root.crt" --infile "$dir/client.chained" \
		--verify-purpose=1.3.6.1.5.5.7.3.2 >"$T/certtool.out" 2>&1 ||
		! grep -q "^Chain verification output: Verified\." "$T/certtool.out"; then
		fail "certtool --verify $dir/client.chained"; tail -n 5 "$T/certtool.out"
	fi
	CHECKS=$((CHECKS + 1))
	if ! $PKI_CHECK device "$dir/client.pem" "$T/ca/device-ca.crt" "$dir/root.crt" "$csr_file" "$prod" \
		>"$T/pycheck.out" 2>&1; then
		fail "python3-cryptography check of $dir/client.pem"; tail -n 5 "$T/pycheck.out"
	fi
	# client.chained is the certificate, a newline, the device CA (COMPAT.md §2a).
	{ cat "$dir/client.pem"; echo; cat "$T/ca/device-ca.crt"; } >"$T/chained.want"
	CHECKS=$((CHECKS + 1))
	cmp -s "$T/chained.want" "$dir/client.chained" || fail "$dir/client.chained is not client.pem, newline, device CA"
	CHECKS=$((CHECKS + 1))
	cmp -s "$T/ca/root.crt" "$dir/root.crt" || fail "$dir/root.crt is not the factory root"
}

# issued_count: allowed cert.issue records in the signing log that issued something.
issued_count() {
	python3 - "$T/state/log" <<'PY'
import json, sys
n = 0
for line in open(sys.argv[1]):
    r = json.loads(line)
    if r.get("op") == "cert.issue" and r.get("decision") == "allowed" and "replay_of" not in r.get("outputs", {}):
        n += 1
print(n)
PY
}

# log_record SEQ: "OP DECISION ERROR" of one record.
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
# "wavesign: OP: MESSAGE [CODE] (signing log record N)"; record N is that
# op, refused with CODE; nothing was issued (the index and the count of
# issuances are unchanged).
expect_refusal() {
	op=$1
	code=$2
	msg=$3
	shift 3
	before_index=$(cat "$T/state/index/certs.jsonl" 2>/dev/null || true)
	before_count=$(issued_count)
	expect_exit 1 "$@" || return 0
	seq=$(sed -n 's/.*(signing log record \([0-9]*\))$/\1/p' "$T/err")
	if [ -z "$seq" ]; then
		fail "no signing log record named in: $(cat "$T/err")"
		return 0
	fi
	expect_line "$T/err" "wavesign: $op: $msg [$code] (signing log record $seq)" || return 0
	got=$(log_record "$seq")
	case "$code" in
	production-denied|production-required|already-issued|policy-denied) decision=denied ;;
	*) decision=failed ;;
	esac
	expect_eq "signing log record $seq" "$got" "$op $decision $code"
	expect_eq "index after $code" "$(cat "$T/state/index/certs.jsonl" 2>/dev/null || true)" "$before_index"
	expect_eq "issuances after $code" "$(issued_count)" "$before_count"
}
