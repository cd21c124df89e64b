/*
 * op_bundle.c -- bundle.sign: the metadata of an offline update bundle.
 *
 * aktualizr-lite reads bundle-targets.json from the bundle's TUF directory
 * (COMPAT.md §3): a targets-type document whose `signed` is
 *
 *   {"_type":"Targets","expires":E,"version":V,
 *    "x-fio-offline-bundle":{"type":"prod","tag":T,"targets":[NAME,...]}}
 *
 * signed by targets keys of the production root, every signature by a key
 * the root lists for targets, at least the root's targets threshold of
 * them, and not expired. The bundle names targets the device already
 * trusts through the production root: those of a wave (active or
 * complete; a canceled wave's are withdrawn) or a tag's production
 * targets. The daemon signs with every offline targets key the token
 * holds and refuses a bundle that would not reach the threshold.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon.h"
#include "tuf_state.h"
#include "waves_state.h"
#include "ws_json.h"
#include "ws_tuf_root.h"
#include "ws_wave.h"

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The names of a targets object, sorted (bundles list them in byte order). */
static json_t *
sorted_names(const json_t *targets)
{
	const char **names = calloc(json_object_size(targets) + 1, sizeof(*names));
	json_t *list = json_array(), *v;
	const char *key;
	size_t n = 0;

	if (names == NULL || list == NULL) {
		free(names);
		json_decref(list);
		return NULL;
	}
	json_object_foreach((json_t *)targets, key, v)
		names[n++] = key;
	qsort(names, n, sizeof(*names), name_cmp);
	for (size_t i = 0; i < n; i++)
		json_array_append_new(list, json_string(names[i]));
	free(names);
	return list;
}

/* The names a bundle may list, with the tag and version they come from. */
static ws_err
bundle_source(struct op_ctx *ctx, const char *wave, const char *tag, json_t **names, char *tag_out, size_t tag_size,
    int64_t *version)
{
	struct waves_state *ws = ctx->d->waves;
	const struct ws_wave_state *st;
	const json_t *targets = NULL;
	json_t *show = NULL;
	const char *status;
	ws_err r = WS_OK;

	waves_lock(ws);
	st = waves_state_get(ws);
	if (wave != NULL) {
		if ((r = ws_wave_show(st, wave, &show)) != WS_OK)
			goto out;
		status = json_string_value(json_object_get(show, "status"));
		if (strcmp(status, ws_wave_status_name(WS_WAVE_STATUS_CANCELED)) == 0) {
			r = ws_err_set(WS_ERR_WAVE_STATE, "wave %s was canceled; its targets are withdrawn", wave);
			goto out;
		}
		snprintf(tag_out, tag_size, "%s", json_string_value(json_object_get(show, "tag")));
		*version = json_integer_value(json_object_get(show, "version"));
		*names = json_deep_copy(json_object_get(show, "targets"));
	} else {
		ws_wave_state_production(st, tag, version, &targets);
		if (targets == NULL) {
			r = ws_err_set(WS_ERR_NOT_FOUND, "tag %.64s has no production targets yet (complete a wave)", tag);
			goto out;
		}
		snprintf(tag_out, tag_size, "%s", tag);
		*names = sorted_names(targets);
	}
	if (*names == NULL)
		r = ws_err_set(WS_ERR_NOMEM, "bundle.sign");
out:
	waves_unlock(ws);
	json_decref(show);
	return r;
}

/* Keeps only the names asked for, each of which must be among the available ones. */
static ws_err
bundle_pick(json_t *names, const json_t *asked, json_t **out)
{
	json_t *v, *w;
	size_t i, j;

	if (asked == NULL) {
		*out = json_incref(names);
		return WS_OK;
	}
	if (json_array_size(asked) == 0)
		return ws_err_set(WS_ERR_REQUEST, "args.targets: name at least one target");
	json_array_foreach(asked, i, v) {
		bool found = false;

		if (!json_is_string(v))
			return ws_err_set(WS_ERR_REQUEST, "args.targets[%zu]: expected a target name", i);
		json_array_foreach(names, j, w)
			found |= json_equal(v, w);
		if (!found)
			return ws_err_set(WS_ERR_NOT_FOUND, "target \"%.80s\" is not one of the %zu targets the bundle "
			    "may name", json_string_value(v), json_array_size(names));
	}
	*out = json_incref((json_t *)asked);
	return WS_OK;
}

