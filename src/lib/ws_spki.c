/*
 * ws_spki.c -- public keys and signature checks (contract in ws_spki.h).
 */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/param_build.h>

#include "ws_der.h"
#include "ws_oid.h"
#include "ws_spki.h"

#define P256_POINT_LEN 65	/* 04 || X || Y */
#define ED25519_KEY_LEN 32

const char *
ws_pubkey_type_name(enum ws_pubkey_type type)
{
	switch (type) {
	case WS_PUBKEY_EC_P256: return "EC P-256";
	case WS_PUBKEY_ED25519: return "Ed25519";
	case WS_PUBKEY_RSA: return "RSA";
	case WS_PUBKEY_OTHER: break;
	}
	return "other";
}

static const char *
curve_name(const uint8_t *oid, size_t len)
{
	if (WS_DER_OID_EQ(oid, len, WS_OID_P384))
		return "P-384";
	if (WS_DER_OID_EQ(oid, len, WS_OID_P521))
		return "P-521";
	if (WS_DER_OID_EQ(oid, len, WS_OID_SECP256K1))
		return "secp256k1";
	return "unknown curve";
}

static unsigned
magnitude_bits(const uint8_t *p, size_t len)
{
	unsigned top;

	if (len == 0 || len > 0xffffff)
		return 0;
	for (top = 8; top > 0 && !(p[0] & (1u << (top - 1))); top--)
		;
	return (unsigned)(len - 1) * 8 + top;
}

/* RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER } */
static ws_err
rsa_parse(struct ws_spki *k)
{
	struct ws_reader r, seq;
	const uint8_t *n = NULL, *e = NULL;
	size_t n_len = 0, e_len = 0;
	ws_err err;

	ws_reader_init(&r, k->key, k->key_len);
	if ((err = ws_der_enter(&r, WS_DER_SEQUENCE, &seq)) != WS_OK ||
	    (err = ws_der_end(&r, "the RSA public key")) != WS_OK ||
	    (err = ws_der_read_int(&seq, &n, &n_len)) != WS_OK ||
	    (err = ws_der_read_int(&seq, &e, &e_len)) != WS_OK ||
	    (err = ws_der_end(&seq, "the RSA public key")) != WS_OK) {
		ws_err_prefix("RSA public key");
		return err == WS_ERR_TRUNCATED ? WS_ERR_DER_MALFORMED : err;
	}
	if ((n[0] & 0x80) || (e[0] & 0x80))
		return ws_err_set(WS_ERR_DER_MALFORMED, "RSA public key: negative modulus or exponent");
	if (n[0] == 0) {
		n++;
		n_len--;
	}
	if (e[0] == 0) {
		e++;
		e_len--;
	}
	if (n_len == 0 || e_len == 0 || !(e[e_len - 1] & 1) || !(n[n_len - 1] & 1))
		return ws_err_set(WS_ERR_DER_MALFORMED, "RSA public key: zero or even modulus or exponent");
	k->rsa_n = n;
	k->rsa_n_len = n_len;
	k->rsa_e = e;
	k->rsa_e_len = e_len;
	k->bits = magnitude_bits(n, n_len);
	return WS_OK;
}

