/*
 * replay.h -- idempotent retries by client request id.
 *
 * A request that carries an id and is allowed leaves its result in
 * STATE/replies/<key>.json (written durably before its log record) and an
 * entry here (after the record). The same id from the same client later
 * gets that result back, marked with the original record's seq, and
 * nothing is signed twice. The table is rebuilt from the signing log at
 * start: the log, not the reply files, decides what was done (a reply file
 * whose record never made it to the log is ignored and overwritten).
 *
 * An id reused for a different request (another request digest) is
 * refused; an id whose first request is still being served is refused
 * too (the client should wait for the first answer).
 */
#ifndef WAVESIGND_REPLAY_H
#define WAVESIGND_REPLAY_H

#include <stdint.h>

#include <jansson.h>

#include "ws_err.h"

struct replay;

ws_err replay_new(const char *state_dir, struct replay **out);
void replay_free(struct replay *rp);

/* Adds what the log says was done (start-up: every allowed record with an id). */
ws_err replay_note_done(struct replay *rp, const char *client, const char *id,
    const char *request_sha256, uint64_t seq);

enum replay_state {
	REPLAY_NEW,		/* never seen: serve it (it is now marked in progress) */
	REPLAY_DONE,		/* served before: *result and *seq are the recorded answer */
};

/*
 * Looks the (client, id) pair up. REPLAY_NEW: the caller must end with
 * replay_finish() or replay_abandon(). REPLAY_DONE: *result is a new
 * reference to the recorded result. Errors: WS_ERR_EXISTS (in progress, or
 * the id was used for another request), WS_ERR_SYSTEM / WS_ERR_JSON_* (the
 * reply file is unreadable).
 */
ws_err replay_begin(struct replay *rp, const char *client, const char *id,
    const char *request_sha256, enum replay_state *state, json_t **result, uint64_t *seq);

/* Writes the result durably; call before the log record is appended. */
ws_err replay_store(struct replay *rp, const char *client, const char *id, const json_t *result);

/* The record is durable: the pair is done, with that seq. */
void replay_finish(struct replay *rp, const char *client, const char *id, uint64_t seq);

/* The request was not done (denied, failed, or its record failed). */
void replay_abandon(struct replay *rp, const char *client, const char *id);

#endif
