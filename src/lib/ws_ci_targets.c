/*
 * ws_ci_targets.c -- one pass over a CI targets file (see ws_ci_targets.h).
 *
 * A recursive-descent tokenizer over the bytes. Each value is scanned with
 * a "role" saying where it sits (the top object, signed, the targets map, a
 * target, its custom, custom.version, custom.tags); only those roles look
 * at what they scan, everything else is validated and skipped. When a
 * target ends and it matched, its byte span is handed to ws_json_parse(),
 * so the selected values are exactly what the strict tree parser builds.
 *
 * Duplicate keys are found without copying keys: every open object keeps
 * a record of each key's raw span on one shared stack; small objects are
 * searched linearly, big ones (the targets map) through an index of the
 * decoded keys' hashes built for that object alone and freed with it.
 */
#include "config.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ws_ci_targets.h"
#include "ws_json.h"

/* Byte classes inside a string: 0 is the fast path. */
enum { C_PLAIN = 0, C_QUOTE, C_BACKSLASH, C_CONTROL, C_HIGH };

static const uint8_t string_class[256] = {
	[0x00 ... 0x1f] = C_CONTROL,
	['"'] = C_QUOTE,
	['\\'] = C_BACKSLASH,
	[0x80 ... 0xff] = C_HIGH,
};

enum ci_role {
	ROLE_ANY,	/* validate only */
	ROLE_TOP,
	ROLE_SIGNED,
	ROLE_TARGETS,
	ROLE_TARGET,
	ROLE_CUSTOM,
	ROLE_VERSION,
	ROLE_TAGS,
	ROLE_TAG,
};

/* Where the targets map was found. */
#define SEEN_TOP_TARGETS    1u
#define SEEN_SIGNED_TARGETS 2u

/* Objects with more keys than this get a hash index for duplicate checks. */
#define KEYS_LINEAR_MAX 16u
#define KEY_ESCAPED 0x80000000u

struct ci_key {
	uint64_t hash;		/* key_hash() of the decoded key, once indexed */
	uint32_t off;		/* raw span between the quotes */
	uint32_t len;		/* | KEY_ESCAPED when the span holds escapes */
};

/* What the scan learned about the target being scanned. */
struct ci_target {
	size_t name_off, name_len;	/* raw key span */
	bool name_escaped;
	bool has_version;
	bool version_match;
	bool tag_match;
};

struct ci_scan {
	const uint8_t *data;
	size_t len;
	size_t off;

	struct ci_key *keys;
	size_t nkeys, capkeys;
	char *scratch;			/* decoding buffer for escaped strings */
	size_t scratch_cap;

	bool select;
	const char *version;
	size_t version_len;
	const char *source_tag;
	size_t source_tag_len;
	json_t *selected;

	const char *targets_path;	/* "signed.targets" or "targets" */
	unsigned seen;
	bool has_signed;
	size_t n_targets;		/* targets in the file */
	size_t n_version;		/* of which custom.version matched */
};

