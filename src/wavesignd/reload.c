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
	struct ws_rate *fresh_rate = NULL, *old_rate;
	ws_err r;

	if ((r = ws_policy_load(d->config->policy_path, &fresh)) != WS_OK) {
		wslog_error("policy reload: %s", ws_err_message(r));
		return r;
	}
	if ((r = keyring_load(&d->keyring, s, fresh)) != WS_OK ||
	    (r = ws_rate_new(fresh, NULL, NULL, &fresh_rate)) != WS_OK) {
		wslog_error("policy reload: %s", ws_err_message(r));
		ws_policy_free(fresh);
		return r;
	}
	pthread_rwlock_wrlock(&d->policy_lock);
	old = d->policy;
	old_rate = d->rate;
	d->policy = fresh;
	d->rate = fresh_rate;
	ws_log_set_checkpoint_interval(d->log, fresh->audit.checkpoint_every);
	pthread_rwlock_unlock(&d->policy_lock);
	ws_rate_free(old_rate);
	wslog_info("policy reloaded: %s sha256 %s (was %s)", fresh->path, ws_policy_sha256(fresh),
	    ws_policy_sha256(old));
	ws_policy_free(old);
	return WS_OK;
}
