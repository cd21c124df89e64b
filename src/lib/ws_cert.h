/*
 * ws_cert.h -- X.509 certificates built as DER, signed through a callback.
 *
 * wavesign builds what it signs (DESIGN.md §4): every TBSCertificate is
 * written here field by field. From a CSR only three things are taken, and
 * only after ws_csr_verify() succeeded: the subject Name and the
 * SubjectPublicKeyInfo, copied byte for byte (renewal byte-compares the
 * subject; COMPAT.md §1), and, for gateway TLS certificates, the requested
 * subjectAltName (after ws_csr_check_tls() accepted it). Everything else is
 * fixed by the profile (COMPAT.md §2):
 *
 *   device client   v3, random positive serial <= 159 bits, ecdsa-with-SHA256,
 *                   issuer = the device CA's subject, validity not_before +
 *                   seconds, basicConstraints CA:FALSE (critical), keyUsage
 *                   digitalSignature (critical), extKeyUsage clientAuth
 *                   (critical), SKI (SHA-1 of the public key bits, RFC 5280
 *                   §4.2.1.2 method 1), AKI keyIdentifier = the CA's SKI
 *   factory root    CN=Factory-CA, OU=<factory> (UTF8String, CN first),
 *                   self-signed, 20 years, CA:TRUE (critical), keyUsage
 *                   keyCertSign cRLSign (critical), extKeyUsage serverAuth
 *                   clientAuth, SKI, AKI = SKI
 *   device CA       CN=fio-<owner>, OU=<factory>, issued by the root, 10 years,
 *                   CA:TRUE pathlen:0 (critical), keyUsage keyCertSign cRLSign
 *                   (critical; cRLSign because it signs the CRL over its
 *                   device certificates), SKI, AKI
 *   device CA (CSR) as the device CA, subject from the CSR
 *   gateway TLS     subject from the CSR, 10 years, CA:FALSE (critical),
 *                   keyUsage digitalSignature (critical), extKeyUsage
 *                   serverAuth, subjectAltName copied from the CSR, SKI, AKI
 * "N years" are calendar years from not_before (as Go's AddDate: fioctl).
 * Times up to 2049 are UTCTime, from 2050 GeneralizedTime.
 *
 * Signing: the builder hands the DER TBSCertificate to a ws_sign_cb, which
 * returns an ECDSA signature over SHA-256(tbs), DER-encoded (the token layer
 * turns CKM_ECDSA's r||s into DER). The builder then assembles the
 * Certificate, reads it back with the strict DER reader and verifies the
 * signature against the issuer's public key before returning anything
 * (WS_ERR_CRYPTO if it does not verify).
 *
 * Threads: the functions keep no state; a struct ws_ca may be shared by
 * threads that issue at the same time (read-only).
 */
#ifndef WS_CERT_H
#define WS_CERT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <openssl/evp.h>

#include "ws_buf.h"
#include "ws_csr.h"
#include "ws_err.h"
#include "ws_spki.h"

#define WS_CERT_SIG_MAX		1024		/* room the signer gets (= WS_SIG_MAX of ws_p11.h) */
#define WS_CERT_MAX		(128 * 1024)	/* a certificate's DER */
#define WS_CERT_SERIAL_MAX	20		/* bytes of a serial number's magnitude */
#define WS_CERT_SKI_MAX		64		/* bytes of a key identifier we accept in a CA */
#define WS_CERT_NAME_MAX	64		/* bytes of the factory name and of a CA's CN (ub-name) */
#define WS_CERT_ROOT_YEARS	20
#define WS_CERT_DEVICE_CA_YEARS	10
#define WS_CERT_TLS_YEARS	10
#define WS_CERT_ROOT_CN		"Factory-CA"
#define WS_CERT_DEVICE_CA_CN_PREFIX "fio-"

/*
 * Signs tbs[0..tbs_len): ECDSA P-256 over SHA-256(tbs), the signature as a
 * DER ECDSA-Sig-Value. On entry *sig_len is the room in sig_der
 * (WS_CERT_SIG_MAX); on success it is set to the signature's length.
 * Returns WS_OK or the failure (the token's code); it must not keep tbs.
 */
typedef ws_err (*ws_sign_cb)(void *ctx, const uint8_t *tbs, size_t tbs_len, uint8_t *sig_der,
    size_t *sig_len);

/*
 * A CA certificate of ours (root or device CA), parsed once at start. It
 * owns a copy of the DER and an EVP_PKEY of the CA's public key (made once,
 * from the raw point). Pointers point into der.
 */
struct ws_ca {
	uint8_t *der;			/* the certificate */
	size_t der_len;
	const uint8_t *tbs;		/* TBSCertificate, whole TLV */
	size_t tbs_len;
	const uint8_t *serial;		/* INTEGER contents */
	size_t serial_len;
	const uint8_t *issuer;		/* issuer Name, whole TLV */
	size_t issuer_len;
	const uint8_t *subject;		/* subject Name, whole TLV: the issuer of what it signs */
	size_t subject_len;
	const uint8_t *spki;		/* SubjectPublicKeyInfo, whole TLV */
	size_t spki_len;
	struct ws_spki key;		/* parsed; always EC P-256 */
	uint8_t ski[WS_CERT_SKI_MAX];	/* its subjectKeyIdentifier (computed by method 1 if absent) */
	size_t ski_len;
	time_t not_before, not_after;
	int path_len;			/* basicConstraints pathLenConstraint, -1 when absent */
	enum ws_sigalg sig_alg;		/* how it was signed */
	const uint8_t *sig;		/* its signature (BIT STRING contents) */
	size_t sig_len;
	EVP_PKEY *pkey;			/* its public key, for verifying what it signs */
};

