/* test-ci-targets.c -- selecting one build's targets from a CI targets file. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ws_buf.h"
#include "ws_ci_targets.h"
#include "ws_cjson.h"
#include "ws_json.h"
#include "test_common.h"

/* A small signed CI file: versions 41 and 42, two hardware ids each. */
#define T(name, hw, ver, tags, extra) \
	"\"" name "-" ver "\":{\"hashes\":{\"sha256\":\"" \
	"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"},\"length\":0," \
	"\"custom\":{\"name\":\"" name "\",\"version\":\"" ver "\",\"hardwareIds\":[\"" hw "\"]," \
	"\"targetFormat\":\"OSTREE\",\"tags\":" tags extra "}}"

static const char small_signed[] =
	"{\"signatures\":[{\"keyid\":\"k\",\"method\":\"ed25519\",\"sig\":\"x\"}],"
	"\"signed\":{\"_type\":\"Targets\",\"expires\":\"2030-01-01T00:00:00Z\",\"targets\":{"
	T("rpi4-lmp", "rpi4", "41", "[\"main\"]", "") ","
	T("rpi4-lmp", "rpi4", "42", "[\"main\"]", ",\"lmp-ver\":\"4.0.11\"") ","
	T("imx8-lmp", "imx8", "41", "[\"main\",\"devel\"]", "") ","
	T("imx8-lmp", "imx8", "42", "[\"main\",\"devel\"]", "")
	"},\"version\":42}}";

static ws_err
select_str(const char *text, const char *version, const char *tag, json_t **out)
{
	return ws_ci_targets_select((const uint8_t *)text, strlen(text), version, tag, out);
}

/* The names in a selection, sorted, comma-joined, in a static buffer. */
static const char *
names_of(const json_t *sel)
{
	static char buf[4096];
	const char *names[256];
	const char *key;
	json_t *v;
	size_t n = 0;

	json_object_foreach((json_t *)sel, key, v)
		names[n++] = key;
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && strcmp(names[j - 1], names[j]) > 0; j--) {
			const char *t = names[j];
			names[j] = names[j - 1];
			names[j - 1] = t;
		}
	buf[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		if (i > 0)
			strcat(buf, ",");
		strcat(buf, names[i]);
	}
	return buf;
}

static char *
canon(const json_t *v)
{
	struct ws_buf b = WS_BUF_INIT(1 << 26);
	uint8_t *data = NULL;
	size_t len;

	ck_assert_ws_ok(ws_cjson_encode(v, WS_CJSON_CANONICAL, &b));
	ck_assert_ws_ok(ws_buf_steal(&b, &data, &len));
	return (char *)data;
}

/*
 * The refusal must be a JSON-validity code that ws_json_parse() gives too
 * (the scanner is no laxer and no stricter than the tree parser).
 */
static void
assert_refused(const char *text, ws_err code, const char *detail)
{
	json_t *sel = NULL, *tree = NULL;

	ck_assert_ws(select_str(text, "42", NULL, &sel), code);
	ck_assert_ptr_null(sel);
	if (detail != NULL)
		ck_assert_str_eq(ws_err_detail(), detail);
	if (code == WS_ERR_JSON_SYNTAX || code == WS_ERR_JSON_DUPLICATE_KEY || code == WS_ERR_JSON_FLOAT ||
	    code == WS_ERR_JSON_UTF8 || code == WS_ERR_JSON_DEPTH) {
		ck_assert_msg(ws_json_parse((const uint8_t *)text, strlen(text), WS_JSON_DEPTH_DEFAULT, &tree) != WS_OK,
		    "ws_json_parse accepts what the scanner refused: %s", text);
	}
}

START_TEST(test_select_signed)
{
	json_t *sel = NULL;

	ck_assert_ws_ok(select_str(small_signed, "42", NULL, &sel));
	ck_assert_str_eq(names_of(sel), "imx8-lmp-42,rpi4-lmp-42");
	json_decref(sel);
	ck_assert_ws_ok(select_str(small_signed, "41", NULL, &sel));
	ck_assert_str_eq(names_of(sel), "imx8-lmp-41,rpi4-lmp-41");
	json_decref(sel);
}
END_TEST

