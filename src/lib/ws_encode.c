/*
 * ws_encode.c -- strict hex and base64 (contract in ws_encode.h).
 */
#include "config.h"

#include <string.h>

#include "ws_encode.h"

static const char b64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

void
ws_hex_encode(const uint8_t *in, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * n] = '\0';
}

/*
 * One more than the value of a lower-case hex digit, 0 for anything else:
 * a table, since the log verifier decodes a prev for every record and
 * branches on random digits mispredict.
 */
static const uint8_t hex_plus1[256] = {
	['0'] = 1, ['1'] = 2, ['2'] = 3, ['3'] = 4, ['4'] = 5, ['5'] = 6, ['6'] = 7, ['7'] = 8,
	['8'] = 9, ['9'] = 10, ['a'] = 11, ['b'] = 12, ['c'] = 13, ['d'] = 14, ['e'] = 15, ['f'] = 16,
};

ws_err
ws_hex_decode(const char *in, size_t len, uint8_t *out, size_t n)
{
	const unsigned char *p = (const unsigned char *)in;
	int bad = 0;
	size_t i;

	if (n > SIZE_MAX / 2 || len != 2 * n)
		return ws_err_set(WS_ERR_INVALID_ARGUMENT, "expected %zu hex digits, got %zu",
		    n <= SIZE_MAX / 2 ? 2 * n : SIZE_MAX, len);
	for (i = 0; i < len; i++)
		bad |= hex_plus1[p[i]] == 0;
	if (bad) {
		for (i = 0; hex_plus1[p[i]] != 0; i++)
			;
		return ws_err_set(WS_ERR_INVALID_ARGUMENT, "character %zu is not a lower-case hex digit", i);
	}
	for (i = 0; i < n; i++)
		out[i] = (uint8_t)((hex_plus1[p[2 * i]] - 1) << 4 | (hex_plus1[p[2 * i + 1]] - 1));
	return WS_OK;
}

ws_err
ws_base64_encode(const uint8_t *in, size_t n, struct ws_buf *out)
{
	char quad[4];
	size_t i;
	ws_err r;

	if (n > SIZE_MAX / 4 * 3 - 3)
		return ws_err_set(WS_ERR_LIMIT, "base64 of %zu bytes", n);
	if ((r = ws_buf_reserve(out, WS_BASE64_LEN(n))) != WS_OK)
		return r;
	for (i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16;
		size_t left = n - i;

		if (left > 1)
			v |= (uint32_t)in[i + 1] << 8;
		if (left > 2)
			v |= in[i + 2];
		quad[0] = b64_alphabet[v >> 18 & 63];
		quad[1] = b64_alphabet[v >> 12 & 63];
		quad[2] = left > 1 ? b64_alphabet[v >> 6 & 63] : '=';
		quad[3] = left > 2 ? b64_alphabet[v & 63] : '=';
		if ((r = ws_buf_put(out, quad, 4)) != WS_OK)
			return r;
	}
	return WS_OK;
}

static int
b64_value(char c)
{
	const char *p;

	if (c == '\0' || (p = strchr(b64_alphabet, c)) == NULL)
		return -1;
	return (int)(p - b64_alphabet);
}

ws_err
ws_base64_decode(const char *in, size_t len, uint8_t *out, size_t max, size_t *out_len)
{
	size_t i, pad = 0, n;
	uint8_t tmp[3];
	size_t o = 0;

	if (len == 0 || len % 4 != 0)
		return ws_err_set(WS_ERR_INVALID_ARGUMENT,
		    "base64 length %zu is not a positive multiple of 4", len);
	if (in[len - 1] == '=')
		pad = in[len - 2] == '=' ? 2 : 1;
	n = len / 4 * 3 - pad;
	if (n > max)
		return ws_err_set(WS_ERR_LIMIT, "base64 decodes to %zu bytes, at most %zu allowed", n, max);
	/* First pass: validate everything before writing anything. */
	for (i = 0; i < len - pad; i++)
		if (b64_value(in[i]) < 0)
			return ws_err_set(WS_ERR_INVALID_ARGUMENT,
			    "character %zu is not in the base64 alphabet", i);
	if ((pad == 1 && (b64_value(in[len - 2]) & 3) != 0) ||
	    (pad == 2 && (b64_value(in[len - 3]) & 15) != 0))
		return ws_err_set(WS_ERR_INVALID_ARGUMENT, "base64 has non-zero padding bits");
	for (i = 0; i < len; i += 4) {
		uint32_t v = 0;
		size_t j, k;

		for (j = 0; j < 4; j++)
			v = v << 6 | (in[i + j] == '=' ? 0 : (uint32_t)b64_value(in[i + j]));
		tmp[0] = (uint8_t)(v >> 16);
		tmp[1] = (uint8_t)(v >> 8);
		tmp[2] = (uint8_t)v;
		for (k = 0; k < 3 && o < n; k++)
			out[o++] = tmp[k];
	}
	*out_len = n;
	return WS_OK;
}
