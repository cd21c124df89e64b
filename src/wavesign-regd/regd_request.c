/*
 * regd_request.c -- strict parsing of lmp-device-register's request body.
 */
#include "config.h"

#include <string.h>

#include "regd_request.h"
#include "ws_json.h"

/* Every member lmp-device-register (and fioup's register) sends; nothing else. */
static const char *const request_members[] = {
	"use-ostree-server", "sota-config-dir", "hardware-id", "name", "uuid", "csr", "group",
	"overrides", NULL,
};

void
regd_request_free(struct regd_request *req)
{
	if (req == NULL)
		return;
	json_decref(req->root);
	memset(req, 0, sizeof(*req));
}

static bool
all_in(const char *s, const char *set)
{
	return strspn(s, set) == strlen(s);
}

bool
regd_toml_bare_key(const char *s)
{
	size_t len = strlen(s);

	return len >= 1 && len <= REGD_TOML_KEY_MAX &&
	    all_in(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-");
}

/* No byte below 0x20 and no DEL: a value stays on its line of sota.toml. */
static bool
no_control(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++)
		if (*p < 0x20 || *p == 0x7f)
			return false;
	return true;
}

/* A required string that must not be empty: missing and empty read the same. */
static ws_err
get_required(const json_t *root, const char *key, const char **out)
{
	const char *s = NULL;
	ws_err r;

	if ((r = ws_json_get_str(root, NULL, key, &s)) != WS_OK)
		return r;
	if (*s == '\0')
		return ws_err_set(WS_ERR_JSON_MISSING, "%s: is empty", key);
	*out = s;
	return WS_OK;
}

static ws_err
get_bounded_opt(const json_t *root, const char *key, size_t max, const char **out)
{
	const char *s = NULL;
	ws_err r;

	if ((r = ws_json_get_str_opt(root, NULL, key, &s)) != WS_OK)
		return r;
	if (s != NULL && (strlen(s) > max || !no_control(s)))
		return ws_err_set(WS_ERR_REQUEST,
		    "%s: expected at most %zu bytes without control characters", key, max);
	*out = s;
	return WS_OK;
}

