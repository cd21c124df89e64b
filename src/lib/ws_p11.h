/*
 * ws_p11.h -- the PKCS#11 token layer.
 *
 * One struct ws_token per process: it loads the PKCS#11 module through
 * p11-kit (managed mode, so the module is initialised with OS locking),
 * finds exactly one token matching an RFC 7512 URI (by token label, never
 * by slot number), and logs in once with the PIN read from a 0600 file.
 * One session is kept open for the process's life so that the login stays
 * in force.
 *
 * Threads: each thread that signs takes its own struct ws_session from
 * ws_session_open() (a PKCS#11 session must not be shared between threads).
 * Key handles (struct ws_key) are valid in every session of the process.
 *
 * Keys are generated in the token, CKA_SENSITIVE=TRUE, CKA_EXTRACTABLE=FALSE,
 * and never leave it. Public keys are exported as SubjectPublicKeyInfo DER.
 *
 * Fork: initialise after fork(); a module initialised before fork() is
 * undefined in the child.
 */
#ifndef WS_P11_H
#define WS_P11_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ws_err.h"

enum ws_key_type {
	WS_KEY_EC_P256 = 1,
	WS_KEY_ED25519,
	WS_KEY_RSA,
};

enum ws_sig_alg {
	/* SHA-256 in software, CKM_ECDSA in the token, r||s DER-encoded (X.509, TUF "ecdsa"). */
	WS_SIG_ECDSA_SHA256 = 1,
	/* CKM_EDDSA over the whole message (pure Ed25519), 64 bytes. */
	WS_SIG_ED25519,
	/* CKM_SHA256_RSA_PKCS_PSS, MGF1-SHA256, salt length 32. */
	WS_SIG_RSA_PSS_SHA256,
};

#define WS_KEY_LABEL_MAX 64
#define WS_KEY_ID_MAX 32
#define WS_SIG_MAX 1024		/* RSA-8192 at most */
#define WS_FINGERPRINT_HEX 65	/* SHA-256 hex + NUL */

struct ws_token;
struct ws_session;

/* A key pair in the token, found by label. Owned by the caller: ws_key_free(). */
struct ws_key {
	char label[WS_KEY_LABEL_MAX + 1];
	uint8_t id[WS_KEY_ID_MAX];
	size_t id_len;
	enum ws_key_type type;
	unsigned bits;			/* RSA modulus bits; 256 for EC P-256 and Ed25519 */
	unsigned long priv;		/* CK_OBJECT_HANDLE of the private key */
	uint8_t *spki;			/* SubjectPublicKeyInfo DER */
	size_t spki_len;
	char fingerprint[WS_FINGERPRINT_HEX];	/* hex SHA-256 of spki */
	bool sensitive, extractable, never_extractable, always_sensitive;
};

struct ws_token_params {
	const char *uri;	/* RFC 7512, e.g. "pkcs11:token=wavesign" (required) */
	const char *module;	/* module path; NULL: the modules p11-kit is configured with */
	const char *pin_file;	/* 0600 file, owned by the process's uid; NULL: pin given below */
	const char *pin;	/* used only when pin_file is NULL (e.g. read from stdin) */
};

/*
 * Loads the module, finds the token and logs in. On success *out is owned by
 * the caller (ws_token_close()). The PIN is wiped from memory after login.
 * Errors: WS_ERR_TOKEN_NOT_FOUND (none or several tokens match; detail names
 * the URI and the labels seen), WS_ERR_PIN, WS_ERR_INSECURE_FILE (PIN file
 * mode/owner), WS_ERR_TOKEN_LOGIN (detail has the CKR_ name), WS_ERR_TOKEN.
 */
ws_err ws_token_open(const struct ws_token_params *params, struct ws_token **out);
void ws_token_close(struct ws_token *tok);

/* Token label and manufacturer/model, for status output. */
const char *ws_token_label(const struct ws_token *tok);
const char *ws_token_model(const struct ws_token *tok);

/*
 * The session kept open for the process's life. Use it only from one
 * thread at a time (e.g. the main thread); workers open their own.
 */
struct ws_session *ws_token_main_session(struct ws_token *tok);

/* Opens a new read-write session for the calling thread. */
ws_err ws_session_open(struct ws_token *tok, struct ws_session **out);
void ws_session_close(struct ws_session *s);

/*
 * Generates a key pair in the token: private key CKA_TOKEN, CKA_PRIVATE,
 * CKA_SENSITIVE, !CKA_EXTRACTABLE, CKA_SIGN; public key CKA_TOKEN, CKA_VERIFY.
 * Both carry label and id (id may be NULL: a random 8-byte id is chosen).
 * rsa_bits: 2048..4096 for WS_KEY_RSA, ignored otherwise.
 * WS_ERR_KEY_EXISTS when a private key with that label exists.
 */
ws_err ws_key_generate(struct ws_session *s, const char *label, const uint8_t *id,
    size_t id_len, enum ws_key_type type, unsigned rsa_bits, struct ws_key **out);

/*
 * Finds the private key labelled label and its public key (same CKA_ID),
 * reads its safety attributes and exports the public key.
 * WS_ERR_KEY_NOT_FOUND, WS_ERR_KEY_TYPE (unsupported type/curve).
 */
ws_err ws_key_find(struct ws_session *s, const char *label, struct ws_key **out);

/*
 * WS_OK when the key is sensitive, not extractable and never was;
 * otherwise WS_ERR_KEY_UNSAFE with a detail naming the key and attribute.
 */
ws_err ws_key_check_safe(const struct ws_key *key);

/*
 * Signs msg with key. For ECDSA the digest is computed here; for Ed25519 the
 * whole message goes to the token. sig must hold WS_SIG_MAX bytes; *sig_len
 * receives the length. WS_ERR_KEY_TYPE when alg does not fit the key.
 */
ws_err ws_key_sign(struct ws_session *s, const struct ws_key *key, enum ws_sig_alg alg,
    const uint8_t *msg, size_t msg_len, uint8_t *sig, size_t *sig_len)
	__attribute__((warn_unused_result));

void ws_key_free(struct ws_key *key);

/* "ec-p256", "ed25519", "rsa" */
const char *ws_key_type_name(enum ws_key_type type);

/* The signature algorithm a key type signs with by default. */
enum ws_sig_alg ws_key_default_alg(enum ws_key_type type);

/*
 * Reads a PIN from a file: the file must be a regular file, mode 0600 or
 * stricter, owned by the process's effective uid. Trailing newline removed.
 * pin must hold pin_max bytes; it is NUL-terminated. Wipe it after use.
 */
ws_err ws_pin_read_file(const char *path, char *pin, size_t pin_max);

#endif /* WS_P11_H */
