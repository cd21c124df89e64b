/* test-csr.c -- PKCS#10 parsing, self-signature check and profile checks. */
#include "config.h"

#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "ws_csr.h"
#include "ws_oid.h"
#include "test_common.h"
#include "x509_helpers.h"

#define ALL_KEYS (WS_PUBKEY_BIT(WS_PUBKEY_EC_P256) | WS_PUBKEY_BIT(WS_PUBKEY_ED25519) | \
	WS_PUBKEY_BIT(WS_PUBKEY_RSA))

static EVP_PKEY *key;

static void
setup(void)
{
	key = th_key_ec("P-256");
}

static void
teardown(void)
{
	EVP_PKEY_free(key);
	key = NULL;
}

/* Parses (and verifies) a CSR that must be refused with code at parse time. */
static ws_err
parse_only(const uint8_t *in, size_t len)
{
	struct ws_csr *csr = NULL;
	ws_err e = ws_csr_parse(in, len, &csr);

	if (e == WS_OK)
		ws_csr_free(csr);
	return e;
}

/* Parses, verifies, and runs the device check with the given grant. */
static ws_err
device_check(const uint8_t *der, size_t len, unsigned keys, enum ws_production grant, bool *prod)
{
	struct ws_csr *csr = NULL;
	bool p = false;
	ws_err e;

	if ((e = ws_csr_parse(der, len, &csr)) != WS_OK)
		return e;
	if ((e = ws_csr_verify(csr)) == WS_OK)
		e = ws_csr_check_device(csr, TH_FACTORY, NULL, keys, grant, &p);
	ws_csr_free(csr);
	if (prod != NULL)
		*prod = p;
	return e;
}

static ws_err
device_check_rdns(const struct th_rdn *rdns, size_t n, enum ws_production grant)
{
	struct th_csr_opts o = { .rdns = rdns, .n_rdns = n };
	size_t len;
	uint8_t *der = th_csr_der(key, &o, &len);
	ws_err e = device_check(der, len, 0, grant, NULL);

	OPENSSL_free(der);
	return e;
}

/* ---- accepted CSRs ---- */

START_TEST(test_der_device_ok)
{
	size_t len, want_len;
	uint8_t *der = th_device_csr(key, TH_UUID, TH_FACTORY, false, &len), *want = NULL;
	const uint8_t *p = der;
	X509_REQ *req = d2i_X509_REQ(NULL, &p, (long)len);
	struct ws_csr *csr = th_csr_ok(der, len);
	bool prod = true;

	ck_assert_ptr_nonnull(req);
	/* The subject and key are the CSR's own bytes. */
	want_len = (size_t)i2d_X509_NAME(X509_REQ_get_subject_name(req), &want);
	ck_assert_uint_eq(csr->subject_len, want_len);
	ck_assert_mem_eq(csr->subject, want, want_len);
	ck_assert_ptr_eq(csr->subject, csr->der + th_find(der, len, want, want_len));
	OPENSSL_free(want);
	want = NULL;
	want_len = (size_t)i2d_PUBKEY(key, &want);
	ck_assert_uint_eq(csr->spki_len, want_len);
	ck_assert_mem_eq(csr->spki, want, want_len);
	OPENSSL_free(want);

	ck_assert_int_eq(csr->key.type, WS_PUBKEY_EC_P256);
	ck_assert_str_eq(csr->key.desc, "EC P-256");
	ck_assert_uint_eq(csr->n_attrs, 2);
	ck_assert_str_eq(csr->cn->value, TH_UUID);
	ck_assert_str_eq(csr->ou->value, TH_FACTORY);
	ck_assert_ptr_null(csr->business_category);
	ck_assert(csr->key_usage.present && csr->key_usage.critical);
	ck_assert_uint_eq(csr->key_usage_bits, WS_KU_DIGITAL_SIGNATURE);
	ck_assert(csr->ext_key_usage.present && csr->ext_key_usage.critical);
	ck_assert(!csr->basic_constraints.present && !csr->ca);
	ck_assert(csr->verified);
	ck_assert_ws_ok(ws_csr_check_device(csr, TH_FACTORY, NULL, 0, WS_PRODUCTION_DENY, &prod));
	ck_assert(!prod);
	ws_csr_free(csr);
	X509_REQ_free(req);
	OPENSSL_free(der);
}
END_TEST

START_TEST(test_pem_device_ok)
{
	char *pem = th_csr_pem(key, NULL);
	struct ws_csr *csr = th_csr_ok((const uint8_t *)pem, strlen(pem));
	bool prod = true;

	ck_assert_ws_ok(ws_csr_check_device(csr, TH_FACTORY, NULL, 0, WS_PRODUCTION_ALLOW, &prod));
	ck_assert(!prod);
	ws_csr_free(csr);
	free(pem);
}
END_TEST

START_TEST(test_pem_crlf_and_whitespace_ok)
{
	char *pem = th_csr_pem(key, NULL);
	size_t n = strlen(pem);
	char *crlf = malloc(2 * n + 16);
	size_t j = 0;
	struct ws_csr *csr;

	j += (size_t)sprintf(crlf, " \r\n\t");
	for (size_t i = 0; i < n; i++) {
		if (pem[i] == '\n')
			crlf[j++] = '\r';
		crlf[j++] = pem[i];
	}
	j += (size_t)sprintf(crlf + j, "\n\n  ");
	csr = th_csr_ok((const uint8_t *)crlf, j);
	ck_assert_str_eq(csr->cn->value, TH_UUID);
	ws_csr_free(csr);
	free(crlf);
	free(pem);
}
END_TEST

