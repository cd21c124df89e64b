#!/bin/sh
# memcheck.sh VALGRIND SUPPRESSIONS TEST... -- reruns each unit suite under
# valgrind memcheck, as many at once as there are CPUs (valgrind runs one
# thread at a time). Any memory error or definite leak fails the suite.
# Suites see WS_MEMCHECK=1 and may shrink their largest inputs (same code
# paths, smaller sizes). Prints "memcheck: SUITE ok|FAILED" per suite.
set -u
valgrind=$1 supp=$2
shift 2
jobs=$(nproc 2>/dev/null || echo 2)
export CK_FORK=no WS_MEMCHECK=1 valgrind supp

printf '%s\n' "$@" | xargs -P "$jobs" -I{} sh -c '
	if "$valgrind" --quiet --error-exitcode=97 --leak-check=full \
	    --errors-for-leak-kinds=definite --show-leak-kinds=definite \
	    --suppressions="$supp" ./{} >{}.memcheck.log 2>&1; then
		echo "memcheck: {} ok"
	else
		echo "memcheck: {} FAILED (see {}.memcheck.log)"
		tail -n 30 {}.memcheck.log
		exit 1
	fi'
