/*
 * ws_der.c -- strict DER reader and writer (contract in ws_der.h).
 *
 * Bounds: every length is compared with the bytes left before any pointer
 * is formed, and lengths are at most 4 bytes (< 2^32), so no addition here
 * can wrap. The reader's offset moves only after the whole element passed.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "ws_der.h"

const char *
ws_der_tag_name(uint8_t tag, char buf[16])
{
	switch (tag) {
	case WS_DER_BOOLEAN: return "BOOLEAN";
	case WS_DER_INTEGER: return "INTEGER";
	case WS_DER_BIT_STRING: return "BIT STRING";
	case WS_DER_OCTET_STRING: return "OCTET STRING";
	case WS_DER_NULL: return "NULL";
	case WS_DER_OID: return "OBJECT IDENTIFIER";
	case WS_DER_ENUMERATED: return "ENUMERATED";
	case WS_DER_UTF8STRING: return "UTF8String";
	case WS_DER_PRINTABLESTRING: return "PrintableString";
	case WS_DER_T61STRING: return "TeletexString";
	case WS_DER_IA5STRING: return "IA5String";
	case WS_DER_UTCTIME: return "UTCTime";
	case WS_DER_GENERALIZEDTIME: return "GeneralizedTime";
	case WS_DER_BMPSTRING: return "BMPString";
	case WS_DER_SEQUENCE: return "SEQUENCE";
	case WS_DER_SET: return "SET";
	default:
		break;
	}
	if ((tag & 0xc0) == 0x80)
		snprintf(buf, 16, "[%u]", tag & 0x1f);
	else
		snprintf(buf, 16, "tag 0x%02x", tag);
	return buf;
}

/* Parses the header at the reader's offset without moving it. */
static ws_err
der_parse(const struct ws_reader *r, struct ws_der_tlv *out)
{
	const uint8_t *p = r->data + r->off;
	size_t left = r->len - r->off;
	size_t hdr = 2, len, nlen;
	uint8_t tag;

	if (left < 2)
		return ws_err_set(WS_ERR_TRUNCATED, "DER element header needs 2 bytes, %zu left", left);
	tag = p[0];
	if ((tag & 0x1f) == 0x1f)
		return ws_err_set(WS_ERR_DER_MALFORMED, "high tag number form (0x%02x) is not used here", tag);
	if (p[1] < 0x80) {
		len = p[1];
	} else if (p[1] == 0x80) {
		return ws_err_set(WS_ERR_DER_MALFORMED, "indefinite length (BER, not DER)");
	} else {
		nlen = p[1] & 0x7f;
		if (nlen > 4)
			return ws_err_set(WS_ERR_DER_MALFORMED, "length of %zu bytes (at most 4 allowed)", nlen);
		if (left - 2 < nlen)
			return ws_err_set(WS_ERR_TRUNCATED, "DER length needs %zu bytes, %zu left", nlen, left - 2);
		if (p[2] == 0)
			return ws_err_set(WS_ERR_DER_MALFORMED, "length has a leading zero byte (not minimal)");
		len = 0;
		for (size_t i = 0; i < nlen; i++)
			len = (len << 8) | p[2 + i];
		if (len < 0x80)
			return ws_err_set(WS_ERR_DER_MALFORMED, "long form for length %zu (not minimal)", len);
		hdr += nlen;
	}
	if (len > left - hdr)
		return ws_err_set(WS_ERR_TRUNCATED, "DER element of %zu bytes, only %zu left", len, left - hdr);
	out->tag = tag;
	out->tlv = p;
	out->tlv_len = hdr + len;
	out->val = p + hdr;
	out->len = len;
	return WS_OK;
}

ws_err
ws_der_read(struct ws_reader *r, struct ws_der_tlv *out)
{
	struct ws_der_tlv t;
	ws_err e;

	if ((e = der_parse(r, &t)) != WS_OK)
		return e;
	r->off += t.tlv_len;
	*out = t;
	return WS_OK;
}

ws_err
ws_der_read_tag(struct ws_reader *r, uint8_t tag, struct ws_der_tlv *out)
{
	struct ws_der_tlv t;
	char b1[16], b2[16];
	ws_err e;

	if (ws_reader_left(r) == 0)
		return ws_err_set(WS_ERR_TRUNCATED, "expected %s, found the end", ws_der_tag_name(tag, b1));
	if (r->data[r->off] != tag)
		return ws_err_set(WS_ERR_DER_MALFORMED, "expected %s, found %s",
		    ws_der_tag_name(tag, b1), ws_der_tag_name(r->data[r->off], b2));
	if ((e = der_parse(r, &t)) != WS_OK)
		return e;
	r->off += t.tlv_len;
	*out = t;
	return WS_OK;
}

