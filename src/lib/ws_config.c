/*
 * ws_config.c -- the daemon configuration file: schema, defaults, paths.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <p11-kit/uri.h>

#include "ws_buf.h"
#include "ws_config.h"
#include "ws_yaml.h"

void
ws_config_free(struct ws_config *cfg)
{
	if (cfg == NULL)
		return;
	free(cfg->path);
	free(cfg->socket_path);
	free(cfg->socket_group);
	free(cfg->state_dir);
	free(cfg->policy_path);
	free(cfg->token_uri);
	free(cfg->token_module);
	free(cfg->pin_file);
	free(cfg->softhsm2_conf);
	free(cfg);
}

/* --------------------------------------------------------- token URI */

static const char *const uri_token_attrs[] = {
	"token", "manufacturer", "serial", "model", "library-manufacturer",
	"library-description", "library-version", "slot-description", "slot-manufacturer",
	"slot-id", NULL,
};

static bool
in_list(const char *const *list, const char *s, size_t len)
{
	for (size_t i = 0; list[i] != NULL; i++)
		if (strlen(list[i]) == len && memcmp(list[i], s, len) == 0)
			return true;
	return false;
}

/* Checks one "name=value" attribute of the path (query == false) or the query. */
static ws_err
uri_check_attr(const char *a, size_t len, bool query, bool *has_token)
{
	static const char *const object_attrs[] = { "object", "id", "type", NULL };
	static const char *const pin_attrs[] = { "pin-value", "pin-source", NULL };
	static const char *const module_attrs[] = { "module-name", "module-path", NULL };
	const char *eq = memchr(a, '=', len);
	size_t nlen;

	if (len == 0)
		return WS_OK;
	if (eq == NULL)
		return ws_err_set(WS_ERR_INVALID_ARGUMENT, "attribute \"%.*s\" has no '='", (int)len, a);
	nlen = (size_t)(eq - a);
	if (!query && in_list(uri_token_attrs, a, nlen)) {
		if (nlen == 5 && memcmp(a, "token", 5) == 0) {
			if (len == 6)
				return ws_err_set(WS_ERR_INVALID_ARGUMENT, "the token label is empty");
			*has_token = true;
		}
		return WS_OK;
	}
	if (!query && in_list(object_attrs, a, nlen))
		return ws_err_set(WS_ERR_INVALID_ARGUMENT,
		    "\"%.*s\" names an object; the URI names only the token (keys are named in the policy)",
		    (int)nlen, a);
	if (query && in_list(pin_attrs, a, nlen))
		return ws_err_set(WS_ERR_INVALID_ARGUMENT,
		    "\"%.*s\" is refused: the PIN comes from token.pin-file", (int)nlen, a);
	if (query && in_list(module_attrs, a, nlen))
		return ws_err_set(WS_ERR_INVALID_ARGUMENT,
		    "\"%.*s\" is refused: name the module with token.module", (int)nlen, a);
	return ws_err_set(WS_ERR_INVALID_ARGUMENT, "unknown attribute \"%.*s\"", (int)nlen, a);
}

