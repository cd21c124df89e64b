/* test-json.c -- strict parsing and canonical encoding. */
#include "config.h"

#include <string.h>

#include "ws_cjson.h"
#include "ws_json.h"
#include "test_common.h"

static ws_err
parse(const char *text, json_t **out)
{
	return ws_json_parse((const uint8_t *)text, strlen(text), WS_JSON_DEPTH_DEFAULT, out);
}

/* Parses text and returns its encoding under flags in a static buffer. */
static const char *
encode(const char *text, unsigned flags)
{
	static char result[4096];
	struct ws_buf b = WS_BUF_INIT(sizeof(result) - 1);
	json_t *v = NULL;

	ck_assert_ws_ok(parse(text, &v));
	ck_assert_ws_ok(ws_cjson_encode(v, flags, &b));
	memcpy(result, b.data, b.len);
	result[b.len] = '\0';
	ws_buf_free(&b);
	json_decref(v);
	return result;
}

START_TEST(test_sorted_compact)
{
	ck_assert_str_eq(encode("{ \"b\": 1, \"a\": [true, false, null, -5], \"B\": {\"z\":\"\", \"y\":{}} }", 0),
	    "{\"B\":{\"y\":{},\"z\":\"\"},\"a\":[true,false,null,-5],\"b\":1}");
}
END_TEST

START_TEST(test_sort_is_by_bytes)
{
	/* "é" (0xC3 0xA9) sorts after "z"; a prefix sorts first. */
	ck_assert_str_eq(encode("{\"\xc3\xa9\":1,\"z\":2,\"ab\":3,\"a\":4}", 0),
	    "{\"a\":4,\"ab\":3,\"z\":2,\"\xc3\xa9\":1}");
}
END_TEST

START_TEST(test_canonical_escapes_only_quote_and_backslash)
{
	ck_assert_str_eq(encode("[\"a\\\"b\\\\c\\nd\\u0001\\/\"]", WS_CJSON_CANONICAL),
	    "[\"a\\\"b\\\\c\nd\x01/\"]");
}
END_TEST

START_TEST(test_valid_json_escapes_controls)
{
	ck_assert_str_eq(encode("[\"a\\\"b\\\\c\\nd\\u0001\\t\"]", WS_CJSON_VALID_JSON),
	    "[\"a\\\"b\\\\c\\nd\\u0001\\t\"]");
	/* Non-ASCII passes through as UTF-8 in both forms. */
	ck_assert_str_eq(encode("[\"\\u00e9\"]", WS_CJSON_VALID_JSON), "[\"\xc3\xa9\"]");
}
END_TEST

START_TEST(test_printable_ascii_refuses_others)
{
	struct ws_buf b = WS_BUF_INIT(1024);
	json_t *v = NULL;

	ck_assert_ws_ok(parse("{\"k\":{\"name\":\"caf\\u00e9\"}}", &v));
	ck_assert_ws(ws_cjson_encode(v, WS_CJSON_PRINTABLE_ASCII, &b), WS_ERR_JSON_NOT_ASCII);
	ck_assert_str_eq(ws_err_detail(), "k: name: byte 0xc3 at offset 3 of \"caf\xc3\xa9\"");
	ck_assert_uint_eq(b.len, 0);
	json_decref(v);
	ws_buf_free(&b);
}
END_TEST

START_TEST(test_refuses_float)
{
	json_t *v = NULL;

	ck_assert_ws(parse("{\"a\":1.5}", &v), WS_ERR_JSON_FLOAT);
	ck_assert_ws(parse("[1e3]", &v), WS_ERR_JSON_FLOAT);
	ck_assert_ws(parse("[99999999999999999999]", &v), WS_ERR_JSON_FLOAT);
	ck_assert_ptr_null(v);
}
END_TEST

START_TEST(test_refuses_duplicate_key)
{
	json_t *v = NULL;

	ck_assert_ws(parse("{\"a\":1,\"b\":{\"x\":1,\"x\":2}}", &v), WS_ERR_JSON_DUPLICATE_KEY);
	ck_assert_msg(strstr(ws_err_detail(), "duplicate object key") != NULL, "%s", ws_err_detail());
}
END_TEST

START_TEST(test_refuses_bad_utf8_and_nul)
{
	json_t *v = NULL;

	ck_assert_ws(parse("[\"\xc3\x28\"]", &v), WS_ERR_JSON_UTF8);
	ck_assert_ws(parse("[\"a\\u0000b\"]", &v), WS_ERR_JSON_UTF8);
	/* A raw NUL after a number (jansson 2.14 would drop it silently). */
	ck_assert_ws(ws_json_parse((const uint8_t *)"{\"a\":0\0,\"b\":1}", 14, 8, &v), WS_ERR_JSON_UTF8);
	ck_assert_str_eq(ws_err_detail(), "NUL byte at offset 6");
	ck_assert_ptr_null(v);
}
END_TEST

