/*
 * ws_pem.c -- strict PEM encoding and decoding (contract in ws_pem.h).
 */
#include "config.h"

#include <string.h>

#include "ws_pem.h"

#define PEM_BEGIN "-----BEGIN "
#define PEM_END "-----END "
#define PEM_DASHES "-----"
#define PEM_LINE 64

static const char b64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static bool
is_space(uint8_t c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static int
b64_value(uint8_t c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

static bool
starts_with(const uint8_t *p, size_t left, const char *s)
{
	size_t n = strlen(s);

	return left >= n && memcmp(p, s, n) == 0;
}

bool
ws_pem_looks_like(const uint8_t *text, size_t len)
{
	size_t i = 0;

	while (i < len && is_space(text[i]))
		i++;
	return starts_with(text + i, len - i, PEM_BEGIN);
}

/* Reads "<label>-----" at text[*i..len) on one line and checks the label. */
static ws_err
read_label(const uint8_t *text, size_t len, size_t *i, const char *label, const char *what,
    ws_err malformed)
{
	size_t start = *i, j;

	for (j = start; j < len && text[j] != '\n'; j++)
		if (starts_with(text + j, len - j, PEM_DASHES))
			break;
	if (j >= len || text[j] == '\n')
		return ws_err_set(malformed, "PEM %s line does not end with \"-----\"", what);
	if (j - start != strlen(label) || memcmp(text + start, label, j - start) != 0)
		return ws_err_set(malformed, "PEM %s label is \"%.*s\", expected \"%s\"", what,
		    (int)(j - start > 64 ? 64 : j - start), (const char *)text + start, label);
	*i = j + strlen(PEM_DASHES);
	return WS_OK;
}

ws_err
ws_pem_decode(const uint8_t *text, size_t len, const char *label, ws_err malformed,
    struct ws_buf *der)
{
	size_t i = 0, body, end;
	uint32_t acc = 0;
	unsigned nchars = 0, pad = 0;
	const uint8_t *endp;
	ws_err e;

	while (i < len && is_space(text[i]))
		i++;
	if (!starts_with(text + i, len - i, PEM_BEGIN))
		return ws_err_set(malformed, "not a PEM block (no \"-----BEGIN \")");
	i += strlen(PEM_BEGIN);
	if ((e = read_label(text, len, &i, label, "BEGIN", malformed)) != WS_OK)
		return e;
	if (i < len && text[i] == '\r')
		i++;
	if (i >= len)
		return ws_err_set(WS_ERR_TRUNCATED, "PEM block ends after its BEGIN line");
	if (text[i] != '\n')
		return ws_err_set(malformed, "unexpected text after the PEM BEGIN line");
	body = ++i;
	endp = memmem(text + body, len - body, PEM_END, strlen(PEM_END));
	if (endp == NULL)
		return ws_err_set(WS_ERR_TRUNCATED, "PEM block has no \"-----END %s-----\" line", label);
	end = (size_t)(endp - text);

	ws_buf_reset(der);
	if ((e = ws_buf_reserve(der, (end - body) / 4 * 3 + 3)) != WS_OK)
		return e;
	for (i = body; i < end; i++) {
		uint8_t c = text[i];
		int v;

		if (is_space(c))
			continue;
		if (c == '=') {
			if (++pad > 2 || nchars % 4 < 2)
				return ws_err_set(malformed, "misplaced '=' in the PEM base64 text");
			continue;
		}
		if ((v = b64_value(c)) < 0) {
			if (c == ':')
				return ws_err_set(malformed, "PEM headers (e.g. an encrypted block) are not accepted");
			return ws_err_set(malformed, "byte 0x%02x is not base64 (offset %zu)", c, i);
		}
		if (pad)
			return ws_err_set(malformed, "base64 text continues after '=' padding");
		acc = (acc << 6) | (uint32_t)v;
		if (++nchars % 4 == 0) {
			uint8_t out[3] = { (uint8_t)(acc >> 16), (uint8_t)(acc >> 8), (uint8_t)acc };

			if ((e = ws_buf_put(der, out, 3)) != WS_OK)
				return e;
			acc = 0;
		}
	}
	switch (nchars % 4) {
	case 0:
		if (pad != 0)
			return ws_err_set(malformed, "misplaced '=' in the PEM base64 text");
		break;
	case 2:	/* 12 bits: one byte, 4 padding bits */
		if (pad != 2 || (acc & 0x0f) != 0)
			return ws_err_set(malformed, "PEM base64 text is not canonically padded");
		e = ws_buf_put_u8(der, (uint8_t)(acc >> 4));
		break;
	case 3:	/* 18 bits: two bytes, 2 padding bits */
		if (pad != 1 || (acc & 0x03) != 0)
			return ws_err_set(malformed, "PEM base64 text is not canonically padded");
		e = ws_buf_put_be16(der, (uint16_t)(acc >> 2));
		break;
	default:
		return ws_err_set(malformed, "PEM base64 text has a dangling character");
	}
	if (e != WS_OK)
		return e;
	if (der->len == 0)
		return ws_err_set(malformed, "empty PEM block");

	i = end + strlen(PEM_END);
	if ((e = read_label(text, len, &i, label, "END", malformed)) != WS_OK)
		return e;
	while (i < len && is_space(text[i]))
		i++;
	if (i < len) {
		if (starts_with(text + i, len - i, PEM_BEGIN))
			return ws_err_set(malformed, "more than one PEM block");
		return ws_err_set(malformed, "%zu bytes of trailing data after the PEM block", len - i);
	}
	return WS_OK;
}

ws_err
ws_pem_encode(struct ws_buf *out, const char *label, const uint8_t *der, size_t len)
{
	size_t start = out->len, col = 0;
	char quad[4];
	ws_err e;

	if ((e = ws_buf_printf(out, "-----BEGIN %s-----\n", label)) != WS_OK)
		goto fail;
	for (size_t i = 0; i < len; i += 3) {
		uint32_t v = (uint32_t)der[i] << 16;
		size_t n = len - i < 3 ? len - i : 3;

		if (n > 1)
			v |= (uint32_t)der[i + 1] << 8;
		if (n > 2)
			v |= der[i + 2];
		quad[0] = b64_alphabet[(v >> 18) & 0x3f];
		quad[1] = b64_alphabet[(v >> 12) & 0x3f];
		quad[2] = n > 1 ? b64_alphabet[(v >> 6) & 0x3f] : '=';
		quad[3] = n > 2 ? b64_alphabet[v & 0x3f] : '=';
		if ((e = ws_buf_put(out, quad, 4)) != WS_OK)
			goto fail;
		col += 4;
		if (col == PEM_LINE && (e = ws_buf_put_u8(out, '\n')) != WS_OK)
			goto fail;
		if (col == PEM_LINE)
			col = 0;
	}
	if (col != 0 && (e = ws_buf_put_u8(out, '\n')) != WS_OK)
		goto fail;
	if ((e = ws_buf_printf(out, "-----END %s-----\n", label)) != WS_OK)
		goto fail;
	return WS_OK;
fail:
	out->len = start;
	return e;
}
