/*
 * ws_cjson.c -- canonical JSON encoder (see ws_cjson.h).
 */
#include "config.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "ws_cjson.h"

struct cjson_key {
	const char *key;
	size_t len;
	json_t *value;
};

static int
cjson_key_cmp(const void *a, const void *b)
{
	const struct cjson_key *x = a, *y = b;
	size_t n = x->len < y->len ? x->len : y->len;
	int c = memcmp(x->key, y->key, n);

	if (c != 0)
		return c;
	return x->len < y->len ? -1 : x->len > y->len;
}

static ws_err
cjson_string(const char *s, size_t len, unsigned flags, struct ws_buf *out)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, run = 0;
	ws_err r;

	if ((r = ws_buf_put_u8(out, '"')) != WS_OK)
		return r;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		char esc[7];
		size_t esc_len = 0;

		if ((flags & WS_CJSON_PRINTABLE_ASCII) && (c < 0x20 || c > 0x7e))
			return ws_err_set(WS_ERR_JSON_NOT_ASCII,
			    "byte 0x%02x at offset %zu of \"%.40s\"", c, i, s);
		if (c == '"' || c == '\\') {
			esc[0] = '\\';
			esc[1] = (char)c;
			esc_len = 2;
		} else if (c < 0x20 && (flags & WS_CJSON_VALID_JSON)) {
			esc[0] = '\\';
			switch (c) {
			case '\b': esc[1] = 'b'; esc_len = 2; break;
			case '\f': esc[1] = 'f'; esc_len = 2; break;
			case '\n': esc[1] = 'n'; esc_len = 2; break;
			case '\r': esc[1] = 'r'; esc_len = 2; break;
			case '\t': esc[1] = 't'; esc_len = 2; break;
			default:
				memcpy(esc + 1, "u00", 3);
				esc[4] = hex[c >> 4];
				esc[5] = hex[c & 15];
				esc_len = 6;
			}
		}
		if (esc_len == 0) {
			run++;
			continue;
		}
		if ((r = ws_buf_put(out, s + i - run, run)) != WS_OK ||
		    (r = ws_buf_put(out, esc, esc_len)) != WS_OK)
			return r;
		run = 0;
	}
	if ((r = ws_buf_put(out, s + len - run, run)) != WS_OK)
		return r;
	return ws_buf_put_u8(out, '"');
}

static ws_err
cjson_value(const json_t *v, unsigned flags, unsigned depth, struct ws_buf *out)
{
	struct cjson_key *keys = NULL;
	size_t i, n;
	ws_err r = WS_OK;

	if (depth > WS_CJSON_DEPTH_MAX)
		return ws_err_set(WS_ERR_JSON_DEPTH, "more than %d levels of nesting", WS_CJSON_DEPTH_MAX);
	switch (json_typeof(v)) {
	case JSON_NULL:
		return ws_buf_put_str(out, "null");
	case JSON_TRUE:
		return ws_buf_put_str(out, "true");
	case JSON_FALSE:
		return ws_buf_put_str(out, "false");
	case JSON_INTEGER:
		return ws_buf_printf(out, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
	case JSON_REAL:
		return ws_err_set(WS_ERR_JSON_FLOAT, "%.17g is not an integer", json_real_value(v));
	case JSON_STRING:
		return cjson_string(json_string_value(v), json_string_length(v), flags, out);
	case JSON_ARRAY:
		if ((r = ws_buf_put_u8(out, '[')) != WS_OK)
			return r;
		n = json_array_size(v);
		for (i = 0; i < n; i++) {
			if (i > 0 && (r = ws_buf_put_u8(out, ',')) != WS_OK)
				return r;
			if ((r = cjson_value(json_array_get(v, i), flags, depth + 1, out)) != WS_OK)
				return r;
		}
		return ws_buf_put_u8(out, ']');
	case JSON_OBJECT: {
		const char *key;
		size_t key_len;
		json_t *child;

		n = json_object_size(v);
		if (n > 0 && (keys = calloc(n, sizeof(*keys))) == NULL)
			return ws_err_set(WS_ERR_NOMEM, "sorting %zu keys", n);
		i = 0;
		json_object_keylen_foreach((json_t *)v, key, key_len, child) {
			keys[i].key = key;
			keys[i].len = key_len;
			keys[i].value = child;
			i++;
		}
		if (n > 1)
			qsort(keys, n, sizeof(*keys), cjson_key_cmp);
		if ((r = ws_buf_put_u8(out, '{')) != WS_OK)
			goto out;
		for (i = 0; i < n; i++) {
			if (i > 0 && (r = ws_buf_put_u8(out, ',')) != WS_OK)
				goto out;
			if ((r = cjson_string(keys[i].key, keys[i].len, flags, out)) != WS_OK ||
			    (r = ws_buf_put_u8(out, ':')) != WS_OK ||
			    (r = cjson_value(keys[i].value, flags, depth + 1, out)) != WS_OK) {
				if (r == WS_ERR_JSON_NOT_ASCII || r == WS_ERR_JSON_FLOAT)
					ws_err_prefix("%.64s", keys[i].key);
				goto out;
			}
		}
		r = ws_buf_put_u8(out, '}');
	out:
		free(keys);
		return r;
	}
	}
	return ws_err_set(WS_ERR_INTERNAL, "unknown JSON type");
}

ws_err
ws_cjson_encode(const json_t *v, unsigned flags, struct ws_buf *out)
{
	size_t start = out->len;
	ws_err r = cjson_value(v, flags, 0, out);

	if (r != WS_OK)
		out->len = start;	/* nothing half-written */
	return r;
}