ws_err
ws_der_enter(struct ws_reader *r, uint8_t tag, struct ws_reader *sub)
{
	struct ws_der_tlv t;
	ws_err e;

	if ((e = ws_der_read_tag(r, tag, &t)) != WS_OK)
		return e;
	ws_reader_init(sub, t.val, t.len);
	return WS_OK;
}

int
ws_der_peek_tag(const struct ws_reader *r)
{
	return ws_reader_left(r) == 0 ? -1 : r->data[r->off];
}

ws_err
ws_der_end(const struct ws_reader *r, const char *what)
{
	if (ws_reader_left(r) != 0)
		return ws_err_set(WS_ERR_DER_MALFORMED, "%zu unexpected bytes at the end of %s",
		    ws_reader_left(r), what);
	return WS_OK;
}

ws_err
ws_der_read_oid(struct ws_reader *r, const uint8_t **oid, size_t *len)
{
	struct ws_reader tmp = *r;
	struct ws_der_tlv t;
	ws_err e;

	if ((e = ws_der_read_tag(&tmp, WS_DER_OID, &t)) != WS_OK)
		return e;
	if (t.len == 0)
		return ws_err_set(WS_ERR_DER_MALFORMED, "empty OBJECT IDENTIFIER");
	if (t.val[t.len - 1] & 0x80)
		return ws_err_set(WS_ERR_DER_MALFORMED, "OBJECT IDENTIFIER ends inside a sub-identifier");
	for (size_t i = 0; i < t.len; i++) {
		/* A sub-identifier may not start with 0x80 (a non-minimal leading zero). */
		if (t.val[i] == 0x80 && (i == 0 || !(t.val[i - 1] & 0x80)))
			return ws_err_set(WS_ERR_DER_MALFORMED, "OBJECT IDENTIFIER has a padded sub-identifier");
	}
	*r = tmp;
	*oid = t.val;
	*len = t.len;
	return WS_OK;
}

ws_err
ws_der_read_bool(struct ws_reader *r, bool *v)
{
	struct ws_reader tmp = *r;
	struct ws_der_tlv t;
	ws_err e;

	if ((e = ws_der_read_tag(&tmp, WS_DER_BOOLEAN, &t)) != WS_OK)
		return e;
	if (t.len != 1 || (t.val[0] != 0x00 && t.val[0] != 0xff))
		return ws_err_set(WS_ERR_DER_MALFORMED, "BOOLEAN must be one byte, 00 or FF");
	*r = tmp;
	*v = t.val[0] == 0xff;
	return WS_OK;
}

ws_err
ws_der_read_null(struct ws_reader *r)
{
	struct ws_reader tmp = *r;
	struct ws_der_tlv t;
	ws_err e;

	if ((e = ws_der_read_tag(&tmp, WS_DER_NULL, &t)) != WS_OK)
		return e;
	if (t.len != 0)
		return ws_err_set(WS_ERR_DER_MALFORMED, "NULL with %zu content bytes", t.len);
	*r = tmp;
	return WS_OK;
}

ws_err
ws_der_read_int(struct ws_reader *r, const uint8_t **p, size_t *len)
{
	struct ws_reader tmp = *r;
	struct ws_der_tlv t;
	ws_err e;

	if ((e = ws_der_read_tag(&tmp, WS_DER_INTEGER, &t)) != WS_OK)
		return e;
	if (t.len == 0)
		return ws_err_set(WS_ERR_DER_MALFORMED, "empty INTEGER");
	if (t.len > 1 && ((t.val[0] == 0x00 && !(t.val[1] & 0x80)) ||
	    (t.val[0] == 0xff && (t.val[1] & 0x80))))
		return ws_err_set(WS_ERR_DER_MALFORMED, "INTEGER is not minimally encoded");
	*r = tmp;
	*p = t.val;
	*len = t.len;
	return WS_OK;
}

