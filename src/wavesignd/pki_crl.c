/*
 * pki_crl.c -- revocation (contract in pki.h): the device CAs the
 * appliance signed and their state on the root's CRL, the revoked device
 * certificates on the device CA's CRL, and the CRL numbers. Changed only
 * once a ca.crl record is durable (pki_crl_end), rebuilt from the log.
 */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pki_int.h"
#include "ws_encode.h"
#include "ws_file.h"
#include "wslog.h"

const char *
pki_ca_state_name(enum pki_ca_state s)
{
	switch (s) {
	case PKI_CA_ACTIVE:
		return "active";
	case PKI_CA_DISABLED:
		return "disabled";
	case PKI_CA_ENABLED:
		return "enabled";
	case PKI_CA_REVOKED:
		return "revoked";
	}
	return "?";
}

static const char *const crl_action_names[] = { "revoke-ca", "disable-ca", "enable-ca", "revoke-cert", NULL };

const char *
pki_crl_action_name(enum pki_crl_action a)
{
	return (unsigned)a <= PKI_CRL_REVOKE_CERT ? crl_action_names[a] : "?";
}

int
pki_crl_action_from_name(const char *name)
{
	for (int i = 0; crl_action_names[i] != NULL; i++)
		if (strcmp(crl_action_names[i], name) == 0)
			return i;
	return -1;
}

/* Reasons a device certificate may be revoked for (RFC 5280 §5.3.1). */
static const struct {
	const char *name;
	enum ws_crl_reason reason;
} crl_reasons[] = {
	{ "unspecified", WS_CRL_REASON_NONE },
	{ "key-compromise", WS_CRL_REASON_KEY_COMPROMISE },
	{ "affiliation-changed", WS_CRL_REASON_AFFILIATION_CHANGED },
	{ "superseded", WS_CRL_REASON_SUPERSEDED },
	{ "cessation-of-operation", WS_CRL_REASON_CESSATION_OF_OPERATION },
};

ws_err
pki_crl_reason_from_name(const char *name, enum ws_crl_reason *out)
{
	for (size_t i = 0; i < sizeof(crl_reasons) / sizeof(crl_reasons[0]); i++)
		if (strcmp(crl_reasons[i].name, name) == 0) {
			*out = crl_reasons[i].reason;
			return WS_OK;
		}
	return ws_err_set(WS_ERR_INVALID_ARGUMENT, "reason \"%.40s\" is not one of unspecified, key-compromise, "
	    "affiliation-changed, superseded, cessation-of-operation", name);
}

const char *
pki_crl_reason_name(enum ws_crl_reason reason)
{
	for (size_t i = 0; i < sizeof(crl_reasons) / sizeof(crl_reasons[0]); i++)
		if (crl_reasons[i].reason == reason)
			return crl_reasons[i].name;
	return "?";
}

/* ------------------------------------------------------------ device CAs */

ws_err
pki_ca_entry_add_locked(struct pki *pki, const char *serial)
{
	for (size_t i = 0; i < pki->n_cas; i++)
		if (strcmp(pki->cas[i].serial, serial) == 0)
			return WS_OK;
	if (pki->n_cas == pki->cap_cas) {
		size_t cap = pki->cap_cas ? 2 * pki->cap_cas : 8;
		struct ca_entry *n = realloc(pki->cas, cap * sizeof(*n));

		if (n == NULL)
			return ws_err_set(WS_ERR_NOMEM, "device CA list");
		pki->cas = n;
		pki->cap_cas = cap;
	}
	memset(&pki->cas[pki->n_cas], 0, sizeof(pki->cas[0]));
	snprintf(pki->cas[pki->n_cas].serial, sizeof(pki->cas[0].serial), "%s", serial);
	pki->n_cas++;
	return WS_OK;
}

void
pki_crl_reset_locked(struct pki *pki)
{
	pki->n_cas = pki->n_revoked = 0;
	pki->root_crl_number = pki->device_crl_number = 0;
}