ws_err
op_bundle_sign(struct op_ctx *ctx, json_t **result)
{
	static const char *const members[] = { "wave", "tag", "targets", "expires_days", "expires_at", NULL };
	const struct ws_policy *policy = ctx->policy;
	const struct ws_policy_tuf_role *tr = &policy->tuf.roles[WS_TUF_TARGETS];
	const json_t *args = ctx->req->args;
	const char *wave = NULL, *tag = NULL;
	const struct ws_tuf_root *root;
	struct ws_tuf_check check = { 0 };
	struct ws_tuf_doc *doc = NULL;
	struct tuf_signer signer;
	json_t *asked = NULL, *names = NULL, *picked = NULL, *body = NULL, *files = NULL;
	time_t now = time(NULL), expires;
	int64_t version = 0;
	char tag_buf[WS_WAVE_TAG_MAX + 1], sha[65];
	ws_err r;

	tuf_signer_init(&signer, ctx->session);
	if ((r = ws_json_only_members(args, "args", members)) != WS_OK ||
	    (r = ws_json_get_str_opt(args, "args", "wave", &wave)) != WS_OK ||
	    (r = ws_json_get_str_opt(args, "args", "tag", &tag)) != WS_OK ||
	    (r = ws_json_get_array_opt(args, "args", "targets", &asked)) != WS_OK)
		goto out;
	if ((wave == NULL) == (tag == NULL)) {
		r = ws_err_set(WS_ERR_REQUEST, "args: name a wave or a tag (one of them)");
		goto out;
	}
	if (!policy->tuf.present || !tr->present) {
		r = ws_err_set(WS_ERR_POLICY, "the policy (%s) names no TUF targets keys (tuf.targets)", policy->path);
		goto out;
	}
	if ((r = tuf_expires_arg(args, now, tr, &expires)) != WS_OK)
		goto out;
	ctx->officer_op = true;
	json_object_set_new(ctx->subject, wave ? "wave" : "tag", json_string(wave ? wave : tag));
	if ((r = bundle_source(ctx, wave, tag, &names, tag_buf, sizeof(tag_buf), &version)) != WS_OK ||
	    (r = bundle_pick(names, asked, &picked)) != WS_OK)
		goto out;
	json_object_set(ctx->subject, "targets", picked);
	tuf_state_lock(ctx->d->tuf);
	root = tuf_state_root(ctx->d->tuf, TUF_ROOT_PRODUCTION);
	tuf_state_unlock(ctx->d->tuf);
	if (root == NULL) {
		r = ws_err_set(WS_ERR_NOT_FOUND, "there is no production root yet (wavesign tuf root sign "
		    "--production)");
		goto out;
	}
	for (size_t i = 0; i < tr->n_keys; i++)
		if (keyring_get(&ctx->d->keyring, tr->keys[i]->label) != NULL &&
		    (r = tuf_signer_add_label(&signer, ctx->d, policy->tuf.dialect, tr->keys[i]->label)) != WS_OK)
			goto out;
	body = json_pack("{s:s,s:o,s:I,s:{s:s,s:s,s:O}}", "_type", ws_tuf_role_type(policy->tuf.dialect,
	    WS_TUF_TARGETS), "expires", tuf_time_json(expires), "version", (json_int_t)version,
	    "x-fio-offline-bundle", "type", "prod", "tag", tag_buf, "targets", picked);
	if (body == NULL || (policy->tuf.dialect == WS_TUF_SPEC &&
	    json_object_set_new(body, "spec_version", json_string(WS_TUF_SPEC_VERSION)) != 0)) {
		r = ws_err_set(WS_ERR_NOMEM, "bundle.sign");
		goto out;
	}
	check.now = now;
	check.max_lifetime = (int64_t)tr->expires_max_s;
	/* Devices count the production root's targets threshold: no partial bundle. */
	if ((r = ws_tuf_root_sign_role(root, WS_TUF_TARGETS, body, &check, tuf_signer_get(&signer), &doc)) != WS_OK) {
		ws_err_prefix("bundle-targets.json under the production root v%" PRId64, root->doc->version);
		goto out;
	}
	tuf_signer_fingerprints(&signer, ctx->keys_used);
	tuf_sha256_hex(doc->file, doc->file_len, sha);
	json_object_set_new(ctx->outputs, "sha256", json_string(sha));
	json_object_set_new(ctx->outputs, "version", json_integer((json_int_t)version));
	if ((files = json_object()) == NULL ||
	    json_object_set_new(files, "bundle-targets.json", json_stringn((const char *)doc->file, doc->file_len))) {
		r = ws_err_set(WS_ERR_NOMEM, "bundle.sign");
		goto out;
	}
	tuf_state_lock(ctx->d->tuf);
	r = tuf_state_root_files(ctx->d->tuf, TUF_ROOT_PRODUCTION, files);
	tuf_state_unlock(ctx->d->tuf);
	if (r != WS_OK)
		goto out;
	*result = json_pack("{s:s,s:s,s:I,s:o,s:O,s:s,s:O}", "type", "prod", "tag", tag_buf, "version",
	    (json_int_t)version, "expires", tuf_time_json(expires), "targets", picked, "sha256", sha, "files", files);
	r = *result ? WS_OK : ws_err_set(WS_ERR_NOMEM, "bundle.sign");
out:
	ws_tuf_doc_free(doc);
	json_decref(names);
	json_decref(picked);
	json_decref(body);
	json_decref(files);
	tuf_signer_free(&signer);
	return r;
}
