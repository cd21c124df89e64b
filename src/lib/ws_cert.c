/*
 * ws_cert.c -- certificates as DER (contract in ws_cert.h).
 *
 * One ws_buf holds the whole certificate: the TBSCertificate is built at
 * offset 0 and wrapped, signed in place, then the signature algorithm and
 * value are appended and the three wrapped in the outer SEQUENCE. Nothing
 * goes through OpenSSL's X509 objects or its key encoders (PERF.md).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/rand.h>
#include <openssl/sha.h>

#include "ws_cert.h"
#include "ws_der.h"
#include "ws_oid.h"
#include "ws_pem.h"

#define X509_V3 2
#define SHA1_LEN 20

/* ---- CA certificates ---- */

void
ws_ca_free(struct ws_ca *ca)
{
	if (ca == NULL)
		return;
	EVP_PKEY_free(ca->pkey);
	free(ca->der);
	free(ca);
}

void
ws_cert_free(struct ws_cert *cert)
{
	if (cert == NULL)
		return;
	free(cert->der);
	free(cert);
}

static void
ski_method1(const struct ws_spki *key, uint8_t out[SHA1_LEN])
{
	SHA1(key->key, key->key_len, out);
}

/* Reads the extensions of a CA certificate we care about. */
static ws_err
ca_parse_extensions(struct ws_ca *ca, struct ws_reader *exts, bool *is_ca, bool *ku_present,
    uint8_t *ku)
{
	bool seen_ski = false, seen_bc = false;
	ws_err e;

	while (ws_reader_left(exts) > 0) {
		struct ws_reader ext, val, seq;
		struct ws_der_tlv v, ski;
		const uint8_t *oid = NULL, *bits = NULL;
		size_t oid_len = 0, nbits = 0;
		unsigned unused = 0;
		uint64_t pathlen = 0;
		bool critical = false;

		if ((e = ws_der_enter(exts, WS_DER_SEQUENCE, &ext)) != WS_OK ||
		    (e = ws_der_read_oid(&ext, &oid, &oid_len)) != WS_OK ||
		    (ws_der_peek_tag(&ext) == WS_DER_BOOLEAN && (e = ws_der_read_bool(&ext, &critical)) != WS_OK) ||
		    (e = ws_der_read_tag(&ext, WS_DER_OCTET_STRING, &v)) != WS_OK ||
		    (e = ws_der_end(&ext, "an Extension")) != WS_OK)
			return e;
		ws_reader_init(&val, v.val, v.len);
		if (WS_DER_OID_EQ(oid, oid_len, WS_OID_SKI)) {
			if (seen_ski)
				return ws_err_set(WS_ERR_DER_MALFORMED, "two subjectKeyIdentifier extensions");
			seen_ski = true;
			if ((e = ws_der_read_tag(&val, WS_DER_OCTET_STRING, &ski)) != WS_OK)
				return e;
			if (ski.len == 0 || ski.len > WS_CERT_SKI_MAX)
				return ws_err_set(WS_ERR_DER_MALFORMED, "subjectKeyIdentifier of %zu bytes", ski.len);
			memcpy(ca->ski, ski.val, ski.len);
			ca->ski_len = ski.len;
		} else if (WS_DER_OID_EQ(oid, oid_len, WS_OID_BASIC_CONSTRAINTS)) {
			if (seen_bc)
				return ws_err_set(WS_ERR_DER_MALFORMED, "two basicConstraints extensions");
			seen_bc = true;
			if ((e = ws_der_enter(&val, WS_DER_SEQUENCE, &seq)) != WS_OK)
				return e;
			if (ws_der_peek_tag(&seq) == WS_DER_BOOLEAN && (e = ws_der_read_bool(&seq, is_ca)) != WS_OK)
				return e;
			if (ws_der_peek_tag(&seq) == WS_DER_INTEGER) {
				if ((e = ws_der_read_uint(&seq, &pathlen)) != WS_OK)
					return e;
				ca->path_len = pathlen > 255 ? 255 : (int)pathlen;
			}
			if ((e = ws_der_end(&seq, "basicConstraints")) != WS_OK)
				return e;
		} else if (WS_DER_OID_EQ(oid, oid_len, WS_OID_KEY_USAGE)) {
			if (*ku_present)
				return ws_err_set(WS_ERR_DER_MALFORMED, "two keyUsage extensions");
			*ku_present = true;
			if ((e = ws_der_read_bit_string(&val, &bits, &nbits, &unused)) != WS_OK)
				return e;
			*ku = nbits > 0 ? bits[0] : 0;
		} else {
			continue;
		}
		if ((e = ws_der_end(&val, "the extension value")) != WS_OK)
			return e;
	}
	return WS_OK;
}

