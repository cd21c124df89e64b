/*
 * ws_log_verify.h -- the rules of the signing log, checked one line at a
 * time in fixed memory.
 *
 * Feed every line of the log in order (without its '\n'). For line N
 * (0-based) the verifier checks, and refuses the first violation:
 *
 *   - the line is canonical JSON (ws_logline.h) with seq == N, a valid
 *     time not earlier than line N-1's, and prev == hex SHA-256 of line
 *     N-1's bytes (64 zeros for line 0);
 *   - line 0, and only line 0, is the log.create record naming the origin;
 *   - a log.checkpoint record at seq N commits to the first N records: its
 *     note is a well-formed checkpoint for this origin with tree size N and
 *     the root of those N records, its size/root members repeat the note,
 *     and, when a key was given, the note is signed by that key;
 *   - checkpoints handed in from outside (the STATE/checkpoints file, an
 *     auditor's copy) match the log when it reaches their size, and at the
 *     end none covers more records than the log has.
 *
 * Failures are WS_ERR_LOG_CORRUPT with a one-line detail naming the first
 * bad record, e.g. "seq 12: prev does not match the hash of record 11",
 * or "checkpoints: the checkpoint covers 20 records but the log has only
 * 10 (the log was truncated)". A failed line leaves the state unchanged.
 *
 * A verifier allocates once (new) and holds O(1) memory (a 64-hash
 * compact range, the last checkpoint note). Not thread-safe: one user at a
 * time (ws_log serialises its own).
 */
#ifndef WS_LOG_VERIFY_H
#define WS_LOG_VERIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ws_checkpoint.h"
#include "ws_err.h"
#include "ws_logline.h"
#include "ws_merkle.h"
#include "ws_note.h"

/* Most checkpoints accepted from outside the log. */
#define WS_LOG_VERIFY_EXTERNAL_MAX 8

#define WS_LOG_OP_CREATE "log.create"
#define WS_LOG_OP_CHECKPOINT "log.checkpoint"
/* Version written in the log.create record's "format" member. */
#define WS_LOG_FORMAT 1

struct ws_log_verifier;

/*
 * key: the verifier key of the audit key; NULL to check everything but
 * signatures (the daemon's start-up scan). The key is copied.
 */
ws_err ws_log_verifier_new(const struct ws_note_key *key, struct ws_log_verifier **out);

/* NULL is fine. */
void ws_log_verifier_free(struct ws_log_verifier *v);

/*
 * Requires the origin of the log.create record to be origin (copied).
 * WS_ERR_CHECKPOINT if origin is not a valid origin string.
 */
ws_err ws_log_verifier_set_origin(struct ws_log_verifier *v, const char *origin);

/*
 * Adds a checkpoint from outside the log; source names it in messages
 * (e.g. "checkpoints"). Parsed now (WS_ERR_CHECKPOINT if malformed); its
 * origin and, with a key, its signature are reported (WS_ERR_CHECKPOINT)
 * as soon as the log's origin is known; matched against the log later.
 * WS_ERR_LIMIT beyond WS_LOG_VERIFY_EXTERNAL_MAX.
 */
ws_err ws_log_verifier_expect(struct ws_log_verifier *v, const char *source,
    const uint8_t *note, size_t len);

/* Checks one more line and absorbs it. */
ws_err ws_log_verifier_line(struct ws_log_verifier *v, const uint8_t *line, size_t len)
	__attribute__((warn_unused_result));

/*
 * The same, with the line's two hashes already computed (e.g. on another
 * thread by ws_log_blocks): leaf = ws_merkle_leaf_hash(line) and
 * chain = ws_sha256(line).
 */
ws_err ws_log_verifier_line_hashed(struct ws_log_verifier *v, const uint8_t *line, size_t len,
    const ws_merkle_hash leaf, const ws_merkle_hash chain) __attribute__((warn_unused_result));

/* Checks what can only be checked at the end (external checkpoints beyond the log). */
ws_err ws_log_verifier_finish(struct ws_log_verifier *v) __attribute__((warn_unused_result));

/* Accessors: the state after the lines absorbed so far. */
uint64_t ws_log_verifier_size(const struct ws_log_verifier *v);
void ws_log_verifier_root(const struct ws_log_verifier *v, ws_merkle_hash out);
const struct ws_merkle_tree *ws_log_verifier_tree(const struct ws_log_verifier *v);
/* The log's origin ("" before line 0). */
const char *ws_log_verifier_origin(const struct ws_log_verifier *v);
/* SHA-256 of the last line (the next record's prev); zeros before line 0. */
void ws_log_verifier_last_hash(const struct ws_log_verifier *v, ws_merkle_hash out);
/* Time of the last line ("" before line 0). */
const char *ws_log_verifier_last_time(const struct ws_log_verifier *v);
/* Number of log.checkpoint records seen. */
uint64_t ws_log_verifier_checkpoints(const struct ws_log_verifier *v);
/* Whether signatures were checked (a key was given). */
bool ws_log_verifier_has_key(const struct ws_log_verifier *v);

/*
 * The last checkpoint seen in the log: its parsed content, the seq and
 * time of its record, and its note (borrowed: valid until the next line).
 * false when the log has no checkpoint record yet.
 */
struct ws_log_checkpoint_info {
	struct ws_checkpoint cp;
	uint64_t seq;
	char time[WS_LOG_TIME_LEN + 1];
	const uint8_t *note;
	size_t note_len;
};

bool ws_log_verifier_last_checkpoint(const struct ws_log_verifier *v, struct ws_log_checkpoint_info *out);

#endif /* WS_LOG_VERIFY_H */
