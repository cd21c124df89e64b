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
 *
 * Nothing here prints or exits; every failure is a ws_err with a detail
 * (ws_err_detail()) naming the URI, label, file or CKR_ concerned.
 *
 * Changes to the first draft of this contract (all additive):
 * - WS_PIN_MAX, WS_TOKEN_LABEL_MAX; ws_token_init_new() (token set-up
 *   without a PIN on any command line; see also ws_token_setup.h).
 * - URIs that cannot name exactly one token by label are refused with
 *   WS_ERR_INVALID_ARGUMENT (see ws_token_open()).
 * - ws_session_close() on the main session does nothing.
 * - ws_key_find(): several private keys with the label: WS_ERR_KEY_EXISTS.
 * - ws_key_check_safe() also requires CKA_ALWAYS_SENSITIVE.
 * - ws_pin_read_file(): a missing or unreadable file is WS_ERR_PIN.
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
#define WS_PIN_MAX 255		/* longest PIN read from a file, bytes */
#define WS_TOKEN_LABEL_MAX 32	/* CK_TOKEN_INFO.label */

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
 * Loads the module, finds the token and logs in (CKU_USER; a token that is
 * already logged in is fine). On success *out is owned by the caller
 * (ws_token_close()). The PIN read from pin_file is wiped from memory after
 * login; params->pin belongs to the caller, who wipes it.
 *
 * The module: params->module when set (p11_kit_module_load(), managed, so
 * p11-kit initialises it with CKF_OS_LOCKING_OK); else the URI's
 * module-path= query; else every module p11-kit is configured with, of
 * which module-name= picks one by its p11-kit name.
 *
 * The URI must name the token by label: token= is required and not blank;
 * manufacturer=, model=, serial= and library-* narrow the match. Refused
 * with WS_ERR_INVALID_ARGUMENT: no token=, slot-id=/slot-description=/
 * slot-manufacturer= (slot numbers are not stable: SoftHSM2 renumbers its
 * slots), object attributes (object=, id=, type=), pin-value=/pin-source=
 * (the PIN comes from pin_file), parts p11-kit does not know, module-name=
 * together with a module path, module-path= different from params->module,
 * a malformed URI.
 *
 * Errors: WS_ERR_INVALID_ARGUMENT (above), WS_ERR_TOKEN_NOT_FOUND (none or
 * several initialised tokens match; detail names the URI and the labels
 * seen), WS_ERR_PIN (no PIN given, PIN file missing or unreadable),
 * WS_ERR_INSECURE_FILE (PIN file mode/owner/type), WS_ERR_TOKEN_LOGIN
 * (detail has the CKR_ name, e.g. CKR_PIN_INCORRECT), WS_ERR_TOKEN (module
 * cannot be loaded or initialised; other CKR_ failures), WS_ERR_NOMEM.
 */
ws_err ws_token_open(const struct ws_token_params *params, struct ws_token **out);

/*
 * Logs out, closes the main session and finalises and releases the module.
 * Close every session from ws_session_open() first. NULL is ignored.
 */
void ws_token_close(struct ws_token *tok);

/*
 * Initialises a fresh token for the embedded SoftHSM2 default (or any module
 * that offers an uninitialised token), without a PIN on any command line:
 * loads module (a path; required), picks the first slot whose token is not
 * initialised, C_InitToken with label and so_pin, then logs in as SO and
 * sets the user PIN (C_InitPIN). SoftHSM2 moves the new token to another
 * slot; it is found again by label. Nothing is kept loaded afterwards.
 * label: 1..32 printable ASCII bytes, no leading or trailing space.
 * PINs: NUL-terminated, not empty; the token checks their length
 * (CKR_PIN_LEN_RANGE). The caller owns and wipes the PINs.
 * Errors: WS_ERR_INVALID_ARGUMENT, WS_ERR_EXISTS (an initialised token with
 * that label is already there), WS_ERR_TOKEN_NOT_FOUND (no uninitialised
 * token offered), WS_ERR_TOKEN (detail has the CKR_ name), WS_ERR_NOMEM.
 */
