/*
 * ws_log_blocks.c -- the log read and leaf-hashed on a second thread
 * (see ws_log_blocks.h).
 *
 * Two blocks alternate: the thread fills block k while the caller walks
 * block k-1. A block is handed over with `ready` set under the mutex and
 * handed back by clearing it; nothing else is shared.
 */
#include "config.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ws_log_blocks.h"
#include "ws_log_reader.h"
#include "ws_logline.h"
#include "ws_sha256.h"

struct block {
	uint8_t *data;
	size_t used;
	uint32_t n;
	uint32_t off[WS_LOG_BLOCK_LINES];
	uint32_t len[WS_LOG_BLOCK_LINES];
	ws_merkle_hash leaf[WS_LOG_BLOCK_LINES];
	ws_merkle_hash chain[WS_LOG_BLOCK_LINES];
	bool ready;		/* filled, and not yet handed back */
	bool last;		/* nothing follows: end of file or an error */
	ws_err err;		/* with last: how the reading ended */
	char detail[1024];
	uint64_t partial;
};

struct ws_log_blocks {
	struct ws_log_reader *rd;	/* used by the thread only, once started */
	pthread_t thread;
	bool started;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool stop;
	struct block blk[2];
	/* the caller's side */
	unsigned cur;
	bool holding;		/* blk[cur] is ready and being walked */
	uint32_t pos;
	bool done;
	ws_err final;
	char final_detail[1024];
	uint64_t partial;
};

/* Fills b with lines until it has no room for a line of the largest size. */
static void
block_fill(struct ws_log_blocks *lb, struct block *b)
{
	const uint8_t *line;
	size_t len;
	ws_err r;

	b->used = 0;
	b->n = 0;
	b->last = false;
	b->err = WS_OK;
	while (b->n < WS_LOG_BLOCK_LINES && WS_LOG_BLOCK_BYTES - b->used >= WS_LOG_LINE_MAX) {
		if ((r = ws_log_reader_next(lb->rd, &line, &len)) != WS_OK) {
			b->last = true;
			b->err = r;
			snprintf(b->detail, sizeof(b->detail), "%s", ws_err_detail());
			b->partial = ws_log_reader_partial(lb->rd);
			return;
		}
		if (line == NULL) {
			b->last = true;
			return;
		}
		memcpy(b->data + b->used, line, len);
		b->off[b->n] = (uint32_t)b->used;
		b->len[b->n] = (uint32_t)len;
		ws_merkle_leaf_hash(line, len, b->leaf[b->n]);
		ws_sha256(line, len, b->chain[b->n]);
		b->used += len;
		b->n++;
	}
}

static void *
blocks_thread(void *arg)
{
	struct ws_log_blocks *lb = arg;
	struct block *b;
	unsigned k;

	for (k = 0;; k ^= 1) {
		b = &lb->blk[k];
		pthread_mutex_lock(&lb->mu);
		while (b->ready && !lb->stop)
			pthread_cond_wait(&lb->cv, &lb->mu);
		if (lb->stop) {
			pthread_mutex_unlock(&lb->mu);
			return NULL;
		}
		pthread_mutex_unlock(&lb->mu);
		block_fill(lb, b);
		pthread_mutex_lock(&lb->mu);
		b->ready = true;
		pthread_cond_broadcast(&lb->cv);
		pthread_mutex_unlock(&lb->mu);
		if (b->last)
			return NULL;
	}
}

ws_err
ws_log_blocks_open(const char *path, struct ws_log_blocks **out)
{
	struct ws_log_blocks *lb = NULL;
	ws_err r;
	int i;

	if ((lb = calloc(1, sizeof(*lb))) == NULL)
		return ws_err_set(WS_ERR_NOMEM, "log blocks");
	pthread_mutex_init(&lb->mu, NULL);
	pthread_cond_init(&lb->cv, NULL);
	for (i = 0; i < 2; i++)
		if ((lb->blk[i].data = malloc(WS_LOG_BLOCK_BYTES)) == NULL) {
			r = ws_err_set(WS_ERR_NOMEM, "log blocks");
			goto out;
		}
	if ((r = ws_log_reader_open(path, &lb->rd)) != WS_OK)
		goto out;
	if (pthread_create(&lb->thread, NULL, blocks_thread, lb) != 0) {
		r = ws_err_errno("starting the log reading thread");
		goto out;
	}
	lb->started = true;
	*out = lb;
	lb = NULL;
out:
	ws_log_blocks_free(lb);
	return r;
}

ws_err
ws_log_blocks_next(struct ws_log_blocks *lb, const uint8_t **line, size_t *len, const uint8_t **leaf,
    const uint8_t **chain)
{
	struct block *b;

	for (;;) {
		if (lb->done) {
			*line = NULL;
			*len = 0;
			return lb->final == WS_OK ? WS_OK : ws_err_set(lb->final, "%s", lb->final_detail);
		}
		b = &lb->blk[lb->cur];
		if (!lb->holding) {
			pthread_mutex_lock(&lb->mu);
			while (!b->ready)
				pthread_cond_wait(&lb->cv, &lb->mu);
			pthread_mutex_unlock(&lb->mu);
			lb->holding = true;
			lb->pos = 0;
		}
		if (lb->pos < b->n) {
			*line = b->data + b->off[lb->pos];
			*len = b->len[lb->pos];
			*leaf = b->leaf[lb->pos];
			*chain = b->chain[lb->pos];
			lb->pos++;
			return WS_OK;
		}
		if (b->last) {
			lb->done = true;
			lb->final = b->err;
			lb->partial = b->partial;
			memcpy(lb->final_detail, b->detail, sizeof(lb->final_detail));
			continue;
		}
		pthread_mutex_lock(&lb->mu);
		b->ready = false;
		pthread_cond_broadcast(&lb->cv);
		pthread_mutex_unlock(&lb->mu);
		lb->holding = false;
		lb->cur ^= 1;
	}
}

uint64_t
ws_log_blocks_partial(const struct ws_log_blocks *lb)
{
	return lb->partial;
}

void
ws_log_blocks_free(struct ws_log_blocks *lb)
{
	int i;

	if (lb == NULL)
		return;
	if (lb->started) {
		pthread_mutex_lock(&lb->mu);
		lb->stop = true;
		pthread_cond_broadcast(&lb->cv);
		pthread_mutex_unlock(&lb->mu);
		pthread_join(lb->thread, NULL);
	}
	ws_log_reader_free(lb->rd);
	for (i = 0; i < 2; i++)
		free(lb->blk[i].data);
	pthread_cond_destroy(&lb->cv);
	pthread_mutex_destroy(&lb->mu);
	free(lb);
}
