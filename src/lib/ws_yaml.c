/*
 * ws_yaml.c -- strict YAML loader over libyaml's event parser, and the
 * typed getters that report FILE:LINE:COLUMN: key.path: what.
 *
 * The tree is built from events rather than with yaml_parser_load() so that
 * anchors, aliases and tags are refused before they are resolved, and so
 * that the depth limit stops the parse early. Every node is also kept in
 * doc->all, which makes freeing on any path a single loop.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "ws_yaml.h"

#define PATH_MAX_TEXT 256
#define MSG_MAX 640
#define DESCRIBE_MAX 80
#define DESCRIBE_SCALAR_MAX 40

/* Key nodes are marked by pointing `key` at themselves (see node_is_key()). */
static bool
node_is_key(const struct ws_yaml_node *n)
{
	return n->key == n;
}

/* ---------------------------------------------------------------- paths */

/* Appends s to buf[*len..size), replacing control bytes with '?'. */
static void
append_text(char *buf, size_t size, size_t *len, const char *s)
{
	for (; *s != '\0' && *len + 1 < size; s++) {
		unsigned char c = (unsigned char)*s;

		buf[(*len)++] = (c < 0x20 || c == 0x7f) ? '?' : (char)c;
	}
	buf[*len] = '\0';
}

void
ws_yaml_path(const struct ws_yaml_node *n, char *buf, size_t size)
{
	const struct ws_yaml_node *chain[WS_YAML_DEPTH_MAX + 3];
	size_t depth = 0, len = 0;
	char idx[32];

	if (size == 0)
		return;
	buf[0] = '\0';
	if (n == NULL || n->parent == NULL) {
		append_text(buf, size, &len, "(document)");
		return;
	}
	/* Collect the nodes below the top one, innermost first. */
	for (const struct ws_yaml_node *p = n; p != NULL && p->parent != NULL; p = p->parent) {
		if (depth == sizeof(chain) / sizeof(chain[0]))
			break;
		chain[depth++] = p;
	}
	while (depth-- > 0) {
		const struct ws_yaml_node *p = chain[depth];

		if (p->parent->kind == WS_YAML_SEQ && !node_is_key(p)) {
			snprintf(idx, sizeof(idx), "[%zu]", p->index);
			append_text(buf, size, &len, idx);
			continue;
		}
		if (len > 0)
			append_text(buf, size, &len, ".");
		append_text(buf, size, &len, node_is_key(p) ? p->str : p->key->str);
	}
}

/* -------------------------------------------------------------- messages */

void
ws_yaml_describe(const struct ws_yaml_node *n, char *buf, size_t size)
{
	size_t len = 0;

	if (size == 0)
		return;
	if (n == NULL) {
		snprintf(buf, size, "nothing");
		return;
	}
	switch (n->kind) {
	case WS_YAML_MAP:
		snprintf(buf, size, "a mapping");
		return;
	case WS_YAML_SEQ:
		snprintf(buf, size, "a sequence");
		return;
	case WS_YAML_SCALAR:
		break;
	}
	if (n->plain && n->len == 0) {
		snprintf(buf, size, "nothing");
		return;
	}
	if (ws_yaml_is_null(n)) {
		snprintf(buf, size, "null");
		return;
	}
	buf[len++] = '"';
	for (size_t i = 0; i < n->len && len + 8 < size; i++) {
		unsigned char c = (unsigned char)n->str[i];

		if (i == DESCRIBE_SCALAR_MAX) {
			len += (size_t)snprintf(buf + len, size - len, "...");
			break;
		}
		if (c < 0x20 || c == 0x7f || c == '"' || c == '\\')
			len += (size_t)snprintf(buf + len, size - len, "\\x%02x", c);
		else
			buf[len++] = (char)c;
	}
	if (len + 1 < size)
		buf[len++] = '"';
	buf[len < size ? len : size - 1] = '\0';
}

static ws_err
fail_at(const struct ws_yaml_doc *doc, ws_err code, unsigned line, unsigned col, const char *path,
    const char *fmt, va_list ap) __attribute__((format(printf, 6, 0)));

static ws_err
fail_at(const struct ws_yaml_doc *doc, ws_err code, unsigned line, unsigned col, const char *path,
    const char *fmt, va_list ap)
{
	char msg[MSG_MAX];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	return ws_err_set(code, "%s:%u:%u: %s: %s", doc->name, line, col, path, msg);
}

ws_err
ws_yaml_fail(const struct ws_yaml_node *n, const char *fmt, ...)
{
	char path[PATH_MAX_TEXT];
	va_list ap;
	ws_err r;

	ws_yaml_path(n, path, sizeof(path));
	va_start(ap, fmt);
	r = fail_at(n->doc, n->doc->schema_err, n->line, n->column, path, fmt, ap);
	va_end(ap);
	return r;
}

