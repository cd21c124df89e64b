/*
 * regd_register.h -- a registration and a health check, through wavesignd.
 *
 * Neither function speaks HTTP: each fills a struct regd_reply (status +
 * JSON body) that the HTTP layer sends as it is.
 */
#ifndef REGD_REGISTER_H
#define REGD_REGISTER_H

#include <pthread.h>
#include <stdbool.h>
#include <time.h>

#include "regd_config.h"
#include "regd_reply.h"
#include "regd_request.h"

/* A healthy answer is reused for this long, so health checks cannot flood the signing log. */
#define REGD_HEALTH_CACHE_S 1

/* Shared by every connection thread; initialise with REGD_HEALTH_INIT. */
struct regd_health {
	pthread_mutex_t lock;
	struct timespec answered;	/* CLOCK_MONOTONIC of the last answer; 0: none yet */
	bool ok;			/* that answer was a success */
	char code[48];			/* its error code when !ok */
};

#define REGD_HEALTH_INIT { PTHREAD_MUTEX_INITIALIZER, { 0, 0 }, false, "" }

/*
 * Registers one device: refuses a device-chosen group unless the config
 * allows it (403 policy-denied), sends cert.issue {"csr": ...} to
 * wavesignd with the request id "regd-" + hex SHA-256 of the CSR (a
 * device that retries the same CSR gets the same certificate back instead
 * of already-issued), and on success fills rep with 201 and the files
 * object {"root.crt", "client.pem", "client.chained", "sota.toml"}. Every
 * failure is a regd_reply failure (regd_reply.h).
 */
void regd_register(const struct regd_config *cfg, const struct regd_request *req, struct regd_reply *rep);

/*
 * The HEAD health check: 200 (no body) when wavesignd answers `status`
 * with success, 503 otherwise (unreachable, or it refused this front). A
 * successful or refused answer is cached for REGD_HEALTH_CACHE_S seconds;
 * an unreachable daemon is asked again every time.
 */
void regd_health_check(const struct regd_config *cfg, struct regd_health *h, struct regd_reply *rep);

#endif /* REGD_REGISTER_H */
