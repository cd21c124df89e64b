/* log_key.c -- in-memory Ed25519 signer for tests (see log_key.h). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/rand.h>

#include "log_key.h"

void
test_key_init(struct test_key *k, const char *name, const uint8_t *seed)
{
	uint8_t rnd[32];
	size_t len = sizeof(k->pub);

	memset(k, 0, sizeof(*k));
	if (seed == NULL) {
		if (RAND_bytes(rnd, sizeof(rnd)) != 1)
			abort();
		seed = rnd;
	}
	k->pkey = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, seed, 32);
	if (k->pkey == NULL || EVP_PKEY_get_raw_public_key(k->pkey, k->pub, &len) != 1 || len != 32)
		abort();
	if (ws_note_key_init(&k->note_key, name, k->pub) != WS_OK)
		abort();
}

void
test_key_free(struct test_key *k)
{
	EVP_PKEY_free(k->pkey);
	k->pkey = NULL;
}

ws_err
test_key_sign(void *ctx, const uint8_t *msg, size_t len, uint8_t sig[WS_ED25519_SIG_LEN])
{
	struct test_key *k = ctx;
	EVP_MD_CTX *md = NULL;
	size_t sig_len = WS_ED25519_SIG_LEN;
	ws_err r = WS_OK;

	k->signatures++;
	if (k->fail)
		return ws_err_set(WS_ERR_TOKEN, "test key told to fail");
	if ((md = EVP_MD_CTX_new()) == NULL || EVP_DigestSignInit(md, NULL, NULL, NULL, k->pkey) != 1 ||
	    EVP_DigestSign(md, sig, &sig_len, msg, len) != 1 || sig_len != WS_ED25519_SIG_LEN)
		r = ws_err_crypto(WS_ERR_CRYPTO, "test signature");
	EVP_MD_CTX_free(md);
	return r;
}
