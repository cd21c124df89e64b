/* test-yaml.c -- the strict YAML loader, its typed getters and value syntaxes. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "test_common.h"
#include "ws_yaml.h"

static struct ws_yaml_doc *doc;

static void
teardown(void)
{
	ws_yaml_free(doc);
	doc = NULL;
}

/* Loads text as "t.yaml"; schema errors are WS_ERR_CONFIG. */
static ws_err
load(const char *text)
{
	ws_yaml_free(doc);
	doc = NULL;
	return ws_yaml_load_mem("t.yaml", (const uint8_t *)text, strlen(text), WS_ERR_CONFIG, &doc);
}

#define ck_assert_detail(expected) ck_assert_str_eq(ws_err_detail(), (expected))

/* Loads text and returns the value of top-level key. */
static const struct ws_yaml_node *
value_of(const char *text, const char *key)
{
	const struct ws_yaml_node *root = NULL;

	ck_assert_ws_ok(load(text));
	ck_assert_ws_ok(ws_yaml_root_map(doc, &root));
	return ws_yaml_find(root, key);
}

/* ------------------------------------------------------------ tree */

START_TEST(test_tree_positions_and_styles)
{
	const struct ws_yaml_node *root = NULL, *a, *b, *seq;
	char path[128];

	ck_assert_ws_ok(load("a: plain\nb:\n  c: \"quoted\"\n  d: [x, 'y']\n"));
	ck_assert_ws_ok(ws_yaml_root_map(doc, &root));
	ck_assert_uint_eq(root->count, 2);
	a = ws_yaml_find(root, "a");
	ck_assert_ptr_nonnull(a);
	ck_assert_int_eq(a->kind, WS_YAML_SCALAR);
	ck_assert_str_eq(a->str, "plain");
	ck_assert(a->plain);
	ck_assert_uint_eq(a->line, 1);
	ck_assert_uint_eq(a->column, 4);
	b = ws_yaml_find(root, "b");
	ck_assert_int_eq(b->kind, WS_YAML_MAP);
	ck_assert_uint_eq(b->line, 3);
	ck_assert_uint_eq(b->column, 3);
	ck_assert(!ws_yaml_find(b, "c")->plain);
	seq = ws_yaml_find(b, "d");
	ck_assert_int_eq(seq->kind, WS_YAML_SEQ);
	ck_assert_uint_eq(seq->count, 2);
	ck_assert_str_eq(seq->values[1]->str, "y");
	ck_assert(!seq->values[1]->plain);
	ws_yaml_path(seq->values[1], path, sizeof(path));
	ck_assert_str_eq(path, "b.d[1]");
	ws_yaml_path(root, path, sizeof(path));
	ck_assert_str_eq(path, "(document)");
	ck_assert_ptr_null(ws_yaml_find(root, "nope"));
}
END_TEST

START_TEST(test_empty_stream_is_not_a_mapping)
{
	const struct ws_yaml_node *root = NULL;

	ck_assert_ws_ok(load(""));
	ck_assert_ptr_null(doc->root);
	ck_assert_ws(ws_yaml_root_map(doc, &root), WS_ERR_CONFIG);
	ck_assert_detail("t.yaml:1:1: (document): expected a mapping, got nothing");
	ck_assert_ws_ok(load("- a\n"));
	ck_assert_ws(ws_yaml_root_map(doc, &root), WS_ERR_CONFIG);
	ck_assert_detail("t.yaml:1:1: (document): expected a mapping, got a sequence");
}
END_TEST

/* ------------------------------------------------ refused YAML */

START_TEST(test_refuses_duplicate_key)
{
	ck_assert_ws(load("a: 1\nb:\n  x: 1\n  y: 2\n  x: 3\n"), WS_ERR_YAML);
	ck_assert_detail("t.yaml:5:3: b.x: duplicate key (first at line 3, column 3)");
}
END_TEST