ws_err
ws_spki_parse(const uint8_t *der, size_t len, struct ws_spki *out)
{
	struct ws_reader r, spki, alg;
	struct ws_spki k;
	const uint8_t *oid = NULL, *curve = NULL;
	size_t oid_len = 0, curve_len = 0;
	unsigned unused = 0;
	char os[WS_DER_OID_STR_MAX];
	ws_err e;

	memset(&k, 0, sizeof(k));
	ws_reader_init(&r, der, len);
	if ((e = ws_der_enter(&r, WS_DER_SEQUENCE, &spki)) != WS_OK ||
	    (e = ws_der_end(&r, "SubjectPublicKeyInfo")) != WS_OK ||
	    (e = ws_der_enter(&spki, WS_DER_SEQUENCE, &alg)) != WS_OK ||
	    (e = ws_der_read_oid(&alg, &oid, &oid_len)) != WS_OK)
		goto out;
	if ((e = ws_der_read_bit_string(&spki, &k.key, &k.key_len, &unused)) != WS_OK ||
	    (e = ws_der_end(&spki, "SubjectPublicKeyInfo")) != WS_OK)
		goto out;

	if (WS_DER_OID_EQ(oid, oid_len, WS_OID_EC_PUBLIC_KEY)) {
		if (ws_der_peek_tag(&alg) != WS_DER_OID) {
			snprintf(k.desc, sizeof(k.desc), "EC with explicit curve parameters");
			goto other;
		}
		if ((e = ws_der_read_oid(&alg, &curve, &curve_len)) != WS_OK ||
		    (e = ws_der_end(&alg, "the EC key algorithm")) != WS_OK)
			goto out;
		if (!WS_DER_OID_EQ(curve, curve_len, WS_OID_P256)) {
			snprintf(k.desc, sizeof(k.desc), "EC curve %s (%s)", ws_der_oid_str(curve, curve_len, os),
			    curve_name(curve, curve_len));
			goto other;
		}
		if (unused != 0 || k.key_len != P256_POINT_LEN || k.key[0] != 0x04) {
			snprintf(k.desc, sizeof(k.desc), "EC P-256 with a %zu-byte (not uncompressed) point",
			    k.key_len);
			goto other;
		}
		k.type = WS_PUBKEY_EC_P256;
		k.bits = 256;
		snprintf(k.desc, sizeof(k.desc), "EC P-256");
	} else if (WS_DER_OID_EQ(oid, oid_len, WS_OID_ED25519)) {
		if ((e = ws_der_end(&alg, "the Ed25519 key algorithm (no parameters)")) != WS_OK)
			goto out;
		if (unused != 0 || k.key_len != ED25519_KEY_LEN) {
			e = ws_err_set(WS_ERR_DER_MALFORMED, "Ed25519 public key of %zu bytes", k.key_len);
			goto out;
		}
		k.type = WS_PUBKEY_ED25519;
		k.bits = 256;
		snprintf(k.desc, sizeof(k.desc), "Ed25519");
	} else if (WS_DER_OID_EQ(oid, oid_len, WS_OID_RSA)) {
		if ((e = ws_der_read_null(&alg)) != WS_OK ||
		    (e = ws_der_end(&alg, "the RSA key algorithm")) != WS_OK)
			goto out;
		if (unused != 0) {
			e = ws_err_set(WS_ERR_DER_MALFORMED, "RSA public key BIT STRING has unused bits");
			goto out;
		}
		if ((e = rsa_parse(&k)) != WS_OK)
			goto out;
		k.type = WS_PUBKEY_RSA;
		snprintf(k.desc, sizeof(k.desc), "RSA %u", k.bits);
	} else {
		const char *name = WS_DER_OID_EQ(oid, oid_len, WS_OID_ED448) ? " (Ed448)" :
		    WS_DER_OID_EQ(oid, oid_len, WS_OID_RSA_PSS) ? " (RSASSA-PSS)" : "";

		snprintf(k.desc, sizeof(k.desc), "key algorithm %s%s", ws_der_oid_str(oid, oid_len, os), name);
		goto other;
	}
	*out = k;
	return WS_OK;
other:
	k.type = WS_PUBKEY_OTHER;
	k.bits = 0;
	*out = k;
	return WS_OK;
out:
	ws_err_prefix("SubjectPublicKeyInfo");
	return e;
}

static ws_err
pkey_from_params(const char *name, OSSL_PARAM *params, EVP_PKEY **out)
{
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *pkey = NULL;
	ws_err e;

	if ((ctx = EVP_PKEY_CTX_new_from_name(NULL, name, NULL)) == NULL) {
		e = ws_err_crypto(WS_ERR_CRYPTO, "EVP_PKEY_CTX_new_from_name(%s)", name);
		goto out;
	}
	if (EVP_PKEY_fromdata_init(ctx) <= 0 ||
	    EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) <= 0) {
		e = ws_err_crypto(WS_ERR_CRYPTO, "the %s public key is invalid", name);
		goto out;
	}
	*out = pkey;
	pkey = NULL;
	e = WS_OK;
out:
	EVP_PKEY_free(pkey);
	EVP_PKEY_CTX_free(ctx);
	return e;
}

