/* test-err.c -- the error enum, codes and per-thread detail. */
#include "config.h"

#include <errno.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/err.h>
#include <p11-kit/pkcs11.h>

#include "test_common.h"

START_TEST(test_ok_is_zero_failures_negative)
{
	ck_assert_int_eq(WS_OK, 0);
	ck_assert_int_lt(WS_ERR_INTERNAL, 0);
	ck_assert_int_lt(WS_ERR_CHECKPOINT, WS_ERR_INTERNAL);
}
END_TEST

START_TEST(test_code_round_trip)
{
	ck_assert_str_eq(ws_err_code(WS_ERR_POLICY_DENIED), "policy-denied");
	ck_assert_int_eq(ws_err_from_code("policy-denied"), WS_ERR_POLICY_DENIED);
	ck_assert_int_eq(ws_err_from_code("frame-too-large"), WS_ERR_FRAME_TOO_LARGE);
	ck_assert_int_eq(ws_err_from_code("no-such-code"), WS_ERR_INTERNAL);
	ck_assert_str_eq(ws_strerror(-100000), "unknown error");
	ck_assert_str_eq(ws_err_code(5), "internal");
}
END_TEST

START_TEST(test_codes_unique)
{
	for (int i = 0; i < WS_ERR_COUNT; i++)
		for (int j = i + 1; j < WS_ERR_COUNT; j++)
			ck_assert_str_ne(ws_err_code(-i), ws_err_code(-j));
}
END_TEST

START_TEST(test_detail_and_message)
{
	ck_assert_int_eq(ws_err_set(WS_ERR_LIMIT, "frame of %d bytes", 7), WS_ERR_LIMIT);
	ck_assert_str_eq(ws_err_detail(), "frame of 7 bytes");
	ck_assert_str_eq(ws_err_message(WS_ERR_LIMIT), "input exceeds a size limit: frame of 7 bytes");
	ws_err_prefix("request %s", "r1");
	ck_assert_str_eq(ws_err_detail(), "request r1: frame of 7 bytes");
	ws_err_set(WS_ERR_LIMIT, NULL);
	ck_assert_str_eq(ws_err_message(WS_ERR_LIMIT), "input exceeds a size limit");
}
END_TEST

START_TEST(test_errno)
{
	errno = ENOENT;
	ck_assert_int_eq(ws_err_errno("open %s", "/x"), WS_ERR_SYSTEM);
	ck_assert_str_eq(ws_err_detail(), "open /x: No such file or directory");
}
END_TEST

START_TEST(test_ckr)
{
	ck_assert_int_eq(ws_err_ckr(WS_ERR_TOKEN_LOGIN, CKR_PIN_INCORRECT, "C_Login"), WS_ERR_TOKEN_LOGIN);
	ck_assert_str_eq(ws_err_detail(), "C_Login: CKR_PIN_INCORRECT");
	ck_assert_str_eq(ws_ckr_name(0x12345678UL), "CKR_0x12345678");
}
END_TEST

START_TEST(test_crypto_drains_queue)
{
	/* An unknown digest name puts an error on the OpenSSL queue. */
	EVP_MD *md = EVP_MD_fetch(NULL, "NO-SUCH-DIGEST", NULL);

	ck_assert_ptr_null(md);
	ck_assert_int_eq(ws_err_crypto(WS_ERR_CRYPTO, "fetch"), WS_ERR_CRYPTO);
	ck_assert_msg(strncmp(ws_err_detail(), "fetch: error:", 13) == 0, "detail: %s", ws_err_detail());
	ck_assert_uint_eq(ERR_peek_error(), 0);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("err");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_ok_is_zero_failures_negative);
	tcase_add_test(tc, test_code_round_trip);
	tcase_add_test(tc, test_codes_unique);
	tcase_add_test(tc, test_detail_and_message);
	tcase_add_test(tc, test_errno);
	tcase_add_test(tc, test_ckr);
	tcase_add_test(tc, test_crypto_drains_queue);
	suite_add_tcase(s, tc);
	return ws_test_run(s);
}