START_TEST(test_printablestring_ok)
{
	const struct th_rdn rdns[] = {
		{ "CN", TH_UUID, V_ASN1_PRINTABLESTRING, false },
		{ "OU", TH_FACTORY, V_ASN1_PRINTABLESTRING, false },
	};

	ck_assert_ws_ok(device_check_rdns(rdns, 2, WS_PRODUCTION_DENY));
}
END_TEST

START_TEST(test_ed25519_allowed_by_mask)
{
	EVP_PKEY *ed = th_key_ed25519();
	size_t len;
	uint8_t *der = th_device_csr(ed, TH_UUID, TH_FACTORY, false, &len);
	struct ws_csr *csr = th_csr_ok(der, len);
	bool prod;

	ck_assert_int_eq(csr->key.type, WS_PUBKEY_ED25519);
	ck_assert_int_eq(csr->sig_alg, WS_SIGALG_ED25519);
	ck_assert_ws_ok(ws_csr_check_device(csr, TH_FACTORY, NULL, ALL_KEYS, WS_PRODUCTION_DENY, &prod));
	ck_assert_ws_detail(ws_csr_check_device(csr, TH_FACTORY, NULL, 0, WS_PRODUCTION_DENY, &prod),
	    WS_ERR_CSR_KEY, "key Ed25519 is not allowed by this profile (allowed: EC P-256)");
	ws_csr_free(csr);
	OPENSSL_free(der);
	EVP_PKEY_free(ed);
}
END_TEST

START_TEST(test_ecdsa_sha384_ok)
{
	struct th_csr_opts o = { .md = EVP_sha384() };
	size_t len;
	uint8_t *der = th_csr_der(key, &o, &len);
	struct ws_csr *csr = th_csr_ok(der, len);

	ck_assert_int_eq(csr->sig_alg, WS_SIGALG_ECDSA_SHA384);
	ws_csr_free(csr);
	OPENSSL_free(der);
}
END_TEST

/* ---- production marker ---- */

START_TEST(test_production_allowed)
{
	size_t len;
	uint8_t *der = th_device_csr(key, TH_UUID, TH_FACTORY, true, &len);
	bool prod = false;

	ck_assert_ws_ok(device_check(der, len, 0, WS_PRODUCTION_ALLOW, &prod));
	ck_assert(prod);
	ck_assert_ws_ok(device_check(der, len, 0, WS_PRODUCTION_REQUIRE, &prod));
	ck_assert(prod);
	OPENSSL_free(der);
}
END_TEST

START_TEST(test_production_denied)
{
	size_t len;
	uint8_t *der = th_device_csr(key, TH_UUID, TH_FACTORY, true, &len);

	ck_assert_ws_detail(device_check(der, len, 0, WS_PRODUCTION_DENY, NULL), WS_ERR_PRODUCTION_DENIED,
	    "the CSR carries businessCategory=production and this client is not granted production "
	    "certificates");
	OPENSSL_free(der);
}
END_TEST

START_TEST(test_production_required)
{
	size_t len;
	uint8_t *der = th_device_csr(key, TH_UUID, TH_FACTORY, false, &len);

	ck_assert_ws_detail(device_check(der, len, 0, WS_PRODUCTION_REQUIRE, NULL), WS_ERR_PRODUCTION_REQUIRED,
	    "the CSR lacks businessCategory=production, which this client must send");
	OPENSSL_free(der);
}
END_TEST

START_TEST(test_production_other_value)
{
	const struct th_rdn rdns[] = {
		{ "CN", TH_UUID, 0, false },
		{ "OU", TH_FACTORY, 0, false },
		{ "businessCategory", "Production", 0, false },
	};

	ck_assert_ws_detail(device_check_rdns(rdns, 3, WS_PRODUCTION_ALLOW), WS_ERR_CSR_SUBJECT,
	    "businessCategory is \"Production\"; the only value accepted is \"production\"");
}
END_TEST

/* ---- subject profile ---- */

START_TEST(test_wrong_ou)
{
	size_t len;
	uint8_t *der = th_device_csr(key, TH_UUID, "other-factory", false, &len);

	ck_assert_ws_detail(device_check(der, len, 0, WS_PRODUCTION_ALLOW, NULL), WS_ERR_CSR_SUBJECT,
	    "OU is \"other-factory\", expected the factory \"acme\"");
	OPENSSL_free(der);
}
END_TEST

START_TEST(test_bad_cn_not_uuid)
{
	size_t len;
	uint8_t *der = th_device_csr(key, "device-1", TH_FACTORY, false, &len);

	ck_assert_ws_detail(device_check(der, len, 0, WS_PRODUCTION_ALLOW, NULL), WS_ERR_CSR_SUBJECT,
	    "CN \"device-1\" is not a canonical lower-case UUID (8-4-4-4-12 hex digits)");
	OPENSSL_free(der);
}
END_TEST

