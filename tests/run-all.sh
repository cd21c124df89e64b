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
make -C _build memcheck >_build/memcheck.out 2>&1
rc=$?
grep '^memcheck: ' _build/memcheck.out || true
n_ok=$(grep -c '^memcheck: .* ok$' _build/memcheck.out || true)
n_fail=$(grep -c '^memcheck: .* FAILED' _build/memcheck.out || true)
if [ $rc -ne 0 ] && [ "$n_fail" -eq 0 ]; then
	tail -n 40 _build/memcheck.out
	n_fail=1
fi
grep -A30 ' FAILED ' _build/memcheck.out | head -n 80 || true
passed=$((passed + n_ok))
failed=$((failed + n_fail))
echo "run-all: memcheck: $n_ok passed, $n_fail failed"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