ws_err
ws_config_check_token_uri(const char *uri)
{
	P11KitUri *parsed = NULL;
	const char *p, *end, *query;
	bool has_token = false;
	int rc;
	ws_err r;

	if (strncasecmp(uri, "pkcs11:", 7) != 0) {
		r = ws_err_set(WS_ERR_INVALID_ARGUMENT, "it must start with \"pkcs11:\"");
		goto out;
	}
	p = uri + 7;
	query = strchr(p, '?');
	end = query ? query : p + strlen(p);
	while (p < end) {
		const char *semi = memchr(p, ';', (size_t)(end - p));
		const char *stop = semi ? semi : end;

		if ((r = uri_check_attr(p, (size_t)(stop - p), false, &has_token)) != WS_OK)
			goto out;
		p = semi ? semi + 1 : end;
	}
	if (query != NULL) {
		p = query + 1;
		end = p + strlen(p);
		while (p < end) {
			const char *amp = memchr(p, '&', (size_t)(end - p));
			const char *stop = amp ? amp : end;

			if ((r = uri_check_attr(p, (size_t)(stop - p), true, &has_token)) != WS_OK)
				goto out;
			p = amp ? amp + 1 : end;
		}
	}
	if (!has_token) {
		r = ws_err_set(WS_ERR_INVALID_ARGUMENT, "it must name the token (token=LABEL)");
		goto out;
	}
	if ((parsed = p11_kit_uri_new()) == NULL) {
		r = ws_err_set(WS_ERR_NOMEM, "PKCS#11 URI");
		goto out;
	}
	if ((rc = p11_kit_uri_parse(uri, P11_KIT_URI_FOR_ANY, parsed)) != P11_KIT_URI_OK) {
		r = ws_err_set(WS_ERR_INVALID_ARGUMENT, "%s", p11_kit_uri_message(rc));
		goto out;
	}
	r = WS_OK;
out:
	if (parsed != NULL)
		p11_kit_uri_free(parsed);
	return r;
}

/* ------------------------------------------------------------- loader */

struct cfg_loader {
	const char *base;	/* directory of the config file, absolute, no trailing '/' */
	struct ws_config *cfg;
};

/* A path value: strings only, relative ones resolved against the config directory. */
static ws_err
get_path(const struct cfg_loader *ld, const struct ws_yaml_node *n, char **out)
{
	const char *s = NULL;
	char *res = NULL;
	ws_err r;

	if ((r = ws_yaml_str(n, &s)) != WS_OK)
		return r;
	if (s[0] == '/') {
		res = strdup(s);
	} else if (asprintf(&res, "%s/%s", ld->base, s) < 0) {
		res = NULL;
	}
	if (res == NULL)
		return ws_err_set(WS_ERR_NOMEM, "config path");
	*out = res;
	return WS_OK;
}

static ws_err
required_path(const struct cfg_loader *ld, const struct ws_yaml_node *map, const char *key, char **out)
{
	const struct ws_yaml_node *n = NULL;
	ws_err r;

	if ((r = ws_yaml_require(map, key, &n)) != WS_OK)
		return r;
	return get_path(ld, n, out);
}

static ws_err
optional_path(const struct cfg_loader *ld, const struct ws_yaml_node *map, const char *key, char **out)
{
	const struct ws_yaml_node *n = ws_yaml_find(map, key);

	return n ? get_path(ld, n, out) : WS_OK;
}

static ws_err
load_socket(struct cfg_loader *ld, const struct ws_yaml_node *map)
{
	static const char *const keys[] = { "path", "mode", "group", NULL };
	struct ws_config *cfg = ld->cfg;
	const struct ws_yaml_node *n;
	const char *group = NULL;
	ws_err r;

	if ((r = ws_yaml_expect_map(map)) != WS_OK || (r = ws_yaml_check_keys(map, keys)) != WS_OK)
		return r;
	if ((r = required_path(ld, map, "path", &cfg->socket_path)) != WS_OK)
		return r;
	if ((n = ws_yaml_find(map, "mode")) != NULL && (r = ws_yaml_mode(n, &cfg->socket_mode)) != WS_OK)
		return r;
	if ((n = ws_yaml_find(map, "group")) != NULL) {
		if ((r = ws_yaml_name(n, 32, "a group name or number", &group)) != WS_OK)
			return r;
		if ((cfg->socket_group = strdup(group)) == NULL)
			return ws_err_set(WS_ERR_NOMEM, "config");
	}
	return WS_OK;
}

