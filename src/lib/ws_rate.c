/*
 * ws_rate.c -- token buckets per policy client.
 *
 * A bucket's level is kept in "units" of 1 ns x count: one token is
 * period_ns units, a full bucket count x period_ns units, and every
 * elapsed nanosecond adds count units. With count <= 10^6 and a period of
 * at most an hour, a full bucket is below 3.6e18 < 2^64.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ws_rate.h"
#include "ws_yaml.h"

#define NS_PER_S 1000000000ull

struct bucket {
	uint64_t count;		/* tokens per period; 0 = unlimited */
	uint64_t period_ns;
	uint64_t level;		/* units, <= count * period_ns */
	uint64_t last_ns;
};

struct ws_rate {
	const struct ws_policy *policy;
	ws_rate_clock clock;
	void *clock_arg;
	pthread_mutex_t lock;
	struct bucket *buckets;	/* one per policy client */
	size_t n;
};

static uint64_t
monotonic_ns(void *arg)
{
	struct timespec ts;

	(void)arg;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NS_PER_S + (uint64_t)ts.tv_nsec;
}

ws_err
ws_rate_new(const struct ws_policy *p, ws_rate_clock clock, void *clock_arg, struct ws_rate **out)
{
	struct ws_rate *rl = NULL;
	uint64_t now;
	int rc;
	ws_err r;

	if ((rl = calloc(1, sizeof(*rl))) == NULL ||
	    (p->n_clients > 0 && (rl->buckets = calloc(p->n_clients, sizeof(*rl->buckets))) == NULL)) {
		r = ws_err_set(WS_ERR_NOMEM, "rate limiter");
		goto fail;
	}
	if ((rc = pthread_mutex_init(&rl->lock, NULL)) != 0) {
		errno = rc;
		r = ws_err_errno("rate limiter mutex");
		goto fail;
	}
	rl->policy = p;
	rl->clock = clock ? clock : monotonic_ns;
	rl->clock_arg = clock_arg;
	rl->n = p->n_clients;
	now = rl->clock(rl->clock_arg);
	for (size_t i = 0; i < rl->n; i++) {
		struct bucket *b = &rl->buckets[i];

		b->count = p->clients[i].rate_count;
		b->period_ns = (uint64_t)p->clients[i].rate_period_s * NS_PER_S;
		b->level = b->count * b->period_ns;
		b->last_ns = now;
	}
	*out = rl;
	return WS_OK;
fail:
	if (rl != NULL)
		free(rl->buckets);
	free(rl);
	return r;
}

void
ws_rate_free(struct ws_rate *rl)
{
	if (rl == NULL)
		return;
	pthread_mutex_destroy(&rl->lock);
	free(rl->buckets);
	free(rl);
}

ws_err
ws_rate_take(struct ws_rate *rl, const struct ws_policy_client *client)
{
	const struct ws_policy *p = rl->policy;
	struct bucket *b;
	uint64_t now, elapsed, full, wait_ms;
	char rate[32];
	ws_err r = WS_OK;

	if (client < p->clients || client >= p->clients + p->n_clients)
		return ws_err_set(WS_ERR_INVALID_ARGUMENT, "client is not from the rate limiter's policy");
	b = &rl->buckets[client - p->clients];
	if (b->count == 0)
		return WS_OK;
	pthread_mutex_lock(&rl->lock);
	now = rl->clock(rl->clock_arg);
	full = b->count * b->period_ns;
	/* A clock that steps back adds nothing and does not move last_ns back. */
	elapsed = now > b->last_ns ? now - b->last_ns : 0;
	if (elapsed >= b->period_ns || b->level + elapsed * b->count >= full)
		b->level = full;
	else
		b->level += elapsed * b->count;
	if (now > b->last_ns)
		b->last_ns = now;
	if (b->level >= b->period_ns) {
		b->level -= b->period_ns;
	} else {
		/* Time until one whole token: (period_ns - level) / count ns, rounded up. */
		wait_ms = ((b->period_ns - b->level + b->count - 1) / b->count + 999999) / 1000000;
		snprintf(rate, sizeof(rate), "%u/%s", client->rate_count,
		    client->rate_period_s == 1 ? "s" : client->rate_period_s == 60 ? "min" : "h");
		r = ws_err_set(WS_ERR_RATE_LIMITED,
		    "client '%s' exceeded its rate of %s (clients.%s.rate); retry in %llu ms",
		    client->name, rate, client->name, (unsigned long long)wait_ms);
	}
	pthread_mutex_unlock(&rl->lock);
	return r;
}
