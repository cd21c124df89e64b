/*
 * pki.c -- the factory PKI's state in the daemon (contract in pki.h):
 * helpers, the CA certificate files and the CA keys. Issued certificates
 * are in pki_certs.c, revocation in pki_crl.c.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon.h"
#include "pki_int.h"
#include "ws_encode.h"
#include "ws_file.h"
#include "ws_pem.h"
#include "ws_sha256.h"
#include "wslog.h"

/* ------------------------------------------------------------ helpers */

unsigned
pki_csr_key_mask(uint32_t policy_key_types)
{
	unsigned mask = 0;

	if (policy_key_types & (1u << WS_PKEY_EC_P256))
		mask |= WS_PUBKEY_BIT(WS_PUBKEY_EC_P256);
	if (policy_key_types & (1u << WS_PKEY_ED25519))
		mask |= WS_PUBKEY_BIT(WS_PUBKEY_ED25519);
	if (policy_key_types & ((1u << WS_PKEY_RSA_2048) | (1u << WS_PKEY_RSA_3072) | (1u << WS_PKEY_RSA_4096)))
		mask |= WS_PUBKEY_BIT(WS_PUBKEY_RSA);
	return mask;
}

static int
hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

ws_err
pki_serial_normalise(const char *in, char out[PKI_SERIAL_HEX_MAX + 1])
{
	char digits[2 * PKI_SERIAL_HEX_MAX + 2];
	size_t n = 0, start = 0, len;

	for (const char *p = in; *p != '\0'; p++) {
		if (*p == ':' && p != in && p[1] != '\0' && p[-1] != ':')
			continue;
		if (hex_value(*p) < 0 || n + 1 >= sizeof(digits))
			return ws_err_set(WS_ERR_INVALID_ARGUMENT, "serial \"%.80s\" is not a certificate serial "
			    "(hex digits, optionally separated by ':', at most %d bytes)", in, WS_CERT_SERIAL_MAX);
		digits[n++] = (char)(*p >= 'A' && *p <= 'F' ? *p - 'A' + 'a' : *p);
	}
	digits[n] = '\0';
	while (start < n && digits[start] == '0')
		start++;
	len = n - start;
	if (len == 0 || len > PKI_SERIAL_HEX_MAX)
		return ws_err_set(WS_ERR_INVALID_ARGUMENT, "serial \"%.80s\" is not a certificate serial "
		    "(hex digits, optionally separated by ':', at most %d bytes, not zero)", in, WS_CERT_SERIAL_MAX);
	/* Whole bytes: one leading '0' when the magnitude has an odd number of digits. */
	if (len % 2 == 1) {
		out[0] = '0';
		memcpy(out + 1, digits + start, len + 1);
	} else {
		memcpy(out, digits + start, len + 1);
	}
	return WS_OK;
}

void
pki_ca_serial(const struct ws_ca *ca, char out[PKI_SERIAL_HEX_MAX + 1])
{
	const uint8_t *p = ca->serial;
	size_t n = ca->serial_len;

	while (n > 1 && p[0] == 0) {
		p++;
		n--;
	}
	if (n > WS_CERT_SERIAL_MAX)
		n = WS_CERT_SERIAL_MAX;	/* ours never are; ws_ca_parse bounds it */
	ws_hex_encode(p, n, out);
}

void
pki_time_string(time_t t, char out[32])
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

bool
pki_time_parse(const char *s, time_t *out)
{
	struct tm tm = { 0 };
	const char *end;

	if (s == NULL || (end = strptime(s, "%Y-%m-%dT%H:%M:%SZ", &tm)) == NULL || *end != '\0')
		return false;
	*out = timegm(&tm);
	return true;
}

const char *
pki_path(const struct pki *pki, const char *name, char *buf, size_t size)
{
	snprintf(buf, size, "%s/%s", pki->pki_dir, name);
	return buf;
}