START_TEST(test_refuses_duplicate_key_earliest_reported)
{
	ck_assert_ws(load("{z: 1, b: 2, z: 3, b: 4, b: 5}"), WS_ERR_YAML);
	ck_assert_detail("t.yaml:1:14: z: duplicate key (first at line 1, column 2)");
}
END_TEST

START_TEST(test_refuses_anchor)
{
	ck_assert_ws(load("a: &x 1\n"), WS_ERR_YAML);
	ck_assert_detail("t.yaml:1:4: a: anchors (&x) are refused: write the value out");
}
END_TEST

START_TEST(test_refuses_alias)
{
	ck_assert_ws(load("a: 1\nb: *x\n"), WS_ERR_YAML);
	ck_assert_detail("t.yaml:2:4: b: aliases (*x) are refused: write the value out");
}
END_TEST

START_TEST(test_refuses_tag)
{
	ck_assert_ws(load("a:\n  b: !!str 1\n"), WS_ERR_YAML);
	ck_assert_detail("t.yaml:2:6: a.b: explicit tags (tag:yaml.org,2002:str) are refused");
	ck_assert_ws(load("a: !local {x: 1}\n"), WS_ERR_YAML);
	ck_assert_detail("t.yaml:1:4: a: explicit tags (!local) are refused");
}
END_TEST

START_TEST(test_refuses_tag_directive)
{
	ck_assert_ws(load("%TAG !e! tag:example.com,2000:\n---\na: 1\n"), WS_ERR_YAML);
	ck_assert_detail("t.yaml:1:1: (document): %TAG directives are refused");
}
END_TEST

START_TEST(test_refuses_second_document)
{
	ck_assert_ws(load("a: 1\n---\nb: 2\n"), WS_ERR_YAML);
	ck_assert_detail("t.yaml:2:1: (document): more than one document in the file is refused");
}
END_TEST

START_TEST(test_refuses_non_scalar_key)
{
	ck_assert_ws(load("? [a, b]\n: 1\n"), WS_ERR_YAML);
	ck_assert_detail("t.yaml:1:3: (document): a key must be a scalar, got a sequence");
}
END_TEST

START_TEST(test_refuses_null_key)
{
	ck_assert_ws(load("x:\n  ~: 1\n"), WS_ERR_YAML);
	ck_assert_detail("t.yaml:2:3: x: a key must not be empty or null");
}
END_TEST

START_TEST(test_refuses_depth)
{
	char text[256] = "";
	char ok[256] = "";

	/* 32 nested sequences load, 33 do not. */
	for (int i = 0; i < 32; i++)
		strcat(ok, "[");
	for (int i = 0; i < 32; i++)
		strcat(ok, "]");
	ck_assert_ws_ok(load(ok));
	snprintf(text, sizeof(text), "[%s]", ok);
	ck_assert_ws(load(text), WS_ERR_YAML);
	ck_assert_str_eq(strstr(ws_err_detail(), ": nesting"), ": nesting deeper than 32 levels is refused");
	ck_assert(strncmp(ws_err_detail(), "t.yaml:1:33: [0][0]", 19) == 0);
}
END_TEST

START_TEST(test_refuses_large_input)
{
	size_t len = WS_YAML_INPUT_MAX + 1;
	char *big = malloc(len);

	ck_assert_ptr_nonnull(big);
	memset(big, '#', len);
	ck_assert_ws(ws_yaml_load_mem("big.yaml", (uint8_t *)big, len, WS_ERR_CONFIG, &doc), WS_ERR_YAML);
	ck_assert_detail("big.yaml: larger than 1 MiB (1048577 bytes)");
	/* Exactly 1 MiB of comment is fine. */
	ck_assert_ws_ok(ws_yaml_load_mem("big.yaml", (uint8_t *)big, len - 1, WS_ERR_CONFIG, &doc));
	free(big);
}
END_TEST

