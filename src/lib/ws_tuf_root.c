/*
 * ws_tuf_root.c -- the root role: build, read, verify against it
 * (see ws_tuf_root.h).
 */
#include "config.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "ws_json.h"
#include "ws_tuf_root.h"

void
ws_tuf_root_free(struct ws_tuf_root *root)
{
	if (root == NULL)
		return;
	for (size_t i = 0; i < root->nkeys; i++)
		ws_tuf_key_free(root->keys[i]);
	free(root->keys);
	for (unsigned r = 0; r < WS_TUF_ROLE_COUNT; r++)
		free(root->roles[r].keys);
	ws_tuf_doc_free(root->doc);
	free(root);
}

static struct ws_tuf_key *
root_key(const struct ws_tuf_root *root, const char *keyid)
{
	for (size_t i = 0; i < root->nkeys; i++)
		if (strcmp(root->keys[i]->keyid, keyid) == 0)
			return root->keys[i];
	return NULL;
}

const struct ws_tuf_key *
ws_tuf_root_role_key(const struct ws_tuf_root *root, enum ws_tuf_role role, const char *keyid)
{
	const struct ws_tuf_role_keys *rk;

	if ((unsigned)role >= WS_TUF_ROLE_COUNT)
		return NULL;
	rk = &root->roles[role];
	for (size_t i = 0; i < rk->nkeys; i++)
		if (strcmp(rk->keys[i]->keyid, keyid) == 0)
			return rk->keys[i];
	return NULL;
}

static ws_err
read_keys(struct ws_tuf_root *root, const json_t *keys)
{
	const char *keyid;
	json_t *obj;
	size_t n = json_object_size(keys);
	ws_err r;

	if (n > WS_TUF_KEYS_MAX)
		return ws_err_set(WS_ERR_LIMIT, "signed.keys: %zu keys (at most %d)", n, WS_TUF_KEYS_MAX);
	if (n > 0 && (root->keys = calloc(n, sizeof(*root->keys))) == NULL)
		return ws_err_set(WS_ERR_NOMEM, "root keys");
	json_object_foreach((json_t *)keys, keyid, obj) {
		if (!json_is_object(obj))
			return ws_err_set(WS_ERR_JSON_TYPE, "signed.keys.%.64s: expected an object, got %s",
			    keyid, ws_json_type_name(obj));
		if ((r = ws_tuf_key_from_json(root->doc->dialect, keyid, obj,
		    &root->keys[root->nkeys])) != WS_OK) {
			ws_err_prefix("signed.keys");
			return r;
		}
		root->nkeys++;
	}
	return WS_OK;
}

static ws_err
read_role(struct ws_tuf_root *root, enum ws_tuf_role role, const json_t *obj)
{
	struct ws_tuf_role_keys *rk = &root->roles[role];
	json_t *keyids = NULL, *v;
	char where[32];
	size_t i, n;
	ws_err r;

	snprintf(where, sizeof(where), "signed.roles.%s", ws_tuf_role_name(role));
	if ((r = ws_json_get_array(obj, where, "keyids", &keyids)) != WS_OK ||
	    (r = ws_json_get_int(obj, where, "threshold", &rk->threshold)) != WS_OK)
		return r;
	n = json_array_size(keyids);
	if (n > WS_TUF_KEYS_MAX)
		return ws_err_set(WS_ERR_LIMIT, "%s.keyids: %zu keys (at most %d)", where, n, WS_TUF_KEYS_MAX);
	if (rk->threshold < 1 || (size_t)rk->threshold > n)
		return ws_err_set(WS_ERR_TUF, "%s.threshold %" PRId64 " is not within 1..%zu (its number of keys)",
		    where, rk->threshold, n);
	if ((rk->keys = calloc(n, sizeof(*rk->keys))) == NULL)
		return ws_err_set(WS_ERR_NOMEM, "root roles");
	json_array_foreach(keyids, i, v) {
		const char *keyid = json_string_value(v);

		if (keyid == NULL)
			return ws_err_set(WS_ERR_JSON_TYPE, "%s.keyids[%zu]: expected a string, got %s",
			    where, i, ws_json_type_name(v));
		if ((rk->keys[i] = root_key(root, keyid)) == NULL)
			return ws_err_set(WS_ERR_TUF, "%s.keyids[%zu]: key %.64s is not in signed.keys",
			    where, i, keyid);
		for (size_t j = 0; j < i; j++)
			if (rk->keys[j] == rk->keys[i])
				return ws_err_set(WS_ERR_TUF, "%s.keyids[%zu]: key %.64s is listed twice",
				    where, i, keyid);
		rk->nkeys++;
	}
	return WS_OK;
}

