#!/bin/sh
# wavesign-regd's start-up checks: the configuration read strictly (each
# refusal with FILE:LINE:COLUMN: key.path), the token file's ownership,
# mode and content, --check, usage, and the shipped example configuration.
. "$top_srcdir/tests/integration/lib.sh"

REGD=$top_builddir/src/wavesign-regd/wavesign-regd
C=$T/regd.yaml
printf 'regd-test-token-0123456789abcdef\n' >"$T/token"
chmod 0600 "$T/token"

conf() {
	printf '%s\n' "$@" >"$C"
}
good() {
	conf "listen: { port: 8443 }" "auth: { token-file: token }" "gateway: https://gw.example:8443/"
}

good
expect_exit 0 "$REGD" --check -c "$C"
expect_line "$T/out" "configuration and token file are in order"

expect_exit 0 "$REGD" --help
grep -q '^usage: wavesign-regd \[-c CONFIG\] \[--check\]$' "$T/out" || fail "usage line: $(head -n 1 "$T/out")"
expect_exit 2 "$REGD" --bogus
expect_exit 2 "$REGD" extra-operand

# check_refused WHAT LINE: --check fails (exit 1) with exactly this stderr line (after the time stamp).
check_refused() {
	expect_exit 1 "$REGD" --check -c "$C" || return 0
	got=$(sed 's/^[^ ]* wavesign-regd\[[0-9]*\]: error: //' "$T/err")
	expect_eq "$1" "$got" "$2"
}

conf "listen: { port: 8443, prot: 1 }" "auth: { token-file: token }" "gateway: https://gw.example"
check_refused "unknown key" "config: the configuration file is invalid: $C:1:23: listen.prot: unknown key (allowed: address, port, path)"
conf "listen: { port: 8443 }" "auth: { token-file: token }"
check_refused "missing gateway" "config: the configuration file is invalid: $C:1:1: gateway: required key is missing"
conf "listen: { port: 8443 }" "auth: { token-file: token }" "gateway: ftp://gw.example"
check_refused "bad gateway" "config: the configuration file is invalid: $C:3:10: gateway: expected an http:// or https:// URL of at most 512 printable characters without spaces, quotes or backslashes, got \"ftp://gw.example\""
conf "listen: { port: 70000 }" "auth: { token-file: token }" "gateway: https://gw.example"
check_refused "bad port" "config: the configuration file is invalid: $C:1:17: listen.port: expected an integer from 1 to 65535, got 70000"
conf "listen: { port: 8443, address: localhost }" "auth: { token-file: token }" "gateway: https://gw.example"
check_refused "bad address" "config: the configuration file is invalid: $C:1:32: listen.address: expected a numeric IPv4 or IPv6 address, got \"localhost\""
conf "listen: { port: 8443 }" "auth: { token-file: token }" "gateway: https://gw.example" "limits: { max-body: 2MiB }"
expect_exit 1 "$REGD" --check -c "$C"
grep -q "limits.max-body" "$T/err" || fail "max-body over 1MiB: $(cat "$T/err")"

# The token file.
good
chmod 0640 "$T/token"
check_refused "token readable by the group" "token: a file or directory has unsafe ownership or permissions: $T/token: the token file has mode 0640; make it 0600"
chmod 0600 "$T/token"
chown 65534 "$T/token"
check_refused "token owned by another user" "token: a file or directory has unsafe ownership or permissions: $T/token: the token file is owned by uid 65534, not by wavesign-regd's user (uid 0)"
chown 0 "$T/token"
ln -s token "$T/token-link"
conf "listen: { port: 8443 }" "auth: { token-file: token-link }" "gateway: https://gw.example"
check_refused "token through a symbolic link" "token: a file or directory has unsafe ownership or permissions: $T/token-link: the token file is a symbolic link"
printf 'short\n' >"$T/token"
good
check_refused "token too short" "token: the configuration file is invalid: $T/token: the token must have 16 to 1024 characters"
printf 'two words in a line here\n' >"$T/token"
check_refused "token with spaces" "token: the configuration file is invalid: $T/token: the token must be one line of printable ASCII without spaces"

# The shipped example reads as a configuration (only its token file is missing here).
expect_exit 1 "$REGD" --check -c "$top_builddir/dist/wavesign-regd.yaml"
grep -q ": error: token: " "$T/err" || fail "example configuration: $(cat "$T/err")"

ws_finish
