/*
 * regd_config.c -- wavesign-regd's configuration file: schema, defaults, paths.
 */
#include "config.h"

#include <arpa/inet.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "regd_config.h"
#include "ws_buf.h"
#include "ws_yaml.h"

void
regd_config_free(struct regd_config *cfg)
{
	if (cfg == NULL)
		return;
	free(cfg->path);
	free(cfg->address);
	free(cfg->http_path);
	free(cfg->socket_path);
	free(cfg->token_file);
	free(cfg->token_header);
	free(cfg->tls_cert);
	free(cfg->tls_key);
	free(cfg->tls_client_ca);
	free(cfg->gateway);
	free(cfg);
}

struct loader {
	const char *base;	/* directory of the file, absolute, "" for "/" */
	struct regd_config *cfg;
};

static ws_err
set_str(char **dst, const char *s)
{
	char *copy = strdup(s);

	if (copy == NULL)
		return ws_err_set(WS_ERR_NOMEM, "config");
	free(*dst);
	*dst = copy;
	return WS_OK;
}

/* A path value; a relative one is resolved against the config directory. */
static ws_err
get_path(const struct loader *ld, const struct ws_yaml_node *n, char **out)
{
	const char *s = NULL;
	char *res = NULL;
	ws_err r;

	if ((r = ws_yaml_str(n, &s)) != WS_OK)
		return r;
	if (s[0] == '/')
		res = strdup(s);
	else if (asprintf(&res, "%s/%s", ld->base, s) < 0)
		res = NULL;
	if (res == NULL)
		return ws_err_set(WS_ERR_NOMEM, "config path");
	free(*out);
	*out = res;
	return WS_OK;
}

static ws_err
optional_path(const struct loader *ld, const struct ws_yaml_node *map, const char *key, char **out)
{
	const struct ws_yaml_node *n = ws_yaml_find(map, key);

	return n != NULL ? get_path(ld, n, out) : WS_OK;
}

static ws_err
required_path(const struct loader *ld, const struct ws_yaml_node *map, const char *key, char **out)
{
	const struct ws_yaml_node *n = NULL;
	ws_err r;

	if ((r = ws_yaml_require(map, key, &n)) != WS_OK)
		return r;
	return get_path(ld, n, out);
}

static ws_err
load_listen(struct loader *ld, const struct ws_yaml_node *map)
{
	static const char *const keys[] = { "address", "port", "path", NULL };
	struct regd_config *cfg = ld->cfg;
	const struct ws_yaml_node *n = NULL;
	unsigned char addr[sizeof(struct in6_addr)];
	const char *s = NULL;
	char got[96];
	unsigned port = 0;
	ws_err r;

	if ((r = ws_yaml_expect_map(map)) != WS_OK || (r = ws_yaml_check_keys(map, keys)) != WS_OK)
		return r;
	if ((n = ws_yaml_find(map, "address")) != NULL) {
		if ((r = ws_yaml_str(n, &s)) != WS_OK)
			return r;
		if (inet_pton(AF_INET, s, addr) != 1 && inet_pton(AF_INET6, s, addr) != 1) {
			ws_yaml_describe(n, got, sizeof(got));
			return ws_yaml_fail(n, "expected a numeric IPv4 or IPv6 address, got %s", got);
		}
		if ((r = set_str(&cfg->address, s)) != WS_OK)
			return r;
	}
	if ((r = ws_yaml_require(map, "port", &n)) != WS_OK ||
	    (r = ws_yaml_unsigned(n, 1, 65535, &port)) != WS_OK)
		return r;
	cfg->port = (uint16_t)port;
	if ((n = ws_yaml_find(map, "path")) != NULL) {
		if ((r = ws_yaml_str(n, &s)) != WS_OK)
			return r;
		if (s[0] != '/' || strlen(s) > REGD_CONFIG_PATH_MAX ||
		    strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/._~-") != strlen(s)) {
			ws_yaml_describe(n, got, sizeof(got));
			return ws_yaml_fail(n, "expected a URL path starting with '/' of at most %d "
			    "characters from [A-Za-z0-9/._~-], got %s", REGD_CONFIG_PATH_MAX, got);
		}
		if ((r = set_str(&cfg->http_path, s)) != WS_OK)
			return r;
	}
	return WS_OK;
}

static ws_err
load_wavesignd(struct loader *ld, const struct ws_yaml_node *map)
{
	static const char *const keys[] = { "socket", "timeout", NULL };
	const struct ws_yaml_node *n = NULL;
	uint64_t v = 0;
	ws_err r;

	if ((r = ws_yaml_expect_map(map)) != WS_OK || (r = ws_yaml_check_keys(map, keys)) != WS_OK)
		return r;
	if ((r = optional_path(ld, map, "socket", &ld->cfg->socket_path)) != WS_OK)
		return r;
	if ((n = ws_yaml_find(map, "timeout")) != NULL) {
		if ((r = ws_yaml_duration(n, 1, REGD_CONFIG_UPSTREAM_TIMEOUT_MAX_S, &v)) != WS_OK)
			return r;
		ld->cfg->upstream_timeout_ms = (unsigned)v * 1000u;
	}
	return WS_OK;
}

