/* test-buf.c -- bounded buffers and readers. */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ws_buf.h"
#include "test_common.h"

START_TEST(test_put_within_max)
{
	struct ws_buf b = WS_BUF_INIT(8);
	const char *s;

	ck_assert_ws_ok(ws_buf_put_str(&b, "abcd"));
	ck_assert_ws_ok(ws_buf_put_be32(&b, 0x01020304));
	ck_assert_uint_eq(b.len, 8);
	ck_assert_ws(ws_buf_put_u8(&b, 1), WS_ERR_LIMIT);
	ck_assert_uint_eq(b.len, 8);
	ck_assert_ws_ok(ws_buf_cstr(&b, &s));
	ck_assert_int_eq(memcmp(s, "abcd\x01\x02\x03\x04", 8), 0);
	ws_buf_free(&b);
}
END_TEST

START_TEST(test_overflow_size_refused)
{
	struct ws_buf b = WS_BUF_INIT(16);

	ck_assert_ws_ok(ws_buf_put_str(&b, "x"));
	ck_assert_ws(ws_buf_reserve(&b, SIZE_MAX), WS_ERR_LIMIT);
	ck_assert_ws(ws_buf_reserve(&b, SIZE_MAX - 1), WS_ERR_LIMIT);
	ws_buf_free(&b);
}
END_TEST

START_TEST(test_printf)
{
	struct ws_buf b = WS_BUF_INIT(64);
	const char *s;

	ck_assert_ws_ok(ws_buf_printf(&b, "%s-%d", "wave", 42));
	ck_assert_ws_ok(ws_buf_cstr(&b, &s));
	ck_assert_str_eq(s, "wave-42");
	ck_assert_ws(ws_buf_printf(&b, "%0100d", 1), WS_ERR_LIMIT);
	ck_assert_uint_eq(b.len, 7);
	ws_buf_free(&b);
}
END_TEST

START_TEST(test_reader_moves_only_on_success)
{
	const uint8_t data[] = { 0xAB, 0x00, 0x10, 0x00, 0x00, 0x00 };
	struct ws_reader r;
	uint8_t u8;
	uint16_t u16;
	uint32_t u32;

	ws_reader_init(&r, data, sizeof(data));
	ck_assert_ws_ok(ws_reader_get_u8(&r, &u8));
	ck_assert_uint_eq(u8, 0xAB);
	ck_assert_ws_ok(ws_reader_get_be16(&r, &u16));
	ck_assert_uint_eq(u16, 0x0010);
	ck_assert_ws(ws_reader_get_be32(&r, &u32), WS_ERR_TRUNCATED);
	ck_assert_uint_eq(r.off, 3);
	ck_assert_uint_eq(ws_reader_left(&r), 3);
	ck_assert_ws(ws_reader_skip(&r, SIZE_MAX), WS_ERR_TRUNCATED);
	ck_assert_ws_ok(ws_reader_skip(&r, 3));
	ck_assert_uint_eq(ws_reader_left(&r), 0);
}
END_TEST

START_TEST(test_read_file_limit)
{
	char path[] = "/tmp/ws-test-buf-XXXXXX";
	struct ws_buf b = WS_BUF_INIT(1 << 20);
	int fd = mkstemp(path);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, "0123456789", 10), 10);
	close(fd);
	ck_assert_ws_ok(ws_buf_read_file(&b, path, 10));
	ck_assert_uint_eq(b.len, 10);
	ck_assert_ws(ws_buf_read_file(&b, path, 9), WS_ERR_LIMIT);
	ck_assert_ws(ws_buf_read_file(&b, "/nonexistent/x", 9), WS_ERR_SYSTEM);
	ck_assert_str_eq(ws_err_detail(), "/nonexistent/x: No such file or directory");
	ck_assert_ws(ws_buf_read_file(&b, "/tmp", 9), WS_ERR_IO);
	unlink(path);
	ws_buf_free(&b);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("buf");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_put_within_max);
	tcase_add_test(tc, test_overflow_size_refused);
	tcase_add_test(tc, test_printf);
	tcase_add_test(tc, test_reader_moves_only_on_success);
	tcase_add_test(tc, test_read_file_limit);
	suite_add_tcase(s, tc);
	return ws_test_run(s);
}