START_TEST(test_select_unsigned_forms)
{
	static const char body[] = "{\"_type\":\"Targets\",\"expires\":\"2030-01-01T00:00:00Z\",\"targets\":{"
	    T("rpi4-lmp", "rpi4", "42", "[\"main\"]", "") "},\"version\":1}";
	static const char bare[] = " {\n \"targets\" : {\n "
	    T("rpi4-lmp", "rpi4", "42", "[\"main\"]", "") " } }\n";
	json_t *sel = NULL;

	ck_assert_ws_ok(select_str(body, "42", NULL, &sel));
	ck_assert_str_eq(names_of(sel), "rpi4-lmp-42");
	json_decref(sel);
	ck_assert_ws_ok(select_str(bare, "42", NULL, &sel));
	ck_assert_str_eq(names_of(sel), "rpi4-lmp-42");
	json_decref(sel);
}
END_TEST

START_TEST(test_custom_preserved_canonically)
{
	/* Unknown custom members, nesting, escapes and non-ASCII survive. */
	static const char text[] = "{\"signed\":{\"targets\":{"
	    "\"a-lmp-42\":{\"length\":0,\"hashes\":{\"sha256\":\"ab\"},\"custom\":{\"zeta\":{\"deep\":[1,-2,"
	    "{\"x\":null,\"y\":true}]},\"version\":\"42\",\"name\":\"a-lmp\",\"note\":\"tab\\there \\u00e9 "
	    "\\ud83d\\ude00 \\\"q\\\" \\/\",\"tags\":[\"main\"],\"docker_compose_apps\":{\"app\":{\"uri\":"
	    "\"hub/x@sha256:1\"}},\"createdAt\":\"2021-03-23T10:00:00Z\",\"big\":9223372036854775807,"
	    "\"small\":-9223372036854775808}},"
	    "\"b-lmp-41\":{\"custom\":{\"version\":\"41\"}}}}}";
	json_t *sel = NULL, *tree = NULL, *want;
	char *got_c, *want_c;

	ck_assert_ws_ok(select_str(text, "42", NULL, &sel));
	ck_assert_ws_ok(ws_json_parse((const uint8_t *)text, strlen(text), WS_JSON_DEPTH_DEFAULT, &tree));
	want = json_object_get(json_object_get(json_object_get(tree, "signed"), "targets"), "a-lmp-42");
	ck_assert_uint_eq(json_object_size(sel), 1);
	got_c = canon(json_object_get(sel, "a-lmp-42"));
	want_c = canon(want);
	ck_assert_str_eq(got_c, want_c);
	ck_assert_str_eq(got_c, "{\"custom\":{\"big\":9223372036854775807,\"createdAt\":\"2021-03-23T10:00:00Z\","
	    "\"docker_compose_apps\":{\"app\":{\"uri\":\"hub/x@sha256:1\"}},\"name\":\"a-lmp\",\"note\":"
	    "\"tab\there \xc3\xa9 \xf0\x9f\x98\x80 \\\"q\\\" /\",\"small\":-9223372036854775808,\"tags\":[\"main\"],"
	    "\"version\":\"42\",\"zeta\":{\"deep\":[1,-2,{\"x\":null,\"y\":true}]}},\"hashes\":{\"sha256\":\"ab\"},"
	    "\"length\":0}");
	free(got_c);
	free(want_c);
	json_decref(sel);
	json_decref(tree);
}
END_TEST

START_TEST(test_source_tag_filter)
{
	json_t *sel = NULL;

	ck_assert_ws_ok(select_str(small_signed, "42", "devel", &sel));
	ck_assert_str_eq(names_of(sel), "imx8-lmp-42");
	json_decref(sel);
	ck_assert_ws_ok(select_str(small_signed, "42", "main", &sel));
	ck_assert_str_eq(names_of(sel), "imx8-lmp-42,rpi4-lmp-42");
	json_decref(sel);
}
END_TEST

START_TEST(test_version_compared_exactly)
{
	static const char text[] = "{\"targets\":{"
	    "\"a-042\":{\"custom\":{\"version\":\"042\"}},"
	    "\"b-42\":{\"custom\":{\"version\":\"\\u0034\\u0032\"}},"
	    "\"c-420\":{\"custom\":{\"version\":\"420\"}},"
	    "\"d\":{\"custom\":{\"name\":\"no version\"}},"
	    "\"e\":{\"hashes\":{}}}}";
	json_t *sel = NULL;

	ck_assert_ws_ok(select_str(text, "42", NULL, &sel));
	ck_assert_str_eq(names_of(sel), "b-42");
	json_decref(sel);
}
END_TEST

