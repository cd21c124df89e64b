/*
 * op_waves.c -- waves.init, .sign, .rollout, .complete, .cancel, .approve,
 * .list, .show: release on demand (COMPAT.md §3, docs/waves.md).
 *
 * Every op that changes a wave follows ws_wave.h's flow under the wave
 * lock: check (policy rules and state) -> build and sign -> write its
 * files -> (dispatch appends the record) -> apply and snapshot in the
 * after_record hook, which also releases the lock. A refused or failed
 * op changes nothing; a recorded one is applied before anyone else sees
 * the state.
 *
 * Approvals: the policy's waves.approvals.STEP counts distinct officers,
 * the one who runs the step included when their client is an officer
 * (wavesign-policy(5)). ws_wave counts only approvals, so the daemon asks
 * it for M - 1 approvals from others, or M when the runner is not an
 * officer or approved the step themselves.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon.h"
#include "tuf_state.h"
#include "waves_state.h"
#include "ws_buf.h"
#include "ws_ci_targets.h"
#include "ws_cjson.h"
#include "ws_json.h"
#include "ws_tuf_roles.h"
#include "ws_wave.h"

#define WAVES_UUIDS_MAX 100000	/* devices in one rollout by uuids */

/* What a waves op keeps until its record is written. */
struct wave_op {
	struct waves_state *ws;
	struct tuf_state *ts;
	struct ws_wave_event ev;
	json_t *signed_targets;		/* init: the `signed` applied (owned reference) */
	const char **uuids;		/* rollout by uuids: the array ev points to (owned) */
	char keyid[WS_TUF_KEYID_LEN + 1];
	char targets_sha256[65];
};

static void
wave_after_record(struct op_ctx *ctx, bool recorded, uint64_t seq)
{
	struct wave_op *op = ctx->op_state;

	if (recorded) {
		op->ev.seq = seq;
		if (waves_apply(op->ws, &op->ev) == WS_OK && op->ev.op == WS_WAVE_OP_INIT)
			(void)tuf_state_add_targets(op->ts, op->targets_sha256);
	}
	waves_unlock(op->ws);
	json_decref(op->signed_targets);
	free(op->uuids);
	free(op);
	ctx->op_state = NULL;
}

/* Takes the wave lock for this request (released after the record) and starts its event. */
static ws_err
wave_op_begin(struct op_ctx *ctx, enum ws_wave_op kind, const char *name, struct wave_op **out)
{
	struct wave_op *op = calloc(1, sizeof(*op));

	if (op == NULL)
		return ws_err_set(WS_ERR_NOMEM, "waves op");
	op->ws = ctx->d->waves;
	op->ts = ctx->d->tuf;
	op->ev.op = kind;
	op->ev.uid = (uint32_t)ctx->peer->uid;
	op->ev.time = (int64_t)time(NULL);
	op->ev.wave = name;
	waves_lock(op->ws);
	ctx->op_state = op;
	ctx->after_record = wave_after_record;
	*out = op;
	return WS_OK;
}

/* The policy step of an op (-1: sign and approve have none). */
static int
wave_step(enum ws_wave_op op)
{
	switch (op) {
	case WS_WAVE_OP_INIT:
		return WS_WAVE_INIT;
	case WS_WAVE_OP_ROLLOUT:
		return WS_WAVE_ROLLOUT;
	case WS_WAVE_OP_COMPLETE:
		return WS_WAVE_COMPLETE;
	case WS_WAVE_OP_CANCEL:
		return WS_WAVE_CANCEL;
	default:
		return -1;
	}
}

static unsigned
policy_approvals(const struct ws_policy *p, enum ws_wave_op op)
{
	int s = wave_step(op);

	return s < 0 ? 1 : p->waves.approvals[s];
}

