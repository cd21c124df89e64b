/*
 * tuf_helpers.h -- test tooling for the TUF suites and the repository
 * generator: in-memory OpenSSL keys standing in for the token, a signing
 * callback over them, and a complete four-role repository.
 *
 * Test code only: private keys live in memory here, which the appliance
 * never does. Every helper aborts (with a message on stderr) on failure,
 * so a test reads as its steps.
 */
#ifndef WS_TUF_HELPERS_H
#define WS_TUF_HELPERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <jansson.h>
#include <openssl/evp.h>

#include "ws_tuf.h"
#include "ws_tuf_doc.h"
#include "ws_tuf_key.h"
#include "ws_tuf_roles.h"
#include "ws_tuf_root.h"

#define TH_NOW ((time_t)1767225600)	/* 2026-01-01T00:00:00Z */
#define TH_DAY ((time_t)86400)

/* A fresh private key: Ed25519, EC P-256 or RSA-2048. */
EVP_PKEY *th_keygen(enum ws_key_type type);

/* An Ed25519 private key from a 32-byte seed. */
EVP_PKEY *th_ed25519_from_seed(const uint8_t seed[32]);

/* The TUF key of priv in a dialect; key->user = priv (borrowed). Free with ws_tuf_key_free(). */
struct ws_tuf_key *th_tuf_key(enum ws_tuf_dialect dialect, EVP_PKEY *priv);

/* ws_tuf_sign_cb over key->user (an EVP_PKEY *), as the token would sign. */
ws_err th_sign(void *ctx, const struct ws_tuf_key *key, const uint8_t *msg, size_t len,
    uint8_t *sig, size_t *sig_len);

/* A broken signer: signs with the EVP_PKEY * in ctx instead of the key's own. */
ws_err th_sign_with_ctx_key(void *ctx, const struct ws_tuf_key *key, const uint8_t *msg,
    size_t len, uint8_t *sig, size_t *sig_len);

/* A signer over keys with th_sign(). */
struct ws_tuf_signer th_signer(struct ws_tuf_key **keys, size_t n);

/* A check at TH_NOW with the given previous version. */
struct ws_tuf_check th_check(int64_t prev_version);

/* Two Ed25519 targets entries with custom fields, one of them unknown to TUF and to Foundries. */
json_t *th_targets_map(void);

/*
 * A complete repository: one key per role (Ed25519), thresholds 1,
 * root v1 (expires +365 d), targets v1 (th_targets_map(), +365 d),
 * snapshot v1 (+30 d), timestamp v1 (+7 d), all from TH_NOW.
 */
struct th_repo {
	enum ws_tuf_dialect dialect;
	bool own_priv;
	EVP_PKEY *priv[WS_TUF_ROLE_COUNT];
	struct ws_tuf_key *keys[WS_TUF_ROLE_COUNT];
	struct ws_tuf_root *root;
	struct ws_tuf_doc *targets, *snapshot, *timestamp;
};

void th_repo_build(struct th_repo *repo, enum ws_tuf_dialect dialect);

/* The same at another time, with the given keys (NULL: fresh Ed25519 keys; borrowed otherwise). */
void th_repo_build_at(struct th_repo *repo, enum ws_tuf_dialect dialect, time_t now,
    EVP_PKEY *const priv[WS_TUF_ROLE_COUNT], const json_t *targets);
void th_repo_free(struct th_repo *repo);

/* Root parameters with one key per role and thresholds 1. */
struct ws_tuf_root_params th_root_params(struct ws_tuf_key **role_keys, int64_t version, time_t expires);

/* Aborts with the ws_err message when r != WS_OK. */
void th_ok(ws_err r, const char *what);

#endif