START_TEST(test_bad_cn_upper_case_uuid)
{
	size_t len;
	uint8_t *der = th_device_csr(key, "0F1E2D3C-4B5A-6978-8796-A5B4C3D2E1F0", TH_FACTORY, false, &len);

	ck_assert_ws_detail(device_check(der, len, 0, WS_PRODUCTION_ALLOW, NULL), WS_ERR_CSR_SUBJECT,
	    "CN \"0F1E2D3C-4B5A-6978-8796-A5B4C3D2E1F0\" is not a canonical lower-case UUID "
	    "(8-4-4-4-12 hex digits)");
	OPENSSL_free(der);
}
END_TEST

START_TEST(test_cn_pattern_whole_match)
{
	regex_t re;
	size_t len;
	uint8_t *ok = th_device_csr(key, "dev-42", TH_FACTORY, false, &len);
	struct ws_csr *csr = th_csr_ok(ok, len);
	bool prod;

	ck_assert_int_eq(regcomp(&re, "dev-[0-9]+", REG_EXTENDED), 0);
	ck_assert_ws_ok(ws_csr_check_device(csr, TH_FACTORY, &re, 0, WS_PRODUCTION_DENY, &prod));
	ws_csr_free(csr);
	OPENSSL_free(ok);

	ok = th_device_csr(key, "dev-42x", TH_FACTORY, false, &len);
	csr = th_csr_ok(ok, len);
	ck_assert_ws_detail(ws_csr_check_device(csr, TH_FACTORY, &re, 0, WS_PRODUCTION_DENY, &prod),
	    WS_ERR_CSR_SUBJECT, "CN \"dev-42x\" does not match the profile's pattern");
	ws_csr_free(csr);
	OPENSSL_free(ok);
	regfree(&re);
}
END_TEST

START_TEST(test_subject_wrong_order)
{
	const struct th_rdn rdns[] = {
		{ "OU", TH_FACTORY, 0, false },
		{ "CN", TH_UUID, 0, false },
	};

	ck_assert_ws_detail(device_check_rdns(rdns, 2, WS_PRODUCTION_ALLOW), WS_ERR_CSR_SUBJECT,
	    "the subject must be CN=<device>, OU=<factory>[, businessCategory=production] in this order; "
	    "it is OU, CN");
}
END_TEST

START_TEST(test_subject_extra_attribute)
{
	const struct th_rdn rdns[] = {
		{ "CN", TH_UUID, 0, false },
		{ "OU", TH_FACTORY, 0, false },
		{ "O", "Acme Inc", 0, false },
	};

	ck_assert_ws_detail(device_check_rdns(rdns, 3, WS_PRODUCTION_ALLOW), WS_ERR_CSR_SUBJECT,
	    "the subject must be CN=<device>, OU=<factory>[, businessCategory=production] in this order; "
	    "it is CN, OU, O");
}
END_TEST

START_TEST(test_duplicate_cn)
{
	const struct th_rdn rdns[] = {
		{ "CN", TH_UUID, 0, false },
		{ "CN", TH_UUID, 0, false },
		{ "OU", TH_FACTORY, 0, false },
	};
	struct th_csr_opts o = { .rdns = rdns, .n_rdns = 3 };
	size_t len;
	uint8_t *der = th_csr_der(key, &o, &len);

	ck_assert_ws_detail(parse_only(der, len), WS_ERR_CSR_SUBJECT, "attribute CN appears twice (RDNs 1 and 2)");
	OPENSSL_free(der);
}
END_TEST

START_TEST(test_multi_valued_rdn)
{
	const struct th_rdn rdns[] = {
		{ "CN", TH_UUID, 0, false },
		{ "OU", TH_FACTORY, 0, true },
	};
	struct th_csr_opts o = { .rdns = rdns, .n_rdns = 2 };
	size_t len;
	uint8_t *der = th_csr_der(key, &o, &len);

	ck_assert_ws_detail_has(parse_only(der, len), WS_ERR_CSR_SUBJECT, "RDN 1 (");
	ck_assert_ws_detail_has(parse_only(der, len), WS_ERR_CSR_SUBJECT,
	    ") is multi-valued; each attribute must be its own RDN");
	OPENSSL_free(der);
}
END_TEST

START_TEST(test_oversized_subject)
{
	char big[401];
	const struct th_rdn rdns[] = {
		{ "CN", TH_UUID, 0, false },
		{ "OU", TH_FACTORY, 0, false },
		{ "O", big, 0, false },
		{ "L", big, 0, false },
		{ "ST", big, 0, false },
	};
	struct th_csr_opts o = { .rdns = rdns, .n_rdns = 5 };
	size_t len;
	uint8_t *der;

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	der = th_csr_der(key, &o, &len);
	/* 4 + (2+2+5+2+36) + (2+2+5+2+4) + 3 * (4+4+5+4+400) bytes */
	ck_assert_ws_detail(parse_only(der, len), WS_ERR_CSR_SUBJECT, "the subject is 1317 bytes (at most 1024)");
	OPENSSL_free(der);
}
END_TEST

