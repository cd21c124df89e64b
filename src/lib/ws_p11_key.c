/*
 * ws_p11_key.c -- key pairs in the token: generate, find, export the public
 * key, check the safety attributes, sign.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "ws_p11_internal.h"

#define RSA_GEN_BITS_MIN 2048
#define RSA_GEN_BITS_MAX 4096
#define RSA_USE_BITS_MAX 8192	/* WS_SIG_MAX holds its signature */
#define RANDOM_ID_LEN 8
#define ATTR_LEN_MAX 4096	/* longest attribute read (an RSA-8192 modulus is 1024) */
#define P256_POINT_LEN 65	/* 04 || X || Y */
#define P256_COORD_LEN 32
#define ED25519_KEY_LEN 32
#define ED25519_SIG_LEN 64
#define SHA256_LEN 32
#define PSS_SALT_LEN 32

/* DER of the curve parameters (CKA_EC_PARAMS). */
static const uint8_t der_oid_p256[] = {
	0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07	/* 1.2.840.10045.3.1.7 */
};
static const uint8_t der_oid_ed25519[] = {
	0x06, 0x03, 0x2b, 0x65, 0x70					/* 1.3.101.112 */
};
static const uint8_t der_str_ed25519[] = {
	0x13, 0x0c, 'e', 'd', 'w', 'a', 'r', 'd', 's', '2', '5', '5', '1', '9'
};
static const uint8_t rsa_public_exponent[] = { 0x01, 0x00, 0x01 };

static const char *
token_label_of(const struct ws_session *s)
{
	return s->tok != NULL ? s->tok->label : "?";
}

/* Reads a variable-length attribute into a malloc'ed buffer (*out, free it). */
static ws_err
attr_read(struct ws_session *s, CK_OBJECT_HANDLE obj, CK_ATTRIBUTE_TYPE type,
    const char *type_name, uint8_t **out, size_t *out_len)
{
	CK_ATTRIBUTE a = { type, NULL, 0 };
	uint8_t *buf = NULL;
	ws_err err;
	CK_RV rv;

	rv = s->fn->C_GetAttributeValue(s->handle, obj, &a, 1);
	if (rv != CKR_OK) {
		err = ws_p11_fail(s, rv, "reading %s", type_name);
		goto out;
	}
	if (a.ulValueLen == CK_UNAVAILABLE_INFORMATION || a.ulValueLen > ATTR_LEN_MAX) {
		err = ws_err_set(WS_ERR_TOKEN, "%s is not available or longer than %d bytes",
		    type_name, ATTR_LEN_MAX);
		goto out;
	}
	buf = malloc(a.ulValueLen > 0 ? a.ulValueLen : 1);
	if (buf == NULL) {
		err = ws_err_set(WS_ERR_NOMEM, "reading %s", type_name);
		goto out;
	}
	a.pValue = buf;
	rv = s->fn->C_GetAttributeValue(s->handle, obj, &a, 1);
	if (rv != CKR_OK) {
		err = ws_p11_fail(s, rv, "reading %s", type_name);
		goto out;
	}
	*out = buf;
	*out_len = a.ulValueLen;
	buf = NULL;
	err = WS_OK;
out:
	free(buf);
	return err;
}

/*
 * Reads a CK_BBOOL attribute. *known is false (and *val untouched) when the
 * token does not report it.
 */
static ws_err
attr_bool(struct ws_session *s, CK_OBJECT_HANDLE obj, CK_ATTRIBUTE_TYPE type,
    const char *type_name, bool *val, bool *known)
{
	CK_BBOOL b = CK_FALSE;
	CK_ATTRIBUTE a = { type, &b, sizeof(b) };
	CK_RV rv;

	*known = false;
	rv = s->fn->C_GetAttributeValue(s->handle, obj, &a, 1);
	if (rv == CKR_ATTRIBUTE_TYPE_INVALID || rv == CKR_ATTRIBUTE_SENSITIVE ||
	    (rv == CKR_OK && a.ulValueLen != sizeof(b)))
		return WS_OK;
	if (rv != CKR_OK)
		return ws_p11_fail(s, rv, "reading %s", type_name);
	*val = b != CK_FALSE;
	*known = true;
	return WS_OK;
}

static ws_err
attr_ulong(struct ws_session *s, CK_OBJECT_HANDLE obj, CK_ATTRIBUTE_TYPE type,
    const char *type_name, CK_ULONG *val)
{
	CK_ULONG v = 0;
	CK_ATTRIBUTE a = { type, &v, sizeof(v) };
	CK_RV rv;

	rv = s->fn->C_GetAttributeValue(s->handle, obj, &a, 1);
	if (rv != CKR_OK)
		return ws_p11_fail(s, rv, "reading %s", type_name);
	if (a.ulValueLen != sizeof(v))
		return ws_err_set(WS_ERR_TOKEN, "%s has %lu bytes", type_name,
		    (unsigned long)a.ulValueLen);
	*val = v;
	return WS_OK;
}

