/*
 * op_keys.c -- keys.init and keys.list: the keys the policy names.
 *
 * keys.init generates, inside the token, every key the policy names that
 * the token does not hold yet (or only those listed in args.labels). Keys
 * are never imported, exported or overwritten.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "daemon.h"
#include "ws_json.h"

static json_t *
key_entry(const struct ws_policy_key *pk, const struct ws_key *key)
{
	json_t *e = json_object();
	char id_hex[2 * WS_KEY_ID_MAX + 1] = "";

	if (e == NULL)
		return NULL;
	json_object_set_new(e, "label", json_string(pk->label));
	json_object_set_new(e, "type", json_string(ws_policy_key_type_name(pk->kind)));
	json_object_set_new(e, "present", json_boolean(key != NULL));
	if (key != NULL) {
		for (size_t i = 0; i < key->id_len; i++)
			snprintf(id_hex + 2 * i, 3, "%02x", key->id[i]);
		json_object_set_new(e, "id", json_string(id_hex));
		json_object_set_new(e, "fingerprint", json_string(key->fingerprint));
	}
	return e;
}

json_t *
keys_describe(struct ws_daemon *d, const struct ws_policy *policy)
{
	json_t *list = json_array();

	for (size_t i = 0; list != NULL && i < policy->n_keys; i++) {
		const struct ws_policy_key *pk = &policy->keys[i];

		if (json_array_append_new(list, key_entry(pk, keyring_get(&d->keyring, pk->label))) != 0) {
			json_decref(list);
			return NULL;
		}
	}
	return list;
}

ws_err
op_keys_list(struct op_ctx *ctx, json_t **result)
{
	json_t *keys = keys_describe(ctx->d, ctx->policy);

	if (keys == NULL || (*result = json_pack("{s:o}", "keys", keys)) == NULL)
		return ws_err_set(WS_ERR_NOMEM, "keys.list");
	return WS_OK;
}

/* True when label is in the array of strings wanted (NULL: every label). */
static bool
wanted(const json_t *labels, const char *label)
{
	size_t i;
	json_t *v;

	if (labels == NULL)
		return true;
	json_array_foreach(labels, i, v)
		if (strcmp(json_string_value(v), label) == 0)
			return true;
	return false;
}

ws_err
op_keys_init(struct op_ctx *ctx, json_t **result)
{
	static const char *const members[] = { "labels", NULL };
	const struct ws_policy *policy = ctx->policy;
	json_t *labels = NULL, *created = NULL, *existing = NULL, *v;
	size_t i;
	ws_err r;

	if ((r = ws_json_only_members(ctx->req->args, "args", members)) != WS_OK ||
	    (r = ws_json_get_array_opt(ctx->req->args, "args", "labels", &labels)) != WS_OK)
		return r;
	json_array_foreach(labels, i, v) {
		if (!json_is_string(v))
			return ws_err_set(WS_ERR_REQUEST, "args.labels[%zu]: expected a string", i);
		if (ws_policy_key_find(policy, json_string_value(v)) == NULL)
			return ws_err_set(WS_ERR_INVALID_ARGUMENT,
			    "'%.64s' is not a key the policy names (see keys: in %s)",
			    json_string_value(v), policy->path);
	}
	ctx->officer_op = true;
	created = json_array();
	existing = json_array();
	if (created == NULL || existing == NULL) {
		r = ws_err_set(WS_ERR_NOMEM, "keys.init");
		goto out;
	}
	if (labels != NULL)
		json_object_set(ctx->subject, "labels", labels);
	for (i = 0; i < policy->n_keys; i++) {
		const struct ws_policy_key *pk = &policy->keys[i];
		struct ws_key *key = NULL;

		if (!wanted(labels, pk->label))
			continue;
		if (keyring_get(&ctx->d->keyring, pk->label) != NULL) {
			json_array_append_new(existing, json_string(pk->label));
			continue;
		}
		r = ws_key_generate(ctx->session, pk->label, pk->id_len ? pk->id : NULL, pk->id_len,
		    pk->type, pk->rsa_bits, &key);
		if (r == WS_OK && (r = keyring_add(&ctx->d->keyring, key)) != WS_OK)
			ws_key_free(key);
		if (r != WS_OK) {
			ws_err_prefix("key '%s'", pk->label);
			/* Keys made before the failure stay made: say so in the record. */
			json_object_set(ctx->outputs, "created", created);
			goto out;
		}
		json_array_append_new(created, json_string(pk->label));
		json_array_append_new(ctx->keys_used, json_string(key->fingerprint));
	}
	json_object_set(ctx->outputs, "created", created);
	*result = json_pack("{s:O, s:O, s:o}", "created", created, "existing", existing,
	    "keys", keys_describe(ctx->d, policy));
	if (*result == NULL)
		r = ws_err_set(WS_ERR_NOMEM, "keys.init");
out:
	json_decref(created);
	json_decref(existing);
	return r;
}
