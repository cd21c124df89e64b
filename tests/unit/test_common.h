/*
 * test_common.h -- shared helpers for the Check suites.
 */
#ifndef WS_TEST_COMMON_H
#define WS_TEST_COMMON_H

#include <check.h>
#include <stdlib.h>

#include "ws_err.h"

/* Asserts that expr returns the exact ws_err code expected. */
#define ck_assert_ws(expr, expected) do { \
	ws_err ck_ws_got_ = (expr); \
	ck_assert_msg(ck_ws_got_ == (expected), "%s: expected %s, got %s (%s)", #expr, \
	    ws_err_code(expected), ws_err_code(ck_ws_got_), ws_err_message(ck_ws_got_)); \
} while (0)

#define ck_assert_ws_ok(expr) ck_assert_ws(expr, WS_OK)

/* Runs one suite and returns the process exit status. */
static inline int
ws_test_run(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

#endif
