/*
 * fuzz-json.c -- strict JSON parser and canonical encoder.
 *
 * Property checked beyond "no crash": whatever parses, encodes; the
 * valid-JSON form parses back to a value with the same canonical bytes.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "ws_cjson.h"
#include "ws_json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ws_buf canon = WS_BUF_INIT(1 << 24), file = WS_BUF_INIT(1 << 24), again = WS_BUF_INIT(1 << 24);
	json_t *v = NULL, *w = NULL;

	if (ws_json_parse(data, size, WS_JSON_DEPTH_DEFAULT, &v) != WS_OK)
		goto out;
	if (ws_cjson_encode(v, WS_CJSON_CANONICAL, &canon) != WS_OK)
		abort();
	if (ws_cjson_encode(v, WS_CJSON_VALID_JSON, &file) != WS_OK)
		abort();
	(void)ws_cjson_encode(v, WS_CJSON_PRINTABLE_ASCII, &again);
	ws_buf_reset(&again);
	if (ws_json_parse(file.data, file.len, WS_JSON_DEPTH_DEFAULT, &w) != WS_OK)
		abort();
	if (ws_cjson_encode(w, WS_CJSON_CANONICAL, &again) != WS_OK)
		abort();
	if (again.len != canon.len || memcmp(again.data, canon.data, canon.len) != 0)
		abort();
out:
	json_decref(v);
	json_decref(w);
	ws_buf_free(&canon);
	ws_buf_free(&file);
	ws_buf_free(&again);
	return 0;
}
