/*
 * regd_sota.c -- sota.toml from the gateway URL, the request and its overrides.
 *
 * The document is first built as an ordered jansson object (section ->
 * key -> TOML literal): jansson keeps insertion order and replaces a
 * value in place, which is exactly the merge the reference server does.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "regd_sota.h"

/* Sets section.key to a TOML basic string "<a><b>"; a and b need no escaping. */
static ws_err
put_quoted(json_t *doc, const char *section, const char *key, const char *a, const char *b)
{
	json_t *sec = json_object_get(doc, section), *v = NULL;
	char *lit = NULL;

	if (sec == NULL) {
		if ((sec = json_object()) == NULL || json_object_set_new(doc, section, sec) != 0)
			return ws_err_set(WS_ERR_NOMEM, "sota.toml");
	}
	if (asprintf(&lit, "\"%s%s\"", a, b) < 0)
		return ws_err_set(WS_ERR_NOMEM, "sota.toml");
	v = json_string(lit);
	free(lit);
	if (v == NULL || json_object_set_new(sec, key, v) != 0)
		return ws_err_set(WS_ERR_NOMEM, "sota.toml");
	return WS_OK;
}

static ws_err
defaults(json_t *doc, const char *gw, const char *hwid, const char *dir)
{
	const struct {
		const char *section, *key, *a, *b;
	} rows[] = {
		{ "tls", "server", gw, "" },
		{ "tls", "ca_source", "file", "" },
		{ "tls", "pkey_source", "file", "" },
		{ "tls", "cert_source", "file", "" },
		{ "provision", "server", gw, "" },
		{ "provision", "primary_ecu_hardware_id", hwid, "" },
		{ "uptane", "repo_server", gw, "/repo" },
		{ "uptane", "key_source", "file", "" },
		{ "pacman", "type", "ostree+compose_apps", "" },
		{ "pacman", "ostree_server", gw, "/treehub" },
		{ "pacman", "compose_apps_root", dir, "/compose-apps" },
		{ "storage", "type", "sqlite", "" },
		{ "storage", "path", dir, "/" },
		{ "import", "tls_cacert_path", dir, "/root.crt" },
		{ "import", "tls_pkey_path", dir, "/pkey.pem" },
		{ "import", "tls_clientcert_path", dir, "/client.pem" },
	};
	ws_err r;

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		if ((r = put_quoted(doc, rows[i].section, rows[i].key, rows[i].a, rows[i].b)) != WS_OK)
			return r;
	return WS_OK;
}

static ws_err
merge_overrides(json_t *doc, const json_t *overrides)
{
	const char *name, *key;
	json_t *section, *v, *sec;

	if (overrides == NULL)
		return WS_OK;
	json_object_foreach((json_t *)overrides, name, section) {
		if ((sec = json_object_get(doc, name)) == NULL) {
			if ((sec = json_object()) == NULL || json_object_set_new(doc, name, sec) != 0)
				return ws_err_set(WS_ERR_NOMEM, "sota.toml");
		}
		json_object_foreach(section, key, v) {
			if (json_object_set(sec, key, v) != 0)
				return ws_err_set(WS_ERR_NOMEM, "sota.toml");
		}
	}
	return WS_OK;
}

static ws_err
write_doc(const json_t *doc, struct ws_buf *out)
{
	const char *name, *key;
	json_t *section, *v;
	bool first = true;
	ws_err r;

	json_object_foreach((json_t *)doc, name, section) {
		if (!first && (r = ws_buf_put_str(out, "\n")) != WS_OK)
			return r;
		first = false;
		if ((r = ws_buf_printf(out, "[%s]\n", name)) != WS_OK)
			return r;
		json_object_foreach(section, key, v) {
			const char *lit = json_string_value(v);

			if (*lit == '\0')
				r = ws_buf_printf(out, "# %s is not set\n", key);
			else
				r = ws_buf_printf(out, "%s = %s\n", key, lit);
			if (r != WS_OK)
				return r;
		}
	}
	return WS_OK;
}

ws_err
regd_sota_toml(const char *gateway, const struct regd_request *req, struct ws_buf *out)
{
	json_t *doc = json_object();
	ws_err r;

	if (doc == NULL) {
		r = ws_err_set(WS_ERR_NOMEM, "sota.toml");
		goto out;
	}
	if ((r = defaults(doc, gateway, req->hardware_id, req->sota_config_dir)) != WS_OK ||
	    (r = merge_overrides(doc, req->overrides)) != WS_OK)
		goto out;
	r = write_doc(doc, out);
out:
	json_decref(doc);
	return r;
}
