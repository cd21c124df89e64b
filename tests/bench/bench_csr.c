/*
 * bench_csr.c -- device CSRs for the issuance benchmarks, made before any
 * clock starts (this is the devices' work, not the appliance's): one
 * template per device key from OpenSSL's high-level API, then each CSR is
 * a template with a fresh random UUID as its CN, signed again.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "bench.h"
#include "ws_buf.h"

#define CSR_KEYS 64		/* distinct device keys, used in turn */
#define CSR_FILE_MAX ((size_t)1 << 30)

struct csr_template;
struct csr_job {
	size_t from, to;
	const struct csr_template *templates;
	char **pem;
};

/* A random (version 4) UUID, lower case. */
static void
uuid_random(char out[37])
{
	uint8_t b[16];

	if (RAND_bytes(b, sizeof(b)) != 1)
		bench_die("RAND_bytes failed");
	b[6] = (uint8_t)((b[6] & 0x0f) | 0x40);
	b[8] = (uint8_t)((b[8] & 0x3f) | 0x80);
	snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
	    b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
}

/* PEM "CERTIFICATE REQUEST" of der (malloc'd, NUL-terminated). */
static char *
pem_encode(const uint8_t *der, size_t len)
{
	static const char begin[] = "-----BEGIN CERTIFICATE REQUEST-----\n";
	static const char end[] = "-----END CERTIFICATE REQUEST-----\n";
	size_t cap = sizeof(begin) + sizeof(end) + (len + 2) / 3 * 4 + len / 48 + 2, n = 0;
	char *pem = malloc(cap);

	if (pem == NULL)
		bench_die("out of memory");
	memcpy(pem, begin, sizeof(begin) - 1);
	n = sizeof(begin) - 1;
	for (size_t off = 0; off < len; off += 48) {
		size_t k = len - off < 48 ? len - off : 48;

		n += (size_t)EVP_EncodeBlock((unsigned char *)pem + n, der + off, (int)k);
		pem[n++] = '\n';
	}
	memcpy(pem + n, end, sizeof(end));
	return pem;
}

static void
add_ext(STACK_OF(X509_EXTENSION) *exts, int nid, const char *value)
{
	X509_EXTENSION *e = X509V3_EXT_conf_nid(NULL, NULL, nid, value);

	if (e == NULL || !sk_X509_EXTENSION_push(exts, e))
		bench_die("CSR extension %s", value);
}

/*
 * A key's CSR template: OpenSSL builds one CSR whose CN is the placeholder
 * UUID; each CSR after that is the template's CertificationRequestInfo with
 * a fresh UUID written over the placeholder (same length), signed again.
 * OpenSSL's high-level builder takes about half a millisecond a CSR; this
 * takes about one signature.
 */
#define UUID_PLACEHOLDER "00000000-0000-4000-8000-000000000000"

struct csr_template {
	EVP_PKEY *key;
	uint8_t *info;		/* CertificationRequestInfo TLV */
	size_t info_len, uuid_off;
	uint8_t *alg;		/* signatureAlgorithm TLV */
	size_t alg_len;
};

/* Length of the DER TLV at p (definite lengths only, as i2d writes). */
static size_t
tlv_len(const uint8_t *p)
{
	size_t n = p[1], hdr = 2;

	if (n & 0x80) {
		size_t k = n & 0x7f;

		n = 0;
		for (size_t i = 0; i < k; i++)
			n = n << 8 | p[2 + i];
		hdr += k;
	}
	return hdr + n;
}

