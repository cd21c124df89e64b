/*
 * ws_tuf_targets.c -- the targets role: check entries, build, sign
 * (see ws_tuf_roles.h).
 */
#include "config.h"

#include <string.h>

#include "ws_json.h"
#include "ws_tuf_roles.h"

static bool
lower_hex(const char *s)
{
	size_t n = strlen(s);

	return n > 0 && n % 2 == 0 && strspn(s, "0123456789abcdef") == n;
}

static ws_err
check_entry(enum ws_tuf_dialect dialect, const char *name, const json_t *entry)
{
	json_t *hashes = NULL, *custom = NULL, *h;
	const char *alg;
	int64_t length = 0;
	char where[96];
	ws_err r;

	snprintf(where, sizeof(where), "targets[\"%.64s\"]", name);
	if (name[0] == '\0')
		return ws_err_set(WS_ERR_TUF, "targets: a target has an empty name");
	if (!json_is_object(entry))
		return ws_err_set(WS_ERR_JSON_TYPE, "%s: expected an object, got %s", where,
		    ws_json_type_name(entry));
	if ((r = ws_json_get_int(entry, where, "length", &length)) != WS_OK ||
	    (r = ws_json_get_obj(entry, where, "hashes", &hashes)) != WS_OK ||
	    (r = ws_json_get_obj_opt(entry, where, "custom", &custom)) != WS_OK)
		return r;
	if (length < 0)
		return ws_err_set(WS_ERR_TUF, "%s.length is negative", where);
	if (json_object_size(hashes) == 0)
		return ws_err_set(WS_ERR_TUF, "%s.hashes is empty", where);
	if (dialect == WS_TUF_FOUNDRIES && json_object_get(hashes, "sha256") == NULL)
		return ws_err_set(WS_ERR_JSON_MISSING, "%s.hashes.sha256 is required (the OSTree commit)", where);
	json_object_foreach((json_t *)hashes, alg, h) {
		const char *v = json_string_value(h);

		if (v == NULL || !lower_hex(v))
			return ws_err_set(WS_ERR_TUF, "%s.hashes.%.32s: expected a lower-case hex string",
			    where, alg);
		if (strcmp(alg, "sha256") == 0 && strlen(v) != 64)
			return ws_err_set(WS_ERR_TUF, "%s.hashes.sha256 has %zu characters, not 64",
			    where, strlen(v));
	}
	return WS_OK;
}

ws_err
ws_tuf_targets_check_entries(enum ws_tuf_dialect dialect, const json_t *targets)
{
	const char *name;
	json_t *entry;
	ws_err r;

	if (!json_is_object(targets))
		return ws_err_set(WS_ERR_JSON_TYPE, "targets: expected an object, got %s",
		    targets ? ws_json_type_name(targets) : "nothing");
	json_object_foreach((json_t *)targets, name, entry)
		if ((r = check_entry(dialect, name, entry)) != WS_OK)
			return r;
	return WS_OK;
}

/* Adds the members of extra to body, refusing the standard ones. */
static ws_err
add_extra(json_t *body, const json_t *extra)
{
	static const char *const reserved[] = {
		"_type", "expires", "spec_version", "targets", "version", NULL,
	};
	const char *key;
	json_t *v;

	if (extra == NULL)
		return WS_OK;
	if (!json_is_object(extra))
		return ws_err_set(WS_ERR_JSON_TYPE, "extra members: expected an object, got %s",
		    ws_json_type_name(extra));
	json_object_foreach((json_t *)extra, key, v) {
		for (size_t i = 0; reserved[i] != NULL; i++)
			if (strcmp(key, reserved[i]) == 0)
				return ws_err_set(WS_ERR_INVALID_ARGUMENT,
				    "extra member \"%s\" would replace a member the builder sets", key);
		if (json_object_set_new(body, key, json_deep_copy(v)) != 0)
			return ws_err_set(WS_ERR_NOMEM, "targets");
	}
	return WS_OK;
}

ws_err
ws_tuf_targets_sign(const struct ws_tuf_root *root, const struct ws_tuf_targets_params *p,
    const struct ws_tuf_check *check, const struct ws_tuf_signer *signer, struct ws_tuf_doc **out)
{
	enum ws_tuf_dialect dialect = root->doc->dialect;
	char expires[WS_TUF_EXPIRES_LEN + 1];
	json_t *body = NULL, *targets = NULL;
	ws_err r;

	if ((r = ws_tuf_targets_check_entries(dialect, p->targets)) != WS_OK ||
	    (r = ws_tuf_expires_format(p->expires, expires)) != WS_OK)
		goto out;
	if ((targets = json_deep_copy(p->targets)) == NULL) {
		r = ws_err_set(WS_ERR_NOMEM, "targets");
		goto out;
	}
	body = json_pack("{s:s, s:s, s:O, s:I}", "_type", ws_tuf_role_type(dialect, WS_TUF_TARGETS),
	    "expires", expires, "targets", targets, "version", (json_int_t)p->version);
	if (body == NULL || (dialect == WS_TUF_SPEC &&
	    json_object_set_new(body, "spec_version", json_string(WS_TUF_SPEC_VERSION)) != 0)) {
		r = ws_err_set(WS_ERR_NOMEM, "targets");
		goto out;
	}
	if ((r = add_extra(body, p->extra)) != WS_OK)
		goto out;
	r = ws_tuf_root_sign_role(root, WS_TUF_TARGETS, body, check, signer, out);
out:
	json_decref(body);
	json_decref(targets);
	return r;
}