START_TEST(test_too_many_rdns)
{
	struct th_rdn rdns[WS_CSR_RDN_MAX + 1];
	char oids[WS_CSR_RDN_MAX + 1][32];
	struct th_csr_opts o = { .rdns = rdns, .n_rdns = WS_CSR_RDN_MAX + 1 };
	size_t len;
	uint8_t *der;

	for (int i = 0; i <= WS_CSR_RDN_MAX; i++) {
		snprintf(oids[i], sizeof(oids[i]), "1.3.6.1.4.1.55555.%d", i + 1);
		rdns[i] = (struct th_rdn){ oids[i], "x", 0, false };
	}
	der = th_csr_der(key, &o, &len);
	ck_assert_ws_detail(parse_only(der, len), WS_ERR_CSR_SUBJECT, "the subject has more than 16 RDNs");
	OPENSSL_free(der);
}
END_TEST

START_TEST(test_ia5string_value)
{
	const struct th_rdn rdns[] = {
		{ "CN", TH_UUID, V_ASN1_IA5STRING, false },
		{ "OU", TH_FACTORY, 0, false },
	};
	struct th_csr_opts o = { .rdns = rdns, .n_rdns = 2 };
	size_t len;
	uint8_t *der = th_csr_der(key, &o, &len);

	ck_assert_ws_detail(parse_only(der, len), WS_ERR_CSR_SUBJECT,
	    "RDN 1 (CN) is encoded as IA5String; only UTF8String and PrintableString are accepted");
	OPENSSL_free(der);
}
END_TEST

START_TEST(test_bmpstring_value)
{
	const struct th_rdn rdns[] = {
		{ "CN", TH_UUID, 0, false },
		{ "OU", "\0a\0c\0m\0e", V_ASN1_BMPSTRING, false },
	};
	struct th_csr_opts o = { .rdns = rdns, .n_rdns = 2 };
	size_t len;
	uint8_t *der = th_csr_der(key, &o, &len);

	ck_assert_ws_detail(parse_only(der, len), WS_ERR_CSR_SUBJECT,
	    "RDN 2 (OU) is encoded as BMPString; only UTF8String and PrintableString are accepted");
	OPENSSL_free(der);
}
END_TEST

START_TEST(test_printablestring_bad_char)
{
	const struct th_rdn rdns[] = {
		{ "CN", "dev@example", V_ASN1_PRINTABLESTRING, false },
		{ "OU", TH_FACTORY, 0, false },
	};
	struct th_csr_opts o = { .rdns = rdns, .n_rdns = 2 };
	size_t len;
	uint8_t *der = th_csr_der(key, &o, &len);

	ck_assert_ws_detail(parse_only(der, len), WS_ERR_CSR_SUBJECT,
	    "RDN 1 (CN): byte 0x40 is not allowed in a PrintableString");
	OPENSSL_free(der);
}
END_TEST

START_TEST(test_printablestring_nul)
{
	const struct th_rdn rdns[] = {
		{ "CN", TH_UUID, V_ASN1_PRINTABLESTRING, false },
		{ "OU", TH_FACTORY, 0, false },
	};
	struct th_csr_opts o = { .rdns = rdns, .n_rdns = 2 };
	size_t len;
	uint8_t *der = th_csr_der(key, &o, &len);

	der[th_find(der, len, TH_UUID, strlen(TH_UUID)) + 8] = '\0';
	ck_assert_ws_detail(parse_only(der, len), WS_ERR_CSR_SUBJECT,
	    "RDN 1 (CN): byte 0x00 is not allowed in a PrintableString");
	OPENSSL_free(der);
}
END_TEST

START_TEST(test_utf8_control_character)
{
	const struct th_rdn rdns[] = {
		{ "CN", "dev\n1", 0, false },
		{ "OU", TH_FACTORY, 0, false },
	};
	struct th_csr_opts o = { .rdns = rdns, .n_rdns = 2 };
	size_t len;
	uint8_t *der = th_csr_der(key, &o, &len);

	ck_assert_ws_detail(parse_only(der, len), WS_ERR_CSR_SUBJECT,
	    "RDN 1 (CN): invalid UTF-8 or a control character at byte 3");
	OPENSSL_free(der);
}
END_TEST

START_TEST(test_utf8_invalid)
{
	size_t len;
	uint8_t *der = th_device_csr(key, TH_UUID, TH_FACTORY, false, &len);
	size_t at = th_find(der, len, TH_FACTORY, strlen(TH_FACTORY));

	/* OpenSSL will not encode bad UTF-8: patch "acme" into an overlong '/' + "me". */
	der[at] = 0xc0;
	der[at + 1] = 0xaf;
	ck_assert_ws_detail(parse_only(der, len), WS_ERR_CSR_SUBJECT,
	    "RDN 2 (OU): invalid UTF-8 or a control character at byte 0");
	OPENSSL_free(der);
}
END_TEST

START_TEST(test_empty_value)
{
	const struct th_rdn rdns[] = {
		{ "CN", "", 0, false },
		{ "OU", TH_FACTORY, 0, false },
	};
	struct th_csr_opts o = { .rdns = rdns, .n_rdns = 2 };
	size_t len;
	uint8_t *der = th_csr_der(key, &o, &len);

	ck_assert_ws_detail(parse_only(der, len), WS_ERR_CSR_SUBJECT, "RDN 1 (CN) has an empty value");
	OPENSSL_free(der);
}
END_TEST

/* ---- keys and signatures ---- */

