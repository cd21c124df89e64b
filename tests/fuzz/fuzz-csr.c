/*
 * fuzz-csr.c -- the CSR parser, its self-signature check and the profile
 * checks; for a CSR that passes, issuance from it.
 *
 * Properties checked beyond "no crash":
 *   - every pointer the parser hands out lies inside its copy of the DER;
 *   - a CSR given as PEM parses again, identically, from its DER;
 *   - a verified CSR yields a device certificate whose DER holds the CSR's
 *     subject and key bytes verbatim.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "ws_cert.h"
#include "ws_csr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define ALL_KEYS (WS_PUBKEY_BIT(WS_PUBKEY_EC_P256) | WS_PUBKEY_BIT(WS_PUBKEY_ED25519) | \
	WS_PUBKEY_BIT(WS_PUBKEY_RSA))

static EVP_PKEY *ca_key;
static struct ws_ca *ca;

static ws_err
sign_cb(void *ctx, const uint8_t *tbs, size_t tbs_len, uint8_t *sig, size_t *sig_len)
{
	EVP_MD_CTX *m = EVP_MD_CTX_new();
	int ok = m != NULL && EVP_DigestSignInit(m, NULL, EVP_sha256(), NULL, ctx) == 1 &&
	    EVP_DigestSign(m, sig, sig_len, tbs, tbs_len) == 1;

	EVP_MD_CTX_free(m);
	return ok ? WS_OK : ws_err_set(WS_ERR_CRYPTO, "fuzz signer");
}

/* A throw-away root, made once per process. */
static void
ca_init(void)
{
	uint8_t *spki = NULL;
	int n;
	struct ws_cert *root = NULL;

	if (ca != NULL)
		return;
	if ((ca_key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256")) == NULL ||
	    (n = i2d_PUBKEY(ca_key, &spki)) <= 0 ||
	    ws_cert_make_root("fuzz", spki, (size_t)n, 1767225600, sign_cb, ca_key, &root) != WS_OK ||
	    ws_ca_parse(root->der, root->der_len, &ca) != WS_OK)
		abort();
	OPENSSL_free(spki);
	ws_cert_free(root);
}

static void
inside(const struct ws_csr *csr, const uint8_t *p, size_t len)
{
	if (len > 0 && (p < csr->der || p + len > csr->der + csr->der_len))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ws_csr *csr = NULL, *again = NULL;
	struct ws_cert *cert = NULL;
	bool prod = false;
	ws_err e;

	if (ws_csr_parse(data, size, &csr) != WS_OK)
		goto out;
	inside(csr, csr->info, csr->info_len);
	inside(csr, csr->subject, csr->subject_len);
	inside(csr, csr->spki, csr->spki_len);
	inside(csr, csr->sig, csr->sig_len);
	inside(csr, csr->subject_alt_name.value, csr->subject_alt_name.len);
	if (csr->subject_len > WS_CSR_SUBJECT_MAX || csr->n_attrs > WS_CSR_RDN_MAX)
		abort();
	for (size_t i = 0; i < csr->n_attrs; i++)
		if (strlen(csr->attrs[i].value) != csr->attrs[i].value_len)
			abort();

	if (ws_csr_parse(csr->der, csr->der_len, &again) != WS_OK || again->der_len != csr->der_len ||
	    again->subject_len != csr->subject_len || again->n_attrs != csr->n_attrs)
		abort();

	/* The checks' verdicts do not matter here, only that they hold up. */
	e = ws_csr_check_device(csr, "acme", NULL, ALL_KEYS, WS_PRODUCTION_ALLOW, &prod);
	e = ws_csr_check_tls(csr, ALL_KEYS);
	e = ws_csr_check_device_ca(csr, "acme", ALL_KEYS);
	if (ws_csr_verify(csr) != WS_OK)
		goto out;
	e = ws_csr_check_device(csr, "acme", NULL, 0, WS_PRODUCTION_DENY, &prod);
	(void)e;

	ca_init();
	if (ws_cert_issue_device(ca, csr, 1767225600, 86400, sign_cb, ca_key, &cert) != WS_OK)
		abort();
	if (memmem(cert->der, cert->der_len, csr->subject, csr->subject_len) == NULL ||
	    memmem(cert->der, cert->der_len, csr->spki, csr->spki_len) == NULL)
		abort();
out:
	ws_cert_free(cert);
	ws_csr_free(again);
	ws_csr_free(csr);
	return 0;
}
