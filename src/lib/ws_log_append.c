/*
 * ws_log_append.c -- appending records durably, with group commit, and
 * writing checkpoints (see ws_log.h).
 *
 * Group commit: appenders write their line under the mutex (the line's
 * prev depends on the line before, so lines are built in order), then
 * wait until a sync covers it. The first waiter to find no sync running
 * becomes the leader: it notes how many records are written, drops the
 * mutex, runs fdatasync, and on return publishes that count as durable
 * and wakes everyone. Records written while it synced are covered by the
 * next leader. One sync therefore serves every record written before it
 * started.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ws_cjson.h"
#include "ws_encode.h"
#include "ws_json.h"
#include "ws_log_int.h"

void
ws_log_time_now(const char *last, char out[WS_LOG_TIME_LEN + 1])
{
	time_t now = time(NULL);
	struct tm tm;

	if (gmtime_r(&now, &tm) == NULL ||
	    strftime(out, WS_LOG_TIME_LEN + 1, "%Y-%m-%dT%H:%M:%SZ", &tm) != WS_LOG_TIME_LEN)
		out[0] = '\0';
	/* A clock that goes back (or is broken) must not break the order. */
	if (last != NULL && last[0] != '\0' && strcmp(out, last) < 0)
		memcpy(out, last, WS_LOG_TIME_LEN + 1);
}

/* Marks the log failed: every later call is refused until it is reopened. */
static ws_err
log_fail(struct ws_log *log, const char *what, int err)
{
	log->failed = true;
	snprintf(log->fail_detail, sizeof(log->fail_detail), "%s: %s", what, strerror(err));
	pthread_cond_broadcast(&log->synced);
	return ws_err_set(WS_ERR_LOG_WRITE, "%s", log->fail_detail);
}

static ws_err
log_refuse_if_failed(const struct ws_log *log)
{
	if (log->failed)
		return ws_err_set(WS_ERR_LOG_WRITE, "the log failed earlier (%s); reopen it", log->fail_detail);
	return WS_OK;
}

/* Builds the line for record (adding seq, time, prev) into log->line. */
static ws_err
line_build(struct ws_log *log, json_t *record, uint64_t seq)
{
	char time_s[WS_LOG_TIME_LEN + 1], prev_hex[2 * WS_MERKLE_HASH_LEN + 1];
	ws_merkle_hash prev;
	ws_err r;

	ws_log_time_now(ws_log_verifier_last_time(log->v), time_s);
	ws_log_verifier_last_hash(log->v, prev);
	ws_hex_encode(prev, sizeof(prev), prev_hex);
	if (json_object_set_new(record, "seq", json_integer((json_int_t)seq)) != 0 ||
	    json_object_set_new(record, "time", json_string(time_s)) != 0 ||
	    json_object_set_new(record, "prev", json_string(prev_hex)) != 0)
		return ws_err_set(WS_ERR_NOMEM, "building the record");
	ws_buf_reset(&log->line);
	if ((r = ws_cjson_encode(record, WS_CJSON_VALID_JSON, &log->line)) != WS_OK) {
		if (r == WS_ERR_LIMIT)
			return ws_err_set(WS_ERR_LIMIT, "the record is longer than %zu bytes", WS_LOG_LINE_MAX);
		return ws_err_set(WS_ERR_INVALID_ARGUMENT, "the record cannot be encoded canonically: %s",
		    ws_err_message(r));
	}
	if (log->line.len > WS_LOG_LINE_MAX)
		return ws_err_set(WS_ERR_LIMIT, "the record is longer than %zu bytes", WS_LOG_LINE_MAX);
	return WS_OK;
}

