/*
 * ws_wave.h -- waves: building a wave's targets, the state rules, the index.
 *
 * The pure core of `wavesign waves ...` (COMPAT.md §3, DESIGN.md §3 and §8):
 * no token, no socket, no policy file. What the policy says comes in as a
 * struct ws_wave_rules of plain values; what the signing log records comes
 * in as a struct ws_wave_event.
 *
 * How the daemon uses it, for each waves.* request:
 *
 *   1. ws_wave_check(state, rules, &ev)       -- refuse early, with the code
 *   2. init only: ws_ci_targets_select(...), then ws_wave_build_targets()
 *      with the tag's production targets from ws_wave_state_production();
 *      the TUF library adds the dialect's fields and signs the `signed`
 *   3. rollout/complete/cancel: ws_wave_decision_record() -> sign it
 *   4. append the log record (fsync)
 *   5. ws_wave_apply(state, &ev)               -- the state moves
 *   6. ws_wave_state_save(state, "STATE/index") -- the snapshot (optional
 *      per op: the log is the truth, the snapshot only saves replay time)
 *
 * On start: ws_wave_state_load() (or ws_wave_state_new() when there is no
 * snapshot or it does not load), then ws_wave_apply() for every allowed
 * waves.* record whose seq is greater than ws_wave_state_seq().
 *
 * Statuses (COMPAT.md §3): init and rollout -> Active, complete -> Complete,
 * cancel -> Canceled. Complete and Canceled accept nothing more.
 *
 * Versions on a tag only go up: a new wave's version must exceed the tag's
 * production version and the version of every earlier wave on that tag,
 * canceled ones included (a canceled wave may have reached devices, and
 * they must not be asked to go back: COMPAT.md §3).
 *
 * Approvals (policy `approvals: {complete: 2}`): an op that needs M
 * approvals runs only once M distinct officers (uids) have each recorded
 * `approve NAME OP` for that wave and op since it last ran. The officer who
 * runs the op is not counted unless they approved too. Running the op
 * consumes its pending approvals (they move into the wave's history);
 * ending a wave drops the approvals still pending for it.
 *
 * Errors: every refusal has its own code and a detail naming the wave, the
 * version, the target or the officer (ws_err_detail()).
 *
 * Threads: a state is not locked; the daemon runs check .. apply for one
 * request at a time (they must not interleave anyway: the check is only
 * valid for the state it saw).
 */
#ifndef WS_WAVE_H
#define WS_WAVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "ws_err.h"

/* Wave names, tags, group names, key ids, device uuids: printable ASCII. */
#define WS_WAVE_NAME_MAX 128u
#define WS_WAVE_TAG_MAX 128u
#define WS_WAVE_GROUP_MAX 128u
#define WS_WAVE_KEYID_MAX 128u
#define WS_WAVE_UUID_MAX 128u
/* "YYYY-MM-DDTHH:MM:SSZ" */
#define WS_WAVE_TIME_LEN 20u
/* Largest waves.json ws_wave_state_load() reads. */
#define WS_WAVE_STATE_FILE_MAX ((size_t)1 << 30)
#define WS_WAVE_STATE_FILE "waves.json"

/* The operations; their names are the policy's and the log's. */
enum ws_wave_op {
	WS_WAVE_OP_INIT,
	WS_WAVE_OP_SIGN,
	WS_WAVE_OP_ROLLOUT,
	WS_WAVE_OP_COMPLETE,
	WS_WAVE_OP_CANCEL,
	WS_WAVE_OP_APPROVE,
	WS_WAVE_OP_COUNT
};

/* "init", "sign", "rollout", "complete", "cancel", "approve"; never NULL. */
const char *ws_wave_op_name(enum ws_wave_op op);
/* The op named name; WS_ERR_INVALID_ARGUMENT if none. */
ws_err ws_wave_op_from_name(const char *name, enum ws_wave_op *op);