ws_err
ws_der_read_uint(struct ws_reader *r, uint64_t *v)
{
	struct ws_reader tmp = *r;
	const uint8_t *p = NULL;
	size_t len = 0;
	uint64_t x = 0;
	ws_err e;

	if ((e = ws_der_read_int(&tmp, &p, &len)) != WS_OK)
		return e;
	if (p[0] & 0x80)
		return ws_err_set(WS_ERR_DER_MALFORMED, "negative INTEGER where a non-negative one is expected");
	if (p[0] == 0x00) {
		p++;
		len--;
	}
	if (len > 8)
		return ws_err_set(WS_ERR_DER_MALFORMED, "INTEGER of %zu bytes is too large", len);
	for (size_t i = 0; i < len; i++)
		x = (x << 8) | p[i];
	*r = tmp;
	*v = x;
	return WS_OK;
}

ws_err
ws_der_read_bit_string(struct ws_reader *r, const uint8_t **bits, size_t *len, unsigned *unused)
{
	struct ws_reader tmp = *r;
	struct ws_der_tlv t;
	ws_err e;
	unsigned u;

	if ((e = ws_der_read_tag(&tmp, WS_DER_BIT_STRING, &t)) != WS_OK)
		return e;
	if (t.len == 0)
		return ws_err_set(WS_ERR_DER_MALFORMED, "BIT STRING without its unused-bits byte");
	u = t.val[0];
	if (u > 7)
		return ws_err_set(WS_ERR_DER_MALFORMED, "BIT STRING claims %u unused bits", u);
	if (t.len == 1 && u != 0)
		return ws_err_set(WS_ERR_DER_MALFORMED, "empty BIT STRING with unused bits");
	if (u != 0 && (t.val[t.len - 1] & ((1u << u) - 1)) != 0)
		return ws_err_set(WS_ERR_DER_MALFORMED, "BIT STRING padding bits are not zero");
	*r = tmp;
	*bits = t.val + 1;
	*len = t.len - 1;
	*unused = u;
	return WS_OK;
}

static bool
digits(const uint8_t *p, size_t n, int *v)
{
	int x = 0;

	for (size_t i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return false;
		x = x * 10 + (p[i] - '0');
	}
	*v = x;
	return true;
}

ws_err
ws_der_read_time(struct ws_reader *r, time_t *out)
{
	struct ws_reader tmp = *r;
	struct ws_der_tlv t;
	struct tm tm;
	const uint8_t *p;
	int year, mon, day, hour, min, sec;
	static const int mdays[12] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	time_t v;
	ws_err e;

	if ((e = ws_der_read(&tmp, &t)) != WS_OK)
		return e;
	p = t.val;
	if (t.tag == WS_DER_UTCTIME && t.len == 13) {
		if (!digits(p, 2, &year))
			goto bad;
		year += year < 50 ? 2000 : 1900;
		p += 2;
	} else if (t.tag == WS_DER_GENERALIZEDTIME && t.len == 15) {
		if (!digits(p, 4, &year))
			goto bad;
		p += 4;
	} else {
		char b[16];

		return ws_err_set(WS_ERR_DER_MALFORMED, "expected UTCTime (13 bytes) or GeneralizedTime "
		    "(15 bytes), found %s of %zu bytes", ws_der_tag_name(t.tag, b), t.len);
	}
	if (!digits(p, 2, &mon) || !digits(p + 2, 2, &day) || !digits(p + 4, 2, &hour) ||
	    !digits(p + 6, 2, &min) || !digits(p + 8, 2, &sec) || p[10] != 'Z')
		goto bad;
	if (mon < 1 || mon > 12 || day < 1 || day > mdays[mon - 1] || hour > 23 || min > 59 || sec > 59)
		goto bad;
	if (mon == 2 && day == 29 && !(year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)))
		goto bad;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = year - 1900;
	tm.tm_mon = mon - 1;
	tm.tm_mday = day;
	tm.tm_hour = hour;
	tm.tm_min = min;
	tm.tm_sec = sec;
	v = timegm(&tm);
	*r = tmp;
	*out = v;
	return WS_OK;
bad:
	return ws_err_set(WS_ERR_DER_MALFORMED, "time \"%.*s\" is not in the form %s", (int)t.len,
	    (const char *)t.val, t.tag == WS_DER_UTCTIME ? "YYMMDDHHMMSSZ" : "YYYYMMDDHHMMSSZ");
}

bool
ws_der_oid_eq(const uint8_t *oid, size_t len, const uint8_t *want, size_t want_len)
{
	return len == want_len && memcmp(oid, want, len) == 0;
}