ws_err
ws_tuf_root_from_doc(struct ws_tuf_doc *doc, struct ws_tuf_root **out)
{
	struct ws_tuf_root *root = NULL;
	json_t *keys = NULL, *roles = NULL, *obj;
	const char *name;
	bool cs = false;
	ws_err r;

	if (doc->role != WS_TUF_ROOT)
		return ws_err_set(WS_ERR_INVALID_ARGUMENT, "a %s document is not a root",
		    ws_tuf_role_name(doc->role));
	if ((root = calloc(1, sizeof(*root))) == NULL)
		return ws_err_set(WS_ERR_NOMEM, "root");
	root->doc = doc;
	if ((r = ws_json_get_obj(doc->body, "signed", "keys", &keys)) != WS_OK ||
	    (r = ws_json_get_obj(doc->body, "signed", "roles", &roles)) != WS_OK ||
	    (r = ws_json_get_bool_opt(doc->body, "signed", "consistent_snapshot", &cs)) != WS_OK)
		goto out;
	if (doc->dialect == WS_TUF_SPEC && json_object_get(doc->body, "consistent_snapshot") == NULL) {
		r = ws_err_set(WS_ERR_JSON_MISSING, "signed.consistent_snapshot is required");
		goto out;
	}
	root->consistent_snapshot = cs;
	if ((r = read_keys(root, keys)) != WS_OK)
		goto out;
	json_object_foreach(roles, name, obj) {
		enum ws_tuf_role role;

		if (ws_tuf_role_from_name(name, &role) != WS_OK) {
			r = ws_err_set(WS_ERR_TUF, "signed.roles: unknown role \"%.32s\"", name);
			goto out;
		}
		if ((r = read_role(root, role, obj)) != WS_OK)
			goto out;
	}
	for (unsigned i = 0; i < WS_TUF_ROLE_COUNT; i++)
		if (root->roles[i].keys == NULL) {
			r = ws_err_set(WS_ERR_JSON_MISSING, "signed.roles.%s is required",
			    ws_tuf_role_name((enum ws_tuf_role)i));
			goto out;
		}
	*out = root;
	root = NULL;
out:
	if (root != NULL) {
		root->doc = NULL;	/* the caller keeps doc on failure */
		ws_tuf_root_free(root);
	}
	if (r != WS_OK)
		ws_err_prefix("root v%" PRId64, doc->version);
	return r;
}

ws_err
ws_tuf_root_parse(enum ws_tuf_dialect dialect, const uint8_t *data, size_t len,
    struct ws_tuf_root **out)
{
	struct ws_tuf_doc *doc = NULL;
	ws_err r;

	if ((r = ws_tuf_doc_parse(dialect, WS_TUF_ROOT, data, len, &doc)) != WS_OK)
		return r;
	if ((r = ws_tuf_root_from_doc(doc, out)) != WS_OK)
		ws_tuf_doc_free(doc);
	return r;
}

/* Does a foundries `method` name the key's scheme? ("rsassa-pss" is aktualizr's older name.) */
static bool
method_fits(const struct ws_tuf_key *key, const char *method)
{
	if (method == NULL)
		return true;
	if (key->type == WS_KEY_RSA && strcmp(method, "rsassa-pss") == 0)
		return true;
	return strcmp(method, ws_tuf_key_scheme(key)) == 0;
}

