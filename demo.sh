#!/bin/sh
# demo.sh -- the main job on a fresh Debian 12 machine, start to end:
# install the packages, build, make an embedded SoftHSM2 token, start
# wavesignd on it with policies/default.yaml, create the keys and the
# factory PKI, register a production device and check its certificate with
# openssl, sign the TUF roots, run a whole wave (init, rollout, complete),
# show the appliance; then stop the daemon and verify the signing log
# offline.
#
# Run as root from the top of a clone:   sudo ./demo.sh
# Everything it makes is under demo-run/ (remove it to start over).
set -eu
top=$(cd "$(dirname "$0")" && pwd)
cd "$top"
run=$top/demo-run
build=$top/_build

step() { printf '\n== %s\n' "$*"; }

step "Installing the Debian packages wavesign needs"
./scripts/install-deps.sh

step "Building (autogen, configure, make)"
[ -x ./configure ] || ./autogen.sh >/dev/null
mkdir -p "$build"
(cd "$build" && { [ -f Makefile ] || ../configure -q; } && make -s -j"$(nproc)" >/dev/null && make -s hsm/wavesign-token-init >/dev/null)
WAVESIGN=$build/src/wavesign/wavesign
WAVESIGND=$build/src/wavesignd/wavesignd
AUDIT=$build/src/wavesign-audit/wavesign-audit
export WAVESIGN

step "Making the embedded SoftHSM2 token in $run/state/token (PINs in 0600 files, never on a command line)"
if [ -e "$run" ]; then
	echo "demo.sh: $run exists from an earlier run; remove it first (rm -rf demo-run)" >&2
	exit 1
fi
mkdir -p "$run/run"
chmod 0755 "$run" "$run/run"
mkdir -m 0700 "$run/state"
WAVESIGN_SOFTHSM2_CONF_IN=$top/hsm/softhsm2.conf.in "$build/hsm/wavesign-token-init" "$run/state" wavesign
cp policies/default.yaml "$run/policy.yaml"
cat >"$run/wavesignd.yaml" <<CONF
socket:
  path: $run/run/wavesignd.sock
  mode: "0660"
state-dir: $run/state
policy: $run/policy.yaml
token:
  uri: "pkcs11:token=wavesign"
  module: $(sed -n 's/^SOFTHSM2_MODULE = //p' "$build/Makefile")
  pin-file: $run/state/token/pin
  softhsm2-conf: $run/state/token/softhsm2.conf
sandbox:
  seccomp: true
CONF
ws() { "$WAVESIGN" -s "$run/run/wavesignd.sock" "$@"; }

step "Checking the policy"
"$WAVESIGN" policy check "$run/policy.yaml"

step "Starting wavesignd (its diagnostics go to $run/wavesignd.log)"
"$WAVESIGND" -c "$run/wavesignd.yaml" >"$run/wavesignd.log" 2>&1 &
pid=$!
trap 'kill -TERM $pid 2>/dev/null || true' EXIT
i=0
until [ -S "$run/run/wavesignd.sock" ]; do
	i=$((i + 1))
	if [ $i -gt 100 ] || ! kill -0 $pid 2>/dev/null; then
		cat "$run/wavesignd.log"
		exit 1
	fi
	sleep 0.1
done

step "wavesign keys init: every key the policy names, generated inside the token"
ws keys init

step "wavesign ca init: the factory root CA and the device CA, signed inside the token"
ws ca init --owner demo --out "$run/pki"
openssl x509 -in "$run/pki/root.crt" -noout -subject -enddate

step "wavesign register: a production device, as lmp-device-register would (PRODUCTION=1)"
uuid=$(cat /proc/sys/kernel/random/uuid)
PRODUCTION=1 ws register --factory acme --uuid "$uuid" --out "$run/device"
openssl x509 -in "$run/device/client.pem" -noout -subject -serial
echo "independent check (openssl verify, purpose sslclient):"
openssl x509 -in "$run/device/client.chained" >/dev/null
awk 'f{print} /END CERTIFICATE/{f=1}' "$run/device/client.chained" >"$run/device/device-ca.pem"
openssl verify -CAfile "$run/device/root.crt" -untrusted "$run/device/device-ca.pem" -purpose sslclient "$run/device/client.pem"

step "TUF: the production root and the CI root, signed by the offline root key in the token"
# The OTA back end's online keys (targets, snapshot, timestamp) are public
# keys it hands over; openssl makes stand-ins for them here.
mkdir -p "$run/backend"
online=""
for role in targets snapshot timestamp; do
	openssl genpkey -algorithm ed25519 -out "$run/backend/online-$role.key" 2>/dev/null
	openssl pkey -in "$run/backend/online-$role.key" -pubout -out "$run/backend/online-$role.pem"
	online="$online --online-key $role=$run/backend/online-$role.pem"
done
# shellcheck disable=SC2086
ws tuf root sign --production $online --out "$run/tuf/production"
# shellcheck disable=SC2086
ws tuf root sign --ci $online --out "$run/tuf/ci"

step "A whole wave on the master tag: init, rollout to two groups, complete"
python3 tests/bench/gen-ci-targets.py --builds 42 --hwids 2 "$run/ci-targets.json"
ws waves init release-42 42 master --ci-targets "$run/ci-targets.json" --out "$run/release-42.json" --repo "$run/release-42"
ws waves rollout release-42 emea --out "$run/release-42-rollout-emea.json"
ws waves rollout release-42 apac --percentage 25 --out "$run/release-42-rollout-apac.json"
ws waves complete release-42 --out "$run/release-42-complete.json"
ws waves show release-42
echo "the OTA back end's payload for the wave: $run/release-42.json"

step "wavesign status"
ws status

step "Stopping wavesignd (SIGTERM: requests in flight finish, a last checkpoint is signed)"
kill -TERM $pid
wait $pid
trap - EXIT

step "wavesign-audit verify: the signing log, checked offline with the audit key alone"
"$AUDIT" -d "$run/state" --key "$run/state/audit.vkey" verify

printf '\nDone. The appliance state is in %s.\n' "$run"
