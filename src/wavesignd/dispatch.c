/*
 * dispatch.c -- one request, start to end:
 *
 *   parse -> identify the peer's client (policy) -> authorise the op
 *   -> run it -> append its record to the signing log (durable)
 *   -> only then answer.
 *
 * Every request ends in exactly one log record, whatever the outcome:
 * a request that cannot be parsed, a peer the policy does not know, an
 * op the client may not run, an op that fails. If the record cannot be
 * written the answer is log-write-failed and no output leaves the daemon.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "daemon.h"
#include "replay.h"
#include "ws_cjson.h"
#include "ws_encode.h"
#include "ws_sha256.h"
#include "wslog.h"

const struct op_def op_table[] = {
	{ "status", op_status },
	{ "keys.init", op_keys_init },
	{ "keys.list", op_keys_list },
	{ "ca.init", op_ca_init },
	{ "ca.sign", op_ca_sign },
	{ "ca.crl", op_ca_crl },
	{ "cert.issue", op_cert_issue },
	{ "tuf.keys", op_tuf_keys },
	{ "tuf.root", op_tuf_root },
	{ "tuf.snapshot", op_tuf_snapshot },
	{ "tuf.timestamp", op_tuf_timestamp },
	{ "waves.init", op_waves_init },
	{ "waves.sign", op_waves_sign },
	{ "waves.rollout", op_waves_rollout },
	{ "waves.complete", op_waves_complete },
	{ "waves.cancel", op_waves_cancel },
	{ "waves.approve", op_waves_approve },
	{ "waves.list", op_waves_list },
	{ "waves.show", op_waves_show },
	{ "bundle.sign", op_bundle_sign },
	{ NULL, NULL },
};

static const struct op_def *
op_find(const char *name)
{
	for (const struct op_def *op = op_table; op->name != NULL; op++)
		if (strcmp(op->name, name) == 0)
			return op;
	return NULL;
}

/* Outcomes that are the policy's refusals rather than failures. */
static const char *
decision_for(ws_err code)
{
	switch (code) {
	case WS_OK:
		return "allowed";
	case WS_ERR_UNKNOWN_PEER:
	case WS_ERR_POLICY_DENIED:
	case WS_ERR_RATE_LIMITED:
	case WS_ERR_PRODUCTION_DENIED:
	case WS_ERR_PRODUCTION_REQUIRED:
	case WS_ERR_ALREADY_ISSUED:
	case WS_ERR_APPROVAL_NEEDED:
		return "denied";
	default:
		return "failed";
	}
}

static void
sha256_hex(const uint8_t *data, size_t len, char hex[2 * WS_SHA256_LEN + 1])
{
	uint8_t md[WS_SHA256_LEN];

	ws_sha256(data, len, md);
	ws_hex_encode(md, sizeof(md), hex);
}

struct outcome {
	const char *op;		/* "frame" / "request" when there is no op to name */
	const char *id;
	const char *client;	/* NULL for unknown peers */
	const char *policy_sha256;
	char request_sha256[65];
	ws_err code;
	const char *message;
	json_t *subject, *outputs, *keys_used;	/* borrowed; may be NULL */
};

/* Builds the record and appends it; *seq is its sequence number. */
static ws_err
record_append(struct ws_daemon *d, const struct ws_peer *peer, const struct outcome *o,
    int64_t *seq, bool *checkpoint_due)
{
	json_t *rec = json_object(), *p = json_object();
	uint64_t s = 0;
	ws_err r;

	*checkpoint_due = false;
	if (rec == NULL || p == NULL) {
		json_decref(rec);
		json_decref(p);
		return ws_err_set(WS_ERR_NOMEM, "log record");
	}
	json_object_set_new(p, "uid", json_integer(peer->uid));
	json_object_set_new(p, "gid", json_integer(peer->gid));
	json_object_set_new(p, "pid", json_integer(peer->pid));
	json_object_set_new(p, "client", o->client ? json_string(o->client) : json_null());
	json_object_set_new(rec, "peer", p);
	json_object_set_new(rec, "op", json_string(o->op));
	if (o->id != NULL)
		json_object_set_new(rec, "id", json_string(o->id));
	json_object_set_new(rec, "request", json_string(o->request_sha256));
	json_object_set_new(rec, "decision", json_string(decision_for(o->code)));
	if (o->code != WS_OK) {
		json_object_set_new(rec, "error", json_string(ws_err_code(o->code)));
		json_object_set_new(rec, "message", json_string(o->message));
	}
	if (o->subject != NULL && json_object_size(o->subject) > 0)
		json_object_set(rec, "subject", o->subject);
	if (o->outputs != NULL && json_object_size(o->outputs) > 0)
		json_object_set(rec, "outputs", o->outputs);
	if (o->keys_used != NULL && json_array_size(o->keys_used) > 0)
		json_object_set(rec, "keys", o->keys_used);
	if (o->policy_sha256 != NULL)
		json_object_set_new(rec, "policy", json_string(o->policy_sha256));
	r = ws_log_append(d->log, rec, &s, checkpoint_due);
	json_decref(rec);
	if (r != WS_OK)
		return r;
	*seq = (int64_t)s;
	return WS_OK;
}

static ws_err
answer_error(const char *id, ws_err code, const char *message, int64_t seq, struct ws_buf *out)
{
	ws_buf_reset(out);
	return ws_response_encode_error(id, code, message, seq, out);
}

