/*
 * op_ca.c -- the factory CA: ca.init, ca.sign and ca.crl (COMPAT.md §2,
 * wavesign-protocol(7)). Officer operations: each is followed by a
 * checkpoint of the signing log.
 *
 * ca.init generates no key: the root and device CA keys are made in the
 * token by keys.init, like every key the policy names, so that creating
 * keys and certifying them are two separate, separately logged steps.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "daemon.h"
#include "pki.h"
#include "ws_csr.h"
#include "ws_encode.h"
#include "ws_json.h"
#include "ws_sha256.h"

static void
sha256_hex(const void *data, size_t len, char hex[2 * WS_SHA256_LEN + 1])
{
	uint8_t md[WS_SHA256_LEN];

	ws_sha256(data, len, md);
	ws_hex_encode(md, sizeof(md), hex);
}

/* PEM of a DER certificate as a JSON string (new reference), NULL on failure. */
static json_t *
cert_pem_json(const uint8_t *der, size_t len)
{
	struct ws_buf b = WS_BUF_INIT(4 * WS_CERT_MAX);
	const char *s = NULL;
	json_t *v = NULL;

	if (ws_cert_pem(&b, der, len) == WS_OK && ws_buf_cstr(&b, &s) == WS_OK)
		v = json_string(s);
	ws_buf_free(&b);
	return v;
}

/* ------------------------------------------------------------ ca.init */

ws_err
op_ca_init(struct op_ctx *ctx, json_t **result)
{
	static const char *const members[] = { "owner", NULL };
	const struct ws_policy *policy = ctx->policy;
	struct pki *pki = ctx->d->pki;
	const struct ws_key *root_key = NULL, *ca_key = NULL;
	struct pki_signer signer = { .session = ctx->session };
	struct ws_cert *root = NULL, *device_ca = NULL;
	struct ws_ca *root_ca = NULL;
	struct pki_cas cas;
	char root_sha[65], ca_sha[65], root_na[32], ca_na[32], path[4200];
	const char *owner = NULL;
	bool locked = false;
	time_t now = time(NULL);
	json_t *res = NULL;
	ws_err r;

	if ((r = ws_json_only_members(ctx->req->args, "args", members)) != WS_OK ||
	    (r = ws_json_get_str(ctx->req->args, "args", "owner", &owner)) != WS_OK)
		return r;
	ctx->officer_op = true;
	json_object_set_new(ctx->subject, "owner", json_string(owner));
	json_object_set_new(ctx->subject, "factory", json_string(policy->factory));

	pki_init_lock(pki);
	locked = true;
	pki_cas(pki, &cas);
	if (cas.root != NULL) {
		char serial[PKI_SERIAL_HEX_MAX + 1];

		pki_ca_serial(cas.root, serial);
		r = ws_err_set(WS_ERR_CA_EXISTS, "%s exists (serial %s); a factory CA is created once",
		    pki_path(pki, "root.crt", path, sizeof(path)), serial);
		goto out;
	}
	if ((r = pki_ca_key(ctx->d, policy, true, &root_key)) != WS_OK ||
	    (r = pki_ca_key(ctx->d, policy, false, &ca_key)) != WS_OK)
		goto out;
	signer.key = root_key;
	if ((r = ws_cert_make_root(policy->factory, root_key->spki, root_key->spki_len, now, pki_sign, &signer,
	    &root)) != WS_OK ||
	    (r = ws_ca_parse(root->der, root->der_len, &root_ca)) != WS_OK ||
	    (r = ws_cert_make_device_ca(root_ca, policy->factory, owner, ca_key->spki, ca_key->spki_len, now,
	    pki_sign, &signer, &device_ca)) != WS_OK ||
	    (r = pki_ca_install(pki, root, device_ca)) != WS_OK)
		goto out;
	ws_hex_encode(root->sha256, sizeof(root->sha256), root_sha);
	ws_hex_encode(device_ca->sha256, sizeof(device_ca->sha256), ca_sha);
	pki_time_string(root->not_after, root_na);
	pki_time_string(device_ca->not_after, ca_na);
	json_object_set_new(ctx->outputs, "root_serial", json_string(root->serial_hex));
	json_object_set_new(ctx->outputs, "root_sha256", json_string(root_sha));
	json_object_set_new(ctx->outputs, "device_ca_serial", json_string(device_ca->serial_hex));
	json_object_set_new(ctx->outputs, "device_ca_sha256", json_string(ca_sha));
	json_array_append_new(ctx->keys_used, json_string(root_key->fingerprint));
	res = json_pack("{s:o, s:o, s:s, s:s, s:s, s:s, s:s, s:s}",
	    "root.crt", cert_pem_json(root->der, root->der_len),
	    "device-ca.crt", cert_pem_json(device_ca->der, device_ca->der_len),
	    "root_serial", root->serial_hex, "root_sha256", root_sha, "root_not_after", root_na,
	    "device_ca_serial", device_ca->serial_hex, "device_ca_sha256", ca_sha, "device_ca_not_after", ca_na);
	if (res == NULL) {
		r = ws_err_set(WS_ERR_NOMEM, "ca.init result");
		goto out;
	}
	*result = res;
out:
	if (locked)
		pki_init_unlock(pki);
	ws_ca_free(root_ca);
	ws_cert_free(root);
	ws_cert_free(device_ca);
	return r;
}

