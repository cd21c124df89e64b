# tests/unit: one Check suite per module. Each suite appends itself to
# UNIT_TESTS (which `make memcheck` reruns under valgrind).
UNIT_TESTS =
UNIT_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) -DTEST_SRCDIR='"$(abs_top_srcdir)"' -DTEST_BUILDDIR='"$(abs_top_builddir)"'
UNIT_LDADD = $(WS_LIBS) $(CHECK_LIBS)
EXTRA_DIST += tests/unit/test_common.h tests/valgrind.supp

UNIT_TESTS += tests/unit/test-err
tests_unit_test_err_SOURCES = tests/unit/test-err.c
tests_unit_test_err_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_err_LDADD = $(UNIT_LDADD)

UNIT_TESTS += tests/unit/test-buf
tests_unit_test_buf_SOURCES = tests/unit/test-buf.c
tests_unit_test_buf_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_buf_LDADD = $(UNIT_LDADD)

check_PROGRAMS += $(UNIT_TESTS)
TESTS += $(UNIT_TESTS)
