/*
 * fuzz-request.c -- the socket protocol's untrusted input: a frame header
 * followed by a request payload, as wavesignd receives them.
 *
 * Beyond "no crash": a header that decodes announces a length within the
 * bound; a request that parses re-encodes to a request that parses to the
 * same op, id and canonical args.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "ws_cjson.h"
#include "ws_frame.h"
#include "ws_proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_MAX_FRAME (1u << 20)

static void
check_round_trip(const struct ws_request *req)
{
	struct ws_buf enc = WS_BUF_INIT(1 << 24), a = WS_BUF_INIT(1 << 24), b = WS_BUF_INIT(1 << 24);
	struct ws_request again = { 0 };

	if (ws_request_encode(req->op, req->id, req->args, &enc) != WS_OK)
		abort();
	if (ws_request_parse(enc.data, enc.len, &again) != WS_OK)
		abort();
	if (strcmp(req->op, again.op) != 0)
		abort();
	if ((req->id == NULL) != (again.id == NULL) || (req->id && strcmp(req->id, again.id) != 0))
		abort();
	if (ws_cjson_encode(req->args, 0, &a) != WS_OK || ws_cjson_encode(again.args, 0, &b) != WS_OK)
		abort();
	if (a.len != b.len || memcmp(a.data, b.data, a.len) != 0)
		abort();
	ws_request_free(&again);
	ws_buf_free(&enc);
	ws_buf_free(&a);
	ws_buf_free(&b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ws_request req = { 0 };
	uint32_t len = 0;

	if (size < WS_FRAME_HEADER_LEN)
		return 0;
	if (ws_frame_header_decode(data, FUZZ_MAX_FRAME, &len) == WS_OK) {
		if (len > FUZZ_MAX_FRAME || len < WS_FRAME_MIN_PAYLOAD)
			abort();
	}
	/* The payload is parsed whatever the header said, to reach the parser more often. */
	if (ws_request_parse(data + WS_FRAME_HEADER_LEN, size - WS_FRAME_HEADER_LEN, &req) == WS_OK) {
		check_round_trip(&req);
		ws_request_free(&req);
	}
	return 0;
}
