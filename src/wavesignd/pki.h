/*
 * pki.h -- the factory PKI's state in the daemon (issue 4): the CA
 * certificates (pki.c), the index of issued device certificates
 * (pki_certs.c) and the revocation state behind the CRLs (pki_crl.c).
 * The ops that use it are op_ca.c and op_cert.c; docs/pki.md says why.
 *
 * Files (under the state directory):
 *
 *   pki/device-ca.crt   the device CA certificate (PEM), written by ca.init
 *   pki/root.crt        the factory root (PEM), written by ca.init after
 *                       device-ca.crt: root.crt existing means "CA complete"
 *   pki/root.crl        the latest root CRL (over device CAs), written by ca.crl
 *   pki/device-ca.crl   the latest device-CA CRL (over device certificates)
 *   index/certs.jsonl   one line per issued device certificate: {"cn",
 *                       "not_after", "production", "record", "serial",
 *                       "sha256"}; rewritten from the signing log at every
 *                       start, appended (not synced: it is derived) at run time
 *
 * The signing log is the source of truth: which certificates were issued,
 * which device CAs the appliance signed, what was revoked, disabled or
 * enabled, and the CRL numbers used are all rebuilt from it at start
 * (pki_index_begin / _note / _end, from index.c). The CA certificates are
 * the exception: they are files, checked at start against the token's keys.
 *
 * Threads: every function may be called from any worker. The CAs are
 * installed once (at start or by ca.init) and never replaced or freed
 * before pki_free(), so the pointers pki_cas() hands out stay valid.
 */
#ifndef WAVESIGND_PKI_H
#define WAVESIGND_PKI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <jansson.h>

#include "ws_cert.h"
#include "ws_crl.h"
#include "ws_err.h"
#include "ws_p11.h"
#include "ws_policy.h"

struct pki;
struct ws_daemon;
struct op_ctx;

#define PKI_CRL_NEXT_UPDATE_DAYS 365	/* nextUpdate of the CRLs ca.crl signs */
#define PKI_SERIAL_HEX_MAX (2 * WS_CERT_SERIAL_MAX)

/* ------------------------------------------------------------ files and CAs */

/*
 * Creates STATE/pki and STATE/index (0700) and loads the CA certificates:
 * none when STATE/pki/root.crt does not exist (a device-ca.crt alone is
 * left over from an interrupted ca.init and ignored); both otherwise, the
 * device CA issued by the root and the root self-signed. On success *out
 * is the caller's (pki_free()). Errors name the file: WS_ERR_SYSTEM,
 * WS_ERR_CSR_MALFORMED/WS_ERR_TRUNCATED/WS_ERR_DER_MALFORMED (not one PEM
 * certificate), WS_ERR_CRYPTO (not issued by the root), WS_ERR_NOMEM.
 */
ws_err pki_open(const char *state_dir, struct pki **out);

void pki_free(struct pki *pki);

/*
 * Start-up check: a loaded CA must be for the key the policy names for it
 * (certificates.root-ca.key / device-ca.key), i.e. the certificate's
 * SubjectPublicKeyInfo equals the token key's (pki_ca_key() below, for
 * both). Nothing to check without a CA or without a certificates section.
 */
ws_err pki_check_keys(struct pki *pki, struct ws_daemon *d, const struct ws_policy *policy);

/* What pki_cas() hands out; NULL members until ca.init has run. */
struct pki_cas {
	const struct ws_ca *root, *device_ca;
	const char *root_pem, *device_ca_pem;	/* NUL-terminated PEM, as in the files */
};

/* The current CA certificates (valid until pki_free()). */
void pki_cas(struct pki *pki, struct pki_cas *out);

/*
 * The token key the policy names for the root (root = true) or the device
 * CA, in *key; once the CA exists, it must be the key its certificate
 * certifies. WS_ERR_POLICY_DENIED when the policy has no certificates
 * section; WS_ERR_KEY_NOT_FOUND when the token does not hold the key
 * ("... create it first with: wavesign keys init") or holds another key
 * than the certificate's (the detail names the file and both fingerprints).
 */
