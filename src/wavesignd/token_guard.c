/*
 * token_guard.c -- the token may go away and come back.
 *
 * A token can be pulled out, lose its login or stop answering while the
 * daemon runs. Every request (and every call run on a worker's session)
 * enters the guard first: it makes sure the worker's session can sign and,
 * when it cannot, reconnects to the token before the request runs. A
 * request that meets an outage fails cleanly with token-unavailable (and
 * is recorded like every other); the first request after the token is back
 * reconnects and is served.
 *
 * The reconnect must not run while another thread uses the token, so
 * requests hold token_lock for reading and the reconnect takes it for
 * writing. After the token answers again the daemon finds every key of
 * its keyring again and refuses a token whose keys are not the ones it
 * started with: until the right token comes back, nothing is signed.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "daemon.h"
#include "wslog.h"

void
token_guard_init(struct ws_daemon *d)
{
	pthread_rwlock_init(&d->token_lock, NULL);
	d->token_attempts = 0;
	d->token_outage_logged = false;
	d->token_last_reason[0] = '\0';
}

void
token_guard_destroy(struct ws_daemon *d)
{
	pthread_rwlock_destroy(&d->token_lock);
}

/*
 * One reconnect, under the write lock. seen is the attempt count the caller
 * read before it waited: if another thread made an attempt meanwhile, its
 * outcome stands for this caller too (one attempt per burst of requests,
 * not one per request).
 */
static void
token_recover(struct ws_daemon *d, unsigned long seen)
{
	char reason[512];
	ws_err r;

	pthread_rwlock_wrlock(&d->token_lock);
	if (d->token_attempts != seen) {
		pthread_rwlock_unlock(&d->token_lock);
		return;
	}
	d->token_attempts++;

	if (!d->token_outage_logged) {
		ws_token_state(d->token, reason, sizeof(reason));
		wslog_error("token '%s' unavailable: %s; requests that need it fail with "
		    "token-unavailable until it answers again", ws_token_label(d->token), reason);
		d->token_outage_logged = true;
	}
	r = ws_token_reconnect(d->token);
	if (r == WS_OK) {
		r = keyring_refresh(&d->keyring, ws_token_main_session(d->token));
		if (r != WS_OK) {
			/* Not the keys the daemon started with (or gone again): sign nothing. */
			ws_token_mark_lost(d->token, ws_err_detail());
		}
	}
	if (r == WS_OK) {
		wslog_info("token '%s' is back: logged in again, %zu keys found with the same "
		    "fingerprints", ws_token_label(d->token), d->keyring.n);
		d->token_outage_logged = false;
		d->token_last_reason[0] = '\0';
	} else {
		/* Each new reason once (a wrong token, a PIN problem), not every attempt. */
		ws_token_state(d->token, reason, sizeof(reason));
		if (strcmp(reason, d->token_last_reason) != 0) {
			wslog_error("token '%s' still unavailable: %s", ws_token_label(d->token), reason);
			snprintf(d->token_last_reason, sizeof(d->token_last_reason), "%s", reason);
		}
	}
	pthread_rwlock_unlock(&d->token_lock);
}

void
token_enter(struct ws_daemon *d, struct ws_session *s)
{
	unsigned long seen;

	pthread_rwlock_rdlock(&d->token_lock);
	if (!ws_token_lost(d->token) && ws_session_stale(s))
		(void)ws_session_renew(s);
	if (!ws_token_lost(d->token) && ws_session_check(s) == WS_OK)
		return;
	seen = d->token_attempts;	/* written only under the write lock */
	pthread_rwlock_unlock(&d->token_lock);

	token_recover(d, seen);

	pthread_rwlock_rdlock(&d->token_lock);
	if (!ws_token_lost(d->token) && ws_session_stale(s))
		(void)ws_session_renew(s);
	/* Still lost: the request runs and fails at its first token call. */
}

void
token_leave(struct ws_daemon *d)
{
	pthread_rwlock_unlock(&d->token_lock);
}
