/*
 * regd_reply.c -- HTTP statuses for wavesign codes, and failure bodies.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "regd_reply.h"

unsigned
regd_http_status(ws_err code)
{
	switch (code) {
	case WS_OK:
		return 200;
	case WS_ERR_CSR_MALFORMED:
	case WS_ERR_CSR_SIGNATURE:
	case WS_ERR_DER_MALFORMED:
	case WS_ERR_REQUEST:
	case WS_ERR_JSON_SYNTAX:
	case WS_ERR_JSON_DUPLICATE_KEY:
	case WS_ERR_JSON_FLOAT:
	case WS_ERR_JSON_UTF8:
	case WS_ERR_JSON_DEPTH:
	case WS_ERR_JSON_TYPE:
	case WS_ERR_JSON_MISSING:
	case WS_ERR_INVALID_ARGUMENT:
		return 400;
	case WS_ERR_UNAUTHORIZED:
		return 401;
	case WS_ERR_POLICY_DENIED:
	case WS_ERR_PRODUCTION_DENIED:
	case WS_ERR_PRODUCTION_REQUIRED:
	case WS_ERR_CSR_SUBJECT:
	case WS_ERR_CSR_KEY:
	case WS_ERR_CSR_EXTENSION:
	case WS_ERR_UNKNOWN_PEER:
		return 403;
	case WS_ERR_NOT_FOUND:
		return 404;
	case WS_ERR_ALREADY_ISSUED:
	case WS_ERR_EXISTS:
		return 409;
	case WS_ERR_LIMIT:
		return 413;
	case WS_ERR_RATE_LIMITED:
		return 429;
	case WS_ERR_DAEMON_UNREACHABLE:
	case WS_ERR_TIMEOUT:
	case WS_ERR_FRAME_TRUNCATED:
	case WS_ERR_SYSTEM:
		return 503;
	default:
		return 500;
	}
}

void
regd_reply_free(struct regd_reply *rep)
{
	free(rep->body);
	rep->body = NULL;
	rep->len = 0;
}

void
regd_reply_fail(struct regd_reply *rep, unsigned status, const char *code_name, const char *message,
    int64_t record)
{
	static const char oom[] = "{\"code\":\"out-of-memory\",\"error\":\"out of memory\"}";
	json_t *o = json_object();

	regd_reply_free(rep);
	rep->status = status;
	rep->record = record;
	snprintf(rep->code, sizeof(rep->code), "%s", code_name);
	if (o != NULL && json_object_set_new(o, "error", json_string(message)) == 0 &&
	    json_object_set_new(o, "code", json_string(code_name)) == 0 &&
	    (record < 0 || json_object_set_new(o, "record", json_integer(record)) == 0))
		rep->body = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(o);
	if (rep->body == NULL) {
		rep->status = 500;
		snprintf(rep->code, sizeof(rep->code), "%s", "out-of-memory");
		rep->body = strdup(oom);
	}
	rep->len = rep->body != NULL ? strlen(rep->body) : 0;
}

void
regd_reply_err(struct regd_reply *rep, ws_err code, const char *message)
{
	regd_reply_fail(rep, regd_http_status(code), ws_err_code(code),
	    message != NULL ? message : ws_err_message(code), -1);
}