static void
csr_template_make(struct csr_template *t, const char *factory)
{
	STACK_OF(X509_EXTENSION) *exts = sk_X509_EXTENSION_new_null();
	X509_REQ *req = X509_REQ_new();
	X509_NAME *name = X509_NAME_new();
	uint8_t *der = NULL, *info, *found;
	int len;

	if ((t->key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256")) == NULL)
		bench_die("P-256 key generation failed");
	if (exts == NULL || req == NULL || name == NULL ||
	    !X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, (const unsigned char *)UUID_PLACEHOLDER, -1,
	    -1, 0) ||
	    !X509_NAME_add_entry_by_txt(name, "OU", MBSTRING_UTF8, (const unsigned char *)factory, -1, -1, 0) ||
	    !X509_REQ_set_version(req, 0) || !X509_REQ_set_subject_name(req, name) ||
	    !X509_REQ_set_pubkey(req, t->key))
		bench_die("building a CSR");
	add_ext(exts, NID_key_usage, "critical,digitalSignature");
	add_ext(exts, NID_ext_key_usage, "critical,clientAuth");
	if (!X509_REQ_add_extensions(req, exts) || X509_REQ_sign(req, t->key, EVP_sha256()) <= 0 ||
	    (len = i2d_X509_REQ(req, &der)) <= 0)
		bench_die("signing a CSR");
	/* CertificationRequest ::= SEQUENCE { info, signatureAlgorithm, signature } */
	if (der[0] != 0x30 || tlv_len(der) != (size_t)len)
		bench_die("CSR template: not one DER SEQUENCE");
	info = der + 2 + (der[1] & 0x80 ? der[1] & 0x7f : 0);
	t->info_len = tlv_len(info);
	t->alg_len = tlv_len(info + t->info_len);
	if ((t->info = malloc(t->info_len)) == NULL || (t->alg = malloc(t->alg_len)) == NULL)
		bench_die("out of memory");
	memcpy(t->info, info, t->info_len);
	memcpy(t->alg, info + t->info_len, t->alg_len);
	if ((found = memmem(t->info, t->info_len, UUID_PLACEHOLDER, strlen(UUID_PLACEHOLDER))) == NULL)
		bench_die("CSR template: no placeholder");
	t->uuid_off = (size_t)(found - t->info);
	OPENSSL_free(der);
	X509_NAME_free(name);
	X509_REQ_free(req);
	sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
}

static void
csr_template_free(struct csr_template *t)
{
	EVP_PKEY_free(t->key);
	free(t->info);
	free(t->alg);
}

/* Appends a DER header (tag, definite length) to out; returns its length. */
static size_t
der_header(uint8_t *out, uint8_t tag, size_t len)
{
	if (len < 0x80) {
		out[0] = tag;
		out[1] = (uint8_t)len;
		return 2;
	}
	if (len < 0x100) {
		out[0] = tag;
		out[1] = 0x81;
		out[2] = (uint8_t)len;
		return 3;
	}
	out[0] = tag;
	out[1] = 0x82;
	out[2] = (uint8_t)(len >> 8);
	out[3] = (uint8_t)len;
	return 4;
}

static char *
csr_make(const struct csr_template *t)
{
	uint8_t *info = malloc(t->info_len), sig[128], der[4096], bits_hdr[8], seq_hdr[8];
	size_t sig_len = sizeof(sig), bits_hl, seq_hl, body, n = 0;
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	char uuid[37];

	if (info == NULL || md == NULL)
		bench_die("out of memory");
	uuid_random(uuid);
	memcpy(info, t->info, t->info_len);
	memcpy(info + t->uuid_off, uuid, 36);
	if (EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, t->key) != 1 ||
	    EVP_DigestSign(md, sig, &sig_len, info, t->info_len) != 1)
		bench_die("signing a CSR");
	bits_hl = der_header(bits_hdr, 0x03, sig_len + 1);
	body = t->info_len + t->alg_len + bits_hl + 1 + sig_len;
	seq_hl = der_header(seq_hdr, 0x30, body);
	if (seq_hl + body > sizeof(der))
		bench_die("CSR too long");
	memcpy(der + n, seq_hdr, seq_hl), n += seq_hl;
	memcpy(der + n, info, t->info_len), n += t->info_len;
	memcpy(der + n, t->alg, t->alg_len), n += t->alg_len;
	memcpy(der + n, bits_hdr, bits_hl), n += bits_hl;
	der[n++] = 0;		/* no unused bits */
	memcpy(der + n, sig, sig_len), n += sig_len;
	free(info);
	EVP_MD_CTX_free(md);
	return pem_encode(der, n);
}

static void *
csr_thread(void *arg)
{
	struct csr_job *j = arg;

	for (size_t i = j->from; i < j->to; i++)
		j->pem[i] = csr_make(&j->templates[i % CSR_KEYS]);
	return NULL;
}

void
bench_csrs_make(const char *path, size_t n, const char *factory, unsigned threads)
{
	struct csr_template templates[CSR_KEYS];
	struct csr_job jobs[16];
	pthread_t th[16];
	char **pem;
	FILE *f;

	if (threads > 16)
		threads = 16;
	if (n == 0 || (pem = calloc(n, sizeof(*pem))) == NULL)
		bench_die("csrs: N must be positive (and memory enough)");
	for (size_t k = 0; k < CSR_KEYS; k++)
		csr_template_make(&templates[k], factory);
	for (unsigned t = 0; t < threads; t++) {
		jobs[t] = (struct csr_job){ n * t / threads, n * (t + 1) / threads, templates, pem };
		if (pthread_create(&th[t], NULL, csr_thread, &jobs[t]) != 0)
			bench_die("pthread_create");
	}
	for (unsigned t = 0; t < threads; t++)
		pthread_join(th[t], NULL);
	if ((f = fopen(path, "w")) == NULL)
		bench_die("%s: %s", path, strerror(errno));
	for (size_t i = 0; i < n; i++) {
		fputs(pem[i], f);
		free(pem[i]);
	}
	if (fclose(f) != 0)
		bench_die("%s: %s", path, strerror(errno));
	free(pem);
	for (size_t k = 0; k < CSR_KEYS; k++)
		csr_template_free(&templates[k]);
}

void
bench_csrs_load(const char *path, struct bench_csrs *out)
{
	static const char end_line[] = "-----END CERTIFICATE REQUEST-----\n";
	struct ws_buf file = WS_BUF_INIT(CSR_FILE_MAX);
	const char *p, *end, *e;
	size_t cap = 0;
	ws_err r;

	memset(out, 0, sizeof(*out));
	if ((r = ws_buf_read_file(&file, path, CSR_FILE_MAX)) != WS_OK)
		bench_die_ws(path, r);
	p = (const char *)file.data;
	end = p + file.len;
	while (p < end && (e = memmem(p, (size_t)(end - p), end_line, sizeof(end_line) - 1)) != NULL) {
		size_t len = (size_t)(e - p) + sizeof(end_line) - 1;

		if (out->n == cap) {
			cap = cap ? 2 * cap : 1024;
			if ((out->pem = realloc(out->pem, cap * sizeof(*out->pem))) == NULL)
				bench_die("out of memory");
		}
		if ((out->pem[out->n] = strndup(p, len)) == NULL)
			bench_die("out of memory");
		out->n++;
		p += len;
	}
	if (out->n == 0)
		bench_die("%s: no CSR in it", path);
	ws_buf_free(&file);
}

void
bench_csrs_free(struct bench_csrs *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->pem[i]);
	free(c->pem);
	memset(c, 0, sizeof(*c));
}
