#!/bin/sh
# Every way the appliance refuses a device CSR (issue 4 §7), each its own
# case against a real daemon: exit status 1, the exact message and code,
# a signing log record with that code, and nothing issued (the index of
# issued certificates and the count of issuances in the log unchanged).
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/pki-lib.sh"

ws_setup "$FIXTURES/pki.yaml"
ws_start
expect_exit 0 ws keys init

csr good "/CN=$UUID1/OU=acme"
csr prod "/CN=$UUID2/OU=acme/businessCategory=production"

# --- the CA itself

# No CA yet.
expect_refusal cert.issue ca-missing \
	"the factory CA has not been created (run: wavesign ca init): no device CA in $T/state/pki" \
	ws cert issue "$T/good.csr"

expect_exit 0 ws ca init --owner alice --out "$T/ca"
root_serial=$(openssl x509 -in "$T/ca/root.crt" -noout -serial | cut -d= -f2 | tr 'A-F' 'a-f')

# A CA exists: never replaced.
expect_refusal ca.init ca-exists \
	"the factory CA already exists: $T/state/pki/root.crt exists (serial $root_serial); a factory CA is created once" \
	ws ca init --owner bob
expect_eq "root.crt unchanged" "$(cat "$T/state/pki/root.crt")" "$(cat "$T/ca/root.crt")"

# One good issuance: the baseline every refusal below must leave alone.
expect_exit 0 ws cert issue "$T/good.csr" --out "$T/good"
check_device "$T/good" "$T/good.csr" no
expect_eq "index lines" "$(wc -l <"$T/state/index/certs.jsonl")" 1

# --- malformed input

# Malformed PEM: not base64.
printf -- '-----BEGIN CERTIFICATE REQUEST-----\n!!!!\n-----END CERTIFICATE REQUEST-----\n' >"$T/bad64.csr"
expect_refusal cert.issue csr-malformed \
	"the CSR is not valid DER/PEM: CSR: byte 0x21 is not base64 (offset 36)" \
	ws cert issue "$T/bad64.csr"

# Truncated PEM: no END line.
head -n 3 "$T/good.csr" >"$T/trunc.csr"
expect_refusal cert.issue truncated \
	'input ends before it is complete: CSR: PEM block has no "-----END CERTIFICATE REQUEST-----" line' \
	ws cert issue "$T/trunc.csr"

# Truncated DER (the CLI sends a DER file as PEM).
openssl req -in "$T/good.csr" -outform DER -out "$T/good.der"
head -c 100 "$T/good.der" >"$T/truncder.csr"
der_len=$(($(wc -c <"$T/good.der") - 4))
expect_refusal cert.issue truncated \
	"input ends before it is complete: CSR: DER element of $der_len bytes, only 96 left" \
	ws cert issue "$T/truncder.csr"

# Trailing garbage after the PEM block.
{ cat "$T/good.csr"; echo garbage; } >"$T/trail.csr"
expect_refusal cert.issue csr-malformed \
	"the CSR is not valid DER/PEM: CSR: 8 bytes of trailing data after the PEM block" \
	ws cert issue "$T/trail.csr"

# Trailing bytes after the DER.
{ cat "$T/good.der"; printf 'xx'; } >"$T/traild.csr"
expect_refusal cert.issue csr-malformed \
	"the CSR is not valid DER/PEM: 2 trailing bytes after the CSR" \
	ws cert issue "$T/traild.csr"

# A bad CSR signature (one bit of it flipped).
$PKI_CHECK tamper "$T/good.csr" "$T/tamper.csr"
expect_refusal cert.issue csr-bad-signature \
	"the CSR's own signature does not verify: CSR self-signature: signature does not verify" \
	ws cert issue "$T/tamper.csr"

# --- the device profile

# Wrong OU.
csr ou "/CN=$UUID3/OU=other"
expect_refusal cert.issue csr-bad-subject \
	'the CSR subject is not acceptable: OU is "other", expected the factory "acme"' \
	ws cert issue "$T/ou.csr"