/* An issued certificate. Owned by the caller: ws_cert_free(). */
struct ws_cert {
	uint8_t *der;
	size_t der_len;
	uint8_t serial[WS_CERT_SERIAL_MAX];	/* magnitude, big-endian, no leading zero byte */
	size_t serial_len;
	char serial_hex[2 * WS_CERT_SERIAL_MAX + 1];	/* lower-case hex of serial */
	time_t not_before, not_after;
	uint8_t sha256[32];			/* SHA-256 of der */
};

/*
 * Parses a CA certificate (DER) into *out (the caller's: ws_ca_free()).
 * It must be an X.509 v3 certificate with basicConstraints CA:TRUE, a
 * keyUsage (if any) that includes keyCertSign, an EC P-256 key and no
 * trailing bytes. WS_ERR_DER_MALFORMED / WS_ERR_TRUNCATED (structure),
 * WS_ERR_INVALID_ARGUMENT (not a CA), WS_ERR_KEY_TYPE (not P-256),
 * WS_ERR_CRYPTO (the key is invalid).
 */
ws_err ws_ca_parse(const uint8_t *der, size_t len, struct ws_ca **out)
	__attribute__((warn_unused_result));

/*
 * Checks that cert was issued by issuer: cert's issuer Name equals issuer's
 * subject byte for byte and cert's signature verifies with issuer's key.
 * For the root, pass it twice. WS_ERR_CRYPTO when not.
 */
ws_err ws_ca_check_issued_by(const struct ws_ca *cert, const struct ws_ca *issuer)
	__attribute__((warn_unused_result));

/* Frees a CA (NULL is fine). */
void ws_ca_free(struct ws_ca *ca);

/* Frees an issued certificate (NULL is fine). */
void ws_cert_free(struct ws_cert *cert);

/*
 * Device client certificate from a verified CSR (ws_csr_verify(), then
 * ws_csr_check_device()). Valid from not_before for valid_seconds.
 * WS_ERR_INVALID_ARGUMENT: CSR not verified, validity out of range;
 * the signer's code; WS_ERR_CRYPTO: the signature does not verify.
 */
ws_err ws_cert_issue_device(const struct ws_ca *device_ca, const struct ws_csr *csr,
    time_t not_before, uint64_t valid_seconds, ws_sign_cb sign, void *sign_ctx, struct ws_cert **out)
	__attribute__((warn_unused_result));

/*
 * Self-signed factory root CA for the EC P-256 key root_spki (the token's
 * public key as SubjectPublicKeyInfo DER). factory: 1..64 bytes of UTF-8
 * without control characters (WS_ERR_INVALID_ARGUMENT otherwise);
 * WS_ERR_KEY_TYPE for a key other than P-256.
 */
ws_err ws_cert_make_root(const char *factory, const uint8_t *root_spki, size_t root_spki_len,
    time_t not_before, ws_sign_cb sign, void *sign_ctx, struct ws_cert **out)
	__attribute__((warn_unused_result));

/*
 * Device CA CN=fio-<owner>, OU=<factory> for the EC P-256 key ca_spki,
 * issued by root. The CN must fit in 64 bytes.
 */
ws_err ws_cert_make_device_ca(const struct ws_ca *root, const char *factory, const char *owner,
    const uint8_t *ca_spki, size_t ca_spki_len, time_t not_before, ws_sign_cb sign, void *sign_ctx,
    struct ws_cert **out)
	__attribute__((warn_unused_result));

/* Additional device CA from a verified CSR (ws_csr_check_device_ca() first), issued by root. */
ws_err ws_cert_issue_device_ca(const struct ws_ca *root, const struct ws_csr *csr, time_t not_before,
    ws_sign_cb sign, void *sign_ctx, struct ws_cert **out)
	__attribute__((warn_unused_result));

/*
 * Gateway TLS server certificate from a verified CSR (ws_csr_check_tls()
 * first: the subjectAltName is copied as requested). WS_ERR_CSR_EXTENSION
 * if the CSR requests no subjectAltName.
 */
ws_err ws_cert_issue_tls(const struct ws_ca *root, const struct ws_csr *csr, time_t not_before,
    ws_sign_cb sign, void *sign_ctx, struct ws_cert **out)
	__attribute__((warn_unused_result));

/* Appends der as a "CERTIFICATE" PEM block to out. */
ws_err ws_cert_pem(struct ws_buf *out, const uint8_t *der, size_t len);

/*
 * Lower level, shared with ws_crl: b->data[start..b->len) holds a complete
 * TBS element (TBSCertificate or TBSCertList). Signs it with sign, appends
 * the ecdsa-with-SHA256 AlgorithmIdentifier and the signature BIT STRING,
 * wraps the three in a SEQUENCE, reads the result back and verifies it with
 * verify_key (EC P-256). On failure the bytes from start on are unspecified.
 */
ws_err ws_x509_sign(struct ws_buf *b, size_t start, EVP_PKEY *verify_key, ws_sign_cb sign,
    void *sign_ctx) __attribute__((warn_unused_result));

#endif /* WS_CERT_H */
