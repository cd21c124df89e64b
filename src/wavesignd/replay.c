/*
 * replay.c -- idempotent retries (see replay.h).
 *
 * The table is keyed by SHA-256(client || 0x00 || id), which is also the
 * reply file's name, so no client-chosen bytes reach a path.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "replay.h"
#include "ws_buf.h"
#include "ws_cjson.h"
#include "ws_encode.h"
#include "ws_file.h"
#include "ws_json.h"
#include "ws_sha256.h"

#define REPLY_MAX (256u << 20)

struct entry {
	uint8_t key[WS_SHA256_LEN];
	char request[2 * WS_SHA256_LEN + 1];
	uint64_t seq;
	bool done;
	bool used;
};

struct replay {
	pthread_mutex_t lock;
	char dir[4096];
	struct entry *slots;
	size_t cap, n;
};

static void
pair_key(const char *client, const char *id, uint8_t key[WS_SHA256_LEN])
{
	size_t cl = strlen(client), il = strlen(id);
	char *buf = malloc(cl + 1 + il);

	if (buf == NULL)
		abort();	/* a few hundred bytes; not worth a code path */
	memcpy(buf, client, cl);
	buf[cl] = '\0';
	memcpy(buf + cl + 1, id, il);
	ws_sha256(buf, cl + 1 + il, key);
	free(buf);
}

static size_t
slot_of(const struct replay *rp, const uint8_t key[WS_SHA256_LEN])
{
	size_t h;

	memcpy(&h, key, sizeof(h));
	return h & (rp->cap - 1);
}

/* The entry for key, or the empty slot where it would go. */
static struct entry *
lookup(struct replay *rp, const uint8_t key[WS_SHA256_LEN])
{
	size_t i = slot_of(rp, key);

	while (rp->slots[i].used && memcmp(rp->slots[i].key, key, WS_SHA256_LEN) != 0)
		i = (i + 1) & (rp->cap - 1);
	return &rp->slots[i];
}

static ws_err
grow(struct replay *rp)
{
	struct entry *old = rp->slots;
	size_t old_cap = rp->cap, ncap = rp->cap ? rp->cap * 2 : 1024;

	if ((rp->slots = calloc(ncap, sizeof(*rp->slots))) == NULL) {
		rp->slots = old;
		return ws_err_set(WS_ERR_NOMEM, "replay table of %zu entries", ncap);
	}
	rp->cap = ncap;
	for (size_t i = 0; i < old_cap; i++)
		if (old[i].used)
			*lookup(rp, old[i].key) = old[i];
	free(old);
	return WS_OK;
}

/* Inserts (or finds) key; caller holds the lock. */
static ws_err
insert(struct replay *rp, const uint8_t key[WS_SHA256_LEN], struct entry **out)
{
	struct entry *e;
	ws_err r;

	if ((rp->n + 1) * 2 > rp->cap && (r = grow(rp)) != WS_OK)
		return r;
	e = lookup(rp, key);
	if (!e->used) {
		memset(e, 0, sizeof(*e));
		memcpy(e->key, key, WS_SHA256_LEN);
		e->used = true;
		rp->n++;
	}
	*out = e;
	return WS_OK;
}

/* Removes e, re-placing the entries of its probe run (linear probing). */
static void
erase(struct replay *rp, struct entry *e)
{
	size_t i = (size_t)(e - rp->slots), j = i;

	e->used = false;
	rp->n--;
	for (;;) {
		struct entry moved;

		j = (j + 1) & (rp->cap - 1);
		if (!rp->slots[j].used)
			break;
		moved = rp->slots[j];
		rp->slots[j].used = false;
		*lookup(rp, moved.key) = moved;
	}
	(void)i;
}

static void
reply_path(const struct replay *rp, const uint8_t key[WS_SHA256_LEN], char *path, size_t len)
{
	char hex[2 * WS_SHA256_LEN + 1];

	ws_hex_encode(key, WS_SHA256_LEN, hex);
	snprintf(path, len, "%s/%s.json", rp->dir, hex);
}

ws_err
replay_new(const char *state_dir, struct replay **out)
{
	struct replay *rp = calloc(1, sizeof(*rp));
	ws_err r;

	if (rp == NULL)
		return ws_err_set(WS_ERR_NOMEM, "replay table");
	snprintf(rp->dir, sizeof(rp->dir), "%s/replies", state_dir);
	if (mkdir(rp->dir, 0700) < 0 && errno != EEXIST) {
		r = ws_err_errno("mkdir %s", rp->dir);
		free(rp);
		return r;
	}
	if ((r = grow(rp)) != WS_OK) {
		free(rp);
		return r;
	}
	pthread_mutex_init(&rp->lock, NULL);
	*out = rp;
	return WS_OK;
}