static ws_err
ca_parse(struct ws_ca *ca)
{
	struct ws_reader r, cert, tbs, ver, validity, exts_outer, exts;
	struct ws_der_tlv top, tbs_tlv, name, spki, alg_inner, alg_outer;
	uint64_t version = 0;
	unsigned unused = 0;
	bool is_ca = false, ku_present = false;
	uint8_t ku = 0;
	enum ws_sigalg inner;
	ws_err e;

	ca->path_len = -1;
	ws_reader_init(&r, ca->der, ca->der_len);
	if ((e = ws_der_read_tag(&r, WS_DER_SEQUENCE, &top)) != WS_OK ||
	    (e = ws_der_end(&r, "the certificate")) != WS_OK)
		return e;
	ws_reader_init(&cert, top.val, top.len);
	if ((e = ws_der_read_tag(&cert, WS_DER_SEQUENCE, &tbs_tlv)) != WS_OK)
		return e;
	ca->tbs = tbs_tlv.tlv;
	ca->tbs_len = tbs_tlv.tlv_len;
	alg_outer.tlv = cert.data + cert.off;
	if ((e = ws_sigalg_read(&cert, &ca->sig_alg)) != WS_OK)
		return e;
	alg_outer.tlv_len = (size_t)(cert.data + cert.off - alg_outer.tlv);
	if ((e = ws_der_read_bit_string(&cert, &ca->sig, &ca->sig_len, &unused)) != WS_OK ||
	    (e = ws_der_end(&cert, "the Certificate")) != WS_OK)
		return e;
	if (unused != 0)
		return ws_err_set(WS_ERR_DER_MALFORMED, "signature BIT STRING has unused bits");

	ws_reader_init(&tbs, tbs_tlv.val, tbs_tlv.len);
	if ((e = ws_der_enter(&tbs, WS_DER_CONTEXT_CONS(0), &ver)) != WS_OK ||
	    (e = ws_der_read_uint(&ver, &version)) != WS_OK ||
	    (e = ws_der_end(&ver, "the version")) != WS_OK)
		return e;
	if (version != X509_V3)
		return ws_err_set(WS_ERR_DER_MALFORMED, "certificate version %llu, not v3",
		    (unsigned long long)version + 1);
	if ((e = ws_der_read_int(&tbs, &ca->serial, &ca->serial_len)) != WS_OK)
		return e;
	alg_inner.tlv = tbs.data + tbs.off;
	if ((e = ws_sigalg_read(&tbs, &inner)) != WS_OK)
		return e;
	alg_inner.tlv_len = (size_t)(tbs.data + tbs.off - alg_inner.tlv);
	if (alg_inner.tlv_len != alg_outer.tlv_len || memcmp(alg_inner.tlv, alg_outer.tlv, alg_inner.tlv_len))
		return ws_err_set(WS_ERR_DER_MALFORMED, "the two signature algorithms differ");
	if ((e = ws_der_read_tag(&tbs, WS_DER_SEQUENCE, &name)) != WS_OK)
		return e;
	ca->issuer = name.tlv;
	ca->issuer_len = name.tlv_len;
	if ((e = ws_der_enter(&tbs, WS_DER_SEQUENCE, &validity)) != WS_OK ||
	    (e = ws_der_read_time(&validity, &ca->not_before)) != WS_OK ||
	    (e = ws_der_read_time(&validity, &ca->not_after)) != WS_OK ||
	    (e = ws_der_end(&validity, "the validity")) != WS_OK)
		return e;
	if ((e = ws_der_read_tag(&tbs, WS_DER_SEQUENCE, &name)) != WS_OK)
		return e;
	ca->subject = name.tlv;
	ca->subject_len = name.tlv_len;
	if ((e = ws_der_read_tag(&tbs, WS_DER_SEQUENCE, &spki)) != WS_OK)
		return e;
	ca->spki = spki.tlv;
	ca->spki_len = spki.tlv_len;
	if ((e = ws_spki_parse(spki.tlv, spki.tlv_len, &ca->key)) != WS_OK)
		return e;
	/* issuerUniqueID [1] and subjectUniqueID [2] are skipped if present. */
	for (uint8_t t = 1; t <= 2; t++) {
		struct ws_der_tlv uid;

		if (ws_der_peek_tag(&tbs) == WS_DER_CONTEXT(t) && (e = ws_der_read(&tbs, &uid)) != WS_OK)
			return e;
	}
	if ((e = ws_der_enter(&tbs, WS_DER_CONTEXT_CONS(3), &exts_outer)) != WS_OK ||
	    (e = ws_der_enter(&exts_outer, WS_DER_SEQUENCE, &exts)) != WS_OK ||
	    (e = ws_der_end(&exts_outer, "the extensions")) != WS_OK ||
	    (e = ws_der_end(&tbs, "the TBSCertificate")) != WS_OK)
		return e;
	if ((e = ca_parse_extensions(ca, &exts, &is_ca, &ku_present, &ku)) != WS_OK)
		return e;
	if (!is_ca)
		return ws_err_set(WS_ERR_INVALID_ARGUMENT, "not a CA certificate (no basicConstraints CA:TRUE)");
	if (ku_present && !(ku & WS_KU_KEY_CERT_SIGN))
		return ws_err_set(WS_ERR_INVALID_ARGUMENT, "the CA's keyUsage lacks keyCertSign");
	if (ca->key.type != WS_PUBKEY_EC_P256)
		return ws_err_set(WS_ERR_KEY_TYPE, "the CA key is %s; CA keys are EC P-256", ca->key.desc);
	if (ca->ski_len == 0) {
		ski_method1(&ca->key, ca->ski);
		ca->ski_len = SHA1_LEN;
	}
	return ws_spki_pkey(&ca->key, &ca->pkey);
}

