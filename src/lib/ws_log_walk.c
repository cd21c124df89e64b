/*
 * ws_log_walk.c -- reading a whole log file through the verifier: the
 * offline verification of wavesign-audit, and the verified walk that
 * rebuilds the daemon's indexes (see ws_log.h).
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "ws_log.h"
#include "ws_log_blocks.h"
#include "ws_log_reader.h"
#include "ws_log_verify.h"
#include "ws_logline.h"

ws_err
ws_log_walk(const char *path, uint64_t limit, const struct ws_note_key *key,
    ws_log_walk_cb cb, void *ctx)
{
	struct ws_log_reader *rd = NULL;
	struct ws_log_verifier *v = NULL;
	const uint8_t *line;
	json_t *rec = NULL;
	uint64_t seq;
	size_t len;
	ws_err r;

	if ((r = ws_log_reader_open(path, &rd)) != WS_OK ||
	    (r = ws_log_verifier_new(key, &v)) != WS_OK)
		goto out;
	for (seq = 0; seq < limit; seq++) {
		if ((r = ws_log_reader_next(rd, &line, &len)) != WS_OK) {
			if (r == WS_ERR_LIMIT)
				r = ws_err_set(WS_ERR_LIMIT, "%s: seq %" PRIu64 ": the line is longer than %zu bytes",
				    path, seq, WS_LOG_LINE_MAX);
			goto out;
		}
		if (line == NULL)
			break;
		if ((r = ws_log_verifier_line(v, line, len)) != WS_OK ||
		    (r = ws_logline_parse(line, len, &rec)) != WS_OK) {
			ws_err_prefix("%s", path);
			goto out;
		}
		if ((r = cb(ctx, seq, rec, line, len)) != WS_OK)
			goto out;
		json_decref(rec);
		rec = NULL;
	}
	r = WS_OK;
out:
	json_decref(rec);
	ws_log_verifier_free(v);
	ws_log_reader_free(rd);
	return r;
}

static ws_err
verifier_add_file(struct ws_log_verifier *v, const char *path, struct ws_checkpoint *cp)
{
	struct ws_buf note = WS_BUF_INIT(WS_NOTE_MAX);
	ws_err r;

	if ((r = ws_buf_read_file(&note, path, WS_NOTE_MAX)) != WS_OK) {
		if (r == WS_ERR_LIMIT)
			r = ws_err_set(WS_ERR_CHECKPOINT, "%s: larger than %d bytes", path, WS_NOTE_MAX);
		goto out;
	}
	if ((r = ws_log_verifier_expect(v, path, note.data, note.len)) != WS_OK)
		goto out;
	r = ws_checkpoint_parse(note.data, note.len, cp, NULL);
out:
	ws_buf_free(&note);
	return r;
}

ws_err
ws_log_verify_file(const char *log_path, const char *checkpoints_path,
    const struct ws_note_key *key, const char *origin, bool allow_partial,
    struct ws_log_verify_report *report)
{
	struct ws_log_verify_report rep;
	struct ws_log_checkpoint_info info;
	struct ws_log_blocks *rd = NULL;
	struct ws_log_verifier *v = NULL;
	const uint8_t *line, *leaf, *chain;
	size_t len;
	ws_err r;

	memset(&rep, 0, sizeof(rep));
	if ((r = ws_log_verifier_new(key, &v)) != WS_OK)
		goto out;
	if (origin != NULL && (r = ws_log_verifier_set_origin(v, origin)) != WS_OK)
		goto out;
	if (checkpoints_path != NULL) {
		if ((r = verifier_add_file(v, checkpoints_path, &rep.file)) != WS_OK)
			goto out;
		rep.have_file_checkpoint = true;
	}
	/* The hashes are computed ahead, on a second core. */
	if ((r = ws_log_blocks_open(log_path, &rd)) != WS_OK)
		goto out;
	for (;;) {
		r = ws_log_blocks_next(rd, &line, &len, &leaf, &chain);
		if (r == WS_ERR_TRUNCATED) {
			rep.partial_bytes = ws_log_blocks_partial(rd);
			if (allow_partial)
				break;
			r = ws_err_set(WS_ERR_LOG_CORRUPT,
			    "seq %" PRIu64 ": incomplete last line (%" PRIu64 " bytes without a newline: a crash "
			    "during a write; wavesignd removes it when it next opens the log)",
			    ws_log_verifier_size(v), rep.partial_bytes);
			goto out;
		}
		if (r == WS_ERR_LIMIT) {
			r = ws_err_set(WS_ERR_LOG_CORRUPT, "seq %" PRIu64 ": the line is longer than %zu bytes",
			    ws_log_verifier_size(v), WS_LOG_LINE_MAX);
			goto out;
		}
		if (r != WS_OK)
			goto out;
		if (line == NULL)
			break;
		if ((r = ws_log_verifier_line_hashed(v, line, len, leaf, chain)) != WS_OK)
			goto out;
	}
	if ((r = ws_log_verifier_finish(v)) != WS_OK)
		goto out;
	rep.size = ws_log_verifier_size(v);
	ws_log_verifier_root(v, rep.root);
	snprintf(rep.origin, sizeof(rep.origin), "%s", ws_log_verifier_origin(v));
	rep.checkpoints = ws_log_verifier_checkpoints(v);
	if ((rep.have_checkpoint = ws_log_verifier_last_checkpoint(v, &info))) {
		rep.last = info.cp;
		rep.last_seq = info.seq;
		memcpy(rep.last_time, info.time, sizeof(rep.last_time));
	}
	*report = rep;
out:
	ws_log_blocks_free(rd);
	ws_log_verifier_free(v);
	return r;
}
