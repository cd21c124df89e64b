/*
 * x509_helpers.c -- test tooling for the X.509 suites (see x509_helpers.h).
 */
#include "config.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <check.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "test_common.h"
#include "x509_helpers.h"

EVP_PKEY *
th_key_ec(const char *group)
{
	EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", group);

	ck_assert_ptr_nonnull(k);
	return k;
}

EVP_PKEY *
th_key_rsa(int bits)
{
	EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)bits);

	ck_assert_ptr_nonnull(k);
	return k;
}

EVP_PKEY *
th_key_ed25519(void)
{
	EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");

	ck_assert_ptr_nonnull(k);
	return k;
}

uint8_t *
th_spki(EVP_PKEY *key, size_t *len)
{
	uint8_t *der = NULL;
	int n = i2d_PUBKEY(key, &der);

	ck_assert_int_gt(n, 0);
	*len = (size_t)n;
	return der;
}

static void
add_ext(STACK_OF(X509_EXTENSION) *exts, X509_REQ *req, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509_EXTENSION *ext;

	if (value == NULL || value[0] == '\0')
		return;
	X509V3_set_ctx(&ctx, NULL, NULL, req, NULL, 0);
	ext = X509V3_EXT_nconf_nid(NULL, &ctx, nid, value);
	ck_assert_msg(ext != NULL, "extension %d=%s", nid, value);
	sk_X509_EXTENSION_push(exts, ext);
}

static X509_REQ *
make_req(EVP_PKEY *key, const struct th_csr_opts *o)
{
	static const struct th_rdn def[] = {
		{ "CN", TH_UUID, 0, false },
		{ "OU", TH_FACTORY, 0, false },
	};
	const struct th_rdn *rdns = o && o->rdns ? o->rdns : def;
	size_t n = o && o->rdns ? o->n_rdns : 2;
	X509_REQ *req = X509_REQ_new();
	X509_NAME *name = X509_NAME_new();
	STACK_OF(X509_EXTENSION) *exts = sk_X509_EXTENSION_new_null();
	const EVP_MD *md = o && o->md ? o->md : EVP_sha256();

	ck_assert_ptr_nonnull(req);
	ck_assert(X509_REQ_set_version(req, 0));
	for (size_t i = 0; i < n; i++) {
		ASN1_OBJECT *obj = OBJ_txt2obj(rdns[i].field, 0);
		int type = rdns[i].type ? rdns[i].type : V_ASN1_UTF8STRING;

		ck_assert_msg(obj != NULL, "OID %s", rdns[i].field);
		ck_assert(X509_NAME_add_entry_by_OBJ(name, obj, type, (const unsigned char *)rdns[i].value,
		    -1, -1, rdns[i].same_set ? -1 : 0));
		ASN1_OBJECT_free(obj);
	}
	ck_assert(X509_REQ_set_subject_name(req, name));
	ck_assert(X509_REQ_set_pubkey(req, key));
	add_ext(exts, req, NID_basic_constraints, o ? o->ext_bc : NULL);
	add_ext(exts, req, NID_key_usage, o && o->ext_ku ? o->ext_ku : "critical,digitalSignature");
	add_ext(exts, req, NID_ext_key_usage, o && o->ext_eku ? o->ext_eku : "critical,clientAuth");
	add_ext(exts, req, NID_subject_alt_name, o ? o->ext_san : NULL);
	if (sk_X509_EXTENSION_num(exts) > 0)
		ck_assert(X509_REQ_add_extensions(req, exts));
	if (EVP_PKEY_get_id(key) == EVP_PKEY_ED25519)
		md = NULL;
	ck_assert_int_gt(X509_REQ_sign(req, key, md), 0);
	sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
	X509_NAME_free(name);
	return req;
}

uint8_t *
th_csr_der(EVP_PKEY *key, const struct th_csr_opts *o, size_t *len)
{
	X509_REQ *req = make_req(key, o);
	uint8_t *der = NULL;
	int n = i2d_X509_REQ(req, &der);

	ck_assert_int_gt(n, 0);
	X509_REQ_free(req);
	*len = (size_t)n;
	return der;
}

char *
th_csr_pem(EVP_PKEY *key, const struct th_csr_opts *o)
{
	X509_REQ *req = make_req(key, o);
	BIO *bio = BIO_new(BIO_s_mem());
	char *p = NULL, *s;
	long n;

	ck_assert(PEM_write_bio_X509_REQ(bio, req));
	n = BIO_get_mem_data(bio, &p);
	s = malloc((size_t)n + 1);
	memcpy(s, p, (size_t)n);
	s[n] = '\0';
	BIO_free(bio);
	X509_REQ_free(req);
	return s;
}

uint8_t *
th_device_csr(EVP_PKEY *key, const char *uuid, const char *ou, bool production, size_t *len)
{
	struct th_rdn rdns[] = {
		{ "CN", uuid, 0, false },
		{ "OU", ou, 0, false },
		{ "businessCategory", "production", 0, false },
	};
	struct th_csr_opts o = { .rdns = rdns, .n_rdns = production ? 3 : 2 };

	return th_csr_der(key, &o, len);
}

