/*
 * ws_err.h -- the one error enum of wavesign.
 *
 * Every function that can fail returns a ws_err: WS_OK (0) on success, a
 * negative code on failure. Codes are stable: each has a stable string name
 * (ws_err_code(), e.g. "policy-denied") used on the wire and in the signing
 * log, and a sentence (ws_strerror()) saying what went wrong.
 *
 * The detail of the most recent failure on this thread (the offending key
 * path, the file:line:column, the drained OpenSSL queue, the CKR_ name, the
 * errno text) is kept per thread: ws_err_set() records it and returns the
 * code, so a failing function reads
 *
 *     return ws_err_set(WS_ERR_FRAME_MAGIC, "got %02x%02x%02x%02x", ...);
 *
 * and the caller that reports the failure calls ws_err_message() to get
 * "<sentence>: <detail>". A successful call does not clear the detail; read
 * it only right after a failure.
 */
#ifndef WS_ERR_H
#define WS_ERR_H

#include <stddef.h>

#define WS_ERR_LIST(X) \
	/* name                        code string               sentence */ \
	X(WS_OK,                       "ok",                     "success") \
	X(WS_ERR_INTERNAL,             "internal",               "internal error (a bug in wavesign; please report it)") \
	X(WS_ERR_NOMEM,                "out-of-memory",          "out of memory") \
	X(WS_ERR_SYSTEM,               "system",                 "system call failed") \
	X(WS_ERR_CRYPTO,               "crypto",                 "cryptographic operation failed") \
	X(WS_ERR_TOKEN,                "token",                  "the PKCS#11 token refused the operation") \
	X(WS_ERR_INVALID_ARGUMENT,     "invalid-argument",       "invalid argument") \
	X(WS_ERR_USAGE,                "usage",                  "wrong command-line usage") \
	X(WS_ERR_LIMIT,                "limit-exceeded",         "input exceeds a size limit") \
	X(WS_ERR_TRUNCATED,            "truncated",              "input ends before it is complete") \
	X(WS_ERR_NOT_FOUND,            "not-found",              "not found") \
	X(WS_ERR_EXISTS,               "exists",                 "already exists") \
	X(WS_ERR_IO,                   "io",                     "reading or writing a file failed") \
	X(WS_ERR_TIMEOUT,              "timeout",                "the peer did not send or receive in time") \
	/* configuration and policy */ \
	X(WS_ERR_CONFIG,               "config-invalid",         "the configuration file is invalid") \
	X(WS_ERR_POLICY,               "policy-invalid",         "the policy file is invalid") \
	X(WS_ERR_YAML,                 "yaml-invalid",           "the YAML document is malformed or uses a refused feature") \
	X(WS_ERR_POLICY_DENIED,        "policy-denied",          "the policy does not allow this request") \
	X(WS_ERR_UNKNOWN_PEER,         "unknown-peer",           "the connecting user is not a client in the policy") \
	X(WS_ERR_RATE_LIMITED,         "rate-limited",           "the client exceeded its rate limit") \
	X(WS_ERR_INSECURE_FILE,        "insecure-file",          "a file or directory has unsafe ownership or permissions") \
	X(WS_ERR_LOCKED,               "state-locked",           "another daemon holds the state directory") \
	/* protocol */ \
	X(WS_ERR_FRAME_MAGIC,          "frame-bad-magic",        "the message does not start with the wavesign magic") \
	X(WS_ERR_FRAME_VERSION,        "frame-bad-version",      "unsupported protocol version") \
	X(WS_ERR_FRAME_TOO_LARGE,      "frame-too-large",        "the message is larger than the daemon accepts") \
	X(WS_ERR_FRAME_TRUNCATED,      "frame-truncated",        "the connection closed in the middle of a message") \
	X(WS_ERR_REQUEST,              "request-malformed",      "the request is not a valid wavesign request") \
	X(WS_ERR_UNKNOWN_OP,           "unknown-op",             "unknown operation") \
	X(WS_ERR_DAEMON_UNREACHABLE,   "daemon-unreachable",     "cannot reach wavesignd") \
	/* JSON */ \
	X(WS_ERR_JSON_SYNTAX,          "json-syntax",            "malformed JSON") \
	X(WS_ERR_JSON_DUPLICATE_KEY,   "json-duplicate-key",     "JSON object has a duplicate key") \
	X(WS_ERR_JSON_FLOAT,           "json-float",             "JSON numbers must be integers") \
	X(WS_ERR_JSON_UTF8,            "json-invalid-utf8",      "JSON string is not valid UTF-8") \
	X(WS_ERR_JSON_DEPTH,           "json-too-deep",          "JSON nesting is too deep") \
	X(WS_ERR_JSON_TYPE,            "json-wrong-type",        "JSON member has the wrong type") \
	X(WS_ERR_JSON_MISSING,         "json-missing-member",    "a required JSON member is missing") \
	X(WS_ERR_JSON_NOT_ASCII,       "json-not-printable-ascii", "the foundries dialect allows only printable ASCII strings") \
	/* token */ \
	X(WS_ERR_TOKEN_NOT_FOUND,      "token-not-found",        "no PKCS#11 token matches the configured URI") \
	X(WS_ERR_TOKEN_LOGIN,          "token-login-failed",     "logging in to the token failed") \
	X(WS_ERR_PIN,                  "pin-unreadable",         "the PIN could not be read") \
	X(WS_ERR_KEY_NOT_FOUND,        "key-not-found",          "no key with that label in the token") \
	X(WS_ERR_KEY_EXISTS,           "key-exists",             "a key with that label already exists") \
	X(WS_ERR_KEY_UNSAFE,           "key-unsafe",             "a key in the token is extractable or not sensitive") \
	X(WS_ERR_KEY_TYPE,             "key-type-unsupported",   "unsupported key type") \
	/* X.509 */ \
	X(WS_ERR_DER_MALFORMED,        "der-malformed",          "the DER encoding is malformed or not canonical") \
	X(WS_ERR_CSR_MALFORMED,        "csr-malformed",          "the CSR is not valid DER/PEM") \
	X(WS_ERR_CSR_SIGNATURE,        "csr-bad-signature",      "the CSR's own signature does not verify") \
	X(WS_ERR_CSR_SUBJECT,          "csr-bad-subject",        "the CSR subject is not acceptable") \
	X(WS_ERR_CSR_KEY,              "csr-bad-key",            "the CSR public key type is not allowed") \
	X(WS_ERR_CSR_EXTENSION,        "csr-bad-extension",      "the CSR requests an extension that is refused") \
	X(WS_ERR_PRODUCTION_DENIED,    "production-denied",      "the client may not issue production certificates") \
	X(WS_ERR_PRODUCTION_REQUIRED,  "production-required",    "the client must request production certificates") \
	X(WS_ERR_ALREADY_ISSUED,       "already-issued",         "a certificate was already issued for this device and reissue is denied") \
	X(WS_ERR_CA_MISSING,           "ca-missing",             "the factory CA has not been created (run: wavesign ca init)") \
	X(WS_ERR_CA_EXISTS,            "ca-exists",              "the factory CA already exists") \
	X(WS_ERR_CA_DISABLED,          "ca-disabled",            "the device CA is revoked or disabled; nothing is issued under it") \
	/* TUF and waves */ \
	X(WS_ERR_TUF,                  "tuf-invalid",            "the TUF metadata is invalid") \
	X(WS_ERR_TUF_VERSION,          "tuf-stale-version",      "the metadata version does not increase") \
	X(WS_ERR_TUF_EXPIRES,          "tuf-bad-expiry",         "the expiry is outside the policy's window") \
	X(WS_ERR_TUF_SIGNATURE,        "tuf-bad-signature",      "a TUF signature does not verify") \
	X(WS_ERR_TUF_THRESHOLD,        "tuf-threshold",          "not enough distinct valid signatures") \
	X(WS_ERR_WAVE_STATE,           "wave-state",             "the wave is not in a state that allows this") \
	X(WS_ERR_WAVE_ACTIVE,          "wave-active",            "another wave is active") \
	X(WS_ERR_WAVE_NAME,            "wave-name",              "the wave name is taken or not allowed") \
	X(WS_ERR_WAVE_VERSION,         "wave-version",           "the wave version must exceed the tag's production version") \
	X(WS_ERR_WAVE_NO_TARGETS,      "wave-no-targets",        "the CI targets hold no target of that version") \
	X(WS_ERR_WAVE_COLLISION,       "wave-target-collision",  "a target name is already present") \
	X(WS_ERR_APPROVAL_NEEDED,      "approval-needed",        "more approvals by distinct officers are needed") \
	/* signing log */ \
	X(WS_ERR_LOG_WRITE,            "log-write-failed",       "the signing log could not be written; nothing was signed") \
	X(WS_ERR_LOG_CORRUPT,          "log-corrupt",            "the signing log does not verify") \
	X(WS_ERR_CHECKPOINT,           "checkpoint-invalid",     "the checkpoint does not verify") \
	/* registration front (wavesign-regd) */ \
	X(WS_ERR_UNAUTHORIZED,         "unauthorized",           "the request carries no valid registration token or client certificate") \
	/* token outages (appended: the numeric codes above stay as they were) */ \
	X(WS_ERR_TOKEN_UNAVAILABLE,    "token-unavailable",      "the PKCS#11 token is unavailable (removed, logged out or not answering); nothing was signed")

