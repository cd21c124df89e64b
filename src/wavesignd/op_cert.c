/*
 * op_cert.c -- cert.issue: a device client certificate from a CSR
 * (COMPAT.md §1-2, DESIGN.md §4, wavesign-protocol(7)).
 *
 *   parse -> verify the CSR's signature -> device profile (factory, CN rule,
 *   key types, the client's production grant) -> the request's production
 *   assertion -> reissue rule (the CN is reserved until the record is
 *   written) -> issue with the device CA key in the token -> the files the
 *   registration tool writes.
 *
 * The CSR is refused, never altered: its subject is copied byte for byte.
 */
#include "config.h"

#include <pthread.h>
#include <regex.h>
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

/* cn: any -- any CN the parser accepts (non-empty, no control characters). */
static regex_t any_cn;
static int any_cn_rc = -1;
static pthread_once_t any_cn_once = PTHREAD_ONCE_INIT;

static void
any_cn_compile(void)
{
	any_cn_rc = regcomp(&any_cn, "^.+$", REG_EXTENDED);
}

/* The CN rule for ws_csr_check_device(): NULL is its canonical lower-case UUID. */
static ws_err
cn_rule(const struct ws_policy_device_profile *profile, const regex_t **out)
{
	switch (profile->cn_mode) {
	case WS_CN_UUID:
		*out = NULL;
		return WS_OK;
	case WS_CN_ANY:
		pthread_once(&any_cn_once, any_cn_compile);
		if (any_cn_rc != 0)
			return ws_err_set(WS_ERR_INTERNAL, "cannot compile the cn: any pattern");
		*out = &any_cn;
		return WS_OK;
	case WS_CN_REGEX:
		*out = &profile->cn_regex;
		return WS_OK;
	}
	return ws_err_set(WS_ERR_INTERNAL, "unknown cn mode %d", (int)profile->cn_mode);
}

/* The policy mask only says "RSA" to ws_csr: the size must be one the profile lists. */
static ws_err
check_rsa_size(const struct ws_csr *csr, uint32_t policy_keys)
{
	enum ws_policy_key_type want;
	char list[128] = "";

	if (csr->key.type != WS_PUBKEY_RSA)
		return WS_OK;
	switch (csr->key.bits) {
	case 2048:
		want = WS_PKEY_RSA_2048;
		break;
	case 3072:
		want = WS_PKEY_RSA_3072;
		break;
	case 4096:
		want = WS_PKEY_RSA_4096;
		break;
	default:
		want = WS_PKEY_COUNT;
	}
	if (want != WS_PKEY_COUNT && (policy_keys & (1u << want)))
		return WS_OK;
	for (int t = 0; t < WS_PKEY_COUNT; t++)
		if (policy_keys & (1u << t)) {
			if (list[0] != '\0')
				strncat(list, ", ", sizeof(list) - strlen(list) - 1);
			strncat(list, ws_policy_key_type_name((enum ws_policy_key_type)t), sizeof(list) - strlen(list) - 1);
		}
	return ws_err_set(WS_ERR_CSR_KEY, "the CSR's key is %s; the device profile allows %s "
	    "(certificates.device.keys)", csr->key.desc, list);
}

/* What cert.issue holds from its reservation to its record. */
struct issue_state {
	struct pki *pki;
	struct pki_cert_entry entry;
	char cn[WS_CSR_SUBJECT_MAX];
	bool issued;
};

static void
issue_after_record(struct op_ctx *ctx, bool recorded, uint64_t seq)
{
	struct issue_state *st = ctx->op_state;

	if (recorded && st->issued) {
		st->entry.record = seq;
		pki_cn_commit(st->pki, &st->entry);
	} else {
		pki_cn_release(st->pki, st->cn);
	}
	free(st);
	ctx->op_state = NULL;
}

static void
sha256_hex(const void *data, size_t len, char hex[2 * WS_SHA256_LEN + 1])
{
	uint8_t md[WS_SHA256_LEN];

	ws_sha256(data, len, md);
	ws_hex_encode(md, sizeof(md), hex);
}