struct ws_csr *
th_csr_ok(const uint8_t *der, size_t len)
{
	struct ws_csr *csr = NULL;

	ck_assert_ws_ok(ws_csr_parse(der, len, &csr));
	ck_assert_ws_ok(ws_csr_verify(csr));
	return csr;
}

size_t
th_find(const uint8_t *hay, size_t n, const void *needle, size_t m)
{
	const uint8_t *p = memmem(hay, n, needle, m);

	ck_assert_msg(p != NULL, "pattern not found");
	return (size_t)(p - hay);
}

ws_err
th_sign(void *ctx, const uint8_t *tbs, size_t tbs_len, uint8_t *sig, size_t *sig_len)
{
	struct th_signer *s = ctx;
	EVP_MD_CTX *m;
	size_t len = *sig_len;

	s->calls++;
	if (s->mode == TH_SIGN_FAIL)
		return ws_err_set(WS_ERR_TOKEN, "test signer refuses");
	m = EVP_MD_CTX_new();
	if (m == NULL || EVP_DigestSignInit(m, NULL, EVP_sha256(), NULL, s->key) != 1 ||
	    EVP_DigestSign(m, sig, &len, tbs, tbs_len) != 1) {
		EVP_MD_CTX_free(m);
		return ws_err_crypto(WS_ERR_CRYPTO, "test signer");
	}
	EVP_MD_CTX_free(m);
	if (s->mode == TH_SIGN_CORRUPT)
		sig[len - 1] ^= 0x01;
	*sig_len = len;
	return WS_OK;
}

void
th_pki_make(struct th_pki *p)
{
	uint8_t *spki;
	size_t spki_len;
	time_t now = time(NULL) - 3600;

	memset(p, 0, sizeof(*p));
	p->root_key = th_key_ec("P-256");
	p->ca_key = th_key_ec("P-256");
	p->root_signer.key = p->root_key;
	p->ca_signer.key = p->ca_key;

	spki = th_spki(p->root_key, &spki_len);
	ck_assert_ws_ok(ws_cert_make_root(TH_FACTORY, spki, spki_len, now, th_sign, &p->root_signer,
	    &p->root_cert));
	OPENSSL_free(spki);
	ck_assert_ws_ok(ws_ca_parse(p->root_cert->der, p->root_cert->der_len, &p->root));
	ck_assert_ws_ok(ws_ca_check_issued_by(p->root, p->root));

	spki = th_spki(p->ca_key, &spki_len);
	ck_assert_ws_ok(ws_cert_make_device_ca(p->root, TH_FACTORY, "owner-1", spki, spki_len, now,
	    th_sign, &p->root_signer, &p->ca_cert));
	OPENSSL_free(spki);
	ck_assert_ws_ok(ws_ca_parse(p->ca_cert->der, p->ca_cert->der_len, &p->ca));
	ck_assert_ws_ok(ws_ca_check_issued_by(p->ca, p->root));
}

void
th_pki_free(struct th_pki *p)
{
	ws_ca_free(p->root);
	ws_ca_free(p->ca);
	ws_cert_free(p->root_cert);
	ws_cert_free(p->ca_cert);
	EVP_PKEY_free(p->root_key);
	EVP_PKEY_free(p->ca_key);
	memset(p, 0, sizeof(*p));
}

X509 *
th_x509(const uint8_t *der, size_t len)
{
	const uint8_t *p = der;
	X509 *x = d2i_X509(NULL, &p, (long)len);

	ck_assert_msg(x != NULL, "d2i_X509 refuses the certificate");
	ck_assert_msg(p == der + len, "d2i_X509 left %ld bytes", (long)(der + len - p));
	return x;
}

X509 *
th_x509_from_ws(const struct ws_cert *c)
{
	return th_x509(c->der, c->der_len);
}

char *
th_write(const char *dir, const char *name, const void *data, size_t len)
{
	char *path = NULL;
	FILE *f;

	ck_assert_int_gt(asprintf(&path, "%s/%s", dir, name), 0);
	f = fopen(path, "wb");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(data, 1, len, f), len);
	ck_assert_int_eq(fclose(f), 0);
	return path;
}

char *
th_write_pem(const char *dir, const char *name, const uint8_t *der, size_t len)
{
	struct ws_buf b = WS_BUF_INIT(1 << 20);
	char *path;

	ck_assert_ws_ok(ws_cert_pem(&b, der, len));
	path = th_write(dir, name, b.data, b.len);
	ws_buf_free(&b);
	return path;
}

char *
th_tmpdir(void)
{
	const char *base = getenv("TMPDIR");
	char *dir = NULL;

	ck_assert_int_gt(asprintf(&dir, "%s/ws-x509-XXXXXX", base && *base ? base : "/tmp"), 0);
	ck_assert_ptr_nonnull(mkdtemp(dir));
	return dir;
}

void
th_rmdir(char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	if (d != NULL) {
		while ((de = readdir(d)) != NULL) {
			char *path = NULL;

			if (de->d_name[0] == '.')
				continue;
			if (asprintf(&path, "%s/%s", dir, de->d_name) > 0) {
				unlink(path);
				free(path);
			}
		}
		closedir(d);
	}
	rmdir(dir);
	free(dir);
}