/* Finds up to max objects matching tmpl; *count receives how many. */
static ws_err
objects_find(struct ws_session *s, CK_ATTRIBUTE *tmpl, CK_ULONG n_tmpl, CK_OBJECT_HANDLE *found,
    CK_ULONG max, CK_ULONG *count)
{
	ws_err err;
	CK_RV rv;

	*count = 0;
	rv = s->fn->C_FindObjectsInit(s->handle, tmpl, n_tmpl);
	if (rv != CKR_OK)
		return ws_p11_fail(s, rv, "C_FindObjectsInit");
	rv = s->fn->C_FindObjects(s->handle, found, max, count);
	err = rv == CKR_OK ? WS_OK :
	    ws_p11_fail(s, rv, "C_FindObjects");
	/* Final even after a failure: the search must not stay active in the session. */
	rv = s->fn->C_FindObjectsFinal(s->handle);
	if (err == WS_OK && rv != CKR_OK)
		err = ws_p11_fail(s, rv, "C_FindObjectsFinal");
	if (err != WS_OK)
		*count = 0;
	return err;
}

/* Counts (up to 2) keys of class cls labelled label. */
static ws_err
keys_by_label(struct ws_session *s, CK_OBJECT_CLASS cls, const char *label,
    CK_OBJECT_HANDLE found[2], CK_ULONG *count)
{
	CK_ATTRIBUTE tmpl[] = {
		{ CKA_CLASS, &cls, sizeof(cls) },
		{ CKA_LABEL, (void *)label, strlen(label) },
	};
	ws_err err;

	err = objects_find(s, tmpl, 2, found, 2, count);
	if (err != WS_OK)
		ws_err_prefix("token '%s', looking for key '%s'", token_label_of(s), label);
	return err;
}

/*
 * The public key that belongs to key: same CKA_ID (narrowed by label if
 * several), else same label. *out is CK_INVALID_HANDLE when there is none.
 */
static ws_err
public_key_find(struct ws_session *s, const struct ws_key *key, CK_OBJECT_HANDLE *out)
{
	CK_OBJECT_CLASS cls = CKO_PUBLIC_KEY;
	CK_ATTRIBUTE tmpl[] = {
		{ CKA_CLASS, &cls, sizeof(cls) },
		{ CKA_ID, (void *)key->id, key->id_len },
		{ CKA_LABEL, (void *)key->label, strlen(key->label) },
	};
	CK_OBJECT_HANDLE found[2];
	CK_ULONG count = 0;
	ws_err err;

	*out = CK_INVALID_HANDLE;
	if (key->id_len > 0) {
		err = objects_find(s, tmpl, 2, found, 2, &count);
		if (err != WS_OK)
			return err;
		if (count > 1)
			err = objects_find(s, tmpl, 3, found, 2, &count);
		if (err != WS_OK)
			return err;
		if (count == 1) {
			*out = found[0];
			return WS_OK;
		}
		if (count > 1)
			return ws_err_set(WS_ERR_KEY_EXISTS, "several public keys have its CKA_ID "
			    "and label");
	}
	tmpl[1] = tmpl[2];
	err = objects_find(s, tmpl, 2, found, 2, &count);
	if (err != WS_OK)
		return err;
	if (count > 1)
		return ws_err_set(WS_ERR_KEY_EXISTS, "several public keys have its label");
	if (count == 1)
		*out = found[0];
	return WS_OK;
}

/*
 * The point inside CKA_EC_POINT: SoftHSM2 (and the PKCS#11 spec) wrap it in
 * a DER OCTET STRING; some modules return it raw.
 */
static bool
ec_point_unwrap(const uint8_t *p, size_t len, size_t want, const uint8_t **point)
{
	if (len == want + 2 && p[0] == 0x04 && p[1] == want) {
		*point = p + 2;
		return true;
	}
	if (len == want) {
		*point = p;
		return true;
	}
	return false;
}

static ws_err
pkey_from_ec_p256(const uint8_t *point, EVP_PKEY **out)
{
	char group[] = SN_X9_62_prime256v1;
	OSSL_PARAM ossl_params[3];
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *pkey = NULL;
	ws_err err;

	ossl_params[0] = OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, group, 0);
	ossl_params[1] = OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY,
	    (void *)point, P256_POINT_LEN);
	ossl_params[2] = OSSL_PARAM_construct_end();
	ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
	if (ctx == NULL || EVP_PKEY_fromdata_init(ctx) <= 0 ||
	    EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, ossl_params) <= 0) {
		err = ws_err_crypto(WS_ERR_CRYPTO, "EC P-256 public key from CKA_EC_POINT");
		goto out;
	}
	*out = pkey;
	pkey = NULL;
	err = WS_OK;
out:
	EVP_PKEY_free(pkey);
	EVP_PKEY_CTX_free(ctx);
	return err;
}