ws_err
ws_yaml_fail_key(const struct ws_yaml_node *map, const char *key, const char *fmt, ...)
{
	char path[PATH_MAX_TEXT];
	size_t len;
	va_list ap;
	ws_err r;

	if (map->parent == NULL) {
		path[0] = '\0';
		len = 0;
	} else {
		ws_yaml_path(map, path, sizeof(path));
		len = strlen(path);
		append_text(path, sizeof(path), &len, ".");
	}
	append_text(path, sizeof(path), &len, key);
	va_start(ap, fmt);
	r = fail_at(map->doc, map->doc->schema_err, map->line, map->column, path, fmt, ap);
	va_end(ap);
	return r;
}

/* ---------------------------------------------------------------- loader */

struct loader {
	struct ws_yaml_doc *doc;
	yaml_parser_t parser;
	const uint8_t *data;
	size_t len;
	struct ws_yaml_node *stack[WS_YAML_DEPTH_MAX];
	struct ws_yaml_node *pending_key[WS_YAML_DEPTH_MAX];
	size_t depth;
	unsigned documents;
};

static ws_err
load_fail(struct loader *ld, unsigned line, unsigned col, const struct ws_yaml_node *at,
    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static ws_err
load_fail(struct loader *ld, unsigned line, unsigned col, const struct ws_yaml_node *at,
    const char *fmt, ...)
{
	char path[PATH_MAX_TEXT];
	va_list ap;
	ws_err r;

	ws_yaml_path(at, path, sizeof(path));
	va_start(ap, fmt);
	r = fail_at(ld->doc, WS_ERR_YAML, line, col, path, fmt, ap);
	va_end(ap);
	return r;
}

/* The node whose path best names where the parser is: the pending key, else the open collection. */
static const struct ws_yaml_node *
loader_here(const struct loader *ld)
{
	if (ld->depth == 0)
		return NULL;
	if (ld->pending_key[ld->depth - 1] != NULL)
		return ld->pending_key[ld->depth - 1];
	return ld->stack[ld->depth - 1];
}

static ws_err
grow(void *pp, size_t *cap, size_t need, size_t elem)
{
	void **p = pp;
	size_t ncap;
	void *np;

	if (need <= *cap)
		return WS_OK;
	ncap = *cap ? *cap * 2 : 8;
	while (ncap < need)
		ncap *= 2;
	if (ncap > SIZE_MAX / elem)
		return ws_err_set(WS_ERR_NOMEM, "YAML tree");
	if ((np = realloc(*p, ncap * elem)) == NULL)
		return ws_err_set(WS_ERR_NOMEM, "YAML tree");
	*p = np;
	*cap = ncap;
	return WS_OK;
}

static ws_err
node_new(struct loader *ld, enum ws_yaml_kind kind, const yaml_mark_t *mark, struct ws_yaml_node **out)
{
	struct ws_yaml_doc *doc = ld->doc;
	struct ws_yaml_node *n = NULL;
	ws_err r;

	if ((r = grow(&doc->all, &doc->cap_all, doc->n_all + 1, sizeof(*doc->all))) != WS_OK)
		return r;
	if ((n = calloc(1, sizeof(*n))) == NULL)
		return ws_err_set(WS_ERR_NOMEM, "YAML node");
	n->kind = kind;
	n->line = (unsigned)mark->line + 1;
	n->column = (unsigned)mark->column + 1;
	n->doc = doc;
	doc->all[doc->n_all++] = n;
	*out = n;
	return WS_OK;
}

/* Appends one value (or, for a mapping, a key or a value) to collection c. */
static ws_err
collection_add(struct ws_yaml_node *c, struct ws_yaml_node *key, struct ws_yaml_node *value)
{
	ws_err r;
	size_t cap = c->cap;

	if ((r = grow(&c->values, &cap, c->count + 1, sizeof(*c->values))) != WS_OK)
		return r;
	if (c->kind == WS_YAML_MAP) {
		size_t kcap = c->cap;

		/* On failure values may have grown alone: harmless, cap stays the smaller. */
		if ((r = grow(&c->keys, &kcap, c->count + 1, sizeof(*c->keys))) != WS_OK)
			return r;
		c->keys[c->count] = key;
	}
	c->cap = cap;
	c->values[c->count++] = value;
	return WS_OK;
}

/* Places a freshly created node in the tree: top node, sequence item, key or value. */
static ws_err
loader_attach(struct loader *ld, struct ws_yaml_node *n)
{
	struct ws_yaml_node *top, *key;
	struct ws_yaml_node **pending;

	if (ld->depth == 0) {
		ld->doc->root = n;
		return WS_OK;
	}
	top = ld->stack[ld->depth - 1];
	n->parent = top;
	if (top->kind == WS_YAML_SEQ) {
		n->index = top->count;
		return collection_add(top, NULL, n);
	}
	pending = &ld->pending_key[ld->depth - 1];
	if (*pending == NULL) {
		n->key = n;	/* marks a key node */
		n->index = top->count;
		*pending = n;
		if (n->kind != WS_YAML_SCALAR)
			return load_fail(ld, n->line, n->column, top,
			    "a key must be a scalar, got %s", n->kind == WS_YAML_MAP ? "a mapping" : "a sequence");
		if (ws_yaml_is_null(n))
			return load_fail(ld, n->line, n->column, top, "a key must not be empty or null");
		return WS_OK;
	}
	key = *pending;
	n->key = key;
	*pending = NULL;
	return collection_add(top, key, n);
}

static ws_err
check_node_props(struct loader *ld, const struct ws_yaml_node *n, const yaml_char_t *anchor,
    const yaml_char_t *tag)
{
	if (anchor != NULL)
		return load_fail(ld, n->line, n->column, n,
		    "anchors (&%s) are refused: write the value out", (const char *)anchor);
	if (tag != NULL)
		return load_fail(ld, n->line, n->column, n,
		    "explicit tags (%s) are refused", (const char *)tag);
	return WS_OK;
}

static int
key_cmp(const void *a, const void *b)
{
	const struct ws_yaml_node *x = *(const struct ws_yaml_node *const *)a;
	const struct ws_yaml_node *y = *(const struct ws_yaml_node *const *)b;
	int c;

	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	if ((c = memcmp(x->str, y->str, x->len)) != 0)
		return c;
	return x->index < y->index ? -1 : (x->index > y->index);
}

/* Finds duplicate keys in O(n log n); reports the earliest repeated one. */
static ws_err
map_check_duplicates(struct loader *ld, const struct ws_yaml_node *map)
{
	struct ws_yaml_node **sorted = NULL;
	const struct ws_yaml_node *dup = NULL, *first = NULL;
	ws_err r = WS_OK;

	if (map->count < 2)
		return WS_OK;
	if ((sorted = malloc(map->count * sizeof(*sorted))) == NULL)
		return ws_err_set(WS_ERR_NOMEM, "YAML duplicate check");
	memcpy(sorted, map->keys, map->count * sizeof(*sorted));
	qsort(sorted, map->count, sizeof(*sorted), key_cmp);
	for (size_t i = 1, group = 0; i < map->count; i++) {
		const struct ws_yaml_node *a = sorted[group], *b = sorted[i];

		if (a->len != b->len || memcmp(a->str, b->str, a->len) != 0) {
			group = i;
			continue;
		}
		if (dup == NULL || b->index < dup->index) {
			dup = b;
			first = a;
		}
	}
	if (dup != NULL)
		r = load_fail(ld, dup->line, dup->column, dup,
		    "duplicate key (first at line %u, column %u)", first->line, first->column);
	free(sorted);
	return r;
}

static ws_err
loader_scalar(struct loader *ld, const yaml_event_t *ev)
{
	struct ws_yaml_node *n = NULL;
	ws_err r;

	if ((r = node_new(ld, WS_YAML_SCALAR, &ev->start_mark, &n)) != WS_OK)
		return r;
	if ((n->str = malloc(ev->data.scalar.length + 1)) == NULL)
		return ws_err_set(WS_ERR_NOMEM, "YAML scalar");
	memcpy(n->str, ev->data.scalar.value, ev->data.scalar.length);
	n->str[ev->data.scalar.length] = '\0';
	n->len = ev->data.scalar.length;
	n->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
	if ((r = loader_attach(ld, n)) != WS_OK)
		return r;
	if ((r = check_node_props(ld, n, ev->data.scalar.anchor, ev->data.scalar.tag)) != WS_OK)
		return r;
	if (memchr(n->str, '\0', n->len) != NULL)
		return load_fail(ld, n->line, n->column, n, "NUL bytes in values are refused");
	return WS_OK;
}

static ws_err
loader_start(struct loader *ld, const yaml_event_t *ev, enum ws_yaml_kind kind)
{
	struct ws_yaml_node *n = NULL;
	const yaml_char_t *anchor, *tag;
	ws_err r;

	if ((r = node_new(ld, kind, &ev->start_mark, &n)) != WS_OK)
		return r;
	if ((r = loader_attach(ld, n)) != WS_OK)
		return r;
	if (kind == WS_YAML_MAP) {
		anchor = ev->data.mapping_start.anchor;
		tag = ev->data.mapping_start.tag;
	} else {
		anchor = ev->data.sequence_start.anchor;
		tag = ev->data.sequence_start.tag;
	}
	if ((r = check_node_props(ld, n, anchor, tag)) != WS_OK)
		return r;
	if (ld->depth == WS_YAML_DEPTH_MAX)
		return load_fail(ld, n->line, n->column, n,
		    "nesting deeper than %d levels is refused", WS_YAML_DEPTH_MAX);
	ld->stack[ld->depth] = n;
	ld->pending_key[ld->depth] = NULL;
	ld->depth++;
	return WS_OK;
}

static ws_err
loader_end(struct loader *ld)
{
	struct ws_yaml_node *top;
	ws_err r;

	if (ld->depth == 0)
		return ws_err_set(WS_ERR_INTERNAL, "YAML: collection end without start");
	top = ld->stack[ld->depth - 1];
	if (top->kind == WS_YAML_MAP && (r = map_check_duplicates(ld, top)) != WS_OK)
		return r;
	ld->depth--;
	return WS_OK;
}

/* Line and column (1-based) of a byte offset, for reader (encoding) errors. */
static void
offset_position(const uint8_t *data, size_t len, size_t off, unsigned *line, unsigned *col)
{
	unsigned l = 1, c = 1;

	for (size_t i = 0; i < off && i < len; i++) {
		if (data[i] == '\n') {
			l++;
			c = 1;
		} else {
			c++;
		}
	}
	*line = l;
	*col = c;
}

static ws_err
loader_parser_error(struct loader *ld)
{
	const yaml_parser_t *p = &ld->parser;
	const struct ws_yaml_node *here = loader_here(ld);
	const char *problem = p->problem ? p->problem : "malformed YAML";
	unsigned line, col;

	switch (p->error) {
	case YAML_MEMORY_ERROR:
		return ws_err_set(WS_ERR_NOMEM, "%s: YAML parser", ld->doc->name);
	case YAML_READER_ERROR:
		offset_position(ld->data, ld->len, p->problem_offset, &line, &col);
		if (p->problem_value != -1)
			return load_fail(ld, line, col, here, "syntax error: %s (byte 0x%02x)", problem,
			    (unsigned)p->problem_value & 0xffu);
		return load_fail(ld, line, col, here, "syntax error: %s", problem);
	default:
		line = (unsigned)p->problem_mark.line + 1;
		col = (unsigned)p->problem_mark.column + 1;
		if (p->context != NULL)
			return load_fail(ld, line, col, here, "syntax error: %s (%s at line %u, column %u)",
			    problem, p->context, (unsigned)p->context_mark.line + 1,
			    (unsigned)p->context_mark.column + 1);
		return load_fail(ld, line, col, here, "syntax error: %s", problem);
	}
}

/* Handles one event; *done is set at the end of the stream. */
static ws_err
loader_event(struct loader *ld, const yaml_event_t *ev, bool *done)
{
	unsigned line = (unsigned)ev->start_mark.line + 1, col = (unsigned)ev->start_mark.column + 1;

	switch (ev->type) {
	case YAML_STREAM_START_EVENT:
	case YAML_DOCUMENT_END_EVENT:
	case YAML_NO_EVENT:
		return WS_OK;
	case YAML_STREAM_END_EVENT:
		*done = true;
		return WS_OK;
	case YAML_DOCUMENT_START_EVENT:
		if (ld->documents++ > 0)
			return load_fail(ld, line, col, NULL,
			    "more than one document in the file is refused");
		if (ev->data.document_start.tag_directives.start != ev->data.document_start.tag_directives.end)
			return load_fail(ld, line, col, NULL, "%%TAG directives are refused");
		return WS_OK;
	case YAML_ALIAS_EVENT:
		return load_fail(ld, line, col, loader_here(ld),
		    "aliases (*%s) are refused: write the value out", (const char *)ev->data.alias.anchor);
	case YAML_SCALAR_EVENT:
		return loader_scalar(ld, ev);
	case YAML_SEQUENCE_START_EVENT:
		return loader_start(ld, ev, WS_YAML_SEQ);
	case YAML_MAPPING_START_EVENT:
		return loader_start(ld, ev, WS_YAML_MAP);
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT:
		return loader_end(ld);
	}
	return ws_err_set(WS_ERR_INTERNAL, "YAML: unexpected event %d", (int)ev->type);
}

void
ws_yaml_free(struct ws_yaml_doc *doc)
{
	if (doc == NULL)
		return;
	for (size_t i = 0; i < doc->n_all; i++) {
		free(doc->all[i]->str);
		free(doc->all[i]->keys);
		free(doc->all[i]->values);
		free(doc->all[i]);
	}
	free(doc->all);
	free(doc->name);
	free(doc);
}

ws_err
ws_yaml_load_mem(const char *name, const uint8_t *data, size_t len, ws_err schema_err,
    struct ws_yaml_doc **out)
{
	struct loader ld;
	struct ws_yaml_doc *doc = NULL;
	bool parser_ready = false, done = false;
	ws_err r;

	memset(&ld, 0, sizeof(ld));
	if (name == NULL)
		name = "(input)";
	if (len > WS_YAML_INPUT_MAX) {
		r = ws_err_set(WS_ERR_YAML, "%s: larger than 1 MiB (%zu bytes)", name, len);
		goto out;
	}
	if ((doc = calloc(1, sizeof(*doc))) == NULL || (doc->name = strdup(name)) == NULL) {
		r = ws_err_set(WS_ERR_NOMEM, "YAML document");
		goto out;
	}
	doc->schema_err = schema_err;
	ld.doc = doc;
	ld.data = data;
	ld.len = len;
	if (!yaml_parser_initialize(&ld.parser)) {
		r = ws_err_set(WS_ERR_NOMEM, "YAML parser");
		goto out;
	}
	parser_ready = true;
	yaml_parser_set_input_string(&ld.parser, len ? data : (const unsigned char *)"", len);
	yaml_parser_set_encoding(&ld.parser, YAML_UTF8_ENCODING);
	while (!done) {
		yaml_event_t ev;

		if (!yaml_parser_parse(&ld.parser, &ev)) {
			r = loader_parser_error(&ld);
			goto out;
		}
		r = loader_event(&ld, &ev, &done);
		yaml_event_delete(&ev);
		if (r != WS_OK)
			goto out;
	}
	*out = doc;
	doc = NULL;
	r = WS_OK;
out:
	if (parser_ready)
		yaml_parser_delete(&ld.parser);
	ws_yaml_free(doc);
	return r;
}

ws_err
ws_yaml_read_file(const char *path, struct ws_buf *b)
{
	ws_err r = ws_buf_read_file(b, path, WS_YAML_INPUT_MAX);

	if (r == WS_ERR_LIMIT)
		return ws_err_set(WS_ERR_YAML, "%s: larger than 1 MiB", path);
	return r;
}

ws_err
ws_yaml_load_file(const char *path, ws_err schema_err, struct ws_yaml_doc **out)
{
	struct ws_buf b = WS_BUF_INIT(WS_YAML_INPUT_MAX);
	ws_err r;

	if ((r = ws_yaml_read_file(path, &b)) == WS_OK)
		r = ws_yaml_load_mem(path, b.data, b.len, schema_err, out);
	ws_buf_free(&b);
	return r;
}

/* --------------------------------------------------------------- getters */

bool
ws_yaml_is_null(const struct ws_yaml_node *n)
{
	if (n == NULL || n->kind != WS_YAML_SCALAR || !n->plain)
		return false;
	return n->len == 0 || strcmp(n->str, "~") == 0 || strcmp(n->str, "null") == 0 ||
	    strcmp(n->str, "Null") == 0 || strcmp(n->str, "NULL") == 0;
}

static ws_err
expect_kind(const struct ws_yaml_node *n, enum ws_yaml_kind kind, const char *what)
{
	char got[DESCRIBE_MAX];

	if (n->kind == kind)
		return WS_OK;
	ws_yaml_describe(n, got, sizeof(got));
	return ws_yaml_fail(n, "expected %s, got %s", what, got);
}

ws_err
ws_yaml_expect_map(const struct ws_yaml_node *n)
{
	return expect_kind(n, WS_YAML_MAP, "a mapping");
}

ws_err
ws_yaml_expect_seq(const struct ws_yaml_node *n)
{
	return expect_kind(n, WS_YAML_SEQ, "a sequence");
}

ws_err
ws_yaml_root_map(const struct ws_yaml_doc *doc, const struct ws_yaml_node **out)
{
	ws_err r;

	if (doc->root == NULL)
		return ws_err_set(doc->schema_err, "%s:1:1: (document): expected a mapping, got nothing",
		    doc->name);
	if ((r = ws_yaml_expect_map(doc->root)) != WS_OK)
		return r;
	*out = doc->root;
	return WS_OK;
}

ws_err
ws_yaml_check_keys(const struct ws_yaml_node *map, const char *const *allowed)
{
	char list[512];
	size_t len = 0;

	if (map->kind != WS_YAML_MAP)
		return ws_yaml_expect_map(map);
	for (size_t i = 0; i < map->count; i++) {
		const char *k = map->keys[i]->str;
		bool known = false;

		for (size_t j = 0; allowed[j] != NULL; j++)
			if (strcmp(allowed[j], k) == 0) {
				known = true;
				break;
			}
		if (known)
			continue;
		list[0] = '\0';
		for (size_t j = 0; allowed[j] != NULL; j++) {
			if (j > 0)
				append_text(list, sizeof(list), &len, ", ");
			append_text(list, sizeof(list), &len, allowed[j]);
		}
		return ws_yaml_fail(map->keys[i], "unknown key (allowed: %s)", list);
	}
	return WS_OK;
}

const struct ws_yaml_node *
ws_yaml_find(const struct ws_yaml_node *map, const char *key)
{
	size_t klen = strlen(key);

	if (map == NULL || map->kind != WS_YAML_MAP)
		return NULL;
	for (size_t i = 0; i < map->count; i++)
		if (map->keys[i]->len == klen && memcmp(map->keys[i]->str, key, klen) == 0)
			return map->values[i];
	return NULL;
}

ws_err
ws_yaml_require(const struct ws_yaml_node *map, const char *key, const struct ws_yaml_node **out)
{
	const struct ws_yaml_node *n = ws_yaml_find(map, key);

	if (n == NULL)
		return ws_yaml_fail_key(map, key, "required key is missing");
	*out = n;
	return WS_OK;
}

ws_err
ws_yaml_str(const struct ws_yaml_node *n, const char **out)
{
	char got[DESCRIBE_MAX];

	if (n->kind != WS_YAML_SCALAR || ws_yaml_is_null(n)) {
		ws_yaml_describe(n, got, sizeof(got));
		return ws_yaml_fail(n, "expected a string, got %s", got);
	}
	*out = n->str;
	return WS_OK;
}

ws_err
ws_yaml_strdup(const struct ws_yaml_node *n, char **out)
{
	const char *s = NULL;
	char *copy;
	ws_err r;

	if ((r = ws_yaml_str(n, &s)) != WS_OK)
		return r;
	if ((copy = strdup(s)) == NULL)
		return ws_err_set(WS_ERR_NOMEM, "YAML string");
	*out = copy;
	return WS_OK;
}

ws_err
ws_yaml_name(const struct ws_yaml_node *n, size_t max_len, const char *what, const char **out)
{
	char got[DESCRIBE_MAX];
	const char *s = NULL;
	bool ok;
	ws_err r;

	if ((r = ws_yaml_str(n, &s)) != WS_OK)
		return r;
	ok = n->len >= 1 && n->len <= max_len;
	for (size_t i = 0; ok && i < n->len; i++) {
		char c = s[i];

		ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    c == '.' || c == '_' || c == '-';
	}
	if (!ok) {
		ws_yaml_describe(n, got, sizeof(got));
		return ws_yaml_fail(n, "expected %s (1 to %zu of A-Z a-z 0-9 . _ -), got %s", what,
		    max_len, got);
	}
	*out = s;
	return WS_OK;
}

ws_err
ws_yaml_bool(const struct ws_yaml_node *n, bool *out)
{
	char got[DESCRIBE_MAX];

	if (n->kind == WS_YAML_SCALAR && n->plain) {
		if (strcmp(n->str, "true") == 0) {
			*out = true;
			return WS_OK;
		}
		if (strcmp(n->str, "false") == 0) {
			*out = false;
			return WS_OK;
		}
	}
	ws_yaml_describe(n, got, sizeof(got));
	return ws_yaml_fail(n, "expected true or false, got %s", got);
}

/* Decimal digits only, no leading zero (except "0"), no overflow. */
static bool
parse_decimal(const char *s, size_t len, uint64_t *out)
{
	uint64_t v = 0;

	if (len == 0 || (len > 1 && s[0] == '0'))
		return false;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		if (v > (UINT64_MAX - (uint64_t)(s[i] - '0')) / 10)
			return false;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	*out = v;
	return true;
}

ws_err
ws_yaml_uint(const struct ws_yaml_node *n, uint64_t min, uint64_t max, uint64_t *out)
{
	char got[DESCRIBE_MAX];
	uint64_t v = 0;

	if (n->kind == WS_YAML_SCALAR && n->plain && parse_decimal(n->str, n->len, &v) && v >= min &&
	    v <= max) {
		*out = v;
		return WS_OK;
	}
	ws_yaml_describe(n, got, sizeof(got));
	if (n->kind == WS_YAML_SCALAR && n->plain && parse_decimal(n->str, n->len, &v))
		return ws_yaml_fail(n, "expected an integer from %llu to %llu, got %llu",
		    (unsigned long long)min, (unsigned long long)max, (unsigned long long)v);
	return ws_yaml_fail(n, "expected an integer from %llu to %llu, got %s",
	    (unsigned long long)min, (unsigned long long)max, got);
}

ws_err
ws_yaml_unsigned(const struct ws_yaml_node *n, unsigned min, unsigned max, unsigned *out)
{
	uint64_t v = 0;
	ws_err r;

	if ((r = ws_yaml_uint(n, min, max, &v)) != WS_OK)
		return r;
	*out = (unsigned)v;
	return WS_OK;
}

ws_err
ws_yaml_enum(const struct ws_yaml_node *n, const char *const *names, int *out)
{
	char got[DESCRIBE_MAX], list[256];
	size_t len = 0;

	if (n->kind == WS_YAML_SCALAR && !ws_yaml_is_null(n))
		for (int i = 0; names[i] != NULL; i++)
			if (strcmp(names[i], n->str) == 0) {
				*out = i;
				return WS_OK;
			}
	list[0] = '\0';
	for (size_t i = 0; names[i] != NULL; i++) {
		if (i > 0)
			append_text(list, sizeof(list), &len, " | ");
		append_text(list, sizeof(list), &len, names[i]);
	}
	ws_yaml_describe(n, got, sizeof(got));
	return ws_yaml_fail(n, "expected one of %s, got %s", list, got);
}

/* Runs a text parser on a scalar node; its detail becomes the located message. */
static ws_err
scalar_parse_fail(const struct ws_yaml_node *n)
{
	char what[MSG_MAX], got[DESCRIBE_MAX];

	snprintf(what, sizeof(what), "%s", ws_err_detail());
	ws_yaml_describe(n, got, sizeof(got));
	return ws_yaml_fail(n, "%s, got %s", what, got);
}

static bool
scalar_text(const struct ws_yaml_node *n, const char **s)
{
	if (n->kind != WS_YAML_SCALAR || ws_yaml_is_null(n))
		return false;
	*s = n->str;
	return true;
}

ws_err
ws_yaml_duration(const struct ws_yaml_node *n, uint64_t min, uint64_t max, uint64_t *out)
{
	char lo[32], hi[32], got[DESCRIBE_MAX];
	const char *s = NULL;
	uint64_t v = 0;

	if (!scalar_text(n, &s) || ws_parse_duration(s, &v) != WS_OK) {
		if (s == NULL)	/* not a scalar: let the parser word what it expects */
			ws_parse_duration("", &v);
		return scalar_parse_fail(n);
	}
	if (v < min || v > max) {
		ws_format_duration(min, lo, sizeof(lo));
		ws_format_duration(max, hi, sizeof(hi));
		ws_yaml_describe(n, got, sizeof(got));
		return ws_yaml_fail(n, "expected a duration from %s to %s, got %s", lo, hi, got);
	}
	*out = v;
	return WS_OK;
}

ws_err
ws_yaml_size(const struct ws_yaml_node *n, uint64_t min, uint64_t max, uint64_t *out)
{
	char lo[32], hi[32], got[DESCRIBE_MAX];
	const char *s = NULL;
	uint64_t v = 0;

	if (!scalar_text(n, &s) || ws_parse_size(s, &v) != WS_OK) {
		if (s == NULL)
			ws_parse_size("", &v);
		return scalar_parse_fail(n);
	}
	if (v < min || v > max) {
		ws_format_size(min, lo, sizeof(lo));
		ws_format_size(max, hi, sizeof(hi));
		ws_yaml_describe(n, got, sizeof(got));
		return ws_yaml_fail(n, "expected a size from %s to %s, got %s", lo, hi, got);
	}
	*out = v;
	return WS_OK;
}

ws_err
ws_yaml_mode(const struct ws_yaml_node *n, mode_t *out)
{
	const char *s = NULL;
	mode_t v = 0;

	if (!scalar_text(n, &s) || ws_parse_mode(s, &v) != WS_OK) {
		if (s == NULL)
			ws_parse_mode("", &v);
		return scalar_parse_fail(n);
	}
	*out = v;
	return WS_OK;
}

ws_err
ws_yaml_rate(const struct ws_yaml_node *n, unsigned *count, unsigned *period_s)
{
	const char *s = NULL;
	unsigned c = 0, p = 0;

	if (!scalar_text(n, &s) || ws_parse_rate(s, &c, &p) != WS_OK) {
		if (s == NULL)
			ws_parse_rate("", &c, &p);
		return scalar_parse_fail(n);
	}
	*count = c;
	*period_s = p;
	return WS_OK;
}

/* ----------------------------------------------------- value syntaxes */

/* Splits "123unit": digits, then the rest. False when no digits. */
static bool
split_number(const char *s, uint64_t *num, const char **unit, bool *overflow)
{
	size_t i = 0;

	*overflow = false;
	while (s[i] >= '0' && s[i] <= '9')
		i++;
	if (i == 0)
		return false;
	if (!parse_decimal(s, i, num)) {
		/* Leading zeros or overflow. */
		if (i > 1 && s[0] == '0')
			return false;
		*overflow = true;
		return false;
	}
	*unit = s + i;
	return true;
}

ws_err
ws_parse_duration(const char *s, uint64_t *out)
{
	static const struct { const char *unit; uint64_t seconds; } units[] = {
		{ "s", 1 }, { "m", 60 }, { "h", 3600 }, { "d", 86400 }, { "w", 7 * 86400 },
		{ "y", 365 * 86400 },
	};
	const char *unit = NULL;
	uint64_t num = 0;
	bool overflow = false;

	if (split_number(s, &num, &unit, &overflow)) {
		for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
			if (strcmp(unit, units[i].unit) != 0)
				continue;
			if (num == 0)
				return ws_err_set(WS_ERR_INVALID_ARGUMENT,
				    "expected a duration greater than zero");
			if (num > WS_DURATION_MAX / units[i].seconds)
				return ws_err_set(WS_ERR_INVALID_ARGUMENT, "expected a shorter duration");
			*out = num * units[i].seconds;
			return WS_OK;
		}
	}
	if (overflow)
		return ws_err_set(WS_ERR_INVALID_ARGUMENT, "expected a shorter duration");
	return ws_err_set(WS_ERR_INVALID_ARGUMENT,
	    "expected a duration (a number and one of the units s, m, h, d, w, y: 30s, 10m, 7d, 20y)");
}