/* Positions in the list; WS_OK is 0. */
#define WS_ERR_INDEX_ITEM(name, code, text) name##_INDEX,
enum ws_err_index { WS_ERR_LIST(WS_ERR_INDEX_ITEM) WS_ERR_COUNT };
#undef WS_ERR_INDEX_ITEM

/* The codes: WS_OK == 0, every failure is the negated position (< 0). */
#define WS_ERR_VALUE_ITEM(name, code, text) name = -(int)name##_INDEX,
typedef enum ws_err { WS_ERR_LIST(WS_ERR_VALUE_ITEM) } ws_err;
#undef WS_ERR_VALUE_ITEM

/* Sentence for a code: never NULL ("unknown error" for out-of-range codes). */
const char *ws_strerror(ws_err err);

/* Stable string code for the wire and the log: never NULL. */
const char *ws_err_code(ws_err err);

/* Code for a stable string, or WS_ERR_INTERNAL when unknown. */
ws_err ws_err_from_code(const char *code);

/*
 * Records a printf-style detail for this thread's latest failure and
 * returns err unchanged. fmt may be NULL to clear the detail.
 */
ws_err ws_err_set(ws_err err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* As ws_err_set(WS_ERR_SYSTEM, ...) with ": strerror(errno)" appended. */
ws_err ws_err_errno(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Drains the OpenSSL error queue into the detail after fmt; returns err. */
ws_err ws_err_crypto(ws_err err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Records a PKCS#11 return value by its CKR_ name after fmt; returns err. */
ws_err ws_err_ckr(ws_err err, unsigned long ckr, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Name of a CKR_ value ("CKR_PIN_INCORRECT"), or "CKR_0x..." if unknown. */
const char *ws_ckr_name(unsigned long ckr);

/* This thread's detail for the latest failure ("" if none). */
const char *ws_err_detail(void);

/*
 * "<sentence>: <detail>" (or just the sentence) for err, in a thread-local
 * buffer valid until the next call on this thread.
 */
const char *ws_err_message(ws_err err);

/* Prepends "prefix: " to the current detail (adds context on the way up). */
void ws_err_prefix(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif /* WS_ERR_H */