static ws_err
pkey_from_rsa(const uint8_t *n, size_t n_len, const uint8_t *e, size_t e_len, EVP_PKEY **out)
{
	OSSL_PARAM_BLD *bld = NULL;
	OSSL_PARAM *ossl_params = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *pkey = NULL;
	BIGNUM *bn_n = NULL, *bn_e = NULL;
	ws_err err;

	bn_n = BN_bin2bn(n, (int)n_len, NULL);
	bn_e = BN_bin2bn(e, (int)e_len, NULL);
	bld = OSSL_PARAM_BLD_new();
	if (bn_n == NULL || bn_e == NULL || bld == NULL ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn_n) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, bn_e) ||
	    (ossl_params = OSSL_PARAM_BLD_to_param(bld)) == NULL) {
		err = ws_err_crypto(WS_ERR_CRYPTO, "RSA public key parameters");
		goto out;
	}
	ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
	if (ctx == NULL || EVP_PKEY_fromdata_init(ctx) <= 0 ||
	    EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, ossl_params) <= 0) {
		err = ws_err_crypto(WS_ERR_CRYPTO, "RSA public key from modulus and exponent");
		goto out;
	}
	*out = pkey;
	pkey = NULL;
	err = WS_OK;
out:
	EVP_PKEY_free(pkey);
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(ossl_params);
	OSSL_PARAM_BLD_free(bld);
	BN_free(bn_n);
	BN_free(bn_e);
	return err;
}

/* Sets key->spki (DER) and key->fingerprint from pkey. */
static ws_err
key_set_spki(struct ws_key *key, EVP_PKEY *pkey)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int md_len = 0;
	uint8_t *der = NULL, *p;
	ws_err err;
	int len;

	len = i2d_PUBKEY(pkey, NULL);
	if (len <= 0) {
		err = ws_err_crypto(WS_ERR_CRYPTO, "encoding the public key");
		goto out;
	}
	der = malloc((size_t)len);
	if (der == NULL) {
		err = ws_err_set(WS_ERR_NOMEM, "encoding the public key");
		goto out;
	}
	p = der;
	if (i2d_PUBKEY(pkey, &p) != len ||
	    !EVP_Digest(der, (size_t)len, md, &md_len, EVP_sha256(), NULL) ||
	    md_len != SHA256_LEN) {
		err = ws_err_crypto(WS_ERR_CRYPTO, "encoding the public key");
		goto out;
	}
	for (unsigned i = 0; i < md_len; i++) {
		key->fingerprint[2 * i] = hex[md[i] >> 4];
		key->fingerprint[2 * i + 1] = hex[md[i] & 0x0f];
	}
	key->fingerprint[2 * md_len] = '\0';
	key->spki = der;
	key->spki_len = (size_t)len;
	der = NULL;
	err = WS_OK;
out:
	free(der);
	return err;
}

/* Whether CKA_EC_PARAMS equal one of the encodings given. */
static bool
params_equal(const uint8_t *p, size_t len, const uint8_t *want, size_t want_len)
{
	return len == want_len && memcmp(p, want, len) == 0;
}

/* Builds the public key of an EC or Ed25519 key from the public key object. */
static ws_err
key_export_ec(struct ws_session *s, struct ws_key *key, CK_OBJECT_HANDLE pub, EVP_PKEY **out)
{
	uint8_t *ec_params = NULL, *ec_point = NULL;
	size_t params_len = 0, point_len = 0;
	const uint8_t *point;
	ws_err err;

	err = attr_read(s, key->priv, CKA_EC_PARAMS, "CKA_EC_PARAMS", &ec_params, &params_len);
	if (err != WS_OK)
		goto out;
	if (key->type == WS_KEY_EC_P256 &&
	    !params_equal(ec_params, params_len, der_oid_p256, sizeof(der_oid_p256))) {
		err = ws_err_set(WS_ERR_KEY_TYPE, "an EC key on a curve other than P-256");
		goto out;
	}
	if (key->type == WS_KEY_ED25519 &&
	    !params_equal(ec_params, params_len, der_oid_ed25519, sizeof(der_oid_ed25519)) &&
	    !params_equal(ec_params, params_len, der_str_ed25519, sizeof(der_str_ed25519))) {
		err = ws_err_set(WS_ERR_KEY_TYPE, "an EdDSA key on a curve other than "
		    "edwards25519");
		goto out;
	}
	if (pub == CK_INVALID_HANDLE) {
		err = ws_err_set(WS_ERR_KEY_NOT_FOUND, "no public key has its CKA_ID or label");
		goto out;
	}
	err = attr_read(s, pub, CKA_EC_POINT, "CKA_EC_POINT", &ec_point, &point_len);
	if (err != WS_OK)
		goto out;
	if (key->type == WS_KEY_EC_P256) {
		if (!ec_point_unwrap(ec_point, point_len, P256_POINT_LEN, &point) ||
		    point[0] != 0x04) {
			err = ws_err_set(WS_ERR_KEY_TYPE, "CKA_EC_POINT of %zu bytes is not an "
			    "uncompressed P-256 point", point_len);
			goto out;
		}
		err = pkey_from_ec_p256(point, out);
	} else {
		if (!ec_point_unwrap(ec_point, point_len, ED25519_KEY_LEN, &point)) {
			err = ws_err_set(WS_ERR_KEY_TYPE, "CKA_EC_POINT of %zu bytes is not an "
			    "Ed25519 public key", point_len);
			goto out;
		}
		*out = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, point, ED25519_KEY_LEN);
		err = *out != NULL ? WS_OK :
		    ws_err_crypto(WS_ERR_CRYPTO, "Ed25519 public key from CKA_EC_POINT");
	}
	if (err == WS_OK)
		key->bits = 256;
