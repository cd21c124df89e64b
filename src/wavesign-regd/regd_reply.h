/*
 * regd_reply.h -- what wavesign-regd answers: an HTTP status and a JSON body.
 *
 * Success of a registration is HTTP 201 with the files object of
 * COMPAT.md 2a. Every failure is a JSON object
 *
 *     {"error": "<what was wrong>", "code": "<wavesign code>", "record": N}
 *
 * where code is the stable code of ws_err.h (the appliance's own code when
 * wavesignd refused) and record the signing-log record of wavesignd's
 * decision, absent when the request never reached wavesignd. The status
 * is chosen from the code (regd_http_status()):
 *
 *   400  csr-malformed, csr-bad-signature, json-*, request-malformed
 *        (a missing csr or hardware-id, malformed JSON, wrong types,
 *        unknown members)
 *   401  unauthorized (no or wrong token, no valid client certificate)
 *   403  policy-denied, production-denied, production-required,
 *        csr-bad-subject, csr-bad-key, csr-bad-extension, unknown-peer
 *   404  not-found (another path)
 *   405  request-malformed, for another method than HEAD or POST (set
 *        by the HTTP layer, not by this table)
 *   409  already-issued, exists (the same registration still in flight)
 *   413  limit-exceeded (the body is larger than limits.max-body)
 *   429  rate-limited
 *   503  daemon-unreachable, timeout, frame-truncated, system (no answer
 *        from wavesignd)
 *   500  anything else (ca-missing, log-write-failed, token, internal...)
 */
#ifndef REGD_REPLY_H
#define REGD_REPLY_H

#include <stddef.h>
#include <stdint.h>

#include "ws_err.h"

struct regd_reply {
	unsigned status;	/* HTTP status */
	char *body;		/* JSON text (malloc); NULL: no body */
	size_t len;
	char code[48];		/* the wavesign code ("ok" on success), for the diagnostic line */
	int64_t record;		/* wavesignd's signing-log record, or -1 */
};

#define REGD_REPLY_INIT { 0, NULL, 0, "", -1 }

/* The HTTP status for a wavesign code (table above). */
unsigned regd_http_status(ws_err code);

/*
 * Fills rep with the failure body for code_name (a stable code string,
 * e.g. from wavesignd's answer) and message, with status. Never fails: out
 * of memory leaves a fixed 500 body. Replaces what rep held.
 */
void regd_reply_fail(struct regd_reply *rep, unsigned status, const char *code_name,
    const char *message, int64_t record);

/* regd_reply_fail() for a local ws_err, with ws_err_message(code) when message is NULL. */
void regd_reply_err(struct regd_reply *rep, ws_err code, const char *message);

void regd_reply_free(struct regd_reply *rep);

#endif /* REGD_REPLY_H */
