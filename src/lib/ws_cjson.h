/*
 * ws_cjson.h -- canonical JSON encoding (the bytes that are signed).
 *
 * Canonical form (OLPC canonical JSON as TUF and ota-tuf use it): object
 * keys sorted by their UTF-8 bytes, no whitespace, integers only, strings
 * with only '"' and '\' escaped. That form is not valid JSON once a string
 * holds a control character, so files are written with WS_CJSON_VALID_JSON,
 * which additionally escapes control characters (\n, \t, \u00XX ...): for
 * strings of printable characters both forms are the same bytes.
 *
 * WS_CJSON_PRINTABLE_ASCII refuses any string (key or value) with a byte
 * outside 0x20..0x7E (WS_ERR_JSON_NOT_ASCII, detail names the path), as the
 * foundries dialect needs: aktualizr re-serialises with jsoncpp, which
 * agrees with canonical bytes only for printable ASCII.
 *
 * Reals are refused (WS_ERR_JSON_FLOAT); nesting beyond WS_CJSON_DEPTH_MAX
 * is refused (WS_ERR_JSON_DEPTH). The output is appended to out, whose own
 * maximum bounds the size (WS_ERR_LIMIT).
 */
#ifndef WS_CJSON_H
#define WS_CJSON_H

#include <jansson.h>

#include "ws_buf.h"
#include "ws_err.h"

#define WS_CJSON_DEPTH_MAX 64

enum ws_cjson_flags {
	WS_CJSON_CANONICAL = 0,
	WS_CJSON_VALID_JSON = 1 << 0,
	WS_CJSON_PRINTABLE_ASCII = 1 << 1,
};

ws_err ws_cjson_encode(const json_t *v, unsigned flags, struct ws_buf *out);

#endif /* WS_CJSON_H */