/* ws_wave_check() under the policy's rules, approvals counted as wavesign-policy(5) says. */
static ws_err
wave_check(struct op_ctx *ctx, const struct ws_wave_state *st, const struct ws_wave_event *ev)
{
	const struct ws_policy *p = ctx->policy;
	const char *tags[WS_POLICY_TAGS_MAX + 1];
	struct ws_wave_rules rules = { 0 };
	unsigned m;
	size_t i;

	for (i = 0; i < p->waves.n_tags && i < WS_POLICY_TAGS_MAX; i++)
		tags[i] = p->waves.tags[i];
	tags[i] = NULL;
	rules.tags = tags;
	rules.name_pattern = p->waves.name_pattern;
	rules.active = p->waves.active == WS_WAVES_ONE_PER_TAG ? WS_WAVE_ACTIVE_ONE_PER_TAG : WS_WAVE_ACTIVE_ONE;
	if (ev->op == WS_WAVE_OP_APPROVE) {
		for (int o = 0; o < WS_WAVE_OP_APPROVE; o++) {
			m = policy_approvals(p, (enum ws_wave_op)o);
			rules.approvals[o] = m > 1 ? m : 0;
		}
		return ws_wave_check(st, &rules, ev);
	}
	m = policy_approvals(p, ev->op);
	if (m > 1) {
		bool runner_counts = ctx->client->officer;

		if (runner_counts) {
			/* Did the runner approve this step? Then they count once, as an approver. */
			struct ws_wave_event probe = *ev;

			probe.op = WS_WAVE_OP_APPROVE;
			probe.approved_op = ev->op;
			rules.approvals[ev->op] = m;
			runner_counts = ws_wave_check(st, &rules, &probe) != WS_ERR_EXISTS;
		}
		rules.approvals[ev->op] = runner_counts ? m - 1 : m;
	}
	return ws_wave_check(st, &rules, ev);
}

static ws_err
policy_tuf_targets(const struct ws_policy *policy)
{
	if (!policy->tuf.present || !policy->tuf.roles[WS_TUF_TARGETS].present)
		return ws_err_set(WS_ERR_POLICY, "the policy (%s) names no TUF targets keys (tuf.targets)",
		    policy->path);
	return WS_OK;
}

static ws_err
root_for_waves(struct op_ctx *ctx, const struct ws_tuf_root **root)
{
	const struct ws_policy *policy = ctx->policy;
	struct tuf_state *ts = ctx->d->tuf;
	ws_err r;

	if ((r = policy_tuf_targets(policy)) != WS_OK)
		return r;
	tuf_state_lock(ts);
	*root = tuf_state_root(ts, TUF_ROOT_PRODUCTION);
	tuf_state_unlock(ts);
	if (*root == NULL)
		return ws_err_set(WS_ERR_NOT_FOUND, "there is no production root yet: sign one first "
		    "(wavesign tuf root sign --production)");
	if ((*root)->doc->dialect != policy->tuf.dialect)
		return ws_err_set(WS_ERR_POLICY, "the production root is in the %s dialect; the policy says %s",
		    ws_tuf_dialect_name((*root)->doc->dialect), ws_tuf_dialect_name(policy->tuf.dialect));
	return WS_OK;
}

static json_t *
doc_text(const struct ws_tuf_doc *doc)
{
	return json_stringn((const char *)doc->file, doc->file_len);
}

/* files: targets.json (and N.targets.json where the dialect uses consistent snapshots). */
static json_t *
targets_files(const struct ws_tuf_doc *doc)
{
	json_t *files = json_pack("{s:o}", "targets.json", doc_text(doc));
	char name[64];

	if (files != NULL && doc->dialect == WS_TUF_SPEC) {
		snprintf(name, sizeof(name), "%" PRId64 ".targets.json", doc->version);
		if (json_object_set_new(files, name, doc_text(doc)) != 0) {
			json_decref(files);
			return NULL;
		}
	}
	return files;
}

/*
 * The payload the OTA back end takes for a wave, {"name","version","tag",
 * "targets":{"signatures","signed"}}, plus the files and digests.
 */
