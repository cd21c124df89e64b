/*
 * op_status.c -- status: what this appliance is and holds, without secrets.
 */
#include "config.h"

#include <time.h>

#include "daemon.h"
#include "ws_encode.h"

static json_t *
time_string(time_t t)
{
	char s[32];
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(s, sizeof(s), "%Y-%m-%dT%H:%M:%SZ", &tm);
	return json_string(s);
}

ws_err
op_status(struct op_ctx *ctx, json_t **result)
{
	struct ws_daemon *d = ctx->d;
	const struct ws_policy *policy = ctx->policy;
	json_t *res = NULL, *keys = NULL;
	time_t now = time(NULL);
	ws_merkle_hash root;
	char root_hex[2 * WS_MERKLE_HASH_LEN + 1];

	if (json_object_size(ctx->req->args) != 0)
		return ws_err_set(WS_ERR_REQUEST, "status takes no arguments");
	ws_log_root(d->log, root);
	ws_hex_encode(root, sizeof(root), root_hex);
	if ((keys = keys_describe(d, policy)) == NULL)
		return ws_err_set(WS_ERR_NOMEM, "status");
	res = json_pack("{s:s, s:i, s:o, s:I, s:{s:s, s:s, s:s}, s:o, s:{s:s, s:s, s:s}, s:s, s:s, s:i, s:{s:I, s:s, s:s}}",
	    "version", PACKAGE_VERSION,
	    "protocol", 1,
	    "started", time_string(d->started),
	    "uptime", (json_int_t)(now - d->started),
	    "token", "label", ws_token_label(d->token), "model", ws_token_model(d->token),
	        "uri", d->config->token_uri,
	    "keys", keys,
	    "policy", "path", policy->path, "sha256", ws_policy_sha256(policy), "factory", policy->factory,
	    "state_dir", d->config->state_dir,
	    "client", ctx->client->name,
	    "workers", (int)d->workers,
	    "log", "size", (json_int_t)ws_log_size(d->log), "root", root_hex, "origin", ws_log_origin(d->log));
	if (res == NULL)
		return ws_err_set(WS_ERR_NOMEM, "status");
	*result = res;
	return WS_OK;
}
