#!/bin/sh
# replay-corpora.sh -- feeds every corpus under tests/fuzz/corpus/NAME
# through the program tests/fuzz/fuzz-NAME (built as a replay program by
# `make check`). A crash, a sanitizer report or a non-zero exit fails.
set -eu
top_srcdir=${top_srcdir:-.}
top_builddir=${top_builddir:-.}
fail=0
count=0
for corpus in "$top_srcdir"/tests/fuzz/corpus/*/; do
	[ -d "$corpus" ] || continue
	name=$(basename "$corpus")
	prog=$top_builddir/tests/fuzz/fuzz-$name
	if [ ! -x "$prog" ]; then
		echo "FAIL: $name: no program $prog"
		fail=1
		continue
	fi
	n=$(find "$corpus" -type f | wc -l)
	if "$prog" "$corpus"; then
		echo "ok: fuzz-$name replayed $n inputs"
		count=$((count + 1))
	else
		echo "FAIL: fuzz-$name on its corpus"
		fail=1
	fi
done
[ "$count" -gt 0 ] || [ "$fail" -ne 0 ] || { echo "no corpora replayed"; exit 77; }
exit $fail