out:
	free(ec_params);
	free(ec_point);
	return err;
}

/* Builds the public key of an RSA key (from the public object, else the private one). */
static ws_err
key_export_rsa(struct ws_session *s, struct ws_key *key, CK_OBJECT_HANDLE pub, EVP_PKEY **out)
{
	CK_OBJECT_HANDLE from = pub != CK_INVALID_HANDLE ? pub : key->priv;
	uint8_t *n = NULL, *e = NULL;
	size_t n_len = 0, e_len = 0;
	EVP_PKEY *pkey = NULL;
	ws_err err;
	int bits;

	err = attr_read(s, from, CKA_MODULUS, "CKA_MODULUS", &n, &n_len);
	if (err != WS_OK)
		goto out;
	err = attr_read(s, from, CKA_PUBLIC_EXPONENT, "CKA_PUBLIC_EXPONENT", &e, &e_len);
	if (err != WS_OK)
		goto out;
	err = pkey_from_rsa(n, n_len, e, e_len, &pkey);
	if (err != WS_OK)
		goto out;
	bits = EVP_PKEY_get_bits(pkey);
	if (bits < RSA_GEN_BITS_MIN || bits > RSA_USE_BITS_MAX) {
		err = ws_err_set(WS_ERR_KEY_TYPE, "RSA-%d; wavesign uses %d..%d bits", bits,
		    RSA_GEN_BITS_MIN, RSA_USE_BITS_MAX);
		goto out;
	}
	key->bits = (unsigned)bits;
	*out = pkey;
	pkey = NULL;
	err = WS_OK;
out:
	EVP_PKEY_free(pkey);
	free(n);
	free(e);
	return err;
}

/*
 * Builds a ws_key for the private key priv labelled label. pub is its public
 * key, or CK_INVALID_HANDLE to look it up. Details of failures say what is
 * wrong; this function prefixes which token and key.
 */
static ws_err
key_load(struct ws_session *s, const char *label, CK_OBJECT_HANDLE priv, CK_OBJECT_HANDLE pub,
    struct ws_key **out)
{
	struct ws_key *key = NULL;
	EVP_PKEY *pkey = NULL;
	uint8_t *id = NULL;
	size_t id_len = 0;
	CK_ULONG ktype = 0;
	bool val = false, known = false;
	ws_err err;

	key = calloc(1, sizeof(*key));
	if (key == NULL) {
		err = ws_err_set(WS_ERR_NOMEM, "ws_key");
		goto out;
	}
	snprintf(key->label, sizeof(key->label), "%s", label);
	key->priv = priv;

	err = attr_ulong(s, priv, CKA_KEY_TYPE, "CKA_KEY_TYPE", &ktype);
	if (err != WS_OK)
		goto out;
	switch (ktype) {
	case CKK_EC:
		key->type = WS_KEY_EC_P256;
		break;
	case CKK_EC_EDWARDS:
		key->type = WS_KEY_ED25519;
		break;
	case CKK_RSA:
		key->type = WS_KEY_RSA;
		break;
	default:
		err = ws_err_set(WS_ERR_KEY_TYPE, "CKA_KEY_TYPE 0x%lx; wavesign uses EC P-256, "
		    "Ed25519 and RSA", (unsigned long)ktype);
		goto out;
	}

	err = attr_read(s, priv, CKA_ID, "CKA_ID", &id, &id_len);
	if (err != WS_OK)
		goto out;
	if (id_len > WS_KEY_ID_MAX) {
		err = ws_err_set(WS_ERR_LIMIT, "CKA_ID of %zu bytes; at most %d", id_len,
		    WS_KEY_ID_MAX);
		goto out;
	}
	memcpy(key->id, id, id_len);
	key->id_len = id_len;

	/* Unreported safety attributes count as the unsafe value. */
	err = attr_bool(s, priv, CKA_SENSITIVE, "CKA_SENSITIVE", &val, &known);
	if (err != WS_OK)
		goto out;
	key->sensitive = known && val;
	err = attr_bool(s, priv, CKA_EXTRACTABLE, "CKA_EXTRACTABLE", &val, &known);
	if (err != WS_OK)
		goto out;
	key->extractable = !known || val;
	err = attr_bool(s, priv, CKA_NEVER_EXTRACTABLE, "CKA_NEVER_EXTRACTABLE", &val, &known);
	if (err != WS_OK)
		goto out;
	key->never_extractable = known && val;
	err = attr_bool(s, priv, CKA_ALWAYS_SENSITIVE, "CKA_ALWAYS_SENSITIVE", &val, &known);
	if (err != WS_OK)
		goto out;
	key->always_sensitive = known && val;

	if (pub == CK_INVALID_HANDLE) {
		err = public_key_find(s, key, &pub);
		if (err != WS_OK)
			goto out;
	}
	if (key->type == WS_KEY_RSA)
		err = key_export_rsa(s, key, pub, &pkey);
	else
		err = key_export_ec(s, key, pub, &pkey);
	if (err != WS_OK)
		goto out;
	err = key_set_spki(key, pkey);
	if (err != WS_OK)
		goto out;