START_TEST(test_refuses_large_file)
{
	char path[] = "/tmp/ws-test-yaml-XXXXXX";
	int fd = mkstemp(path);
	FILE *f;

	ck_assert_int_ge(fd, 0);
	f = fdopen(fd, "w");
	for (size_t i = 0; i < WS_YAML_INPUT_MAX / 16 + 1; i++)
		fputs("# 16 bytes line\n", f);
	fclose(f);
	ck_assert_ws(ws_yaml_load_file(path, WS_ERR_CONFIG, &doc), WS_ERR_YAML);
	ck_assert(strstr(ws_err_detail(), ": larger than 1 MiB") != NULL);
	unlink(path);
	ck_assert_ws(ws_yaml_load_file(path, WS_ERR_CONFIG, &doc), WS_ERR_SYSTEM);
}
END_TEST

START_TEST(test_refuses_syntax_error)
{
	ck_assert_ws(load("a:\n  b: [1, 2\n"), WS_ERR_YAML);
	ck_assert_detail("t.yaml:3:1: a.b: syntax error: did not find expected ',' or ']' "
	    "(while parsing a flow sequence at line 2, column 6)");
	ck_assert_ws(load("a: 1\n b: 2\n"), WS_ERR_YAML);
	ck_assert_detail("t.yaml:2:3: (document): syntax error: mapping values are not allowed in this context");
}
END_TEST

START_TEST(test_refuses_bad_utf8)
{
	ck_assert_ws(load("a: 1\nb: \xff\n"), WS_ERR_YAML);
	/* libyaml decodes ahead of the parser: the path is not known yet. */
	ck_assert_detail("t.yaml:2:4: (document): syntax error: invalid leading UTF-8 octet (byte 0xff)");
}
END_TEST

START_TEST(test_refuses_nul_in_scalar)
{
	ck_assert_ws(load("a: \"x\\0y\"\n"), WS_ERR_YAML);
	ck_assert_detail("t.yaml:1:4: a: NUL bytes in values are refused");
}
END_TEST

/* -------------------------------------------------------- getters */

START_TEST(test_unknown_key)
{
	static const char *const allowed[] = { "path", "mode", NULL };
	const struct ws_yaml_node *n = value_of("socket:\n  path: /x\n  mod: 1\n", "socket");

	ck_assert_ws(ws_yaml_check_keys(n, allowed), WS_ERR_CONFIG);
	ck_assert_detail("t.yaml:3:3: socket.mod: unknown key (allowed: path, mode)");
}
END_TEST

START_TEST(test_wrong_type)
{
	const struct ws_yaml_node *n = value_of("socket: [a]\nname: {x: 1}\n", "socket");
	const char *s = NULL;

	ck_assert_ws(ws_yaml_expect_map(n), WS_ERR_CONFIG);
	ck_assert_detail("t.yaml:1:9: socket: expected a mapping, got a sequence");
	n = ws_yaml_find(doc->root, "name");
	ck_assert_ws(ws_yaml_str(n, &s), WS_ERR_CONFIG);
	ck_assert_detail("t.yaml:2:7: name: expected a string, got a mapping");
	ck_assert_ws(ws_yaml_expect_seq(n), WS_ERR_CONFIG);
	ck_assert_detail("t.yaml:2:7: name: expected a sequence, got a mapping");
}
END_TEST

START_TEST(test_null_is_not_a_string)
{
	const struct ws_yaml_node *n = value_of("a:\nb: ~\nc: ''\n", "a");
	const char *s = NULL;

	ck_assert_ws(ws_yaml_str(n, &s), WS_ERR_CONFIG);
	ck_assert_detail("t.yaml:1:3: a: expected a string, got nothing");
	ck_assert_ws(ws_yaml_str(ws_yaml_find(doc->root, "b"), &s), WS_ERR_CONFIG);
	ck_assert_detail("t.yaml:2:4: b: expected a string, got null");
	/* A quoted empty string is a string. */
	ck_assert_ws_ok(ws_yaml_str(ws_yaml_find(doc->root, "c"), &s));
	ck_assert_str_eq(s, "");
}
END_TEST

