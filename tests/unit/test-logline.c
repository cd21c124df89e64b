/*
 * test-logline.c -- the canonical form of log lines (fast scanner and its
 * jansson definition agree) and the streaming line reader.
 */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ws_log_blocks.h"
#include "ws_log_reader.h"
#include "ws_logline.h"
#include "ws_sha256.h"
#include "test_common.h"

#define ZEROS "0000000000000000000000000000000000000000000000000000000000000000"
#define GOOD "{\"op\":\"cert.issue\",\"prev\":\"" ZEROS "\",\"seq\":7,\"time\":\"2026-02-28T23:59:59Z\"}"

/* Both checkers must agree; returns the scanner's answer. */
static ws_err
canon(const char *s)
{
	json_t *v = NULL;
	ws_err fast = ws_logline_canonical((const uint8_t *)s, strlen(s));
	char detail[1024];
	ws_err slow;

	snprintf(detail, sizeof(detail), "%s", ws_err_detail());
	slow = ws_logline_parse((const uint8_t *)s, strlen(s), &v);
	json_decref(v);
	ck_assert_msg((fast == WS_OK) == (slow == WS_OK), "scanner says %s, jansson says %s for %s",
	    ws_err_code(fast), ws_err_code(slow), s);
	ws_err_set(fast, "%s", detail);
	return fast;
}

static void
refused(const char *line, const char *detail)
{
	ck_assert_ws(canon(line), WS_ERR_LOG_CORRUPT);
	ck_assert_str_eq(ws_err_detail(), detail);
}

START_TEST(test_scan_good_line)
{
	struct ws_logline l;

	ck_assert_ws_ok(canon(GOOD));
	ck_assert_ws_ok(ws_logline_scan((const uint8_t *)GOOD, strlen(GOOD), &l));
	ck_assert_uint_eq(l.seq, 7);
	ck_assert_str_eq(l.time, "2026-02-28T23:59:59Z");
	ck_assert_uint_eq(l.op_len, 10);
	ck_assert_mem_eq(l.op, "cert.issue", 10);
}
END_TEST

START_TEST(test_accepts_canonical_values)
{
	ck_assert_ws_ok(canon("{\"a\":[true,false,null,-5,0,9223372036854775807,-9223372036854775808],"
	    "\"b\":{},\"c\":[],\"d\":\"\\\"\\\\\\b\\f\\n\\r\\t\\u0001\\u001f\x7f\xc3\xa9\xf0\x9f\x98\x80\"}"));
	/* Keys compare decoded: "a\"" (0x22) sorts before "a#" (0x23). */
	ck_assert_ws_ok(canon("{\"a\\\"\":1,\"a#\":2}"));
	ck_assert_ws_ok(canon("{\"\":1,\"a\":2,\"ab\":3,\"\xc3\xa9\":4}"));
}
END_TEST

START_TEST(test_refuses_whitespace)
{
	refused("{\"a\": 1}", "not canonical JSON: unexpected character at byte 5");
	refused("{\"a\":1} ", "not canonical JSON: bytes after the value at byte 7");
}
END_TEST

START_TEST(test_refuses_unsorted_and_duplicate_keys)
{
	refused("{\"b\":1,\"a\":2}", "not canonical JSON: keys out of order or duplicated at byte 10");
	refused("{\"a\":1,\"a\":2}", "not canonical JSON: keys out of order or duplicated at byte 10");
	refused("{\"a#\":1,\"a\\\"\":2}", "not canonical JSON: keys out of order or duplicated at byte 13");
}
END_TEST

START_TEST(test_refuses_numbers)
{
	refused("[1.0]", "not canonical JSON: a number that is not an integer at byte 2");
	refused("[1e3]", "not canonical JSON: a number that is not an integer at byte 2");
	refused("[01]", "not canonical JSON: leading zero at byte 3");
	refused("[-0]", "not canonical JSON: -0 at byte 3");
	refused("[9223372036854775808]", "not canonical JSON: integer outside int64 at byte 20");
	refused("[+1]", "not canonical JSON: unexpected character at byte 1");
}
END_TEST

START_TEST(test_refuses_escapes)
{
	refused("[\"\\/\"]", "not canonical JSON: escape that the canonical form does not use at byte 2");
	refused("[\"\\u0041\"]",
	    "not canonical JSON: \\u escape of a character that the canonical form writes raw at byte 2");
	refused("[\"\\u001F\"]",
	    "not canonical JSON: \\u escape of a character that the canonical form writes raw at byte 2");
	refused("[\"\\u000a\"]", "not canonical JSON: \\u escape where a short escape is canonical at byte 2");
	refused("[\"\\u0000\"]", "not canonical JSON: \\u0000 (NUL is not allowed in strings) at byte 2");
	refused("[\"\\ud83d\\ude00\"]",
	    "not canonical JSON: \\u escape of a character that the canonical form writes raw at byte 2");
}
END_TEST

