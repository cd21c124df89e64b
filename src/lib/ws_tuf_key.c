/*
 * ws_tuf_key.c -- TUF key objects, keyids and signature checks
 * (see ws_tuf_key.h).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "ws_buf.h"
#include "ws_cjson.h"
#include "ws_json.h"
#include "ws_tuf_key.h"

#define ED25519_RAW 32
#define RSA_MIN_BITS 2048
#define PEM_PUBLIC_HEADER "-----BEGIN PUBLIC KEY-----"

static const char *
key_type_label(enum ws_key_type type)
{
	switch (type) {
	case WS_KEY_ED25519: return "Ed25519";
	case WS_KEY_EC_P256: return "ECDSA P-256";
	case WS_KEY_RSA: return "RSA";
	}
	return "unknown";
}

/* The wavesign key type of pkey, checking curve and size. */
static ws_err
pkey_type(const EVP_PKEY *pkey, enum ws_key_type *type, unsigned *bits)
{
	char group[64] = "";

	switch (EVP_PKEY_get_base_id(pkey)) {
	case EVP_PKEY_ED25519:
		*type = WS_KEY_ED25519;
		*bits = 256;
		return WS_OK;
	case EVP_PKEY_EC:
		if (EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, group,
		    sizeof(group), NULL) != 1 || strcmp(group, "prime256v1") != 0) {
			ERR_clear_error();
			return ws_err_set(WS_ERR_KEY_TYPE, "EC key on curve '%s': only P-256 is allowed",
			    group[0] ? group : "unknown");
		}
		*type = WS_KEY_EC_P256;
		*bits = 256;
		return WS_OK;
	case EVP_PKEY_RSA:
		if (EVP_PKEY_get_bits(pkey) < RSA_MIN_BITS)
			return ws_err_set(WS_ERR_KEY_TYPE, "RSA key of %d bits: at least %d are required",
			    EVP_PKEY_get_bits(pkey), RSA_MIN_BITS);
		*type = WS_KEY_RSA;
		*bits = (unsigned)EVP_PKEY_get_bits(pkey);
		return WS_OK;
	}
	return ws_err_set(WS_ERR_KEY_TYPE, "public key of type '%s' (Ed25519, ECDSA P-256 or RSA expected)",
	    OBJ_nid2sn(EVP_PKEY_get_base_id(pkey)));
}

static ws_err
dialect_allows(enum ws_tuf_dialect dialect, enum ws_key_type type)
{
	if (dialect == WS_TUF_FOUNDRIES && type == WS_KEY_EC_P256)
		return ws_err_set(WS_ERR_KEY_TYPE,
		    "ECDSA keys cannot sign foundries-dialect TUF metadata: aktualizr rejects them "
		    "(use an Ed25519 or RSA key)");
	if (dialect != WS_TUF_FOUNDRIES && dialect != WS_TUF_SPEC)
		return ws_err_set(WS_ERR_INVALID_ARGUMENT, "unknown TUF dialect %d", (int)dialect);
	return WS_OK;
}

static enum ws_sig_alg
type_alg(enum ws_key_type type)
{
	switch (type) {
	case WS_KEY_EC_P256: return WS_SIG_ECDSA_SHA256;
	case WS_KEY_RSA: return WS_SIG_RSA_PSS_SHA256;
	case WS_KEY_ED25519: break;
	}
	return WS_SIG_ED25519;
}

const char *
ws_tuf_key_scheme(const struct ws_tuf_key *key)
{
	switch (key->type) {
	case WS_KEY_EC_P256: return "ecdsa-sha2-nistp256";
	case WS_KEY_RSA: return "rsassa-pss-sha256";
	case WS_KEY_ED25519: break;
	}
	return "ed25519";
}

static const char *
keytype_name(enum ws_tuf_dialect dialect, enum ws_key_type type)
{
	bool f = dialect == WS_TUF_FOUNDRIES;

	switch (type) {
	case WS_KEY_EC_P256: return "ecdsa";
	case WS_KEY_RSA: return f ? "RSA" : "rsa";
	case WS_KEY_ED25519: break;
	}
	return f ? "ED25519" : "ed25519";
}