# CN not a UUID.
csr cn "/CN=device-42/OU=acme"
expect_refusal cert.issue csr-bad-subject \
	'the CSR subject is not acceptable: CN "device-42" is not a canonical lower-case UUID (8-4-4-4-12 hex digits)' \
	ws cert issue "$T/cn.csr"

# CN a UUID, but not in the canonical lower-case form lmp-device-register writes.
csr upper "/CN=2D8F6C70-4E3F-4A01-9C9D-5E4F3A2B1CAD/OU=acme"
expect_refusal cert.issue csr-bad-subject \
	'the CSR subject is not acceptable: CN "2D8F6C70-4E3F-4A01-9C9D-5E4F3A2B1CAD" is not a canonical lower-case UUID (8-4-4-4-12 hex digits)' \
	ws cert issue "$T/upper.csr"

# A P-384 key.
csr p384 "/CN=$UUID3/OU=acme" -newkey ec -pkeyopt ec_paramgen_curve:P-384
expect_refusal cert.issue csr-bad-key \
	"the CSR public key type is not allowed: CSR public key: EC curve 1.3.132.0.34 (P-384) (usable: EC P-256, Ed25519, RSA 2048 to 8192 bits)" \
	ws cert issue "$T/p384.csr"

# An RSA key (the profile allows ec-p256 only).
csr rsa "/CN=$UUID3/OU=acme" -newkey rsa:2048
expect_refusal cert.issue csr-bad-key \
	"the CSR public key type is not allowed: key RSA 2048 is not allowed by this profile (allowed: EC P-256)" \
	ws cert issue "$T/rsa.csr"

# CA:TRUE requested.
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$T/catrue.key" \
	-subj "/CN=$UUID3/OU=acme" -addext "basicConstraints=critical,CA:TRUE" -out "$T/catrue.csr" 2>/dev/null
expect_refusal cert.issue csr-bad-extension \
	"the CSR requests an extension that is refused: the CSR requests a CA certificate (basicConstraints CA:TRUE)" \
	ws cert issue "$T/catrue.csr"

# keyCertSign requested.
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$T/kcs.key" \
	-subj "/CN=$UUID3/OU=acme" -addext "keyUsage=critical,digitalSignature,keyCertSign" -out "$T/kcs.csr" 2>/dev/null
ws cert issue "$T/kcs.csr" >/dev/null 2>"$T/kcs.err" || true
kcs_msg=$(sed -n 's/^wavesign: cert.issue: \(.*\) \[csr-bad-extension\] (signing log record [0-9]*)$/\1/p' "$T/kcs.err")
expect_refusal cert.issue csr-bad-extension "$kcs_msg" ws cert issue "$T/kcs.csr"
case "$kcs_msg" in
*keyCertSign*) ;;
*) fail "keyCertSign refusal does not name keyCertSign: $(cat "$T/kcs.err")" ;;
esac

# An oversized subject (python3-cryptography: openssl req will not write one).
$PKI_CHECK oversized-csr "$T/big.csr"
expect_refusal cert.issue csr-bad-subject \
	"the CSR subject is not acceptable: the subject is 1189 bytes (at most 1024)" \
	ws cert issue "$T/big.csr"

# Duplicate attributes.
csr dup "/CN=$UUID3/OU=acme/OU=acme"
expect_refusal cert.issue csr-bad-subject \
	"the CSR subject is not acceptable: attribute OU appears twice (RDNs 2 and 3)" \
	ws cert issue "$T/dup.csr"

# A multi-valued RDN.
$PKI_CHECK multivalued-csr "$T/mv.csr"
expect_refusal cert.issue csr-bad-subject \
	"the CSR subject is not acceptable: RDN 1 (OU) is multi-valued; each attribute must be its own RDN" \
	ws cert issue "$T/mv.csr"

# An attribute beyond CN, OU[, businessCategory].
csr extra "/CN=$UUID3/OU=acme/O=acme"
expect_refusal cert.issue csr-bad-subject \
	"the CSR subject is not acceptable: the subject must be CN=<device>, OU=<factory>[, businessCategory=production] in this order; it is CN, OU, O" \
	ws cert issue "$T/extra.csr"