	*out = key;
	key = NULL;
	err = WS_OK;
out:
	if (err != WS_OK)
		ws_err_prefix("token '%s', key '%s'", token_label_of(s), label);
	EVP_PKEY_free(pkey);
	free(id);
	ws_key_free(key);
	return err;
}

ws_err
ws_key_find(struct ws_session *s, const char *label, struct ws_key **out)
{
	CK_OBJECT_HANDLE found[2];
	CK_ULONG count = 0;
	ws_err err;

	if (s == NULL || out == NULL || !ws_p11_label_valid(label, WS_KEY_LABEL_MAX))
		return ws_err_set(WS_ERR_INVALID_ARGUMENT, "key label '%s' must be 1..%d printable "
		    "ASCII characters", label != NULL ? label : "", WS_KEY_LABEL_MAX);
	if ((err = ws_p11_usable(s)) != WS_OK)
		return err;
	err = keys_by_label(s, CKO_PRIVATE_KEY, label, found, &count);
	if (err != WS_OK)
		return err;
	if (count == 0)
		return ws_err_set(WS_ERR_KEY_NOT_FOUND, "token '%s' has no private key labelled '%s'",
		    token_label_of(s), label);
	if (count > 1)
		return ws_err_set(WS_ERR_KEY_EXISTS, "token '%s' has several private keys labelled "
		    "'%s'; remove or relabel all but one", token_label_of(s), label);
	return key_load(s, label, found[0], CK_INVALID_HANDLE, out);
}

ws_err
ws_key_generate(struct ws_session *s, const char *label, const uint8_t *id, size_t id_len,
    enum ws_key_type type, unsigned rsa_bits, struct ws_key **out)
{
	CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
	CK_ULONG modulus_bits = rsa_bits;
	uint8_t random_id[RANDOM_ID_LEN];
	uint8_t ec_params[sizeof(der_oid_p256)];
	uint8_t exponent[sizeof(rsa_public_exponent)];
	CK_ATTRIBUTE pub_tmpl[10], priv_tmpl[12];
	CK_ULONG n_pub = 0, n_priv = 0;
	CK_MECHANISM mech = { 0, NULL, 0 };
	CK_OBJECT_HANDLE pub = CK_INVALID_HANDLE, priv = CK_INVALID_HANDLE, found[2];
	CK_ULONG count = 0;
	struct ws_key *key = NULL;
	ws_err err;
	CK_RV rv;

	if (s == NULL || out == NULL || !ws_p11_label_valid(label, WS_KEY_LABEL_MAX)) {
		err = ws_err_set(WS_ERR_INVALID_ARGUMENT, "key label '%s' must be 1..%d printable "
		    "ASCII characters", label != NULL ? label : "", WS_KEY_LABEL_MAX);
		goto out;
	}
	if (id != NULL && (id_len == 0 || id_len > WS_KEY_ID_MAX)) {
		err = ws_err_set(WS_ERR_INVALID_ARGUMENT, "key id of %zu bytes; 1..%d", id_len,
		    WS_KEY_ID_MAX);
		goto out;
	}
	if (type == WS_KEY_RSA && (rsa_bits < RSA_GEN_BITS_MIN || rsa_bits > RSA_GEN_BITS_MAX)) {
		err = ws_err_set(WS_ERR_INVALID_ARGUMENT, "RSA keys of %u bits; %d..%d", rsa_bits,
		    RSA_GEN_BITS_MIN, RSA_GEN_BITS_MAX);
		goto out;
	}
	if (type != WS_KEY_EC_P256 && type != WS_KEY_ED25519 && type != WS_KEY_RSA) {
		err = ws_err_set(WS_ERR_KEY_TYPE, "key type %d", (int)type);
		goto out;
	}
	if ((err = ws_p11_usable(s)) != WS_OK)
		goto out;

