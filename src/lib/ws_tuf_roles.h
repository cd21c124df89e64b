/*
 * ws_tuf_roles.h -- targets, snapshot and timestamp: build, check, sign.
 *
 * Each builder is a pure function of its typed inputs and the state the
 * caller hands in (the trusted root, the role's current version, the
 * clock): it checks the content, builds the `signed` object, signs it
 * through the callback (ws_tuf_doc.h) and returns the document, whose
 * `file` is what to write. Nothing is returned when a check fails.
 *
 * Checks common to the three builders:
 *   - version > check->prev_version (WS_ERR_TUF_VERSION)
 *   - now < expires <= now + check->max_lifetime (WS_ERR_TUF_EXPIRES)
 *   - every signer key is a key of the role in root (role/key binding;
 *     WS_ERR_TUF "key ... is not a targets key of root vN")
 *   - unless check->allow_partial, the signatures reach the role's
 *     threshold with distinct keys (WS_ERR_TUF_THRESHOLD)
 *
 * Meta entries (snapshot -> targets.json, timestamp -> snapshot.json) are
 * {"hashes":{"sha256":H},"length":L,"version":V} where H and L are over the
 * exact bytes of the file as served (doc->file), V its signed.version.
 */
#ifndef WS_TUF_ROLES_H
#define WS_TUF_ROLES_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <jansson.h>

#include "ws_err.h"
#include "ws_tuf.h"
#include "ws_tuf_doc.h"
#include "ws_tuf_root.h"

/* ---- targets ---------------------------------------------------------- */

struct ws_tuf_targets_params {
	int64_t version;
	time_t expires;
	/*
	 * name -> {"hashes":{alg:hex,...},"length":n,"custom":{...}}, copied
	 * verbatim (every member, known or not, is kept and signed). Foundries:
	 * {"hashes":{"sha256":<ostree commit>},"length":0,"custom":{...}}.
	 */
	const json_t *targets;
	/*
	 * Optional further members of `signed` (e.g. "x-fio-offline-bundle" for
	 * an offline update bundle, "custom"); copied. A member that is one of
	 * _type, expires, spec_version, targets, version is refused. NULL: none.
	 */
	const json_t *extra;
};

/*
 * Checks a targets map: an object whose every name is non-empty and whose
 * every entry has "length" (integer >= 0) and "hashes" (a non-empty object
 * of lower-case hex strings; "sha256", when present -- always in the
 * foundries dialect --, 64 characters) and, if present, "custom" as an
 * object. WS_ERR_TUF / WS_ERR_JSON_TYPE / WS_ERR_JSON_MISSING, detail
 * naming the target ("targets[\"name\"].hashes.sha256: ...").
 */
ws_err ws_tuf_targets_check_entries(enum ws_tuf_dialect dialect, const json_t *targets);

/*
 * Builds and signs targets (dialect from root). Checks: the common ones,
 * ws_tuf_targets_check_entries(), printable ASCII in the foundries dialect
 * (WS_ERR_JSON_NOT_ASCII, detail naming the member). On success *out is the
 * caller's (ws_tuf_doc_free()).
 */
ws_err ws_tuf_targets_sign(const struct ws_tuf_root *root, const struct ws_tuf_targets_params *p,
    const struct ws_tuf_check *check, const struct ws_tuf_signer *signer, struct ws_tuf_doc **out);

/* ---- snapshot --------------------------------------------------------- */

/* A file a snapshot lists: "targets.json", or "<delegated role>.json". */
struct ws_tuf_meta_file {
	const char *name;
	const struct ws_tuf_doc *doc;	/* a targets-type document, as served (doc->file) */
};

struct ws_tuf_snapshot_params {
	int64_t version;
	time_t expires;
	const struct ws_tuf_meta_file *files;	/* must include "targets.json"; names unique */
	size_t nfiles;
};

/*
 * Builds and signs a snapshot listing files. Checks besides the common
 * ones: names end in ".json" and are unique, "targets.json" is present
 * (WS_ERR_TUF); every file is a targets document of root's dialect; the
 * top-level targets.json verifies against root's targets role
 * (ws_tuf_root_verify_doc() errors) and has not expired at check->now
 * (WS_ERR_TUF_EXPIRES) -- the snapshot only vouches for targets a device
 * will accept.
 */
ws_err ws_tuf_snapshot_sign(const struct ws_tuf_root *root, const struct ws_tuf_snapshot_params *p,
    const struct ws_tuf_check *check, const struct ws_tuf_signer *signer, struct ws_tuf_doc **out);

/* ---- timestamp -------------------------------------------------------- */

struct ws_tuf_timestamp_params {
	int64_t version;
	time_t expires;
	const struct ws_tuf_doc *snapshot;	/* the snapshot as served */
};

/*
 * Builds and signs a timestamp whose meta holds only snapshot.json.
 * Checks besides the common ones: the snapshot verifies against root's
 * snapshot role and has not expired at check->now.
 */
ws_err ws_tuf_timestamp_sign(const struct ws_tuf_root *root, const struct ws_tuf_timestamp_params *p,
    const struct ws_tuf_check *check, const struct ws_tuf_signer *signer, struct ws_tuf_doc **out);

/* ---- meta entries ----------------------------------------------------- */

struct ws_tuf_meta_entry {
	int64_t version;
	int64_t length;
	uint8_t sha256[32];
};

/*
 * Reads parent's signed.meta[name] (parent a snapshot or timestamp): all of
 * version (>= 1), length (>= 0) and hashes.sha256 (64 hex) are required.
 * WS_ERR_TUF when the entry is missing or malformed.
 */
ws_err ws_tuf_meta_entry_get(const struct ws_tuf_doc *parent, const char *name,
    struct ws_tuf_meta_entry *out);

/*
 * Checks the bytes of a file against its meta entry, before anything else
 * is read from them: length, then SHA-256. WS_ERR_TUF, detail
 * "<name>: <n> bytes, but <parent> v<N> records <m>" or "...SHA-256 ...".
 */
ws_err ws_tuf_meta_entry_check_file(const struct ws_tuf_doc *parent, const char *name,
    const struct ws_tuf_meta_entry *entry, const uint8_t *file, size_t len);

/*
 * Checks a listed document against parent's meta entry: length, SHA-256
 * and version (WS_ERR_TUF). For a timestamp parent, also that its meta
 * holds snapshot.json and nothing else. This is how "refuse a snapshot
 * whose meta does not match the targets files handed in" is done: call it
 * for each file.
 */
ws_err ws_tuf_meta_check(const struct ws_tuf_doc *parent, const char *name,
    const struct ws_tuf_doc *child);

#endif /* WS_TUF_ROLES_H */
