/*
 * fuzz-tuf.c -- TUF metadata: envelope parse and verification.
 *
 * Each input is parsed as every role in both dialects. Whatever parses is
 * verified against a fixed root (every role one Ed25519 key from a fixed
 * seed; tests/integration/tuf-repo-gen corpus writes seeds signed by it),
 * dated, its meta entries / target entries read, and, for a root, read
 * into keys and roles and checked as a trust anchor and as a successor.
 *
 * Property beyond "no crash": a parsed document re-encodes, the encoding
 * parses again, and both have the same signed bytes.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "ws_tuf.h"
#include "ws_tuf_doc.h"
#include "ws_tuf_roles.h"
#include "ws_tuf_root.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_NOW ((time_t)1767225600)	/* 2026-01-01T00:00:00Z, as the seeds were made */

static const uint8_t SEED[32] = {
	1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
	17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32,
};

static struct ws_tuf_root *roots[2];	/* [0] foundries, [1] tuf */
static unsigned verified;		/* results are counted, not ignored */

static ws_err
sign_ed25519(void *ctx, const struct ws_tuf_key *key, const uint8_t *msg, size_t len,
    uint8_t *sig, size_t *sig_len)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	int ok = md != NULL && EVP_DigestSignInit(md, NULL, NULL, NULL, ctx) == 1 &&
	    EVP_DigestSign(md, sig, sig_len, msg, len) == 1;

	(void)key;
	EVP_MD_CTX_free(md);
	return ok ? WS_OK : ws_err_set(WS_ERR_CRYPTO, "fuzz signer");
}

static void
setup(void)
{
	static const enum ws_tuf_dialect dialects[2] = { WS_TUF_FOUNDRIES, WS_TUF_SPEC };
	EVP_PKEY *priv;
	uint8_t *der = NULL;
	int der_len;

	if (roots[0] != NULL)
		return;
	if ((priv = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, SEED, sizeof(SEED))) == NULL ||
	    (der_len = i2d_PUBKEY(priv, &der)) <= 0)
		abort();
	for (size_t i = 0; i < 2; i++) {
		struct ws_tuf_key *key = NULL;
		struct ws_tuf_root_params p;
		struct ws_tuf_check check = { FUZZ_NOW, 0, 0, false };
		struct ws_tuf_signer signer;

		if (ws_tuf_key_from_spki(dialects[i], WS_KEY_ED25519, der, (size_t)der_len, &key) != WS_OK)
			abort();
		memset(&p, 0, sizeof(p));
		p.version = 1;
		p.expires = FUZZ_NOW + 365 * 86400;
		for (unsigned r = 0; r < WS_TUF_ROLE_COUNT; r++) {
			p.roles[r].keys = &key;
			p.roles[r].nkeys = 1;
			p.roles[r].threshold = 1;
		}
		signer.keys = &key;
		signer.nkeys = 1;
		signer.sign = sign_ed25519;
		signer.ctx = priv;
		if (ws_tuf_root_sign(dialects[i], &p, NULL, &check, &signer, &roots[i]) != WS_OK)
			abort();
		ws_tuf_key_free(key);
	}
	OPENSSL_free(der);
	EVP_PKEY_free(priv);
}

/* Re-encode, re-parse, same signed bytes. */
static void
check_roundtrip(const struct ws_tuf_doc *doc)
{
	struct ws_buf b = WS_BUF_INIT(WS_TUF_FILE_MAX);
	struct ws_tuf_doc *again = NULL;

	if (ws_tuf_doc_encode(doc->dialect, doc->envelope, &b) != WS_OK)
		abort();
	if (ws_tuf_doc_parse(doc->dialect, doc->role, b.data, b.len, &again) != WS_OK)
		abort();
	if (again->canonical_len != doc->canonical_len ||
	    memcmp(again->canonical, doc->canonical, doc->canonical_len) != 0 ||
	    again->version != doc->version || again->expires != doc->expires)
		abort();
	ws_tuf_doc_free(again);
	ws_buf_free(&b);
}

static void
exercise(enum ws_tuf_dialect d, const struct ws_tuf_root *trusted, struct ws_tuf_doc *doc)
{
	struct ws_tuf_meta_entry e;
	struct ws_tuf_root *root = NULL;

	check_roundtrip(doc);
	if (ws_tuf_root_verify_doc(trusted, doc->role, doc) == WS_OK)
		verified++;
	(void)ws_tuf_doc_check_expiry(doc, FUZZ_NOW);
	switch (doc->role) {
	case WS_TUF_TARGETS:
		(void)ws_tuf_targets_check_entries(d, json_object_get(doc->body, "targets"));
		break;
	case WS_TUF_SNAPSHOT:
		if (ws_tuf_meta_entry_get(doc, "targets.json", &e) == WS_OK)
			(void)ws_tuf_meta_check(doc, "targets.json", doc);
		break;
	case WS_TUF_TIMESTAMP:
		(void)ws_tuf_meta_entry_get(doc, "snapshot.json", &e);
		break;
	case WS_TUF_ROOT:
		if (ws_tuf_root_from_doc(doc, &root) == WS_OK) {
			if (ws_tuf_root_verify_self(root) == WS_OK)
				verified++;
			if (ws_tuf_root_verify_next(trusted, root) == WS_OK)
				verified++;
			ws_tuf_root_free(root);	/* owns doc now */
			return;
		}
		break;
	case WS_TUF_ROLE_COUNT:
		break;
	}
	ws_tuf_doc_free(doc);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum ws_tuf_dialect dialects[2] = { WS_TUF_FOUNDRIES, WS_TUF_SPEC };

	setup();
	for (size_t i = 0; i < 2; i++) {
		for (unsigned r = 0; r < WS_TUF_ROLE_COUNT; r++) {
			struct ws_tuf_doc *doc = NULL;

			if (ws_tuf_doc_parse(dialects[i], (enum ws_tuf_role)r, data, size, &doc) == WS_OK)
				exercise(dialects[i], roots[i], doc);
		}
	}
	return 0;
}
