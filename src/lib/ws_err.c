/*
 * ws_err.c -- error codes, sentences and the per-thread failure detail.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <openssl/err.h>
#include <p11-kit/pkcs11.h>

#include "ws_err.h"

#define WS_ERR_DETAIL_MAX 1024

static __thread char err_detail[WS_ERR_DETAIL_MAX];
static __thread char err_message[WS_ERR_DETAIL_MAX + 256];

struct err_entry {
	const char *code;
	const char *text;
};

#define WS_ERR_TABLE_ITEM(name, code, text) { code, text },
static const struct err_entry err_table[] = { WS_ERR_LIST(WS_ERR_TABLE_ITEM) };
#undef WS_ERR_TABLE_ITEM

static const struct err_entry *
err_lookup(ws_err err)
{
	int idx = -(int)err;

	if (idx < 0 || idx >= WS_ERR_COUNT)
		return NULL;
	return &err_table[idx];
}

const char *
ws_strerror(ws_err err)
{
	const struct err_entry *e = err_lookup(err);

	return e ? e->text : "unknown error";
}

const char *
ws_err_code(ws_err err)
{
	const struct err_entry *e = err_lookup(err);

	return e ? e->code : "internal";
}

ws_err
ws_err_from_code(const char *code)
{
	if (code == NULL)
		return WS_ERR_INTERNAL;
	for (int i = 0; i < WS_ERR_COUNT; i++)
		if (strcmp(err_table[i].code, code) == 0)
			return (ws_err)-i;
	return WS_ERR_INTERNAL;
}

/* Formats through a copy, so the arguments may include ws_err_detail(). */
static void
detail_vset(const char *fmt, va_list ap)
{
	char tmp[WS_ERR_DETAIL_MAX];

	if (fmt == NULL) {
		err_detail[0] = '\0';
		return;
	}
	vsnprintf(tmp, sizeof(tmp), fmt, ap);
	memcpy(err_detail, tmp, sizeof(err_detail));
}