char *
ws_der_oid_str(const uint8_t *oid, size_t len, char *out)
{
	size_t pos = 0;
	uint64_t v = 0;
	bool first = true;
	int n;

	out[0] = '\0';
	for (size_t i = 0; i < len; i++) {
		if (v > (UINT64_MAX >> 7))
			goto cut;
		v = (v << 7) | (oid[i] & 0x7f);
		if (oid[i] & 0x80)
			continue;
		if (first) {
			unsigned top = v < 40 ? 0 : v < 80 ? 1 : 2;

			n = snprintf(out + pos, WS_DER_OID_STR_MAX - pos, "%u.%llu", top,
			    (unsigned long long)(v - 40 * top));
			first = false;
		} else {
			n = snprintf(out + pos, WS_DER_OID_STR_MAX - pos, ".%llu", (unsigned long long)v);
		}
		if (n < 0 || (size_t)n >= WS_DER_OID_STR_MAX - pos)
			goto cut;
		pos += (size_t)n;
		v = 0;
	}
	return out;
cut:
	/* Keep what fits and mark the cut. */
	pos = strlen(out);
	if (pos > WS_DER_OID_STR_MAX - 4)
		pos = WS_DER_OID_STR_MAX - 4;
	memcpy(out + pos, "...", 4);
	return out;
}

/*
 * Valid UTF-8 (no overlong forms, no surrogates, at most U+10FFFF) without
 * control characters (C0, DEL, C1). Returns the offset of the first bad
 * byte, or len when all is well.
 */
size_t
ws_der_text_check(const uint8_t *p, size_t len)
{
	size_t i = 0;

	while (i < len) {
		uint32_t cp;
		size_t n;

		if (p[i] < 0x80) {
			if (p[i] < 0x20 || p[i] == 0x7f)
				return i;
			i++;
			continue;
		}
		if (p[i] >= 0xc2 && p[i] <= 0xdf) {
			n = 1;
			cp = p[i] & 0x1f;
		} else if (p[i] >= 0xe0 && p[i] <= 0xef) {
			n = 2;
			cp = p[i] & 0x0f;
		} else if (p[i] >= 0xf0 && p[i] <= 0xf4) {
			n = 3;
			cp = p[i] & 0x07;
		} else {
			return i;
		}
		if (len - i - 1 < n)
			return i;
		for (size_t k = 1; k <= n; k++) {
			if ((p[i + k] & 0xc0) != 0x80)
				return i;
			cp = (cp << 6) | (p[i + k] & 0x3f);
		}
		if ((n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10ffff)) ||
		    (cp >= 0xd800 && cp <= 0xdfff) || (cp >= 0x80 && cp <= 0x9f))
			return i;
		i += n + 1;
	}
	return len;
}

/* ---- writing ---- */

/* Encodes tag and minimal length into h; returns the header's size. */
static size_t
der_header(uint8_t h[WS_DER_HEADER_MAX], uint8_t tag, size_t len)
{
	size_t n = 0;

	h[n++] = tag;
	if (len < 0x80) {
		h[n++] = (uint8_t)len;
	} else {
		unsigned nlen = len > 0xffffff ? 4 : len > 0xffff ? 3 : len > 0xff ? 2 : 1;

		h[n++] = (uint8_t)(0x80 | nlen);
		for (unsigned i = nlen; i > 0; i--)
			h[n++] = (uint8_t)(len >> (8 * (i - 1)));
	}
	return n;
}

ws_err
ws_der_put_header(struct ws_buf *b, uint8_t tag, size_t len)
{
	uint8_t h[WS_DER_HEADER_MAX];

	if (len > 0xffffffffu)
		return ws_err_set(WS_ERR_LIMIT, "DER element of %zu bytes", len);
	return ws_buf_put(b, h, der_header(h, tag, len));
}

ws_err
ws_der_put(struct ws_buf *b, uint8_t tag, const void *val, size_t len)
{
	size_t start = b->len;
	ws_err e;

	if ((e = ws_der_put_header(b, tag, len)) != WS_OK)
		return e;
	if ((e = ws_buf_put(b, val, len)) != WS_OK) {
		b->len = start;
		return e;
	}
	return WS_OK;
}

ws_err
ws_der_put_oid(struct ws_buf *b, const uint8_t *oid, size_t len)
{
	return ws_der_put(b, WS_DER_OID, oid, len);
}

