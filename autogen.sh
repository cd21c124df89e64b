#!/bin/sh
# Generates configure and Makefile.in from configure.ac and Makefile.am.
# Nothing generated here is committed.
set -e
cd "$(dirname "$0")"
autoreconf --force --install --verbose
echo "Now run ./configure (see ./configure --help for the switches)."
