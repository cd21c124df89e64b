/*
 * ws_tuf_doc.c -- TUF metadata files: parse, sign, add signatures
 * (see ws_tuf_doc.h).
 */
#include "config.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "ws_cjson.h"
#include "ws_json.h"
#include "ws_tuf_doc.h"

/*
 * The foundries dialect signs what aktualizr verifies: jsoncpp's compact
 * sorted re-serialisation of `signed`. That is the canonical form for
 * printable ASCII; jsoncpp escapes a newline as \n (as WS_CJSON_VALID_JSON
 * does) and non-ASCII as \uXXXX (which no form of ours reproduces). So the
 * strings allowed are printable ASCII plus the newline of PEM keys, and
 * the bytes are WS_CJSON_VALID_JSON's.
 */
static ws_err
foundries_check_string(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if ((c < 0x20 || c > 0x7e) && c != '\n')
			return ws_err_set(WS_ERR_JSON_NOT_ASCII, "byte 0x%02x at offset %zu of \"%.40s\"",
			    c, i, s);
	}
	return WS_OK;
}

static ws_err
foundries_check(const json_t *v, unsigned depth)
{
	const char *key;
	size_t i, key_len;
	json_t *child;
	ws_err r;

	if (depth > WS_CJSON_DEPTH_MAX)
		return ws_err_set(WS_ERR_JSON_DEPTH, "more than %d levels of nesting", WS_CJSON_DEPTH_MAX);
	if (json_is_string(v))
		return foundries_check_string(json_string_value(v), json_string_length(v));
	if (json_is_array(v)) {
		json_array_foreach(v, i, child)
			if ((r = foundries_check(child, depth + 1)) != WS_OK)
				return r;
		return WS_OK;
	}
	if (json_is_object(v)) {
		json_object_keylen_foreach((json_t *)v, key, key_len, child) {
			if ((r = foundries_check_string(key, key_len)) != WS_OK ||
			    (r = foundries_check(child, depth + 1)) != WS_OK) {
				ws_err_prefix("%.64s", key);
				return r;
			}
		}
	}
	return WS_OK;
}

/* The signed bytes of body, or the file bytes of an envelope, in a dialect. */
static ws_err
encode_dialect(enum ws_tuf_dialect dialect, const json_t *v, unsigned tuf_flags, struct ws_buf *out)
{
	ws_err r;

	if (dialect != WS_TUF_FOUNDRIES)
		return ws_cjson_encode(v, tuf_flags, out);
	if ((r = foundries_check(v, 0)) != WS_OK) {
		ws_err_prefix("the foundries dialect needs printable ASCII (aktualizr re-escapes "
		    "anything else and the signature would not verify)");
		return r;
	}
	return ws_cjson_encode(v, WS_CJSON_VALID_JSON, out);
}

ws_err
ws_tuf_doc_encode(enum ws_tuf_dialect dialect, const json_t *envelope, struct ws_buf *out)
{
	return encode_dialect(dialect, envelope, WS_CJSON_VALID_JSON, out);
}

/* "1.<digits>" or "1.<digits>.<digits>". */
static bool
spec_version_ok(const char *v)
{
	int parts = 0;

	if (strncmp(v, "1.", 2) != 0)
		return false;
	v += 2;
	for (;;) {
		size_t n = strspn(v, "0123456789");

		if (n == 0)
			return false;
		parts++;
		v += n;
		if (*v == '\0')
			return parts <= 2;
		if (*v != '.')
			return false;
		v++;
	}
}

