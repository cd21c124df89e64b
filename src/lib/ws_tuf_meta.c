/*
 * ws_tuf_meta.c -- the snapshot and timestamp roles and their meta entries
 * (see ws_tuf_roles.h).
 */
#include "config.h"

#include <inttypes.h>
#include <string.h>

#include "ws_json.h"
#include "ws_tuf_roles.h"

static json_t *
meta_entry_json(const struct ws_tuf_doc *doc)
{
	char hex[65];

	ws_tuf_hex(doc->sha256, sizeof(doc->sha256), hex);
	return json_pack("{s:{s:s}, s:I, s:I}", "hashes", "sha256", hex,
	    "length", (json_int_t)doc->file_len, "version", (json_int_t)doc->version);
}

/* {"_type":T,"expires":E,"meta":meta,"version":V} (+ spec_version), signed under root. */
static ws_err
meta_role_sign(const struct ws_tuf_root *root, enum ws_tuf_role role, int64_t version,
    time_t expires, const json_t *meta, const struct ws_tuf_check *check,
    const struct ws_tuf_signer *signer, struct ws_tuf_doc **out)
{
	enum ws_tuf_dialect dialect = root->doc->dialect;
	char exp[WS_TUF_EXPIRES_LEN + 1];
	json_t *body = NULL;
	ws_err r;

	if ((r = ws_tuf_expires_format(expires, exp)) != WS_OK)
		return r;
	body = json_pack("{s:s, s:s, s:O, s:I}", "_type", ws_tuf_role_type(dialect, role),
	    "expires", exp, "meta", meta, "version", (json_int_t)version);
	if (body == NULL || (dialect == WS_TUF_SPEC &&
	    json_object_set_new(body, "spec_version", json_string(WS_TUF_SPEC_VERSION)) != 0)) {
		json_decref(body);
		return ws_err_set(WS_ERR_NOMEM, "%s", ws_tuf_role_name(role));
	}
	r = ws_tuf_root_sign_role(root, role, body, check, signer, out);
	json_decref(body);
	return r;
}

/* A document the new role vouches for must verify under root and be current. */
static ws_err
check_listed(const struct ws_tuf_root *root, enum ws_tuf_role role, const char *name,
    const struct ws_tuf_doc *doc, time_t now)
{
	ws_err r;

	if (doc->dialect != root->doc->dialect)
		return ws_err_set(WS_ERR_TUF, "%s is %s-dialect metadata, the root is %s", name,
		    ws_tuf_dialect_name(doc->dialect), ws_tuf_dialect_name(root->doc->dialect));
	if ((r = ws_tuf_root_verify_doc(root, role, doc)) != WS_OK ||
	    (r = ws_tuf_doc_check_expiry(doc, now)) != WS_OK)
		ws_err_prefix("%s", name);
	return r;
}

ws_err
ws_tuf_snapshot_sign(const struct ws_tuf_root *root, const struct ws_tuf_snapshot_params *p,
    const struct ws_tuf_check *check, const struct ws_tuf_signer *signer, struct ws_tuf_doc **out)
{
	json_t *meta = NULL;
	bool have_targets = false;
	ws_err r = WS_OK;

	if ((meta = json_object()) == NULL)
		return ws_err_set(WS_ERR_NOMEM, "snapshot");
	for (size_t i = 0; i < p->nfiles; i++) {
		const struct ws_tuf_meta_file *f = &p->files[i];
		size_t n = f->name ? strlen(f->name) : 0;

		if (n <= 5 || strcmp(f->name + n - 5, ".json") != 0 || strchr(f->name, '/') != NULL) {
			r = ws_err_set(WS_ERR_TUF, "snapshot meta name \"%.64s\" is not <role>.json",
			    f->name ? f->name : "");
			goto out;
		}
		if (json_object_get(meta, f->name) != NULL) {
			r = ws_err_set(WS_ERR_TUF, "snapshot meta lists %.64s twice", f->name);
			goto out;
		}
		if (f->doc == NULL || f->doc->role != WS_TUF_TARGETS) {
			r = ws_err_set(WS_ERR_TUF, "snapshot meta %.64s: not a targets document", f->name);
			goto out;
		}
		if (strcmp(f->name, "targets.json") == 0) {
			have_targets = true;
			if ((r = check_listed(root, WS_TUF_TARGETS, f->name, f->doc, check->now)) != WS_OK)
				goto out;
		} else if (f->doc->dialect != root->doc->dialect) {
			r = ws_err_set(WS_ERR_TUF, "%.64s is %s-dialect metadata", f->name,
			    ws_tuf_dialect_name(f->doc->dialect));
			goto out;
		}
		if (json_object_set_new(meta, f->name, meta_entry_json(f->doc)) != 0) {
			r = ws_err_set(WS_ERR_NOMEM, "snapshot");
			goto out;
		}
	}
	if (!have_targets) {
		r = ws_err_set(WS_ERR_TUF, "a snapshot must list targets.json");
		goto out;
	}
	r = meta_role_sign(root, WS_TUF_SNAPSHOT, p->version, p->expires, meta, check, signer, out);
out:
	json_decref(meta);
	return r;
}