static ws_err
wave_result(const char *name, int64_t version, const char *tag, const struct ws_tuf_doc *doc, json_t **out)
{
	char sha[65];
	ws_err r;

	if ((r = ws_wave_targets_sha256(doc->body, sha)) != WS_OK)
		return r;
	*out = json_pack("{s:s,s:I,s:s,s:O,s:o,s:s,s:s}", "name", name, "version", (json_int_t)version, "tag", tag,
	    "targets", doc->envelope, "files", targets_files(doc), "targets_sha256", sha, "expires",
	    json_string_value(json_object_get(doc->body, "expires")));
	return *out ? WS_OK : ws_err_set(WS_ERR_NOMEM, "wave result");
}

/* ---------------------------------------------------------- waves.init */

static ws_err
prune_arg(const json_t *args, int64_t **prune, size_t *n)
{
	json_t *list = NULL, *v;
	size_t i;
	ws_err r;

	*prune = NULL;
	*n = 0;
	if ((r = ws_json_get_array_opt(args, "args", "prune", &list)) != WS_OK || list == NULL ||
	    json_array_size(list) == 0)
		return r;
	if (json_array_size(list) > 1000)
		return ws_err_set(WS_ERR_LIMIT, "args.prune: more than 1000 versions");
	if ((*prune = calloc(json_array_size(list), sizeof(**prune))) == NULL)
		return ws_err_set(WS_ERR_NOMEM, "prune");
	json_array_foreach(list, i, v) {
		if (!json_is_integer(v) || json_integer_value(v) < 1) {
			free(*prune);
			*prune = NULL;
			return ws_err_set(WS_ERR_REQUEST, "args.prune[%zu]: expected a version (an integer >= 1)", i);
		}
		(*prune)[i] = json_integer_value(v);
	}
	*n = json_array_size(list);
	return WS_OK;
}