static ws_err
pkey_rsa(const struct ws_spki *k, EVP_PKEY **out)
{
	OSSL_PARAM_BLD *bld = NULL;
	OSSL_PARAM *params = NULL;
	BIGNUM *n = NULL, *e = NULL;
	ws_err err;

	if ((n = BN_bin2bn(k->rsa_n, (int)k->rsa_n_len, NULL)) == NULL ||
	    (e = BN_bin2bn(k->rsa_e, (int)k->rsa_e_len, NULL)) == NULL ||
	    (bld = OSSL_PARAM_BLD_new()) == NULL ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e) ||
	    (params = OSSL_PARAM_BLD_to_param(bld)) == NULL) {
		err = ws_err_crypto(WS_ERR_CRYPTO, "building RSA key parameters");
		goto out;
	}
	err = pkey_from_params("RSA", params, out);
out:
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	BN_free(n);
	BN_free(e);
	return err;
}

ws_err
ws_spki_pkey(const struct ws_spki *k, EVP_PKEY **out)
{
	EVP_PKEY *pkey = NULL;

	switch (k->type) {
	case WS_PUBKEY_EC_P256: {
		OSSL_PARAM params[] = {
			OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, (char *)"prime256v1", 0),
			OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, (void *)k->key, k->key_len),
			OSSL_PARAM_construct_end(),
		};

		return pkey_from_params("EC", params, out);
	}
	case WS_PUBKEY_ED25519:
		pkey = EVP_PKEY_new_raw_public_key_ex(NULL, "ED25519", NULL, k->key, k->key_len);
		if (pkey == NULL)
			return ws_err_crypto(WS_ERR_CRYPTO, "the Ed25519 public key is invalid");
		*out = pkey;
		return WS_OK;
	case WS_PUBKEY_RSA:
		if (k->bits < WS_PUBKEY_RSA_MIN_BITS || k->bits > WS_PUBKEY_RSA_MAX_BITS)
			return ws_err_set(WS_ERR_KEY_TYPE, "RSA key of %u bits (%u to %u are accepted)",
			    k->bits, WS_PUBKEY_RSA_MIN_BITS, WS_PUBKEY_RSA_MAX_BITS);
		return pkey_rsa(k, out);
	case WS_PUBKEY_OTHER:
		break;
	}
	return ws_err_set(WS_ERR_KEY_TYPE, "%s (usable: EC P-256, Ed25519, RSA %u to %u bits)", k->desc,
	    WS_PUBKEY_RSA_MIN_BITS, WS_PUBKEY_RSA_MAX_BITS);
}

ws_err
ws_sigalg_read(struct ws_reader *r, enum ws_sigalg *alg)
{
	struct ws_reader tmp = *r, seq;
	const uint8_t *oid = NULL;
	size_t len = 0;
	char os[WS_DER_OID_STR_MAX];
	enum ws_sigalg a;
	bool rsa = false;
	ws_err e;

	if ((e = ws_der_enter(&tmp, WS_DER_SEQUENCE, &seq)) != WS_OK ||
	    (e = ws_der_read_oid(&seq, &oid, &len)) != WS_OK)
		goto out;
	if (WS_DER_OID_EQ(oid, len, WS_OID_ECDSA_SHA256))
		a = WS_SIGALG_ECDSA_SHA256;
	else if (WS_DER_OID_EQ(oid, len, WS_OID_ECDSA_SHA384))
		a = WS_SIGALG_ECDSA_SHA384;
	else if (WS_DER_OID_EQ(oid, len, WS_OID_ECDSA_SHA512))
		a = WS_SIGALG_ECDSA_SHA512;
	else if (WS_DER_OID_EQ(oid, len, WS_OID_ED25519))
		a = WS_SIGALG_ED25519;
	else if ((rsa = WS_DER_OID_EQ(oid, len, WS_OID_RSA_SHA256)))
		a = WS_SIGALG_RSA_SHA256;
	else if ((rsa = WS_DER_OID_EQ(oid, len, WS_OID_RSA_SHA384)))
		a = WS_SIGALG_RSA_SHA384;
	else if ((rsa = WS_DER_OID_EQ(oid, len, WS_OID_RSA_SHA512)))
		a = WS_SIGALG_RSA_SHA512;
	else
		return ws_err_set(WS_ERR_KEY_TYPE, "unsupported signature algorithm %s%s",
		    ws_der_oid_str(oid, len, os),
		    WS_DER_OID_EQ(oid, len, WS_OID_RSA_PSS) ? " (RSASSA-PSS)" : "");
	/* RSA PKCS#1 takes a NULL parameter (tolerated absent); the others none. */
	if (rsa && ws_der_peek_tag(&seq) == WS_DER_NULL && (e = ws_der_read_null(&seq)) != WS_OK)
		goto out;
	if ((e = ws_der_end(&seq, "the signature AlgorithmIdentifier")) != WS_OK)
		goto out;
	*r = tmp;
	*alg = a;
	return WS_OK;
out:
	ws_err_prefix("signature algorithm");
	return e;
}