ws_err
ws_ca_parse(const uint8_t *der, size_t len, struct ws_ca **out)
{
	struct ws_ca *ca = NULL;
	ws_err e;

	if (len > WS_CERT_MAX) {
		e = ws_err_set(WS_ERR_LIMIT, "CA certificate of %zu bytes", len);
		goto out;
	}
	if ((ca = calloc(1, sizeof(*ca))) == NULL || (ca->der = malloc(len ? len : 1)) == NULL) {
		e = ws_err_set(WS_ERR_NOMEM, "allocating a CA");
		goto out;
	}
	memcpy(ca->der, der, len);
	ca->der_len = len;
	if ((e = ca_parse(ca)) != WS_OK) {
		ws_err_prefix("CA certificate");
		goto out;
	}
	*out = ca;
	ca = NULL;
out:
	ws_ca_free(ca);
	return e;
}

ws_err
ws_ca_check_issued_by(const struct ws_ca *cert, const struct ws_ca *issuer)
{
	ws_err e;

	if (cert->issuer_len != issuer->subject_len ||
	    memcmp(cert->issuer, issuer->subject, cert->issuer_len) != 0)
		return ws_err_set(WS_ERR_CRYPTO, "the certificate's issuer is not the CA's subject");
	e = ws_sig_verify(issuer->pkey, issuer->key.type, cert->sig_alg, cert->tbs, cert->tbs_len,
	    cert->sig, cert->sig_len);
	if (e != WS_OK) {
		ws_err_prefix("the certificate's signature does not verify with the CA's key");
		return e == WS_ERR_NOMEM ? e : WS_ERR_CRYPTO;
	}
	return WS_OK;
}

/* ---- signing ---- */

ws_err
ws_x509_sign(struct ws_buf *b, size_t start, EVP_PKEY *verify_key, ws_sign_cb sign, void *sign_ctx)
{
	uint8_t sig[WS_CERT_SIG_MAX];
	size_t sig_len = sizeof(sig), old_len = b->len;
	struct ws_reader r, whole;
	struct ws_der_tlv tbs;
	const uint8_t *bits = NULL;
	size_t nbits = 0;
	unsigned unused = 0;
	enum ws_sigalg alg;
	ws_err e;

	if (start >= b->len)
		return ws_err_set(WS_ERR_INVALID_ARGUMENT, "nothing to sign");
	if ((e = sign(sign_ctx, b->data + start, b->len - start, sig, &sig_len)) != WS_OK) {
		ws_err_prefix("signing");
		goto out;
	}
	if (sig_len == 0 || sig_len > sizeof(sig)) {
		e = ws_err_set(WS_ERR_CRYPTO, "the signer returned a signature of %zu bytes", sig_len);
		goto out;
	}
	if ((e = ws_sigalg_put_ecdsa_sha256(b)) != WS_OK ||
	    (e = ws_der_put_bit_string(b, sig, sig_len, 0)) != WS_OK ||
	    (e = ws_der_wrap_seq(b, start)) != WS_OK)
		goto out;

	/* Read back what was built, strictly, and check the signature in it. */
	ws_reader_init(&r, b->data + start, b->len - start);
	if ((e = ws_der_enter(&r, WS_DER_SEQUENCE, &whole)) != WS_OK ||
	    (e = ws_der_end(&r, "the signed object")) != WS_OK ||
	    (e = ws_der_read_tag(&whole, WS_DER_SEQUENCE, &tbs)) != WS_OK ||
	    (e = ws_sigalg_read(&whole, &alg)) != WS_OK ||
	    (e = ws_der_read_bit_string(&whole, &bits, &nbits, &unused)) != WS_OK ||
	    (e = ws_der_end(&whole, "the signed object")) != WS_OK) {
		ws_err_prefix("reading back the signed object");
		e = WS_ERR_INTERNAL;
		goto out;
	}
	e = ws_sig_verify(verify_key, WS_PUBKEY_EC_P256, alg, tbs.tlv, tbs.tlv_len, bits, nbits);
	if (e != WS_OK) {
		ws_err_prefix("the signature made by the signer does not verify with the issuer's public key");
		e = e == WS_ERR_NOMEM ? e : WS_ERR_CRYPTO;
		goto out;
	}
out:
	if (e != WS_OK)
		b->len = old_len < b->len ? old_len : b->len;
	return e;
}