ws_err
op_waves_init(struct op_ctx *ctx, json_t **result)
{
	static const char *const members[] = {
		"name", "version", "tag", "ci_targets", "source_tag", "prune", "expires_days", "expires_at", NULL,
	};
	const struct ws_policy *policy = ctx->policy;
	const json_t *args = ctx->req->args;
	const struct ws_policy_tuf_role *tr = &policy->tuf.roles[WS_TUF_TARGETS];
	const char *name = NULL, *tag = "master", *source_tag = NULL;
	const struct ws_tuf_root *root = NULL;
	const json_t *prod_targets = NULL;
	struct ws_tuf_targets_params tp = { 0 };
	struct ws_tuf_check check = { 0 };
	struct ws_wave_build build = { 0 };
	struct ws_tuf_doc *doc = NULL;
	struct tuf_signer signer;
	struct wave_op *op = NULL;
	struct ws_wave_state *st;
	json_t *ci_arg, *ci = NULL, *built = NULL, *keyids = NULL, *prune_json = NULL;
	int64_t version = 0, prod_version = 0, *prune = NULL;
	size_t n_prune = 0;
	time_t now = time(NULL), expires;
	char vstr[24], ci_sha[65], file_sha[65];
	ws_err r;

	tuf_signer_init(&signer, ctx->session);
	if ((r = ws_json_only_members(args, "args", members)) != WS_OK ||
	    (r = ws_json_get_str(args, "args", "name", &name)) != WS_OK ||
	    (r = ws_json_get_int(args, "args", "version", &version)) != WS_OK ||
	    (r = ws_json_get_str_opt(args, "args", "tag", &tag)) != WS_OK ||
	    (r = ws_json_get_str_opt(args, "args", "source_tag", &source_tag)) != WS_OK ||
	    (r = prune_arg(args, &prune, &n_prune)) != WS_OK)
		goto out;
	if (!json_is_string(ci_arg = json_object_get(args, "ci_targets"))) {
		r = ws_err_set(ci_arg ? WS_ERR_JSON_TYPE : WS_ERR_JSON_MISSING, "args.ci_targets: expected the CI "
		    "targets file as a string");
		goto out;
	}
	if ((r = tuf_expires_arg(args, now, tr, &expires)) != WS_OK)
		goto out;
	ctx->officer_op = true;
	tuf_sha256_hex(json_string_value(ci_arg), json_string_length(ci_arg), ci_sha);
	json_object_set_new(ctx->subject, "ci_targets_sha256", json_string(ci_sha));
	if (source_tag != NULL)
		json_object_set_new(ctx->subject, "source_tag", json_string(source_tag));
	if ((prune_json = json_object_get(args, "prune")) != NULL)
		json_object_set(ctx->subject, "prune", prune_json);
	json_object_set_new(ctx->subject, "expires", tuf_time_json(expires));
	if ((r = wave_op_begin(ctx, WS_WAVE_OP_INIT, name, &op)) != WS_OK)
		goto out;
	op->ev.tag = tag;
	op->ev.version = version;
	if ((r = waves_event_subject(&op->ev, ctx->subject)) != WS_OK)
		goto out;
	st = waves_state_get(op->ws);
	if ((r = wave_check(ctx, st, &op->ev)) != WS_OK || (r = waves_name_ok(name)) != WS_OK ||
	    (r = root_for_waves(ctx, &root)) != WS_OK)
		goto out;
	snprintf(vstr, sizeof(vstr), "%" PRId64, version);
	if ((r = ws_ci_targets_select((const uint8_t *)json_string_value(ci_arg), json_string_length(ci_arg), vstr,
	    source_tag, &ci)) != WS_OK) {
		ws_err_prefix("CI targets");
		goto out;
	}
	ws_wave_state_production(st, tag, &prod_version, &prod_targets);
	build.production_targets = prod_targets;
	build.production_version = prod_version;
	build.ci_targets = ci;
	build.version = version;
	build.tag = tag;
	build.prune = prune;
	build.n_prune = n_prune;
	build.expires = (int64_t)expires;
	if ((r = ws_wave_build_targets(&build, &built)) != WS_OK)
		goto out;
	/* The offline targets keys, up to the policy's threshold; others add theirs with waves.sign. */
	for (size_t i = 0; i < tr->n_keys && signer.n < tr->threshold; i++)
		if (keyring_get(&ctx->d->keyring, tr->keys[i]->label) != NULL &&
		    (r = tuf_signer_add_label(&signer, ctx->d, policy->tuf.dialect, tr->keys[i]->label)) != WS_OK)
			goto out;
	if (signer.n < tr->threshold) {
		r = ws_err_set(WS_ERR_KEY_NOT_FOUND, "the token holds %zu of the %u targets keys the policy's "
		    "threshold needs: create them with wavesign tuf keys init", signer.n, tr->threshold);
		goto out;
	}
	tp.version = version;
	tp.expires = expires;
	tp.targets = json_object_get(built, "targets");
	check.now = now;
	check.prev_version = prod_version;
	check.max_lifetime = (int64_t)tr->expires_max_s;
	check.allow_partial = true;	/* production roots also count the OTA back end's online key */
	if ((r = ws_tuf_targets_sign(root, &tp, &check, tuf_signer_get(&signer), &doc)) != WS_OK)
		goto out;
	if ((r = ws_wave_targets_sha256(doc->body, op->targets_sha256)) != WS_OK ||
	    (r = waves_write_targets(op->ws, name, doc->file, doc->file_len)) != WS_OK)
		goto out;
	tuf_signer_fingerprints(&signer, ctx->keys_used);
	tuf_sha256_hex(doc->file, doc->file_len, file_sha);
	op->signed_targets = json_incref(doc->body);
	op->ev.signed_targets = op->signed_targets;
	op->ev.targets_sha256 = op->targets_sha256;
	json_object_set_new(ctx->outputs, "targets_sha256", json_string(op->targets_sha256));
	json_object_set_new(ctx->outputs, "sha256", json_string(file_sha));
	json_object_set_new(ctx->outputs, "version", json_integer((json_int_t)version));
	json_object_set_new(ctx->outputs, "targets", json_integer((json_int_t)json_object_size(tp.targets)));
	if ((r = wave_result(name, version, tag, doc, result)) != WS_OK)
		goto out;
	if ((keyids = json_array()) == NULL) {
		r = ws_err_set(WS_ERR_NOMEM, "waves.init");
		goto out;
	}
	for (size_t i = 0; i < signer.n; i++)
		json_array_append_new(keyids, json_string(signer.keys[i]->keyid));
	json_object_set_new(*result, "keyids", keyids);
	json_object_set_new(*result, "status", json_string(ws_wave_status_name(WS_WAVE_STATUS_ACTIVE)));
out:
	ws_tuf_doc_free(doc);
	json_decref(ci);
	json_decref(built);
	free(prune);
	tuf_signer_free(&signer);
	return r;
}