START_TEST(test_key_rsa_refused_by_profile)
{
	EVP_PKEY *rsa = th_key_rsa(2048);
	size_t len;
	uint8_t *der = th_device_csr(rsa, TH_UUID, TH_FACTORY, false, &len);
	struct ws_csr *csr = th_csr_ok(der, len);	/* the RSA signature itself verifies */
	bool prod;

	ck_assert_int_eq(csr->key.type, WS_PUBKEY_RSA);
	ck_assert_uint_eq(csr->key.bits, 2048);
	ck_assert_int_eq(csr->sig_alg, WS_SIGALG_RSA_SHA256);
	ck_assert_ws_detail(ws_csr_check_device(csr, TH_FACTORY, NULL, 0, WS_PRODUCTION_ALLOW, &prod),
	    WS_ERR_CSR_KEY, "key RSA 2048 is not allowed by this profile (allowed: EC P-256)");
	ck_assert_ws_ok(ws_csr_check_device(csr, TH_FACTORY, NULL, ALL_KEYS, WS_PRODUCTION_ALLOW, &prod));
	ws_csr_free(csr);
	OPENSSL_free(der);
	EVP_PKEY_free(rsa);
}
END_TEST

START_TEST(test_key_p384_refused)
{
	EVP_PKEY *p384 = th_key_ec("P-384");
	size_t len;
	uint8_t *der = th_device_csr(p384, TH_UUID, TH_FACTORY, false, &len);
	struct ws_csr *csr = NULL;

	ck_assert_ws_ok(ws_csr_parse(der, len, &csr));
	ck_assert_int_eq(csr->key.type, WS_PUBKEY_OTHER);
	ck_assert_ws_detail(ws_csr_verify(csr), WS_ERR_CSR_KEY,
	    "CSR public key: EC curve 1.3.132.0.34 (P-384) (usable: EC P-256, Ed25519, RSA 2048 to 8192 bits)");
	ck_assert(!csr->verified);
	ws_csr_free(csr);
	OPENSSL_free(der);
	EVP_PKEY_free(p384);
}
END_TEST

START_TEST(test_point_not_on_curve)
{
	size_t len, spki_len;
	uint8_t *der = th_device_csr(key, TH_UUID, TH_FACTORY, false, &len);
	uint8_t *spki = th_spki(key, &spki_len);
	size_t at = th_find(der, len, spki, spki_len);
	struct ws_csr *csr = NULL;

	der[at + spki_len - 1] ^= 0x01;	/* last byte of Y */
	ck_assert_ws_ok(ws_csr_parse(der, len, &csr));
	ck_assert_ws_detail_has(ws_csr_verify(csr), WS_ERR_CSR_KEY, "CSR public key: the EC public key is invalid");
	ws_csr_free(csr);
	OPENSSL_free(spki);
	OPENSSL_free(der);
}
END_TEST

START_TEST(test_tampered_signature)
{
	size_t len;
	uint8_t *der = th_device_csr(key, TH_UUID, TH_FACTORY, false, &len);
	struct ws_csr *csr = NULL;

	der[len - 1] ^= 0x01;
	ck_assert_ws_ok(ws_csr_parse(der, len, &csr));
	ck_assert_ws_detail_has(ws_csr_verify(csr), WS_ERR_CSR_SIGNATURE,
	    "CSR self-signature: signature does not verify");
	ck_assert(!csr->verified);
	ws_csr_free(csr);
	OPENSSL_free(der);
}
END_TEST

START_TEST(test_tampered_subject)
{
	size_t len;
	uint8_t *der = th_device_csr(key, TH_UUID, TH_FACTORY, false, &len);
	size_t at = th_find(der, len, TH_UUID, strlen(TH_UUID));
	struct ws_csr *csr = NULL;

	der[at] = der[at] == 'a' ? 'b' : 'a';	/* still a valid UUID */
	ck_assert_ws_ok(ws_csr_parse(der, len, &csr));
	ck_assert_ws_detail_has(ws_csr_verify(csr), WS_ERR_CSR_SIGNATURE,
	    "CSR self-signature: signature does not verify");
	ws_csr_free(csr);
	OPENSSL_free(der);
}
END_TEST

/* ---- extensions ---- */

START_TEST(test_ca_true_refused)
{
	struct th_csr_opts o = { .ext_bc = "critical,CA:TRUE" };
	size_t len;
	uint8_t *der = th_csr_der(key, &o, &len);
	struct ws_csr *csr = th_csr_ok(der, len);
	bool prod;

	ck_assert(csr->ca && csr->basic_constraints.present && csr->basic_constraints.critical);
	ck_assert_ws_detail(ws_csr_check_device(csr, TH_FACTORY, NULL, 0, WS_PRODUCTION_ALLOW, &prod),
	    WS_ERR_CSR_EXTENSION, "the CSR requests a CA certificate (basicConstraints CA:TRUE)");
	ck_assert_ws_detail(ws_csr_check_tls(csr, 0), WS_ERR_CSR_EXTENSION,
	    "the CSR requests a CA certificate (basicConstraints CA:TRUE)");
	ws_csr_free(csr);
	OPENSSL_free(der);
}
END_TEST

START_TEST(test_key_cert_sign_refused)
{
	struct th_csr_opts o = { .ext_ku = "critical,digitalSignature,keyCertSign" };
	size_t len;
	uint8_t *der = th_csr_der(key, &o, &len);
	struct ws_csr *csr = th_csr_ok(der, len);
	bool prod;

	ck_assert_ws_detail(ws_csr_check_device(csr, TH_FACTORY, NULL, 0, WS_PRODUCTION_ALLOW, &prod),
	    WS_ERR_CSR_EXTENSION, "the CSR requests CA key usages (keyCertSign or cRLSign)");
	ws_csr_free(csr);
	OPENSSL_free(der);
}
END_TEST