ws_err
ws_tuf_root_verify_doc(const struct ws_tuf_root *root, enum ws_tuf_role role,
    const struct ws_tuf_doc *doc)
{
	const struct ws_tuf_role_keys *rk;
	const struct ws_tuf_key *counted[WS_TUF_KEYS_MAX];
	char ignored[200] = "";
	size_t valid = 0;
	uint8_t *sig = NULL;
	ws_err r = WS_OK;

	if ((unsigned)role >= WS_TUF_ROLE_COUNT)
		return ws_err_set(WS_ERR_INVALID_ARGUMENT, "role %d", (int)role);
	rk = &root->roles[role];
	if (doc->dialect != root->doc->dialect)
		return ws_err_set(WS_ERR_TUF, "a %s-dialect %s cannot be verified with a %s-dialect root",
		    ws_tuf_dialect_name(doc->dialect), ws_tuf_role_name(doc->role),
		    ws_tuf_dialect_name(root->doc->dialect));
	if ((sig = malloc(WS_TUF_SIG_MAX)) == NULL)
		return ws_err_set(WS_ERR_NOMEM, "signature");
	for (size_t i = 0; i < doc->nsigs && valid < WS_TUF_KEYS_MAX; i++) {
		const char *keyid = NULL, *method = NULL;
		const struct ws_tuf_key *key;
		size_t sig_len = 0;
		bool seen = false;

		if ((r = ws_tuf_doc_signature(doc, i, &keyid, &method, sig, &sig_len)) != WS_OK)
			goto out;
		if ((key = ws_tuf_root_role_key(root, role, keyid)) == NULL) {
			size_t used = strlen(ignored);

			snprintf(ignored + used, sizeof(ignored) - used, "%s%.16s...", used ? ", " : "", keyid);
			continue;
		}
		if (!method_fits(key, method)) {
			r = ws_err_set(WS_ERR_TUF_SIGNATURE,
			    "%s v%" PRId64 ": the signature of %s key %s names method \"%.32s\", not \"%s\"",
			    ws_tuf_role_name(doc->role), doc->version, ws_tuf_role_name(role), keyid,
			    method, ws_tuf_key_scheme(key));
			goto out;
		}
		if (ws_tuf_key_verify(key, doc->canonical, doc->canonical_len, sig, sig_len) != WS_OK) {
			r = ws_err_set(WS_ERR_TUF_SIGNATURE,
			    "%s v%" PRId64 ": the signature of %s key %s does not verify "
			    "(the signed content was changed after signing, or the signature is corrupt)",
			    ws_tuf_role_name(doc->role), doc->version, ws_tuf_role_name(role), keyid);
			goto out;
		}
		for (size_t j = 0; j < valid; j++)
			seen = seen || counted[j] == key;
		if (!seen)
			counted[valid++] = key;
	}
	if ((int64_t)valid < rk->threshold && ignored[0] != '\0')
		r = ws_err_set(WS_ERR_TUF_THRESHOLD,
		    "%s v%" PRId64 ": %zu of %" PRId64 " required signatures by %s keys of root v%" PRId64
		    " (ignored, not %s keys: %s)", ws_tuf_role_name(doc->role), doc->version, valid,
		    rk->threshold, ws_tuf_role_name(role), root->doc->version, ws_tuf_role_name(role),
		    ignored);
	else if ((int64_t)valid < rk->threshold)
		r = ws_err_set(WS_ERR_TUF_THRESHOLD,
		    "%s v%" PRId64 ": %zu of %" PRId64 " required signatures by %s keys of root v%" PRId64,
		    ws_tuf_role_name(doc->role), doc->version, valid, rk->threshold,
		    ws_tuf_role_name(role), root->doc->version);
out:
	free(sig);
	return r;
}

ws_err
ws_tuf_root_verify_self(const struct ws_tuf_root *root)
{
	return ws_tuf_root_verify_doc(root, WS_TUF_ROOT, root->doc);
}

ws_err
ws_tuf_root_verify_next(const struct ws_tuf_root *prev, const struct ws_tuf_root *next)
{
	ws_err r;

	if (next->doc->dialect != prev->doc->dialect)
		return ws_err_set(WS_ERR_TUF, "root v%" PRId64 " is %s-dialect, root v%" PRId64 " %s-dialect",
		    next->doc->version, ws_tuf_dialect_name(next->doc->dialect), prev->doc->version,
		    ws_tuf_dialect_name(prev->doc->dialect));
	if ((r = ws_tuf_check_version(WS_TUF_ROOT, next->doc->version, prev->doc->version)) != WS_OK)
		return r;
	if ((r = ws_tuf_root_verify_doc(prev, WS_TUF_ROOT, next->doc)) != WS_OK) {
		ws_err_prefix("signed by the previous root v%" PRId64, prev->doc->version);
		return r;
	}
	if ((r = ws_tuf_root_verify_doc(next, WS_TUF_ROOT, next->doc)) != WS_OK) {
		ws_err_prefix("signed by its own root keys");
		return r;
	}
	return WS_OK;
}

