/*
 * waves_state.h -- the daemon's wave state (issue 6): ws_wave.h's state
 * machine, kept in memory, rebuilt from the signing log, snapshotted to
 * STATE/index/waves.json, and the files each wave's ops leave behind.
 *
 * Files (under the state directory):
 *
 *   out/waves/NAME/targets.json      the wave's targets as waves.init
 *                                    signed them (written before the record)
 *   out/waves/NAME/sig-KEYID.json    one more signature from waves.sign
 *                                    (written before the record)
 *   index/waves.json                 ws_wave_state_save()'s snapshot
 *
 * The signing log is the truth. Each waves.* record carries the event's
 * fields (waves_event_subject() writes them into the record's subject;
 * the init's targets digest is outputs.targets_sha256), so the state is
 * rebuilt as: load the snapshot (or start empty, also when the snapshot
 * claims a record the log does not have), then apply every allowed waves
 * record with a greater seq -- an init's `signed` targets come from its
 * targets.json, checked against the recorded digest. A file whose record
 * never reached the log is ignored (and overwritten by the next op that
 * writes it); a signature file counts only when a waves.sign record names
 * its key. So a signed wave is never served unless recorded, and a
 * recorded one is never lost: its file is durable before its record.
 *
 * Threads: waves_lock() is held by a waves op from its check to its
 * record (released in the op's after_record hook), so the check, the
 * signing and the apply see one state. Lock order: waves before tuf.
 */
#ifndef WAVESIGND_WAVES_STATE_H
#define WAVESIGND_WAVES_STATE_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "ws_err.h"
#include "ws_tuf.h"
#include "ws_tuf_doc.h"
#include "ws_wave.h"

struct waves_state;

/* Creates STATE/out/waves and STATE/index (0700). *out: waves_state_free(). */
ws_err waves_state_open(const char *state_dir, struct waves_state **out);
void waves_state_free(struct waves_state *ws);

void waves_lock(struct waves_state *ws);
void waves_unlock(struct waves_state *ws);

/* Under the lock: the state (valid until the lock is released). */
struct ws_wave_state *waves_state_get(struct waves_state *ws);

/* ------------------------------------------------------- rebuild (index.c) */

/*
 * Loads index/waves.json, or starts empty when there is none, it does not
 * load, or it reflects a record at or beyond log_size (the number of
 * records in the log).
 */
ws_err waves_index_begin(struct waves_state *ws, uint64_t log_size);
/* One allowed record: applies waves.init/sign/rollout/complete/cancel/approve past the snapshot. */
ws_err waves_index_note(struct waves_state *ws, uint64_t seq, const json_t *record);
/* Saves the snapshot when the walk moved the state. */
ws_err waves_index_end(struct waves_state *ws);

/* ------------------------------------------------------------ the ops */

/*
 * The op name of a record ("waves.init" ...) as an event op.
 * WS_ERR_INVALID_ARGUMENT for anything else (list and show are not events).
 */
ws_err waves_op_from_record_name(const char *op, enum ws_wave_op *out);

/*
 * Writes the event's fields into subject: "name", "time", and per op
 * "tag"/"version" (init), "keyid" (sign), "group"/"selection" (rollout),
 * "op" (approve) -- what waves_index_note() reads back.
 */
ws_err waves_event_subject(const struct ws_wave_event *ev, json_t *subject);

/*
 * Wave names are file names here: 1..WS_WAVE_NAME_MAX of [A-Za-z0-9._-],
 * not starting with '.'. WS_ERR_WAVE_NAME otherwise (the policy's pattern
 * is ws_wave_check()'s).
 */
ws_err waves_name_ok(const char *name);

/* Under the lock, before the record: out/waves/NAME/targets.json (atomic, 0644). */
ws_err waves_write_targets(struct waves_state *ws, const char *name, const uint8_t *file, size_t len);
/* Under the lock, before the record: out/waves/NAME/sig-KEYID.json holding the signature object. */
ws_err waves_write_signature(struct waves_state *ws, const char *name, const char *keyid, const json_t *sig);

/*
 * Under the lock: the wave's targets document as it stands -- the init's
 * file plus the signature of every recorded waves.sign -- parsed in the
 * dialect. WS_ERR_NOT_FOUND for an unknown wave; file errors name the path.
 */
ws_err waves_load_targets(struct waves_state *ws, const char *name, enum ws_tuf_dialect dialect,
    struct ws_tuf_doc **out);

/*
 * Under the lock, once the event's record (ev->seq) is durable: applies it
 * and saves the snapshot. A failure is logged (the next start rebuilds
 * the state from the log) and returned.
 */
ws_err waves_apply(struct waves_state *ws, const struct ws_wave_event *ev);

#endif /* WAVESIGND_WAVES_STATE_H */