/* Waits (lock held) until records [0, size) are durable, leading a sync if none runs. */
static ws_err
wait_durable(struct ws_log *log, uint64_t size)
{
	uint64_t target;
	off_t target_length;
	int rc, err;

	while (log->durable_size < size && !log->failed) {
		if (log->syncing) {
			pthread_cond_wait(&log->synced, &log->mu);
			continue;
		}
		log->syncing = true;
		target = ws_log_verifier_size(log->v);
		target_length = log->length;
		pthread_mutex_unlock(&log->mu);
		rc = fdatasync(log->fd);
		err = errno;
		pthread_mutex_lock(&log->mu);
		log->syncing = false;
		log->stats.syncs++;
		if (rc != 0) {
			/*
			 * Records after the last durable one were never acknowledged:
			 * try to take them back so a reopen does not find them.
			 */
			if (ftruncate(log->fd, log->durable_length) == 0)
				(void)fdatasync(log->fd);
			return log_fail(log, "fdatasync of the log", err);
		}
		if (target > log->durable_size) {
			log->durable_size = target;
			log->durable_length = target_length;
		}
		pthread_cond_broadcast(&log->synced);
	}
	if (log->durable_size >= size)
		return WS_OK;
	return log_refuse_if_failed(log);
}

ws_err
ws_log_append_locked(struct ws_log *log, json_t *record, uint64_t *seq_out)
{
	uint64_t seq = ws_log_verifier_size(log->v);
	ssize_t n;
	ws_err r;

	if ((r = log_refuse_if_failed(log)) != WS_OK)
		return r;
	if ((r = line_build(log, record, seq)) != WS_OK)
		return r;
	/* Vet and absorb the line: what is written must verify. */
	if ((r = ws_log_verifier_line(log->v, log->line.data, log->line.len)) != WS_OK)
		return ws_err_set(WS_ERR_INVALID_ARGUMENT, "the record would not verify: %s", ws_err_detail());
	if ((r = ws_buf_put_u8(&log->line, '\n')) != WS_OK)
		return log_fail(log, "building the line", ENOMEM);
	do
		n = write(log->fd, log->line.data, log->line.len);
	while (n < 0 && errno == EINTR);
	if (n < 0 || (size_t)n != log->line.len) {
		int err = n < 0 ? errno : ENOSPC;

		/* Never leave a half line: cut back to the last complete one. */
		if (n > 0 && ftruncate(log->fd, log->length) != 0)
			return log_fail(log, "cutting back a short write of the log", errno);
		return log_fail(log, "writing the log", err);
	}
	log->length += n;
	log->stats.appends++;
	if ((r = wait_durable(log, seq + 1)) != WS_OK)
		return r;
	*seq_out = seq;
	return WS_OK;
}

/* The members the log owns, and the ops it reserves. */
static ws_err
record_check(const json_t *record)
{
	static const char *const owned[] = { "seq", "time", "prev" };
	const char *op = NULL;
	size_t i;
	ws_err r;

	if (!json_is_object(record))
		return ws_err_set(WS_ERR_INVALID_ARGUMENT, "a log record must be a JSON object");
	for (i = 0; i < sizeof(owned) / sizeof(owned[0]); i++)
		if (json_object_get(record, owned[i]) != NULL)
			return ws_err_set(WS_ERR_INVALID_ARGUMENT, "the log sets the record's %s itself", owned[i]);
	if ((r = ws_json_get_str(record, "record", "op", &op)) != WS_OK)
		return ws_err_set(WS_ERR_INVALID_ARGUMENT, "%s", ws_err_detail());
	if (op[0] == '\0' || strcmp(op, WS_LOG_OP_CREATE) == 0 || strcmp(op, WS_LOG_OP_CHECKPOINT) == 0)
		return ws_err_set(WS_ERR_INVALID_ARGUMENT, "op \"%s\" is empty or reserved for the log", op);
	return WS_OK;
}

ws_err
ws_log_append(struct ws_log *log, const json_t *record, uint64_t *seq, bool *checkpoint_due)
{
	json_t *copy = NULL;
	uint64_t s = 0, since;
	bool due = false;
	ws_err r;

	if ((r = record_check(record)) != WS_OK)
		return r;
	if ((copy = json_copy((json_t *)record)) == NULL)
		return ws_err_set(WS_ERR_NOMEM, "copying the record");
	pthread_mutex_lock(&log->mu);
	r = ws_log_append_locked(log, copy, &s);
	if (r == WS_OK) {
		log->last_is_checkpoint = false;
		since = s - log->last_checkpoint_seq;
		due = log->interval > 0 && since % log->interval == 0;
	}
	pthread_mutex_unlock(&log->mu);
	json_decref(copy);
	if (r != WS_OK)
		return r;
	*seq = s;
	if (checkpoint_due != NULL)
		*checkpoint_due = due;
	return WS_OK;
}