ws_err ws_token_init_new(const char *module, const char *label, const char *so_pin,
    const char *user_pin);

/* Token label and manufacturer/model, for status output. */
const char *ws_token_label(const struct ws_token *tok);
const char *ws_token_model(const struct ws_token *tok);

/*
 * The session kept open for the process's life. Use it only from one
 * thread at a time (e.g. the main thread); workers open their own.
 * Owned by tok: ws_session_close() on it does nothing.
 */
struct ws_session *ws_token_main_session(struct ws_token *tok);

/*
 * Opens a new read-write session for the calling thread; it shares the
 * token's login. *out is owned by the caller: ws_session_close() it before
 * ws_token_close(). WS_ERR_TOKEN (CKR_ in the detail), WS_ERR_NOMEM.
 */
ws_err ws_session_open(struct ws_token *tok, struct ws_session **out);

/* Closes a session from ws_session_open(). NULL and the main session are ignored. */
void ws_session_close(struct ws_session *s);

/*
 * Token outages. A token can be pulled out, lose its login (another
 * application logged out, the token was reset) or stop answering, and come
 * back. The layer notices it in the CKR_ a call returns (see
 * ws_ckr_token_lost()): that call fails with WS_ERR_TOKEN_UNAVAILABLE and
 * the token is marked lost. From then on every key operation
 * (ws_key_sign(), ws_key_find(), ws_key_generate()) fails at once with
 * WS_ERR_TOKEN_UNAVAILABLE, touching nothing, until ws_token_reconnect()
 * succeeds. The reconnect finds the token again by its URI (its slot may
 * have changed), opens a new main session and logs in again with the PIN
 * read once more from the PIN file (the PIN is not kept in memory). Key
 * handles do not survive a logout or a removal: find each key again with
 * ws_key_refresh(). Sessions opened before the reconnect are stale
 * (ws_session_stale()): ws_session_renew() gives them a new handle.
 *
 * Threads: ws_token_lost(), ws_token_mark_lost() and ws_token_state() may
 * be called from any thread at any time. ws_token_reconnect() must run while
 * no other thread uses the token or any of its sessions, and
 * ws_session_renew() while no reconnect runs: the caller serialises
 * (wavesignd holds a read-write lock, written by the reconnect).
 */

/*
 * Whether ckr says the token or the session is gone rather than that the
 * request was wrong: CKR_DEVICE_REMOVED, CKR_TOKEN_NOT_PRESENT,
 * CKR_TOKEN_NOT_RECOGNIZED, CKR_DEVICE_ERROR, CKR_SESSION_HANDLE_INVALID,
 * CKR_SESSION_CLOSED, CKR_USER_NOT_LOGGED_IN, CKR_KEY_HANDLE_INVALID,
 * CKR_OBJECT_HANDLE_INVALID (handles die with the login),
 * CKR_SLOT_ID_INVALID. Not CKR_CRYPTOKI_NOT_INITIALIZED: a reconnect does
 * not initialise the module again, so it would not end such an outage.
 */
bool ws_ckr_token_lost(unsigned long ckr);

/* Whether the token is marked lost (thread-safe). */
bool ws_token_lost(const struct ws_token *tok);

/*
 * Marks the token lost with a reason (copied; shown by ws_token_state()
 * and in the detail of the operations refused meanwhile). Used by the
 * layer itself and by a caller that refuses the token that came back
 * (e.g. ws_key_refresh() found another key under a label).
 */
void ws_token_mark_lost(struct ws_token *tok, const char *reason);

/*
 * Copies the reason the token is marked lost into reason (reason_size
 * bytes, NUL-terminated; "" when it is not) and returns ws_token_lost().
 */
bool ws_token_state(struct ws_token *tok, char *reason, size_t reason_size);

/*
 * Asks the token whether s can sign: C_GetSessionInfo succeeds and the
 * session is in a logged-in user state. Otherwise the token is marked lost
 * and WS_ERR_TOKEN_UNAVAILABLE is returned, with the CKR_ or the session
 * state in the detail. One cheap call; no key is used.
 */