/* ---- building blocks ---- */

static ws_err
random_serial(uint8_t serial[WS_CERT_SERIAL_MAX], size_t *len)
{
	uint8_t buf[WS_CERT_SERIAL_MAX];
	size_t i;

	do {
		if (RAND_bytes(buf, sizeof(buf)) != 1)
			return ws_err_crypto(WS_ERR_CRYPTO, "RAND_bytes");
		buf[0] &= 0x7f;		/* at most 159 bits: positive, and 20 octets once encoded */
		for (i = 0; i < sizeof(buf) && buf[i] == 0; i++)
			;
	} while (i == sizeof(buf));
	memcpy(serial, buf + i, sizeof(buf) - i);
	*len = sizeof(buf) - i;
	return WS_OK;
}

/* Checks a string that goes into a Name we write ourselves. */
static ws_err
check_name_value(const char *what, const char *s)
{
	size_t len = strlen(s);

	if (len == 0 || len > WS_CERT_NAME_MAX)
		return ws_err_set(WS_ERR_INVALID_ARGUMENT, "%s must be 1 to %d bytes, not %zu", what,
		    WS_CERT_NAME_MAX, len);
	if (ws_der_text_check((const uint8_t *)s, len) != len)
		return ws_err_set(WS_ERR_INVALID_ARGUMENT, "%s is not UTF-8 text without control characters", what);
	return WS_OK;
}

/* Appends Name ::= SEQUENCE { SET { CN }, SET { OU } }, both UTF8String. */
static ws_err
put_name_cn_ou(struct ws_buf *b, const char *cn_prefix, const char *cn, const char *ou)
{
	size_t name = b->len, rdn, atv, val;
	ws_err e;

	rdn = b->len;
	atv = b->len;
	if ((e = ws_der_put_oid(b, WS_OID_CN, sizeof(WS_OID_CN))) != WS_OK)
		return e;
	val = b->len;
	if ((e = ws_buf_put_str(b, cn_prefix)) != WS_OK || (e = ws_buf_put_str(b, cn)) != WS_OK ||
	    (e = ws_der_wrap(b, val, WS_DER_UTF8STRING)) != WS_OK ||
	    (e = ws_der_wrap_seq(b, atv)) != WS_OK || (e = ws_der_wrap(b, rdn, WS_DER_SET)) != WS_OK)
		return e;
	rdn = b->len;
	atv = b->len;
	if ((e = ws_der_put_oid(b, WS_OID_OU, sizeof(WS_OID_OU))) != WS_OK ||
	    (e = ws_der_put(b, WS_DER_UTF8STRING, ou, strlen(ou))) != WS_OK ||
	    (e = ws_der_wrap_seq(b, atv)) != WS_OK || (e = ws_der_wrap(b, rdn, WS_DER_SET)) != WS_OK)
		return e;
	return ws_der_wrap_seq(b, name);
}

/* Extension ::= SEQUENCE { extnID, critical DEFAULT FALSE, extnValue OCTET STRING } */
static ws_err
ext_begin(struct ws_buf *b, const uint8_t *oid, size_t oid_len, bool critical, size_t *ext, size_t *val)
{
	ws_err e;

	*ext = b->len;
	if ((e = ws_der_put_oid(b, oid, oid_len)) != WS_OK)
		return e;
	if (critical && (e = ws_der_put_bool(b, true)) != WS_OK)
		return e;
	*val = b->len;
	return WS_OK;
}

static ws_err
ext_end(struct ws_buf *b, size_t ext, size_t val)
{
	ws_err e;

	if ((e = ws_der_wrap(b, val, WS_DER_OCTET_STRING)) != WS_OK)
		return e;
	return ws_der_wrap_seq(b, ext);
}

