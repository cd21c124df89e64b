/*
 * regd_upstream.c -- one request to wavesignd and its answer.
 */
#include "config.h"

#include <string.h>
#include <unistd.h>

#include "regd_upstream.h"
#include "ws_frame.h"
#include "ws_sock.h"

ws_err
regd_upstream_call(const char *socket_path, int timeout_ms, const char *op, const char *id,
    const json_t *args, struct ws_response *resp)
{
	struct ws_buf req = WS_BUF_INIT(REGD_UPSTREAM_REPLY_MAX), reply = WS_BUF_INIT(REGD_UPSTREAM_REPLY_MAX);
	struct ws_response parsed = { 0 };
	int fd = -1;
	ws_err r;

	memset(resp, 0, sizeof(*resp));
	if ((r = ws_request_encode(op, id, args, &req)) != WS_OK ||
	    (r = ws_sock_connect(socket_path, &fd)) != WS_OK ||
	    (r = ws_frame_send(fd, req.data, req.len, timeout_ms)) != WS_OK ||
	    (r = ws_frame_recv(fd, &reply, REGD_UPSTREAM_REPLY_MAX, timeout_ms)) != WS_OK ||
	    (r = ws_response_parse(reply.data, reply.len, &parsed)) != WS_OK)
		goto out;
	*resp = parsed;
	memset(&parsed, 0, sizeof(parsed));
out:
	ws_response_free(&parsed);
	ws_buf_free(&req);
	ws_buf_free(&reply);
	if (fd >= 0)
		close(fd);
	return r;
}

bool
regd_upstream_unreachable(ws_err code)
{
	switch (code) {
	case WS_ERR_DAEMON_UNREACHABLE:
	case WS_ERR_TIMEOUT:
	case WS_ERR_FRAME_TRUNCATED:
	case WS_ERR_SYSTEM:
		return true;
	default:
		return false;
	}
}
