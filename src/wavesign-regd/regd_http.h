/*
 * regd_http.h -- the HTTP(S) side of wavesign-regd, over libmicrohttpd.
 *
 * One thread per connection, at most limits.max-connections of them, each
 * closed after limits.timeout of silence. On the configured path:
 *
 *   HEAD  health check, no credentials (lmp-device-register sends none):
 *         200 when wavesignd answers `status`, else 503.
 *   POST  registration: credentials first (client certificate when
 *         tls.client-ca is set, then the token), then a body of at most
 *         limits.max-body bytes, parsed by regd_request_parse() and
 *         registered by regd_register().
 *
 * Any other path is 404 and any other method 405 (Allow: HEAD, POST).
 * Refusals decided from the headers (401, 404, 405) are answered once the
 * body is in, read and dropped (up to REGD_DISCARD_FACTOR times max-body,
 * beyond which the connection is closed), so that the client reads the
 * answer instead of a reset. A Content-Length above max-body is answered
 * 413 at once. Every request ends in one diagnostic line on stderr:
 * peer address, method, status, code and, for registrations,
 * hardware-id, uuid and signing-log record (never the token or the CSR).
 */
#ifndef REGD_HTTP_H
#define REGD_HTTP_H

#include "regd_auth.h"
#include "regd_config.h"
#include "regd_register.h"

#define REGD_DISCARD_FACTOR 4

struct regd_server {
	const struct regd_config *cfg;		/* borrowed */
	const struct regd_token *token;		/* borrowed */
	struct regd_health health;
	struct MHD_Daemon *mhd;
	char *tls_cert_pem, *tls_key_pem, *tls_ca_pem;	/* kept while the daemon runs */
};

/*
 * Starts listening (threads run on their own). srv->cfg and srv->token
 * must be set and outlive the server. Errors: WS_ERR_SYSTEM (cannot bind
 * or start; detail says why), WS_ERR_IO (a TLS file is unreadable),
 * WS_ERR_CONFIG (TLS asked for but libmicrohttpd has no TLS support).
 */
ws_err regd_http_start(struct regd_server *srv);

/* Stops accepting, waits for the requests in flight, frees what start took. Safe twice. */
void regd_http_stop(struct regd_server *srv);

#endif /* REGD_HTTP_H */
