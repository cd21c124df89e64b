/*
 * index.c -- what the daemon derives from the signing log, rebuilt at start.
 *
 * The log is the source of truth (DESIGN §5): every index here can be
 * thrown away and rebuilt by walking it. Today that is the replay table
 * of request ids and the factory PKI's state (pki.h: issued certificates,
 * signed device CAs, revocations, CRL numbers); each op family that keeps
 * an index adds its own call to index_record().
 */
#include "config.h"

#include <string.h>

#include "daemon.h"
#include "pki.h"
#include "replay.h"
#include "tuf_state.h"
#include "waves_state.h"

static ws_err
index_record(void *arg, uint64_t seq, const json_t *rec, const uint8_t *line, size_t len)
{
	struct ws_daemon *d = arg;
	const char *decision, *id, *client, *request;
	json_t *outputs;
	ws_err r;

	(void)line;
	(void)len;
	decision = json_string_value(json_object_get(rec, "decision"));
	if (decision == NULL || strcmp(decision, "allowed") != 0)
		return WS_OK;
	if ((r = pki_index_note(d->pki, seq, rec)) != WS_OK)
		return r;
	if ((r = tuf_index_note(d->tuf, seq, rec)) != WS_OK || (r = waves_index_note(d->waves, seq, rec)) != WS_OK)
		return r;
	id = json_string_value(json_object_get(rec, "id"));
	client = json_string_value(json_object_get(json_object_get(rec, "peer"), "client"));
	request = json_string_value(json_object_get(rec, "request"));
	outputs = json_object_get(rec, "outputs");
	if (id != NULL && client != NULL && request != NULL && json_object_get(outputs, "replay_of") == NULL)
		return replay_note_done(d->replay, client, id, request, seq);
	return WS_OK;
}

ws_err
index_rebuild(struct ws_daemon *d)
{
	ws_err r;

	tuf_index_begin(d->tuf);
	if ((r = waves_index_begin(d->waves, ws_log_size(d->log))) != WS_OK)
		return r;
	if ((r = pki_index_begin(d->pki)) != WS_OK ||
	    (r = ws_log_walk(ws_log_path(d->log), ws_log_size(d->log), NULL, index_record, d)) != WS_OK)
		return r;
	if ((r = tuf_index_end(d->tuf)) != WS_OK || (r = waves_index_end(d->waves)) != WS_OK)
		return r;
	return pki_index_end(d->pki);
}