	err = keys_by_label(s, CKO_PRIVATE_KEY, label, found, &count);
	if (err == WS_OK && count == 0)
		err = keys_by_label(s, CKO_PUBLIC_KEY, label, found, &count);
	if (err != WS_OK)
		goto out;
	if (count > 0) {
		err = ws_err_set(WS_ERR_KEY_EXISTS, "token '%s' already holds a key labelled '%s'",
		    token_label_of(s), label);
		goto out;
	}
	if (id == NULL) {
		if (RAND_bytes(random_id, sizeof(random_id)) != 1) {
			err = ws_err_crypto(WS_ERR_CRYPTO, "random key id");
			goto out;
		}
		id = random_id;
		id_len = sizeof(random_id);
	}

#define ADD(t, n, typ, ptr, len) do { (t)[(n)].type = (typ); (t)[(n)].pValue = (void *)(ptr); \
	(t)[(n)].ulValueLen = (len); (n)++; } while (0)
	ADD(pub_tmpl, n_pub, CKA_TOKEN, &yes, sizeof(yes));
	ADD(pub_tmpl, n_pub, CKA_PRIVATE, &no, sizeof(no));
	ADD(pub_tmpl, n_pub, CKA_VERIFY, &yes, sizeof(yes));
	ADD(pub_tmpl, n_pub, CKA_LABEL, label, strlen(label));
	ADD(pub_tmpl, n_pub, CKA_ID, id, id_len);

	ADD(priv_tmpl, n_priv, CKA_TOKEN, &yes, sizeof(yes));
	ADD(priv_tmpl, n_priv, CKA_PRIVATE, &yes, sizeof(yes));
	ADD(priv_tmpl, n_priv, CKA_SENSITIVE, &yes, sizeof(yes));
	ADD(priv_tmpl, n_priv, CKA_EXTRACTABLE, &no, sizeof(no));
	ADD(priv_tmpl, n_priv, CKA_SIGN, &yes, sizeof(yes));
	ADD(priv_tmpl, n_priv, CKA_DERIVE, &no, sizeof(no));
	ADD(priv_tmpl, n_priv, CKA_LABEL, label, strlen(label));
	ADD(priv_tmpl, n_priv, CKA_ID, id, id_len);

	switch (type) {
	case WS_KEY_EC_P256:
		mech.mechanism = CKM_EC_KEY_PAIR_GEN;
		memcpy(ec_params, der_oid_p256, sizeof(der_oid_p256));
		ADD(pub_tmpl, n_pub, CKA_EC_PARAMS, ec_params, sizeof(der_oid_p256));
		break;
	case WS_KEY_ED25519:
		/*
		 * PKCS#11 3.0 allows the OID or the printable string "edwards25519";
		 * SoftHSM 2.6.1 takes both (checked). The OID is RFC 8410's name.
		 */
		mech.mechanism = CKM_EC_EDWARDS_KEY_PAIR_GEN;
		memcpy(ec_params, der_oid_ed25519, sizeof(der_oid_ed25519));
		ADD(pub_tmpl, n_pub, CKA_EC_PARAMS, ec_params, sizeof(der_oid_ed25519));
		break;
	case WS_KEY_RSA:
		mech.mechanism = CKM_RSA_PKCS_KEY_PAIR_GEN;
		memcpy(exponent, rsa_public_exponent, sizeof(exponent));
		ADD(pub_tmpl, n_pub, CKA_MODULUS_BITS, &modulus_bits, sizeof(modulus_bits));
		ADD(pub_tmpl, n_pub, CKA_PUBLIC_EXPONENT, exponent, sizeof(exponent));
		ADD(pub_tmpl, n_pub, CKA_ENCRYPT, &no, sizeof(no));
		ADD(pub_tmpl, n_pub, CKA_WRAP, &no, sizeof(no));
		ADD(priv_tmpl, n_priv, CKA_DECRYPT, &no, sizeof(no));
		ADD(priv_tmpl, n_priv, CKA_UNWRAP, &no, sizeof(no));
		break;
	}
#undef ADD

	rv = s->fn->C_GenerateKeyPair(s->handle, &mech, pub_tmpl, n_pub, priv_tmpl, n_priv,
	    &pub, &priv);
	if (rv != CKR_OK) {
		pub = priv = CK_INVALID_HANDLE;
		err = ws_p11_fail(s, rv, "token '%s': generating %s key '%s'",
		    token_label_of(s), ws_key_type_name(type), label);
		goto out;
	}
	err = key_load(s, label, priv, pub, &key);
	if (err != WS_OK)
		goto out;

	*out = key;
	key = NULL;
	err = WS_OK;
out:
	if (err != WS_OK) {
		/* A pair that cannot be used must not stay behind under the label. */
		if (priv != CK_INVALID_HANDLE)
			(void)s->fn->C_DestroyObject(s->handle, priv);
		if (pub != CK_INVALID_HANDLE)
			(void)s->fn->C_DestroyObject(s->handle, pub);
	}
	ws_key_free(key);
	return err;
}

ws_err
ws_key_check_safe(const struct ws_key *key)
{
	char bad[160];
	size_t len = 0;
	int n;

	if (key == NULL)
		return ws_err_set(WS_ERR_INVALID_ARGUMENT, "ws_key_check_safe: no key");
	bad[0] = '\0';
#define BAD(cond, text) do { if (cond) { \
	n = snprintf(bad + len, sizeof(bad) - len, "%s%s", len > 0 ? ", " : "", (text)); \
	if (n > 0 && (size_t)n < sizeof(bad) - len) len += (size_t)n; } } while (0)
	BAD(!key->sensitive, "CKA_SENSITIVE is FALSE");
	BAD(key->extractable, "CKA_EXTRACTABLE is TRUE");
	BAD(!key->never_extractable, "CKA_NEVER_EXTRACTABLE is FALSE");
	BAD(!key->always_sensitive, "CKA_ALWAYS_SENSITIVE is FALSE");
#undef BAD
	if (len > 0)
		return ws_err_set(WS_ERR_KEY_UNSAFE, "key '%s': %s", key->label, bad);
	return WS_OK;
}

