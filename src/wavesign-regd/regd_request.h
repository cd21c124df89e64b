/*
 * regd_request.h -- the registration request body, as lmp-device-register
 * sends it (COMPAT.md section 2a), parsed strictly.
 *
 * The body is one JSON object (ws_json_parse(): no duplicate keys, no
 * floats, valid UTF-8, bounded depth) with exactly these members; any
 * other member is refused:
 *
 *   csr                string, required, non-empty: the PEM CSR (checked by
 *                      wavesignd, not here)
 *   hardware-id        string, required, 1..128 of [A-Za-z0-9._+-]
 *   sota-config-dir    string, optional: an absolute path of at most 255
 *                      printable ASCII characters without '"' or '\';
 *                      "/var/sota" when absent or empty
 *   name               string, optional, at most 256 bytes
 *   uuid               string, optional, at most 128 bytes
 *   group              string, optional, at most 128 bytes; "" = absent
 *   use-ostree-server  "true" | "false" (lmp-device-register sends a
 *                      string) or a JSON boolean; optional, default true
 *   overrides          object, optional: section -> object of key ->
 *                      string. Section names and keys are TOML bare keys
 *                      (1..64 of [A-Za-z0-9_-]); values are TOML literals
 *                      passed through as written (""
 *                      means "unset"), at most 1024 bytes of printable
 *                      ASCII or UTF-8 without control characters, so
 *                      that no value can start a new line in sota.toml.
 *                      At most 32 sections of at most 64 keys.
 *
 * Errors (the detail names the member): WS_ERR_LIMIT (body longer than
 * max), WS_ERR_JSON_* (malformed JSON, a missing or empty csr or
 * hardware-id is WS_ERR_JSON_MISSING, a wrong type WS_ERR_JSON_TYPE),
 * WS_ERR_REQUEST (an unknown member, a value outside its syntax),
 * WS_ERR_NOMEM.
 */
#ifndef REGD_REQUEST_H
#define REGD_REQUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "ws_err.h"

#define REGD_SOTA_DIR_DEFAULT "/var/sota"
#define REGD_HWID_MAX 128
#define REGD_SOTA_DIR_MAX 255
#define REGD_NAME_MAX 256
#define REGD_UUID_MAX 128
#define REGD_GROUP_MAX 128
#define REGD_TOML_KEY_MAX 64
#define REGD_TOML_VALUE_MAX 1024
#define REGD_OVERRIDE_SECTIONS_MAX 32
#define REGD_OVERRIDE_KEYS_MAX 64
#define REGD_JSON_DEPTH 3		/* objects: body, overrides, a section */

struct regd_request {
	json_t *root;			/* owns every string below */
	const char *csr;
	const char *hardware_id;
	const char *sota_config_dir;	/* never NULL after parse */
	const char *name;		/* NULL when absent */
	const char *uuid;		/* NULL when absent */
	const char *group;		/* NULL when absent or empty */
	bool use_ostree_server;
	const json_t *overrides;	/* borrowed from root; NULL when absent */
};

/*
 * Parses body[0..len) into *out (zeroed first); body may be NULL when len
 * is 0. On success release with regd_request_free(); on failure *out holds
 * nothing to release.
 */
ws_err regd_request_parse(const uint8_t *body, size_t len, size_t max, struct regd_request *out);

/* Releases what regd_request_parse() filled in; safe on a zeroed struct. */
void regd_request_free(struct regd_request *req);

/* True for a TOML bare key of 1..REGD_TOML_KEY_MAX characters of [A-Za-z0-9_-]. */
bool regd_toml_bare_key(const char *s);

#endif /* REGD_REQUEST_H */
