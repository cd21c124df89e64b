/*
 * ws_log.c -- creating, opening (with verification and recovery) and
 * closing the signing log (see ws_log.h).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include <openssl/rand.h>

#include "ws_cjson.h"
#include "ws_encode.h"
#include "ws_log_int.h"
#include "ws_log_reader.h"

ws_err
ws_log_origin_new(const char *factory, char out[WS_CHECKPOINT_ORIGIN_MAX + 1])
{
	uint8_t rnd[8];
	char hex[2 * sizeof(rnd) + 1];
	size_t i, len = strlen(factory);

	if (len == 0 || len > 64)
		return ws_err_set(WS_ERR_INVALID_ARGUMENT, "factory name must be 1 to 64 characters");
	for (i = 0; i < len; i++)
		if (!((factory[i] >= 'a' && factory[i] <= 'z') || (factory[i] >= 'A' && factory[i] <= 'Z') ||
		    (factory[i] >= '0' && factory[i] <= '9') || strchr("._-", factory[i]) != NULL))
			return ws_err_set(WS_ERR_INVALID_ARGUMENT,
			    "factory name has '%c' (letters, digits, '.', '_' and '-' only)", factory[i]);
	if (RAND_bytes(rnd, sizeof(rnd)) != 1)
		return ws_err_crypto(WS_ERR_CRYPTO, "RAND_bytes");
	ws_hex_encode(rnd, sizeof(rnd), hex);
	snprintf(out, WS_CHECKPOINT_ORIGIN_MAX + 1, "wavesign/%s/%s", factory, hex);
	return WS_OK;
}

/* Writes a new log holding only its log.create record, atomically. */
static ws_err
log_create(int dirfd, const char *dir, const char *origin)
{
	static const char tmp[] = "log.tmp";
	struct ws_buf line = WS_BUF_INIT(WS_LOG_LINE_MAX + 1);
	char time_s[WS_LOG_TIME_LEN + 1], zeros[2 * WS_MERKLE_HASH_LEN + 1];
	json_t *rec = NULL;
	int fd = -1;
	ssize_t n;
	ws_err r;

	if ((r = ws_checkpoint_origin_check(origin, strlen(origin))) != WS_OK) {
		r = ws_err_set(WS_ERR_INVALID_ARGUMENT, "%s", ws_err_detail());
		goto out;
	}
	memset(zeros, '0', sizeof(zeros) - 1);
	zeros[sizeof(zeros) - 1] = '\0';
	ws_log_time_now(NULL, time_s);
	rec = json_pack("{s:i, s:s, s:s, s:s, s:i, s:s}", "format", WS_LOG_FORMAT, "op", WS_LOG_OP_CREATE,
	    "origin", origin, "prev", zeros, "seq", 0, "time", time_s);
	if (rec == NULL) {
		r = ws_err_set(WS_ERR_NOMEM, "building the log.create record");
		goto out;
	}
	if ((r = ws_cjson_encode(rec, WS_CJSON_VALID_JSON, &line)) != WS_OK ||
	    (r = ws_buf_put_u8(&line, '\n')) != WS_OK)
		goto out;
	if ((fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) < 0) {
		r = ws_err_errno("%s/%s", dir, tmp);
		goto out;
	}
	do
		n = write(fd, line.data, line.len);
	while (n < 0 && errno == EINTR);
	if (n < 0 || (size_t)n != line.len || fdatasync(fd) != 0) {
		r = ws_err_errno("writing %s/%s", dir, tmp);
		goto out;
	}
	/* link, not rename: never replace a log that appeared meanwhile. */
	if (linkat(dirfd, tmp, dirfd, "log", 0) != 0 && errno != EEXIST) {
		r = ws_err_errno("creating %s/log", dir);
		goto out;
	}
	(void)unlinkat(dirfd, tmp, 0);
	if (fsync(dirfd) != 0) {
		r = ws_err_errno("fsync %s", dir);
		goto out;
	}
	r = WS_OK;
out:
	if (fd >= 0)
		close(fd);
	json_decref(rec);
	ws_buf_free(&line);
	return r;
}

/* Reads STATE/checkpoints into b; *exists false when there is none. */
static ws_err
checkpoints_file_read(struct ws_log *log, struct ws_buf *b, bool *exists)
{
	char path[4096];
	ws_err r;

	*exists = false;
	snprintf(path, sizeof(path), "%s/checkpoints", log->dir);
	if (faccessat(log->dirfd, "checkpoints", F_OK, 0) != 0) {
		if (errno == ENOENT)
			return WS_OK;
		return ws_err_errno("%s", path);
	}
	if ((r = ws_buf_read_file(b, path, WS_NOTE_MAX)) != WS_OK) {
		if (r == WS_ERR_LIMIT)
			return ws_err_set(WS_ERR_CHECKPOINT, "%s: larger than %d bytes", path, WS_NOTE_MAX);
		return r;
	}
	*exists = true;
	return WS_OK;
}