ws_err
ws_parse_size(const char *s, uint64_t *out)
{
	static const struct { const char *unit; unsigned shift; } units[] = {
		{ "", 0 }, { "KiB", 10 }, { "MiB", 20 }, { "GiB", 30 }, { "TiB", 40 },
	};
	const char *unit = NULL;
	uint64_t num = 0;
	bool overflow = false;

	if (split_number(s, &num, &unit, &overflow)) {
		for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
			if (strcmp(unit, units[i].unit) != 0)
				continue;
			if (num > (UINT64_MAX >> units[i].shift))
				return ws_err_set(WS_ERR_INVALID_ARGUMENT, "expected a smaller size");
			*out = num << units[i].shift;
			return WS_OK;
		}
	}
	if (overflow)
		return ws_err_set(WS_ERR_INVALID_ARGUMENT, "expected a smaller size");
	return ws_err_set(WS_ERR_INVALID_ARGUMENT,
	    "expected a size (bytes, or a number and one of KiB, MiB, GiB, TiB: 64KiB, 128MiB)");
}

ws_err
ws_parse_mode(const char *s, mode_t *out)
{
	size_t len = strlen(s);
	unsigned v = 0;

	if (len == 3 || (len == 4 && s[0] == '0')) {
		size_t i;

		for (i = 0; i < len && s[i] >= '0' && s[i] <= '7'; i++)
			v = v * 8 + (unsigned)(s[i] - '0');
		if (i == len && v <= 0777) {
			*out = (mode_t)v;
			return WS_OK;
		}
	}
	return ws_err_set(WS_ERR_INVALID_ARGUMENT,
	    "expected an octal file mode such as \"0660\" (at most 0777)");
}