ws_err ws_session_check(struct ws_session *s);

/*
 * Connects to the token again after an outage: closes every session the
 * process had on it (their numbers may be handed out again), finds the token
 * by the URI given to ws_token_open() among the same modules, opens a new
 * main session and logs in with the PIN read again from the PIN file. On
 * success the token is no longer marked lost and every session opened
 * before is stale. On failure it stays marked lost, with the failure as its
 * reason. See the threads rule above.
 * Errors: WS_ERR_TOKEN_UNAVAILABLE (not present, not answering: detail has
 * the CKR_ or the labels seen), WS_ERR_TOKEN_LOGIN, WS_ERR_PIN (PIN file
 * gone or unreadable; a PIN given as params->pin was not kept, so such a
 * token cannot log in again), WS_ERR_INSECURE_FILE, WS_ERR_NOMEM.
 */
ws_err ws_token_reconnect(struct ws_token *tok);

/* Whether s was opened before the latest successful ws_token_reconnect(). */
bool ws_session_stale(const struct ws_session *s);

/*
 * Gives a stale session a new handle on the reconnected token. The old
 * handle is forgotten, not closed: the reconnect closed it and its number
 * may now belong to another session. A session that is not stale is left
 * alone. On failure s keeps no handle: every call on it fails (and marks
 * the token lost) until a later renew succeeds.
 * Errors: WS_ERR_TOKEN_UNAVAILABLE, WS_ERR_TOKEN.
 */
ws_err ws_session_renew(struct ws_session *s);

/*
 * Generates a key pair in the token: private key CKA_TOKEN, CKA_PRIVATE,
 * CKA_SENSITIVE, !CKA_EXTRACTABLE, CKA_SIGN (and no decrypt/unwrap/derive);
 * public key CKA_TOKEN, CKA_VERIFY. Both carry label and id (id may be NULL:
 * a random 8-byte id is chosen; else 1..WS_KEY_ID_MAX bytes).
 * label: 1..WS_KEY_LABEL_MAX printable ASCII bytes.
 * rsa_bits: 2048..4096 for WS_KEY_RSA, ignored otherwise.
 * EC P-256: CKM_EC_KEY_PAIR_GEN; Ed25519: CKM_EC_EDWARDS_KEY_PAIR_GEN with
 * CKA_EC_PARAMS = OID 1.3.101.112; RSA: CKM_RSA_PKCS_KEY_PAIR_GEN, e = 65537.
 * On success *out is as ws_key_find() returns it (owned by the caller).
 * If anything fails after the pair was made, the pair is destroyed again.
 * Errors: WS_ERR_INVALID_ARGUMENT, WS_ERR_KEY_EXISTS when a private or
 * public key with that label exists (the check and the generation are not
 * atomic: do not generate one label from two threads), WS_ERR_KEY_TYPE
 * (unknown type), WS_ERR_TOKEN, WS_ERR_CRYPTO, WS_ERR_NOMEM.
 */
ws_err ws_key_generate(struct ws_session *s, const char *label, const uint8_t *id,
    size_t id_len, enum ws_key_type type, unsigned rsa_bits, struct ws_key **out);

/*
 * Finds the private key labelled label and its public key (same CKA_ID;
 * else same label; for RSA the private key's modulus and exponent if there
 * is no public key object), reads its safety attributes and exports the
 * public key as SubjectPublicKeyInfo DER (built with OpenSSL, which checks
 * that an EC point is on the curve). CKA_EC_POINT may be DER-wrapped (an
 * OCTET STRING, as SoftHSM2 returns it) or raw; an Ed25519 key's
 * CKA_EC_PARAMS may be the OID 1.3.101.112 or the printable string
 * "edwards25519". Reads attributes one at a time, so that a token that
 * does not report one safety attribute still reports the others.
 * Errors: WS_ERR_KEY_NOT_FOUND (no private key, or no public key for it),
 * WS_ERR_KEY_EXISTS (several private keys with that label: ambiguous),
 * WS_ERR_KEY_TYPE (unsupported type or curve; RSA outside 2048..8192 bits),
 * WS_ERR_LIMIT (CKA_ID longer than WS_KEY_ID_MAX), WS_ERR_INVALID_ARGUMENT,
 * WS_ERR_TOKEN, WS_ERR_CRYPTO, WS_ERR_NOMEM.
 */