/* ---------------------------------------------------------- waves.sign */

ws_err
op_waves_sign(struct op_ctx *ctx, json_t **result)
{
	static const char *const members[] = { "name", "key", NULL };
	const struct ws_policy *policy = ctx->policy;
	const struct ws_policy_tuf_role *tr = &policy->tuf.roles[WS_TUF_TARGETS];
	const json_t *args = ctx->req->args;
	const char *name = NULL, *label = NULL;
	const struct ws_tuf_root *root = NULL;
	struct ws_tuf_doc *doc = NULL;
	struct tuf_signer signer;
	struct wave_op *op = NULL;
	struct ws_wave_state *st;
	json_t *show = NULL, *sig, *sigs = NULL;
	bool targets_key = false;
	ws_err r;

	tuf_signer_init(&signer, ctx->session);
	if ((r = ws_json_only_members(args, "args", members)) != WS_OK ||
	    (r = ws_json_get_str(args, "args", "name", &name)) != WS_OK ||
	    (r = ws_json_get_str(args, "args", "key", &label)) != WS_OK)
		goto out;
	ctx->officer_op = true;
	json_object_set_new(ctx->subject, "key", json_string(label));
	for (size_t i = 0; i < tr->n_keys; i++)
		targets_key |= strcmp(tr->keys[i]->label, label) == 0;
	if (!policy->tuf.present || !targets_key) {
		r = ws_err_set(WS_ERR_INVALID_ARGUMENT, "key '%.64s' is not one of the policy's targets keys "
		    "(tuf.targets.keys in %s)", label, policy->path);
		goto out;
	}
	if ((r = wave_op_begin(ctx, WS_WAVE_OP_SIGN, name, &op)) != WS_OK ||
	    (r = tuf_signer_add_label(&signer, ctx->d, policy->tuf.dialect, label)) != WS_OK)
		goto out;
	snprintf(op->keyid, sizeof(op->keyid), "%s", signer.keys[0]->keyid);
	op->ev.keyid = op->keyid;
	if ((r = waves_event_subject(&op->ev, ctx->subject)) != WS_OK)
		goto out;
	st = waves_state_get(op->ws);
	if ((r = wave_check(ctx, st, &op->ev)) != WS_OK || (r = root_for_waves(ctx, &root)) != WS_OK)
		goto out;
	if (ws_tuf_root_role_key(root, WS_TUF_TARGETS, op->keyid) == NULL) {
		r = ws_err_set(WS_ERR_TUF, "key '%s' (%s) is not a targets key of the production root v%" PRId64
		    "; rotate the root first", label, op->keyid, root->doc->version);
		goto out;
	}
	if ((r = waves_load_targets(op->ws, name, policy->tuf.dialect, &doc)) != WS_OK ||
	    (r = ws_tuf_doc_add_signatures(doc, tuf_signer_get(&signer))) != WS_OK)
		goto out;
	sig = json_array_get(json_object_get(doc->envelope, "signatures"), doc->nsigs - 1);
	if ((r = waves_write_signature(op->ws, name, op->keyid, sig)) != WS_OK)
		goto out;
	tuf_signer_fingerprints(&signer, ctx->keys_used);
	json_object_set_new(ctx->outputs, "keyid", json_string(op->keyid));
	if ((r = ws_wave_show(st, name, &show)) != WS_OK ||
	    (r = wave_result(name, json_integer_value(json_object_get(show, "version")),
	    json_string_value(json_object_get(show, "tag")), doc, result)) != WS_OK)
		goto out;
	/* What the OTA back end takes for an extra signature: a signatures array. */
	if ((sigs = json_pack("[O]", sig)) == NULL || json_object_set_new(*result, "signatures", sigs) != 0) {
		r = ws_err_set(WS_ERR_NOMEM, "waves.sign");
		goto out;
	}
out:
	ws_tuf_doc_free(doc);
	json_decref(show);
	tuf_signer_free(&signer);
	return r;
}