ws_err
pki_sign(void *ctx, const uint8_t *tbs, size_t tbs_len, uint8_t *sig, size_t *sig_len)
{
	struct pki_signer *s = ctx;

	if (*sig_len < WS_SIG_MAX)
		return ws_err_set(WS_ERR_INTERNAL, "signature buffer of %zu bytes", *sig_len);
	return ws_key_sign(s->session, s->key, WS_SIG_ECDSA_SHA256, tbs, tbs_len, sig, sig_len);
}

/* ------------------------------------------------------------ CA files */

/* Reads one PEM certificate file into a parsed CA and its PEM text. */
static ws_err
ca_load(const char *path, struct ws_ca **ca, char **pem)
{
	struct ws_buf text = WS_BUF_INIT(PKI_CA_FILE_MAX), der = WS_BUF_INIT(PKI_CA_FILE_MAX);
	const char *s = NULL;
	ws_err r;

	*ca = NULL;
	*pem = NULL;
	if ((r = ws_buf_read_file(&text, path, PKI_CA_FILE_MAX)) != WS_OK ||
	    (r = ws_pem_decode(text.data, text.len, "CERTIFICATE", WS_ERR_DER_MALFORMED, &der)) != WS_OK ||
	    (r = ws_ca_parse(der.data, der.len, ca)) != WS_OK) {
		ws_err_prefix("%s", path);
		goto out;
	}
	if ((r = ws_buf_cstr(&text, &s)) != WS_OK || (*pem = strdup(s)) == NULL) {
		ws_ca_free(*ca);
		*ca = NULL;
		r = ws_err_set(WS_ERR_NOMEM, "%s", path);
	}
out:
	ws_buf_free(&text);
	ws_buf_free(&der);
	return r;
}

ws_err
pki_open(const char *state_dir, struct pki **out)
{
	struct pki *pki = NULL;
	char root_path[PKI_PATH_MAX + 32], ca_path[PKI_PATH_MAX + 32], index_dir[PKI_PATH_MAX];
	struct stat st;
	ws_err r;

	if ((pki = calloc(1, sizeof(*pki))) == NULL)
		return ws_err_set(WS_ERR_NOMEM, "pki");
	pthread_rwlock_init(&pki->ca_lock, NULL);
	pthread_mutex_init(&pki->init_lock, NULL);
	pthread_mutex_init(&pki->lock, NULL);
	pthread_mutex_init(&pki->crl_lock, NULL);
	pki->index_fd = -1;
	pki->rebuild_fd = -1;
	if ((size_t)snprintf(pki->pki_dir, sizeof(pki->pki_dir), "%s/pki", state_dir) >= sizeof(pki->pki_dir) ||
	    (size_t)snprintf(index_dir, sizeof(index_dir), "%s/index", state_dir) >= sizeof(index_dir) ||
	    (size_t)snprintf(pki->index_path, sizeof(pki->index_path), "%s/certs.jsonl", index_dir) >=
	    sizeof(pki->index_path)) {
		r = ws_err_set(WS_ERR_INVALID_ARGUMENT, "state directory path too long");
		goto out;
	}
	if ((r = ws_file_mkdirs(pki->pki_dir, 0700)) != WS_OK || (r = ws_file_mkdirs(index_dir, 0700)) != WS_OK)
		goto out;
	pki_path(pki, "root.crt", root_path, sizeof(root_path));
	pki_path(pki, "device-ca.crt", ca_path, sizeof(ca_path));
	if (stat(root_path, &st) < 0) {
		if (errno != ENOENT) {
			r = ws_err_errno("%s", root_path);
			goto out;
		}
		if (stat(ca_path, &st) == 0)
			wslog_warn("%s without root.crt: left by an interrupted ca.init; ignored "
			    "(wavesign ca init replaces it)", ca_path);
		*out = pki;
		return WS_OK;
	}
	if ((r = ca_load(root_path, &pki->root, &pki->root_pem)) != WS_OK ||
	    (r = ca_load(ca_path, &pki->device_ca, &pki->device_ca_pem)) != WS_OK)
		goto out;
	if ((r = ws_ca_check_issued_by(pki->root, pki->root)) != WS_OK) {
		ws_err_prefix("%s is not self-signed", root_path);
		goto out;
	}
	if ((r = ws_ca_check_issued_by(pki->device_ca, pki->root)) != WS_OK) {
		ws_err_prefix("%s is not issued by %s", ca_path, root_path);
		goto out;
	}
	*out = pki;
	return WS_OK;
out:
	pki_free(pki);
	return r;
}