/* The header rules of ws_tuf_doc.h. */
static ws_err
check_header(enum ws_tuf_dialect dialect, enum ws_tuf_role role, const json_t *body,
    int64_t *version, time_t *expires)
{
	const char *type = NULL, *exp = NULL, *spec = NULL, *want = ws_tuf_role_type(dialect, role);
	ws_err r;

	if (body == NULL)
		return ws_err_set(WS_ERR_JSON_MISSING, "signed is required");
	if (!json_is_object(body))
		return ws_err_set(WS_ERR_JSON_TYPE, "signed: expected an object, got %s",
		    ws_json_type_name(body));
	if ((r = ws_json_get_str(body, "signed", "_type", &type)) != WS_OK)
		return r;
	if (strcmp(type, want) != 0)
		return ws_err_set(WS_ERR_TUF, "signed._type is \"%.32s\"; the %s dialect expects \"%s\"",
		    type, ws_tuf_dialect_name(dialect), want);
	if ((r = ws_json_get_int(body, "signed", "version", version)) != WS_OK)
		return r;
	if (*version < 1)
		return ws_err_set(WS_ERR_TUF_VERSION, "signed.version %" PRId64 " is not >= 1", *version);
	if ((r = ws_json_get_str(body, "signed", "expires", &exp)) != WS_OK)
		return r;
	if ((r = ws_tuf_expires_parse(exp, expires)) != WS_OK) {
		ws_err_prefix("signed.expires");
		return r;
	}
	if (dialect == WS_TUF_SPEC) {
		if ((r = ws_json_get_str(body, "signed", "spec_version", &spec)) != WS_OK)
			return r;
		if (!spec_version_ok(spec))
			return ws_err_set(WS_ERR_TUF,
			    "signed.spec_version \"%.32s\": expected major version 1 (\"1.0.31\")", spec);
	}
	return WS_OK;
}

static bool
keyid_ok(const char *k)
{
	return strlen(k) == WS_TUF_KEYID_LEN && strspn(k, "0123456789abcdef") == WS_TUF_KEYID_LEN;
}

/* Checks one signature object's form; returns its keyid. */
static ws_err
check_signature(enum ws_tuf_dialect dialect, const json_t *sig, size_t i, const char **keyid)
{
	static const char *const foundries_members[] = { "keyid", "method", "sig", NULL };
	static const char *const tuf_members[] = { "keyid", "sig", NULL };
	const char *value = NULL, *method = NULL;
	uint8_t raw[WS_TUF_SIG_MAX];
	size_t raw_len;
	char where[32];
	ws_err r;

	snprintf(where, sizeof(where), "signatures[%zu]", i);
	if (!json_is_object(sig))
		return ws_err_set(WS_ERR_JSON_TYPE, "%s: expected an object, got %s", where,
		    ws_json_type_name(sig));
	if ((r = ws_json_only_members(sig, where, dialect == WS_TUF_FOUNDRIES ?
	    foundries_members : tuf_members)) != WS_OK)
		return ws_err_set(WS_ERR_TUF, "%s", ws_err_detail());
	if ((r = ws_json_get_str(sig, where, "keyid", keyid)) != WS_OK ||
	    (r = ws_json_get_str(sig, where, "sig", &value)) != WS_OK)
		return r;
	if (!keyid_ok(*keyid))
		return ws_err_set(WS_ERR_TUF, "%s.keyid \"%.70s\" is not 64 lower-case hex characters",
		    where, *keyid);
	if (dialect == WS_TUF_FOUNDRIES) {
		if ((r = ws_json_get_str(sig, where, "method", &method)) != WS_OK)
			return r;
		if (strcmp(method, "ed25519") != 0 && strcmp(method, "rsassa-pss-sha256") != 0 &&
		    strcmp(method, "rsassa-pss") != 0)
			return ws_err_set(WS_ERR_TUF,
			    "%s.method \"%.32s\": expected \"ed25519\" or \"rsassa-pss-sha256\"", where, method);
		r = ws_tuf_unbase64(value, raw, sizeof(raw), &raw_len);
	} else {
		r = ws_tuf_unhex(value, raw, sizeof(raw), &raw_len);
	}
	if (r == WS_OK && raw_len == 0)
		r = ws_err_set(WS_ERR_TUF, "empty");
	if (r != WS_OK)
		ws_err_prefix("%s.sig (%s)", where, dialect == WS_TUF_FOUNDRIES ? "base64" : "hex");
	return r;
}

/* Checks the signatures array: forms, count, and each keyid at most once. */
static ws_err
check_signatures(enum ws_tuf_dialect dialect, const json_t *sigs)
{
	const char *keyids[WS_TUF_KEYS_MAX];
	size_t n = json_array_size(sigs);
	ws_err r;

	if (n > WS_TUF_KEYS_MAX)
		return ws_err_set(WS_ERR_LIMIT, "%zu signatures (at most %d)", n, WS_TUF_KEYS_MAX);
	for (size_t i = 0; i < n; i++) {
		if ((r = check_signature(dialect, json_array_get(sigs, i), i, &keyids[i])) != WS_OK)
			return r;
		for (size_t j = 0; j < i; j++)
			if (strcmp(keyids[i], keyids[j]) == 0)
				return ws_err_set(WS_ERR_TUF_SIGNATURE,
				    "signatures[%zu]: keyid %s already signed (signatures[%zu]); "
				    "a key may sign at most once", i, keyids[i], j);
	}
	return WS_OK;
}