START_TEST(test_duplicate_extension)
{
	X509_REQ *req = X509_REQ_new();
	X509_NAME *name = X509_NAME_new();
	STACK_OF(X509_EXTENSION) *exts = sk_X509_EXTENSION_new_null();
	uint8_t *der = NULL;
	int n;

	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, (const unsigned char *)TH_UUID, -1, -1, 0);
	X509_NAME_add_entry_by_txt(name, "OU", MBSTRING_UTF8, (const unsigned char *)TH_FACTORY, -1, -1, 0);
	X509_REQ_set_subject_name(req, name);
	X509_REQ_set_pubkey(req, key);
	sk_X509_EXTENSION_push(exts, X509V3_EXT_conf_nid(NULL, NULL, NID_key_usage, "digitalSignature"));
	sk_X509_EXTENSION_push(exts, X509V3_EXT_conf_nid(NULL, NULL, NID_key_usage, "keyAgreement"));
	ck_assert(X509_REQ_add_extensions(req, exts));
	ck_assert_int_gt(X509_REQ_sign(req, key, EVP_sha256()), 0);
	n = i2d_X509_REQ(req, &der);
	ck_assert_ws_detail(parse_only(der, (size_t)n), WS_ERR_CSR_EXTENSION, "extension 2.5.29.15 is requested twice");
	OPENSSL_free(der);
	sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
	X509_NAME_free(name);
	X509_REQ_free(req);
}
END_TEST

/* ---- framing: DER and PEM ---- */

START_TEST(test_trailing_garbage_der)
{
	size_t len;
	uint8_t *der = th_device_csr(key, TH_UUID, TH_FACTORY, false, &len);
	uint8_t *more = malloc(len + 2);

	memcpy(more, der, len);
	more[len] = 0x00;
	more[len + 1] = 0x00;
	ck_assert_ws_detail(parse_only(more, len + 2), WS_ERR_CSR_MALFORMED, "2 trailing bytes after the CSR");
	free(more);
	OPENSSL_free(der);
}
END_TEST

START_TEST(test_trailing_garbage_pem)
{
	char *pem = th_csr_pem(key, NULL);
	char *more = NULL;

	ck_assert_int_gt(asprintf(&more, "%sjunk\n", pem), 0);
	ck_assert_ws_detail(parse_only((const uint8_t *)more, strlen(more)), WS_ERR_CSR_MALFORMED,
	    "CSR: 5 bytes of trailing data after the PEM block");
	free(more);
	free(pem);
}
END_TEST

START_TEST(test_two_pem_blocks)
{
	char *pem = th_csr_pem(key, NULL);
	char *two = NULL;

	ck_assert_int_gt(asprintf(&two, "%s\n%s", pem, pem), 0);
	ck_assert_ws_detail(parse_only((const uint8_t *)two, strlen(two)), WS_ERR_CSR_MALFORMED,
	    "CSR: more than one PEM block");
	free(two);
	free(pem);
}
END_TEST

START_TEST(test_truncated_der)
{
	size_t len;
	uint8_t *der = th_device_csr(key, TH_UUID, TH_FACTORY, false, &len);
	char want[128];

	snprintf(want, sizeof(want), "CSR: DER element of %zu bytes, only %zu left", len - 4, len / 2 - 4);
	ck_assert_ws_detail(parse_only(der, len / 2), WS_ERR_TRUNCATED, want);
	ck_assert_ws_detail(parse_only(der, 1), WS_ERR_TRUNCATED,
	    "CSR: DER element header needs 2 bytes, 1 left");
	OPENSSL_free(der);
}
END_TEST

START_TEST(test_truncated_pem)
{
	char *pem = th_csr_pem(key, NULL);

	ck_assert_ws_detail(parse_only((const uint8_t *)pem, strlen(pem) / 2), WS_ERR_TRUNCATED,
	    "CSR: PEM block has no \"-----END CERTIFICATE REQUEST-----\" line");
	free(pem);
}
END_TEST

START_TEST(test_pem_bad_base64)
{
	char *pem = th_csr_pem(key, NULL);

	pem[40] = '!';
	ck_assert_ws_detail(parse_only((const uint8_t *)pem, strlen(pem)), WS_ERR_CSR_MALFORMED,
	    "CSR: byte 0x21 is not base64 (offset 40)");
	free(pem);
}
END_TEST

START_TEST(test_pem_wrong_label)
{
	const char *pem = "-----BEGIN CERTIFICATE-----\nMAA=\n-----END CERTIFICATE-----\n";

	ck_assert_ws_detail(parse_only((const uint8_t *)pem, strlen(pem)), WS_ERR_CSR_MALFORMED,
	    "CSR: PEM BEGIN label is \"CERTIFICATE\", expected \"CERTIFICATE REQUEST\"");
}
END_TEST