void
pki_free(struct pki *pki)
{
	if (pki == NULL)
		return;
	if (pki->index_fd >= 0)
		close(pki->index_fd);
	if (pki->rebuild_fd >= 0) {
		close(pki->rebuild_fd);
		unlink(pki->rebuild_path);
	}
	ws_ca_free(pki->root);
	ws_ca_free(pki->device_ca);
	free(pki->root_pem);
	free(pki->device_ca_pem);
	free(pki->slots);
	free(pki->cas);
	free(pki->revoked);
	pthread_rwlock_destroy(&pki->ca_lock);
	pthread_mutex_destroy(&pki->init_lock);
	pthread_mutex_destroy(&pki->lock);
	pthread_mutex_destroy(&pki->crl_lock);
	free(pki);
}

void
pki_cas(struct pki *pki, struct pki_cas *out)
{
	pthread_rwlock_rdlock(&pki->ca_lock);
	out->root = pki->root;
	out->device_ca = pki->device_ca;
	out->root_pem = pki->root_pem;
	out->device_ca_pem = pki->device_ca_pem;
	pthread_rwlock_unlock(&pki->ca_lock);
}

ws_err
pki_ca_key(struct ws_daemon *d, const struct ws_policy *policy, bool root, const struct ws_key **out)
{
	struct pki *pki = d->pki;
	const struct ws_policy_key *pk;
	const struct ws_key *key;
	struct pki_cas cas;
	const struct ws_ca *ca;
	const char *which = root ? "root-ca" : "device-ca";
	char fp[2 * WS_SHA256_LEN + 1], path[PKI_PATH_MAX + 32];
	uint8_t md[WS_SHA256_LEN];

	if (!policy->certificates.present)
		return ws_err_set(WS_ERR_POLICY_DENIED, "the policy %s has no certificates section, so this "
		    "appliance signs no certificates", policy->path);
	pk = root ? policy->certificates.root_ca_key : policy->certificates.device_ca_key;
	key = keyring_get(&d->keyring, pk->label);
	pki_cas(pki, &cas);
	ca = root ? cas.root : cas.device_ca;
	if (ca == NULL) {
		if (key == NULL)
			return ws_err_set(WS_ERR_KEY_NOT_FOUND, "the %s key '%s' (certificates.%s.key) is not in "
			    "the token; create it first with: wavesign keys init", root ? "root CA" : "device CA",
			    pk->label, which);
		*out = key;
		return WS_OK;
	}
	/* A CA exists: the key the policy names must be the one it certifies. */
	ws_sha256(ca->spki, ca->spki_len, md);
	ws_hex_encode(md, sizeof(md), fp);
	pki_path(pki, root ? "root.crt" : "device-ca.crt", path, sizeof(path));
	if (key == NULL)
		return ws_err_set(WS_ERR_KEY_NOT_FOUND, "%s is for the key sha256:%s, but the token holds no "
		    "key '%s' (certificates.%s.key)", path, fp, pk->label, which);
	if (key->spki_len != ca->spki_len || memcmp(key->spki, ca->spki, ca->spki_len) != 0)
		return ws_err_set(WS_ERR_KEY_NOT_FOUND, "%s is for the key sha256:%s, but the token key '%s' "
		    "(certificates.%s.key) is sha256:%s", path, fp, pk->label, which, key->fingerprint);
	*out = key;
	return WS_OK;
}

