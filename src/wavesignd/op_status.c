/*
 * op_status.c -- status: what this appliance is and holds, without secrets.
 */
#include "config.h"

#include <string.h>
#include <time.h>

#include "daemon.h"
#include "pki.h"
#include "waves_state.h"
#include "ws_encode.h"
#include "ws_wave.h"

static json_t *
time_string(time_t t)
{
	char s[32];
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(s, sizeof(s), "%Y-%m-%dT%H:%M:%SZ", &tm);
	return json_string(s);
}

/* {"serial", "not_after"} of one of our CA certificates, or null. */
static json_t *
ca_describe(const struct ws_ca *ca)
{
	char serial[2 * 20 + 1];

	if (ca == NULL)
		return json_null();
	if (ca->serial_len > 20)
		return json_null();
	ws_hex_encode(ca->serial, ca->serial_len, serial);
	return json_pack("{s:s, s:o}", "serial", serial, "not_after", time_string(ca->not_after));
}

/* The waves that are Active now (an array, oldest first). */
static json_t *
active_waves(struct ws_daemon *d)
{
	json_t *all = NULL, *active = json_array(), *w;
	size_t i;

	waves_lock(d->waves);
	if (ws_wave_list(waves_state_get(d->waves), &all) != WS_OK)
		all = NULL;
	waves_unlock(d->waves);
	json_array_foreach(all, i, w)
		if (strcmp(json_string_value(json_object_get(w, "status")) ?: "", "Active") == 0)
			json_array_append(active, w);
	json_decref(all);
	return active;
}

ws_err
op_status(struct op_ctx *ctx, json_t **result)
{
	struct ws_daemon *d = ctx->d;
	const struct ws_policy *policy = ctx->policy;
	json_t *res = NULL, *keys = NULL;
	struct pki_cas cas;
	time_t now = time(NULL);
	ws_merkle_hash root;
	char root_hex[2 * WS_MERKLE_HASH_LEN + 1];
	char token_reason[512];
	bool token_lost;

	if (json_object_size(ctx->req->args) != 0)
		return ws_err_set(WS_ERR_REQUEST, "status takes no arguments");
	token_lost = ws_token_state(d->token, token_reason, sizeof(token_reason));
	ws_log_root(d->log, root);
	ws_hex_encode(root, sizeof(root), root_hex);
	if ((keys = keys_describe(d, policy)) == NULL)
		return ws_err_set(WS_ERR_NOMEM, "status");
	res = json_pack("{s:s, s:i, s:o, s:I, s:{s:s, s:s, s:s, s:s, s:s*}, s:o, s:{s:s, s:s, s:s}, s:s, s:s, s:i, s:{s:I, s:s, s:s}}",
	    "version", PACKAGE_VERSION,
	    "protocol", 1,
	    "started", time_string(d->started),
	    "uptime", (json_int_t)(now - d->started),
	    "token", "label", ws_token_label(d->token), "model", ws_token_model(d->token),
	        "uri", d->config->token_uri, "state", token_lost ? "unavailable" : "ready",
	        "error", token_lost ? token_reason : NULL,
	    "keys", keys,
	    "policy", "path", policy->path, "sha256", ws_policy_sha256(policy), "factory", policy->factory,
	    "state_dir", d->config->state_dir,
	    "client", ctx->client->name,
	    "workers", (int)d->workers,
	    "log", "size", (json_int_t)ws_log_size(d->log), "root", root_hex, "origin", ws_log_origin(d->log));
	if (res == NULL)
		return ws_err_set(WS_ERR_NOMEM, "status");
	pki_cas(d->pki, &cas);
	if (json_object_set_new(res, "pki", json_pack("{s:o, s:o}", "root", ca_describe(cas.root),
	    "device_ca", ca_describe(cas.device_ca))) != 0 ||
	    json_object_set_new(res, "active_waves", active_waves(d)) != 0) {
		json_decref(res);
		return ws_err_set(WS_ERR_NOMEM, "status");
	}
	*result = res;
	return WS_OK;
}
