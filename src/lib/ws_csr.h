/*
 * ws_csr.h -- PKCS#10 certificate signing requests: parse, verify, check.
 *
 * The daemon takes three steps for every CSR, in this order:
 *
 *   ws_csr_parse()         structure only, no cryptography: the exact subject
 *                          and SubjectPublicKeyInfo bytes, the key type, the
 *                          subject attributes and the requested extensions;
 *   ws_csr_verify()        the CSR's own signature (sets csr->verified, which
 *                          the certificate builders in ws_cert.h insist on);
 *   ws_csr_check_*()       the CSR against one profile (device, TLS, device CA).
 *
 * Every refusal has its own code and a detail saying exactly what was wrong
 * (ws_err_message()); the CSR is refused, never altered.
 *
 * Parsing (ws_csr_parse) refuses:
 *   WS_ERR_LIMIT           input larger than WS_CSR_MAX;
 *   WS_ERR_TRUNCATED       the DER (or the PEM block) ends early;
 *   WS_ERR_CSR_MALFORMED   anything that is not one strict-DER CSR: not PEM
 *                          or DER, a PEM block that is not exactly one
 *                          "CERTIFICATE REQUEST" with only whitespace around
 *                          it, trailing bytes after the DER, version not 0,
 *                          BER encodings, malformed extensions;
 *   WS_ERR_CSR_SUBJECT     subject Name longer than WS_CSR_SUBJECT_MAX bytes
 *                          or with more than WS_CSR_RDN_MAX RDNs, a
 *                          multi-valued RDN, an attribute type appearing
 *                          twice, a value that is not a UTF8String or
 *                          PrintableString, is empty, is not valid UTF-8 /
 *                          PrintableString, or holds control characters;
 *   WS_ERR_CSR_EXTENSION   two extensionRequest attributes, an extension
 *                          requested twice, more than 32 extensions;
 *   WS_ERR_CSR_SIGNATURE   a signature algorithm wavesign does not verify.
 * A key of a type wavesign does not use (P-384, DSA, ...) parses, with
 * key.type == WS_PUBKEY_OTHER; ws_csr_verify() refuses it. A request for a
 * CA (basicConstraints CA:TRUE) parses too, with ca set: the device and TLS
 * checks refuse it, while an additional device CA is requested that way.
 *
 * Attributes other than extensionRequest (challengePassword, ...) and
 * requested extensions other than the four recorded below are ignored: the
 * certificate builders never copy anything from a CSR but its subject,
 * its key and (TLS profile) its subjectAltName.
 */
#ifndef WS_CSR_H
#define WS_CSR_H

#include <regex.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ws_der.h"
#include "ws_err.h"
#include "ws_production.h"
#include "ws_spki.h"

#define WS_CSR_MAX		(64 * 1024)	/* bytes of input, PEM or DER */
#define WS_CSR_SUBJECT_MAX	1024		/* bytes of the subject Name, header included */
#define WS_CSR_RDN_MAX		16		/* RDNs in the subject */
#define WS_CSR_PEM_LABEL	"CERTIFICATE REQUEST"

/* Key types ws_csr_check_*() allow when their mask is 0. */
#define WS_CSR_KEYS_DEFAULT	WS_PUBKEY_BIT(WS_PUBKEY_EC_P256)

enum ws_name_attr_type {
	WS_ATTR_OTHER = 0,
	WS_ATTR_CN,			/* commonName 2.5.4.3 */
	WS_ATTR_OU,			/* organizationalUnitName 2.5.4.11 */
	WS_ATTR_BUSINESS_CATEGORY,	/* businessCategory 2.5.4.15 (the production marker) */
};

/* One subject attribute (each RDN holds exactly one). */
struct ws_name_attr {
	enum ws_name_attr_type type;
	const uint8_t *oid;		/* OID contents, into csr->der */
	size_t oid_len;
	uint8_t string_tag;		/* WS_DER_UTF8STRING or WS_DER_PRINTABLESTRING */
	const char *value;		/* NUL-terminated copy (no NUL inside), in csr->strings */
	size_t value_len;
};

/* A requested extension: extnValue's contents (the DER inside the OCTET STRING). */
struct ws_csr_ext {
	bool present;
	bool critical;
	const uint8_t *value;		/* into csr->der */
	size_t len;
};

/*
 * A parsed CSR. It owns a copy of the CSR's DER; every pointer in it points
 * into that copy or into the struct itself, so it stays valid until
 * ws_csr_free(). Read-only after parsing, except `verified`.
 */
struct ws_csr {
	uint8_t *der;			/* the CSR as DER (decoded from PEM if need be) */
	size_t der_len;
	const uint8_t *info;		/* CertificationRequestInfo, whole TLV: the signed bytes */
	size_t info_len;
	const uint8_t *subject;		/* subject Name, whole TLV, exactly as in the CSR */
	size_t subject_len;
	const uint8_t *spki;		/* SubjectPublicKeyInfo, whole TLV, exactly as in the CSR */
	size_t spki_len;
	struct ws_spki key;		/* the parsed public key */
	enum ws_sigalg sig_alg;
	const uint8_t *sig;		/* signature BIT STRING contents */
	size_t sig_len;