enum ws_wave_status {
	WS_WAVE_STATUS_ACTIVE,
	WS_WAVE_STATUS_COMPLETE,
	WS_WAVE_STATUS_CANCELED
};

/* "Active", "Complete", "Canceled" (fioctl's spelling); never NULL. */
const char *ws_wave_status_name(enum ws_wave_status status);

enum ws_wave_active_mode {
	WS_WAVE_ACTIVE_ONE,		/* one active wave at a time (default) */
	WS_WAVE_ACTIVE_ONE_PER_TAG	/* one active wave per tag */
};

/* What the policy says about waves, as plain values (borrowed). */
struct ws_wave_rules {
	const char *const *tags;	/* NULL-terminated list of allowed tags */
	const char *name_pattern;	/* POSIX extended regex a name must match
					   (anchor it: '^...$'); NULL = any */
	enum ws_wave_active_mode active;
	unsigned approvals[WS_WAVE_OP_COUNT];	/* M per op; 0 = none needed */
};

/* How much of a group a rollout reaches. */
enum ws_wave_selection_kind {
	WS_WAVE_SELECT_ALL,
	WS_WAVE_SELECT_LIMIT,		/* at most `limit` devices (>= 1) */
	WS_WAVE_SELECT_PERCENTAGE,	/* `percentage` percent (1..100) */
	WS_WAVE_SELECT_UUIDS		/* exactly these devices (>= 1, distinct) */
};

struct ws_wave_selection {
	enum ws_wave_selection_kind kind;
	uint64_t limit;
	unsigned percentage;
	const char *const *uuids;
	size_t n_uuids;
};

/*
 * One waves.* operation: what the daemon checks, logs and replays. All
 * pointers are borrowed for the duration of the call. Which members count:
 *
 *   every op   op, wave, uid; and for apply, seq (strictly greater than the
 *              state's) and time (seconds since the epoch, UTC)
 *   init       tag, version; for apply also signed_targets (the object
 *              ws_wave_build_targets() returned; the TUF library may have
 *              added members) and optionally targets_sha256 (the digest the
 *              log recorded: apply refuses targets that do not match it)
 *   sign       keyid (one more targets signature by that key)
 *   rollout    group, selection
 *   approve    approved_op (any op but approve)
 */
struct ws_wave_event {
	enum ws_wave_op op;
	uint64_t seq;
	int64_t time;
	uint32_t uid;
	const char *wave;

	const char *tag;
	int64_t version;
	const json_t *signed_targets;
	const char *targets_sha256;

	const char *keyid;

	const char *group;
	struct ws_wave_selection selection;

	enum ws_wave_op approved_op;
};

/*
 * "YYYY-MM-DDTHH:MM:SSZ" for t (seconds since the epoch, UTC) into
 * buf[WS_WAVE_TIME_LEN + 1]. WS_ERR_INVALID_ARGUMENT outside years
 * 1970..9999.
 */
ws_err ws_wave_format_time(int64_t t, char *buf);

/* ---------------------------------------------------------------------
 * Building a wave's targets (COMPAT.md §3, `waves init`)
 * --------------------------------------------------------------------- */

struct ws_wave_build {
	/* The tag's current production targets (name -> target) and version;
	   NULL and 0 when the tag has none yet. */
	const json_t *production_targets;
	int64_t production_version;
	/* The CI targets of the build (ws_ci_targets_select()). */
	const json_t *ci_targets;
	int64_t version;		/* the wave's version (the CI build number) */
	const char *tag;		/* the wave's tag */
	const int64_t *prune;		/* versions whose production targets to drop */
	size_t n_prune;
	int64_t expires;		/* seconds since the epoch, UTC */
};