/* Sets the derived fields of doc from its envelope: canonical and file bytes, digest. */
static ws_err
doc_encode(struct ws_tuf_doc *doc)
{
	struct ws_buf canon = WS_BUF_INIT(WS_TUF_FILE_MAX), file = WS_BUF_INIT(WS_TUF_FILE_MAX);
	ws_err r;

	if ((r = encode_dialect(doc->dialect, doc->body, WS_CJSON_CANONICAL, &canon)) != WS_OK) {
		ws_err_prefix("signed");
		goto out;
	}
	if ((r = ws_tuf_doc_encode(doc->dialect, doc->envelope, &file)) != WS_OK ||
	    (r = ws_tuf_sha256(file.data, file.len, doc->sha256)) != WS_OK ||
	    (r = ws_buf_steal(&canon, &doc->canonical, &doc->canonical_len)) != WS_OK ||
	    (r = ws_buf_steal(&file, &doc->file, &doc->file_len)) != WS_OK)
		goto out;
out:
	ws_buf_free(&canon);
	ws_buf_free(&file);
	return r;
}

ws_err
ws_tuf_doc_parse(enum ws_tuf_dialect dialect, enum ws_tuf_role role,
    const uint8_t *data, size_t len, struct ws_tuf_doc **out)
{
	static const char *const members[] = { "signatures", "signed", NULL };
	struct ws_tuf_doc *doc = NULL;
	json_t *envelope = NULL, *sigs = NULL;
	int64_t version = 0;
	time_t expires = 0;
	ws_err r;

	if (len > WS_TUF_FILE_MAX)
		return ws_err_set(WS_ERR_LIMIT, "%zu bytes (at most %u)", len, WS_TUF_FILE_MAX);
	if ((r = ws_json_parse(data, len, WS_TUF_JSON_DEPTH, &envelope)) != WS_OK)
		goto out;
	if (!json_is_object(envelope)) {
		r = ws_err_set(WS_ERR_JSON_TYPE, "expected an object, got %s", ws_json_type_name(envelope));
		goto out;
	}
	if ((r = ws_json_only_members(envelope, "metadata", members)) != WS_OK) {
		r = ws_err_set(WS_ERR_TUF, "%s", ws_err_detail());
		goto out;
	}
	/* The header first: a file of the other dialect is told by its _type. */
	if ((r = check_header(dialect, role, json_object_get(envelope, "signed"), &version,
	    &expires)) != WS_OK)
		goto out;
	if ((r = ws_json_get_array(envelope, NULL, "signatures", &sigs)) != WS_OK ||
	    (r = check_signatures(dialect, sigs)) != WS_OK)
		goto out;
	if ((doc = calloc(1, sizeof(*doc))) == NULL) {
		r = ws_err_set(WS_ERR_NOMEM, "metadata");
		goto out;
	}
	doc->dialect = dialect;
	doc->role = role;
	doc->envelope = json_incref(envelope);
	doc->body = json_object_get(envelope, "signed");
	doc->nsigs = json_array_size(sigs);
	doc->version = version;
	doc->expires = expires;
	if ((r = doc_encode(doc)) != WS_OK)
		goto out;
	/* Keep the bytes as they came: that is what was hashed into snapshot/timestamp meta. */
	free(doc->file);
	if ((doc->file = malloc(len ? len : 1)) == NULL) {
		r = ws_err_set(WS_ERR_NOMEM, "metadata");
		goto out;
	}
	memcpy(doc->file, data, len);
	doc->file_len = len;
	if ((r = ws_tuf_sha256(data, len, doc->sha256)) != WS_OK)
		goto out;
	*out = doc;
	doc = NULL;
out:
	if (r != WS_OK)
		ws_err_prefix("%s", ws_tuf_role_name(role));
	ws_tuf_doc_free(doc);
	json_decref(envelope);
	return r;
}