START_TEST(test_no_target_of_version)
{
	json_t *sel = NULL;

	ck_assert_ws(select_str(small_signed, "45", NULL, &sel), WS_ERR_WAVE_NO_TARGETS);
	ck_assert_str_eq(ws_err_detail(), "none of the 4 targets in the CI targets file has custom.version \"45\"");
	ck_assert_ws(select_str(small_signed, "41", "beta", &sel), WS_ERR_WAVE_NO_TARGETS);
	ck_assert_str_eq(ws_err_detail(), "2 targets of the 4 in the CI targets file have custom.version \"41\" "
	    "but none carries the source tag \"beta\"");
	ck_assert_ptr_null(sel);
}
END_TEST

START_TEST(test_bad_arguments)
{
	json_t *sel = NULL;

	ck_assert_ws(select_str(small_signed, "4x", NULL, &sel), WS_ERR_INVALID_ARGUMENT);
	ck_assert_str_eq(ws_err_detail(), "the version must be 1 to 19 decimal digits, got \"4x\"");
	ck_assert_ws(select_str(small_signed, "", NULL, &sel), WS_ERR_INVALID_ARGUMENT);
	ck_assert_ws(select_str(small_signed, "12345678901234567890", NULL, &sel), WS_ERR_INVALID_ARGUMENT);
	ck_assert_ws(select_str(small_signed, "42", "", &sel), WS_ERR_INVALID_ARGUMENT);
	ck_assert_ptr_null(sel);
}
END_TEST

/* Every error in the parts that are skipped is still found, with its offset. */
START_TEST(test_syntax_error_in_skipped_target)
{
	assert_refused("{\"targets\":{\"a\":{\"custom\":{\"version\":\"41\"} \"x\":1}}}", WS_ERR_JSON_SYNTAX,
	    "line 1, column 44 (byte 43): expected ',' or '}' in an object");
}
END_TEST

START_TEST(test_syntax_error_position_multiline)
{
	assert_refused("{\n  \"targets\": {\n    \"a\": {\"length\": tru}\n  }\n}", WS_ERR_JSON_SYNTAX,
	    "line 3, column 21 (byte 37): invalid token (expected a JSON value)");
}
END_TEST

START_TEST(test_duplicate_key_in_skipped_target)
{
	assert_refused("{\"targets\":{\"a\":{\"custom\":{\"version\":\"41\",\"version\":\"42\"}}}}",
	    WS_ERR_JSON_DUPLICATE_KEY, "line 1, column 43 (byte 42): duplicate object key \"version\"");
}
END_TEST

START_TEST(test_duplicate_key_escaped)
{
	assert_refused("{\"targets\":{},\"t\\u0061rgets\":{}}", WS_ERR_JSON_DUPLICATE_KEY,
	    "line 1, column 15 (byte 14): duplicate object key \"t\\u0061rgets\"");
}
END_TEST

START_TEST(test_duplicate_target_name_in_big_map)
{
	/* More than 16 members: the hash index path. */
	struct ws_buf b = WS_BUF_INIT(1 << 20);
	const char *text;
	json_t *sel = NULL;

	ck_assert_ws_ok(ws_buf_put_str(&b, "{\"targets\":{"));
	for (int i = 0; i < 1000; i++)
		ck_assert_ws_ok(ws_buf_printf(&b, "\"t%d\":{},", i));
	ck_assert_ws_ok(ws_buf_put_str(&b, "\"t517\":{}}}"));
	ck_assert_ws_ok(ws_buf_cstr(&b, &text));
	ck_assert_ws(select_str(text, "42", NULL, &sel), WS_ERR_JSON_DUPLICATE_KEY);
	ck_assert_str_eq(ws_err_detail(), "line 1, column 9903 (byte 9902): duplicate object key \"t517\"");
	assert_refused(text, WS_ERR_JSON_DUPLICATE_KEY, NULL);
	ws_buf_free(&b);
}
END_TEST

START_TEST(test_nul_byte_refused)
{
	/* Not checked against ws_json_parse(): jansson 2.14 drops this NUL. */
	static const char text[] = "{\"targets\":{\"a\":{\"length\":0\0,\"x\":1}}}";
	json_t *sel = NULL;

	ck_assert_ws(ws_ci_targets_select((const uint8_t *)text, sizeof(text) - 1, "42", NULL, &sel),
	    WS_ERR_JSON_SYNTAX);
	ck_assert_str_eq(ws_err_detail(), "line 1, column 28 (byte 27): expected ',' or '}' in an object");
}
END_TEST