static ws_err
put_ext_basic_constraints(struct ws_buf *b, bool ca, int path_len)
{
	size_t ext = 0, val = 0;
	ws_err e;

	if ((e = ext_begin(b, WS_OID_BASIC_CONSTRAINTS, sizeof(WS_OID_BASIC_CONSTRAINTS), true, &ext, &val)) != WS_OK)
		return e;
	if (ca && (e = ws_der_put_bool(b, true)) != WS_OK)
		return e;
	if (ca && path_len >= 0 && (e = ws_der_put_uint(b, (uint64_t)path_len)) != WS_OK)
		return e;
	if ((e = ws_der_wrap_seq(b, val)) != WS_OK)
		return e;
	return ext_end(b, ext, val);
}

/* keyUsage from the bits of its first byte (WS_KU_*), as a DER named-bit list. */
static ws_err
put_ext_key_usage(struct ws_buf *b, uint8_t bits)
{
	size_t ext = 0, val = 0;
	unsigned unused = 0;
	ws_err e;

	while (unused < 7 && !(bits & (1u << unused)))
		unused++;
	if ((e = ext_begin(b, WS_OID_KEY_USAGE, sizeof(WS_OID_KEY_USAGE), true, &ext, &val)) != WS_OK ||
	    (e = ws_der_put_bit_string(b, &bits, 1, unused)) != WS_OK)
		return e;
	return ext_end(b, ext, val);
}

static ws_err
put_ext_eku(struct ws_buf *b, bool critical, bool server, bool client)
{
	size_t ext = 0, val = 0;
	ws_err e;

	if ((e = ext_begin(b, WS_OID_EXT_KEY_USAGE, sizeof(WS_OID_EXT_KEY_USAGE), critical, &ext, &val)) != WS_OK)
		return e;
	if (server && (e = ws_der_put_oid(b, WS_OID_KP_SERVER_AUTH, sizeof(WS_OID_KP_SERVER_AUTH))) != WS_OK)
		return e;
	if (client && (e = ws_der_put_oid(b, WS_OID_KP_CLIENT_AUTH, sizeof(WS_OID_KP_CLIENT_AUTH))) != WS_OK)
		return e;
	if ((e = ws_der_wrap_seq(b, val)) != WS_OK)
		return e;
	return ext_end(b, ext, val);
}

static ws_err
put_ext_ski(struct ws_buf *b, const uint8_t *ski, size_t len)
{
	size_t ext = 0, val = 0;
	ws_err e;

	if ((e = ext_begin(b, WS_OID_SKI, sizeof(WS_OID_SKI), false, &ext, &val)) != WS_OK ||
	    (e = ws_der_put(b, WS_DER_OCTET_STRING, ski, len)) != WS_OK)
		return e;
	return ext_end(b, ext, val);
}

/* AuthorityKeyIdentifier ::= SEQUENCE { keyIdentifier [0] IMPLICIT OCTET STRING } */
static ws_err
put_ext_aki(struct ws_buf *b, const uint8_t *keyid, size_t len)
{
	size_t ext = 0, val = 0;
	ws_err e;

	if ((e = ext_begin(b, WS_OID_AKI, sizeof(WS_OID_AKI), false, &ext, &val)) != WS_OK ||
	    (e = ws_der_put(b, WS_DER_CONTEXT(0), keyid, len)) != WS_OK ||
	    (e = ws_der_wrap_seq(b, val)) != WS_OK)
		return e;
	return ext_end(b, ext, val);
}

static ws_err
put_ext_raw(struct ws_buf *b, const uint8_t *oid, size_t oid_len, bool critical, const uint8_t *v, size_t len)
{
	size_t ext = 0, val = 0;
	ws_err e;

	if ((e = ext_begin(b, oid, oid_len, critical, &ext, &val)) != WS_OK || (e = ws_buf_put(b, v, len)) != WS_OK)
		return e;
	return ext_end(b, ext, val);
}

enum profile {
	PROFILE_DEVICE,
	PROFILE_ROOT,
	PROFILE_DEVICE_CA,
	PROFILE_TLS,
};

