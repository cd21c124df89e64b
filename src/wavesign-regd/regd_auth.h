/*
 * regd_auth.h -- who may register: the shared registration token.
 *
 * The token lives in a file of its own (auth.token-file): a regular file
 * owned by the user wavesign-regd runs as, with no permission for group
 * or others (0600 or 0400), holding one line of 16 to 1024 printable
 * ASCII characters (a trailing newline is ignored). It is read once at
 * start.
 *
 * A request carries it the way lmp-device-register sends it: in the
 * configured header (OSF-TOKEN unless `-H` says otherwise), or as
 * "Authorization: Bearer <token>". The comparison hashes both sides with
 * SHA-256 and compares the digests with CRYPTO_memcmp(), so neither the
 * content nor the length of the token leaks through timing.
 */
#ifndef REGD_AUTH_H
#define REGD_AUTH_H

#include <stdbool.h>
#include <stddef.h>

#include "ws_err.h"

#define REGD_TOKEN_MIN 16
#define REGD_TOKEN_MAX 1024

struct regd_token;

/*
 * Reads and checks the token file. On success *out is owned by the caller
 * (regd_token_free() wipes it). Errors: WS_ERR_INSECURE_FILE (not a
 * regular file, wrong owner, group/other permissions), WS_ERR_CONFIG
 * (empty, too short or long, not printable ASCII, several lines),
 * WS_ERR_SYSTEM (unreadable), WS_ERR_NOMEM. The detail names the file,
 * never its content.
 */
ws_err regd_token_load(const char *path, struct regd_token **out);

void regd_token_free(struct regd_token *tok);

/*
 * True when the request's credentials match: header_value is the value of
 * the configured token header, authorization that of the Authorization
 * header; either may be NULL. The configured header wins when present.
 */
bool regd_token_check(const struct regd_token *tok, const char *header_value,
    const char *authorization);

#endif /* REGD_AUTH_H */