/* Checks one role of the parameters and adds its keys and entry to the body. */
static ws_err
build_role(enum ws_tuf_dialect dialect, enum ws_tuf_role role,
    const struct ws_tuf_root_role_params *rp, json_t *keys, json_t *roles)
{
	json_t *keyids = NULL;
	const char *name = ws_tuf_role_name(role);
	ws_err r = WS_OK;

	if (rp->nkeys < 1 || rp->nkeys > WS_TUF_KEYS_MAX)
		return ws_err_set(WS_ERR_TUF, "role %s has %zu keys (1..%d allowed)", name, rp->nkeys,
		    WS_TUF_KEYS_MAX);
	if (rp->threshold < 1 || (uint64_t)rp->threshold > rp->nkeys)
		return ws_err_set(WS_ERR_TUF, "role %s: threshold %" PRId64 " is not within 1..%zu (its number of keys)",
		    name, rp->threshold, rp->nkeys);
	if ((keyids = json_array()) == NULL)
		return ws_err_set(WS_ERR_NOMEM, "root");
	for (size_t i = 0; i < rp->nkeys; i++) {
		const struct ws_tuf_key *k = rp->keys[i];

		if (k->dialect != dialect) {
			r = ws_err_set(WS_ERR_INVALID_ARGUMENT, "role %s: key %s is a %s-dialect key", name,
			    k->keyid, ws_tuf_dialect_name(k->dialect));
			goto out;
		}
		if (dialect == WS_TUF_FOUNDRIES && k->type == WS_KEY_EC_P256) {
			r = ws_err_set(WS_ERR_KEY_TYPE, "role %s: key %s is ECDSA, which aktualizr rejects "
			    "(use an Ed25519 or RSA key)", name, k->keyid);
			goto out;
		}
		for (size_t j = 0; j < i; j++)
			if (strcmp(rp->keys[j]->keyid, k->keyid) == 0) {
				r = ws_err_set(WS_ERR_TUF, "role %s: key %s is listed twice", name, k->keyid);
				goto out;
			}
		if (json_array_append_new(keyids, json_string(k->keyid)) != 0 ||
		    json_object_set(keys, k->keyid, k->object) != 0) {
			r = ws_err_set(WS_ERR_NOMEM, "root");
			goto out;
		}
	}
	if (json_object_set_new(roles, name, json_pack("{s:O, s:I}", "keyids", keyids,
	    "threshold", (json_int_t)rp->threshold)) != 0)
		r = ws_err_set(WS_ERR_NOMEM, "root");
out:
	json_decref(keyids);
	return r;
}

static bool
in_role(const struct ws_tuf_root_role_params *rp, const char *keyid)
{
	for (size_t i = 0; i < rp->nkeys; i++)
		if (strcmp(rp->keys[i]->keyid, keyid) == 0)
			return true;
	return false;
}