/* Reads every line into the verifier; *partial_at is where a partial last line starts. */
static ws_err
log_scan(struct ws_log *log, off_t *length, uint64_t *partial, off_t *partial_at)
{
	struct ws_log_reader *rd = NULL;
	const uint8_t *line;
	size_t len;
	ws_err r;

	*partial = 0;
	if ((r = ws_log_reader_from_fd(log->fd, &rd)) != WS_OK)
		return r;
	for (;;) {
		r = ws_log_reader_next(rd, &line, &len);
		if (r == WS_ERR_TRUNCATED) {
			*partial = ws_log_reader_partial(rd);
			*partial_at = (off_t)ws_log_reader_offset(rd);
			break;
		}
		if (r == WS_ERR_LIMIT) {
			r = ws_err_set(WS_ERR_LOG_CORRUPT, "seq %" PRIu64 ": the line is longer than %zu bytes",
			    ws_log_verifier_size(log->v), WS_LOG_LINE_MAX);
			goto out;
		}
		if (r != WS_OK)
			goto out;
		if (line == NULL)
			break;
		if ((r = ws_log_verifier_line(log->v, line, len)) != WS_OK)
			goto out;
	}
	if ((r = ws_log_verifier_finish(log->v)) != WS_OK)
		goto out;
	*length = (off_t)ws_log_reader_offset(rd);
out:
	ws_log_reader_free(rd);
	return r;
}

/* Brings STATE/checkpoints up to the log's last checkpoint record. */
static ws_err
checkpoints_file_restore(struct ws_log *log, const struct ws_buf *file, bool exists, bool *restored)
{
	struct ws_log_checkpoint_info info;
	struct ws_checkpoint in_file;

	*restored = false;
	if (!ws_log_verifier_last_checkpoint(log->v, &info))
		return WS_OK;
	if (exists && ws_checkpoint_parse(file->data, file->len, &in_file, NULL) == WS_OK &&
	    in_file.size >= info.cp.size)
		return WS_OK;
	*restored = true;
	return ws_log_write_checkpoints_file(log, info.note, info.note_len);
}

static ws_err
log_open_fd(struct ws_log *log, const char *origin)
{
	ws_err r;

	log->fd = openat(log->dirfd, "log", O_RDWR | O_APPEND | O_CLOEXEC);
	if (log->fd < 0 && errno == ENOENT) {
		if (origin == NULL)
			return ws_err_set(WS_ERR_NOT_FOUND, "no signing log in %s (give an origin to create one)",
			    log->dir);
		if ((r = log_create(log->dirfd, log->dir, origin)) != WS_OK)
			return r;
		log->fd = openat(log->dirfd, "log", O_RDWR | O_APPEND | O_CLOEXEC);
	}
	if (log->fd < 0)
		return ws_err_errno("%s", log->path);
	if (flock(log->fd, LOCK_EX | LOCK_NB) != 0) {
		if (errno == EWOULDBLOCK)
			return ws_err_set(WS_ERR_LOCKED, "another process has %s open", log->path);
		return ws_err_errno("flock %s", log->path);
	}
	return WS_OK;
}

static ws_err
log_alloc(const char *state_dir, struct ws_log **out)
{
	struct ws_log *log;

	if ((log = calloc(1, sizeof(*log))) == NULL)
		return ws_err_set(WS_ERR_NOMEM, "log");
	log->fd = -1;
	log->dirfd = -1;
	ws_buf_init(&log->line, WS_LOG_LINE_MAX + 1);
	log->interval = WS_LOG_CHECKPOINT_EVERY;
	pthread_mutex_init(&log->mu, NULL);
	pthread_mutex_init(&log->cp_mu, NULL);
	pthread_cond_init(&log->synced, NULL);
	*out = log;
	if ((log->dir = strdup(state_dir)) == NULL ||
	    asprintf(&log->path, "%s/log", state_dir) < 0) {
		log->path = NULL;
		return ws_err_set(WS_ERR_NOMEM, "log");
	}
	return WS_OK;
}

ws_err
ws_log_open(const char *state_dir, const char *origin, struct ws_log **out,
    struct ws_log_recovery *recovery)
{
	struct ws_buf file = WS_BUF_INIT(WS_NOTE_MAX);
	struct ws_log_recovery rec = { 0, 0, false };
	struct ws_log_checkpoint_info info;
	struct ws_log *log = NULL;
	off_t partial_at = 0;
	bool exists;
	ws_err r;