START_TEST(test_missing_required_key)
{
	const struct ws_yaml_node *n = value_of("socket:\n  mode: \"0660\"\n", "socket"), *out = NULL;

	ck_assert_ws(ws_yaml_require(n, "path", &out), WS_ERR_CONFIG);
	ck_assert_detail("t.yaml:2:3: socket.path: required key is missing");
	ck_assert_ws(ws_yaml_require(doc->root, "state-dir", &out), WS_ERR_CONFIG);
	ck_assert_detail("t.yaml:1:1: state-dir: required key is missing");
}
END_TEST

START_TEST(test_bool_only_true_false)
{
	const struct ws_yaml_node *n = value_of("a: yes\nb: \"true\"\nc: false\n", "a");
	bool v = true;

	ck_assert_ws(ws_yaml_bool(n, &v), WS_ERR_CONFIG);
	ck_assert_detail("t.yaml:1:4: a: expected true or false, got \"yes\"");
	ck_assert_ws(ws_yaml_bool(ws_yaml_find(doc->root, "b"), &v), WS_ERR_CONFIG);
	ck_assert_detail("t.yaml:2:4: b: expected true or false, got \"true\"");
	ck_assert_ws_ok(ws_yaml_bool(ws_yaml_find(doc->root, "c"), &v));
	ck_assert(!v);
}
END_TEST

START_TEST(test_integer_range)
{
	const struct ws_yaml_node *n = value_of("a: 17\nb: \"3\"\nc: 012\nd: 99999999999999999999\ne: 16\n", "a");
	uint64_t v = 0;
	unsigned u = 0;

	ck_assert_ws(ws_yaml_uint(n, 1, 16, &v), WS_ERR_CONFIG);
	ck_assert_detail("t.yaml:1:4: a: expected an integer from 1 to 16, got 17");
	ck_assert_ws(ws_yaml_uint(ws_yaml_find(doc->root, "b"), 1, 16, &v), WS_ERR_CONFIG);
	ck_assert_detail("t.yaml:2:4: b: expected an integer from 1 to 16, got \"3\"");
	ck_assert_ws(ws_yaml_uint(ws_yaml_find(doc->root, "c"), 1, 16, &v), WS_ERR_CONFIG);
	ck_assert_detail("t.yaml:3:4: c: expected an integer from 1 to 16, got \"012\"");
	ck_assert_ws(ws_yaml_uint(ws_yaml_find(doc->root, "d"), 0, UINT64_MAX, &v), WS_ERR_CONFIG);
	ck_assert_ws_ok(ws_yaml_unsigned(ws_yaml_find(doc->root, "e"), 1, 16, &u));
	ck_assert_uint_eq(u, 16);
}
END_TEST

START_TEST(test_enum)
{
	static const char *const names[] = { "one", "one-per-tag", NULL };
	const struct ws_yaml_node *n = value_of("a: two\nb: one-per-tag\n", "a");
	int v = -1;

	ck_assert_ws(ws_yaml_enum(n, names, &v), WS_ERR_CONFIG);
	ck_assert_detail("t.yaml:1:4: a: expected one of one | one-per-tag, got \"two\"");
	ck_assert_ws_ok(ws_yaml_enum(ws_yaml_find(doc->root, "b"), names, &v));
	ck_assert_int_eq(v, 1);
}
END_TEST

START_TEST(test_name)
{
	const struct ws_yaml_node *n = value_of("a: \"bad name\"\nb: good_name-1.0\n", "a");
	const char *s = NULL;

	ck_assert_ws(ws_yaml_name(n, 64, "a tag", &s), WS_ERR_CONFIG);
	ck_assert_detail("t.yaml:1:4: a: expected a tag (1 to 64 of A-Z a-z 0-9 . _ -), got \"bad name\"");
	ck_assert_ws_ok(ws_yaml_name(ws_yaml_find(doc->root, "b"), 64, "a tag", &s));
	ck_assert_str_eq(s, "good_name-1.0");
}
END_TEST

