/*
 * lines.c -- finding lines in the log (a record by seq, checkpoint
 * records) and the hash lists of proof files.
 */
#include "config.h"

#include <inttypes.h>
#include <string.h>

#include "ws_encode.h"
#include "ws_json.h"
#include "ws_log_reader.h"
#include "ws_log_verify.h"
#include "ws_logline.h"
#include "audit.h"

ws_err
audit_line_at(const char *log_path, uint64_t seq, struct ws_buf *out)
{
	struct ws_log_reader *rd = NULL;
	const uint8_t *line;
	uint64_t i;
	size_t len;
	ws_err r;

	if ((r = ws_log_reader_open(log_path, &rd)) != WS_OK)
		goto out;
	for (i = 0; i <= seq; i++) {
		if ((r = ws_log_reader_next(rd, &line, &len)) != WS_OK && r != WS_ERR_TRUNCATED)
			goto out;
		if (r == WS_ERR_TRUNCATED || line == NULL) {
			r = ws_err_set(WS_ERR_NOT_FOUND, "no record %" PRIu64 " (the log has %" PRIu64 ")", seq, i);
			goto out;
		}
	}
	ws_buf_reset(out);
	r = ws_buf_put(out, line, len);
out:
	ws_log_reader_free(rd);
	return r;
}

/* The note member of a log.checkpoint record line. */
static ws_err
note_of(const uint8_t *line, size_t len, uint64_t seq, struct ws_buf *note)
{
	json_t *rec = NULL, *obj;
	const char *op = NULL, *n = NULL;
	ws_err r;

	if ((r = ws_logline_parse(line, len, &rec)) != WS_OK ||
	    (r = ws_json_get_str(rec, NULL, "op", &op)) != WS_OK)
		goto out;
	if (strcmp(op, WS_LOG_OP_CHECKPOINT) != 0) {
		r = ws_err_set(WS_ERR_NOT_FOUND, "record %" PRIu64 " is a %s record, not a checkpoint", seq, op);
		goto out;
	}
	if ((r = ws_json_get_obj(rec, NULL, "checkpoint", &obj)) != WS_OK ||
	    (r = ws_json_get_str(obj, "checkpoint", "note", &n)) != WS_OK)
		goto out;
	ws_buf_reset(note);
	r = ws_buf_put(note, n, json_string_length(json_object_get(obj, "note")));
out:
	if (r != WS_OK && r != WS_ERR_NOT_FOUND)
		r = ws_err_set(WS_ERR_LOG_CORRUPT, "seq %" PRIu64 ": %s", seq, ws_err_detail());
	json_decref(rec);
	return r;
}

ws_err
audit_checkpoint_note_at(const char *log_path, uint64_t seq, struct ws_buf *note)
{
	struct ws_buf line = WS_BUF_INIT(WS_LOG_LINE_MAX);
	ws_err r;

	if ((r = audit_line_at(log_path, seq, &line)) == WS_OK)
		r = note_of(line.data, line.len, seq, note);
	ws_buf_free(&line);
	return r;
}

ws_err
audit_last_checkpoint_note(const char *log_path, struct ws_buf *note, uint64_t *seq)
{
	struct ws_log_reader *rd = NULL;
	struct ws_logline l;
	const uint8_t *line;
	uint64_t i, found = UINT64_MAX;
	size_t len;
	ws_err r;

	if ((r = ws_log_reader_open(log_path, &rd)) != WS_OK)
		goto out;
	for (i = 0;; i++) {
		if ((r = ws_log_reader_next(rd, &line, &len)) == WS_ERR_TRUNCATED || (r == WS_OK && line == NULL))
			break;
		if (r != WS_OK)
			goto out;
		if (ws_logline_scan(line, len, &l) == WS_OK && l.op_len == strlen(WS_LOG_OP_CHECKPOINT) &&
		    memcmp(l.op, WS_LOG_OP_CHECKPOINT, l.op_len) == 0) {
			if ((r = note_of(line, len, i, note)) != WS_OK)
				goto out;
			found = i;
		}
	}
	if (found == UINT64_MAX) {
		r = ws_err_set(WS_ERR_NOT_FOUND, "the log has no checkpoint record yet");
		goto out;
	}
	*seq = found;
	r = WS_OK;
out:
	ws_log_reader_free(rd);
	return r;
}

json_t *
audit_hashes_json(const ws_merkle_hash *h, size_t n)
{
	char hex[2 * WS_MERKLE_HASH_LEN + 1];
	json_t *arr = json_array();
	size_t i;

	for (i = 0; arr != NULL && i < n; i++) {
		audit_hex(h[i], hex);
		if (json_array_append_new(arr, json_string(hex)) != 0) {
			json_decref(arr);
			arr = NULL;
		}
	}
	return arr;
}

ws_err
audit_hashes_parse(const json_t *arr, ws_merkle_hash *out, size_t *n)
{
	size_t i, count;
	const char *s;

	if (!json_is_array(arr))
		return ws_err_set(WS_ERR_CHECKPOINT, "proof: expected an array of hashes");
	count = json_array_size(arr);
	if (count > WS_MERKLE_PROOF_MAX)
		return ws_err_set(WS_ERR_CHECKPOINT, "proof: %zu hashes, at most %d", count, WS_MERKLE_PROOF_MAX);
	for (i = 0; i < count; i++) {
		s = json_string_value(json_array_get(arr, i));
		if (s == NULL || ws_hex_decode(s, strlen(s), out[i], WS_MERKLE_HASH_LEN) != WS_OK)
			return ws_err_set(WS_ERR_CHECKPOINT, "proof[%zu]: not 64 lower-case hex digits", i);
	}
	*n = count;
	return WS_OK;
}