/* Signs doc's canonical bytes with key; returns a new signature object. */
static ws_err
sign_one(const struct ws_tuf_doc *doc, const struct ws_tuf_signer *signer,
    const struct ws_tuf_key *key, json_t **out)
{
	uint8_t sig[WS_TUF_SIG_MAX];
	size_t sig_len = sizeof(sig);
	char *text = NULL;
	json_t *obj = NULL;
	ws_err r;

	if (key->dialect != doc->dialect)
		return ws_err_set(WS_ERR_INVALID_ARGUMENT, "key %s is a %s-dialect key, not %s",
		    key->keyid, ws_tuf_dialect_name(key->dialect), ws_tuf_dialect_name(doc->dialect));
	if (signer->sign == NULL)
		return ws_err_set(WS_ERR_INVALID_ARGUMENT, "no signing callback");
	if ((r = signer->sign(signer->ctx, key, doc->canonical, doc->canonical_len, sig,
	    &sig_len)) != WS_OK)
		return r;
	if (sig_len == 0 || sig_len > sizeof(sig))
		return ws_err_set(WS_ERR_TUF_SIGNATURE, "the signer returned %zu bytes for key %s",
		    sig_len, key->keyid);
	/* Never publish a signature that does not verify: catches a wrong key or scheme. */
	if ((r = ws_tuf_key_verify(key, doc->canonical, doc->canonical_len, sig, sig_len)) != WS_OK)
		return ws_err_set(WS_ERR_TUF_SIGNATURE,
		    "the signer returned a signature that does not verify with key %s (%s)",
		    key->keyid, ws_tuf_key_scheme(key));
	if ((text = malloc(2 * sig_len + 1)) == NULL)
		return ws_err_set(WS_ERR_NOMEM, "signature");
	if (doc->dialect == WS_TUF_FOUNDRIES) {
		EVP_EncodeBlock((unsigned char *)text, sig, (int)sig_len);
		obj = json_pack("{s:s, s:s, s:s}", "keyid", key->keyid, "method",
		    ws_tuf_key_scheme(key), "sig", text);
	} else {
		ws_tuf_hex(sig, sig_len, text);
		obj = json_pack("{s:s, s:s}", "keyid", key->keyid, "sig", text);
	}
	free(text);
	if (obj == NULL)
		return ws_err_set(WS_ERR_NOMEM, "signature");
	*out = obj;
	return WS_OK;
}

static bool
doc_has_keyid(const json_t *sigs, const char *keyid)
{
	size_t i;
	json_t *s;

	json_array_foreach(sigs, i, s)
		if (strcmp(json_string_value(json_object_get(s, "keyid")), keyid) == 0)
			return true;
	return false;
}

/*
 * Signs with every signer key into a copy of doc's envelope and re-encodes;
 * the copy replaces doc's envelope only when all of it worked.
 */
static ws_err
doc_add(struct ws_tuf_doc *doc, const struct ws_tuf_signer *signer)
{
	struct ws_tuf_doc next = *doc;
	json_t *envelope = NULL, *sigs, *obj = NULL;
	ws_err r = WS_OK;

	next.canonical = NULL;
	next.file = NULL;
	if (signer == NULL || signer->nkeys == 0)
		return WS_OK;
	if ((envelope = json_deep_copy(doc->envelope)) == NULL)
		return ws_err_set(WS_ERR_NOMEM, "metadata");
	sigs = json_object_get(envelope, "signatures");
	if (json_array_size(sigs) + signer->nkeys > WS_TUF_KEYS_MAX) {
		r = ws_err_set(WS_ERR_LIMIT, "more than %d signatures", WS_TUF_KEYS_MAX);
		goto out;
	}
	for (size_t i = 0; i < signer->nkeys; i++) {
		const struct ws_tuf_key *key = signer->keys[i];

		if (doc_has_keyid(sigs, key->keyid)) {
			r = ws_err_set(WS_ERR_EXISTS, "%s v%" PRId64 " already carries a signature by key %s",
			    ws_tuf_role_name(doc->role), doc->version, key->keyid);
			goto out;
		}
		if ((r = sign_one(doc, signer, key, &obj)) != WS_OK)
			goto out;
		if (json_array_append_new(sigs, obj) != 0) {
			r = ws_err_set(WS_ERR_NOMEM, "signature");
			goto out;
		}
	}
	next.envelope = envelope;
	next.body = json_object_get(envelope, "signed");
	if ((r = doc_encode(&next)) != WS_OK)
		goto out;
	free(doc->canonical);
	free(doc->file);
	json_decref(doc->envelope);
	next.nsigs = json_array_size(sigs);
	*doc = next;
	envelope = NULL;
out:
	if (r != WS_OK) {
		free(next.canonical);
		free(next.file);
	}
	json_decref(envelope);
	return r;
}