/* ------------------------------------------------------------ ca.sign */

static void
sign_after_record(struct op_ctx *ctx, bool recorded, uint64_t seq)
{
	char *serial = ctx->op_state;

	(void)seq;
	if (recorded)
		pki_device_ca_add(ctx->d->pki, serial);
	free(serial);
	ctx->op_state = NULL;
}

ws_err
op_ca_sign(struct op_ctx *ctx, json_t **result)
{
	static const char *const members[] = { "csr", "profile", NULL };
	const struct ws_policy *policy = ctx->policy;
	const json_t *args = ctx->req->args;
	const struct ws_key *key = NULL;
	struct pki_signer signer = { .session = ctx->session };
	struct pki_cas cas;
	struct ws_csr *csr = NULL;
	struct ws_cert *cert = NULL;
	const char *csr_text = NULL, *profile = NULL;
	char csr_sha[65], sha[65], not_after[32];
	bool tls;
	time_t now = time(NULL);
	json_t *res = NULL;
	ws_err r;

	if ((r = ws_json_only_members(args, "args", members)) != WS_OK ||
	    (r = ws_json_get_str(args, "args", "csr", &csr_text)) != WS_OK ||
	    (r = ws_json_get_str(args, "args", "profile", &profile)) != WS_OK)
		return r;
	if (strcmp(profile, "tls") != 0 && strcmp(profile, "device-ca") != 0)
		return ws_err_set(WS_ERR_INVALID_ARGUMENT, "args.profile is \"%.40s\"; it must be \"tls\" (a gateway "
		    "TLS certificate) or \"device-ca\" (an additional device CA)", profile);
	tls = strcmp(profile, "tls") == 0;
	ctx->officer_op = true;
	sha256_hex(csr_text, strlen(csr_text), csr_sha);
	json_object_set_new(ctx->subject, "profile", json_string(profile));
	json_object_set_new(ctx->subject, "csr_sha256", json_string(csr_sha));

	if ((r = pki_ca_key(ctx->d, policy, true, &key)) != WS_OK)
		goto out;
	pki_cas(ctx->d->pki, &cas);
	if (cas.root == NULL) {
		r = ws_err_set(WS_ERR_CA_MISSING, "no factory root in %s/pki", ctx->d->config->state_dir);
		goto out;
	}
	if ((r = ws_csr_parse((const uint8_t *)csr_text, strlen(csr_text), &csr)) != WS_OK)
		goto out;
	if (csr->cn != NULL)
		json_object_set_new(ctx->subject, "cn", json_string(csr->cn->value));
	if ((r = ws_csr_verify(csr)) != WS_OK ||
	    (r = tls ? ws_csr_check_tls(csr, 0) : ws_csr_check_device_ca(csr, policy->factory, 0)) != WS_OK)
		goto out;
	signer.key = key;
	r = tls ? ws_cert_issue_tls(cas.root, csr, now, pki_sign, &signer, &cert) :
	    ws_cert_issue_device_ca(cas.root, csr, now, pki_sign, &signer, &cert);
	if (r != WS_OK)
		goto out;
	ws_hex_encode(cert->sha256, sizeof(cert->sha256), sha);
	pki_time_string(cert->not_after, not_after);
	res = json_pack("{s:o, s:s, s:s, s:s, s:s, s:s}", "certificate", cert_pem_json(cert->der, cert->der_len),
	    "root.crt", cas.root_pem, "profile", profile, "serial", cert->serial_hex, "sha256", sha,
	    "not_after", not_after);
	if (res == NULL) {
		r = ws_err_set(WS_ERR_NOMEM, "ca.sign result");
		goto out;
	}
	if (!tls) {
		if ((ctx->op_state = strdup(cert->serial_hex)) == NULL) {
			r = ws_err_set(WS_ERR_NOMEM, "ca.sign");
			goto out;
		}
		ctx->after_record = sign_after_record;
	}
	json_object_set_new(ctx->outputs, "serial", json_string(cert->serial_hex));
	json_object_set_new(ctx->outputs, "cert_sha256", json_string(sha));
	json_object_set_new(ctx->outputs, "not_after", json_string(not_after));
	json_array_append_new(ctx->keys_used, json_string(key->fingerprint));
	*result = res;
	res = NULL;
out:
	json_decref(res);
	ws_cert_free(cert);
	ws_csr_free(csr);
	return r;
}

/* ------------------------------------------------------------ ca.crl */

static void
crl_after_record(struct op_ctx *ctx, bool recorded, uint64_t seq)
{
	struct pki_crl_change *change = ctx->op_state;

	(void)seq;
	pki_crl_end(ctx->d->pki, change, recorded);
	free(change);
	ctx->op_state = NULL;
}