/* --------------------------------------------- rollout, complete, cancel */

/*
 * Signs a decision record with the first targets key the token holds:
 * {"signatures":[sig],"signed":record}, the signature in the dialect's form
 * over the record's canonical bytes.
 */
static ws_err
decision_sign(struct op_ctx *ctx, const json_t *record, json_t **out, char sha[65])
{
	const struct ws_policy *policy = ctx->policy;
	const struct ws_policy_tuf_role *tr = &policy->tuf.roles[WS_TUF_TARGETS];
	struct ws_buf canon = WS_BUF_INIT(1u << 24);
	struct tuf_signer signer;
	json_t *sig = NULL;
	ws_err r;

	tuf_signer_init(&signer, ctx->session);
	for (size_t i = 0; i < tr->n_keys && signer.n == 0; i++)
		if (keyring_get(&ctx->d->keyring, tr->keys[i]->label) != NULL &&
		    (r = tuf_signer_add_label(&signer, ctx->d, policy->tuf.dialect, tr->keys[i]->label)) != WS_OK)
			goto out;
	if (signer.n == 0) {
		r = ws_err_set(WS_ERR_KEY_NOT_FOUND, "no targets key in the token signs the decision: create one "
		    "with wavesign tuf keys init");
		goto out;
	}
	if ((r = ws_cjson_encode(record, policy->tuf.dialect == WS_TUF_FOUNDRIES ? WS_CJSON_PRINTABLE_ASCII :
	    WS_CJSON_CANONICAL, &canon)) != WS_OK ||
	    (r = tuf_sign_object(ctx->session, signer.keys[0], canon.data, canon.len, &sig)) != WS_OK)
		goto out;
	tuf_sha256_hex(canon.data, canon.len, sha);
	tuf_signer_fingerprints(&signer, ctx->keys_used);
	if ((*out = json_pack("{s:[o],s:O}", "signatures", sig, "signed", record)) == NULL)
		r = ws_err_set(WS_ERR_NOMEM, "decision");
	sig = NULL;
out:
	json_decref(sig);
	ws_buf_free(&canon);
	tuf_signer_free(&signer);
	return r;
}

static ws_err
selection_arg(const json_t *args, struct wave_op *op)
{
	struct ws_wave_selection *sel = &op->ev.selection;
	json_t *limit = json_object_get(args, "limit"), *pct = json_object_get(args, "percentage");
	json_t *uuids = json_object_get(args, "uuids"), *v;
	size_t i;

	memset(sel, 0, sizeof(*sel));
	if ((limit != NULL) + (pct != NULL) + (uuids != NULL) > 1)
		return ws_err_set(WS_ERR_REQUEST, "args: give at most one of limit, percentage, uuids");
	if (limit != NULL) {
		if (!json_is_integer(limit) || json_integer_value(limit) < 0)
			return ws_err_set(WS_ERR_REQUEST, "args.limit: expected a number of devices");
		sel->kind = WS_WAVE_SELECT_LIMIT;
		sel->limit = (uint64_t)json_integer_value(limit);
	} else if (pct != NULL) {
		if (!json_is_integer(pct) || json_integer_value(pct) < 0 || json_integer_value(pct) > 1000)
			return ws_err_set(WS_ERR_REQUEST, "args.percentage: expected a percentage");
		sel->kind = WS_WAVE_SELECT_PERCENTAGE;
		sel->percentage = (unsigned)json_integer_value(pct);
	} else if (uuids != NULL) {
		if (!json_is_array(uuids))
			return ws_err_set(WS_ERR_REQUEST, "args.uuids: expected an array of device uuids");
		if (json_array_size(uuids) > WAVES_UUIDS_MAX)
			return ws_err_set(WS_ERR_LIMIT, "args.uuids: more than %d devices", WAVES_UUIDS_MAX);
		if ((op->uuids = calloc(json_array_size(uuids) + 1, sizeof(*op->uuids))) == NULL)
			return ws_err_set(WS_ERR_NOMEM, "uuids");
		json_array_foreach(uuids, i, v) {
			if (!json_is_string(v))
				return ws_err_set(WS_ERR_REQUEST, "args.uuids[%zu]: expected a string", i);
			op->uuids[i] = json_string_value(v);
		}
		sel->kind = WS_WAVE_SELECT_UUIDS;
		sel->uuids = op->uuids;
		sel->n_uuids = json_array_size(uuids);
	}
	return WS_OK;
}

