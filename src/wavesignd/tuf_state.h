/*
 * tuf_state.h -- the daemon's TUF state (issue 5): the CI root and the
 * production root, the versions of the roles it signed, and the targets it
 * vouches for; and the glue between token keys and the TUF library.
 *
 * Files (under the state directory):
 *
 *   tuf/ci/N.root.json           every version of the CI root (N = 1, 2, ...)
 *   tuf/production/N.root.json   every version of the production root
 *   tuf/KIND/root.json           a copy of the newest recorded root
 *
 * N.root.json is written (atomically) before the tuf.root record that
 * signs it; root.json only once the record is durable. The signing log
 * is the source of truth: at start tuf_index_*() walk it and learn which
 * root versions were recorded (and their SHA-256), which snapshot and
 * timestamp versions were signed (per root), and which wave targets the
 * appliance signed. tuf_index_end() then loads exactly the recorded roots
 * -- a file whose record never reached the log is ignored and later
 * overwritten --, checks each against the digest its record holds and the
 * chain (1.root.json verifies itself, N+1 is signed by a threshold of N's
 * root keys and its own), and rewrites root.json when it is behind.
 *
 * Threads: tuf_state_lock() serialises the TUF ops from their first read
 * of the state to their record (the op takes it and releases it in its
 * after_record hook). The waves ops read the production root under the
 * lock too; lock order is waves (waves_state.h) before tuf. Roots are
 * never freed before tuf_state_free(), so a root pointer handed out stays
 * valid after the lock is released.
 */
#ifndef WAVESIGND_TUF_STATE_H
#define WAVESIGND_TUF_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <jansson.h>

#include "ws_err.h"
#include "ws_p11.h"
#include "ws_policy.h"
#include "ws_tuf.h"
#include "ws_tuf_doc.h"
#include "ws_tuf_key.h"
#include "ws_tuf_root.h"

struct ws_daemon;
struct tuf_state;

/* The two roots of a Foundries factory (COMPAT.md §3). */
enum tuf_root_kind {
	TUF_ROOT_CI = 0,		/* targets threshold 1 */
	TUF_ROOT_PRODUCTION,		/* the production targets threshold */
	TUF_ROOT_KINDS
};

/* "ci", "production" */
const char *tuf_root_kind_name(enum tuf_root_kind kind);
/* Inverse; WS_ERR_INVALID_ARGUMENT ("... expected ci or production") otherwise. */
ws_err tuf_root_kind_from_name(const char *name, enum tuf_root_kind *out);

/* Creates STATE/tuf/ci and STATE/tuf/production (0700). *out: tuf_state_free(). */
ws_err tuf_state_open(const char *state_dir, struct tuf_state **out);
void tuf_state_free(struct tuf_state *ts);

/* ------------------------------------------------------- rebuild (index.c) */

/* Forgets what was derived from the log. */
void tuf_index_begin(struct tuf_state *ts);
/*
 * One allowed record: tuf.root, tuf.snapshot and tuf.timestamp records
 * (outputs {"role","root","version","sha256"}) and waves.init records
 * (outputs.targets_sha256). WS_ERR_LOG_CORRUPT for a record that lacks
 * them or goes back in version.
 */
ws_err tuf_index_note(struct tuf_state *ts, uint64_t seq, const json_t *record);
/* Loads and checks the recorded roots (see above). Errors name the file. */
ws_err tuf_index_end(struct tuf_state *ts);

/* ---------------------------------------------------- reading the state */

void tuf_state_lock(struct tuf_state *ts);
void tuf_state_unlock(struct tuf_state *ts);

/* Under the lock: the newest recorded root of that kind, or NULL (none yet). */
const struct ws_tuf_root *tuf_state_root(struct tuf_state *ts, enum tuf_root_kind kind);
/* Under the lock: the last version of role signed under that root (0: none). */
int64_t tuf_state_version(struct tuf_state *ts, enum tuf_root_kind kind, enum ws_tuf_role role);
/* Under the lock: SHA-256 (hex) of the last snapshot file signed under that root, or NULL. */
const char *tuf_state_last_snapshot(struct tuf_state *ts, enum tuf_root_kind kind);
/* Under the lock: whether the appliance signed targets whose canonical `signed` has this SHA-256. */
bool tuf_state_targets_known(struct tuf_state *ts, const char *sha256_hex);

