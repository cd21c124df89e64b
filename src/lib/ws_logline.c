/*
 * ws_logline.c -- canonical form of a log line (see ws_logline.h).
 *
 * The scanner mirrors, rule for rule, what jansson accepts (as
 * ws_json_parse() configures it) intersected with what ws_cjson_encode()
 * writes back unchanged:
 *   - no whitespace anywhere, nothing after the value;
 *   - integers as "%lld" prints them: no '+', no leading zeros, no "-0",
 *     within int64; any fraction or exponent is a real, which is refused;
 *   - in strings: raw bytes 0x20..0x7f except '"' and '\', valid UTF-8
 *     (no overlongs, surrogates or code points above U+10FFFF); escapes
 *     only \" \\ \b \f \n \r \t and \u00xx (lower-case hex) for the other
 *     controls except NUL, which jansson refuses;
 *   - object keys strictly increasing by their decoded bytes (so no
 *     duplicates); at most WS_LOG_DEPTH_MAX nested containers.
 */
#include "config.h"

#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "ws_buf.h"
#include "ws_cjson.h"
#include "ws_encode.h"
#include "ws_json.h"
#include "ws_logline.h"

struct scan {
	const uint8_t *start;
	const uint8_t *p;
	const uint8_t *end;
};

/* A string as found: encoded bytes between the quotes. */
struct span {
	const uint8_t *s;
	const uint8_t *e;
	bool escaped;
};

/* A top-level member the log owns, as found. */
struct member {
	const uint8_t *s;	/* a string's bytes between the quotes, else the value */
	const uint8_t *e;
	bool present;
	bool is_string;
	bool escaped;
};

struct members {
	struct member seq, time, prev, op;
};

static ws_err
fail(const struct scan *sc, const char *what)
{
	return ws_err_set(WS_ERR_LOG_CORRUPT, "not canonical JSON: %s at byte %zu", what,
	    (size_t)(sc->p - sc->start));
}

/* 1 for bytes that end a run of plain string characters. */
static const uint8_t string_special[256] = {
	[0x00 ... 0x1f] = 1, ['"'] = 1, ['\\'] = 1, [0x80 ... 0xff] = 1,
};

static int
hex_lower(uint8_t c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/*
 * Skips plain string bytes (0x20..0x7f but '"' and '\\'); returns the first
 * other byte, or end. Most of a log line is such runs (hex digests), so
 * with SSE2 it looks at 16 bytes at a time: a signed compare with 0x20
 * catches both the controls and every byte >= 0x80.
 */
static const uint8_t *
plain_run(const uint8_t *p, const uint8_t *end)
{
#ifdef __SSE2__
	const __m128i quote = _mm_set1_epi8('"'), backslash = _mm_set1_epi8('\\'), space = _mm_set1_epi8(0x20);

	while (end - p >= 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
		__m128i stop = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)),
		    _mm_cmplt_epi8(v, space));
		int mask = _mm_movemask_epi8(stop);

		if (mask != 0)
			return p + __builtin_ctz((unsigned)mask);
		p += 16;
	}
#endif
	while (p < end && !string_special[*p])
		p++;
	return p;
}