/* What goes into one certificate. Name and key fields are whole TLVs. */
struct cert_spec {
	enum profile profile;
	const uint8_t *issuer;
	size_t issuer_len;
	const uint8_t *subject;		/* NULL: build CN=<cn_prefix><cn>, OU=<ou> */
	size_t subject_len;
	const char *cn_prefix, *cn, *ou;
	const uint8_t *spki;
	size_t spki_len;
	const struct ws_spki *key;	/* parsed spki, for the SKI */
	const uint8_t *aki;		/* the issuer's SKI; NULL: self-signed (AKI = own SKI) */
	size_t aki_len;
	const uint8_t *san;		/* TLS: subjectAltName extnValue */
	size_t san_len;
	time_t not_before, not_after;
	EVP_PKEY *verify_key;		/* the issuer's public key */
};

static ws_err
put_extensions(struct ws_buf *b, const struct cert_spec *s)
{
	uint8_t ski[SHA1_LEN];
	size_t outer = b->len, seq;
	ws_err e = WS_OK;

	ski_method1(s->key, ski);
	seq = b->len;
	switch (s->profile) {
	case PROFILE_DEVICE:
		if ((e = put_ext_basic_constraints(b, false, -1)) != WS_OK ||
		    (e = put_ext_key_usage(b, WS_KU_DIGITAL_SIGNATURE)) != WS_OK ||
		    (e = put_ext_eku(b, true, false, true)) != WS_OK)
			return e;
		break;
	case PROFILE_ROOT:
		if ((e = put_ext_basic_constraints(b, true, -1)) != WS_OK ||
		    (e = put_ext_key_usage(b, WS_KU_KEY_CERT_SIGN | WS_KU_CRL_SIGN)) != WS_OK ||
		    (e = put_ext_eku(b, false, true, true)) != WS_OK)
			return e;
		break;
	case PROFILE_DEVICE_CA:
		if ((e = put_ext_basic_constraints(b, true, 0)) != WS_OK ||
		    (e = put_ext_key_usage(b, WS_KU_KEY_CERT_SIGN | WS_KU_CRL_SIGN)) != WS_OK)
			return e;
		break;
	case PROFILE_TLS:
		if ((e = put_ext_basic_constraints(b, false, -1)) != WS_OK ||
		    (e = put_ext_key_usage(b, WS_KU_DIGITAL_SIGNATURE)) != WS_OK ||
		    (e = put_ext_eku(b, false, true, false)) != WS_OK ||
		    (e = put_ext_raw(b, WS_OID_SAN, sizeof(WS_OID_SAN), false, s->san, s->san_len)) != WS_OK)
			return e;
		break;
	}
	if ((e = put_ext_ski(b, ski, sizeof(ski))) != WS_OK)
		return e;
	if (s->aki != NULL)
		e = put_ext_aki(b, s->aki, s->aki_len);
	else
		e = put_ext_aki(b, ski, sizeof(ski));
	if (e != WS_OK || (e = ws_der_wrap_seq(b, seq)) != WS_OK)
		return e;
	return ws_der_wrap(b, outer, WS_DER_CONTEXT_CONS(3));
}

static void
hex_encode(const uint8_t *p, size_t len, char *out)
{
	static const char hx[] = "0123456789abcdef";

	for (size_t i = 0; i < len; i++) {
		out[2 * i] = hx[p[i] >> 4];
		out[2 * i + 1] = hx[p[i] & 15];
	}
	out[2 * len] = '\0';
}

static ws_err
cert_build(const struct cert_spec *s, ws_sign_cb sign, void *sign_ctx, struct ws_cert **out)
{
	struct ws_buf b = WS_BUF_INIT(WS_CERT_MAX);
	struct ws_cert *cert = NULL;
	size_t tbs = 0, mark;
	ws_err e;

	if (s->not_after <= s->not_before) {
		e = ws_err_set(WS_ERR_INVALID_ARGUMENT, "notAfter is not after notBefore");
		goto out;
	}
	if ((cert = calloc(1, sizeof(*cert))) == NULL) {
		e = ws_err_set(WS_ERR_NOMEM, "allocating a certificate");
		goto out;
	}
	if ((e = random_serial(cert->serial, &cert->serial_len)) != WS_OK)
		goto out;
	cert->not_before = s->not_before;
	cert->not_after = s->not_after;

	/* TBSCertificate */
	mark = b.len;
	if ((e = ws_der_put_uint(&b, X509_V3)) != WS_OK ||
	    (e = ws_der_wrap(&b, mark, WS_DER_CONTEXT_CONS(0))) != WS_OK ||
	    (e = ws_der_put_uint_bytes(&b, cert->serial, cert->serial_len)) != WS_OK ||
	    (e = ws_sigalg_put_ecdsa_sha256(&b)) != WS_OK ||
	    (e = ws_buf_put(&b, s->issuer, s->issuer_len)) != WS_OK)
		goto out;
	mark = b.len;
	if ((e = ws_der_put_time(&b, s->not_before)) != WS_OK ||
	    (e = ws_der_put_time(&b, s->not_after)) != WS_OK ||
	    (e = ws_der_wrap_seq(&b, mark)) != WS_OK)
		goto out;
	if (s->subject != NULL)
		e = ws_buf_put(&b, s->subject, s->subject_len);
	else
		e = put_name_cn_ou(&b, s->cn_prefix, s->cn, s->ou);
	if (e != WS_OK ||
	    (e = ws_buf_put(&b, s->spki, s->spki_len)) != WS_OK ||
	    (e = put_extensions(&b, s)) != WS_OK ||
	    (e = ws_der_wrap_seq(&b, tbs)) != WS_OK)
		goto out;

	if ((e = ws_x509_sign(&b, tbs, s->verify_key, sign, sign_ctx)) != WS_OK)
		goto out;
	SHA256(b.data, b.len, cert->sha256);
	hex_encode(cert->serial, cert->serial_len, cert->serial_hex);
	if ((e = ws_buf_steal(&b, &cert->der, &cert->der_len)) != WS_OK)
		goto out;
	*out = cert;
	cert = NULL;
out:
	ws_cert_free(cert);
	ws_buf_free(&b);
	return e;
}