/*
 * Under the lock: adds every root file of that kind to files (an object:
 * "1.root.json" .. "N.root.json", "root.json" -> the file's text).
 */
ws_err tuf_state_root_files(struct tuf_state *ts, enum tuf_root_kind kind, json_t *files);

/* ------------------------------------------------------- changing it */

/* Under the lock, before the record: writes STATE/tuf/KIND/N.root.json atomically (0644). */
ws_err tuf_state_write_root(struct tuf_state *ts, enum tuf_root_kind kind, const struct ws_tuf_doc *doc);
/*
 * Under the lock, once the record is durable: root (ownership passes)
 * becomes the newest root of that kind, and root.json is rewritten
 * (failures to write it are logged: tuf_index_end() repairs it).
 */
void tuf_state_commit_root(struct tuf_state *ts, enum tuf_root_kind kind, struct ws_tuf_root *root);
/* Under the lock, once the record is durable: a snapshot or timestamp was signed. */
void tuf_state_commit_role(struct tuf_state *ts, enum tuf_root_kind kind, enum ws_tuf_role role,
    int64_t version, const char *sha256_hex);
/* Takes the lock itself: the appliance signed wave targets with that canonical SHA-256. */
ws_err tuf_state_add_targets(struct tuf_state *ts, const char *sha256_hex);

/* ------------------------------------------ token keys as TUF keys */

/*
 * The token key labelled label as a TUF key of the dialect (key->user is
 * the struct ws_key, valid until exit). WS_ERR_KEY_NOT_FOUND ("key 'L' is
 * not in the token: create it with wavesign tuf keys init") and the errors
 * of ws_tuf_key_from_spki(). *out: ws_tuf_key_free().
 */
ws_err tuf_key_from_label(struct ws_daemon *d, enum ws_tuf_dialect dialect, const char *label,
    struct ws_tuf_key **out);

/* Keys that sign one document, in a worker's token session. */
struct tuf_signer {
	struct ws_tuf_key *keys[WS_TUF_KEYS_MAX];	/* owned */
	size_t n;
	struct ws_session *session;
	struct ws_tuf_signer signer;			/* what the TUF library takes */
};

void tuf_signer_init(struct tuf_signer *s, struct ws_session *session);
/* Adds key (ownership passes, also on failure); a keyid already there is dropped quietly. */
ws_err tuf_signer_add(struct tuf_signer *s, struct ws_tuf_key *key);
/* Adds the token key labelled label (tuf_key_from_label()). */
ws_err tuf_signer_add_label(struct tuf_signer *s, struct ws_daemon *d, enum ws_tuf_dialect dialect,
    const char *label);
/* The library's view (valid while s lives and is not changed). */
const struct ws_tuf_signer *tuf_signer_get(struct tuf_signer *s);
/* Appends each key's fingerprint (of its SPKI) to keys_used. */
void tuf_signer_fingerprints(const struct tuf_signer *s, json_t *keys_used);
void tuf_signer_free(struct tuf_signer *s);

/*
 * Signs canonical bytes with one key outside a TUF document (the wave
 * decision records): *out = {"keyid","sig"[,"method"]} in the dialect's
 * signature form (tuf: sig hex; foundries: sig base64 and method).
 */
ws_err tuf_sign_object(struct ws_session *session, const struct ws_tuf_key *key, const uint8_t *msg,
    size_t len, json_t **out);

/*
 * The expiry a request asks for: args.expires_days (1..36500) or
 * args.expires_at ("YYYY-MM-DDTHH:MM:SSZ"), at most one; else now + the
 * role's default. The window (<= now + role max) is the TUF builders'
 * check. WS_ERR_REQUEST for both or a bad type, WS_ERR_TUF_EXPIRES for a
 * malformed time.
 */
ws_err tuf_expires_arg(const json_t *args, time_t now, const struct ws_policy_tuf_role *role,
    time_t *out);

/* "YYYY-MM-DDTHH:MM:SSZ" of t as a new JSON string (NULL on a bad time). */
json_t *tuf_time_json(time_t t);

/* Hex SHA-256 of data into hex[65]. */
void tuf_sha256_hex(const void *data, size_t len, char hex[65]);

#endif /* WAVESIGND_TUF_STATE_H */
