/*
 * workers.c -- the worker threads. Each opens its own token session (a
 * PKCS#11 session must not be shared between threads), takes complete
 * requests from one queue, and hands responses back to the event loop
 * through the done list and a wake-up write on an eventfd/pipe.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon.h"

struct call {
	ws_err (*fn)(struct ws_daemon *, struct ws_session *);
	ws_err result;
	char detail[1024];	/* the worker thread's error detail, carried back */
	bool done;
};

struct workers {
	struct ws_daemon *d;
	int wake_fd;
	unsigned n;
	pthread_t *threads;
	pthread_mutex_t lock;
	pthread_cond_t cond;		/* work queued or stopping */
	pthread_cond_t call_done;
	struct job *queue_head, *queue_tail;
	struct job *done;
	struct call *call;		/* a pending workers_run_on_session() */
	unsigned in_flight;
	unsigned started;		/* threads that opened their session */
	ws_err start_error;
	bool stopping;
};

void
job_free(struct job *job)
{
	if (job == NULL)
		return;
	ws_buf_free(&job->request);
	ws_buf_free(&job->response);
	free(job);
}

static void
wake_loop(struct workers *w)
{
	uint64_t one = 1;

	/* An eventfd never blocks for a counter this small; a full pipe is fine too. */
	while (write(w->wake_fd, &one, sizeof(one)) < 0 && errno == EINTR)
		;
}

static void *
worker_main(void *arg)
{
	struct workers *w = arg;
	struct ws_session *s = NULL;
	ws_err r;

	r = ws_session_open(w->d->token, &s);
	pthread_mutex_lock(&w->lock);
	if (r != WS_OK && w->start_error == WS_OK)
		w->start_error = r;
	w->started++;
	pthread_cond_broadcast(&w->call_done);
	if (r != WS_OK) {
		pthread_mutex_unlock(&w->lock);
		return NULL;
	}
	for (;;) {
		struct job *job;

		while (!w->stopping && w->queue_head == NULL && w->call == NULL)
			pthread_cond_wait(&w->cond, &w->lock);
		if (w->call != NULL && !w->call->done) {
			struct call *c = w->call;

			w->call = NULL;
			pthread_mutex_unlock(&w->lock);
			token_enter(w->d, s);
			c->result = c->fn(w->d, s);
			token_leave(w->d);
			if (c->result != WS_OK)
				snprintf(c->detail, sizeof(c->detail), "%s", ws_err_detail());
			pthread_mutex_lock(&w->lock);
			c->done = true;
			pthread_cond_broadcast(&w->call_done);
			continue;
		}
		if (w->queue_head == NULL) {
			if (w->stopping)
				break;
			continue;
		}
		job = w->queue_head;
		w->queue_head = job->next;
		if (w->queue_head == NULL)
			w->queue_tail = NULL;
		pthread_mutex_unlock(&w->lock);

		token_enter(w->d, s);
		job->status = dispatch_request(w->d, s, &job->peer, job->request.data,
		    job->request.len, &job->response);
		token_leave(w->d);
		ws_buf_free(&job->request);

		pthread_mutex_lock(&w->lock);
		job->next = w->done;
		w->done = job;
		pthread_mutex_unlock(&w->lock);
		wake_loop(w);
		pthread_mutex_lock(&w->lock);
	}
	pthread_mutex_unlock(&w->lock);
	/* Not while another worker reconnects: the handle numbers may change hands. */
	pthread_rwlock_rdlock(&w->d->token_lock);
	ws_session_close(s);
	pthread_rwlock_unlock(&w->d->token_lock);
	return NULL;
}

ws_err
workers_start(struct ws_daemon *d, unsigned n, int wake_fd, struct workers **out)
{
	struct workers *w = calloc(1, sizeof(*w));
	unsigned created = 0;
	ws_err r = WS_OK;

	if (w == NULL || (w->threads = calloc(n, sizeof(pthread_t))) == NULL) {
		free(w);
		return ws_err_set(WS_ERR_NOMEM, "workers");
	}
	w->d = d;
	w->wake_fd = wake_fd;
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->cond, NULL);
	pthread_cond_init(&w->call_done, NULL);
	for (created = 0; created < n; created++) {
		int e = pthread_create(&w->threads[created], NULL, worker_main, w);

		if (e != 0) {
			errno = e;
			r = ws_err_errno("starting worker %u", created);
			break;
		}
	}
	w->n = created;
	pthread_mutex_lock(&w->lock);
	while (w->started < created)
		pthread_cond_wait(&w->call_done, &w->lock);
	if (r == WS_OK && w->start_error != WS_OK)
		r = w->start_error;
	pthread_mutex_unlock(&w->lock);
	if (r != WS_OK) {
		workers_stop(w);
		return r;
	}
	*out = w;
	return WS_OK;
}

void
workers_submit(struct workers *w, struct job *job)
{
	job->next = NULL;
	pthread_mutex_lock(&w->lock);
	if (w->queue_tail != NULL)
		w->queue_tail->next = job;
	else
		w->queue_head = job;
	w->queue_tail = job;
	w->in_flight++;
	pthread_cond_signal(&w->cond);
	pthread_mutex_unlock(&w->lock);
}

struct job *
workers_take_done(struct workers *w)
{
	struct job *list, *j;

	pthread_mutex_lock(&w->lock);
	list = w->done;
	w->done = NULL;
	for (j = list; j != NULL; j = j->next)
		w->in_flight--;
	pthread_mutex_unlock(&w->lock);
	return list;
}

unsigned
workers_in_flight(struct workers *w)
{
	unsigned n;

	pthread_mutex_lock(&w->lock);
	n = w->in_flight;
	pthread_mutex_unlock(&w->lock);
	return n;
}

ws_err
workers_run_on_session(struct workers *w, ws_err (*fn)(struct ws_daemon *, struct ws_session *))
{
	struct call c = { .fn = fn, .result = WS_OK, .done = false };

	pthread_mutex_lock(&w->lock);
	while (w->call != NULL)
		pthread_cond_wait(&w->call_done, &w->lock);
	w->call = &c;
	pthread_cond_signal(&w->cond);
	while (!c.done)
		pthread_cond_wait(&w->call_done, &w->lock);
	pthread_mutex_unlock(&w->lock);
	if (c.result != WS_OK)
		return ws_err_set(c.result, "%s", c.detail);
	return WS_OK;
}

void
workers_stop(struct workers *w)
{
	struct job *j, *next;

	if (w == NULL)
		return;
	pthread_mutex_lock(&w->lock);
	w->stopping = true;
	pthread_cond_broadcast(&w->cond);
	pthread_mutex_unlock(&w->lock);
	for (unsigned i = 0; i < w->n; i++)
		pthread_join(w->threads[i], NULL);
	for (j = w->done; j != NULL; j = next) {
		next = j->next;
		job_free(j);
	}
	for (j = w->queue_head; j != NULL; j = next) {
		next = j->next;
		job_free(j);
	}
	pthread_mutex_destroy(&w->lock);
	pthread_cond_destroy(&w->cond);
	pthread_cond_destroy(&w->call_done);
	free(w->threads);
	free(w);
}
