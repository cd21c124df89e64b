/*
 * ws_proto.h -- request and response messages (wavesign-protocol(7)).
 *
 * Request:  {"op": "<op>", "id": "<client request id>", "args": {...}}
 *           op is required ([a-z0-9.-], 1..64 bytes); id is optional
 *           (printable ASCII, 1..128 bytes) and makes retries idempotent;
 *           args is optional (an object; {} when absent). No other members.
 * Response: {"id": ..., "ok": true, "result": {...}}
 *        or {"id": ..., "ok": false,
 *            "error": {"code": "<stable code>", "message": "...", "record": <log seq>}}
 *           ("id" is absent when the request had none or could not be parsed;
 *           "record" is absent when no log record was written.)
 *
 * Messages travel in frames (ws_frame.h) as valid JSON, keys sorted.
 */
#ifndef WS_PROTO_H
#define WS_PROTO_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "ws_buf.h"
#include "ws_err.h"

#define WS_OP_NAME_MAX 64
#define WS_REQUEST_ID_MAX 128

struct ws_request {
	json_t *root;		/* owns everything below */
	const char *op;
	const char *id;		/* NULL when absent */
	json_t *args;		/* borrowed from root; never NULL after parse */
};

/*
 * Parses and checks a request payload. WS_ERR_JSON_* for bad JSON,
 * WS_ERR_REQUEST for a valid JSON value that is not a request (detail says
 * which member is wrong). On success release with ws_request_free().
 */
ws_err ws_request_parse(const uint8_t *data, size_t len, struct ws_request *out);
void ws_request_free(struct ws_request *req);

/* Encodes a request; args may be NULL ({}); args is not consumed. */
ws_err ws_request_encode(const char *op, const char *id, const json_t *args, struct ws_buf *out);

/* Encodes a success response; result may be NULL ({}); not consumed. */
ws_err ws_response_encode_ok(const char *id, const json_t *result, struct ws_buf *out);

/* Encodes a failure response; record < 0 means "no log record". */
ws_err ws_response_encode_error(const char *id, ws_err code, const char *message,
    int64_t record, struct ws_buf *out);

struct ws_response {
	json_t *root;		/* owns everything below */
	bool ok;
	json_t *result;		/* when ok */
	ws_err code;		/* when !ok: the code named by error.code */
	const char *code_name;	/* when !ok: error.code as sent */
	const char *message;	/* when !ok */
	int64_t record;		/* when !ok: log seq, or -1 */
};

/* Parses a response payload (clients). WS_ERR_REQUEST if malformed. */
ws_err ws_response_parse(const uint8_t *data, size_t len, struct ws_response *out);
void ws_response_free(struct ws_response *resp);

#endif /* WS_PROTO_H */