/* r || s (each coord_len bytes) as a DER Ecdsa-Sig-Value into out (WS_SIG_MAX bytes). */
static ws_err
ecdsa_raw_to_der(const uint8_t *raw, size_t coord_len, uint8_t *out, size_t *out_len)
{
	ECDSA_SIG *esig = NULL;
	BIGNUM *r = NULL, *s = NULL;
	unsigned char *p;
	ws_err err;
	int len;

	r = BN_bin2bn(raw, (int)coord_len, NULL);
	s = BN_bin2bn(raw + coord_len, (int)coord_len, NULL);
	esig = ECDSA_SIG_new();
	if (r == NULL || s == NULL || esig == NULL || !ECDSA_SIG_set0(esig, r, s)) {
		err = ws_err_crypto(WS_ERR_CRYPTO, "ECDSA signature to DER");
		goto out;
	}
	r = s = NULL;	/* owned by esig now */
	len = i2d_ECDSA_SIG(esig, NULL);
	if (len <= 0 || (size_t)len > WS_SIG_MAX) {
		err = ws_err_crypto(WS_ERR_CRYPTO, "ECDSA signature to DER");
		goto out;
	}
	p = out;
	if (i2d_ECDSA_SIG(esig, &p) != len) {
		err = ws_err_crypto(WS_ERR_CRYPTO, "ECDSA signature to DER");
		goto out;
	}
	*out_len = (size_t)len;
	err = WS_OK;
out:
	ECDSA_SIG_free(esig);
	BN_free(r);
	BN_free(s);
	return err;
}

ws_err
ws_key_sign(struct ws_session *s, const struct ws_key *key, enum ws_sig_alg alg,
    const uint8_t *msg, size_t msg_len, uint8_t *sig, size_t *sig_len)
{
	CK_RSA_PKCS_PSS_PARAMS pss = { CKM_SHA256, CKG_MGF1_SHA256, PSS_SALT_LEN };
	CK_MECHANISM mech = { 0, NULL, 0 };
	static const uint8_t empty[1] = { 0 };
	uint8_t digest[SHA256_LEN];
	uint8_t raw[WS_SIG_MAX];
	/* SoftHSM2 answers CKR_ARGUMENTS_BAD to a NULL message, even an empty one. */
	const uint8_t *input = msg != NULL ? msg : empty;
	CK_ULONG input_len = msg_len, raw_len = sizeof(raw);
	uint8_t der[WS_SIG_MAX];
	size_t der_len = 0;
	ws_err err;
	CK_RV rv;

	if (s == NULL || key == NULL || (msg == NULL && msg_len > 0) || sig == NULL ||
	    sig_len == NULL) {
		err = ws_err_set(WS_ERR_INVALID_ARGUMENT, "ws_key_sign: missing argument");
		goto out;
	}
	if (alg != ws_key_default_alg(key->type)) {
		err = ws_err_set(WS_ERR_KEY_TYPE, "key '%s' (%s) cannot sign with algorithm %d",
		    key->label, ws_key_type_name(key->type), (int)alg);
		goto out;
	}
	if ((err = ws_p11_usable(s)) != WS_OK)
		goto out;
	switch (alg) {
	case WS_SIG_ECDSA_SHA256:
		/* SoftHSM2 has no CKM_ECDSA_SHA256: hash here, sign the digest there. */
		if (!EVP_Digest(input, msg_len, digest, NULL, EVP_sha256(), NULL)) {
			err = ws_err_crypto(WS_ERR_CRYPTO, "SHA-256 of the message");
			goto out;
		}
		input = digest;
		input_len = sizeof(digest);
		mech.mechanism = CKM_ECDSA;
		break;
	case WS_SIG_ED25519:
		mech.mechanism = CKM_EDDSA;	/* no parameters: pure Ed25519 */
		break;
	case WS_SIG_RSA_PSS_SHA256:
		mech.mechanism = CKM_SHA256_RSA_PKCS_PSS;
		mech.pParameter = &pss;
		mech.ulParameterLen = sizeof(pss);
		break;
	}

	rv = s->fn->C_SignInit(s->handle, &mech, key->priv);
	if (rv != CKR_OK) {
		err = ws_p11_fail(s, rv, "key '%s': C_SignInit", key->label);
		goto out;
	}
	/* WS_SIG_MAX holds every signature of the keys ws_key_find() accepts. */
	rv = s->fn->C_Sign(s->handle, (CK_BYTE *)input, input_len, raw, &raw_len);
	if (rv != CKR_OK) {
		err = ws_p11_fail(s, rv, "key '%s': C_Sign", key->label);
		goto out;
	}

	switch (alg) {
	case WS_SIG_ECDSA_SHA256:
		if (raw_len != 2 * P256_COORD_LEN) {
			err = ws_err_set(WS_ERR_TOKEN, "key '%s': CKM_ECDSA returned %lu bytes, not "
			    "r || s of 64", key->label, (unsigned long)raw_len);
			goto out;
		}
		err = ecdsa_raw_to_der(raw, P256_COORD_LEN, der, &der_len);
		if (err != WS_OK)
			goto out;
		break;
	case WS_SIG_ED25519:
		if (raw_len != ED25519_SIG_LEN) {
			err = ws_err_set(WS_ERR_TOKEN, "key '%s': CKM_EDDSA returned %lu bytes, not 64",
			    key->label, (unsigned long)raw_len);
			goto out;
		}
		memcpy(der, raw, raw_len);
		der_len = raw_len;
		break;
	case WS_SIG_RSA_PSS_SHA256:
		if (raw_len != (key->bits + 7) / 8) {
			err = ws_err_set(WS_ERR_TOKEN, "key '%s': RSA-PSS returned %lu bytes for a "
			    "%u-bit key", key->label, (unsigned long)raw_len, key->bits);
			goto out;
		}
		memcpy(der, raw, raw_len);
		der_len = raw_len;
		break;
	}

	memcpy(sig, der, der_len);
	*sig_len = der_len;
	err = WS_OK;
out:
	explicit_bzero(digest, sizeof(digest));
	return err;
}

