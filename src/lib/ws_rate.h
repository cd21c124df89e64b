/*
 * ws_rate.h -- per-client rate limits (token buckets).
 *
 * One bucket per policy client that has a `rate` (COUNT per period): it
 * holds at most COUNT tokens, starts full, refills continuously at COUNT
 * per period, and each request takes one token. So a client may burst up
 * to COUNT requests, then runs at the steady rate. Arithmetic is exact
 * (integers in nanoseconds x count), with no drift.
 *
 * A limiter is built from a policy and is bound to it: on a policy reload
 * build a new one (the buckets start full again).
 *
 * Threads: ws_rate_take() may be called from any thread; one mutex guards
 * the buckets.
 */
#ifndef WS_RATE_H
#define WS_RATE_H

#include <stdint.h>

#include "ws_err.h"
#include "ws_policy.h"

struct ws_rate;

/* Monotonic time in nanoseconds. Tests inject their own; NULL = CLOCK_MONOTONIC. */
typedef uint64_t (*ws_rate_clock)(void *arg);

/*
 * Builds a limiter for the clients of p (which must outlive it). clock may
 * be NULL. On success *out is owned by the caller (ws_rate_free()).
 * Errors: WS_ERR_NOMEM, WS_ERR_SYSTEM (mutex).
 */
ws_err ws_rate_new(const struct ws_policy *p, ws_rate_clock clock, void *clock_arg,
    struct ws_rate **out);

void ws_rate_free(struct ws_rate *rl);

/*
 * Takes one token for client (a client of the limiter's policy). WS_OK when
 * the client has no rate or a token was available; WS_ERR_RATE_LIMITED
 * otherwise, with "client 'NAME' exceeded its rate of 600/min
 * (clients.NAME.rate); retry in N ms". WS_ERR_INVALID_ARGUMENT for a client
 * that is not from the limiter's policy.
 */
ws_err ws_rate_take(struct ws_rate *rl, const struct ws_policy_client *client);

#endif /* WS_RATE_H */