static ws_err
add_years(time_t t, int years, time_t *out)
{
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL)
		return ws_err_set(WS_ERR_INVALID_ARGUMENT, "time %lld cannot be represented", (long long)t);
	tm.tm_year += years;
	*out = timegm(&tm);
	return WS_OK;
}

/* A CA signs only with EC P-256: check the CA key we are about to certify. */
static ws_err
parse_ca_key(const uint8_t *spki, size_t len, struct ws_spki *key)
{
	ws_err e;

	if ((e = ws_spki_parse(spki, len, key)) != WS_OK)
		return e;
	if (key->type != WS_PUBKEY_EC_P256)
		return ws_err_set(WS_ERR_KEY_TYPE, "a CA key must be EC P-256, not %s", key->desc);
	return WS_OK;
}

static ws_err
require_verified(const struct ws_csr *csr)
{
	if (!csr->verified)
		return ws_err_set(WS_ERR_INVALID_ARGUMENT, "the CSR's signature was not verified (ws_csr_verify)");
	return WS_OK;
}

/* ---- the profiles ---- */

ws_err
ws_cert_issue_device(const struct ws_ca *ca, const struct ws_csr *csr, time_t not_before,
    uint64_t valid_seconds, ws_sign_cb sign, void *sign_ctx, struct ws_cert **out)
{
	struct cert_spec s = {
		.profile = PROFILE_DEVICE,
		.issuer = ca->subject, .issuer_len = ca->subject_len,
		.subject = csr->subject, .subject_len = csr->subject_len,
		.spki = csr->spki, .spki_len = csr->spki_len, .key = &csr->key,
		.aki = ca->ski, .aki_len = ca->ski_len,
		.not_before = not_before,
		.verify_key = ca->pkey,
	};
	ws_err e;

	if ((e = require_verified(csr)) != WS_OK)
		return e;
	/* 400 years keeps not_after far inside time_t and below year 9999. */
	if (valid_seconds == 0 || valid_seconds > 400ull * 366 * 86400)
		return ws_err_set(WS_ERR_INVALID_ARGUMENT, "validity of %llu seconds",
		    (unsigned long long)valid_seconds);
	s.not_after = not_before + (time_t)valid_seconds;
	return cert_build(&s, sign, sign_ctx, out);
}

ws_err
ws_cert_make_root(const char *factory, const uint8_t *root_spki, size_t root_spki_len,
    time_t not_before, ws_sign_cb sign, void *sign_ctx, struct ws_cert **out)
{
	struct ws_spki key;
	EVP_PKEY *pkey = NULL;
	struct cert_spec s;
	ws_err e;

	memset(&s, 0, sizeof(s));
	if ((e = check_name_value("the factory name", factory)) != WS_OK ||
	    (e = parse_ca_key(root_spki, root_spki_len, &key)) != WS_OK ||
	    (e = ws_spki_pkey(&key, &pkey)) != WS_OK)
		goto out;
	s.profile = PROFILE_ROOT;
	s.cn_prefix = "";
	s.cn = WS_CERT_ROOT_CN;
	s.ou = factory;
	s.spki = root_spki;
	s.spki_len = root_spki_len;
	s.key = &key;
	s.not_before = not_before;
	s.verify_key = pkey;
	if ((e = add_years(not_before, WS_CERT_ROOT_YEARS, &s.not_after)) != WS_OK)
		goto out;
	/* Self-signed: the issuer is the subject, built once more into a side buffer. */
	{
		struct ws_buf name = WS_BUF_INIT(1024);

		if ((e = put_name_cn_ou(&name, "", WS_CERT_ROOT_CN, factory)) == WS_OK) {
			s.issuer = name.data;
			s.issuer_len = name.len;
			e = cert_build(&s, sign, sign_ctx, out);
		}
		ws_buf_free(&name);
	}
out:
	EVP_PKEY_free(pkey);
	return e;
}