START_TEST(test_bad_duration)
{
	const struct ws_yaml_node *n = value_of("a: 7 days\nb: 0s\nc: 99999999999999999999y\n"
	    "d: 10\ne: [1d]\nf: 300y\n", "a");
	uint64_t v = 0;

	ck_assert_ws(ws_yaml_duration(n, 1, WS_DURATION_MAX, &v), WS_ERR_CONFIG);
	ck_assert_detail("t.yaml:1:4: a: expected a duration (a number and one of the units s, m, h, d, w, y: "
	    "30s, 10m, 7d, 20y), got \"7 days\"");
	ck_assert_ws(ws_yaml_duration(ws_yaml_find(doc->root, "b"), 1, WS_DURATION_MAX, &v), WS_ERR_CONFIG);
	ck_assert_detail("t.yaml:2:4: b: expected a duration greater than zero, got \"0s\"");
	ck_assert_ws(ws_yaml_duration(ws_yaml_find(doc->root, "c"), 1, WS_DURATION_MAX, &v), WS_ERR_CONFIG);
	ck_assert_detail("t.yaml:3:4: c: expected a shorter duration, got \"99999999999999999999y\"");
	ck_assert_ws(ws_yaml_duration(ws_yaml_find(doc->root, "d"), 1, WS_DURATION_MAX, &v), WS_ERR_CONFIG);
	ck_assert_ws(ws_yaml_duration(ws_yaml_find(doc->root, "e"), 1, WS_DURATION_MAX, &v), WS_ERR_CONFIG);
	ck_assert_detail("t.yaml:5:4: e: expected a duration (a number and one of the units s, m, h, d, w, y: "
	    "30s, 10m, 7d, 20y), got a sequence");
	ck_assert_ws(ws_yaml_duration(ws_yaml_find(doc->root, "f"), 86400, 100ull * 365 * 86400, &v),
	    WS_ERR_CONFIG);
	ck_assert_detail("t.yaml:6:4: f: expected a duration from 1d to 100y, got \"300y\"");
}
END_TEST

START_TEST(test_parse_duration)
{
	uint64_t v = 0;

	ck_assert_ws_ok(ws_parse_duration("30s", &v));
	ck_assert_uint_eq(v, 30);
	ck_assert_ws_ok(ws_parse_duration("10m", &v));
	ck_assert_uint_eq(v, 600);
	ck_assert_ws_ok(ws_parse_duration("12h", &v));
	ck_assert_uint_eq(v, 43200);
	ck_assert_ws_ok(ws_parse_duration("7d", &v));
	ck_assert_uint_eq(v, 604800);
	ck_assert_ws_ok(ws_parse_duration("2w", &v));
	ck_assert_uint_eq(v, 1209600);
	ck_assert_ws_ok(ws_parse_duration("20y", &v));
	ck_assert_uint_eq(v, 20ull * 365 * 86400);
	v = 5;
	ck_assert_ws(ws_parse_duration("0d", &v), WS_ERR_INVALID_ARGUMENT);
	ck_assert_ws(ws_parse_duration("-1s", &v), WS_ERR_INVALID_ARGUMENT);
	ck_assert_ws(ws_parse_duration("1.5d", &v), WS_ERR_INVALID_ARGUMENT);
	ck_assert_ws(ws_parse_duration("1 d", &v), WS_ERR_INVALID_ARGUMENT);
	ck_assert_ws(ws_parse_duration("1dd", &v), WS_ERR_INVALID_ARGUMENT);
	ck_assert_ws(ws_parse_duration("d", &v), WS_ERR_INVALID_ARGUMENT);
	ck_assert_ws(ws_parse_duration("010s", &v), WS_ERR_INVALID_ARGUMENT);
	ck_assert_ws(ws_parse_duration("146235604339y", &v), WS_ERR_INVALID_ARGUMENT);
	ck_assert_ws(ws_parse_duration("18446744073709551616s", &v), WS_ERR_INVALID_ARGUMENT);
	ck_assert_uint_eq(v, 5);
}
END_TEST