void
replay_free(struct replay *rp)
{
	if (rp == NULL)
		return;
	pthread_mutex_destroy(&rp->lock);
	free(rp->slots);
	free(rp);
}

ws_err
replay_note_done(struct replay *rp, const char *client, const char *id,
    const char *request_sha256, uint64_t seq)
{
	uint8_t key[WS_SHA256_LEN];
	struct entry *e;
	ws_err r;

	pair_key(client, id, key);
	pthread_mutex_lock(&rp->lock);
	if ((r = insert(rp, key, &e)) == WS_OK) {
		snprintf(e->request, sizeof(e->request), "%s", request_sha256);
		e->seq = seq;
		e->done = true;
	}
	pthread_mutex_unlock(&rp->lock);
	return r;
}

static ws_err
reply_read(const struct replay *rp, const uint8_t key[WS_SHA256_LEN], json_t **result)
{
	struct ws_buf b = WS_BUF_INIT(REPLY_MAX);
	char path[4200];
	ws_err r;

	reply_path(rp, key, path, sizeof(path));
	if ((r = ws_buf_read_file(&b, path, REPLY_MAX)) == WS_OK)
		r = ws_json_parse(b.data, b.len, 64, result);
	if (r != WS_OK)
		ws_err_prefix("the recorded reply %s", path);
	ws_buf_free(&b);
	return r;
}

ws_err
replay_begin(struct replay *rp, const char *client, const char *id,
    const char *request_sha256, enum replay_state *state, json_t **result, uint64_t *seq)
{
	uint8_t key[WS_SHA256_LEN];
	struct entry *e;
	bool done;
	ws_err r;

	*result = NULL;
	pair_key(client, id, key);
	pthread_mutex_lock(&rp->lock);
	if ((r = insert(rp, key, &e)) != WS_OK) {
		pthread_mutex_unlock(&rp->lock);
		return r;
	}
	if (e->request[0] == '\0') {
		/* New: mark it in progress under this request's digest. */
		snprintf(e->request, sizeof(e->request), "%s", request_sha256);
		pthread_mutex_unlock(&rp->lock);
		*state = REPLAY_NEW;
		return WS_OK;
	}
	if (strcmp(e->request, request_sha256) != 0) {
		pthread_mutex_unlock(&rp->lock);
		return ws_err_set(WS_ERR_EXISTS,
		    "request id '%.128s' was already used by client '%s' for a different request", id, client);
	}
	done = e->done;
	*seq = e->seq;
	pthread_mutex_unlock(&rp->lock);
	if (!done)
		return ws_err_set(WS_ERR_EXISTS, "request id '%.128s' is still being served; wait for its answer", id);
	if ((r = reply_read(rp, key, result)) != WS_OK)
		return r;
	*state = REPLAY_DONE;
	return WS_OK;
}

ws_err
replay_store(struct replay *rp, const char *client, const char *id, const json_t *result)
{
	struct ws_buf b = WS_BUF_INIT(REPLY_MAX);
	uint8_t key[WS_SHA256_LEN];
	char path[4200];
	ws_err r;

	pair_key(client, id, key);
	reply_path(rp, key, path, sizeof(path));
	if ((r = ws_cjson_encode(result, WS_CJSON_VALID_JSON, &b)) == WS_OK)
		r = ws_file_write_atomic(path, b.data, b.len, 0600);
	ws_buf_free(&b);
	return r;
}

void
replay_finish(struct replay *rp, const char *client, const char *id, uint64_t seq)
{
	uint8_t key[WS_SHA256_LEN];
	struct entry *e;

	pair_key(client, id, key);
	pthread_mutex_lock(&rp->lock);
	e = lookup(rp, key);
	if (e->used) {
		e->seq = seq;
		e->done = true;
	}
	pthread_mutex_unlock(&rp->lock);
}

void
replay_abandon(struct replay *rp, const char *client, const char *id)
{
	uint8_t key[WS_SHA256_LEN];
	struct entry *e;

	pair_key(client, id, key);
	pthread_mutex_lock(&rp->lock);
	e = lookup(rp, key);
	if (e->used && !e->done)
		erase(rp, e);
	pthread_mutex_unlock(&rp->lock);
}
