/*
 * ws_tuf.c -- dialects, roles, expiry times, version and expiry checks
 * (see ws_tuf.h).
 */
#include "config.h"

#include <inttypes.h>
#include <string.h>

#include <openssl/evp.h>

#include "ws_tuf.h"

static const char *const role_names[WS_TUF_ROLE_COUNT] = {
	"root", "targets", "snapshot", "timestamp",
};

static const char *const foundries_types[WS_TUF_ROLE_COUNT] = {
	"Root", "Targets", "Snapshot", "Timestamp",
};

ws_err
ws_tuf_dialect_from_name(const char *name, enum ws_tuf_dialect *out)
{
	if (name != NULL && strcmp(name, "foundries") == 0)
		*out = WS_TUF_FOUNDRIES;
	else if (name != NULL && strcmp(name, "tuf") == 0)
		*out = WS_TUF_SPEC;
	else
		return ws_err_set(WS_ERR_INVALID_ARGUMENT,
		    "TUF dialect '%.32s': expected 'foundries' or 'tuf'", name ? name : "(null)");
	return WS_OK;
}

ws_err
ws_tuf_role_from_name(const char *name, enum ws_tuf_role *out)
{
	for (unsigned i = 0; name != NULL && i < WS_TUF_ROLE_COUNT; i++) {
		if (strcmp(name, role_names[i]) == 0) {
			*out = (enum ws_tuf_role)i;
			return WS_OK;
		}
	}
	return ws_err_set(WS_ERR_INVALID_ARGUMENT,
	    "TUF role '%.32s': expected root, targets, snapshot or timestamp", name ? name : "(null)");
}

const char *
ws_tuf_role_type(enum ws_tuf_dialect dialect, enum ws_tuf_role role)
{
	if ((unsigned)role >= WS_TUF_ROLE_COUNT)
		return "?";
	return dialect == WS_TUF_FOUNDRIES ? foundries_types[role] : role_names[role];
}

ws_err
ws_tuf_expires_format(time_t t, char out[WS_TUF_EXPIRES_LEN + 1])
{
	struct tm tm;

	if (t < 0 || gmtime_r(&t, &tm) == NULL || tm.tm_year + 1900 > 9999)
		return ws_err_set(WS_ERR_TUF_EXPIRES, "time %lld is outside years 1970..9999",
		    (long long)t);
	if (strftime(out, WS_TUF_EXPIRES_LEN + 1, "%Y-%m-%dT%H:%M:%SZ", &tm) != WS_TUF_EXPIRES_LEN)
		return ws_err_set(WS_ERR_INTERNAL, "formatting time %lld", (long long)t);
	return WS_OK;
}

/* Reads n decimal digits at s. */
static bool
digits(const char *s, size_t n, int *out)
{
	int v = 0;

	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return true;
}

ws_err
ws_tuf_expires_parse(const char *s, time_t *out)
{
	char again[WS_TUF_EXPIRES_LEN + 1];
	struct tm tm;
	int year, mon, day, hour, min, sec;
	time_t t;

	memset(&tm, 0, sizeof(tm));
	if (strlen(s) != WS_TUF_EXPIRES_LEN ||
	    !digits(s, 4, &year) || s[4] != '-' || !digits(s + 5, 2, &mon) || s[7] != '-' ||
	    !digits(s + 8, 2, &day) || s[10] != 'T' || !digits(s + 11, 2, &hour) ||
	    s[13] != ':' || !digits(s + 14, 2, &min) || s[16] != ':' ||
	    !digits(s + 17, 2, &sec) || s[19] != 'Z')
		goto bad;
	if (year < 1970 || mon < 1 || mon > 12 || day < 1 || day > 31 || hour > 23 ||
	    min > 59 || sec > 59)
		goto bad;
	tm.tm_year = year - 1900;
	tm.tm_mon = mon - 1;
	tm.tm_mday = day;
	tm.tm_hour = hour;
	tm.tm_min = min;
	tm.tm_sec = sec;
	t = timegm(&tm);
	/* timegm() normalises 02-30 to 03-02: a date that does not come back is no date. */
	if (t < 0 || ws_tuf_expires_format(t, again) != WS_OK || strcmp(again, s) != 0)
		goto bad;
	*out = t;
	return WS_OK;
bad:
	return ws_err_set(WS_ERR_TUF_EXPIRES,
	    "\"%.40s\" is not a UTC time of the form YYYY-MM-DDTHH:MM:SSZ", s);
}