/* rollout, complete and cancel: a signed decision record. */
static ws_err
wave_decision(struct op_ctx *ctx, enum ws_wave_op kind, json_t **result)
{
	static const char *const rollout_members[] = { "name", "group", "limit", "percentage", "uuids", NULL };
	static const char *const members[] = { "name", NULL };
	const struct ws_policy *policy = ctx->policy;
	const json_t *args = ctx->req->args;
	const char *name = NULL, *group = NULL;
	struct ws_tuf_doc *doc = NULL;
	struct wave_op *op = NULL;
	struct ws_wave_state *st;
	json_t *record = NULL, *decision = NULL, *show = NULL, *res = NULL, *prod = NULL;
	char sha[65];
	ws_err r;

	if ((r = ws_json_only_members(args, "args", kind == WS_WAVE_OP_ROLLOUT ? rollout_members : members)) != WS_OK ||
	    (r = ws_json_get_str(args, "args", "name", &name)) != WS_OK ||
	    (kind == WS_WAVE_OP_ROLLOUT && (r = ws_json_get_str(args, "args", "group", &group)) != WS_OK))
		goto out;
	ctx->officer_op = true;
	if ((r = wave_op_begin(ctx, kind, name, &op)) != WS_OK)
		goto out;
	op->ev.group = group;
	if (kind == WS_WAVE_OP_ROLLOUT && (r = selection_arg(args, op)) != WS_OK)
		goto out;
	if ((r = waves_event_subject(&op->ev, ctx->subject)) != WS_OK)
		goto out;
	st = waves_state_get(op->ws);
	if ((r = wave_check(ctx, st, &op->ev)) != WS_OK || (r = policy_tuf_targets(policy)) != WS_OK ||
	    (r = ws_wave_decision_record(st, &op->ev, &record)) != WS_OK ||
	    (r = decision_sign(ctx, record, &decision, sha)) != WS_OK)
		goto out;
	json_object_set_new(ctx->outputs, "decision_sha256", json_string(sha));
	json_object_set(ctx->outputs, "targets_sha256", json_object_get(record, "targets_sha256"));
	if ((res = json_pack("{s:s,s:s,s:O,s:s}", "name", name, "op", ws_wave_op_name(kind), "decision",
	    decision, "decision_sha256", sha)) == NULL) {
		r = ws_err_set(WS_ERR_NOMEM, "wave decision");
		goto out;
	}
	if (kind == WS_WAVE_OP_COMPLETE) {
		/* The wave's targets become the tag's production targets: hand them out again. */
		if ((r = waves_load_targets(op->ws, name, policy->tuf.dialect, &doc)) != WS_OK ||
		    (r = ws_wave_show(st, name, &show)) != WS_OK ||
		    (r = wave_result(name, json_integer_value(json_object_get(show, "version")),
		    json_string_value(json_object_get(show, "tag")), doc, &prod)) != WS_OK)
			goto out;
		json_object_set_new(res, "production", prod);
		prod = NULL;
	}
	*result = res;
	res = NULL;
out:
	ws_tuf_doc_free(doc);
	json_decref(record);
	json_decref(decision);
	json_decref(show);
	json_decref(res);
	json_decref(prod);
	return r;
}

