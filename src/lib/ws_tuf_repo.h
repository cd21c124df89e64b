/*
 * ws_tuf_repo.h -- a TUF repository directory: write it, verify it.
 *
 * Layout (what TUF clients fetch; COMPAT.md §3):
 *
 *   root.json             the newest root
 *   <N>.root.json         every root version, 1..newest (clients walk them)
 *   targets.json          the newest targets
 *   snapshot.json         the newest snapshot
 *   timestamp.json        the newest timestamp (never versioned)
 *   <N>.targets.json      tuf dialect only (consistent snapshots): what a
 *   <N>.snapshot.json     client fetches, N from the snapshot / timestamp meta
 *
 * Every file is written atomically: a temporary file in the same directory,
 * fsync, rename over the name, fsync of the directory. A reader sees the
 * old file or the new one, never a mix; a crash loses no file that was
 * reported written. Files are mode 0644 (metadata is public).
 */
#ifndef WS_TUF_REPO_H
#define WS_TUF_REPO_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "ws_err.h"
#include "ws_tuf.h"
#include "ws_tuf_doc.h"

/*
 * Writes data as dir/name atomically (see above). name must be a plain
 * file name (no '/', not "." or ".."; WS_ERR_INVALID_ARGUMENT).
 * WS_ERR_SYSTEM (detail: the path and errno text) on I/O failure; the
 * temporary file is removed then.
 */
ws_err ws_tuf_repo_write_file(const char *dir, const char *name, const uint8_t *data, size_t len);

/*
 * Writes one document under every name it has in the layout: a root as
 * <N>.root.json then root.json; targets and snapshot in the tuf dialect as
 * <N>.<role>.json then <role>.json, in the foundries dialect as
 * <role>.json; a timestamp as timestamp.json.
 */
ws_err ws_tuf_repo_write_doc(const char *dir, const struct ws_tuf_doc *doc);

/* A whole repository to write. */
struct ws_tuf_repo {
	const struct ws_tuf_doc *const *roots;	/* every root version, oldest first */
	size_t nroots;
	const struct ws_tuf_doc *targets;
	const struct ws_tuf_doc *snapshot;
	const struct ws_tuf_doc *timestamp;
};

/*
 * Writes repo into dir (which must exist) in the order a client can never
 * trip over: roots (oldest first), targets, snapshot, then timestamp.
 * Any member may be NULL / empty to leave its files alone.
 */
ws_err ws_tuf_repo_write(const char *dir, const struct ws_tuf_repo *repo);

/* What ws_tuf_repo_verify() saw; filled as far as it got. */
struct ws_tuf_repo_report {
	int64_t version[WS_TUF_ROLE_COUNT];	/* verified version per role; 0 = not reached */
	time_t expires[WS_TUF_ROLE_COUNT];
	size_t roots;			/* root versions walked (1.root.json .. N.root.json) */
	size_t targets;			/* entries in the verified targets */
	char file[96];			/* the file at fault when verification failed; "" otherwise */
};

/*
 * Verifies the repository in dir as a client would, with wavesign's own
 * code, and reports the first problem (code and a detail starting with the
 * file name):
 *
 *   1. 1.root.json is the trust anchor: it must verify with its own root
 *      keys. Then N.root.json for N = 2, 3, ... while present: version N,
 *      signed by a threshold of root N-1's root keys AND of its own
 *      (ws_tuf_root_verify_next()). root.json must be byte-identical to the
 *      newest. The newest root must not have expired at now.
 *   2. timestamp.json: signed by the root's timestamp threshold, not
 *      expired, meta = snapshot.json only, with version, length, sha256.
 *   3. the snapshot (N.snapshot.json when the root sets consistent_snapshot,
 *      else snapshot.json): length and SHA-256 as the timestamp records,
 *      then signatures, version as recorded, expiry. With consistent
 *      snapshots, snapshot.json when present must be the same bytes.
 *   4. targets likewise against the snapshot's meta["targets.json"], and
 *      its entries (ws_tuf_targets_check_entries()). Delegated roles are
 *      not verified: a snapshot listing one, or targets declaring
 *      delegations, is refused (WS_ERR_TUF) rather than passed unchecked.
 *
 *   5. rollback: when trusted is given (the report of an earlier
 *      verification, as a client keeps its last metadata), no role's
 *      version may be lower than there (WS_ERR_TUF_VERSION).
 *
 * Errors: those of the steps (WS_ERR_TUF, WS_ERR_TUF_SIGNATURE,
 * WS_ERR_TUF_THRESHOLD, WS_ERR_TUF_VERSION, WS_ERR_TUF_EXPIRES,
 * WS_ERR_JSON_*), WS_ERR_NOT_FOUND for a missing file, WS_ERR_SYSTEM,
 * WS_ERR_LIMIT. trusted and report may be NULL (and may be the same).
 */
ws_err ws_tuf_repo_verify(const char *dir, enum ws_tuf_dialect dialect, time_t now,
    const struct ws_tuf_repo_report *trusted, struct ws_tuf_repo_report *report)
	__attribute__((warn_unused_result));

#endif /* WS_TUF_REPO_H */
