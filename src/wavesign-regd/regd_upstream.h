/*
 * regd_upstream.h -- wavesign-regd's requests to wavesignd.
 *
 * One connection per request, through the library's client side
 * (ws_sock_connect, ws_request_encode, ws_frame_send/recv,
 * ws_response_parse). wavesignd identifies wavesign-regd by its unix user
 * (SO_PEERCRED); the policy decides what that client may do.
 */
#ifndef REGD_UPSTREAM_H
#define REGD_UPSTREAM_H

#include <stdbool.h>

#include <jansson.h>

#include "ws_err.h"
#include "ws_proto.h"

/* The largest answer accepted from wavesignd (certificates are a few KiB). */
#define REGD_UPSTREAM_REPLY_MAX ((size_t)4 << 20)

/*
 * Sends {"op": op, "id": id, "args": args} (id may be NULL; args is not
 * consumed) and waits for the answer, each wait bounded by timeout_ms.
 * WS_OK means an answer came: *resp holds it, success or refusal
 * (resp->ok); release it with ws_response_free(). Any other code means
 * no answer came (WS_ERR_DAEMON_UNREACHABLE, WS_ERR_TIMEOUT,
 * WS_ERR_FRAME_*, WS_ERR_REQUEST for an unparsable answer, ...), and
 * *resp holds nothing.
 */
ws_err regd_upstream_call(const char *socket_path, int timeout_ms, const char *op, const char *id,
    const json_t *args, struct ws_response *resp);

/* True for the codes of regd_upstream_call() that mean "no usable answer from the appliance". */
bool regd_upstream_unreachable(ws_err code);

#endif /* REGD_UPSTREAM_H */
