#!/bin/sh
# hsm-token-init.sh -- hsm/wavesign-token-init makes a token that opens with
# the PIN file it wrote, keeps PINs off command lines, and refuses to
# overwrite or to leave half a token behind. `wavesign token init` is played
# by tests/unit/token-stub (the same library call, ws_token_setup(); it logs
# its arguments), and run for real too where src/wavesign/wavesign is built.
# The sh -c scripts below take their values as "$1"... on purpose.
# shellcheck disable=SC2016
set -eu

top_builddir=${top_builddir:-.}
top_srcdir=${top_srcdir:-..}
module=${SOFTHSM2_MODULE:-}
if [ -z "$module" ] || [ ! -f "$module" ]; then
	echo "SKIP: no SoftHSM2 module (install softhsm2)"
	exit 77
fi

script=$top_builddir/hsm/wavesign-token-init
stub=$top_builddir/tests/unit/token-stub
work=$(mktemp -d "${TMPDIR:-/tmp}/hsm-token-init.XXXXXX")
trap 'rm -rf "$work"' EXIT

pass=0
fail=0
check() {
	# check DESCRIPTION COMMAND...: counts and reports one assertion.
	desc=$1
	shift
	if "$@"; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "FAIL: $desc"
	fi
}

export WAVESIGN="$stub"
export WAVESIGN_SOFTHSM2_CONF_IN="$top_srcdir/hsm/softhsm2.conf.in"
export SOFTHSM2_MODULE="$module"
export TOKEN_STUB_ARGV_LOG="$work/argv.log"

state=$work/state
"$script" "$state" test-label >"$work/out" 2>"$work/err" || {
	echo "FAIL: wavesign-token-init: $(cat "$work/err")"
	exit 1
}
tok=$state/token

check "token dir is 0700" [ "$(stat -c %a "$tok")" = 700 ]
check "pin is 0600" [ "$(stat -c %a "$tok/pin")" = 600 ]
check "so-pin is 0600" [ "$(stat -c %a "$tok/so-pin")" = 600 ]
check "pin is 32 hex characters" grep -Eqx '[0-9a-f]{32}' "$tok/pin"
check "so-pin is 32 hex characters" grep -Eqx '[0-9a-f]{32}' "$tok/so-pin"
check "the PINs differ" [ "$(cat "$tok/pin")" != "$(cat "$tok/so-pin")" ]
check "softhsm2.conf names the token dir" \
	grep -qx "directories.tokendir = $tok/tokens" "$tok/softhsm2.conf"
check "output has the URI" grep -qx '  uri: "pkcs11:token=test-label"' "$work/out"
check "output has the module" grep -qx "  module: $module" "$work/out"
check "output has the pin file" grep -qx "  pin-file: $tok/pin" "$work/out"
check "output has SOFTHSM2_CONF" grep -qx "  softhsm2-conf: $tok/softhsm2.conf" "$work/out"
check "no PIN on a command line" \
	sh -c '! grep -qF -e "$(cat "$1/pin")" -e "$(cat "$1/so-pin")" "$2"' - "$tok" "$work/argv.log"

label=$(SOFTHSM2_CONF=$tok/softhsm2.conf "$stub" token open --module "$module" \
	--uri pkcs11:token=test-label --pin-file "$tok/pin")
check "the token opens with the PIN file" [ "$label" = test-label ]

cp "$tok/pin" "$work/pin.before"
check "a second run is refused" sh -c '! "$1" "$2" test-label >/dev/null 2>&1' - "$script" "$state"
check "a second run keeps the PIN" cmp -s "$tok/pin" "$work/pin.before"

# The real `wavesign token init`, where the CLI is built.
real=$top_builddir/src/wavesign/wavesign
if [ -x "$real" ]; then
	WAVESIGN=$real "$script" "$work/real" real-cli >"$work/out-real" 2>"$work/err-real" ||
		echo "wavesign-token-init with $real: $(cat "$work/err-real")"
	check "wavesign token init: only the configuration on stdout" \
		[ "$(sed -n 2p "$work/out-real")" = "token:" ]
	label=$(SOFTHSM2_CONF=$work/real/token/softhsm2.conf "$stub" token open \
		--module "$module" --uri pkcs11:token=real-cli --pin-file "$work/real/token/pin")
	check "wavesign token init: the token opens" [ "$label" = real-cli ]
fi

check "a label with a space is refused" \
	sh -c '! "$1" "$2" "bad label" >/dev/null 2>&1' - "$script" "$work/other"
check "a failing init leaves no token dir" \
	sh -c '! WAVESIGN=/bin/false "$1" "$2" >/dev/null 2>&1 && [ ! -e "$2/token" ]' \
	- "$script" "$work/failing"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