/* "line L, column C (byte B): <what>" for the byte at offset at. */
static ws_err scan_fail(const struct ci_scan *s, size_t at, ws_err code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static ws_err
scan_fail(const struct ci_scan *s, size_t at, ws_err code, const char *fmt, ...)
{
	char what[768];
	size_t line = 1, line_start = 0, i;
	const uint8_t *nl;
	va_list ap;

	if (at > s->len)
		at = s->len;
	for (i = 0; i < at && (nl = memchr(s->data + i, '\n', at - i)) != NULL; ) {
		line++;
		i = (size_t)(nl - s->data) + 1;
		line_start = i;
	}
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	return ws_err_set(code, "line %zu, column %zu (byte %zu): %s", line, at - line_start + 1, at, what);
}

static int
hex_value(uint8_t c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Four hex digits at p (caller checked the bytes exist); -1 if not hex. */
static long
hex4(const uint8_t *p)
{
	long v = 0;

	for (int k = 0; k < 4; k++) {
		int h = hex_value(p[k]);

		if (h < 0)
			return -1;
		v = (v << 4) | h;
	}
	return v;
}

static size_t
utf8_put(unsigned long cp, char *out)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/*
 * Decodes an already validated raw string span into out (room for n bytes:
 * decoding never grows a JSON string). Returns the decoded length.
 */
static size_t
decode_span(const uint8_t *p, size_t n, char *out)
{
	size_t i = 0, o = 0;

	while (i < n) {
		unsigned long cp;

		if (p[i] != '\\') {
			out[o++] = (char)p[i++];
			continue;
		}
		switch (p[i + 1]) {
		case 'b': out[o++] = '\b'; i += 2; continue;
		case 'f': out[o++] = '\f'; i += 2; continue;
		case 'n': out[o++] = '\n'; i += 2; continue;
		case 'r': out[o++] = '\r'; i += 2; continue;
		case 't': out[o++] = '\t'; i += 2; continue;
		case 'u': break;
		default: out[o++] = (char)p[i + 1]; i += 2; continue;
		}
		cp = (unsigned long)hex4(p + i + 2);
		i += 6;
		if (cp >= 0xd800 && cp <= 0xdbff) {
			cp = 0x10000 + ((cp - 0xd800) << 10) + ((unsigned long)hex4(p + i + 2) - 0xdc00);
			i += 6;
		}
		o += utf8_put(cp, out + o);
	}
	return o;
}

/* The decoded form of a span: borrowed from s->scratch until the next call. */
static ws_err
scan_decode(struct ci_scan *s, size_t off, size_t len, const char **out, size_t *out_len)
{
	if (s->scratch_cap < len + 1) {
		char *p = realloc(s->scratch, len + 1);

		if (p == NULL)
			return ws_err_set(WS_ERR_NOMEM, "decoding a %zu-byte string", len);
		s->scratch = p;
		s->scratch_cap = len + 1;
	}
	*out_len = decode_span(s->data + off, len, s->scratch);
	s->scratch[*out_len] = '\0';
	*out = s->scratch;
	return WS_OK;
}

/* Does the string at span equal lit (decoded)? */
static ws_err
span_equals(struct ci_scan *s, size_t off, size_t len, bool escaped, const char *lit,
    size_t lit_len, bool *eq)
{
	const char *d;
	size_t dlen;
	ws_err r;

	if (!escaped) {
		*eq = len == lit_len && memcmp(s->data + off, lit, len) == 0;
		return WS_OK;
	}
	if ((r = scan_decode(s, off, len, &d, &dlen)) != WS_OK)
		return r;
	*eq = dlen == lit_len && memcmp(d, lit, dlen) == 0;
	return WS_OK;
}

/* A key hash, eight bytes at a time (keys are short; no need for more). */
static uint64_t
key_hash(const void *p, size_t n)
{
	const uint8_t *b = p;
	uint64_t h = 0x9e3779b97f4a7c15ull ^ n, w;

	for (; n >= 8; n -= 8, b += 8) {
		memcpy(&w, b, 8);
		h = (h ^ w) * 0xff51afd7ed558ccdull;
		h ^= h >> 32;
	}
	if (n > 0) {
		w = 0;
		memcpy(&w, b, n);
		h = (h ^ w) * 0xc4ceb9fe1a85ec53ull;
	}
	return h ^ (h >> 29);
}

#define ONES  0x0101010101010101ull
#define HIGHS 0x8080808080808080ull

/*
 * Does the word hold a byte that ends the fast path of a string: '"',
 * '\', a control character or a non-ASCII byte? (The classic "has zero
 * byte" tests: exact for the word as a whole.)
 */
static inline bool
word_has_special(uint64_t w)
{
	uint64_t q = w ^ (ONES * '"'), bs = w ^ (ONES * '\\');

	return (((q - ONES) & ~q) | ((bs - ONES) & ~bs) | ((w - ONES * 0x20) & ~w) | w) & HIGHS;
}

static void
skip_ws(struct ci_scan *s)
{
	const uint8_t *d = s->data;
	size_t i = s->off, n = s->len;

	while (i < n && (d[i] == ' ' || d[i] == '\n' || d[i] == '\r' || d[i] == '\t'))
		i++;
	s->off = i;
}

/* One escape at d[*pos] == '\\'; advances *pos past it. */
static ws_err
scan_escape(struct ci_scan *s, size_t *pos)
{
	const uint8_t *d = s->data;
	size_t i = *pos, n = s->len;
	long cp, lo;

	if (i + 1 >= n)
		return scan_fail(s, i, WS_ERR_JSON_SYNTAX, "unterminated string");
	switch (d[i + 1]) {
	case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't':
		*pos = i + 2;
		return WS_OK;
	case 'u':
		break;
	default:
		return scan_fail(s, i, WS_ERR_JSON_SYNTAX, "invalid escape '\\%c' in a string",
		    d[i + 1] >= 0x20 && d[i + 1] < 0x7f ? d[i + 1] : '?');
	}
	if (i + 6 > n || (cp = hex4(d + i + 2)) < 0)
		return scan_fail(s, i, WS_ERR_JSON_SYNTAX, "invalid \\u escape (four hex digits expected)");
	if (cp == 0)
		return scan_fail(s, i, WS_ERR_JSON_UTF8, "\\u0000 (NUL) is not allowed in a string");
	if (cp >= 0xdc00 && cp <= 0xdfff)
		return scan_fail(s, i, WS_ERR_JSON_SYNTAX, "lone low surrogate \\u%04lX in a string", cp);
	if (cp >= 0xd800 && cp <= 0xdbff) {
		if (i + 12 > n || d[i + 6] != '\\' || d[i + 7] != 'u' ||
		    (lo = hex4(d + i + 8)) < 0xdc00 || lo > 0xdfff)
			return scan_fail(s, i, WS_ERR_JSON_SYNTAX,
			    "high surrogate \\u%04lX not followed by a low surrogate", cp);
		*pos = i + 12;
		return WS_OK;
	}
	*pos = i + 6;
	return WS_OK;
}

/* One multi-byte UTF-8 sequence at d[*pos] >= 0x80 (RFC 3629, strict). */
static ws_err
scan_utf8(struct ci_scan *s, size_t *pos)
{
	const uint8_t *d = s->data;
	size_t i = *pos, n = s->len, need;
	uint8_t c = d[i], lo = 0x80, hi = 0xbf;

	if (c < 0xc2 || c > 0xf4)
		return scan_fail(s, i, WS_ERR_JSON_UTF8, "invalid UTF-8 byte 0x%02x in a string", c);
	if (c < 0xe0) {
		need = 1;
	} else if (c < 0xf0) {
		need = 2;
		if (c == 0xe0)
			lo = 0xa0;
		else if (c == 0xed)
			hi = 0x9f;	/* no UTF-16 surrogates */
	} else {
		need = 3;
		if (c == 0xf0)
			lo = 0x90;
		else if (c == 0xf4)
			hi = 0x8f;	/* nothing above U+10FFFF */
	}
	if (i + need >= n)
		return scan_fail(s, i, WS_ERR_JSON_UTF8, "truncated UTF-8 sequence in a string");
	if (d[i + 1] < lo || d[i + 1] > hi)
		return scan_fail(s, i, WS_ERR_JSON_UTF8, "invalid UTF-8 sequence 0x%02x 0x%02x in a string",
		    c, d[i + 1]);
	for (size_t k = 2; k <= need; k++)
		if (d[i + k] < 0x80 || d[i + k] > 0xbf)
			return scan_fail(s, i, WS_ERR_JSON_UTF8, "invalid UTF-8 continuation byte 0x%02x in a string",
			    d[i + k]);
	*pos = i + need + 1;
	return WS_OK;
}

/* A string at d[s->off] == '"'; leaves s->off past the closing quote. */
static ws_err
scan_string(struct ci_scan *s, size_t *raw_off, size_t *raw_len, bool *escaped)
{
	const uint8_t *d = s->data;
	size_t n = s->len, start = s->off + 1, i = start;
	bool esc = false;
	ws_err r;

	for (;;) {
		uint64_t w;

		while (i + 8 <= n) {
			memcpy(&w, d + i, 8);
			if (word_has_special(w))
				break;
			i += 8;
		}
		while (i < n && string_class[d[i]] == C_PLAIN)
			i++;
		if (i >= n)
			return scan_fail(s, s->off, WS_ERR_JSON_SYNTAX, "unterminated string");
		switch (string_class[d[i]]) {
		case C_QUOTE:
			*raw_off = start;
			*raw_len = i - start;
			*escaped = esc;
			s->off = i + 1;
			return WS_OK;
		case C_BACKSLASH:
			if ((r = scan_escape(s, &i)) != WS_OK)
				return r;
			esc = true;
			break;
		case C_CONTROL:
			return scan_fail(s, i, WS_ERR_JSON_SYNTAX,
			    "control character 0x%02x in a string (it must be escaped)", d[i]);
		default:
			if ((r = scan_utf8(s, &i)) != WS_OK)
				return r;
			break;
		}
	}
}

static bool
is_digit(uint8_t c)
{
	return c >= '0' && c <= '9';
}

/* A number; only integers within int64 are accepted. */
static ws_err
scan_number(struct ci_scan *s)
{
	const uint8_t *d = s->data;
	size_t n = s->len, start = s->off, i = start, digits;
	bool neg = false, real = false;

	if (d[i] == '-') {
		neg = true;
		i++;
	}
	if (i >= n || !is_digit(d[i]))
		return scan_fail(s, start, WS_ERR_JSON_SYNTAX, "invalid number");
	if (d[i] == '0')
		i++;
	else
		while (i < n && is_digit(d[i]))
			i++;
	digits = i - start - (neg ? 1 : 0);
	if (i < n && d[i] == '.') {
		i++;
		if (i >= n || !is_digit(d[i]))
			return scan_fail(s, start, WS_ERR_JSON_SYNTAX, "invalid number (digits expected after '.')");
		while (i < n && is_digit(d[i]))
			i++;
		real = true;
	}
	if (i < n && (d[i] == 'e' || d[i] == 'E')) {
		i++;
		if (i < n && (d[i] == '+' || d[i] == '-'))
			i++;
		if (i >= n || !is_digit(d[i]))
			return scan_fail(s, start, WS_ERR_JSON_SYNTAX, "invalid number (digits expected in the exponent)");
		while (i < n && is_digit(d[i]))
			i++;
		real = true;
	}
	if (real)
		return scan_fail(s, start, WS_ERR_JSON_FLOAT, "%.*s is not an integer",
		    (int)(i - start < 40 ? i - start : 40), (const char *)d + start);
	if (digits > 19 || (digits == 19 &&
	    memcmp(d + start + (neg ? 1 : 0), neg ? "9223372036854775808" : "9223372036854775807", 19) > 0))
		return scan_fail(s, start, WS_ERR_JSON_FLOAT, "%.*s is outside the 64-bit integer range",
		    (int)(i - start < 40 ? i - start : 40), (const char *)d + start);
	s->off = i;
	return WS_OK;
}

static ws_err
scan_literal(struct ci_scan *s, const char *word, size_t wlen)
{
	if (s->len - s->off < wlen || memcmp(s->data + s->off, word, wlen) != 0)
		return scan_fail(s, s->off, WS_ERR_JSON_SYNTAX, "invalid token (expected a JSON value)");
	s->off += wlen;
	return WS_OK;
}

static const char *
value_kind(uint8_t c)
{
	switch (c) {
	case '{': return "an object";
	case '[': return "an array";
	case '"': return "a string";
	case 't': case 'f': return "a boolean";
	case 'n': return "null";
	default: return "a number";
	}
}

/* Names the value being scanned, for messages: `signed.targets."x".custom`. */
static void
role_path(const struct ci_scan *s, enum ci_role role, const struct ci_target *t, char *buf, size_t size)
{
	const char *suffix = "";
	int name_len;

	switch (role) {
	case ROLE_TOP:
		snprintf(buf, size, "the top level");
		return;
	case ROLE_SIGNED:
		snprintf(buf, size, "signed");
		return;
	case ROLE_TARGETS:
		snprintf(buf, size, "%s", s->targets_path);
		return;
	case ROLE_CUSTOM: suffix = ".custom"; break;
	case ROLE_VERSION: suffix = ".custom.version"; break;
	case ROLE_TAGS: suffix = ".custom.tags"; break;
	case ROLE_TAG: suffix = ".custom.tags[]"; break;
	default: break;
	}
	name_len = t->name_len > 80 ? 80 : (int)t->name_len;
	snprintf(buf, size, "%s.\"%.*s%s\"%s", s->targets_path, name_len,
	    (const char *)s->data + t->name_off, t->name_len > 80 ? "..." : "", suffix);
}

static ws_err
scan_type_error(const struct ci_scan *s, enum ci_role role, const struct ci_target *t, const char *expected)
{
	char path[160];

	role_path(s, role, t, path, sizeof(path));
	return scan_fail(s, s->off, WS_ERR_JSON_TYPE, "%s: expected %s, got %s", path, expected,
	    value_kind(s->data[s->off]));
}

static ws_err scan_value(struct ci_scan *s, unsigned depth, enum ci_role role, struct ci_target *t);

static ws_err
keys_push(struct ci_scan *s, uint64_t hash, size_t off, size_t len, bool escaped)
{
	if (s->nkeys == s->capkeys) {
		size_t cap = s->capkeys ? s->capkeys * 2 : 256;
		struct ci_key *k = realloc(s->keys, cap * sizeof(*k));

		if (k == NULL)
			return ws_err_set(WS_ERR_NOMEM, "indexing %zu object keys", cap);
		s->keys = k;
		s->capkeys = cap;
	}
	s->keys[s->nkeys].hash = hash;
	s->keys[s->nkeys].off = (uint32_t)off;
	s->keys[s->nkeys].len = (uint32_t)len | (escaped ? KEY_ESCAPED : 0);
	s->nkeys++;
	return WS_OK;
}

/* Do two keys with equal hashes decode to the same bytes? */
static ws_err
keys_equal(struct ci_scan *s, const struct ci_key *a, size_t off, size_t len, bool escaped, bool *eq)
{
	size_t alen = a->len & ~KEY_ESCAPED;
	char *copy = NULL;
	const char *d;
	size_t dlen;
	ws_err r;

	if (!(a->len & KEY_ESCAPED))
		return span_equals(s, off, len, escaped, (const char *)s->data + a->off, alen, eq);
	/* Rare: the stored key has escapes; decode it into its own copy. */
	if ((r = scan_decode(s, a->off, alen, &d, &dlen)) != WS_OK)
		return r;
	if ((copy = malloc(dlen + 1)) == NULL)
		return ws_err_set(WS_ERR_NOMEM, "comparing keys");
	memcpy(copy, d, dlen);
	r = span_equals(s, off, len, escaped, copy, dlen, eq);
	free(copy);
	return r;
}

struct key_index {
	uint32_t *slots;	/* 0 = empty, else 1 + position in the frame */
	size_t cap;		/* power of two */
};

static void
key_index_insert(struct key_index *ix, uint64_t hash, uint32_t pos)
{
	size_t m = ix->cap - 1, j = (size_t)hash & m;

	while (ix->slots[j] != 0)
		j = (j + 1) & m;
	ix->slots[j] = pos + 1;
}

static ws_err
key_index_grow(struct ci_scan *s, struct key_index *ix, size_t frame, size_t count)
{
	size_t cap = 64;
	uint32_t *slots;

	while (cap < count * 4)
		cap *= 2;
	if ((slots = calloc(cap, sizeof(*slots))) == NULL)
		return ws_err_set(WS_ERR_NOMEM, "indexing %zu object keys", count);
	free(ix->slots);
	ix->slots = slots;
	ix->cap = cap;
	for (size_t k = 0; k < count; k++)
		key_index_insert(ix, s->keys[frame + k].hash, (uint32_t)k);
	return WS_OK;
}

/* The hash of a key, from its decoded bytes. */
static ws_err
key_hash_of(struct ci_scan *s, size_t off, size_t len, bool escaped, uint64_t *hash)
{
	const char *d;
	size_t dlen;
	ws_err r;

	if (!escaped) {
		*hash = key_hash(s->data + off, len);
		return WS_OK;
	}
	if ((r = scan_decode(s, off, len, &d, &dlen)) != WS_OK)
		return r;
	*hash = key_hash(d, dlen);
	return WS_OK;
}

/*
 * Checks that the key at span is new in the object whose keys start at
 * frame, then records it. Small objects compare keys directly and hash
 * nothing; from KEYS_LINEAR_MAX keys on, every key of the object is hashed
 * into its index.
 */
static ws_err
key_add(struct ci_scan *s, size_t frame, struct key_index *ix, size_t key_at, size_t off, size_t len,
    bool escaped)
{
	size_t count = s->nkeys - frame;
	uint64_t hash = 0;
	bool eq;
	ws_err r;

	if (count >= WS_CI_TARGETS_MEMBERS_MAX)
		return scan_fail(s, key_at, WS_ERR_LIMIT, "more than %zu members in one object",
		    WS_CI_TARGETS_MEMBERS_MAX);
	if (count < KEYS_LINEAR_MAX) {
		for (size_t k = frame; k < s->nkeys; k++) {
			const struct ci_key *o = &s->keys[k];

			if ((o->len & ~KEY_ESCAPED) != len && !escaped && !(o->len & KEY_ESCAPED))
				continue;
			if ((r = keys_equal(s, o, off, len, escaped, &eq)) != WS_OK)
				return r;
			if (eq)
				goto duplicate;
		}
	} else {
		if (ix->cap == 0) {
			/* The object just grew big: hash the keys it has so far. */
			for (size_t k = frame; k < s->nkeys; k++) {
				struct ci_key *o = &s->keys[k];

				if ((r = key_hash_of(s, o->off, o->len & ~KEY_ESCAPED, (o->len & KEY_ESCAPED) != 0,
				    &o->hash)) != WS_OK)
					return r;
			}
		}
		if ((ix->cap == 0 || count * 2 >= ix->cap) &&
		    (r = key_index_grow(s, ix, frame, count)) != WS_OK)
			return r;
		if ((r = key_hash_of(s, off, len, escaped, &hash)) != WS_OK)
			return r;
		for (size_t j = (size_t)hash & (ix->cap - 1); ix->slots[j] != 0; j = (j + 1) & (ix->cap - 1)) {
			const struct ci_key *k = &s->keys[frame + ix->slots[j] - 1];

			if (k->hash != hash)
				continue;
			if ((r = keys_equal(s, k, off, len, escaped, &eq)) != WS_OK)
				return r;
			if (eq)
				goto duplicate;
		}
	}
	if ((r = keys_push(s, hash, off, len, escaped)) != WS_OK)
		return r;
	if (ix->cap != 0)
		key_index_insert(ix, hash, (uint32_t)count);
	return WS_OK;
duplicate:
	return scan_fail(s, key_at, WS_ERR_JSON_DUPLICATE_KEY, "duplicate object key \"%.*s%s\"",
	    (int)(len > 80 ? 80 : len), (const char *)s->data + off, len > 80 ? "..." : "");
}

/* The role of a member's value, from the role of its object and the key. */
static ws_err
member_role(struct ci_scan *s, enum ci_role role, size_t off, size_t len, bool escaped,
    enum ci_role *child)
{
#define KEY(k) k, sizeof(k) - 1
	static const struct {
		enum ci_role parent;
		const char *key;
		size_t key_len;
		enum ci_role child;
	} table[] = {
		{ ROLE_TOP, KEY("signed"), ROLE_SIGNED },
		{ ROLE_TOP, KEY("targets"), ROLE_TARGETS },
		{ ROLE_SIGNED, KEY("targets"), ROLE_TARGETS },
		{ ROLE_TARGET, KEY("custom"), ROLE_CUSTOM },
		{ ROLE_CUSTOM, KEY("version"), ROLE_VERSION },
		{ ROLE_CUSTOM, KEY("tags"), ROLE_TAGS },
	};
#undef KEY
	bool eq;
	ws_err r;

	*child = ROLE_ANY;
	if (role == ROLE_ANY)
		return WS_OK;
	if (role == ROLE_TARGETS) {
		*child = ROLE_TARGET;
		return WS_OK;
	}
	for (size_t k = 0; k < sizeof(table) / sizeof(table[0]); k++) {
		if (table[k].parent != role)
			continue;
		if ((r = span_equals(s, off, len, escaped, table[k].key, table[k].key_len, &eq)) != WS_OK)
			return r;
		if (eq) {
			*child = table[k].child;
			return WS_OK;
		}
	}
	return WS_OK;
}

/* A matching target's span becomes a jansson value in s->selected. */
static ws_err
select_target(struct ci_scan *s, const struct ci_target *t, size_t start, size_t end, unsigned depth)
{
	json_t *v = NULL;
	char *name = NULL;
	size_t name_len;
	ws_err r;

	if ((name = malloc(t->name_len + 1)) == NULL) {
		r = ws_err_set(WS_ERR_NOMEM, "copying a target name");
		goto out;
	}
	name_len = decode_span(s->data + t->name_off, t->name_len, name);
	name[name_len] = '\0';
	if ((r = ws_json_parse(s->data + start, end - start, WS_CI_TARGETS_DEPTH_MAX - depth, &v)) != WS_OK) {
		/* The scan accepted it, so the two parsers disagree: a bug. */
		ws_err_prefix("target \"%.80s\" at byte %zu", name, start);
		goto out;
	}
	if (json_object_set_new(s->selected, name, v) != 0) {
		v = NULL;
		r = ws_err_set(WS_ERR_NOMEM, "adding target \"%.80s\"", name);
		goto out;
	}
	v = NULL;
out:
	json_decref(v);
	free(name);
	return r;
}

static ws_err
scan_object(struct ci_scan *s, unsigned depth, enum ci_role role, struct ci_target *t)
{
	size_t frame = s->nkeys;
	struct key_index ix = { NULL, 0 };
	ws_err r = WS_OK;

	if (depth >= WS_CI_TARGETS_DEPTH_MAX) {
		r = scan_fail(s, s->off, WS_ERR_JSON_DEPTH, "more than %u levels of nesting",
		    WS_CI_TARGETS_DEPTH_MAX);
		goto out;
	}
	s->off++;
	skip_ws(s);
	if (s->off < s->len && s->data[s->off] == '}') {
		s->off++;
		goto out;
	}
	for (;;) {
		size_t key_at, koff, klen, value_at;
		struct ci_target child_target;
		struct ci_target *ct = t;
		enum ci_role child;
		bool kesc;

		skip_ws(s);
		if (s->off >= s->len) {
			r = scan_fail(s, s->off, WS_ERR_JSON_SYNTAX, "unexpected end of input (expected a key)");
			goto out;
		}
		if (s->data[s->off] != '"') {
			r = scan_fail(s, s->off, WS_ERR_JSON_SYNTAX, "expected a string key");
			goto out;
		}
		key_at = s->off;
		if ((r = scan_string(s, &koff, &klen, &kesc)) != WS_OK ||
		    (r = key_add(s, frame, &ix, key_at, koff, klen, kesc)) != WS_OK)
			goto out;
		skip_ws(s);
		if (s->off >= s->len || s->data[s->off] != ':') {
			r = scan_fail(s, s->off, WS_ERR_JSON_SYNTAX, "expected ':' after an object key");
			goto out;
		}
		s->off++;
		if ((r = member_role(s, role, koff, klen, kesc, &child)) != WS_OK)
			goto out;
		if (child == ROLE_SIGNED) {
			s->has_signed = true;
		} else if (child == ROLE_TARGETS) {
			s->seen |= role == ROLE_TOP ? SEEN_TOP_TARGETS : SEEN_SIGNED_TARGETS;
			s->targets_path = role == ROLE_TOP ? "targets" : "signed.targets";
		} else if (child == ROLE_TARGET) {
			memset(&child_target, 0, sizeof(child_target));
			child_target.name_off = koff;
			child_target.name_len = klen;
			child_target.name_escaped = kesc;
			ct = &child_target;
		}
		skip_ws(s);
		value_at = s->off;
		if ((r = scan_value(s, depth + 1, child, ct)) != WS_OK)
			goto out;
		if (child == ROLE_TARGET) {
			s->n_targets++;
			if (ct->version_match)
				s->n_version++;
			if (s->select && ct->version_match && (s->source_tag == NULL || ct->tag_match) &&
			    (r = select_target(s, ct, value_at, s->off, depth + 1)) != WS_OK)
				goto out;
		}
		skip_ws(s);
		if (s->off < s->len && s->data[s->off] == ',') {
			s->off++;
			continue;
		}
		if (s->off < s->len && s->data[s->off] == '}') {
			s->off++;
			break;
		}
		r = scan_fail(s, s->off, WS_ERR_JSON_SYNTAX, s->off < s->len ?
		    "expected ',' or '}' in an object" : "unexpected end of input (expected ',' or '}')");
		goto out;
	}
out:
	s->nkeys = frame;
	free(ix.slots);
	return r;
}

static ws_err
scan_array(struct ci_scan *s, unsigned depth, enum ci_role role, struct ci_target *t)
{
	enum ci_role child = role == ROLE_TAGS ? ROLE_TAG : ROLE_ANY;
	ws_err r;

	if (depth >= WS_CI_TARGETS_DEPTH_MAX)
		return scan_fail(s, s->off, WS_ERR_JSON_DEPTH, "more than %u levels of nesting",
		    WS_CI_TARGETS_DEPTH_MAX);
	s->off++;
	skip_ws(s);
	if (s->off < s->len && s->data[s->off] == ']') {
		s->off++;
		return WS_OK;
	}
	for (;;) {
		if ((r = scan_value(s, depth + 1, child, t)) != WS_OK)
			return r;
		skip_ws(s);
		if (s->off < s->len && s->data[s->off] == ',') {
			s->off++;
			continue;
		}
		if (s->off < s->len && s->data[s->off] == ']') {
			s->off++;
			return WS_OK;
		}
		return scan_fail(s, s->off, WS_ERR_JSON_SYNTAX, s->off < s->len ?
		    "expected ',' or ']' in an array" : "unexpected end of input (expected ',' or ']')");
	}
}

static ws_err
scan_value(struct ci_scan *s, unsigned depth, enum ci_role role, struct ci_target *t)
{
	size_t off, len;
	bool esc, eq;
	uint8_t c;
	ws_err r;

	skip_ws(s);
	if (s->off >= s->len)
		return scan_fail(s, s->off, WS_ERR_JSON_SYNTAX, "unexpected end of input (expected a value)");
	c = s->data[s->off];
	switch (role) {
	case ROLE_TOP: case ROLE_SIGNED: case ROLE_TARGETS: case ROLE_TARGET: case ROLE_CUSTOM:
		if (c != '{')
			return scan_type_error(s, role, t, "an object");
		break;
	case ROLE_TAGS:
		if (c != '[')
			return scan_type_error(s, role, t, "an array of strings");
		break;
	case ROLE_VERSION: case ROLE_TAG:
		if (c != '"')
			return scan_type_error(s, role, t, "a string");
		break;
	default:
		break;
	}
	switch (c) {
	case '{':
		return scan_object(s, depth, role, t);
	case '[':
		return scan_array(s, depth, role, t);
	case '"':
		if ((r = scan_string(s, &off, &len, &esc)) != WS_OK)
			return r;
		if (role == ROLE_VERSION) {
			t->has_version = true;
			if (s->version != NULL) {
				if ((r = span_equals(s, off, len, esc, s->version, s->version_len, &eq)) != WS_OK)
					return r;
				t->version_match = eq;
			}
		} else if (role == ROLE_TAG && s->source_tag != NULL && !t->tag_match) {
			if ((r = span_equals(s, off, len, esc, s->source_tag, s->source_tag_len, &eq)) != WS_OK)
				return r;
			t->tag_match = eq;
		}
		return WS_OK;
	case 't':
		return scan_literal(s, "true", 4);
	case 'f':
		return scan_literal(s, "false", 5);
	case 'n':
		return scan_literal(s, "null", 4);
	default:
		if (c == '-' || is_digit(c))
			return scan_number(s);
		return scan_fail(s, s->off, WS_ERR_JSON_SYNTAX, c >= 0x20 && c < 0x7f ?
		    "invalid token '%c' (expected a JSON value)" : "invalid byte 0x%02x (expected a JSON value)", c);
	}
}

/* The whole document, then the checks on where the targets were. */
static ws_err
scan_document(struct ci_scan *s)
{
	ws_err r;

	if (s->len > WS_CI_TARGETS_INPUT_MAX)
		return ws_err_set(WS_ERR_LIMIT, "the CI targets file is %zu bytes; at most %zu are accepted",
		    s->len, WS_CI_TARGETS_INPUT_MAX);
	if ((r = scan_value(s, 0, ROLE_TOP, NULL)) != WS_OK)
		return r;
	skip_ws(s);
	if (s->off != s->len)
		return scan_fail(s, s->off, WS_ERR_JSON_SYNTAX, "trailing bytes after the JSON value");
	if (s->has_signed && (s->seen & SEEN_TOP_TARGETS))
		return ws_err_set(WS_ERR_TUF, "the CI targets file has both signed.targets and a top-level "
		    "targets; which one is meant is ambiguous");
	if (s->has_signed && !(s->seen & SEEN_SIGNED_TARGETS))
		return ws_err_set(WS_ERR_JSON_MISSING, "signed.targets is required (the file has a signed "
		    "member without targets)");
	if (!s->has_signed && !(s->seen & SEEN_TOP_TARGETS))
		return ws_err_set(WS_ERR_JSON_MISSING, "the CI targets file has no targets: expected "
		    "{\"signed\":{\"targets\":{...}}} or {\"targets\":{...}}");
	return WS_OK;
}

static void
scan_free(struct ci_scan *s)
{
	free(s->keys);
	free(s->scratch);
	json_decref(s->selected);
}

ws_err
ws_ci_targets_select(const uint8_t *data, size_t len, const char *version, const char *source_tag,
    json_t **out)
{
	struct ci_scan s;
	size_t vlen;
	ws_err r;

	memset(&s, 0, sizeof(s));
	s.data = data;
	s.len = len;
	s.select = true;
	if (version == NULL || (vlen = strlen(version)) == 0 || vlen > WS_CI_TARGETS_VERSION_MAX ||
	    strspn(version, "0123456789") != vlen) {
		r = ws_err_set(WS_ERR_INVALID_ARGUMENT, "the version must be 1 to %u decimal digits, got \"%.40s\"",
		    WS_CI_TARGETS_VERSION_MAX, version ? version : "(null)");
		goto out;
	}
	if (source_tag != NULL && source_tag[0] == '\0') {
		r = ws_err_set(WS_ERR_INVALID_ARGUMENT, "the source tag must not be empty");
		goto out;
	}
	s.version = version;
	s.version_len = vlen;
	s.source_tag = source_tag;
	s.source_tag_len = source_tag ? strlen(source_tag) : 0;
	if ((s.selected = json_object()) == NULL) {
		r = ws_err_set(WS_ERR_NOMEM, "allocating the selection");
		goto out;
	}
	if ((r = scan_document(&s)) != WS_OK)
		goto out;
	if (json_object_size(s.selected) == 0) {
		if (s.n_version == 0)
			r = ws_err_set(WS_ERR_WAVE_NO_TARGETS, "none of the %zu targets in the CI targets file "
			    "has custom.version \"%s\"", s.n_targets, version);
		else
			r = ws_err_set(WS_ERR_WAVE_NO_TARGETS, "%zu target%s of the %zu in the CI targets file "
			    "ha%s custom.version \"%s\" but none carries the source tag \"%.80s\"", s.n_version,
			    s.n_version == 1 ? "" : "s", s.n_targets, s.n_version == 1 ? "s" : "ve", version,
			    source_tag);
		goto out;
	}
	*out = s.selected;
	s.selected = NULL;
out:
	scan_free(&s);
	return r;
}

ws_err
ws_ci_targets_validate(const uint8_t *data, size_t len, size_t *n_targets)
{
	struct ci_scan s;
	ws_err r;

	memset(&s, 0, sizeof(s));
	s.data = data;
	s.len = len;
	if ((r = scan_document(&s)) == WS_OK && n_targets != NULL)
		*n_targets = s.n_targets;
	scan_free(&s);
	return r;
}
