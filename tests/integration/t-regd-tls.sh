#!/bin/sh
# wavesign-regd over HTTPS: the server certificate and key from files, and
# with tls.client-ca, registrations only from clients holding a certificate
# of that CA (made for clientAuth); the health check needs none.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/regd-lib.sh"

# pki DIR: a server certificate for 127.0.0.1, a client CA with one client
# certificate, and a stranger CA with another.
pki() {
	d=$1
	mkdir -p "$d"
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=regd-server \
		-addext subjectAltName=IP:127.0.0.1 -addext extendedKeyUsage=serverAuth \
		-keyout "$d/server.key" -out "$d/server.crt" 2>/dev/null
	for ca in line stranger; do
		openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj "/CN=$ca-ca" \
			-addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign \
			-keyout "$d/$ca-ca.key" -out "$d/$ca-ca.crt" 2>/dev/null
		openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=$ca-station" \
			-keyout "$d/$ca-client.key" -out "$d/$ca-client.csr" 2>/dev/null
		printf 'extendedKeyUsage=clientAuth\nkeyUsage=critical,digitalSignature\n' >"$d/client.ext"
		openssl x509 -req -in "$d/$ca-client.csr" -CA "$d/$ca-ca.crt" -CAkey "$d/$ca-ca.key" -CAcreateserial \
			-days 2 -extfile "$d/client.ext" -out "$d/$ca-client.crt" 2>/dev/null
	done
	chown "$REGD_UID:$REGD_UID" "$d/server.key"
	chmod 0600 "$d/server.key"
	chmod 0644 "$d/server.crt" "$d/line-ca.crt"
}

regd_appliance
regd_config_tls() {
	regd_config "tls:
  cert: $T/pki/server.crt
  key: $T/pki/server.key
${1:-}"
	REGD_URL=https://127.0.0.1:$REGD_PORT/sign
}
mkdir -p "$T/regd"
pki "$T/pki"
chmod 0755 "$T/pki"

# --- HTTPS with client certificates required.
regd_config_tls "  client-ca: $T/pki/line-ca.crt"
regd_start
grep -q "HTTPS, client certificates required" "$T/regd.log" || fail "no HTTPS line in the log"
expect_eq "HEAD over HTTPS, no client certificate" \
	"$(python3 "$LMP" head "$REGD_URL" --cafile "$T/pki/server.crt")" 200
device tls1
register tls1 --cafile "$T/pki/server.crt" --cert "$T/pki/line-client.crt" --key "$T/pki/line-client.key"
expect_status 201
verify_device tls1
device tls2
register tls2 --cafile "$T/pki/server.crt"
expect_error 401 unauthorized "a client certificate issued by the registration front's client CA (tls.client-ca) is required"
register tls2 --cafile "$T/pki/server.crt" --cert "$T/pki/stranger-client.crt" --key "$T/pki/stranger-client.key"
expect_error 401 unauthorized "a client certificate issued by the registration front's client CA (tls.client-ca) is required"
# the certificate alone is not enough: the token is still checked
register tls2 --cafile "$T/pki/server.crt" --cert "$T/pki/line-client.crt" --key "$T/pki/line-client.key" --no-token
expect_error 401 unauthorized "no registration token: send it in the OSF-TOKEN header (lmp-device-register -T) or as Authorization: Bearer"
regd_stop
expect_eq "wavesign-regd exit status" "$REGD_STATUS" 0

# --- HTTPS without client certificates: the token decides.
regd_config_tls
regd_start
device tls3
register tls3 --cafile "$T/pki/server.crt"
expect_status 201
verify_device tls3
regd_stop

# --- a key file others may read is refused at start.
chmod 0640 "$T/regd/token"
expect_exit 1 setpriv --reuid=$REGD_UID --regid=$REGD_UID --clear-groups "$WAVESIGN_REGD" -c "$T/regd/regd.yaml"
grep -qF "token: a file or directory has unsafe ownership or permissions: $T/regd/token: the token file has mode 0640; make it 0600" "$T/err" ||
	fail "start with a readable token file: $(cat "$T/err")"

ws_finish