static void
detail_append(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void
detail_append(const char *fmt, ...)
{
	size_t len = strlen(err_detail);
	va_list ap;

	if (len >= sizeof(err_detail) - 1)
		return;
	va_start(ap, fmt);
	vsnprintf(err_detail + len, sizeof(err_detail) - len, fmt, ap);
	va_end(ap);
}

ws_err
ws_err_set(ws_err err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	detail_vset(fmt, ap);
	va_end(ap);
	return err;
}

ws_err
ws_err_errno(const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	va_start(ap, fmt);
	detail_vset(fmt, ap);
	va_end(ap);
	detail_append("%s%s", err_detail[0] ? ": " : "", strerror(saved));
	errno = saved;
	return WS_ERR_SYSTEM;
}

ws_err
ws_err_crypto(ws_err err, const char *fmt, ...)
{
	unsigned long e;
	const char *sep;
	char buf[256];
	va_list ap;

	va_start(ap, fmt);
	detail_vset(fmt, ap);
	va_end(ap);
	sep = err_detail[0] ? ": " : "";
	while ((e = ERR_get_error()) != 0) {
		ERR_error_string_n(e, buf, sizeof(buf));
		detail_append("%s%s", sep, buf);
		sep = "; ";
	}
	return err;
}

ws_err
ws_err_ckr(ws_err err, unsigned long ckr, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	detail_vset(fmt, ap);
	va_end(ap);
	detail_append("%s%s", err_detail[0] ? ": " : "", ws_ckr_name(ckr));
	return err;
}

const char *
ws_err_detail(void)
{
	return err_detail;
}

const char *
ws_err_message(ws_err err)
{
	if (err_detail[0] != '\0' && err != WS_OK)
		snprintf(err_message, sizeof(err_message), "%s: %s", ws_strerror(err), err_detail);
	else
		snprintf(err_message, sizeof(err_message), "%s", ws_strerror(err));
	return err_message;
}

void
ws_err_prefix(const char *fmt, ...)
{
	char old[WS_ERR_DETAIL_MAX];
	va_list ap;

	memcpy(old, err_detail, sizeof(old));
	va_start(ap, fmt);
	vsnprintf(err_detail, sizeof(err_detail), fmt, ap);
	va_end(ap);
	if (old[0] != '\0')
		detail_append(": %s", old);
}

const char *
ws_ckr_name(unsigned long ckr)
{
	static __thread char unknown[32];

	switch (ckr) {
#define CKR_NAME(x) case x: return #x;
	CKR_NAME(CKR_OK)
	CKR_NAME(CKR_CANCEL)
	CKR_NAME(CKR_HOST_MEMORY)
	CKR_NAME(CKR_SLOT_ID_INVALID)
	CKR_NAME(CKR_GENERAL_ERROR)
	CKR_NAME(CKR_FUNCTION_FAILED)
	CKR_NAME(CKR_ARGUMENTS_BAD)
	CKR_NAME(CKR_ATTRIBUTE_READ_ONLY)
	CKR_NAME(CKR_ATTRIBUTE_SENSITIVE)
	CKR_NAME(CKR_ATTRIBUTE_TYPE_INVALID)
	CKR_NAME(CKR_ATTRIBUTE_VALUE_INVALID)
	CKR_NAME(CKR_DATA_INVALID)
	CKR_NAME(CKR_DATA_LEN_RANGE)
	CKR_NAME(CKR_DEVICE_ERROR)
	CKR_NAME(CKR_DEVICE_MEMORY)
	CKR_NAME(CKR_DEVICE_REMOVED)
	CKR_NAME(CKR_FUNCTION_NOT_SUPPORTED)
	CKR_NAME(CKR_KEY_HANDLE_INVALID)
	CKR_NAME(CKR_KEY_SIZE_RANGE)
	CKR_NAME(CKR_KEY_TYPE_INCONSISTENT)
	CKR_NAME(CKR_KEY_FUNCTION_NOT_PERMITTED)
	CKR_NAME(CKR_MECHANISM_INVALID)
	CKR_NAME(CKR_MECHANISM_PARAM_INVALID)
	CKR_NAME(CKR_OBJECT_HANDLE_INVALID)
	CKR_NAME(CKR_OPERATION_ACTIVE)
	CKR_NAME(CKR_OPERATION_NOT_INITIALIZED)
	CKR_NAME(CKR_PIN_INCORRECT)
	CKR_NAME(CKR_PIN_INVALID)
	CKR_NAME(CKR_PIN_LEN_RANGE)
	CKR_NAME(CKR_PIN_EXPIRED)
	CKR_NAME(CKR_PIN_LOCKED)
	CKR_NAME(CKR_SESSION_CLOSED)
	CKR_NAME(CKR_SESSION_COUNT)
	CKR_NAME(CKR_SESSION_HANDLE_INVALID)
	CKR_NAME(CKR_SESSION_READ_ONLY)
	CKR_NAME(CKR_SESSION_EXISTS)
	CKR_NAME(CKR_SIGNATURE_INVALID)
	CKR_NAME(CKR_SIGNATURE_LEN_RANGE)
	CKR_NAME(CKR_TEMPLATE_INCOMPLETE)
	CKR_NAME(CKR_TEMPLATE_INCONSISTENT)
	CKR_NAME(CKR_TOKEN_NOT_PRESENT)
	CKR_NAME(CKR_TOKEN_NOT_RECOGNIZED)
	CKR_NAME(CKR_TOKEN_WRITE_PROTECTED)
	CKR_NAME(CKR_USER_ALREADY_LOGGED_IN)
	CKR_NAME(CKR_USER_NOT_LOGGED_IN)
	CKR_NAME(CKR_USER_PIN_NOT_INITIALIZED)
	CKR_NAME(CKR_USER_TYPE_INVALID)
	CKR_NAME(CKR_BUFFER_TOO_SMALL)
	CKR_NAME(CKR_CRYPTOKI_NOT_INITIALIZED)
	CKR_NAME(CKR_CRYPTOKI_ALREADY_INITIALIZED)
	CKR_NAME(CKR_CURVE_NOT_SUPPORTED)
#undef CKR_NAME
	default:
		snprintf(unknown, sizeof(unknown), "CKR_0x%08lx", ckr);
		return unknown;
	}
}
