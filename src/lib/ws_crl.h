/*
 * ws_crl.h -- X.509 v2 CRLs built as DER, signed through a ws_sign_cb.
 *
 * Two CRLs exist (DESIGN.md §3, COMPAT.md §2): the root's, over device CAs
 * (reasons 9 privilegeWithdrawn = revoked for good, 6 certificateHold =
 * disabled, 8 removeFromCRL = re-enabled), and each device CA's, over the
 * device certificates it issued. The caller keeps the list and the CRL
 * number; this module only writes:
 *
 *   TBSCertList { version v2, signature ecdsa-with-SHA256,
 *                 issuer = the CA's subject bytes, thisUpdate, nextUpdate,
 *                 revokedCertificates (omitted when empty):
 *                     { serial, revocationDate, [reasonCode] },
 *                 crlExtensions [0] { authorityKeyIdentifier = the CA's SKI,
 *                                     cRLNumber } }
 *
 * and signs and verifies it as ws_cert does (ws_x509_sign()).
 */
#ifndef WS_CRL_H
#define WS_CRL_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "ws_buf.h"
#include "ws_cert.h"
#include "ws_err.h"

#define WS_CRL_MAX (16u * 1024 * 1024)	/* bytes of a CRL's DER */

/* CRLReason values (RFC 5280 §5.3.1) wavesign writes; NONE omits the extension. */
enum ws_crl_reason {
	WS_CRL_REASON_NONE = -1,
	WS_CRL_REASON_KEY_COMPROMISE = 1,
	WS_CRL_REASON_CA_COMPROMISE = 2,
	WS_CRL_REASON_AFFILIATION_CHANGED = 3,
	WS_CRL_REASON_SUPERSEDED = 4,
	WS_CRL_REASON_CESSATION_OF_OPERATION = 5,
	WS_CRL_REASON_CERTIFICATE_HOLD = 6,		/* disable */
	WS_CRL_REASON_REMOVE_FROM_CRL = 8,		/* re-enable */
	WS_CRL_REASON_PRIVILEGE_WITHDRAWN = 9,		/* revoke */
	WS_CRL_REASON_AA_COMPROMISE = 10,
};

/* One revoked certificate. serial: big-endian magnitude (struct ws_cert's serial). */
struct ws_crl_entry {
	const uint8_t *serial;
	size_t serial_len;		/* 1..WS_CERT_SERIAL_MAX, not all zero */
	time_t revoked_at;
	enum ws_crl_reason reason;
};

/*
 * Builds, signs and verifies a CRL issued by ca. crl_number must grow with
 * every CRL of that CA (the caller keeps it). On success *der (malloc'd,
 * the caller frees) and *der_len hold the CRL; on failure they are
 * untouched. WS_ERR_INVALID_ARGUMENT: next_update not after this_update, a
 * bad serial or reason (detail names the entry); WS_ERR_LIMIT beyond
 * WS_CRL_MAX; the signer's code; WS_ERR_CRYPTO if the signature does not
 * verify with the CA's key.
 */
ws_err ws_crl_build(const struct ws_ca *ca, uint64_t crl_number, time_t this_update,
    time_t next_update, const struct ws_crl_entry *entries, size_t n_entries, ws_sign_cb sign,
    void *sign_ctx, uint8_t **der, size_t *der_len) __attribute__((warn_unused_result));

/* Appends der as an "X509 CRL" PEM block to out. */
ws_err ws_crl_pem(struct ws_buf *out, const uint8_t *der, size_t len);

#endif /* WS_CRL_H */