/* The `public` value: 64 hex of the raw key, or the PEM SPKI. */
static ws_err
public_value(const EVP_PKEY *pkey, enum ws_key_type type, json_t **out)
{
	uint8_t raw[ED25519_RAW];
	char hex[2 * ED25519_RAW + 1];
	size_t raw_len = sizeof(raw);
	BIO *bio = NULL;
	char *pem = NULL;
	long pem_len;
	ws_err r = WS_OK;

	if (type == WS_KEY_ED25519) {
		if (EVP_PKEY_get_raw_public_key(pkey, raw, &raw_len) != 1 || raw_len != ED25519_RAW)
			return ws_err_crypto(WS_ERR_CRYPTO, "reading the Ed25519 public key");
		ws_tuf_hex(raw, raw_len, hex);
		*out = json_string(hex);
		return *out ? WS_OK : ws_err_set(WS_ERR_NOMEM, "key object");
	}
	if ((bio = BIO_new(BIO_s_mem())) == NULL || PEM_write_bio_PUBKEY(bio, pkey) != 1) {
		r = ws_err_crypto(WS_ERR_CRYPTO, "writing the public key as PEM");
		goto out;
	}
	pem_len = BIO_get_mem_data(bio, &pem);
	if (pem_len <= 0 || (*out = json_stringn(pem, (size_t)pem_len)) == NULL)
		r = ws_err_set(WS_ERR_NOMEM, "key object");
out:
	BIO_free(bio);
	return r;
}

/* The keyid of key in its dialect. */
static ws_err
compute_keyid(enum ws_tuf_dialect dialect, const EVP_PKEY *pkey, const json_t *object,
    char keyid[WS_TUF_KEYID_LEN + 1])
{
	struct ws_buf b = WS_BUF_INIT(WS_TUF_FILE_MAX);
	uint8_t *der = NULL, digest[32];
	int der_len;
	ws_err r;

	if (dialect == WS_TUF_FOUNDRIES) {
		if ((der_len = i2d_PUBKEY(pkey, &der)) <= 0)
			return ws_err_crypto(WS_ERR_CRYPTO, "encoding the public key as DER");
		r = ws_tuf_sha256(der, (size_t)der_len, digest);
		OPENSSL_free(der);
	} else {
		if ((r = ws_cjson_encode(object, WS_CJSON_CANONICAL, &b)) == WS_OK)
			r = ws_tuf_sha256(b.data, b.len, digest);
		ws_buf_free(&b);
	}
	if (r == WS_OK)
		ws_tuf_hex(digest, sizeof(digest), keyid);
	return r;
}

/* Assembles a key from its parts; takes pkey on success. */
static ws_err
key_new(enum ws_tuf_dialect dialect, EVP_PKEY *pkey, enum ws_key_type type, unsigned bits,
    json_t *object, struct ws_tuf_key **out)
{
	struct ws_tuf_key *k = calloc(1, sizeof(*k));

	if (k == NULL)
		return ws_err_set(WS_ERR_NOMEM, "key");
	k->dialect = dialect;
	k->type = type;
	k->alg = type_alg(type);
	k->bits = bits;
	k->object = json_incref(object);
	k->pkey = pkey;
	*out = k;
	return WS_OK;
}

ws_err
ws_tuf_key_from_spki(enum ws_tuf_dialect dialect, enum ws_key_type type,
    const uint8_t *spki, size_t spki_len, struct ws_tuf_key **out)
{
	const unsigned char *p = spki;
	EVP_PKEY *pkey = NULL;
	struct ws_tuf_key *k = NULL;
	json_t *object = NULL, *pub = NULL;
	uint8_t *der = NULL;
	int der_len;
	enum ws_key_type got = WS_KEY_ED25519;
	unsigned bits;
	ws_err r;

	if ((r = dialect_allows(dialect, type)) != WS_OK)
		return r;
	if (spki_len > WS_TUF_FILE_MAX ||
	    (pkey = d2i_PUBKEY(NULL, &p, (long)spki_len)) == NULL || p != spki + spki_len) {
		r = ws_err_crypto(WS_ERR_INVALID_ARGUMENT,
		    "the public key is not one DER SubjectPublicKeyInfo");
		goto out;
	}
	/* The foundries keyid hashes the DER: it must be the one encoding everybody computes. */
	if ((der_len = i2d_PUBKEY(pkey, &der)) != (int)spki_len || memcmp(der, spki, spki_len) != 0) {
		r = ws_err_set(WS_ERR_INVALID_ARGUMENT,
		    "the SubjectPublicKeyInfo is not in canonical DER form");
		goto out;
	}
	if ((r = pkey_type(pkey, &got, &bits)) != WS_OK)
		goto out;
	if (got != type) {
		r = ws_err_set(WS_ERR_KEY_TYPE, "the public key is %s, not %s", key_type_label(got),
		    key_type_label(type));
		goto out;
	}
	if ((r = public_value(pkey, type, &pub)) != WS_OK)
		goto out;
	if (dialect == WS_TUF_FOUNDRIES)
		object = json_pack("{s:s, s:{s:O}}", "keytype", keytype_name(dialect, type),
		    "keyval", "public", pub);
	else
		object = json_pack("{s:s, s:s, s:{s:O}}", "keytype", keytype_name(dialect, type),
		    "scheme", type == WS_KEY_EC_P256 ? "ecdsa-sha2-nistp256" :
		    type == WS_KEY_RSA ? "rsassa-pss-sha256" : "ed25519", "keyval", "public", pub);
	if (object == NULL) {
		r = ws_err_set(WS_ERR_NOMEM, "key object");
		goto out;
	}
	if ((r = key_new(dialect, pkey, type, bits, object, &k)) != WS_OK)
		goto out;
	pkey = NULL;
	if ((r = compute_keyid(dialect, k->pkey, k->object, k->keyid)) != WS_OK)
		goto out;
	*out = k;
	k = NULL;
out:
	ws_tuf_key_free(k);
	EVP_PKEY_free(pkey);
	OPENSSL_free(der);
	json_decref(object);
	json_decref(pub);
	return r;
}

