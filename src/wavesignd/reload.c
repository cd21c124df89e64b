/*
 * reload.c -- SIGHUP: load the policy file again and swap it in atomically.
 * A policy that does not load leaves the old one in force; the reason goes
 * to the daemon's diagnostics. Requests in flight finish under the policy
 * they started with (they hold the read lock).
 */
#include "config.h"

#include "daemon.h"
#include "wslog.h"

ws_err
daemon_reload_policy(struct ws_daemon *d, struct ws_session *s)
{
	struct ws_policy *fresh = NULL, *old;
	ws_err r;

	if ((r = ws_policy_load(d->config->policy_path, &fresh)) != WS_OK) {
		wslog_error("policy reload: %s", ws_err_message(r));
		return r;
	}
	if ((r = keyring_load(&d->keyring, s, fresh)) != WS_OK) {
		wslog_error("policy reload: %s", ws_err_message(r));
		ws_policy_free(fresh);
		return r;
	}
	pthread_rwlock_wrlock(&d->policy_lock);
	old = d->policy;
	d->policy = fresh;
	pthread_rwlock_unlock(&d->policy_lock);
	wslog_info("policy reloaded: %s sha256 %s (was %s)", fresh->path, ws_policy_sha256(fresh),
	    ws_policy_sha256(old));
	ws_policy_free(old);
	return WS_OK;
}
