# regd-lib.sh -- sourced by the wavesign-regd tests, after lib.sh.
#
# The appliance of lib.sh (real SoftHSM2 token, real wavesignd) with the
# policy fixtures/policy-regd.yaml, keys and factory CA made by root (the
# officer), and the real wavesign-regd on 127.0.0.1 on a free port, run as
# uid 65534 (setpriv) so that wavesignd knows it as the policy's client
# `regd`. Devices are played by lmp_register.py, which sends exactly what
# lmp-device-register sends.

WAVESIGN_REGD=$top_builddir/src/wavesign-regd/wavesign-regd
LMP=$top_srcdir/tests/integration/lmp_register.py
RAWFRAME=$top_srcdir/tests/integration/rawframe.py
REGD_UID=65534
REGD_TOKEN=regd-test-token-0123456789abcdef
REGD_PID=

[ "$(id -u)" -eq 0 ] || { echo "SKIP: the regd tests run wavesign-regd as uid $REGD_UID (needs root)"; exit 77; }
command -v setpriv >/dev/null 2>&1 || { echo "SKIP: setpriv (util-linux) is missing"; exit 77; }

regd_cleanup() {
	if [ -n "$REGD_PID" ] && kill -0 "$REGD_PID" 2>/dev/null; then
		kill -TERM "$REGD_PID" 2>/dev/null || true
		wait "$REGD_PID" 2>/dev/null || true
	fi
	if [ "$FAILS" -ne 0 ] && [ -f "$T/regd.log" ]; then
		echo "--- wavesign-regd log"; tail -n 40 "$T/regd.log"
	fi
	ws_cleanup
}
trap regd_cleanup EXIT

# regd_appliance: daemon up, keys and factory CA created by the officer.
regd_appliance() {
	ws_setup "$FIXTURES/policy-regd.yaml"
	ws_start
	expect_exit 0 ws keys init
	python3 "$RAWFRAME" "$SOCK" json '{"op":"ca.init","args":{"owner":"regd-test"}}' >"$T/ca-init.out"
	expect_line "$T/ca-init.out" "True"
}

# regd_config [EXTRA_YAML]: token file (0600, owned by regd's uid) and config.
regd_config() {
	mkdir -p "$T/regd"
	chmod 0755 "$T/regd"
	REGD_PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	REGD_URL=http://127.0.0.1:$REGD_PORT/sign
	printf '%s\n' "$REGD_TOKEN" >"$T/regd/token"
	chown "$REGD_UID:$REGD_UID" "$T/regd/token"
	chmod 0600 "$T/regd/token"
	cat >"$T/regd/regd.yaml" <<CONF
listen:
  address: 127.0.0.1
  port: $REGD_PORT
  path: /sign
wavesignd:
  socket: $SOCK
  timeout: 10s
auth:
  token-file: token
gateway: https://ota-lite.acme.example:8443
limits:
  max-body: 16KiB
  max-connections: 8
  timeout: 10s
${1:-}
CONF
	chmod 0644 "$T/regd/regd.yaml"
}

# regd_start: starts wavesign-regd as uid 65534 and waits until it listens.
regd_start() {
	: >"$T/regd.log"
	chmod 0666 "$T/regd.log"
	setpriv --reuid=$REGD_UID --regid=$REGD_UID --clear-groups \
		"$WAVESIGN_REGD" -c "$T/regd/regd.yaml" >>"$T/regd.log" 2>&1 &
	REGD_PID=$!
	i=0
	while ! grep -q "listening on" "$T/regd.log"; do
		if ! kill -0 "$REGD_PID" 2>/dev/null; then
			wait "$REGD_PID" || true
			REGD_PID=
			echo "FAIL: wavesign-regd exited at start"; cat "$T/regd.log"; exit 1
		fi
		i=$((i + 1))
		[ $i -lt 200 ] || { echo "FAIL: wavesign-regd did not listen within 10 s"; exit 1; }
		sleep 0.05
	done
}

# regd_stop: SIGTERM and wait; the exit status is left in $REGD_STATUS.
regd_stop() {
	REGD_STATUS=0
	kill -TERM "$REGD_PID"
	wait "$REGD_PID" || REGD_STATUS=$?
	REGD_PID=
}

# device NAME [--production] [--ou OU] [--cn CN]: a device directory with
# its key and CSR; the device's uuid is left in $UUID.
device() {
	name=$1
	shift
	prod=
	ou=acme
	UUID=$(python3 -c 'import uuid; print(uuid.uuid4())')
	while [ $# -gt 0 ]; do
		case $1 in
		--production) prod=--production ;;
		--ou) ou=$2; shift ;;
		--cn) UUID=$2; shift ;;
		esac
		shift
	done
	mkdir -p "$T/dev/$name"
	python3 "$LMP" keygen "$T/dev/$name" "$UUID" "$ou" $prod
	echo "$UUID" >"$T/dev/$name/uuid"
}

