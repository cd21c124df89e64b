/*
 * ws_spki.h -- public keys (SubjectPublicKeyInfo) and signature checks
 * for the X.509 code, on OpenSSL's fast paths.
 *
 * Keys are turned into an EVP_PKEY from their raw parts (EVP_PKEY_fromdata
 * for EC and RSA, EVP_PKEY_new_raw_public_key for Ed25519), never through
 * d2i_PUBKEY: OpenSSL 3.0's generic decoder costs about five times as much
 * (PERF.md). An EVP_PKEY made here may be used by several threads at once
 * for verification (each call makes its own EVP_MD_CTX).
 */
#ifndef WS_SPKI_H
#define WS_SPKI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "ws_buf.h"
#include "ws_err.h"

/* Key types wavesign knows. Use WS_PUBKEY_BIT() to build masks of allowed types. */
enum ws_pubkey_type {
	WS_PUBKEY_OTHER = 0,	/* well-formed, but not a key wavesign uses (P-384, DSA, ...) */
	WS_PUBKEY_EC_P256,
	WS_PUBKEY_ED25519,
	WS_PUBKEY_RSA,
};
#define WS_PUBKEY_BIT(t)	(1u << (t))
#define WS_PUBKEY_RSA_MIN_BITS	2048
#define WS_PUBKEY_RSA_MAX_BITS	8192
#define WS_SPKI_DESC_MAX	80

/* A parsed SubjectPublicKeyInfo; pointers borrow from the DER given to ws_spki_parse(). */
struct ws_spki {
	enum ws_pubkey_type type;
	unsigned bits;			/* 256 (P-256, Ed25519), modulus bits (RSA), 0 (other) */
	const uint8_t *key;		/* subjectPublicKey contents (after the unused-bits byte) */
	size_t key_len;
	const uint8_t *rsa_n;		/* RSA only: modulus and exponent magnitudes, no sign byte */
	size_t rsa_n_len;
	const uint8_t *rsa_e;
	size_t rsa_e_len;
	char desc[WS_SPKI_DESC_MAX];	/* "EC P-256", "Ed25519", "RSA 3072", "EC curve 1.3.132.0.34 (P-384)" */
};

/* Signature algorithms read from an AlgorithmIdentifier. */
enum ws_sigalg {
	WS_SIGALG_ECDSA_SHA256 = 1,
	WS_SIGALG_ECDSA_SHA384,
	WS_SIGALG_ECDSA_SHA512,
	WS_SIGALG_ED25519,
	WS_SIGALG_RSA_SHA256,	/* PKCS#1 v1.5 */
	WS_SIGALG_RSA_SHA384,
	WS_SIGALG_RSA_SHA512,
};

/* "EC P-256", "Ed25519", "RSA", "other". */
const char *ws_pubkey_type_name(enum ws_pubkey_type type);

/*
 * Parses der[0..len), which must be exactly one SubjectPublicKeyInfo.
 * Structure errors: WS_ERR_DER_MALFORMED / WS_ERR_TRUNCATED. A well-formed
 * key of an algorithm, curve or encoding wavesign does not use (P-384, a
 * compressed point, DSA, ...) is not an error: type is WS_PUBKEY_OTHER and
 * desc says what it is.
 */
ws_err ws_spki_parse(const uint8_t *der, size_t len, struct ws_spki *out);

/*
 * Builds an EVP_PKEY from a parsed key. On success *out is the caller's
 * (EVP_PKEY_free()). WS_ERR_KEY_TYPE for WS_PUBKEY_OTHER and RSA outside
 * WS_PUBKEY_RSA_MIN_BITS..MAX_BITS (detail names the key); WS_ERR_CRYPTO
 * when OpenSSL refuses the key (an EC point not on the curve).
 */
ws_err ws_spki_pkey(const struct ws_spki *spki, EVP_PKEY **out);

/*
 * Reads one AlgorithmIdentifier of a signature. WS_ERR_KEY_TYPE for an
 * algorithm not in enum ws_sigalg (detail has its OID), WS_ERR_DER_MALFORMED
 * for wrong parameters (ECDSA and Ed25519 take none, RSA takes NULL).
 */
ws_err ws_sigalg_read(struct ws_reader *r, enum ws_sigalg *alg);

/* Appends the AlgorithmIdentifier for ecdsa-with-SHA256 (no parameters). */
ws_err ws_sigalg_put_ecdsa_sha256(struct ws_buf *b);

/*
 * Checks sig over msg with pkey (of key type `type`) and algorithm alg.
 * WS_OK when it verifies; WS_ERR_KEY_TYPE when alg does not fit the key
 * type; WS_ERR_CRYPTO when it does not verify (detail: "signature does not
 * verify" plus OpenSSL's reason, if any) or OpenSSL fails.
 */
ws_err ws_sig_verify(EVP_PKEY *pkey, enum ws_pubkey_type type, enum ws_sigalg alg,
    const uint8_t *msg, size_t msg_len, const uint8_t *sig, size_t sig_len)
	__attribute__((warn_unused_result));

#endif /* WS_SPKI_H */