ws_err ws_key_find(struct ws_session *s, const char *label, struct ws_key **out);

/*
 * WS_OK when the key is sensitive, not extractable, never was extractable
 * and always was sensitive; otherwise WS_ERR_KEY_UNSAFE with a detail that
 * names the key and every failing attribute, e.g.
 *   key 'tuf-targets-1': CKA_EXTRACTABLE is TRUE, CKA_NEVER_EXTRACTABLE is FALSE
 * An attribute the token does not report counts as failing.
 */
ws_err ws_key_check_safe(const struct ws_key *key);

/*
 * Signs msg with key. For ECDSA the digest is computed here; for Ed25519 the
 * whole message goes to the token. sig must hold WS_SIG_MAX bytes; *sig_len
 * receives the length. sig and *sig_len are written only on success.
 * ECDSA: DER Ecdsa-Sig-Value (at most 72 bytes); Ed25519: 64 bytes;
 * RSA-PSS: the modulus length.
 * WS_ERR_KEY_TYPE when alg does not fit the key; WS_ERR_TOKEN (CKR_ in the
 * detail), WS_ERR_CRYPTO, WS_ERR_INVALID_ARGUMENT.
 */
ws_err ws_key_sign(struct ws_session *s, const struct ws_key *key, enum ws_sig_alg alg,
    const uint8_t *msg, size_t msg_len, uint8_t *sig, size_t *sig_len)
	__attribute__((warn_unused_result));

/*
 * Finds key again after ws_token_reconnect(): the private key with its
 * label, whose public key must be the same (same SHA-256 fingerprint),
 * still safe (ws_key_check_safe()), and which must sign a fresh random
 * challenge that verifies against key's public key (a public key object
 * can be copied to another token, its private key cannot); then key's
 * private handle is replaced by the new one. Nothing else of key changes.
 * The caller makes sure no other thread signs with key meanwhile.
 * Errors: WS_ERR_KEY_NOT_FOUND (no such key any more), WS_ERR_TOKEN_NOT_FOUND
 * (another public key under the label, or a private key that does not
 * sign for it: not the token the process started with), WS_ERR_KEY_UNSAFE,
 * and those of ws_key_find() and ws_key_sign().
 */
ws_err ws_key_refresh(struct ws_session *s, struct ws_key *key);

/* Frees a key from ws_key_find()/ws_key_generate(). NULL is ignored. */
void ws_key_free(struct ws_key *key);

/* "ec-p256", "ed25519", "rsa" */
const char *ws_key_type_name(enum ws_key_type type);

/* The signature algorithm a key type signs with by default. */
enum ws_sig_alg ws_key_default_alg(enum ws_key_type type);

/*
 * Reads a PIN from a file: the file must be a regular file (not a symbolic
 * link: opened with O_NOFOLLOW and checked with fstat), mode 0600 or
 * stricter, owned by the process's effective uid. One trailing newline
 * ("\n" or "\r\n") is removed. pin must hold pin_max bytes; on success it
 * holds the NUL-terminated PIN. Wipe it after use (explicit_bzero); the
 * copies made here are wiped.
 * Errors: WS_ERR_PIN (missing or unreadable file, empty, a NUL byte, longer
 * than pin_max - 1 or WS_PIN_MAX bytes), WS_ERR_INSECURE_FILE (symbolic
 * link, not a regular file, wrong owner, group/other permission bits),
 * WS_ERR_INVALID_ARGUMENT.
 */
ws_err ws_pin_read_file(const char *path, char *pin, size_t pin_max);

#endif /* WS_P11_H */
