#!/bin/sh
# The factory PKI end to end against a real daemon and SoftHSM2 token:
# ca init, device certificates from openssl-made CSRs and from
# `wavesign register` (test and production), gateway TLS and an extra
# device CA from ca.sign, CRLs over device certificates and device CAs,
# and the state (issued certificates, revocations, CRL numbers) surviving
# a restart. Every certificate is checked by openssl, GnuTLS certtool and
# python3-cryptography; CRLs by openssl crl -verify and python3-cryptography.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/pki-lib.sh"

UUID4=3e907d81-5f40-4b12-8dae-6f5a4b3c2dbe

ws_setup "$FIXTURES/pki.yaml"
ws_start
expect_exit 0 ws keys init
expect_exit 0 ws --json keys list
cp "$T/out" "$T/keys.json"

# --- ca init

expect_exit 0 ws ca init --owner alice --out "$T/ca"
expect_line "$T/out" "wrote $T/ca/root.crt"
expect_line "$T/out" "wrote $T/ca/device-ca.crt"
for f in root.crt device-ca.crt; do
	CHECKS=$((CHECKS + 1))
	cmp -s "$T/ca/$f" "$T/state/pki/$f" || fail "$f differs from the daemon's copy"
done
# status names both CA certificates as openssl reads them.
ca_line() {	# ca_line FILE: "serial S until T" from the certificate itself
	echo "serial $(openssl x509 -in "$1" -noout -serial | cut -d= -f2 | tr 'A-F' 'a-f') until $(date -u -d "$(openssl x509 -in "$1" -noout -enddate | cut -d= -f2)" +%Y-%m-%dT%H:%M:%SZ)"
}
expect_exit 0 ws status
expect_line "$T/out" "pki:     root CA $(ca_line "$T/ca/root.crt")"
expect_line "$T/out" "         device CA $(ca_line "$T/ca/device-ca.crt")"
openssl x509 -in "$T/ca/root.crt" -noout -subject -issuer -nameopt RFC2253 >"$T/root.names"
expect_line "$T/root.names" "subject=OU=acme,CN=Factory-CA"
expect_line "$T/root.names" "issuer=OU=acme,CN=Factory-CA"
openssl x509 -in "$T/ca/device-ca.crt" -noout -subject -issuer -nameopt RFC2253 >"$T/ca.names"
expect_line "$T/ca.names" "subject=OU=acme,CN=fio-alice"
expect_line "$T/ca.names" "issuer=OU=acme,CN=Factory-CA"
expect_exit 0 openssl verify -CAfile "$T/ca/root.crt" "$T/ca/device-ca.crt"
openssl x509 -in "$T/ca/device-ca.crt" -noout -text >"$T/ca.text"
expect_line "$T/ca.text" "                CA:TRUE, pathlen:0"
# The certificates are for the token's keys (fingerprint = SHA-256 of the SPKI).
i=0
for f in root.crt device-ca.crt; do
	fp=$(openssl x509 -in "$T/ca/$f" -noout -pubkey | openssl pkey -pubin -outform DER | sha256sum | cut -d' ' -f1)
	expect_eq "key of $f" "$fp" "$(json_get "$T/keys.json" keys.$i.fingerprint)"
	i=$((i + 1))
done

# --- device certificates from CSRs made by openssl req

csr t1 "/CN=$UUID1/OU=acme"
expect_exit 0 ws cert issue "$T/t1.csr" --out "$T/t1"
expect_line "$T/out" "production  no"
expect_line "$T/out" "wrote $T/t1/client.chained"
serial_t1=$(sed -n 's/^serial      //p' "$T/out")
check_device "$T/t1" "$T/t1.csr" no
for f in client.pem client.chained root.crt; do
	expect_eq "mode of $f" "$(stat -c %a "$T/t1/$f")" 644
done

csr p1 "/CN=$UUID2/OU=acme/businessCategory=production"
expect_exit 0 ws cert issue --production "$T/p1.csr" --out "$T/p1"
expect_line "$T/out" "production  yes"
serial_p1=$(sed -n 's/^serial      //p' "$T/out")
check_device "$T/p1" "$T/p1.csr" yes
openssl x509 -in "$T/p1/client.pem" -noout -subject -nameopt RFC2253 >"$T/p1.subject"
expect_line "$T/p1.subject" "subject=businessCategory=production,OU=acme,CN=$UUID2"