ws_err
ws_sigalg_put_ecdsa_sha256(struct ws_buf *b)
{
	size_t start = b->len;
	ws_err e;

	if ((e = ws_der_put_oid(b, WS_OID_ECDSA_SHA256, sizeof(WS_OID_ECDSA_SHA256))) != WS_OK ||
	    (e = ws_der_wrap_seq(b, start)) != WS_OK) {
		b->len = start;
		return e;
	}
	return WS_OK;
}

/* Digests fetched once per process: an implicit fetch per call costs a lookup. */
static pthread_once_t md_once = PTHREAD_ONCE_INIT;
static EVP_MD *md_sha256, *md_sha384, *md_sha512;

static void
md_fetch(void)
{
	md_sha256 = EVP_MD_fetch(NULL, "SHA2-256", NULL);
	md_sha384 = EVP_MD_fetch(NULL, "SHA2-384", NULL);
	md_sha512 = EVP_MD_fetch(NULL, "SHA2-512", NULL);
}

ws_err
ws_sig_verify(EVP_PKEY *pkey, enum ws_pubkey_type type, enum ws_sigalg alg,
    const uint8_t *msg, size_t msg_len, const uint8_t *sig, size_t sig_len)
{
	EVP_MD_CTX *mctx = NULL;
	const EVP_MD *md = NULL;
	enum ws_pubkey_type want;
	ws_err e;

	pthread_once(&md_once, md_fetch);
	switch (alg) {
	case WS_SIGALG_ECDSA_SHA256: want = WS_PUBKEY_EC_P256; md = md_sha256; break;
	case WS_SIGALG_ECDSA_SHA384: want = WS_PUBKEY_EC_P256; md = md_sha384; break;
	case WS_SIGALG_ECDSA_SHA512: want = WS_PUBKEY_EC_P256; md = md_sha512; break;
	case WS_SIGALG_ED25519: want = WS_PUBKEY_ED25519; break;
	case WS_SIGALG_RSA_SHA256: want = WS_PUBKEY_RSA; md = md_sha256; break;
	case WS_SIGALG_RSA_SHA384: want = WS_PUBKEY_RSA; md = md_sha384; break;
	case WS_SIGALG_RSA_SHA512: want = WS_PUBKEY_RSA; md = md_sha512; break;
	default:
		return ws_err_set(WS_ERR_INTERNAL, "unknown signature algorithm %d", (int)alg);
	}
	if (type != want)
		return ws_err_set(WS_ERR_KEY_TYPE, "a %s signature cannot come from a %s key",
		    ws_pubkey_type_name(want), ws_pubkey_type_name(type));
	if (want != WS_PUBKEY_ED25519 && md == NULL)
		return ws_err_crypto(WS_ERR_CRYPTO, "fetching the digest");
	if ((mctx = EVP_MD_CTX_new()) == NULL) {
		e = ws_err_set(WS_ERR_NOMEM, "EVP_MD_CTX_new");
		goto out;
	}
	if (EVP_DigestVerifyInit(mctx, NULL, md, NULL, pkey) <= 0) {
		e = ws_err_crypto(WS_ERR_CRYPTO, "EVP_DigestVerifyInit");
		goto out;
	}
	if (EVP_DigestVerify(mctx, sig, sig_len, msg, msg_len) != 1) {
		e = ws_err_crypto(WS_ERR_CRYPTO, "signature does not verify");
		goto out;
	}
	e = WS_OK;
out:
	EVP_MD_CTX_free(mctx);
	return e;
}