ws_err
op_waves_rollout(struct op_ctx *ctx, json_t **result)
{
	return wave_decision(ctx, WS_WAVE_OP_ROLLOUT, result);
}

ws_err
op_waves_complete(struct op_ctx *ctx, json_t **result)
{
	return wave_decision(ctx, WS_WAVE_OP_COMPLETE, result);
}

ws_err
op_waves_cancel(struct op_ctx *ctx, json_t **result)
{
	return wave_decision(ctx, WS_WAVE_OP_CANCEL, result);
}

/* -------------------------------------------------------- waves.approve */

ws_err
op_waves_approve(struct op_ctx *ctx, json_t **result)
{
	static const char *const members[] = { "name", "op", NULL };
	const json_t *args = ctx->req->args;
	const char *name = NULL, *step = NULL;
	struct wave_op *op = NULL;
	struct ws_wave_state *st;
	json_t *uids = NULL;
	unsigned m;
	ws_err r;

	if ((r = ws_json_only_members(args, "args", members)) != WS_OK ||
	    (r = ws_json_get_str(args, "args", "name", &name)) != WS_OK ||
	    (r = ws_json_get_str(args, "args", "op", &step)) != WS_OK)
		goto out;
	ctx->officer_op = true;
	if ((r = wave_op_begin(ctx, WS_WAVE_OP_APPROVE, name, &op)) != WS_OK)
		goto out;
	if ((r = ws_wave_op_from_name(step, &op->ev.approved_op)) != WS_OK ||
	    op->ev.approved_op == WS_WAVE_OP_APPROVE) {
		r = ws_err_set(WS_ERR_INVALID_ARGUMENT, "'%.32s' is not a step to approve: init, rollout, complete "
		    "or cancel", step);
		goto out;
	}
	if ((r = waves_event_subject(&op->ev, ctx->subject)) != WS_OK)
		goto out;
	st = waves_state_get(op->ws);
	if ((r = wave_check(ctx, st, &op->ev)) != WS_OK)
		goto out;
	/* Who approved this step before, and now this officer. */
	if ((r = ws_wave_pending_approvals(st, name, op->ev.approved_op, &uids)) != WS_OK)
		goto out;
	json_array_append_new(uids, json_integer((json_int_t)ctx->peer->uid));
	m = policy_approvals(ctx->policy, op->ev.approved_op);
	*result = json_pack("{s:s,s:s,s:I,s:O,s:i}", "name", name, "op", step, "uid", (json_int_t)ctx->peer->uid,
	    "approved_by", uids, "officers_needed", (int)m);
	r = *result ? WS_OK : ws_err_set(WS_ERR_NOMEM, "waves.approve");
out:
	json_decref(uids);
	return r;
}

/* ------------------------------------------------------ list and show */

ws_err
op_waves_list(struct op_ctx *ctx, json_t **result)
{
	static const char *const members[] = { NULL };
	struct waves_state *ws = ctx->d->waves;
	json_t *list = NULL;
	ws_err r;

	if ((r = ws_json_only_members(ctx->req->args, "args", members)) != WS_OK)
		return r;
	waves_lock(ws);
	r = ws_wave_list(waves_state_get(ws), &list);
	waves_unlock(ws);
	if (r != WS_OK)
		return r;
	if ((*result = json_pack("{s:o}", "waves", list)) == NULL)
		return ws_err_set(WS_ERR_NOMEM, "waves.list");
	return WS_OK;
}

ws_err
op_waves_show(struct op_ctx *ctx, json_t **result)
{
	static const char *const members[] = { "name", NULL };
	struct waves_state *ws = ctx->d->waves;
	const char *name = NULL;
	ws_err r;

	if ((r = ws_json_only_members(ctx->req->args, "args", members)) != WS_OK ||
	    (r = ws_json_get_str(ctx->req->args, "args", "name", &name)) != WS_OK)
		return r;
	json_object_set_new(ctx->subject, "name", json_string(name));
	waves_lock(ws);
	r = ws_wave_show(waves_state_get(ws), name, result);
	waves_unlock(ws);
	return r;
}