/*
 * Builds the `signed` object of the wave's targets role:
 *
 *   {"_type":"Targets","expires":"YYYY-MM-DDTHH:MM:SSZ",
 *    "targets":{...},"version":VERSION}
 *
 * whose targets are the production targets minus those whose
 * custom.version is in prune, plus deep copies of every CI target with
 * custom.tags replaced by [TAG] and every other member kept as it was.
 * Each CI target must be a Foundries target entry,
 * {"hashes":{"sha256":<64 hex>},"length":N >= 0,"custom":{"name":NAME,
 * "version":"VERSION",...}}, named NAME-VERSION.
 *
 * Errors: WS_ERR_WAVE_VERSION (version <= production_version or < 1);
 * WS_ERR_WAVE_NO_TARGETS (ci_targets empty); WS_ERR_WAVE_COLLISION (a CI
 * target's name is already a production target; the detail names it);
 * WS_ERR_TUF (a CI target is not a Foundries target entry, is not named
 * <custom.name>-<custom.version>, or has another version; a production
 * target has no string custom.version); WS_ERR_INVALID_ARGUMENT (a prune
 * version is not older than version or matches no production target, an
 * empty tag, expires out of range).
 *
 * On success *signed_out is a new object (json_decref()); on failure it is
 * left untouched. The inputs are not modified.
 */
ws_err ws_wave_build_targets(const struct ws_wave_build *in, json_t **signed_out);

/* ---------------------------------------------------------------------
 * The state: waves, production targets per tag, pending approvals
 * --------------------------------------------------------------------- */

struct ws_wave_state;

/* An empty state (seq 0). WS_ERR_NOMEM. */
ws_err ws_wave_state_new(struct ws_wave_state **out);
void ws_wave_state_free(struct ws_wave_state *st);

/* The seq of the last log record the state reflects (0 = none). */
uint64_t ws_wave_state_seq(const struct ws_wave_state *st);

/*
 * The tag's production targets (borrowed from the state: valid until the
 * next apply or free; NULL when the tag has none) and version (0 if none).
 */
void ws_wave_state_production(const struct ws_wave_state *st, const char *tag, int64_t *version,
    const json_t **targets);

/*
 * The active wave (on tag, or on any tag when tag is NULL): its name
 * (borrowed), or NULL when none is active.
 */
const char *ws_wave_state_active(const struct ws_wave_state *st, const char *tag);

/*
 * The `signed` targets of an Active wave (borrowed; NULL when the wave
 * does not exist or is no longer active: a completed wave's targets are
 * the tag's production targets).
 */
const json_t *ws_wave_state_targets(const struct ws_wave_state *st, const char *wave);

/*
 * The uids whose approval of op of wave is pending (recorded and not yet
 * used by the op), oldest first, as a new array (also for a wave not
 * created yet: the approvals of its init). WS_ERR_NOMEM.
 */
ws_err ws_wave_pending_approvals(const struct ws_wave_state *st, const char *wave, enum ws_wave_op op,
    json_t **out);

/*
 * Checks that ev may run now under rules, before anything is built or
 * signed. In order, per op:
 *
 *   init     name: printable ASCII, at most WS_WAVE_NAME_MAX, matching
 *            rules->name_pattern, never used before (WS_ERR_WAVE_NAME; a bad
 *            pattern is WS_ERR_POLICY); tag in rules->tags
 *            (WS_ERR_POLICY_DENIED); no active wave, or none on the tag in
 *            one-per-tag mode (WS_ERR_WAVE_ACTIVE); version above the tag's
 *            production version and every earlier wave on the tag
 *            (WS_ERR_WAVE_VERSION)
 *   others   the wave exists (WS_ERR_NOT_FOUND) and is Active
 *            (WS_ERR_WAVE_STATE); sign: keyid well-formed
 *            (WS_ERR_INVALID_ARGUMENT) and not already used on the wave
 *            (WS_ERR_EXISTS); rollout: group and selection well-formed
 *            (WS_ERR_INVALID_ARGUMENT)
 *   approve  approved_op is not approve and the policy asks approvals for
 *            it (WS_ERR_INVALID_ARGUMENT); for init, the name rules above;
 *            else the wave exists and is Active; this uid has not already
 *            approved this op of this wave (WS_ERR_EXISTS)
 *
 * and last, for every op but approve, the approvals: fewer than
 * rules->approvals[op] distinct officers -> WS_ERR_APPROVAL_NEEDED, the
 * detail saying how many more.
 */