START_TEST(test_refuses_raw_controls_and_bad_utf8)
{
	refused("[\"a\nb\"]", "not canonical JSON: raw control character in a string at byte 3");
	refused("[\"\xc3\x28\"]", "not canonical JSON: invalid UTF-8 at byte 2");
	refused("[\"\xc0\xaf\"]", "not canonical JSON: invalid UTF-8 at byte 2");
	refused("[\"\xed\xa0\x80\"]", "not canonical JSON: invalid UTF-8 at byte 2");
	refused("[\"\xf4\x90\x80\x80\"]", "not canonical JSON: invalid UTF-8 at byte 2");
	refused("[\"abc", "not canonical JSON: unterminated string at byte 5");
}
END_TEST

START_TEST(test_refuses_depth)
{
	char deep[100];

	memset(deep, '[', 33);
	memset(deep + 33, ']', 33);
	deep[66] = '\0';
	refused(deep, "not canonical JSON: more than 32 levels of nesting at byte 32");
	deep[32] = ']';
	deep[64] = '\0';
	ck_assert_ws_ok(canon(deep));
}
END_TEST

static void
scan_refused(const char *line, const char *detail)
{
	struct ws_logline l;

	ck_assert_ws(ws_logline_scan((const uint8_t *)line, strlen(line), &l), WS_ERR_LOG_CORRUPT);
	ck_assert_str_eq(ws_err_detail(), detail);
}

START_TEST(test_scan_requires_log_members)
{
	scan_refused("[1]", "not a JSON object");
	scan_refused("{\"op\":\"x\",\"prev\":\"" ZEROS "\",\"time\":\"2026-01-01T00:00:00Z\"}",
	    "seq is missing or not a non-negative integer");
	scan_refused("{\"op\":\"x\",\"prev\":\"" ZEROS "\",\"seq\":-1,\"time\":\"2026-01-01T00:00:00Z\"}",
	    "seq is missing or not a non-negative integer");
	scan_refused("{\"op\":\"x\",\"prev\":\"" ZEROS "\",\"seq\":\"1\",\"time\":\"2026-01-01T00:00:00Z\"}",
	    "seq is missing or not a non-negative integer");
	scan_refused("{\"op\":\"x\",\"prev\":\"" ZEROS "\",\"seq\":1,\"time\":\"2026-02-29T00:00:00Z\"}",
	    "time is missing or not a UTC time YYYY-MM-DDTHH:MM:SSZ");
	scan_refused("{\"op\":\"x\",\"prev\":\"" ZEROS "\",\"seq\":1,\"time\":\"2026-01-01 00:00:00Z\"}",
	    "time is missing or not a UTC time YYYY-MM-DDTHH:MM:SSZ");
	scan_refused("{\"op\":\"x\",\"prev\":\"" ZEROS "\",\"seq\":1,\"time\":\"2026-01-01T00:00:00.5Z\"}",
	    "time is missing or not a UTC time YYYY-MM-DDTHH:MM:SSZ");
	scan_refused("{\"op\":\"x\",\"prev\":\"" "ABCD" ZEROS "\",\"seq\":1,\"time\":\"2026-01-01T00:00:00Z\"}",
	    "prev is missing or not 64 hex digits");
	scan_refused("{\"op\":\"\",\"prev\":\"" ZEROS "\",\"seq\":1,\"time\":\"2026-01-01T00:00:00Z\"}",
	    "op is missing or not a non-empty string");
	scan_refused("{\"op\":3,\"prev\":\"" ZEROS "\",\"seq\":1,\"time\":\"2026-01-01T00:00:00Z\"}",
	    "op is missing or not a non-empty string");
}
END_TEST

START_TEST(test_time_validity)
{
	ck_assert(ws_log_time_valid("2024-02-29T12:00:00Z", 20));
	ck_assert(!ws_log_time_valid("2023-02-29T12:00:00Z", 20));
	ck_assert(!ws_log_time_valid("1900-02-28T12:00:00Z", 20));
	ck_assert(!ws_log_time_valid("2024-13-01T12:00:00Z", 20));
	ck_assert(!ws_log_time_valid("2024-12-01T24:00:00Z", 20));
	ck_assert(!ws_log_time_valid("2024-12-01T23:59:60Z", 20));
	ck_assert(!ws_log_time_valid("2024-12-01T23:59:59z", 20));
}
END_TEST

/* ---- reader ---- */

static char tmpdir[64];
static char path[256];

static void
reader_setup(void)
{
	/* A fresh template each time: without forking (CK_FORK=no) setups run in one process. */
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test-logline-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	snprintf(path, sizeof(path), "%s/log", tmpdir);
}

