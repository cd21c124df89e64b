/*
 * ws_log.h -- the signing log: append-only, hash-chained, Merkle-tree
 * committed, fail-closed. The format is wavesign-log(5).
 *
 * Files in the state directory (which the caller creates, mode 0700):
 *   STATE/log          one canonical JSON record per line
 *   STATE/checkpoints  the latest signed checkpoint note (replaced
 *                      atomically); every earlier one is in the log
 *
 * Records. The caller builds a JSON object (op, peer, decision, ...); the
 * log adds seq (0-based, consecutive), time (UTC, never decreasing) and
 * prev (hex SHA-256 of the previous line without its '\n'), encodes it
 * canonically and appends it as one line. The first record (seq 0) is
 * written by ws_log_open() when it creates the log: op "log.create" with
 * the log's origin and format. ws_log_checkpoint() appends op
 * "log.checkpoint" records. Those two ops are reserved.
 *
 * Durability. ws_log_append() returns only after the line is on disk
 * (fdatasync). Concurrent appenders share fdatasyncs (group commit): one
 * thread syncs everything written so far while the others wait until
 * their record is covered. If a write or sync fails the append fails with
 * WS_ERR_LOG_WRITE, no half line is left behind (a short write is cut
 * back), and every later append and checkpoint fails the same way until
 * the log is closed and opened again: nothing signed may leave the daemon
 * unless its record is durable.
 *
 * Start-up. ws_log_open() reads the whole log once with the rules of
 * ws_log_verify.h (canonical lines, seq, time, chain, every checkpoint
 * record against the tree) and matches STATE/checkpoints against it; a log
 * that does not verify is refused (WS_ERR_LOG_CORRUPT, the detail names
 * the first bad record). Two repairs are made, and reported: a partial
 * last line (a crash in the middle of a write, never acknowledged) is cut
 * off; a checkpoints file older than the log's last checkpoint record (a
 * crash between the two writes) is rewritten from the log. Signatures are
 * not checked here (no key): wavesign-audit verify does that.
 *
 * Threads: every function but open and close may be called from any
 * thread at any time; close must be the last call.
 */
#ifndef WS_LOG_H
#define WS_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "ws_buf.h"
#include "ws_checkpoint.h"
#include "ws_err.h"
#include "ws_logline.h"
#include "ws_merkle.h"
#include "ws_note.h"

/* Signs checkpoints with the audit key (pure Ed25519; see ws_note.h). */
typedef ws_note_sign_cb ws_log_sign_cb;

/* Default number of records after which ws_log_append() says a checkpoint is due. */
#define WS_LOG_CHECKPOINT_EVERY 1000

struct ws_log;

/* What ws_log_open() repaired. */
struct ws_log_recovery {
	uint64_t truncated_bytes;	/* partial last line removed (0: none) */
	uint64_t truncated_offset;	/* where it started */
	bool checkpoints_restored;	/* STATE/checkpoints rewritten from the log */
};

/*
 * Makes a fresh origin "wavesign/<factory>/<16 random hex digits>" into
 * out (WS_CHECKPOINT_ORIGIN_MAX + 1 bytes). factory: 1..64 characters of
 * [A-Za-z0-9._-]; WS_ERR_INVALID_ARGUMENT otherwise.
 */
ws_err ws_log_origin_new(const char *factory, char out[WS_CHECKPOINT_ORIGIN_MAX + 1]);

/*
 * Opens STATE/log, creating it (with its log.create record) if it does
 * not exist and origin is given. origin NULL: open an existing log
 * (WS_ERR_NOT_FOUND if there is none); given: the log's origin must be
 * that (WS_ERR_LOG_CORRUPT otherwise). Takes an exclusive flock on the
 * log: WS_ERR_LOCKED when another process has it open. recovery may be
 * NULL. On success *out is the log (ws_log_close()).
 *
 * Errors: WS_ERR_NOT_FOUND, WS_ERR_LOCKED, WS_ERR_LOG_CORRUPT (does not
 * verify), WS_ERR_CHECKPOINT (STATE/checkpoints is malformed or for
 * another log), WS_ERR_SYSTEM (I/O), WS_ERR_NOMEM.
 */
ws_err ws_log_open(const char *state_dir, const char *origin, struct ws_log **out,
    struct ws_log_recovery *recovery);

/*
 * Appends a record (not modified; its members seq, time and prev must be
 * absent and op must be a non-reserved string). On success *seq is the
 * record's sequence number and *checkpoint_due (may be NULL) is true when
 * this record completes another `interval` records since the last
 * checkpoint (the caller should then call ws_log_checkpoint()).
 *
 * Errors: WS_ERR_INVALID_ARGUMENT (the record is not acceptable: reserved
 * op, a member the log owns, a value that cannot be encoded canonically
 * such as a real or a NUL in a string), WS_ERR_LIMIT (line over 1 MiB);
 * these leave the log usable. WS_ERR_LOG_WRITE: the record could not be
 * made durable and the log refuses everything from now on.
 */
