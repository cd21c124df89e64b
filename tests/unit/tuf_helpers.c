/*
 * tuf_helpers.c -- in-memory keys and a whole repository for TUF tests
 * (see tuf_helpers.h).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "tuf_helpers.h"

static void
die(const char *what)
{
	fprintf(stderr, "tuf_helpers: %s failed\n", what);
	ERR_print_errors_fp(stderr);
	abort();
}

void
th_ok(ws_err r, const char *what)
{
	if (r != WS_OK) {
		fprintf(stderr, "tuf_helpers: %s: %s (%s)\n", what, ws_err_message(r), ws_err_code(r));
		abort();
	}
}

EVP_PKEY *
th_keygen(enum ws_key_type type)
{
	EVP_PKEY *k = NULL;

	switch (type) {
	case WS_KEY_ED25519:
		k = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
		break;
	case WS_KEY_EC_P256:
		k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
		break;
	case WS_KEY_RSA:
		k = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
		break;
	}
	if (k == NULL)
		die("key generation");
	return k;
}

EVP_PKEY *
th_ed25519_from_seed(const uint8_t seed[32])
{
	EVP_PKEY *k = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, seed, 32);

	if (k == NULL)
		die("Ed25519 from seed");
	return k;
}

static enum ws_key_type
type_of(const EVP_PKEY *k)
{
	switch (EVP_PKEY_get_base_id(k)) {
	case EVP_PKEY_EC: return WS_KEY_EC_P256;
	case EVP_PKEY_RSA: return WS_KEY_RSA;
	default: return WS_KEY_ED25519;
	}
}

struct ws_tuf_key *
th_tuf_key(enum ws_tuf_dialect dialect, EVP_PKEY *priv)
{
	struct ws_tuf_key *key = NULL;
	uint8_t *der = NULL;
	int len = i2d_PUBKEY(priv, &der);

	if (len <= 0)
		die("i2d_PUBKEY");
	th_ok(ws_tuf_key_from_spki(dialect, type_of(priv), der, (size_t)len, &key), "ws_tuf_key_from_spki");
	OPENSSL_free(der);
	key->user = priv;
	return key;
}

static ws_err
sign_with(EVP_PKEY *priv, const uint8_t *msg, size_t len, uint8_t *sig, size_t *sig_len)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pctx = NULL;
	enum ws_key_type type = type_of(priv);
	int ok;

	if (ctx == NULL ||
	    EVP_DigestSignInit(ctx, &pctx, type == WS_KEY_ED25519 ? NULL : EVP_sha256(), NULL, priv) != 1)
		die("EVP_DigestSignInit");
	if (type == WS_KEY_RSA &&
	    (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
	     EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, 32) != 1 ||
	     EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, EVP_sha256()) != 1))
		die("RSA-PSS parameters");
	ok = EVP_DigestSign(ctx, sig, sig_len, msg, len);
	EVP_MD_CTX_free(ctx);
	if (ok != 1)
		die("EVP_DigestSign");
	return WS_OK;
}

ws_err
th_sign(void *ctx, const struct ws_tuf_key *key, const uint8_t *msg, size_t len,
    uint8_t *sig, size_t *sig_len)
{
	(void)ctx;
	return sign_with(key->user, msg, len, sig, sig_len);
}

ws_err
th_sign_with_ctx_key(void *ctx, const struct ws_tuf_key *key, const uint8_t *msg,
    size_t len, uint8_t *sig, size_t *sig_len)
{
	(void)key;
	return sign_with(ctx, msg, len, sig, sig_len);
}

struct ws_tuf_signer
th_signer(struct ws_tuf_key **keys, size_t n)
{
	struct ws_tuf_signer s = { keys, n, th_sign, NULL };

	return s;
}

struct ws_tuf_check
th_check(int64_t prev_version)
{
	struct ws_tuf_check c = { TH_NOW, prev_version, 0, false };

	return c;
}

json_t *
th_targets_map(void)
{
	json_t *t = json_pack(
	    "{s:{s:{s:s}, s:i, s:{s:[s], s:[s], s:s, s:s, s:s, s:{s:{s:s}}, s:s}},"
	    " s:{s:{s:s, s:s}, s:i, s:{s:s, s:[i, s]}}}",
	    "intel-corei7-64-lmp-42",
	    "hashes", "sha256", "5cf2b7a2d6a2b7b5c2e5b0a3d2b8d0f1e6b6c3b2a1d0e9f8c7b6a5d4c3b2a1f0",
	    "length", 0,
	    "custom",
	    "hardwareIds", "intel-corei7-64", "tags", "main", "targetFormat", "OSTREE",
	    "version", "42", "name", "intel-corei7-64-lmp",
	    "docker_compose_apps", "shellhttpd", "uri", "hub.example/shellhttpd@sha256:ab/cd\\\"q\"",
	    "x-unknown-field", "kept verbatim, with / and \\ and \"quotes\"",
	    "firmware.bin",
	    "hashes", "sha256", "0000000000000000000000000000000000000000000000000000000000000000",
	    "sha512", "00",
	    "length", 7,
	    "custom", "note", "another", "mixed", 1, "two");

	if (t == NULL)
		die("targets map");
	return t;
}

struct ws_tuf_root_params
th_root_params(struct ws_tuf_key **role_keys, int64_t version, time_t expires)
{
	struct ws_tuf_root_params p;

	memset(&p, 0, sizeof(p));
	p.version = version;
	p.expires = expires;
	for (unsigned i = 0; i < WS_TUF_ROLE_COUNT; i++) {
		p.roles[i].keys = &role_keys[i];
		p.roles[i].nkeys = 1;
		p.roles[i].threshold = 1;
	}
	return p;
}

void
th_repo_build(struct th_repo *repo, enum ws_tuf_dialect dialect)
{
	th_repo_build_at(repo, dialect, TH_NOW, NULL, NULL);
}

void
th_repo_build_at(struct th_repo *repo, enum ws_tuf_dialect dialect, time_t now,
    EVP_PKEY *const priv[WS_TUF_ROLE_COUNT], const json_t *given)
{
	struct ws_tuf_root_params rp;
	struct ws_tuf_check check = th_check(0);
	struct ws_tuf_signer s;
	struct ws_tuf_targets_params tp;
	struct ws_tuf_meta_file mf;
	struct ws_tuf_snapshot_params sp;
	struct ws_tuf_timestamp_params ts;
	json_t *targets = given ? json_incref((json_t *)given) : th_targets_map();

	memset(repo, 0, sizeof(*repo));
	repo->dialect = dialect;
	repo->own_priv = priv == NULL;
	check.now = now;
	for (unsigned i = 0; i < WS_TUF_ROLE_COUNT; i++) {
		repo->priv[i] = priv ? priv[i] : th_keygen(WS_KEY_ED25519);
		repo->keys[i] = th_tuf_key(dialect, repo->priv[i]);
	}
	rp = th_root_params(repo->keys, 1, now + 365 * TH_DAY);
	s = th_signer(&repo->keys[WS_TUF_ROOT], 1);
	th_ok(ws_tuf_root_sign(dialect, &rp, NULL, &check, &s, &repo->root), "root");

	tp.version = 1;
	tp.expires = now + 365 * TH_DAY;
	tp.targets = targets;
	tp.extra = NULL;
	s = th_signer(&repo->keys[WS_TUF_TARGETS], 1);
	th_ok(ws_tuf_targets_sign(repo->root, &tp, &check, &s, &repo->targets), "targets");

	mf.name = "targets.json";
	mf.doc = repo->targets;
	sp.version = 1;
	sp.expires = now + 30 * TH_DAY;
	sp.files = &mf;
	sp.nfiles = 1;
	s = th_signer(&repo->keys[WS_TUF_SNAPSHOT], 1);
	th_ok(ws_tuf_snapshot_sign(repo->root, &sp, &check, &s, &repo->snapshot), "snapshot");

	ts.version = 1;
	ts.expires = now + 7 * TH_DAY;
	ts.snapshot = repo->snapshot;
	s = th_signer(&repo->keys[WS_TUF_TIMESTAMP], 1);
	th_ok(ws_tuf_timestamp_sign(repo->root, &ts, &check, &s, &repo->timestamp), "timestamp");
	json_decref(targets);
}

void
th_repo_free(struct th_repo *repo)
{
	ws_tuf_doc_free(repo->timestamp);
	ws_tuf_doc_free(repo->snapshot);
	ws_tuf_doc_free(repo->targets);
	ws_tuf_root_free(repo->root);
	for (unsigned i = 0; i < WS_TUF_ROLE_COUNT; i++) {
		ws_tuf_key_free(repo->keys[i]);
		if (repo->own_priv)
			EVP_PKEY_free(repo->priv[i]);
	}
	memset(repo, 0, sizeof(*repo));
}