ws_err pki_ca_key(struct ws_daemon *d, const struct ws_policy *policy, bool root,
    const struct ws_key **key);

/*
 * For the ops: a ws_sign_cb context that signs with a token key
 * (ECDSA P-256 over SHA-256, DER), in a worker's session.
 */
struct pki_signer {
	struct ws_session *session;
	const struct ws_key *key;
};
ws_err pki_sign(void *ctx, const uint8_t *tbs, size_t tbs_len, uint8_t *sig, size_t *sig_len);

/*
 * ca.init's critical section: pki_init_lock() is held from the "does a CA
 * exist" check to the installation. pki_ca_install() writes device-ca.crt
 * then root.crt (atomically, 0644) and makes them current.
 */
void pki_init_lock(struct pki *pki);
void pki_init_unlock(struct pki *pki);
ws_err pki_ca_install(struct pki *pki, const struct ws_cert *root, const struct ws_cert *device_ca);

/* "STATE/pki/<name>" into buf (for messages). */
const char *pki_path(const struct pki *pki, const char *name, char *buf, size_t size);

/* --------------------------------------------------- issued certificates */

/* One issued device certificate, as the index keeps it. */
struct pki_cert_entry {
	const char *cn;
	bool production;
	char serial[PKI_SERIAL_HEX_MAX + 1];	/* lower-case hex, no leading zeros */
	char not_after[32];			/* YYYY-MM-DDTHH:MM:SSZ */
	char sha256[65];			/* of the certificate's DER */
	uint64_t record;			/* its signing log record */
};

/*
 * Reserves cn for one issuance: WS_ERR_ALREADY_ISSUED when the CN already
 * has a certificate, or another request for it is in flight, and reissue
 * is false. Every successful reservation ends with exactly one
 * pki_cn_commit() (the record is durable) or pki_cn_release().
 */
ws_err pki_cn_reserve(struct pki *pki, const char *cn, bool reissue);
void pki_cn_release(struct pki *pki, const char *cn);
/* Turns the reservation into an issued certificate and appends it to certs.jsonl. */
void pki_cn_commit(struct pki *pki, const struct pki_cert_entry *e);

/*
 * Looks an issued certificate up by serial (lower-case hex) in
 * certs.jsonl. WS_ERR_NOT_FOUND when the appliance did not issue it.
 * *e's cn points into cn_buf (cn_size bytes).
 */
ws_err pki_cert_find(struct pki *pki, const char *serial, struct pki_cert_entry *e, char *cn_buf,
    size_t cn_size);

/* --------------------------------------------------------- revocation */

/* A device CA's state in the root CRL. */
enum pki_ca_state {
	PKI_CA_ACTIVE = 0,	/* never on a CRL */
	PKI_CA_DISABLED,	/* certificateHold (6) */
	PKI_CA_ENABLED,		/* removeFromCRL (8): disabled before, re-enabled */
	PKI_CA_REVOKED,		/* privilegeWithdrawn (9): for good */
};

/* "active", "disabled", "enabled", "revoked" */
const char *pki_ca_state_name(enum pki_ca_state s);

/*
 * The state of the device CA with that serial (lower-case hex).
 * WS_ERR_NOT_FOUND when it is not a device CA this appliance signed
 * (ca.init's, or ca.sign --profile device-ca).
 */
ws_err pki_device_ca_state(struct pki *pki, const char *serial, enum pki_ca_state *state);

/* Notes a device CA the appliance signed (ca.sign; ca.init's is known from its file). */
void pki_device_ca_add(struct pki *pki, const char *serial);

/*
 * ca.crl: everything between reading the revocation state and recording
 * the change happens under one lock, taken by pki_crl_begin() and released
 * by pki_crl_end() (from the op's after_record hook, or on failure).
 */