START_TEST(test_float_refused)
{
	assert_refused("{\"targets\":{\"a\":{\"length\":1.5}}}", WS_ERR_JSON_FLOAT,
	    "line 1, column 27 (byte 26): 1.5 is not an integer");
	assert_refused("{\"targets\":{\"a\":{\"length\":1e3}}}", WS_ERR_JSON_FLOAT, NULL);
	assert_refused("{\"targets\":{\"a\":{\"length\":9223372036854775808}}}", WS_ERR_JSON_FLOAT,
	    "line 1, column 27 (byte 26): 9223372036854775808 is outside the 64-bit integer range");
	assert_refused("{\"targets\":{\"a\":{\"length\":-9223372036854775809}}}", WS_ERR_JSON_FLOAT, NULL);
}
END_TEST

START_TEST(test_bad_numbers)
{
	assert_refused("{\"targets\":{\"a\":{\"length\":01}}}", WS_ERR_JSON_SYNTAX, NULL);
	assert_refused("{\"targets\":{\"a\":{\"length\":-}}}", WS_ERR_JSON_SYNTAX, NULL);
	assert_refused("{\"targets\":{\"a\":{\"length\":1.}}}", WS_ERR_JSON_SYNTAX, NULL);
	assert_refused("{\"targets\":{\"a\":{\"length\":+1}}}", WS_ERR_JSON_SYNTAX, NULL);
}
END_TEST

START_TEST(test_invalid_utf8_refused)
{
	assert_refused("{\"targets\":{\"a\":{\"x\":\"caf\xc3\x28\"}}}", WS_ERR_JSON_UTF8,
	    "line 1, column 26 (byte 25): invalid UTF-8 sequence 0xc3 0x28 in a string");
	assert_refused("{\"targets\":{\"a\":{\"x\":\"\xed\xa0\x80\"}}}", WS_ERR_JSON_UTF8, NULL);	/* surrogate */
	assert_refused("{\"targets\":{\"a\":{\"x\":\"\xc0\xaf\"}}}", WS_ERR_JSON_UTF8, NULL);	/* overlong */
	assert_refused("{\"targets\":{\"a\":{\"x\":\"\xf4\x90\x80\x80\"}}}", WS_ERR_JSON_UTF8, NULL);
	assert_refused("{\"targets\":{\"a\":{\"x\":\"\\u0000\"}}}", WS_ERR_JSON_UTF8,
	    "line 1, column 23 (byte 22): \\u0000 (NUL) is not allowed in a string");
	assert_refused("{\"targets\":{\"a\":{\"\xff\":1}}}", WS_ERR_JSON_UTF8, NULL);
}
END_TEST

START_TEST(test_bad_strings_refused)
{
	assert_refused("{\"targets\":{\"a\":{\"x\":\"\\ud800\"}}}", WS_ERR_JSON_SYNTAX,
	    "line 1, column 23 (byte 22): high surrogate \\uD800 not followed by a low surrogate");
	assert_refused("{\"targets\":{\"a\":{\"x\":\"\\udc00\"}}}", WS_ERR_JSON_SYNTAX, NULL);
	assert_refused("{\"targets\":{\"a\":{\"x\":\"\\q\"}}}", WS_ERR_JSON_SYNTAX,
	    "line 1, column 23 (byte 22): invalid escape '\\q' in a string");
	assert_refused("{\"targets\":{\"a\":{\"x\":\"\\u12g4\"}}}", WS_ERR_JSON_SYNTAX, NULL);
	assert_refused("{\"targets\":{\"a\":{\"x\":\"a\tb\"}}}", WS_ERR_JSON_SYNTAX,
	    "line 1, column 24 (byte 23): control character 0x09 in a string (it must be escaped)");
}
END_TEST

