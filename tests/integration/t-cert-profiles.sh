#!/bin/sh
# The device profile's rules as the policy sets them (certificates.device):
# the CN rule (uuid, any, a pattern), the key types (RSA sizes included),
# reissue allow/deny, and concurrent requests for one CN when reissue is
# denied: exactly one is issued.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/pki-lib.sh"

# reload SED_SCRIPT: the fixture policy edited by sed, loaded with SIGHUP.
reload() {
	sed "$1" "$FIXTURES/pki.yaml" >"$T/policy.yaml"
	sha=$(sha256sum <"$T/policy.yaml" | cut -d' ' -f1)
	kill -HUP "$DAEMON_PID"
	i=0
	until grep -qF "policy reloaded: $T/policy.yaml sha256 $sha" "$T/daemon.log"; do
		i=$((i + 1)); [ $i -lt 200 ] || { fail "policy not reloaded: $1"; return 1; }; sleep 0.05
	done
}

ws_setup "$FIXTURES/pki.yaml"
ws_start
expect_exit 0 ws keys init
expect_exit 0 ws ca init --owner alice --out "$T/ca"

# Concurrent requests for one CN, reissue: deny: exactly one certificate.
csr race "/CN=$UUID1/OU=acme"
pids=
for i in 1 2 3 4 5 6 7 8; do
	"$WAVESIGN" -s "$SOCK" cert issue "$T/race.csr" >"$T/race.$i.out" 2>"$T/race.$i.err" &
	pids="$pids $!"
done
ok_n=0
for p in $pids; do
	if wait "$p"; then ok_n=$((ok_n + 1)); fi
done
expect_eq "concurrent issuances for one CN" "$ok_n" 1
expect_eq "issued in the log" "$(issued_count)" 1
CHECKS=$((CHECKS + 1))
[ "$(cat "$T"/race.*.err | grep -c '\[already-issued\]')" -eq 7 ] || fail "refusals: $(cat "$T"/race.*.err)"

# cn: a pattern (whole-CN match).
reload 's/    cn: uuid/    cn: "^dev-[0-9]+$"/'
csr dev "/CN=dev-42/OU=acme"
expect_exit 0 ws cert issue "$T/dev.csr" --out "$T/dev"
check_device "$T/dev" "$T/dev.csr" no
csr devx "/CN=dev-42x/OU=acme"
expect_refusal cert.issue csr-bad-subject \
	"the CSR subject is not acceptable: CN \"dev-42x\" does not match the profile's pattern" \
	ws cert issue "$T/devx.csr"
csr uuid "/CN=$UUID2/OU=acme"
expect_refusal cert.issue csr-bad-subject \
	"the CSR subject is not acceptable: CN \"$UUID2\" does not match the profile's pattern" \
	ws cert issue "$T/uuid.csr"

# cn: any (a non-ASCII CN too: its UTF-8 bytes are copied as they are).
reload 's/    cn: uuid/    cn: any/'
csr any "/CN=Gerät Nr. 7/OU=acme" -utf8 -newkey ec -pkeyopt ec_paramgen_curve:P-256
expect_exit 0 ws cert issue "$T/any.csr" --out "$T/any"
check_device "$T/any" "$T/any.csr" no

# keys: RSA allowed only in the listed sizes.
reload 's/    keys: \[ec-p256\]/    keys: [ec-p256, rsa-3072]/'
csr rsa3 "/CN=$UUID2/OU=acme" -newkey rsa:3072
expect_exit 0 ws cert issue "$T/rsa3.csr" --out "$T/rsa3"
check_device "$T/rsa3" "$T/rsa3.csr" no
csr rsa2 "/CN=$UUID3/OU=acme" -newkey rsa:2048
expect_refusal cert.issue csr-bad-key \
	"the CSR public key type is not allowed: the CSR's key is RSA 2048; the device profile allows ec-p256, rsa-3072 (certificates.device.keys)" \
	ws cert issue "$T/rsa2.csr"

# reissue: allow -- a second certificate for the same CN (a renewal: same subject bytes).
reload 's/    reissue: deny/    reissue: allow/'
csr renew "/CN=$UUID1/OU=acme"
expect_exit 0 ws cert issue "$T/renew.csr" --out "$T/renew"
check_device "$T/renew" "$T/renew.csr" no
CHECKS=$((CHECKS + 1))
[ "$(openssl x509 -in "$T/renew/client.pem" -noout -subject)" = "$(openssl x509 -in "$T/dev/client.pem" -noout -subject | sed "s/dev-42/$UUID1/")" ] ||
	fail "renewed subject"
expect_eq "certificates in the index" "$(wc -l <"$T/state/index/certs.jsonl")" 5

ws_stop
expect_exit 0 "$WAVESIGN_AUDIT" -d "$T/state" --key "$T/state/audit.vkey" verify

ws_finish
