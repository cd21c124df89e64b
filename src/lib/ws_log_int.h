/*
 * ws_log_int.h -- the ws_log structure, shared by ws_log.c (open, close,
 * accessors) and ws_log_append.c (append, group commit, checkpoints).
 * Private to those two files.
 */
#ifndef WS_LOG_INT_H
#define WS_LOG_INT_H

#include <pthread.h>
#include <sys/types.h>

#include "ws_log.h"
#include "ws_log_verify.h"

struct ws_log {
	char *dir;
	char *path;			/* dir/log */
	int dirfd;
	int fd;				/* the log, O_APPEND, flocked */

	pthread_mutex_t mu;		/* guards everything below */
	pthread_cond_t synced;		/* durable_size moved or the log failed */
	pthread_mutex_t cp_mu;		/* one checkpoint at a time; taken before mu */

	struct ws_log_verifier *v;	/* state of the log: size, tree, prev, time */
	struct ws_buf line;		/* scratch for encoding a record */
	off_t length;			/* bytes of complete lines written */
	uint64_t durable_size;		/* records [0, durable_size) are synced */
	off_t durable_length;		/* file length at durable_size */
	bool syncing;			/* a leader is in fdatasync */
	bool failed;			/* a write or sync failed: refuse everything */
	char fail_detail[256];
	bool last_is_checkpoint;	/* the last record is a log.checkpoint */
	uint64_t last_checkpoint_seq;	/* seq of the last checkpoint record, or 0 */
	uint64_t interval;
	struct ws_log_stats stats;
};

/* Appends record (already a private copy) with the lock held; waits until durable. */
ws_err ws_log_append_locked(struct ws_log *log, json_t *record, uint64_t *seq);

/* Writes STATE/checkpoints atomically. No lock needed (callers serialise). */
ws_err ws_log_write_checkpoints_file(struct ws_log *log, const uint8_t *note, size_t len);

/* Formats the current UTC time, never earlier than last (may be ""). */
void ws_log_time_now(const char *last, char out[WS_LOG_TIME_LEN + 1]);

#endif /* WS_LOG_INT_H */