START_TEST(test_pem_with_headers)
{
	const char *pem = "-----BEGIN CERTIFICATE REQUEST-----\nProc-Type: 4,ENCRYPTED\n\nMAA=\n"
	    "-----END CERTIFICATE REQUEST-----\n";

	ck_assert_ws_detail(parse_only((const uint8_t *)pem, strlen(pem)), WS_ERR_CSR_MALFORMED,
	    "CSR: byte 0x2d is not base64 (offset 40)");
}
END_TEST

START_TEST(test_neither_der_nor_pem)
{
	const char *s = "hello";

	ck_assert_ws_detail(parse_only((const uint8_t *)s, strlen(s)), WS_ERR_CSR_MALFORMED,
	    "the CSR is neither DER (starting with a SEQUENCE, 0x30) nor PEM "
	    "(\"-----BEGIN CERTIFICATE REQUEST-----\")");
	ck_assert_ws_detail(parse_only((const uint8_t *)s, 0), WS_ERR_CSR_MALFORMED, "the CSR is empty");
}
END_TEST

START_TEST(test_too_large)
{
	uint8_t *big = calloc(1, WS_CSR_MAX + 1);

	big[0] = 0x30;
	ck_assert_ws_detail(parse_only(big, WS_CSR_MAX + 1), WS_ERR_LIMIT, "the CSR is 65537 bytes (at most 65536)");
	free(big);
}
END_TEST

/* Rewrites the outer header "30 82 HH LL" of a DER CSR. */
static uint8_t *
with_outer_header(const uint8_t *der, size_t len, const uint8_t *hdr, size_t hdr_len, size_t *out_len)
{
	uint8_t *p = malloc(len - 4 + hdr_len);

	ck_assert_uint_eq(der[1], 0x82);
	memcpy(p, hdr, hdr_len);
	memcpy(p + hdr_len, der + 4, len - 4);
	*out_len = len - 4 + hdr_len;
	return p;
}

START_TEST(test_ber_indefinite_length)
{
	size_t len, blen;
	uint8_t *der = th_device_csr(key, TH_UUID, TH_FACTORY, false, &len);
	const uint8_t hdr[] = { 0x30, 0x80 };
	uint8_t *ber = with_outer_header(der, len, hdr, sizeof(hdr), &blen);

	ck_assert_ws_detail(parse_only(ber, blen), WS_ERR_CSR_MALFORMED, "CSR: indefinite length (BER, not DER)");
	free(ber);
	OPENSSL_free(der);
}
END_TEST

START_TEST(test_non_minimal_length)
{
	size_t len, blen;
	uint8_t *der = th_device_csr(key, TH_UUID, TH_FACTORY, false, &len);
	const uint8_t hdr[] = { 0x30, 0x83, 0x00, der[2], der[3] };
	uint8_t *ber = with_outer_header(der, len, hdr, sizeof(hdr), &blen);

	ck_assert_ws_detail(parse_only(ber, blen), WS_ERR_CSR_MALFORMED,
	    "CSR: length has a leading zero byte (not minimal)");
	free(ber);
	OPENSSL_free(der);
}
END_TEST

START_TEST(test_version_not_zero)
{
	size_t len;
	uint8_t *der = th_device_csr(key, TH_UUID, TH_FACTORY, false, &len);
	const uint8_t v0[] = { 0x02, 0x01, 0x00, 0x30 };
	size_t at = th_find(der, len, v0, sizeof(v0));

	der[at + 2] = 0x01;
	ck_assert_ws_detail(parse_only(der, len), WS_ERR_CSR_MALFORMED, "CSR version 1 (only 0, PKCS#10 v1, exists)");
	OPENSSL_free(der);
}
END_TEST

/* ---- other profiles ---- */

START_TEST(test_tls_ok)
{
	struct th_csr_opts o = {
		.ext_ku = "", .ext_eku = "",
		.ext_san = "DNS:gw.example.com,DNS:*.gw.example.com,IP:10.0.0.1,IP:::1",
	};
	size_t len;
	uint8_t *der = th_csr_der(key, &o, &len);
	struct ws_csr *csr = th_csr_ok(der, len);

	ck_assert(csr->subject_alt_name.present);
	ck_assert_ws_ok(ws_csr_check_tls(csr, 0));
	ws_csr_free(csr);
	OPENSSL_free(der);
}
END_TEST

START_TEST(test_tls_without_san)
{
	size_t len;
	uint8_t *der = th_csr_der(key, NULL, &len);
	struct ws_csr *csr = th_csr_ok(der, len);

	ck_assert_ws_detail(ws_csr_check_tls(csr, 0), WS_ERR_CSR_EXTENSION,
	    "a TLS CSR must request a subjectAltName with DNS names or IP addresses");
	ws_csr_free(csr);
	OPENSSL_free(der);
}
END_TEST

START_TEST(test_tls_san_email_refused)
{
	struct th_csr_opts o = { .ext_san = "DNS:gw.example.com,email:ops@example.com" };
	size_t len;
	uint8_t *der = th_csr_der(key, &o, &len);
	struct ws_csr *csr = th_csr_ok(der, len);

	ck_assert_ws_detail(ws_csr_check_tls(csr, 0), WS_ERR_CSR_EXTENSION,
	    "subjectAltName entry 2 is of type [1]; only DNS names ([2]) and IP addresses ([7]) are accepted");
	ws_csr_free(csr);
	OPENSSL_free(der);
}
END_TEST