/* --------------------------------------------------------- revocation */

static struct ca_entry *
ca_find_locked(struct pki *pki, const char *serial)
{
	for (size_t i = 0; i < pki->n_cas; i++)
		if (strcmp(pki->cas[i].serial, serial) == 0)
			return &pki->cas[i];
	return NULL;
}

ws_err
pki_device_ca_state(struct pki *pki, const char *serial, enum pki_ca_state *state)
{
	struct ca_entry *c;
	ws_err r = WS_OK;

	pthread_mutex_lock(&pki->lock);
	if ((c = ca_find_locked(pki, serial)) == NULL)
		r = ws_err_set(WS_ERR_NOT_FOUND, "%s is not the serial of a device CA this appliance signed", serial);
	else
		*state = c->state;
	pthread_mutex_unlock(&pki->lock);
	return r;
}

void
pki_device_ca_add(struct pki *pki, const char *serial)
{
	ws_err r;

	pthread_mutex_lock(&pki->lock);
	r = pki_ca_entry_add_locked(pki, serial);
	pthread_mutex_unlock(&pki->lock);
	if (r != WS_OK)
		wslog_error("device CA %s: %s (rebuilt from the signing log at the next start)", serial,
		    ws_err_message(r));
}

static bool
revoked_find_locked(struct pki *pki, const char *serial)
{
	for (size_t i = 0; i < pki->n_revoked; i++)
		if (strcmp(pki->revoked[i].serial, serial) == 0)
			return true;
	return false;
}

static ws_err
revoked_add_locked(struct pki *pki, const char *serial, time_t at, enum ws_crl_reason reason)
{
	if (revoked_find_locked(pki, serial))
		return WS_OK;
	if (pki->n_revoked == pki->cap_revoked) {
		size_t cap = pki->cap_revoked ? 2 * pki->cap_revoked : 16;
		struct revoked_entry *n = realloc(pki->revoked, cap * sizeof(*n));

		if (n == NULL)
			return ws_err_set(WS_ERR_NOMEM, "revoked certificates");
		pki->revoked = n;
		pki->cap_revoked = cap;
	}
	memset(&pki->revoked[pki->n_revoked], 0, sizeof(pki->revoked[0]));
	snprintf(pki->revoked[pki->n_revoked].serial, sizeof(pki->revoked[0].serial), "%s", serial);
	pki->revoked[pki->n_revoked].at = at;
	pki->revoked[pki->n_revoked].reason = reason;
	pki->n_revoked++;
	return WS_OK;
}

static enum pki_ca_state
state_after(enum pki_crl_action a)
{
	switch (a) {
	case PKI_CRL_REVOKE_CA:
		return PKI_CA_REVOKED;
	case PKI_CRL_DISABLE_CA:
		return PKI_CA_DISABLED;
	case PKI_CRL_ENABLE_CA:
		return PKI_CA_ENABLED;
	case PKI_CRL_REVOKE_CERT:
		break;
	}
	return PKI_CA_ACTIVE;
}

static enum ws_crl_reason
ca_state_reason(enum pki_ca_state s)
{
	switch (s) {
	case PKI_CA_DISABLED:
		return WS_CRL_REASON_CERTIFICATE_HOLD;
	case PKI_CA_ENABLED:
		return WS_CRL_REASON_REMOVE_FROM_CRL;
	case PKI_CA_REVOKED:
		return WS_CRL_REASON_PRIVILEGE_WITHDRAWN;
	case PKI_CA_ACTIVE:
		break;
	}
	return WS_CRL_REASON_NONE;
}