START_TEST(test_bad_size)
{
	const struct ws_yaml_node *n = value_of("a: 128MB\nb: 2GiB\nc: 64KiB\nd: 1000\n", "a");
	uint64_t v = 0;

	ck_assert_ws(ws_yaml_size(n, 0, UINT64_MAX, &v), WS_ERR_CONFIG);
	ck_assert_detail("t.yaml:1:4: a: expected a size (bytes, or a number and one of KiB, MiB, GiB, TiB: "
	    "64KiB, 128MiB), got \"128MB\"");
	ck_assert_ws(ws_yaml_size(ws_yaml_find(doc->root, "b"), 64 << 10, 1 << 30, &v), WS_ERR_CONFIG);
	ck_assert_detail("t.yaml:2:4: b: expected a size from 64KiB to 1GiB, got \"2GiB\"");
	ck_assert_ws_ok(ws_yaml_size(ws_yaml_find(doc->root, "c"), 0, UINT64_MAX, &v));
	ck_assert_uint_eq(v, 65536);
	ck_assert_ws_ok(ws_yaml_size(ws_yaml_find(doc->root, "d"), 0, UINT64_MAX, &v));
	ck_assert_uint_eq(v, 1000);
	ck_assert_ws(ws_parse_size("17179869184GiB", &v), WS_ERR_INVALID_ARGUMENT);
	ck_assert_ws_ok(ws_parse_size("128MiB", &v));
	ck_assert_uint_eq(v, 128u << 20);
}
END_TEST

START_TEST(test_mode)
{
	const struct ws_yaml_node *n = value_of("a: \"0660\"\nb: 0660\nc: \"0668\"\nd: \"4755\"\ne: 640\n", "a");
	mode_t m = 0;

	ck_assert_ws_ok(ws_yaml_mode(n, &m));
	ck_assert_uint_eq(m, 0660);
	/* A plain 0660 is read as the octal text it is, not as YAML 1.1's integer. */
	ck_assert_ws_ok(ws_yaml_mode(ws_yaml_find(doc->root, "b"), &m));
	ck_assert_uint_eq(m, 0660);
	ck_assert_ws(ws_yaml_mode(ws_yaml_find(doc->root, "c"), &m), WS_ERR_CONFIG);
	ck_assert_detail("t.yaml:3:4: c: expected an octal file mode such as \"0660\" (at most 0777), got \"0668\"");
	ck_assert_ws(ws_yaml_mode(ws_yaml_find(doc->root, "d"), &m), WS_ERR_CONFIG);
	ck_assert_ws_ok(ws_yaml_mode(ws_yaml_find(doc->root, "e"), &m));
	ck_assert_uint_eq(m, 0640);
}
END_TEST

START_TEST(test_rate)
{
	const struct ws_yaml_node *n = value_of("a: fast\nb: 600/min\nc: 0/s\nd: 5/d\n", "a");
	unsigned count = 0, period = 0;

	ck_assert_ws(ws_yaml_rate(n, &count, &period), WS_ERR_CONFIG);
	ck_assert_detail("t.yaml:1:4: a: expected COUNT/min|s|h, got \"fast\"");
	ck_assert_ws_ok(ws_yaml_rate(ws_yaml_find(doc->root, "b"), &count, &period));
	ck_assert_uint_eq(count, 600);
	ck_assert_uint_eq(period, 60);
	ck_assert_ws(ws_yaml_rate(ws_yaml_find(doc->root, "c"), &count, &period), WS_ERR_CONFIG);
	ck_assert_ws(ws_yaml_rate(ws_yaml_find(doc->root, "d"), &count, &period), WS_ERR_CONFIG);
	ck_assert_ws_ok(ws_parse_rate("10/s", &count, &period));
	ck_assert_uint_eq(period, 1);
	ck_assert_ws_ok(ws_parse_rate("1000000/h", &count, &period));
	ck_assert_uint_eq(period, 3600);
	ck_assert_ws(ws_parse_rate("1000001/h", &count, &period), WS_ERR_INVALID_ARGUMENT);
}
END_TEST

