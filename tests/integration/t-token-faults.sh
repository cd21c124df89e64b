#!/bin/sh
# The token goes away and comes back (issue 8, faults). The daemon's module
# is tests/integration/p11-fault.so, which passes every call to the real
# SoftHSM2 token of this test and, when told through a control file, makes
# the token lose its login (SoftHSM2 itself logs the application out),
# pulls it out of its slot (SoftHSM2 closes every session), or brings back
# a token with another serial number under the same label.
#
#  - logged out: the next request notices before it runs, logs in again
#    with the PIN file, finds every key again and is served;
#  - removed: requests that need the token fail with token-unavailable and
#    are recorded; status still answers and says why; once the token is
#    back, the next request is served;
#  - another token under the label, or other keys under the labels:
#    refused (token-unavailable, serial or fingerprints named) until the
#    right one is back;
#  - the PIN file unreadable at reconnect: refused, recovered once readable;
#  - afterwards the signing log verifies, a checkpoint covers it, and every
#    device certificate issued verifies against the factory root.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/pki-lib.sh"

FAULT=$T/fault
: >"$FAULT"
export WS_P11_FAULT_MODULE="${SOFTHSM2_MODULE:-/usr/lib/softhsm/libsofthsm2.so}"
export WS_P11_FAULT_FILE="$FAULT"
SOFTHSM2_MODULE=$top_builddir/tests/integration/p11-fault.so ws_setup "$FIXTURES/pki.yaml"
ws_start
expect_exit 0 ws keys init
expect_exit 0 ws ca init --owner alice --out "$T/ca"

# issue N [production]: one device certificate from a fresh CSR, into $T/dN.
issue() {
	csr "d$1" "/CN=$(python3 -c 'import uuid; print(uuid.uuid4())')/OU=acme"
	ws cert issue "$T/d$1.csr" --out "$T/d$1"
}

# daemon_said LINE: the daemon's diagnostics hold LINE (without its time stamp).
daemon_said() {
	sed 's/^[^ ]* //' "$T/daemon.log" >"$T/daemon.lines"
	expect_line "$T/daemon.lines" "wavesignd[$DAEMON_PID]: $1"
}

# back_count: how many times the daemon said the token was back.
back_count() {
	grep -c "info: token 'wavesign-test' is back: logged in again, 3 keys found with the same fingerprints$" "$T/daemon.log" || true
}

# log_errors CODE: how many records of the signing log failed with CODE.
log_errors() {
	grep -c "\"error\":\"$1\"" "$T/state/log" || true
}

expect_exit 0 issue 1
check_device "$T/d1" "$T/d1.csr" no

# --- logged out: healed before the request runs
echo logout >"$FAULT"
expect_exit 0 issue 2
expect_eq "control file consumed by the shim" "$(cat "$FAULT")" ""
check_device "$T/d2" "$T/d2.csr" no
daemon_said "error: token 'wavesign-test' unavailable: token 'wavesign-test' is no longer logged in (session in CKS_RW_PUBLIC_SESSION); requests that need it fail with token-unavailable until it answers again"
expect_eq "recoveries so far" "$(back_count)" 1
expect_eq "records failed with token-unavailable after a logout" "$(log_errors token-unavailable)" 0

# --- removed: requests fail cleanly, status says why
echo removed >"$FAULT"
NOT_PRESENT="token 'wavesign-test' is not present: no initialised token matches 'pkcs11:token=wavesign-test'; token labels seen: none"
UNAVAILABLE="the PKCS#11 token is unavailable (removed, logged out or not answering); nothing was signed"
expect_exit 1 issue 3
expect_line "$T/err" "wavesign: cert.issue: $UNAVAILABLE: signing: token 'wavesign-test' is marked unavailable until it answers again ($NOT_PRESENT) [token-unavailable] (signing log record 7)"
expect_eq "no certificate written while the token is out" "$(ls "$T/d3" 2>/dev/null | wc -l)" 0
expect_exit 0 ws --json status
expect_eq "status: token state" "$(json_get "$T/out" token.state)" "unavailable"
expect_eq "status: why" "$(json_get "$T/out" token.error)" "$NOT_PRESENT"
expect_exit 0 ws status
expect_line "$T/out" "         unavailable: $NOT_PRESENT"
expect_eq "refusals recorded in the signing log" "$(log_errors token-unavailable)" 1

# --- another token under the same label: refused
echo other-serial >"$FAULT"
# The real serial, as SoftHSM2's own tool shows it.
SERIAL=$(SOFTHSM2_CONF=$T/state/token/softhsm2.conf softhsm2-util --show-slots |
	sed -n 's/^ *Serial number: *//p' | head -n 1)
expect_exit 1 issue 4
expect_line "$T/err" "wavesign: cert.issue: $UNAVAILABLE: signing: token 'wavesign-test' is marked unavailable until it answers again (token 'wavesign-test' came back with serial '0ther5eria1t0ken', not '$SERIAL': not the token the process started with) [token-unavailable] (signing log record 10)"
expect_eq "refusals recorded in the signing log" "$(log_errors token-unavailable)" 2
daemon_said "error: token 'wavesign-test' still unavailable: token 'wavesign-test' came back with serial '0ther5eria1t0ken', not '$SERIAL': not the token the process started with"

