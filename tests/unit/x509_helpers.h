/*
 * x509_helpers.h -- test tooling for the X.509 suites: keys, CSRs and a
 * signer made with OpenSSL's high-level API (never used by src/), plus a
 * factory PKI built with wavesign's own builders.
 *
 * Every helper aborts the test (ck_abort) on failure, so the tests read
 * straight.
 */
#ifndef WS_X509_HELPERS_H
#define WS_X509_HELPERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "ws_cert.h"
#include "ws_crl.h"
#include "ws_csr.h"
#include "test_common.h"

/* Asserts the exact code and the exact detail / a part of the detail. */
#define ck_assert_ws_detail(expr, code, detail) do { \
	ck_assert_ws(expr, code); \
	ck_assert_str_eq(ws_err_detail(), detail); \
} while (0)
#define ck_assert_ws_detail_has(expr, code, part) do { \
	ck_assert_ws(expr, code); \
	ck_assert_msg(strstr(ws_err_detail(), part) != NULL, "detail \"%s\" lacks \"%s\"", \
	    ws_err_detail(), part); \
} while (0)

#define TH_FACTORY "acme"
#define TH_UUID "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"
#define TH_TIME 1767225600	/* 2026-01-01T00:00:00Z */

EVP_PKEY *th_key_ec(const char *group);		/* "P-256", "P-384" */
EVP_PKEY *th_key_rsa(int bits);
EVP_PKEY *th_key_ed25519(void);

/* SubjectPublicKeyInfo DER of key (malloc'd). */
uint8_t *th_spki(EVP_PKEY *key, size_t *len);

/* One subject attribute: field is a short name or a dotted OID. */
struct th_rdn {
	const char *field;
	const char *value;
	int type;	/* V_ASN1_UTF8STRING (0 = that), V_ASN1_PRINTABLESTRING, V_ASN1_IA5STRING, ... */
	bool same_set;	/* add to the previous RDN (multi-valued) */
};

struct th_csr_opts {
	const struct th_rdn *rdns;	/* NULL: CN=TH_UUID, OU=TH_FACTORY */
	size_t n_rdns;
	const char *ext_bc;		/* e.g. "critical,CA:TRUE"; NULL: none */
	const char *ext_ku;		/* NULL: "critical,digitalSignature" ("" for none) */
	const char *ext_eku;		/* NULL: "critical,clientAuth" ("" for none) */
	const char *ext_san;		/* e.g. "DNS:gw.example.com,IP:10.0.0.1" */
	const EVP_MD *md;		/* NULL: SHA-256 (none for Ed25519) */
};

/* A CSR as DER (malloc'd). */
uint8_t *th_csr_der(EVP_PKEY *key, const struct th_csr_opts *o, size_t *len);

/* A CSR as PEM text (malloc'd, NUL-terminated). */
char *th_csr_pem(EVP_PKEY *key, const struct th_csr_opts *o);

/* The usual device CSR: CN=uuid, OU=factory[, businessCategory=production]. */
uint8_t *th_device_csr(EVP_PKEY *key, const char *uuid, const char *ou, bool production, size_t *len);

/* Parses and verifies; aborts on failure. */
struct ws_csr *th_csr_ok(const uint8_t *der, size_t len);

/* Offset of needle in hay; aborts when absent. */
size_t th_find(const uint8_t *hay, size_t n, const void *needle, size_t m);

/* A ws_sign_cb over an in-memory key. */
struct th_signer {
	EVP_PKEY *key;
	int mode;		/* TH_SIGN_OK, TH_SIGN_FAIL, TH_SIGN_CORRUPT */
	unsigned calls;
};
#define TH_SIGN_OK 0
#define TH_SIGN_FAIL 1		/* returns WS_ERR_TOKEN */
#define TH_SIGN_CORRUPT 2	/* flips a bit of the signature */
ws_err th_sign(void *ctx, const uint8_t *tbs, size_t tbs_len, uint8_t *sig, size_t *sig_len);

/* A factory PKI made with wavesign's builders. */
struct th_pki {
	EVP_PKEY *root_key, *ca_key;
	struct th_signer root_signer, ca_signer;
	struct ws_cert *root_cert, *ca_cert;
	struct ws_ca *root, *ca;
};
void th_pki_make(struct th_pki *p);
void th_pki_free(struct th_pki *p);

/* OpenSSL views, for independent checks. */
X509 *th_x509(const uint8_t *der, size_t len);
X509 *th_x509_from_ws(const struct ws_cert *c);

/* Writes data to dir/name; returns the path (static buffer per call site is not used: malloc'd). */
char *th_write(const char *dir, const char *name, const void *data, size_t len);
/* Writes a certificate as PEM to dir/name. */
char *th_write_pem(const char *dir, const char *name, const uint8_t *der, size_t len);
/* A fresh temporary directory (malloc'd path); th_rmdir removes it and its files. */
char *th_tmpdir(void);
void th_rmdir(char *dir);

#endif
