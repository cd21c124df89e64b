/*
 * regd_sota.h -- the sota.toml a registered device receives (COMPAT.md 2a).
 *
 * Sections and keys, in this order, with GW the configured gateway URL and
 * DIR the request's sota-config-dir:
 *
 *   [tls]        server = "GW", ca_source = "file", pkey_source = "file",
 *                cert_source = "file"
 *   [provision]  server = "GW", primary_ecu_hardware_id = "<hardware-id>"
 *   [uptane]     repo_server = "GW/repo", key_source = "file"
 *   [pacman]     type = "ostree+compose_apps", ostree_server = "GW/treehub",
 *                compose_apps_root = "DIR/compose-apps"
 *   [storage]    type = "sqlite", path = "DIR/"
 *   [import]     tls_cacert_path = "DIR/root.crt", tls_pkey_path = "DIR/pkey.pem",
 *                tls_clientcert_path = "DIR/client.pem"
 *
 * then the request's `overrides` merged per section, as the reference
 * registration server does: a key already there gets the new value in
 * place, a new key is appended to its section, a new section is appended
 * after [import] (all in request order). Values are TOML literals written
 * as sent; an empty value means "unset" and is written as the comment
 * "# KEY is not set". Sections are separated by one blank line; the text
 * ends with one newline.
 *
 * The inputs must have passed regd_request_parse() and regd_config_load()
 * (which keep quotes, backslashes and control characters out of what is
 * interpolated).
 */
#ifndef REGD_SOTA_H
#define REGD_SOTA_H

#include "regd_request.h"
#include "ws_buf.h"
#include "ws_err.h"

/* Appends the sota.toml text to out. Errors: WS_ERR_NOMEM, WS_ERR_LIMIT (out's bound). */
ws_err regd_sota_toml(const char *gateway, const struct regd_request *req, struct ws_buf *out);

#endif /* REGD_SOTA_H */
