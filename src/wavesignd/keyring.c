/*
 * keyring.c -- the policy's keys, found in the token once at start.
 */
#include "config.h"

#include <string.h>

#include "daemon.h"

void
keyring_init(struct keyring *kr)
{
	memset(kr, 0, sizeof(*kr));
	pthread_rwlock_init(&kr->lock, NULL);
}

void
keyring_free(struct keyring *kr)
{
	for (size_t i = 0; i < kr->n; i++)
		ws_key_free(kr->keys[i]);
	kr->n = 0;
	pthread_rwlock_destroy(&kr->lock);
}

static const struct ws_key *
keyring_find_locked(struct keyring *kr, const char *label)
{
	for (size_t i = 0; i < kr->n; i++)
		if (strcmp(kr->keys[i]->label, label) == 0)
			return kr->keys[i];
	return NULL;
}

const struct ws_key *
keyring_get(struct keyring *kr, const char *label)
{
	const struct ws_key *k;

	pthread_rwlock_rdlock(&kr->lock);
	k = keyring_find_locked(kr, label);
	pthread_rwlock_unlock(&kr->lock);
	return k;
}

ws_err
keyring_add(struct keyring *kr, struct ws_key *key)
{
	ws_err r = WS_OK;

	pthread_rwlock_wrlock(&kr->lock);
	if (keyring_find_locked(kr, key->label) != NULL)
		r = ws_err_set(WS_ERR_KEY_EXISTS, "key '%s' is already loaded", key->label);
	else if (kr->n >= WAVESIGND_KEYS_MAX)
		r = ws_err_set(WS_ERR_LIMIT, "more than %d keys", WAVESIGND_KEYS_MAX);
	else
		kr->keys[kr->n++] = key;
	pthread_rwlock_unlock(&kr->lock);
	return r;
}

ws_err
keyring_load(struct keyring *kr, struct ws_session *s, const struct ws_policy *policy)
{
	for (size_t i = 0; i < policy->n_keys; i++) {
		const struct ws_policy_key *pk = &policy->keys[i];
		struct ws_key *key = NULL;
		ws_err r;

		if (keyring_get(kr, pk->label) != NULL)
			continue;
		r = ws_key_find(s, pk->label, &key);
		if (r == WS_ERR_KEY_NOT_FOUND)
			continue;	/* made later by keys.init; status says it is missing */
		if (r != WS_OK)
			return r;
		if ((r = ws_key_check_safe(key)) != WS_OK ||
		    (r = keyring_add(kr, key)) != WS_OK) {
			ws_key_free(key);
			return r;
		}
	}
	return WS_OK;
}

ws_err
keyring_refresh(struct keyring *kr, struct ws_session *s)
{
	ws_err r = WS_OK;

	pthread_rwlock_wrlock(&kr->lock);
	for (size_t i = 0; i < kr->n && r == WS_OK; i++)
		r = ws_key_refresh(s, kr->keys[i]);
	pthread_rwlock_unlock(&kr->lock);
	return r;
}