ws_err ws_wave_check(const struct ws_wave_state *st, const struct ws_wave_rules *rules,
    const struct ws_wave_event *ev);

/*
 * Applies a logged event: the state moves. Checks what the state itself
 * needs (seq increasing, the wave exists/does not exist, its status, no
 * duplicate key id or approval, well-formed fields, signed_targets
 * consistent with tag and version) with the same codes as ws_wave_check(),
 * but none of the policy's rules: those held when the event was logged.
 * WS_ERR_LOG_CORRUPT when ev->targets_sha256 does not match the targets.
 * On failure the state is unchanged. The state keeps its own copies.
 */
ws_err ws_wave_apply(struct ws_wave_state *st, const struct ws_wave_event *ev);

/*
 * SHA-256 (lowercase hex, into hex[65]) of the canonical bytes of a
 * `signed` targets object: stable when signatures are added, and what the
 * decision records and the state use to name a wave's targets.
 */
ws_err ws_wave_targets_sha256(const json_t *signed_targets, char *hex);

/*
 * The decision record the daemon signs for a rollout, complete or cancel
 * (call it after ws_wave_check(), before ws_wave_apply()):
 *
 *   {"_type":"WaveDecision","decision":"rollout","wave":W,"tag":T,
 *    "version":V,"targets_sha256":HEX,"group":G,
 *    "selection":{"type":"all"|"limit"|"percentage"|"uuids",...},
 *    "time":"YYYY-MM-DDTHH:MM:SSZ","officer":{"uid":U},
 *    "approved_by":[uid,...]}
 *
 * (group and selection for rollouts only; approved_by lists the pending
 * approvals the op will consume). WS_ERR_NOT_FOUND for an unknown wave,
 * WS_ERR_INVALID_ARGUMENT for another op. *out: new object on success.
 */
ws_err ws_wave_decision_record(const struct ws_wave_state *st, const struct ws_wave_event *ev,
    json_t **out);

/*
 * `waves list`: an array, oldest first, of
 *   {"name","status","version","tag","expires","created","targets":N}
 * `waves show NAME`: one object with also the target names, targets_sha256,
 *   the groups rolled out to, every rollout, the approvals used and still
 *   pending, the signing key ids, who created and who ended it
 *   (WS_ERR_NOT_FOUND for an unknown name).
 * Times are "YYYY-MM-DDTHH:MM:SSZ". *out: new value on success.
 */
ws_err ws_wave_list(const struct ws_wave_state *st, json_t **out);
ws_err ws_wave_show(const struct ws_wave_state *st, const char *wave, json_t **out);

/* ---------------------------------------------------------------------
 * The snapshot: STATE/index/waves.json
 * --------------------------------------------------------------------- */

/*
 * Writes the state to index_dir/waves.json atomically: a temp file in the
 * same directory (mode 0600), fsync, rename, fsync of the directory. The
 * file is compact sorted JSON carrying "seq" (the log record the state
 * reflects) and "format":"wavesign-waves" with "format_version":1.
 * WS_ERR_SYSTEM (with the path) on I/O errors; no temp file is left.
 */
ws_err ws_wave_state_save(const struct ws_wave_state *st, const char *index_dir);

/*
 * Loads index_dir/waves.json. WS_ERR_NOT_FOUND when there is none;
 * WS_ERR_JSON_* or WS_ERR_LOG_CORRUPT (unknown format, inconsistent
 * contents) when it does not load: rebuild from the log then. *out: new
 * state on success.
 */
ws_err ws_wave_state_load(const char *index_dir, struct ws_wave_state **out);

#endif /* WS_WAVE_H */