# Without --out the certificate goes to standard output; --json gives the whole result.
csr t2 "/CN=$UUID3/OU=acme"
expect_exit 0 ws --json cert issue "$T/t2.csr"
python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["client.pem"], end="")' "$T/out" >"$T/t2.pem"
expect_eq "t2 subject" "$(openssl x509 -in "$T/t2.pem" -noout -subject -nameopt RFC2253)" "subject=OU=acme,CN=$UUID3"
expect_eq "t2 production" "$(json_get "$T/out" production)" "False"

# The log record of an issuance: the CSR's digest, CN, production; the
# certificate's serial, digest and expiry; the device CA key.
python3 - "$T/state/log" "$serial_t1" >"$T/rec" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    r = json.loads(line)
    if r["op"] == "cert.issue" and r.get("outputs", {}).get("serial") == sys.argv[2]:
        print(r["subject"]["csr_sha256"], r["subject"]["cn"], r["subject"]["production"])
        print(r["outputs"]["cert_sha256"], r["outputs"]["not_after"], r["keys"][0])
PY
csr_sha=$(sha256sum <"$T/t1.csr" | cut -d' ' -f1)
cert_sha=$(openssl x509 -in "$T/t1/client.pem" -outform DER | sha256sum | cut -d' ' -f1)
not_after=$(date -u -d "$(openssl x509 -in "$T/t1/client.pem" -noout -enddate | cut -d= -f2)" +%Y-%m-%dT%H:%M:%SZ)
expect_line "$T/rec" "$csr_sha $UUID1 False"
expect_line "$T/rec" "$cert_sha $not_after $(json_get "$T/keys.json" keys.1.fingerprint)"

# --- wavesign register (test, production by PRODUCTION=1, production by --production)

expect_exit 0 ws register --factory acme --uuid "$UUID4" --out "$T/reg"
expect_line "$T/out" "registered device $UUID4 (test)"
expect_eq "pkey.pem mode" "$(stat -c %a "$T/reg/pkey.pem")" 600
check_device "$T/reg" "$T/reg/pkey.pem" no
expect_eq "registered CN" "$(openssl x509 -in "$T/reg/client.pem" -noout -subject -nameopt RFC2253)" "subject=OU=acme,CN=$UUID4"

expect_exit 0 env PRODUCTION=1 "$WAVESIGN" -s "$SOCK" register --factory acme --out "$T/regp"
uuid_p=$(sed -n 's/^registered device \([0-9a-f-]*\) (production)$/\1/p' "$T/out")
[ -n "$uuid_p" ] || fail "register with PRODUCTION=1: $(cat "$T/out")"
check_device "$T/regp" "$T/regp/pkey.pem" yes
expect_exit 0 ws register --factory acme --production --key-file "$T/regp2.key" --out "$T/regp2"
expect_line "$T/out" "wrote $T/regp2.key"
check_device "$T/regp2" "$T/regp2.key" yes
# An existing key file is never replaced.
expect_exit 4 ws register --factory acme --key-file "$T/regp2.key" --out "$T/regp3"
expect_line "$T/err" "wavesign: $T/regp2.key: already exists: $T/regp2.key exists; remove it or choose another --key-file [exists]"

# --- ca sign: a gateway TLS certificate and an additional device CA

openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$T/gw.key" \
	-subj "/CN=gateway.acme.test/OU=acme" -addext "subjectAltName=DNS:gateway.acme.test,IP:192.0.2.1" \
	-out "$T/gw.csr" 2>/dev/null
expect_exit 0 ws ca sign "$T/gw.csr" --profile tls --out "$T/gw.crt"
expect_exit 0 openssl verify -CAfile "$T/ca/root.crt" -purpose sslserver "$T/gw.crt"
expect_exit 0 $PKI_CHECK tls "$T/gw.crt" "$T/ca/root.crt" "$T/gw.csr"
expect_exit 0 certtool --verify --load-ca-certificate "$T/ca/root.crt" --infile "$T/gw.crt"

openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$T/extra-ca.key" \
	-subj "/CN=fio-bob/OU=acme" -addext "basicConstraints=critical,CA:TRUE" -out "$T/extra-ca.csr" 2>/dev/null