# businessCategory with another value: no ambiguous marker.
csr bc "/CN=$UUID3/OU=acme/businessCategory=test"
expect_refusal cert.issue csr-bad-subject \
	'the CSR subject is not acceptable: businessCategory is "test"; the only value accepted is "production"' \
	ws cert issue "$T/bc.csr"

# --- production

# The CSR carries the marker, the request does not ask for production.
expect_refusal cert.issue csr-bad-subject \
	"the CSR subject is not acceptable: the request asks for a test certificate but the CSR subject carries businessCategory=production (the CSR is never altered: make it without the marker)" \
	ws cert issue "$T/prod.csr"

# The request asks for production, the CSR lacks the marker.
csr test3 "/CN=$UUID3/OU=acme"
expect_refusal cert.issue csr-bad-subject \
	"the CSR subject is not acceptable: the request asks for a production certificate but the CSR subject lacks businessCategory=production (the CSR is never altered: make it with the marker)" \
	ws cert issue "$T/test3.csr" --production

# Production without the grant: the registrar (uid 65534) has production: deny.
expect_refusal cert.issue production-denied \
	"the client may not issue production certificates: the CSR carries businessCategory=production and this client is not granted production certificates" \
	setpriv --reuid=65534 --regid=65534 --clear-groups "$WAVESIGN" -s "$SOCK" cert issue --production "$T/prod.csr"
# ... and register, which removes the key it made for nothing.
mkdir -m 0777 "$T/nobody"
expect_refusal cert.issue production-denied \
	"the client may not issue production certificates: the CSR carries businessCategory=production and this client is not granted production certificates" \
	env PRODUCTION=1 setpriv --reuid=65534 --regid=65534 --clear-groups "$WAVESIGN" -s "$SOCK" register \
	--factory acme --uuid "$UUID3" --out "$T/nobody/reg"
[ ! -e "$T/nobody/reg/pkey.pem" ] || fail "register left its key behind after a refusal"

# Production required but absent: the registrar's grant becomes require.
sed 's/    production: deny/    production: require/' "$FIXTURES/pki.yaml" >"$T/policy.yaml"
kill -HUP "$DAEMON_PID"
i=0
until grep -qF "policy reloaded: $T/policy.yaml" "$T/daemon.log"; do
	i=$((i + 1)); [ $i -lt 200 ] || { fail "the policy was not reloaded"; break; }; sleep 0.05
done
expect_refusal cert.issue production-required \
	"the client must request production certificates: the CSR lacks businessCategory=production, which this client must send" \
	setpriv --reuid=65534 --regid=65534 --clear-groups "$WAVESIGN" -s "$SOCK" cert issue "$T/test3.csr"
# (with the marker, that client gets its production certificate)
expect_exit 0 setpriv --reuid=65534 --regid=65534 --clear-groups "$WAVESIGN" -s "$SOCK" cert issue --production "$T/prod.csr"
expect_eq "production issuance" "$(issued_count)" 2

# --- reissue

# The CN already has a certificate and the profile says reissue: deny.
good_record=$(python3 -c 'import json,sys; print(json.loads(open(sys.argv[1]).readline())["record"])' "$T/state/index/certs.jsonl")
expect_refusal cert.issue already-issued \
	"a certificate was already issued for this device and reissue is denied: CN \"$UUID1\": issued in signing log record $good_record (certificates.device.reissue: deny)" \
	ws cert issue "$T/good.csr"

# --- who may ask

# The registrar may not run CA operations.
expect_refusal ca.init policy-denied \
	"the policy does not allow this request: client 'registrar' (clients.registrar.allow) does not allow 'ca.init'" \
	setpriv --reuid=65534 --regid=65534 --clear-groups "$WAVESIGN" -s "$SOCK" ca init --owner mallory

ws_stop
expect_eq "daemon exit status" "$DAEMON_STATUS" 0
expect_exit 0 "$WAVESIGN_AUDIT" -d "$T/state" --key "$T/state/audit.vkey" verify

ws_finish
