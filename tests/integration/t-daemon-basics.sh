#!/bin/sh
# The daemon on a fresh SoftHSM2 token: status before and after keys init,
# fingerprints checked independently (pkcs11-tool reads the public key out
# of the token; sha256sum hashes it), every request in the signing log,
# a clean stop on SIGTERM with a final checkpoint.
. "$top_srcdir/tests/integration/lib.sh"

ws_setup
ws_start

# Before keys init: every key is missing.
expect_exit 0 ws status
expect_line "$T/out" "factory: acme"
expect_line "$T/out" "  audit            ed25519  missing (create it with: wavesign keys init)"
expect_line "$T/out" "  root-ca          ec-p256  missing (create it with: wavesign keys init)"
expect_line "$T/out" "pki:     no factory CA yet (create it with: wavesign ca init)"
expect_line "$T/out" "waves:   none active"

expect_exit 0 ws keys init
for k in root-ca device-ca tuf-root-1 tuf-targets-1 audit; do
	expect_line "$T/out" "created $k"
done

# status --json: each key present, with the SHA-256 of its SubjectPublicKeyInfo.
expect_exit 0 ws --json status
cp "$T/out" "$T/status.json"
expect_eq "key count" "$(json_get "$T/status.json" keys | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')" 5
i=0
for k in root-ca device-ca tuf-root-1 tuf-targets-1 audit; do
	expect_eq "key $i label" "$(json_get "$T/status.json" keys.$i.label)" "$k"
	expect_eq "key $k present" "$(json_get "$T/status.json" keys.$i.present)" "True"
	fp=$(json_get "$T/status.json" keys.$i.fingerprint)
	# Independent: pkcs11-tool (OpenSC) exports the public key as DER SPKI.
	SOFTHSM2_CONF=$T/state/token/softhsm2.conf pkcs11-tool --module "${SOFTHSM2_MODULE:-/usr/lib/softhsm/libsofthsm2.so}" \
		--token-label wavesign-test --read-object --type pubkey --label "$k" -o "$T/$k.pub" >/dev/null 2>&1
	# It writes DER for EC keys and PEM for Ed25519; openssl normalises to DER.
	form=DER
	grep -q -- "-----BEGIN" "$T/$k.pub" && form=PEM
	openssl pkey -pubin -inform $form -in "$T/$k.pub" -outform DER -out "$T/$k.der"
	expect_eq "fingerprint of $k" "$(sha256sum <"$T/$k.der" | cut -d' ' -f1)" "$fp"
	i=$((i + 1))
done
expect_eq "root-ca CKA_ID" "$(json_get "$T/status.json" keys.0.id)" "01"

# keys init again: nothing new, nothing replaced.
expect_exit 0 ws keys init
expect_line "$T/out" "kept    root-ca (already in the token)"
expect_exit 0 ws --json status
expect_eq "fingerprint unchanged" "$(json_get "$T/out" keys.0.fingerprint)" "$(json_get "$T/status.json" keys.0.fingerprint)"

# A key the policy does not name.
expect_exit 1 ws keys init nosuchkey
expect_line "$T/err" "wavesign: keys.init: invalid argument: 'nosuchkey' is not a key the policy names (see keys: in $T/policy.yaml) [invalid-argument] (signing log record 8)"

ws_stop
expect_eq "daemon exit status" "$DAEMON_STATUS" 0
[ ! -S "$SOCK" ] || fail "the socket is still there after stop"

# The signing log holds every request, allowed or failed, and verifies.
python3 - "$T/state/log" >"$T/ops" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    r = json.loads(line)
    print(r["seq"], r["op"], r.get("decision", "-"), r.get("error", "-"))
PY
# (officer operations such as keys.init are followed by a checkpoint;
# the stop adds the final one)
tr '\n' ';' <"$T/ops" >"$T/ops.line"
expect_line "$T/ops.line" "0 log.create - -;1 status allowed -;2 keys.init allowed -;3 log.checkpoint - -;4 status allowed -;5 keys.init allowed -;6 log.checkpoint - -;7 status allowed -;8 keys.init failed invalid-argument;9 log.checkpoint - -;"
expect_exit 0 "$WAVESIGN_AUDIT" -d "$T/state" --key "$T/state/audit.vkey" verify

ws_finish