expect_exit 0 ws --json ca sign "$T/extra-ca.csr" --profile device-ca
json_get "$T/out" certificate >"$T/extra-ca.crt"
serial_x=$(json_get "$T/out" serial)
expect_exit 0 openssl verify -CAfile "$T/ca/root.crt" "$T/extra-ca.crt"
openssl x509 -in "$T/extra-ca.crt" -noout -text >"$T/x.text"
expect_line "$T/x.text" "                CA:TRUE, pathlen:0"
# The extra CA works: a device certificate it signs (openssl, test key) chains to the root.
csr xdev "/CN=$UUID1/OU=acme"
openssl x509 -req -in "$T/xdev.csr" -CA "$T/extra-ca.crt" -CAkey "$T/extra-ca.key" -CAcreateserial \
	-days 30 -copy_extensions copy -out "$T/xdev.crt" 2>/dev/null
expect_exit 0 openssl verify -CAfile "$T/ca/root.crt" -untrusted "$T/extra-ca.crt" -purpose sslclient "$T/xdev.crt"

# --- CRLs

# A device certificate, on the device CA's CRL.
expect_exit 0 ws cert revoke "$serial_t1" --reason key-compromise --out "$T/crl1.pem"
expect_line "$T/out" "device-ca CRL number 1: revoke-cert $serial_t1; wrote $T/crl1.pem"
expect_exit 0 openssl crl -in "$T/crl1.pem" -CAfile "$T/ca/device-ca.crt" -verify -noout
expect_line "$T/err" "verify OK"
expect_exit 0 $PKI_CHECK crl "$T/crl1.pem" "$T/ca/device-ca.crt"
expect_line "$T/out" "number 1"
expect_line "$T/out" "$(echo "$serial_t1" | sed 's/^0*//') key_compromise"
CHECKS=$((CHECKS + 1))
cmp -s "$T/crl1.pem" "$T/state/pki/device-ca.crl" || fail "state/pki/device-ca.crl is not the CRL returned"
# openssl, with the CRL, now refuses that certificate.
expect_exit 2 openssl verify -crl_check -CRLfile "$T/crl1.pem" -CAfile "$T/ca/root.crt" \
	-untrusted "$T/ca/device-ca.crt" "$T/t1/client.pem"
grep -q "certificate revoked" "$T/out" "$T/err" || fail "openssl -crl_check did not say revoked"