	if ((r = log_alloc(state_dir, &log)) != WS_OK)
		goto out;
	if ((log->dirfd = open(state_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		r = errno == ENOENT ? ws_err_set(WS_ERR_NOT_FOUND, "no state directory %s", state_dir) :
		    ws_err_errno("%s", state_dir);
		goto out;
	}
	if ((r = log_open_fd(log, origin)) != WS_OK)
		goto out;
	if ((r = ws_log_verifier_new(NULL, &log->v)) != WS_OK)
		goto out;
	if (origin != NULL && (r = ws_log_verifier_set_origin(log->v, origin)) != WS_OK) {
		r = ws_err_set(WS_ERR_INVALID_ARGUMENT, "%s", ws_err_detail());
		goto out;
	}
	if ((r = checkpoints_file_read(log, &file, &exists)) != WS_OK)
		goto out;
	if (exists && (r = ws_log_verifier_expect(log->v, "checkpoints", file.data, file.len)) != WS_OK)
		goto out;
	if ((r = log_scan(log, &log->length, &rec.truncated_bytes, &partial_at)) != WS_OK) {
		ws_err_prefix("%s", log->path);
		goto out;
	}
	if (rec.truncated_bytes > 0) {
		/* Never acknowledged (no sync covered it): take it away. */
		if (ftruncate(log->fd, partial_at) != 0) {
			r = ws_err_errno("truncating the partial last line of %s", log->path);
			goto out;
		}
		rec.truncated_offset = (uint64_t)partial_at;
	}
	if (fdatasync(log->fd) != 0) {
		r = ws_err_errno("fdatasync %s", log->path);
		goto out;
	}
	if ((r = checkpoints_file_restore(log, &file, exists, &rec.checkpoints_restored)) != WS_OK)
		goto out;
	if (ws_log_verifier_last_checkpoint(log->v, &info)) {
		log->last_checkpoint_seq = info.seq;
		log->last_is_checkpoint = info.seq + 1 == ws_log_verifier_size(log->v);
	}
	log->durable_size = ws_log_verifier_size(log->v);
	log->durable_length = log->length;
	*out = log;
	log = NULL;
	if (recovery != NULL)
		*recovery = rec;
out:
	ws_log_close(log);
	ws_buf_free(&file);
	return r;
}

void
ws_log_close(struct ws_log *log)
{
	if (log == NULL)
		return;
	if (log->fd >= 0)
		close(log->fd);	/* releases the flock */
	if (log->dirfd >= 0)
		close(log->dirfd);
	ws_log_verifier_free(log->v);
	ws_buf_free(&log->line);
	pthread_cond_destroy(&log->synced);
	pthread_mutex_destroy(&log->cp_mu);
	pthread_mutex_destroy(&log->mu);
	free(log->path);
	free(log->dir);
	free(log);
}

void
ws_log_set_checkpoint_interval(struct ws_log *log, uint64_t interval)
{
	pthread_mutex_lock(&log->mu);
	log->interval = interval;
	pthread_mutex_unlock(&log->mu);
}

uint64_t
ws_log_size(struct ws_log *log)
{
	uint64_t n;

	pthread_mutex_lock(&log->mu);
	n = ws_log_verifier_size(log->v);
	pthread_mutex_unlock(&log->mu);
	return n;
}

void
ws_log_root(struct ws_log *log, ws_merkle_hash out)
{
	pthread_mutex_lock(&log->mu);
	ws_log_verifier_root(log->v, out);
	pthread_mutex_unlock(&log->mu);
}

const char *
ws_log_origin(const struct ws_log *log)
{
	return ws_log_verifier_origin(log->v);	/* fixed once open */
}

const char *
ws_log_path(const struct ws_log *log)
{
	return log->path;
}

ws_err
ws_log_last_checkpoint(struct ws_log *log, struct ws_checkpoint *cp, uint64_t *seq, struct ws_buf *note)
{
	struct ws_log_checkpoint_info info;
	ws_err r = WS_OK;

	pthread_mutex_lock(&log->mu);
	if (!ws_log_verifier_last_checkpoint(log->v, &info)) {
		r = ws_err_set(WS_ERR_NOT_FOUND, "the log has no checkpoint yet");
		goto out;
	}
	if (note != NULL && (r = ws_buf_put(note, info.note, info.note_len)) != WS_OK)
		goto out;
	*cp = info.cp;
	*seq = info.seq;
out:
	pthread_mutex_unlock(&log->mu);
	return r;
}

void
ws_log_stats(struct ws_log *log, struct ws_log_stats *out)
{
	pthread_mutex_lock(&log->mu);
	*out = log->stats;
	pthread_mutex_unlock(&log->mu);
}