ws_err
ws_tuf_timestamp_sign(const struct ws_tuf_root *root, const struct ws_tuf_timestamp_params *p,
    const struct ws_tuf_check *check, const struct ws_tuf_signer *signer, struct ws_tuf_doc **out)
{
	json_t *meta = NULL;
	ws_err r;

	if (p->snapshot == NULL || p->snapshot->role != WS_TUF_SNAPSHOT)
		return ws_err_set(WS_ERR_INVALID_ARGUMENT, "a timestamp needs a snapshot document");
	if ((r = check_listed(root, WS_TUF_SNAPSHOT, "snapshot.json", p->snapshot, check->now)) != WS_OK)
		return r;
	if ((meta = json_pack("{s:o}", "snapshot.json", meta_entry_json(p->snapshot))) == NULL)
		return ws_err_set(WS_ERR_NOMEM, "timestamp");
	r = meta_role_sign(root, WS_TUF_TIMESTAMP, p->version, p->expires, meta, check, signer, out);
	json_decref(meta);
	return r;
}

ws_err
ws_tuf_meta_entry_get(const struct ws_tuf_doc *parent, const char *name,
    struct ws_tuf_meta_entry *out)
{
	struct ws_tuf_meta_entry e;
	json_t *meta = NULL, *entry = NULL, *hashes = NULL;
	const char *sha = NULL;
	size_t len = 0;
	char where[128];
	ws_err r;

	snprintf(where, sizeof(where), "%s v%" PRId64 " meta[\"%.64s\"]", ws_tuf_role_name(parent->role),
	    parent->version, name);
	if ((r = ws_json_get_obj(parent->body, "signed", "meta", &meta)) != WS_OK)
		return r;
	if ((entry = json_object_get(meta, name)) == NULL)
		return ws_err_set(WS_ERR_TUF, "%s is missing", where);
	if ((r = ws_json_get_int(entry, where, "version", &e.version)) != WS_OK ||
	    (r = ws_json_get_int(entry, where, "length", &e.length)) != WS_OK ||
	    (r = ws_json_get_obj(entry, where, "hashes", &hashes)) != WS_OK ||
	    (r = ws_json_get_str(hashes, where, "sha256", &sha)) != WS_OK)
		return ws_err_set(WS_ERR_TUF, "%s (wavesign requires version, length and hashes.sha256)",
		    ws_err_detail());
	if (e.version < 1 || e.length < 0)
		return ws_err_set(WS_ERR_TUF, "%s: version must be >= 1 and length >= 0", where);
	if (strlen(sha) != 64 || ws_tuf_unhex(sha, e.sha256, sizeof(e.sha256), &len) != WS_OK)
		return ws_err_set(WS_ERR_TUF, "%s.hashes.sha256 is not 64 lower-case hex characters", where);
	*out = e;
	return WS_OK;
}

ws_err
ws_tuf_meta_entry_check_file(const struct ws_tuf_doc *parent, const char *name,
    const struct ws_tuf_meta_entry *entry, const uint8_t *file, size_t len)
{
	uint8_t digest[32];
	char want[65], got[65];
	ws_err r;

	if ((int64_t)len != entry->length)
		return ws_err_set(WS_ERR_TUF, "%s has %zu bytes, but %s v%" PRId64 " records %" PRId64
		    " (the file was changed or replaced)", name, len, ws_tuf_role_name(parent->role),
		    parent->version, entry->length);
	if ((r = ws_tuf_sha256(file, len, digest)) != WS_OK)
		return r;
	if (memcmp(digest, entry->sha256, sizeof(digest)) != 0) {
		ws_tuf_hex(digest, sizeof(digest), got);
		ws_tuf_hex(entry->sha256, sizeof(entry->sha256), want);
		return ws_err_set(WS_ERR_TUF, "%s has SHA-256 %s, but %s v%" PRId64 " records %s "
		    "(the file was changed or replaced)", name, got, ws_tuf_role_name(parent->role),
		    parent->version, want);
	}
	return WS_OK;
}

ws_err
ws_tuf_meta_check(const struct ws_tuf_doc *parent, const char *name, const struct ws_tuf_doc *child)
{
	struct ws_tuf_meta_entry e;
	ws_err r;

	if (parent->role == WS_TUF_TIMESTAMP &&
	    (strcmp(name, "snapshot.json") != 0 ||
	     json_object_size(json_object_get(parent->body, "meta")) != 1))
		return ws_err_set(WS_ERR_TUF, "timestamp v%" PRId64 ": meta must hold snapshot.json and "
		    "nothing else", parent->version);
	if ((r = ws_tuf_meta_entry_get(parent, name, &e)) != WS_OK ||
	    (r = ws_tuf_meta_entry_check_file(parent, name, &e, child->file, child->file_len)) != WS_OK)
		return r;
	if (e.version != child->version)
		return ws_err_set(WS_ERR_TUF, "%s is version %" PRId64 ", but %s v%" PRId64 " records %" PRId64,
		    name, child->version, ws_tuf_role_name(parent->role), parent->version, e.version);
	return WS_OK;
}