static ws_err
load_auth(struct loader *ld, const struct ws_yaml_node *map)
{
	static const char *const keys[] = { "token-file", "header", NULL };
	const struct ws_yaml_node *n = NULL;
	const char *s = NULL;
	char got[96];
	ws_err r;

	if ((r = ws_yaml_expect_map(map)) != WS_OK || (r = ws_yaml_check_keys(map, keys)) != WS_OK)
		return r;
	if ((r = required_path(ld, map, "token-file", &ld->cfg->token_file)) != WS_OK)
		return r;
	if ((n = ws_yaml_find(map, "header")) != NULL) {
		if ((r = ws_yaml_str(n, &s)) != WS_OK)
			return r;
		if (strlen(s) > 64 || strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-") !=
		    strlen(s)) {
			ws_yaml_describe(n, got, sizeof(got));
			return ws_yaml_fail(n, "expected an HTTP header name of at most 64 characters "
			    "from [A-Za-z0-9-], got %s", got);
		}
		if ((r = set_str(&ld->cfg->token_header, s)) != WS_OK)
			return r;
	}
	return WS_OK;
}

static ws_err
load_tls(struct loader *ld, const struct ws_yaml_node *map)
{
	static const char *const keys[] = { "cert", "key", "client-ca", NULL };
	ws_err r;

	if ((r = ws_yaml_expect_map(map)) != WS_OK || (r = ws_yaml_check_keys(map, keys)) != WS_OK)
		return r;
	if ((r = required_path(ld, map, "cert", &ld->cfg->tls_cert)) != WS_OK ||
	    (r = required_path(ld, map, "key", &ld->cfg->tls_key)) != WS_OK)
		return r;
	return optional_path(ld, map, "client-ca", &ld->cfg->tls_client_ca);
}

/* http(s)://host[:port][/path], printable, nothing that needs escaping in TOML. */
static ws_err
load_gateway(struct loader *ld, const struct ws_yaml_node *n)
{
	const char *s = NULL, *host;
	size_t len;
	char got[96];
	ws_err r;

	if ((r = ws_yaml_str(n, &s)) != WS_OK)
		return r;
	len = strlen(s);
	host = strncmp(s, "https://", 8) == 0 ? s + 8 : strncmp(s, "http://", 7) == 0 ? s + 7 : NULL;
	if (host == NULL || *host == '\0' || *host == '/' || len > REGD_CONFIG_GATEWAY_MAX)
		goto bad;
	for (size_t i = 0; i < len; i++)
		if (s[i] <= ' ' || s[i] >= 0x7f || s[i] == '"' || s[i] == '\\')
			goto bad;
	if ((r = set_str(&ld->cfg->gateway, s)) != WS_OK)
		return r;
	while (len > 0 && ld->cfg->gateway[len - 1] == '/')
		ld->cfg->gateway[--len] = '\0';
	return WS_OK;
bad:
	ws_yaml_describe(n, got, sizeof(got));
	return ws_yaml_fail(n, "expected an http:// or https:// URL of at most %d printable "
	    "characters without spaces, quotes or backslashes, got %s", REGD_CONFIG_GATEWAY_MAX, got);
}

static ws_err
load_limits(struct loader *ld, const struct ws_yaml_node *map)
{
	static const char *const keys[] = { "max-body", "max-connections", "timeout", NULL };
	struct regd_config *cfg = ld->cfg;
	const struct ws_yaml_node *n = NULL;
	uint64_t v = 0;
	ws_err r;

	if ((r = ws_yaml_expect_map(map)) != WS_OK || (r = ws_yaml_check_keys(map, keys)) != WS_OK)
		return r;
	if ((n = ws_yaml_find(map, "max-body")) != NULL) {
		if ((r = ws_yaml_size(n, REGD_CONFIG_MAX_BODY_MIN, REGD_CONFIG_MAX_BODY_MAX, &v)) != WS_OK)
			return r;
		cfg->max_body = (size_t)v;
	}
	if ((n = ws_yaml_find(map, "max-connections")) != NULL &&
	    (r = ws_yaml_unsigned(n, 1, REGD_CONFIG_MAX_CONNECTIONS_MAX, &cfg->max_connections)) != WS_OK)
		return r;
	if ((n = ws_yaml_find(map, "timeout")) != NULL) {
		if ((r = ws_yaml_duration(n, 1, REGD_CONFIG_TIMEOUT_MAX_S, &v)) != WS_OK)
			return r;
		cfg->timeout_s = (unsigned)v;
	}
	return WS_OK;
}

