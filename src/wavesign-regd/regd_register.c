/*
 * regd_register.c -- one registration: cert.issue on the socket, then the
 * files the device writes; and the health check behind HEAD.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "regd_log.h"
#include "regd_register.h"
#include "regd_sota.h"
#include "regd_upstream.h"

#define REGD_FILES_MAX ((size_t)1 << 20)	/* the 201 body */

/* "regd-" + hex SHA-256 of the CSR text: the same CSR retried is the same request. */
static ws_err
request_id(const char *csr, char id[5 + 64 + 1])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[32];
	unsigned int mdlen = 0;

	if (EVP_Digest(csr, strlen(csr), md, &mdlen, EVP_sha256(), NULL) != 1 || mdlen != 32)
		return ws_err_crypto(WS_ERR_CRYPTO, "SHA-256 of the CSR");
	memcpy(id, "regd-", 5);
	for (size_t i = 0; i < 32; i++) {
		id[5 + 2 * i] = hex[md[i] >> 4];
		id[5 + 2 * i + 1] = hex[md[i] & 15];
	}
	id[5 + 64] = '\0';
	return WS_OK;
}

/* A refusal or failure answered by wavesignd, passed on with its code and record. */
static void
reply_refusal(const struct ws_response *resp, struct regd_reply *rep)
{
	ws_err code = ws_err_from_code(resp->code_name);

	regd_reply_fail(rep, regd_http_status(code), resp->code_name,
	    resp->message != NULL ? resp->message : ws_strerror(code), resp->record);
}

/* The files object from cert.issue's result; wavesignd's answer is checked, not trusted blindly. */
static ws_err
files_object(const struct regd_config *cfg, const struct regd_request *req, const json_t *result,
    struct regd_reply *rep)
{
	static const char *const names[] = { "root.crt", "client.pem", "client.chained", NULL };
	struct ws_buf toml = WS_BUF_INIT(REGD_FILES_MAX);
	json_t *files = json_object(), *v = NULL;
	const char *toml_text = NULL;
	ws_err r;

	if (files == NULL) {
		r = ws_err_set(WS_ERR_NOMEM, "reply");
		goto out;
	}
	for (size_t i = 0; names[i] != NULL; i++) {
		v = json_object_get(result, names[i]);
		if (!json_is_string(v) || json_string_length(v) == 0) {
			r = ws_err_set(WS_ERR_INTERNAL, "wavesignd's cert.issue result has no %s", names[i]);
			goto out;
		}
		if (json_object_set(files, names[i], v) != 0) {
			r = ws_err_set(WS_ERR_NOMEM, "reply");
			goto out;
		}
	}
	if ((r = regd_sota_toml(cfg->gateway, req, &toml)) != WS_OK || (r = ws_buf_cstr(&toml, &toml_text)) != WS_OK)
		goto out;
	if (json_object_set_new(files, "sota.toml", json_string(toml_text)) != 0 ||
	    (rep->body = json_dumps(files, JSON_COMPACT | JSON_SORT_KEYS)) == NULL) {
		r = ws_err_set(WS_ERR_NOMEM, "reply");
		goto out;
	}
	rep->len = strlen(rep->body);
	rep->status = 201;
	v = json_object_get(result, "record");
	rep->record = json_is_integer(v) ? (int64_t)json_integer_value(v) : -1;
	snprintf(rep->code, sizeof(rep->code), "%s", "ok");
	r = WS_OK;
out:
	json_decref(files);
	ws_buf_free(&toml);
	return r;
}

void
regd_register(const struct regd_config *cfg, const struct regd_request *req, struct regd_reply *rep)
{
	struct ws_response resp = { 0 };
	char id[5 + 64 + 1];
	json_t *args = NULL;
	ws_err r;

	regd_reply_free(rep);
	if (req->group != NULL && !cfg->allow_group) {
		regd_reply_err(rep, WS_ERR_POLICY_DENIED, "a device may not choose its own group "
		    "(the registration front's allow-group is off); register without -g/--device-group");
		goto out;
	}
	if ((r = request_id(req->csr, id)) != WS_OK) {
		regd_reply_err(rep, r, NULL);
		goto out;
	}
	if ((args = json_object()) == NULL || json_object_set_new(args, "csr", json_string(req->csr)) != 0) {
		regd_reply_err(rep, WS_ERR_NOMEM, NULL);
		goto out;
	}
	if ((r = regd_upstream_call(cfg->socket_path, (int)cfg->upstream_timeout_ms, "cert.issue", id, args,
	    &resp)) != WS_OK) {
		/* The detail (socket path, errno) is for the operator, not for the device. */
		regd_log_warn("cert.issue: no answer from wavesignd: %s", ws_err_message(r));
		if (regd_upstream_unreachable(r))
			regd_reply_fail(rep, 503, ws_err_code(WS_ERR_DAEMON_UNREACHABLE),
			    "the signing appliance is unreachable; try again later", -1);
		else
			regd_reply_fail(rep, 500, ws_err_code(r), "the signing appliance gave no usable answer", -1);
		goto out;
	}
	if (!resp.ok) {
		reply_refusal(&resp, rep);
		goto out;
	}
	if ((r = files_object(cfg, req, resp.result, rep)) != WS_OK) {
		regd_reply_free(rep);
		regd_reply_err(rep, r, NULL);
		goto out;
	}
out:
	ws_response_free(&resp);
	json_decref(args);
}

static bool
cache_fresh(const struct regd_health *h, const struct timespec *now)
{
	return (h->answered.tv_sec != 0 || h->answered.tv_nsec != 0) &&
	    now->tv_sec - h->answered.tv_sec < REGD_HEALTH_CACHE_S;
}

void
regd_health_check(const struct regd_config *cfg, struct regd_health *h, struct regd_reply *rep)
{
	struct ws_response resp = { 0 };
	struct timespec now;
	ws_err r;

	regd_reply_free(rep);
	clock_gettime(CLOCK_MONOTONIC, &now);
	/* Held across the call: concurrent checks wait for one answer instead of each asking. */
	pthread_mutex_lock(&h->lock);
	if (!cache_fresh(h, &now)) {
		r = regd_upstream_call(cfg->socket_path, (int)cfg->upstream_timeout_ms, "status", NULL, NULL, &resp);
		if (r == WS_OK) {
			clock_gettime(CLOCK_MONOTONIC, &h->answered);
			h->ok = resp.ok;
			snprintf(h->code, sizeof(h->code), "%s", resp.ok ? "ok" : resp.code_name);
			if (!resp.ok)
				regd_log_warn("health check: wavesignd refused status: %s [%s]",
				    resp.message, resp.code_name);
		} else {
			/* Not cached: no record was written, and the next check should see a restart. */
			h->answered.tv_sec = h->answered.tv_nsec = 0;
			h->ok = false;
			snprintf(h->code, sizeof(h->code), "%s", ws_err_code(WS_ERR_DAEMON_UNREACHABLE));
			regd_log_warn("health check: no answer from wavesignd: %s", ws_err_message(r));
		}
	}
	rep->status = h->ok ? 200 : 503;
	snprintf(rep->code, sizeof(rep->code), "%s", h->code);
	pthread_mutex_unlock(&h->lock);
	ws_response_free(&resp);
}
