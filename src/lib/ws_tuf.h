/*
 * ws_tuf.h -- TUF metadata: dialects, roles, expiry times, content checks.
 *
 * wavesign signs TUF metadata in one of two dialects (COMPAT.md §3, which
 * is normative); one file cannot satisfy both, so a repository names one:
 *
 *   WS_TUF_FOUNDRIES          ota-tuf / aktualizr / fioctl: _type "Root",
 *                             keytype "ED25519"|"RSA", keyid = SHA-256 of
 *                             the SPKI DER, signatures {keyid, method, sig
 *                             base64}, printable ASCII only (PEM newlines
 *                             aside), files compact and sorted so that file
 *                             bytes = signed bytes = what aktualizr's jsoncpp
 *                             re-serialisation gives (see ws_tuf_doc.h).
 *   WS_TUF_SPEC               TUF 1.0.x (tuf-js, python-tuf, go-tuf): _type
 *                             "root", scheme, spec_version, keyid = SHA-256
 *                             of the canonical key object, signatures
 *                             {keyid, sig hex}, consistent snapshots.
 *
 * The TUF modules, each a small file pair:
 *
 *   ws_tuf.h        this file: dialects, roles, expires, the checks every
 *                   builder applies (versions increase, expiry window)
 *   ws_tuf_key.h    key objects and keyids from token public keys (SPKI
 *                   DER); parsing key objects; checking one signature
 *   ws_tuf_doc.h    one metadata file: strict parse, sign through a
 *                   callback, add a signature, file bytes
 *   ws_tuf_root.h   the root role: build and sign (rotation included),
 *                   parse into keys and roles, verify a file against a role
 *   ws_tuf_roles.h  targets, snapshot and timestamp builders with their
 *                   content checks
 *   ws_tuf_repo.h   a repository directory: write atomically, verify the
 *                   whole chain
 *
 * Nothing here prints or exits; every failure is a ws_err whose detail
 * (ws_err_detail()) names the file, role, member or keyid concerned.
 */
#ifndef WS_TUF_H
#define WS_TUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "ws_err.h"

/*
 * enum ws_tuf_dialect (WS_TUF_FOUNDRIES, WS_TUF_SPEC -- "tuf" in a policy),
 * enum ws_tuf_role (WS_TUF_ROOT, WS_TUF_TARGETS, WS_TUF_SNAPSHOT,
 * WS_TUF_TIMESTAMP; WS_TUF_ROLE_COUNT indexes arrays by role) and their
 * names, ws_tuf_dialect_name() ("foundries", "tuf") and ws_tuf_role_name()
 * ("root", ...), are the policy's (ws_policy.h): one definition, so that
 * a policy's dialect goes straight into these functions.
 */
#include "ws_policy.h"

#define WS_TUF_FILE_MAX		(16u << 20)	/* largest metadata file read or written */
#define WS_TUF_EXPIRES_LEN	20		/* "YYYY-MM-DDTHH:MM:SSZ" */
#define WS_TUF_KEYID_LEN	64		/* hex SHA-256 */
#define WS_TUF_SPEC_VERSION	"1.0.31"	/* written in the tuf dialect */
#define WS_TUF_KEYS_MAX		64		/* keys per root, keyids per role */
#define WS_TUF_JSON_DEPTH	32		/* nesting accepted when parsing metadata */

/* Inverse of ws_tuf_dialect_name(). WS_ERR_INVALID_ARGUMENT for other names. */
ws_err ws_tuf_dialect_from_name(const char *name, enum ws_tuf_dialect *out);

/* Inverse of ws_tuf_role_name(). WS_ERR_INVALID_ARGUMENT for other names. */
ws_err ws_tuf_role_from_name(const char *name, enum ws_tuf_role *out);

/* The exact `_type` of a role in a dialect: "Root" (foundries), "root" (tuf). */
const char *ws_tuf_role_type(enum ws_tuf_dialect dialect, enum ws_tuf_role role);

/*
 * Formats t as "YYYY-MM-DDTHH:MM:SSZ" (UTC) into out (WS_TUF_EXPIRES_LEN + 1
 * bytes). WS_ERR_TUF_EXPIRES when t is before 1970 or after 9999.
 */
ws_err ws_tuf_expires_format(time_t t, char out[WS_TUF_EXPIRES_LEN + 1]);

/*
 * Parses exactly "YYYY-MM-DDTHH:MM:SSZ": 20 characters, a real calendar
 * date and time (no leap second), no fraction, no offset other than Z.
 * WS_ERR_TUF_EXPIRES otherwise, detail quoting the value.
 */
ws_err ws_tuf_expires_parse(const char *s, time_t *out);

/*
 * The state a builder checks a new role against; the caller supplies it
 * (the daemon from its index, a test from its fixture). Zero-initialise
 * and set what applies.
 */
struct ws_tuf_check {
	time_t now;		/* the current time (injectable for tests) */
	int64_t prev_version;	/* the role's current version; 0 when there is none yet */
	int64_t max_lifetime;	/* seconds: expires must be <= now + max_lifetime; 0 = no bound */
	/*
	 * false (the default): the signers must reach the role's threshold
	 * with distinct keys, else WS_ERR_TUF_THRESHOLD. true: return a
	 * partially signed file (production targets waiting for the OTA back
	 * end's online key, or for another officer's ws_tuf_doc_add_signatures()).
	 */
	bool allow_partial;
};

/*
 * Version rule: version must be > prev_version (WS_ERR_TUF_VERSION) and
 * >= 1; for the root role it must be exactly prev_version + 1, since
 * clients walk N.root.json one version at a time.
 */
ws_err ws_tuf_check_version(enum ws_tuf_role role, int64_t version, int64_t prev_version);

/*
 * Expiry rule: now < expires <= now + max_lifetime (when max_lifetime > 0).
 * WS_ERR_TUF_EXPIRES, detail giving both times.
 */
ws_err ws_tuf_check_expires(const struct ws_tuf_check *check, time_t expires);

/* Lower-case hex of n bytes into out (2n + 1 bytes, NUL-terminated). */
void ws_tuf_hex(const uint8_t *p, size_t n, char *out);

/*
 * Strict lower-case hex of even length into out (at most max bytes).
 * WS_ERR_TUF on other characters or odd length, WS_ERR_LIMIT when too long.
 */
ws_err ws_tuf_unhex(const char *hex, uint8_t *out, size_t max, size_t *out_len);

/*
 * Strict base64 (RFC 4648 with padding, no whitespace) into out (at most
 * max bytes). WS_ERR_TUF on malformed input, WS_ERR_LIMIT when too long.
 */
ws_err ws_tuf_unbase64(const char *b64, uint8_t *out, size_t max, size_t *out_len);

/* SHA-256 of data. WS_ERR_CRYPTO if OpenSSL fails. */
ws_err ws_tuf_sha256(const void *data, size_t len, uint8_t out[32]);

#endif /* WS_TUF_H */