START_TEST(test_refuses_depth)
{
	char deep[200];
	json_t *v = NULL;

	memset(deep, '[', 33);
	memset(deep + 33, ']', 33);
	deep[66] = '\0';
	ck_assert_ws(parse(deep, &v), WS_ERR_JSON_DEPTH);
	ck_assert_str_eq(ws_err_detail(), "more than 32 levels of nesting");
	deep[32] = ']';
	memmove(deep + 32, deep + 33, 34);
	deep[64] = '\0';
	ck_assert_ws_ok(parse(deep, &v));
	json_decref(v);
}
END_TEST

START_TEST(test_refuses_syntax_and_trailing)
{
	json_t *v = NULL;

	ck_assert_ws(parse("{\"a\":1} x", &v), WS_ERR_JSON_SYNTAX);
	ck_assert_str_eq(ws_err_detail(), "line 1, column 9 (byte 9): end of file expected near 'x'");
	ck_assert_ws(parse("{\"a\":", &v), WS_ERR_JSON_SYNTAX);
	ck_assert_ws(parse("", &v), WS_ERR_JSON_SYNTAX);
}
END_TEST

START_TEST(test_getters)
{
	json_t *v = NULL, *o = NULL;
	const char *s = NULL;
	int64_t n = 0;
	bool flag = false;
	static const char *const allowed[] = { "op", "id", "args", NULL };

	ck_assert_ws_ok(parse("{\"op\":\"status\",\"id\":\"r1\",\"args\":{\"n\":7,\"p\":true}}", &v));
	ck_assert_ws_ok(ws_json_get_str(v, NULL, "op", &s));
	ck_assert_str_eq(s, "status");
	ck_assert_ws_ok(ws_json_get_obj(v, NULL, "args", &o));
	ck_assert_ws_ok(ws_json_get_int(o, "args", "n", &n));
	ck_assert_int_eq(n, 7);
	ck_assert_ws_ok(ws_json_get_bool_opt(o, "args", "p", &flag));
	ck_assert(flag);
	ck_assert_ws(ws_json_get_str(o, "args", "n", &s), WS_ERR_JSON_TYPE);
	ck_assert_str_eq(ws_err_detail(), "args.n: expected a string, got an integer");
	ck_assert_ws(ws_json_get_str(o, "args", "csr", &s), WS_ERR_JSON_MISSING);
	ck_assert_str_eq(ws_err_detail(), "args.csr is required");
	s = "unchanged";
	ck_assert_ws_ok(ws_json_get_str_opt(o, "args", "csr", &s));
	ck_assert_str_eq(s, "unchanged");
	ck_assert_ws_ok(ws_json_only_members(v, "request", allowed));
	ck_assert_ws(ws_json_only_members(o, "args", allowed), WS_ERR_REQUEST);
	ck_assert_str_eq(ws_err_detail(), "args: unknown member 'n' (allowed: op, id, args)");
	json_decref(v);
}
END_TEST

START_TEST(test_encode_bounded)
{
	struct ws_buf b = WS_BUF_INIT(5);
	json_t *v = NULL;

	ck_assert_ws_ok(parse("[\"abcdef\"]", &v));
	ck_assert_ws(ws_cjson_encode(v, 0, &b), WS_ERR_LIMIT);
	ck_assert_uint_eq(b.len, 0);
	json_decref(v);
	ws_buf_free(&b);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("json");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_sorted_compact);
	tcase_add_test(tc, test_sort_is_by_bytes);
	tcase_add_test(tc, test_canonical_escapes_only_quote_and_backslash);
	tcase_add_test(tc, test_valid_json_escapes_controls);
	tcase_add_test(tc, test_printable_ascii_refuses_others);
	tcase_add_test(tc, test_refuses_float);
	tcase_add_test(tc, test_refuses_duplicate_key);
	tcase_add_test(tc, test_refuses_bad_utf8_and_nul);
	tcase_add_test(tc, test_refuses_depth);
	tcase_add_test(tc, test_refuses_syntax_and_trailing);
	tcase_add_test(tc, test_getters);
	tcase_add_test(tc, test_encode_bounded);
	suite_add_tcase(s, tc);
	return ws_test_run(s);
}