	struct ws_name_attr attrs[WS_CSR_RDN_MAX];	/* the subject's RDNs, in order */
	size_t n_attrs;
	const struct ws_name_attr *cn;			/* into attrs; NULL when absent */
	const struct ws_name_attr *ou;
	const struct ws_name_attr *business_category;

	/* Requested extensions (extensionRequest attribute). */
	struct ws_csr_ext key_usage;
	struct ws_csr_ext ext_key_usage;
	struct ws_csr_ext basic_constraints;
	struct ws_csr_ext subject_alt_name;
	uint8_t key_usage_bits;		/* first byte of the requested keyUsage (WS_KU_* in ws_oid.h) */
	bool ca;			/* basicConstraints cA = TRUE requested */

	bool verified;			/* set by ws_csr_verify() */
	char strings[WS_CSR_SUBJECT_MAX + WS_CSR_RDN_MAX];	/* storage of attrs[].value */
};

/*
 * Parses a CSR given as PEM (exactly one "CERTIFICATE REQUEST" block) or
 * DER (exactly one CertificationRequest, no trailing bytes). On success
 * *out is the caller's (ws_csr_free()); on failure *out is untouched.
 * Errors: see the top of this file.
 */
ws_err ws_csr_parse(const uint8_t *in, size_t len, struct ws_csr **out)
	__attribute__((warn_unused_result));

/*
 * Verifies the CSR's self-signature over the CertificationRequestInfo bytes
 * and sets csr->verified. EC P-256 keys are imported from the raw point
 * (EVP_PKEY_fromdata), Ed25519 from its 32 bytes, RSA from n and e.
 * WS_ERR_CSR_KEY: a key type wavesign does not use (P-384, ...), an RSA
 * key outside 2048..8192 bits, or an invalid key (a point not on the
 * curve); WS_ERR_CSR_SIGNATURE: the signature does not verify, or its
 * algorithm does not fit the key.
 */
ws_err ws_csr_verify(struct ws_csr *csr) __attribute__((warn_unused_result));

/* Frees a CSR (NULL is fine). */
void ws_csr_free(struct ws_csr *csr);

/*
 * Checks a CSR against the device-certificate profile (COMPAT.md §1-2).
 *
 * The subject must be exactly, in this order, one RDN each:
 *     CN=<device>, OU=<factory>[, businessCategory=production]
 * and nothing else (no O, no second OU, no other order). That is what
 * lmp-device-register sends; being this strict keeps the subject that is
 * copied byte for byte into the certificate (and read by gateways with a
 * plain string compare) exactly the one COMPAT.md describes. Either string
 * type (UTF8String, PrintableString) is accepted: the bytes are copied.
 *
 *   allowed_keys   mask of WS_PUBKEY_BIT(type); 0 means WS_CSR_KEYS_DEFAULT
 *   factory        the OU must equal it byte for byte
 *   cn_pattern     the CN must match it as a whole (regexec, matched from
 *                  the first to the last byte); NULL: a canonical lower-case
 *                  UUID, 8-4-4-4-12 hex digits
 *   grant          what this client may do with the production marker
 *   is_production  set on success: the marker is present
 *
 * Errors, in the order they are checked: WS_ERR_CSR_KEY (key type not in
 * allowed_keys); WS_ERR_CSR_EXTENSION (basicConstraints CA:TRUE, or keyUsage
 * keyCertSign/cRLSign requested); WS_ERR_CSR_SUBJECT (subject not of the
 * form above, OU not the factory, CN not matching, businessCategory with a
 * value other than "production"); WS_ERR_PRODUCTION_DENIED (marker present,
 * grant DENY); WS_ERR_PRODUCTION_REQUIRED (marker absent, grant REQUIRE).
 */
ws_err ws_csr_check_device(const struct ws_csr *csr, const char *factory, const regex_t *cn_pattern,
    unsigned allowed_keys, enum ws_production grant, bool *is_production)
	__attribute__((warn_unused_result));

/*
 * Checks a CSR for a gateway TLS server certificate: key type in
 * allowed_keys (0: WS_CSR_KEYS_DEFAULT), a non-empty subject, no CA:TRUE,
 * and a requested subjectAltName holding only dNSName (letters, digits,
 * '-', '.', an optional leading "*.") and iPAddress (4 or 16 bytes)
 * entries, at least one. WS_ERR_CSR_KEY, WS_ERR_CSR_SUBJECT,
 * WS_ERR_CSR_EXTENSION.
 */
ws_err ws_csr_check_tls(const struct ws_csr *csr, unsigned allowed_keys)
	__attribute__((warn_unused_result));

/*
 * Checks a CSR for an additional device CA: key type in allowed_keys
 * (0: WS_CSR_KEYS_DEFAULT), a subject holding a CN and an OU equal to
 * factory (other attributes are allowed). WS_ERR_CSR_KEY, WS_ERR_CSR_SUBJECT.
 */
ws_err ws_csr_check_device_ca(const struct ws_csr *csr, const char *factory, unsigned allowed_keys)
	__attribute__((warn_unused_result));

/* Short name of an attribute ("CN", "OU", "O", "businessCategory", or the dotted OID). */
const char *ws_name_attr_label(const struct ws_name_attr *a, char buf[WS_DER_OID_STR_MAX]);

#endif /* WS_CSR_H */