static void
reader_teardown(void)
{
	unlink(path);
	rmdir(tmpdir);
}

static void
write_file(const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(data, 1, len, f), len);
	fclose(f);
}

START_TEST(test_reader_lines_and_eof)
{
	struct ws_log_reader *r = NULL;
	const uint8_t *line;
	size_t len;

	write_file("one\ntwo\n\nfour\n", 14);
	ck_assert_ws_ok(ws_log_reader_open(path, &r));
	ck_assert_ws_ok(ws_log_reader_next(r, &line, &len));
	ck_assert_uint_eq(len, 3);
	ck_assert_mem_eq(line, "one", 3);
	ck_assert_ws_ok(ws_log_reader_next(r, &line, &len));
	ck_assert_mem_eq(line, "two", 3);
	ck_assert_ws_ok(ws_log_reader_next(r, &line, &len));
	ck_assert_uint_eq(len, 0);
	ck_assert_ws_ok(ws_log_reader_next(r, &line, &len));
	ck_assert_mem_eq(line, "four", 4);
	ck_assert_ws_ok(ws_log_reader_next(r, &line, &len));
	ck_assert_ptr_null(line);
	ck_assert_uint_eq(ws_log_reader_offset(r), 14);
	ck_assert_uint_eq(ws_log_reader_lines(r), 4);
	ws_log_reader_free(r);
}
END_TEST

START_TEST(test_reader_partial_last_line)
{
	struct ws_log_reader *r = NULL;
	const uint8_t *line;
	size_t len;

	write_file("one\ntw", 6);
	ck_assert_ws_ok(ws_log_reader_open(path, &r));
	ck_assert_ws_ok(ws_log_reader_next(r, &line, &len));
	ck_assert_ws(ws_log_reader_next(r, &line, &len), WS_ERR_TRUNCATED);
	ck_assert_str_eq(ws_err_detail(), "incomplete last line (2 bytes without a newline at offset 4)");
	ck_assert_uint_eq(ws_log_reader_offset(r), 4);
	ck_assert_uint_eq(ws_log_reader_partial(r), 2);
	ws_log_reader_free(r);
}
END_TEST

START_TEST(test_reader_line_limit)
{
	size_t big = WS_LOG_LINE_MAX + 1;
	struct ws_log_reader *r = NULL;
	const uint8_t *line;
	uint8_t *data;
	size_t len;

	/* A line of exactly the limit is fine; one byte more is not. */
	ck_assert_ptr_nonnull(data = malloc(2 * big + 2));
	memset(data, 'x', 2 * big + 2);
	data[WS_LOG_LINE_MAX] = '\n';
	data[2 * big + 1] = '\n';
	write_file(data, 2 * big + 2);
	ck_assert_ws_ok(ws_log_reader_open(path, &r));
	ck_assert_ws_ok(ws_log_reader_next(r, &line, &len));
	ck_assert_uint_eq(len, WS_LOG_LINE_MAX);
	ck_assert_ws(ws_log_reader_next(r, &line, &len), WS_ERR_LIMIT);
	ck_assert_str_eq(ws_err_detail(), "line 2 is longer than 1048576 bytes");
	ws_log_reader_free(r);
	free(data);
}
END_TEST

START_TEST(test_reader_many_lines_across_windows)
{
	struct ws_log_reader *r = NULL;
	const uint8_t *line;
	size_t len, i, n = 0;
	FILE *f = fopen(path, "wb");
	char want[64];
	ws_err err;

	ck_assert_ptr_nonnull(f);
	for (i = 0; i < 300000; i++)
		fprintf(f, "line %zu\n", i);
	fclose(f);
	ck_assert_ws_ok(ws_log_reader_open(path, &r));
	/* One assertion at the end: Check's per-assertion bookkeeping is slow in a hot loop. */
	for (;;) {
		if ((err = ws_log_reader_next(r, &line, &len)) != WS_OK || line == NULL)
			break;
		snprintf(want, sizeof(want), "line %zu", n);
		if (len != strlen(want) || memcmp(line, want, len) != 0)
			break;
		n++;
	}
	ck_assert_ws_ok(err);
	ck_assert_ptr_null(line);
	ck_assert_uint_eq(n, 300000);
	ws_log_reader_free(r);
}
END_TEST

/* ---- the two-thread block reader: same contract, plus leaf hashes ---- */

