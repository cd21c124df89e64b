#!/bin/sh
# install-deps.sh -- installs the Debian 12 packages wavesign needs to build,
# run and test. Run as root (or through sudo). Safe to run again.
set -eu

packages="
	build-essential autoconf automake libtool pkg-config
	libssl-dev openssl
	libp11-kit-dev p11-kit
	libyaml-dev libjansson-dev libmicrohttpd-dev libgnutls28-dev libseccomp-dev
	check libsubunit-dev
	softhsm2 opensc
	gnutls-bin python3 python3-cryptography python3-securesystemslib
	libjsoncpp-dev g++ util-linux
	valgrind gdb clang libclang-rt-14-dev
	mandoc ca-certificates
"
# Node.js runs the tuf-js client in the tests; keep the machine's own if present.
command -v node >/dev/null 2>&1 || packages="$packages nodejs npm"

if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps.sh: run as root (sudo $0)" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $packages >/dev/null
echo "install-deps.sh: packages installed"

# The tuf-js client the TUF tests run (pinned in its package.json; test only).
top=$(cd "$(dirname "$0")/.." && pwd)
if [ -f "$top/tests/integration/tuf-js/package.json" ]; then
	npm install --prefix "$top/tests/integration/tuf-js" --no-audit --no-fund --loglevel=error >/dev/null
	echo "install-deps.sh: tuf-js installed for the tests"
fi