# --- the same token, but another key under a label: refused
echo other-key >"$FAULT"
G_FP=$(python3 -c '
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives import serialization, hashes
k = ec.derive_private_key(1, ec.SECP256R1()).public_key()
d = k.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
h = hashes.Hash(hashes.SHA256()); h.update(d); print(h.finalize().hex())')
ROOT_FP=$(openssl x509 -in "$T/ca/root.crt" -noout -pubkey | openssl pkey -pubin -outform DER | sha256sum | cut -d' ' -f1)
OTHER_KEY="token 'wavesign-test': key 'root-ca' now has public key sha256:$G_FP, not sha256:$ROOT_FP: this is not the token the process started with"
expect_exit 1 issue 4b
expect_line "$T/err" "wavesign: cert.issue: $UNAVAILABLE: signing: token 'wavesign-test' is marked unavailable until it answers again ($OTHER_KEY) [token-unavailable] (signing log record 11)"
daemon_said "error: token 'wavesign-test' still unavailable: $OTHER_KEY"
expect_eq "recoveries so far" "$(back_count)" 1

# --- the right token, but the PIN file cannot be read at the reconnect
: >"$FAULT"
chmod 0644 "$T/state/token/pin"
expect_exit 1 issue 5
expect_line "$T/err" "wavesign: cert.issue: $UNAVAILABLE: signing: token 'wavesign-test' is marked unavailable until it answers again (PIN file $T/state/token/pin has mode 0644; group and others must have no access (chmod 600 $T/state/token/pin)) [token-unavailable] (signing log record 12)"
chmod 0600 "$T/state/token/pin"

# --- a PIN the token refuses is tried once, not at every request (a real
# token counts failed logins and locks the PIN)
cp -p "$T/state/token/pin" "$T/pin.good"
echo 00000000000000000000000000000000 >"$T/state/token/pin"
expect_exit 1 issue 5b
expect_line "$T/err" "wavesign: cert.issue: $UNAVAILABLE: signing: token 'wavesign-test' is marked unavailable until it answers again (token 'wavesign-test': C_Login with the PIN in $T/state/token/pin: CKR_PIN_INCORRECT) [token-unavailable] (signing log record 13)"
expect_exit 1 issue 5c
expect_line "$T/err" "wavesign: cert.issue: $UNAVAILABLE: signing: token 'wavesign-test' is marked unavailable until it answers again (token 'wavesign-test' refused the PIN in $T/state/token/pin (CKR_PIN_INCORRECT); it is not tried again until the file changes) [token-unavailable] (signing log record 14)"
cp -p "$T/pin.good" "$T/state/token/pin"

# --- back: served again, with the same keys
expect_exit 0 issue 6
check_device "$T/d6" "$T/d6.csr" no
expect_exit 0 ws --json status
expect_eq "status after recovery" "$(json_get "$T/out" token.state)" "ready"
expect_exit 0 ws --json keys list
expect_eq "root-ca fingerprint unchanged" "$(json_get "$T/out" keys.0.fingerprint)" "$ROOT_FP"
expect_eq "recoveries so far" "$(back_count)" 2

# A removal in the middle of a burst: every request is answered (served or
# token-unavailable), none hangs, and the daemon serves again afterwards.
for n in 7 8 9 10 11 12; do csr "d$n" "/CN=$(python3 -c 'import uuid; print(uuid.uuid4())')/OU=acme"; done
pids=
for n in 7 8 9 10 11 12; do
	ws cert issue "$T/d$n.csr" --out "$T/d$n" >"$T/out.$n" 2>"$T/err.$n" &
	pids="$pids $!"
	if [ "$n" = 9 ]; then echo removed >"$FAULT"; fi
done
for p in $pids; do wait "$p" || true; done
: >"$FAULT"
for n in 7 8 9 10 11 12; do
	if [ -s "$T/d$n/client.pem" ]; then
		check_device "$T/d$n" "$T/d$n.csr" no
	else
		grep -q "\[token-unavailable\] (signing log record [0-9]*)$" "$T/err.$n" || fail "request $n neither served nor token-unavailable: $(cat "$T/err.$n")"
	fi
done
expect_exit 0 issue 13
check_device "$T/d13" "$T/d13.csr" no

ws_stop
expect_eq "daemon exit status" "$DAEMON_STATUS" 0
# The log verifies, and the final checkpoint (signed with the audit key in
# the token that came back) is its last record and covers all before it.
n=$(wc -l <"$T/state/log" | tr -d ' ')
expect_exit 0 "$WAVESIGN_AUDIT" -d "$T/state" --key "$T/state/audit.vkey" verify
expect_line "$T/out" "records:          $n (seq 0 to $((n - 1)))"
expect_line "$T/out" "checkpoints file: $T/state/checkpoints matches (tree size $((n - 1)))"
ws_finish