/* Parses the `public` value of a key object of the given type. */
static ws_err
parse_public(enum ws_key_type type, const char *pub, EVP_PKEY **out)
{
	uint8_t raw[ED25519_RAW];
	size_t raw_len;
	BIO *bio = NULL;
	ws_err r;

	if (type == WS_KEY_ED25519) {
		if (strlen(pub) != 2 * ED25519_RAW ||
		    ws_tuf_unhex(pub, raw, sizeof(raw), &raw_len) != WS_OK)
			return ws_err_set(WS_ERR_TUF,
			    "keyval.public: an Ed25519 key is 64 lower-case hex characters");
		*out = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, raw, raw_len);
		return *out ? WS_OK : ws_err_crypto(WS_ERR_TUF, "keyval.public: not an Ed25519 key");
	}
	if (strncmp(pub, PEM_PUBLIC_HEADER, strlen(PEM_PUBLIC_HEADER)) != 0)
		return ws_err_set(WS_ERR_TUF, "keyval.public: expected a PEM \"PUBLIC KEY\"");
	if ((bio = BIO_new_mem_buf(pub, -1)) == NULL)
		return ws_err_set(WS_ERR_NOMEM, "key");
	*out = PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL);
	r = *out ? WS_OK : ws_err_crypto(WS_ERR_TUF, "keyval.public: not a PEM public key");
	BIO_free(bio);
	return r;
}

/* keytype (and scheme) of a key object in a dialect -> key type. */
static ws_err
object_type(enum ws_tuf_dialect dialect, const json_t *object, enum ws_key_type *type)
{
	const char *keytype = NULL, *scheme = NULL;
	ws_err r;

	if ((r = ws_json_get_str(object, NULL, "keytype", &keytype)) != WS_OK)
		return r;
	if (dialect == WS_TUF_FOUNDRIES) {
		if (strcmp(keytype, "ED25519") == 0)
			*type = WS_KEY_ED25519;
		else if (strcmp(keytype, "RSA") == 0)
			*type = WS_KEY_RSA;
		else if (strcasecmp(keytype, "ECDSA") == 0 || strncasecmp(keytype, "ecdsa-", 6) == 0)
			return dialect_allows(dialect, WS_KEY_EC_P256);
		else
			return ws_err_set(WS_ERR_KEY_TYPE,
			    "keytype \"%.32s\": the foundries dialect uses \"ED25519\" or \"RSA\"", keytype);
		return WS_OK;
	}
	if ((r = ws_json_get_str(object, NULL, "scheme", &scheme)) != WS_OK)
		return r;
	if (strcmp(keytype, "ed25519") == 0 && strcmp(scheme, "ed25519") == 0)
		*type = WS_KEY_ED25519;
	else if ((strcmp(keytype, "ecdsa") == 0 || strcmp(keytype, "ecdsa-sha2-nistp256") == 0) &&
	    strcmp(scheme, "ecdsa-sha2-nistp256") == 0)
		*type = WS_KEY_EC_P256;
	else if (strcmp(keytype, "rsa") == 0 && strcmp(scheme, "rsassa-pss-sha256") == 0)
		*type = WS_KEY_RSA;
	else
		return ws_err_set(WS_ERR_KEY_TYPE,
		    "keytype \"%.32s\" with scheme \"%.32s\": expected ed25519/ed25519, "
		    "ecdsa/ecdsa-sha2-nistp256 or rsa/rsassa-pss-sha256", keytype, scheme);
	return WS_OK;
}