static ws_err
load_doc(struct loader *ld, const struct ws_yaml_doc *doc)
{
	static const char *const keys[] = {
		"listen", "wavesignd", "auth", "tls", "gateway", "allow-group", "limits", NULL,
	};
	const struct ws_yaml_node *root = NULL, *n = NULL;
	ws_err r;

	if ((r = ws_yaml_root_map(doc, &root)) != WS_OK || (r = ws_yaml_check_keys(root, keys)) != WS_OK)
		return r;
	if ((r = ws_yaml_require(root, "listen", &n)) != WS_OK || (r = load_listen(ld, n)) != WS_OK)
		return r;
	if ((n = ws_yaml_find(root, "wavesignd")) != NULL && (r = load_wavesignd(ld, n)) != WS_OK)
		return r;
	if ((r = ws_yaml_require(root, "auth", &n)) != WS_OK || (r = load_auth(ld, n)) != WS_OK)
		return r;
	if ((n = ws_yaml_find(root, "tls")) != NULL && (r = load_tls(ld, n)) != WS_OK)
		return r;
	if ((r = ws_yaml_require(root, "gateway", &n)) != WS_OK || (r = load_gateway(ld, n)) != WS_OK)
		return r;
	if ((n = ws_yaml_find(root, "allow-group")) != NULL &&
	    (r = ws_yaml_bool(n, &ld->cfg->allow_group)) != WS_OK)
		return r;
	if ((n = ws_yaml_find(root, "limits")) != NULL && (r = load_limits(ld, n)) != WS_OK)
		return r;
	return WS_OK;
}

/* The absolute directory holding the file `name` ("" for "/"). */
static ws_err
base_dir(const char *name, char **out)
{
	const char *slash = strrchr(name, '/');
	char cwd[PATH_MAX];
	char *res = NULL;

	if (slash == name) {
		res = strdup("");
	} else if (slash != NULL && name[0] == '/') {
		res = strndup(name, (size_t)(slash - name));
	} else {
		if (getcwd(cwd, sizeof(cwd)) == NULL)
			return ws_err_errno("getcwd");
		if (strcmp(cwd, "/") == 0)
			cwd[0] = '\0';
		if (slash == NULL)
			res = strdup(cwd);
		else if (asprintf(&res, "%s/%.*s", cwd, (int)(slash - name), name) < 0)
			res = NULL;
	}
	if (res == NULL)
		return ws_err_set(WS_ERR_NOMEM, "config path");
	*out = res;
	return WS_OK;
}

ws_err
regd_config_load_mem(const char *name, const uint8_t *data, size_t len, struct regd_config **out)
{
	struct ws_yaml_doc *doc = NULL;
	struct regd_config *cfg = NULL;
	struct loader ld = { NULL, NULL };
	char *base = NULL;
	ws_err r;

	if ((r = base_dir(name, &base)) != WS_OK)
		goto out;
	if ((cfg = calloc(1, sizeof(*cfg))) == NULL || (cfg->path = strdup(name)) == NULL ||
	    (cfg->address = strdup(REGD_CONFIG_DEFAULT_ADDRESS)) == NULL ||
	    (cfg->http_path = strdup(REGD_CONFIG_DEFAULT_PATH)) == NULL ||
	    (cfg->socket_path = strdup(REGD_CONFIG_DEFAULT_SOCKET)) == NULL ||
	    (cfg->token_header = strdup(REGD_CONFIG_DEFAULT_HEADER)) == NULL) {
		r = ws_err_set(WS_ERR_NOMEM, "config");
		goto out;
	}
	cfg->upstream_timeout_ms = REGD_CONFIG_UPSTREAM_TIMEOUT_DEFAULT_S * 1000u;
	cfg->max_body = REGD_CONFIG_MAX_BODY_DEFAULT;
	cfg->max_connections = REGD_CONFIG_MAX_CONNECTIONS_DEFAULT;
	cfg->timeout_s = REGD_CONFIG_TIMEOUT_DEFAULT_S;
	if ((r = ws_yaml_load_mem(name, data, len, WS_ERR_CONFIG, &doc)) != WS_OK)
		goto out;
	ld.base = base;
	ld.cfg = cfg;
	if ((r = load_doc(&ld, doc)) != WS_OK)
		goto out;
	*out = cfg;
	cfg = NULL;
out:
	regd_config_free(cfg);
	ws_yaml_free(doc);
	free(base);
	return r;
}

ws_err
regd_config_load(const char *path, struct regd_config **out)
{
	struct ws_buf b = WS_BUF_INIT(WS_YAML_INPUT_MAX);
	ws_err r;

	if ((r = ws_yaml_read_file(path, &b)) == WS_OK)
		r = regd_config_load_mem(path, b.data, b.len, out);
	ws_buf_free(&b);
	return r;
}
