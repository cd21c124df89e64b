#!/bin/sh
# wavesign register with the device key in a PKCS#11 token (a second
# SoftHSM2 token standing in for the device's HSM): the key is made and the
# CSR signed inside the token, no key file is written, and the certificate
# certifies exactly the token's key (checked with pkcs11-tool and openssl).
. "$top_srcdir/tests/integration/lib.sh"

MODULE=${SOFTHSM2_MODULE:-/usr/lib/softhsm/libsofthsm2.so}
ws_setup "$FIXTURES/pki.yaml"
ws_start
expect_exit 0 ws keys init
expect_exit 0 ws ca init --owner dev --out "$T/ca"
mkdir -m 0700 "$T/device"
"$TOKEN_INIT" "$T/device" device-hsm >"$T/device-init.out"
export SOFTHSM2_CONF="$T/device/token/softhsm2.conf"
uuid=11111111-2222-4333-8444-555555555555
expect_exit 0 ws register --factory acme --uuid "$uuid" --production --pkcs11-uri "pkcs11:token=device-hsm" \
	--pkcs11-module "$MODULE" --pin-file "$T/device/token/pin" --key-label sota --out "$T/dev"
fp=$(sed -n 's/^key sota in pkcs11:token=device-hsm, sha256:\([0-9a-f]*\)$/\1/p' "$T/out")
[ -n "$fp" ] || fail "no key line in: $(cat "$T/out")"
expect_eq "files written" "$(ls "$T/dev" | tr '\n' ' ')" "client.chained client.pem root.crt "

# The certificate's key is the token's key, as OpenSC reads it out of the token.
pkcs11-tool --module "$MODULE" --token-label device-hsm --read-object --type pubkey --label sota \
	-o "$T/token-pub.der" >/dev/null 2>&1
expect_eq "token key = certified key" \
	"$(openssl x509 -in "$T/dev/client.pem" -noout -pubkey | openssl pkey -pubin -outform DER | sha256sum | cut -d' ' -f1)" \
	"$(sha256sum <"$T/token-pub.der" | cut -d' ' -f1)"
expect_eq "fingerprint printed" "$fp" "$(sha256sum <"$T/token-pub.der" | cut -d' ' -f1)"
awk 'f{print} /END CERTIFICATE/{f=1}' "$T/dev/client.chained" >"$T/device-ca.pem"
expect_exit 0 openssl verify -CAfile "$T/dev/root.crt" -untrusted "$T/device-ca.pem" -purpose sslclient "$T/dev/client.pem"
expect_line "$T/out" "$T/dev/client.pem: OK"
openssl x509 -in "$T/dev/client.pem" -noout -subject -nameopt RFC2253 >"$T/subject"
expect_line "$T/subject" "subject=businessCategory=production,OU=acme,CN=$uuid"

# A second key under the same label is refused before anything is asked.
expect_exit 1 ws register --factory acme --pkcs11-uri "pkcs11:token=device-hsm" --pkcs11-module "$MODULE" \
	--pin-file "$T/device/token/pin" --key-label sota --out "$T/dev2"
expect_line "$T/err" "wavesign: register: a key with that label already exists: token 'device-hsm' already holds a key labelled 'sota' [key-exists]"
# Options that do not go together.
expect_exit 2 ws register --factory acme --pkcs11-uri "pkcs11:token=device-hsm" --out "$T/dev3"
expect_line "$T/err" "wavesign: register: --pkcs11-uri needs --pin-file, and no --key-file"
ws_stop
ws_finish