START_TEST(test_long_and_odd_values_are_quoted_safely)
{
	const struct ws_yaml_node *n = value_of("a: \"line\\nbreak \\\"q\\\" 0123456789012345678901234567890123\"\n", "a");
	bool v;

	ck_assert_ws(ws_yaml_bool(n, &v), WS_ERR_CONFIG);
	ck_assert_detail("t.yaml:1:4: a: expected true or false, got "
	    "\"line\\x0abreak \\x22q\\x22 0123456789012345678901234...\"");
}
END_TEST

START_TEST(test_format)
{
	char buf[32];

	ws_format_duration(20ull * 365 * 86400, buf, sizeof(buf));
	ck_assert_str_eq(buf, "20y");
	ws_format_duration(30 * 86400, buf, sizeof(buf));
	ck_assert_str_eq(buf, "30d");
	ws_format_duration(90, buf, sizeof(buf));
	ck_assert_str_eq(buf, "90s");
	ws_format_duration(3600, buf, sizeof(buf));
	ck_assert_str_eq(buf, "1h");
	ws_format_size(128u << 20, buf, sizeof(buf));
	ck_assert_str_eq(buf, "128MiB");
	ws_format_size(1000, buf, sizeof(buf));
	ck_assert_str_eq(buf, "1000");
}
END_TEST

static Suite *
yaml_suite(void)
{
	Suite *s = suite_create("yaml");
	TCase *tc = tcase_create("yaml");

	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, test_tree_positions_and_styles);
	tcase_add_test(tc, test_empty_stream_is_not_a_mapping);
	tcase_add_test(tc, test_refuses_duplicate_key);
	tcase_add_test(tc, test_refuses_duplicate_key_earliest_reported);
	tcase_add_test(tc, test_refuses_anchor);
	tcase_add_test(tc, test_refuses_alias);
	tcase_add_test(tc, test_refuses_tag);
	tcase_add_test(tc, test_refuses_tag_directive);
	tcase_add_test(tc, test_refuses_second_document);
	tcase_add_test(tc, test_refuses_non_scalar_key);
	tcase_add_test(tc, test_refuses_null_key);
	tcase_add_test(tc, test_refuses_depth);
	tcase_add_test(tc, test_refuses_large_input);
	tcase_add_test(tc, test_refuses_large_file);
	tcase_add_test(tc, test_refuses_syntax_error);
	tcase_add_test(tc, test_refuses_bad_utf8);
	tcase_add_test(tc, test_refuses_nul_in_scalar);
	tcase_add_test(tc, test_unknown_key);
	tcase_add_test(tc, test_wrong_type);
	tcase_add_test(tc, test_null_is_not_a_string);
	tcase_add_test(tc, test_missing_required_key);
	tcase_add_test(tc, test_bool_only_true_false);
	tcase_add_test(tc, test_integer_range);
	tcase_add_test(tc, test_enum);
	tcase_add_test(tc, test_name);
	tcase_add_test(tc, test_bad_duration);
	tcase_add_test(tc, test_parse_duration);
	tcase_add_test(tc, test_bad_size);
	tcase_add_test(tc, test_mode);
	tcase_add_test(tc, test_rate);
	tcase_add_test(tc, test_long_and_odd_values_are_quoted_safely);
	tcase_add_test(tc, test_format);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return ws_test_run(yaml_suite());
}