START_TEST(test_tls_san_bad_dns)
{
	struct th_csr_opts o = { .ext_san = "DNS:gw_1.example.com" };
	size_t len;
	uint8_t *der = th_csr_der(key, &o, &len);
	struct ws_csr *csr = th_csr_ok(der, len);

	ck_assert_ws_detail(ws_csr_check_tls(csr, 0), WS_ERR_CSR_EXTENSION,
	    "subjectAltName entry 1: \"gw_1.example.com\" is not a valid DNS name");
	ws_csr_free(csr);
	OPENSSL_free(der);
}
END_TEST

START_TEST(test_device_ca_csr)
{
	const struct th_rdn rdns[] = {
		{ "CN", "fio-second", 0, false },
		{ "OU", TH_FACTORY, 0, false },
	};
	struct th_csr_opts o = { .rdns = rdns, .n_rdns = 2, .ext_bc = "critical,CA:TRUE", .ext_ku = "",
		.ext_eku = "" };
	size_t len;
	uint8_t *der = th_csr_der(key, &o, &len);
	struct ws_csr *csr = th_csr_ok(der, len);

	ck_assert_ws_ok(ws_csr_check_device_ca(csr, TH_FACTORY, 0));
	ck_assert_ws_detail(ws_csr_check_device_ca(csr, "other", 0), WS_ERR_CSR_SUBJECT,
	    "OU is \"acme\", expected the factory \"other\"");
	ws_csr_free(csr);
	OPENSSL_free(der);
}
END_TEST

static Suite *
csr_suite(void)
{
	Suite *s = suite_create("csr");
	TCase *ok = tcase_create("accepted");
	TCase *prod = tcase_create("production");
	TCase *subj = tcase_create("subject");
	TCase *keys = tcase_create("keys");
	TCase *ext = tcase_create("extensions");
	TCase *frame = tcase_create("framing");
	TCase *prof = tcase_create("profiles");
	TCase *all[] = { ok, prod, subj, keys, ext, frame, prof };

	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		tcase_add_checked_fixture(all[i], setup, teardown);
		tcase_set_timeout(all[i], 30);
		suite_add_tcase(s, all[i]);
	}
	tcase_add_test(ok, test_der_device_ok);
	tcase_add_test(ok, test_pem_device_ok);
	tcase_add_test(ok, test_pem_crlf_and_whitespace_ok);
	tcase_add_test(ok, test_printablestring_ok);
	tcase_add_test(ok, test_ed25519_allowed_by_mask);
	tcase_add_test(ok, test_ecdsa_sha384_ok);
	tcase_add_test(prod, test_production_allowed);
	tcase_add_test(prod, test_production_denied);
	tcase_add_test(prod, test_production_required);
	tcase_add_test(prod, test_production_other_value);
	tcase_add_test(subj, test_wrong_ou);
	tcase_add_test(subj, test_bad_cn_not_uuid);
	tcase_add_test(subj, test_bad_cn_upper_case_uuid);
	tcase_add_test(subj, test_cn_pattern_whole_match);
	tcase_add_test(subj, test_subject_wrong_order);
	tcase_add_test(subj, test_subject_extra_attribute);
	tcase_add_test(subj, test_duplicate_cn);
	tcase_add_test(subj, test_multi_valued_rdn);
	tcase_add_test(subj, test_oversized_subject);
	tcase_add_test(subj, test_too_many_rdns);
	tcase_add_test(subj, test_ia5string_value);
	tcase_add_test(subj, test_bmpstring_value);
	tcase_add_test(subj, test_printablestring_bad_char);
	tcase_add_test(subj, test_printablestring_nul);
	tcase_add_test(subj, test_utf8_control_character);
	tcase_add_test(subj, test_utf8_invalid);
	tcase_add_test(subj, test_empty_value);
	tcase_add_test(keys, test_key_rsa_refused_by_profile);
	tcase_add_test(keys, test_key_p384_refused);
	tcase_add_test(keys, test_point_not_on_curve);
	tcase_add_test(keys, test_tampered_signature);
	tcase_add_test(keys, test_tampered_subject);
	tcase_add_test(ext, test_ca_true_refused);
	tcase_add_test(ext, test_key_cert_sign_refused);
	tcase_add_test(ext, test_duplicate_extension);
	tcase_add_test(frame, test_trailing_garbage_der);
	tcase_add_test(frame, test_trailing_garbage_pem);
	tcase_add_test(frame, test_two_pem_blocks);
	tcase_add_test(frame, test_truncated_der);
	tcase_add_test(frame, test_truncated_pem);
	tcase_add_test(frame, test_pem_bad_base64);
	tcase_add_test(frame, test_pem_wrong_label);
	tcase_add_test(frame, test_pem_with_headers);
	tcase_add_test(frame, test_neither_der_nor_pem);
	tcase_add_test(frame, test_too_large);
	tcase_add_test(frame, test_ber_indefinite_length);
	tcase_add_test(frame, test_non_minimal_length);
	tcase_add_test(frame, test_version_not_zero);
	tcase_add_test(prof, test_tls_ok);
	tcase_add_test(prof, test_tls_without_san);
	tcase_add_test(prof, test_tls_san_email_refused);
	tcase_add_test(prof, test_tls_san_bad_dns);
	tcase_add_test(prof, test_device_ca_csr);
	return s;
}

int
main(void)
{
	return ws_test_run(csr_suite());
}