ws_err
ws_tuf_key_from_json(enum ws_tuf_dialect dialect, const char *keyid, const json_t *object,
    struct ws_tuf_key **out)
{
	struct ws_tuf_key *k = NULL;
	EVP_PKEY *pkey = NULL;
	json_t *keyval = NULL, *copy = NULL;
	const char *pub = NULL;
	char computed[WS_TUF_KEYID_LEN + 1];
	enum ws_key_type type = WS_KEY_ED25519, got = WS_KEY_ED25519;
	unsigned bits;
	ws_err r;

	if ((r = dialect_allows(dialect, WS_KEY_ED25519)) != WS_OK)
		return r;
	if ((r = object_type(dialect, object, &type)) != WS_OK ||
	    (r = ws_json_get_obj(object, NULL, "keyval", &keyval)) != WS_OK ||
	    (r = ws_json_get_str(keyval, "keyval", "public", &pub)) != WS_OK ||
	    (r = parse_public(type, pub, &pkey)) != WS_OK ||
	    (r = pkey_type(pkey, &got, &bits)) != WS_OK)
		goto out;
	if (got != type) {
		r = ws_err_set(WS_ERR_TUF, "keyval.public is %s but keytype says %s",
		    key_type_label(got), key_type_label(type));
		goto out;
	}
	if ((copy = json_deep_copy(object)) == NULL) {
		r = ws_err_set(WS_ERR_NOMEM, "key object");
		goto out;
	}
	if ((r = key_new(dialect, pkey, type, bits, copy, &k)) != WS_OK)
		goto out;
	pkey = NULL;
	if ((r = compute_keyid(dialect, k->pkey, k->object, computed)) != WS_OK)
		goto out;
	if (strcmp(computed, keyid) != 0) {
		r = ws_err_set(WS_ERR_TUF, "the keyid of this key in the %s dialect is %s",
		    ws_tuf_dialect_name(dialect), computed);
		goto out;
	}
	memcpy(k->keyid, computed, sizeof(k->keyid));
	*out = k;
	k = NULL;
out:
	if (r != WS_OK)
		ws_err_prefix("key %.64s", keyid);
	ws_tuf_key_free(k);
	EVP_PKEY_free(pkey);
	json_decref(copy);
	return r;
}

ws_err
ws_tuf_key_verify(const struct ws_tuf_key *key, const uint8_t *msg, size_t msg_len,
    const uint8_t *sig, size_t sig_len)
{
	EVP_MD_CTX *ctx = NULL;
	EVP_PKEY_CTX *pctx = NULL;
	const EVP_MD *md = key->type == WS_KEY_ED25519 ? NULL : EVP_sha256();
	ws_err r = WS_ERR_TUF_SIGNATURE;
	int ok;

	if ((ctx = EVP_MD_CTX_new()) == NULL) {
		r = ws_err_set(WS_ERR_NOMEM, "verification context");
		goto out;
	}
	if (EVP_DigestVerifyInit(ctx, &pctx, md, NULL, key->pkey) != 1) {
		r = ws_err_crypto(WS_ERR_CRYPTO, "starting verification with key %s", key->keyid);
		goto out;
	}
	if (key->type == WS_KEY_RSA &&
	    (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
	     EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, 32) != 1 ||
	     EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, EVP_sha256()) != 1)) {
		r = ws_err_crypto(WS_ERR_CRYPTO, "setting RSA-PSS parameters");
		goto out;
	}
	ok = EVP_DigestVerify(ctx, sig, sig_len, msg, msg_len);
	ERR_clear_error();
	r = ok == 1 ? WS_OK : ws_err_set(WS_ERR_TUF_SIGNATURE,
	    "the signature of key %s does not verify", key->keyid);
out:
	EVP_MD_CTX_free(ctx);
	return r;
}

void
ws_tuf_key_free(struct ws_tuf_key *key)
{
	if (key == NULL)
		return;
	json_decref(key->object);
	EVP_PKEY_free(key->pkey);
	free(key);
}
