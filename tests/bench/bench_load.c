/*
 * bench_load.c -- closed-loop load: each client thread opens its own
 * connection, waits for the others, then sends one request, waits for its
 * answer, sends the next, until the time is up. Every request is used once
 * (a device CSR is issued once). Latency is measured per request from
 * before the send to after the whole answer is read.
 */
#include "config.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

struct client {
	pthread_t th;
	const struct bench_transport *t;
	const char *target;
	struct bench_requests *reqs;
	pthread_barrier_t *start;
	const uint64_t *deadline;	/* set by the main thread between the two barriers */
	uint64_t *lat;		/* latencies, ns */
	size_t n_lat, cap_lat;
	uint64_t done, failed, last_ns;
	int dry;
	char err[256];
};

static _Atomic size_t *
next_of(struct bench_requests *r)
{
	return (_Atomic size_t *)&r->next;
}

static void *
client_run(void *arg)
{
	struct client *c = arg;
	struct bench_conn *conn = c->t->open(c->target);
	uint64_t t0, t1;
	size_t i;

	pthread_barrier_wait(c->start);
	pthread_barrier_wait(c->start);	/* the main thread sets the deadline between the two */
	for (;;) {
		t0 = bench_now_ns();
		if (t0 >= *c->deadline)
			break;
		i = atomic_fetch_add(next_of(c->reqs), 1);
		if (i >= c->reqs->n) {
			c->dry = 1;
			break;
		}
		if (c->t->call(conn, c->reqs->data[i], c->reqs->len[i], c->err, sizeof(c->err)) != 0) {
			c->failed++;
			break;
		}
		t1 = bench_now_ns();
		if (c->n_lat == c->cap_lat) {
			c->cap_lat = c->cap_lat ? 2 * c->cap_lat : 4096;
			if ((c->lat = realloc(c->lat, c->cap_lat * sizeof(*c->lat))) == NULL)
				bench_die("out of memory");
		}
		c->lat[c->n_lat++] = t1 - t0;
		c->done++;
		c->last_ns = t1;
	}
	c->t->close(conn);
	return NULL;
}

void
bench_load_run(const struct bench_transport *t, const char *target, struct bench_requests *reqs,
    unsigned clients, double seconds, long server_pid, struct bench_load_result *out)
{
	struct client *cs = calloc(clients, sizeof(*cs));
	pthread_barrier_t start;
	uint64_t deadline = UINT64_MAX, t_start, t_end = 0, cpu0, *all;
	size_t n_all = 0;

	if (cs == NULL || pthread_barrier_init(&start, NULL, clients + 1) != 0)
		bench_die("out of memory");
	for (unsigned i = 0; i < clients; i++) {
		cs[i] = (struct client){ .t = t, .target = target, .reqs = reqs, .start = &start,
		    .deadline = &deadline };
		if (pthread_create(&cs[i].th, NULL, client_run, &cs[i]) != 0)
			bench_die("pthread_create");
	}
	pthread_barrier_wait(&start);	/* everyone is connected */
	cpu0 = bench_proc_cpu_ns(server_pid);
	t_start = bench_now_ns();
	deadline = t_start + (uint64_t)(seconds * 1e9);
	pthread_barrier_wait(&start);
	memset(out, 0, sizeof(*out));
	out->clients = clients;
	for (unsigned i = 0; i < clients; i++) {
		pthread_join(cs[i].th, NULL);
		out->done += cs[i].done;
		out->failed += cs[i].failed;
		out->out_of_requests |= cs[i].dry;
		n_all += cs[i].n_lat;
		if (cs[i].last_ns > t_end)
			t_end = cs[i].last_ns;
	}
	if (server_pid > 0 && cpu0 > 0)
		out->server_cpu_ns = bench_proc_cpu_ns(server_pid) - cpu0;
	pthread_barrier_destroy(&start);
	for (unsigned i = 0; i < clients; i++)
		if (cs[i].failed)
			bench_die("%s: a request failed: %s", t->name, cs[i].err);
	if ((all = malloc((n_all ? n_all : 1) * sizeof(*all))) == NULL)
		bench_die("out of memory");
	n_all = 0;
	for (unsigned i = 0; i < clients; i++) {
		memcpy(all + n_all, cs[i].lat, cs[i].n_lat * sizeof(*all));
		n_all += cs[i].n_lat;
		free(cs[i].lat);
	}
	out->seconds = t_end > t_start ? (double)(t_end - t_start) / 1e9 : 0;
	out->rate = out->seconds > 0 ? (double)out->done / out->seconds : 0;
	out->p50_ns = bench_percentile(all, n_all, 50);
	out->p99_ns = bench_percentile(all, n_all, 99);
	out->max_ns = n_all ? all[n_all - 1] : 0;
	free(all);
	free(cs);
}

void
bench_requests_free(struct bench_requests *r)
{
	for (size_t i = 0; i < r->n; i++)
		free(r->data[i]);
	free(r->data);
	free(r->len);
	memset(r, 0, sizeof(*r));
}