/* Applies a recorded change to the state (the caller holds pki->lock). */
static ws_err
change_apply_locked(struct pki *pki, const struct pki_crl_change *c)
{
	struct ca_entry *ca;

	if (c->action == PKI_CRL_REVOKE_CERT) {
		if (c->crl_number > pki->device_crl_number)
			pki->device_crl_number = c->crl_number;
		return revoked_add_locked(pki, c->serial, c->at, c->reason);
	}
	if (c->crl_number > pki->root_crl_number)
		pki->root_crl_number = c->crl_number;
	if ((ca = ca_find_locked(pki, c->serial)) == NULL) {
		ws_err r = pki_ca_entry_add_locked(pki, c->serial);

		if (r != WS_OK)
			return r;
		ca = ca_find_locked(pki, c->serial);
	}
	ca->state = state_after(c->action);
	ca->changed_at = c->at;
	return WS_OK;
}

void
pki_crl_begin(struct pki *pki)
{
	pthread_mutex_lock(&pki->crl_lock);
}

/* Checks the change against the state; under pki->lock. */
static ws_err
change_check_locked(struct pki *pki, const struct pki_crl_change *c)
{
	struct ca_entry *ca;

	if (c->action == PKI_CRL_REVOKE_CERT) {
		if (revoked_find_locked(pki, c->serial))
			return ws_err_set(WS_ERR_INVALID_ARGUMENT, "device certificate %s is already revoked", c->serial);
		return WS_OK;
	}
	if ((ca = ca_find_locked(pki, c->serial)) == NULL)
		return ws_err_set(WS_ERR_NOT_FOUND, "%s is not the serial of a device CA this appliance signed",
		    c->serial);
	if (ca->state == PKI_CA_REVOKED)
		return ws_err_set(WS_ERR_INVALID_ARGUMENT, "device CA %s is revoked for good", c->serial);
	if (c->action == PKI_CRL_DISABLE_CA && ca->state == PKI_CA_DISABLED)
		return ws_err_set(WS_ERR_INVALID_ARGUMENT, "device CA %s is already disabled", c->serial);
	if (c->action == PKI_CRL_ENABLE_CA && ca->state != PKI_CA_DISABLED)
		return ws_err_set(WS_ERR_INVALID_ARGUMENT, "device CA %s is not disabled (it is %s)", c->serial,
		    pki_ca_state_name(ca->state));
	return WS_OK;
}

static ws_err
entry_serial(const char *hex, uint8_t bytes[WS_CERT_SERIAL_MAX], size_t *len)
{
	size_t n = strlen(hex) / 2;

	*len = n;
	return ws_hex_decode(hex, 2 * n, bytes, n);
}

ws_err
pki_crl_prepare(struct pki *pki, const struct ws_ca *issuer, struct pki_signer *signer,
    struct pki_crl_change *change)
{
	struct ws_crl_entry *entries = NULL;
	uint8_t (*serials)[WS_CERT_SERIAL_MAX] = NULL;
	size_t n = 0, max;
	bool cert = change->action == PKI_CRL_REVOKE_CERT;
	uint64_t number;
	time_t next;
	ws_err r;