# register NAME [OPTIONS]: lmp_register.py's HEAD + POST for device NAME;
# the status lands in $T/status, the body in $T/body.
register() {
	name=$1
	shift
	python3 "$LMP" register "$REGD_URL" "$REGD_TOKEN" "$T/dev/$name" "$(cat "$T/dev/$name/uuid")" "$@" >"$T/reply"
	head -n 1 "$T/reply" >"$T/status"
	tail -n +2 "$T/reply" >"$T/body"
}

# expect_status STATUS: the last reply's HTTP status.
expect_status() {
	expect_eq "HTTP status" "$(cat "$T/status")" "$1"
}

# expect_error STATUS CODE [MESSAGE]: the last reply is this failure; the
# body is exactly {"code": CODE, "error": MESSAGE} (MESSAGE given) or has
# that code (and a signing-log record when wavesignd decided).
expect_error() {
	expect_status "$1"
	expect_eq "error code" "$(json_get "$T/body" code)" "$2"
	if [ $# -ge 3 ]; then
		expect_eq "error body" "$(cat "$T/body")" "$(python3 -c 'import json, sys; print(json.dumps({"code": sys.argv[1], "error": sys.argv[2]}, sort_keys=True, separators=(",", ":")))' "$2" "$3")"
	fi
}

# verify_device NAME [--production]: the files lmp-device-register would
# write for device NAME check out with openssl: the client certificate
# verifies for TLS client use against root.crt with the device CA from
# client.chained, carries the device's own key, and its subject is the
# CSR's (with businessCategory=production for --production).
verify_device() {
	d=$T/dev/$1
	python3 - "$d/client.chained" "$d" <<'PY'
import sys
text = open(sys.argv[1]).read()
blocks = text.split("-----END CERTIFICATE-----")
certs = [b.strip() + "\n-----END CERTIFICATE-----\n" for b in blocks if b.strip()]
assert len(certs) == 2, "client.chained holds %d certificates" % len(certs)
open(sys.argv[2] + "/chained-client.pem", "w").write(certs[0])
open(sys.argv[2] + "/device-ca.pem", "w").write(certs[1])
PY
	expect_exit 0 openssl verify -CAfile "$d/root.crt" -untrusted "$d/device-ca.pem" -purpose sslclient "$d/client.pem"
	expect_line "$T/out" "$d/client.pem: OK"
	expect_eq "$1: client.chained starts with client.pem" \
		"$(openssl x509 -in "$d/chained-client.pem" -outform DER | sha256sum)" \
		"$(openssl x509 -in "$d/client.pem" -outform DER | sha256sum)"
	expect_eq "$1: certificate key is the device's" \
		"$(openssl x509 -in "$d/client.pem" -noout -pubkey)" "$(openssl pkey -in "$d/pkey.pem" -pubout)"
	want="CN=$(cat "$d/uuid"), OU=acme"
	[ "${2:-}" = --production ] && want="$want, businessCategory=production"
	expect_eq "$1: certificate subject" \
		"$(openssl x509 -in "$d/client.pem" -noout -subject -nameopt sep_comma_plus_space,sname | sed 's/^subject=//')" "$want"
	expect_eq "$1: certificate subject is the CSR's" \
		"$(openssl x509 -in "$d/client.pem" -noout -subject -nameopt RFC2253)" \
		"$(openssl req -in "$d/device.csr" -noout -subject -nameopt RFC2253)"
}

# sota_toml GW DIR HWID: the sota.toml COMPAT.md 2a prescribes, before overrides.
sota_toml() {
	cat <<TOML
[tls]
server = "$1"
ca_source = "file"
pkey_source = "file"
cert_source = "file"

[provision]
server = "$1"
primary_ecu_hardware_id = "$3"

[uptane]
repo_server = "$1/repo"
key_source = "file"

[pacman]
type = "ostree+compose_apps"
ostree_server = "$1/treehub"
compose_apps_root = "$2/compose-apps"

[storage]
type = "sqlite"
path = "$2/"

[import]
tls_cacert_path = "$2/root.crt"
tls_pkey_path = "$2/pkey.pem"
tls_clientcert_path = "$2/client.pem"
TOML
}

# log_records: the signing log's decisions, one line each: seq op decision
# error client (wavesignd's own records without a decision are left out).
log_records() {
	python3 - "$T/state/log" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    r = json.loads(line)
    if "decision" in r:
        print(r["seq"], r["op"], r["decision"], r.get("error", "-"), r["peer"].get("client"))
PY
}