static ws_err
load_token(struct cfg_loader *ld, const struct ws_yaml_node *map)
{
	static const char *const keys[] = { "uri", "module", "pin-file", "softhsm2-conf", NULL };
	struct ws_config *cfg = ld->cfg;
	const struct ws_yaml_node *n = NULL;
	char what[512], got[96];
	const char *uri = NULL;
	ws_err r;

	if ((r = ws_yaml_expect_map(map)) != WS_OK || (r = ws_yaml_check_keys(map, keys)) != WS_OK)
		return r;
	if ((r = ws_yaml_require(map, "uri", &n)) != WS_OK || (r = ws_yaml_str(n, &uri)) != WS_OK)
		return r;
	if ((r = ws_config_check_token_uri(uri)) != WS_OK) {
		if (r != WS_ERR_INVALID_ARGUMENT)
			return r;
		snprintf(what, sizeof(what), "%s", ws_err_detail());
		ws_yaml_describe(n, got, sizeof(got));
		return ws_yaml_fail(n, "bad PKCS#11 URI %s: %s", got, what);
	}
	if ((cfg->token_uri = strdup(uri)) == NULL)
		return ws_err_set(WS_ERR_NOMEM, "config");
	if ((r = optional_path(ld, map, "module", &cfg->token_module)) != WS_OK)
		return r;
	if ((r = required_path(ld, map, "pin-file", &cfg->pin_file)) != WS_OK)
		return r;
	return optional_path(ld, map, "softhsm2-conf", &cfg->softhsm2_conf);
}

static ws_err
load_limits(struct cfg_loader *ld, const struct ws_yaml_node *map)
{
	static const char *const keys[] = { "max-frame", "max-connections", "io-timeout", "workers", NULL };
	struct ws_config *cfg = ld->cfg;
	const struct ws_yaml_node *n;
	uint64_t v = 0;
	ws_err r;

	if ((r = ws_yaml_expect_map(map)) != WS_OK || (r = ws_yaml_check_keys(map, keys)) != WS_OK)
		return r;
	if ((n = ws_yaml_find(map, "max-frame")) != NULL) {
		if ((r = ws_yaml_size(n, WS_CONFIG_MAX_FRAME_MIN, WS_CONFIG_MAX_FRAME_MAX, &v)) != WS_OK)
			return r;
		cfg->max_frame = (size_t)v;
	}
	if ((n = ws_yaml_find(map, "max-connections")) != NULL &&
	    (r = ws_yaml_unsigned(n, 1, WS_CONFIG_MAX_CONNECTIONS_MAX, &cfg->max_connections)) != WS_OK)
		return r;
	if ((n = ws_yaml_find(map, "io-timeout")) != NULL) {
		if ((r = ws_yaml_duration(n, 1, WS_CONFIG_IO_TIMEOUT_MAX_S, &v)) != WS_OK)
			return r;
		cfg->io_timeout_ms = (unsigned)v * 1000u;
	}
	if ((n = ws_yaml_find(map, "workers")) != NULL &&
	    (r = ws_yaml_unsigned(n, 0, WS_CONFIG_WORKERS_MAX, &cfg->workers)) != WS_OK)
		return r;
	return WS_OK;
}

static ws_err
load_sandbox(struct cfg_loader *ld, const struct ws_yaml_node *map)
{
	static const char *const keys[] = { "seccomp", NULL };
	const struct ws_yaml_node *n;
	ws_err r;

	if ((r = ws_yaml_expect_map(map)) != WS_OK || (r = ws_yaml_check_keys(map, keys)) != WS_OK)
		return r;
	if ((n = ws_yaml_find(map, "seccomp")) != NULL &&
	    (r = ws_yaml_bool(n, &ld->cfg->seccomp)) != WS_OK)
		return r;
	return WS_OK;
}