ws_err
op_cert_issue(struct op_ctx *ctx, json_t **result)
{
	static const char *const members[] = { "csr", "production", NULL };
	const struct ws_policy *policy = ctx->policy;
	const struct ws_policy_device_profile *profile = &policy->certificates.device;
	const json_t *args = ctx->req->args, *want_v;
	const struct ws_key *key = NULL;
	const regex_t *cn_re = NULL;
	struct pki_cas cas;
	struct pki_signer signer = { .session = ctx->session };
	struct ws_csr *csr = NULL;
	struct ws_cert *cert = NULL;
	struct issue_state *st = NULL;
	struct ws_buf pem = WS_BUF_INIT(4 * WS_CERT_MAX), chained = WS_BUF_INIT(8 * WS_CERT_MAX);
	enum pki_ca_state ca_state;
	char csr_sha[2 * WS_SHA256_LEN + 1], ca_serial_hex[PKI_SERIAL_HEX_MAX + 1];
	const char *csr_text = NULL, *pem_s = NULL, *chained_s = NULL;
	bool want = false, production = false;
	json_t *res = NULL;
	ws_err r;

	if ((r = ws_json_only_members(args, "args", members)) != WS_OK ||
	    (r = ws_json_get_str(args, "args", "csr", &csr_text)) != WS_OK ||
	    (r = ws_json_get_bool_opt(args, "args", "production", &want)) != WS_OK)
		return r;
	want_v = json_object_get(args, "production");
	sha256_hex(csr_text, strlen(csr_text), csr_sha);
	json_object_set_new(ctx->subject, "csr_sha256", json_string(csr_sha));

	/* The CA first: without one, no CSR is worth reading. */
	if ((r = pki_ca_key(ctx->d, policy, false, &key)) != WS_OK)
		goto out;
	pki_cas(ctx->d->pki, &cas);
	if (cas.device_ca == NULL) {
		r = ws_err_set(WS_ERR_CA_MISSING, "no device CA in %s/pki", ctx->d->config->state_dir);
		goto out;
	}
	pki_ca_serial(cas.device_ca, ca_serial_hex);
	if (pki_device_ca_state(ctx->d->pki, ca_serial_hex, &ca_state) == WS_OK &&
	    (ca_state == PKI_CA_DISABLED || ca_state == PKI_CA_REVOKED)) {
		r = ws_err_set(WS_ERR_CA_DISABLED, "the device CA (serial %s) is %s", ca_serial_hex,
		    pki_ca_state_name(ca_state));
		goto out;
	}

	if ((r = ws_csr_parse((const uint8_t *)csr_text, strlen(csr_text), &csr)) != WS_OK)
		goto out;
	if (csr->cn != NULL)
		json_object_set_new(ctx->subject, "cn", json_string(csr->cn->value));
	json_object_set_new(ctx->subject, "production", json_boolean(csr->business_category != NULL &&
	    strcmp(csr->business_category->value, "production") == 0));
	if ((r = ws_csr_verify(csr)) != WS_OK ||
	    (r = cn_rule(profile, &cn_re)) != WS_OK ||
	    (r = ws_csr_check_device(csr, policy->factory, cn_re, pki_csr_key_mask(profile->key_types),
	    ctx->client->production, &production)) != WS_OK ||
	    (r = check_rsa_size(csr, profile->key_types)) != WS_OK)
		goto out;
	if (want_v != NULL && !json_is_null(want_v) && want != production) {
		r = ws_err_set(WS_ERR_CSR_SUBJECT, want ?
		    "the request asks for a production certificate but the CSR subject lacks "
		    "businessCategory=production (the CSR is never altered: make it with the marker)" :
		    "the request asks for a test certificate but the CSR subject carries "
		    "businessCategory=production (the CSR is never altered: make it without the marker)");
		goto out;
	}

	if ((st = calloc(1, sizeof(*st))) == NULL) {
		r = ws_err_set(WS_ERR_NOMEM, "cert.issue");
		goto out;
	}
	st->pki = ctx->d->pki;
	snprintf(st->cn, sizeof(st->cn), "%s", csr->cn->value);
	if ((r = pki_cn_reserve(st->pki, st->cn, profile->reissue)) != WS_OK)
		goto out;
	/* Reserved: from here on the hook releases or commits it. */
	ctx->op_state = st;
	ctx->after_record = issue_after_record;

	signer.key = key;
	if ((r = ws_cert_issue_device(cas.device_ca, csr, time(NULL), profile->validity_s, pki_sign, &signer,
	    &cert)) != WS_OK)
		goto out;
	st->entry.cn = st->cn;
	st->entry.production = production;
	snprintf(st->entry.serial, sizeof(st->entry.serial), "%s", cert->serial_hex);
	pki_time_string(cert->not_after, st->entry.not_after);
	ws_hex_encode(cert->sha256, sizeof(cert->sha256), st->entry.sha256);

	/* client.chained: the client certificate, a newline, the device CA (COMPAT.md §2a). */
	if ((r = ws_cert_pem(&pem, cert->der, cert->der_len)) != WS_OK ||
	    (r = ws_buf_put(&chained, pem.data, pem.len)) != WS_OK ||
	    (r = ws_buf_printf(&chained, "\n%s", cas.device_ca_pem)) != WS_OK ||
	    (r = ws_buf_cstr(&pem, &pem_s)) != WS_OK || (r = ws_buf_cstr(&chained, &chained_s)) != WS_OK)
		goto out;
	res = json_pack("{s:s, s:s, s:s, s:s, s:b, s:s, s:s}",
	    "client.pem", pem_s, "client.chained", chained_s, "root.crt", cas.root_pem,
	    "serial", st->entry.serial, "production", production, "not_after", st->entry.not_after,
	    "sha256", st->entry.sha256);
	if (res == NULL ||
	    json_object_set_new(ctx->outputs, "serial", json_string(st->entry.serial)) != 0 ||
	    json_object_set_new(ctx->outputs, "cert_sha256", json_string(st->entry.sha256)) != 0 ||
	    json_object_set_new(ctx->outputs, "not_after", json_string(st->entry.not_after)) != 0 ||
	    json_array_append_new(ctx->keys_used, json_string(key->fingerprint)) != 0) {
		r = ws_err_set(WS_ERR_NOMEM, "cert.issue result");
		goto out;
	}
	st->issued = true;
	*result = res;
	res = NULL;
out:
	if (st != NULL && ctx->op_state != st)
		free(st);	/* not reserved: nothing to release */
	json_decref(res);
	ws_buf_free(&pem);
	ws_buf_free(&chained);
	ws_cert_free(cert);
	ws_csr_free(csr);
	return r;
}
