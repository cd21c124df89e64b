/*
 * ws_tuf_key.h -- TUF key objects and keyids, and checking one signature.
 *
 * A struct ws_tuf_key is a public key as one dialect writes it in root.json
 * (COMPAT.md §3):
 *
 *   foundries  {"keytype":"ED25519"|"RSA","keyval":{"public":P}}
 *              keyid = hex SHA-256 of the key's DER SubjectPublicKeyInfo
 *   tuf        {"keytype":"ed25519"|"ecdsa"|"rsa","scheme":"ed25519"|
 *              "ecdsa-sha2-nistp256"|"rsassa-pss-sha256","keyval":{"public":P}}
 *              keyid = hex SHA-256 of the canonical JSON of that object
 *
 * where P is 64 lower-case hex characters for Ed25519 (the raw 32 bytes)
 * and a PEM "PUBLIC KEY" (SPKI) for RSA and ECDSA. ECDSA exists only in the
 * tuf dialect: aktualizr rejects it. RSA must have at least 2048 bits.
 *
 * Signatures (what the token returns and what ws_tuf_key_verify() checks):
 * Ed25519 pure (64 bytes); ECDSA P-256 over SHA-256, DER-encoded; RSA-PSS
 * with SHA-256, MGF1-SHA256 and a 32-byte salt.
 */
#ifndef WS_TUF_KEY_H
#define WS_TUF_KEY_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <openssl/evp.h>

#include "ws_err.h"
#include "ws_p11.h"
#include "ws_tuf.h"

struct ws_tuf_key {
	enum ws_tuf_dialect dialect;
	enum ws_key_type type;		/* WS_KEY_ED25519, WS_KEY_EC_P256 (tuf only), WS_KEY_RSA */
	enum ws_sig_alg alg;		/* what to ask the token for: ws_key_sign(..., key->alg, ...) */
	unsigned bits;			/* RSA modulus bits; 256 otherwise */
	char keyid[WS_TUF_KEYID_LEN + 1];
	json_t *object;			/* the key object as root.json carries it (owned reference) */
	EVP_PKEY *pkey;			/* the public key (owned) */
	void *user;			/* the caller's own handle (e.g. its struct ws_key *); never touched */
};

/*
 * Builds the key object and keyid of a token key from its type and public
 * key (SubjectPublicKeyInfo DER, as ws_p11.h exports it). On success *out
 * is the caller's (ws_tuf_key_free()).
 * Errors: WS_ERR_KEY_TYPE (ECDSA in the foundries dialect -- aktualizr
 * rejects it --, a curve other than P-256, RSA under 2048 bits, or a key
 * that is not of the declared type), WS_ERR_INVALID_ARGUMENT (spki is not
 * one DER SubjectPublicKeyInfo in canonical form), WS_ERR_NOMEM.
 */
ws_err ws_tuf_key_from_spki(enum ws_tuf_dialect dialect, enum ws_key_type type,
    const uint8_t *spki, size_t spki_len, struct ws_tuf_key **out);

/*
 * Reads a key object from root.json (keys[keyid] = object). Checks the
 * members the dialect requires, the key material, and that keyid is the
 * key's keyid in that dialect. object is copied; on success *out is the
 * caller's. Errors: WS_ERR_TUF (detail "key <keyid>: ..."), WS_ERR_KEY_TYPE
 * (a type the dialect does not allow), WS_ERR_JSON_MISSING/TYPE.
 */
ws_err ws_tuf_key_from_json(enum ws_tuf_dialect dialect, const char *keyid,
    const json_t *object, struct ws_tuf_key **out);

/*
 * Checks sig over msg with the key's scheme. WS_OK when it verifies,
 * WS_ERR_TUF_SIGNATURE when it does not (or is malformed).
 */
ws_err ws_tuf_key_verify(const struct ws_tuf_key *key, const uint8_t *msg, size_t msg_len,
    const uint8_t *sig, size_t sig_len) __attribute__((warn_unused_result));

/*
 * The key's signature scheme name: foundries `method` ("ed25519",
 * "rsassa-pss-sha256"), tuf `scheme` ("ed25519", "ecdsa-sha2-nistp256",
 * "rsassa-pss-sha256").
 */
const char *ws_tuf_key_scheme(const struct ws_tuf_key *key);

/* Frees the key (NULL is fine); the user handle is left alone. */
void ws_tuf_key_free(struct ws_tuf_key *key);

#endif /* WS_TUF_KEY_H */
