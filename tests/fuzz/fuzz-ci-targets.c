/*
 * fuzz-ci-targets.c -- the streaming CI targets selector, against the tree.
 *
 * Beyond "no crash", the scanner must agree with ws_json_parse() over the
 * same bytes: it accepts nothing the tree parser refuses, refuses for JSON
 * validity nothing the tree parser accepts, and when both accept, selects
 * exactly the targets a walk of the tree selects, with the same canonical
 * bytes.
 */
#include "config.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "ws_ci_targets.h"
#include "ws_cjson.h"
#include "ws_json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool
is_validity_code(ws_err r)
{
	return r == WS_ERR_JSON_SYNTAX || r == WS_ERR_JSON_DUPLICATE_KEY || r == WS_ERR_JSON_FLOAT ||
	    r == WS_ERR_JSON_UTF8 || r == WS_ERR_JSON_DEPTH;
}

static bool
same_canonical(const json_t *a, const json_t *b)
{
	struct ws_buf x = WS_BUF_INIT(1 << 24), y = WS_BUF_INIT(1 << 24);
	bool same;

	if (ws_cjson_encode(a, WS_CJSON_CANONICAL, &x) != WS_OK || ws_cjson_encode(b, WS_CJSON_CANONICAL, &y) != WS_OK)
		abort();
	same = x.len == y.len && memcmp(x.data, y.data, x.len) == 0;
	ws_buf_free(&x);
	ws_buf_free(&y);
	return same;
}

/* Does the tree's target match version (and tag, if any)? */
static bool
tree_matches(const json_t *t, const char *version, const char *tag)
{
	json_t *custom = json_object_get(t, "custom"), *tags, *v;
	size_t i;

	if (!json_is_string(json_object_get(custom, "version")) ||
	    strcmp(json_string_value(json_object_get(custom, "version")), version) != 0)
		return false;
	if (tag == NULL)
		return true;
	tags = json_object_get(custom, "tags");
	json_array_foreach(tags, i, v)
		if (strcmp(json_string_value(v), tag) == 0)
			return true;
	return false;
}

static void
check(const uint8_t *data, size_t size, const json_t *tree, const char *version, const char *tag)
{
	json_t *sel = NULL, *targets, *t;
	const char *name;
	size_t n = 0;
	ws_err r = ws_ci_targets_select(data, size, version, tag, &sel);

	if (tree == NULL) {
		/* The tree parser refused: so must the scanner. */
		if (r == WS_OK)
			abort();
		return;
	}
	if (is_validity_code(r))
		abort();
	if (r != WS_OK && r != WS_ERR_WAVE_NO_TARGETS)
		return;	/* a shape error (type, missing, ambiguous) */
	targets = json_object_get(json_object_get(tree, "signed"), "targets");
	if (targets == NULL)
		targets = json_object_get(tree, "targets");
	json_object_foreach(targets, name, t) {
		if (!tree_matches(t, version, tag))
			continue;
		n++;
		if (r != WS_OK || json_object_get(sel, name) == NULL || !same_canonical(t, json_object_get(sel, name)))
			abort();
	}
	if (n != (r == WS_OK ? json_object_size(sel) : 0))
		abort();
	json_decref(sel);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *tree = NULL;
	size_t n;

	/*
	 * jansson 2.14 drops a raw NUL byte that follows a number ("0\0,"
	 * parses as "0,": its lookahead buffer takes the NUL for "empty" after
	 * an unget), so ws_json_parse() accepts such input and the scanner
	 * rightly does not. The differential skips inputs holding NUL bytes.
	 */
	if (memchr(data, 0, size) != NULL) {
		json_t *sel = NULL;

		if (ws_ci_targets_select(data, size, "42", NULL, &sel) == WS_OK)
			json_decref(sel);
		(void)ws_ci_targets_validate(data, size, &n);
		return 0;
	}
	if (ws_json_parse(data, size, WS_JSON_DEPTH_DEFAULT, &tree) != WS_OK)
		tree = NULL;
	check(data, size, tree, "42", NULL);
	check(data, size, tree, "42", "main");
	check(data, size, tree, "1", NULL);
	(void)ws_ci_targets_validate(data, size, &n);
	json_decref(tree);
	return 0;
}