ws_err
dispatch_frame_error(struct ws_daemon *d, const struct ws_peer *peer, ws_err code,
    const char *message, struct ws_buf *out)
{
	struct outcome o = { .op = "frame", .code = code, .message = message };
	int64_t seq = -1;
	bool due;
	ws_err r;

	strcpy(o.request_sha256, "");
	pthread_rwlock_rdlock(&d->policy_lock);
	o.policy_sha256 = ws_policy_sha256(d->policy);
	r = record_append(d, peer, &o, &seq, &due);
	pthread_rwlock_unlock(&d->policy_lock);
	if (r != WS_OK) {
		wslog_error("signing log: %s", ws_err_message(r));
		return answer_error(NULL, WS_ERR_LOG_WRITE, ws_err_message(r), -1, out);
	}
	return answer_error(NULL, code, message, seq, out);
}

ws_err
dispatch_request(struct ws_daemon *d, struct ws_session *s, const struct ws_peer *peer,
    const uint8_t *payload, size_t len, struct ws_buf *out)
{
	struct ws_request req = { 0 };
	struct op_ctx ctx = { .d = d, .session = s, .peer = peer };
	struct outcome o = { .op = "request" };
	const struct op_def *op = NULL;
	json_t *result = NULL;
	char message[1024] = "";
	int64_t seq = -1;
	bool checkpoint_due = false, pending_id = false;
	enum replay_state replay = REPLAY_NEW;
	uint64_t replay_of = 0;
	ws_err code, r;

	sha256_hex(payload, len, o.request_sha256);
	ctx.subject = json_object();
	ctx.outputs = json_object();
	ctx.keys_used = json_array();
	if (ctx.subject == NULL || ctx.outputs == NULL || ctx.keys_used == NULL) {
		r = ws_err_set(WS_ERR_NOMEM, "request context");
		goto out;
	}
	pthread_rwlock_rdlock(&d->policy_lock);
	ctx.policy = d->policy;
	o.policy_sha256 = ws_policy_sha256(d->policy);

	code = ws_request_parse(payload, len, &req);
	if (code == WS_OK) {
		enum ws_op known;

		/* Only an op of the table names the record; anything else (including
		 * the log's own reserved ops) is logged as a "request" naming it. */
		if (ws_op_from_name(req.op, &known) == WS_OK)
			o.op = req.op;
		else
			json_object_set_new(ctx.subject, "requested_op", json_string(req.op));
		o.id = req.id;
		ctx.req = &req;
		code = ws_policy_match_client(ctx.policy, peer->uid, peer->gid, &ctx.client);
	}
	if (code == WS_OK) {
		o.client = ctx.client->name;
		code = ws_policy_check_op(ctx.policy, ctx.client, req.op);
	}
	if (code == WS_OK && (op = op_find(req.op)) == NULL)
		code = ws_err_set(WS_ERR_UNKNOWN_OP, "'%s' is not served by this daemon", req.op);
	if (code == WS_OK && req.id != NULL) {
		code = replay_begin(d->replay, ctx.client->name, req.id, o.request_sha256, &replay,
		    &result, &replay_of);
		if (code == WS_OK && replay == REPLAY_NEW)
			pending_id = true;
	}
	if (code == WS_OK && replay == REPLAY_DONE) {
		/* Served before: the recorded answer, nothing signed again. */
		json_object_set_new(ctx.outputs, "replay_of", json_integer((json_int_t)replay_of));
	} else {
		if (code == WS_OK)
			code = ws_rate_take(d->rate, ctx.client);
		if (code == WS_OK)
			code = op->fn(&ctx, &result);
		if (code == WS_OK && pending_id)
			code = replay_store(d->replay, ctx.client->name, req.id, result);
	}
	if (code != WS_OK)
		snprintf(message, sizeof(message), "%s", ws_err_message(code));

	o.code = code;
	o.message = message;
	o.subject = ctx.subject;
	o.outputs = ctx.outputs;
	o.keys_used = ctx.keys_used;
	r = record_append(d, peer, &o, &seq, &checkpoint_due);
	if (pending_id) {
		if (r == WS_OK && code == WS_OK)
			replay_finish(d->replay, ctx.client->name, req.id, (uint64_t)seq);
		else
			replay_abandon(d->replay, ctx.client->name, req.id);
	}
	if (ctx.after_record != NULL)
		ctx.after_record(&ctx, r == WS_OK && code == WS_OK, (uint64_t)seq);
	pthread_rwlock_unlock(&d->policy_lock);

	if (r != WS_OK) {
		/* Fail closed: nothing this request produced leaves the daemon. */
		wslog_error("signing log: %s", ws_err_message(r));
		r = answer_error(req.id, WS_ERR_LOG_WRITE, ws_err_message(r), -1, out);
		goto out;
	}
	if (code != WS_OK)
		r = answer_error(req.id, code, message, seq, out);
	else {
		if (replay == REPLAY_DONE) {
			json_object_set_new(result, "replayed", json_true());
			seq = (int64_t)replay_of;
		}
		if (result != NULL && json_object_set_new(result, "record", json_integer(seq)) != 0) {
			r = ws_err_set(WS_ERR_NOMEM, "response");
			goto out;
		}
		r = ws_response_encode_ok(req.id, result, out);
	}
	if (r == WS_OK && (checkpoint_due || ctx.officer_op)) {
		ws_err c = dispatch_checkpoint(d, s);

		if (c != WS_OK)
			wslog_error("checkpoint after record %lld: %s", (long long)seq, ws_err_message(c));
	}
out:
	json_decref(result);
	json_decref(ctx.subject);
	json_decref(ctx.outputs);
	json_decref(ctx.keys_used);
	ws_request_free(&req);
	return r;
}