START_TEST(test_depth_refused)
{
	struct ws_buf b = WS_BUF_INIT(1 << 16);
	const char *text;
	json_t *sel = NULL;

	/* top(1) targets(2) target(3) custom(4) + 28 arrays = 32 levels: accepted. */
	ck_assert_ws_ok(ws_buf_put_str(&b, "{\"targets\":{\"a-42\":{\"custom\":{\"version\":\"42\",\"x\":"));
	for (int i = 0; i < 28; i++)
		ck_assert_ws_ok(ws_buf_put_u8(&b, '['));
	for (int i = 0; i < 28; i++)
		ck_assert_ws_ok(ws_buf_put_u8(&b, ']'));
	ck_assert_ws_ok(ws_buf_put_str(&b, "}}}}"));
	ck_assert_ws_ok(ws_buf_cstr(&b, &text));
	ck_assert_ws_ok(select_str(text, "42", NULL, &sel));
	json_decref(sel);
	/* One more level: refused, like ws_json_parse() refuses it. */
	ws_buf_reset(&b);
	ck_assert_ws_ok(ws_buf_put_str(&b, "{\"targets\":{\"a-42\":{\"custom\":{\"version\":\"42\",\"x\":"));
	for (int i = 0; i < 29; i++)
		ck_assert_ws_ok(ws_buf_put_u8(&b, '['));
	for (int i = 0; i < 29; i++)
		ck_assert_ws_ok(ws_buf_put_u8(&b, ']'));
	ck_assert_ws_ok(ws_buf_put_str(&b, "}}}}"));
	ck_assert_ws_ok(ws_buf_cstr(&b, &text));
	assert_refused(text, WS_ERR_JSON_DEPTH, "line 1, column 78 (byte 77): more than 32 levels of nesting");
	ws_buf_free(&b);
}
END_TEST

START_TEST(test_trailing_bytes_refused)
{
	assert_refused("{\"targets\":{}} {}", WS_ERR_JSON_SYNTAX,
	    "line 1, column 16 (byte 15): trailing bytes after the JSON value");
	assert_refused("", WS_ERR_JSON_SYNTAX, "line 1, column 1 (byte 0): unexpected end of input (expected a value)");
}
END_TEST

START_TEST(test_every_truncation_refused)
{
	size_t len = strlen(small_signed);
	json_t *sel = NULL;

	for (size_t cut = 0; cut < len; cut++) {
		ws_err r = ws_ci_targets_select((const uint8_t *)small_signed, cut, "42", NULL, &sel);

		ck_assert_msg(r == WS_ERR_JSON_SYNTAX, "cut at %zu: %s", cut, ws_err_message(r));
		ck_assert_ptr_null(sel);
	}
}
END_TEST

START_TEST(test_size_limit)
{
	json_t *sel = NULL;

	/* The length is refused before any byte is read. */
	ck_assert_ws(ws_ci_targets_select((const uint8_t *)"{}", WS_CI_TARGETS_INPUT_MAX + 1, "42", NULL, &sel),
	    WS_ERR_LIMIT);
	ck_assert_str_eq(ws_err_detail(), "the CI targets file is 536870913 bytes; at most 536870912 are accepted");
}
END_TEST

START_TEST(test_shape_refused)
{
	json_t *sel = NULL;

	ck_assert_ws(select_str("[1]", "42", NULL, &sel), WS_ERR_JSON_TYPE);
	ck_assert_str_eq(ws_err_detail(), "line 1, column 1 (byte 0): the top level: expected an object, got an array");
	ck_assert_ws(select_str("{\"signed\":[]}", "42", NULL, &sel), WS_ERR_JSON_TYPE);
	ck_assert_str_eq(ws_err_detail(), "line 1, column 11 (byte 10): signed: expected an object, got an array");
	ck_assert_ws(select_str("{\"targets\":{\"a\":\"x\"}}", "42", NULL, &sel), WS_ERR_JSON_TYPE);
	ck_assert_str_eq(ws_err_detail(), "line 1, column 17 (byte 16): targets.\"a\": expected an object, got a string");
	ck_assert_ws(select_str("{\"signed\":{\"targets\":{\"a\":{\"custom\":{\"version\":42}}}}}", "42", NULL, &sel),
	    WS_ERR_JSON_TYPE);
	ck_assert_str_eq(ws_err_detail(), "line 1, column 48 (byte 47): signed.targets.\"a\".custom.version: "
	    "expected a string, got a number");
	ck_assert_ws(select_str("{\"targets\":{\"a\":{\"custom\":{\"tags\":\"main\"}}}}", "42", NULL, &sel),
	    WS_ERR_JSON_TYPE);
	ck_assert_ws(select_str("{\"targets\":{\"a\":{\"custom\":{\"tags\":[1]}}}}", "42", NULL, &sel),
	    WS_ERR_JSON_TYPE);
	ck_assert_ws(select_str("{\"targets\":{\"a\":{\"custom\":[]}}}", "42", NULL, &sel), WS_ERR_JSON_TYPE);
	ck_assert_ws(select_str("{\"signatures\":[]}", "42", NULL, &sel), WS_ERR_JSON_MISSING);
	ck_assert_ws(select_str("{\"signed\":{\"version\":1}}", "42", NULL, &sel), WS_ERR_JSON_MISSING);
	ck_assert_str_eq(ws_err_detail(), "signed.targets is required (the file has a signed member without targets)");
	ck_assert_ws(select_str("{\"signed\":{\"targets\":{}},\"targets\":{}}", "42", NULL, &sel), WS_ERR_TUF);
	ck_assert_ptr_null(sel);
}
END_TEST