ws_err
ws_tuf_doc_sign(enum ws_tuf_dialect dialect, enum ws_tuf_role role, const json_t *body,
    const struct ws_tuf_signer *signer, struct ws_tuf_doc **out)
{
	struct ws_tuf_doc *doc = NULL;
	json_t *copy = NULL;
	ws_err r;

	if (dialect != WS_TUF_FOUNDRIES && dialect != WS_TUF_SPEC)
		return ws_err_set(WS_ERR_INVALID_ARGUMENT, "unknown TUF dialect %d", (int)dialect);
	if ((copy = json_deep_copy(body)) == NULL) {
		r = ws_err_set(WS_ERR_NOMEM, "metadata");
		goto out;
	}
	if ((doc = calloc(1, sizeof(*doc))) == NULL ||
	    (doc->envelope = json_pack("{s:[], s:O}", "signatures", "signed", copy)) == NULL) {
		r = ws_err_set(WS_ERR_NOMEM, "metadata");
		goto out;
	}
	doc->dialect = dialect;
	doc->role = role;
	doc->body = json_object_get(doc->envelope, "signed");
	for (size_t i = 0; signer != NULL && i < signer->nkeys; i++)
		for (size_t j = 0; j < i; j++)
			if (strcmp(signer->keys[i]->keyid, signer->keys[j]->keyid) == 0) {
				r = ws_err_set(WS_ERR_INVALID_ARGUMENT, "key %s given twice",
				    signer->keys[i]->keyid);
				goto out;
			}
	if ((r = check_header(dialect, role, doc->body, &doc->version, &doc->expires)) != WS_OK ||
	    (r = doc_encode(doc)) != WS_OK ||
	    (r = doc_add(doc, signer)) != WS_OK)
		goto out;
	*out = doc;
	doc = NULL;
out:
	if (r != WS_OK)
		ws_err_prefix("%s", ws_tuf_role_name(role));
	ws_tuf_doc_free(doc);
	json_decref(copy);
	return r;
}

ws_err
ws_tuf_doc_add_signatures(struct ws_tuf_doc *doc, const struct ws_tuf_signer *signer)
{
	return doc_add(doc, signer);
}

ws_err
ws_tuf_doc_signature(const struct ws_tuf_doc *doc, size_t i, const char **keyid,
    const char **method, uint8_t *sig, size_t *sig_len)
{
	const json_t *s = json_array_get(json_object_get(doc->envelope, "signatures"), i);
	const char *value;
	ws_err r;

	if (s == NULL)
		return ws_err_set(WS_ERR_INVALID_ARGUMENT, "no signature %zu", i);
	*keyid = json_string_value(json_object_get(s, "keyid"));
	value = json_string_value(json_object_get(s, "sig"));
	if (*keyid == NULL || value == NULL)
		return ws_err_set(WS_ERR_TUF, "signatures[%zu] is malformed", i);
	if (doc->dialect == WS_TUF_FOUNDRIES) {
		*method = json_string_value(json_object_get(s, "method"));
		r = ws_tuf_unbase64(value, sig, WS_TUF_SIG_MAX, sig_len);
	} else {
		*method = NULL;
		r = ws_tuf_unhex(value, sig, WS_TUF_SIG_MAX, sig_len);
	}
	return r;
}

ws_err
ws_tuf_doc_check_expiry(const struct ws_tuf_doc *doc, time_t now)
{
	char e[WS_TUF_EXPIRES_LEN + 1] = "?", n[WS_TUF_EXPIRES_LEN + 1] = "?";

	if (now < doc->expires)
		return WS_OK;
	(void)ws_tuf_expires_format(doc->expires, e);
	(void)ws_tuf_expires_format(now, n);
	return ws_err_set(WS_ERR_TUF_EXPIRES, "%s v%" PRId64 " expired at %s (now %s)",
	    ws_tuf_role_name(doc->role), doc->version, e, n);
}

void
ws_tuf_doc_free(struct ws_tuf_doc *doc)
{
	if (doc == NULL)
		return;
	json_decref(doc->envelope);
	free(doc->canonical);
	free(doc->file);
	free(doc);
}
