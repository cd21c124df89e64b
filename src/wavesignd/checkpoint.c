/*
 * checkpoint.c -- signed checkpoints of the signing log with the audit key.
 *
 * The audit key (policy audit.key) must be Ed25519: checkpoints are C2SP
 * signed notes. Its verifier key, the one line an auditor needs besides
 * the log, is written to STATE/audit.vkey. Until keys.init has made the
 * audit key, no checkpoint can be signed: that is reported, not hidden.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "daemon.h"
#include "ws_file.h"
#include "wslog.h"

struct sign_ctx {
	struct ws_session *session;
	const struct ws_key *key;
};

static ws_err
sign_with_audit_key(void *arg, const uint8_t *msg, size_t len, uint8_t sig[WS_ED25519_SIG_LEN])
{
	struct sign_ctx *c = arg;
	uint8_t buf[WS_SIG_MAX];
	size_t sig_len = 0;
	ws_err r;

	if ((r = ws_key_sign(c->session, c->key, WS_SIG_ED25519, msg, len, buf, &sig_len)) != WS_OK)
		return r;
	if (sig_len != WS_ED25519_SIG_LEN)
		return ws_err_set(WS_ERR_TOKEN, "Ed25519 signature of %zu bytes", sig_len);
	memcpy(sig, buf, WS_ED25519_SIG_LEN);
	return WS_OK;
}

/* The raw 32-byte Ed25519 public key: the tail of its 44-byte SPKI. */
static ws_err
audit_pubkey(const struct ws_key *key, uint8_t pub[WS_ED25519_PUBLIC_LEN])
{
	if (key->type != WS_KEY_ED25519 || key->spki_len != 12 + WS_ED25519_PUBLIC_LEN)
		return ws_err_set(WS_ERR_KEY_TYPE, "audit key '%s' must be ed25519 (checkpoints are signed notes)",
		    key->label);
	memcpy(pub, key->spki + 12, WS_ED25519_PUBLIC_LEN);
	return WS_OK;
}

/* Writes STATE/audit.vkey once: the verifier key auditors use. */
static ws_err
write_verifier_key(struct ws_daemon *d, const char *name, const uint8_t pub[WS_ED25519_PUBLIC_LEN])
{
	struct ws_note_key nk;
	struct ws_buf line = WS_BUF_INIT(1024);
	char path[4096];
	struct stat st;
	ws_err r;

	snprintf(path, sizeof(path), "%s/audit.vkey", d->config->state_dir);
	if (stat(path, &st) == 0)
		return WS_OK;
	if ((r = ws_note_key_init(&nk, name, pub)) != WS_OK ||
	    (r = ws_note_key_format(&nk, &line)) != WS_OK ||
	    (r = ws_buf_put_u8(&line, '\n')) != WS_OK ||
	    (r = ws_file_write_atomic(path, line.data, line.len, 0644)) != WS_OK) {
		ws_buf_free(&line);
		return r;
	}
	ws_buf_free(&line);
	return WS_OK;
}

ws_err
dispatch_checkpoint(struct ws_daemon *d, struct ws_session *s)
{
	struct sign_ctx ctx = { .session = s };
	uint8_t pub[WS_ED25519_PUBLIC_LEN];
	const char *label, *name;
	ws_err r;

	pthread_rwlock_rdlock(&d->policy_lock);
	label = d->policy->audit.key != NULL ? d->policy->audit.key->label : NULL;
	ctx.key = label != NULL ? keyring_get(&d->keyring, label) : NULL;
	pthread_rwlock_unlock(&d->policy_lock);
	if (label == NULL)
		return ws_err_set(WS_ERR_CHECKPOINT, "the policy names no audit key (audit.key)");
	if (ctx.key == NULL)
		return ws_err_set(WS_ERR_CHECKPOINT, "audit key '%s' is not in the token yet (wavesign keys init)",
		    label);
	if ((r = audit_pubkey(ctx.key, pub)) != WS_OK)
		return r;
	name = ws_log_origin(d->log);
	if ((r = write_verifier_key(d, name, pub)) != WS_OK)
		return r;
	return ws_log_checkpoint(d->log, name, pub, sign_with_audit_key, &ctx, NULL);
}