ws_err
ws_tuf_root_sign(enum ws_tuf_dialect dialect, const struct ws_tuf_root_params *p,
    const struct ws_tuf_root *prev, const struct ws_tuf_check *check,
    const struct ws_tuf_signer *signer, struct ws_tuf_root **out)
{
	struct ws_tuf_doc *doc = NULL;
	struct ws_tuf_root *root = NULL;
	json_t *body = NULL, *keys = NULL, *roles = NULL;
	char expires[WS_TUF_EXPIRES_LEN + 1];
	int64_t prev_version = prev ? prev->doc->version : check->prev_version;
	ws_err r;

	if (prev != NULL && prev->doc->dialect != dialect)
		return ws_err_set(WS_ERR_INVALID_ARGUMENT, "the previous root is %s-dialect, not %s",
		    ws_tuf_dialect_name(prev->doc->dialect), ws_tuf_dialect_name(dialect));
	if (prev_version == 0 && p->version != 1)
		return ws_err_set(WS_ERR_TUF_VERSION, "the first root must be version 1, not %" PRId64,
		    p->version);
	if ((r = ws_tuf_check_version(WS_TUF_ROOT, p->version, prev_version)) != WS_OK ||
	    (r = ws_tuf_check_expires(check, p->expires)) != WS_OK ||
	    (r = ws_tuf_expires_format(p->expires, expires)) != WS_OK)
		goto out;
	if ((keys = json_object()) == NULL || (roles = json_object()) == NULL) {
		r = ws_err_set(WS_ERR_NOMEM, "root");
		goto out;
	}
	for (unsigned i = 0; i < WS_TUF_ROLE_COUNT; i++)
		if ((r = build_role(dialect, (enum ws_tuf_role)i, &p->roles[i], keys, roles)) != WS_OK)
			goto out;
	for (size_t i = 0; signer != NULL && i < signer->nkeys; i++) {
		const char *keyid = signer->keys[i]->keyid;

		if (!in_role(&p->roles[WS_TUF_ROOT], keyid) &&
		    (prev == NULL || ws_tuf_root_role_key(prev, WS_TUF_ROOT, keyid) == NULL)) {
			r = ws_err_set(WS_ERR_TUF, "key %s is not a root key of root v%" PRId64 "%s", keyid,
			    p->version, prev ? " nor of the previous root" : "");
			goto out;
		}
	}
	if (dialect == WS_TUF_FOUNDRIES)
		body = json_pack("{s:s, s:b, s:s, s:O, s:O, s:I}", "_type", "Root",
		    "consistent_snapshot", 0, "expires", expires, "keys", keys, "roles", roles,
		    "version", (json_int_t)p->version);
	else
		body = json_pack("{s:s, s:b, s:s, s:O, s:O, s:s, s:I}", "_type", "root",
		    "consistent_snapshot", 1, "expires", expires, "keys", keys, "roles", roles,
		    "spec_version", WS_TUF_SPEC_VERSION, "version", (json_int_t)p->version);
	if (body == NULL) {
		r = ws_err_set(WS_ERR_NOMEM, "root");
		goto out;
	}
	if ((r = ws_tuf_doc_sign(dialect, WS_TUF_ROOT, body, signer, &doc)) != WS_OK)
		goto out;
	if ((r = ws_tuf_root_from_doc(doc, &root)) != WS_OK)
		goto out;
	doc = NULL;
	if (!check->allow_partial) {
		if ((r = ws_tuf_root_verify_self(root)) != WS_OK) {
			ws_err_prefix("signed by its own root keys");
			goto out;
		}
		if (prev != NULL && (r = ws_tuf_root_verify_doc(prev, WS_TUF_ROOT, root->doc)) != WS_OK) {
			ws_err_prefix("signed by the previous root v%" PRId64, prev->doc->version);
			goto out;
		}
	}
	*out = root;
	root = NULL;
out:
	ws_tuf_root_free(root);
	ws_tuf_doc_free(doc);
	json_decref(body);
	json_decref(keys);
	json_decref(roles);
	return r;
}

ws_err
ws_tuf_root_sign_role(const struct ws_tuf_root *root, enum ws_tuf_role role,
    const json_t *body, const struct ws_tuf_check *check, const struct ws_tuf_signer *signer,
    struct ws_tuf_doc **out)
{
	struct ws_tuf_doc *doc = NULL;
	const char *exp = NULL;
	int64_t version = 0;
	time_t expires = 0;
	ws_err r;

	if (role == WS_TUF_ROOT || (unsigned)role >= WS_TUF_ROLE_COUNT)
		return ws_err_set(WS_ERR_INVALID_ARGUMENT, "use ws_tuf_root_sign() for the root role");
	if ((r = ws_json_get_int(body, "signed", "version", &version)) != WS_OK ||
	    (r = ws_tuf_check_version(role, version, check->prev_version)) != WS_OK)
		goto out;
	if ((r = ws_json_get_str(body, "signed", "expires", &exp)) != WS_OK ||
	    (r = ws_tuf_expires_parse(exp, &expires)) != WS_OK ||
	    (r = ws_tuf_check_expires(check, expires)) != WS_OK) {
		ws_err_prefix("%s v%" PRId64, ws_tuf_role_name(role), version);
		goto out;
	}
	for (size_t i = 0; signer != NULL && i < signer->nkeys; i++) {
		const char *keyid = signer->keys[i]->keyid;

		if (ws_tuf_root_role_key(root, role, keyid) == NULL) {
			r = ws_err_set(WS_ERR_TUF, "key %s is not a %s key of root v%" PRId64, keyid,
			    ws_tuf_role_name(role), root->doc->version);
			goto out;
		}
	}
	if ((r = ws_tuf_doc_sign(root->doc->dialect, role, body, signer, &doc)) != WS_OK)
		goto out;
	if (!check->allow_partial && (r = ws_tuf_root_verify_doc(root, role, doc)) != WS_OK)
		goto out;
	*out = doc;
	doc = NULL;
out:
	ws_tuf_doc_free(doc);
	return r;
}
