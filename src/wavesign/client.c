/*
 * client.c -- one request to wavesignd and its response.
 */
#include "config.h"

#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "ws_frame.h"
#include "ws_proto.h"
#include "ws_sock.h"

int
cli_call(struct cli *cli, const char *op, const json_t *args, json_t **result)
{
	struct ws_buf req = WS_BUF_INIT(WS_FRAME_CLIENT_MAX), resp = WS_BUF_INIT(WS_FRAME_CLIENT_MAX);
	struct ws_response r = { 0 };
	int fd = -1, code = CLI_EXIT_DAEMON;
	ws_err e;

	*result = NULL;
	if ((e = ws_request_encode(op, cli->request_id, args, &req)) != WS_OK) {
		code = cli_fail(CLI_EXIT_LOCAL, op, e);
		goto out;
	}
	if ((e = ws_sock_connect(cli->socket_path, &fd)) != WS_OK ||
	    (e = ws_frame_send(fd, req.data, req.len, cli->timeout_ms)) != WS_OK ||
	    (e = ws_frame_recv(fd, &resp, WS_FRAME_CLIENT_MAX, cli->timeout_ms)) != WS_OK ||
	    (e = ws_response_parse(resp.data, resp.len, &r)) != WS_OK) {
		code = cli_fail(CLI_EXIT_DAEMON, op, e);
		goto out;
	}
	if (cli->request_id != NULL) {
		const char *rid = json_string_value(json_object_get(r.root, "id"));

		if (rid == NULL || strcmp(rid, cli->request_id) != 0) {
			code = cli_fail(CLI_EXIT_DAEMON, op, ws_err_set(WS_ERR_REQUEST,
			    "the answer is for request id '%s', not '%s'", rid ? rid : "(none)", cli->request_id));
			goto out;
		}
	}
	if (!r.ok) {
		if (cli->json) {
			cli_print_json(r.root);
		}
		fprintf(stderr, "%s: %s: %s [%s]", cli->prog, op, r.message, r.code_name);
		if (r.record >= 0)
			fprintf(stderr, " (signing log record %lld)", (long long)r.record);
		fputc('\n', stderr);
		code = CLI_EXIT_REFUSED;
		goto out;
	}
	*result = json_incref(r.result);
	code = CLI_EXIT_OK;
out:
	ws_response_free(&r);
	ws_buf_free(&req);
	ws_buf_free(&resp);
	if (fd >= 0)
		close(fd);
	return code;
}