/* One UTF-8 sequence of 2..4 bytes at sc->p (first byte >= 0x80). */
static ws_err
scan_utf8(struct scan *sc)
{
	const uint8_t *p = sc->p;
	size_t n, k, left = (size_t)(sc->end - p);
	uint32_t cp;

	if (p[0] >= 0xc2 && p[0] <= 0xdf) {
		n = 2;
		cp = p[0] & 0x1f;
	} else if (p[0] >= 0xe0 && p[0] <= 0xef) {
		n = 3;
		cp = p[0] & 0x0f;
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		n = 4;
		cp = p[0] & 0x07;
	} else {
		return fail(sc, "invalid UTF-8");
	}
	if (left < n)
		return fail(sc, "invalid UTF-8");
	for (k = 1; k < n; k++) {
		if ((p[k] & 0xc0) != 0x80)
			return fail(sc, "invalid UTF-8");
		cp = cp << 6 | (p[k] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return fail(sc, "invalid UTF-8");
	sc->p += n;
	return WS_OK;
}

/* An escape at sc->p (which is '\'). */
static ws_err
scan_escape(struct scan *sc)
{
	const uint8_t *p = sc->p;
	int hi, lo, v;

	if (sc->end - p < 2)
		return fail(sc, "unterminated string");
	switch (p[1]) {
	case '"': case '\\': case 'b': case 'f': case 'n': case 'r': case 't':
		sc->p += 2;
		return WS_OK;
	case 'u':
		break;
	default:
		return fail(sc, "escape that the canonical form does not use");
	}
	if (sc->end - p < 6 || p[2] != '0' || p[3] != '0' || (hi = hex_lower(p[4])) < 0 || hi > 1 ||
	    (lo = hex_lower(p[5])) < 0)
		return fail(sc, "\\u escape of a character that the canonical form writes raw");
	v = hi << 4 | lo;
	if (v == 0)
		return fail(sc, "\\u0000 (NUL is not allowed in strings)");
	if (v == '\b' || v == '\f' || v == '\n' || v == '\r' || v == '\t')
		return fail(sc, "\\u escape where a short escape is canonical");
	sc->p += 6;
	return WS_OK;
}

/* A string at sc->p (which is '"'); *sp receives the bytes between the quotes. */
static ws_err
scan_string(struct scan *sc, struct span *sp)
{
	const uint8_t *end = sc->end;
	ws_err r;

	sc->p++;
	sp->s = sc->p;
	sp->escaped = false;
	for (;;) {
		sc->p = plain_run(sc->p, end);
		if (sc->p >= end)
			return fail(sc, "unterminated string");
		if (*sc->p == '"')
			break;
		if (*sc->p == '\\') {
			sp->escaped = true;
			if ((r = scan_escape(sc)) != WS_OK)
				return r;
		} else if (*sc->p < 0x20) {
			return fail(sc, "raw control character in a string");
		} else if ((r = scan_utf8(sc)) != WS_OK) {
			return r;
		}
	}
	sp->e = sc->p;
	sc->p++;
	return WS_OK;
}

/* Next decoded byte of a validated string; *p advances. */
static uint8_t
decode_byte(const uint8_t **p)
{
	const uint8_t *q = *p;

	if (q[0] != '\\') {
		*p = q + 1;
		return q[0];
	}
	switch (q[1]) {
	case 'b': *p = q + 2; return '\b';
	case 'f': *p = q + 2; return '\f';
	case 'n': *p = q + 2; return '\n';
	case 'r': *p = q + 2; return '\r';
	case 't': *p = q + 2; return '\t';
	case 'u': *p = q + 6; return (uint8_t)(hex_lower(q[4]) << 4 | hex_lower(q[5]));
	default: *p = q + 2; return q[1];
	}
}

/* Compares two validated keys by their decoded bytes, as ws_cjson sorts them. */
static int
key_cmp(const struct span *a, const struct span *b)
{
	const uint8_t *p = a->s, *q = b->s;

	if (!a->escaped && !b->escaped) {
		size_t la = (size_t)(a->e - a->s), lb = (size_t)(b->e - b->s), n = la < lb ? la : lb, i;

		/* Keys are short: a loop beats a call to memcmp. */
		for (i = 0; i < n; i++)
			if (a->s[i] != b->s[i])
				return a->s[i] < b->s[i] ? -1 : 1;
		return (la > lb) - (la < lb);
	}
	while (p < a->e && q < b->e) {
		uint8_t x = decode_byte(&p), y = decode_byte(&q);

		if (x != y)
			return x < y ? -1 : 1;
	}
	return (p < a->e) - (q < b->e);
}

static ws_err
scan_number(struct scan *sc)
{
	static const char int64_max[] = "9223372036854775807";
	static const char int64_min[] = "9223372036854775808";
	const uint8_t *digits;
	bool neg = false;
	size_t n;

	if (*sc->p == '-') {
		neg = true;
		sc->p++;
	}
	digits = sc->p;
	while (sc->p < sc->end && *sc->p >= '0' && *sc->p <= '9')
		sc->p++;
	n = (size_t)(sc->p - digits);
	if (sc->p < sc->end && (*sc->p == '.' || *sc->p == 'e' || *sc->p == 'E'))
		return fail(sc, "a number that is not an integer");
	if (n == 0)
		return fail(sc, "malformed number");
	if (digits[0] == '0' && (n > 1 || neg))
		return fail(sc, n > 1 ? "leading zero" : "-0");
	if (n > 19 || (n == 19 && memcmp(digits, neg ? int64_min : int64_max, 19) > 0))
		return fail(sc, "integer outside int64");
	return WS_OK;
}

static ws_err scan_value(struct scan *sc, unsigned depth, struct members *m);

/* Records the value of a top-level member named seq, time, prev or op. */
static void
capture(struct members *m, const struct span *key, const struct member *value)
{
	size_t n = (size_t)(key->e - key->s);
	struct member *slot;

	if (key->escaped)
		return;
	if (n == 3 && memcmp(key->s, "seq", 3) == 0)
		slot = &m->seq;
	else if (n == 4 && memcmp(key->s, "time", 4) == 0)
		slot = &m->time;
	else if (n == 4 && memcmp(key->s, "prev", 4) == 0)
		slot = &m->prev;
	else if (n == 2 && memcmp(key->s, "op", 2) == 0)
		slot = &m->op;
	else
		return;
	*slot = *value;
}

static ws_err
scan_object(struct scan *sc, unsigned depth, struct members *m)
{
	struct span prev_key = { NULL, NULL, false }, key, str;
	struct member value;
	bool first = true;
	ws_err r;

	sc->p++;
	if (sc->p < sc->end && *sc->p == '}') {
		sc->p++;
		return WS_OK;
	}
	for (;;) {
		if (sc->p >= sc->end || *sc->p != '"')
			return fail(sc, "expected a key");
		if ((r = scan_string(sc, &key)) != WS_OK)
			return r;
		if (!first && key_cmp(&prev_key, &key) >= 0)
			return fail(sc, "keys out of order or duplicated");
		if (sc->p >= sc->end || *sc->p != ':')
			return fail(sc, "expected ':'");
		sc->p++;
		if (m != NULL && sc->p < sc->end && *sc->p == '"') {
			if ((r = scan_string(sc, &str)) != WS_OK)
				return r;
			value = (struct member){ str.s, str.e, true, true, str.escaped };
			capture(m, &key, &value);
		} else {
			value.s = sc->p;
			if ((r = scan_value(sc, depth + 1, NULL)) != WS_OK)
				return r;
			if (m != NULL) {
				value = (struct member){ value.s, sc->p, true, false, false };
				capture(m, &key, &value);
			}
		}
		prev_key = key;
		first = false;
		if (sc->p >= sc->end)
			return fail(sc, "unterminated object");
		if (*sc->p == '}') {
			sc->p++;
			return WS_OK;
		}
		if (*sc->p != ',')
			return fail(sc, "expected ',' or '}'");
		sc->p++;
	}
}

static ws_err
scan_array(struct scan *sc, unsigned depth)
{
	ws_err r;

	sc->p++;
	if (sc->p < sc->end && *sc->p == ']') {
		sc->p++;
		return WS_OK;
	}
	for (;;) {
		if ((r = scan_value(sc, depth + 1, NULL)) != WS_OK)
			return r;
		if (sc->p >= sc->end)
			return fail(sc, "unterminated array");
		if (*sc->p == ']') {
			sc->p++;
			return WS_OK;
		}
		if (*sc->p != ',')
			return fail(sc, "expected ',' or ']'");
		sc->p++;
	}
}

static ws_err
scan_literal(struct scan *sc, const char *word)
{
	size_t n = strlen(word);

	if ((size_t)(sc->end - sc->p) < n || memcmp(sc->p, word, n) != 0)
		return fail(sc, "unexpected character");
	sc->p += n;
	return WS_OK;
}

/* depth = number of enclosing containers; m collects top-level members. */
static ws_err
scan_value(struct scan *sc, unsigned depth, struct members *m)
{
	struct span str;

	if (sc->p >= sc->end)
		return fail(sc, "expected a value");
	switch (*sc->p) {
	case '{':
	case '[':
		if (depth >= WS_LOG_DEPTH_MAX)
			return fail(sc, "more than 32 levels of nesting");
		return *sc->p == '{' ? scan_object(sc, depth, m) : scan_array(sc, depth);
	case '"':
		return scan_string(sc, &str);
	case 't':
		return scan_literal(sc, "true");
	case 'f':
		return scan_literal(sc, "false");
	case 'n':
		return scan_literal(sc, "null");
	default:
		if (*sc->p == '-' || (*sc->p >= '0' && *sc->p <= '9'))
			return scan_number(sc);
		return fail(sc, "unexpected character");
	}
}

ws_err
ws_logline_canonical(const uint8_t *data, size_t len)
{
	struct scan sc = { data, data, data + len };
	ws_err r;

	if ((r = scan_value(&sc, 0, NULL)) != WS_OK)
		return r;
	if (sc.p != sc.end)
		return fail(&sc, "bytes after the value");
	return WS_OK;
}

static int
days_in_month(int y, int m)
{
	static const int days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return days[m - 1];
}

bool
ws_log_time_valid(const char *s, size_t len)
{
	static const char shape[] = "dddd-dd-ddTdd:dd:ddZ";
	int v[6], i, k;

	if (len != WS_LOG_TIME_LEN)
		return false;
	for (i = 0; i < WS_LOG_TIME_LEN; i++)
		if (shape[i] == 'd' ? (s[i] < '0' || s[i] > '9') : s[i] != shape[i])
			return false;
	for (i = 0, k = 0; k < 6; k++) {
		int n = k == 0 ? 4 : 2;

		v[k] = 0;
		while (n-- > 0)
			v[k] = v[k] * 10 + (s[i++] - '0');
		i++;	/* the separator */
	}
	return v[0] >= 1970 && v[1] >= 1 && v[1] <= 12 && v[2] >= 1 &&
	    v[2] <= days_in_month(v[0], v[1]) && v[3] <= 23 && v[4] <= 59 && v[5] <= 59;
}

ws_err
ws_logline_scan(const uint8_t *line, size_t len, struct ws_logline *out)
{
	struct scan sc = { line, line, line + len };
	struct members m = { 0 };
	struct ws_logline l;
	const uint8_t *p;
	ws_err r;

	if (len == 0 || line[0] != '{')
		return ws_err_set(WS_ERR_LOG_CORRUPT, "not a JSON object");
	if ((r = scan_value(&sc, 0, &m)) != WS_OK)
		return r;
	if (sc.p != sc.end)
		return fail(&sc, "bytes after the value");
	if (!m.seq.present || m.seq.is_string || m.seq.s[0] == '-' || m.seq.s[0] < '0' || m.seq.s[0] > '9')
		return ws_err_set(WS_ERR_LOG_CORRUPT, "seq is missing or not a non-negative integer");
	l.seq = 0;
	for (p = m.seq.s; p < m.seq.e; p++)
		l.seq = l.seq * 10 + (uint64_t)(*p - '0');	/* at most 19 digits: fits */
	if (!m.time.present || !m.time.is_string || m.time.escaped ||
	    !ws_log_time_valid((const char *)m.time.s, (size_t)(m.time.e - m.time.s)))
		return ws_err_set(WS_ERR_LOG_CORRUPT, "time is missing or not a UTC time YYYY-MM-DDTHH:MM:SSZ");
	memcpy(l.time, m.time.s, WS_LOG_TIME_LEN);
	l.time[WS_LOG_TIME_LEN] = '\0';
	if (!m.prev.present || !m.prev.is_string || m.prev.escaped ||
	    m.prev.e - m.prev.s != 2 * WS_MERKLE_HASH_LEN)
		return ws_err_set(WS_ERR_LOG_CORRUPT, "prev is missing or not 64 hex digits");
	l.prev_hex = m.prev.s;
	if (!m.op.present || !m.op.is_string || m.op.e == m.op.s)
		return ws_err_set(WS_ERR_LOG_CORRUPT, "op is missing or not a non-empty string");
	l.op = m.op.s;
	l.op_len = (size_t)(m.op.e - m.op.s);
	*out = l;
	return WS_OK;
}

ws_err
ws_logline_parse(const uint8_t *line, size_t len, json_t **out)
{
	struct ws_buf again = WS_BUF_INIT(WS_LOG_LINE_MAX);
	json_t *v = NULL;
	size_t i;
	ws_err r;

	if ((r = ws_json_parse(line, len, WS_LOG_DEPTH_MAX, &v)) != WS_OK) {
		r = ws_err_set(WS_ERR_LOG_CORRUPT, "not canonical JSON: %s", ws_err_message(r));
		goto out;
	}
	if ((r = ws_cjson_encode(v, WS_CJSON_VALID_JSON, &again)) != WS_OK) {
		r = ws_err_set(WS_ERR_LOG_CORRUPT, "not canonical JSON: %s", ws_err_message(r));
		goto out;
	}
	if (again.len != len || memcmp(again.data, line, len) != 0) {
		for (i = 0; i < len && i < again.len && line[i] == again.data[i]; i++)
			;
		r = ws_err_set(WS_ERR_LOG_CORRUPT,
		    "not canonical JSON: differs from its canonical encoding at byte %zu", i);
		goto out;
	}
	*out = v;
	v = NULL;
out:
	json_decref(v);
	ws_buf_free(&again);
	return r;
}