enum pki_crl_action {
	PKI_CRL_REVOKE_CA = 0,
	PKI_CRL_DISABLE_CA,
	PKI_CRL_ENABLE_CA,
	PKI_CRL_REVOKE_CERT,
};

/* "revoke-ca", "disable-ca", "enable-ca", "revoke-cert"; from a name: -1 when unknown. */
const char *pki_crl_action_name(enum pki_crl_action a);
int pki_crl_action_from_name(const char *name);

/* A change to the revocation state, checked and signed but not yet recorded. */
struct pki_crl_change {
	enum pki_crl_action action;
	char serial[PKI_SERIAL_HEX_MAX + 1];
	enum ws_crl_reason reason;		/* revoke-cert: the reason given (NONE: none) */
	time_t at;
	uint64_t crl_number;
	uint8_t *crl_der;			/* the signed CRL (owned) */
	size_t crl_der_len;
};

/*
 * Reasons for revoke-cert: "unspecified" (no reasonCode), "key-compromise",
 * "affiliation-changed", "superseded", "cessation-of-operation".
 * WS_ERR_INVALID_ARGUMENT for another name.
 */
ws_err pki_crl_reason_from_name(const char *name, enum ws_crl_reason *out);
const char *pki_crl_reason_name(enum ws_crl_reason reason);

void pki_crl_begin(struct pki *pki);

/*
 * Under the lock: checks the change against the current state (a revoked
 * CA stays revoked; disable needs an active or enabled CA, enable a
 * disabled one; a certificate is revoked once) and signs the CRL the
 * change leads to: over every device CA not active (root) or every revoked
 * device certificate (device CA), with the next crlNumber. Sets
 * change->crl_number and crl_der. WS_ERR_INVALID_ARGUMENT (the state does
 * not allow it), the signer's and the builder's errors.
 */
ws_err pki_crl_prepare(struct pki *pki, const struct ws_ca *issuer, struct pki_signer *signer,
    struct pki_crl_change *change);

/*
 * Ends the critical section: with recorded true the change becomes the
 * state and the CRL is written to STATE/pki/root.crl or device-ca.crl;
 * with false nothing changes. Frees change->crl_der either way.
 */
void pki_crl_end(struct pki *pki, struct pki_crl_change *change, bool recorded);

/* ------------------------------------------------------- rebuild (index.c) */

/* Starts a rebuild: forgets the derived state and opens a new certs.jsonl. */
ws_err pki_index_begin(struct pki *pki);
/* One allowed record of the log (cert.issue, ca.sign, ca.crl change the state). */
ws_err pki_index_note(struct pki *pki, uint64_t seq, const json_t *record);
/* Installs the new certs.jsonl (atomically) and opens it for appending. */
ws_err pki_index_end(struct pki *pki);

/* ------------------------------------------------------------ helpers */

/* The CSR key types (WS_PUBKEY_BIT mask) a policy key-type mask (1 << enum ws_policy_key_type) allows. */
unsigned pki_csr_key_mask(uint32_t policy_key_types);

/*
 * Normalises a serial given by a person or a tool: hex digits, optionally
 * separated by ':' (as openssl prints them), any case, leading zeros
 * allowed; 1..20 bytes, not zero. out: lower-case, no leading zeros.
 * WS_ERR_INVALID_ARGUMENT otherwise.
 */
ws_err pki_serial_normalise(const char *in, char out[PKI_SERIAL_HEX_MAX + 1]);

/* A CA certificate's serial, canonical as pki_serial_normalise() makes it. */
void pki_ca_serial(const struct ws_ca *ca, char out[PKI_SERIAL_HEX_MAX + 1]);

/* "YYYY-MM-DDTHH:MM:SSZ" */
void pki_time_string(time_t t, char out[32]);

#endif /* WAVESIGND_PKI_H */
