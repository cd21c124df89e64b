#!/bin/sh
# wavesignd refuses to start — saying exactly why — on an unsafe key, a
# second daemon for the same state directory, a socket directory others
# can write, a broken policy, a state directory others can read.
. "$top_srcdir/tests/integration/lib.sh"

MODULE=${SOFTHSM2_MODULE:-/usr/lib/softhsm/libsofthsm2.so}
ws_setup

# 1. A key made extractable on purpose (with OpenSC's pkcs11-tool, outside
#    the product) under a label the policy names: the daemon names it.
SOFTHSM2_CONF=$T/state/token/softhsm2.conf pkcs11-tool --module "$MODULE" --token-label wavesign-test \
	--login --pin "$(cat "$T/state/token/pin")" --keypairgen --key-type EC:prime256v1 \
	--label device-ca --usage-sign --extractable --sensitive >"$T/p11tool.out" 2>&1 ||
	{ cat "$T/p11tool.out"; fail "pkcs11-tool keypairgen"; }
expect_exit 1 "$WAVESIGND" -c "$T/wavesignd.yaml"
grep -q "wavesignd\[[0-9]*\]: error: keys: a key in the token is extractable or not sensitive: key 'device-ca': CKA_EXTRACTABLE is TRUE, CKA_NEVER_EXTRACTABLE is FALSE; refusing to start$" "$T/err" ||
	fail "unsafe key: $(cat "$T/err")"
[ ! -S "$SOCK" ] || fail "a socket exists although the daemon refused to start"

# Remove the unsafe key; the daemon starts.
SOFTHSM2_CONF=$T/state/token/softhsm2.conf pkcs11-tool --module "$MODULE" --token-label wavesign-test \
	--login --pin "$(cat "$T/state/token/pin")" --delete-object --type privkey --label device-ca >/dev/null 2>&1
SOFTHSM2_CONF=$T/state/token/softhsm2.conf pkcs11-tool --module "$MODULE" --token-label wavesign-test \
	--login --pin "$(cat "$T/state/token/pin")" --delete-object --type pubkey --label device-ca >/dev/null 2>&1
ws_start

# 2. A second daemon on the same state directory (another socket path).
sed "s|$SOCK|$T/run/second.sock|" "$T/wavesignd.yaml" >"$T/second.yaml"
expect_exit 1 "$WAVESIGND" -c "$T/second.yaml"
grep -q "error: state directory: another daemon holds the state directory: $T/state/lock is held by another wavesignd$" "$T/err" ||
	fail "second daemon: $(cat "$T/err")"
# ... and a second daemon on the same socket is refused before touching anything.
expect_exit 0 ws status
ws_stop

# 3. A socket directory that others may write.
chmod 0777 "$T/run"
expect_exit 1 "$WAVESIGND" -c "$T/wavesignd.yaml"
grep -q "error: socket: a file or directory has unsafe ownership or permissions: socket directory $T/run is writable by others (mode 0777): another user could replace the socket; use a directory only the daemon's user can write (e.g. chmod 0755 $T/run)$" "$T/err" ||
	fail "socket dir: $(cat "$T/err")"
chmod 0755 "$T/run"

# 4. A state directory others can read.
chmod 0750 "$T/state"
expect_exit 1 "$WAVESIGND" -c "$T/wavesignd.yaml"
grep -q "error: state directory: a file or directory has unsafe ownership or permissions: state directory $T/state has mode 0750; it must be accessible only by its owner (chmod 0700 $T/state)$" "$T/err" ||
	fail "state dir: $(cat "$T/err")"
chmod 0700 "$T/state"

# 5. A policy that does not load: the daemon says where and why.
printf 'factory: acme\nkeys:\n  audit: { type: ed25519 }\nclients:\n  root: { unix-user: 0, allow: [status], colour: blue }\n' >"$T/policy.yaml"
expect_exit 1 "$WAVESIGND" -c "$T/wavesignd.yaml"
grep -q "error: policy: the policy file is invalid: $T/policy.yaml:5:42: clients.root.colour: unknown key (allowed: unix-user, unix-group, allow, production, rate, officer)$" "$T/err" ||
	fail "policy: $(cat "$T/err")"

# 6. --check runs the same checks and stops.
cp "$FIXTURES/policy.yaml" "$T/policy.yaml"
expect_exit 0 "$WAVESIGND" -c "$T/wavesignd.yaml" --check
grep -q "^wavesignd: configuration, policy (sha256 $(sha256sum <"$T/policy.yaml" | cut -d' ' -f1)), state directory, token, keys and signing log are in order$" "$T/out" ||
	fail "check: $(cat "$T/out")"

ws_finish