static ws_err
load_doc(struct cfg_loader *ld, const struct ws_yaml_doc *doc)
{
	static const char *const keys[] = { "socket", "state-dir", "policy", "token", "limits",
		"sandbox", NULL };
	const struct ws_yaml_node *root = NULL, *n = NULL;
	ws_err r;

	if ((r = ws_yaml_root_map(doc, &root)) != WS_OK || (r = ws_yaml_check_keys(root, keys)) != WS_OK)
		return r;
	if ((r = ws_yaml_require(root, "socket", &n)) != WS_OK || (r = load_socket(ld, n)) != WS_OK)
		return r;
	if ((r = required_path(ld, root, "state-dir", &ld->cfg->state_dir)) != WS_OK)
		return r;
	if ((r = required_path(ld, root, "policy", &ld->cfg->policy_path)) != WS_OK)
		return r;
	if ((r = ws_yaml_require(root, "token", &n)) != WS_OK || (r = load_token(ld, n)) != WS_OK)
		return r;
	if ((n = ws_yaml_find(root, "limits")) != NULL && (r = load_limits(ld, n)) != WS_OK)
		return r;
	if ((n = ws_yaml_find(root, "sandbox")) != NULL && (r = load_sandbox(ld, n)) != WS_OK)
		return r;
	return WS_OK;
}

/* The absolute directory holding the file `name`. */
static ws_err
config_base_dir(const char *name, char **out)
{
	const char *slash = strrchr(name, '/');
	char cwd[PATH_MAX];
	char *res = NULL;

	if (slash == name) {
		res = strdup("/");
	} else if (slash != NULL && name[0] == '/') {
		res = strndup(name, (size_t)(slash - name));
	} else {
		if (getcwd(cwd, sizeof(cwd)) == NULL)
			return ws_err_errno("getcwd");
		if (slash == NULL)
			res = strdup(cwd);
		else if (asprintf(&res, "%s/%.*s", strcmp(cwd, "/") == 0 ? "" : cwd,
		    (int)(slash - name), name) < 0)
			res = NULL;
	}
	if (res == NULL)
		return ws_err_set(WS_ERR_NOMEM, "config path");
	/* "/" as a base would give "//x"; keep it as "" so that "/" + "x" is right. */
	if (strcmp(res, "/") == 0)
		res[0] = '\0';
	*out = res;
	return WS_OK;
}

ws_err
ws_config_load_mem(const char *name, const uint8_t *data, size_t len, struct ws_config **out)
{
	struct ws_yaml_doc *doc = NULL;
	struct ws_config *cfg = NULL;
	struct cfg_loader ld = { NULL, NULL };
	char *base = NULL;
	ws_err r;

	if ((r = config_base_dir(name, &base)) != WS_OK)
		goto out;
	if ((cfg = calloc(1, sizeof(*cfg))) == NULL || (cfg->path = strdup(name)) == NULL) {
		r = ws_err_set(WS_ERR_NOMEM, "config");
		goto out;
	}
	cfg->socket_mode = WS_CONFIG_SOCKET_MODE_DEFAULT;
	cfg->max_frame = WS_CONFIG_MAX_FRAME_DEFAULT;
	cfg->max_connections = WS_CONFIG_MAX_CONNECTIONS_DEFAULT;
	cfg->io_timeout_ms = WS_CONFIG_IO_TIMEOUT_DEFAULT_S * 1000u;
	cfg->workers = 0;
	if ((r = ws_yaml_load_mem(name, data, len, WS_ERR_CONFIG, &doc)) != WS_OK)
		goto out;
	ld.base = base;
	ld.cfg = cfg;
	if ((r = load_doc(&ld, doc)) != WS_OK)
		goto out;
	*out = cfg;
	cfg = NULL;
out:
	ws_config_free(cfg);
	ws_yaml_free(doc);
	free(base);
	return r;
}

ws_err
ws_config_load(const char *path, struct ws_config **out)
{
	struct ws_buf b = WS_BUF_INIT(WS_YAML_INPUT_MAX);
	ws_err r;

	if ((r = ws_yaml_read_file(path, &b)) == WS_OK)
		r = ws_config_load_mem(path, b.data, b.len, out);
	ws_buf_free(&b);
	return r;
}