ws_err
ws_cert_make_device_ca(const struct ws_ca *root, const char *factory, const char *owner,
    const uint8_t *ca_spki, size_t ca_spki_len, time_t not_before, ws_sign_cb sign, void *sign_ctx,
    struct ws_cert **out)
{
	struct ws_spki key;
	struct cert_spec s = {
		.profile = PROFILE_DEVICE_CA,
		.issuer = root->subject, .issuer_len = root->subject_len,
		.cn_prefix = WS_CERT_DEVICE_CA_CN_PREFIX, .cn = owner, .ou = factory,
		.spki = ca_spki, .spki_len = ca_spki_len, .key = &key,
		.aki = root->ski, .aki_len = root->ski_len,
		.not_before = not_before,
		.verify_key = root->pkey,
	};
	ws_err e;

	if ((e = check_name_value("the factory name", factory)) != WS_OK ||
	    (e = check_name_value("the owner", owner)) != WS_OK)
		return e;
	if (strlen(WS_CERT_DEVICE_CA_CN_PREFIX) + strlen(owner) > WS_CERT_NAME_MAX)
		return ws_err_set(WS_ERR_INVALID_ARGUMENT, "the device CA's CN \"%s%s\" is longer than %d bytes",
		    WS_CERT_DEVICE_CA_CN_PREFIX, owner, WS_CERT_NAME_MAX);
	if ((e = parse_ca_key(ca_spki, ca_spki_len, &key)) != WS_OK ||
	    (e = add_years(not_before, WS_CERT_DEVICE_CA_YEARS, &s.not_after)) != WS_OK)
		return e;
	return cert_build(&s, sign, sign_ctx, out);
}

ws_err
ws_cert_issue_device_ca(const struct ws_ca *root, const struct ws_csr *csr, time_t not_before,
    ws_sign_cb sign, void *sign_ctx, struct ws_cert **out)
{
	struct cert_spec s = {
		.profile = PROFILE_DEVICE_CA,
		.issuer = root->subject, .issuer_len = root->subject_len,
		.subject = csr->subject, .subject_len = csr->subject_len,
		.spki = csr->spki, .spki_len = csr->spki_len, .key = &csr->key,
		.aki = root->ski, .aki_len = root->ski_len,
		.not_before = not_before,
		.verify_key = root->pkey,
	};
	ws_err e;

	if ((e = require_verified(csr)) != WS_OK)
		return e;
	if (csr->key.type != WS_PUBKEY_EC_P256)
		return ws_err_set(WS_ERR_CSR_KEY, "a device CA key must be EC P-256, not %s", csr->key.desc);
	if ((e = add_years(not_before, WS_CERT_DEVICE_CA_YEARS, &s.not_after)) != WS_OK)
		return e;
	return cert_build(&s, sign, sign_ctx, out);
}

ws_err
ws_cert_issue_tls(const struct ws_ca *root, const struct ws_csr *csr, time_t not_before,
    ws_sign_cb sign, void *sign_ctx, struct ws_cert **out)
{
	struct cert_spec s = {
		.profile = PROFILE_TLS,
		.issuer = root->subject, .issuer_len = root->subject_len,
		.subject = csr->subject, .subject_len = csr->subject_len,
		.spki = csr->spki, .spki_len = csr->spki_len, .key = &csr->key,
		.aki = root->ski, .aki_len = root->ski_len,
		.san = csr->subject_alt_name.value, .san_len = csr->subject_alt_name.len,
		.not_before = not_before,
		.verify_key = root->pkey,
	};
	ws_err e;

	if ((e = require_verified(csr)) != WS_OK)
		return e;
	if (!csr->subject_alt_name.present)
		return ws_err_set(WS_ERR_CSR_EXTENSION, "the CSR requests no subjectAltName");
	if ((e = add_years(not_before, WS_CERT_TLS_YEARS, &s.not_after)) != WS_OK)
		return e;
	return cert_build(&s, sign, sign_ctx, out);
}

ws_err
ws_cert_pem(struct ws_buf *out, const uint8_t *der, size_t len)
{
	return ws_pem_encode(out, "CERTIFICATE", der, len);
}