ws_err ws_log_append(struct ws_log *log, const json_t *record, uint64_t *seq, bool *checkpoint_due);

/*
 * Signs a checkpoint of the whole log (tree size = current size, so it
 * covers every record so far), appends it as a log.checkpoint record
 * (durably) and replaces STATE/checkpoints with it (temp file, fsync,
 * rename, fsync of the directory). key_name and pubkey name the audit key;
 * sign(ctx, ...) is called once, with the log's lock held (appends wait
 * for the signature), so it must not call into the log. When the last
 * record already is a checkpoint nothing is done. *seq (may be NULL)
 * receives the seq of the checkpoint record.
 *
 * Errors: what sign returns (nothing is appended); WS_ERR_LOG_WRITE as for
 * ws_log_append(); WS_ERR_SYSTEM when only the checkpoints file could not
 * be replaced (the checkpoint is in the log; the next open rewrites it).
 */
ws_err ws_log_checkpoint(struct ws_log *log, const char *key_name,
    const uint8_t pubkey[WS_ED25519_PUBLIC_LEN], ws_log_sign_cb sign, void *ctx, uint64_t *seq);

/* Records between checkpoint_due signals (0: never due). Default WS_LOG_CHECKPOINT_EVERY. */
void ws_log_set_checkpoint_interval(struct ws_log *log, uint64_t interval);

/* Closes the log (all appends must have returned). NULL is fine. */
void ws_log_close(struct ws_log *log);

/* Number of records (= tree size; the next record's seq). */
uint64_t ws_log_size(struct ws_log *log);

/* Root hash of the tree over all records. */
void ws_log_root(struct ws_log *log, ws_merkle_hash out);

/* The log's origin (valid until close). */
const char *ws_log_origin(const struct ws_log *log);

/* Path of STATE/log (valid until close), e.g. for ws_log_walk(). */
const char *ws_log_path(const struct ws_log *log);

/*
 * The last checkpoint in the log: its content, the seq of its record, and
 * its signed note appended to note (may be NULL). WS_ERR_NOT_FOUND if the
 * log has none yet.
 */
ws_err ws_log_last_checkpoint(struct ws_log *log, struct ws_checkpoint *cp, uint64_t *seq,
    struct ws_buf *note);

/* Counters (for tests and the benchmark): appends made and fdatasyncs run. */
struct ws_log_stats {
	uint64_t appends;
	uint64_t syncs;
};

void ws_log_stats(struct ws_log *log, struct ws_log_stats *out);

/*
 * Index rebuild: walks the first `limit` records of the log file at path
 * (UINT64_MAX: to the end), checking each line with the rules of
 * ws_log_verify.h (signatures too when key is not NULL) before handing it
 * to cb with its parsed JSON (borrowed for the call). Stops at the first
 * error, from the log (WS_ERR_LOG_CORRUPT, WS_ERR_TRUNCATED for a partial
 * last line, WS_ERR_LIMIT) or from cb (returned unchanged): whatever the
 * caller built from earlier records must then be thrown away.
 */
typedef ws_err (*ws_log_walk_cb)(void *ctx, uint64_t seq, const json_t *record,
    const uint8_t *line, size_t len);

ws_err ws_log_walk(const char *path, uint64_t limit, const struct ws_note_key *key,
    ws_log_walk_cb cb, void *ctx);

/*
 * Verifies a log file offline, as wavesign-audit verify does: every rule
 * of ws_log_verify.h, the signature of every checkpoint (in the log and in
 * checkpoints_path) when key is given, and the log.create origin against
 * origin when given. checkpoints_path may be NULL (no file to match).
 * A partial last line is refused (WS_ERR_LOG_CORRUPT) unless allow_partial,
 * in which case it is reported and the complete lines are verified.
 * Memory does not grow with the log. *report is filled on success.
 *
 * Errors: WS_ERR_LOG_CORRUPT / WS_ERR_CHECKPOINT (does not verify; the
 * detail names the first bad record or the checkpoint), WS_ERR_SYSTEM
 * (cannot read a file), WS_ERR_NOMEM.
 */
struct ws_log_verify_report {
	uint64_t size;
	ws_merkle_hash root;
	char origin[WS_CHECKPOINT_ORIGIN_MAX + 1];
	uint64_t checkpoints;		/* log.checkpoint records */
	bool have_checkpoint;
	struct ws_checkpoint last;	/* the last log.checkpoint record's */
	uint64_t last_seq;
	char last_time[WS_LOG_TIME_LEN + 1];
	bool have_file_checkpoint;
	struct ws_checkpoint file;	/* the checkpoints file's */
	uint64_t partial_bytes;		/* ignored partial last line (allow_partial) */
};

ws_err ws_log_verify_file(const char *log_path, const char *checkpoints_path,
    const struct ws_note_key *key, const char *origin, bool allow_partial,
    struct ws_log_verify_report *report);

#endif /* WS_LOG_H */