ws_err
ws_der_put_bool(struct ws_buf *b, bool v)
{
	uint8_t x = v ? 0xff : 0x00;

	return ws_der_put(b, WS_DER_BOOLEAN, &x, 1);
}

ws_err
ws_der_put_uint_bytes(struct ws_buf *b, const uint8_t *mag, size_t len)
{
	size_t start = b->len;
	ws_err e;

	while (len > 0 && mag[0] == 0) {
		mag++;
		len--;
	}
	if (len == 0)
		return ws_der_put(b, WS_DER_INTEGER, "\0", 1);
	if (len == SIZE_MAX)
		return ws_err_set(WS_ERR_LIMIT, "INTEGER too large");
	if ((e = ws_der_put_header(b, WS_DER_INTEGER, len + (mag[0] & 0x80 ? 1 : 0))) != WS_OK)
		return e;
	if ((mag[0] & 0x80) && (e = ws_buf_put_u8(b, 0)) != WS_OK)
		goto fail;
	if ((e = ws_buf_put(b, mag, len)) != WS_OK)
		goto fail;
	return WS_OK;
fail:
	b->len = start;
	return e;
}

ws_err
ws_der_put_uint(struct ws_buf *b, uint64_t v)
{
	uint8_t mag[8];

	for (int i = 7; i >= 0; i--) {
		mag[i] = (uint8_t)v;
		v >>= 8;
	}
	return ws_der_put_uint_bytes(b, mag, sizeof(mag));
}

ws_err
ws_der_put_bit_string(struct ws_buf *b, const uint8_t *bits, size_t len, unsigned unused)
{
	size_t start = b->len;
	ws_err e;

	if (unused > 7 || (len == 0 && unused != 0) || len == SIZE_MAX)
		return ws_err_set(WS_ERR_INVALID_ARGUMENT, "BIT STRING with %u unused bits", unused);
	if ((e = ws_der_put_header(b, WS_DER_BIT_STRING, len + 1)) != WS_OK)
		return e;
	if ((e = ws_buf_put_u8(b, (uint8_t)unused)) != WS_OK || (e = ws_buf_put(b, bits, len)) != WS_OK) {
		b->len = start;
		return e;
	}
	return WS_OK;
}

ws_err
ws_der_put_time(struct ws_buf *b, time_t t)
{
	struct tm tm;
	char s[64];
	int year;

	if (gmtime_r(&t, &tm) == NULL)
		return ws_err_set(WS_ERR_INVALID_ARGUMENT, "time %lld cannot be represented", (long long)t);
	year = tm.tm_year + 1900;
	if (year < 0 || year > 9999)
		return ws_err_set(WS_ERR_INVALID_ARGUMENT, "year %d is outside 0..9999", year);
	if (year >= 1950 && year <= 2049) {
		snprintf(s, sizeof(s), "%02d%02d%02d%02d%02d%02dZ", year % 100, tm.tm_mon + 1, tm.tm_mday,
		    tm.tm_hour, tm.tm_min, tm.tm_sec);
		return ws_der_put(b, WS_DER_UTCTIME, s, 13);
	}
	snprintf(s, sizeof(s), "%04d%02d%02d%02d%02d%02dZ", year, tm.tm_mon + 1, tm.tm_mday,
	    tm.tm_hour, tm.tm_min, tm.tm_sec);
	return ws_der_put(b, WS_DER_GENERALIZEDTIME, s, 15);
}

ws_err
ws_der_wrap(struct ws_buf *b, size_t start, uint8_t tag)
{
	uint8_t h[WS_DER_HEADER_MAX];
	size_t body, n;
	ws_err e;

	if (start > b->len)
		return ws_err_set(WS_ERR_INVALID_ARGUMENT, "wrap start %zu beyond length %zu", start, b->len);
	body = b->len - start;
	if (body > 0xffffffffu)
		return ws_err_set(WS_ERR_LIMIT, "DER element of %zu bytes", body);
	n = der_header(h, tag, body);
	if ((e = ws_buf_reserve(b, n)) != WS_OK)
		return e;
	memmove(b->data + start + n, b->data + start, body);
	memcpy(b->data + start, h, n);
	b->len += n;
	return WS_OK;
}

ws_err
ws_der_wrap_seq(struct ws_buf *b, size_t start)
{
	return ws_der_wrap(b, start, WS_DER_SEQUENCE);
}
