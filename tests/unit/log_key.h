/*
 * log_key.h -- an in-memory Ed25519 key standing in for the token's audit
 * key in tests (the daemon signs with the token; the log only sees a
 * callback).
 */
#ifndef WS_TEST_LOG_KEY_H
#define WS_TEST_LOG_KEY_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "ws_err.h"
#include "ws_note.h"

struct test_key {
	EVP_PKEY *pkey;
	uint8_t pub[WS_ED25519_PUBLIC_LEN];
	struct ws_note_key note_key;	/* named as given to test_key_init */
	unsigned signatures;		/* how often the callback ran */
	int fail;			/* make the callback fail with WS_ERR_TOKEN */
};

/* From a 32-byte seed (deterministic), or random when seed is NULL. Aborts on failure. */
void test_key_init(struct test_key *k, const char *name, const uint8_t *seed);
void test_key_free(struct test_key *k);

/* A ws_note_sign_cb / ws_log_sign_cb; ctx is a struct test_key. */
ws_err test_key_sign(void *ctx, const uint8_t *msg, size_t len, uint8_t sig[WS_ED25519_SIG_LEN]);

#endif