ws_err
pki_check_keys(struct pki *pki, struct ws_daemon *d, const struct ws_policy *policy)
{
	const struct ws_key *key;
	struct pki_cas cas;
	ws_err r;

	pki_cas(pki, &cas);
	if (cas.root == NULL || !policy->certificates.present)
		return WS_OK;
	if ((r = pki_ca_key(d, policy, true, &key)) != WS_OK || (r = pki_ca_key(d, policy, false, &key)) != WS_OK)
		return r;
	return WS_OK;
}

void
pki_init_lock(struct pki *pki)
{
	pthread_mutex_lock(&pki->init_lock);
}

void
pki_init_unlock(struct pki *pki)
{
	pthread_mutex_unlock(&pki->init_lock);
}

/* PEM text of der as a malloc'd string. */
static ws_err
pem_string(const uint8_t *der, size_t len, char **out)
{
	struct ws_buf b = WS_BUF_INIT(4 * WS_CERT_MAX);
	uint8_t *data = NULL;
	size_t n = 0;
	ws_err r;

	if ((r = ws_cert_pem(&b, der, len)) == WS_OK && (r = ws_buf_steal(&b, &data, &n)) == WS_OK)
		*out = (char *)data;
	ws_buf_free(&b);
	return r;
}

ws_err
pki_ca_install(struct pki *pki, const struct ws_cert *root, const struct ws_cert *device_ca)
{
	struct ws_ca *root_ca = NULL, *dev_ca = NULL;
	char *root_pem = NULL, *dev_pem = NULL, path[PKI_PATH_MAX + 32];
	char serial[PKI_SERIAL_HEX_MAX + 1];
	ws_err r;

	if ((r = ws_ca_parse(root->der, root->der_len, &root_ca)) != WS_OK ||
	    (r = ws_ca_parse(device_ca->der, device_ca->der_len, &dev_ca)) != WS_OK ||
	    (r = pem_string(root->der, root->der_len, &root_pem)) != WS_OK ||
	    (r = pem_string(device_ca->der, device_ca->der_len, &dev_pem)) != WS_OK)
		goto out;
	/* device-ca.crt first: root.crt existing means the CA is complete. */
	if ((r = ws_file_write_atomic(pki_path(pki, "device-ca.crt", path, sizeof(path)), dev_pem,
	    strlen(dev_pem), 0644)) != WS_OK ||
	    (r = ws_file_write_atomic(pki_path(pki, "root.crt", path, sizeof(path)), root_pem,
	    strlen(root_pem), 0644)) != WS_OK)
		goto out;
	pki_ca_serial(dev_ca, serial);
	pthread_mutex_lock(&pki->lock);
	r = pki_ca_entry_add_locked(pki, serial);
	pthread_mutex_unlock(&pki->lock);
	if (r != WS_OK)
		goto out;
	pthread_rwlock_wrlock(&pki->ca_lock);
	pki->root = root_ca;
	pki->device_ca = dev_ca;
	pki->root_pem = root_pem;
	pki->device_ca_pem = dev_pem;
	pthread_rwlock_unlock(&pki->ca_lock);
	root_ca = dev_ca = NULL;
	root_pem = dev_pem = NULL;
out:
	ws_ca_free(root_ca);
	ws_ca_free(dev_ca);
	free(root_pem);
	free(dev_pem);
	return r;
}

/* ------------------------------------------------------------ records */

const char *
pki_json_str(const json_t *obj, const char *key)
{
	return json_string_value(json_object_get(obj, key));
}

ws_err
pki_bad_record(uint64_t seq, const char *what)
{
	return ws_err_set(WS_ERR_LOG_CORRUPT, "record %llu: %s", (unsigned long long)seq, what);
}