ws_err
ws_parse_rate(const char *s, unsigned *count, unsigned *period_s)
{
	static const struct { const char *unit; unsigned seconds; } units[] = {
		{ "/s", 1 }, { "/min", 60 }, { "/h", 3600 },
	};
	const char *unit = NULL;
	uint64_t num = 0;
	bool overflow = false;

	if (split_number(s, &num, &unit, &overflow) && num >= 1 && num <= WS_RATE_COUNT_MAX) {
		for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
			if (strcmp(unit, units[i].unit) == 0) {
				*count = (unsigned)num;
				*period_s = units[i].seconds;
				return WS_OK;
			}
		}
	}
	return ws_err_set(WS_ERR_INVALID_ARGUMENT, "expected COUNT/min|s|h");
}

void
ws_format_duration(uint64_t seconds, char *buf, size_t size)
{
	static const struct { char unit; uint64_t seconds; } units[] = {
		{ 'y', 365 * 86400 }, { 'd', 86400 }, { 'h', 3600 }, { 'm', 60 },
	};

	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (seconds != 0 && seconds % units[i].seconds == 0) {
			snprintf(buf, size, "%llu%c", (unsigned long long)(seconds / units[i].seconds),
			    units[i].unit);
			return;
		}
	snprintf(buf, size, "%llus", (unsigned long long)seconds);
}

void
ws_format_size(uint64_t bytes, char *buf, size_t size)
{
	static const struct { const char *unit; unsigned shift; } units[] = {
		{ "TiB", 40 }, { "GiB", 30 }, { "MiB", 20 }, { "KiB", 10 },
	};

	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (bytes != 0 && bytes % ((uint64_t)1 << units[i].shift) == 0) {
			snprintf(buf, size, "%llu%s", (unsigned long long)(bytes >> units[i].shift),
			    units[i].unit);
			return;
		}
	snprintf(buf, size, "%llu", (unsigned long long)bytes);
}
