#!/bin/sh
# run-all.sh -- every test wavesign has, from a clean checkout:
#   1. a -Werror build and `make check` (unit suites, fuzz corpora, integration
#      tests against real SoftHSM2 tokens and real daemons),
#   2. the same suite once more built with ASan + UBSan,
#   3. the unit suites under valgrind memcheck.
# Build trees go to _build/, _build-asan/ (removed first). Ends with one line
# "N passed, N failed" counting the test programs of all three stages.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
jobs=$(nproc 2>/dev/null || echo 2)
passed=0
failed=0

count() {	# count BUILDDIR: add up the results automake's driver left in *.trs
	p=$(find "$1" -name '*.trs' -exec grep -l '^:test-result: PASS' {} + 2>/dev/null | wc -l)
	s=$(find "$1" -name '*.trs' -exec grep -l '^:test-result: SKIP' {} + 2>/dev/null | wc -l)
	f=$(find "$1" -name '*.trs' -exec grep -lE '^:test-result: (FAIL|ERROR|XPASS)' {} + 2>/dev/null | wc -l)
	passed=$((passed + p))
	failed=$((failed + f))
	echo "run-all: $1: $p passed, $f failed, $s skipped"
}

stage() {	# stage NAME BUILDDIR CONFIGURE_ARGS...
	name=$1 dir=$2
	shift 2
	echo "=== $name"
	rm -rf "$dir"
	mkdir -p "$dir"
	if ! (cd "$dir" && ../configure -q "$@" >configure.out 2>&1); then
		tail -n 30 "$dir/configure.out"
		failed=$((failed + 1))
		return 1
	fi
	if ! make -C "$dir" -j"$jobs" >"$dir/build.out" 2>&1; then
		tail -n 40 "$dir/build.out"
		failed=$((failed + 1))
		return 1
	fi
	make -C "$dir" -j"$jobs" check >"$dir/check.out" 2>&1
	rc=$?
	grep -E '^(PASS|FAIL|ERROR|SKIP|XPASS):' "$dir/check.out" || true
	if [ $rc -ne 0 ]; then
		for log in $(grep -lE '^:test-result: (FAIL|ERROR)' $(find "$dir" -name '*.trs') 2>/dev/null); do
			echo "--- ${log%.trs}.log"
			tail -n 60 "${log%.trs}.log"
		done
	fi
	count "$dir"
	return $rc
}

[ -x ./configure ] || ./autogen.sh >/dev/null 2>&1 || { echo "autogen.sh failed"; exit 1; }

stage "build with -Werror, make check" _build --enable-werror
stage "ASan + UBSan build, make check" _build-asan --enable-werror --enable-sanitizers
echo "=== valgrind memcheck of the unit suites"
if make -C _build memcheck >_build/memcheck.out 2>&1; then
	n=$(grep -c '^memcheck: tests/' _build/memcheck.out)
	passed=$((passed + n))
	echo "run-all: memcheck: $n passed"
else
	cat _build/memcheck.out | tail -n 60
	failed=$((failed + 1))
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