static ws_err
parse_hardware_id(const json_t *root, struct regd_request *req)
{
	ws_err r;

	if ((r = get_required(root, "hardware-id", &req->hardware_id)) != WS_OK)
		return r;
	if (strlen(req->hardware_id) > REGD_HWID_MAX ||
	    !all_in(req->hardware_id, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._+-"))
		return ws_err_set(WS_ERR_REQUEST,
		    "hardware-id: expected 1 to %d characters from [A-Za-z0-9._+-]", REGD_HWID_MAX);
	return WS_OK;
}

static ws_err
parse_sota_dir(const json_t *root, struct regd_request *req)
{
	const char *s = NULL;
	ws_err r;

	if ((r = ws_json_get_str_opt(root, NULL, "sota-config-dir", &s)) != WS_OK)
		return r;
	if (s == NULL || *s == '\0') {
		req->sota_config_dir = REGD_SOTA_DIR_DEFAULT;
		return WS_OK;
	}
	if (s[0] != '/' || strlen(s) > REGD_SOTA_DIR_MAX)
		goto bad;
	for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++)
		if (*p < 0x20 || *p >= 0x7f || *p == '"' || *p == '\\')
			goto bad;
	req->sota_config_dir = s;
	return WS_OK;
bad:
	return ws_err_set(WS_ERR_REQUEST, "sota-config-dir: expected an absolute path of at most %d "
	    "printable ASCII characters without '\"' or '\\'", REGD_SOTA_DIR_MAX);
}

static ws_err
parse_use_ostree_server(const json_t *root, struct regd_request *req)
{
	const json_t *v = json_object_get(root, "use-ostree-server");
	const char *s;

	req->use_ostree_server = true;
	if (v == NULL || json_is_null(v))
		return WS_OK;
	if (json_is_boolean(v)) {
		req->use_ostree_server = json_is_true(v);
		return WS_OK;
	}
	if (!json_is_string(v))
		return ws_err_set(WS_ERR_JSON_TYPE, "use-ostree-server: expected \"true\" or \"false\", got %s",
		    ws_json_type_name(v));
	s = json_string_value(v);
	if (strcmp(s, "true") == 0 || strcmp(s, "false") == 0) {
		req->use_ostree_server = s[0] == 't';
		return WS_OK;
	}
	return ws_err_set(WS_ERR_REQUEST, "use-ostree-server: expected \"true\" or \"false\"");
}

static ws_err
parse_section(const char *name, const json_t *section)
{
	const char *key;
	json_t *v;

	if (!json_is_object(section))
		return ws_err_set(WS_ERR_JSON_TYPE, "overrides.%s: expected an object, got %s",
		    name, ws_json_type_name(section));
	if (json_object_size(section) > REGD_OVERRIDE_KEYS_MAX)
		return ws_err_set(WS_ERR_REQUEST, "overrides.%s: more than %d keys", name,
		    REGD_OVERRIDE_KEYS_MAX);
	json_object_foreach((json_t *)section, key, v) {
		if (!regd_toml_bare_key(key))
			return ws_err_set(WS_ERR_REQUEST, "overrides.%s: key is not a TOML bare key "
			    "(1 to %d characters from [A-Za-z0-9_-])", name, REGD_TOML_KEY_MAX);
		if (!json_is_string(v))
			return ws_err_set(WS_ERR_JSON_TYPE, "overrides.%s.%s: expected a string, got %s",
			    name, key, ws_json_type_name(v));
		if (json_string_length(v) > REGD_TOML_VALUE_MAX || !no_control(json_string_value(v)))
			return ws_err_set(WS_ERR_REQUEST, "overrides.%s.%s: expected at most %d bytes "
			    "without control characters", name, key, REGD_TOML_VALUE_MAX);
	}
	return WS_OK;
}

static ws_err
parse_overrides(const json_t *root, struct regd_request *req)
{
	json_t *overrides = NULL, *section;
	const char *name;
	ws_err r;

	if ((r = ws_json_get_obj_opt(root, NULL, "overrides", &overrides)) != WS_OK || overrides == NULL)
		return r;
	if (json_object_size(overrides) > REGD_OVERRIDE_SECTIONS_MAX)
		return ws_err_set(WS_ERR_REQUEST, "overrides: more than %d sections",
		    REGD_OVERRIDE_SECTIONS_MAX);
	json_object_foreach(overrides, name, section) {
		if (!regd_toml_bare_key(name))
			return ws_err_set(WS_ERR_REQUEST, "overrides: a section name is not a TOML bare "
			    "key (1 to %d characters from [A-Za-z0-9_-])", REGD_TOML_KEY_MAX);
		if ((r = parse_section(name, section)) != WS_OK)
			return r;
	}
	req->overrides = overrides;
	return WS_OK;
}

ws_err
regd_request_parse(const uint8_t *body, size_t len, size_t max, struct regd_request *out)
{
	struct regd_request req = { 0 };
	json_t *root = NULL;
	ws_err r;

	memset(out, 0, sizeof(*out));
	if (body == NULL)
		body = (const uint8_t *)"";	/* an empty body: no bytes arrived, no buffer was made */
	if (len > max) {
		r = ws_err_set(WS_ERR_LIMIT, "the body has %zu bytes, at most %zu are accepted", len, max);
		goto out;
	}
	if ((r = ws_json_parse(body, len, REGD_JSON_DEPTH, &root)) != WS_OK)
		goto out;
	if (!json_is_object(root)) {
		r = ws_err_set(WS_ERR_JSON_TYPE, "the body: expected an object, got %s", ws_json_type_name(root));
		goto out;
	}
	if ((r = ws_json_only_members(root, "the body", request_members)) != WS_OK ||
	    (r = get_required(root, "csr", &req.csr)) != WS_OK ||
	    (r = parse_hardware_id(root, &req)) != WS_OK ||
	    (r = parse_sota_dir(root, &req)) != WS_OK ||
	    (r = get_bounded_opt(root, "name", REGD_NAME_MAX, &req.name)) != WS_OK ||
	    (r = get_bounded_opt(root, "uuid", REGD_UUID_MAX, &req.uuid)) != WS_OK ||
	    (r = get_bounded_opt(root, "group", REGD_GROUP_MAX, &req.group)) != WS_OK ||
	    (r = parse_use_ostree_server(root, &req)) != WS_OK ||
	    (r = parse_overrides(root, &req)) != WS_OK)
		goto out;
	if (req.group != NULL && *req.group == '\0')
		req.group = NULL;
	req.root = root;
	root = NULL;
	*out = req;
out:
	json_decref(root);
	return r;
}