/* ---- the 100,000-target file, same shape as tests/bench/gen-ci-targets.py ---- */

static uint64_t
splitmix(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static void
put_hex(struct ws_buf *b, uint64_t *seed, int n)
{
	char hex[65];

	for (int i = 0; i < n; i += 16)
		snprintf(hex + i, sizeof(hex) - (size_t)i, "%016" PRIx64, splitmix(seed));
	ck_assert_ws_ok(ws_buf_put(b, hex, (size_t)n));
}

static void
gen_ci_targets(struct ws_buf *b, int builds, int hwids)
{
	uint64_t seed = 42;

	ck_assert_ws_ok(ws_buf_put_str(b, "{\"signatures\":[{\"keyid\":\"k\",\"method\":\"ed25519\",\"sig\":\"x\"}],"
	    "\"signed\":{\"_type\":\"Targets\",\"expires\":\"2031-01-01T00:00:00Z\",\"targets\":{"));
	for (int v = 1; v <= builds; v++) {
		for (int h = 0; h < hwids; h++) {
			ck_assert_ws_ok(ws_buf_printf(b, "%s\"imx8mm-%03d-lmp-%d\":{\"hashes\":{\"sha256\":\"",
			    v == 1 && h == 0 ? "" : ",", h, v));
			put_hex(b, &seed, 64);
			ck_assert_ws_ok(ws_buf_printf(b, "\"},\"length\":0,\"custom\":{\"name\":\"imx8mm-%03d-lmp\","
			    "\"version\":\"%d\",\"hardwareIds\":[\"imx8mm-%03d\"],\"targetFormat\":\"OSTREE\","
			    "\"uri\":\"https://ci.foundries.io/projects/acme/lmp/builds/%d\",\"tags\":[\"main\"%s],"
			    "\"docker_compose_apps\":{\"shellhttpd\":{\"uri\":\"hub.foundries.io/acme/shellhttpd@sha256:",
			    h, v, h, v, h % 2 ? ",\"devel\"" : ""));
			put_hex(b, &seed, 64);
			ck_assert_ws_ok(ws_buf_put_str(b, "\"}},\"containers-sha\":\""));
			put_hex(b, &seed, 40);
			ck_assert_ws_ok(ws_buf_put_str(b, "\",\"lmp-manifest-sha\":\""));
			put_hex(b, &seed, 40);
			ck_assert_ws_ok(ws_buf_printf(b, "\",\"image-file\":\"lmp-factory-image-imx8mm-%03d.wic.gz\","
			    "\"createdAt\":\"2021-03-23T10:%02d:%02dZ\"}}", h, v / 60 % 60, v % 60));
		}
	}
	ck_assert_ws_ok(ws_buf_printf(b, "},\"version\":%d}}", builds));
}

/*
 * 100,000 targets (1,000 builds x 100 hardware ids) select the right 100.
 * Under `make memcheck` (WS_MEMCHECK set) the file is 10,000 targets, so
 * valgrind's 50x slowdown stays within CI's budget; the code path is the same.
 */
START_TEST(test_100k_targets_select_100)
{
	struct ws_buf b = WS_BUF_INIT((size_t)128 << 20);
	json_t *sel = NULL, *t;
	size_t n = 0;
	const char *name;
	char want[64], mid[16], last[16];
	int builds = getenv("WS_MEMCHECK") != NULL ? 100 : 1000;

	snprintf(mid, sizeof(mid), "%d", builds / 2);
	snprintf(last, sizeof(last), "%d", builds);
	gen_ci_targets(&b, builds, 100);
	ck_assert_uint_gt(b.len, (size_t)builds * 60 * 1024);
	ck_assert_ws_ok(ws_ci_targets_validate(b.data, b.len, &n));
	ck_assert_uint_eq(n, (size_t)builds * 100);
	ck_assert_ws_ok(ws_ci_targets_select(b.data, b.len, mid, NULL, &sel));
	ck_assert_uint_eq(json_object_size(sel), 100);
	for (int h = 0; h < 100; h++) {
		snprintf(want, sizeof(want), "imx8mm-%03d-lmp-%s", h, mid);
		ck_assert_msg(json_object_get(sel, want) != NULL, "missing %s", want);
	}
	json_object_foreach(sel, name, t)
		ck_assert_str_eq(json_string_value(json_object_get(json_object_get(t, "custom"), "version")), mid);
	json_decref(sel);
	ck_assert_ws_ok(ws_ci_targets_select(b.data, b.len, last, "devel", &sel));
	ck_assert_uint_eq(json_object_size(sel), 50);
	snprintf(want, sizeof(want), "imx8mm-099-lmp-%s", last);
	ck_assert_ptr_nonnull(json_object_get(sel, want));
	snprintf(want, sizeof(want), "imx8mm-098-lmp-%s", last);
	ck_assert_ptr_null(json_object_get(sel, want));
	json_decref(sel);
	ws_buf_free(&b);
}
END_TEST

/* A mid-size file: the selection equals what the tree parser finds. */
START_TEST(test_selection_equals_tree)
{
	struct ws_buf b = WS_BUF_INIT((size_t)8 << 20);
	json_t *sel = NULL, *tree = NULL, *targets, *t;
	const char *name;
	size_t matched = 0;

	gen_ci_targets(&b, 50, 20);
	ck_assert_ws_ok(ws_ci_targets_select(b.data, b.len, "7", NULL, &sel));
	ck_assert_ws_ok(ws_json_parse(b.data, b.len, WS_JSON_DEPTH_DEFAULT, &tree));
	targets = json_object_get(json_object_get(tree, "signed"), "targets");
	json_object_foreach(targets, name, t) {
		char *a, *c;

		if (strcmp(json_string_value(json_object_get(json_object_get(t, "custom"), "version")), "7") != 0)
			continue;
		matched++;
		ck_assert_ptr_nonnull(json_object_get(sel, name));
		a = canon(t);
		c = canon(json_object_get(sel, name));
		ck_assert_str_eq(a, c);
		free(a);
		free(c);
	}
	ck_assert_uint_eq(matched, 20);
	ck_assert_uint_eq(json_object_size(sel), 20);
	json_decref(sel);
	json_decref(tree);
	ws_buf_free(&b);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("ci-targets");
	TCase *tc = tcase_create("select");
	TCase *bad = tcase_create("refused");
	TCase *big = tcase_create("big");

	tcase_add_test(tc, test_select_signed);
	tcase_add_test(tc, test_select_unsigned_forms);
	tcase_add_test(tc, test_custom_preserved_canonically);
	tcase_add_test(tc, test_source_tag_filter);
	tcase_add_test(tc, test_version_compared_exactly);
	tcase_add_test(tc, test_no_target_of_version);
	tcase_add_test(tc, test_bad_arguments);
	suite_add_tcase(s, tc);

	tcase_add_test(bad, test_syntax_error_in_skipped_target);
	tcase_add_test(bad, test_syntax_error_position_multiline);
	tcase_add_test(bad, test_duplicate_key_in_skipped_target);
	tcase_add_test(bad, test_duplicate_key_escaped);
	tcase_add_test(bad, test_duplicate_target_name_in_big_map);
	tcase_add_test(bad, test_nul_byte_refused);
	tcase_add_test(bad, test_float_refused);
	tcase_add_test(bad, test_bad_numbers);
	tcase_add_test(bad, test_invalid_utf8_refused);
	tcase_add_test(bad, test_bad_strings_refused);
	tcase_add_test(bad, test_depth_refused);
	tcase_add_test(bad, test_trailing_bytes_refused);
	tcase_add_test(bad, test_every_truncation_refused);
	tcase_add_test(bad, test_size_limit);
	tcase_add_test(bad, test_shape_refused);
	suite_add_tcase(s, bad);

	/* Valgrind (make memcheck) runs this about 50x slower. */
	tcase_set_timeout(big, 600);
	tcase_add_test(big, test_100k_targets_select_100);
	tcase_add_test(big, test_selection_equals_tree);
	suite_add_tcase(s, big);
	return ws_test_run(s);
}