/*
 * Whether the private key at handle priv holds the public key of key: it
 * signs a fresh random challenge and OpenSSL verifies that against
 * key->spki. A public key object can be copied to another token; the
 * private key cannot.
 */
static ws_err
key_proves_possession(struct ws_session *s, const struct ws_key *key, CK_OBJECT_HANDLE priv)
{
	struct ws_key probe = *key;
	const unsigned char *p = key->spki;
	uint8_t challenge[32], sig[WS_SIG_MAX];
	size_t sig_len = 0;
	EVP_PKEY *pkey = NULL;
	EVP_MD_CTX *md = NULL;
	EVP_PKEY_CTX *pctx = NULL;
	const EVP_MD *digest = key->type == WS_KEY_ED25519 ? NULL : EVP_sha256();
	ws_err err;

	probe.priv = priv;
	if (RAND_bytes(challenge, sizeof(challenge)) != 1)
		return ws_err_crypto(WS_ERR_CRYPTO, "random challenge");
	if ((err = ws_key_sign(s, &probe, ws_key_default_alg(key->type), challenge,
	    sizeof(challenge), sig, &sig_len)) != WS_OK)
		return err;
	pkey = d2i_PUBKEY(NULL, &p, (long)key->spki_len);
	md = EVP_MD_CTX_new();
	if (pkey == NULL || md == NULL ||
	    EVP_DigestVerifyInit(md, &pctx, digest, NULL, pkey) != 1 ||
	    (key->type == WS_KEY_RSA &&
	    (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
	    EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, PSS_SALT_LEN) != 1 ||
	    EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, EVP_sha256()) != 1))) {
		err = ws_err_crypto(WS_ERR_CRYPTO, "key '%s': setting up the check", key->label);
		goto out;
	}
	if (EVP_DigestVerify(md, sig, sig_len, challenge, sizeof(challenge)) != 1) {
		ERR_clear_error();
		err = ws_err_set(WS_ERR_TOKEN_NOT_FOUND, "token '%s': the private key labelled '%s' "
		    "does not sign for public key sha256:%s: this is not the token the process "
		    "started with", token_label_of(s), key->label, key->fingerprint);
		goto out;
	}
	err = WS_OK;
out:
	EVP_MD_CTX_free(md);
	EVP_PKEY_free(pkey);
	return err;
}

ws_err
ws_key_refresh(struct ws_session *s, struct ws_key *key)
{
	struct ws_key *fresh = NULL;
	ws_err err;

	if (s == NULL || key == NULL)
		return ws_err_set(WS_ERR_INVALID_ARGUMENT, "ws_key_refresh: missing argument");
	if ((err = ws_key_find(s, key->label, &fresh)) != WS_OK)
		goto out;
	if (strcmp(fresh->fingerprint, key->fingerprint) != 0) {
		err = ws_err_set(WS_ERR_TOKEN_NOT_FOUND, "token '%s': key '%s' now has public key "
		    "sha256:%s, not sha256:%s: this is not the token the process started with",
		    token_label_of(s), key->label, fresh->fingerprint, key->fingerprint);
		goto out;
	}
	if ((err = ws_key_check_safe(fresh)) != WS_OK ||
	    (err = key_proves_possession(s, key, fresh->priv)) != WS_OK)
		goto out;
	key->priv = fresh->priv;
	err = WS_OK;
out:
	ws_key_free(fresh);
	return err;
}

void
ws_key_free(struct ws_key *key)
{
	if (key == NULL)
		return;
	free(key->spki);
	free(key);
}

const char *
ws_key_type_name(enum ws_key_type type)
{
	switch (type) {
	case WS_KEY_EC_P256:
		return "ec-p256";
	case WS_KEY_ED25519:
		return "ed25519";
	case WS_KEY_RSA:
		return "rsa";
	}
	return "unknown";
}

enum ws_sig_alg
ws_key_default_alg(enum ws_key_type type)
{
	switch (type) {
	case WS_KEY_EC_P256:
		return WS_SIG_ECDSA_SHA256;
	case WS_KEY_ED25519:
		return WS_SIG_ED25519;
	case WS_KEY_RSA:
		return WS_SIG_RSA_PSS_SHA256;
	}
	return (enum ws_sig_alg)0;
}