# A device CA: disable (6), enable (8), disable, revoke (9), on the root's CRL.
n=0
for step in "disable certificate_hold" "enable remove_from_crl" "disable certificate_hold" "revoke privilege_withdrawn"; do
	cmd=${step% *}
	reason=${step#* }
	n=$((n + 1))
	expect_exit 0 ws ca "$cmd" "$serial_x" --out "$T/root-crl$n.pem"
	expect_exit 0 openssl crl -in "$T/root-crl$n.pem" -CAfile "$T/ca/root.crt" -verify -noout
	expect_exit 0 $PKI_CHECK crl "$T/root-crl$n.pem" "$T/ca/root.crt"
	expect_line "$T/out" "number $n"
	expect_line "$T/out" "$(echo "$serial_x" | sed 's/^0*//') $reason"
done
openssl crl -in "$T/root-crl4.pem" -noout -text >"$T/crl4.text"
expect_line "$T/crl4.text" "                Privilege Withdrawn"
# A revoked CA stays revoked.
expect_exit 1 ws ca enable "$serial_x"
expect_line "$T/err" "wavesign: ca.crl: invalid argument: device CA $serial_x is revoked for good [invalid-argument] (signing log record $(sed -n 's/.*record \([0-9]*\))$/\1/p' "$T/err"))"

# --- restart: everything derived is rebuilt from the signing log

cp "$T/state/index/certs.jsonl" "$T/certs.before"
expect_eq "certificates in the index" "$(wc -l <"$T/certs.before")" 6
ws_stop
expect_eq "daemon exit status" "$DAEMON_STATUS" 0
rm "$T/state/index/certs.jsonl"
ws_start
CHECKS=$((CHECKS + 1))
cmp -s "$T/certs.before" "$T/state/index/certs.jsonl" || fail "certs.jsonl rebuilt differently"

# Reissue is still denied, revocations are remembered, CRL numbers go on.
record_t1=$(python3 -c 'import json,sys; print(json.loads(open(sys.argv[1]).readline())["record"])' "$T/certs.before")
expect_exit 1 ws cert issue "$T/t1.csr"
expect_line "$T/err" "wavesign: cert.issue: a certificate was already issued for this device and reissue is denied: CN \"$UUID1\": issued in signing log record $record_t1 (certificates.device.reissue: deny) [already-issued] (signing log record $(sed -n 's/.*record \([0-9]*\))$/\1/p' "$T/err"))"
expect_exit 1 ws cert revoke "$serial_t1"
expect_line "$T/err" "wavesign: ca.crl: invalid argument: device certificate $serial_t1 is already revoked [invalid-argument] (signing log record $(sed -n 's/.*record \([0-9]*\))$/\1/p' "$T/err"))"
expect_exit 0 ws cert revoke "$serial_p1" --out "$T/crl2.pem"
expect_exit 0 $PKI_CHECK crl "$T/crl2.pem" "$T/ca/device-ca.crt"
expect_line "$T/out" "number 2"
expect_line "$T/out" "$(echo "$serial_t1" | sed 's/^0*//') key_compromise"
expect_line "$T/out" "$(echo "$serial_p1" | sed 's/^0*//') -"
expect_exit 1 ws ca disable "$serial_x"
expect_line "$T/err" "wavesign: ca.crl: invalid argument: device CA $serial_x is revoked for good [invalid-argument] (signing log record $(sed -n 's/.*record \([0-9]*\))$/\1/p' "$T/err"))"

# Disabling the appliance's own device CA stops issuance until it is enabled again.
serial_ca=$(openssl x509 -in "$T/ca/device-ca.crt" -noout -serial | cut -d= -f2 | tr 'A-F' 'a-f')
expect_exit 0 ws ca disable "$serial_ca" --out "$T/root-crl5.pem"
expect_exit 0 $PKI_CHECK crl "$T/root-crl5.pem" "$T/ca/root.crt"
expect_line "$T/out" "number 5"
expect_line "$T/out" "$(echo "$serial_x" | sed 's/^0*//') privilege_withdrawn"
expect_line "$T/out" "$(echo "$serial_ca" | sed 's/^0*//') certificate_hold"
csr t5 "/CN=2f9a7d81-6a51-4c23-9ebf-7a6b5c4d3e2f/OU=acme"
before=$(issued_count)
expect_exit 1 ws cert issue "$T/t5.csr"
expect_line "$T/err" "wavesign: cert.issue: the device CA is revoked or disabled; nothing is issued under it: the device CA (serial $serial_ca) is disabled [ca-disabled] (signing log record $(sed -n 's/.*record \([0-9]*\))$/\1/p' "$T/err"))"
expect_eq "issuances while disabled" "$(issued_count)" "$before"
# (a serial as openssl prints it with -text: upper case, colons)
expect_exit 0 ws ca enable "$(echo "$serial_ca" | tr 'a-f' 'A-F' | sed 's/../&:/g; s/:$//')" --out "$T/root-crl6.pem"
expect_line "$T/out" "root CRL number 6: enable-ca $serial_ca; wrote $T/root-crl6.pem"
expect_exit 0 ws cert issue "$T/t5.csr" --out "$T/t5"
check_device "$T/t5" "$T/t5.csr" no

ws_stop
expect_exit 0 "$WAVESIGN_AUDIT" -d "$T/state" --key "$T/state/audit.vkey" verify

# A policy whose device CA key is not the key of device-ca.crt: the daemon
# refuses to start, naming the file and both keys.
sed 's/  device-ca: { key: device-ca }/  device-ca: { key: root-ca }/' "$FIXTURES/pki.yaml" >"$T/policy.yaml"
expect_exit 1 "$WAVESIGND" -c "$T/wavesignd.yaml" --check
CHECKS=$((CHECKS + 1))
grep -qF "error: factory PKI: no key with that label in the token: $T/state/pki/device-ca.crt is for the key sha256:$(json_get "$T/keys.json" keys.1.fingerprint), but the token key 'root-ca' (certificates.device-ca.key) is sha256:$(json_get "$T/keys.json" keys.0.fingerprint); refusing to start" "$T/err" ||
	fail "start with the wrong device CA key: $(cat "$T/err")"
cp "$FIXTURES/pki.yaml" "$T/policy.yaml"
expect_exit 0 "$WAVESIGND" -c "$T/wavesignd.yaml" --check

ws_finish
