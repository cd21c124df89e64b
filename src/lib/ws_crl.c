/*
 * ws_crl.c -- X.509 v2 CRLs as DER (contract in ws_crl.h).
 */
#include "config.h"

#include <stdbool.h>
#include <string.h>

#include "ws_crl.h"
#include "ws_der.h"
#include "ws_oid.h"
#include "ws_pem.h"

#define X509_CRL_V2 1

static bool
reason_ok(enum ws_crl_reason r)
{
	return r == WS_CRL_REASON_NONE || (r >= WS_CRL_REASON_KEY_COMPROMISE &&
	    r <= WS_CRL_REASON_AA_COMPROMISE && (int)r != 7);
}

static ws_err
put_entry(struct ws_buf *b, const struct ws_crl_entry *en, size_t idx)
{
	size_t entry = b->len, exts, ext, val;
	bool nonzero = false;
	ws_err e;

	if (en->serial_len == 0 || en->serial_len > WS_CERT_SERIAL_MAX)
		return ws_err_set(WS_ERR_INVALID_ARGUMENT, "entry %zu: serial of %zu bytes", idx, en->serial_len);
	for (size_t i = 0; i < en->serial_len; i++)
		nonzero |= en->serial[i] != 0;
	if (!nonzero)
		return ws_err_set(WS_ERR_INVALID_ARGUMENT, "entry %zu: serial number 0", idx);
	if (!reason_ok(en->reason))
		return ws_err_set(WS_ERR_INVALID_ARGUMENT, "entry %zu: reason code %d", idx, (int)en->reason);
	if ((e = ws_der_put_uint_bytes(b, en->serial, en->serial_len)) != WS_OK ||
	    (e = ws_der_put_time(b, en->revoked_at)) != WS_OK)
		return e;
	if (en->reason != WS_CRL_REASON_NONE) {
		uint8_t code = (uint8_t)en->reason;

		/* crlEntryExtensions { reasonCode OCTET STRING { ENUMERATED } } */
		exts = b->len;
		ext = b->len;
		if ((e = ws_der_put_oid(b, WS_OID_CRL_REASON, sizeof(WS_OID_CRL_REASON))) != WS_OK)
			return e;
		val = b->len;
		if ((e = ws_der_put(b, WS_DER_ENUMERATED, &code, 1)) != WS_OK ||
		    (e = ws_der_wrap(b, val, WS_DER_OCTET_STRING)) != WS_OK ||
		    (e = ws_der_wrap_seq(b, ext)) != WS_OK ||
		    (e = ws_der_wrap_seq(b, exts)) != WS_OK)
			return e;
	}
	return ws_der_wrap_seq(b, entry);
}

static ws_err
put_crl_extensions(struct ws_buf *b, const struct ws_ca *ca, uint64_t crl_number)
{
	size_t outer = b->len, seq = b->len, ext, val;
	ws_err e;

	/* authorityKeyIdentifier { [0] keyIdentifier } */
	ext = b->len;
	if ((e = ws_der_put_oid(b, WS_OID_AKI, sizeof(WS_OID_AKI))) != WS_OK)
		return e;
	val = b->len;
	if ((e = ws_der_put(b, WS_DER_CONTEXT(0), ca->ski, ca->ski_len)) != WS_OK ||
	    (e = ws_der_wrap_seq(b, val)) != WS_OK ||
	    (e = ws_der_wrap(b, val, WS_DER_OCTET_STRING)) != WS_OK ||
	    (e = ws_der_wrap_seq(b, ext)) != WS_OK)
		return e;
	/* cRLNumber INTEGER */
	ext = b->len;
	if ((e = ws_der_put_oid(b, WS_OID_CRL_NUMBER, sizeof(WS_OID_CRL_NUMBER))) != WS_OK)
		return e;
	val = b->len;
	if ((e = ws_der_put_uint(b, crl_number)) != WS_OK ||
	    (e = ws_der_wrap(b, val, WS_DER_OCTET_STRING)) != WS_OK ||
	    (e = ws_der_wrap_seq(b, ext)) != WS_OK)
		return e;
	if ((e = ws_der_wrap_seq(b, seq)) != WS_OK)
		return e;
	return ws_der_wrap(b, outer, WS_DER_CONTEXT_CONS(0));
}

ws_err
ws_crl_build(const struct ws_ca *ca, uint64_t crl_number, time_t this_update, time_t next_update,
    const struct ws_crl_entry *entries, size_t n_entries, ws_sign_cb sign, void *sign_ctx,
    uint8_t **der, size_t *der_len)
{
	struct ws_buf b = WS_BUF_INIT(WS_CRL_MAX);
	size_t tbs = 0, mark;
	ws_err e;

	if (next_update <= this_update) {
		e = ws_err_set(WS_ERR_INVALID_ARGUMENT, "nextUpdate is not after thisUpdate");
		goto out;
	}
	if ((e = ws_der_put_uint(&b, X509_CRL_V2)) != WS_OK ||
	    (e = ws_sigalg_put_ecdsa_sha256(&b)) != WS_OK ||
	    (e = ws_buf_put(&b, ca->subject, ca->subject_len)) != WS_OK ||
	    (e = ws_der_put_time(&b, this_update)) != WS_OK ||
	    (e = ws_der_put_time(&b, next_update)) != WS_OK)
		goto out;
	if (n_entries > 0) {
		mark = b.len;
		for (size_t i = 0; i < n_entries; i++)
			if ((e = put_entry(&b, &entries[i], i)) != WS_OK)
				goto out;
		if ((e = ws_der_wrap_seq(&b, mark)) != WS_OK)
			goto out;
	}
	if ((e = put_crl_extensions(&b, ca, crl_number)) != WS_OK ||
	    (e = ws_der_wrap_seq(&b, tbs)) != WS_OK ||
	    (e = ws_x509_sign(&b, tbs, ca->pkey, sign, sign_ctx)) != WS_OK ||
	    (e = ws_buf_steal(&b, der, der_len)) != WS_OK)
		goto out;
out:
	if (e != WS_OK)
		ws_err_prefix("CRL");
	ws_buf_free(&b);
	return e;
}

ws_err
ws_crl_pem(struct ws_buf *out, const uint8_t *der, size_t len)
{
	return ws_pem_encode(out, "X509 CRL", der, len);
}