ws_err
ws_tuf_check_version(enum ws_tuf_role role, int64_t version, int64_t prev_version)
{
	if (version < 1)
		return ws_err_set(WS_ERR_TUF_VERSION, "%s version %" PRId64 " is not >= 1",
		    ws_tuf_role_name(role), version);
	if (role == WS_TUF_ROOT && prev_version > 0 && version != prev_version + 1)
		return ws_err_set(WS_ERR_TUF_VERSION,
		    "root version %" PRId64 " must be exactly %" PRId64 " (the current root is %" PRId64 ")",
		    version, prev_version + 1, prev_version);
	if (version <= prev_version)
		return ws_err_set(WS_ERR_TUF_VERSION,
		    "%s version %" PRId64 " does not exceed the current version %" PRId64,
		    ws_tuf_role_name(role), version, prev_version);
	return WS_OK;
}

ws_err
ws_tuf_check_expires(const struct ws_tuf_check *check, time_t expires)
{
	char e[WS_TUF_EXPIRES_LEN + 1] = "?", n[WS_TUF_EXPIRES_LEN + 1] = "?";

	(void)ws_tuf_expires_format(expires, e);
	(void)ws_tuf_expires_format(check->now, n);
	if (expires <= check->now)
		return ws_err_set(WS_ERR_TUF_EXPIRES, "expires %s is not after now (%s)", e, n);
	if (check->max_lifetime > 0 && (int64_t)(expires - check->now) > check->max_lifetime)
		return ws_err_set(WS_ERR_TUF_EXPIRES,
		    "expires %s is more than %" PRId64 " seconds after now (%s)", e,
		    check->max_lifetime, n);
	return WS_OK;
}

void
ws_tuf_hex(const uint8_t *p, size_t n, char *out)
{
	static const char hex[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = hex[p[i] >> 4];
		out[2 * i + 1] = hex[p[i] & 15];
	}
	out[2 * n] = '\0';
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

ws_err
ws_tuf_unhex(const char *hex, uint8_t *out, size_t max, size_t *out_len)
{
	size_t len = strlen(hex);

	if (len % 2 != 0)
		return ws_err_set(WS_ERR_TUF, "hex string of odd length %zu", len);
	if (len / 2 > max)
		return ws_err_set(WS_ERR_LIMIT, "hex string of %zu bytes (at most %zu)", len / 2, max);
	for (size_t i = 0; i < len; i += 2) {
		int hi = hexval(hex[i]), lo = hexval(hex[i + 1]);

		if (hi < 0 || lo < 0)
			return ws_err_set(WS_ERR_TUF, "not lower-case hex at offset %zu", hi < 0 ? i : i + 1);
		out[i / 2] = (uint8_t)(hi << 4 | lo);
	}
	*out_len = len / 2;
	return WS_OK;
}

static int
b64val(char c)
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

ws_err
ws_tuf_unbase64(const char *b64, uint8_t *out, size_t max, size_t *out_len)
{
	size_t len = strlen(b64), pad = 0, n = 0;

	if (len == 0 || len % 4 != 0)
		return ws_err_set(WS_ERR_TUF, "base64 string of length %zu (not a multiple of 4)", len);
	if (b64[len - 1] == '=')
		pad = b64[len - 2] == '=' ? 2 : 1;
	if (len / 4 * 3 - pad > max)
		return ws_err_set(WS_ERR_LIMIT, "base64 string of %zu bytes (at most %zu)",
		    len / 4 * 3 - pad, max);
	for (size_t i = 0; i < len; i += 4) {
		int v[4];
		uint32_t w = 0;

		for (size_t j = 0; j < 4; j++) {
			v[j] = (i + j >= len - pad) ? 0 : b64val(b64[i + j]);
			if (v[j] < 0)
				return ws_err_set(WS_ERR_TUF, "not base64 at offset %zu", i + j);
			w = w << 6 | (uint32_t)v[j];
		}
		for (size_t j = 0; j < 3 && n < len / 4 * 3 - pad; j++)
			out[n++] = (uint8_t)(w >> (16 - 8 * j));
	}
	/* Padding bits must be zero, so that each byte string has one encoding. */
	if ((pad == 1 && (b64val(b64[len - 2]) & 3) != 0) ||
	    (pad == 2 && (b64val(b64[len - 3]) & 15) != 0))
		return ws_err_set(WS_ERR_TUF, "base64 string with non-zero padding bits");
	*out_len = n;
	return WS_OK;
}

ws_err
ws_tuf_sha256(const void *data, size_t len, uint8_t out[32])
{
	unsigned int n = 0;

	if (EVP_Digest(data, len, out, &n, EVP_sha256(), NULL) != 1 || n != 32)
		return ws_err_crypto(WS_ERR_CRYPTO, "SHA-256");
	return WS_OK;
}