ws_err
op_ca_crl(struct op_ctx *ctx, json_t **result)
{
	static const char *const members[] = { "action", "serial", "reason", NULL };
	const struct ws_policy *policy = ctx->policy;
	const json_t *args = ctx->req->args;
	struct pki *pki = ctx->d->pki;
	const struct ws_key *key = NULL;
	struct pki_signer signer = { .session = ctx->session };
	struct pki_crl_change *change = NULL;
	struct pki_cert_entry cert;
	struct pki_cas cas;
	const struct ws_ca *issuer;
	const char *action = NULL, *serial = NULL, *reason = NULL;
	char cn[WS_CSR_SUBJECT_MAX], sha[65], at[32];
	struct ws_buf pem = WS_BUF_INIT(4 * (size_t)WS_CRL_MAX);
	const char *pem_s = NULL;
	bool in_crl_lock = false, root;
	int a;
	json_t *res = NULL;
	ws_err r;

	if ((r = ws_json_only_members(args, "args", members)) != WS_OK ||
	    (r = ws_json_get_str(args, "args", "action", &action)) != WS_OK ||
	    (r = ws_json_get_str(args, "args", "serial", &serial)) != WS_OK ||
	    (r = ws_json_get_str_opt(args, "args", "reason", &reason)) != WS_OK)
		return r;
	if ((a = pki_crl_action_from_name(action)) < 0)
		return ws_err_set(WS_ERR_INVALID_ARGUMENT, "args.action is \"%.40s\"; it must be revoke-ca, "
		    "disable-ca, enable-ca or revoke-cert", action);
	if ((change = calloc(1, sizeof(*change))) == NULL)
		return ws_err_set(WS_ERR_NOMEM, "ca.crl");
	change->action = (enum pki_crl_action)a;
	change->reason = WS_CRL_REASON_NONE;
	change->at = time(NULL);
	root = change->action != PKI_CRL_REVOKE_CERT;
	ctx->officer_op = true;
	json_object_set_new(ctx->subject, "action", json_string(action));
	if ((r = pki_serial_normalise(serial, change->serial)) != WS_OK)
		goto out;
	json_object_set_new(ctx->subject, "serial", json_string(change->serial));
	if (reason != NULL) {
		if (root) {
			r = ws_err_set(WS_ERR_INVALID_ARGUMENT, "args.reason applies to revoke-cert only (a device "
			    "CA's reason follows from the action: 9 revoke, 6 disable, 8 enable)");
			goto out;
		}
		if ((r = pki_crl_reason_from_name(reason, &change->reason)) != WS_OK)
			goto out;
		if (change->reason != WS_CRL_REASON_NONE)
			json_object_set_new(ctx->subject, "reason", json_string(reason));
	}

	if ((r = pki_ca_key(ctx->d, policy, root, &key)) != WS_OK)
		goto out;
	pki_cas(pki, &cas);
	if (cas.root == NULL) {
		r = ws_err_set(WS_ERR_CA_MISSING, "no factory CA in %s/pki", ctx->d->config->state_dir);
		goto out;
	}
	issuer = root ? cas.root : cas.device_ca;
	if (!root) {
		if ((r = pki_cert_find(pki, change->serial, &cert, cn, sizeof(cn))) != WS_OK)
			goto out;
		json_object_set_new(ctx->subject, "cn", json_string(cert.cn));
	}
	signer.key = key;
	pki_crl_begin(pki);
	in_crl_lock = true;
	if ((r = pki_crl_prepare(pki, issuer, &signer, change)) != WS_OK)
		goto out;
	sha256_hex(change->crl_der, change->crl_der_len, sha);
	pki_time_string(change->at, at);
	if ((r = ws_crl_pem(&pem, change->crl_der, change->crl_der_len)) != WS_OK ||
	    (r = ws_buf_cstr(&pem, &pem_s)) != WS_OK)
		goto out;
	res = json_pack("{s:s, s:s, s:I, s:s, s:s, s:s, s:s}", "crl", pem_s, "issuer", root ? "root" : "device-ca",
	    "crl_number", (json_int_t)change->crl_number, "sha256", sha, "action", action,
	    "serial", change->serial, "revoked_at", at);
	if (res == NULL) {
		r = ws_err_set(WS_ERR_NOMEM, "ca.crl result");
		goto out;
	}
	json_object_set_new(ctx->outputs, "crl", json_string(root ? "root" : "device-ca"));
	json_object_set_new(ctx->outputs, "crl_number", json_integer((json_int_t)change->crl_number));
	json_object_set_new(ctx->outputs, "crl_sha256", json_string(sha));
	json_object_set_new(ctx->outputs, "revoked_at", json_string(at));
	json_array_append_new(ctx->keys_used, json_string(key->fingerprint));
	/* The hook makes the change the state once the record is durable, and unlocks. */
	ctx->op_state = change;
	ctx->after_record = crl_after_record;
	change = NULL;
	*result = res;
	res = NULL;
out:
	if (change != NULL) {
		if (in_crl_lock)
			pki_crl_end(pki, change, false);
		free(change->crl_der);
		free(change);
	}
	json_decref(res);
	ws_buf_free(&pem);
	return r;
}