ws_err
ws_log_write_checkpoints_file(struct ws_log *log, const uint8_t *note, size_t len)
{
	static const char tmp[] = "checkpoints.tmp";
	int fd = -1;
	ssize_t n;
	ws_err r;

	if ((fd = openat(log->dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) < 0) {
		r = ws_err_errno("%s/%s", log->dir, tmp);
		goto out;
	}
	do
		n = write(fd, note, len);
	while (n < 0 && errno == EINTR);
	if (n < 0 || (size_t)n != len) {
		r = n < 0 ? ws_err_errno("%s/%s", log->dir, tmp) :
		    ws_err_set(WS_ERR_SYSTEM, "%s/%s: short write", log->dir, tmp);
		goto out;
	}
	if (fsync(fd) != 0) {
		r = ws_err_errno("fsync %s/%s", log->dir, tmp);
		goto out;
	}
	if (renameat(log->dirfd, tmp, log->dirfd, "checkpoints") != 0) {
		r = ws_err_errno("renaming %s/%s", log->dir, tmp);
		goto out;
	}
	if (fsync(log->dirfd) != 0) {
		r = ws_err_errno("fsync %s", log->dir);
		goto out;
	}
	r = WS_OK;
out:
	if (fd >= 0)
		close(fd);
	return r;
}

/* Builds {"checkpoint":{"note":...,"root":...,"size":...},"op":"log.checkpoint"}. */
static ws_err
checkpoint_record(const struct ws_checkpoint *cp, const struct ws_buf *note, json_t **out)
{
	char root_hex[2 * WS_MERKLE_HASH_LEN + 1];
	json_t *rec;

	ws_hex_encode(cp->root, sizeof(cp->root), root_hex);
	rec = json_pack("{s:s, s:{s:s%, s:s, s:I}}", "op", WS_LOG_OP_CHECKPOINT, "checkpoint",
	    "note", (const char *)note->data, note->len, "root", root_hex, "size", (json_int_t)cp->size);
	if (rec == NULL)
		return ws_err_set(WS_ERR_NOMEM, "building the checkpoint record");
	*out = rec;
	return WS_OK;
}

ws_err
ws_log_checkpoint(struct ws_log *log, const char *key_name,
    const uint8_t pubkey[WS_ED25519_PUBLIC_LEN], ws_log_sign_cb sign, void *ctx, uint64_t *seq)
{
	struct ws_buf note = WS_BUF_INIT(WS_NOTE_MAX);
	struct ws_checkpoint cp;
	struct ws_note_key key;
	json_t *rec = NULL;
	uint64_t s = 0;
	bool write_file = false;
	ws_err r;

	if ((r = ws_note_key_init(&key, key_name, pubkey)) != WS_OK)
		return r;
	pthread_mutex_lock(&log->cp_mu);
	pthread_mutex_lock(&log->mu);
	if ((r = log_refuse_if_failed(log)) != WS_OK)
		goto out;
	if (log->last_is_checkpoint) {
		s = log->last_checkpoint_seq;
		goto out;
	}
	memcpy(cp.origin, ws_log_verifier_origin(log->v), sizeof(cp.origin));
	cp.size = ws_log_verifier_size(log->v);
	ws_log_verifier_root(log->v, cp.root);
	if ((r = ws_checkpoint_sign(&cp, &key, sign, ctx, &note)) != WS_OK)
		goto out;
	if ((r = checkpoint_record(&cp, &note, &rec)) != WS_OK)
		goto out;
	if ((r = ws_log_append_locked(log, rec, &s)) != WS_OK)
		goto out;
	log->last_is_checkpoint = true;
	log->last_checkpoint_seq = s;
	write_file = true;
out:
	pthread_mutex_unlock(&log->mu);
	/* The log holds the checkpoint now; the file is a copy, written outside mu. */
	if (write_file)
		r = ws_log_write_checkpoints_file(log, note.data, note.len);
	pthread_mutex_unlock(&log->cp_mu);
	json_decref(rec);
	ws_buf_free(&note);
	if (r == WS_OK && seq != NULL)
		*seq = s;
	return r;
}