	pthread_mutex_lock(&pki->lock);
	if ((r = change_check_locked(pki, change)) != WS_OK)
		goto out;
	/* The list after the change: the current one, with the change made. */
	max = (cert ? pki->n_revoked : pki->n_cas) + 1;
	entries = calloc(max, sizeof(*entries));
	serials = calloc(max, sizeof(*serials));
	if (entries == NULL || serials == NULL) {
		r = ws_err_set(WS_ERR_NOMEM, "CRL entries");
		goto out;
	}
	if (cert) {
		for (size_t i = 0; i < pki->n_revoked; i++, n++) {
			if ((r = entry_serial(pki->revoked[i].serial, serials[n], &entries[n].serial_len)) != WS_OK)
				goto out;
			entries[n].revoked_at = pki->revoked[i].at;
			entries[n].reason = pki->revoked[i].reason;
		}
		if ((r = entry_serial(change->serial, serials[n], &entries[n].serial_len)) != WS_OK)
			goto out;
		entries[n].revoked_at = change->at;
		entries[n].reason = change->reason;
		n++;
	} else {
		for (size_t i = 0; i < pki->n_cas; i++) {
			bool changed = strcmp(pki->cas[i].serial, change->serial) == 0;
			enum pki_ca_state s = changed ? state_after(change->action) : pki->cas[i].state;

			if (s == PKI_CA_ACTIVE)
				continue;
			if ((r = entry_serial(pki->cas[i].serial, serials[n], &entries[n].serial_len)) != WS_OK)
				goto out;
			entries[n].revoked_at = changed ? change->at : pki->cas[i].changed_at;
			entries[n].reason = ca_state_reason(s);
			n++;
		}
	}
	for (size_t i = 0; i < n; i++)
		entries[i].serial = serials[i];
	number = (cert ? pki->device_crl_number : pki->root_crl_number) + 1;
	next = change->at + (time_t)PKI_CRL_NEXT_UPDATE_DAYS * 86400;
	r = ws_crl_build(issuer, number, change->at, next, entries, n, pki_sign, signer, &change->crl_der,
	    &change->crl_der_len);
	if (r == WS_OK)
		change->crl_number = number;
out:
	pthread_mutex_unlock(&pki->lock);
	free(entries);
	free(serials);
	return r;
}

void
pki_crl_end(struct pki *pki, struct pki_crl_change *change, bool recorded)
{
	char path[PKI_PATH_MAX + 32];
	struct ws_buf pem = WS_BUF_INIT(4 * (size_t)WS_CRL_MAX);
	ws_err r = WS_OK;

	if (recorded) {
		pthread_mutex_lock(&pki->lock);
		r = change_apply_locked(pki, change);
		pthread_mutex_unlock(&pki->lock);
		if (r != WS_OK)
			wslog_error("revocation state: %s (rebuilt from the signing log at the next start)",
			    ws_err_message(r));
		pki_path(pki, change->action == PKI_CRL_REVOKE_CERT ? "device-ca.crl" : "root.crl", path, sizeof(path));
		if ((r = ws_crl_pem(&pem, change->crl_der, change->crl_der_len)) != WS_OK ||
		    (r = ws_file_write_atomic(path, pem.data, pem.len, 0644)) != WS_OK)
			wslog_error("%s: %s (the CRL was returned to the client)", path, ws_err_message(r));
	}
	ws_buf_free(&pem);
	free(change->crl_der);
	change->crl_der = NULL;
	pthread_mutex_unlock(&pki->crl_lock);
}

/* ------------------------------------------------------- rebuild (index.c) */

ws_err
pki_crl_note(struct pki *pki, uint64_t seq, const json_t *subject, const json_t *outputs)
{
	struct pki_crl_change c = { .reason = WS_CRL_REASON_NONE };
	const char *action = pki_json_str(subject, "action"), *serial = pki_json_str(subject, "serial");
	json_t *number = json_object_get(outputs, "crl_number");
	int a;
	ws_err r;

	if (action == NULL || serial == NULL || (a = pki_crl_action_from_name(action)) < 0 ||
	    strlen(serial) > PKI_SERIAL_HEX_MAX || !json_is_integer(number) ||
	    !pki_time_parse(pki_json_str(outputs, "revoked_at"), &c.at))
		return pki_bad_record(seq, "ca.crl without action, serial, crl_number and revoked_at");
	c.action = (enum pki_crl_action)a;
	strcpy(c.serial, serial);
	c.crl_number = (uint64_t)json_integer_value(number);
	if (pki_json_str(subject, "reason") != NULL && pki_crl_reason_from_name(pki_json_str(subject, "reason"), &c.reason) != WS_OK)
		return pki_bad_record(seq, "ca.crl with an unknown reason");
	pthread_mutex_lock(&pki->lock);
	r = change_apply_locked(pki, &c);
	pthread_mutex_unlock(&pki->lock);
	return r;
}