START_TEST(test_blocks_lines_leaves_and_partial)
{
	struct ws_log_blocks *b = NULL;
	const uint8_t *line, *leaf, *chain;
	ws_merkle_hash want;
	size_t len;

	write_file("one\ntwo\n\nfo", 11);
	ck_assert_ws_ok(ws_log_blocks_open(path, &b));
	ck_assert_ws_ok(ws_log_blocks_next(b, &line, &len, &leaf, &chain));
	ck_assert_uint_eq(len, 3);
	ck_assert_mem_eq(line, "one", 3);
	ws_merkle_leaf_hash("one", 3, want);
	ck_assert_mem_eq(leaf, want, sizeof(want));
	ws_sha256("one", 3, want);
	ck_assert_mem_eq(chain, want, sizeof(want));
	ck_assert_ws_ok(ws_log_blocks_next(b, &line, &len, &leaf, &chain));
	ck_assert_ws_ok(ws_log_blocks_next(b, &line, &len, &leaf, &chain));
	ck_assert_uint_eq(len, 0);
	ck_assert_ws(ws_log_blocks_next(b, &line, &len, &leaf, &chain), WS_ERR_TRUNCATED);
	ck_assert_str_eq(ws_err_detail(), "incomplete last line (2 bytes without a newline at offset 9)");
	ck_assert_uint_eq(ws_log_blocks_partial(b), 2);
	ck_assert_ws(ws_log_blocks_next(b, &line, &len, &leaf, &chain), WS_ERR_TRUNCATED);	/* sticky */
	ws_log_blocks_free(b);
}
END_TEST

START_TEST(test_blocks_many_lines_and_limit)
{
	struct ws_log_blocks *b = NULL;
	const uint8_t *line, *leaf, *chain;
	ws_merkle_hash want;
	size_t len, i, n = 0, bad = 0;
	FILE *f = fopen(path, "wb");
	char text[64];
	ws_err err;

	/* More lines than two blocks hold, then a line over the limit. */
	ck_assert_ptr_nonnull(f);
	for (i = 0; i < 3 * WS_LOG_BLOCK_LINES + 5; i++)
		fprintf(f, "line %zu\n", i);
	for (i = 0; i < WS_LOG_LINE_MAX + 1; i++)
		fputc('x', f);
	fputc('\n', f);
	fclose(f);
	ck_assert_ws_ok(ws_log_blocks_open(path, &b));
	while ((err = ws_log_blocks_next(b, &line, &len, &leaf, &chain)) == WS_OK && line != NULL) {
		snprintf(text, sizeof(text), "line %zu", n++);
		ws_merkle_leaf_hash(text, strlen(text), want);
		bad += len != strlen(text) || memcmp(line, text, len) != 0 || memcmp(leaf, want, sizeof(want)) != 0;
	}
	ck_assert_uint_eq(bad, 0);
	ck_assert_uint_eq(n, 3 * WS_LOG_BLOCK_LINES + 5);
	ck_assert_ws(err, WS_ERR_LIMIT);
	ws_log_blocks_free(b);
}
END_TEST

START_TEST(test_blocks_free_early)
{
	struct ws_log_blocks *b = NULL;
	const uint8_t *line, *leaf, *chain;
	size_t len, i;
	FILE *f = fopen(path, "wb");

	/* The thread fills both blocks and waits; freeing must stop it. */
	ck_assert_ptr_nonnull(f);
	for (i = 0; i < 4 * WS_LOG_BLOCK_LINES; i++)
		fprintf(f, "%zu\n", i);
	fclose(f);
	ck_assert_ws_ok(ws_log_blocks_open(path, &b));
	ck_assert_ws_ok(ws_log_blocks_next(b, &line, &len, &leaf, &chain));
	usleep(100000);
	ws_log_blocks_free(b);
	ck_assert_ws(ws_log_blocks_open("/nonexistent/log", &b), WS_ERR_SYSTEM);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("logline");
	TCase *tc = tcase_create("canonical");

	tcase_add_test(tc, test_scan_good_line);
	tcase_add_test(tc, test_accepts_canonical_values);
	tcase_add_test(tc, test_refuses_whitespace);
	tcase_add_test(tc, test_refuses_unsorted_and_duplicate_keys);
	tcase_add_test(tc, test_refuses_numbers);
	tcase_add_test(tc, test_refuses_escapes);
	tcase_add_test(tc, test_refuses_raw_controls_and_bad_utf8);
	tcase_add_test(tc, test_refuses_depth);
	tcase_add_test(tc, test_scan_requires_log_members);
	tcase_add_test(tc, test_time_validity);
	suite_add_tcase(s, tc);
	tc = tcase_create("reader");
	tcase_add_checked_fixture(tc, reader_setup, reader_teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_reader_lines_and_eof);
	tcase_add_test(tc, test_reader_partial_last_line);
	tcase_add_test(tc, test_reader_line_limit);
	tcase_add_test(tc, test_reader_many_lines_across_windows);
	tcase_add_test(tc, test_blocks_lines_leaves_and_partial);
	tcase_add_test(tc, test_blocks_many_lines_and_limit);
	tcase_add_test(tc, test_blocks_free_early);
	suite_add_tcase(s, tc);
	return ws_test_run(s);
}
